# SPDX-License-Identifier: GPL-2.0
# Shared helpers of the dm-swapres VM selftests (sourced). Prints TAP.

# the repo: walk up from this file (it may run from build/selftests/swapres)
if [ -z "${SWAPRES_TOP:-}" ]; then
	SWAPRES_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	while [ "$SWAPRES_TOP" != / ] && [ ! -e "$SWAPRES_TOP/swapres/Kbuild" ]; do
		SWAPRES_TOP=$(dirname "$SWAPRES_TOP")
	done
fi
# where the modules are (selftests/run exports it)
SWAPRES_MODDIR=${HVMEM_KO_DIR:-$SWAPRES_TOP}
KSFT_SKIP=4
sr_n=0
sr_fail=0
sr_dir=
sr_loop=
sr_devs=()

sr_ok()   { sr_n=$((sr_n + 1)); echo "ok $sr_n - $*"; }
sr_nok()  { sr_n=$((sr_n + 1)); sr_fail=$((sr_fail + 1)); echo "not ok $sr_n - $*"; }
sr_skip() { sr_n=$((sr_n + 1)); echo "ok $sr_n - $* # SKIP"; }
sr_diag() { echo "# $*"; }
# sr_check DESCRIPTION COMMAND...: one TAP line from a command's status
sr_check() {
	local d=$1
	shift
	if "$@"; then sr_ok "$d"; else sr_nok "$d"; fi
}
sr_eq() { [ "$1" = "$2" ] || { sr_diag "expected '$2', got '$1'"; return 1; }; }
sr_done() {
	echo "1..$sr_n"
	[ "$sr_fail" = 0 ]
}
sr_bail() { echo "Bail out! $*"; exit 1; }

sr_load_modules() {
	[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root"; exit $KSFT_SKIP; }
	modprobe dm_mod 2>/dev/null
	modprobe loop 2>/dev/null
	if ! grep -q '^hvmem ' /proc/modules; then
		insmod "$SWAPRES_MODDIR/kmod/hvmem.ko" || sr_bail "cannot load hvmem.ko"
	fi
	if ! grep -q '^dm_swapres ' /proc/modules; then
		insmod "$SWAPRES_MODDIR/swapres/dm-swapres.ko" || sr_bail "cannot load dm-swapres.ko"
	fi
}

# sr_backing MIB: a loop device over a file of MIB MiB in a private tmpfs
sr_backing() {
	sr_dir=$(mktemp -d /tmp/swapres-test.XXXXXX)
	mount -t tmpfs -o size=$(($1 + 16))M swapres-test "$sr_dir" || sr_bail "tmpfs"
	fallocate -l "$1M" "$sr_dir/backing" || sr_bail "fallocate"
	sr_loop=$(losetup -f --show "$sr_dir/backing") || sr_bail "losetup"
}

# sr_create NAME TABLE: dmsetup create, remembered for cleanup
sr_create() {
	dmsetup create "$1" --table "$2" || return 1
	sr_devs=("$1" "${sr_devs[@]}")
	# without udev (test kernel VM) nothing makes /dev/mapper nodes
	udevadm settle 2>/dev/null || true
	dmsetup mknodes "$1" 2>/dev/null
	[ -b "/dev/mapper/$1" ]
}

sr_remove() {
	local d=$1 i
	dmsetup remove "$d" || return 1
	udevadm settle 2>/dev/null || true
	dmsetup mknodes 2>/dev/null	# drop a stale node if nothing else does
	for i in "${!sr_devs[@]}"; do
		[ "${sr_devs[$i]}" = "$d" ] && unset 'sr_devs[i]'
	done
	sr_devs=("${sr_devs[@]}")
	return 0
}

sr_cleanup() {
	local d
	swapoff -a 2>/dev/null
	for d in "${sr_devs[@]}"; do
		dmsetup remove "$d" 2>/dev/null || dmsetup remove --retry "$d" 2>/dev/null
	done
	sr_devs=()
	[ -n "$sr_loop" ] && losetup -d "$sr_loop" 2>/dev/null
	[ -n "$sr_dir" ] && { umount "$sr_dir" 2>/dev/null; rmdir "$sr_dir"; }
	sr_loop=
	sr_dir=
}

# sr_trace_on: clear the trace buffer and enable events/dm_swapres/ (tracefs
# mounted if needed); fails if the kernel has no tracing or the events
sr_tracefs=
sr_trace_on() {
	local t=/sys/kernel/tracing
	[ -e $t/trace ] || mount -t tracefs nodev $t 2>/dev/null
	[ -d $t/events/dm_swapres ] || return 1
	sr_tracefs=$t
	echo 0 > $t/tracing_on && : > $t/trace &&
		echo 1 > $t/events/dm_swapres/enable && echo 1 > $t/tracing_on
}
sr_trace_off() {
	[ -n "$sr_tracefs" ] || return 0
	echo 0 > $sr_tracefs/events/dm_swapres/enable
	sr_tracefs=
}
# sr_trace EVENT: that event's lines so far, from "EVENT: " on
sr_trace() { grep -o " $1: .*" "$sr_tracefs/trace" | sed 's/^ //'; }

# sr_field DEV N: the Nth word of "dmsetup status DEV" (1-based, after start len type)
sr_field() { dmsetup status "$1" | awk -v n="$2" '{ print $(n + 3) }'; }
# reservation status fields
sr_resv_alloc() { sr_field "$1" 3; }
sr_resv_free()  { sr_field "$1" 4; }
sr_resv_blocks() { sr_field "$1" 2; }
# thin status fields
sr_vm_alloc() { sr_field "$1" 1; }
sr_vm_enospc() { sr_field "$1" 5; }

# sr_write_pages DEV FIRST COUNT [SRC]: direct 4 KiB writes
sr_write_pages() {
	dd if="${4:-/dev/urandom}" of="/dev/mapper/$1" bs=4k seek="$2" count="$3" \
	   oflag=direct conv=notrunc status=none
}
# sr_read_pages DEV FIRST COUNT: direct 4 KiB reads to stdout
sr_read_pages() {
	dd if="/dev/mapper/$1" bs=4k skip="$2" count="$3" iflag=direct status=none
}
# sr_is_zero DEV FIRST COUNT
sr_is_zero() {
	cmp -s <(sr_read_pages "$1" "$2" "$3") <(head -c $(($3 * 4096)) /dev/zero)
}

# Kernel-log checks look at what was logged since this test began
# (klog_new, KLOG_SPLAT_RE): earlier tests' lines are theirs.
. "$SWAPRES_TOP/selftests/lib/klog.sh"
