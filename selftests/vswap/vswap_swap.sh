#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# An hvswap device as the host's swap device: cgroup v2 memory.max pushes a
# process's known data out to swap and back in; the data verifies, the
# swapped pages were stored in the cache while out, and swap's slot frees
# (swap_slot_free_notify) take them out again when the process exits. The
# VM's miss-rate curve sees the device's stream. Prints TAP.
. "$(dirname "$0")/vswap_lib.sh"
. "$VSWAP_TOP/selftests/lib/swap_slots.sh"

vs_load_modules
CG=/sys/fs/cgroup
cleanup() {
	swapoff -a 2>/dev/null
	vs_cleanup
	rmdir $CG/vst_a 2>/dev/null
}
trap cleanup EXIT

helper=
for h in "$(dirname "$0")/../swapres/swapres_pressure" \
	 "$VSWAP_TOP/build/selftests/swapres/swapres_pressure"; do
	[ -x "$h" ] && helper=$h && break
done
if [ -z "$helper" ]; then
	helper=/tmp/swapres_pressure.$$
	gcc -O2 -o $helper "$VSWAP_TOP/selftests/swapres/swapres_pressure.c" ||
		vs_bail "cannot build swapres_pressure"
fi
grep -q cgroup2 /proc/mounts || mount -t cgroup2 none $CG || vs_bail "no cgroup2"
echo +memory > $CG/cgroup.subtree_control 2>/dev/null
[ -e $CG/memory.stat ] || grep -qw memory $CG/cgroup.subtree_control ||
	{ echo "1..0 # SKIP no memory controller"; exit $KSFT_SKIP; }
swapoff -a

MIB=${VSWAP_MIB:-128}
LIMIT=${VSWAP_LIMIT:-40M}
HIGH=${VSWAP_HIGH:-30M}
hvmemctl cache reserve $(((MIB + 32) * 256)) >/dev/null || vs_bail "cannot reserve cache pages"
vs_bind || vs_bail "cannot bind a VM"
VM=$vs_vm
DEV=$(vs_create $VM $((MIB + 64))M) || vs_bail "cannot create a device"
for i in $(seq 50); do [ -b "$DEV" ] && break; sleep 0.1; done
vs_check "mkswap + swapon" bash -c "mkswap -q $DEV && swapon -p 10 $DEV"
s0=$(vs_stat $DEV stored)
vs_diag "stored after mkswap: $s0"

mkdir -p $CG/vst_a
echo $LIMIT > $CG/vst_a/memory.max
echo $HIGH > $CG/vst_a/memory.high
mid="cat /sys/block/$(basename $DEV)/hvswap/stored > /tmp/vst_mid"
t0=$(date +%s)
bash -c "echo \$\$ > $CG/vst_a/cgroup.procs && exec $helper $MIB 11 '$mid'" > /tmp/vst_out 2>&1
rc=$?
sed 's/^/# /' /tmp/vst_out
vs_diag "pressure run took $(($(date +%s) - t0)) s"
vs_check "process data verified after swap-in" [ $rc = 0 ]
mid=$(cat /tmp/vst_mid 2>/dev/null || echo 0)
min=$(( (MIB - ${LIMIT%M}) * 256 / 2 ))
vs_diag "stored while swapped out: $mid; writes $(vs_stat $DEV writes) reads $(vs_stat $DEV reads)"
vs_check "swapped-out pages were in the cache (>= $min)" vs_ge "$mid" $min
vs_check "swap-ins read them (reads > 0)" vs_ge "$(vs_stat $DEV reads)" 1
# the process exited: swap freed its slots, the device dropped the blocks
# (after swap's per-CPU caches of freed slots are drained: swap_slots.sh)
vs_diag "after exit: stored $(vs_stat $DEV stored), cgroup swap $(cat $CG/vst_a/memory.swap.current)"
vs_check "swap's slot caches drained (a scratch swapon/swapoff)" swap_drain_slot_caches
for i in $(seq 30); do
	[ "$(vs_stat $DEV stored)" -le $((s0 + 64)) ] && break
	sleep 1
done
vs_diag "after the drain: stored $(vs_stat $DEV stored), freed $(vs_stat $DEV freed)," \
	"cgroup swap $(cat $CG/vst_a/memory.swap.current)"
vs_check "slot frees counted" vs_ge "$(vs_stat $DEV freed)" $min
vs_check "slot frees released the cache pages" bash -c "[ $(vs_stat $DEV stored) -le $((s0 + 64)) ]"
vs_check "no failures" vs_eq "$(vs_stat $DEV failed)" 0
if grep -q '^hvmem_mrc ' /proc/modules; then
	hvmemctl mrc show $VM > /tmp/vst_mrc 2>&1
	vs_check "mrc show VM after swap traffic" [ $? = 0 ]
	sed 's/^/# /' /tmp/vst_mrc | head -20
fi
vs_check "swapoff" swapoff $DEV
vs_check "stored back to the swap header after swapoff" bash -c "[ $(vs_stat $DEV stored) -le $s0 ]"
vs_check "destroy" hvmemctl vswap destroy $DEV
vs_check "no swap I/O errors" bash -c "! klog_new | grep -qiE 'write error on swap|read error on swap|I/O error'"
vs_check "no kernel warnings" klog_clean
vs_done
