#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hvmemd's write scan feeds a VM's miss-rate curve. A fake QEMU
# (tools/hvmemd/test/fake_qmp.py) maps 64 MiB of guest RAM as QEMU does
# (MADV_DONTFORK) and rewrites 300 of its pages every 0.1 s; hvmemd binds
# it to hvmem, enables its curve and scans its soft-dirty pages every
# second. Checks: each scan finds exactly those 300 pages; they reach the
# curve; the curve misses (nearly) every reference below 300 pages and
# (nearly) none from 320 (each page comes back after the 299 others);
# unbound at exit. On a kernel without soft-dirty (the debug test kernel)
# hvmemd says so, and the rest is skipped. TAP.
set -u
top=$(cd "$(dirname "$0")/../../.." && pwd)
fake=$top/tools/hvmemd/test/fake_qmp.py
echo "TAP version 13"
echo "1..5"
n=0
ok() {	# ok STATUS NAME [DIAG-FILE]
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		[ -n "${3:-}" ] && sed 's/^/# /' "$3" | tail -30
	fi
}
skip_rest() {
	while [ $n -lt 5 ]; do
		n=$((n + 1))
		echo "ok $n # SKIP $1"
	done
	exit 0
}
command -v hvmemd >/dev/null || { echo "1..0 # SKIP hvmemd not built (make tools)"; exit 0; }
[ -f "$fake" ] || { echo "1..0 # SKIP $fake not found"; exit 0; }
grep -q '^hvmem ' /proc/modules || insmod "${HVMEM_KO:-$top/kmod/hvmem.ko}" || exit 1
grep -q '^hvmem_mrc ' /proc/modules ||
	insmod "${HVMEM_KO_DIR:-$top}/mrc/hvmem_mrc.ko" || exit 1
tmp=$(mktemp -d)
pids=
trap 'kill $pids 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT

python3 "$fake" "$tmp/a.qmp" --log "$tmp/a.log" --total-mib 1024 --avail-mib 900 \
	--max-mib 1024 --ram-mib 64 --write-pages 300 &
qemu=$!
pids=$qemu
for _ in $(seq 100); do [ -S "$tmp/a.qmp" ] && break; sleep 0.2; done
cat >"$tmp/c.conf" <<EOC
[global]
budget_mib = 4096
period_s = 1
write_scan_s = 1
status_socket = $tmp/s.sock
[vm a]
qmp = $tmp/a.qmp
EOC
hvmemd -c "$tmp/c.conf" -v 2>"$tmp/d.log" &
d=$!
pids="$pids $d"

status() {	# status FIELD...: values of VM a from one JSON status, one line
	hvmemd --status -s "$tmp/s.sock" -j 2>/dev/null | python3 -c '
import json, sys
v = json.load(sys.stdin)["vms"][0]
print(" ".join(str(v["sources"][f] if f in v["sources"] else v.get(f)) for f in sys.argv[1:]))' \
		"$@" 2>/dev/null
}
for _ in $(seq 60); do
	w=$(status writes)
	case $w in "ok ("*|*soft-dirty*) break ;; esac
	sleep 0.5
done
echo "# writes: $w"
case $w in
*"no soft-dirty"*)
	# believed unless the kernel's own config (Debian's, in /boot) says otherwise
	! grep -qs '^CONFIG_MEM_SOFT_DIRTY=y' "/boot/config-$(uname -r)"
	ok $? "kernel without soft-dirty reported: $w"
	skip_rest "no soft-dirty in this kernel (CONFIG_MEM_SOFT_DIRTY)" ;;
esac

# every scan (hvmemd -v logs each) finds exactly the 300 pages: the last
# five of at least six, the first of which may have caught the fake
# between its passes; status agrees
for _ in $(seq 120); do
	[ "$(grep -c 'vm a: write scan: ' "$tmp/d.log")" -ge 6 ] && break
	sleep 1
done
grep 'vm a: write scan: ' "$tmp/d.log" | tail -n 5 >"$tmp/scans"
sed 's/^/# /' "$tmp/scans"
w=$(status written_pages writes)
[ "$(grep -c ': 300 of 16384 pages written in ' "$tmp/scans")" = 5 ] &&
	[ "${w%% *}" = 300 ]
ok $? "five scans in a row found exactly the 300 pages written (status: $w)" "$tmp/d.log"

# ten scans fed: first references (cold misses) are then a tenth
for _ in $(seq 60); do
	fed=$(status write_scan_fed)
	[ "${fed%.*}" -ge 3000 ] 2>/dev/null && break
	sleep 1
done
id=$(status hvmem_id)
hvmemctl -j mrc show "$id" --sizes 200,290,320,1000 >"$tmp/show.json" 2>&1
python3 - "$tmp/show.json" "${fed:-0}" >"$tmp/curve" 2>&1 <<'EOP'
import json, sys
c = json.load(open(sys.argv[1]))
r = {p["cache_size_pages"]: p["miss_ratio"] for p in c["curve"]}
fed = int(float(sys.argv[2]))
print("refs %d, fed %d; miss ratio at 200 pages %.3f, 290 %.3f, 320 %.3f, 1000 %.3f" %
      (c["refs"], fed, r[200], r[290], r[320], r[1000]))
print("refs_ok" if c["refs"] >= fed >= 3000 else "refs_bad")
print("curve_ok" if r[200] > 0.8 and r[290] > 0.8 and r[320] < 0.15 and r[1000] < 0.15
      else "curve_bad")
EOP
[ -n "$id" ] && [ "$id" != None ] && [ "$id" != 0 ]
ok $? "bound to hvmem as vm $id, curve enabled" "$tmp/d.log"
grep -qx refs_ok "$tmp/curve"
ok $? "the curve got the scanned pages: $(head -1 "$tmp/curve")" "$tmp/show.json"
grep -qx curve_ok "$tmp/curve"
ok $? "knee at 300 pages: misses below it, few above" "$tmp/curve"

kill -TERM $d
wait $d
rc=$?
pids=$qemu
hvmemctl -j vm list >"$tmp/list" 2>&1
lrc=$?
[ $rc = 0 ] && [ $lrc = 0 ] && ! grep -q "\"pid\":$qemu," "$tmp/list"
ok $? "SIGTERM: exit 0, unbound" "$tmp/d.log"
