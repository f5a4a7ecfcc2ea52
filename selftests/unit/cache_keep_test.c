// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of what the exclusive cache's core (kmod/cache_core.c)
 * offers block devices: non-consuming reads (hc_read), pinned pools that
 * are never evicted, writeback owners that save (or refuse to give up)
 * each victim, and how hc_put_how() stored a page.
 */
#include "cache_helpers.h"
#include "kselftest_harness.h"

/* A writeback owner that records what it saw and may refuse. */
struct wb_owner {
	int calls;
	int refuse;		/* errno to return, 0 to accept */
	u64 last_oid, last_index;
	bool last_zero;
	u64 saved[PG / 8];	/* the last page handed over */
};

static int wb_cb(void *priv, void *owner, u64 oid, u64 index, const void *data)
{
	struct wb_owner *o = owner;

	o->calls++;
	o->last_oid = oid;
	o->last_index = index;
	o->last_zero = !data;
	if (data)
		memcpy(o->saved, data, PG);
	return o->refuse;
}

static const struct hc_ops wb_ops = {
	.frame_alloc = tr_alloc,
	.frame_free = tr_free,
	.hash = fnv_hash,
	.writeback = wb_cb,
};

FIXTURE(keep) {
	struct test_reserve r;
	struct hc_cache c;
	u64 in[PG / 8], out[PG / 8];
};

FIXTURE_SETUP(keep)
{
	tr_init(&self->r, 4);
	ASSERT_EQ(0, hc_init(&self->c, &wb_ops, &self->r, PG, 4));
}

FIXTURE_TEARDOWN(keep)
{
	hc_destroy(&self->c);
	EXPECT_EQ(0, self->r.in_use);
	tr_destroy(&self->r);
}

static int put_seed(struct hc_cache *c, u32 pool, u64 idx, u64 seed)
{
	u64 buf[PG / 8], g;
	struct hc_key k = key(pool, 0, idx);

	fill_page(buf, seed);
	return hc_put(c, &k, buf, &g);
}

static int read_seed(struct hc_cache *c, u32 pool, u64 idx, u64 seed)
{
	u64 buf[PG / 8], want[PG / 8], g;
	struct hc_key k = key(pool, 0, idx);
	int ret = hc_read(c, &k, buf, &g);

	if (ret)
		return ret;
	fill_page(want, seed);
	return memcmp(buf, want, PG) ? -EILSEQ : 0;
}

TEST_F(keep, read_does_not_consume)
{
	struct hc_key k;
	u32 p;
	u64 g;

	ASSERT_EQ(0, hc_pool_create(&self->c, 1, 0, &p));
	ASSERT_EQ(0, put_seed(&self->c, p, 3, 7));
	EXPECT_EQ(0, read_seed(&self->c, p, 3, 7));
	EXPECT_EQ(0, read_seed(&self->c, p, 3, 7));
	EXPECT_EQ(1, self->c.entries);
	EXPECT_EQ(1, self->c.frames);
	EXPECT_EQ(1, hc_pool_pages(&self->c, p));
	EXPECT_EQ(-ENOENT, read_seed(&self->c, p, 4, 7));
	EXPECT_EQ(3, self->c.st.gets);
	EXPECT_EQ(2, self->c.st.hits);
	EXPECT_EQ(1, self->c.st.misses);
	/* an exclusive get still takes it */
	k = key(p, 0, 3);
	EXPECT_EQ(0, hc_get(&self->c, &k, 0, self->out, &g));
	EXPECT_EQ(-ENOENT, read_seed(&self->c, p, 3, 7));
	EXPECT_EQ(0, hc_pool_pages(&self->c, p));
	EXPECT_EQ(-ENOENT, hc_read(&self->c, &k, self->out, &g));
	k.pool = 999;
	EXPECT_EQ(-ENXIO, hc_read(&self->c, &k, self->out, &g));
	EXPECT_EQ(-ENXIO, hc_pool_pages(&self->c, 999));
}

TEST_F(keep, read_of_zero_page)
{
	struct hc_key k;
	u32 p;
	u64 g;

	ASSERT_EQ(0, hc_pool_create(&self->c, 1, 0, &p));
	k = key(p, 0, 1);
	memset(self->in, 0, PG);
	memset(self->out, 0xff, PG);
	ASSERT_EQ(0, hc_put(&self->c, &k, self->in, &g));
	ASSERT_EQ(0, hc_read(&self->c, &k, self->out, &g));
	EXPECT_EQ(0, memcmp(self->in, self->out, PG));
	EXPECT_EQ(1, self->c.zero_entries);
}

TEST_F(keep, put_how)
{
	enum hc_put_how how;
	struct hc_key k;
	u32 p;
	u64 g;

	ASSERT_EQ(0, hc_pool_create(&self->c, 1, 0, &p));
	fill_page(self->in, 5);
	k = key(p, 0, 0);
	ASSERT_EQ(0, hc_put_how(&self->c, &k, self->in, &g, &how));
	EXPECT_EQ(HC_PUT_FRAME, how);
	k = key(p, 0, 1);
	ASSERT_EQ(0, hc_put_how(&self->c, &k, self->in, &g, &how));
	EXPECT_EQ(HC_PUT_DEDUP, how);
	memset(self->in, 0, PG);
	k = key(p, 0, 2);
	ASSERT_EQ(0, hc_put_how(&self->c, &k, self->in, &g, &how));
	EXPECT_EQ(HC_PUT_ZERO, how);
	EXPECT_EQ(1, self->c.frames);
	EXPECT_EQ(3, hc_pool_pages(&self->c, p));
}

/* Pinned entries are never evicted: the capacity and the cap fill up. */
TEST_F(keep, pinned_pool_never_evicted)
{
	u32 pin, other;
	int i;

	ASSERT_EQ(0, hc_pool_create(&self->c, 1, HC_POOL_PINNED, &pin));
	ASSERT_EQ(0, hc_pool_create(&self->c, 2, 0, &other));
	ASSERT_EQ(0, put_seed(&self->c, other, 0, 100));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, put_seed(&self->c, pin, i, i + 1));
	/* full: the fourth pinned page evicts VM 2's page, not a pinned one */
	ASSERT_EQ(0, put_seed(&self->c, pin, 3, 4));
	EXPECT_EQ(1, self->c.st.evictions);
	EXPECT_EQ(0, hc_pool_pages(&self->c, other));
	/* nothing left to evict: both VMs' puts fail, the pinned data stays */
	EXPECT_EQ(-ENOSPC, put_seed(&self->c, pin, 4, 5));
	EXPECT_EQ(-ENOSPC, put_seed(&self->c, other, 1, 101));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, read_seed(&self->c, pin, i, i + 1));
	/* a cap below the pinned pages does not evict them (nor loop) */
	EXPECT_EQ(0, hc_vm_set(&self->c, 1, HC_SHARES_DEFAULT, 2));
	EXPECT_EQ(4, hc_pool_pages(&self->c, pin));
	/* and a put over the cap fails instead of spinning */
	EXPECT_EQ(0, hc_flush_page(&self->c, &(struct hc_key){ pin, 0, 0 }));
	EXPECT_EQ(-ENOSPC, put_seed(&self->c, pin, 0, 1));
	/* overwrite of a pinned page frees its place first */
	EXPECT_EQ(0, hc_vm_set(&self->c, 1, HC_SHARES_DEFAULT, 0));
	EXPECT_EQ(0, put_seed(&self->c, pin, 1, 9));
	EXPECT_EQ(0, read_seed(&self->c, pin, 1, 9));
	/* shrinking the capacity cannot evict them either */
	EXPECT_EQ(0, hc_set_capacity(&self->c, 1));
	EXPECT_EQ(3, self->c.frames);
	hc_set_capacity(&self->c, 4);
	EXPECT_EQ(0, hc_pool_destroy(&self->c, pin));
	EXPECT_EQ(0, self->c.frames);
}

/* An owner's pool: each victim is handed over before it goes. */
TEST_F(keep, writeback_owner_gets_victim)
{
	struct wb_owner o = { 0 };
	u64 want[PG / 8];
	u32 p;
	int i;

	ASSERT_EQ(0, hc_pool_create(&self->c, 1, 0, &p));
	ASSERT_EQ(0, hc_pool_set_owner(&self->c, p, &o));
	EXPECT_EQ(-ENXIO, hc_pool_set_owner(&self->c, 999, &o));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, put_seed(&self->c, p, i, i + 10));
	EXPECT_EQ(0, o.calls);
	ASSERT_EQ(0, put_seed(&self->c, p, 4, 14));
	EXPECT_EQ(1, o.calls);
	EXPECT_EQ(0, o.last_index);	/* the oldest */
	EXPECT_FALSE(o.last_zero);
	fill_page(want, 10);
	EXPECT_EQ(0, memcmp(o.saved, want, PG));
	EXPECT_EQ(-ENOENT, read_seed(&self->c, p, 0, 10));
	/* a zero page's victim comes with no data */
	ASSERT_EQ(0, hc_flush_object(&self->c, p, 0) == 4 ? 0 : -1);
	EXPECT_EQ(1, o.calls);	/* flushes are no evictions */
	memset(self->in, 0, PG);
	for (i = 0; i < 4 * HC_ENTRIES_PER_FRAME + 1; i++) {
		struct hc_key k = key(p, 0, i);
		u64 g;

		ASSERT_EQ(0, hc_put(&self->c, &k, self->in, &g));
	}
	EXPECT_EQ(2, o.calls);
	EXPECT_TRUE(o.last_zero);
	EXPECT_EQ(0, o.last_index);
	/* destroying the pool drops its pages without writeback */
	EXPECT_EQ(0, hc_pool_destroy(&self->c, p));
	EXPECT_EQ(2, o.calls);
}

/* A refusing owner keeps its page: the put needing room fails. */
TEST_F(keep, writeback_refused_keeps_page)
{
	struct wb_owner o = { .refuse = -EIO };
	u32 p, q;
	int i;

	ASSERT_EQ(0, hc_pool_create(&self->c, 1, 0, &p));
	ASSERT_EQ(0, hc_pool_create(&self->c, 2, 0, &q));
	ASSERT_EQ(0, hc_pool_set_owner(&self->c, p, &o));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, put_seed(&self->c, p, i, i + 20));
	EXPECT_EQ(-ENOSPC, put_seed(&self->c, p, 4, 24));
	EXPECT_EQ(1, o.calls);
	EXPECT_EQ(0, self->c.st.evictions);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, read_seed(&self->c, p, i, i + 20));
	/* the refused page became the most recent: the next victim differs */
	EXPECT_EQ(-ENOSPC, put_seed(&self->c, q, 0, 30));
	EXPECT_EQ(2, o.calls);
	EXPECT_EQ(1, o.last_index);
	/* once the owner accepts, the put goes through */
	o.refuse = 0;
	EXPECT_EQ(0, put_seed(&self->c, q, 0, 30));
	EXPECT_EQ(3, o.calls);
	EXPECT_EQ(2, o.last_index);
	EXPECT_EQ(1, self->c.st.evictions);
	/* a cap with a refusing owner stops instead of spinning */
	o.refuse = -EIO;
	EXPECT_EQ(0, hc_vm_set(&self->c, 1, HC_SHARES_DEFAULT, 1));
	EXPECT_EQ(3, hc_pool_pages(&self->c, p));
}

TEST_HARNESS_MAIN
