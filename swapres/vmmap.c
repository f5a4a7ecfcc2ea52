// SPDX-License-Identifier: GPL-2.0
/*
 * Per-VM thin map (pure core): virtual block -> physical block, allocated
 * from the reservation on first write, returned on discard and detach, but
 * never while I/O to it is in flight.
 */
#include "swapres_core.h"

static u64 vm_nr_pages(const struct swapres_vm *vm, u32 pages_per_block)
{
	return (u64)vm->nr_vblocks * pages_per_block;
}

/* @valid is written under the lock, read by swapres_vm_io_end_nolock() too */
static bool page_valid(const struct swapres_vm *vm, u64 page)
{
	return READ_ONCE(vm->valid[page / 64]) & BIT_ULL(page % 64);
}

static void page_set_valid(struct swapres_vm *vm, u64 page)
{
	u64 *w = &vm->valid[page / 64];

	WRITE_ONCE(*w, *w | BIT_ULL(page % 64));
}

/* @page's bit in its virtual block's @written mask */
static u64 page_in_block(const struct swapres_res *res, u64 page)
{
	return BIT_ULL(page & (res->pages_per_block - 1));
}

/* bits [@bit, @bit + @n) of a u64, 1 <= @n <= 64 - @bit */
static u64 bit_range(u32 bit, u32 n)
{
	return n == 64 ? ~0ULL : (BIT_ULL(n) - 1) << bit;
}

static void pages_clear_valid(struct swapres_vm *vm, u64 first, u64 nr)
{
	while (nr) {
		u32 bit = first % 64, n = min_t(u64, 64 - bit, nr);
		u64 *w = &vm->valid[first / 64];

		WRITE_ONCE(*w, *w & ~bit_range(bit, n));
		first += n;
		nr -= n;
	}
}

/**
 * swapres_vm_alloc() - allocate the maps of a thin space
 * @vm: VM to initialise
 * @nr_vblocks: virtual blocks
 * @pages_per_block: the reservation's pages per block
 *
 * Call without the reservation lock held (it allocates); then attach with
 * swapres_vm_attach().
 *
 * Return: 0, -EINVAL, -E2BIG above SWAPRES_MAX_VBLOCKS(), or -ENOMEM.
 */
int swapres_vm_alloc(struct swapres_vm *vm, u32 nr_vblocks, u32 pages_per_block)
{
	memset(vm, 0, sizeof(*vm));
	if (!nr_vblocks || !pages_per_block || pages_per_block > SWAPRES_MAX_PPB)
		return -EINVAL;
	if (nr_vblocks > SWAPRES_MAX_VBLOCKS(pages_per_block))
		return -E2BIG;
	vm->nr_vblocks = nr_vblocks;
	vm->map = kvcalloc(nr_vblocks, sizeof(*vm->map), GFP_KERNEL);
	vm->valid = kvcalloc(DIV_ROUND_UP(vm_nr_pages(vm, pages_per_block), 64),
			     sizeof(*vm->valid), GFP_KERNEL);
	if (pages_per_block > 1)
		vm->written = kvcalloc(nr_vblocks, sizeof(*vm->written), GFP_KERNEL);
	if (!vm->map || !vm->valid || (pages_per_block > 1 && !vm->written)) {
		swapres_vm_free(vm);
		return -ENOMEM;
	}
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

/* Give a block back to the reservation and take it off the VM's account. */
static void vm_free_block(struct swapres_vm *vm, u32 pblock)
{
	struct swapres_pool *p;

	swapres_block_put(vm->res, pblock);
	vm->allocated--;
	for (p = vm->pool; p; p = p->parent)
		p->allocated--;
}

/*
 * Unmap a virtual block. Its physical block is freed now, or, if I/O to it
 * is in flight, when that I/O ends (swapres_vm_io_end()): until then no
 * other VM can be given it, and it stays on this VM's account.
 *
 * Return: true if the block was freed now.
 */
static bool vm_release_block(struct swapres_vm *vm, u32 vblock)
{
	struct swapres_res *res = vm->res;
	u32 pb = vm->map[vblock] - 1;
	atomic_t *st = &res->pstate[pb];
	int old;

	vm->map[vblock] = SWAPRES_HOLE;
	if (vm->written)
		vm->written[vblock] = 0;
	pages_clear_valid(vm, (u64)vblock << res->ppb_shift, res->pages_per_block);
	/* no new I/O can begin on it (the lock); lockless ends may race */
	old = atomic_read(st);
	do {
		if (!(old & SWAPRES_PB_IO_MASK)) {
			vm_free_block(vm, pb);
			return true;
		}
	} while (!atomic_try_cmpxchg(st, &old, old | SWAPRES_PB_DEFERRED));
	res->nr_deferred++;
	return false;
}

/**
 * swapres_vm_detach() - return every block of a VM and withdraw its admission
 * @vm: attached VM with no I/O in flight
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
	kvfree(vm->valid);
	vm->map = NULL;
	vm->written = NULL;
	vm->valid = NULL;
}
EXPORT_SYMBOL_IF_KUNIT(swapres_vm_free);

/**
 * swapres_vm_write_begin() - map a page for a write, allocating its block
 * @vm: attached VM
 * @page: virtual page number
 * @pblock: the physical block now holding the page's block
 *
 * A new block is taken only if the VM, its pool(s) and the reservation all
 * have room: a write never waits, it fails. On success the write is in
 * flight until swapres_vm_io_end(); the page reads as zeros until then if
 * it had no completed write before.
 *
 * Return: 0, -EINVAL (page out of range) or -ENOSPC.
 */
int swapres_vm_write_begin(struct swapres_vm *vm, u64 page, u32 *pblock)
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
		vm->written[vblock] |= page_in_block(res, page);
	*pblock = vm->map[vblock] - 1;
	atomic_inc(&res->pstate[*pblock]);
	return 0;
nospc:
	vm->enospc++;
	res->enospc++;
	return -ENOSPC;
}
EXPORT_SYMBOL_IF_KUNIT(swapres_vm_write_begin);

/**
 * swapres_vm_read_begin() - where to read a page from
 * @vm: attached VM
 * @page: virtual page number
 * @pblock: the physical block holding it, when the result is true
 *
 * When the result is true the read is in flight until swapres_vm_io_end().
 *
 * Return: true if a write to the page has completed; false if it reads as
 * zeros.
 */
bool swapres_vm_read_begin(struct swapres_vm *vm, u64 page, u32 *pblock)
{
	u64 vblock = page >> vm->res->ppb_shift;

	if (vblock >= vm->nr_vblocks || vm->map[vblock] == SWAPRES_HOLE ||
	    !page_valid(vm, page))
		return false;
	*pblock = vm->map[vblock] - 1;
	atomic_inc(&vm->res->pstate[*pblock]);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(swapres_vm_read_begin);

/**
 * swapres_vm_io_end() - an I/O begun on a page has completed
 * @vm: the VM it was begun on
 * @page: its virtual page
 * @pblock: the physical block swapres_vm_*_begin() gave
 * @wrote: it was a write, and it succeeded: the page becomes readable if
 *	it is still mapped to @pblock and in use
 *
 * Frees @pblock if a discard unmapped it meanwhile and this was its last
 * I/O in flight.
 *
 * Return: 1 if @pblock went back to the reservation, else 0.
 */
u32 swapres_vm_io_end(struct swapres_vm *vm, u64 page, u32 pblock, bool wrote)
{
	struct swapres_res *res = vm->res;
	u64 vblock = page >> res->ppb_shift;
	atomic_t *st;

	if (WARN_ON(pblock >= res->nr_blocks))
		return 0;
	st = &res->pstate[pblock];
	if (WARN_ON(!(atomic_read(st) & SWAPRES_PB_IO_MASK)))
		return 0;
	if ((u32)atomic_dec_return(st) == SWAPRES_PB_DEFERRED) {
		atomic_set(st, 0);
		res->nr_deferred--;
		vm_free_block(vm, pblock);
		return 1;
	}
	if (wrote && vblock < vm->nr_vblocks && vm->map[vblock] == pblock + 1 &&
	    (!vm->written ||
	     (vm->written[vblock] & page_in_block(res, page))))
		page_set_valid(vm, page);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(swapres_vm_io_end);

/**
 * swapres_vm_io_end_nolock() - end an I/O without the reservation lock
 * @vm: the VM it was begun on
 * @page: its virtual page
 * @pblock: the physical block swapres_vm_*_begin() gave
 * @wrote: as for swapres_vm_io_end()
 *
 * The common case of a completion, a read or a rewrite of a readable page,
 * only drops the block's count of I/Os in flight; that needs no lock.
 *
 * Return: true if the I/O is ended; false, having changed nothing, if the
 * caller must call swapres_vm_io_end() under the lock instead: a write that
 * may make its page readable, or the last I/O of a deferred block.
 */
bool swapres_vm_io_end_nolock(const struct swapres_vm *vm, u64 page, u32 pblock,
			      bool wrote)
{
	struct swapres_res *res = vm->res;
	atomic_t *st;
	int old;

	if (pblock >= res->nr_blocks || (wrote && !page_valid(vm, page)))
		return false;
	st = &res->pstate[pblock];
	old = atomic_read(st);
	do {
		u32 n = old & SWAPRES_PB_IO_MASK;

		if (!n || (n == 1 && (old & SWAPRES_PB_DEFERRED)))
			return false;
	} while (!atomic_try_cmpxchg(st, &old, old - 1));
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(swapres_vm_io_end_nolock);

/**
 * swapres_vm_write() - write a page at once: begin and complete the write
 * @vm: attached VM
 * @page: virtual page number
 * @pblock: the physical block holding the page's block
 *
 * Return: as swapres_vm_write_begin().
 */
int swapres_vm_write(struct swapres_vm *vm, u64 page, u32 *pblock)
{
	int ret = swapres_vm_write_begin(vm, page, pblock);

	if (!ret)
		swapres_vm_io_end(vm, page, *pblock, true);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(swapres_vm_write);

/**
 * swapres_vm_read() - read a page at once: begin and complete the read
 * @vm: attached VM
 * @page: virtual page number
 * @pblock: the physical block holding it, when the result is true
 *
 * Return: as swapres_vm_read_begin().
 */
bool swapres_vm_read(struct swapres_vm *vm, u64 page, u32 *pblock)
{
	if (!swapres_vm_read_begin(vm, page, pblock))
		return false;
	swapres_vm_io_end(vm, page, *pblock, false);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(swapres_vm_read);

/**
 * swapres_vm_discard() - forget pages; return blocks left with no data
 * @vm: attached VM
 * @first: first virtual page
 * @nr_pages: pages to discard (clipped to the thin space)
 *
 * A block with I/O in flight is unmapped now and freed when the I/O ends.
 *
 * Return: blocks given back to the reservation now.
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
				vm->written[vblock] &= ~bit_range(off, n);
				pages_clear_valid(vm, first, n);
			}
			if ((!vm->written || !vm->written[vblock]) &&
			    vm_release_block(vm, vblock))
				freed++;
		}
		first += n;
	}
	return freed;
}
EXPORT_SYMBOL_IF_KUNIT(swapres_vm_discard);
