/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvmem.ko's exclusive cache, for in-kernel users (a future transport from
 * guests, benchmarks). The same operations as the HVMEM_IOC_CACHE_*
 * ioctls; see uapi/hvmem.h for their semantics. Pages are PAGE_SIZE bytes
 * of kernel memory. Every function may sleep.
 */
#ifndef _HVMEM_CACHE_H
#define _HVMEM_CACHE_H

#include <linux/types.h>

/* Pool flags (as HVMEM_CACHE_POOL_*; PINNED is for in-kernel users only) */
#define HVMEM_CACHE_POOL_NO_DEDUP_K	BIT(0)
#define HVMEM_CACHE_POOL_PINNED_K	BIT(1)	/* the cache never evicts its pages */

/* How hvmem_cache_put_how() stored a page. */
#define HVMEM_CACHE_PUT_FRAME	0	/* in a page of its own */
#define HVMEM_CACHE_PUT_ZERO	1	/* a page of zeros: no memory */
#define HVMEM_CACHE_PUT_DEDUP	2	/* sharing an identical page */

/**
 * struct hvmem_cache_writeback - the owner of a pool whose pages must not
 *	be lost on eviction
 * @writeback: called under the cache's lock (a mutex: it may sleep and do
 *	I/O, but must not call back into the cache) before the cache evicts
 *	the page at (@oid, @index) of the pool; @data is the page (NULL for a
 *	page of zeros), valid for the call only. Return 0 when the page is
 *	saved and may go, or a negative errno to keep it: it then becomes the
 *	VM's most recent page and the put that needed room fails (-ENOSPC)
 */
struct hvmem_cache_writeback {
	int (*writeback)(struct hvmem_cache_writeback *wb, u64 oid, u64 index,
			 const void *data);
};

int hvmem_cache_pool_create(u32 vm_id, u32 flags, u32 *pool_id);
int hvmem_cache_pool_destroy(u32 pool_id);
int hvmem_cache_pool_set_writeback(u32 pool_id, struct hvmem_cache_writeback *wb);
s64 hvmem_cache_pool_pages(u32 pool_id);
int hvmem_cache_put(u32 pool_id, u64 oid, u64 index, const void *data, u64 *gen);
int hvmem_cache_put_how(u32 pool_id, u64 oid, u64 index, const void *data, u64 *gen,
			int *how);
int hvmem_cache_get(u32 pool_id, u64 oid, u64 index, u64 expect_gen, void *data,
		    u64 *gen);
int hvmem_cache_read(u32 pool_id, u64 oid, u64 index, void *data);
int hvmem_cache_flush_page(u32 pool_id, u64 oid, u64 index);
s64 hvmem_cache_flush_object(u32 pool_id, u64 oid);
int hvmem_cache_vm_set(u32 vm_id, u32 shares, u64 cap);

/**
 * struct hvmem_cache_observer - receives the cache's access stream
 * @access: called for every put and every get (hit or miss) of a pool
 *	owned by a VM, with the VM, a 64-bit number for the page's key, and
 *	@get: true for a get (the guest asks for a page beyond its memory: a
 *	reference), false for a put (the guest evicted the page: it enters
 *	the cache as its most recent page); called under rcu_read_lock(),
 *	so it must not sleep
 */
struct hvmem_cache_observer {
	void (*access)(u32 vm_id, u64 page, bool get);
};

int hvmem_cache_observer_register(const struct hvmem_cache_observer *obs);
void hvmem_cache_observer_unregister(const struct hvmem_cache_observer *obs);

#endif /* _HVMEM_CACHE_H */
