# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2034,SC2154  # gs_* are results for the sourcing script; gt_dir from guest_lib.sh
# Three real Linux guests under one memory budget, for the scheduler's guest
# test (guest_sched.sh) and its benchmark (scripts/bench-sched). Sourced
# after guest_lib.sh (gt_require_guest has run: $gt_dir exists).
#
#   gs_run MODE BUDGET_MIB
#
# starts three GS_MEM MiB guests (scripts/guest), each swapping (a virtio
# disk, swapon --discard=pages) onto its own hvmem swap device
# (hvmem_vswap.ko), made for its own VM: QEMU starts paused, is bound to
# hvmem by pid and gets the device plugged (gt_vswap_plug), so the guest's
# swap feeds that VM's cache counters and miss-rate curve. GS_SWAP=zram
# gives each a zram device instead. GS_SWAP_DELAY_MS=N puts dm-delay (N ms
# per I/O) between each guest and its hvmem swap device: swap at a disk's
# latency.
#   busy  runs hvmem-workload over GS_W MiB (GS_MIX, random accesses, every
#         access verified) for GS_DUR seconds of access, then verifies all;
#   idle  does nothing;
#   late  does nothing for GS_DUR/2 seconds, then runs the same workload
#         (another seed) for GS_DUR/2 seconds of access.
# MODE static: each guest's balloon is set to BUDGET/3 at boot (the guest
# waits for it before its command) and stays there: a static equal split.
# MODE hvmemd: the guests boot with all their memory and hvmemd (the
# configuration below, BUDGET as budget_mib, period GS_PERIOD) moves their
# balloons; hvmem.ko and hvmem_mrc.ko are loaded so that hvmemd binds each
# QEMU process and turns its curve on.
# GS_TAKEOVER (default boot): when the mode's policy takes over. boot: as
# above. busy-filled: the guests boot with all their memory and the policy
# takes over once busy's workload has filled its W (the workload's "fill:"
# line in busy's output): static sets every balloon to BUDGET/3 over QMP
# then, hvmemd starts then. Both modes then start from the same state, busy
# running its working set (a timeline "mark" row, "policy start", records
# the moment).
# The idle guest runs until busy and late are done; then hvmemd is stopped
# (SIGTERM) and idle is stopped over QMP (quit). Guests print markers into their kernel log
# ("hvmem-sched: NAME start|end"), seen live in their consoles.
#
# Leaves in $gt_dir/MODE/: NAME.out/.err/.console (guest output, scripts/guest's
# stderr, console), timeline.tsv (every second, per VM: seconds since start,
# name, state, actual, target, desired, min, guest total and available MiB,
# swap-in pages/s, reason, curve source, cache pages, curve knee MiB, host-seen
# swap-in pages/s, the guest's swap-out pages/s, what the
# guest's kernel keeps (MiB, learned), the last write scan's pages written,
# the pages write scans fed to the curve so far, the write scan's source
# status; "mark" rows: seconds, "mark", guest, event),
# hvmemd.log, hvmemd.conf, status.json (the last status). Sets, per guest
# NAME in busy idle late: gs_rc[NAME], gs_pages, gs_verified, gs_corrupt,
# gs_mibps (access throughput, MiB/s), gs_access_s, gs_pswpin, gs_pswpout;
# gs_hvmemd_rc (hvmemd's exit status after SIGTERM, hvmemd mode).

GS_MEM=${GS_MEM:-256}		# each guest's RAM, MiB
GS_W=${GS_W:-64}		# working set of busy and late, MiB
GS_DUR=${GS_DUR:-150}		# busy's access seconds (late: half)
GS_PERIOD=${GS_PERIOD:-2}	# hvmemd's period, s
GS_MIN=${GS_MIN:-64}		# each VM's min_mib (reservation)
GS_MIX=${GS_MIX:-compressible:50,random:50}
GS_SWAP=${GS_SWAP:-vswap}	# vswap | zram
GS_SWAP_DELAY_MS=${GS_SWAP_DELAY_MS:-}	# vswap: through dm-delay, ms per I/O (gt_vswap_plug)
GS_TAKEOVER=${GS_TAKEOVER:-boot}	# boot | busy-filled
GS_WRITE_SCAN_S=${GS_WRITE_SCAN_S:-}	# hvmemd's write_scan_s (empty: its default)
GS_NAMES="busy idle late"
declare -A gs_rc gs_pages gs_verified gs_corrupt gs_mibps gs_access_s gs_pswpin gs_pswpout
gs_hvmemd_rc=
gs_zdevs=() gs_plugs=() gs_old_reserve=

gs_cleanup() {
	local z
	for z in "${gs_zdevs[@]}"; do zramctl --reset "$z" 2>/dev/null; done
	for z in "${gs_plugs[@]}"; do gt_vswap_unplugged "$z"; done
	[ -z "$gs_old_reserve" ] || hvmemctl cache reserve "$gs_old_reserve" >/dev/null 2>&1
	gs_zdevs=() gs_plugs=() gs_old_reserve=
}

# The guest command of NAME: hg_* from /lib/hvmem-guest.sh.
gs_cmd() {
	local name=$1 swap_kib=$(((GS_W + 64) << 10)) half=$((GS_DUR / 2))
	local wl="hvmem-workload --mib $GS_W --mix $GS_MIX --pattern random --passes 0 --rewrite 10 --quiet"
	printf '%s\n' "hg_swapon /dev/vda pages $swap_kib || exit 10"
	case $name in
	busy)
		printf '%s\n' "echo '<2>hvmem-sched: busy start' >/dev/kmsg" \
			"$wl --seed 1 --seconds $GS_DUR; rc=\$?" \
			"echo '<2>hvmem-sched: busy end' >/dev/kmsg" ;;
	late)
		printf '%s\n' "sleep $half" \
			"echo '<2>hvmem-sched: late start' >/dev/kmsg" \
			"$wl --seed 2 --seconds $half; rc=\$?" \
			"echo '<2>hvmem-sched: late end' >/dev/kmsg" ;;
	idle)
		printf '%s\n' "echo '<2>hvmem-sched: idle start' >/dev/kmsg" \
			"sleep 3600; rc=0" ;;
	esac
	printf '%s\n' "hg_vmstat" "exit \$rc"
}

gs_conf() {	# gs_conf DIR BUDGET
	local dir=$1 name
	{
		printf '[global]\nbudget_mib = %s\nidle_tax = 0.75\nperiod_s = %s\n' "$2" "$GS_PERIOD"
		printf 'hysteresis_pct = 5\nmax_step_mib = 64\nheadroom_pct = 10\n'
		# a thrashing nested guest under TCG swaps in only 20-80 pages a second
		printf 'swapin_storm_pages_s = 10\n'
		printf 'host_min_available_mib = 128\npsi_some_avg10_max = 0\n'
		[ -z "$GS_WRITE_SCAN_S" ] || printf 'write_scan_s = %s\n' "$GS_WRITE_SCAN_S"
		printf 'status_socket = %s/hvmemd.sock\n' "$dir"
		for name in $GS_NAMES; do
			printf '\n[vm %s]\nqmp = %s/%s.qmp\nmin_mib = %s\nmax_mib = %s\n' \
				"$name" "$dir" "$name" "$GS_MIN" "$GS_MEM"
		done
	} >"$dir/hvmemd.conf"
}

# One line per VM (and per new marker) every second, until $dir/stop exists.
gs_poll() {
	local dir=$1 t0=$2 t name ev seen=' '
	while [ ! -e "$dir/stop" ]; do
		t=$(($(date +%s) - t0))
		if [ -S "$dir/hvmemd.sock" ] &&
		   timeout 20 hvmemctl sched status -s "$dir/hvmemd.sock" -j >"$dir/status.tmp" 2>/dev/null; then
			mv "$dir/status.tmp" "$dir/status.json"
			jq -r --arg t "$t" '.vms[] | [$t, .name, .state, .actual_mib, .target_mib,
				.desired_mib, .min_mib, .guest_total_mib, .guest_available_mib,
				.swapin_pages_s, .last_decision.reason, .sources.curve, .cache_pages,
				.knee_mib, .host_swapin_pages_s, .swapout_pages_s,
				.guest_kernel_mib, .written_pages, .write_scan_fed,
				.sources.writes] | map(. // "-") | @tsv' \
				"$dir/status.json" >>"$dir/timeline.tsv" 2>/dev/null
		fi
		for name in $GS_NAMES; do
			for ev in start end; do
				case $seen in *" $name-$ev "*) continue ;; esac
				grep -aq "hvmem-sched: $name $ev" "$dir/$name.console" 2>/dev/null || continue
				seen="$seen$name-$ev "
				printf '%s\tmark\t%s\t%s\n' "$t" "$name" "$ev" >>"$dir/timeline.tsv"
			done
		done
		sleep 1
	done
}

gs_run() {	# gs_run MODE BUDGET
	local mode=$1 budget=$2 dir name pids=() bal=() poll hv='' t0 i size why
	local -a disk
	dir=$gt_dir/$mode
	rm -rf "$dir"
	mkdir -p "$dir"
	: >"$dir/timeline.tsv"
	size=$(((GS_W + 64) << 20))
	if [ "$GS_SWAP" = zram ]; then
		modprobe zram 2>/dev/null
		for name in $GS_NAMES; do
			gs_zdevs+=("$(zramctl --find --size "$size")") || return 1
		done
	else
		why=$(gt_vswap_available) || { gt_diag "no hvmem swap device: $why"; return 1; }
		gs_old_reserve=$(cat /sys/kernel/mm/hvmem/cache/reserve_pages 2>/dev/null || echo 0)
		hvmemctl cache reserve $((3 * size >> 12)) >/dev/null || return 1
	fi
	if [ "$mode" = hvmemd ]; then
		grep -q '^hvmem ' /proc/modules || insmod "$GT_MODDIR/kmod/hvmem.ko" || return 1
		grep -q '^hvmem_mrc ' /proc/modules || insmod "$GT_MODDIR/mrc/hvmem_mrc.ko" || return 1
		gs_conf "$dir" "$budget"
	elif [ "$GS_TAKEOVER" = boot ]; then
		bal=(--balloon $((budget / 3)))
	fi
	t0=$(date +%s)
	i=0
	for name in $GS_NAMES; do
		if [ "$GS_SWAP" = zram ]; then
			disk=(--disk "${gs_zdevs[$i]}")
		else
			gs_plugs+=("$dir/$name.plug")
			disk=(--paused-hook ". '$GT_TOP/selftests/guest/guest_lib.sh'; gt_vswap_plug $size '$dir/$name.plug' '' $GS_SWAP_DELAY_MS")
		fi
		"$GT_TOP/scripts/guest" run --mem "$GS_MEM" "${bal[@]}" "${disk[@]}" \
			--qmp "$dir/$name.qmp" --console "$dir/$name.console" \
			--timeout "${GS_TIMEOUT:-800}" -- "$(gs_cmd "$name")" \
			>"$dir/$name.out" 2>"$dir/$name.err" &
		pids+=($!)
		i=$((i + 1))
	done
	if [ "$GS_TAKEOVER" = busy-filled ]; then
		# busy's output comes live; a busy guest that ends first is left
		# to the checks
		while kill -0 "${pids[0]}" 2>/dev/null &&
		      ! grep -aq '^hvmem_workload: fill:' "$dir/busy.out"; do
			sleep 1
		done
		gt_diag "$mode: busy filled its $GS_W MiB after $(($(date +%s) - t0)) s: the policy takes over"
		if [ "$mode" = static ]; then
			for name in $GS_NAMES; do
				timeout 60 "$GT_TOP/scripts/guest" qmp "$dir/$name.qmp" balloon $((budget / 3)) >/dev/null ||
					gt_diag "static: could not set $name's balloon"
			done
		fi
	fi
	printf '%s\tmark\tpolicy\tstart\n' "$(($(date +%s) - t0))" >>"$dir/timeline.tsv"
	if [ "$mode" = hvmemd ]; then
		hvmemd -c "$dir/hvmemd.conf" 2>"$dir/hvmemd.log" &
		hv=$!
	fi
	gs_poll "$dir" "$t0" &
	poll=$!
	gt_diag "$mode: 3 guests started${hv:+, hvmemd pid $hv}, budget $budget MiB"
	wait "${pids[0]}"; gs_rc[busy]=$?
	gt_diag "$mode: busy ended (status ${gs_rc[busy]}) after $(($(date +%s) - t0)) s"
	wait "${pids[2]}"; gs_rc[late]=$?
	gt_diag "$mode: late ended (status ${gs_rc[late]}) after $(($(date +%s) - t0)) s"
	touch "$dir/stop"
	wait "$poll"
	# hvmemd first: a QMP socket serves one client, and it holds idle's
	if [ -n "$hv" ]; then
		kill -TERM "$hv"
		# a daemon that does not exit within 30 s is a failure, not a hang
		for i in $(seq 60); do kill -0 "$hv" 2>/dev/null || break; sleep 0.5; done
		kill -0 "$hv" 2>/dev/null && { gt_diag "hvmemd did not exit on SIGTERM"; kill -KILL "$hv"; }
		wait "$hv"
		gs_hvmemd_rc=$?
	fi
	timeout 60 "$GT_TOP/scripts/guest" qmp "$dir/idle.qmp" quit >/dev/null 2>&1
	wait "${pids[1]}"; gs_rc[idle]=$?
	gs_cleanup
	for name in $GS_NAMES; do
		gs_pages[$name]=$(gt_field pages "$dir/$name.out")
		gs_verified[$name]=$(gt_field verified "$dir/$name.out")
		gs_corrupt[$name]=$(gt_field corrupt "$dir/$name.out")
		gs_mibps[$name]=$(gt_field access_mibps "$dir/$name.out")
		gs_access_s[$name]=$(gt_field access_s "$dir/$name.out")
		gs_pswpin[$name]=$(gt_field pswpin "$dir/$name.out")
		gs_pswpout[$name]=$(gt_field pswpout "$dir/$name.out")
		gt_diag "$mode $name: rc ${gs_rc[$name]}, $(grep -o 'booted in.*' "$dir/$name.err" | head -n 1)," \
			"pages ${gs_pages[$name]:--}, verified ${gs_verified[$name]:--}," \
			"access ${gs_mibps[$name]:--} MiB/s over ${gs_access_s[$name]:--} s," \
			"pswpin ${gs_pswpin[$name]:--}, pswpout ${gs_pswpout[$name]:--}"
		if [ "${gs_rc[$name]}" != 0 ] && [ "$name" != idle ]; then
			tail -n 8 "$dir/$name.err" | sed "s/^/# $name: /"
		fi
	done
	return 0
}

# Timeline queries (hvmemd mode).
# gs_every10 TIMELINE: its "mark" rows and each guest's first row in every
# 10 s (samples are seconds apart under load), as they are
gs_every10() {
	awk -F'\t' '$2 == "mark" { print; next }
		!(($2, int($1 / 10)) in seen) { seen[$2, int($1 / 10)] = 1; print }' "$1"
}

gs_mark() {	# gs_mark MODE NAME EVENT: seconds since start, or empty
	awk -F'\t' -v n="$2" -v e="$3" '$2 == "mark" && $3 == n && $4 == e { print $1; exit }' \
		"$gt_dir/$1/timeline.tsv"
}

# gs_col MODE NAME FROM TO COL: values of column COL (4 actual, 5 target)
# of NAME's rows with FROM <= seconds <= TO
gs_col() {
	awk -F'\t' -v n="$2" -v a="$3" -v b="$4" -v c="$5" \
		'$2 == n && $1 + 0 >= a && $1 + 0 <= b && $c != "-" { print $c }' "$gt_dir/$1/timeline.tsv"
}
