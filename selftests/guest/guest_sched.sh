#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hvmemd with three real Linux guests (sched_lib.sh): busy runs a verified
# working set of GS_W MiB, idle does nothing, late starts the same workload
# halfway through. The budget (GS_BUDGET, default 400 MiB, under the 768 MiB
# the guests boot with) holds what they need once idle has shrunk. Checks,
# from hvmemd's status every second:
# - no sample has the sum of targets over the budget, or a target outside
#   [min, max];
# - the idle guest is ballooned down to under half its memory;
# - busy keeps at least W + 10% (the headroom) through the second half of
#   its run, in its own total (what the guest can use);
# - late is ballooned down while idle; once its workload starts, its total
#   gets to W + 10% before the workload ends, and it is never starved for
#   more than GS_GROW_PERIODS (default 30) periods: no stretch of samples
#   with under 5% of its used memory available (the headroom less the
#   hysteresis) lasts longer (its memory comes back within a bounded
#   number of periods of its needing it: the workload itself fills its
#   W at the pace of a guest under TCG, about 1 MiB/s under load);
# - every page of both workloads verifies; hvmemd exits 0 on SIGTERM; no
#   splat in the guests or the test VM;
# - with hvmem swap devices (GS_SWAP=vswap, the default), busy's and late's
#   swap shows in hvmemd's status: cache pages and a miss-rate curve;
# - hvmemd's write scan (write_scan_s GS_WRITE_SCAN_S, default 30 here:
#   hvmemd's own default, 180, is longer than the run) finds the pages
#   busy's real QEMU process wrote: at least two scans after the first
#   clear fed busy's curve (written pages per scan reported for each
#   guest; on a kernel without soft-dirty the check is skipped). That a
#   scan finds exactly the pages written, no more, is mrc_wscan.sh's
#   check: here a guest's kernel writes too, and a THP-backed guest RAM
#   dirties 2 MiB at a time, so no count is exact.
# Debian's kernel only (HVMEM_SKIP_KVM).
# the test's run: 110 s of busy's access (sched_lib.sh's default, 150, is
# the benchmark's); with three guest boots about 5 minutes under TCG in a
# one-vCPU test VM (scripts/check's stage sched)
GS_DUR=${GS_DUR:-110}
# hvmemd starts once busy has filled its W: busy runs its working set from
# hvmemd's first look. Started with the guests, hvmemd saw busy booted and
# idle (about 25 MiB used) and took it to its min just before the workload
# began; busy then read its pages back from swap at a nested TCG guest's
# pace (about 50 pages/s, 0.2 MiB/s) and was still short of W in the second
# half of its run (2026-11-30): a late guest's case, which late covers.
GS_TAKEOVER=${GS_TAKEOVER:-busy-filled}
GS_WRITE_SCAN_S=${GS_WRITE_SCAN_S:-30}
. "$(dirname "$0")/guest_lib.sh"
. "$(dirname "$0")/sched_lib.sh"
gt_require_guest
command -v jq >/dev/null || gt_skip_all "no jq"
trap 'gs_cleanup; gt_cleanup_dir' EXIT
budget=${GS_BUDGET:-400}
need=$((GS_W + (GS_W + 9) / 10))	# W + 10% headroom
num_lt() { [ -n "$1" ] && [ "$1" -lt "$2" ]; }	# num_lt VALUE MAX: VALUE set and < MAX
num_ge() { [ -n "$1" ] && [ "$1" -ge "$2" ]; }

gs_run hvmemd "$budget" || gt_skip_all "no swap devices or no hvmem modules"
d=$gt_dir/hvmemd
sed 's/^/# hvmemd: /' "$d/hvmemd.log" | grep -vE 'debug|qmp event' | head -n 60
gs_every10 "$d/timeline.tsv" | awk -F'\t' '$2 != "mark" {
	printf "# t=%ss %s %s actual %s target %s total %s avail %s swapin %s (host %s) swapout %s kernel %s cache %s curve %s: %s\n", $1, $2, $3, $4, $5, $8, $9, $10, $15, $16, $17, $13, $12, $11 }
	$2 == "mark" { printf "# t=%ss --- %s %s\n", $1, $3, $4 }'

gt_check "busy: workload exited 0 (rc ${gs_rc[busy]})" [ "${gs_rc[busy]}" = 0 ]
gt_check "late: workload exited 0 (rc ${gs_rc[late]})" [ "${gs_rc[late]}" = 0 ]
gt_check "idle guest ran until stopped" [ -n "$(gs_mark hvmemd idle start)" ]
for name in busy late; do
	gt_check "$name: every page verified (${gs_verified[$name]:-?} of ${gs_pages[$name]:-?})" \
		[ -n "${gs_pages[$name]}" -a "${gs_verified[$name]:-x}" = "${gs_pages[$name]}" \
		  -a "${gs_corrupt[$name]:-x}" = 0 ]
done
gt_check "hvmemd exited 0 on SIGTERM (rc $gs_hvmemd_rc)" [ "$gs_hvmemd_rc" = 0 ]

# Budget, min and max in every sample, over the VMs hvmemd schedules (a
# guest that has shut down keeps its last target in status, "down").
bad=$(awk -F'\t' -v b="$budget" -v max="$GS_MEM" '
	$2 == "mark" || $5 == "-" || $3 != "ready" { next }
	{ sum[$1] += $5; if ($5 < $7 || $5 > max) bad++ }
	END { for (t in sum) if (sum[t] > b) bad++; print bad + 0 }' "$d/timeline.tsv")
n=$(awk -F'\t' '$2 != "mark" && $5 != "-" && $3 == "ready"' "$d/timeline.tsv" | wc -l)
gt_check "$n samples: sum of targets <= $budget, targets within [min, max] ($bad broken)" \
	[ "$n" -gt 30 -a "$bad" = 0 ]

bs=$(gs_mark hvmemd busy start) be=$(gs_mark hvmemd busy end)
ls=$(gs_mark hvmemd late start) le=$(gs_mark hvmemd late end)
gt_diag "marks (s): busy $bs-$be, late $ls-$le, W + headroom $need MiB"

# idle: ballooned down once the others run
idle_end=$(gs_col hvmemd idle "${le:-0}" 99999 4 | sort -n | tail -n 1)
idle_min=$(gs_col hvmemd idle 0 99999 4 | sort -n | head -n 1)
gt_check "idle ballooned down: ${idle_min:-?} MiB at least, ${idle_end:-?} MiB after late ended (< $((GS_MEM / 2)))" \
	num_lt "$idle_end" $((GS_MEM / 2))

# busy: at least W + headroom through the second half of its run
if [ -n "$bs" ] && [ -n "$be" ]; then
	busy_min=$(gs_col hvmemd busy $(((bs + be) / 2)) "$be" 8 | sort -n | head -n 1)
fi
gt_check "busy's total stayed at ${busy_min:-?} MiB at least in its second half (>= $need)" \
	num_ge "${busy_min:-}" "$need"

# late: down while idle, then back within GS_GROW_PERIODS periods
if [ -n "$ls" ]; then
	late_low=$(gs_col hvmemd late $((ls - 10)) "$ls" 4 | sort -n | head -n 1)
	# memory back: the guest's own total (what it can use, without the
	# ~40 MiB its kernel keeps) holds W + headroom
	late_up=$(awk -F'\t' -v s="$ls" -v w="$need" \
		'$2 == "late" && $1 + 0 >= s && $8 ~ /^[0-9]+$/ && $8 + 0 >= w { print $1; exit }' "$d/timeline.tsv")
fi
gt_check "late was ballooned down before it started (${late_low:-?} MiB < $((GS_MEM / 2)))" \
	num_lt "${late_low:-}" $((GS_MEM / 2))
gt_check "late's total got to $need MiB ${late_up:+at t=${late_up}s, $((late_up - ls)) s after it started }(before its end at t=${le:-?}s)" \
	num_lt "${late_up:-}" $((${le:-0} + 1))
# the longest stretch, from its start to its end, in which late had under
# 5% of its used memory available: from the first such sample to the next
# sample that was not
starved=
if [ -n "$ls" ] && [ -n "$le" ]; then
	starved=$(awk -F'\t' -v s="$ls" -v e="$le" '
		$2 != "late" || $1 + 0 < s || $1 + 0 > e || $8 !~ /^[0-9]+$/ || $9 !~ /^[0-9]+$/ { next }
		{ used = $8 - $9; short = $9 * 100 < 5 * used }
		short && t0 == "" { t0 = $1 }
		!short && t0 != "" { if ($1 - t0 > m) m = $1 - t0; t0 = "" }
		END { if (t0 != "" && e - t0 > m) m = e - t0; print m + 0 }' "$d/timeline.tsv")
fi
gt_check "late starved (under 5% available) for ${starved:-?} s at most (<= ${GS_GROW_PERIODS:-30} periods of $GS_PERIOD s)" \
	num_lt "${starved:-}" $((${GS_GROW_PERIODS:-30} * GS_PERIOD + 1))

# the guests' swap went through hvmem: cache counters and curves in hvmemd
if [ "$GS_SWAP" = vswap ]; then
	# late swaps (squeezed while idle); busy may not, if it keeps its memory
	for name in busy late; do
		pk=$(awk -F'\t' -v n="$name" '$2 == n && $13 ~ /^[0-9]+$/ && $13 > m { m = $13 } END { print m + 0 }' "$d/timeline.tsv")
		cv=$(awk -F'\t' -v n="$name" '$2 == n && $12 ~ /^ok/ { c = $12; k = $14 } END { if (c) print c ", knee " k " MiB" }' "$d/timeline.tsv")
		if [ "$name" = late ]; then
			gt_check "$name: hvmemd saw its swap in the cache (peak $pk pages)" [ "$pk" -gt 1000 ]
		else
			gt_diag "$name: hvmemd saw up to $pk of its pages in the cache"
		fi
		gt_check "$name: hvmemd had its miss-rate curve (${cv:-none})" [ -n "$cv" ]
	done
fi
# write scans: the cumulative pages fed (column 19) grows once per scan
# that found writes; column 18 is that scan's pages written
declare -A ws_scans ws_mean
for name in $GS_NAMES; do
	read -r scans most mean < <(awk -F'\t' -v n="$name" '
		$2 == n && $19 ~ /^[0-9]+$/ && $19 > 0 && $19 != last {
			k++; last = $19; t += $18; if ($18 > m) m = $18 }
		END { print k + 0, m + 0, k ? int(t / k) : 0 }' "$d/timeline.tsv")
	ws_scans[$name]=$scans ws_mean[$name]=$mean
	gt_diag "$name: $scans write scans fed its curve: $mean pages written per scan, up to $most"
done
# the scan's last word on busy (column 20): a kernel without soft-dirty
# says so there
wsrc=$(awk -F'\t' '$2 == "busy" && $20 != "-" && $20 != "" { w = $20 } END { print w }' "$d/timeline.tsv")
case $wsrc in
*"no soft-dirty"*) gt_skip "busy: write scan ($wsrc)" ;;
*) gt_check "busy: write scans every $GS_WRITE_SCAN_S s fed its curve ${ws_scans[busy]} times, ${ws_mean[busy]} pages written per scan (last: ${wsrc:-none})" \
	[ "${ws_scans[busy]}" -ge 2 ] ;;
esac
for name in $GS_NAMES; do
	gt_check "$name: guest kernel log free of splats" \
		bash -c "! grep -aE '$KLOG_SPLAT_RE' '$d/$name.console'"
done
gt_check_klog
gt_done
