#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Load and unload hvmem.ko 50 times (with a VM bound on half the cycles);
# the device and sysfs appear and vanish each time. TAP output.
# Needs HVMEM_KO (path of hvmem.ko); leaves the module loaded.
set -u
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

# A module that fails to load must leave nothing behind: load a second copy.
if ! [ -c /dev/hvmem ]; then
	echo "not ok 3 second_load_refused # hvmem.ko is not loaded"
elif insmod "$ko" 2>/dev/null; then
	echo "not ok 3 second_load_refused"
else
	[ -c /dev/hvmem ] && echo "ok 3 second_load_refused" || echo "not ok 3 second_load_refused # device lost"
fi
for m in $deps; do
	f=$(find "${HVMEM_KO_DIR:-.}"/{mrc,swapres,ksm-ext} -maxdepth 1 \
		\( -name "$m.ko" -o -name "${m//_/-}.ko" \) 2>/dev/null | head -n1)
	[ -z "$f" ] || insmod "$f" || echo "# could not reload $m"
done
udevadm settle 2>/dev/null || true
[ -c /dev/hvmem ] || echo "# /dev/hvmem missing at the end: $(grep '^hvmem' /proc/modules)"
