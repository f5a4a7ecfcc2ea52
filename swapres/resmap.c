// SPDX-License-Identifier: GPL-2.0
/*
 * Reservation block allocator and pool accounting (pure core).
 *
 * Free blocks are the never-used tail [fresh, nr_blocks) plus a LIFO stack
 * of returned blocks: allocation and release are O(1) and need no
 * initialisation pass over the reservation.
 */
#include "swapres_core.h"

/**
 * swapres_name_valid() - check a pool or VM name
 * @name: NUL-terminated name
 *
 * Return: true if @name is 1..SWAPRES_NAME_LEN-1 characters of [A-Za-z0-9_.-].
 */
bool swapres_name_valid(const char *name)
{
	size_t i, len = strlen(name);

	if (!len || len >= SWAPRES_NAME_LEN)
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
			return false;
	}
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(swapres_name_valid);

/**
 * swapres_res_init() - set up an empty reservation
 * @res: reservation to initialise
 * @nr_blocks: physical blocks, 1..U32_MAX-1
 * @pages_per_block: power of two in 1..SWAPRES_MAX_PPB
 * @overcommit: let admission commit more than @nr_blocks
 *
 * Return: 0, -EINVAL on bad geometry, -E2BIG above SWAPRES_MAX_BLOCKS,
 * -ENOMEM.
 */
int swapres_res_init(struct swapres_res *res, u32 nr_blocks, u32 pages_per_block,
		     bool overcommit)
{
	memset(res, 0, sizeof(*res));
	if (!nr_blocks || nr_blocks == (u32)~0u)
		return -EINVAL;
	if (!pages_per_block || pages_per_block > SWAPRES_MAX_PPB ||
	    (pages_per_block & (pages_per_block - 1)))
		return -EINVAL;
	if (nr_blocks > SWAPRES_MAX_BLOCKS)
		return -E2BIG;
	res->stack = kvmalloc_array(nr_blocks, sizeof(*res->stack), GFP_KERNEL);
	res->pstate = kvcalloc(nr_blocks, sizeof(*res->pstate), GFP_KERNEL);
	if (!res->stack || !res->pstate) {
		kvfree(res->stack);
		kvfree(res->pstate);
		res->stack = NULL;
		res->pstate = NULL;
		return -ENOMEM;
	}
	res->nr_blocks = nr_blocks;
	res->pages_per_block = pages_per_block;
	while ((1u << res->ppb_shift) < pages_per_block)
		res->ppb_shift++;
	res->root.max = nr_blocks;
	res->root.overcommit = overcommit;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(swapres_res_init);

/**
 * swapres_res_destroy() - free a reservation and its sub-pools
 * @res: reservation; all VMs must be detached
 */
void swapres_res_destroy(struct swapres_res *res)
{
	int i;

	WARN_ON(res->root.allocated);
	for (i = 0; i < SWAPRES_MAX_POOLS; i++) {
		kfree(res->pools[i]);
		res->pools[i] = NULL;
	}
	kvfree(res->stack);
	kvfree(res->pstate);
	res->stack = NULL;
	res->pstate = NULL;
}
EXPORT_SYMBOL_IF_KUNIT(swapres_res_destroy);

/**
 * swapres_res_free_blocks() - blocks not held by any VM
 * @res: reservation
 *
 * Return: free physical blocks.
 */
u32 swapres_res_free_blocks(const struct swapres_res *res)
{
	return res->nr_blocks - res->fresh + res->nr_free;
}
EXPORT_SYMBOL_IF_KUNIT(swapres_res_free_blocks);

/**
 * swapres_block_get() - take one physical block out of the free set
 * @res: reservation
 * @pblock: the block taken
 *
 * Only the free set is touched; pool and VM limits are swapres_vm_write()'s.
 *
 * Return: 0 or -ENOSPC.
 */
int swapres_block_get(struct swapres_res *res, u32 *pblock)
{
	if (res->nr_free)
		*pblock = res->stack[--res->nr_free];
	else if (res->fresh < res->nr_blocks)
		*pblock = res->fresh++;
	else
		return -ENOSPC;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(swapres_block_get);

/**
 * swapres_block_put() - give a physical block back to the free set
 * @res: reservation
 * @pblock: a block previously returned by swapres_block_get()
 */
void swapres_block_put(struct swapres_res *res, u32 pblock)
{
	if (WARN_ON(pblock >= res->fresh || res->nr_free >= res->fresh ||
		    atomic_read(&res->pstate[pblock])))
		return;
	res->stack[res->nr_free++] = pblock;
}
EXPORT_SYMBOL_IF_KUNIT(swapres_block_put);

/**
 * swapres_pool_alloc() - allocate a sub-pool, not yet part of a reservation
 * @name: valid name (swapres_name_valid())
 * @max: most blocks the pool may hold at once
 * @overcommit: let VMs in this pool commit more than @max
 *
 * Return: the pool, or NULL on a bad name, zero @max or no memory.
 */
struct swapres_pool *swapres_pool_alloc(const char *name, u64 max, bool overcommit)
{
	struct swapres_pool *pool;

	if (!swapres_name_valid(name) || !max)
		return NULL;
	pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	if (!pool)
		return NULL;
	memcpy(pool->name, name, strlen(name) + 1);
	pool->max = max;
	pool->overcommit = overcommit;
	return pool;
}
EXPORT_SYMBOL_IF_KUNIT(swapres_pool_alloc);

/**
 * swapres_admit() - commit @max blocks of @pool to a new user
 * @pool: the pool
 * @max: the new user's maximum
 *
 * Return: 0, or -ENOSPC if the pool is not overcommitted and its
 * commitments would exceed its maximum.
 */
int swapres_admit(struct swapres_pool *pool, u64 max)
{
	u64 sum;

	if (check_add_overflow(pool->committed, max, &sum))
		return -ENOSPC;
	if (sum > pool->max && !pool->overcommit)
		return -ENOSPC;
	pool->committed = sum;
	pool->nr_users++;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(swapres_admit);

/**
 * swapres_unadmit() - undo swapres_admit()
 * @pool: the pool
 * @max: the maximum given to swapres_admit()
 */
void swapres_unadmit(struct swapres_pool *pool, u64 max)
{
	if (WARN_ON(pool->committed < max || !pool->nr_users))
		return;
	pool->committed -= max;
	pool->nr_users--;
}
EXPORT_SYMBOL_IF_KUNIT(swapres_unadmit);

/**
 * swapres_pool_find() - look a pool up by name
 * @res: reservation
 * @name: pool name; NULL or "" names the root pool
 *
 * Return: the pool or NULL.
 */
struct swapres_pool *swapres_pool_find(struct swapres_res *res, const char *name)
{
	int i;

	if (!name || !*name)
		return &res->root;
	for (i = 0; i < SWAPRES_MAX_POOLS; i++)
		if (res->pools[i] && !strcmp(res->pools[i]->name, name))
			return res->pools[i];
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(swapres_pool_find);

/**
 * swapres_pool_add() - admit a sub-pool into the reservation
 * @res: reservation
 * @pool: from swapres_pool_alloc(); owned by @res on success
 *
 * The pool's maximum is committed in the root pool like a VM's.
 *
 * Return: 0, -EEXIST (name taken), -EMFILE (too many pools) or -ENOSPC
 * (admission refused).
 */
int swapres_pool_add(struct swapres_res *res, struct swapres_pool *pool)
{
	int i, slot = -1, ret;

	if (swapres_pool_find(res, pool->name))
		return -EEXIST;
	for (i = 0; i < SWAPRES_MAX_POOLS && slot < 0; i++)
		if (!res->pools[i])
			slot = i;
	if (slot < 0)
		return -EMFILE;
	ret = swapres_admit(&res->root, pool->max);
	if (ret)
		return ret;
	pool->parent = &res->root;
	res->pools[slot] = pool;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(swapres_pool_add);

/**
 * swapres_pool_remove() - remove and free an unused sub-pool
 * @res: reservation
 * @name: sub-pool name
 *
 * Return: 0, -ENOENT or -EBUSY (VMs still admitted into it).
 */
int swapres_pool_remove(struct swapres_res *res, const char *name)
{
	int i;

	for (i = 0; i < SWAPRES_MAX_POOLS; i++) {
		struct swapres_pool *pool = res->pools[i];

		if (!pool || strcmp(pool->name, name))
			continue;
		if (pool->nr_users || pool->allocated)
			return -EBUSY;
		swapres_unadmit(&res->root, pool->max);
		res->pools[i] = NULL;
		kfree(pool);
		return 0;
	}
	return -ENOENT;
}
EXPORT_SYMBOL_IF_KUNIT(swapres_pool_remove);

/**
 * swapres_pool_set_overcommit() - change a pool's overcommit flag
 * @pool: the pool
 * @overcommit: new value
 *
 * Return: 0, or -EBUSY when clearing it while commitments exceed the maximum.
 */
int swapres_pool_set_overcommit(struct swapres_pool *pool, bool overcommit)
{
	if (!overcommit && pool->committed > pool->max)
		return -EBUSY;
	pool->overcommit = overcommit;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(swapres_pool_set_overcommit);
