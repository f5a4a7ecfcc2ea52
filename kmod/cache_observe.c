// SPDX-License-Identifier: GPL-2.0
/*
 * The exclusive cache's access stream, for one in-kernel observer.
 *
 * Every put (a guest evicting a page beyond its memory) and every get (the
 * guest missing in its memory and asking for the page back) is a reference
 * to that page outside the VM's memory; the reuse distances of that stream
 * give the VM's miss-rate curve beyond its current size (Lu & Shen,
 * "Virtual Machine Memory Access Tracing With Hypervisor Exclusive Cache",
 * USENIX ATC'07). hvmem_mrc.ko is the observer; hvmem.ko cannot call it
 * directly as hvmem_mrc.ko depends on hvmem.ko.
 *
 * The observer is called after the cache lock is dropped, under
 * rcu_read_lock(): it must not sleep.
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>

#include <hvmem/cache.h>
#include "cache_internal.h"

static const struct hvmem_cache_observer __rcu *hvmem_cache_observer;
static DEFINE_MUTEX(hvmem_cache_observer_lock);

/**
 * hvmem_cache_observer_register() - receive the cache's access stream
 * @obs: the observer; it must stay valid until unregistered
 *
 * Return: 0, or -EBUSY when another observer is registered.
 */
int hvmem_cache_observer_register(const struct hvmem_cache_observer *obs)
{
	int ret = 0;

	mutex_lock(&hvmem_cache_observer_lock);
	if (rcu_access_pointer(hvmem_cache_observer))
		ret = -EBUSY;
	else
		rcu_assign_pointer(hvmem_cache_observer, obs);
	mutex_unlock(&hvmem_cache_observer_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(hvmem_cache_observer_register);

/**
 * hvmem_cache_observer_unregister() - stop receiving the access stream
 * @obs: the observer given to hvmem_cache_observer_register()
 *
 * Waits until no call into @obs is running: @obs may be freed (and its
 * module unloaded) on return.
 */
void hvmem_cache_observer_unregister(const struct hvmem_cache_observer *obs)
{
	mutex_lock(&hvmem_cache_observer_lock);
	if (rcu_access_pointer(hvmem_cache_observer) == obs)
		RCU_INIT_POINTER(hvmem_cache_observer, NULL);
	mutex_unlock(&hvmem_cache_observer_lock);
	synchronize_rcu();
}
EXPORT_SYMBOL_GPL(hvmem_cache_observer_unregister);

/**
 * hvmem_cache_page_id() - one 64-bit number for a cache key
 * @pool_id: the pool
 * @oid: object id
 * @index: page index
 *
 * The page numbers an observer sees: a multiplicative hash of the pool and
 * @oid, plus @index, so an object's pages get consecutive numbers. Keys
 * of two objects collide only when their hashes happen to lie within the
 * objects' index ranges of each other: about 2^-44 per pair of objects of
 * up to 2^20 pages.
 *
 * Return: the page number.
 */
u64 hvmem_cache_page_id(u32 pool_id, u64 oid, u64 index)
{
	u64 h = (oid + ((u64)pool_id << 40)) * 0x9e3779b97f4a7c15ULL;

	return (h ^ (h >> 29)) + index;
}

/**
 * hvmem_cache_observe() - hand one reference to the observer, if any
 * @vm_id: the VM owning the pool
 * @pool_id: the pool
 * @oid: object id
 * @index: page index
 * @get: a get (else a put)
 */
void hvmem_cache_observe(u32 vm_id, u32 pool_id, u64 oid, u64 index, bool get)
{
	const struct hvmem_cache_observer *obs;

	rcu_read_lock();
	obs = rcu_dereference(hvmem_cache_observer);
	if (obs)
		obs->access(vm_id, hvmem_cache_page_id(pool_id, oid, index), get);
	rcu_read_unlock();
}
