#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rmmod hvmem_mrc while a VM's vms/<id>/enabled is written in a loop: the
# module must stop every source of curves (VM events, ioctls, sysfs) before
# it drops the curves, or a write during unload creates a curve (with KVM
# write tracking: a page-track notifier and delayed work) that outlives the
# module. The test kernel's module holds the unload for test_exit_delay_ms
# with sysfs still present; the leak check reads kmemleak after two scans,
# for objects allocated by the writer. Skips elsewhere. TAP.
set -u
echo "TAP version 13"
echo "1..1"
name=rmmod_races_enabled_writes
param=/sys/module/hvmem_mrc/parameters/test_exit_delay_ms
leak=/sys/kernel/debug/kmemleak
mrc=/sys/kernel/mm/hvmem/mrc
ko=$(find "${HVMEM_KO_DIR:-../..}"/mrc -maxdepth 1 -name hvmem_mrc.ko 2>/dev/null | head -n1)
[ -e "$leak" ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null
if ! [ -w "$param" ] || ! [ -e "$leak" ] || [ -z "$ko" ]; then
	echo "ok 1 $name # SKIP needs the test kernel's hvmem_mrc (test_exit_delay_ms, kmemleak)"
	exit 0
fi
tmp=$(mktemp -d)
sleep 600 & sp=$!
cleanup() {
	kill "$sp" 2>/dev/null
	grep -q '^hvmem_mrc ' /proc/modules || insmod "$ko"
	rm -rf "$tmp"
}
trap cleanup EXIT
until [ "$(cat /proc/$sp/comm 2>/dev/null)" = sleep ]; do sleep 0.01; done
id=$(hvmemctl -j vm bind pid "$sp" | sed -n 's/.*"id":\([0-9]*\).*/\1/p')
f=$mrc/vms/$id/enabled
if [ -z "$id" ] || ! [ -e "$f" ]; then
	echo "not ok 1 $name # could not bind a VM (id '$id')"
	exit 0
fi
echo clear >"$leak"
# A writer whose comm names the objects it allocates in the kmemleak report.
ln -s "$(command -v bash)" "$tmp/mrc_writer"
"$tmp/mrc_writer" -c 'while [ -e "$1" ]; do echo 0 >"$1"; echo 1 >"$1"; done 2>/dev/null' \
	_ "$f" & wp=$!
sleep 0.5
echo 1500 >"$param"
rmmod hvmem_mrc
rc=$?
wait "$wp"
# kmemleak reports objects older than 5 s, found by a scan
sleep 6
echo scan >"$leak"
sleep 2
echo scan >"$leak"
leaks=$(awk '/^unreferenced object/ { blk = $0; next } { blk = blk "\n" $0 }
	/^$/ && blk ~ /comm "mrc_writer"/ { print blk; blk = "" }
	END { if (blk ~ /comm "mrc_writer"/) print blk }' "$leak" | head -n 20)
hvmemctl vm unbind "$id" >/dev/null 2>&1
if [ $rc != 0 ]; then
	echo "not ok 1 $name # rmmod failed"
elif [ -n "$leaks" ]; then
	echo "not ok 1 $name # curves created during unload leaked"
	printf '%s\n' "$leaks" | sed 's/^/# /'
else
	echo "ok 1 $name"
fi
