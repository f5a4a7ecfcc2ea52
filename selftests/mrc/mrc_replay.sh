#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hvmemctl mrc replay through hvmem_mrc.ko (--kernel) gives the same curve
# as the userspace replay through the same core, exact and sampled; a bad
# trace is refused; hvmemctl mrc show prints a bound VM's curve. TAP.
set -u
echo "TAP version 13"
echo "1..6"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A loop over 3000 pages, a hot set and random pages, 200000 references.
awk 'BEGIN { srand(7); for (i = 0; i < 200000; i++) {
	r = rand(); if (r < 0.3) print int(rand() * 16);
	else if (r < 0.7) print 1000 + i % 3000; else printf "0x%x\n", 65536 + int(rand() * 20000) } }' \
	>"$tmp/trace"
n=0
for args in "--exact" "--smax 1024" "--rate 0.05"; do
	n=$((n + 1))
	if hvmemctl mrc replay --trace "$tmp/trace" $args >"$tmp/user.csv" 2>/dev/null &&
	   hvmemctl mrc replay --trace "$tmp/trace" $args --kernel >"$tmp/kernel.csv" 2>"$tmp/err" &&
	   [ "$(wc -l <"$tmp/user.csv")" -gt 10 ] && cmp -s "$tmp/user.csv" "$tmp/kernel.csv"; then
		echo "ok $n replay_kernel_equals_user $args"
	else
		echo "not ok $n replay_kernel_equals_user $args"
		sed 's/^/# /' "$tmp/err"
		diff "$tmp/user.csv" "$tmp/kernel.csv" | head -5 | sed 's/^/# /'
	fi
done

n=$((n + 1))
printf '1\n2\nbanana\n' >"$tmp/bad"
if ! hvmemctl mrc replay --trace "$tmp/bad" --kernel >/dev/null 2>"$tmp/err" &&
   grep -q "bad:3: not a page number" "$tmp/err"; then
	echo "ok $n replay_refuses_bad_trace"
else
	echo "not ok $n replay_refuses_bad_trace"
fi

# mrc show on a bound process (a curve with no references yet) and on no VM
sleep 60 &
pid=$!
# bind after the exec: the pre-exec address space goes away with it
for i in $(seq 50); do
	case $(readlink /proc/$pid/exe) in */sleep) break ;; esac
	sleep 0.1
done
id=$(hvmemctl vm bind pid $pid | sed -n 's/^bound vm //p')
n=$((n + 1))
if [ -n "$id" ] && hvmemctl mrc show "$id" -j >"$tmp/show.json" &&
   grep -q '"refs":0' "$tmp/show.json" && grep -q '"curve":\[' "$tmp/show.json"; then
	echo "ok $n mrc_show_json"
else
	echo "not ok $n mrc_show_json"
	sed 's/^/# /' "$tmp/show.json" 2>/dev/null
fi
n=$((n + 1))
if ! hvmemctl mrc show 999999 2>"$tmp/err" && grep -qF "no VM 999999 is bound (see: hvmemctl vm list)" "$tmp/err"; then
	echo "ok $n mrc_show_unknown_vm"
else
	echo "not ok $n mrc_show_unknown_vm"
	sed 's/^/# /' "$tmp/err"
fi
[ -n "$id" ] && hvmemctl vm unbind "$id" >/dev/null
kill $pid
