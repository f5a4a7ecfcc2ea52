# SPDX-License-Identifier: GPL-2.0
# Shared helpers of the hvmem_vswap VM selftests (sourced). Prints TAP.

if [ -z "${VSWAP_TOP:-}" ]; then
	VSWAP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	while [ "$VSWAP_TOP" != / ] && [ ! -e "$VSWAP_TOP/vswap/Kbuild" ]; do
		VSWAP_TOP=$(dirname "$VSWAP_TOP")
	done
fi
VSWAP_MODDIR=${HVMEM_KO_DIR:-$VSWAP_TOP}
export PATH="$VSWAP_TOP/build/tools:$PATH"
KSFT_SKIP=4
vs_n=0
vs_fail=0
vs_pids=()

vs_ok()   { vs_n=$((vs_n + 1)); echo "ok $vs_n - $*"; }
vs_nok()  { vs_n=$((vs_n + 1)); vs_fail=$((vs_fail + 1)); echo "not ok $vs_n - $*"; }
vs_diag() { echo "# $*"; }
vs_check() {
	local d=$1
	shift
	if "$@"; then vs_ok "$d"; else vs_nok "$d"; fi
}
vs_eq() { [ "$1" = "$2" ] || { vs_diag "expected '$2', got '$1'"; return 1; }; }
vs_ge() { [ "$1" -ge "$2" ] || { vs_diag "expected >= $2, got $1"; return 1; }; }
vs_done() {
	echo "1..$vs_n"
	[ "$vs_fail" = 0 ]
}
vs_bail() { echo "Bail out! $*"; exit 1; }

vs_load_modules() {
	grep -q '^hvmem ' /proc/modules || insmod "$VSWAP_MODDIR/kmod/hvmem.ko" ||
		vs_bail "cannot load hvmem.ko"
	grep -q '^hvmem_vswap ' /proc/modules || insmod "$VSWAP_MODDIR/vswap/hvmem_vswap.ko" ||
		vs_bail "cannot load hvmem_vswap.ko"
}

# the verifier: built beside this script, in build/, or now
vs_verify_bin() {
	local h
	for h in "$(dirname "${BASH_SOURCE[0]}")/vswap_verify" \
		 "$VSWAP_TOP/build/selftests/vswap/vswap_verify"; do
		[ -x "$h" ] && { echo "$h"; return; }
	done
	h=/tmp/vswap_verify.$$
	gcc -O2 -o $h "$VSWAP_TOP/selftests/vswap/vswap_verify.c" && echo $h
}
VERIFY=$(vs_verify_bin) || vs_bail "no vswap_verify"
vs_verify() { "$VERIFY" "$@" | sed 's/^/# /'; return "${PIPESTATUS[0]}"; }

# vs_bind: bind a new sleeping process as a VM; sets vs_vm to its id
# (not in a command substitution: the sleeper would hold its pipe open)
vs_vm=
vs_bind() {
	local pid
	sleep 100000 >/dev/null 2>&1 &
	pid=$!
	vs_pids+=("$pid")
	# bind the sleeper's own mm, not the forked shell's that exec replaces
	until [ "$(cat /proc/$pid/comm 2>/dev/null)" = sleep ]; do sleep 0.01; done
	vs_vm=$(hvmemctl vm bind pid $pid | sed -n 's/^bound vm //p')
	[ -n "$vs_vm" ]
}

# vs_create VM SIZE [--backing DEV]: prints the device path
vs_create() { hvmemctl vswap create "$@"; }

# vs_stat DEV NAME: one counter of /sys/block/hvswapN/hvswap/
vs_stat() { cat "/sys/block/$(basename "$1")/hvswap/$2"; }

vs_cleanup() {
	local d
	for d in /sys/block/hvswap*; do
		[ -e "$d" ] || continue
		hvmemctl vswap destroy "$(basename "$d")" 2>/dev/null
	done
	for d in "${vs_pids[@]}"; do kill "$d" 2>/dev/null; done
	wait 2>/dev/null
	hvmemctl cache reserve 0 >/dev/null 2>&1
}

# Kernel-log checks look at what was logged since this test began
# (klog_new, KLOG_SPLAT_RE): earlier tests' lines are theirs.
. "$VSWAP_TOP/selftests/lib/klog.sh"
