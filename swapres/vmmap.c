// SPDX-License-Identifier: GPL-2.0
/*
 * Per-VM thin map (pure core): virtual block -> physical block, allocated
 * from the reservation on first write, returned on discard and detach.
 */
#include "swapres_core.h"

/**
 * swapres_vm_alloc() - allocate the maps of a thin space
 * @vm: VM to initialise
 * @nr_vblocks: virtual blocks
 * @pages_per_block: the reservation's pages per block
 *
 * Call without the reservation lock held (it allocates); then attach with
 * swapres_vm_attach().
 *
 * Return: 0, -EINVAL or -ENOMEM.
 */
int swapres_vm_alloc(struct swapres_vm *vm, u32 nr_vblocks, u32 pages_per_block)
{
	memset(vm, 0, sizeof(*vm));
	if (!nr_vblocks || !pages_per_block || pages_per_block > SWAPRES_MAX_PPB)
		return -EINVAL;
	vm->map = kvcalloc(nr_vblocks, sizeof(*vm->map), GFP_KERNEL);
	if (!vm->map)
		return -ENOMEM;
	if (pages_per_block > 1) {
		vm->written = kvcalloc(nr_vblocks, sizeof(*vm->written), GFP_KERNEL);
		if (!vm->written) {
			kvfree(vm->map);
			vm->map = NULL;
			return -ENOMEM;
		}
	}
	vm->nr_vblocks = nr_vblocks;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(swapres_vm_alloc);

/**
 * swapres_vm_attach() - admit a thin space into a pool of a reservation
 * @vm: from swapres_vm_alloc() with @res's pages per block
 * @res: reservation
 * @pool: &res->root or one of @res's sub-pools
 * @max: most blocks the VM may hold at once, >= 1
 *
 * Return: 0, -EINVAL, or -ENOSPC when admission control refuses @max.
 */
int swapres_vm_attach(struct swapres_vm *vm, struct swapres_res *res,
		      struct swapres_pool *pool, u32 max)
{
	int ret;

	if (vm->attached || !vm->map || !max)
		return -EINVAL;
	if (res->pages_per_block > 1 && !vm->written)
		return -EINVAL;
	if (res->pages_per_block == 1 && vm->written)
		return -EINVAL;
	if (pool != &res->root && pool->parent != &res->root)
		return -EINVAL;
	ret = swapres_admit(pool, max);
	if (ret)
		return ret;
	vm->res = res;
	vm->pool = pool;
	vm->max = max;
	vm->attached = true;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(swapres_vm_attach);

static void vm_release_block(struct swapres_vm *vm, u32 vblock)
{
	struct swapres_pool *p;

	swapres_block_put(vm->res, vm->map[vblock] - 1);
	vm->map[vblock] = SWAPRES_HOLE;
	if (vm->written)
		vm->written[vblock] = 0;
	vm->allocated--;
	for (p = vm->pool; p; p = p->parent)
		p->allocated--;
}

/**
 * swapres_vm_detach() - return every block of a VM and withdraw its admission
 * @vm: attached VM
 *
 * Takes O(number of virtual blocks).
 */
void swapres_vm_detach(struct swapres_vm *vm)
{
	u32 v;

	if (!vm->attached)
		return;
	for (v = 0; v < vm->nr_vblocks && vm->allocated; v++)
		if (vm->map[v] != SWAPRES_HOLE)
			vm_release_block(vm, v);
	WARN_ON(vm->allocated);
	swapres_unadmit(vm->pool, vm->max);
	vm->attached = false;
}
EXPORT_SYMBOL_IF_KUNIT(swapres_vm_detach);

/**
 * swapres_vm_free() - free the maps of a detached VM
 * @vm: VM
 */
void swapres_vm_free(struct swapres_vm *vm)
{
	WARN_ON(vm->attached);
	kvfree(vm->map);
	kvfree(vm->written);
	vm->map = NULL;
	vm->written = NULL;
}
EXPORT_SYMBOL_IF_KUNIT(swapres_vm_free);

/**
 * swapres_vm_write() - map a page for writing, allocating its block if needed
 * @vm: attached VM
 * @page: virtual page number
 * @pblock: the physical block now holding the page's block
 *
 * A new block is taken only if the VM, its pool(s) and the reservation all
 * have room: a write never waits, it fails.
 *
 * Return: 0, -EINVAL (page out of range) or -ENOSPC.
 */
int swapres_vm_write(struct swapres_vm *vm, u64 page, u32 *pblock)
{
	struct swapres_res *res = vm->res;
	u64 vblock = page >> res->ppb_shift;
	struct swapres_pool *p;
	u32 pb;

	if (vblock >= vm->nr_vblocks)
		return -EINVAL;
	if (vm->map[vblock] == SWAPRES_HOLE) {
		if (vm->allocated >= vm->max)
			goto nospc;
		for (p = vm->pool; p; p = p->parent)
			if (p->allocated >= p->max)
				goto nospc;
		if (swapres_block_get(res, &pb))
			goto nospc;
		vm->map[vblock] = pb + 1;
		vm->allocated++;
		for (p = vm->pool; p; p = p->parent)
			p->allocated++;
	}
	if (vm->written)
		vm->written[vblock] |= BIT_ULL(page & (res->pages_per_block - 1));
	*pblock = vm->map[vblock] - 1;
	return 0;
nospc:
	vm->enospc++;
	res->enospc++;
	return -ENOSPC;
}
EXPORT_SYMBOL_IF_KUNIT(swapres_vm_write);

/**
 * swapres_vm_read() - where to read a page from
 * @vm: attached VM
 * @page: virtual page number
 * @pblock: the physical block holding it, when the result is true
 *
 * Return: true if the page was written; false if it reads as zeros.
 */
bool swapres_vm_read(struct swapres_vm *vm, u64 page, u32 *pblock)
{
	struct swapres_res *res = vm->res;
	u64 vblock = page >> res->ppb_shift;

	if (vblock >= vm->nr_vblocks || vm->map[vblock] == SWAPRES_HOLE)
		return false;
	if (vm->written &&
	    !(vm->written[vblock] & BIT_ULL(page & (res->pages_per_block - 1))))
		return false;
	*pblock = vm->map[vblock] - 1;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(swapres_vm_read);

/**
 * swapres_vm_discard() - forget pages; return blocks left with no data
 * @vm: attached VM
 * @first: first virtual page
 * @nr_pages: pages to discard (clipped to the thin space)
 *
 * Return: blocks given back to the reservation.
 */
u32 swapres_vm_discard(struct swapres_vm *vm, u64 first, u64 nr_pages)
{
	struct swapres_res *res = vm->res;
	u32 ppb = res->pages_per_block, freed = 0;
	u64 end, limit = (u64)vm->nr_vblocks << res->ppb_shift;

	if (first >= limit)
		return 0;
	end = nr_pages > limit - first ? limit : first + nr_pages;
	while (first < end) {
		u64 vblock = first >> res->ppb_shift;
		u32 off = first & (ppb - 1);
		u32 n = min_t(u64, ppb - off, end - first);

		if (vm->map[vblock] != SWAPRES_HOLE) {
			if (vm->written) {
				u64 mask = (n == 64) ? ~0ULL :
					   ((BIT_ULL(n) - 1) << off);

				vm->written[vblock] &= ~mask;
			}
			if (!vm->written || !vm->written[vblock]) {
				vm_release_block(vm, vblock);
				freed++;
			}
		}
		first += n;
	}
	return freed;
}
EXPORT_SYMBOL_IF_KUNIT(swapres_vm_discard);
