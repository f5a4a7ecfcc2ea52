// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the sampled LRU stack (mrc/mrc_lru.c) and the
 * reuse-distance histogram (mrc/mrc_hist.c).
 */
#include "../../mrc/mrc_hist.h"
#include "../../mrc/mrc_lru.h"
#include "kselftest_harness.h"

/* Reuse distances of a b c b a a d c, by hand. */
TEST(lru_hand_distances)
{
	static const u64 trace[] = { 1, 2, 3, 2, 1, 1, 4, 3 };
	static const s64 want[] = { MRC_LRU_COLD, MRC_LRU_COLD, MRC_LRU_COLD,
				    1, 2, 0, MRC_LRU_COLD, 3 };
	struct mrc_lru l;
	unsigned int i;

	ASSERT_EQ(0, mrc_lru_init(&l, 4, 4));
	for (i = 0; i < ARRAY_SIZE(trace); i++)
		EXPECT_EQ(want[i], mrc_lru_access(&l, trace[i], (u32)trace[i]));
	EXPECT_EQ(4, l.count);
	EXPECT_EQ(-ENOSPC, mrc_lru_access(&l, 5, 5));
	mrc_lru_destroy(&l);
}

TEST(lru_bad_args)
{
	struct mrc_lru l;

	EXPECT_EQ(-EINVAL, mrc_lru_init(&l, 0, 4));
	EXPECT_EQ(-EINVAL, mrc_lru_init(&l, 8, 4));
	EXPECT_EQ(-EINVAL, mrc_lru_init(&l, 1, MRC_LRU_MAX_CAP + 1));
	mrc_lru_destroy(&l);	/* safe after a failed init */
}

/* Distances against a naive move-to-front list, through growth and compaction. */
TEST(lru_matches_naive_stack)
{
	enum { N = 200000, U = 700 };
	static u64 stack[U];
	unsigned int depth = 0, i, j;
	struct mrc_lru l;
	u64 rnd = 42;

	ASSERT_EQ(0, mrc_lru_init(&l, 2, 1024));
	for (i = 0; i < N; i++) {
		u64 page;
		s64 want = MRC_LRU_COLD, got;

		rnd = rnd * 6364136223846793005ULL + 1442695040888963407ULL;
		page = (rnd >> 33) % ((rnd >> 20) & 1 ? 40 : U);
		for (j = 0; j < depth; j++)
			if (stack[j] == page)
				break;
		if (j < depth)
			want = j;
		else
			depth++;
		memmove(&stack[1], &stack[0], (j < depth ? j : depth - 1) * sizeof(u64));
		stack[0] = page;
		got = mrc_lru_access(&l, page, (u32)page);
		ASSERT_EQ(want, got);
	}
	EXPECT_EQ(depth, l.count);
	EXPECT_LE(l.cap, 1024);
	mrc_lru_destroy(&l);
}

TEST(lru_evict_max)
{
	struct mrc_lru l;
	u32 hv[] = { 50, 10, 90, 30, 70 };
	unsigned int i;

	ASSERT_EQ(0, mrc_lru_init(&l, 5, 5));
	for (i = 0; i < 5; i++)
		mrc_lru_access(&l, 100 + i, hv[i]);
	EXPECT_EQ(90, mrc_lru_max_hv(&l));
	mrc_lru_evict_max(&l);
	EXPECT_EQ(70, mrc_lru_max_hv(&l));
	mrc_lru_evict_max(&l);
	EXPECT_EQ(3, l.count);
	/* Pages 102 and 104 are gone; 103 now has only 100's survivors above it. */
	EXPECT_EQ(MRC_LRU_COLD, mrc_lru_access(&l, 102, 90));
	EXPECT_EQ(1, mrc_lru_access(&l, 103, 30));	/* 102 above it */
	EXPECT_EQ(3, mrc_lru_access(&l, 100, 50));	/* 101, 102, 103 */
	mrc_lru_clear(&l);
	EXPECT_EQ(0, l.count);
	EXPECT_EQ(0, mrc_lru_max_hv(&l));
	mrc_lru_evict_max(&l);
	mrc_lru_destroy(&l);
}

TEST(hist_bins)
{
	u32 i;

	for (i = 0; i < MRC_HIST_BINS; i++) {
		u64 lo = mrc_hist_lower(i), hi = mrc_hist_upper(i);

		ASSERT_LT(lo, hi);
		ASSERT_EQ(i, mrc_hist_index(lo));
		ASSERT_EQ(i, mrc_hist_index(hi - 1));
		if (i < MRC_HIST_LINEAR) {
			ASSERT_EQ(1, hi - lo);
		} else {	/* relative width at most 1/MRC_HIST_SUB */
			ASSERT_LE((hi - lo) * MRC_HIST_SUB, lo);
		}
	}
	EXPECT_EQ(MRC_HIST_BINS - 1, mrc_hist_index(~0ULL));
}

TEST(hist_below)
{
	static struct mrc_hist h;

	mrc_hist_add(&h, 0, 5);
	mrc_hist_add(&h, 3, 7);
	mrc_hist_add(&h, 4096, 100);	/* bin [4096, 4112) */
	EXPECT_EQ(0, mrc_hist_below(&h, 0));
	EXPECT_EQ(5, mrc_hist_below(&h, 1));
	EXPECT_EQ(5, mrc_hist_below(&h, 3));
	EXPECT_EQ(12, mrc_hist_below(&h, 4));
	EXPECT_EQ(12, mrc_hist_below(&h, 4096));
	EXPECT_EQ(12 + 50, mrc_hist_below(&h, 4104));	/* interpolated */
	EXPECT_EQ(112, mrc_hist_below(&h, 4112));
	EXPECT_EQ(112, mrc_hist_below(&h, ~0ULL));
	EXPECT_EQ(6, mrc_mul_div(4, 3, 2));
	EXPECT_EQ(1ULL << 62, mrc_mul_div(1ULL << 62, 1ULL << 40, 1ULL << 40));
}

TEST_HARNESS_MAIN
