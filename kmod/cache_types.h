/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Objects of the exclusive cache's pure core (cache_index.c, cache_lru.c,
 * cache_dedup.c, cache_core.c, cache_pool.c): pools of objects of pages,
 * per-VM accounts and page frames.
 *
 * A key is (pool id, object id, index). A pool belongs to one VM, whose
 * account holds the VM's LRU list, shares, cap and counters. An entry's data
 * is a frame (a page-sized buffer the caller allocates from its reserve),
 * possibly shared by several entries when dedup found identical content, or
 * no frame at all for a page of zeros.
 */
#ifndef _HVMEM_CACHE_TYPES_H
#define _HVMEM_CACHE_TYPES_H

#include <hvmem/compat.h>
#include "cache_htab.h"

/**
 * struct hc_frame - one page of cache memory, supplied by the caller
 * @hn: node in the dedup table (when @hashed)
 * @data: the page's memory; set by the caller, never changed by the core
 * @refs: entries using the frame (core-owned)
 * @domain: dedup domain the frame may be shared in (core-owned)
 * @hashed: the frame is in the dedup table (core-owned)
 */
struct hc_frame {
	struct hc_hnode hn;
	void *data;
	u32 refs;
	u32 domain;
	bool hashed;
};

/**
 * struct hc_stats - event counters, global and per VM
 * @puts: put calls (accepted or not)
 * @gets: get calls
 * @hits: gets that returned data
 * @misses: gets that found no entry (or a stale generation)
 * @evictions: entries the cache dropped to make room
 * @flushes: entries removed by flush page/object, pool destroy or replace
 * @dedup_hits: puts stored by sharing an existing identical frame
 * @zero_puts: puts of all-zero pages (stored without memory)
 */
struct hc_stats {
	u64 puts;
	u64 gets;
	u64 hits;
	u64 misses;
	u64 evictions;
	u64 flushes;
	u64 dedup_hits;
	u64 zero_puts;
};

/**
 * struct hc_acct - a VM's account: its pools, LRU list and limits
 * @node: in struct hc_lru.accts
 * @lru: the VM's entries, oldest first (struct hc_entry.lru)
 * @pools: the VM's pools (struct hc_pool.acct_node)
 * @vm_id: the VM
 * @shares: eviction weight (more shares: keeps more pages)
 * @cap: most entries the VM may hold, 0 for no cap
 * @pages: entries the VM holds
 * @nr_pools: pools on @pools
 * @st: the VM's counters
 */
struct hc_acct {
	struct hc_link node;
	struct hc_link lru;
	struct hc_link pools;
	u32 vm_id;
	u32 shares;
	u64 cap;
	u64 pages;
	u32 nr_pools;
	struct hc_stats st;
};

/**
 * struct hc_pool - a pool: a VM's namespace of objects
 * @hn: node in the index's pool table
 * @acct_node: in struct hc_acct.pools
 * @objs: the pool's objects (struct hc_obj.pool_node)
 * @acct: the owning VM's account
 * @id: pool id, unique while the cache lives (not reused)
 * @flags: HC_POOL_* bits
 * @pages: entries in the pool
 * @owner: writeback owner (hc_pool_set_owner()), passed to
 *	struct hc_ops.writeback before an entry of the pool is evicted
 */
struct hc_pool {
	struct hc_hnode hn;
	struct hc_link acct_node;
	struct hc_link objs;
	struct hc_acct *acct;
	u32 id;
	u32 flags;
	u64 pages;
	void *owner;
};

/* struct hc_pool.flags */
#define HC_POOL_NO_DEDUP	BIT(0)	/* never share this pool's frames */
#define HC_POOL_PINNED		BIT(1)	/* never evict this pool's entries */
#define HC_POOL_FLAGS		(HC_POOL_NO_DEDUP | HC_POOL_PINNED)

/**
 * struct hc_obj - an object: the pages of one (pool, object id)
 * @hn: node in the index's object table
 * @pool_node: in struct hc_pool.objs
 * @pages: the object's entries (struct hc_entry.obj_node)
 * @pool: the pool
 * @oid: object id
 * @nr_pages: entries on @pages
 */
struct hc_obj {
	struct hc_hnode hn;
	struct hc_link pool_node;
	struct hc_link pages;
	struct hc_pool *pool;
	u64 oid;
	u64 nr_pages;
};

/**
 * struct hc_entry - one cached page
 * @hn: node in the index's entry table
 * @obj_node: in struct hc_obj.pages
 * @lru: in the VM's struct hc_acct.lru
 * @obj: the object
 * @index: page index within the object
 * @gen: generation: unique per put, returned to the putter
 * @tick: LRU clock at insertion
 * @frame: the data, or NULL for a page of zeros
 */
struct hc_entry {
	struct hc_hnode hn;
	struct hc_link obj_node;
	struct hc_link lru;
	struct hc_obj *obj;
	u64 index;
	u64 gen;
	u64 tick;
	struct hc_frame *frame;
};

#endif /* _HVMEM_CACHE_TYPES_H */
