// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the sharing estimator (ksm-ext/share_core.c):
 * hand-computed regions, domains, the policy threshold, a brute-force
 * comparison on random layouts.
 */
#include "../../ksm-ext/share_core.h"
#include "kselftest_harness.h"

/* Add @n pages of content @hash to region @r. */
static void add(struct share_page *p, size_t *n, struct share_region *regs, u32 r,
		u64 hash, u32 domain, unsigned int count)
{
	while (count--) {
		p[*n].hash = hash;
		p[*n].region = r;
		p[*n].domain = domain;
		regs[r].present++;
		(*n)++;
	}
}

/*
 * VM 0: region 0 small pages {A, A, B, 0}, region 1 THP {A x 3, C, D},
 * region 2 THP {E, F}. VM 1 (own domain): region 3 small {A, A}.
 */
TEST(hand_regions)
{
	struct share_region regs[4] = {
		{ .slot = 0 }, { .slot = 0, .flags = SHARE_REGION_THP },
		{ .slot = 0, .flags = SHARE_REGION_THP }, { .slot = 1 },
	};
	struct share_page p[32];
	struct share_est e[2], t;
	size_t n = 0;

	add(p, &n, regs, 0, 0xa, 1, 2);
	add(p, &n, regs, 0, 0xb, 1, 1);
	add(p, &n, regs, 0, SHARE_ZERO_HASH, 1, 1);
	add(p, &n, regs, 1, 0xa, 1, 3);
	add(p, &n, regs, 1, 0xc, 1, 1);
	add(p, &n, regs, 1, 0xd, 1, 1);
	add(p, &n, regs, 2, 0xe, 1, 1);
	add(p, &n, regs, 2, 0xf, 1, 1);
	add(p, &n, regs, 3, 0xa, 2, 2);
	share_sort_pages(p, n);
	ASSERT_EQ(0, share_estimate(p, n, regs, 4, 3, e, 2, &t));

	EXPECT_EQ(2, regs[0].dup);
	EXPECT_EQ(1, regs[0].zero);
	EXPECT_EQ(3, regs[1].dup);
	EXPECT_EQ(0, regs[2].dup);
	EXPECT_EQ(2, regs[3].dup);
	EXPECT_TRUE(regs[1].flags & SHARE_REGION_POLICY);	/* 3 >= 3 */
	EXPECT_FALSE(regs[2].flags & SHARE_REGION_POLICY);
	EXPECT_FALSE(regs[0].flags & SHARE_REGION_POLICY);	/* not a THP */

	/* VM 0: small merges A,A (1); splitting region 1 adds A x 3 (3) */
	EXPECT_EQ(11, e[0].pages);
	EXPECT_EQ(1, e[0].small);
	EXPECT_EQ(3, e[0].split);
	EXPECT_EQ(3, e[0].policy);
	EXPECT_EQ(3, e[0].regions);
	EXPECT_EQ(2, e[0].thp_regions);
	EXPECT_EQ(1, e[0].policy_regions);
	/* VM 1: its own A,A; never with VM 0's */
	EXPECT_EQ(1, e[1].small);
	EXPECT_EQ(0, e[1].split);
	EXPECT_EQ(2, t.small);
	EXPECT_EQ(3, t.split);
	EXPECT_EQ(3, t.policy);
	EXPECT_EQ(13, t.pages);
	EXPECT_EQ(7, t.dup);
	EXPECT_EQ(1, t.zero);

	/* a threshold of 4: region 1 stays huge, the policy reclaims nothing more */
	ASSERT_EQ(0, share_estimate(p, n, regs, 4, 4, e, 2, &t));
	EXPECT_EQ(0, t.policy);
	EXPECT_EQ(3, t.split);
	EXPECT_EQ(0, t.policy_regions);
}

/* Both VMs in one domain (cross-VM on): VM 1's pages merge with VM 0's. */
TEST(cross_domain)
{
	struct share_region regs[2] = { { .slot = 0 }, { .slot = 1 } };
	struct share_page p[8];
	struct share_est e[2], t;
	size_t n = 0;

	add(p, &n, regs, 0, 0x5, 0, 1);
	add(p, &n, regs, 1, 0x5, 0, 2);
	share_sort_pages(p, n);
	ASSERT_EQ(0, share_estimate(p, n, regs, 2, 1, e, 2, &t));
	EXPECT_EQ(0, e[0].small);	/* holds the kept copy */
	EXPECT_EQ(2, e[1].small);
	EXPECT_EQ(2, t.small);
}

TEST(bad_input)
{
	struct share_region regs[1] = { { .slot = 1 } };
	struct share_page p[1] = { { .hash = 1, .region = 0 } };
	struct share_est e[1], t;

	EXPECT_EQ(-EINVAL, share_estimate(p, 1, regs, 1, 0, e, 1, &t));
	EXPECT_EQ(-EINVAL, share_estimate(p, 1, regs, 1, 513, e, 1, &t));
	EXPECT_EQ(-EINVAL, share_estimate(p, 1, regs, 1, 1, e, 1, &t));	/* slot */
	regs[0].slot = 0;
	p[0].region = 3;
	EXPECT_EQ(-EINVAL, share_estimate(p, 1, regs, 1, 1, e, 1, &t));
	EXPECT_EQ(0, share_estimate(NULL, 0, regs, 1, 1, e, 1, &t));
	EXPECT_EQ(0, t.pages);
}

/*
 * Random layouts against a brute force: for each estimate, the pages
 * reclaimed are the eligible pages minus the distinct (domain, hash)
 * among them.
 */
static u64 brute(const struct share_page *p, size_t n, const struct share_region *regs,
		 int which)
{
	u64 eligible = 0, distinct = 0;
	size_t i, j;

	for (i = 0; i < n; i++) {
		const struct share_region *r = &regs[p[i].region];
		bool el = which == 2 || !(r->flags & SHARE_REGION_THP) ||
			  (which == 1 && (r->flags & SHARE_REGION_POLICY));
		bool first = true;

		if (!el)
			continue;
		eligible++;
		for (j = 0; j < i; j++) {
			const struct share_region *q = &regs[p[j].region];
			bool elj = which == 2 || !(q->flags & SHARE_REGION_THP) ||
				   (which == 1 && (q->flags & SHARE_REGION_POLICY));

			if (elj && p[j].hash == p[i].hash && p[j].domain == p[i].domain)
				first = false;
		}
		distinct += first;
	}
	return eligible - distinct;
}

TEST(random_vs_brute_force)
{
	enum { R = 24, N = 3000 };
	static struct share_page p[N];
	struct share_region regs[R];
	struct share_est e[3], t;
	unsigned int round, i;
	u64 x = 88172645463325252ULL;

	for (round = 0; round < 20; round++) {
		size_t n = 0;

		memset(regs, 0, sizeof(regs));
		for (i = 0; i < R; i++) {
			regs[i].slot = i % 3;
			if (i % 2)
				regs[i].flags = SHARE_REGION_THP;
		}
		for (i = 0; i < N; i++) {
			u32 r;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			r = x % R;
			if (regs[r].present == SHARE_REGION_PAGES)
				continue;
			add(p, &n, regs, r, (x >> 20) % (40 + round * 50), regs[r].slot == 2 ? 0 : 1, 1);
		}
		share_sort_pages(p, n);
		ASSERT_EQ(0, share_estimate(p, n, regs, R, 8, e, 3, &t));
		EXPECT_EQ(brute(p, n, regs, 0), t.small);
		EXPECT_EQ(brute(p, n, regs, 1) - t.small, t.policy);
		EXPECT_EQ(brute(p, n, regs, 2) - t.small, t.split);
		EXPECT_EQ(n, t.pages);
	}
}

TEST_HARNESS_MAIN
