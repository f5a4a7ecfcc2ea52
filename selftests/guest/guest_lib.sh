# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Shared helpers of the guest end-to-end tests (sourced). Prints TAP.
#
# One guest run: gt_run_swap DISK [GUEST OPTIONS...] runs a GT_MEM MiB guest
# (scripts/guest) that swaps onto DISK (its /dev/vda, swapon --discard=pages;
# DISK "-": a --paused-hook among the options plugs it)
# with the balloon inflated over QMP to GT_BALLOON MiB, runs hvmem-workload
# (GT_MIB MiB, GT_MIX, GT_PASSES random passes), swapoff, then blkdiscard
# of the whole disk. Sizes are
# small: under TCG (nested KVM in the test VM) the guest fills and verifies
# about 0.5-3 MiB/s while it swaps, and boots in 1-6 minutes on a loaded
# 2-core host (GT_TIMEOUT, default 780 s, bounds one guest; selftests/run
# gives each test 900 s). It leaves the guest's output in
# $gt_dir/out, the balloon statistics in $gt_dir/stats.json and the guest
# console in $gt_dir/console, and sets gt_rc, gt_boot_s, gt_cmd_s,
# gt_pages, gt_verified, gt_corrupt, gt_pswpin, gt_pswpout, gt_discarded
# (pages swap discarded before swapoff), gt_blkdiscard (1 if it ran).
#
# The vswap adapter (gt_vswap_*) is the one place that knows the interface of
# hvmem_vswap.ko: `hvmemctl vswap create VM_ID SIZE_BYTES [--backing DEV]`
# (prints the device, /dev/hvswapN), `hvmemctl vswap destroy DEV`, counters
# as one-value files in a sysfs directory of the device.

if [ -z "${GT_TOP:-}" ]; then	# the repo: walk up (it may run from build/selftests/guest)
	GT_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	while [ "$GT_TOP" != / ] && [ ! -x "$GT_TOP/scripts/guest" ]; do
		GT_TOP=$(dirname "$GT_TOP")
	done
fi
GT_MODDIR=${HVMEM_KO_DIR:-$GT_TOP}
GT_MEM=${GT_MEM:-192}		# guest RAM, MiB
GT_BALLOON=${GT_BALLOON:-96}	# what the balloon leaves it, MiB (about 53 MiB MemTotal)
GT_MIB=${GT_MIB:-72}		# workload size, MiB: more than the guest has left (about 53)
# The guest's swap area (MiB): room for all of the workload. A 48 MiB area
# (meant to be over half full so that swap frees slots and discards
# clusters early; it discarded none anyway) was too tight: a CI run saw the
# workload killed (status 137, SIGKILL: most likely the guest's OOM killer).
GT_SWAP_MIB=${GT_SWAP_MIB:-96}
GT_PASSES=${GT_PASSES:-0}	# access passes besides fill, rewrite and the full verify
GT_MIX=${GT_MIX:-zero:10,dup:20,compressible:40,random:30}
KSFT_SKIP=4
gt_n=0
gt_fail=0
gt_dir=
. "$GT_TOP/selftests/lib/klog.sh"

gt_ok()   { gt_n=$((gt_n + 1)); echo "ok $gt_n - $*"; }
gt_nok()  { gt_n=$((gt_n + 1)); gt_fail=$((gt_fail + 1)); echo "not ok $gt_n - $*"; }
gt_skip() { gt_n=$((gt_n + 1)); echo "ok $gt_n - $* # SKIP"; }
gt_diag() { echo "# $*"; }
gt_check() {	# gt_check DESCRIPTION COMMAND...
	local d=$1
	shift
	if "$@"; then gt_ok "$d"; else gt_nok "$d"; fi
}
gt_done() {
	echo "1..$gt_n"
	[ "$gt_fail" = 0 ]
}
gt_skip_all() { echo "1..0 # SKIP $*"; exit $KSFT_SKIP; }

# Skip the whole test where guests cannot run.
gt_require_guest() {
	[ "$(id -u)" = 0 ] || gt_skip_all "needs root"
	[ -z "${HVMEM_SKIP_KVM:-}" ] || gt_skip_all "$HVMEM_SKIP_KVM"
	modprobe -q kvm_amd 2>/dev/null || modprobe -q kvm_intel 2>/dev/null || true
	[ -w /dev/kvm ] || gt_skip_all "no /dev/kvm (nested KVM unavailable)"
	command -v qemu-system-x86_64 >/dev/null || gt_skip_all "no qemu-system-x86_64"
	[ -x "$GT_TOP/build/tools/hvmem-workload" ] || gt_skip_all "build/tools/hvmem-workload missing (make tools)"
	gt_dir=$(mktemp -d /tmp/guest-test.XXXXXX)
}

# Guests write their images under build/ (the VM's /tmp is RAM).
gt_cleanup_dir() { [ -z "$gt_dir" ] || rm -rf "$gt_dir"; }

gt_field() {	# gt_field KEY FILE: KEY=VALUE from the last RESULT/GUEST-* line having it
	grep -o "\b$1=[0-9a-f.]*" "$2" | tail -n 1 | cut -d= -f2
}

gt_run_swap() {	# gt_run_swap DISK|- [scripts/guest run options...]
	local disk=$1 t0 err
	local -a dopt=()
	shift
	t0=$SECONDS
	[ "$disk" = - ] || dopt=(--disk "$disk")	# -: a --paused-hook plugs it
	"$GT_TOP/scripts/guest" run --mem "$GT_MEM" --balloon "$GT_BALLOON" "${dopt[@]}" \
		--stats "$gt_dir/stats.json" --console "$gt_dir/console" --timeout "${GT_TIMEOUT:-780}" "$@" -- "
		hg_swapon /dev/vda pages $((GT_SWAP_MIB << 10)) || exit 10
		echo GUEST-SWAP-ON \$(grep -c /dev/vda /proc/swaps)
		hvmem-workload --mib $GT_MIB --mix $GT_MIX --pattern random --passes $GT_PASSES --rewrite 10
		wrc=\$?
		hg_vmstat
		# the workload's swap slots are free now: swap discards the freed
		# clusters (asynchronously); give it a moment, then swapoff
		sleep 3
		hg_discarded /dev/vda
		swapoff /dev/vda || exit 11
		# what swap did not discard (clusters kept by swap-cached pages
		# until swapoff, which discards nothing): the whole disk
		blkdiscard /dev/vda && echo GUEST-BLKDISCARD done
		# time for samplers of the device to see it emptied: one sample
		# of its sysfs counters took over 2 s on a loaded host (a CI rerun
		# here missed the emptied device), so 10 s
		sleep 10
		exit \$wrc" >"$gt_dir/out" 2>"$gt_dir/err"
	gt_rc=$?
	err=$gt_dir/err
	sed 's/^/# /' "$gt_dir/out"
	sed 's/^/# /' "$err"
	gt_boot_s=$(sed -n 's/.*booted in \([0-9.]*\) s.*/\1/p' "$err")
	gt_cmd_s=$(sed -n 's/.*command took \([0-9.]*\) s.*/\1/p' "$err")
	gt_pages=$(gt_field pages "$gt_dir/out")
	gt_verified=$(gt_field verified "$gt_dir/out")
	gt_corrupt=$(gt_field corrupt "$gt_dir/out")
	gt_pswpin=$(gt_field pswpin "$gt_dir/out")
	gt_pswpout=$(gt_field pswpout "$gt_dir/out")
	gt_discarded=$(gt_field discarded "$gt_dir/out")
	# shellcheck disable=SC2034 # for the tests
	gt_blkdiscard=$(grep -c '^GUEST-BLKDISCARD done' "$gt_dir/out")
	gt_diag "guest run: $((SECONDS - t0)) s wall, boot ${gt_boot_s:-?} s, command ${gt_cmd_s:-?} s," \
		"pages ${gt_pages:-?}, verified ${gt_verified:-?}, corrupt ${gt_corrupt:-?}," \
		"pswpout ${gt_pswpout:-?}, pswpin ${gt_pswpin:-?}, discarded by swap ${gt_discarded:-?}"
}

# The usual checks of one gt_run_swap.
gt_check_guest() {
	grep -aE 'Out of memory|oom-kill|invoked oom-killer' "$gt_dir/console" | head -n 5 |
		sed 's/^/# guest OOM: /'
	gt_check "guest ran the workload and exited 0 (rc $gt_rc)" [ "$gt_rc" = 0 ]
	gt_check "every page verified (${gt_verified:-?} of ${gt_pages:-?})" \
		[ -n "$gt_pages" -a "${gt_verified:-x}" = "$gt_pages" -a "${gt_corrupt:-x}" = 0 ]
	gt_check "the guest swapped out (${gt_pswpout:-?} pages) and in (${gt_pswpin:-?})" \
		[ "${gt_pswpout:-0}" -gt 1000 -a "${gt_pswpin:-0}" -gt 100 ]
	local actual swpout
	actual=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["actual-mib"])' \
		"$gt_dir/stats.json" 2>/dev/null)
	swpout=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["max"].get("stat-swap-out", -1))' \
		"$gt_dir/stats.json" 2>/dev/null)
	gt_check "QMP: balloon at ${actual:-?} MiB (target $GT_BALLOON), balloon stats swap-out ${swpout:-?}" \
		[ "${actual:-0}" = "$GT_BALLOON" -a "${swpout:-0}" -gt 0 ]
	# Not a check: measured 0 here (6.12 guest, swapon --discard=pages, a
	# 48 or 96 MiB area); why swap discarded no cluster is open.
	gt_diag "the guest's swap discarded ${gt_discarded:-?} pages before swapoff"
	gt_check "guest kernel log free of splats" \
		bash -c "! grep -aE '$KLOG_SPLAT_RE' '$gt_dir/console'"
}

gt_check_klog() {
	local splats
	splats=$(klog_new | grep -E "$KLOG_SPLAT_RE|unreferenced object" | head -n 20)
	if [ -z "$splats" ]; then
		gt_ok "test VM kernel log free of splats"
	else
		gt_nok "test VM kernel log free of splats"
		printf '# %s\n' "$splats"
	fi
}

# --- vswap adapter (hvmem_vswap.ko + `hvmemctl vswap`) -------------------

# Load hvmem_vswap.ko if built; returns 1 (with a reason on stdout) when the
# vswap device is not available here.
gt_vswap_available() {
	local ko=$GT_MODDIR/vswap/hvmem_vswap.ko
	if ! grep -q '^hvmem_vswap ' /proc/modules; then
		[ -e "$ko" ] || { echo "hvmem_vswap.ko not built ($ko)"; return 1; }
		grep -q '^hvmem ' /proc/modules || insmod "$GT_MODDIR/kmod/hvmem.ko" ||
			{ echo "cannot load hvmem.ko"; return 1; }
		insmod "$ko" || { echo "cannot load $ko"; return 1; }
	fi
	hvmemctl vswap help >/dev/null 2>&1 || { echo "hvmemctl has no vswap object"; return 1; }
	return 0
}

# gt_vswap_create VM_ID SIZE_BYTES [BACKING_DEV]: the new device on stdout
gt_vswap_create() {
	local out dev
	out=$(hvmemctl vswap create "$1" "$2" ${3:+--backing "$3"}) || return 1
	dev=$(grep -o '/dev/hvswap[0-9]*' <<<"$out" | head -n 1)
	[ -b "$dev" ] || return 1
	echo "$dev"
}

gt_vswap_destroy() { hvmemctl vswap destroy "$1"; }

# gt_vswap_plug SIZE_BYTES STATE_FILE [BACKING [DELAY_MS]], as scripts/guest's --paused-hook
# (GUEST_PID and GUEST_QMP set, QEMU paused): bind the QEMU process itself
# to hvmem, create an hvmem swap device of that VM and plug it into the
# guest as its next virtio disk (QMP blockdev-add and device_add; O_DIRECT,
# aio=native, discard=unmap). Writes "vmid=N dev=/dev/hvswapM" to STATE_FILE
# first, so the caller can clean up whatever step failed. When QEMU exits
# its binding ends and the device is dead (reads and writes fail) until
# destroyed. BACKING: the device's backing block device (writeback), '' for
# none. DELAY_MS: the guest gets the device through dm-delay, every I/O
# DELAY_MS later (swap at a disk's latency, for benchmarks); the state file
# then also names it (delay=NAME) and gt_vswap_unplugged removes it.
gt_vswap_plug() {
	local size=$1 state=$2 backing=${3:-} delay=${4:-} id dev disk dm
	local q="python3 $GT_TOP/scripts/qmp.py $GUEST_QMP raw"
	: >"$state"
	id=$(hvmemctl vm bind pid "$GUEST_PID" | sed -n 's/^bound vm \([0-9]*\).*/\1/p')
	[ -n "$id" ] || return 1
	echo "vmid=$id" >"$state"
	dev=$(gt_vswap_create "$id" "$size" "$backing") || return 1
	echo "vmid=$id dev=$dev" >"$state"
	disk=$dev
	if [ -n "$delay" ] && [ "$delay" != 0 ]; then
		[[ "$delay" =~ ^[0-9]+$ ]] || { echo "gt_vswap_plug: delay $delay: not a number of ms" >&2; return 1; }
		modprobe -q dm_delay 2>/dev/null || [ -d /sys/module/dm_delay ] ||
			{ echo "gt_vswap_plug: no dm-delay in this kernel" >&2; return 1; }
		# recorded first: a hook stopped half-way leaves nothing behind
		dm=gt_delay_${dev##*/}
		echo "vmid=$id dev=$dev delay=$dm" >"$state"
		dmsetup create "$dm" --table "0 $((size >> 9)) delay $dev 0 $delay" || return 1
		dmsetup mknodes "$dm" 2>/dev/null
		disk=/dev/mapper/$dm
	fi
	$q "{\"execute\": \"blockdev-add\", \"arguments\": {\"driver\": \"host_device\",
		\"node-name\": \"hvswap\", \"filename\": \"$disk\", \"cache\": {\"direct\": true},
		\"aio\": \"native\", \"discard\": \"unmap\"}}" >/dev/null || return 1
	$q "{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"virtio-blk-pci\",
		\"drive\": \"hvswap\", \"id\": \"hvswap\", \"serial\": \"hvswap\"}}" >/dev/null
}

# gt_vswap_unplugged STATE_FILE: after the guest, remove what gt_vswap_plug
# made: its dm-delay device, the swap device, the VM's binding (normally
# gone with QEMU already); then empty STATE_FILE. Says what it could not
# remove; returns 0 (safe under set -e, and to call twice).
gt_vswap_unplugged() {
	local dev id delay
	dev=$(gt_plug_dev "$1") id=$(gt_plug_vm "$1") delay=$(gt_plug_delay "$1")
	if [ -n "$delay" ] && [ -e "/dev/mapper/$delay" ] && ! dmsetup remove --retry "$delay" >/dev/null; then
		echo "gt_vswap_unplugged: dm device $delay not removed" >&2
	fi
	if [ -n "$dev" ] && [ -b "$dev" ] && ! gt_vswap_destroy "$dev" >/dev/null; then
		echo "gt_vswap_unplugged: $dev not destroyed" >&2
	fi
	if [ -n "$id" ]; then hvmemctl vm unbind "$id" >/dev/null 2>&1 || :; fi
	if [ -e "$1" ]; then : >"$1"; fi
	return 0
}

# gt_plug_dev / gt_plug_vm / gt_plug_delay STATE_FILE: the device, the VM
# id and the dm-delay device gt_vswap_plug recorded (nothing if it has not
# got that far, or made no dm-delay device);
# gt_plug_counters STATE_FILE: gt_vswap_counters of that device, once made
gt_plug_dev() { sed -n 's/.*dev=\([^ ]*\).*/\1/p' "$1" 2>/dev/null || :; }
gt_plug_vm() { sed -n 's/^vmid=\([0-9]*\).*/\1/p' "$1" 2>/dev/null || :; }
gt_plug_delay() { sed -n 's/.*delay=\([^ ]*\).*/\1/p' "$1" 2>/dev/null || :; }
gt_plug_counters() {
	local dev
	dev=$(gt_plug_dev "$1")
	[ -n "$dev" ] && gt_vswap_counters "$dev"
}

# gt_vswap_sysdir DEV: the device's sysfs counter directory (status 1: none)
gt_vswap_sysdir() {
	local name=${1##*/} d
	for d in "/sys/block/$name/hvswap" "/sys/block/$name/vswap" \
		 "/sys/kernel/mm/hvmem/vswap/$name"; do
		[ -d "$d" ] && { echo "$d"; return 0; }
	done
	return 1
}

# gt_vswap_counters DEV: "name value" lines of the device's sysfs counters
# (read by the shell itself: samplers call this and gt_vswap_stored every
# second, and under TCG a fork and exec per counter file cost the guest
# beside them a core)
gt_vswap_counters() {
	local d f v
	d=$(gt_vswap_sysdir "$1") || return 1
	for f in "$d"/*; do
		if ! [ -f "$f" ] || ! [ -r "$f" ]; then continue; fi
		v=
		read -r v <"$f" 2>/dev/null || :
		printf '%s %s\n' "${f##*/}" "$v"
	done
}

# gt_vswap_counter DEV NAME: one counter's value (empty if absent)
gt_vswap_counter() { gt_vswap_counters "$1" | awk -v n="$2" '$1 == n { print $2 }'; }

# gt_vswap_stored DEV: pages the device holds (its "stored" counter)
gt_vswap_stored() {
	local d v
	d=$(gt_vswap_sysdir "$1") && [ -r "$d/stored" ] && read -r v <"$d/stored" &&
		{ echo "$v"; return 0; }
	return 1
}

# gt_sample FILE COMMAND...: run COMMAND every second in the background,
# appending its output to FILE, until gt_sample_stop; gt_max FILE NAME: the
# largest value of "NAME value" lines in FILE
gt_sample() {
	local f=$1
	shift
	( while :; do "$@" >>"$f" 2>/dev/null; sleep 1; done ) &
	gt_sampler=$!
}
# (safe under set -e: the killed sampler's status is not the caller's)
gt_sample_stop() {
	if [ -n "${gt_sampler:-}" ]; then
		kill "$gt_sampler" 2>/dev/null || :
		wait "$gt_sampler" 2>/dev/null || :
	fi
	gt_sampler=''
}
gt_max() { awk -v n="$2" '$1 == n && $2 + 0 > m { m = $2 + 0 } END { print m + 0 }' "$1"; }
