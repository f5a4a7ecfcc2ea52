/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Miss-rate curve of one reference stream, built online in bounded memory
 * (pure core).
 *
 * SHARDS (Waldspurger et al., FAST'15): a page is sampled when its spatial
 * hash, hv = hash(page) >> 32, is below a threshold T (rate R = T / 2^32).
 * Reuse distances are measured in the sampled LRU stack and scaled by 1/R;
 * each sampled reference weighs 1/R. With s_max set, the sample is a
 * fixed-size set: when it would exceed s_max pages, the pages with the
 * largest hv are dropped and T is lowered to that hv, so later references
 * weigh more. The miss ratio is corrected for the sampled reference count
 * deviating from its expectation (SHARDS_adj: the difference is counted as
 * hits at distance 0). T = 2^32 and an s_max above the number of distinct
 * pages is the exact (Mattson) LRU stack algorithm.
 *
 * Optionally (near > 0) every reference also goes through an exact LRU
 * stack of the near most recent pages (mrc_near.h, O(log near) per
 * reference): references found there have their exact distance (< near),
 * the others ("far") are known to have a distance of at least near. The
 * sampled histogram then holds far references only, and is scaled to the
 * exact far count instead of SHARDS_adj. The curve is exact for cache sizes
 * up to near pages, where sampling alone cannot resolve distances below
 * about 1/R pages.
 */
#ifndef _HVMEM_MRC_CORE_H
#define _HVMEM_MRC_CORE_H

#include <hvmem/compat.h>
#include "mrc_hist.h"
#include "mrc_lru.h"
#include "mrc_near.h"

/* Threshold of rate 1: every page sampled. */
#define MRC_RATE_ONE		BIT_ULL(32)
/* A reference of weight 1 counts 2^MRC_WEIGHT_SHIFT. */
#define MRC_WEIGHT_SHIFT	16
/* Largest exact near stack (HVMEM_MRC_NEAR_MAX). */
#define MRC_NEAR_MAX		16384
/*
 * Default curve, 1 MiB (mrc_bytes() 1,042,664): a sample of 16383 pages
 * (48 B per page with its 16k-bucket index: 786,436 B), an exact near stack
 * of 4096 pages (44 B per page with its distance counts: 180,228 B) and the
 * 74 KiB histogram. On storage-level streams of 24k-80k pages every hash
 * seed stays below MAE 0.001 (README).
 */
#define MRC_S_MAX_DEFAULT	16383
#define MRC_NEAR_DEFAULT	4096
/* Largest key_shift: groups of up to 2^30 pages. */
#define MRC_KEY_SHIFT_MAX	30
/* Miss ratios are returned in parts per 10^9. */
#define MRC_RATIO_ONE		1000000000U

/**
 * struct mrc_params - configuration of a curve
 * @threshold: sample pages whose hv is below it: 1 .. MRC_RATE_ONE
 * @s_max: most pages in the sample, 1 .. MRC_LRU_MAX_CAP - 1
 * @init_cap: pages allocated at init; @s_max + 1 (or more) preallocates
 *	everything, a smaller value grows by doubling as needed
 * @seed: hash seed
 * @near: pages of the exact near stack, 0 .. MRC_NEAR_MAX (0: none)
 * @key_shift: sample by page >> @key_shift, 0 .. MRC_KEY_SHIFT_MAX
 */
struct mrc_params {
	u64 threshold;
	u32 s_max;
	u32 init_cap;
	u64 seed;
	u32 near;
	u32 key_shift;
};

/**
 * struct mrc - miss-rate curve state
 * @lru: sampled LRU stack
 * @hist: weighted histogram of scaled reuse distances
 * @seed: hash seed
 * @threshold: current sampling threshold T
 * @unit: weight of a sampled reference at @threshold
 * @refs: references seen
 * @sampled: sampled references
 * @weight: total weight of the sampled references
 * @cold: weight of first references to sampled pages
 * @s_max: most pages in the sample
 * @lowered: times the threshold was lowered
 * @near: exact near stack (empty, no memory, when @near_cap is 0)
 * @near_hist: references at each exact near distance
 * @near_cap: size of the near stack
 * @far: references not found in the near stack (when @near_cap)
 * @key_shift: pages are sampled by page >> @key_shift
 */
struct mrc {
	struct mrc_lru lru;
	struct mrc_hist *hist;
	u64 seed;
	u64 threshold;
	u64 unit;
	u64 refs;
	u64 sampled;
	u64 weight;
	u64 cold;
	u32 s_max;
	u32 lowered;
	struct mrc_near near;
	u64 *near_hist;
	u32 near_cap;
	u64 far;
	u32 key_shift;
};

int mrc_init(struct mrc *m, const struct mrc_params *p);
void mrc_destroy(struct mrc *m);
void mrc_reset(struct mrc *m);
void mrc_access_sampled(struct mrc *m, u64 page, u32 hv, bool far);
void mrc_touch_sampled(struct mrc *m, u64 page, u32 hv);
u32 mrc_miss_ratio(const struct mrc *m, u64 size);
u64 mrc_unique_pages(const struct mrc *m);
size_t mrc_bytes(const struct mrc *m);
bool mrc_is_exact(const struct mrc *m);
u64 mrc_rate_threshold(u32 num, u32 den);
int mrc_snapshot_init(struct mrc *snap, const struct mrc *m);
void mrc_snapshot_take(struct mrc *snap, const struct mrc *m);
void mrc_snapshot_destroy(struct mrc *snap);

/**
 * mrc_hash() - spatial sampling hash of a page
 * @page: page number
 * @seed: hash seed
 *
 * The splitmix64 finalizer (Stafford's Mix13) of @page + @seed: every
 * input bit affects every output bit, so hash >> 32 is uniform over
 * [0, 2^32) for any set of page numbers.
 *
 * Return: the 64-bit hash.
 */
static inline u64 mrc_hash(u64 page, u64 seed)
{
	u64 z = page + seed + 0x9E3779B97F4A7C15ULL;

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/**
 * mrc_hv() - sampling hash value of a page in a curve
 * @m: curve
 * @page: page number
 *
 * Return: the hash of its sampling key (@page >> key_shift), 32 bits.
 */
static inline u32 mrc_hv(const struct mrc *m, u64 page)
{
	return (u32)(mrc_hash(page >> m->key_shift, m->seed) >> 32);
}

/**
 * mrc_sampled() - whether references to a page are sampled
 * @m: curve
 * @page: page number
 *
 * Return: true if @page is in the sampling range (with a key_shift, so
 * are all pages of its group); the caller may skip
 * work (tracing) for pages that are not.
 */
static inline bool mrc_sampled(const struct mrc *m, u64 page)
{
	return mrc_hv(m, page) < m->threshold;
}

/**
 * mrc_access() - record a reference to a page
 * @m: curve
 * @page: page number
 *
 * Constant work (a hash and a compare) for a page outside the sample, plus
 * O(log near) in the near stack if there is one; O(log s_max) more for a
 * sampled page.
 * Never fails.
 */
static inline void mrc_access(struct mrc *m, u64 page)
{
	u32 hv = mrc_hv(m, page);
	bool far = true;

	m->refs++;
	if (m->near_cap) {
		s32 d = mrc_near_access(&m->near, page);

		if (d >= 0) {
			m->near_hist[d]++;
			far = false;
		} else {
			m->far++;
		}
	}
	if (likely(hv >= m->threshold))
		return;
	mrc_access_sampled(m, page, hv, far);
}

/**
 * mrc_touch() - make a page the most recent without counting a reference
 * @m: curve
 * @page: page number
 *
 * For streams where some events only set a page's recency: a page put
 * into the exclusive cache enters it at the MRU end, and only the later
 * get is a reference whose distance the curve measures. Same cost as
 * mrc_access(); the counters and the histogram do not change.
 */
static inline void mrc_touch(struct mrc *m, u64 page)
{
	u32 hv = mrc_hv(m, page);

	if (m->near_cap)
		mrc_near_access(&m->near, page);
	if (likely(hv >= m->threshold))
		return;
	mrc_touch_sampled(m, page, hv);
}

#endif /* _HVMEM_MRC_CORE_H */
