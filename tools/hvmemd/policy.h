/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvmemd policy: the pure core (no I/O, no globals, no clock). Given the
 * global settings and, per VM, what was measured this period, it computes
 * each VM's allocation target and the balloon value to command now, with a
 * reason. The formulas are in tools/hvmemd/README.md ("Policy").
 *
 * Every size is in MiB.
 */
#ifndef HVMEMD_POLICY_H
#define HVMEMD_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Most points of a curve handed to the policy. */
#define POL_CURVE_MAX		64
#define POL_REASON_LEN		160

/**
 * struct pol_global - global settings
 * @budget_mib: most memory for all VMs together (sum of targets)
 * @idle_tax: tau in [0, 0.99]: the idle memory tax rate (ESX default 0.75)
 * @headroom_pct: target = used * (1 + headroom_pct / 100)
 * @hysteresis_pct: a desired target moves only when it changes by more than
 *	this percentage of the previous one
 * @max_step_mib: most change of a desired target, and of a balloon
 *	command, per period (0: unbounded)
 * @swapin_storm_pages_s: a guest swapping in faster than this (pages/s) is
 *	never shrunk (0: no storm rule)
 * @curve_margin_pct: curve balancing moves memory only when the receiver
 *	saves this much more misses than the donor loses (default 10)
 * @host_pressure: the host is short of memory (MemAvailable or PSI past
 *	their limits): no target grows above the VM's current size
 */
struct pol_global {
	uint64_t budget_mib;
	double idle_tax;
	double headroom_pct;
	double hysteresis_pct;
	uint64_t max_step_mib;
	double swapin_storm_pages_s;
	double curve_margin_pct;
	bool host_pressure;
};

/**
 * struct pol_curve - a VM's miss-rate curve
 * @n: points (0: no curve)
 * @size_mib: memory sizes, ascending
 * @ratio: miss ratio at each size, 0..1
 * @refs_per_s: references per second recorded by the curve (weights the
 *	ratio into misses per second)
 */
struct pol_curve {
	unsigned int n;
	double size_mib[POL_CURVE_MAX];
	double ratio[POL_CURVE_MAX];
	double refs_per_s;
};

/* struct pol_vm_in.valid bits: which inputs were measured this period */
#define POL_HAVE_STATS		(1u << 0)	/* guest stats: total, available, free */
#define POL_HAVE_ACTUAL		(1u << 1)	/* query-balloon actual */
#define POL_HAVE_PREV		(1u << 2)	/* a previous target */
#define POL_HAVE_SWAPIN		(1u << 3)	/* a swap-in rate (two samples) */
#define POL_HAVE_CURVE		(1u << 4)	/* a miss-rate curve with points */
#define POL_HELD		(1u << 5)	/* no fresh reply: hold at actual/prev */
#define POL_SWAPIN_PENDING	(1u << 6)	/* a swap-in counter but no rate yet: not shrunk */
#define POL_HAVE_SWAPOUT	(1u << 7)	/* a swap-out rate */
#define POL_HAVE_KEPT		(1u << 8)	/* the memory the guest's kernel keeps */

/**
 * struct pol_vm_in - one VM's settings and measurements
 * @shares: ESX shares (> 0)
 * @min_mib: reservation: never below
 * @max_mib: limit: never above (and the VM's configured memory)
 * @valid: POL_HAVE_* / POL_HELD bits
 * @total_mib: guest's total memory (stat-total-memory)
 * @avail_mib: guest's available memory (stat-available-memory)
 * @free_mib: guest's free memory (stat-free-memory)
 * @swapin_pages_s: swap-in rate, pages per second: the guest's, or the
 *	host-seen rate of its hvmem swap devices when that is higher
 * @swapout_pages_s: swap-out rate the balloon did not cause, pages per
 *	second (with POL_HAVE_SWAPOUT): the guest's, or the host-seen rate
 *	(puts to its hvmem swap devices) when that is higher, less the pages
 *	per second the balloon took since the last decision
 * @actual_mib: current guest memory (balloon actual)
 * @kept_mib: what the guest's kernel keeps outside its total (image,
 *	memmap, reserved pages), learned by the caller as actual - total while
 *	the balloon stood still (with POL_HAVE_KEPT); else actual - total now,
 *	at most half of actual
 * @prev_desired_mib: the desired target of the previous period
 * @curve: miss-rate curve (with POL_HAVE_CURVE)
 */
struct pol_vm_in {
	double shares;
	uint64_t min_mib, max_mib;
	unsigned int valid;
	uint64_t total_mib, avail_mib, free_mib;
	double swapin_pages_s;
	double swapout_pages_s;
	uint64_t actual_mib;
	uint64_t kept_mib;
	uint64_t prev_desired_mib;
	struct pol_curve curve;
};

/* struct pol_vm_out.flags */
#define POL_OUT_STORM		(1u << 0)	/* swap-in storm: not shrunk */
#define POL_OUT_CAPPED		(1u << 1)	/* got less than desired (contention) */
#define POL_OUT_CURVE_GAIN	(1u << 2)	/* curve balancing gave it memory */
#define POL_OUT_CURVE_LOSS	(1u << 3)	/* curve balancing took memory */
#define POL_OUT_COMMAND		(1u << 4)	/* @command_mib should be sent */

/**
 * struct pol_vm_out - one VM's decision
 * @desired_mib: target from the guest metric (hysteresis and step applied)
 * @target_mib: allocation target after shares, idle tax, curves and budget
 * @command_mib: balloon value to command now (target, rate-limited and
 *	never below actual during a swap-in storm); with POL_OUT_COMMAND
 * @f: active fraction (ESX's f), 0..1
 * @active_mib: active memory estimate at the target, f * target
 * @rho: shares per MiB with idle tax at the target, S / (P (f + k (1 - f)))
 * @knee_mib: the curve's knee (0 without a curve)
 * @flags: POL_OUT_*
 * @reason: why, in words
 */
struct pol_vm_out {
	uint64_t desired_mib;
	uint64_t target_mib;
	uint64_t command_mib;
	double f;
	uint64_t active_mib;
	double rho;
	uint64_t knee_mib;
	unsigned int flags;
	char reason[POL_REASON_LEN];
};

/**
 * struct pol_result - the period's global outcome
 * @sum_target_mib: sum of targets (<= budget unless @infeasible)
 * @sum_min_mib: sum of the mins
 * @sum_desired_mib: sum of the desired targets
 * @infeasible: the mins exceed the budget: every VM gets its min
 * @contended: the desired targets exceed the budget
 * @chunk_mib: allocation granularity used
 * @curve_moves: chunks moved by curve balancing
 */
struct pol_result {
	uint64_t sum_target_mib, sum_min_mib, sum_desired_mib;
	bool infeasible, contended;
	uint64_t chunk_mib;
	unsigned int curve_moves;
};

/* Miss ratio of @c at @mib (linear between points, flat past the ends). */
double pol_curve_ratio(const struct pol_curve *c, double mib);
/* The knee: the smallest size within 5% of the curve's drop from its end. */
uint64_t pol_curve_knee(const struct pol_curve *c);
/* Swap-out rate less what the balloon took in @dt_s s (pages/s, >= 0). */
double pol_swapout_not_ballooned(double rate, uint64_t prev_actual_mib, uint64_t actual_mib,
				 double dt_s);
/* ESX's shares per MiB with idle tax: S / (P (f + k (1 - f))), k = 1 / (1 - tau). */
double pol_rho(double shares, double p_mib, double f, double idle_tax);

/*
 * Decide one period for @n VMs. @out[i] answers @in[i]. Returns 0, or -1 if
 * an input is invalid (min > max, shares <= 0, idle_tax out of range).
 */
int pol_decide(const struct pol_global *g, const struct pol_vm_in *in,
	       struct pol_vm_out *out, size_t n, struct pol_result *res);

#endif /* HVMEMD_POLICY_H */
