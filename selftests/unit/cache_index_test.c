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

static const siphash_key_t key = { { 0x0123456789abcdefULL, 0xfedcba9876543210ULL } };

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
		hc_htab_add(&t, &nodes[i], hc_hash3(&key, i, 0, 0) & (i % 7 ? ~0ULL : 0xff));
	EXPECT_GT(t.bits, HC_HTAB_MIN_BITS + 4);
	EXPECT_EQ(N, t.count);
	for (i = 0; i < N; i += 2)
		hc_htab_del(&t, &nodes[i]);
	for (i = 0; i < N; i++) {
		u64 h = hc_hash3(&key, i, 0, 0) & (i % 7 ? ~0ULL : 0xff);

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

/*
 * Hash flooding. The index once hashed keys with an unkeyed, invertible
 * mix (the splitmix64 finaliser, below as old_hash3): whoever picks page
 * indices (a guest) could compute N indices that all land in one bucket,
 * making every lookup under the cache lock walk N entries (60k such keys:
 * 6.3 s against 0.15 s). Craft such keys, check they do defeat the old
 * hash, then insert them into the real, keyed index: its chains must stay
 * short.
 */
static u64 old_hash3(u64 a, u64 b, u64 c)
{
	u64 x = a * 0x9e3779b97f4a7c15ULL ^ b;

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL ^ c;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static u64 unxorshift(u64 y, unsigned int s)
{
	u64 x = y;
	int i;

	for (i = 0; i < 64 / s + 1; i++)
		x = y ^ (x >> s);
	return x;
}

static u64 inv64(u64 k)
{
	u64 inv = k;
	int i;

	for (i = 0; i < 6; i++)
		inv *= 2 - k * inv;
	return inv;
}

/* The index c such that old_hash3(a, b, c) == out. */
static u64 old_hash3_preimage(u64 a, u64 b, u64 out)
{
	u64 x = a * 0x9e3779b97f4a7c15ULL ^ b;
	u64 y0 = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	u64 t = unxorshift(out, 31) * inv64(0x94d049bb133111ebULL);

	return unxorshift(t, 27) ^ y0;
}

TEST(index_resists_crafted_keys)
{
	enum { N = 60000, OID = 1 };
	struct hc_pool p = { .acct = &the_acct };
	struct hc_entry *e = calloc(N, sizeof(*e));
	struct hc_hnode *nodes = calloc(N, sizeof(*nodes));
	u64 *idx = calloc(N, sizeof(*idx));
	struct hc_index ix;
	struct hc_htab t;
	unsigned int i;

	ASSERT_NE(NULL, e);
	ASSERT_NE(NULL, nodes);
	ASSERT_NE(NULL, idx);
	ASSERT_EQ(0, hc_index_init(&ix));
	ASSERT_EQ(0, hc_index_set_key(&ix, &key));
	ASSERT_EQ(0, hc_index_add_pool(&ix, &p));
	EXPECT_EQ(-EBUSY, hc_index_set_key(&ix, &key));	/* not empty any more */

	/* Outputs (v << 32 | v) all map to bucket 0 at any table size. */
	for (i = 0; i < N; i++) {
		u64 v = i + 1;

		idx[i] = old_hash3_preimage(p.id, OID, v << 32 | v);
		ASSERT_EQ(v << 32 | v, old_hash3(p.id, OID, idx[i]));
	}
	/* Against the old hash: one chain of N. */
	ASSERT_EQ(0, hc_htab_init(&t, HC_HTAB_MIN_BITS));
	for (i = 0; i < N; i++)
		hc_htab_add(&t, &nodes[i], old_hash3(p.id, OID, idx[i]));
	EXPECT_EQ(N, hc_htab_max_chain(&t));
	hc_htab_destroy(&t);

	/* Against the index's keyed hash: short chains, every key found. */
	for (i = 0; i < N; i++)
		ASSERT_EQ(0, hc_index_add_entry(&ix, &p, OID, idx[i], &e[i]));
	EXPECT_LE(hc_htab_max_chain(&ix.entries), HC_HTAB_LONG_CHAIN);
	TH_LOG("longest chain: %u of %u entries, %u buckets",
	       hc_htab_max_chain(&ix.entries), N, 1U << ix.entries.bits);
	for (i = 0; i < N; i++)
		EXPECT_EQ(&e[i], hc_index_entry(&ix, p.id, OID, idx[i]));
	for (i = 0; i < N; i++)
		hc_index_del_entry(&ix, &e[i]);
	hc_index_del_pool(&ix, &p);
	hc_index_destroy(&ix);
	free(e);
	free(nodes);
	free(idx);
}

/* Even identical hashes (which a secret key makes infeasible to find) only
 * grow the table early, never fail an insert; lookups still find them.
 */
TEST(htab_long_chain_grows_early)
{
	enum { N = 64 };
	static struct hc_hnode nodes[N * 4];
	struct hc_htab t;
	unsigned int i;

	ASSERT_EQ(0, hc_htab_init(&t, HC_HTAB_MIN_BITS));
	for (i = 0; i < N * 4; i++)
		hc_htab_add(&t, &nodes[i], i < N ? 0 : hc_hash3(&key, i, 0, 0));
	EXPECT_EQ(N * 4, t.count);
	/* 256 nodes do not need 2^7 buckets by load; the chain of 0s made it grow */
	EXPECT_GE(t.bits, HC_HTAB_MIN_BITS + 4);
	hc_htab_destroy(&t);
}

TEST_HARNESS_MAIN
