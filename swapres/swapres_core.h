/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure core of the thin swap reservation: a thick reservation of physical
 * blocks, resource pools with their own maxima, and per-VM thin maps from
 * virtual block to physical block. No locking and no I/O here: the caller
 * (dm-swapres) serialises every call on one reservation with its lock and
 * allocates memory outside that lock.
 *
 * Blocks are SWAPRES_PAGE_SIZE (4 KiB) pages grouped into blocks of
 * pages_per_block (1..64) pages. Inside an allocated block a per-page
 * "written" mask remembers which pages are in use, and a per-page "valid"
 * bit which pages a write has completed on: a page reads as zeros until its
 * first write is done, never as another VM's stale data.
 *
 * I/O is bracketed: swapres_vm_write_begin() or swapres_vm_read_begin() when
 * a bio is mapped, swapres_vm_io_end() when it completes (or, without the
 * lock, swapres_vm_io_end_nolock() when nothing but a count changes). A physical block
 * with I/O in flight is never handed to another VM: a discard that unmaps it
 * leaves it charged to its VM ("deferred") until its last I/O ends.
 */
#ifndef _SWAPRES_CORE_H
#define _SWAPRES_CORE_H

#include <hvmem/compat.h>

#define SWAPRES_PAGE_SHIFT	12
#define SWAPRES_MAX_PPB		64	/* pages per block: one u64 mask */
#define SWAPRES_NAME_LEN	32
#define SWAPRES_MAX_POOLS	32
#define SWAPRES_HOLE		0u	/* map entry of an unmapped block */
/* struct swapres_res.pstate: I/Os in flight, and "free it when they end" */
#define SWAPRES_PB_DEFERRED	0x80000000u
#define SWAPRES_PB_IO_MASK	0x7fffffffu
/*
 * Size limits: every array of a reservation or a VM must stay within
 * INT_MAX bytes (kvmalloc() refuses more, with a warning).
 * A reservation: 4 bytes per block in each of two arrays.
 * A VM: 4 bytes per virtual block (8 more when blocks hold several pages).
 */
#define SWAPRES_MAX_BLOCKS	((u32)(INT_MAX / sizeof(u32)))
#define SWAPRES_MAX_VBLOCKS(ppb) \
	((u32)((ppb) > 1 ? INT_MAX / sizeof(u64) : INT_MAX / sizeof(u32)))

/**
 * struct swapres_pool - an accounting pool (the root or a sub-pool)
 * @name: pool name ("" for the root pool, which is the reservation itself)
 * @max: blocks this pool may hold at once (root: the reservation size)
 * @committed: sum of the maxima of the VMs and sub-pools admitted into it
 * @allocated: blocks currently held by VMs of this pool (and its sub-pools)
 * @nr_users: VMs and sub-pools admitted into this pool
 * @overcommit: admission may commit more than @max
 * @parent: the root pool for a sub-pool, NULL for the root
 */
struct swapres_pool {
	char name[SWAPRES_NAME_LEN];
	u64 max;
	u64 committed;
	u64 allocated;
	u32 nr_users;
	bool overcommit;
	struct swapres_pool *parent;
};

/**
 * struct swapres_res - a thick reservation of physical blocks
 * @nr_blocks: physical blocks in the reservation
 * @pages_per_block: pages per block, a power of two in 1..SWAPRES_MAX_PPB
 * @ppb_shift: log2(@pages_per_block)
 * @fresh: blocks [@fresh, @nr_blocks) were never handed out
 * @nr_free: entries on @stack (blocks handed out and given back)
 * @stack: LIFO of returned blocks, capacity @nr_blocks
 * @pstate: per physical block: I/Os in flight | SWAPRES_PB_DEFERRED
 *	(changed under the reservation lock, except by
 *	swapres_vm_io_end_nolock())
 * @nr_deferred: blocks unmapped with I/O in flight, freed when it ends
 * @root: the root pool; @root.allocated counts blocks out of the free set
 * @pools: sub-pools, NULL where unused
 * @enospc: allocations refused (reservation, pool or VM limit)
 */
struct swapres_res {
	u32 nr_blocks;
	u32 pages_per_block;
	u32 ppb_shift;
	u32 fresh;
	u32 nr_free;
	u32 *stack;
	atomic_t *pstate;
	u32 nr_deferred;
	struct swapres_pool root;
	struct swapres_pool *pools[SWAPRES_MAX_POOLS];
	u64 enospc;
};

/**
 * struct swapres_vm - one VM's thin space over a reservation
 * @res: the reservation
 * @pool: the pool it was admitted into (&res->root or a sub-pool)
 * @nr_vblocks: virtual blocks (size of the thin device)
 * @max: most blocks it may hold at once (its admission commitment)
 * @allocated: blocks it holds (deferred ones included)
 * @map: @nr_vblocks entries: physical block + 1, or SWAPRES_HOLE
 * @written: per virtual block mask of pages in use (pages_per_block > 1)
 * @valid: bitmap, one bit per virtual page: a write to it has completed
 * @enospc: writes refused
 * @attached: admitted into @pool
 */
struct swapres_vm {
	struct swapres_res *res;
	struct swapres_pool *pool;
	u32 nr_vblocks;
	u32 max;
	u32 allocated;
	u32 *map;
	u64 *written;
	u64 *valid;
	u64 enospc;
	bool attached;
};

int swapres_res_init(struct swapres_res *res, u32 nr_blocks, u32 pages_per_block,
		     bool overcommit);
void swapres_res_destroy(struct swapres_res *res);
u32 swapres_res_free_blocks(const struct swapres_res *res);
int swapres_block_get(struct swapres_res *res, u32 *pblock);
void swapres_block_put(struct swapres_res *res, u32 pblock);

struct swapres_pool *swapres_pool_alloc(const char *name, u64 max, bool overcommit);
int swapres_pool_add(struct swapres_res *res, struct swapres_pool *pool);
struct swapres_pool *swapres_pool_find(struct swapres_res *res, const char *name);
int swapres_pool_remove(struct swapres_res *res, const char *name);
int swapres_pool_set_overcommit(struct swapres_pool *pool, bool overcommit);
int swapres_admit(struct swapres_pool *pool, u64 max);
void swapres_unadmit(struct swapres_pool *pool, u64 max);
bool swapres_name_valid(const char *name);

int swapres_vm_alloc(struct swapres_vm *vm, u32 nr_vblocks, u32 pages_per_block);
int swapres_vm_attach(struct swapres_vm *vm, struct swapres_res *res,
		      struct swapres_pool *pool, u32 max);
void swapres_vm_detach(struct swapres_vm *vm);
void swapres_vm_free(struct swapres_vm *vm);
int swapres_vm_write_begin(struct swapres_vm *vm, u64 page, u32 *pblock);
bool swapres_vm_read_begin(struct swapres_vm *vm, u64 page, u32 *pblock);
u32 swapres_vm_io_end(struct swapres_vm *vm, u64 page, u32 pblock, bool wrote);
bool swapres_vm_io_end_nolock(const struct swapres_vm *vm, u64 page, u32 pblock,
			      bool wrote);
int swapres_vm_write(struct swapres_vm *vm, u64 page, u32 *pblock);
bool swapres_vm_read(struct swapres_vm *vm, u64 page, u32 *pblock);
u32 swapres_vm_discard(struct swapres_vm *vm, u64 first, u64 nr_pages);

#endif /* _SWAPRES_CORE_H */
