// SPDX-License-Identifier: GPL-2.0
/*
 * Miss-rate curve of one reference stream (pure core). See mrc_core.h.
 */
#include "mrc_core.h"

/**
 * mrc_rate_threshold() - threshold for a sampling rate num/den
 * @num: numerator
 * @den: denominator, not 0
 *
 * Return: the threshold, clamped to 1 .. MRC_RATE_ONE.
 */
u64 mrc_rate_threshold(u32 num, u32 den)
{
	u64 t = mrc_mul_div(num, MRC_RATE_ONE, den);

	return clamp(t, 1ULL, MRC_RATE_ONE);
}
EXPORT_SYMBOL_IF_KUNIT(mrc_rate_threshold);

static void mrc_set_threshold(struct mrc *m, u64 t)
{
	m->threshold = t;
	m->unit = div64_u64(MRC_RATE_ONE << MRC_WEIGHT_SHIFT, t);
}

/**
 * mrc_init() - set up an empty curve
 * @m: curve
 * @p: parameters
 *
 * Return: 0, -EINVAL for out-of-range parameters, -ENOMEM.
 */
int mrc_init(struct mrc *m, const struct mrc_params *p)
{
	u32 cap;
	int ret;

	memset(m, 0, sizeof(*m));
	if (!p->threshold || p->threshold > MRC_RATE_ONE || !p->s_max ||
	    p->s_max >= MRC_LRU_MAX_CAP || p->near > MRC_NEAR_MAX ||
	    p->key_shift > MRC_KEY_SHIFT_MAX)
		return -EINVAL;
	cap = clamp(p->init_cap, 2U, p->s_max + 1);
	m->hist = kvzalloc(sizeof(*m->hist), GFP_KERNEL);
	if (!m->hist)
		return -ENOMEM;
	if (p->near) {
		m->near_hist = kvcalloc(p->near, sizeof(*m->near_hist), GFP_KERNEL);
		ret = m->near_hist ? mrc_near_init(&m->near, p->near) : -ENOMEM;
		if (ret) {
			mrc_destroy(m);
			return ret;
		}
		m->near_cap = p->near;
	}
	ret = mrc_lru_init(&m->lru, cap, p->s_max + 1);
	if (ret) {
		mrc_destroy(m);
		return ret;
	}
	m->seed = p->seed;
	m->key_shift = p->key_shift;
	m->s_max = p->s_max;
	mrc_set_threshold(m, p->threshold);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mrc_init);

/**
 * mrc_destroy() - free a curve's memory
 * @m: curve (may have failed mrc_init() or be destroyed already)
 */
void mrc_destroy(struct mrc *m)
{
	mrc_lru_destroy(&m->lru);
	kvfree(m->hist);
	mrc_near_destroy(&m->near);
	kvfree(m->near_hist);
	m->hist = NULL;
	m->near_hist = NULL;
	m->near_cap = 0;
}
EXPORT_SYMBOL_IF_KUNIT(mrc_destroy);

/**
 * mrc_reset() - forget all references, keeping parameters and memory
 * @m: curve
 *
 * The threshold stays where fixed-size sampling has lowered it.
 */
void mrc_reset(struct mrc *m)
{
	mrc_lru_clear(&m->lru);
	memset(m->hist, 0, sizeof(*m->hist));
	m->refs = 0;
	m->sampled = 0;
	m->weight = 0;
	m->cold = 0;
	m->far = 0;
	mrc_near_clear(&m->near);
	if (m->near_cap)
		memset(m->near_hist, 0, m->near_cap * sizeof(*m->near_hist));
}
EXPORT_SYMBOL_IF_KUNIT(mrc_reset);

/* Keep at most s_max pages: drop the largest hv values, lower T to them. */
static void mrc_shrink(struct mrc *m)
{
	while (m->lru.count > m->s_max) {
		u32 t = mrc_lru_max_hv(&m->lru);

		while (m->lru.count && mrc_lru_max_hv(&m->lru) >= t)
			mrc_lru_evict_max(&m->lru);
		if (t < m->threshold) {
			mrc_set_threshold(m, t ? t : 1);
			m->lowered++;
		}
	}
}

/*
 * Move a sampled page to the MRU end. Return: its distance, MRC_LRU_COLD
 * (not seen before), or < 0 when it dropped out of the sample. If growing the sample cannot
 * allocate memory, s_max shrinks to what is allocated (the threshold
 * lowers instead).
 */
static s64 mrc_lru_move(struct mrc *m, u64 page, u32 hv)
{
	s64 d = mrc_lru_access(&m->lru, page, hv);

	if (unlikely(d == -ENOMEM || d == -ENOSPC)) {
		/* Degrade to the memory we have; the pool keeps one spare. */
		m->lru.max_cap = m->lru.cap;
		m->s_max = m->lru.cap - 1;
		mrc_shrink(m);
		if (hv >= m->threshold)
			return -ENOENT;
		d = mrc_lru_access(&m->lru, page, hv);
		if (WARN_ON_ONCE(d < 0))
			return -EINVAL;
	}
	return d;
}

/**
 * mrc_access_sampled() - record a reference to a sampled page
 * @m: curve
 * @page: page number
 * @hv: its hash value, below the threshold
 * @far: not found in the near stack (always true without one)
 *
 * The slow path of mrc_access(), after it counted the reference.
 * O(log s_max). Never fails: if growing the sample cannot allocate memory,
 * s_max shrinks to what is allocated (the threshold lowers instead).
 */
void mrc_access_sampled(struct mrc *m, u64 page, u32 hv, bool far)
{
	s64 d = mrc_lru_move(m, page, hv);

	if (d < 0)
		return;
	m->sampled++;
	if (far) {
		/* With a near stack, only far references are counted here. */
		m->weight += m->unit;
		if (d == MRC_LRU_COLD)
			m->cold += m->unit;
		else
			mrc_hist_add(m->hist, max_t(u64, m->near_cap,
						    mrc_mul_div(d, MRC_RATE_ONE, m->threshold)),
				     m->unit);
	}
	if (d == MRC_LRU_COLD)
		mrc_shrink(m);
}
EXPORT_SYMBOL_IF_KUNIT(mrc_access_sampled);

/**
 * mrc_touch_sampled() - move a sampled page to the MRU end, uncounted
 * @m: curve
 * @page: page number
 * @hv: its hash value, below the threshold
 *
 * The slow path of mrc_touch(). O(log s_max). Never fails.
 */
void mrc_touch_sampled(struct mrc *m, u64 page, u32 hv)
{
	if (mrc_lru_move(m, page, hv) == MRC_LRU_COLD)
		mrc_shrink(m);
}
EXPORT_SYMBOL_IF_KUNIT(mrc_touch_sampled);

/**
 * mrc_miss_ratio() - miss ratio of an LRU cache
 * @m: curve
 * @size: cache size in pages
 *
 * Return: the estimated miss ratio of an LRU cache of @size pages on the
 * references seen, in parts per MRC_RATIO_ONE; 0 before any reference.
 */
u32 mrc_miss_ratio(const struct mrc *m, u64 size)
{
	u64 total = m->refs << MRC_WEIGHT_SHIFT, hits = 0;

	if (!m->refs)
		return 0;
	if (m->near_cap) {
		u32 i, n = (u32)min_t(u64, size, m->near_cap);

		for (i = 0; i < n; i++)
			hits += m->near_hist[i];
		hits <<= MRC_WEIGHT_SHIFT;
		/* far references: the sampled distribution, scaled to their count */
		if (m->weight)
			hits += mrc_mul_div(mrc_hist_below(m->hist, size),
					    m->far << MRC_WEIGHT_SHIFT, m->weight);
		hits = min(hits, total);
	} else if (size) {
		hits = mrc_hist_below(m->hist, size);
		/* SHARDS_adj: expected minus actual sampled weight, at distance 0. */
		if (total >= m->weight)
			hits += total - m->weight;
		else
			hits = hits > m->weight - total ? hits - (m->weight - total) : 0;
		hits = min(hits, total);
	}
	return (u32)mrc_mul_div(total - hits, MRC_RATIO_ONE, total);
}
EXPORT_SYMBOL_IF_KUNIT(mrc_miss_ratio);

/**
 * mrc_unique_pages() - estimated number of distinct pages referenced
 * @m: curve
 *
 * Return: the scaled count of first references (exact in exact mode).
 */
u64 mrc_unique_pages(const struct mrc *m)
{
	return m->cold >> MRC_WEIGHT_SHIFT;
}
EXPORT_SYMBOL_IF_KUNIT(mrc_unique_pages);

/**
 * mrc_bytes() - memory held by a curve
 * @m: curve
 *
 * Return: bytes allocated now (the sample may still grow up to s_max).
 */
size_t mrc_bytes(const struct mrc *m)
{
	return sizeof(*m) + sizeof(*m->hist) + mrc_lru_bytes(m->lru.cap) +
	       mrc_near_bytes(m->near_cap) + m->near_cap * sizeof(*m->near_hist);
}
EXPORT_SYMBOL_IF_KUNIT(mrc_bytes);

/**
 * mrc_is_exact() - whether the curve is the exact LRU curve
 * @m: curve
 *
 * Return: true while every page is sampled (rate 1, never lowered).
 */
bool mrc_is_exact(const struct mrc *m)
{
	return m->threshold == MRC_RATE_ONE;
}
EXPORT_SYMBOL_IF_KUNIT(mrc_is_exact);

/**
 * mrc_snapshot_init() - prepare a copy of a curve's counts
 * @snap: the copy (only the curve queries work on it: mrc_miss_ratio(),
 *	mrc_unique_pages())
 * @m: the curve it will copy
 *
 * Allocates; call it outside the curve's lock, then mrc_snapshot_take()
 * under it.
 *
 * Return: 0 or -ENOMEM.
 */
int mrc_snapshot_init(struct mrc *snap, const struct mrc *m)
{
	memset(snap, 0, sizeof(*snap));
	snap->hist = kvmalloc(sizeof(*snap->hist), GFP_KERNEL);
	if (m->near_cap)
		snap->near_hist = kvcalloc(m->near_cap, sizeof(*snap->near_hist), GFP_KERNEL);
	if (!snap->hist || (m->near_cap && !snap->near_hist)) {
		mrc_snapshot_destroy(snap);
		return -ENOMEM;
	}
	snap->near_cap = m->near_cap;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mrc_snapshot_init);

/**
 * mrc_snapshot_take() - copy a curve's counts
 * @snap: prepared by mrc_snapshot_init() for @m
 * @m: the curve
 *
 * Constant time (about 80 KiB of copying); no allocation.
 */
void mrc_snapshot_take(struct mrc *snap, const struct mrc *m)
{
	memcpy(snap->hist, m->hist, sizeof(*snap->hist));
	if (m->near_cap)
		memcpy(snap->near_hist, m->near_hist, m->near_cap * sizeof(*m->near_hist));
	snap->seed = m->seed;
	snap->threshold = m->threshold;
	snap->unit = m->unit;
	snap->refs = m->refs;
	snap->sampled = m->sampled;
	snap->weight = m->weight;
	snap->cold = m->cold;
	snap->s_max = m->s_max;
	snap->lowered = m->lowered;
	snap->far = m->far;
}
EXPORT_SYMBOL_IF_KUNIT(mrc_snapshot_take);

/**
 * mrc_snapshot_destroy() - free a copy
 * @snap: from mrc_snapshot_init()
 */
void mrc_snapshot_destroy(struct mrc *snap)
{
	kvfree(snap->hist);
	kvfree(snap->near_hist);
	snap->hist = NULL;
	snap->near_hist = NULL;
}
EXPORT_SYMBOL_IF_KUNIT(mrc_snapshot_destroy);
