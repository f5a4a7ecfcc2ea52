// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the guest workload's page contents and checker
 * (tools/guest-workload/workload_core.c).
 */
#include <stdlib.h>
#include <string.h>
#include "../../tools/guest-workload/workload_core.h"
#include "kselftest_harness.h"

static unsigned char a[WL_PAGE], b[WL_PAGE], s[WL_PAGE];

TEST(parse_mix)
{
	struct wl_mix m;

	ASSERT_EQ(0, wl_parse_mix("zero:10,dup:20,compressible:30,random:40", &m));
	EXPECT_EQ(10, m.pct[WL_ZERO]);
	EXPECT_EQ(20, m.pct[WL_DUP]);
	EXPECT_EQ(30, m.pct[WL_TEXT]);
	EXPECT_EQ(40, m.pct[WL_RANDOM]);
	ASSERT_EQ(0, wl_parse_mix("random:100", &m));
	EXPECT_EQ(0, m.pct[WL_ZERO]);
	EXPECT_EQ(100, m.pct[WL_RANDOM]);
	ASSERT_EQ(0, wl_parse_mix("text:50,zero:50", &m));
	EXPECT_EQ(50, m.pct[WL_TEXT]);
	/* bad input leaves the mix alone */
	EXPECT_EQ(-1, wl_parse_mix("zero:50", &m));		/* sum != 100 */
	EXPECT_EQ(-1, wl_parse_mix("zero:50,zero:50", &m));	/* twice */
	EXPECT_EQ(-1, wl_parse_mix("ones:100", &m));
	EXPECT_EQ(-1, wl_parse_mix("zero:,random:100", &m));
	EXPECT_EQ(-1, wl_parse_mix("zero:101", &m));
	EXPECT_EQ(-1, wl_parse_mix("random:100,", &m));
	EXPECT_EQ(-1, wl_parse_mix("random:1x0", &m));
	EXPECT_EQ(-1, wl_parse_mix("", &m));
	EXPECT_EQ(50, m.pct[WL_TEXT]);
}

TEST(mix_is_honoured)
{
	struct wl_mix m;
	unsigned long cnt[WL_NKINDS] = { 0 }, i, n = 20000;
	int k;

	ASSERT_EQ(0, wl_parse_mix("zero:10,dup:20,compressible:30,random:40", &m));
	for (i = 0; i < n; i++)
		cnt[wl_kind_of(&m, 7, i)]++;
	for (k = 0; k < WL_NKINDS; k++) {
		EXPECT_GT(cnt[k], n * m.pct[k] / 100 - n / 50);
		EXPECT_LT(cnt[k], n * m.pct[k] / 100 + n / 50);
	}
	/* the kind depends on the seed */
	for (i = 0; i < 64; i++)
		if (wl_kind_of(&m, 7, i) != wl_kind_of(&m, 8, i))
			break;
	EXPECT_LT(i, 64);
}

TEST(contents_are_deterministic)
{
	int k;

	for (k = 0; k < WL_NKINDS; k++) {
		wl_fill_page(a, 3, 41, 2, k);
		wl_fill_page(b, 3, 41, 2, k);
		EXPECT_EQ(0, memcmp(a, b, WL_PAGE));
		EXPECT_EQ(-1, wl_verify_page(a, 3, 41, 2, k, s));
		EXPECT_EQ(wl_page_hash(a), wl_page_hash(b));
	}
}

TEST(generation_index_and_seed_change_contents)
{
	int k;

	for (k = WL_DUP; k < WL_NKINDS; k++) {
		wl_fill_page(a, 3, 41, 2, k);
		wl_fill_page(b, 3, 41, 3, k);
		EXPECT_NE(0, memcmp(a, b, WL_PAGE));
		/* a page left at an old generation does not verify */
		EXPECT_LE(0, wl_verify_page(a, 3, 41, 3, k, s));
		wl_fill_page(b, 4, 41, 2, k);
		EXPECT_NE(0, memcmp(a, b, WL_PAGE));
	}
	for (k = WL_TEXT; k < WL_NKINDS; k++) {
		wl_fill_page(a, 3, 41, 2, k);
		wl_fill_page(b, 3, 42, 2, k);
		EXPECT_NE(0, memcmp(a, b, WL_PAGE));
	}
}

TEST(zero_pages_are_zero)
{
	unsigned char z[WL_PAGE] = { 0 };

	memset(a, 0xff, WL_PAGE);
	wl_fill_page(a, 9, 5, 7, WL_ZERO);
	EXPECT_EQ(0, memcmp(a, z, WL_PAGE));
}

TEST(dup_pages_repeat_across_pages)
{
	unsigned long i, j, same = 0;
	unsigned char *pg = malloc(64 * WL_PAGE);

	ASSERT_NE(NULL, pg);
	for (i = 0; i < 64; i++)
		wl_fill_page(pg + i * WL_PAGE, 11, i, 0, WL_DUP);
	for (i = 0; i < 64; i++)
		for (j = i + 1; j < 64; j++)
			same += !memcmp(pg + i * WL_PAGE, pg + j * WL_PAGE, WL_PAGE);
	/* 64 pages in at most WL_DUP_CLASSES contents: many equal pairs */
	EXPECT_GE(same, 64 * 63 / 2 / WL_DUP_CLASSES / 2);
	/* and at least two distinct contents */
	EXPECT_LT(same, 64 * 63 / 2);
	free(pg);
	/* random pages never repeat */
	wl_fill_page(a, 11, 1, 0, WL_RANDOM);
	wl_fill_page(b, 11, 2, 0, WL_RANDOM);
	EXPECT_NE(0, memcmp(a, b, WL_PAGE));
}

TEST(compressible_pages_are_text)
{
	unsigned int seen[256] = { 0 }, distinct = 0, i;

	wl_fill_page(a, 5, 17, 1, WL_TEXT);
	for (i = 0; i < WL_PAGE; i++) {
		EXPECT_TRUE(a[i] == ' ' || a[i] == '\n' || (a[i] >= 'a' && a[i] <= 'z'));
		distinct += !seen[a[i]]++;
	}
	EXPECT_LE(distinct, 28);
	/* random pages use (nearly) every byte value */
	memset(seen, 0, sizeof(seen));
	distinct = 0;
	wl_fill_page(a, 5, 17, 1, WL_RANDOM);
	for (i = 0; i < WL_PAGE; i++)
		distinct += !seen[a[i]]++;
	EXPECT_GT(distinct, 200);
}

TEST(checker_finds_every_single_byte_flip)
{
	int k;
	unsigned int off;

	for (k = 0; k < WL_NKINDS; k++)
		for (off = 0; off < WL_PAGE; off += 509) {
			wl_fill_page(a, 1, 99, 4, k);
			a[off] ^= 0x01;
			EXPECT_EQ((long)off, wl_verify_page(a, 1, 99, 4, k, s));
			a[off] ^= 0x01;
			EXPECT_EQ(-1, wl_verify_page(a, 1, 99, 4, k, s));
		}
	/* the wrong page (another index) is caught too */
	wl_fill_page(a, 1, 98, 4, WL_RANDOM);
	EXPECT_LE(0, wl_verify_page(a, 1, 99, 4, WL_RANDOM, s));
	/* and so is a page of another kind */
	wl_fill_page(a, 1, 99, 4, WL_TEXT);
	EXPECT_LE(0, wl_verify_page(a, 1, 99, 4, WL_RANDOM, s));
	/* the hash changes with a flip */
	wl_fill_page(a, 1, 99, 4, WL_TEXT);
	wl_fill_page(b, 1, 99, 4, WL_TEXT);
	b[100] ^= 0x80;
	EXPECT_NE(wl_page_hash(a), wl_page_hash(b));
}

TEST_HARNESS_MAIN
