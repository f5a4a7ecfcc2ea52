// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the miss-rate-curve core (mrc/mrc_core.c): hand-computed
 * curves, exact mode against brute-force LRU caches, SHARDS sampling.
 */
#include <math.h>

#include "../../mrc/mrc_core.h"
#include "kselftest_harness.h"

static const struct mrc_params exact = {
	.threshold = MRC_RATE_ONE, .s_max = 1 << 20, .init_cap = 2,
};

static u32 ppb(u64 misses, u64 refs)
{
	return (u32)(misses * MRC_RATIO_ONE / refs);
}

static void feed(struct mrc *m, const u64 *t, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		mrc_access(m, t[i]);
}

/* a b c a b c: three cold misses, then distance 2 each. */
TEST(hand_cycle)
{
	static const u64 t[] = { 1, 2, 3, 1, 2, 3 };
	struct mrc m;

	ASSERT_EQ(0, mrc_init(&m, &exact));
	feed(&m, t, 6);
	EXPECT_EQ(ppb(6, 6), mrc_miss_ratio(&m, 0));
	EXPECT_EQ(ppb(6, 6), mrc_miss_ratio(&m, 1));
	EXPECT_EQ(ppb(6, 6), mrc_miss_ratio(&m, 2));
	EXPECT_EQ(ppb(3, 6), mrc_miss_ratio(&m, 3));
	EXPECT_EQ(ppb(3, 6), mrc_miss_ratio(&m, 1000));
	EXPECT_EQ(3, mrc_unique_pages(&m));
	EXPECT_TRUE(mrc_is_exact(&m));
	mrc_destroy(&m);
}

/* a b c b a a d: distances -, -, -, 1, 2, 0, -. */
TEST(hand_mixed)
{
	static const u64 t[] = { 10, 20, 30, 20, 10, 10, 40 };
	struct mrc m;

	ASSERT_EQ(0, mrc_init(&m, &exact));
	feed(&m, t, 7);
	EXPECT_EQ(ppb(7, 7), mrc_miss_ratio(&m, 0));
	EXPECT_EQ(ppb(6, 7), mrc_miss_ratio(&m, 1));	/* only the 0 hits */
	EXPECT_EQ(ppb(5, 7), mrc_miss_ratio(&m, 2));
	EXPECT_EQ(ppb(4, 7), mrc_miss_ratio(&m, 3));
	EXPECT_EQ(ppb(4, 7), mrc_miss_ratio(&m, 4));
	mrc_reset(&m);
	EXPECT_EQ(0, mrc_miss_ratio(&m, 4));
	feed(&m, t, 3);
	EXPECT_EQ(ppb(3, 3), mrc_miss_ratio(&m, 4));
	mrc_destroy(&m);
}

/*
 * put a, put b, get a, put a, put c, get b: only gets count; the gets see
 * distances 1 (b since a) and 2 (a, c since b).
 */
TEST(touch_sets_recency_only)
{
	struct mrc m;

	ASSERT_EQ(0, mrc_init(&m, &exact));
	mrc_touch(&m, 1);
	mrc_touch(&m, 2);
	mrc_access(&m, 1);
	mrc_touch(&m, 1);
	mrc_touch(&m, 3);
	mrc_access(&m, 2);
	EXPECT_EQ(ppb(2, 2), mrc_miss_ratio(&m, 1));
	EXPECT_EQ(ppb(1, 2), mrc_miss_ratio(&m, 2));
	EXPECT_EQ(ppb(0, 2), mrc_miss_ratio(&m, 3));
	/* no counted reference met a page for the first time */
	EXPECT_EQ(0, mrc_unique_pages(&m));
	mrc_destroy(&m);
}

/* The same with a near stack and with sampling on a cyclic put/get stream. */
TEST(touch_cycle_knee)
{
	struct mrc_params p = { .threshold = MRC_RATE_ONE / 10, .s_max = 4096,
				.init_cap = 64, .near = 16 };
	enum { N = 5000 };
	unsigned int r, i;
	struct mrc m;

	ASSERT_EQ(0, mrc_init(&m, &p));
	for (i = 0; i < N; i++)
		mrc_touch(&m, 0x1000 + i);
	for (r = 0; r < 4; r++)
		for (i = 0; i < N; i++) {
			mrc_access(&m, 0x1000 + i);
			mrc_touch(&m, 0x1000 + i);
		}
	EXPECT_GT(mrc_miss_ratio(&m, N * 9 / 10), MRC_RATIO_ONE / 100 * 95);
	EXPECT_LT(mrc_miss_ratio(&m, N * 11 / 10), MRC_RATIO_ONE / 100 * 5);
	mrc_destroy(&m);
}

TEST(bad_params)
{
	struct mrc_params p = exact;
	struct mrc m;

	p.threshold = 0;
	EXPECT_EQ(-EINVAL, mrc_init(&m, &p));
	p.threshold = MRC_RATE_ONE + 1;
	EXPECT_EQ(-EINVAL, mrc_init(&m, &p));
	p = exact;
	p.s_max = 0;
	EXPECT_EQ(-EINVAL, mrc_init(&m, &p));
	p.s_max = MRC_LRU_MAX_CAP;
	EXPECT_EQ(-EINVAL, mrc_init(&m, &p));
	p = exact;
	p.key_shift = MRC_KEY_SHIFT_MAX + 1;
	EXPECT_EQ(-EINVAL, mrc_init(&m, &p));
	mrc_destroy(&m);
	EXPECT_EQ(1, mrc_rate_threshold(0, 100));
	EXPECT_EQ(MRC_RATE_ONE, mrc_rate_threshold(5, 1));
	EXPECT_EQ(MRC_RATE_ONE / 100, mrc_rate_threshold(1, 100));
}

static u64 rnd_next(u64 *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

/* A random trace mixing a hot set, loops and uniform references. */
static void gen_trace(u64 *t, unsigned int n, unsigned int u, u64 seed)
{
	unsigned int i, loop = 0;

	for (i = 0; i < n; i++) {
		u64 r = rnd_next(&seed);

		switch (r % 4) {
		case 0:
			t[i] = r % 16;
			break;
		case 1:
			t[i] = 1000 + loop++ % (u / 3);
			break;
		default:
			t[i] = 5000 + (r >> 4) % u;
		}
	}
}

/* Misses of a real LRU cache of @size pages (array, move to front). */
static u64 brute_lru_misses(const u64 *t, unsigned int n, unsigned int size)
{
	u64 *c = calloc(size, sizeof(u64)), misses = 0;
	unsigned int len = 0, i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < len; j++)
			if (c[j] == t[i])
				break;
		if (j == len) {
			misses++;
			if (len < size)
				len++;
			j = len - 1;	/* drop the LRU page */
		}
		memmove(&c[1], &c[0], j * sizeof(u64));
		c[0] = t[i];
	}
	free(c);
	return misses;
}

/* Exact mode equals brute-force LRU caches at every size. */
TEST(exact_equals_brute_force)
{
	enum { N = 20000, U = 600 };
	static u64 t[N];
	unsigned int seed, size;
	struct mrc m;

	for (seed = 1; seed <= 3; seed++) {
		gen_trace(t, N, U, seed);
		ASSERT_EQ(0, mrc_init(&m, &exact));
		feed(&m, t, N);
		EXPECT_EQ(MRC_RATIO_ONE, mrc_miss_ratio(&m, 0));
		for (size = 1; size <= U + 40; size += (size < 64 ? 1 : 7))
			ASSERT_EQ(ppb(brute_lru_misses(t, N, size), N),
				  mrc_miss_ratio(&m, size));
		mrc_destroy(&m);
	}
}

/* Beyond the exact bins, bin boundaries are still exact. */
TEST(exact_large_distances)
{
	enum { N = 60000, U = 9000 };
	static u64 t[N];
	static const unsigned int sizes[] = { 2048, 2304, 3072, 4096, 4608, 6144 };
	unsigned int i;
	struct mrc m;

	gen_trace(t, N, U, 7);
	ASSERT_EQ(0, mrc_init(&m, &exact));
	feed(&m, t, N);
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		EXPECT_EQ(ppb(brute_lru_misses(t, N, sizes[i]), N),
			  mrc_miss_ratio(&m, sizes[i]));
	mrc_destroy(&m);
}

static double mae(const struct mrc *a, const struct mrc *b, u64 maxsize)
{
	double sum = 0;
	int i;

	for (i = 1; i <= 64; i++) {
		u64 s = (u64)(maxsize * (double)i / 64);

		sum += abs((int)mrc_miss_ratio(a, s) - (int)mrc_miss_ratio(b, s));
	}
	return sum / 64 / MRC_RATIO_ONE;
}

/* SHARDS at 10% and fixed-size 2048 stay close to the exact curve. */
TEST(sampled_accuracy)
{
	enum { N = 400000, U = 60000 };
	u64 *t = malloc(N * sizeof(u64));
	struct mrc_params p = exact;
	struct mrc ex, fr, fs;
	unsigned int i;

	ASSERT_NE(NULL, t);
	gen_trace(t, N, U, 11);
	ASSERT_EQ(0, mrc_init(&ex, &exact));
	p.threshold = mrc_rate_threshold(1, 10);
	ASSERT_EQ(0, mrc_init(&fr, &p));
	p.threshold = MRC_RATE_ONE;
	p.s_max = 2048;
	p.init_cap = p.s_max + 1;
	ASSERT_EQ(0, mrc_init(&fs, &p));
	for (i = 0; i < N; i++) {
		mrc_access(&ex, t[i]);
		mrc_access(&fr, t[i]);
		mrc_access(&fs, t[i]);
		ASSERT_LE(fs.lru.count, 2048);
	}
	EXPECT_LT(mae(&ex, &fr, U + U / 3), 0.01);
	EXPECT_LT(mae(&ex, &fs, U + U / 3), 0.02);
	EXPECT_FALSE(mrc_is_exact(&fs));
	EXPECT_GT(fs.lowered, 0);
	EXPECT_EQ(2049, fs.lru.cap);		/* preallocated, never grown */
	/* ~2048 of ~U + 1000 distinct pages keep the rate near 2048/U. */
	EXPECT_LT(fs.threshold, MRC_RATE_ONE / 20);
	EXPECT_GT(fs.threshold, MRC_RATE_ONE / 50);
	/* The unique-page estimate is within 10%. */
	EXPECT_LT(llabs((long long)mrc_unique_pages(&fr) - (long long)mrc_unique_pages(&ex)),
		  (long long)mrc_unique_pages(&ex) / 10);
	TH_LOG("mae 10%%: %.4f  s_max 2048: %.4f  bytes %zu",
	       mae(&ex, &fr, U + U / 3), mae(&ex, &fs, U + U / 3), mrc_bytes(&fs));
	EXPECT_LT(mrc_bytes(&fs), 1 << 20);
	mrc_destroy(&ex);
	mrc_destroy(&fr);
	mrc_destroy(&fs);
	free(t);
}

/* The near stack: exact up to near pages at any rate; rate 1 stays exact. */
TEST(near_stack)
{
	enum { N = 30000, U = 2000, NEAR = 48 };
	static u64 t[N];
	struct mrc_params p = exact;
	unsigned int size;
	struct mrc m, s;

	gen_trace(t, N, U, 5);
	p.near = NEAR;
	ASSERT_EQ(0, mrc_init(&m, &p));
	p.threshold = mrc_rate_threshold(1, 100);
	ASSERT_EQ(0, mrc_init(&s, &p));
	feed(&m, t, N);
	feed(&s, t, N);
	for (size = 1; size <= U + 40; size += (size < 64 ? 1 : 29)) {
		u32 want = ppb(brute_lru_misses(t, N, size), N);

		ASSERT_EQ(want, mrc_miss_ratio(&m, size));
		if (size <= NEAR)
			ASSERT_EQ(want, mrc_miss_ratio(&s, size));
	}
	EXPECT_EQ(N, m.refs);
	EXPECT_LE(m.near.count, NEAR);

	/* a snapshot answers the same as the curve (the module queries one) */
	struct mrc snap;

	ASSERT_EQ(0, mrc_snapshot_init(&snap, &s));
	mrc_snapshot_take(&snap, &s);
	for (size = 0; size <= U + 40; size += 7)
		ASSERT_EQ(mrc_miss_ratio(&s, size), mrc_miss_ratio(&snap, size));
	EXPECT_EQ(mrc_unique_pages(&s), mrc_unique_pages(&snap));
	mrc_snapshot_destroy(&snap);
	mrc_destroy(&m);
	mrc_destroy(&s);
	p.near = MRC_NEAR_MAX + 1;
	EXPECT_EQ(-EINVAL, mrc_init(&m, &p));
}

/* Pages outside the sample cost nothing but the count. */
TEST(unsampled_pages_ignored)
{
	struct mrc_params p = exact;
	struct mrc m;
	u64 page, n = 0;

	p.threshold = mrc_rate_threshold(1, 100);
	ASSERT_EQ(0, mrc_init(&m, &p));
	for (page = 0; page < 100000; page++) {
		if (!mrc_sampled(&m, page)) {
			mrc_access(&m, page);
			n++;
		}
	}
	EXPECT_EQ(n, m.refs);
	EXPECT_EQ(0, m.sampled);
	EXPECT_EQ(0, m.lru.count);
	mrc_destroy(&m);
}

/*
 * Sampling by 512-page regions (key_shift 9, as write tracking does): a
 * region is sampled whole or not at all, at the rate R. The estimate is
 * then checked on groups of 32 pages (key_shift 5: ~2000 groups, so that
 * 8 seeds can tell): counts stay unbiased (unique pages averaged over the
 * seeds within 5%, sd ~1.4%), reuse distances too, but their per-seed sd
 * (~4% here, ~15% with 125 regions of 512) smears the trace's loop knee
 * (~49k pages), so even the seed-averaged curve keeps some error.
 */
TEST(region_sampling)
{
	enum { N = 400000, U = 60000, SEEDS = 8, PTS = 64 };
	u64 *t = malloc(N * sizeof(u64));
	struct mrc_params p = exact;
	double avg[PTS] = { 0 }, worst = 0, mean_err = 0, uniq = 0;
	u64 g, page, groups = 0;
	struct mrc ex, rs;
	unsigned int i, k;

	ASSERT_NE(NULL, t);
	p.threshold = mrc_rate_threshold(1, 4);
	p.key_shift = 9;
	p.seed = 7;
	ASSERT_EQ(0, mrc_init(&rs, &p));
	for (g = 0; g < 20000; g++) {
		bool in = mrc_sampled(&rs, g << 9);

		for (page = g << 9; page < (g + 1) << 9; page += 37)
			ASSERT_EQ(in, mrc_sampled(&rs, page));
		groups += in;
	}
	/* 5000 expected, sd 61 */
	EXPECT_GT(groups, 4700);
	EXPECT_LT(groups, 5300);
	mrc_destroy(&rs);

	gen_trace(t, N, U, 11);
	ASSERT_EQ(0, mrc_init(&ex, &exact));
	for (i = 0; i < N; i++)
		mrc_access(&ex, t[i]);
	p.near = 64;
	p.key_shift = 5;
	for (k = 1; k <= SEEDS; k++) {
		double e;

		/* seed k + 1 would sample what k does, shifted by one group */
		p.seed = k * 0x5851F42D4C957F2DULL;
		ASSERT_EQ(0, mrc_init(&rs, &p));
		for (i = 0; i < N; i++)
			mrc_access(&rs, t[i]);
		for (i = 0; i < PTS; i++) {
			u64 size = (U + U / 3) * (i + 1.0) / PTS;

			avg[i] += (double)mrc_miss_ratio(&rs, size) / SEEDS / MRC_RATIO_ONE;
		}
		uniq += (double)mrc_unique_pages(&rs) / SEEDS;
		e = mae(&ex, &rs, U + U / 3);
		worst = e > worst ? e : worst;
		mrc_destroy(&rs);
	}
	for (i = 0; i < PTS; i++)
		mean_err += fabs(avg[i] - (double)mrc_miss_ratio(&ex, (u64)((U + U / 3) *
							(i + 1.0) / PTS)) / MRC_RATIO_ONE) / PTS;
	TH_LOG("32-page groups at 1/4: worst seed MAE %.4f, MAE of the %u-seed mean %.4f",
	       worst, SEEDS, mean_err);
	TH_LOG("unique pages: %.0f (seed mean) of %llu", uniq,
	       (unsigned long long)mrc_unique_pages(&ex));
	EXPECT_LT(fabs(uniq - mrc_unique_pages(&ex)), mrc_unique_pages(&ex) * 0.05);
	EXPECT_LT(mean_err, 0.02);
	EXPECT_LT(worst, 0.05);
	mrc_destroy(&ex);
	free(t);
}

TEST_HARNESS_MAIN
