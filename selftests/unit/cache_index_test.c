// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the exclusive cache's hash table (kmod/cache_htab.c)
 * and key map (kmod/cache_index.c).
 */
#include "../../kmod/cache_index.h"
#include "kselftest_harness.h"

TEST(htab_bad_bits)
{
	struct hc_htab t;

	EXPECT_EQ(-EINVAL, hc_htab_init(&t, 1));
	EXPECT_EQ(-EINVAL, hc_htab_init(&t, HC_HTAB_MAX_BITS + 1));
	hc_htab_destroy(&t);
}

/* Growth keeps every node findable; deletion of any node works. */
TEST(htab_grow_and_delete)
{
	enum { N = 5000 };
	static struct hc_hnode nodes[N];
	struct hc_htab t;
	struct hc_hnode *pos;
	unsigned int i, found;

	ASSERT_EQ(0, hc_htab_init(&t, HC_HTAB_MIN_BITS));
	for (i = 0; i < N; i++)
		hc_htab_add(&t, &nodes[i], hc_hash3(i, 0, 0) & (i % 7 ? ~0ULL : 0xff));
	EXPECT_GT(t.bits, HC_HTAB_MIN_BITS + 4);
	EXPECT_EQ(N, t.count);
	for (i = 0; i < N; i += 2)
		hc_htab_del(&t, &nodes[i]);
	for (i = 0; i < N; i++) {
		u64 h = hc_hash3(i, 0, 0) & (i % 7 ? ~0ULL : 0xff);

		found = 0;
		for (pos = hc_htab_chain(&t, h); pos; pos = pos->next)
			found += pos == &nodes[i] && pos->hash == h;
		EXPECT_EQ(i & 1, found);
	}
	EXPECT_EQ(N / 2, t.count);
	hc_htab_destroy(&t);
}

static struct hc_acct the_acct = { .vm_id = 7 };

TEST(pool_ids_unique_not_reused)
{
	struct hc_pool a = { .acct = &the_acct };
	struct hc_pool b = a, c = a;
	struct hc_index ix;

	ASSERT_EQ(0, hc_index_init(&ix));
	ASSERT_EQ(0, hc_index_add_pool(&ix, &a));
	ASSERT_EQ(0, hc_index_add_pool(&ix, &b));
	EXPECT_NE(0, a.id);
	EXPECT_NE(a.id, b.id);
	EXPECT_EQ(&a, hc_index_pool(&ix, a.id));
	hc_index_del_pool(&ix, &a);
	EXPECT_EQ(NULL, hc_index_pool(&ix, a.id));
	ASSERT_EQ(0, hc_index_add_pool(&ix, &c));
	EXPECT_NE(a.id, c.id);
	/* Wrap-around skips 0 and ids in use. */
	hc_index_del_pool(&ix, &c);
	ix.next_pool_id = 0xffffffffU;
	ASSERT_EQ(0, hc_index_add_pool(&ix, &a));
	EXPECT_EQ(0xffffffffU, a.id);
	ix.next_pool_id = b.id;
	ASSERT_EQ(0, hc_index_add_pool(&ix, &c));
	EXPECT_EQ(b.id + 1, c.id);
	hc_index_del_pool(&ix, &a);
	hc_index_del_pool(&ix, &b);
	hc_index_del_pool(&ix, &c);
	hc_index_destroy(&ix);
}

/* Keys are exact: every (pool, oid, index) component matters. */
TEST(entries_and_objects)
{
	enum { OBJS = 50, PAGES = 40 };
	struct hc_pool p1 = { .acct = &the_acct }, p2 = { .acct = &the_acct };
	static struct hc_entry e1[OBJS][PAGES], e2[OBJS][PAGES];
	struct hc_index ix;
	unsigned int o, i;

	ASSERT_EQ(0, hc_index_init(&ix));
	ASSERT_EQ(0, hc_index_add_pool(&ix, &p1));
	ASSERT_EQ(0, hc_index_add_pool(&ix, &p2));
	for (o = 0; o < OBJS; o++) {
		for (i = 0; i < PAGES; i++) {
			ASSERT_EQ(0, hc_index_add_entry(&ix, &p1, o, i, &e1[o][i]));
			ASSERT_EQ(0, hc_index_add_entry(&ix, &p2, o, i, &e2[o][i]));
		}
	}
	EXPECT_EQ(2 * OBJS, ix.nr_objs);
	EXPECT_EQ(OBJS * PAGES, p1.pages);
	for (o = 0; o < OBJS; o++) {
		for (i = 0; i < PAGES; i++) {
			EXPECT_EQ(&e1[o][i], hc_index_entry(&ix, p1.id, o, i));
			EXPECT_EQ(&e2[o][i], hc_index_entry(&ix, p2.id, o, i));
		}
	}
	EXPECT_EQ(NULL, hc_index_entry(&ix, p1.id, OBJS, 0));
	EXPECT_EQ(NULL, hc_index_entry(&ix, p1.id, 0, PAGES));
	EXPECT_EQ(NULL, hc_index_entry(&ix, p2.id + 1, 0, 0));
	EXPECT_EQ(NULL, hc_index_obj(&ix, p1.id, OBJS));
	ASSERT_NE(NULL, hc_index_obj(&ix, p1.id, 3));
	EXPECT_EQ(PAGES, hc_index_obj(&ix, p1.id, 3)->nr_pages);

	/* Removing an object's last entry frees the object. */
	for (o = 0; o < OBJS; o++) {
		for (i = 0; i < PAGES; i++) {
			hc_index_del_entry(&ix, &e1[o][i]);
			hc_index_del_entry(&ix, &e2[o][i]);
		}
		EXPECT_EQ(NULL, hc_index_obj(&ix, p1.id, o));
	}
	EXPECT_EQ(0, ix.nr_objs);
	EXPECT_EQ(0, p1.pages);
	hc_index_del_pool(&ix, &p1);
	hc_index_del_pool(&ix, &p2);
	hc_index_destroy(&ix);
}

TEST_HARNESS_MAIN
