// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the exclusive cache's eviction order (kmod/cache_lru.c).
 */
#include "../../kmod/cache_lru.h"
#include "kselftest_harness.h"

TEST(accounts)
{
	struct hc_lru l;
	struct hc_acct *a, *b;

	hc_lru_init(&l);
	EXPECT_EQ(NULL, hc_lru_acct(&l, 1));
	EXPECT_EQ(NULL, hc_lru_victim(&l));
	a = hc_lru_acct_get(&l, 1);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(HC_SHARES_DEFAULT, a->shares);
	EXPECT_EQ(0, a->cap);
	EXPECT_EQ(a, hc_lru_acct_get(&l, 1));
	b = hc_lru_acct_get(&l, 2);
	ASSERT_NE(NULL, b);
	EXPECT_EQ(2, l.nr_accts);
	EXPECT_EQ(b, hc_lru_acct(&l, 2));
	EXPECT_EQ(NULL, hc_lru_victim(&l));	/* no pages anywhere */
	hc_lru_acct_free(&l, a);
	hc_lru_acct_free(&l, b);
	EXPECT_EQ(0, l.nr_accts);
}

/* Equal shares, interleaved inserts: victims come out in global LRU order. */
TEST(equal_shares_is_global_lru)
{
	enum { N = 64 };
	static struct hc_entry e[N];
	struct hc_acct *acc[2], *v;
	struct hc_lru l;
	unsigned int i;

	hc_lru_init(&l);
	acc[0] = hc_lru_acct_get(&l, 1);
	acc[1] = hc_lru_acct_get(&l, 2);
	ASSERT_NE(NULL, acc[0]);
	ASSERT_NE(NULL, acc[1]);
	for (i = 0; i < N; i++)
		hc_lru_add(&l, acc[i & 1], &e[i]);
	for (i = 0; i < N; i++) {
		v = hc_lru_victim(&l);
		ASSERT_NE(NULL, v);
		EXPECT_EQ(&e[i], hc_lru_oldest(v));
		hc_lru_del(v, hc_lru_oldest(v));
	}
	EXPECT_EQ(NULL, hc_lru_victim(&l));
	hc_lru_acct_free(&l, acc[0]);
	hc_lru_acct_free(&l, acc[1]);
}

/*
 * Steady state under pressure: each step inserts for a random VM (equal
 * demand) and evicts one victim. The footprints settle in proportion to
 * the shares (3:1).
 */
TEST(shares_weight_footprint)
{
	enum { CAP = 400, STEPS = 40000 };
	struct hc_entry *e = calloc(CAP + 1, sizeof(*e));
	struct hc_entry *free_list[CAP + 1];
	struct hc_acct *a, *b, *v;
	unsigned int i, nfree = 0;
	struct hc_lru l;
	u64 rnd = 1, sum_a = 0, sum_b = 0;

	ASSERT_NE(NULL, e);
	for (i = 0; i <= CAP; i++)
		free_list[nfree++] = &e[i];
	hc_lru_init(&l);
	a = hc_lru_acct_get(&l, 1);
	b = hc_lru_acct_get(&l, 2);
	a->shares = 3000;
	b->shares = 1000;
	for (i = 0; i < STEPS; i++) {
		struct hc_entry *x = free_list[--nfree];

		rnd = rnd * 6364136223846793005ULL + 1442695040888963407ULL;
		hc_lru_add(&l, (rnd >> 40) & 1 ? a : b, x);
		if (a->pages + b->pages > CAP) {
			v = hc_lru_victim(&l);
			x = hc_lru_oldest(v);
			hc_lru_del(v, x);
			free_list[nfree++] = x;
		}
		if (i >= STEPS / 2) {
			sum_a += a->pages;
			sum_b += b->pages;
		}
	}
	/* 3:1 within 10% */
	EXPECT_GT(sum_a * 10, sum_b * 27);
	EXPECT_LT(sum_a * 10, sum_b * 33);
	while ((v = hc_lru_victim(&l)))
		hc_lru_del(v, hc_lru_oldest(v));
	hc_lru_acct_free(&l, a);
	hc_lru_acct_free(&l, b);
	free(e);
}

/* Few shares make a VM the victim even when another VM's page is older. */
TEST(overweight_vm_first)
{
	static struct hc_entry e[101];
	struct hc_acct *a, *b;
	struct hc_lru l;
	unsigned int i;

	hc_lru_init(&l);
	a = hc_lru_acct_get(&l, 1);
	b = hc_lru_acct_get(&l, 2);
	hc_lru_add(&l, b, &e[100]);		/* oldest page, small VM */
	for (i = 0; i < 100; i++)
		hc_lru_add(&l, a, &e[i]);
	EXPECT_EQ(b, hc_lru_victim(&l));	/* equal shares: plain LRU */
	a->shares = 10;
	EXPECT_EQ(a, hc_lru_victim(&l));
	EXPECT_GT(hc_lru_score(&l, a), hc_lru_score(&l, b));
	b->shares = 1;
	EXPECT_EQ(b, hc_lru_victim(&l));
	for (i = 0; i < 100; i++)
		hc_lru_del(a, &e[i]);
	hc_lru_del(b, &e[100]);
	hc_lru_acct_free(&l, a);
	hc_lru_acct_free(&l, b);
}

TEST_HARNESS_MAIN
