# SPDX-License-Identifier: GPL-2.0
#
# scripts/bench-modes.awk - the per-mode tables of the benchmarks that run
# one guest workload in several modes, interleaved (scripts/bench-wscan,
# scripts/bench-wtrack). Loaded first with awk -f, before the benchmark's
# own part, whose END prints its RESULT line from what this leaves:
#
#   input: "PHASE MODE REP" lines from the guest, each followed by the
#     workload's "RESULT ... total_s=X" line; a PHASE without a RESULT
#     (an untimed pass) is replaced by the next PHASE
#   prints "run MODE rep REP: total_s X" for each run, as it comes
#   bm_n[MODE]      runs of MODE; bm_reps: the highest REP seen
#   bm_t[MODE, REP] total_s of that run
#
#   bm_stats(MODE)  the mode's figures: returns its run count and leaves
#     bm_mean[MODE], bm_lo[MODE], bm_hi[MODE] (total_s), bm_pm[MODE] (its
#     slowdown against mode "off", paired per repetition, %) with its
#     standard deviation bm_psd[MODE], bm_pc[MODE] the runs so paired (0:
#     bm_pm means nothing) and, for "off", bm_spread (its runs' max - min,
#     % of their mean). Call it for "off" first.
#   bm_row(MODE, EXTRA)  the mode's table line from those figures (and its
#     slowdown by the means), EXTRA appended.
{ sub(/\r$/, "") }
/^PHASE / { bm_m = $2; bm_r = $3 + 0; next }
/^RESULT / && bm_m != "" {
	for (bm_i = 1; bm_i <= NF; bm_i++)
		if ($bm_i ~ /^total_s=/) { split($bm_i, bm_a, "="); bm_t[bm_m, bm_r] = bm_a[2] }
	printf "run %-5s rep %s: total_s %s\n", bm_m, bm_r, bm_t[bm_m, bm_r]
	bm_n[bm_m]++
	if (bm_r > bm_reps) bm_reps = bm_r
	bm_m = ""
	next
}

function bm_stats(mo,   r, v, s, c, lo, hi, d, ps, pss, pc) {
	s = 0; c = 0; lo = 1e9; hi = 0; ps = 0; pss = 0; pc = 0
	for (r = 1; r <= bm_reps; r++) {
		if (!((mo, r) in bm_t)) continue
		v = bm_t[mo, r]; s += v; c++
		if (v < lo) lo = v
		if (v > hi) hi = v
		if (("off", r) in bm_t) { d = (v / bm_t["off", r] - 1) * 100; ps += d; pss += d * d; pc++ }
	}
	bm_c[mo] = c; bm_pc[mo] = pc
	if (!c) return 0
	bm_mean[mo] = s / c; bm_lo[mo] = lo; bm_hi[mo] = hi
	if (mo == "off") bm_spread = (hi - lo) / bm_mean[mo] * 100
	bm_pm[mo] = pc ? ps / pc : 0
	bm_psd[mo] = pc > 1 ? sqrt((pss - ps * ps / pc) / (pc - 1)) : 0
	return c
}

function bm_row(mo, extra,   paired) {
	paired = bm_pc[mo] ? sprintf("%+.1f%% (sd %.1f)", bm_pm[mo], bm_psd[mo]) : "- (no off run to pair with)"
	printf "%-5s runs %d  total_s mean %.2f min %.2f max %.2f  slowdown vs off: mean %+.1f%% paired %s%s\n",
		mo, bm_c[mo], bm_mean[mo], bm_lo[mo], bm_hi[mo], (bm_mean[mo] / bm_mean["off"] - 1) * 100,
		paired, extra
}
