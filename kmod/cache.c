// SPDX-License-Identifier: GPL-2.0
/*
 * The exclusive hypervisor cache: kernel glue around the pure core
 * (cache_core.c). It owns the reserve of preallocated pages the core takes
 * its frames from, the lock that serialises the core, xxh64 as the dedup
 * hash, the in-kernel API (<hvmem/cache.h>) and the end of a VM's pools
 * when the VM is unbound.
 *
 * The reserve is taken when it is sized (module parameter
 * cache_reserve_pages, or /sys/kernel/mm/hvmem/cache/reserve_pages), never
 * at put time, so a put needs no page allocation. Shrinking it evicts.
 *
 * Locking: hvmem_cache_lock (a mutex: puts allocate metadata) around every
 * core call; hvmem_cache_resize_lock serialises resizes, whose page
 * allocation and freeing happen outside the main lock. The main lock's
 * holder allocates without I/O (memalloc_noio_save()): an hvswap device
 * (hvmem_vswap.ko) serves bios in the task that submits them, which may be
 * a task reclaiming memory to swap, and that takes this lock.
 */
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/random.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/xxhash.h>
#include <kunit/visibility.h>

#include <hvmem/cache.h>
#include "hvmem_internal.h"
#include "cache_core.h"
#include "cache_internal.h"
#include "hvmem_trace.h"

static unsigned long cache_reserve_pages;
module_param(cache_reserve_pages, ulong, 0444);
MODULE_PARM_DESC(cache_reserve_pages,
		 "Pages reserved for the exclusive cache at load (default 0; resize in sysfs)");

/**
 * struct hvmem_cache_frame - a reserved page
 * @f: the core's view (its data is the page's address)
 * @node: on hvmem_cache_free while not in use
 * @page: the page
 */
struct hvmem_cache_frame {
	struct hc_frame f;
	struct list_head node;
	struct page *page;
};

/* Most entries dropped (VM gone) or frames evicted (shrink) per lock hold. */
#define HVMEM_CACHE_DROP_BATCH	1024

static DEFINE_MUTEX(hvmem_cache_lock);
static unsigned int hvmem_cache_lock_noio;	/* the holder's memalloc_noio_save() */
static DEFINE_MUTEX(hvmem_cache_resize_lock);
static struct hc_cache hvmem_cache;
static LIST_HEAD(hvmem_cache_free);	/* reserved pages not holding data */
static u64 hvmem_cache_reserved;	/* pages reserved (free + in use) */

/* Take hvmem_cache_lock; until hvmem_cache_lock_drop(), allocate without I/O. */
static void hvmem_cache_lock_take(void)
{
	unsigned int noio = memalloc_noio_save();

	mutex_lock(&hvmem_cache_lock);
	hvmem_cache_lock_noio = noio;
}

static void hvmem_cache_lock_drop(void)
{
	unsigned int noio = hvmem_cache_lock_noio;

	mutex_unlock(&hvmem_cache_lock);
	memalloc_noio_restore(noio);
}

static struct hc_frame *hvmem_cache_frame_alloc(void *priv)
{
	struct hvmem_cache_frame *fr;

	fr = list_first_entry_or_null(&hvmem_cache_free, struct hvmem_cache_frame, node);
	if (!fr)
		return NULL;
	list_del(&fr->node);
	return &fr->f;
}

static void hvmem_cache_frame_free(void *priv, struct hc_frame *f)
{
	struct hvmem_cache_frame *fr = container_of(f, struct hvmem_cache_frame, f);

	list_add(&fr->node, &hvmem_cache_free);
}

/*
 * Per-boot secrets: the index's keyed hash (pool, object and page keys are
 * chosen by clients, i.e. guests) and the dedup hash's seed (page contents
 * are chosen by guests too). Dedup compares whole pages before sharing, so
 * the seed is not needed for correctness, only so that no one can fill a
 * dedup chain with pages of colliding hashes and slow every put.
 */
static siphash_key_t hvmem_cache_key __ro_after_init;
static u64 hvmem_cache_seed __ro_after_init;

static u64 hvmem_cache_hash(const void *data, size_t len)
{
	return xxh64(data, len, hvmem_cache_seed);
}

static void hvmem_cache_evicted(void *priv, u32 vm_id, u32 pool_id, u64 oid, u64 index)
{
	trace_hvmem_cache_evict(vm_id, pool_id, oid, index);
}

/* Under hvmem_cache_lock: the pool's owner saves the victim, or refuses. */
static int hvmem_cache_writeback(void *priv, void *owner, u64 oid, u64 index, const void *data)
{
	struct hvmem_cache_writeback *wb = owner;

	return wb->writeback(wb, oid, index, data);
}

static const struct hc_ops hvmem_cache_ops = {
	.frame_alloc	= hvmem_cache_frame_alloc,
	.frame_free	= hvmem_cache_frame_free,
	.hash		= hvmem_cache_hash,
	.evicted	= hvmem_cache_evicted,
	.writeback	= hvmem_cache_writeback,
};

static void hvmem_cache_free_frames(struct list_head *list)
{
	struct hvmem_cache_frame *fr, *tmp;

	list_for_each_entry_safe(fr, tmp, list, node) {
		list_del(&fr->node);
		__free_page(fr->page);
		kfree(fr);
		cond_resched();
	}
}

/* Allocate @n pages onto @list; all or nothing. */
static int hvmem_cache_alloc_frames(struct list_head *list, u64 n)
{
	struct hvmem_cache_frame *fr;
	u64 i;

	for (i = 0; i < n; i++) {
		if (fatal_signal_pending(current))
			goto err_intr;
		fr = kzalloc(sizeof(*fr), GFP_KERNEL);
		if (!fr)
			goto err;
		fr->page = alloc_page(GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY);
		if (!fr->page) {
			kfree(fr);
			goto err;
		}
		fr->f.data = page_address(fr->page);
		list_add(&fr->node, list);
		cond_resched();
	}
	return 0;
err:
	hvmem_cache_free_frames(list);
	return -ENOMEM;
err_intr:
	hvmem_cache_free_frames(list);
	return -EINTR;
}

/**
 * hvmem_cache_set_reserve() - resize the reserve
 * @pages: pages to reserve; at most half of RAM
 *
 * Growing allocates every new page first (all or nothing); shrinking evicts
 * what no longer fits, then frees the pages.
 *
 * Return: 0, -EINVAL (too large), -ENOMEM or -EINTR.
 */
int hvmem_cache_set_reserve(u64 pages)
{
	LIST_HEAD(list);
	u64 cur, i;
	int ret = 0;

	if (pages > totalram_pages() / 2)
		return -EINVAL;
	mutex_lock(&hvmem_cache_resize_lock);
	cur = hvmem_cache_reserved;
	if (pages > cur) {
		ret = hvmem_cache_alloc_frames(&list, pages - cur);
		if (!ret) {
			hvmem_cache_lock_take();
			list_splice(&list, &hvmem_cache_free);
			hvmem_cache_reserved = pages;
			hc_set_capacity(&hvmem_cache, pages);
			hvmem_cache_lock_drop();
		}
	}
	/* Shrink in batches: evictions and frees with the lock dropped between. */
	while (hvmem_cache_reserved > pages) {
		u64 want = min(hvmem_cache_reserved - pages, (u64)HVMEM_CACHE_DROP_BATCH);

		hvmem_cache_lock_take();
		hc_set_capacity(&hvmem_cache, hvmem_cache_reserved - want);
		/* At most the new capacity is in use now: the rest are free. */
		for (i = 0; i < want; i++) {
			struct hvmem_cache_frame *fr;

			fr = list_first_entry_or_null(&hvmem_cache_free,
						      struct hvmem_cache_frame, node);
			if (WARN_ON_ONCE(!fr))
				break;
			list_move(&fr->node, &list);
		}
		hvmem_cache_reserved -= i;
		hvmem_cache_lock_drop();
		hvmem_cache_free_frames(&list);
		if (i < want)
			break;
		cond_resched();
	}
	mutex_unlock(&hvmem_cache_resize_lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(hvmem_cache_set_reserve);

/**
 * hvmem_cache_set_cross_vm() - share identical pages across VMs, or not
 * @on: share across VMs from now on (pages already stored keep their domain)
 */
void hvmem_cache_set_cross_vm(bool on)
{
	hvmem_cache_lock_take();
	hvmem_cache.dedup_cross_vm = on;
	hvmem_cache_lock_drop();
}

/**
 * hvmem_cache_snapshot() - the global counters, consistent with each other
 * @s: out: the counters
 */
void hvmem_cache_snapshot(struct hvmem_cache_snap *s)
{
	struct hc_cache *c = &hvmem_cache;

	hvmem_cache_lock_take();
	s->reserve_pages = hvmem_cache_reserved;
	s->used_pages = c->frames;
	s->entries = c->entries;
	s->zero_pages = c->zero_entries;
	s->dedup_saved_pages = c->dedup_saved;
	s->puts = c->st.puts;
	s->gets = c->st.gets;
	s->hits = c->st.hits;
	s->misses = c->st.misses;
	s->evictions = c->st.evictions;
	s->flushes = c->st.flushes;
	s->dedup_cross_vm = c->dedup_cross_vm;
	hvmem_cache_lock_drop();
}
EXPORT_SYMBOL_IF_KUNIT(hvmem_cache_snapshot);

/**
 * hvmem_cache_vm_info() - a VM's shares, cap, usage and counters
 * @vm_id: the VM
 * @out: out: the information
 *
 * Return: 0, or -ENOENT when the VM never used the cache.
 */
int hvmem_cache_vm_info(u32 vm_id, struct hc_vm_info *out)
{
	int ret;

	hvmem_cache_lock_take();
	ret = hc_vm_info(&hvmem_cache, vm_id, out);
	hvmem_cache_lock_drop();
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(hvmem_cache_vm_info);

/*
 * Run @fn on the cache for a bound VM. The VM's UNBIND event sets
 * HVMEM_VM_S_UNBOUND before it reaches hvmem_cache_vm_event(), which takes
 * hvmem_cache_lock: so state created here for a VM seen alive under the
 * lock is always dropped by that event.
 */
static int hvmem_cache_for_vm(u32 vm_id, int (*fn)(u32 vm_id, void *arg), void *arg)
{
	struct hvmem_vm *vm;
	int ret = -ENOENT;

	hvmem_cache_lock_take();
	vm = hvmem_vm_get(vm_id);
	if (vm && !hvmem_vm_is_dying(vm))
		ret = fn(vm_id, arg);
	hvmem_cache_lock_drop();
	hvmem_vm_put(vm);
	return ret;
}

struct hvmem_pool_args {
	u32 flags;
	u32 *pool_id;
};

static int hvmem_cache_do_pool_create(u32 vm_id, void *arg)
{
	struct hvmem_pool_args *a = arg;

	return hc_pool_create(&hvmem_cache, vm_id, a->flags, a->pool_id);
}

/**
 * hvmem_cache_pool_create() - create a pool owned by a bound VM
 * @vm_id: the VM
 * @flags: HVMEM_CACHE_POOL_*_K bits
 * @pool_id: out: the pool id
 *
 * The pool dies with the VM's binding.
 *
 * Return: 0, -ENOENT (VM not bound), -EINVAL (bad flags), -ENOMEM, -ENOSPC.
 */
int hvmem_cache_pool_create(u32 vm_id, u32 flags, u32 *pool_id)
{
	struct hvmem_pool_args a = { .flags = flags, .pool_id = pool_id };

	BUILD_BUG_ON(HVMEM_CACHE_POOL_NO_DEDUP_K != HC_POOL_NO_DEDUP);
	BUILD_BUG_ON(HVMEM_CACHE_POOL_PINNED_K != HC_POOL_PINNED);
	BUILD_BUG_ON(HVMEM_CACHE_POOL_NO_DEDUP != HC_POOL_NO_DEDUP);
	if (flags & ~HC_POOL_FLAGS)
		return -EINVAL;
	return hvmem_cache_for_vm(vm_id, hvmem_cache_do_pool_create, &a);
}
EXPORT_SYMBOL_GPL(hvmem_cache_pool_create);

/**
 * hvmem_cache_pool_destroy() - drop a pool and its pages
 * @pool_id: the pool
 *
 * Return: 0 or -ENXIO.
 */
int hvmem_cache_pool_destroy(u32 pool_id)
{
	int ret;

	hvmem_cache_lock_take();
	ret = hc_pool_destroy(&hvmem_cache, pool_id);
	hvmem_cache_lock_drop();
	return ret;
}
EXPORT_SYMBOL_GPL(hvmem_cache_pool_destroy);

/**
 * hvmem_cache_pool_set_writeback() - save a pool's victims before eviction
 * @pool_id: the pool
 * @wb: its writeback() is called, under the cache's lock, before each
 *	eviction of one of the pool's pages; NULL for none. It must stay
 *	valid until it is replaced or the pool is destroyed (after which it
 *	is never called again)
 *
 * Pool destruction, flushes and VM unbinding drop pages without calling it.
 *
 * Return: 0 or -ENXIO.
 */
int hvmem_cache_pool_set_writeback(u32 pool_id, struct hvmem_cache_writeback *wb)
{
	int ret;

	hvmem_cache_lock_take();
	ret = hc_pool_set_owner(&hvmem_cache, pool_id, wb);
	hvmem_cache_lock_drop();
	return ret;
}
EXPORT_SYMBOL_GPL(hvmem_cache_pool_set_writeback);

/**
 * hvmem_cache_pool_pages() - pages a pool holds
 * @pool_id: the pool
 *
 * Return: the pages (zero pages and shared ones count once each), or
 * -ENXIO.
 */
s64 hvmem_cache_pool_pages(u32 pool_id)
{
	s64 ret;

	hvmem_cache_lock_take();
	ret = hc_pool_pages(&hvmem_cache, pool_id);
	hvmem_cache_lock_drop();
	return ret;
}
EXPORT_SYMBOL_GPL(hvmem_cache_pool_pages);

/**
 * hvmem_cache_put() - store a page, replacing any page under the key
 * @pool_id: the pool
 * @oid: object id
 * @index: page index
 * @data: PAGE_SIZE bytes of kernel memory
 * @gen: out: the new entry's generation
 *
 * May evict other pages. On failure no page is left under the key.
 *
 * Return: 0, -ENXIO (no such pool), -ENOSPC (no reserve) or -ENOMEM.
 */
int hvmem_cache_put(u32 pool_id, u64 oid, u64 index, const void *data, u64 *gen)
{
	return hvmem_cache_put_how(pool_id, oid, index, data, gen, NULL);
}
EXPORT_SYMBOL_GPL(hvmem_cache_put);

/**
 * hvmem_cache_put_how() - store a page and say how it was stored
 * @pool_id: the pool
 * @oid: object id
 * @index: page index
 * @data: PAGE_SIZE bytes of kernel memory
 * @gen: out: the new entry's generation
 * @how: out, may be NULL: HVMEM_CACHE_PUT_FRAME, _ZERO (no memory) or
 *	_DEDUP (sharing an identical page), on success
 *
 * As hvmem_cache_put(); the put reaches the cache's observer as an
 * eviction from the VM's memory (see struct hvmem_cache_observer).
 *
 * Return: 0, -ENXIO (no such pool), -ENOSPC (nothing could be evicted: no
 * reserve, the VM at its cap with pinned pages, or a writeback refused) or
 * -ENOMEM.
 */
int hvmem_cache_put_how(u32 pool_id, u64 oid, u64 index, const void *data, u64 *gen,
			int *how)
{
	struct hc_key k = { .pool = pool_id, .oid = oid, .index = index };
	enum hc_put_how h = HC_PUT_FRAME;
	u32 vm_id = 0;
	int ret;

	BUILD_BUG_ON(HVMEM_CACHE_PUT_ZERO != HC_PUT_ZERO);
	BUILD_BUG_ON(HVMEM_CACHE_PUT_DEDUP != HC_PUT_DEDUP);
	hvmem_cache_lock_take();
	ret = hc_put_how(&hvmem_cache, &k, data, gen, &h);
	if (ret != -ENXIO)
		hc_pool_vm(&hvmem_cache, pool_id, &vm_id);
	hvmem_cache_lock_drop();
	trace_hvmem_cache_put(pool_id, oid, index, ret ? 0 : *gen, ret);
	if (vm_id)
		hvmem_cache_observe(vm_id, pool_id, oid, index, false);
	if (how)
		*how = h;
	return ret;
}
EXPORT_SYMBOL_GPL(hvmem_cache_put_how);

/**
 * hvmem_cache_get() - take a page out of the cache
 * @pool_id: the pool
 * @oid: object id
 * @index: page index
 * @expect_gen: the generation expected, 0 for any
 * @data: out: PAGE_SIZE bytes of kernel memory
 * @gen: out: the generation of the page returned
 *
 * A hit copies the page to @data and removes it from the cache.
 *
 * Return: 0, -ENXIO (no such pool), -ENOENT (miss), -ESTALE (another
 * generation is cached; it stays).
 */
int hvmem_cache_get(u32 pool_id, u64 oid, u64 index, u64 expect_gen, void *data, u64 *gen)
{
	struct hc_key k = { .pool = pool_id, .oid = oid, .index = index };
	u32 vm_id = 0;
	int ret;

	hvmem_cache_lock_take();
	ret = hc_get(&hvmem_cache, &k, expect_gen, data, gen);
	if (ret != -ENXIO)
		hc_pool_vm(&hvmem_cache, pool_id, &vm_id);
	hvmem_cache_lock_drop();
	trace_hvmem_cache_get(pool_id, oid, index, ret ? 0 : *gen, ret);
	if (vm_id)
		hvmem_cache_observe(vm_id, pool_id, oid, index, true);
	return ret;
}
EXPORT_SYMBOL_GPL(hvmem_cache_get);

/**
 * hvmem_cache_read() - copy a page out of the cache, keeping it there
 * @pool_id: the pool
 * @oid: object id
 * @index: page index
 * @data: out: PAGE_SIZE bytes of kernel memory
 *
 * The non-consuming get of block devices over the cache: the page stays
 * (in its LRU place). A read reaches the cache's observer as a get (a
 * reference beyond the VM's memory), hit or miss.
 *
 * Return: 0, -ENXIO (no such pool) or -ENOENT (miss).
 */
int hvmem_cache_read(u32 pool_id, u64 oid, u64 index, void *data)
{
	struct hc_key k = { .pool = pool_id, .oid = oid, .index = index };
	u32 vm_id = 0;
	u64 gen = 0;
	int ret;

	hvmem_cache_lock_take();
	ret = hc_read(&hvmem_cache, &k, data, &gen);
	if (ret != -ENXIO)
		hc_pool_vm(&hvmem_cache, pool_id, &vm_id);
	hvmem_cache_lock_drop();
	trace_hvmem_cache_get(pool_id, oid, index, gen, ret);
	if (vm_id)
		hvmem_cache_observe(vm_id, pool_id, oid, index, true);
	return ret;
}
EXPORT_SYMBOL_GPL(hvmem_cache_read);

/**
 * hvmem_cache_flush_page() - drop the page under a key
 * @pool_id: the pool
 * @oid: object id
 * @index: page index
 *
 * Return: 0, -ENXIO (no such pool) or -ENOENT (no page).
 */
int hvmem_cache_flush_page(u32 pool_id, u64 oid, u64 index)
{
	struct hc_key k = { .pool = pool_id, .oid = oid, .index = index };
	int ret;

	hvmem_cache_lock_take();
	ret = hc_flush_page(&hvmem_cache, &k);
	hvmem_cache_lock_drop();
	return ret;
}
EXPORT_SYMBOL_GPL(hvmem_cache_flush_page);

/**
 * hvmem_cache_flush_object() - drop every page of an object
 * @pool_id: the pool
 * @oid: object id
 *
 * Return: pages dropped, or -ENXIO.
 */
s64 hvmem_cache_flush_object(u32 pool_id, u64 oid)
{
	s64 ret;

	hvmem_cache_lock_take();
	ret = hc_flush_object(&hvmem_cache, pool_id, oid);
	hvmem_cache_lock_drop();
	return ret;
}
EXPORT_SYMBOL_GPL(hvmem_cache_flush_object);

struct hvmem_vm_set_args {
	u32 shares;
	u64 cap;
};

static int hvmem_cache_do_vm_set(u32 vm_id, void *arg)
{
	struct hvmem_vm_set_args *a = arg;

	return hc_vm_set(&hvmem_cache, vm_id, a->shares, a->cap);
}

/**
 * hvmem_cache_vm_set() - set a bound VM's eviction shares and page cap
 * @vm_id: the VM
 * @shares: 1 .. HVMEM_CACHE_SHARES_MAX
 * @cap: most pages, 0 for no cap; applies at once
 *
 * Return: 0, -ENOENT (VM not bound), -EINVAL, -ENOMEM.
 */
int hvmem_cache_vm_set(u32 vm_id, u32 shares, u64 cap)
{
	struct hvmem_vm_set_args a = { .shares = shares, .cap = cap };

	BUILD_BUG_ON(HVMEM_CACHE_SHARES_MAX != HC_SHARES_MAX);
	if (!shares || shares > HC_SHARES_MAX)
		return -EINVAL;
	return hvmem_cache_for_vm(vm_id, hvmem_cache_do_vm_set, &a);
}
EXPORT_SYMBOL_GPL(hvmem_cache_vm_set);

/**
 * hvmem_cache_vm_gone() - drop a VM's pools, pages, shares and cap
 * @vm_id: the VM, being unbound
 *
 * VM ids are reused by later bindings: nothing of this VM may remain.
 */
void hvmem_cache_vm_gone(u32 vm_id)
{
	u64 n;

	/* In batches, so a VM with very many pages does not hog the lock. */
	do {
		hvmem_cache_lock_take();
		n = hc_vm_trim(&hvmem_cache, vm_id, HVMEM_CACHE_DROP_BATCH);
		if (n < HVMEM_CACHE_DROP_BATCH)
			hc_vm_remove(&hvmem_cache, vm_id);
		hvmem_cache_lock_drop();
		cond_resched();
	} while (n >= HVMEM_CACHE_DROP_BATCH);
}
EXPORT_SYMBOL_IF_KUNIT(hvmem_cache_vm_gone);

static int hvmem_cache_vm_event(struct notifier_block *nb, unsigned long ev, void *data)
{
	if (ev != HVMEM_VM_EVENT_UNBIND)
		return NOTIFY_DONE;
	hvmem_cache_vm_gone(hvmem_vm_id(data));
	return NOTIFY_OK;
}

static struct notifier_block hvmem_cache_nb = {
	.notifier_call = hvmem_cache_vm_event,
};

int hvmem_cache_init(void)
{
	int ret;

	get_random_bytes(&hvmem_cache_key, sizeof(hvmem_cache_key));
	get_random_bytes(&hvmem_cache_seed, sizeof(hvmem_cache_seed));
	ret = hc_init(&hvmem_cache, &hvmem_cache_ops, NULL, PAGE_SIZE, 0);
	if (ret)
		return ret;
	hc_index_set_key(&hvmem_cache.ix, &hvmem_cache_key);	/* empty: cannot fail */
	ret = hvmem_cache_set_reserve(cache_reserve_pages);
	if (ret) {
		pr_err("hvmem: cannot reserve %lu cache pages: %d\n", cache_reserve_pages, ret);
		goto err_core;
	}
	ret = hvmem_register_vm_notifier(&hvmem_cache_nb);
	if (ret)
		goto err_reserve;
	ret = hvmem_cache_sysfs_init();
	if (ret)
		goto err_nb;
	ret = hvmem_cache_ioctl_init();
	if (ret)
		goto err_sysfs;
	return 0;

err_sysfs:
	hvmem_cache_sysfs_exit();
err_nb:
	hvmem_unregister_vm_notifier(&hvmem_cache_nb);
err_reserve:
	hvmem_cache_set_reserve(0);
err_core:
	hc_destroy(&hvmem_cache);
	return ret;
}

/* After every VM was unbound (their pools are gone) and no ioctl can run. */
void hvmem_cache_exit(void)
{
	hvmem_cache_ioctl_exit();
	hvmem_cache_sysfs_exit();
	hvmem_unregister_vm_notifier(&hvmem_cache_nb);
	hvmem_cache_set_reserve(0);	/* evicts everything, frees the pages */
	hc_destroy(&hvmem_cache);
}
