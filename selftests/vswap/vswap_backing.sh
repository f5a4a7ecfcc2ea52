#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hvswap devices with a backing device: a dm-swapres thin device takes the
# blocks the cache evicts (a reserve smaller than what is written), reads of
# them come back from it, every block verifies; discards return its blocks;
# a backing device that is too small or read only is refused; a failing
# backing device (dm "error") keeps evicted blocks in the cache and fails
# the writes that need room, with the failed counter. Prints TAP.
. "$(dirname "$0")/vswap_lib.sh"
SWAPRES_TOP=$VSWAP_TOP
. "$VSWAP_TOP/selftests/swapres/swapres_lib.sh"
# one TAP stream: the swapres helpers report through ours
sr_ok() { vs_ok "$@"; }
sr_nok() { vs_nok "$@"; }

sr_load_modules
vs_load_modules
cleanup() {
	vs_cleanup
	sr_cleanup
}
trap cleanup EXIT
modprobe dm_mod 2>/dev/null

RESERVE=256
BLOCKS=4096			# 16 MiB device
hvmemctl cache reserve $RESERVE >/dev/null || vs_bail "cannot reserve cache pages"
vs_bind || vs_bail "cannot bind a VM"
VM=$vs_vm
sr_backing 64
R=vst_res
sr_check "reservation" sr_create $R "0 $((48 * 2048)) swapres-resv $sr_loop 0 8"
sr_check "thin device of 16 MiB" sr_create vst_thin "0 $((16 * 2048)) swapres /dev/mapper/$R vm1 $BLOCKS"
sr_check "thin device of 8 MiB" sr_create vst_small "0 $((8 * 2048)) swapres /dev/mapper/$R vm2 2048"

# bad backing devices
out=$(hvmemctl vswap create $VM 16M --backing /dev/mapper/vst_small 2>&1)
vs_check "backing smaller than the device refused (ENOSPC)" bash -c "[[ '$out' == *'No space'* ]]"
fallocate -l 16M "$sr_dir/ro" && ro=$(losetup -r -f --show "$sr_dir/ro")
out=$(hvmemctl vswap create $VM 16M --backing $ro 2>&1)
vs_check "read-only backing refused (EROFS)" bash -c "[[ '$out' == *'Read-only'* ]]"
losetup -d $ro
vs_check "no device left behind" bash -c "! ls -d /sys/block/hvswap* 2>/dev/null"

DEV=$(vs_create $VM 16M --backing /dev/mapper/vst_thin) || vs_bail "cannot create a backed device"
udevadm settle 2>/dev/null
for i in $(seq 50); do [ -b "$DEV" ] && break; sleep 0.1; done
bk=$(vs_stat $DEV backing)
vs_check "backing shown in sysfs ($bk)" bash -c "[ -n '$bk' ] && [ '$bk' != none ]"
vs_check "backing is held exclusively" bash -c "! mkswap /dev/mapper/vst_thin >/dev/null 2>&1"

# more than the reserve: evictions go to the thin device
vs_check "write 2000 blocks through a $RESERVE-page reserve" vs_verify write $DEV 0 2000 1
ev=$(vs_stat $DEV evicted)
wb=$(vs_stat $DEV written_back)
vs_diag "stored $(vs_stat $DEV stored) evicted $ev written_back $wb thin blocks $(sr_vm_alloc vst_thin)"
vs_check "stored at most the reserve" bash -c "[ $(vs_stat $DEV stored) -le $RESERVE ]"
vs_check "evicted > 0" vs_ge "$ev" 1
vs_check "written back >= 2000 - reserve" vs_ge "$wb" $((2000 - RESERVE))
vs_check "thin device allocated the written-back blocks" vs_ge "$(sr_vm_alloc vst_thin)" $((2000 - RESERVE))
vs_check "every block verifies" vs_verify check $DEV 0 2000 1
vs_check "backing reads > 0" vs_ge "$(vs_stat $DEV backing_reads)" 1
vs_check "every block verifies again" vs_verify check $DEV 0 2000 1
vs_check "overwrite evicted blocks" vs_verify write $DEV 0 300 2
vs_check "overwritten blocks have the new data" vs_verify check $DEV 0 300 2
vs_check "the others the old" vs_verify check $DEV 300 1700 1
vs_check "write 600 zero blocks" vs_verify zero $DEV 2000 600 0
vs_check "zero blocks read as zeros" vs_verify checkzero $DEV 2000 600 0
vs_check "no failures" vs_eq "$(vs_stat $DEV failed)" 0
vs_check "a backed device serves no bio inline" vs_eq "$(vs_stat $DEV inline_bios)" 0

# While some device has a backing device, every device's bios go to its
# worker: a put may have to write back a block of the backed device, which
# the worker may do. Room for a device without backing comes from evicting
# the backed device's blocks (written back first); every block of both
# devices verifies.
PLAIN=$(vs_create $VM 4M) || vs_bail "cannot create a device without backing"
for i in $(seq 50); do [ -b "$PLAIN" ] && break; sleep 0.1; done
wb0=$(vs_stat $DEV written_back)
vs_check "write 200 blocks to a device without backing" vs_verify write $PLAIN 0 200 4
vs_diag "inline_bios $(vs_stat $PLAIN inline_bios) deferred_bios $(vs_stat $PLAIN deferred_bios)," \
	"backed device written_back $wb0 -> $(vs_stat $DEV written_back)"
vs_check "the backed device's blocks were written back for them" \
	vs_ge "$(vs_stat $DEV written_back)" $((wb0 + 1))
vs_check "its blocks verify" vs_verify check $PLAIN 0 200 4
vs_check "beside a backed device, none of its bios was served inline" \
	vs_eq "$(vs_stat $PLAIN inline_bios)" 0
vs_check "the backed device's blocks still verify" vs_verify check $DEV 300 1700 1
vs_check "no failures on either" vs_eq "$(( $(vs_stat $DEV failed) + $(vs_stat $PLAIN failed) ))" 0
vs_check "destroy the device without backing" hvmemctl vswap destroy $PLAIN
a0=$(sr_vm_alloc vst_thin)
vs_check "discard all" blkdiscard $DEV
vs_check "discarded blocks read as zeros" vs_verify checkzero $DEV 0 2600 0
vs_diag "thin blocks before discard $a0, after $(sr_vm_alloc vst_thin)"
vs_check "discard returned the thin device's blocks" vs_eq "$(sr_vm_alloc vst_thin)" 0
vs_check "stored 0 after discard" vs_eq "$(vs_stat $DEV stored)" 0
vs_check "destroy" hvmemctl vswap destroy $DEV

# a failing backing device: evicted blocks stay, writes needing room fail
sr_check "dm error device" sr_create vst_err "0 $((16 * 2048)) error"
DEV=$(vs_create $VM 16M --backing /dev/mapper/vst_err) || vs_bail "cannot create on dm error"
for i in $(seq 50); do [ -b "$DEV" ] && break; sleep 0.1; done
vs_check "fill the reserve" vs_verify write $DEV 0 $RESERVE 3
vs_check "writes beyond it fail" bash -c "! $VERIFY write $DEV $RESERVE 10 3 >/dev/null 2>&1"
vs_check "failed counter > 0" vs_ge "$(vs_stat $DEV failed)" 1
vs_check "nothing written back" vs_eq "$(vs_stat $DEV written_back)" 0
vs_check "the stored blocks were kept and verify" vs_verify check $DEV 0 $RESERVE 3
vs_check "destroy" hvmemctl vswap destroy $DEV

# no backed device left: a device without backing serves inline again
PLAIN=$(vs_create $VM 4M) || vs_bail "cannot create a device without backing"
for i in $(seq 50); do [ -b "$PLAIN" ] && break; sleep 0.1; done
vs_check "write 100 blocks to it" vs_verify write $PLAIN 0 100 5
vs_check "they verify" vs_verify check $PLAIN 0 100 5
vs_check "with no backed device, its bios are served inline" vs_ge "$(vs_stat $PLAIN inline_bios)" 100
vs_check "destroy it" hvmemctl vswap destroy $PLAIN
vs_check "no kernel warnings" klog_clean
vs_done
