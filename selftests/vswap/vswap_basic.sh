#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hvswap devices without a backing device: create/destroy through the CLI
# (bad input: unknown VM, sizes, removal while open), data verified through
# write, read (reads do not consume), overwrite, zero and duplicate blocks,
# discard and write-zeroes, the counters checked at each step; a write
# beyond the VM's cap fails with an I/O error and leaves the stored data
# intact; the VM's unbinding kills the device; the VM's miss-rate curve
# gets the device's stream; rmmod destroys idle devices. Prints TAP.
. "$(dirname "$0")/vswap_lib.sh"

vs_load_modules
trap vs_cleanup EXIT
hvmemctl cache reserve 4096 >/dev/null || vs_bail "cannot reserve cache pages"
vs_bind || vs_bail "cannot bind a VM"
VM=$vs_vm

# bad input
out=$(hvmemctl vswap create 999999 1M 2>&1)
vs_check "unknown VM refused (ENOENT)" bash -c "[[ '$out' == *'No such file'* ]]"
out=$(hvmemctl vswap create $VM 4097 2>&1)
vs_check "size not a multiple of 4 KiB refused (EINVAL)" bash -c "[[ '$out' == *'Invalid argument'* ]]"
out=$(hvmemctl vswap create $VM 0 2>&1)
vs_check "size 0 refused (EINVAL)" bash -c "[[ '$out' == *'Invalid argument'* ]]"
out=$(hvmemctl vswap create $VM 8M --backing /dev/nonexistent 2>&1)
vs_check "missing backing device refused (ENOENT)" bash -c "[[ '$out' == *'No such file'* ]]"
vs_check "no device left behind by failures" bash -c "! ls -d /sys/block/hvswap* 2>/dev/null"

DEV=$(vs_create $VM 16M) || vs_bail "cannot create a device"
vs_diag "created $DEV for VM $VM"
udevadm settle 2>/dev/null
for i in $(seq 50); do [ -b "$DEV" ] && break; sleep 0.1; done
vs_check "$DEV is a block device" [ -b "$DEV" ]
vs_check "size 16 MiB" vs_eq "$(blockdev --getsize64 "$DEV")" $((16 << 20))
vs_check "logical block size 4096" vs_eq "$(blockdev --getss "$DEV")" 4096
vs_check "physical block size 4096" vs_eq "$(blockdev --getpbsz "$DEV")" 4096
vs_check "discard supported" vs_ge "$(cat /sys/block/$(basename $DEV)/queue/discard_max_bytes)" 4096
vs_check "listed with its VM" bash -c "hvmemctl vswap list | grep -q '^$DEV *$VM '"
vs_check "never-written blocks read as zeros" vs_verify checkzero $DEV 0 64 0

# write, read twice (not consumed), overwrite
vs_check "write 1000 distinct blocks" vs_verify write $DEV 0 1000 1
vs_check "stored 1000" vs_eq "$(vs_stat $DEV stored)" 1000
vs_check "read back" vs_verify check $DEV 0 1000 1
vs_check "read back again (reads do not consume)" vs_verify check $DEV 0 1000 1
vs_check "still stored 1000" vs_eq "$(vs_stat $DEV stored)" 1000
vs_check "reads counted" vs_ge "$(vs_stat $DEV reads)" 2000
vs_check "overwrite 500 blocks" vs_verify write $DEV 0 500 2
vs_check "overwritten blocks have new data" vs_verify check $DEV 0 500 2
vs_check "the others keep theirs" vs_verify check $DEV 500 500 1
vs_check "overwrite replaced: stored 1000" vs_eq "$(vs_stat $DEV stored)" 1000

# zero and duplicate blocks
z0=$(vs_stat $DEV zero)
vs_check "write 100 zero blocks" vs_verify zero $DEV 1000 100 0
vs_check "zero counter +100" vs_eq "$(vs_stat $DEV zero)" $((z0 + 100))
vs_check "zero blocks read as zeros" vs_verify checkzero $DEV 1000 100 0
d0=$(vs_stat $DEV deduplicated)
vs_check "write 200 identical blocks" vs_verify dup $DEV 1100 200 7
vs_check "deduplicated counter +199" vs_eq "$(vs_stat $DEV deduplicated)" $((d0 + 199))
vs_check "identical blocks read back" vs_verify checkdup $DEV 1100 200 7
vs_check "stored 1300" vs_eq "$(vs_stat $DEV stored)" 1300

# discard and write-zeroes take blocks out of the cache
vs_check "blkdiscard 400 blocks" blkdiscard -o 0 -l $((400 * 4096)) $DEV
vs_check "stored 900 after discard" vs_eq "$(vs_stat $DEV stored)" 900
vs_check "discarded blocks read as zeros" vs_verify checkzero $DEV 0 400 0
vs_check "the rest is intact" vs_verify check $DEV 400 100 2
vs_check "blkdiscard -z (write-zeroes) 100 blocks" blkdiscard -z -o $((500 * 4096)) -l $((100 * 4096)) $DEV
vs_check "stored 800 after write-zeroes" vs_eq "$(vs_stat $DEV stored)" 800
vs_check "write-zeroed blocks read as zeros" vs_verify checkzero $DEV 500 100 0
vs_check "discarded counter 500" vs_eq "$(vs_stat $DEV discarded)" 500
vs_check "blocks beyond them intact" vs_verify check $DEV 600 400 1
vs_check "no failures so far" vs_eq "$(vs_stat $DEV failed)" 0
# no device has a backing device: bios are served in ->submit_bio
vs_diag "inline_bios $(vs_stat $DEV inline_bios) deferred_bios $(vs_stat $DEV deferred_bios)"
vs_check "bios served inline" vs_ge "$(vs_stat $DEV inline_bios)" 1

# beyond the VM's cap: an I/O error and a counter, never a silent loss
hvmemctl cache set $VM 1000 1000 >/dev/null
vs_check "writes beyond the cap fail" bash -c "! $VERIFY write $DEV 2000 300 3 >/dev/null 2>&1"
vs_check "failed counter > 0" vs_ge "$(vs_stat $DEV failed)" 1
vs_check "stored at most the cap" bash -c "[ $(vs_stat $DEV stored) -le 1000 ]"
vs_check "data stored before is intact" vs_verify check $DEV 600 400 1
vs_check "no bio deferred (no device has a backing device)" vs_eq "$(vs_stat $DEV deferred_bios)" 0
hvmemctl cache set $VM 1000 0 >/dev/null

# bios of many blocks (64 and 128 KiB, O_DIRECT) through the inline path:
# blocks 3072-3327, dropped again after
head -c $((1024 * 1024)) /dev/urandom >/tmp/vsb_pattern
i0=$(vs_stat $DEV inline_bios)
vs_check "1 MiB written in 64 KiB O_DIRECT bios" \
	dd if=/tmp/vsb_pattern of=$DEV bs=64k seek=192 count=16 oflag=direct status=none
vs_check "read back in 128 KiB O_DIRECT bios, equal" bash -c \
	"dd if=$DEV bs=128k skip=96 count=8 iflag=direct status=none | cmp - /tmp/vsb_pattern"
vs_check "those 24 bios were served inline" vs_ge "$(vs_stat $DEV inline_bios)" $((i0 + 24))
rm -f /tmp/vsb_pattern
blkdiscard -o $((3072 * 4096)) -l $((256 * 4096)) $DEV

# the device's stream feeds the VM's miss-rate curve (when hvmem_mrc is there)
if grep -q '^hvmem_mrc ' /proc/modules; then
	vs_check "mrc show VM after device traffic" bash -c "hvmemctl mrc show $VM | sed 's/^/# /'"
fi

# removal while open is refused
exec 3<"$DEV"
out=$(hvmemctl vswap destroy $DEV 2>&1)
vs_check "destroy while open refused (EBUSY)" bash -c "[[ '$out' == *'busy'* ]]"
exec 3<&-
vs_check "destroy once closed" hvmemctl vswap destroy $DEV
vs_check "device gone" bash -c "[ ! -e /sys/block/$(basename $DEV) ]"
vs_check "its blocks left the cache" bash -c "hvmemctl -j cache stats | grep -q '\"entries\": *0'"
out=$(hvmemctl vswap destroy $DEV 2>&1)
vs_check "destroy of a gone device: ENOENT" bash -c "[[ '$out' == *'No such file'* ]]"

# the VM's unbinding kills the device: I/O fails, it can still be destroyed
vs_bind || vs_bail "cannot bind a second VM"
VM2=$vs_vm
DEV2=$(vs_create $VM2 4M)
vs_check "write to a second device" vs_verify write $DEV2 0 100 5
hvmemctl vm unbind $VM2
vs_check "listed as dead after the VM's unbinding" bash -c "hvmemctl vswap list | grep '^$DEV2 ' | grep -q dead"
vs_check "reads fail after the VM's unbinding" bash -c "! $VERIFY check $DEV2 0 1 5 >/dev/null 2>&1"
vs_check "writes fail after the VM's unbinding" bash -c "! $VERIFY write $DEV2 0 1 5 >/dev/null 2>&1"
vs_check "dead device destroyed" hvmemctl vswap destroy $DEV2

# rmmod destroys idle devices
DEV3=$(vs_create $VM 4M)
vs_check "write before rmmod" vs_verify write $DEV3 0 10 6
vs_check "rmmod with an idle device" rmmod hvmem_vswap
vs_check "the device went with it" bash -c "[ ! -e /sys/block/$(basename $DEV3) ]"
vs_check "reload" insmod "$VSWAP_MODDIR/vswap/hvmem_vswap.ko"
vs_check "unprivileged callers get EPERM" bash -c \
	"setpriv --reuid=65534 --regid=65534 --clear-groups hvmemctl vswap list 2>&1 | grep -qE 'not permitted|Permission denied'"
vs_check "no kernel warnings" klog_clean
vs_done
