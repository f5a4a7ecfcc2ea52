#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A real Linux guest (GT_MEM 192 MiB, balloon inflated over QMP to 96 MiB) swaps
# a GT_MIB (72) MiB workload onto an hvmem swap device (hvmem_vswap.ko, /dev/hvswapN
# over the exclusive cache) of its own VM: QEMU starts paused, its process is
# bound to hvmem by pid, the device is created for that VM and plugged into
# the guest as a virtio disk over QMP (gt_vswap_plug), then the guest runs
# (swapon --discard). Every page verifies, the device's counters show the
# guest's pages while it runs, the guest's discards free them, and QEMU's
# exit ends the binding (the device is dead). SKIPs until hvmem_vswap.ko and
# `hvmemctl vswap` exist. Debian's kernel only (HVMEM_SKIP_KVM).
. "$(dirname "$0")/guest_lib.sh"
gt_require_guest
why=$(gt_vswap_available) || gt_skip_all "hvmem swap device not available: $why"
size=$(((GT_MIB + 64) << 20))
old_reserve=$(cat /sys/kernel/mm/hvmem/cache/reserve_pages 2>/dev/null || echo 0)
state=$gt_dir/plug
cleanup() {
	gt_sample_stop
	gt_vswap_unplugged "$state"
	hvmemctl cache reserve "$old_reserve" >/dev/null 2>&1
	gt_cleanup_dir
}
trap cleanup EXIT
gt_check "cache reserve for the whole swap device" hvmemctl cache reserve $((size >> 12))

# the plugged device's counters (and its VM id), once the hook made it
plugged_counters() { gt_plug_counters "$state" && echo "sample-end 1"; }
gt_sample "$gt_dir/counters" plugged_counters
gt_run_swap - --paused-hook ". '$GT_TOP/selftests/guest/guest_lib.sh'; gt_vswap_plug $size '$state'"
sleep 1
gt_sample_stop
read -r vmid dev < <(sed -n 's/^vmid=\([0-9]*\) dev=\(.*\)/\1 \2/p' "$state")
gt_check "the guest's QEMU bound as vm ${vmid:-?}, its swap device ${dev:-?} plugged" \
	[ -n "${vmid:-}" -a -b "${dev:-/nonexistent}" ]
gt_check_guest
[ -n "${dev:-}" ] || { gt_done; exit; }
gt_diag "vswap counters after the guest: $(gt_vswap_counters "$dev" | tr '\n' ' ')"
gt_check "the device belongs to the guest's VM ($(gt_vswap_counter "$dev" vm_id))" \
	[ "$(gt_vswap_counter "$dev" vm_id)" = "$vmid" ]
peak=$(gt_max "$gt_dir/counters" stored)
gt_check "the device held the guest's pages (peak $peak stored)" [ "$peak" -gt 1000 ]
# stored in the last sample taken while QEMU still ran (the guest discarded
# the whole disk, then slept 10 s before it ended)
live=$(awk '$1 == "dead" { d = $2 } $1 == "stored" { s = $2 }
	$1 == "sample-end" { if (d == 0) last = s }
	END { print last }' "$gt_dir/counters")
gt_check "the guest's discards freed them (${live:-?} stored at the last live sample)" \
	[ -n "$live" -a "${live:-0}" -lt 512 ]
gt_check "no failed I/O (${failed:=$(gt_vswap_counter "$dev" failed)})" [ "${failed:-0}" = 0 ]
gt_check "QEMU's exit ended its binding: the device is dead" \
	[ "$(gt_vswap_counter "$dev" dead)" = 1 ]
if gt_vswap_destroy "$dev"; then gt_ok "vswap destroy"; : >"$state"; else gt_nok "vswap destroy"; fi
gt_check_klog
gt_done
