#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fuzz_check.sh - the bounded fuzz of make check on the test kernel (KASAN,
# lockdep, kmemleak under TCG), where stress_check.sh is too slow: hvmem_fuzz
# with seeded random calls on /dev/hvmem as root, as nobody, and dm-swapres
# tables and messages on a loop device; then no splat in the kernel log since
# the start (klog.sh). TAP.
#
#   fuzz_check.sh [--calls N] [--seed S] [--leaks]
#
# N (default 3000; HVMEM_FUZZ_CALLS) ioctl calls as root, N/3 as nobody and
# N/20 dm calls: about a minute on the test kernel (a share scan costs 0.05
# to 0.4 s there, a dm call 0.1 s, the other commands under 10 ms). The seed
# is printed; HVMEM_STRESS_SEED or --seed replays a run (root's calls also
# depend on the ids the modules hand out: exactly so right after the modules
# are loaded).
# Leaks: selftests/run's whole-run check scans kmemleak after the last test
# and counts objects allocated in an hvmem module or by hvmem_fuzz; --leaks
# (HVMEM_FUZZ_LEAKS=1) checks here too, for objects that were not reported
# before: 6 s and two scans, which took two minutes on the test kernel (and
# reading the report before the fuzz about a minute; seen here), over make
# check's budget for this test.
# Debian's kernel fuzzes 10000 calls in stress_check.sh instead (scripts/check
# skips this one there).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/klog.sh"
calls=${HVMEM_FUZZ_CALLS:-3000} seed=${HVMEM_STRESS_SEED:-$(date +%s)}
leakcheck=${HVMEM_FUZZ_LEAKS:-0}
while [ $# -gt 0 ]; do
	case "$1" in
	--calls) calls=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	--leaks) leakcheck=1; shift ;;
	*) echo "usage: $0 [--calls N] [--seed S] [--leaks]" >&2; exit 2 ;;
	esac
done
fuzz=$here/hvmem_fuzz
n=0 fails=0
tap() {	# tap OK|FAIL|SKIP NAME [COMMENT]
	n=$((n + 1))
	case $1 in
	OK) echo "ok $n $2${3:+ # $3}" ;;
	SKIP) echo "ok $n $2 # SKIP $3" ;;
	*) echo "not ok $n $2${3:+ # $3}"; fails=$((fails + 1)) ;;
	esac
}
tests=(fuzz_ioctl fuzz_ioctl_unprivileged fuzz_dm kernel_log_clean)
[ "$leakcheck" = 1 ] && tests+=(no_leaks)
echo "TAP version 13"
echo "1..${#tests[@]}"
echo "# seed $seed (HVMEM_STRESS_SEED=$seed replays it), $calls calls as root"
if [ "$(id -u)" != 0 ] || ! [ -c /dev/hvmem ]; then
	for t in "${tests[@]}"; do
		tap SKIP "$t" "needs root and /dev/hvmem"
	done
	exit 0
fi
# fuzz NAME ARGS...: one hvmem_fuzz run, its output as comments, a TAP line
fuzz() {
	local name=$1 rc t0=$SECONDS out
	shift
	echo "hvmem-selftest: fuzz_check: $name" >/dev/kmsg 2>/dev/null
	echo "# $name: hvmem_fuzz $*"
	out=$("$fuzz" "$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed 's/^/# /'
	echo "# $name took $((SECONDS - t0)) s"
	case $rc in
	0) tap OK "$name" ;;
	4) tap SKIP "$name" "$(printf '%s\n' "$out" | tail -n 1)" ;;
	*) tap FAIL "$name" "exit $rc" ;;
	esac
}

# the share scanner unthrottled and a cache reserve, as stress_run.sh sets
# them; put back at the end
sys=/sys/kernel/mm/hvmem
saved=()
for f in share/cpu_percent share/pages_per_sec cache/reserve_pages; do
	[ -w "$sys/$f" ] && saved+=("$f=$(cat "$sys/$f")")
done
echo 100 >$sys/share/cpu_percent 2>/dev/null
echo 0 >$sys/share/pages_per_sec 2>/dev/null
echo 4096 >$sys/cache/reserve_pages 2>/dev/null

# a backing device for dm-swapres
modprobe -q dm_mod 2>/dev/null
modprobe -q loop 2>/dev/null
bdir=$(mktemp -d /tmp/hvmem-fuzz.XXXXXX)
loopdev=
if mount -t tmpfs -o size=40M hvmem-fuzz "$bdir" && fallocate -l 32M "$bdir/backing"; then
	loopdev=$(losetup -f --show "$bdir/backing" 2>/dev/null)
fi
cleanup() {
	local s t0=$SECONDS
	for s in "${saved[@]}"; do echo "${s#*=}" >"$sys/${s%%=*}" 2>/dev/null; done
	[ -z "$loopdev" ] || losetup -d "$loopdev"
	umount "$bdir" 2>/dev/null
	rmdir "$bdir"
	echo "# cleanup took $((SECONDS - t0)) s"
}
trap cleanup EXIT

# kmemleak (--leaks): what it reported already is not this test's
kml=/sys/kernel/debug/kmemleak
leak_seen=
if [ "$leakcheck" = 1 ]; then
	[ -e $kml ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null
	[ -r $kml ] && leak_seen=$(awk '/^unreferenced object/ { printf "%s ", $3 }' $kml)
fi
echo "# setup took $SECONDS s"

fuzz fuzz_ioctl --seed "$seed" --calls "$calls"
fuzz fuzz_ioctl_unprivileged --unpriv --seed "$((seed + 1))" --calls "$((calls / 3))" \
	--sleepers 0 --kvm 0
if [ -n "$loopdev" ]; then
	fuzz fuzz_dm --dm "$loopdev" --seed "$((seed + 2))" --calls "$((calls / 20))"
else
	tap SKIP fuzz_dm "no loop device for dm-swapres"
fi
echo "hvmem-selftest: fuzz_check: end" >/dev/kmsg 2>/dev/null

t0=$SECONDS
if klog_clean; then tap OK kernel_log_clean; else tap FAIL kernel_log_clean; fi
echo "# kernel log check took $((SECONDS - t0)) s"

# Leaks: objects older than 5 s that two scans found unreferenced, not
# reported before, allocated in an hvmem module or by the fuzzer.
if [ "$leakcheck" != 1 ]; then
	:
elif [ -w $kml ]; then
	t0=$SECONDS
	sleep 6
	echo scan >$kml
	echo scan >$kml
	leaks=$(awk -v seen="$leak_seen" '
		BEGIN { k = split(seen, s, " "); for (i = 1; i <= k; i++) old[s[i]] = 1 }
		function flush() { if (blk != "" && ours && !(addr in old)) print blk }
		/^unreferenced object/ { flush(); blk = $0; addr = $3; ours = 0; next }
		/\[(hvmem|hvmem_[a-z_]+|dm_swapres)\]|comm "hvmem_fuzz"/ { ours = 1 }
		{ blk = blk "\n" $0 }
		END { flush() }' $kml)
	nleaks=$(printf '%s' "$leaks" | grep -c '^unreferenced object')
	echo "# kmemleak: 6 s and two scans took $((SECONDS - t0)) s"
	if [ "$nleaks" = 0 ]; then
		tap OK no_leaks
	else
		tap FAIL no_leaks "$nleaks objects leaked"
		printf '%s\n' "$leaks" | head -n 60 | sed 's/^/# /'
	fi
else
	tap SKIP no_leaks "no kmemleak on this kernel"
fi
[ $fails = 0 ]
