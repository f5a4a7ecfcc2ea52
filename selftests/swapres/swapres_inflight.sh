#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# I/O in flight on dm-swapres: the reservation sits on a dm-delay device, so
# a write stays in flight for seconds. While a page's first write is in
# flight, reads of the page return zeros (never the block's old contents),
# and a discard of the page unmaps it but keeps its block out of the free
# set (sysfs "deferred") until the write completes. Prints TAP.
. "$(dirname "$0")/swapres_lib.sh"

DELAY_MS=8000
sr_load_modules
if ! modprobe dm_delay 2>/dev/null && ! dmsetup targets | grep -q '^delay '; then
	echo "1..0 # SKIP no dm-delay target in this kernel"
	exit $KSFT_SKIP
fi
trap 'sr_trace_off; sr_cleanup' EXIT
sr_backing 16
R=srt_ifres
S=/sys/kernel/mm/hvmem/swapres/$R
# writes to the backing device take DELAY_MS, reads none
sr_check "delay device" sr_create srt_delay \
	"0 32768 delay $sr_loop 0 0 $sr_loop 0 $DELAY_MS"
sr_check "reservation on the delay device" \
	sr_create $R "0 32768 swapres-resv /dev/mapper/srt_delay 0 8"
sr_check "thin device" sr_create srt_ifvm "0 32768 swapres /dev/mapper/$R vm 4096"

# The old contents a reused block must never show: write a pattern, discard
# it (the block goes back to the free stack and is handed out next).
head -c 4096 /dev/urandom > /tmp/srt_old
sr_write_pages srt_ifvm 0 1 /tmp/srt_old
sr_check "pattern written" cmp -s <(sr_read_pages srt_ifvm 0 1) /tmp/srt_old
blkdiscard -o 0 -l 4096 /dev/mapper/srt_ifvm
sr_check "pattern discarded" sr_eq "$(cat $S/allocated)" 0

# inflight_write PAGE: start a first write of new data to PAGE in the
# background and wait until it is mapped (allocated goes up). The block it
# gets is the last one freed (the free stack is LIFO): the pattern's.
inflight_write() {
	local i
	head -c 4096 /dev/urandom > /tmp/srt_new
	dd if=/tmp/srt_new of=/dev/mapper/srt_ifvm bs=4k seek="$1" count=1 \
	   oflag=direct conv=notrunc status=none &
	writer=$!
	for i in $(seq 50); do
		[ "$(cat $S/allocated)" = 1 ] && return 0
		sleep 0.1
	done
	return 1
}
# still_in_flight: the checks above ran while the write was in flight
still_in_flight() {
	kill -0 "$writer" 2>/dev/null ||
		{ sr_diag "write completed before the checks: raise DELAY_MS"; return 1; }
}

# --- a read racing the first write sees zeros, not the reused block's data
sr_check "first write in flight" inflight_write 3
sr_check "read during the first write returns zeros" sr_is_zero srt_ifvm 3 1
sr_check "... while the write was in flight" still_in_flight
wait "$writer"
sr_check "read after the write returns its data" \
	cmp -s <(sr_read_pages srt_ifvm 3 1) /tmp/srt_new
blkdiscard -o $((3 * 4096)) -l 4096 /dev/mapper/srt_ifvm
sr_check "page discarded" sr_eq "$(cat $S/allocated) $(cat $S/deferred)" "0 0"

# --- a discard racing a write defers the block until the write ends
traced=0
sr_trace_on && traced=1
sr_check "write in flight" inflight_write 7
free_before=$(cat $S/free)
blkdiscard -o $((7 * 4096)) -l 4096 /dev/mapper/srt_ifvm
sr_check "discard during the write: block deferred, still allocated" \
	sr_eq "$(cat $S/deferred) $(cat $S/allocated) $(cat $S/free)" "1 1 $free_before"
sr_check "discarded page reads as zeros" sr_is_zero srt_ifvm 7 1
sr_check "... while the write was in flight" still_in_flight
wait "$writer"
sr_check "write ended: block freed" \
	sr_eq "$(cat $S/deferred) $(cat $S/allocated) $(cat $S/free)" "0 0 $((free_before + 1))"
sr_check "the late write did not revive the page" sr_is_zero srt_ifvm 7 1
if [ $traced = 1 ]; then
	# the block is the pattern's, block 0, every time
	sr_check "trace: the discard freed nothing, deferred one" \
		sr_eq "$(sr_trace swapres_discard)" \
		"swapres_discard: resv=$R vm=vm first=7 nr=1 freed=0 deferred=1"
	sr_check "trace: the write's end freed it" sr_eq "$(sr_trace swapres_deferred_free)" \
		"swapres_deferred_free: resv=$R vm=vm pblock=0"
	sr_trace_off
else
	sr_skip "trace: no tracefs or no dm_swapres events"
fi
sr_check "dmsetup status agrees" sr_eq "$(sr_vm_alloc srt_ifvm)" 0

sr_cleanup
sr_check "no kernel warning" bash -c "! klog_new | grep -q 'WARNING:.*swapres'"
sr_done
