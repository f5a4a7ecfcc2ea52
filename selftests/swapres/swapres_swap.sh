#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Swap on two dm-swapres thin devices over one reservation: cgroup v2
# memory.max forces two processes' known data out to swap and back in;
# the data is verified, blocks are allocated only for what swap wrote, the
# sum never exceeds the reservation, and swap's discards (--discard=pages)
# return the blocks when the processes exit. Prints TAP.
. "$(dirname "$0")/swapres_lib.sh"
. "$SWAPRES_TOP/selftests/lib/swap_slots.sh"

sr_load_modules
CG=/sys/fs/cgroup
cleanup() {
	sr_cleanup
	rmdir $CG/srt_a $CG/srt_b 2>/dev/null
}
trap cleanup EXIT

helper=
for h in "$(dirname "$0")/swapres_pressure" \
	 "$SWAPRES_TOP/build/selftests/swapres/swapres_pressure"; do
	[ -x "$h" ] && helper=$h && break
done
if [ -z "$helper" ]; then
	helper=/tmp/swapres_pressure.$$
	gcc -O2 -o $helper "$SWAPRES_TOP/selftests/swapres/swapres_pressure.c" ||
		sr_bail "cannot build swapres_pressure"
fi

grep -q cgroup2 /proc/mounts || mount -t cgroup2 none $CG || sr_bail "no cgroup2"
echo +memory > $CG/cgroup.subtree_control 2>/dev/null
[ -e $CG/memory.stat ] || grep -qw memory $CG/cgroup.subtree_control ||
	{ echo "1..0 # SKIP no memory controller"; exit $KSFT_SKIP; }
swapoff -a

MIB=${SWAPRES_MIB:-128}		# per process
LIMIT=${SWAPRES_LIMIT:-40M}	# memory.max per process
# memory.high below it: the cgroup reclaims and throttles there, so swap-out
# under TCG keeps up before memory.max would OOM-kill (seen once under load)
HIGH=${SWAPRES_HIGH:-30M}
VM_MIB=$((MIB + 64))
VM_BLOCKS=$((VM_MIB * 256))
sr_backing $((2 * VM_MIB))
R=srt_res
sr_check "reservation" sr_create $R "0 $((2 * VM_MIB * 2048)) swapres-resv $sr_loop 0 8"
sr_check "thin vm1" sr_create srt_vm1 "0 $((VM_MIB * 2048)) swapres /dev/mapper/$R vm1 $VM_BLOCKS"
sr_check "thin vm2" sr_create srt_vm2 "0 $((VM_MIB * 2048)) swapres /dev/mapper/$R vm2 $VM_BLOCKS"
NB=$(sr_resv_blocks $R)
ok=1
for d in srt_vm1 srt_vm2; do
	mkswap -q /dev/mapper/$d && swapon --discard=pages -p 10 /dev/mapper/$d || ok=0
done
sr_check "mkswap + swapon --discard=pages on both" [ $ok = 1 ]
base=$(sr_resv_alloc $R)
sr_diag "blocks after mkswap: $base"
sr_check "mkswap allocates only its header" [ "$base" -le 4 ]

mkdir -p $CG/srt_a $CG/srt_b
echo $LIMIT > $CG/srt_a/memory.max
echo $LIMIT > $CG/srt_b/memory.max
echo $HIGH > $CG/srt_a/memory.high
echo $HIGH > $CG/srt_b/memory.high
mid='a=$(dmsetup status srt_vm1 | cut -d" " -f4); b=$(dmsetup status srt_vm2 | cut -d" " -f4); '
mid+='r=$(dmsetup status srt_res | cut -d" " -f6); s=$(awk "NR>1{u+=\$4}END{print u}" /proc/swaps); '
mid+='o=$(awk "/^pswpout /{print \$2}" /proc/vmstat); echo "$a $b $r $s $o" > /tmp/srt_mid.$SRT_SEED'
run() {
	SRT_SEED=$2 bash -c "echo \$\$ > $CG/$1/cgroup.procs && exec $helper $MIB $2 '$mid'" \
		> /tmp/srt_out.$2 2>&1
}
out0=$(awk '/^pswpout /{print $2}' /proc/vmstat)
t0=$(date +%s)
run srt_a 1 &
pa=$!
run srt_b 2 &
pb=$!
wait $pa
ra=$?
wait $pb
rb=$?
sr_diag "pressure run took $(($(date +%s) - t0)) s"
sr_check "process 1 data verified after swap-in" [ $ra = 0 ]
sr_check "process 2 data verified after swap-in" [ $rb = 0 ]
cat /tmp/srt_out.1 /tmp/srt_out.2 | sed 's/^/# /'
read -r a1 b1 r1 s1 o1 < /tmp/srt_mid.1
read -r a2 b2 r2 s2 o2 < /tmp/srt_mid.2
sr_diag "at swap-out: vm1=$a1/$a2 vm2=$b1/$b2 resv=$r1/$r2 swap_used_kb=$s1/$s2 pswpout=$((o1 - out0))/$((o2 - out0)) nr_blocks=$NB"
min=$(( (MIB - ${LIMIT%M}) * 256 / 2 ))
sr_check "pressure swapped out (>= $min blocks)" [ $((a1 + b1)) -ge $min ]
sr_check "both thin devices used" [ "$a1" -gt 1 ] && [ "$b1" -gt 1 ]
# status lines are read while swapping: allow for pages written in between
sr_check "allocated never above pages swap wrote (+headers)" \
	[ "$r1" -le $((o1 - out0 + 2 + 64)) ] && [ "$r2" -le $((o2 - out0 + 2 + 64)) ]
sr_check "sum never above the reservation" [ "$r1" -le "$NB" ] && [ "$r2" -le "$NB" ]
# Swap discards whole free clusters (512 pages), asynchronously; the
# clusters each CPU is allocating from (and a few partly used ones) stay.
# Slots freed at the processes' exit wait in swap's per-CPU caches and keep
# their clusters in use until those are drained (swap_slots.sh).
peak=$r1
[ "$r2" -gt "$peak" ] && peak=$r2
slack=$(( 2 * (2 * $(nproc) + 4) * 512 + 8 ))
[ $slack -lt $((peak / 4)) ] || slack=$((peak / 4))
swap_used() { awk 'NR > 1 { u += $4 } END { print u }' /proc/swaps; }
sr_diag "after exit: swap used $(swap_used) kB, blocks $(sr_resv_alloc $R)"
sr_check "swap's slot caches drained (a scratch swapon/swapoff)" swap_drain_slot_caches
for i in $(seq 30); do
	[ "$(sr_resv_alloc $R)" -le $slack ] && break
	sleep 1
done
after=$(sr_resv_alloc $R)
sr_diag "blocks after the drain: $after (peak $peak); swap used $(swap_used) kB"
sr_check "swap discards returned the blocks (<= $slack left)" [ "$after" -le $slack ]
sr_check "idle: sum of VM blocks == reservation allocated" \
	sr_eq $(($(sr_vm_alloc srt_vm1) + $(sr_vm_alloc srt_vm2))) "$after"
sr_check "swapoff" swapoff /dev/mapper/srt_vm1 /dev/mapper/srt_vm2
blkdiscard -f /dev/mapper/srt_vm1
blkdiscard -f /dev/mapper/srt_vm2
sr_check "blkdiscard after swapoff returns the rest" sr_eq "$(sr_resv_alloc $R)" 0
sr_check "no I/O errors" bash -c "! klog_new | grep -qiE 'write error on swap|read error on swap|I/O error'"
sr_check "no kernel warnings" klog_clean
sr_done
