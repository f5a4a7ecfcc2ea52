# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# selftests/lib/klog.sh - the kernel log as hvmem's selftests read it (sourced;
# `make -C selftests` copies it to build/selftests/lib/, so a test finds it at
# $(dirname "$0")/../lib/klog.sh in the source tree and in the build tree).
#
# klog_t0      printk time (seconds since boot) when the first test that
#              sourced this began; exported, so helpers and children share it.
# klog_new     what the kernel logged since klog_t0, cut by printk timestamp
#              (a wrapped log buffer does not shift it, unlike a line count);
#              exported for checks that run in `bash -c`.
# KLOG_SPLAT_RE  extended regex matching the FIRST line of every kernel splat
#              (WARN, BUG, KASAN and UBSAN reports, lockdep reports, oopses,
#              panics, hung tasks, RCU stalls) and none of its stack lines, so
#              a test that excuses a splat by its first line is not caught by
#              the stack that follows (a frame named lockdep_*, say).
# klog_clean   true when klog_new has no splat; else false, with the splats'
#              first lines (up to 5) as TAP diagnostics ("# splat: ...").
# KLOG_INIT_FAULT_RE  the first lines of the warnings 6.12's own trace event
#              setup of a loading module prints when an injected allocation
#              failure lands there (event_define_fields() WARNs on a field it
#              could not add, then event_file_put() on the refcount): the
#              kernel's code, not hvmem's. Module-init fault sweeps
#              (load_unload.sh, stress_run.sh) report them apart and do not
#              count them; anywhere else they are splats like any other.

klog_t0=${klog_t0:-$(cut -d' ' -f1 /proc/uptime)}
KLOG_SPLAT_RE='WARNING:|BUG:|kernel BUG at|UBSAN:|Oops|general protection fault|Kernel panic|INFO: task .* blocked for more than|rcu: INFO: .*stall'
KLOG_INIT_FAULT_RE='WARNING: .* at kernel/trace/trace_events\.c:'
export klog_t0 KLOG_SPLAT_RE KLOG_INIT_FAULT_RE

klog_new() {
	dmesg | awk -v t="$klog_t0" '
		match($0, /^\[ *[0-9]+\.[0-9]+\]/) { ts = substr($0, 2, RLENGTH - 2) + 0 }
		ts >= t + 0'
}
export -f klog_new

klog_clean() {
	local splats

	splats=$(klog_new | grep -E "$KLOG_SPLAT_RE" | head -n 5)
	[ -z "$splats" ] && return 0
	sed 's/^/# splat: /' <<<"$splats"
	return 1
}
