// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the sharing estimator (ksm-ext/share_core.c):
 * hand-computed regions, domains, the policy threshold, and random
 * layouts against a naive reference implementation.
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
 * Random layouts against a naive reference computed from the pages alone
 * (a copy taken before share_estimate() sorts them and sets any flag): the
 * per-region dup and zero counts, the policy's choice, and each VM's
 * counts and reclaim. Merging keeps the first copy in region order, so a
 * page is merged away when an eligible page of its domain and content lies
 * in a lower region, or earlier in its own.
 */
enum { RR = 24, RS = 4, RN = 3000 };

struct ref {
	u32 dup[RR], zero[RR];
	bool policy[RR];
	struct share_est e[RS];
};

static bool ref_eligible(const struct ref *ref, const u16 *thp, u32 r, int which)
{
	return which == 2 || !thp[r] || (which == 1 && ref->policy[r]);
}

static void reference(const struct share_page *p, size_t n, const u16 *thp,
		      const u32 *slot_of, u32 threshold, struct ref *ref)
{
	u64 merged[3][RS] = { { 0 } };
	size_t i, j;
	u32 r, s;
	int c;

	memset(ref, 0, sizeof(*ref));
	for (i = 0; i < n; i++) {
		bool copy = false;

		for (j = 0; j < n; j++)
			if (j != i && p[j].hash == p[i].hash && p[j].domain == p[i].domain)
				copy = true;
		if (p[i].hash == SHARE_ZERO_HASH)
			ref->zero[p[i].region]++;
		else if (copy)
			ref->dup[p[i].region]++;
	}
	for (r = 0; r < RR; r++)
		ref->policy[r] = thp[r] && ref->dup[r] + ref->zero[r] >= threshold;
	for (i = 0; i < n; i++) {
		struct share_est *e = &ref->e[slot_of[p[i].region]];

		e->pages++;
		for (c = 0; c < 3; c++) {
			bool away = false;

			if (!ref_eligible(ref, thp, p[i].region, c))
				continue;
			for (j = 0; j < n && !away; j++)
				away = p[j].hash == p[i].hash && p[j].domain == p[i].domain &&
				       ref_eligible(ref, thp, p[j].region, c) &&
				       (p[j].region < p[i].region ||
					(p[j].region == p[i].region && j < i));
			merged[c][slot_of[p[i].region]] += away;
		}
	}
	for (r = 0; r < RR; r++) {
		bool any = false;

		for (i = 0; i < n; i++)
			any |= p[i].region == r;
		if (!any)
			continue;
		s = slot_of[r];
		ref->e[s].dup += ref->dup[r];
		ref->e[s].zero += ref->zero[r];
		ref->e[s].regions++;
		ref->e[s].thp_regions += !!thp[r];
		ref->e[s].policy_regions += ref->policy[r];
	}
	for (s = 0; s < RS; s++) {
		ref->e[s].small = merged[0][s];
		ref->e[s].policy = merged[1][s] - merged[0][s];
		ref->e[s].split = merged[2][s] - merged[0][s];
	}
}

/* Estimate a copy of @orig at @threshold; compare with the reference. */
static void check_layout(struct __test_metadata *_metadata, const struct share_page *orig,
			 size_t n, struct share_region *regs, const u16 *thp,
			 const u32 *slot_of, u32 threshold, struct ref *ref)
{
	static struct share_page p[RN];
	struct share_est e[RS], t;
	u64 sum_small = 0;
	u32 r, s;

	memcpy(p, orig, n * sizeof(*p));
	reference(orig, n, thp, slot_of, threshold, ref);
	share_sort_pages(p, n);
	ASSERT_EQ(0, share_estimate(p, n, regs, RR, threshold, e, RS, &t));
	for (r = 0; r < RR; r++) {
		EXPECT_EQ(ref->dup[r], regs[r].dup);
		EXPECT_EQ(ref->zero[r], regs[r].zero);
		EXPECT_EQ(ref->policy[r], !!(regs[r].flags & SHARE_REGION_POLICY));
		EXPECT_EQ(thp[r], !!(regs[r].flags & SHARE_REGION_THP));
	}
	for (s = 0; s < RS; s++) {
		EXPECT_EQ(ref->e[s].pages, e[s].pages);
		EXPECT_EQ(ref->e[s].dup, e[s].dup);
		EXPECT_EQ(ref->e[s].zero, e[s].zero);
		EXPECT_EQ(ref->e[s].regions, e[s].regions);
		EXPECT_EQ(ref->e[s].thp_regions, e[s].thp_regions);
		EXPECT_EQ(ref->e[s].policy_regions, e[s].policy_regions);
		EXPECT_EQ(ref->e[s].small, e[s].small);
		EXPECT_EQ(ref->e[s].policy, e[s].policy);
		EXPECT_EQ(ref->e[s].split, e[s].split);
		sum_small += ref->e[s].small;
	}
	EXPECT_EQ(n, t.pages);
	EXPECT_EQ(sum_small, t.small);
}

TEST(random_vs_reference)
{
	/* slots 0 and 1 each their own domain, 2 and 3 share domain 0 (cross-VM) */
	static const u32 domain_of_slot[RS] = { 1, 2, 0, 0 };
	static struct share_page orig[RN];
	struct share_region regs[RR];
	u64 x = 88172645463325252ULL;
	unsigned int round, i;
	u32 slot_of[RR], r;
	struct ref ref;
	u16 thp[RR];

	for (round = 0; round < 30; round++) {
		size_t n = 0;

		memset(regs, 0, sizeof(regs));
		for (r = 0; r < RR; r++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			slot_of[r] = x % RS;
			thp[r] = (x >> 8) % 3 != 0;
			regs[r].slot = slot_of[r];
			regs[r].flags = thp[r] ? SHARE_REGION_THP : 0;
		}
		for (i = 0; i < RN; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			r = x % RR;
			if (regs[r].present == SHARE_REGION_PAGES)
				continue;
			orig[n].region = r;
			orig[n].domain = domain_of_slot[slot_of[r]];
			/* few contents, a zero page now and then */
			orig[n].hash = (x >> 20) % 11 == 0 ? SHARE_ZERO_HASH :
				       1 + (x >> 24) % (40 + round * 50);
			regs[r].present++;
			n++;
		}
		check_layout(_metadata, orig, n, regs, thp, slot_of, 1 + round * 7 % 64, &ref);
		/* then a threshold exactly on a THP region's sharable count */
		for (r = 0; r < RR; r++)
			if (thp[r] && ref.dup[r] + ref.zero[r])
				break;
		if (r < RR)
			check_layout(_metadata, orig, n, regs, thp, slot_of,
				     ref.dup[r] + ref.zero[r], &ref);
	}
}

TEST_HARNESS_MAIN
