// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the exclusive cache's core (kmod/cache_core.c,
 * kmod/cache_pool.c): the put/get/flush semantics, generations, eviction,
 * dedup, zero pages, capacity changes and VM removal, and a randomised run
 * against a model.
 */
#include "cache_helpers.h"
#include "kselftest_harness.h"

FIXTURE(cache) {
	struct test_reserve r;
	struct hc_cache c;
	u64 *in, *out;
	u32 p1, p2;	/* VM 1's pools */
	u32 q1;		/* VM 2's pool */
};

FIXTURE_SETUP(cache)
{
	tr_init(&self->r, 16);
	ASSERT_EQ(0, hc_init(&self->c, &test_ops, &self->r, PG, 16));
	self->in = aligned_alloc(64, PG);
	self->out = aligned_alloc(64, PG);
	ASSERT_EQ(0, hc_pool_create(&self->c, 1, 0, &self->p1));
	ASSERT_EQ(0, hc_pool_create(&self->c, 1, 0, &self->p2));
	ASSERT_EQ(0, hc_pool_create(&self->c, 2, 0, &self->q1));
}

FIXTURE_TEARDOWN(cache)
{
	hc_destroy(&self->c);
	EXPECT_EQ(0, self->r.in_use);	/* every frame came back */
	tr_destroy(&self->r);
	free(self->in);
	free(self->out);
}

static int put_seed(struct hc_cache *c, u32 pool, u64 oid, u64 idx, u64 seed, u64 *gen)
{
	u64 buf[PG / 8], g;
	struct hc_key k = key(pool, oid, idx);

	fill_page(buf, seed);
	return hc_put(c, &k, buf, gen ? gen : &g);
}

/* 0 when the entry is there with seed's content (and takes it), else the error. */
static int get_seed(struct hc_cache *c, u32 pool, u64 oid, u64 idx, u64 seed)
{
	u64 buf[PG / 8], want[PG / 8], g;
	struct hc_key k = key(pool, oid, idx);
	int ret = hc_get(c, &k, 0, buf, &g);

	if (ret)
		return ret;
	fill_page(want, seed);
	return memcmp(buf, want, PG) ? -EILSEQ : 0;
}

TEST_F(cache, put_get_exact_then_miss)
{
	struct hc_key k = key(self->p1, 5, 9);
	u64 gen, gen2;

	fill_page(self->in, 77);
	ASSERT_EQ(0, hc_put(&self->c, &k, self->in, &gen));
	EXPECT_NE(0, gen);
	EXPECT_EQ(1, self->c.frames);
	EXPECT_EQ(1, self->c.entries);
	ASSERT_EQ(0, hc_get(&self->c, &k, 0, self->out, &gen2));
	EXPECT_EQ(0, memcmp(self->in, self->out, PG));
	EXPECT_EQ(gen, gen2);
	/* Exclusive: the entry is gone and its frame back in the reserve. */
	EXPECT_EQ(0, self->c.frames);
	EXPECT_EQ(0, self->r.in_use);
	EXPECT_EQ(-ENOENT, hc_get(&self->c, &k, 0, self->out, &gen2));
	EXPECT_EQ(2, self->c.st.gets);
	EXPECT_EQ(1, self->c.st.hits);
	EXPECT_EQ(1, self->c.st.misses);
	EXPECT_EQ(1, self->c.st.puts);
}

/* Each key component separates entries; pools of other VMs are never read. */
TEST_F(cache, keys_are_exact)
{
	ASSERT_EQ(0, put_seed(&self->c, self->p1, 1, 1, 100, NULL));
	ASSERT_EQ(0, put_seed(&self->c, self->p1, 1, 2, 101, NULL));
	ASSERT_EQ(0, put_seed(&self->c, self->p1, 2, 1, 102, NULL));
	ASSERT_EQ(0, put_seed(&self->c, self->p2, 1, 1, 103, NULL));
	ASSERT_EQ(0, put_seed(&self->c, self->q1, 1, 1, 104, NULL));
	EXPECT_EQ(0, get_seed(&self->c, self->q1, 1, 1, 104));
	EXPECT_EQ(0, get_seed(&self->c, self->p2, 1, 1, 103));
	EXPECT_EQ(0, get_seed(&self->c, self->p1, 2, 1, 102));
	EXPECT_EQ(0, get_seed(&self->c, self->p1, 1, 2, 101));
	EXPECT_EQ(0, get_seed(&self->c, self->p1, 1, 1, 100));
	EXPECT_EQ(0, self->c.entries);
}

TEST_F(cache, bad_pool_and_args)
{
	struct hc_key k = key(12345, 0, 0);
	u64 gen;
	u32 id;

	fill_page(self->in, 1);
	EXPECT_EQ(-ENXIO, hc_put(&self->c, &k, self->in, &gen));
	EXPECT_EQ(-ENXIO, hc_get(&self->c, &k, 0, self->out, &gen));
	EXPECT_EQ(-ENXIO, hc_flush_page(&self->c, &k));
	EXPECT_EQ(-ENXIO, hc_flush_object(&self->c, 12345, 0));
	EXPECT_EQ(-ENXIO, hc_pool_destroy(&self->c, 12345));
	EXPECT_EQ(-ENXIO, hc_pool_vm(&self->c, 0, &id));
	EXPECT_EQ(-EINVAL, hc_pool_create(&self->c, 0, 0, &id));
	EXPECT_EQ(-EINVAL, hc_pool_create(&self->c, 1, 0x80, &id));
	EXPECT_EQ(-EINVAL, hc_vm_set(&self->c, 1, 0, 0));
	EXPECT_EQ(-EINVAL, hc_vm_set(&self->c, 1, HC_SHARES_MAX + 1, 0));
	EXPECT_EQ(-EINVAL, hc_vm_set(&self->c, 0, 1, 0));
	EXPECT_EQ(0, hc_pool_vm(&self->c, self->q1, &id));
	EXPECT_EQ(2, id);
	k.pool = self->p1;
	EXPECT_EQ(-ENOENT, hc_flush_page(&self->c, &k));
	EXPECT_EQ(0, hc_flush_object(&self->c, self->p1, 99));
}

TEST(init_bad_args)
{
	static const struct hc_ops no_free = { .frame_alloc = tr_alloc };
	struct hc_cache c;

	EXPECT_EQ(-EINVAL, hc_init(&c, NULL, NULL, PG, 1));
	EXPECT_EQ(-EINVAL, hc_init(&c, &no_free, NULL, PG, 1));
	EXPECT_EQ(-EINVAL, hc_init(&c, &test_ops, NULL, 12, 1));
}

TEST_F(cache, flush_page_and_object)
{
	unsigned int i;

	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, put_seed(&self->c, self->p1, 7, i, i + 10, NULL));
	ASSERT_EQ(0, put_seed(&self->c, self->p1, 8, 0, 50, NULL));
	struct hc_key k = key(self->p1, 7, 2);

	EXPECT_EQ(0, hc_flush_page(&self->c, &k));
	EXPECT_EQ(-ENOENT, get_seed(&self->c, self->p1, 7, 2, 12));
	EXPECT_EQ(4, hc_flush_object(&self->c, self->p1, 7));
	for (i = 0; i < 5; i++)
		EXPECT_EQ(-ENOENT, get_seed(&self->c, self->p1, 7, i, i + 10));
	EXPECT_EQ(0, get_seed(&self->c, self->p1, 8, 0, 50));
	EXPECT_EQ(5, self->c.st.flushes);
	EXPECT_EQ(0, self->c.ix.nr_objs);
	EXPECT_EQ(0, self->r.in_use);
}

TEST_F(cache, replace)
{
	u64 g1, g2;

	ASSERT_EQ(0, put_seed(&self->c, self->p1, 1, 1, 1, &g1));
	ASSERT_EQ(0, put_seed(&self->c, self->p1, 1, 1, 2, &g2));
	EXPECT_GT(g2, g1);
	EXPECT_EQ(1, self->c.entries);
	EXPECT_EQ(1, self->c.frames);
	EXPECT_EQ(0, get_seed(&self->c, self->p1, 1, 1, 2));
	EXPECT_EQ(-ENOENT, get_seed(&self->c, self->p1, 1, 1, 1));
}

/* A failed put leaves nothing under its key: the old page is not returned. */
TEST_F(cache, failed_put_drops_old)
{
	struct hc_key k = key(self->p1, 1, 1);
	u64 gen;

	ASSERT_EQ(0, put_seed(&self->c, self->p1, 1, 1, 1, NULL));
	self->r.fail_after = self->r.allocs;	/* the reserve runs dry */
	fill_page(self->in, 2);
	EXPECT_EQ(-ENOMEM, hc_put(&self->c, &k, self->in, &gen));
	EXPECT_EQ(-ENOENT, hc_get(&self->c, &k, 0, self->out, &gen));
	EXPECT_EQ(0, self->c.entries);
	self->r.fail_after = 0;
	/* Capacity 0: nothing can be stored, and the old page goes too. */
	ASSERT_EQ(0, put_seed(&self->c, self->p1, 1, 1, 3, NULL));
	hc_set_capacity(&self->c, 0);
	EXPECT_EQ(0, self->c.entries);
	EXPECT_EQ(-ENOSPC, hc_put(&self->c, &k, self->in, &gen));
	memset(self->in, 0, PG);
	EXPECT_EQ(-ENOSPC, hc_put(&self->c, &k, self->in, &gen));
}

TEST_F(cache, generation_mismatch)
{
	struct hc_key k = key(self->p1, 3, 3);
	u64 g1, g2, g;

	ASSERT_EQ(0, put_seed(&self->c, self->p1, 3, 3, 1, &g1));
	/* Dropped and reused: a later put under the same key. */
	ASSERT_EQ(0, hc_flush_page(&self->c, &k));
	ASSERT_EQ(0, put_seed(&self->c, self->p1, 3, 3, 2, &g2));
	EXPECT_NE(g1, g2);
	g = 0;
	EXPECT_EQ(-ESTALE, hc_get(&self->c, &k, g1, self->out, &g));
	EXPECT_EQ(0, g);
	EXPECT_EQ(1, self->c.entries);		/* left in place */
	ASSERT_EQ(0, hc_get(&self->c, &k, g2, self->out, &g));
	EXPECT_EQ(g2, g);
	fill_page(self->in, 2);
	EXPECT_EQ(0, memcmp(self->in, self->out, PG));
	EXPECT_EQ(-ENOENT, hc_get(&self->c, &k, g2, self->out, &g));
}

/* Under pressure with equal shares, the globally oldest page goes first. */
TEST_F(cache, eviction_order_global_lru)
{
	unsigned int i;

	for (i = 0; i < 16; i++)
		ASSERT_EQ(0, put_seed(&self->c, i & 1 ? self->q1 : self->p1, 0, i, i, NULL));
	EXPECT_EQ(16, self->c.frames);
	ASSERT_EQ(0, put_seed(&self->c, self->p2, 0, 100, 100, NULL));
	ASSERT_EQ(0, put_seed(&self->c, self->p2, 0, 101, 101, NULL));
	EXPECT_EQ(2, self->c.st.evictions);
	EXPECT_EQ(-ENOENT, get_seed(&self->c, self->p1, 0, 0, 0));
	EXPECT_EQ(-ENOENT, get_seed(&self->c, self->q1, 0, 1, 1));
	for (i = 2; i < 16; i++)
		EXPECT_EQ(0, get_seed(&self->c, i & 1 ? self->q1 : self->p1, 0, i, i));
}

/* With shares 1:3, VM 1 keeps about a quarter of a cache both fill evenly. */
TEST_F(cache, eviction_with_shares)
{
	struct hc_vm_info v1, v2;
	unsigned int i;

	ASSERT_EQ(0, hc_vm_set(&self->c, 1, 1000, 0));
	ASSERT_EQ(0, hc_vm_set(&self->c, 2, 3000, 0));
	for (i = 0; i < 400; i++) {
		ASSERT_EQ(0, put_seed(&self->c, self->p1, 1, i, i, NULL));
		ASSERT_EQ(0, put_seed(&self->c, self->q1, 1, i, i + 1000, NULL));
	}
	ASSERT_EQ(0, hc_vm_info(&self->c, 1, &v1));
	ASSERT_EQ(0, hc_vm_info(&self->c, 2, &v2));
	EXPECT_EQ(16, v1.pages + v2.pages);
	EXPECT_GE(v1.pages, 3);
	EXPECT_LE(v1.pages, 5);
	EXPECT_EQ(400, v1.st.puts);
	EXPECT_EQ(400 - v1.pages, v1.st.evictions);
	/* The survivors are each VM's newest pages. */
	for (i = 400 - v1.pages; i < 400; i++)
		EXPECT_EQ(0, get_seed(&self->c, self->p1, 1, i, i));
	for (i = 400 - v2.pages; i < 400; i++)
		EXPECT_EQ(0, get_seed(&self->c, self->q1, 1, i, i + 1000));
}

TEST_F(cache, per_vm_cap)
{
	struct hc_vm_info v;
	unsigned int i;

	ASSERT_EQ(0, hc_vm_set(&self->c, 2, 1000, 3));
	for (i = 0; i < 10; i++)
		ASSERT_EQ(0, put_seed(&self->c, self->q1, 0, i, i, NULL));
	ASSERT_EQ(0, hc_vm_info(&self->c, 2, &v));
	EXPECT_EQ(3, v.pages);
	EXPECT_EQ(3, v.cap);
	EXPECT_EQ(7, v.st.evictions);
	EXPECT_EQ(0, get_seed(&self->c, self->q1, 0, 9, 9));
	/* A lower cap applies at once. */
	ASSERT_EQ(0, hc_vm_set(&self->c, 2, 1000, 1));
	ASSERT_EQ(0, hc_vm_info(&self->c, 2, &v));
	EXPECT_EQ(1, v.pages);
	EXPECT_EQ(0, get_seed(&self->c, self->q1, 0, 8, 8));
	/* VM 1 is not capped. */
	for (i = 0; i < 10; i++)
		ASSERT_EQ(0, put_seed(&self->c, self->p1, 0, i, i, NULL));
	ASSERT_EQ(0, hc_vm_info(&self->c, 1, &v));
	EXPECT_EQ(10, v.pages);
	EXPECT_EQ(-ENOENT, hc_vm_info(&self->c, 99, &v));
}

TEST_F(cache, dedup_refcounts)
{
	struct hc_key k;
	unsigned int i;
	u64 g;

	/* Same content, 4 keys of VM 1 (two pools): one frame. */
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, put_seed(&self->c, i & 1 ? self->p2 : self->p1, 0, i, 7, NULL));
	EXPECT_EQ(1, self->c.frames);
	EXPECT_EQ(4, self->c.entries);
	EXPECT_EQ(3, self->c.dedup_saved);
	EXPECT_EQ(3, self->c.st.dedup_hits);
	/* VM 2 does not share with VM 1 by default. */
	ASSERT_EQ(0, put_seed(&self->c, self->q1, 0, 0, 7, NULL));
	EXPECT_EQ(2, self->c.frames);
	/* Gets and flushes drop references; the frame goes with the last. */
	EXPECT_EQ(0, get_seed(&self->c, self->p1, 0, 0, 7));
	k = key(self->p2, 0, 1);
	EXPECT_EQ(0, hc_flush_page(&self->c, &k));
	EXPECT_EQ(2, self->c.frames);
	EXPECT_EQ(1, self->c.dedup_saved);
	/* Replacing one sharer with other content keeps the others intact. */
	ASSERT_EQ(0, put_seed(&self->c, self->p1, 0, 2, 8, NULL));
	EXPECT_EQ(0, self->c.dedup_saved);
	EXPECT_EQ(3, self->c.frames);
	EXPECT_EQ(0, get_seed(&self->c, self->p2, 0, 3, 7));
	EXPECT_EQ(2, self->c.frames);
	EXPECT_EQ(0, get_seed(&self->c, self->p1, 0, 2, 8));
	EXPECT_EQ(0, get_seed(&self->c, self->q1, 0, 0, 7));
	EXPECT_EQ(0, self->c.frames);
	EXPECT_EQ(0, self->r.in_use);
	/* Cross-VM sharing when switched on. */
	self->c.dedup_cross_vm = true;
	ASSERT_EQ(0, put_seed(&self->c, self->p1, 0, 0, 9, NULL));
	ASSERT_EQ(0, put_seed(&self->c, self->q1, 0, 0, 9, NULL));
	EXPECT_EQ(1, self->c.frames);
	EXPECT_EQ(0, get_seed(&self->c, self->q1, 0, 0, 9));
	EXPECT_EQ(0, get_seed(&self->c, self->p1, 0, 0, 9));
	(void)g;
}

TEST_F(cache, dedup_pool_switch)
{
	u32 nd;
	unsigned int i;

	ASSERT_EQ(0, hc_pool_create(&self->c, 1, HC_POOL_NO_DEDUP, &nd));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, put_seed(&self->c, nd, 0, i, 5, NULL));
	EXPECT_EQ(3, self->c.frames);
	ASSERT_EQ(0, put_seed(&self->c, self->p1, 0, 0, 5, NULL));
	ASSERT_EQ(0, put_seed(&self->c, self->p1, 0, 1, 5, NULL));
	EXPECT_EQ(4, self->c.frames);
	EXPECT_EQ(0, hc_pool_destroy(&self->c, nd));
	EXPECT_EQ(1, self->c.frames);
}

/* With a hash where everything collides, different pages are not merged. */
TEST(dedup_collisions_compare_contents)
{
	struct test_reserve r;
	struct hc_cache c;
	unsigned int i;
	u32 p;

	tr_init(&r, 8);
	ASSERT_EQ(0, hc_init(&c, &collide_ops, &r, PG, 8));
	ASSERT_EQ(0, hc_pool_create(&c, 1, 0, &p));
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, put_seed(&c, p, 0, i, i % 4, NULL));
	EXPECT_EQ(4, c.frames);
	for (i = 0; i < 8; i++)
		EXPECT_EQ(0, get_seed(&c, p, 0, i, i % 4));
	hc_destroy(&c);
	EXPECT_EQ(0, r.in_use);
	tr_destroy(&r);
}

TEST_F(cache, zero_pages_take_no_memory)
{
	struct hc_key k = key(self->p1, 0, 0);
	unsigned int i;
	u64 g;

	memset(self->in, 0, PG);
	for (i = 0; i < 20; i++) {
		k.index = i;
		ASSERT_EQ(0, hc_put(&self->c, &k, self->in, &g));
	}
	EXPECT_EQ(0, self->c.frames);
	EXPECT_EQ(20, self->c.zero_entries);
	EXPECT_EQ(20, self->c.st.zero_puts);
	memset(self->out, 0xff, PG);
	k.index = 3;
	ASSERT_EQ(0, hc_get(&self->c, &k, 0, self->out, &g));
	EXPECT_TRUE(hc_page_is_zero(self->out, PG));
	EXPECT_EQ(19, self->c.zero_entries);
	/* Metadata is still bounded: entries <= capacity * HC_ENTRIES_PER_FRAME. */
	for (i = 0; i < 1000; i++) {
		k.index = 100 + i;
		ASSERT_EQ(0, hc_put(&self->c, &k, self->in, &g));
	}
	EXPECT_EQ(16 * HC_ENTRIES_PER_FRAME, self->c.entries);
}

TEST_F(cache, vm_remove_frees_pools)
{
	struct hc_vm_info v;
	unsigned int i;

	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, put_seed(&self->c, self->p1, i, i, i, NULL));
		ASSERT_EQ(0, put_seed(&self->c, self->p2, i, i, i + 10, NULL));
		ASSERT_EQ(0, put_seed(&self->c, self->q1, i, i, i + 20, NULL));
	}
	EXPECT_EQ(0, self->c.st.evictions);
	EXPECT_EQ(10, hc_vm_remove(&self->c, 1));
	EXPECT_EQ(-ENOENT, hc_vm_info(&self->c, 1, &v));
	EXPECT_EQ(-ENXIO, get_seed(&self->c, self->p1, 0, 0, 0));
	EXPECT_EQ(-ENXIO, put_seed(&self->c, self->p2, 0, 0, 0, NULL));
	EXPECT_EQ(5, self->c.frames);
	EXPECT_EQ(5, self->r.in_use);
	EXPECT_EQ(0, hc_vm_remove(&self->c, 1));
	for (i = 0; i < 5; i++)
		EXPECT_EQ(0, get_seed(&self->c, self->q1, i, i, i + 20));
}

/*
 * A VM gone with very many pages is dropped in batches (the kernel glue
 * releases its lock and reschedules between them): each batch drops at
 * most its budget, pools stay until hc_vm_remove(), other VMs are intact.
 */
TEST_F(cache, vm_trim_in_batches)
{
	unsigned int i;

	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, put_seed(&self->c, self->p1, i, i, i, NULL));
		ASSERT_EQ(0, put_seed(&self->c, self->p2, i, i, i + 10, NULL));
		ASSERT_EQ(0, put_seed(&self->c, self->q1, i, i, i + 20, NULL));
	}
	EXPECT_EQ(4, hc_vm_trim(&self->c, 1, 4));
	EXPECT_EQ(11, self->c.frames);
	EXPECT_EQ(4, hc_vm_trim(&self->c, 1, 4));
	EXPECT_EQ(2, hc_vm_trim(&self->c, 1, 4));	/* less than asked: done */
	EXPECT_EQ(0, hc_vm_trim(&self->c, 1, 4));
	EXPECT_EQ(10, self->c.st.flushes);
	EXPECT_EQ(5, self->c.frames);
	/* pools still there (empty) until the VM is removed */
	EXPECT_EQ(-ENOENT, get_seed(&self->c, self->p1, 0, 0, 0));
	EXPECT_EQ(0, hc_vm_remove(&self->c, 1));
	EXPECT_EQ(-ENXIO, get_seed(&self->c, self->p1, 0, 0, 0));
	EXPECT_EQ(0, hc_vm_trim(&self->c, 1, 4));		/* no such VM */
	for (i = 0; i < 5; i++)
		EXPECT_EQ(0, get_seed(&self->c, self->q1, i, i, i + 20));
}

TEST_F(cache, shrink_and_grow)
{
	unsigned int i;

	for (i = 0; i < 16; i++)
		ASSERT_EQ(0, put_seed(&self->c, self->p1, 0, i, i, NULL));
	EXPECT_EQ(10, hc_set_capacity(&self->c, 6));
	EXPECT_EQ(6, self->c.frames);
	EXPECT_EQ(6, self->r.in_use);
	for (i = 0; i < 10; i++)
		EXPECT_EQ(-ENOENT, get_seed(&self->c, self->p1, 0, i, i));
	EXPECT_EQ(0, get_seed(&self->c, self->p1, 0, 10, 10));
	EXPECT_EQ(0, hc_set_capacity(&self->c, 16));
	for (i = 0; i < 11; i++)
		ASSERT_EQ(0, put_seed(&self->c, self->p1, 1, i, i, NULL));
	EXPECT_EQ(16, self->c.frames);
	EXPECT_EQ(10, self->c.st.evictions);
}

/*
 * Random puts, gets, flushes and pool churn over 3 VMs against a model of
 * the last content put under each key: a get returns exactly that content
 * or misses, never older or another key's data.
 */
TEST(random_against_model)
{
	enum { VMS = 3, POOLS = 2, OIDS = 4, IDX = 16, STEPS = 60000 };
	static u64 model[VMS][POOLS][OIDS][IDX];	/* seed + 1, 0 = absent */
	u32 pool[VMS][POOLS];
	struct test_reserve r;
	struct hc_cache c;
	u64 rnd = 7, hits = 0;
	unsigned int s, v, p;

	tr_init(&r, 64);
	ASSERT_EQ(0, hc_init(&c, &test_ops, &r, PG, 64));
	for (v = 0; v < VMS; v++)
		for (p = 0; p < POOLS; p++)
			ASSERT_EQ(0, hc_pool_create(&c, v + 1, p ? HC_POOL_NO_DEDUP : 0,
						    &pool[v][p]));
	ASSERT_EQ(0, hc_vm_set(&c, 3, 500, 20));
	for (s = 0; s < STEPS; s++) {
		unsigned int op, o, i;
		u64 *m;
		int ret;

		rnd = rnd * 6364136223846793005ULL + 1442695040888963407ULL;
		v = (rnd >> 20) % VMS;
		p = (rnd >> 24) % POOLS;
		o = (rnd >> 28) % OIDS;
		i = (rnd >> 32) % IDX;
		op = (rnd >> 40) % 100;
		m = &model[v][p][o][i];
		if (op < 50) {
			u64 seed = (rnd >> 44) % 40;	/* repeats: dedup */

			ret = seed == 0 ? ({
				struct hc_key k = key(pool[v][p], o, i);
				u64 z[PG / 8] = { 0 }, g;

				hc_put(&c, &k, z, &g); }) :
				put_seed(&c, pool[v][p], o, i, seed, NULL);
			ASSERT_EQ(0, ret);
			*m = seed + 1;
		} else if (op < 90) {
			struct hc_key k = key(pool[v][p], o, i);
			u64 buf[PG / 8], want[PG / 8], g;

			ret = hc_get(&c, &k, 0, buf, &g);
			if (!ret) {
				ASSERT_NE(0, *m);
				if (*m == 1)
					memset(want, 0, PG);
				else
					fill_page(want, *m - 1);
				ASSERT_EQ(0, memcmp(buf, want, PG));
				hits++;
			} else {
				ASSERT_EQ(-ENOENT, ret);
			}
			*m = 0;
		} else if (op < 97) {
			struct hc_key k = key(pool[v][p], o, i);

			hc_flush_page(&c, &k);
			*m = 0;
		} else if (op < 99) {
			ASSERT_LE(0, hc_flush_object(&c, pool[v][p], o));
			memset(model[v][p][o], 0, sizeof(model[v][p][o]));
		} else {
			ASSERT_EQ(0, hc_pool_destroy(&c, pool[v][p]));
			ASSERT_EQ(0, hc_pool_create(&c, v + 1, p ? HC_POOL_NO_DEDUP : 0,
						    &pool[v][p]));
			memset(model[v][p], 0, sizeof(model[v][p]));
		}
		ASSERT_LE(c.frames, 64);
		ASSERT_EQ(c.frames, r.in_use);
	}
	EXPECT_GT(hits, STEPS / 20);
	EXPECT_GT(c.st.evictions, 0);
	EXPECT_GT(c.st.dedup_hits, 0);
	hc_destroy(&c);
	EXPECT_EQ(0, r.in_use);
	tr_destroy(&r);
}

TEST_HARNESS_MAIN
