#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hvmemctl mrc replay through hvmem_mrc.ko (--kernel) gives the same curve
# as the userspace replay through the same core, exact and sampled. TAP.
set -u
echo "TAP version 13"
echo "1..3"
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
