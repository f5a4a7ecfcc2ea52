# SPDX-License-Identifier: GPL-2.0
#
# swap_slots.sh - sourced by selftests that count what swap has freed.
#
# Swap in 6.12 frees a slot lazily: free_swap_slot() puts it in its CPU's
# return cache (up to SWAP_SLOTS_CACHE_SIZE, 64, per CPU), and only a full
# cache frees its slots for real, with their swap_slot_free_notify, their
# memcg swap charge and, once a cluster is wholly free, its discard. So
# after a process's exit up to 64 slots per CPU are still in use. Any
# swapoff drains every CPU's caches (disable_swap_slots_cache_lock()), so
# swap_drain_slot_caches swaps a scratch device on and off: a 1 MiB file on
# a loop device. Returns 1 when it could not.

swap_drain_slot_caches() {
	local f loop rc=0

	modprobe -q loop 2>/dev/null
	f=$(mktemp /tmp/swap-drain.XXXXXX) || return 1
	if ! truncate -s 1M "$f" || ! loop=$(losetup -f --show "$f"); then
		rm -f "$f"
		return 1
	fi
	{ mkswap -q "$loop" && swapon "$loop" && swapoff "$loop"; } >/dev/null 2>&1 || rc=1
	losetup -d "$loop"
	rm -f "$f"
	return $rc
}
