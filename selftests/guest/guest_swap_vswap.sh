#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A real Linux guest (GT_MEM 192 MiB, balloon inflated over QMP to 96 MiB) swaps
# a GT_MIB (72) MiB workload onto an hvmem swap device (hvmem_vswap.ko, /dev/hvswapN
# over the exclusive cache) given to it as a virtio disk (swapon --discard):
# every page verifies, the device's counters show the guest's pages while it
# runs, and the guest's discards free them. SKIPs until hvmem_vswap.ko and
# `hvmemctl vswap` exist. Debian's kernel only (HVMEM_SKIP_KVM).
. "$(dirname "$0")/guest_lib.sh"
gt_require_guest
why=$(gt_vswap_available) || gt_skip_all "hvmem swap device not available: $why"
size=$(((GT_MIB + 64) << 20))
old_reserve=$(cat /sys/kernel/mm/hvmem/cache/reserve_pages 2>/dev/null || echo 0)
dev=''
cleanup() {
	gt_sample_stop
	[ -z "$dev" ] || gt_vswap_destroy "$dev"
	gt_vm_release
	hvmemctl cache reserve "$old_reserve" >/dev/null 2>&1
	gt_cleanup_dir
}
trap cleanup EXIT
gt_check "cache reserve for the whole swap device" hvmemctl cache reserve $((size >> 12))
gt_check "a stand-in VM bound" gt_vm_hold
dev=$(gt_vswap_create "$gt_vmid" "$size") || { gt_nok "vswap create"; gt_done; exit; }
gt_ok "vswap device $dev for vm $gt_vmid"

gt_sample "$gt_dir/counters" gt_vswap_counters "$dev"
gt_run_swap "$dev"
sleep 2
gt_sample_stop
gt_check_guest
gt_diag "vswap counters after the guest: $(gt_vswap_counters "$dev" | tr '\n' ' ')"
peak=$(gt_max "$gt_dir/counters" stored)
gt_check "the device held the guest's pages (peak $peak stored)" [ "$peak" -gt 1000 ]
now=$(gt_vswap_stored "$dev")
gt_check "the guest's discards freed them (${now:-?} stored now)" [ -n "$now" -a "${now:-0}" -lt 512 ]
gt_check "no failed I/O (${failed:=$(gt_vswap_counter "$dev" failed)})" [ "${failed:-0}" = 0 ]
if gt_vswap_destroy "$dev"; then gt_ok "vswap destroy"; dev=''; else gt_nok "vswap destroy"; fi
gt_check_klog
gt_done
