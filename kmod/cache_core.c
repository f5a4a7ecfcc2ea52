// SPDX-License-Identifier: GPL-2.0
/*
 * The exclusive hypervisor cache (pure core; see cache_core.h).
 *
 * Errors: -ENXIO for a pool that does not exist, -ENOENT for a key without
 * an entry, -ESTALE for a generation mismatch, -ENOSPC when a put finds
 * nothing to evict (capacity 0), -ENOMEM, -EINVAL for bad arguments.
 */
#include "cache_core.h"
#include "cache_core_priv.h"

#define HC_REFS_MAX	0xffffffffU

static u64 hc_entry_limit(const struct hc_cache *c)
{
	u64 lim;

	if (check_mul_overflow(c->capacity, (u64)HC_ENTRIES_PER_FRAME, &lim))
		return ~0ULL;
	return lim;
}

/* Drop one reference on a frame; the last one gives it back. */
static void hc_frame_put(struct hc_cache *c, struct hc_frame *f)
{
	if (--f->refs) {
		c->dedup_saved--;
		return;
	}
	hc_dedup_remove(&c->dd, f);
	c->frames--;
	c->ops->frame_free(c->priv, f);
}

/* Unlink and free an entry, dropping its frame reference. */
void hc_entry_drop(struct hc_cache *c, struct hc_entry *e)
{
	hc_lru_del(e->obj->pool->acct, e);
	hc_index_del_entry(&c->ix, e);
	if (e->frame)
		hc_frame_put(c, e->frame);
	else
		c->zero_entries--;
	c->entries--;
	kfree(e);
}

/* Account a new entry to its VM: on the LRU list unless its pool is pinned. */
static void hc_entry_link(struct hc_cache *c, struct hc_pool *p, struct hc_entry *e)
{
	if (p->flags & HC_POOL_PINNED) {
		hc_link_init(&e->lru);
		e->tick = c->lru.tick;
		p->acct->pages++;
		return;
	}
	hc_lru_add(&c->lru, p->acct, e);
}

/*
 * Evict the oldest entry of @a, or of the share-weighted victim VM. A pool
 * owner's writeback may refuse: the entry then becomes the VM's most recent
 * one and nothing is evicted.
 */
bool hc_evict_one(struct hc_cache *c, struct hc_acct *a)
{
	struct hc_entry *e;
	struct hc_pool *p;

	if (!a)
		a = hc_lru_victim(&c->lru);
	e = a ? hc_lru_oldest(a) : NULL;
	if (!e)
		return false;
	p = e->obj->pool;
	if (p->owner && c->ops->writeback &&
	    c->ops->writeback(c->priv, p->owner, e->obj->oid, e->index,
			      e->frame ? e->frame->data : NULL)) {
		hc_lru_del(a, e);
		hc_lru_add(&c->lru, a, e);
		return false;
	}
	c->st.evictions++;
	a->st.evictions++;
	if (c->ops->evicted)
		c->ops->evicted(c->priv, a->vm_id, e->obj->pool->id, e->obj->oid, e->index);
	hc_entry_drop(c, e);
	return true;
}

/* Evict until the frames and entries fit the capacity; returns evictions. */
static u64 hc_evict_to_fit(struct hc_cache *c)
{
	u64 n = 0;

	while ((c->frames > c->capacity || c->entries > hc_entry_limit(c)) &&
	       hc_evict_one(c, NULL))
		n++;
	return n;
}

/**
 * hc_init() - set up an empty cache
 * @c: the cache
 * @ops: frame and hash operations (@frame_alloc and @frame_free required)
 * @priv: argument of @ops
 * @page_size: bytes per page, a non-zero multiple of 8
 * @capacity: most frames in use (0: every put fails with -ENOSPC)
 *
 * Return: 0, -EINVAL or -ENOMEM.
 */
int hc_init(struct hc_cache *c, const struct hc_ops *ops, void *priv, size_t page_size,
	    u64 capacity)
{
	int ret;

	memset(c, 0, sizeof(*c));
	if (!ops || !ops->frame_alloc || !ops->frame_free)
		return -EINVAL;
	c->ops = ops;
	c->priv = priv;
	c->page_size = page_size;
	c->capacity = capacity;
	hc_lru_init(&c->lru);
	ret = hc_dedup_init(&c->dd, page_size);
	if (ret)
		return ret;
	ret = hc_index_init(&c->ix);
	if (ret)
		hc_dedup_destroy(&c->dd);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(hc_init);

/**
 * hc_destroy() - drop every pool, account and frame, and free the cache
 * @c: the cache
 */
void hc_destroy(struct hc_cache *c)
{
	while (!hc_link_empty(&c->lru.accts)) {
		struct hc_acct *a = container_of(c->lru.accts.next, struct hc_acct, node);

		hc_vm_remove(c, a->vm_id);
	}
	hc_index_destroy(&c->ix);
	hc_dedup_destroy(&c->dd);
}
EXPORT_SYMBOL_IF_KUNIT(hc_destroy);

/**
 * hc_set_capacity() - resize: evicts when frames in use exceed the new size
 * @c: the cache
 * @capacity: most frames in use
 *
 * On return at most @capacity frames are in use, so a caller shrinking its
 * reserve may free the frames above @capacity right away.
 *
 * Return: entries evicted.
 */
u64 hc_set_capacity(struct hc_cache *c, u64 capacity)
{
	c->capacity = capacity;
	return hc_evict_to_fit(c);
}
EXPORT_SYMBOL_IF_KUNIT(hc_set_capacity);

/* A frame holding @data: shared when dedup finds one, else a new one. */
static struct hc_frame *hc_frame_for(struct hc_cache *c, struct hc_pool *p, const void *data,
				     int *err, enum hc_put_how *how)
{
	bool dedup = c->ops->hash && !(p->flags & HC_POOL_NO_DEDUP);
	struct hc_frame *f = NULL;
	bool saturated = false;
	u32 domain = 0;
	u64 h = 0;

	if (dedup) {
		h = c->ops->hash(data, c->page_size);
		domain = c->dedup_cross_vm ? 0 : p->acct->vm_id;
		f = hc_dedup_find(&c->dd, data, h, domain);
		if (f && f->refs < HC_REFS_MAX) {
			f->refs++;
			c->dedup_saved++;
			c->st.dedup_hits++;
			p->acct->st.dedup_hits++;
			*how = HC_PUT_DEDUP;
			return f;
		}
		saturated = f;
	}
	while (c->frames >= c->capacity) {
		if (!hc_evict_one(c, NULL)) {
			*err = -ENOSPC;
			return NULL;
		}
	}
	f = c->ops->frame_alloc(c->priv);
	if (!f) {
		*err = -ENOMEM;
		return NULL;
	}
	memcpy(f->data, data, c->page_size);
	f->refs = 1;
	f->hashed = false;
	c->frames++;
	/* Next to a frame at HC_REFS_MAX, this copy stays unshared. */
	if (dedup && !saturated)
		hc_dedup_insert(&c->dd, f, h, domain);
	return f;
}

/**
 * hc_put_how() - store a page, replacing any entry under the key
 * @c: the cache
 * @k: the key
 * @data: page_size bytes, 8-byte aligned
 * @gen: out: the entry's generation (unique, increasing)
 * @how: out, may be NULL: how the page was stored (on success)
 *
 * May evict other entries (of any VM) to make room. On failure no entry is
 * left under @k: a get then misses rather than returning older data.
 *
 * Return: 0, -ENXIO (no such pool), -ENOSPC (nothing to evict: the VM is at
 * its cap or the capacity is full of pinned entries, or a writeback owner
 * refused) or -ENOMEM.
 */
int hc_put_how(struct hc_cache *c, const struct hc_key *k, const void *data, u64 *gen,
	       enum hc_put_how *how)
{
	enum hc_put_how dummy;
	struct hc_frame *f = NULL;
	struct hc_entry *e, *old;
	struct hc_pool *p;
	struct hc_acct *a;
	int ret = 0;
	bool zero;

	if (!how)
		how = &dummy;
	*how = HC_PUT_FRAME;
	c->st.puts++;
	p = hc_index_pool(&c->ix, k->pool);
	if (!p)
		return -ENXIO;
	a = p->acct;
	a->st.puts++;
	old = hc_index_entry(&c->ix, k->pool, k->oid, k->index);
	if (old) {
		hc_entry_drop(c, old);
		c->st.flushes++;
		a->st.flushes++;
	}
	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	while (a->cap && a->pages >= a->cap) {
		if (!hc_evict_one(c, a)) {
			ret = -ENOSPC;
			goto err;
		}
	}
	while (c->entries >= hc_entry_limit(c)) {
		if (!hc_evict_one(c, NULL)) {
			ret = -ENOSPC;
			goto err;
		}
	}
	zero = hc_page_is_zero(data, c->page_size);
	if (!zero) {
		f = hc_frame_for(c, p, data, &ret, how);
		if (!f)
			goto err;
	}
	ret = hc_index_add_entry(&c->ix, p, k->oid, k->index, e);
	if (ret) {
		if (f)
			hc_frame_put(c, f);
		goto err;
	}
	e->frame = f;
	e->gen = ++c->gen;
	hc_entry_link(c, p, e);
	c->entries++;
	if (zero) {
		*how = HC_PUT_ZERO;
		c->zero_entries++;
		c->st.zero_puts++;
		a->st.zero_puts++;
	}
	*gen = e->gen;
	return 0;

err:
	kfree(e);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(hc_put_how);

/**
 * hc_put() - store a page, replacing any entry under the key
 * @c: the cache
 * @k: the key
 * @data: page_size bytes, 8-byte aligned
 * @gen: out: the entry's generation (unique, increasing)
 *
 * hc_put_how() without the how.
 *
 * Return: as hc_put_how().
 */
int hc_put(struct hc_cache *c, const struct hc_key *k, const void *data, u64 *gen)
{
	return hc_put_how(c, k, data, gen, NULL);
}
EXPORT_SYMBOL_IF_KUNIT(hc_put);

/* A get (@keep false) or a read (@keep true): hit, miss or stale. */
static int hc_lookup(struct hc_cache *c, const struct hc_key *k, u64 expect_gen, void *data,
		     u64 *gen, bool keep)
{
	struct hc_entry *e;
	struct hc_pool *p;
	struct hc_acct *a;
	int ret = -ENOENT;

	c->st.gets++;
	p = hc_index_pool(&c->ix, k->pool);
	if (!p) {
		c->st.misses++;
		return -ENXIO;
	}
	a = p->acct;
	a->st.gets++;
	e = hc_index_entry(&c->ix, k->pool, k->oid, k->index);
	if (e && expect_gen && e->gen != expect_gen) {
		e = NULL;
		ret = -ESTALE;
	}
	if (!e) {
		c->st.misses++;
		a->st.misses++;
		return ret;
	}
	if (e->frame)
		memcpy(data, e->frame->data, c->page_size);
	else
		memset(data, 0, c->page_size);
	*gen = e->gen;
	c->st.hits++;
	a->st.hits++;
	if (!keep)
		hc_entry_drop(c, e);
	return 0;
}

/**
 * hc_get() - take a page out of the cache (exclusive get)
 * @c: the cache
 * @k: the key
 * @expect_gen: generation the caller expects, 0 for any
 * @data: out: page_size bytes
 * @gen: out: the generation of the entry returned
 *
 * A hit copies the page to @data and removes the entry. A generation
 * mismatch leaves the entry and @data alone.
 *
 * Return: 0, -ENXIO (no such pool), -ENOENT (miss) or -ESTALE (the entry
 * is not generation @expect_gen).
 */
int hc_get(struct hc_cache *c, const struct hc_key *k, u64 expect_gen, void *data,
	   u64 *gen)
{
	return hc_lookup(c, k, expect_gen, data, gen, false);
}
EXPORT_SYMBOL_IF_KUNIT(hc_get);

/**
 * hc_read() - copy a page out of the cache and keep it (non-consuming get)
 * @c: the cache
 * @k: the key
 * @data: out: page_size bytes
 * @gen: out: the generation of the entry
 *
 * Counts as a get (hit or miss). The entry keeps its place in the LRU
 * order: a block device's reader now holds a copy, so the cached one is
 * not more valuable than before.
 *
 * Return: 0, -ENXIO (no such pool) or -ENOENT (miss).
 */
int hc_read(struct hc_cache *c, const struct hc_key *k, void *data, u64 *gen)
{
	return hc_lookup(c, k, 0, data, gen, true);
}
EXPORT_SYMBOL_IF_KUNIT(hc_read);

/**
 * hc_flush_page() - drop the entry under a key
 * @c: the cache
 * @k: the key
 *
 * Return: 0, -ENXIO (no such pool) or -ENOENT (no entry).
 */
int hc_flush_page(struct hc_cache *c, const struct hc_key *k)
{
	struct hc_pool *p = hc_index_pool(&c->ix, k->pool);
	struct hc_entry *e;

	if (!p)
		return -ENXIO;
	e = hc_index_entry(&c->ix, k->pool, k->oid, k->index);
	if (!e)
		return -ENOENT;
	hc_entry_drop(c, e);
	c->st.flushes++;
	p->acct->st.flushes++;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hc_flush_page);

/**
 * hc_flush_object() - drop every entry of an object
 * @c: the cache
 * @pool_id: the pool
 * @oid: the object
 *
 * Return: entries dropped (0 when the object holds none), or -ENXIO.
 */
s64 hc_flush_object(struct hc_cache *c, u32 pool_id, u64 oid)
{
	struct hc_pool *p = hc_index_pool(&c->ix, pool_id);
	struct hc_obj *o;
	u64 n, i;

	if (!p)
		return -ENXIO;
	o = hc_index_obj(&c->ix, pool_id, oid);
	if (!o)
		return 0;
	n = o->nr_pages;
	for (i = 0; i < n; i++)
		hc_entry_drop(c, container_of(o->pages.next, struct hc_entry, obj_node));
	c->st.flushes += n;
	p->acct->st.flushes += n;
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(hc_flush_object);
