#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/hvmemd/test/vm_hvmem.sh - hvmemd with hvmem loaded, in the test VM:
#
#   make modules tools && scripts/vm -- tools/hvmemd/test/vm_hvmem.sh
#
# A fake QEMU (fake_qmp.py) stands for the VM: hvmemd binds its process to
# hvmem by pid, has a curve for it (hvmem_mrc), balloons it to used +
# headroom, reports hvmem inputs in status, and unbinds it on SIGTERM.
# Prints TAP. Not part of `make check` (it needs the modules and a VM).
cd "$(dirname "$0")/../../.." || exit 1
B=build/tools
T=$(mktemp -d)
n=0 fail=0
ok() {	# ok COND-STATUS NAME
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fail=1; fi
}
echo "TAP version 13"
echo "1..6"
grep -q '^hvmem ' /proc/modules || insmod kmod/hvmem.ko || exit 1
grep -q '^hvmem_mrc ' /proc/modules || insmod mrc/hvmem_mrc.ko || exit 1
python3 tools/hvmemd/test/fake_qmp.py "$T/a.qmp" --log "$T/a.log" \
	--total-mib 2048 --avail-mib 1000 --free-mib 500 &
fake=$!
for _ in $(seq 240); do [ -S "$T/a.qmp" ] && break; sleep 0.5; done
cat >"$T/c.conf" <<EOC
[global]
budget_mib = 4096
period_s = 1
status_socket = $T/s.sock
[vm a]
qmp = $T/a.qmp
max_mib = 2048
EOC
$B/hvmemd -c "$T/c.conf" 2>"$T/d.log" &
d=$!
for _ in $(seq 60); do
	grep -q 'shrink 1280 -> 1153' "$T/d.log" && break
	sleep 1
done
st=$($B/hvmemctl sched status -s "$T/s.sock" -j)
echo "$st" | sed 's/^/# /'
$B/hvmemctl -j vm list | grep -q "\"pid\":$fake,"; ok $? "QEMU process bound to hvmem by pid"
echo "$st" | grep -q '"hvmem": "ok"'; ok $? "status: hvmem ok"
id=$(echo "$st" | sed -n 's/.*"hvmem_id": \([0-9]*\).*/\1/p')
[ -n "$id" ] && [ "$id" != 0 ] && [ "$(cat /sys/kernel/mm/hvmem/mrc/vms/"$id"/enabled)" = 1 ]
ok $? "curve enabled for hvmem vm $id"
echo "$st" | grep -q '"target_mib": 1153'; ok $? "target 1153 MiB (1048 used + 10%)"
kill -TERM $d
wait $d
ok $? "SIGTERM: exit 0"
! $B/hvmemctl -j vm list | grep -q "\"pid\":$fake,"; ok $? "unbound at exit"
kill $fake
sed 's/^/# /' "$T/d.log"
rm -rf "$T"
exit $fail
