// SPDX-License-Identifier: GPL-2.0
/*
 * Reuse-distance histogram (pure core). See mrc_hist.h.
 */
#include "mrc_hist.h"

/**
 * mrc_mul_div() - a * b / c without intermediate overflow
 * @a: factor
 * @b: factor
 * @c: divisor, not 0
 *
 * Return: floor(a * b / c), saturated to U64 max if it does not fit.
 */
u64 mrc_mul_div(u64 a, u64 b, u64 c)
{
#ifdef __KERNEL__
	return mul_u64_u64_div_u64(a, b, c);
#else
	__uint128_t r = (__uint128_t)a * b / c;

	return r > ~0ULL ? ~0ULL : (u64)r;
#endif
}
EXPORT_SYMBOL_IF_KUNIT(mrc_mul_div);

/**
 * mrc_hist_index() - bin of a distance
 * @dist: reuse distance in pages
 *
 * Return: index in [0, MRC_HIST_BINS).
 */
u32 mrc_hist_index(u64 dist)
{
	u32 order, sub;

	if (dist < MRC_HIST_LINEAR)
		return (u32)dist;
	order = fls64(dist) - 1;
	if (order >= MRC_HIST_MAX_ORDER)
		return MRC_HIST_BINS - 1;
	sub = (u32)(dist >> (order - MRC_HIST_SUB_ORDER)) & (MRC_HIST_SUB - 1);
	return MRC_HIST_LINEAR + (order - MRC_HIST_LINEAR_ORDER) * MRC_HIST_SUB + sub;
}
EXPORT_SYMBOL_IF_KUNIT(mrc_hist_index);

/**
 * mrc_hist_lower() - smallest distance of a bin
 * @idx: bin index
 *
 * Return: the bin's first distance.
 */
u64 mrc_hist_lower(u32 idx)
{
	u32 order, sub;

	if (idx < MRC_HIST_LINEAR)
		return idx;
	order = (idx - MRC_HIST_LINEAR) / MRC_HIST_SUB + MRC_HIST_LINEAR_ORDER;
	sub = (idx - MRC_HIST_LINEAR) % MRC_HIST_SUB;
	return (u64)(MRC_HIST_SUB + sub) << (order - MRC_HIST_SUB_ORDER);
}
EXPORT_SYMBOL_IF_KUNIT(mrc_hist_lower);

/**
 * mrc_hist_upper() - first distance after a bin
 * @idx: bin index
 *
 * Return: the next bin's first distance (2^MRC_HIST_MAX_ORDER for the last).
 */
u64 mrc_hist_upper(u32 idx)
{
	if (idx + 1 >= MRC_HIST_BINS)
		return 1ULL << MRC_HIST_MAX_ORDER;
	return mrc_hist_lower(idx + 1);
}
EXPORT_SYMBOL_IF_KUNIT(mrc_hist_upper);

/**
 * mrc_hist_add() - count a reference
 * @h: histogram
 * @dist: its reuse distance in pages
 * @weight: its weight
 */
void mrc_hist_add(struct mrc_hist *h, u64 dist, u64 weight)
{
	h->bin[mrc_hist_index(dist)] += weight;
}
EXPORT_SYMBOL_IF_KUNIT(mrc_hist_add);

/**
 * mrc_hist_below() - weight of the references with distance below @size
 * @h: histogram
 * @size: cache size in pages
 *
 * Those are the hits of an LRU cache of @size pages. Exact for sizes up to
 * MRC_HIST_LINEAR; above, the bin holding @size is interpolated linearly.
 *
 * Return: the weight.
 */
u64 mrc_hist_below(const struct mrc_hist *h, u64 size)
{
	u32 end, i;
	u64 sum = 0, lo;

	if (size >= (1ULL << MRC_HIST_MAX_ORDER))
		size = (1ULL << MRC_HIST_MAX_ORDER) - 1;
	end = mrc_hist_index(size);
	for (i = 0; i < end; i++)
		sum += h->bin[i];
	lo = mrc_hist_lower(end);
	if (size > lo)
		sum += mrc_mul_div(h->bin[end], size - lo, mrc_hist_upper(end) - lo);
	return sum;
}
EXPORT_SYMBOL_IF_KUNIT(mrc_hist_below);
