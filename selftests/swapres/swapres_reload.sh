#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dm-swapres reservation lifetime: replacing the reservation's table while
# thin devices hold blocks must not let a new reservation hand the same
# blocks to another VM; overlapping reservations on one backing device are
# refused; tables too large for the in-memory maps are refused with a clear
# message and no kernel warning. Prints TAP.
. "$(dirname "$0")/swapres_lib.sh"

sr_load_modules
trap sr_cleanup EXIT
sr_backing 80
L=$sr_loop
R=srr_res
# 16 MiB reservation at offset 8 MiB: 4096 blocks of 4 KiB
RES_TABLE="0 32768 swapres-resv $L 16384 8"
THIN="swapres /dev/mapper/$R"
S=/sys/kernel/mm/hvmem/swapres/$R

sr_check "reservation created" sr_create $R "$RES_TABLE"
sr_check "vm1 created" sr_create srr_vm1 "0 32768 $THIN vm1 1024"
head -c $((16 * 4096)) /dev/urandom > /tmp/srr_data
sr_write_pages srr_vm1 0 16 /tmp/srr_data
sr_check "vm1 holds 16 blocks" sr_eq "$(sr_vm_alloc srr_vm1)" 16

# --- replace the reservation's table with "error" while vm1 holds blocks
dmsetup reload $R --table "0 32768 error" && dmsetup resume $R
sr_check "error table loaded on the reservation device" \
	bash -c "dmsetup table $R | grep -q error"
sr_check "reservation kept while vm1 holds blocks" [ -d $S ]
if dmsetup reload $R --table "$RES_TABLE" 2>/dev/null; then
	sr_nok "new swapres-resv table refused while thin devices hold blocks"
	dmsetup resume $R
else
	sr_ok "new swapres-resv table refused while thin devices hold blocks"
fi
sr_check "refusal explained" bash -c \
	"dmesg | grep -q 'Thin devices still use the device.s previous reservation'"
# the defect: a fresh reservation on the same device handed vm1's blocks to vm2
if sr_create srr_vm2 "0 32768 $THIN vm2 1024" 2>/dev/null; then
	sr_nok "no new thin device on a replaced reservation"
	sr_write_pages srr_vm2 0 16 /dev/zero
else
	sr_ok "no new thin device on a replaced reservation"
fi
sr_check "vm1's data intact" cmp -s <(sr_read_pages srr_vm1 0 16) /tmp/srr_data
sr_write_pages srr_vm1 16 4 /dev/urandom
sr_check "vm1 still allocates from its reservation" sr_eq "$(sr_vm_alloc srr_vm1)" 20
sr_check "sysfs still counts vm1's blocks" sr_eq "$(cat $S/allocated)" 20
dmsetup remove srr_vm2 2>/dev/null

# --- once vm1 is gone, the device may take a reservation again
sr_check "vm1 removed" sr_remove srr_vm1
sr_check "old reservation gone with its last VM" [ ! -d $S ]
sr_check "swapres-resv table accepted again" \
	bash -c "dmsetup reload $R --table '$RES_TABLE' && dmsetup resume $R"
sr_check "new reservation starts empty" sr_eq "$(sr_resv_alloc $R)" 0
sr_check "sysfs directory back" [ -d $S ]
sr_check "vm1 re-created" sr_create srr_vm1 "0 32768 $THIN vm1 1024"
sr_check "re-created vm1 reads zeros" sr_is_zero srr_vm1 0 16

# --- overlapping reservations on one backing device
if dmsetup create srr_ovl --table "0 32768 swapres-resv $L 40960 8" 2>/dev/null; then
	sr_nok "overlapping reservation refused"
	dmsetup remove srr_ovl
else
	sr_ok "overlapping reservation refused"
fi
sr_check "overlap explained" bash -c "dmesg | grep -q 'overlaps reservation $R'"
sr_check "adjacent reservation accepted" \
	sr_create srr_adj "0 32768 swapres-resv $L 49152 8"
sr_check "adjacent reservation removed" sr_remove srr_adj
# the same range through the reservation device of another dm device
sr_check "replaced reservation's range not reusable while in use" bash -c "
	dmsetup reload $R --table '0 32768 error' && dmsetup resume $R &&
	! dmsetup create srr_same --table '$RES_TABLE' 2>/dev/null"
dmsetup remove srr_same 2>/dev/null
sr_check "vm1 removed again" sr_remove srr_vm1
sr_check "range reusable once free" sr_create srr_same "$RES_TABLE"
sr_check "srr_same removed" sr_remove srr_same

# --- sizes beyond the in-memory maps: clear error, no kernel warning
big=$(((2 ** 32 - 2) * 8))
sr_check "huge reservation refused" \
	bash -c "! dmsetup create srr_big --table '0 $big swapres-resv $L 0 8' 2>/dev/null"
sr_check "... with a clear message" bash -c "dmesg | grep -q 'reservation too large'"
dmsetup reload $R --table "$RES_TABLE" && dmsetup resume $R
sr_check "huge thin device refused" \
	bash -c "! dmsetup create srr_bigvm --table '0 $((2 ** 29 * 8)) $THIN big 1' 2>/dev/null"
sr_check "... with a clear message" bash -c "dmesg | grep -q 'thin device too large'"
sr_check "reservation removed" sr_remove $R
sr_check "no kernel warnings" klog_clean
sr_done
