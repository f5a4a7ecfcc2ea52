#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dm-swapres target semantics: table checks, admission control, first-write
# allocation, zero reads, REQ_NOWAIT I/O, discard, limits (-ENOSPC without
# waiting), overcommit, sub-pools, table reload, remove and re-create.
# Prints TAP.
. "$(dirname "$0")/swapres_lib.sh"

sr_load_modules
trap sr_cleanup EXIT
sr_backing 80
L=$sr_loop
R=srt_res
# 64 MiB reservation at offset 8 MiB: 16384 blocks of 4 KiB
RES_TABLE="0 131072 swapres-resv $L 16384 8"
THIN="swapres /dev/mapper/$R"

# --- table argument checks: every bad table is refused, nothing crashes
bad=0
for t in "0 131072 swapres-resv $L 16384" \
	 "0 131072 swapres-resv $L 16384 12" \
	 "0 131072 swapres-resv $L 16384 4" \
	 "0 131072 swapres-resv $L 16384 1024" \
	 "0 131072 swapres-resv $L 3 8" \
	 "0 131075 swapres-resv $L 0 8" \
	 "0 131072 swapres-resv $L 16384 8 1 bogus" \
	 "0 131072 swapres-resv $L 16384 8 2 overcommit" \
	 "0 131072 swapres-resv /dev/nonexistent 0 8" \
	 "0 999999999 swapres-resv $L 0 8"; do
	if dmsetup create srt_bad --table "$t" 2>/dev/null; then
		sr_diag "accepted bad table: $t"
		dmsetup remove srt_bad
		bad=1
	fi
done
sr_check "bad reservation tables refused" [ $bad = 0 ]

sr_check "reservation created" sr_create $R "$RES_TABLE"
sr_check "reservation geometry" sr_eq "$(dmsetup status $R | cut -d' ' -f4-)" "8 16384 0 16384 0 0 0 0 0"

bad=0
for t in "0 131072 $THIN srt_x" \
	 "0 131072 $THIN srt_x 0" \
	 "0 131072 $THIN srt_x -5" \
	 "0 131072 $THIN 'bad/name' 10" \
	 "0 131072 $THIN srt_x 10 2 pool" \
	 "0 131072 $THIN srt_x 10 2 pool nosuchpool" \
	 "0 131072 $THIN srt_x 10 2 color red" \
	 "0 131071 $THIN srt_x 10" \
	 "0 131072 swapres $L srt_x 10"; do
	if dmsetup create srt_bad --table "$t" 2>/dev/null; then
		sr_diag "accepted bad table: $t"
		dmsetup remove srt_bad
		bad=1
	fi
done
sr_check "bad thin tables refused" [ $bad = 0 ]
sr_check "bad table gives a clear message" \
	bash -c "dmesg | grep -q 'swapres: Not a swapres-resv device'"

# --- admission control: 8192 + 8192 = 16384 fills the reservation
sr_check "vm1 admitted" sr_create srt_vm1 "0 131072 $THIN vm1 8192"
sr_check "vm2 admitted" sr_create srt_vm2 "0 131072 $THIN vm2 8192"
if dmsetup create srt_vm3 --table "0 131072 $THIN vm3 1" 2>/dev/null; then
	sr_nok "vm3 refused by admission control"
	dmsetup remove srt_vm3
else
	sr_ok "vm3 refused by admission control"
fi
sr_check "admission refusal explained in dmesg" \
	bash -c "dmesg | grep -q 'admission refused for VM vm3'"
sr_check "duplicate VM name refused" \
	bash -c "! dmsetup create srt_dup --table '0 8 $THIN vm1 1' 2>/dev/null"
sr_check "reservation busy while VMs exist" \
	bash -c "! dmsetup remove $R 2>/dev/null"

# --- reads of never-written blocks are zeros; allocation on first write
sr_check "unwritten blocks read as zeros" sr_is_zero srt_vm1 0 256
sr_check "reads allocate nothing" sr_eq "$(sr_resv_alloc $R)" 0
head -c $((100 * 4096)) /dev/urandom > /tmp/srt_data
for i in $(seq 0 99); do
	dd if=/tmp/srt_data of=/dev/mapper/srt_vm1 bs=4k skip=$i seek=$((i * 37)) \
	   count=1 oflag=direct conv=notrunc status=none
done
sr_check "allocated == blocks written (vm1)" sr_eq "$(sr_vm_alloc srt_vm1)" 100
sr_check "allocated == blocks written (reservation)" sr_eq "$(sr_resv_alloc $R)" 100
sr_check "free + allocated == reservation" \
	sr_eq $(($(sr_resv_free $R) + $(sr_resv_alloc $R))) 16384
same=1
for i in 0 1 50 99; do
	cmp -s <(sr_read_pages srt_vm1 $((i * 37)) 1) \
	       <(dd if=/tmp/srt_data bs=4k skip=$i count=1 status=none) || same=0
done
sr_check "written data reads back" [ $same = 1 ]
sr_check "rewrite allocates nothing" \
	bash -c "dd if=/tmp/srt_data of=/dev/mapper/srt_vm1 bs=4k count=1 oflag=direct conv=notrunc status=none && [ \$(dmsetup status srt_vm1 | cut -d' ' -f4) = 100 ]"
sr_check "vm2 sees zeros where vm1 wrote" sr_is_zero srt_vm2 0 1
# REQ_NOWAIT I/O (io_uring, RWF_NOWAIT) is served, not refused with EOPNOTSUPP
sr_check "RWF_NOWAIT direct write and read" python3 -c "
import mmap, os
fd = os.open('/dev/mapper/srt_vm1', os.O_RDWR | os.O_DIRECT)
buf = mmap.mmap(-1, 4096)
buf.write(open('/tmp/srt_data', 'rb').read(4096))
assert os.pwritev(fd, [buf], 0, os.RWF_NOWAIT) == 4096
back = mmap.mmap(-1, 4096)
assert os.preadv(fd, [back], 0, os.RWF_NOWAIT) == 4096
assert back[:] == buf[:]"

S=/sys/kernel/mm/hvmem/swapres/$R
sr_check "sysfs reservation counters" \
	sr_eq "$(cat $S/allocated $S/free $S/nr_blocks $S/committed $S/deferred | xargs)" "100 16284 16384 16384 0"
sr_check "sysfs per-VM counters" \
	sr_eq "$(cat $S/vms/vm1/allocated $S/vms/vm1/max_blocks $S/vms/vm2/allocated | xargs)" "100 8192 0"

CTL=$(command -v hvmemctl || echo "$SWAPRES_TOP/build/tools/hvmemctl")
if [ -x "$CTL" ]; then
	sr_check "hvmemctl swap status" bash -c "$CTL swap status $R | grep -q 'vm1 .* 100 .* 8192'"
	# jq: a python3 start takes 15-40 s on the KASAN kernel under TCG
	sr_check "hvmemctl -j swap status" bash -c "$CTL -j swap status | jq -e --arg r '$R' '
		.reservations[] | select(.name == \$r) |
		(.vms | map({(.name): .}) | add) as \$v |
		.allocated == 100 and .deferred == 0 and .nr_blocks == 16384 and
		\$v.vm1.allocated == 100 and \$v.vm2.max_blocks == 8192' >/dev/null"
	sr_check "hvmemctl swap status: unknown reservation fails" \
		bash -c "! $CTL swap status nosuch 2>/dev/null"
else
	sr_skip "hvmemctl swap status (hvmemctl not built)"
fi

# --- discard returns blocks (pages 0, 37, ..., 37*49)
blkdiscard -o 0 -l $((37 * 50 * 4096)) /dev/mapper/srt_vm1
sr_check "discard returns blocks" sr_eq "$(sr_vm_alloc srt_vm1)" 50
sr_check "discarded blocks read as zeros" sr_is_zero srt_vm1 $((37 * 10)) 1
sr_check "other data survives a discard" \
	cmp -s <(sr_read_pages srt_vm1 $((37 * 60)) 1) \
	       <(dd if=/tmp/srt_data bs=4k skip=60 count=1 status=none)
blkdiscard /dev/mapper/srt_vm1
sr_check "whole-device discard returns all" sr_eq "$(sr_resv_alloc $R)" 0

# --- VM limit: the 8193rd block fails at once with ENOSPC
sr_write_pages srt_vm2 0 8192 /dev/zero
sr_check "vm2 filled to its max" sr_eq "$(sr_vm_alloc srt_vm2)" 8192
t0=$(date +%s)
out=$(timeout 30 dd if=/dev/zero of=/dev/mapper/srt_vm2 bs=4k seek=8192 count=1 \
      oflag=direct conv=notrunc 2>&1)
rc=$?
t1=$(date +%s)
sr_check "write beyond the VM max fails" [ $rc != 0 ] && [ $rc != 124 ]
sr_check "... with ENOSPC" bash -c "grep -q 'No space left' <<< '$out'"
sr_check "... without waiting" [ $((t1 - t0)) -lt 10 ]
sr_check "enospc counted" sr_eq "$(sr_vm_enospc srt_vm2)" 1

# --- overcommit: admission passes, the reservation runs dry, writes fail fast
sr_check "overcommit on" dmsetup message $R 0 overcommit 1
sr_check "vm3 admitted when overcommitted" sr_create srt_vm3 "0 131072 $THIN vm3 16384"
sr_check "overcommit off refused while overcommitted" \
	bash -c "! dmsetup message $R 0 overcommit 0 2>/dev/null"
sr_write_pages srt_vm3 0 8192 /dev/zero
sr_check "reservation full" sr_eq "$(sr_resv_free $R)" 0
out=$(timeout 30 dd if=/dev/zero of=/dev/mapper/srt_vm3 bs=4k seek=9000 count=1 \
      oflag=direct conv=notrunc 2>&1)
rc=$?
sr_check "write to a full reservation fails fast with ENOSPC" \
	bash -c "[ $rc != 0 ] && [ $rc != 124 ] && grep -q 'No space left' <<< '$out'"
sr_check "sum never above the reservation" \
	sr_eq $(($(sr_vm_alloc srt_vm1) + $(sr_vm_alloc srt_vm2) + $(sr_vm_alloc srt_vm3))) 16384

# --- removal returns blocks; re-create starts empty
sr_check "vm3 removed" sr_remove srt_vm3
sr_check "removal returns blocks" sr_eq "$(sr_resv_free $R)" 8192
sr_check "overcommit off" dmsetup message $R 0 overcommit 0
sr_check "vm2 removed" sr_remove srt_vm2
sr_check "vm2 re-created" sr_create srt_vm2 "0 131072 $THIN vm2 8192"
sr_check "re-created VM is empty" sr_eq "$(sr_vm_alloc srt_vm2)" 0
sr_check "re-created VM reads zeros" sr_is_zero srt_vm2 0 16

# --- table reload keeps the map
sr_write_pages srt_vm1 5 1 /tmp/srt_data
dmsetup reload srt_vm1 --table "0 131072 $THIN vm1 8192" && dmsetup resume srt_vm1
sr_check "table reload keeps data" \
	cmp -s <(sr_read_pages srt_vm1 5 1) <(head -c 4096 /tmp/srt_data)
sr_check "table reload cannot change max_blocks" \
	bash -c "! dmsetup reload srt_vm1 --table '0 131072 $THIN vm1 100' 2>/dev/null"

# --- sub-pools
sr_remove srt_vm2
sr_check "pool too large refused" \
	bash -c "! dmsetup message $R 0 create_pool big 9000 2>/dev/null"
sr_check "pool gold created" dmsetup message $R 0 create_pool gold 1000
sr_check "bad pool name refused" \
	bash -c "! dmsetup message $R 0 create_pool 'a/b' 10 2>/dev/null"
sr_check "VM admitted into gold" sr_create srt_g1 "0 131072 $THIN g1 600 2 pool gold"
sr_check "gold full: second VM refused" \
	bash -c "! dmsetup create srt_g2 --table '0 131072 $THIN g2 600 2 pool gold' 2>/dev/null"
sr_check "gold overcommit" dmsetup message $R 0 pool_overcommit gold 1
sr_check "second VM admitted into overcommitted gold" \
	sr_create srt_g2 "0 131072 $THIN g2 600 2 pool gold"
sr_write_pages srt_g1 0 600 /dev/zero
sr_write_pages srt_g2 0 400 /dev/zero
sr_check "pool max enforced at run time" \
	bash -c "! dd if=/dev/zero of=/dev/mapper/srt_g2 bs=4k seek=400 count=1 oflag=direct conv=notrunc status=none 2>/dev/null"
sr_check "pool busy cannot be removed" \
	bash -c "! dmsetup message $R 0 remove_pool gold 2>/dev/null"
sr_check "status shows the pool" sr_eq "$(sr_field srt_g1 4)" gold
sr_remove srt_g1
sr_remove srt_g2
sr_check "pool removed" dmsetup message $R 0 remove_pool gold
sr_check "only vm1's block left" sr_eq "$(sr_resv_alloc $R)" 1
sr_remove srt_vm1
sr_check "reservation removed" sr_remove $R
sr_check "sysfs directory gone" [ ! -e $S ]
sr_check "no kernel warnings" klog_clean
sr_done
