// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the exclusive cache's content table
 * (kmod/cache_dedup.c).
 */
#include "cache_helpers.h"
#include "kselftest_harness.h"

TEST(zero_page)
{
	static u64 buf[PG / 8];
	unsigned int i;

	EXPECT_TRUE(hc_page_is_zero(buf, PG));
	for (i = 0; i < PG; i += 511) {
		((u8 *)buf)[i] = 1;
		EXPECT_FALSE(hc_page_is_zero(buf, PG));
		((u8 *)buf)[i] = 0;
	}
	((u8 *)buf)[PG - 1] = 0x80;
	EXPECT_FALSE(hc_page_is_zero(buf, PG));
	EXPECT_TRUE(hc_page_is_zero(buf, PG - 8));
	EXPECT_TRUE(hc_page_is_zero(buf, 24));	/* not a multiple of 32 bytes */
}

TEST(bad_page_size)
{
	struct hc_dedup d;

	EXPECT_EQ(-EINVAL, hc_dedup_init(&d, 0));
	EXPECT_EQ(-EINVAL, hc_dedup_init(&d, 100));
	hc_dedup_destroy(&d);
}

/* A hash match is not enough: contents are compared, and domains kept apart. */
TEST(find_compares_contents_and_domain)
{
	static u64 a[PG / 8], b[PG / 8], fa[PG / 8], fb[PG / 8];
	struct hc_frame f1 = { .data = fa }, f2 = { .data = fb };
	struct hc_dedup d;

	fill_page(a, 1);
	fill_page(b, 2);
	memcpy(fa, a, PG);
	memcpy(fb, b, PG);
	ASSERT_EQ(0, hc_dedup_init(&d, PG));
	hc_dedup_insert(&d, &f1, 42, 5);
	hc_dedup_insert(&d, &f2, 42, 5);	/* same hash, other content */
	EXPECT_EQ(&f1, hc_dedup_find(&d, a, 42, 5));
	EXPECT_EQ(&f2, hc_dedup_find(&d, b, 42, 5));
	EXPECT_EQ(NULL, hc_dedup_find(&d, a, 42, 6));	/* other domain */
	EXPECT_EQ(NULL, hc_dedup_find(&d, a, 43, 5));	/* other hash */
	a[PG / 8 - 1] ^= 1;				/* last byte differs */
	EXPECT_EQ(NULL, hc_dedup_find(&d, a, 42, 5));
	hc_dedup_remove(&d, &f1);
	EXPECT_FALSE(f1.hashed);
	hc_dedup_remove(&d, &f1);			/* not in the table: no-op */
	a[PG / 8 - 1] ^= 1;
	EXPECT_EQ(NULL, hc_dedup_find(&d, a, 42, 5));
	hc_dedup_remove(&d, &f2);
	hc_dedup_destroy(&d);
}

TEST_HARNESS_MAIN
