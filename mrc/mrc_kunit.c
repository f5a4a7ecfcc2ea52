// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the miss-rate-curve core as built into hvmem_mrc.ko:
 * hand-computed curves, exact mode against a naive LRU stack, the
 * fixed-size sample bound, the exact near stack (and its O(log n) LRU
 * stack against a naive one), histogram bins and bad parameters.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "mrc_core.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

static const struct mrc_params mrc_exact = {
	.threshold = MRC_RATE_ONE, .s_max = 1 << 16, .init_cap = 2,
};

static u32 ppb(u64 misses, u64 refs)
{
	return (u32)div64_u64(misses * MRC_RATIO_ONE, refs);
}

/* a b c b a a d: distances -, -, -, 1, 2, 0, - */
static void mrc_test_hand_curve(struct kunit *test)
{
	static const u64 t[] = { 10, 20, 30, 20, 10, 10, 40 };
	struct mrc m;
	int i;

	KUNIT_ASSERT_EQ(test, 0, mrc_init(&m, &mrc_exact));
	for (i = 0; i < ARRAY_SIZE(t); i++)
		mrc_access(&m, t[i]);
	KUNIT_EXPECT_EQ(test, ppb(7, 7), mrc_miss_ratio(&m, 0));
	KUNIT_EXPECT_EQ(test, ppb(6, 7), mrc_miss_ratio(&m, 1));
	KUNIT_EXPECT_EQ(test, ppb(5, 7), mrc_miss_ratio(&m, 2));
	KUNIT_EXPECT_EQ(test, ppb(4, 7), mrc_miss_ratio(&m, 3));
	KUNIT_EXPECT_EQ(test, ppb(4, 7), mrc_miss_ratio(&m, 100));
	KUNIT_EXPECT_EQ(test, 4, mrc_unique_pages(&m));
	KUNIT_EXPECT_TRUE(test, mrc_is_exact(&m));
	mrc_destroy(&m);
}

/* Exact-mode reuse distances equal a naive move-to-front stack's. */
static void mrc_test_exact_vs_naive(struct kunit *test)
{
	enum { N = 20000, U = 300 };
	u64 *stack, *hist, rnd = 1, misses;
	u32 depth = 0, i, j, size;
	struct mrc m;

	stack = kunit_kcalloc(test, U, sizeof(u64), GFP_KERNEL);
	hist = kunit_kcalloc(test, U + 1, sizeof(u64), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, stack);
	KUNIT_ASSERT_NOT_NULL(test, hist);
	KUNIT_ASSERT_EQ(test, 0, mrc_init(&m, &mrc_exact));
	for (i = 0; i < N; i++) {
		u64 page;

		rnd = rnd * 6364136223846793005ULL + 1442695040888963407ULL;
		page = (rnd >> 33) % ((rnd >> 20) & 1 ? 20 : U);
		for (j = 0; j < depth && stack[j] != page; j++)
			;
		hist[j < depth ? j : U]++;	/* U: cold */
		if (j == depth)
			depth++;
		memmove(&stack[1], &stack[0], min(j, depth - 1) * sizeof(u64));
		stack[0] = page;
		mrc_access(&m, page);
	}
	/* misses(size) = cold + references with distance >= size */
	for (size = 1; size <= U; size++) {
		misses = hist[U];
		for (j = size; j < U; j++)
			misses += hist[j];
		KUNIT_ASSERT_EQ_MSG(test, ppb(misses, N), mrc_miss_ratio(&m, size),
				    "size %u", size);
	}
	mrc_destroy(&m);
}

/* Fixed-size sampling keeps at most s_max pages and lowers the rate. */
static void mrc_test_fixed_size(struct kunit *test)
{
	struct mrc_params p = { .threshold = MRC_RATE_ONE, .s_max = 256,
				.init_cap = 257 };
	struct mrc m;
	u64 page;

	KUNIT_ASSERT_EQ(test, 0, mrc_init(&m, &p));
	for (page = 0; page < 100000; page++) {
		mrc_access(&m, page % 25000);
		KUNIT_ASSERT_LE(test, m.lru.count, 256U);
	}
	KUNIT_EXPECT_EQ(test, 257U, m.lru.cap);
	KUNIT_EXPECT_FALSE(test, mrc_is_exact(&m));
	/* about 256 of 25000 pages sampled: rate near 1% */
	KUNIT_EXPECT_LT(test, m.threshold, MRC_RATE_ONE / 50);
	KUNIT_EXPECT_GT(test, m.threshold, MRC_RATE_ONE / 200);
	/* a loop of 25000 pages: misses below, hits above */
	KUNIT_EXPECT_GT(test, mrc_miss_ratio(&m, 20000), 900000000U);
	KUNIT_EXPECT_LT(test, mrc_miss_ratio(&m, 30000), 350000000U);
	KUNIT_EXPECT_LT(test, mrc_bytes(&m), (size_t)(1 << 20));
	mrc_destroy(&m);
}

/* The exact near stack: sizes up to near are exact even when sampling. */
static void mrc_test_near_stack(struct kunit *test)
{
	struct mrc_params p = { .threshold = MRC_RATE_ONE / 100, .s_max = 1024,
				.init_cap = 1025, .near = 8 };
	struct mrc m;
	u64 i;

	KUNIT_ASSERT_EQ(test, 0, mrc_init(&m, &p));
	/* a loop over 6 pages, 100 times: 6 cold misses, then distance 5 */
	for (i = 0; i < 600; i++)
		mrc_access(&m, 1000 + i % 6);
	KUNIT_EXPECT_EQ(test, ppb(600, 600), mrc_miss_ratio(&m, 5));
	KUNIT_EXPECT_EQ(test, ppb(6, 600), mrc_miss_ratio(&m, 6));
	KUNIT_EXPECT_EQ(test, ppb(6, 600), mrc_miss_ratio(&m, 8));
	KUNIT_EXPECT_EQ(test, 6U, m.near.count);
	mrc_destroy(&m);
}

/*
 * The near stack's O(log n) LRU stack against a naive move-to-front list
 * of NEAR pages, through evictions and slot renumberings.
 */
static void mrc_test_near_vs_naive(struct kunit *test)
{
	enum { NEAR = 100, N = 20000 };
	struct mrc_near s;
	u64 *stack, rnd = 7;
	u32 depth = 0, i, j;

	stack = kunit_kcalloc(test, NEAR, sizeof(*stack), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, stack);
	KUNIT_ASSERT_EQ(test, -EINVAL, mrc_near_init(&s, 0));
	KUNIT_ASSERT_EQ(test, 0, mrc_near_init(&s, NEAR));
	for (i = 0; i < N; i++) {
		u64 page;
		s32 want = -1;

		rnd = rnd * 6364136223846793005ULL + 1442695040888963407ULL;
		page = (rnd >> 33) % ((rnd >> 20) & 1 ? NEAR / 2 : 3 * NEAR);
		for (j = 0; j < depth; j++)
			if (stack[j] == page)
				break;
		if (j < depth)
			want = j;
		else if (depth < NEAR)
			j = depth++;
		else
			j = NEAR - 1;
		memmove(&stack[1], &stack[0], j * sizeof(*stack));
		stack[0] = page;
		KUNIT_ASSERT_EQ(test, want, mrc_near_access(&s, page));
	}
	KUNIT_EXPECT_EQ(test, (u32)NEAR, s.count);
	mrc_near_destroy(&s);
}

static void mrc_test_hist_bins(struct kunit *test)
{
	u32 i;

	for (i = 0; i < MRC_HIST_BINS; i++) {
		u64 lo = mrc_hist_lower(i), hi = mrc_hist_upper(i);

		KUNIT_ASSERT_LT(test, lo, hi);
		KUNIT_ASSERT_EQ(test, i, mrc_hist_index(lo));
		KUNIT_ASSERT_EQ(test, i, mrc_hist_index(hi - 1));
	}
	KUNIT_EXPECT_EQ(test, 6ULL, mrc_mul_div(4, 3, 2));
	KUNIT_EXPECT_EQ(test, 1ULL << 62, mrc_mul_div(1ULL << 62, 1ULL << 40, 1ULL << 40));
}

static void mrc_test_bad_params(struct kunit *test)
{
	struct mrc_params p = mrc_exact;
	struct mrc m;

	p.threshold = 0;
	KUNIT_EXPECT_EQ(test, -EINVAL, mrc_init(&m, &p));
	p.threshold = MRC_RATE_ONE + 1;
	KUNIT_EXPECT_EQ(test, -EINVAL, mrc_init(&m, &p));
	p = mrc_exact;
	p.s_max = 0;
	KUNIT_EXPECT_EQ(test, -EINVAL, mrc_init(&m, &p));
	mrc_destroy(&m);
}

/*
 * The exclusive cache's stream: put a, put b, get a, put a, put c, get b.
 * Puts only set recency; the gets see distances 1 and 2.
 */
static void mrc_test_touch(struct kunit *test)
{
	struct mrc m;

	KUNIT_ASSERT_EQ(test, 0, mrc_init(&m, &mrc_exact));
	mrc_touch(&m, 1);
	mrc_touch(&m, 2);
	mrc_access(&m, 1);
	mrc_touch(&m, 1);
	mrc_touch(&m, 3);
	mrc_access(&m, 2);
	KUNIT_EXPECT_EQ(test, ppb(2, 2), mrc_miss_ratio(&m, 1));
	KUNIT_EXPECT_EQ(test, ppb(1, 2), mrc_miss_ratio(&m, 2));
	KUNIT_EXPECT_EQ(test, ppb(0, 2), mrc_miss_ratio(&m, 3));
	mrc_destroy(&m);
}

static struct kunit_case mrc_test_cases[] = {
	KUNIT_CASE(mrc_test_hand_curve),
	KUNIT_CASE(mrc_test_touch),
	KUNIT_CASE(mrc_test_exact_vs_naive),
	KUNIT_CASE(mrc_test_fixed_size),
	KUNIT_CASE(mrc_test_near_stack),
	KUNIT_CASE(mrc_test_near_vs_naive),
	KUNIT_CASE(mrc_test_hist_bins),
	KUNIT_CASE(mrc_test_bad_params),
	{}
};

static struct kunit_suite mrc_test_suite = {
	.name = "hvmem_mrc",
	.test_cases = mrc_test_cases,
};

kunit_test_suite(mrc_test_suite);

MODULE_DESCRIPTION("KUnit tests of hvmem's miss-rate-curve core");
MODULE_LICENSE("GPL");
