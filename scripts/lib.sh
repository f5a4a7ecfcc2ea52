# SPDX-License-Identifier: GPL-2.0
# Shared helpers for hvmem's scripts. Source it; it defines functions only.

HVMEM_TOP=${HVMEM_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
# Where long-lived build products (the test kernel) are cached: outside the repo.
HVMEM_CACHE=${HVMEM_CACHE:-/var/cache/hvmem}

hvmem_die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }
hvmem_log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
# The block devices with requests in flight, "DEV/inflight:READS WRITES" a
# line, each line prefixed with $1; returns 1 when there are none.
hvmem_inflight() {
	grep -v '^ *0 *0$' /sys/block/*/inflight 2>/dev/null | sed "s|^/sys/block/|${1:-}|"
	return "${PIPESTATUS[0]}"
}

# The newest installed Debian 6.12 kernel that has headers, e.g. 6.12.95+deb12-amd64.
hvmem_target_kver() {
	local v best=
	for v in $(ls -1 /lib/modules 2>/dev/null | grep -E '^6\.12\.' | sort -V); do
		[ -e "/boot/vmlinuz-$v" ] && [ -d "/lib/modules/$v/build" ] && best=$v
	done
	[ -n "$best" ] || return 1
	printf '%s\n' "$best"
}

# KDIR for the host build: the running kernel's build dir, else the Debian 6.12 one.
hvmem_default_kdir() {
	local v
	if [ -d "/lib/modules/$(uname -r)/build" ]; then
		printf '%s\n' "/lib/modules/$(uname -r)/build"
	elif v=$(hvmem_target_kver); then
		printf '%s\n' "/lib/modules/$v/build"
	else
		return 1
	fi
}

# Directory of the cached test (KUnit + debug) kernel for the current fragment.
hvmem_kunit_dir() {
	local src=/usr/src/linux-source-6.12.tar.xz hash
	[ -e "$src" ] || return 1
	hash=$( { cat "$HVMEM_TOP/scripts/kunit.config"; stat -c '%s %Y' "$src"; \
		  sed -n '/^# kernel-patch-begin/,/^# kernel-patch-end/p' "$HVMEM_TOP/scripts/kunit-kernel"; } |
		sha256sum | cut -c1-16)
	printf '%s\n' "$HVMEM_CACHE/kunit-$hash"
}
