#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fio --verify on two dm-swapres thin devices at once, for 4 KiB and
# 64 KiB reservation blocks, then allocated == blocks written and the
# data survives a remove/re-create of the other VM. Prints TAP.
. "$(dirname "$0")/swapres_lib.sh"

command -v fio >/dev/null || { echo "1..0 # SKIP fio not installed"; exit $KSFT_SKIP; }
sr_load_modules
trap sr_cleanup EXIT
MIB=${SWAPRES_FIO_MIB:-48}
sr_backing $((4 * MIB))
for bsec in 8 128; do
	R=srt_res$bsec
	nb=$((2 * MIB * 256 * 8 / bsec))
	sr_check "reservation, $bsec-sector blocks" \
		sr_create $R "0 $((2 * MIB * 2048)) swapres-resv $sr_loop $((bsec == 8 ? 0 : 2 * MIB * 2048)) $bsec"
	for v in 1 2; do
		sr_check "thin vm$v ($bsec)" sr_create srt_vm$v "0 $((MIB * 2048)) swapres /dev/mapper/$R vm$v $((nb / 2))"
	done
	common="--verify_state_save=0 --direct=1 --ioengine=libaio --iodepth=16 --verify=crc32c --verify_fatal=1 --do_verify=1 --randrepeat=0 --size=$((MIB / 2))M"
	fio --name=rand4k --filename=/dev/mapper/srt_vm1 --rw=randwrite --bs=4k $common \
		--output=/tmp/srt_fio1 &
	p1=$!
	fio --name=mixed --filename=/dev/mapper/srt_vm2 --rw=randwrite --bsrange=4k-128k \
		--offset=$((MIB / 4))M $common --output=/tmp/srt_fio2 &
	p2=$!
	wait $p1
	r1=$?
	wait $p2
	r2=$?
	sr_check "fio verify 4k randwrite ($bsec)" [ $r1 = 0 ]
	sr_check "fio verify 4k-128k randwrite ($bsec)" [ $r2 = 0 ]
	[ $r1 = 0 ] && [ $r2 = 0 ] || cat /tmp/srt_fio1 /tmp/srt_fio2 | sed 's/^/# /'
	# 4k: every page of the first MIB/2 MiB written once
	want=$((MIB / 2 * 256 * 8 / bsec))
	sr_check "allocated == blocks written ($bsec)" sr_eq "$(sr_vm_alloc srt_vm1)" $want
	sr_check "sum == reservation allocated ($bsec)" \
		sr_eq $(($(sr_vm_alloc srt_vm1) + $(sr_vm_alloc srt_vm2))) "$(sr_resv_alloc $R)"
	sr_check "unwritten tail reads zeros ($bsec)" sr_is_zero srt_vm1 $((MIB * 256 - 16)) 16
	sr_check "remove vm2 ($bsec)" sr_remove srt_vm2
	sr_check "vm2 blocks returned ($bsec)" \
		sr_eq "$(sr_resv_alloc $R)" "$(sr_vm_alloc srt_vm1)"
	sr_check "re-create vm2 ($bsec)" \
		sr_create srt_vm2 "0 $((MIB * 2048)) swapres /dev/mapper/$R vm2 $((nb / 2))"
	fio --name=reverify --filename=/dev/mapper/srt_vm1 --rw=randwrite --bs=4k $common \
		--verify_only --output=/tmp/srt_fio3
	sr_check "vm1 data intact after vm2 remove/re-create ($bsec)" [ $? = 0 ]
	sr_check "re-created vm2 is empty ($bsec)" sr_eq "$(sr_vm_alloc srt_vm2)" 0
	sr_remove srt_vm1
	sr_remove srt_vm2
	sr_check "reservation empty after removals ($bsec)" sr_eq "$(sr_resv_alloc $R)" 0
	sr_remove $R
done
sr_check "no kernel warnings" klog_clean
sr_done
