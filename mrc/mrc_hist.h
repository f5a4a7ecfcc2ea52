/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reuse-distance histogram (pure core).
 *
 * Weighted counts of scaled reuse distances in log-linear bins: one bin per
 * distance below MRC_HIST_LINEAR (exact), then MRC_HIST_SUB bins per power
 * of two (relative bin width 1/MRC_HIST_SUB) up to 2^MRC_HIST_MAX_ORDER
 * pages; larger distances fall into the last bin. Constant memory
 * (MRC_HIST_BINS * 8 bytes). Queries interpolate linearly inside a bin.
 */
#ifndef _HVMEM_MRC_HIST_H
#define _HVMEM_MRC_HIST_H

#include <hvmem/compat.h>

#define MRC_HIST_LINEAR_ORDER	11
#define MRC_HIST_LINEAR		BIT(MRC_HIST_LINEAR_ORDER)
#define MRC_HIST_SUB_ORDER	8
#define MRC_HIST_SUB		BIT(MRC_HIST_SUB_ORDER)
#define MRC_HIST_MAX_ORDER	40
#define MRC_HIST_BINS		(MRC_HIST_LINEAR + \
				 (MRC_HIST_MAX_ORDER - MRC_HIST_LINEAR_ORDER) * MRC_HIST_SUB)

/**
 * struct mrc_hist - reuse-distance histogram
 * @bin: weight of each distance bin
 */
struct mrc_hist {
	u64 bin[MRC_HIST_BINS];
};

u32 mrc_hist_index(u64 dist);
u64 mrc_hist_lower(u32 idx);
u64 mrc_hist_upper(u32 idx);
void mrc_hist_add(struct mrc_hist *h, u64 dist, u64 weight);
u64 mrc_hist_below(const struct mrc_hist *h, u64 size);
u64 mrc_mul_div(u64 a, u64 b, u64 c);

#endif /* _HVMEM_MRC_HIST_H */
