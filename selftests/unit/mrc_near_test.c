// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the exact near stack (mrc/mrc_near.c): an LRU stack
 * of the most recent pages with O(log n) distances, against a naive
 * move-to-front list.
 */
#include "../../mrc/mrc_near.h"
#include "kselftest_harness.h"

/* Distances of a b c b a a d c in a 3-page stack, by hand. */
TEST(near_hand_distances)
{
	static const u64 trace[] = { 1, 2, 3, 2, 1, 1, 4, 3, 4 };
	/* 4 evicts 3 (the least recent), then 3 evicts 2 */
	static const s32 want[] = { -1, -1, -1, 1, 2, 0, -1, -1, 1 };
	struct mrc_near s;
	unsigned int i;

	ASSERT_EQ(0, mrc_near_init(&s, 3));
	for (i = 0; i < ARRAY_SIZE(trace); i++)
		EXPECT_EQ(want[i], mrc_near_access(&s, trace[i]));
	EXPECT_EQ(3, s.count);
	mrc_near_clear(&s);
	EXPECT_EQ(0, s.count);
	EXPECT_EQ(-1, mrc_near_access(&s, 4));
	EXPECT_EQ(0, mrc_near_access(&s, 4));
	mrc_near_destroy(&s);
	mrc_near_destroy(&s);	/* safe twice */
}

TEST(near_bad_args)
{
	struct mrc_near s;

	EXPECT_EQ(-EINVAL, mrc_near_init(&s, 0));
	EXPECT_EQ(-EINVAL, mrc_near_init(&s, MRC_LRU_MAX_CAP + 1));
	mrc_near_destroy(&s);	/* safe after a failed init */
	EXPECT_EQ(0, mrc_near_bytes(0));
	/* 16 B node, 4 B bucket, 8 B Fenwick tree, 8 B owners per page */
	EXPECT_EQ(4096 * 36 + 4, mrc_near_bytes(4096));
}

/*
 * Against a naive move-to-front list of @cap pages, over many renumberings
 * and evictions; pages drawn from a hot set and a larger one.
 */
static void check_naive(struct __test_metadata *_metadata, u32 cap, u32 u)
{
	enum { N = 300000 };
	u64 *stack = calloc(cap, sizeof(u64)), rnd = cap;
	unsigned int depth = 0, i, j;
	struct mrc_near s;

	ASSERT_NE(NULL, stack);
	ASSERT_EQ(0, mrc_near_init(&s, cap));
	for (i = 0; i < N; i++) {
		u64 page;
		s32 want = -1, got;

		rnd = rnd * 6364136223846793005ULL + 1442695040888963407ULL;
		page = (rnd >> 33) % ((rnd >> 20) & 1 ? cap / 2 + 1 : u);
		for (j = 0; j < depth; j++)
			if (stack[j] == page)
				break;
		if (j < depth)
			want = j;
		else if (depth < cap)
			j = depth++;
		else
			j = cap - 1;
		memmove(&stack[1], &stack[0], j * sizeof(u64));
		stack[0] = page;
		got = mrc_near_access(&s, page);
		if (got != want) {
			TH_LOG("cap %u ref %u page %llu: got %d want %d", cap, i,
			       (unsigned long long)page, got, want);
			ASSERT_EQ(want, got);
		}
		ASSERT_EQ(depth, s.count);
	}
	mrc_near_destroy(&s);
	free(stack);
}

TEST(near_matches_naive_stack)
{
	check_naive(_metadata, 1, 3);
	check_naive(_metadata, 2, 5);
	check_naive(_metadata, 64, 200);
	check_naive(_metadata, 1000, 3000);
	check_naive(_metadata, 4096, 5000);
}

TEST_HARNESS_MAIN
