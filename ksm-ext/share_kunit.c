// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the sharing estimator as built into hvmem_share.ko:
 * per-region counts, the three estimates, the policy threshold, sharing
 * domains and bad input. (The host unit test also compares it with a
 * brute force on random layouts.)
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "share_core.h"
#include "share_internal.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

static void add(struct share_page *p, size_t *n, struct share_region *regs, u32 r, u64 hash,
		u32 domain, unsigned int count)
{
	while (count--) {
		p[*n] = (struct share_page){ .hash = hash, .region = r, .domain = domain };
		regs[r].present++;
		(*n)++;
	}
}

/*
 * Region 0 small {A, A, 0}; region 1 THP {A x 3, C}; region 2 THP {D}:
 * small merges A,A; splitting region 1 adds its 3 As.
 */
static void share_test_hand(struct kunit *test)
{
	struct share_region regs[3] = {
		{ .slot = 0 }, { .slot = 0, .flags = SHARE_REGION_THP },
		{ .slot = 0, .flags = SHARE_REGION_THP },
	};
	struct share_page p[16];
	struct share_est e, t;
	size_t n = 0;

	add(p, &n, regs, 0, 0xa, 1, 2);
	add(p, &n, regs, 0, SHARE_ZERO_HASH, 1, 1);
	add(p, &n, regs, 1, 0xa, 1, 3);
	add(p, &n, regs, 1, 0xc, 1, 1);
	add(p, &n, regs, 2, 0xd, 1, 1);
	share_sort_pages(p, n);
	KUNIT_ASSERT_EQ(test, 0, share_estimate(p, n, regs, 3, 3, &e, 1, &t));
	KUNIT_EXPECT_EQ(test, 2, regs[0].dup);
	KUNIT_EXPECT_EQ(test, 1, regs[0].zero);
	KUNIT_EXPECT_EQ(test, 3, regs[1].dup);
	KUNIT_EXPECT_TRUE(test, regs[1].flags & SHARE_REGION_POLICY);
	KUNIT_EXPECT_FALSE(test, regs[2].flags & SHARE_REGION_POLICY);
	KUNIT_EXPECT_EQ(test, 1, t.small);
	KUNIT_EXPECT_EQ(test, 3, t.split);
	KUNIT_EXPECT_EQ(test, 3, t.policy);
	KUNIT_EXPECT_EQ(test, 8, t.pages);

	/* threshold 4: region 1 stays huge */
	KUNIT_ASSERT_EQ(test, 0, share_estimate(p, n, regs, 3, 4, &e, 1, &t));
	KUNIT_EXPECT_EQ(test, 0, t.policy);
	KUNIT_EXPECT_EQ(test, 3, t.split);
}

/* Identical pages of two domains never merge. */
static void share_test_domains(struct kunit *test)
{
	struct share_region regs[2] = { { .slot = 0 }, { .slot = 1 } };
	struct share_page p[4];
	struct share_est e[2], t;
	size_t n = 0;

	add(p, &n, regs, 0, 0x5, 1, 1);
	add(p, &n, regs, 1, 0x5, 2, 1);
	share_sort_pages(p, n);
	KUNIT_ASSERT_EQ(test, 0, share_estimate(p, n, regs, 2, 1, e, 2, &t));
	KUNIT_EXPECT_EQ(test, 0, t.small);
	KUNIT_EXPECT_EQ(test, 0, t.dup);
	p[0].domain = 0;
	p[1].domain = 0;
	KUNIT_ASSERT_EQ(test, 0, share_estimate(p, n, regs, 2, 1, e, 2, &t));
	KUNIT_EXPECT_EQ(test, 1, t.small);
	KUNIT_EXPECT_EQ(test, 1, e[1].small);
}

static void share_test_bad_input(struct kunit *test)
{
	struct share_region regs[1] = { { .slot = 0 } };
	struct share_page p[1] = { { .hash = 1, .region = 2 } };
	struct share_est e, t;

	KUNIT_EXPECT_EQ(test, -EINVAL, share_estimate(p, 1, regs, 1, 0, &e, 1, &t));
	KUNIT_EXPECT_EQ(test, -EINVAL, share_estimate(p, 1, regs, 1, 513, &e, 1, &t));
	KUNIT_EXPECT_EQ(test, -EINVAL, share_estimate(p, 1, regs, 1, 1, &e, 1, &t));
	regs[0].slot = 5;
	KUNIT_EXPECT_EQ(test, -EINVAL, share_estimate(NULL, 0, regs, 1, 1, &e, 1, &t));
}

/*
 * The scanner's arrays: kvmalloc() refuses (with a warning, a panic with
 * panic_on_warn) more than INT_MAX bytes, so share_grow() refuses first.
 */
static void share_test_grow_limit(struct kunit *test)
{
	struct share_page *arr = NULL;
	size_t cap = 0;

	KUNIT_EXPECT_EQ(test, -E2BIG, share_grow((void **)&arr, &cap,
						 SHARE_MAX_ENTRIES(sizeof(*arr)) + 1,
						 sizeof(*arr)));
	KUNIT_EXPECT_EQ(test, -E2BIG, share_grow((void **)&arr, &cap, SIZE_MAX / 2,
						 sizeof(*arr)));
	KUNIT_EXPECT_NULL(test, arr);
	KUNIT_EXPECT_EQ(test, 0, cap);
	KUNIT_ASSERT_EQ(test, 0, share_grow((void **)&arr, &cap, 10, sizeof(*arr)));
	KUNIT_EXPECT_EQ(test, 4096, cap);
	KUNIT_EXPECT_EQ(test, 0, share_grow((void **)&arr, &cap, 4097, sizeof(*arr)));
	KUNIT_EXPECT_EQ(test, 8192, cap);
	kvfree(arr);
}

static struct kunit_case share_test_cases[] = {
	KUNIT_CASE(share_test_grow_limit),
	KUNIT_CASE(share_test_hand),
	KUNIT_CASE(share_test_domains),
	KUNIT_CASE(share_test_bad_input),
	{}
};

static struct kunit_suite share_test_suite = {
	.name = "hvmem_share_core",
	.test_cases = share_test_cases,
};

kunit_test_suite(share_test_suite);

MODULE_DESCRIPTION("KUnit tests of hvmem_share's estimator");
MODULE_LICENSE("GPL");
