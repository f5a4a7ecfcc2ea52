// SPDX-License-Identifier: GPL-2.0
/*
 * dm-swapres: the "swapres" target, one VM's thin swap space. Blocks map
 * on first write to a block taken from the reservation (in memory, O(1));
 * discards and removal give them back (a block with I/O in flight when its
 * last I/O ends). Pages with no completed write read as zeros.
 *
 * Table: <resv_dev> <vm_name> <max_blocks> [<#opt_args> [pool <name>]]
 */
#include <linux/blkdev.h>
#include <linux/bio.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "dm-swapres.h"

#define CREATE_TRACE_POINTS
#include "swapres_trace.h"

/* pages returned per lock hold when a VM goes away */
#define SWAPRES_RELEASE_CHUNK	(64 * 1024)

struct thin_target {
	struct swapres_thin_vm *vm;
	struct dm_dev *resv_dev;
	struct dm_dev *backing;
};

/* per bio: the page and block a read or write was mapped to */
struct thin_io {
	u64 page;
	u32 pblock;
	bool mapped;
};

static struct swapres_resv *resv_lookup(dev_t devt)
{
	struct swapres_resv *resv;

	lockdep_assert_held(&swapres_mutex);
	list_for_each_entry(resv, &swapres_resvs, node)
		if (resv->devt == devt)
			return resv;
	return NULL;
}

static struct swapres_thin_vm *vm_lookup(struct swapres_resv *resv, const char *name)
{
	struct swapres_thin_vm *vm;

	lockdep_assert_held(&swapres_mutex);
	list_for_each_entry(vm, &resv->vms, node)
		if (!strcmp(vm->name, name))
			return vm;
	return NULL;
}

static int thin_parse_opts(struct dm_target *ti, struct dm_arg_set *as,
			   const char **pool)
{
	static const struct dm_arg _args[] = {
		{0, 2, "Invalid number of optional arguments"},
	};
	unsigned int argc;
	int ret;

	*pool = "";
	if (!as->argc)
		return 0;
	ret = dm_read_arg_group(_args, as, &argc, &ti->error);
	if (ret)
		return ret;
	if (!argc)
		return 0;
	if (argc != 2 || strcasecmp(dm_shift_arg(as), "pool")) {
		ti->error = "Optional arguments: 2 pool <name>";
		return -EINVAL;
	}
	*pool = dm_shift_arg(as);
	if (!swapres_name_valid(*pool)) {
		ti->error = "Invalid pool name";
		return -EINVAL;
	}
	return 0;
}

/* Reuse the VM of a table being reloaded on the same dm device. */
static int thin_share_vm(struct dm_target *ti, struct swapres_thin_vm *vm,
			 u32 nr_vblocks, u32 max, const char *pool)
{
	if (vm->md != dm_table_get_md(ti->table)) {
		ti->error = "VM name already in use on this reservation";
		return -EEXIST;
	}
	if (vm->core.nr_vblocks != nr_vblocks || vm->core.max != max ||
	    strcmp(vm->pool_name, pool)) {
		ti->error = "A reloaded table must keep the size, max_blocks and pool";
		return -EINVAL;
	}
	vm->users++;
	return 0;
}

static int thin_new_vm(struct dm_target *ti, struct swapres_resv *resv,
		       const char *name, u32 nr_vblocks, u32 max,
		       const char *pool_name, struct swapres_thin_vm **out)
{
	struct swapres_thin_vm *vm;
	struct swapres_pool *pool;
	u64 committed = 0, pmax = 0;
	int ret;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	if (!vm) {
		ti->error = "Cannot allocate VM";
		return -ENOMEM;
	}
	ret = swapres_vm_alloc(&vm->core, nr_vblocks, resv->core.pages_per_block);
	if (ret) {
		ti->error = "Cannot allocate the VM's block map";
		kfree(vm);
		return ret;
	}
	spin_lock_irq(&resv->lock);
	pool = swapres_pool_find(&resv->core, pool_name);
	ret = -ENOENT;
	if (pool) {
		ret = swapres_vm_attach(&vm->core, &resv->core, pool, max);
		committed = pool->committed;
		pmax = pool->max;
	}
	spin_unlock_irq(&resv->lock);
	if (ret) {
		if (ret == -ENOENT) {
			ti->error = "No such pool in the reservation";
		} else {
			DMERR("%s: admission refused for VM %s: %llu + %u > %llu in pool '%s'",
			      resv->name, name, committed, max, pmax, pool_name);
			ti->error = "Admission refused: sum of maxima would exceed the reservation";
		}
		swapres_vm_free(&vm->core);
		kfree(vm);
		return ret == -ENOSPC ? -ENOSPC : -EINVAL;
	}
	vm->users = 1;
	vm->md = dm_table_get_md(ti->table);
	vm->resv = resv;
	kref_get(&resv->kref);
	strscpy(vm->name, name, sizeof(vm->name));
	strscpy(vm->pool_name, pool_name, sizeof(vm->pool_name));
	list_add_tail(&vm->node, &resv->vms);
	swapres_sysfs_add_vm(vm);
	*out = vm;
	return 0;
}

static void thin_put_vm(struct swapres_thin_vm *vm)
{
	struct swapres_resv *resv = vm->resv;
	u64 pages = (u64)vm->core.nr_vblocks << resv->core.ppb_shift;
	u64 page, freed = 0;

	lockdep_assert_held(&swapres_mutex);
	if (--vm->users)
		return;
	swapres_sysfs_del_vm(vm);
	list_del(&vm->node);
	swapres_resv_unlink(resv);
	/* give the blocks back in chunks: keep lock hold times short */
	for (page = 0; page < pages; page += SWAPRES_RELEASE_CHUNK) {
		spin_lock_irq(&resv->lock);
		freed += swapres_vm_discard(&vm->core, page, SWAPRES_RELEASE_CHUNK);
		spin_unlock_irq(&resv->lock);
		cond_resched();
	}
	spin_lock_irq(&resv->lock);
	swapres_vm_detach(&vm->core);
	spin_unlock_irq(&resv->lock);
	trace_swapres_vm_remove(resv->name, vm->name, freed);
	swapres_vm_free(&vm->core);
	kfree(vm);
	swapres_resv_put(resv);
}

static int thin_ctr(struct dm_target *ti, unsigned int argc, char **argv)
{
	struct dm_arg_set as = { .argc = argc, .argv = argv };
	struct swapres_thin_vm *vm;
	struct swapres_resv *resv;
	struct thin_target *tt;
	const char *pool_name;
	char backing[24];
	u64 nr_vblocks;
	u32 max;
	int ret;

	if (argc < 3) {
		ti->error = "Expected <resv_dev> <vm_name> <max_blocks> [<#opt> pool <name>]";
		return -EINVAL;
	}
	if (!swapres_name_valid(argv[1])) {
		ti->error = "Invalid VM name ([A-Za-z0-9_.-], 1..31 characters)";
		return -EINVAL;
	}
	if (kstrtou32(argv[2], 10, &max) || !max || max == U32_MAX) {
		ti->error = "Invalid max_blocks";
		return -EINVAL;
	}
	if (ti->begin || !ti->len || ti->len % SWAPRES_PAGE_SECTORS) {
		ti->error = "Target must start at 0 and its length be a multiple of 8 sectors";
		return -EINVAL;
	}
	dm_consume_args(&as, 3);
	ret = thin_parse_opts(ti, &as, &pool_name);
	if (ret)
		return ret;

	tt = kzalloc(sizeof(*tt), GFP_KERNEL);
	if (!tt) {
		ti->error = "Cannot allocate thin context";
		return -ENOMEM;
	}
	ret = dm_get_device(ti, argv[0], dm_table_get_mode(ti->table), &tt->resv_dev);
	if (ret) {
		ti->error = "Reservation device lookup failed";
		goto bad;
	}

	mutex_lock(&swapres_mutex);
	resv = resv_lookup(tt->resv_dev->bdev->bd_dev);
	if (!resv) {
		ti->error = "Not a swapres-resv device";
		ret = -EINVAL;
		goto bad_unlock;
	}
	nr_vblocks = DIV_ROUND_UP_SECTOR_T(ti->len, resv->block_sectors);
	if (nr_vblocks > SWAPRES_MAX_VBLOCKS(resv->core.pages_per_block)) {
		DMERR("thin device too large: %llu blocks, at most %u of %u sectors",
		      nr_vblocks, SWAPRES_MAX_VBLOCKS(resv->core.pages_per_block),
		      resv->block_sectors);
		ti->error = "Thin device too large (see swapres/README.rst, Limits)";
		ret = -E2BIG;
		goto bad_unlock;
	}
	snprintf(backing, sizeof(backing), "%u:%u", MAJOR(resv->backing_devt),
		 MINOR(resv->backing_devt));
	ret = dm_get_device(ti, backing, dm_table_get_mode(ti->table), &tt->backing);
	if (ret) {
		ti->error = "Cannot open the reservation's backing device";
		goto bad_unlock;
	}
	vm = vm_lookup(resv, argv[1]);
	if (vm) {
		ret = thin_share_vm(ti, vm, nr_vblocks, max, pool_name);
	} else if (!resv->live) {
		ti->error = "The reservation device's table is not swapres-resv any more";
		ret = -EINVAL;
	} else {
		ret = thin_new_vm(ti, resv, argv[1], nr_vblocks, max, pool_name, &vm);
	}
	if (ret)
		goto bad_backing;
	mutex_unlock(&swapres_mutex);

	tt->vm = vm;
	ret = dm_set_target_max_io_len(ti, SWAPRES_PAGE_SECTORS);
	if (ret) {
		ti->error = "Cannot set the maximum I/O size";
		goto bad_vm;
	}
	ti->num_flush_bios = 1;
	ti->num_discard_bios = 1;
	ti->discards_supported = true;
	ti->per_io_data_size = sizeof(struct thin_io);
	ti->private = tt;
	return 0;

bad_vm:
	mutex_lock(&swapres_mutex);
	thin_put_vm(vm);
bad_backing:
	dm_put_device(ti, tt->backing);
bad_unlock:
	mutex_unlock(&swapres_mutex);
	dm_put_device(ti, tt->resv_dev);
bad:
	kfree(tt);
	return ret;
}

static void thin_dtr(struct dm_target *ti)
{
	struct thin_target *tt = ti->private;

	mutex_lock(&swapres_mutex);
	thin_put_vm(tt->vm);
	mutex_unlock(&swapres_mutex);
	dm_put_device(ti, tt->backing);
	dm_put_device(ti, tt->resv_dev);
	kfree(tt);
}

static int thin_discard(struct thin_target *tt, struct dm_target *ti, struct bio *bio)
{
	struct swapres_resv *resv = tt->vm->resv;
	sector_t off = dm_target_offset(ti, bio->bi_iter.bi_sector);
	u64 first = DIV_ROUND_UP_SECTOR_T(off, SWAPRES_PAGE_SECTORS);
	u64 end = (off + bio_sectors(bio)) / SWAPRES_PAGE_SECTORS;
	unsigned long flags;
	u32 freed, deferred;

	if (end > first) {
		spin_lock_irqsave(&resv->lock, flags);
		freed = swapres_vm_discard(&tt->vm->core, first, end - first);
		deferred = resv->core.nr_deferred;
		spin_unlock_irqrestore(&resv->lock, flags);
		trace_swapres_discard(resv->name, tt->vm->name, first, end - first, freed,
				      deferred);
	}
	bio_endio(bio);
	return DM_MAPIO_SUBMITTED;
}

/* Under the reservation lock: a write took a block (@held before), or was refused */
static void thin_trace_write(struct thin_target *tt, u64 page, u32 pblock, u32 held, int ret)
{
	struct swapres_resv *resv = tt->vm->resv;
	struct swapres_vm *c = &tt->vm->core;
	u32 free = swapres_res_free_blocks(&resv->core);

	if (!ret && c->allocated != held)
		trace_swapres_alloc(resv->name, tt->vm->name, page, pblock, c->allocated, free);
	else if (ret == -ENOSPC)
		trace_swapres_enospc(resv->name, tt->vm->name, page, c->allocated, c->max, free);
}

static int thin_map(struct dm_target *ti, struct bio *bio)
{
	struct thin_io *io = dm_per_bio_data(bio, sizeof(struct thin_io));
	struct thin_target *tt = ti->private;
	struct swapres_resv *resv = tt->vm->resv;
	sector_t off = dm_target_offset(ti, bio->bi_iter.bi_sector);
	u64 page = off / SWAPRES_PAGE_SECTORS;
	unsigned long flags;
	u32 pblock, held;
	int ret;

	io->mapped = false;
	if (bio_op(bio) == REQ_OP_DISCARD)
		return thin_discard(tt, ti, bio);
	if (unlikely(!bio_sectors(bio))) {
		/* empty flush */
		bio_set_dev(bio, tt->backing->bdev);
		return DM_MAPIO_REMAPPED;
	}
	/* max_io_len and the 4 KiB logical block size keep bios in one page */
	if (WARN_ON_ONCE(off % SWAPRES_PAGE_SECTORS + bio_sectors(bio) >
			 SWAPRES_PAGE_SECTORS))
		return DM_MAPIO_KILL;

	switch (bio_op(bio)) {
	case REQ_OP_READ:
		spin_lock_irqsave(&resv->lock, flags);
		ret = swapres_vm_read_begin(&tt->vm->core, page, &pblock);
		spin_unlock_irqrestore(&resv->lock, flags);
		if (!ret) {
			zero_fill_bio(bio);
			bio_endio(bio);
			return DM_MAPIO_SUBMITTED;
		}
		break;
	case REQ_OP_WRITE:
		spin_lock_irqsave(&resv->lock, flags);
		held = tt->vm->core.allocated;
		ret = swapres_vm_write_begin(&tt->vm->core, page, &pblock);
		if (trace_swapres_alloc_enabled() || trace_swapres_enospc_enabled())
			thin_trace_write(tt, page, ret ? 0 : pblock, held, ret);
		spin_unlock_irqrestore(&resv->lock, flags);
		if (ret) {
			/* fail fast: never queue waiting for space */
			bio->bi_status = ret == -ENOSPC ? BLK_STS_NOSPC : BLK_STS_IOERR;
			bio_endio(bio);
			return DM_MAPIO_SUBMITTED;
		}
		break;
	default:
		return DM_MAPIO_KILL;
	}
	io->page = page;
	io->pblock = pblock;
	io->mapped = true;
	bio_set_dev(bio, tt->backing->bdev);
	bio->bi_iter.bi_sector = resv->start +
		((sector_t)pblock << resv->block_shift) +
		(off & (resv->block_sectors - 1));
	return DM_MAPIO_REMAPPED;
}

/*
 * A mapped read or write has completed: a first write makes its page
 * readable, and a block a discard unmapped meanwhile is freed with its last
 * I/O; anything else only drops a count, without the lock. Runs in
 * completion (possibly hard interrupt) context.
 */
static int thin_end_io(struct dm_target *ti, struct bio *bio, blk_status_t *error)
{
	struct thin_io *io = dm_per_bio_data(bio, sizeof(struct thin_io));
	struct thin_target *tt = ti->private;
	struct swapres_resv *resv = tt->vm->resv;
	bool wrote = bio_op(bio) == REQ_OP_WRITE && !*error;
	unsigned long flags;
	u32 freed;

	if (!io->mapped)
		return DM_ENDIO_DONE;
	io->mapped = false;
	if (swapres_vm_io_end_nolock(&tt->vm->core, io->page, io->pblock, wrote))
		return DM_ENDIO_DONE;
	spin_lock_irqsave(&resv->lock, flags);
	freed = swapres_vm_io_end(&tt->vm->core, io->page, io->pblock, wrote);
	spin_unlock_irqrestore(&resv->lock, flags);
	if (freed)
		trace_swapres_deferred_free(resv->name, tt->vm->name, io->pblock);
	return DM_ENDIO_DONE;
}

static void thin_status(struct dm_target *ti, status_type_t type,
			unsigned int status_flags, char *result, unsigned int maxlen)
{
	struct thin_target *tt = ti->private;
	struct swapres_thin_vm *vm = tt->vm;
	u32 alloc;
	u64 enospc;
	size_t sz = 0;

	switch (type) {
	case STATUSTYPE_INFO:
		spin_lock_irq(&vm->resv->lock);
		alloc = vm->core.allocated;
		enospc = vm->core.enospc;
		spin_unlock_irq(&vm->resv->lock);
		DMEMIT("%u %u %u %s %llu", alloc, vm->core.max, vm->core.nr_vblocks,
		       vm->pool_name[0] ? vm->pool_name : "-", enospc);
		break;
	case STATUSTYPE_TABLE:
		DMEMIT("%s %s %u", tt->resv_dev->name, vm->name, vm->core.max);
		if (vm->pool_name[0])
			DMEMIT(" 2 pool %s", vm->pool_name);
		break;
	case STATUSTYPE_IMA:
		DMEMIT_TARGET_NAME_VERSION(ti->type);
		DMEMIT(",reservation=%s,vm=%s,max_blocks=%u;", tt->resv_dev->name,
		       vm->name, vm->core.max);
		break;
	}
}

static int thin_iterate_devices(struct dm_target *ti,
				iterate_devices_callout_fn fn, void *data)
{
	struct thin_target *tt = ti->private;
	struct swapres_resv *resv = tt->vm->resv;

	return fn(ti, tt->backing, resv->start,
		  (sector_t)resv->core.nr_blocks << resv->block_shift, data);
}

static void thin_io_hints(struct dm_target *ti, struct queue_limits *limits)
{
	limits->logical_block_size = max_t(unsigned int, limits->logical_block_size,
					   SWAPRES_PAGE_SECTORS << SECTOR_SHIFT);
	limits->physical_block_size = max(limits->physical_block_size,
					  limits->logical_block_size);
	limits->io_min = max(limits->io_min, limits->logical_block_size);
	limits->discard_granularity = SWAPRES_PAGE_SECTORS << SECTOR_SHIFT;
	/* bounds the pages one discard walks under the lock */
	limits->max_hw_discard_sectors = SWAPRES_RELEASE_CHUNK * SWAPRES_PAGE_SECTORS;
}

static struct target_type thin_target = {
	.name = "swapres",
	.version = {1, 1, 0},
	/* map() never sleeps: REQ_NOWAIT bios (io_uring) need no punting */
	.features = DM_TARGET_NOWAIT,
	.module = THIS_MODULE,
	.ctr = thin_ctr,
	.dtr = thin_dtr,
	.map = thin_map,
	.end_io = thin_end_io,
	.status = thin_status,
	.iterate_devices = thin_iterate_devices,
	.io_hints = thin_io_hints,
};

/**
 * swapres_thin_register() - register the "swapres" target type
 *
 * Return: 0 or a negative errno from dm_register_target().
 */
int swapres_thin_register(void)
{
	return dm_register_target(&thin_target);
}

/**
 * swapres_thin_unregister() - unregister the "swapres" target type
 */
void swapres_thin_unregister(void)
{
	dm_unregister_target(&thin_target);
}
