#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Overflow: a real Linux guest swaps a GT_MIB (72) MiB workload onto an hvmem swap
# device whose cache reserve holds only half of it; evicted blocks are
# written back to a dm-swapres thin device (the device's backing). Every page
# verifies, with writebacks and reads from the backing device > 0. The
# device belongs to the guest's own VM: QEMU starts paused, is bound to hvmem
# by pid and gets the device plugged (gt_vswap_plug, as in
# guest_swap_vswap.sh). SKIPs until hvmem_vswap.ko and `hvmemctl vswap`
# exist. Debian's kernel only.
. "$(dirname "$0")/guest_lib.sh"
gt_require_guest
why=$(gt_vswap_available) || gt_skip_all "hvmem swap device not available: $why"
grep -q '^dm_swapres ' /proc/modules || { modprobe -q dm_mod; insmod "$GT_MODDIR/swapres/dm-swapres.ko"; } ||
	gt_skip_all "dm-swapres.ko not available"
size=$(((GT_MIB + 64) << 20))
old_reserve=$(cat /sys/kernel/mm/hvmem/cache/reserve_pages 2>/dev/null || echo 0)
loop='' bdir='' state=$gt_dir/plug
cleanup() {
	gt_sample_stop
	gt_vswap_unplugged "$state"
	dmsetup remove gt_thin 2>/dev/null
	dmsetup remove gt_resv 2>/dev/null
	[ -z "$loop" ] || losetup -d "$loop"
	[ -z "$bdir" ] || { umount "$bdir"; rmdir "$bdir"; }
	hvmemctl cache reserve "$old_reserve" >/dev/null 2>&1
	gt_cleanup_dir
}
trap cleanup EXIT
# the backing: a dm-swapres reservation on a loop device over tmpfs, one
# thin device of the swap device's size
bdir=$(mktemp -d /tmp/guest-backing.XXXXXX)
mount -t tmpfs -o size=$(((size >> 20) + 16))M gt-backing "$bdir"
fallocate -l "$size" "$bdir/resv"
modprobe -q loop 2>/dev/null	# nothing else may have loaded it yet
loop=$(losetup -f --show "$bdir/resv")
sect=$((size >> 9))
# (no udev in the test VM: make each /dev/mapper node before it is named)
dmsetup create gt_resv --table "0 $sect swapres-resv $loop 0 8" &&
	dmsetup mknodes gt_resv 2>/dev/null &&
	dmsetup create gt_thin --table "0 $sect swapres /dev/mapper/gt_resv gtvm $((size >> 12))" &&
	dmsetup mknodes gt_thin 2>/dev/null
gt_check "dm-swapres thin backing device" [ -b /dev/mapper/gt_thin ]
gt_check "cache reserve for half the swapped data" hvmemctl cache reserve $(((GT_MIB << 20) >> 13))

# the plugged device's counters, once the hook made it
gt_sample "$gt_dir/counters" gt_plug_counters "$state"
gt_run_swap - --paused-hook ". '$GT_TOP/selftests/guest/guest_lib.sh'; gt_vswap_plug $size '$state' /dev/mapper/gt_thin"
sleep 2
gt_sample_stop
read -r vmid dev < <(sed -n 's/^vmid=\([0-9]*\) dev=\(.*\)/\1 \2/p' "$state")
gt_check "the guest's QEMU bound as vm ${vmid:-?}, its swap device ${dev:-?} (backing /dev/mapper/gt_thin) plugged" \
	[ -n "${vmid:-}" -a -b "${dev:-/nonexistent}" ]
gt_check_guest
[ -n "${dev:-}" ] || { gt_done; exit; }
gt_diag "vswap counters after the guest: $(gt_vswap_counters "$dev" | tr '\n' ' ')"
wb=0 rb=0
for n in written_back writeback writebacks; do wb=$((wb + $(gt_max "$gt_dir/counters" $n))); done
for n in backing_reads read_backing reads_backing; do rb=$((rb + $(gt_max "$gt_dir/counters" $n))); done
gt_check "blocks were written back to the thin device ($wb)" [ "$wb" -gt 0 ]
gt_check "and read back from it ($rb)" [ "$rb" -gt 0 ]
gt_check "no failed I/O (${failed:=$(gt_vswap_counter "$dev" failed)})" [ "${failed:-0}" = 0 ]
if gt_vswap_destroy "$dev"; then gt_ok "vswap destroy"; : >"$state"; else gt_nok "vswap destroy"; fi
gt_check_klog
gt_done
