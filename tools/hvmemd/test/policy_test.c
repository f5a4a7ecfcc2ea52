// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of hvmemd's policy core (tools/hvmemd/policy.c):
 * table-driven cases (budget, min/max, equal VMs, idle tax, curves,
 * hysteresis, step, storm, missing metrics) and randomized property tests.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../policy.h"
#include "kselftest_harness.h"

static const struct pol_global G0 = {
	.budget_mib = 4096, .idle_tax = 0.75, .headroom_pct = 10, .hysteresis_pct = 5,
	.max_step_mib = 0, .swapin_storm_pages_s = 1000, .curve_margin_pct = 10,
};

/* A VM with guest stats: total, available, free (MiB); actual = total. */
static struct pol_vm_in vm(uint64_t total, uint64_t avail, uint64_t free_)
{
	struct pol_vm_in v = {
		.shares = 1000, .min_mib = 0, .max_mib = 1u << 20,
		.valid = POL_HAVE_STATS | POL_HAVE_ACTUAL,
		.total_mib = total, .avail_mib = avail, .free_mib = free_, .actual_mib = total,
	};
	return v;
}

/* A linear curve falling from 1 at 0 to 0 at @ws MiB, flat past it. */
static void curve_linear(struct pol_vm_in *v, double ws, double refs)
{
	unsigned int i;

	v->valid |= POL_HAVE_CURVE;
	v->curve.n = 32;
	v->curve.refs_per_s = refs;
	for (i = 0; i < 32; i++) {
		v->curve.size_mib[i] = ws * 2 * (i + 1) / 32;
		v->curve.ratio[i] = v->curve.size_mib[i] >= ws ? 0 : 1 - v->curve.size_mib[i] / ws;
	}
}

static void curve_flat(struct pol_vm_in *v, double ratio, double refs)
{
	unsigned int i;

	v->valid |= POL_HAVE_CURVE;
	v->curve.n = 8;
	v->curve.refs_per_s = refs;
	for (i = 0; i < 8; i++) {
		v->curve.size_mib[i] = 512.0 * (i + 1);
		v->curve.ratio[i] = ratio;
	}
}

static uint64_t sum_targets(const struct pol_vm_out *o, size_t n)
{
	uint64_t s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += o[i].target_mib;
	return s;
}

struct budget_case {
	const char *name;
	uint64_t budget;
	unsigned int n;
	uint64_t total[4], avail[4], free_[4], min[4], max[4];
	double shares[4];
	bool contended, infeasible;
};

static const struct budget_case budget_cases[] = {
	{ "fits", 8192, 3, { 2048, 2048, 2048 }, { 1024, 1024, 1024 }, { 512, 512, 512 },
	  { 0 }, { 4096, 4096, 4096 }, { 1000, 1000, 1000 }, false, false },
	{ "contended", 2000, 3, { 2048, 2048, 2048 }, { 100, 200, 300 }, { 50, 50, 50 },
	  { 256, 256, 256 }, { 4096, 4096, 4096 }, { 1000, 500, 2000 }, true, false },
	{ "mins hold", 1000, 2, { 4096, 4096 }, { 0, 0 }, { 0, 0 }, { 400, 500 },
	  { 8192, 8192 }, { 1, 1000 }, true, false },
	{ "infeasible", 1000, 3, { 4096, 4096, 4096 }, { 0 }, { 0 }, { 400, 400, 400 },
	  { 8192, 8192, 8192 }, { 1000, 1000, 1000 }, false, true },
	{ "max caps", 100000, 2, { 8192, 8192 }, { 0, 0 }, { 0, 0 }, { 0, 0 }, { 1024, 2048 },
	  { 1000, 1000 }, false, false },
	{ "zero budget", 0, 2, { 1024, 1024 }, { 0, 0 }, { 0, 0 }, { 0, 0 }, { 1024, 1024 },
	  { 1, 1 }, true, false },
};

TEST(budget_min_max_table)
{
	unsigned int c, i;

	for (c = 0; c < sizeof(budget_cases) / sizeof(budget_cases[0]); c++) {
		const struct budget_case *bc = &budget_cases[c];
		struct pol_global g = G0;
		struct pol_vm_in in[4];
		struct pol_vm_out out[4];
		struct pol_result res;

		g.budget_mib = bc->budget;
		for (i = 0; i < bc->n; i++) {
			in[i] = vm(bc->total[i], bc->avail[i], bc->free_[i]);
			in[i].min_mib = bc->min[i];
			in[i].max_mib = bc->max[i];
			in[i].shares = bc->shares[i];
		}
		ASSERT_EQ(0, pol_decide(&g, in, out, bc->n, &res)) TH_LOG("%s", bc->name);
		EXPECT_EQ(bc->infeasible, res.infeasible) TH_LOG("%s", bc->name);
		EXPECT_EQ(bc->contended, res.contended) TH_LOG("%s", bc->name);
		if (!bc->infeasible)
			EXPECT_LE(sum_targets(out, bc->n), bc->budget) TH_LOG("%s", bc->name);
		for (i = 0; i < bc->n; i++) {
			EXPECT_GE(out[i].target_mib, bc->min[i]) TH_LOG("%s vm %u", bc->name, i);
			EXPECT_LE(out[i].target_mib, bc->max[i]) TH_LOG("%s vm %u", bc->name, i);
			if (bc->infeasible)
				EXPECT_EQ(bc->min[i], out[i].target_mib);
		}
	}
}

/* Without contention each VM gets used * (1 + headroom), clamped. */
TEST(target_from_guest_metric)
{
	struct pol_vm_in in[2] = { vm(2048, 1048, 500), vm(4096, 96, 0) };
	struct pol_vm_out out[2];
	struct pol_result res;

	struct pol_global g = G0;

	g.budget_mib = 8192;
	in[1].max_mib = 3000;
	ASSERT_EQ(0, pol_decide(&g, in, out, 2, &res));
	EXPECT_FALSE(res.contended);
	EXPECT_EQ(1100, out[0].target_mib);	/* 1000 used + 10% */
	EXPECT_EQ(3000, out[1].target_mib);	/* 4400 capped by max */
	EXPECT_TRUE(out[0].flags & POL_OUT_COMMAND);
	EXPECT_EQ(1100, out[0].command_mib);
	EXPECT_NE(NULL, strstr(out[0].reason, "shrink 2048 -> 1100"));
}

/*
 * The guest's total leaves out its kernel's own memory (actual - total):
 * added back to the target, else a small guest is ballooned below what it
 * runs on. A guest squeezed below its working set swaps in with nothing
 * available: its usage cannot show what it needs, so it grows by headroom.
 */
TEST(target_counts_kernel_memory_and_grows_a_swapping_guest)
{
	struct pol_vm_in in[2] = { vm(200, 100, 50), vm(100, 2, 1) };
	struct pol_vm_out out[2];
	struct pol_result res;
	struct pol_global g = G0;

	g.budget_mib = 8192;
	in[0].actual_mib = 230;			/* 30 MiB the guest does not manage */
	in[1].actual_mib = 120;
	ASSERT_EQ(0, pol_decide(&g, in, out, 2, &res));
	EXPECT_EQ(140, out[0].target_mib);	/* 100 used + 10% + 30 */
	EXPECT_NE(NULL, strstr(out[0].reason, "+30 kernel"));
	EXPECT_EQ(128, out[1].target_mib);	/* 98 + 10% -> 108, + 20: no storm */
	/* the same guest swapping in, even slowly (no storm): its size + 10% */
	in[1].valid |= POL_HAVE_SWAPIN;
	in[1].swapin_pages_s = 3;
	ASSERT_EQ(0, pol_decide(&g, in, out, 2, &res));
	EXPECT_EQ(132, out[1].target_mib);
	EXPECT_EQ(132, out[1].command_mib);
	EXPECT_NE(NULL, strstr(out[1].reason, "short of memory"));
	in[1].swapin_pages_s = 5000;
	ASSERT_EQ(0, pol_decide(&g, in, out, 2, &res));
	EXPECT_EQ(132, out[1].target_mib);
	/*
	 * a storm with headroom left: it reads back pages that fit, so its
	 * usage speaks (70 + 10% -> 77, + 20), and the storm keeps it at 120
	 */
	in[1].avail_mib = 30;
	ASSERT_EQ(0, pol_decide(&g, in, out, 2, &res));
	EXPECT_EQ(97, out[1].desired_mib);
	EXPECT_EQ(120, out[1].target_mib);
	EXPECT_EQ(NULL, strstr(out[1].reason, "short of memory"));
	EXPECT_NE(NULL, strstr(out[1].reason, "swap-in storm"));
	/* ... unless it also swaps out as fast: it thrashes, it grows */
	in[1].valid |= POL_HAVE_SWAPOUT;
	in[1].swapout_pages_s = 2000;
	ASSERT_EQ(0, pol_decide(&g, in, out, 2, &res));
	EXPECT_EQ(132, out[1].desired_mib);
	EXPECT_NE(NULL, strstr(out[1].reason, "thrashing"));
	/* swap-out under the threshold: reading back only */
	in[1].swapout_pages_s = 500;
	ASSERT_EQ(0, pol_decide(&g, in, out, 2, &res));
	EXPECT_EQ(97, out[1].desired_mib);
	in[1].valid &= ~POL_HAVE_SWAPOUT;
	/* swapping in slowly with headroom left: usage speaks for itself */
	in[1].swapin_pages_s = 3;
	ASSERT_EQ(0, pol_decide(&g, in, out, 2, &res));
	EXPECT_EQ(97, out[1].desired_mib);	/* 70 + 10% -> 77, + 20 */
	EXPECT_EQ(97, out[1].target_mib);	/* no storm: it may shrink */
	/* stale stats (total far below actual) count at most half of actual */
	in[0].total_mib = 10;
	in[0].avail_mib = 5;
	in[0].free_mib = 5;
	ASSERT_EQ(0, pol_decide(&g, in, out, 2, &res));
	EXPECT_EQ(6 + 115, out[0].target_mib);
}

/*
 * A squeezed guest starting a workload writes before it reads: it swaps out
 * (measured by the guest, or by the host as puts to its hvmem swap device)
 * and swaps nothing in yet. Past the storm threshold and short of headroom
 * it grows; not below the threshold, not with headroom left. What the
 * balloon itself pushed out does not count (pol_swapout_not_ballooned()).
 */
TEST(a_squeezed_guest_filling_memory_grows)
{
	struct pol_vm_in in[1] = { vm(23, 0, 0) };
	struct pol_vm_out out[1];
	struct pol_result res;
	struct pol_global g = G0;

	g.swapin_storm_pages_s = 10;
	in[0].min_mib = 64;
	in[0].actual_mib = 67;			/* the guest's kernel keeps 44 (33 counted) */
	in[0].valid |= POL_HAVE_PREV | POL_HAVE_SWAPIN | POL_HAVE_SWAPOUT;
	in[0].prev_desired_mib = 67;
	in[0].swapin_pages_s = 0;
	in[0].swapout_pages_s = 40;
	ASSERT_EQ(0, pol_decide(&g, in, out, 1, &res));
	EXPECT_EQ(74, out[0].desired_mib);	/* 67 + 10% */
	EXPECT_EQ(74, out[0].target_mib);
	EXPECT_NE(NULL, strstr(out[0].reason, "swapping out, short of memory"));
	/* below the threshold: usage alone (23 + 10% + 33 -> 59, min 64, hysteresis: 67) */
	in[0].swapout_pages_s = 10;
	ASSERT_EQ(0, pol_decide(&g, in, out, 1, &res));
	EXPECT_EQ(67, out[0].desired_mib);
	/* headroom left: not short of memory */
	in[0].swapout_pages_s = 40;
	in[0].avail_mib = 10;
	ASSERT_EQ(0, pol_decide(&g, in, out, 1, &res));
	EXPECT_EQ(NULL, strstr(out[0].reason, "short of memory"));
	/* no swap-out rate known: no rule */
	in[0].avail_mib = 0;
	in[0].valid &= ~POL_HAVE_SWAPOUT;
	ASSERT_EQ(0, pol_decide(&g, in, out, 1, &res));
	EXPECT_EQ(67, out[0].desired_mib);
}

/*
 * A 256 MiB guest keeps about 44 MiB outside its total. Squeezed to 67 MiB
 * with nothing available, the cap of actual / 2 counted 33 of them: asked
 * for 64, below what it ran on, its balloon pressed on, and the swap-out
 * it caused hid the guest's own. Learned (POL_HAVE_KEPT), all 44 count.
 */
TEST(learned_kernel_memory_counts_whole)
{
	struct pol_vm_in in[1] = { vm(23, 0, 0) };
	struct pol_vm_out out[1];
	struct pol_result res;
	struct pol_global g = G0;

	in[0].min_mib = 64;
	in[0].actual_mib = 67;
	ASSERT_EQ(0, pol_decide(&g, in, out, 1, &res));
	EXPECT_EQ(64, out[0].desired_mib);	/* 26 + 33 -> 59, min 64: below 67 */
	in[0].valid |= POL_HAVE_KEPT;
	in[0].kept_mib = 44;
	ASSERT_EQ(0, pol_decide(&g, in, out, 1, &res));
	EXPECT_EQ(70, out[0].desired_mib);	/* 23 + 10% -> 26, + 44 */
	EXPECT_NE(NULL, strstr(out[0].reason, "+44 kernel"));
	/* learned, it counts whatever total says now (stale or not) */
	in[0].total_mib = 10;
	ASSERT_EQ(0, pol_decide(&g, in, out, 1, &res));
	EXPECT_EQ(64, out[0].desired_mib);	/* 11 + 44 -> 55, min 64 */
	/*
	 * deflate-on-oom: the balloon's pages stay in total (total above
	 * actual), the kernel's memory is already inside: not added again
	 */
	in[0].total_mib = 200;
	in[0].avail_mib = 150;
	in[0].actual_mib = 120;
	ASSERT_EQ(0, pol_decide(&g, in, out, 1, &res));
	EXPECT_EQ(64, out[0].desired_mib);	/* 50 + 10% -> 55, min 64 */
	EXPECT_EQ(NULL, strstr(out[0].reason, "kernel"));
	in[0].total_mib = 10;
	in[0].avail_mib = 0;
	in[0].actual_mib = 67;
	/* a bogus learned value is bounded by max */
	in[0].max_mib = 256;
	in[0].kept_mib = UINT64_MAX;
	ASSERT_EQ(0, pol_decide(&g, in, out, 1, &res));
	EXPECT_EQ(256, out[0].desired_mib);
}

TEST(swapout_the_balloon_caused_does_not_count)
{
	/* 40 pages/s; the balloon took 4 MiB in 2 s: 512 pages/s */
	EXPECT_EQ(0, pol_swapout_not_ballooned(40, 74, 70, 2));
	/* it took 0.1 MiB/s: 25.6 pages/s of the 40 */
	EXPECT_TRUE(fabs(pol_swapout_not_ballooned(40, 71, 70, 10) - 14.4) < 1e-9);
	/* it gave memory back, or stayed: all of it counts */
	EXPECT_EQ(40, pol_swapout_not_ballooned(40, 70, 74, 2));
	EXPECT_EQ(40, pol_swapout_not_ballooned(40, 70, 70, 2));
	/* no interval: nothing known about the balloon */
	EXPECT_EQ(40, pol_swapout_not_ballooned(40, 74, 70, 0));
}

TEST(identical_vms_equal)
{
	static const double taus[] = { 0, 0.5, 0.75, 0.99 };
	static const uint64_t budgets[] = { 999, 1000, 3001, 4096, 100000 };
	unsigned int a, b, i;

	for (a = 0; a < 4; a++) {
		for (b = 0; b < 5; b++) {
			struct pol_global g = G0;
			struct pol_vm_in in[3];
			struct pol_vm_out out[3];
			struct pol_result res;

			g.idle_tax = taus[a];
			g.budget_mib = budgets[b];
			for (i = 0; i < 3; i++)
				in[i] = vm(4096, 1024, 512);
			ASSERT_EQ(0, pol_decide(&g, in, out, 3, &res));
			EXPECT_EQ(out[0].target_mib, out[1].target_mib);
			EXPECT_EQ(out[1].target_mib, out[2].target_mib);
			EXPECT_LE(sum_targets(out, 3), g.budget_mib);
			/* at most one chunk per VM left unallocated */
			if (res.contended)
				EXPECT_GE(sum_targets(out, 3) + 3 * res.chunk_mib, g.budget_mib);
		}
	}
}

/* Busy: nothing free. Idle: mostly free. Both want more than the budget. */
TEST(idle_tax)
{
	struct pol_vm_in in[2] = { vm(4096, 200, 0), vm(4096, 2600, 2400) };
	struct pol_vm_out out[2];
	struct pol_result res;
	struct pol_global g = G0;
	uint64_t busy75;

	g.budget_mib = 2000;
	g.idle_tax = 0;
	ASSERT_EQ(0, pol_decide(&g, in, out, 2, &res));
	ASSERT_TRUE(res.contended);
	EXPECT_EQ(out[0].target_mib, out[1].target_mib);
	EXPECT_EQ(1000, out[0].target_mib);

	g.idle_tax = 0.75;
	ASSERT_EQ(0, pol_decide(&g, in, out, 2, &res));
	EXPECT_GT(out[0].target_mib, out[1].target_mib + 200);
	EXPECT_LE(out[0].target_mib + out[1].target_mib, 2000);
	/* f = 1 - free / total; water-filling on rho: P_busy = 2.758 P_idle */
	EXPECT_TRUE(fabs(out[1].f - (1 - 2400.0 / 4096)) < 1e-9);
	EXPECT_TRUE(out[1].target_mib >= 525 && out[1].target_mib <= 540);
	busy75 = out[0].target_mib;
	/* a higher tax takes more */
	g.idle_tax = 0.9;
	ASSERT_EQ(0, pol_decide(&g, in, out, 2, &res));
	EXPECT_GT(out[0].target_mib, busy75);
	/* rho: idle pages cost k = 1 / (1 - tau) */
	EXPECT_TRUE(fabs(pol_rho(1000, 100, 0.25, 0.75) - 1000.0 / (25 + 4 * 75)) < 1e-9);
	EXPECT_TRUE(fabs(pol_rho(1000, 100, 0.25, 0) - 10.0) < 1e-9);
}

TEST(curve_only_raises_the_active_fraction)
{
	/* 4096 MiB, 400 free: the guest says f = 0.902 */
	struct pol_vm_in in[2] = { vm(4096, 600, 400), vm(4096, 600, 400) };
	struct pol_vm_out out[2];
	struct pol_result res;
	struct pol_global g = G0;
	double fs = 1 - 400.0 / 4096;

	g.budget_mib = 3000;
	/* a curve whose knee (writes only, say) is 512 MiB: f stays the guest's */
	curve_linear(&in[0], 512, 1000);
	ASSERT_EQ(0, pol_decide(&g, in, out, 2, &res));
	EXPECT_EQ(512, out[0].knee_mib);
	EXPECT_TRUE(fabs(out[0].f - fs) < 1e-9);
	EXPECT_TRUE(fabs(out[1].f - fs) < 1e-9);
	/* a knee at 4000 MiB raises it */
	in[0] = vm(4096, 600, 400);
	curve_linear(&in[0], 4000, 1000);
	ASSERT_EQ(0, pol_decide(&g, in, out, 2, &res));
	EXPECT_TRUE(fabs(out[0].f - 4000.0 / 4096) < 0.01);
	/* without the guest's statistics the curve's f stands */
	in[0] = vm(4096, 600, 400);
	in[0].valid &= ~POL_HAVE_STATS;
	in[0].prev_desired_mib = 2000;
	in[0].valid |= POL_HAVE_PREV;
	curve_linear(&in[0], 512, 1000);
	ASSERT_EQ(0, pol_decide(&g, in, out, 2, &res));
	EXPECT_TRUE(fabs(out[0].f - 512.0 / 4096) < 0.01);
}

TEST(shares)
{
	struct pol_vm_in in[2] = { vm(4096, 0, 0), vm(4096, 0, 0) };
	struct pol_vm_out out[2];
	struct pol_result res;
	struct pol_global g = G0;

	g.budget_mib = 3000;
	in[0].shares = 2000;
	ASSERT_EQ(0, pol_decide(&g, in, out, 2, &res));
	EXPECT_TRUE(out[0].target_mib >= 1990 && out[0].target_mib <= 2010);
	EXPECT_TRUE(out[1].target_mib >= 990 && out[1].target_mib <= 1010);
}

TEST(steeper_curve_gains)
{
	struct pol_vm_in in[2] = { vm(4096, 0, 0), vm(4096, 0, 0) };
	struct pol_vm_out out[2];
	struct pol_result res;
	struct pol_global g = G0;

	g.budget_mib = 3000;
	g.idle_tax = 0;
	curve_linear(&in[0], 2500, 1000);
	curve_flat(&in[1], 0.2, 1000);
	ASSERT_EQ(0, pol_decide(&g, in, out, 2, &res));
	EXPECT_GT(out[0].target_mib, 1500 + 500);
	EXPECT_LE(out[0].target_mib + out[1].target_mib, 3000);
	EXPECT_TRUE(out[0].flags & POL_OUT_CURVE_GAIN);
	EXPECT_TRUE(out[1].flags & POL_OUT_CURVE_LOSS);
	EXPECT_GT(res.curve_moves, 0);
	EXPECT_EQ(2500, out[0].knee_mib);

	/* two steep curves, one twice as hot: the hot one gains */
	in[1] = vm(4096, 0, 0);
	curve_linear(&in[1], 2500, 500);
	ASSERT_EQ(0, pol_decide(&g, in, out, 2, &res));
	EXPECT_GT(out[0].target_mib, out[1].target_mib);

	/* equal curves: nothing moves */
	curve_linear(&in[1], 2500, 1000);
	ASSERT_EQ(0, pol_decide(&g, in, out, 2, &res));
	EXPECT_EQ(out[0].target_mib, out[1].target_mib);
	EXPECT_EQ(0, res.curve_moves);
}

TEST(hysteresis_and_step)
{
	struct pol_vm_in in = vm(2048, 1048, 500);	/* wants 1100 */
	struct pol_vm_out out;
	struct pol_result res;
	struct pol_global g = G0;

	in.valid |= POL_HAVE_PREV;
	in.prev_desired_mib = 1080;	/* within 5% */
	ASSERT_EQ(0, pol_decide(&g, &in, &out, 1, &res));
	EXPECT_EQ(1080, out.desired_mib);
	in.prev_desired_mib = 1000;	/* 10% away: moves */
	ASSERT_EQ(0, pol_decide(&g, &in, &out, 1, &res));
	EXPECT_EQ(1100, out.desired_mib);
	g.max_step_mib = 64;
	in.prev_desired_mib = 2000;
	ASSERT_EQ(0, pol_decide(&g, &in, &out, 1, &res));
	EXPECT_EQ(1936, out.desired_mib);
	/* the balloon command is rate-limited from actual (2048) */
	EXPECT_EQ(1984, out.command_mib);
	EXPECT_TRUE(out.flags & POL_OUT_COMMAND);
}

/*
 * Measured (guest_sched.sh, hvmemd from boot): an idle 256 MiB guest at its
 * 64 MiB min used all of its total of 20 (its kernel kept 44) and asked for
 * 20 + 10% + 44 = 66; hysteresis (5% of 64) held it at 64 with nothing
 * available.
 */
TEST(hysteresis_never_holds_a_guest_short_of_headroom)
{
	struct pol_vm_in in = vm(20, 0, 0);
	struct pol_vm_out out;
	struct pol_result res;
	struct pol_global g = G0;

	in.min_mib = 64;
	in.actual_mib = 64;
	in.valid |= POL_HAVE_KEPT | POL_HAVE_PREV;
	in.kept_mib = 44;
	in.prev_desired_mib = 64;
	ASSERT_EQ(0, pol_decide(&g, &in, &out, 1, &res));
	EXPECT_EQ(66, out.desired_mib);
	EXPECT_EQ(66, out.target_mib);
	EXPECT_NE(NULL, strstr(out.reason, "short of headroom"));
	/* still step-bounded */
	g.max_step_mib = 1;
	ASSERT_EQ(0, pol_decide(&g, &in, &out, 1, &res));
	EXPECT_EQ(65, out.desired_mib);
	EXPECT_NE(NULL, strstr(out.reason, "step-bounded to 65"));
	g.max_step_mib = 0;
	/* its headroom there (2 of 18 used), asking for 18 + 10% + 45 = 65: held */
	in.avail_mib = 2;
	in.kept_mib = 45;
	ASSERT_EQ(0, pol_decide(&g, &in, &out, 1, &res));
	EXPECT_EQ(64, out.desired_mib);
	EXPECT_NE(NULL, strstr(out.reason, "within hysteresis of 64"));
	/* a large guest: 80 available of 920 used is short, 100 of 900 is not */
	in = vm(1000, 80, 40);
	in.valid |= POL_HAVE_PREV;
	in.prev_desired_mib = 980;
	ASSERT_EQ(0, pol_decide(&g, &in, &out, 1, &res));
	EXPECT_EQ(1012, out.desired_mib);	/* 920 + 10% */
	in.avail_mib = 100;
	in.prev_desired_mib = 960;
	ASSERT_EQ(0, pol_decide(&g, &in, &out, 1, &res));
	EXPECT_EQ(960, out.desired_mib);	/* wants 990: within 5% of 960 */
	EXPECT_NE(NULL, strstr(out.reason, "within hysteresis"));
	/* short of headroom but asking for less: hysteresis as before */
	in.avail_mib = 80;
	in.prev_desired_mib = 1040;
	ASSERT_EQ(0, pol_decide(&g, &in, &out, 1, &res));
	EXPECT_EQ(1040, out.desired_mib);
}

TEST(swapin_storm)
{
	struct pol_vm_in in[2] = { vm(2048, 1500, 1400), vm(4096, 0, 0) };
	struct pol_vm_out out[2];
	struct pol_result res;
	struct pol_global g = G0;

	g.budget_mib = 4096;
	in[0].valid |= POL_HAVE_SWAPIN;
	in[0].swapin_pages_s = 5000;
	ASSERT_EQ(0, pol_decide(&g, in, out, 2, &res));
	EXPECT_TRUE(out[0].flags & POL_OUT_STORM || out[0].target_mib >= 2048);
	EXPECT_GE(out[0].command_mib, 2048);
	EXPECT_LE(sum_targets(out, 2), 4096);
	/* a budget too small for the storm floor: target drops, command does not */
	g.budget_mib = 2500;
	ASSERT_EQ(0, pol_decide(&g, in, out, 2, &res));
	EXPECT_LE(sum_targets(out, 2), 2500);
	EXPECT_EQ(2048, out[0].command_mib);
	EXPECT_FALSE(out[0].flags & POL_OUT_COMMAND);
	/* under the threshold it shrinks */
	in[0].swapin_pages_s = 10;
	ASSERT_EQ(0, pol_decide(&g, in, out, 2, &res));
	EXPECT_LT(out[0].command_mib, 2048);
	/* a counter without a rate yet: not shrunk either */
	in[0].valid &= ~POL_HAVE_SWAPIN;
	in[0].valid |= POL_SWAPIN_PENDING;
	ASSERT_EQ(0, pol_decide(&g, in, out, 2, &res));
	EXPECT_EQ(2048, out[0].command_mib);
	EXPECT_NE(NULL, strstr(out[0].reason, "not known yet"));
}

TEST(missing_metrics)
{
	struct pol_vm_in in[3] = { vm(2048, 1048, 500), vm(2048, 0, 0), vm(2048, 0, 0) };
	struct pol_vm_out out[3];
	struct pol_result res;
	struct pol_global g = G0;

	in[0].valid = 0;			/* nothing known: hold at max */
	in[0].max_mib = 1500;
	in[1].valid = POL_HAVE_ACTUAL;	/* no stats: hold actual */
	in[1].actual_mib = 1200;
	in[2].valid |= POL_HELD;		/* malformed reply: held, no command */
	ASSERT_EQ(0, pol_decide(&G0, in, out, 3, &res));
	EXPECT_TRUE(res.contended);
	g.budget_mib = 8192;
	ASSERT_EQ(0, pol_decide(&g, in, out, 3, &res));
	EXPECT_EQ(1500, out[0].target_mib);
	EXPECT_EQ(1200, out[1].target_mib);
	EXPECT_FALSE(out[1].flags & POL_OUT_COMMAND);
	EXPECT_EQ(2048, out[2].target_mib);
	EXPECT_FALSE(out[2].flags & POL_OUT_COMMAND);
	EXPECT_NE(NULL, strstr(out[1].reason, "no guest stats"));
}

TEST(host_pressure)
{
	struct pol_vm_in in = vm(2048, 0, 0);
	struct pol_vm_out out;
	struct pol_result res;
	struct pol_global g = G0;

	in.actual_mib = 1024;
	g.host_pressure = true;
	ASSERT_EQ(0, pol_decide(&g, &in, &out, 1, &res));
	EXPECT_EQ(1024, out.target_mib);
	g.host_pressure = false;
	ASSERT_EQ(0, pol_decide(&g, &in, &out, 1, &res));
	EXPECT_GT(out.target_mib, 1024);
}

TEST(invalid_input)
{
	struct pol_vm_in in = vm(2048, 0, 0);
	struct pol_vm_out out;
	struct pol_result res;
	struct pol_global g = G0;

	in.min_mib = 10;
	in.max_mib = 5;
	EXPECT_EQ(-1, pol_decide(&g, &in, &out, 1, &res));
	in = vm(2048, 0, 0);
	in.shares = 0;
	EXPECT_EQ(-1, pol_decide(&g, &in, &out, 1, &res));
	in.shares = NAN;
	EXPECT_EQ(-1, pol_decide(&g, &in, &out, 1, &res));
	in = vm(2048, 0, 0);
	g.idle_tax = 1;
	EXPECT_EQ(-1, pol_decide(&g, &in, &out, 1, &res));
	EXPECT_EQ(0, pol_decide(&G0, &in, &out, 0, &res));
}

TEST(curve_helpers)
{
	struct pol_curve c = { .n = 2, .size_mib = { 100, 200 }, .ratio = { 0.5, 0.1 } };

	EXPECT_TRUE(fabs(pol_curve_ratio(&c, 0) - 1) < 1e-12);
	EXPECT_TRUE(fabs(pol_curve_ratio(&c, 50) - 0.75) < 1e-12);
	EXPECT_TRUE(fabs(pol_curve_ratio(&c, 150) - 0.3) < 1e-12);
	EXPECT_TRUE(fabs(pol_curve_ratio(&c, 1e9) - 0.1) < 1e-12);
	EXPECT_EQ(200, pol_curve_knee(&c));
}

/* xorshift64*: reproducible random inputs */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(uint64_t n)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return n ? (rnd_state * 2685821657736338717ULL) % n : 0;
}

static void random_vm(struct pol_vm_in *v)
{
	uint64_t total = 64 + rnd(16384);
	unsigned int i;

	memset(v, 0, sizeof(*v));
	v->shares = 1 + (double)rnd(10000);
	v->max_mib = 64 + rnd(16384);
	v->min_mib = rnd(v->max_mib + 1) / (1 + rnd(4));
	v->valid = (unsigned int)rnd(64) & ~POL_HELD;
	if (!rnd(10))
		v->valid |= POL_HELD;
	if (!rnd(8))
		v->valid |= POL_SWAPIN_PENDING;
	v->total_mib = total;
	v->avail_mib = rnd(total + 100);
	v->free_mib = rnd(v->avail_mib + 1);
	v->swapin_pages_s = (double)rnd(3000);
	v->actual_mib = rnd(v->max_mib + 512);
	v->prev_desired_mib = rnd(v->max_mib + 512);
	if (v->valid & POL_HAVE_CURVE) {
		double r = 1, s = 0;

		v->curve.n = 1 + (unsigned int)rnd(POL_CURVE_MAX);
		v->curve.refs_per_s = (double)rnd(100000);
		for (i = 0; i < v->curve.n; i++) {
			s += 1 + (double)rnd(1024);
			r -= (double)rnd(1000) / 1000.0 * r * (rnd(3) ? 0.3 : 1);
			v->curve.size_mib[i] = s;
			v->curve.ratio[i] = r;
		}
	}
}

TEST(random_properties)
{
	enum { RUNS = 3000, MAXN = 12 };
	unsigned int run, i, bad = 0;

	for (run = 0; run < RUNS; run++) {
		struct pol_vm_in in[MAXN];
		struct pol_vm_out out[MAXN], out2[MAXN];
		struct pol_result res, res2;
		struct pol_global g = G0;
		size_t n = 1 + rnd(MAXN - 1);
		uint64_t sum_min = 0;

		g.budget_mib = rnd(65536);
		g.idle_tax = (double)rnd(100) / 100.0;
		g.headroom_pct = (double)rnd(50);
		g.hysteresis_pct = (double)rnd(20);
		g.max_step_mib = rnd(3) ? rnd(2048) : 0;
		g.swapin_storm_pages_s = (double)rnd(2000);
		g.host_pressure = !rnd(5);
		for (i = 0; i < n; i++) {
			random_vm(&in[i]);
			sum_min += in[i].min_mib;
		}
		ASSERT_EQ(0, pol_decide(&g, in, out, n, &res));
		if (res.infeasible) {
			EXPECT_GT(sum_min, g.budget_mib);
		} else {
			EXPECT_LE(sum_targets(out, n), g.budget_mib) TH_LOG("run %u", run);
		}
		EXPECT_EQ(res.sum_target_mib, sum_targets(out, n));
		for (i = 0; i < n; i++) {
			const struct pol_vm_in *v = &in[i];
			const struct pol_vm_out *o = &out[i];
			bool storm = (v->valid & POL_HAVE_ACTUAL) && g.swapin_storm_pages_s > 0 &&
				     ((v->valid & POL_HAVE_SWAPIN) ?
				      v->swapin_pages_s > g.swapin_storm_pages_s :
				      !!(v->valid & POL_SWAPIN_PENDING));

			if (o->target_mib < v->min_mib || o->target_mib > v->max_mib ||
			    o->desired_mib < v->min_mib || o->desired_mib > v->max_mib)
				bad++;
			if (!res.contended && !res.infeasible && !g.host_pressure &&
			    o->target_mib < o->desired_mib)
				bad++;
			if ((v->valid & POL_HAVE_ACTUAL) && (o->flags & POL_OUT_COMMAND)) {
				if (g.max_step_mib &&
				    (o->command_mib > v->actual_mib + g.max_step_mib ||
				     o->command_mib + g.max_step_mib < v->actual_mib))
					bad++;
				if (storm && o->command_mib < v->actual_mib)
					bad++;
				/* the command moves toward the target, never past it */
				if ((o->command_mib > v->actual_mib) != (o->target_mib > v->actual_mib) &&
				    !storm)
					bad++;
			}
			if ((v->valid & POL_HELD) && (o->flags & POL_OUT_COMMAND))
				bad++;
			if (!o->reason[0])
				bad++;
		}
		EXPECT_EQ(0, bad) TH_LOG("run %u", run);
		if (bad)
			break;

		/*
		 * ESX's order, without curves or held VMs: a VM that got memory
		 * above its floor has rho at least that of any VM left below its
		 * cap, one chunk further (nothing to gain by reclaiming from it).
		 */
		for (i = 0; i < n; i++)
			in[i].valid &= ~(POL_HAVE_CURVE | POL_HELD | POL_HAVE_SWAPIN |
					 POL_SWAPIN_PENDING);
		g.host_pressure = false;
		ASSERT_EQ(0, pol_decide(&g, in, out, n, &res));
		if (res.contended) {
			size_t j;

			for (i = 0; i < n; i++) {
				uint64_t cap = out[i].desired_mib;

				if (out[i].target_mib >= cap)
					continue;
				for (j = 0; j < n; j++) {
					double ri = pol_rho(in[i].shares,
							    (double)(out[i].target_mib + res.chunk_mib),
							    out[i].f, g.idle_tax);
					double rj = pol_rho(in[j].shares, (double)out[j].target_mib,
							    out[j].f, g.idle_tax);

					if (j != i && out[j].target_mib > in[j].min_mib &&
					    rj < ri * (1 - 1e-9))
						bad++;
				}
			}
			EXPECT_EQ(0, bad) TH_LOG("run %u: rho order", run);
		}

		/* a twin of VM 0 (no curves, not held) gets the same target */
		for (i = 0; i < n; i++)
			in[i].valid &= ~(POL_HAVE_CURVE | POL_HELD);
		if (n < MAXN) {
			in[n] = in[0];
			ASSERT_EQ(0, pol_decide(&g, in, out2, n + 1, &res2));
			EXPECT_EQ(out2[0].target_mib, out2[n].target_mib) TH_LOG("run %u", run);
			/* more shares never mean less memory */
			ASSERT_EQ(0, pol_decide(&g, in, out, n, &res));
			in[0].shares *= 2;
			ASSERT_EQ(0, pol_decide(&g, in, out2, n, &res2));
			EXPECT_GE(out2[0].target_mib, out[0].target_mib) TH_LOG("run %u", run);
		}
	}
}

TEST_HARNESS_MAIN
