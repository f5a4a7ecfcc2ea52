// SPDX-License-Identifier: GPL-2.0
/*
 * The exclusive cache's pools and per-VM accounts (pure core; see
 * cache_core.h): creating and destroying pools, their owners, a VM's shares,
 * cap and counters, and dropping a VM's entries in batches or all at once.
 */
#include "cache_core.h"
#include "cache_core_priv.h"

/**
 * hc_pool_create() - create a pool owned by a VM
 * @c: the cache
 * @vm_id: the VM (not 0); its account is created if needed
 * @flags: HC_POOL_* bits
 * @pool_id: out: the new pool's id (never 0, not reused for 2^32 pools)
 *
 * Return: 0, -EINVAL, -ENOMEM or -ENOSPC (no id left).
 */
int hc_pool_create(struct hc_cache *c, u32 vm_id, u32 flags, u32 *pool_id)
{
	struct hc_acct *a;
	struct hc_pool *p;
	int ret;

	if (!vm_id || (flags & ~HC_POOL_FLAGS))
		return -EINVAL;
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	a = hc_lru_acct_get(&c->lru, vm_id);
	if (!a) {
		kfree(p);
		return -ENOMEM;
	}
	p->acct = a;
	p->flags = flags;
	ret = hc_index_add_pool(&c->ix, p);
	if (ret) {
		if (!a->nr_pools && !a->pages)
			hc_lru_acct_free(&c->lru, a);
		kfree(p);
		return ret;
	}
	hc_link_add_tail(&p->acct_node, &a->pools);
	a->nr_pools++;
	*pool_id = p->id;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hc_pool_create);

static u64 hc_pool_flush_all(struct hc_cache *c, struct hc_pool *p)
{
	u64 n = 0;

	while (!hc_link_empty(&p->objs)) {
		struct hc_obj *o = container_of(p->objs.next, struct hc_obj, pool_node);
		u64 left = o->nr_pages;

		/* Dropping the last entry frees the object: count, then stop. */
		while (left--) {
			hc_entry_drop(c, container_of(o->pages.next, struct hc_entry, obj_node));
			n++;
		}
	}
	return n;
}

static void hc_pool_free(struct hc_cache *c, struct hc_pool *p)
{
	u64 n = hc_pool_flush_all(c, p);

	c->st.flushes += n;
	p->acct->st.flushes += n;
	hc_index_del_pool(&c->ix, p);
	hc_link_del(&p->acct_node);
	p->acct->nr_pools--;
	kfree(p);
}

/**
 * hc_pool_destroy() - drop a pool and every entry in it
 * @c: the cache
 * @pool_id: the pool
 *
 * The VM's account stays (with its shares and cap).
 *
 * Return: 0 or -ENXIO.
 */
int hc_pool_destroy(struct hc_cache *c, u32 pool_id)
{
	struct hc_pool *p = hc_index_pool(&c->ix, pool_id);

	if (!p)
		return -ENXIO;
	hc_pool_free(c, p);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hc_pool_destroy);

/**
 * hc_pool_vm() - the VM owning a pool
 * @c: the cache
 * @pool_id: the pool
 * @vm_id: out: the VM
 *
 * Return: 0 or -ENXIO.
 */
int hc_pool_vm(const struct hc_cache *c, u32 pool_id, u32 *vm_id)
{
	struct hc_pool *p = hc_index_pool(&c->ix, pool_id);

	if (!p)
		return -ENXIO;
	*vm_id = p->acct->vm_id;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hc_pool_vm);

/**
 * hc_pool_set_owner() - set the writeback owner of a pool
 * @c: the cache
 * @pool_id: the pool
 * @owner: passed to struct hc_ops.writeback before each eviction of one of
 *	the pool's entries; NULL for none
 *
 * Return: 0 or -ENXIO.
 */
int hc_pool_set_owner(struct hc_cache *c, u32 pool_id, void *owner)
{
	struct hc_pool *p = hc_index_pool(&c->ix, pool_id);

	if (!p)
		return -ENXIO;
	p->owner = owner;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hc_pool_set_owner);

/**
 * hc_pool_pages() - entries in a pool
 * @c: the cache
 * @pool_id: the pool
 *
 * Return: the entries (zero pages and shared ones count once each), or
 * -ENXIO.
 */
s64 hc_pool_pages(const struct hc_cache *c, u32 pool_id)
{
	struct hc_pool *p = hc_index_pool(&c->ix, pool_id);

	return p ? (s64)p->pages : -ENXIO;
}
EXPORT_SYMBOL_IF_KUNIT(hc_pool_pages);
/**
 * hc_vm_set() - set a VM's eviction shares and cap
 * @c: the cache
 * @vm_id: the VM (not 0); its account is created if needed
 * @shares: 1 .. HC_SHARES_MAX
 * @cap: most entries the VM may hold, 0 for no cap; a VM above a new cap
 *	loses its oldest entries now
 *
 * Return: 0, -EINVAL or -ENOMEM.
 */
int hc_vm_set(struct hc_cache *c, u32 vm_id, u32 shares, u64 cap)
{
	struct hc_acct *a;

	if (!vm_id || !shares || shares > HC_SHARES_MAX)
		return -EINVAL;
	a = hc_lru_acct_get(&c->lru, vm_id);
	if (!a)
		return -ENOMEM;
	a->shares = shares;
	a->cap = cap;
	/* Pinned entries and refused writebacks stay, even above the cap. */
	while (cap && a->pages > cap)
		if (!hc_evict_one(c, a))
			break;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hc_vm_set);

/**
 * hc_vm_info() - a VM's shares, cap, usage and counters
 * @c: the cache
 * @vm_id: the VM
 * @out: out: the information
 *
 * Return: 0, or -ENOENT when the VM has no account (never created a pool
 * nor had its shares set).
 */
int hc_vm_info(const struct hc_cache *c, u32 vm_id, struct hc_vm_info *out)
{
	struct hc_acct *a = hc_lru_acct(&c->lru, vm_id);

	if (!a)
		return -ENOENT;
	out->shares = a->shares;
	out->cap = a->cap;
	out->pages = a->pages;
	out->pools = a->nr_pools;
	out->st = a->st;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hc_vm_info);

/**
 * hc_vm_trim() - drop some of a VM's entries, keeping its pools
 * @c: the cache
 * @vm_id: the VM
 * @budget: most entries to drop
 *
 * Lets the caller drop a large VM in batches, releasing its lock between
 * them, before hc_vm_remove().
 *
 * Return: entries dropped; less than @budget when none is left.
 */
u64 hc_vm_trim(struct hc_cache *c, u32 vm_id, u64 budget)
{
	struct hc_acct *a = hc_lru_acct(&c->lru, vm_id);
	struct hc_link *l;
	u64 n = 0;

	if (!a)
		return 0;
	for (l = a->pools.next; l != &a->pools && n < budget; l = l->next) {
		struct hc_pool *p = container_of(l, struct hc_pool, acct_node);

		while (!hc_link_empty(&p->objs) && n < budget) {
			struct hc_obj *o = container_of(p->objs.next, struct hc_obj, pool_node);

			/* Dropping the last entry frees the object. */
			hc_entry_drop(c, container_of(o->pages.next, struct hc_entry, obj_node));
			c->st.flushes++;
			a->st.flushes++;
			n++;
		}
	}
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(hc_vm_trim);

/**
 * hc_vm_remove() - drop a VM's pools, entries and account (the VM is gone)
 * @c: the cache
 * @vm_id: the VM
 *
 * Return: entries dropped.
 */
u64 hc_vm_remove(struct hc_cache *c, u32 vm_id)
{
	struct hc_acct *a = hc_lru_acct(&c->lru, vm_id);
	u64 n = 0;

	if (!a)
		return 0;
	while (!hc_link_empty(&a->pools)) {
		struct hc_pool *p = container_of(a->pools.next, struct hc_pool, acct_node);

		n += p->pages;
		hc_pool_free(c, p);
	}
	hc_lru_acct_free(&c->lru, a);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(hc_vm_remove);
