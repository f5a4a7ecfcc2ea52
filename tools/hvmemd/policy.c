// SPDX-License-Identifier: GPL-2.0
/*
 * hvmemd policy core: targets from the guest metric (headroom, hysteresis,
 * bounded step), shares with ESX's idle memory tax under contention,
 * curve-driven balancing by marginal misses saved per MiB (Zhao et al.,
 * VEE'09), hard min/max/budget rules, and the rate-limited, storm-safe
 * balloon command. Pure: no I/O. See README.md "Policy".
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "policy.h"

#define POL_MAX_ROUNDS		70000U	/* bound on allocation rounds */
#define POL_CURVE_MOVES_MAX	4096U	/* bound on curve moves */

static uint64_t clamp_u64(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static uint64_t dist(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

static void why(struct pol_vm_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Append "; <text>" (or "<text>" first) to the reason. */
static void why(struct pol_vm_out *o, const char *fmt, ...)
{
	size_t len = strnlen(o->reason, sizeof(o->reason));
	va_list ap;

	if (len + 3 >= sizeof(o->reason))
		return;
	if (len) {
		memcpy(o->reason + len, "; ", 3);
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(o->reason + len, sizeof(o->reason) - len, fmt, ap);
	va_end(ap);
}

double pol_curve_ratio(const struct pol_curve *c, double mib)
{
	double x0 = 0, y0 = 1;
	unsigned int i;

	if (!c->n)
		return 0;
	for (i = 0; i < c->n; i++) {
		double x1 = c->size_mib[i], y1 = c->ratio[i];

		if (mib <= x1) {
			if (x1 <= x0)
				return y1;
			return y0 + (y1 - y0) * (mib - x0) / (x1 - x0);
		}
		x0 = x1;
		y0 = y1;
	}
	return c->ratio[c->n - 1];
}

/*
 * Swap-out (pages/s) its balloon did not cause: @rate less the pages per
 * second the balloon took in the last @dt_s seconds (from @prev_actual_mib
 * down to @actual_mib), at least 0. Inflating takes pages the guest may
 * have to swap out; a balloon that took nothing explains none of it.
 */
double pol_swapout_not_ballooned(double rate, uint64_t prev_actual_mib, uint64_t actual_mib,
				 double dt_s)
{
	double took = 0;

	if (dt_s > 0 && prev_actual_mib > actual_mib)
		took = (double)(prev_actual_mib - actual_mib) * 256.0 / dt_s;
	return rate > took ? rate - took : 0;
}

uint64_t pol_curve_knee(const struct pol_curve *c)
{
	double lo, hi, cut;
	unsigned int i;

	if (!c->n)
		return 0;
	hi = c->ratio[0];
	lo = hi;
	for (i = 1; i < c->n; i++)
		if (c->ratio[i] < lo)
			lo = c->ratio[i];
	cut = lo + 0.05 * (hi - lo);
	for (i = 0; i < c->n; i++)
		if (c->ratio[i] <= cut)
			return (uint64_t)ceil(c->size_mib[i]);
	return (uint64_t)ceil(c->size_mib[c->n - 1]);
}

double pol_rho(double shares, double p_mib, double f, double idle_tax)
{
	double k = 1.0 / (1.0 - idle_tax);
	double cost = p_mib * (f + k * (1.0 - f));

	if (!(cost > 0))
		return INFINITY;
	return shares / cost;
}

/* Misses per second saved by growing from @a to @b MiB. */
static double saved(const struct pol_vm_in *v, double a, double b)
{
	return v->curve.refs_per_s *
	       (pol_curve_ratio(&v->curve, a) - pol_curve_ratio(&v->curve, b));
}

/*
 * Never shrunk: swapping in past the threshold (@measured_only), or also
 * when its rate is not known yet. Only a measured storm raises the floor.
 */
static bool storming(const struct pol_global *g, const struct pol_vm_in *v, bool measured_only)
{
	if (!(v->valid & POL_HAVE_ACTUAL) || !(g->swapin_storm_pages_s > 0))
		return false;
	if (v->valid & POL_HAVE_SWAPIN)
		return v->swapin_pages_s > g->swapin_storm_pages_s;
	return !measured_only && (v->valid & POL_SWAPIN_PENDING);
}

/*
 * Step 1: the desired target from the guest metric. The guest's total
 * leaves out what its kernel keeps for itself (image, memmap, reserved
 * memory), added back: as the caller learned it while the balloon stood
 * still, else actual - total now, at most half of actual (against stats
 * older than a deflate). The cap undercounts a small guest: 256 MiB guests
 * keep about 44 MiB, more than half of a 64 MiB actual, and a squeezed one
 * was then asked for less than it ran on, its balloon pressing for good.
 * A guest swapping in while it has less available than its headroom needs
 * more than it uses, how much it cannot say (its usage is bounded by its
 * balloon): it wants its current size plus headroom. So does one swapping
 * out faster than the storm threshold while short of headroom, counting
 * only swap-out its balloon did not cause (the caller's swapout_pages_s):
 * it is filling memory it does not have (a workload starting in a squeezed
 * guest writes before it reads, and its balloon, unable to take more,
 * stays above target). So does one in a swap-in storm that also swaps out
 * faster than the threshold (not the balloon's doing): it thrashes,
 * whatever it reports as available (file cache counts there). A guest
 * swapping in with headroom left and not out, even in a storm, is reading
 * back pages swapped out earlier, which fit: more memory would not bring
 * them in sooner. Its storm keeps it from shrinking (step 3's floor) but
 * does not grow it: growing it regardless held a recovering guest at 202
 * MiB, 80 of them available, while a squeezed one thrashed at its min.
 * Hysteresis damps a guest's noise; it never holds one short of headroom
 * below what it asks for. Its band is a share of the whole target, the
 * headroom one of what the guest uses: an idle 256 MiB guest squeezed to
 * its 64 MiB min used 20 of a total of 20 (its kernel kept 44), asked for
 * 66, and hysteresis (3.2 MiB) held it at 64 with nothing available.
 */
static uint64_t desire(const struct pol_global *g, const struct pol_vm_in *v,
		       struct pol_vm_out *o)
{
	uint64_t want, hold;

	hold = (v->valid & POL_HAVE_ACTUAL) ? v->actual_mib :
	       (v->valid & POL_HAVE_PREV) ? v->prev_desired_mib : v->max_mib;
	if (v->valid & POL_HELD) {
		want = clamp_u64(hold, v->min_mib, v->max_mib);
		why(o, "held at %llu: no fresh reply", (unsigned long long)want);
		return want;
	}
	if (!(v->valid & POL_HAVE_STATS)) {
		if (v->valid & POL_HAVE_PREV)
			hold = v->prev_desired_mib;
		want = clamp_u64(hold, v->min_mib, v->max_mib);
		why(o, "no guest stats: hold %llu", (unsigned long long)want);
		return want;
	}
	uint64_t used = v->total_mib > v->avail_mib ? v->total_mib - v->avail_mib : 0;
	uint64_t kept = 0;

	if ((v->valid & POL_HAVE_KEPT) &&
	    !((v->valid & POL_HAVE_ACTUAL) && v->total_mib > v->actual_mib)) {
		/* (a total above actual: the balloon's pages count in it, deflate-on-oom) */
		kept = v->kept_mib < v->max_mib ? v->kept_mib : v->max_mib;
	} else if ((v->valid & POL_HAVE_ACTUAL) && v->actual_mib > v->total_mib) {
		kept = v->actual_mib - v->total_mib;
		if (kept > v->actual_mib / 2)
			kept = v->actual_mib / 2;
	}
	want = (uint64_t)ceil((double)used * (100.0 + g->headroom_pct) / 100.0) + kept;
	if (kept)
		why(o, "used %llu +%g%% +%llu kernel -> %llu", (unsigned long long)used,
		    g->headroom_pct, (unsigned long long)kept, (unsigned long long)want);
	else
		why(o, "used %llu +%g%% -> %llu", (unsigned long long)used, g->headroom_pct,
		    (unsigned long long)want);
	bool short_of_headroom = (double)v->avail_mib * 100.0 < g->headroom_pct * (double)used;
	bool out_storm = (v->valid & POL_HAVE_SWAPOUT) && (v->valid & POL_HAVE_ACTUAL) &&
			 g->swapin_storm_pages_s > 0 &&
			 v->swapout_pages_s > g->swapin_storm_pages_s;
	bool filling = out_storm && short_of_headroom;
	bool thrashing = out_storm && storming(g, v, true);

	bool swapping_in = (v->valid & POL_HAVE_SWAPIN) && (v->valid & POL_HAVE_ACTUAL) &&
			   v->swapin_pages_s > 0 && short_of_headroom;

	if (swapping_in || filling || thrashing) {
		uint64_t grow = (uint64_t)ceil((double)v->actual_mib *
					       (100.0 + g->headroom_pct) / 100.0);

		grow = clamp_u64(grow, v->min_mib, v->max_mib);
		if (grow > want) {
			want = grow;
			why(o, "%s: grow to %llu",
			    swapping_in ? "swapping in, short of memory" :
			    filling ? "swapping out, short of memory" :
			    "thrashing (swap-in and swap-out storms)",
			    (unsigned long long)want);
		}
	}
	want = clamp_u64(want, v->min_mib, v->max_mib);
	if (v->valid & POL_HAVE_PREV) {
		uint64_t prev = v->prev_desired_mib, d = dist(want, prev);
		bool small = (double)d * 100.0 <= g->hysteresis_pct * (double)prev;

		if (small && !(want > prev && short_of_headroom)) {
			if (d)
				why(o, "within hysteresis of %llu", (unsigned long long)prev);
			want = prev;
		} else {
			if (small)
				why(o, "short of headroom: not held at %llu by hysteresis",
				    (unsigned long long)prev);
			if (g->max_step_mib && d > g->max_step_mib) {
				want = want > prev ? prev + g->max_step_mib :
						     prev - g->max_step_mib;
				why(o, "step-bounded to %llu", (unsigned long long)want);
			}
		}
		want = clamp_u64(want, v->min_mib, v->max_mib);
	}
	return want;
}

/*
 * ESX's active fraction f: 1 in a swap-in storm; else the larger of the
 * guest's 1 - free / total and the curve's knee over the VM's current size,
 * where there are both; else whichever there is; else 1. The curve's
 * sources each see part of the guest's references (its swap devices what
 * it swaps, the write scan what it writes, no reads), so its knee is a
 * lower bound of the active set; the guest's non-free memory an upper one
 * (it counts idle caches). Letting the curve lower f below the guest's own
 * figure would tax a guest that mostly reads as idle.
 */
static double active_fraction(const struct pol_global *g, const struct pol_vm_in *v,
			      uint64_t knee)
{
	bool curve = (v->valid & POL_HAVE_CURVE) && (v->valid & POL_HAVE_ACTUAL) &&
		     v->actual_mib;
	bool stats = (v->valid & POL_HAVE_STATS) && v->total_mib;
	double f = 1, fc = 0;

	if ((v->valid & POL_HAVE_SWAPIN) && g->swapin_storm_pages_s > 0 &&
	    v->swapin_pages_s > g->swapin_storm_pages_s)
		return 1;
	if (curve)
		fc = (double)knee / (double)v->actual_mib;
	if (stats)
		f = 1.0 - (double)v->free_mib / (double)v->total_mib;
	if (curve)
		f = stats && f > fc ? f : fc;
	return f < 0 ? 0 : f > 1 ? 1 : f;
}

/*
 * Step 2 under contention: everyone starts at its floor; the rest goes in
 * chunks to the VMs of highest rho (after the chunk), exact ties together
 * so that identical VMs stay identical. ESX reclaims from the lowest rho:
 * the same order seen from the other side.
 */
static void share_out(const struct pol_global *g, const struct pol_vm_in *in,
		      const struct pol_vm_out *o, const uint64_t *cap, uint64_t *t,
		      size_t n, uint64_t remaining, uint64_t chunk)
{
	unsigned int round;
	size_t i;

	for (round = 0; round < POL_MAX_ROUNDS && remaining; round++) {
		double best = -1;
		uint64_t need = 0;
		size_t ties = 0, last = 0;

		for (i = 0; i < n; i++) {
			uint64_t inc;
			double r;

			if (t[i] >= cap[i])
				continue;
			inc = cap[i] - t[i] < chunk ? cap[i] - t[i] : chunk;
			r = pol_rho(in[i].shares, (double)(t[i] + inc),
				    o[i].f, g->idle_tax);
			if (r > best)
				best = r;
		}
		if (best < 0)
			break;
		for (i = 0; i < n; i++) {
			uint64_t inc;

			if (t[i] >= cap[i])
				continue;
			inc = cap[i] - t[i] < chunk ? cap[i] - t[i] : chunk;
			if (pol_rho(in[i].shares, (double)(t[i] + inc),
				    o[i].f, g->idle_tax) == best) {
				need += inc;
				ties++;
				last = i;
			}
		}
		if (need > remaining) {
			if (ties == 1)
				t[last] += remaining;
			break;
		}
		for (i = 0; i < n; i++) {
			uint64_t inc;

			if (t[i] >= cap[i])
				continue;
			inc = cap[i] - t[i] < chunk ? cap[i] - t[i] : chunk;
			if (pol_rho(in[i].shares, (double)(t[i] + inc),
				    o[i].f, g->idle_tax) == best)
				t[i] += inc;
		}
		remaining -= need;
	}
}

/*
 * Step 3 under contention: between VMs with curves, move @mc MiB from the
 * VM that loses the fewest misses/s to the one that saves the most, while
 * the saving beats the loss by the margin (Zhao et al.'s greedy on
 * marginal gains). Floors and caps hold.
 */
static unsigned int curve_balance(const struct pol_global *g, const struct pol_vm_in *in,
				  const uint64_t *floor, const uint64_t *cap, uint64_t *t,
				  unsigned int *flags, size_t n, uint64_t mc)
{
	unsigned int moves = 0;

	while (moves < POL_CURVE_MOVES_MAX) {
		double best_gain = 0, best_loss = INFINITY;
		size_t r = n, d = n, i;

		for (i = 0; i < n; i++) {
			if (!(in[i].valid & POL_HAVE_CURVE) || (in[i].valid & POL_HELD) ||
			    !(in[i].curve.refs_per_s > 0))
				continue;
			if (t[i] + mc <= cap[i]) {
				double s = saved(&in[i], (double)t[i], (double)(t[i] + mc));

				if (s > best_gain) {
					best_gain = s;
					r = i;
				}
			}
		}
		if (r == n)
			break;
		for (i = 0; i < n; i++) {
			if (i == r || !(in[i].valid & POL_HAVE_CURVE) || (in[i].valid & POL_HELD))
				continue;
			if (t[i] >= floor[i] + mc) {
				double l = saved(&in[i], (double)(t[i] - mc), (double)t[i]);

				if (l < 0)
					l = 0;
				if (l < best_loss) {
					best_loss = l;
					d = i;
				}
			}
		}
		if (d == n || !(best_gain > best_loss * (1.0 + g->curve_margin_pct / 100.0)))
			break;
		t[r] += mc;
		t[d] -= mc;
		flags[r] |= POL_OUT_CURVE_GAIN;
		flags[d] |= POL_OUT_CURVE_LOSS;
		moves++;
	}
	return moves;
}

static int check(const struct pol_global *g, const struct pol_vm_in *in, size_t n)
{
	size_t i;

	if (!(g->idle_tax >= 0 && g->idle_tax <= 0.99) || !(g->headroom_pct >= 0) ||
	    !(g->hysteresis_pct >= 0) || !(g->curve_margin_pct >= 0))
		return -1;
	for (i = 0; i < n; i++) {
		if (!(in[i].shares > 0) || !isfinite(in[i].shares) || in[i].min_mib > in[i].max_mib)
			return -1;
		if (!(in[i].valid & POL_HAVE_CURVE))
			continue;
		if (!in[i].curve.n || in[i].curve.n > POL_CURVE_MAX ||
		    !(in[i].curve.refs_per_s >= 0))
			return -1;
	}
	return 0;
}

/* Step 4: the balloon value to command now. */
static void actuate(const struct pol_global *g, const struct pol_vm_in *v, struct pol_vm_out *o)
{
	uint64_t cmd = o->target_mib;

	if (v->valid & POL_HELD)
		return;
	if (!(v->valid & POL_HAVE_ACTUAL)) {
		o->command_mib = cmd;
		o->flags |= POL_OUT_COMMAND;
		why(o, "set %llu (actual unknown)", (unsigned long long)cmd);
		return;
	}
	if (g->max_step_mib && dist(cmd, v->actual_mib) > g->max_step_mib)
		cmd = cmd > v->actual_mib ? v->actual_mib + g->max_step_mib :
					    v->actual_mib - g->max_step_mib;
	if (cmd < v->actual_mib && storming(g, v, false)) {
		o->flags |= POL_OUT_STORM;
		if (v->valid & POL_HAVE_SWAPIN)
			why(o, "swap-in storm (%.0f pages/s): not shrinking below %llu",
			    v->swapin_pages_s, (unsigned long long)v->actual_mib);
		else
			why(o, "swap-in rate not known yet: not shrinking below %llu",
			    (unsigned long long)v->actual_mib);
		cmd = v->actual_mib;
	}
	o->command_mib = cmd;
	if (cmd != v->actual_mib) {
		o->flags |= POL_OUT_COMMAND;
		why(o, "%s %llu -> %llu%s", cmd > v->actual_mib ? "grow" : "shrink",
		    (unsigned long long)v->actual_mib, (unsigned long long)cmd,
		    cmd != o->target_mib ? " (rate-limited)" : "");
	}
}

int pol_decide(const struct pol_global *g, const struct pol_vm_in *in,
	       struct pol_vm_out *out, size_t n, struct pol_result *res)
{
	uint64_t floor[n ? n : 1], cap[n ? n : 1], t[n ? n : 1];
	unsigned int flags[n ? n : 1];
	uint64_t sum_floor = 0, sum_cap = 0, sum = 0, chunk;
	size_t i;

	memset(res, 0, sizeof(*res));
	if (check(g, in, n))
		return -1;
	chunk = g->budget_mib / 16384 + 1;
	res->chunk_mib = chunk;
	for (i = 0; i < n; i++) {
		struct pol_vm_out *o = &out[i];
		const struct pol_vm_in *v = &in[i];

		memset(o, 0, sizeof(*o));
		o->desired_mib = desire(g, v, o);
		o->knee_mib = (v->valid & POL_HAVE_CURVE) ? pol_curve_knee(&v->curve) : 0;
		o->f = active_fraction(g, v, o->knee_mib);
		floor[i] = v->min_mib;
		if (v->valid & POL_HELD) {
			floor[i] = o->desired_mib;
		} else if (storming(g, v, true)) {
			floor[i] = clamp_u64(v->actual_mib, v->min_mib, v->max_mib);
			if (floor[i] >= o->desired_mib)
				why(o, "swap-in storm (%.0f pages/s): kept at %llu",
				    v->swapin_pages_s, (unsigned long long)floor[i]);
		}
		cap[i] = o->desired_mib > floor[i] ? o->desired_mib : floor[i];
		if (g->host_pressure && (v->valid & POL_HAVE_ACTUAL) && cap[i] > v->actual_mib) {
			cap[i] = v->actual_mib > floor[i] ? v->actual_mib : floor[i];
			why(o, "host pressure: no growth");
		}
		flags[i] = 0;
		res->sum_min_mib += v->min_mib;
		res->sum_desired_mib += o->desired_mib;
		sum_floor += floor[i];
	}
	if (res->sum_min_mib > g->budget_mib) {
		res->infeasible = true;
		for (i = 0; i < n; i++) {
			t[i] = in[i].min_mib;
			why(&out[i], "infeasible: mins %llu > budget %llu, given min",
			    (unsigned long long)res->sum_min_mib,
			    (unsigned long long)g->budget_mib);
		}
		goto done;
	}
	if (sum_floor > g->budget_mib) {
		/* held and storming floors do not fit: only the mins are hard */
		sum_floor = 0;
		for (i = 0; i < n; i++) {
			if (floor[i] != in[i].min_mib)
				why(&out[i], "floor %llu dropped: floors exceed budget",
				    (unsigned long long)floor[i]);
			floor[i] = in[i].min_mib;
			sum_floor += floor[i];
		}
	}
	for (i = 0; i < n; i++)
		sum_cap += cap[i];
	if (sum_cap <= g->budget_mib) {
		memcpy(t, cap, n * sizeof(*t));
		goto done;
	}
	res->contended = true;
	memcpy(t, floor, n * sizeof(*t));
	share_out(g, in, out, cap, t, n, g->budget_mib - sum_floor, chunk);
	res->curve_moves = curve_balance(g, in, floor, cap, t, flags, n,
					 g->budget_mib / 512 + chunk);
	for (i = 0; i < n; i++) {
		out[i].flags |= flags[i];
		if (t[i] < cap[i]) {
			out[i].flags |= POL_OUT_CAPPED;
			why(&out[i], "contention: %llu of %llu", (unsigned long long)t[i],
			    (unsigned long long)cap[i]);
		}
		if (flags[i] & POL_OUT_CURVE_GAIN)
			why(&out[i], "curve: gains (steeper)");
		if (flags[i] & POL_OUT_CURVE_LOSS)
			why(&out[i], "curve: gives (flatter)");
	}
done:
	for (i = 0; i < n; i++) {
		out[i].target_mib = t[i];
		out[i].rho = pol_rho(in[i].shares, (double)t[i], out[i].f, g->idle_tax);
		out[i].active_mib = (uint64_t)llround(out[i].f * (double)t[i]);
		sum += t[i];
		actuate(g, &in[i], &out[i]);
	}
	res->sum_target_mib = sum;
	return 0;
}
