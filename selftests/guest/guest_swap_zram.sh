#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A real Linux guest (GT_MEM 192 MiB, balloon inflated over QMP to 96 MiB) swaps
# a GT_MIB (112) MiB workload onto a zram device of the test VM given to it as a
# virtio disk (swapon --discard): every page verifies, the guest swapped
# out and in, and the discards the guest sends as its swap slots are freed
# empty zram again. Debian's kernel only (HVMEM_SKIP_KVM).
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
gt_check "discards emptied zram ($orig bytes, $same same-filled pages left)" \
	[ "$orig" -lt $((2 << 20)) ]
# the discards reached zram as discard bios: its discard sector count (stat
# field 15, Documentation/block/stat.rst) covers at least what was swapped
read -r -a st <"$z/stat"
disc_sect=${st[14]:-0}
gt_check "zram got discards for $((disc_sect / 8)) pages (>= ${gt_pswpout:-?} swapped out)" \
	[ "$((disc_sect / 8))" -ge "${gt_pswpout:-1}" ]
gt_check_klog
gt_done
