/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exclusive hypervisor cache (pure core): a second-chance cache of
 * pages, in tmem style, shared by every VM.
 *
 * - Keys are (pool, object id, index); pools belong to a VM.
 * - Exclusive: a get that hits returns the data and removes the entry
 *   (hc_read() returns it and keeps it, for block devices); a
 *   put over an existing key replaces it; a failed put leaves no entry
 *   under its key (never stale data).
 * - Ephemeral: the cache may drop any entry at any time (eviction).
 * - Every put gets a new generation; a get may name the generation it
 *   expects and then misses (-ESTALE) when the entry is a later one.
 * - Memory: frames from the caller (hc_ops), at most @capacity in use.
 *   Pages of zeros take no frame; identical pages share one frame
 *   (refcounted) within a dedup domain: the VM, or all VMs when
 *   @dedup_cross_vm is set, unless the pool has HC_POOL_NO_DEDUP.
 * - Eviction: share-weighted global LRU (cache_lru.h), per-VM caps.
 *   Entries of HC_POOL_PINNED pools are never evicted (they count against
 *   the VM's cap and the capacity, and are off the LRU lists); a pool with
 *   an owner has each victim handed to hc_ops.writeback first, which may
 *   refuse (the entry stays, the eviction fails).
 *
 * Not thread-safe: the caller serialises every call.
 */
#ifndef _HVMEM_CACHE_CORE_H
#define _HVMEM_CACHE_CORE_H

#include "cache_dedup.h"
#include "cache_index.h"
#include "cache_lru.h"

/* Entries (metadata) are bounded by this many per frame of capacity. */
#define HC_ENTRIES_PER_FRAME	8

/**
 * struct hc_ops - what the caller provides
 * @frame_alloc: a frame with @data pointing to page_size bytes, or NULL
 *	when none is left; called at most @capacity times without a free
 * @frame_free: give a frame back
 * @hash: content hash of a page (for dedup); NULL disables dedup
 * @evicted: optional: told of each eviction (for tracing), before the
 *	entry is freed
 * @writeback: optional: called before an entry of a pool with an owner
 *	(hc_pool_set_owner()) is evicted, with the owner, the key and the
 *	entry's data (NULL for a page of zeros), which stays valid for the
 *	call only; return 0 to let the entry go, or an error to keep it (it
 *	becomes the VM's most recent entry and the eviction fails)
 */
struct hc_ops {
	struct hc_frame *(*frame_alloc)(void *priv);
	void (*frame_free)(void *priv, struct hc_frame *f);
	u64 (*hash)(const void *data, size_t len);
	void (*evicted)(void *priv, u32 vm_id, u32 pool_id, u64 oid, u64 index);
	int (*writeback)(void *priv, void *owner, u64 oid, u64 index, const void *data);
};

/* How hc_put_how() stored a page. */
enum hc_put_how {
	HC_PUT_FRAME,	/* in a frame of its own */
	HC_PUT_ZERO,	/* a page of zeros: no frame */
	HC_PUT_DEDUP,	/* sharing an identical page's frame */
};

/**
 * struct hc_key - a cache key
 * @pool: pool id
 * @oid: object id
 * @index: page index in the object
 */
struct hc_key {
	u32 pool;
	u64 oid;
	u64 index;
};

/**
 * struct hc_cache - the cache
 * @ops: frame and hash operations
 * @priv: argument of @ops
 * @page_size: bytes per page
 * @ix: key map
 * @lru: VM accounts and eviction order
 * @dd: content table
 * @capacity: most frames in use
 * @frames: frames in use
 * @entries: entries (pages stored, counting shared and zero ones)
 * @zero_entries: entries of zero pages
 * @dedup_saved: entries sharing another entry's frame
 * @gen: last generation handed out
 * @dedup_cross_vm: share identical frames across VMs
 * @st: global counters
 */
struct hc_cache {
	const struct hc_ops *ops;
	void *priv;
	size_t page_size;
	struct hc_index ix;
	struct hc_lru lru;
	struct hc_dedup dd;
	u64 capacity;
	u64 frames;
	u64 entries;
	u64 zero_entries;
	u64 dedup_saved;
	u64 gen;
	bool dedup_cross_vm;
	struct hc_stats st;
};

/**
 * struct hc_vm_info - a VM's state in the cache
 * @shares: eviction weight
 * @cap: most entries, 0 for none
 * @pages: entries held
 * @pools: pools owned
 * @st: counters
 */
struct hc_vm_info {
	u32 shares;
	u64 cap;
	u64 pages;
	u32 pools;
	struct hc_stats st;
};

int hc_init(struct hc_cache *c, const struct hc_ops *ops, void *priv, size_t page_size,
	    u64 capacity);
void hc_destroy(struct hc_cache *c);
u64 hc_set_capacity(struct hc_cache *c, u64 capacity);

int hc_pool_create(struct hc_cache *c, u32 vm_id, u32 flags, u32 *pool_id);
int hc_pool_destroy(struct hc_cache *c, u32 pool_id);
int hc_pool_vm(const struct hc_cache *c, u32 pool_id, u32 *vm_id);
int hc_pool_set_owner(struct hc_cache *c, u32 pool_id, void *owner);
s64 hc_pool_pages(const struct hc_cache *c, u32 pool_id);

int hc_put(struct hc_cache *c, const struct hc_key *k, const void *data, u64 *gen);
int hc_put_how(struct hc_cache *c, const struct hc_key *k, const void *data, u64 *gen,
	       enum hc_put_how *how);
int hc_get(struct hc_cache *c, const struct hc_key *k, u64 expect_gen, void *data,
	   u64 *gen);
int hc_read(struct hc_cache *c, const struct hc_key *k, void *data, u64 *gen);
int hc_flush_page(struct hc_cache *c, const struct hc_key *k);
s64 hc_flush_object(struct hc_cache *c, u32 pool_id, u64 oid);

int hc_vm_set(struct hc_cache *c, u32 vm_id, u32 shares, u64 cap);
int hc_vm_info(const struct hc_cache *c, u32 vm_id, struct hc_vm_info *out);
u64 hc_vm_trim(struct hc_cache *c, u32 vm_id, u64 budget);
u64 hc_vm_remove(struct hc_cache *c, u32 vm_id);

#endif /* _HVMEM_CACHE_CORE_H */
