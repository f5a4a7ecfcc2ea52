#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Load and unload hvmem.ko 50 times (with a VM bound on half the cycles);
# the device and sysfs appear and vanish each time. On the test kernel, make
# its load fail at every fault-injection point in turn. TAP output.
# Needs HVMEM_KO (path of hvmem.ko); leaves the module loaded.
set -u
. "$(dirname "$0")/../lib/klog.sh"
ko=${HVMEM_KO:?}
cycles=${HVMEM_CYCLES:-50}
sys=/sys/kernel/mm/hvmem

echo "TAP version 13"
echo "1..3"

# Sibling modules depend on hvmem.ko: take them out first, put them back after.
deps=$(awk '$1 == "hvmem" { gsub(",", " ", $4); print $4 }' /proc/modules | sed 's/-//g')
for m in $deps; do rmmod "$m" || true; done

ok=1 why=
for i in $(seq "$cycles"); do
	if grep -q '^hvmem ' /proc/modules; then rmmod hvmem || { ok=0 why="rmmod $i"; break; }; fi
	[ -e /dev/hvmem ] || [ -d $sys ] && { ok=0 why="left behind after rmmod $i"; break; }
	insmod "$ko" || { ok=0 why="insmod $i"; break; }
	[ -c /dev/hvmem ] && [ "$(cat $sys/enabled)" = 1 ] || { ok=0 why="no device/sysfs $i"; break; }
	if [ $((i % 2)) = 0 ]; then
		sleep 30 & sp=$!
		# Bind the sleep, not the shell forked for it: exec replaces the
		# address space, and the binding rightly goes with the old one.
		until [ "$(cat /proc/$sp/comm 2>/dev/null)" = sleep ]; do sleep 0.01; done
		hvmemctl vm bind pid $sp >/dev/null || { ok=0 why="bind $i"; kill $sp; break; }
		n=$(cat $sys/nr_vms)
		[ "$n" = 1 ] || { ok=0 why="nr_vms $n after one bind, cycle $i"; kill $sp; break; }
		rmmod hvmem || { ok=0 why="rmmod with a bound VM $i"; kill $sp; break; }
		kill $sp; wait $sp 2>/dev/null
		insmod "$ko" || { ok=0 why="insmod $i"; break; }
	fi
done
udevadm settle 2>/dev/null || true
[ $ok = 1 ] && echo "ok 1 load_unload_${cycles}_cycles" || echo "not ok 1 load_unload_${cycles}_cycles # $why"

grep -q '^hvmem ' /proc/modules || insmod "$ko"
sysver=$(cat $sys/version 2>/dev/null)
abiver=$(hvmemctl -j version | sed -n 's/.*"major":\([0-9]*\),"minor":\([0-9]*\),"patch":\([0-9]*\).*/\1.\2.\3/p')
[ -n "$sysver" ] && [ "$sysver" = "$abiver" ] &&
	echo "ok 2 sysfs_version_matches_abi" ||
	echo "not ok 2 sysfs_version_matches_abi # sysfs '$sysver' ioctl '$abiver'"

# Module init failing for real (test kernel: fault injection). Count the
# fault points of a load (T), then load with the Nth of them failing: every
# N among the last HVMEM_FAULT_LAST (300) points, where module init and its
# allocations are, and a spread of the earlier ones (module loader), at most
# HVMEM_FAULT_MAX (400) loads in all. Every failure must be a clean error
# leaving nothing behind (module, device, sysfs), with no splat (checked
# here) and no leak (selftests/run reads kmemleak); then a normal load works.
dbg=/sys/kernel/debug
[ -d $dbg/failslab ] || mount -t debugfs none $dbg 2>/dev/null
if ! [ -e /proc/self/fail-nth ] || ! [ -d $dbg/failslab ] || ! [ -x ./fail_nth_insmod ]; then
	echo "ok 3 init_failures_clean # SKIP no fault injection in this kernel"
else
	grep -q '^hvmem ' /proc/modules && rmmod hvmem
	declare -A saved
	for f in failslab fail_page_alloc; do
		for a in ignore-gfp-wait verbose; do
			saved[$f/$a]=$(cat $dbg/$f/$a)
		done
		echo N >$dbg/$f/ignore-gfp-wait
		echo 0 >$dbg/$f/verbose
	done
	echo "hvmem-selftest: fault injection begin" >/dev/kmsg
	mark=$(dmesg | wc -l)
	fails=0 ok=1 why= tried=0
	r=$(./fail_nth_insmod 1000000 "$ko" 2>&1)
	total=${r#loaded }
	case "$r" in
	"loaded "[0-9]*) rmmod hvmem || { ok=0 why="rmmod after counting"; } ;;
	*) ok=0 why="counting the fault points: $r" total=0 ;;
	esac
	last=${HVMEM_FAULT_LAST:-300} max=${HVMEM_FAULT_MAX:-400}
	first=$((total > last ? total - last + 1 : 1))
	step=$(((first - 1) / (max > last ? max - last : 1) + 1))
	for n in $(seq 1 "$step" $((first - 1))) $(seq "$first" "$total"); do
		[ $ok = 1 ] || break
		tried=$((tried + 1))
		r=$(./fail_nth_insmod "$n" "$ko" 2>&1)
		case "$r" in
		loaded*) rmmod hvmem || { ok=0 why="rmmod after fault $n"; } ;;
		failed*)
			fails=$((fails + 1))
			if grep -q '^hvmem ' /proc/modules || [ -e /dev/hvmem ] || [ -d $sys ]; then
				ok=0 why="left behind after fault $n ($r)"
			fi ;;
		*) ok=0 why="fault $n: $r" ;;
		esac
	done
	[ $fails -gt 0 ] || [ $ok = 0 ] || { ok=0 why="no load failed ($tried tried of $total)"; }
	# the kernel's own warnings when a fault lands in the trace event
	# setup of the loading module: see KLOG_INIT_FAULT_RE (klog.sh)
	splat=$(dmesg | tail -n +$((mark + 1)) | grep -E "$KLOG_SPLAT_RE")
	known=$(grep -cE "$KLOG_INIT_FAULT_RE" <<<"$splat")
	[ "$known" = 0 ] || echo "# $known kernel warnings in trace event setup (kernel/trace/trace_events.c) under injected allocation failures: not counted"
	splat=$(grep -vE "$KLOG_INIT_FAULT_RE" <<<"$splat" | head -n 5)
	echo "hvmem-selftest: fault injection end" >/dev/kmsg
	for k in "${!saved[@]}"; do echo "${saved[$k]}" >$dbg/$k; done
	[ -z "$splat" ] || { ok=0 why="splat: $splat"; }
	udevadm settle 2>/dev/null || true
	grep -q '^hvmem ' /proc/modules || insmod "$ko" || { ok=0 why="$why; normal load failed"; }
	[ -c /dev/hvmem ] && [ "$(cat $sys/enabled 2>/dev/null)" = 1 ] || { ok=0 why="$why; no device after normal load"; }
	[ $ok = 1 ] && echo "ok 3 init_failures_clean # $fails of $tried loads failed, $total fault points" ||
		echo "not ok 3 init_failures_clean # $why"
fi
for m in $deps; do
	f=$(find "${HVMEM_KO_DIR:-.}"/{mrc,swapres,ksm-ext,vswap} -maxdepth 1 \
		\( -name "$m.ko" -o -name "${m//_/-}.ko" \) 2>/dev/null | head -n1)
	[ -z "$f" ] || insmod "$f" || echo "# could not reload $m"
done
udevadm settle 2>/dev/null || true
[ -c /dev/hvmem ] || echo "# /dev/hvmem missing at the end: $(grep '^hvmem' /proc/modules)"
