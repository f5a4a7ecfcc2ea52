#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A real Linux guest (GT_MEM 192 MiB, balloon inflated over QMP to 96 MiB) swaps
# a GT_MIB (72) MiB workload onto a zram device of the test VM given to it as a
# virtio disk (swapon --discard=pages): every page verifies, the guest
# swapped out and in, and its discards (a blkdiscard of the disk after
# swapoff) reach zram and empty it. Debian's kernel
# only (HVMEM_SKIP_KVM).
. "$(dirname "$0")/guest_lib.sh"
gt_require_guest
modprobe zram 2>/dev/null
zdev=$(zramctl --find --size $((GT_MIB + 64))M) || gt_skip_all "no zram device"
trap 'swapoff "$zdev" 2>/dev/null; zramctl --reset "$zdev" 2>/dev/null; gt_cleanup_dir' EXIT
z=/sys/block/${zdev##*/}
gt_diag "swap disk: $zdev ($(tr -d '\n' <"$z/comp_algorithm"))"

gt_run_swap "$zdev"
gt_check_guest

# mm_stat: orig_data_size compr_data_size mem_used_total mem_limit
#          mem_used_max same_pages pages_compacted huge_pages ...
read -r orig _ _ _ used_max same _ <"$z/mm_stat"
gt_diag "zram after the guest: mm_stat $(cat "$z/mm_stat")"
gt_diag "zram io_stat $(cat "$z/io_stat") stat $(tr -s ' ' <"$z/stat")"
gt_check "zram held the guest's swap (peak memory $((used_max >> 20)) MiB)" \
	[ "$used_max" -gt $((8 << 20)) ]
gt_check "the guest's blkdiscard ran" [ "${gt_blkdiscard:-0}" = 1 ]
gt_check "discards emptied zram ($orig bytes, $same same-filled pages left)" \
	[ "$orig" -lt $((2 << 20)) ]
# the discards reached zram: its io_stat notify_free (4th field) counts the
# pages it freed for discards (zram, a bio device, keeps no discard stat)
read -r _ _ _ nfree _ <"$z/io_stat"
want=$(($(cat "$z/size") / 8))
gt_check "zram freed $nfree pages for discards (the whole disk: $want)" [ "${nfree:-0}" -ge "$want" ]
gt_check_klog
gt_done
