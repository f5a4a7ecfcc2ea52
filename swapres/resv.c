// SPDX-License-Identifier: GPL-2.0
/*
 * dm-swapres: the "swapres-resv" target, a thick swap reservation over a
 * range of a backing block device, and the module's entry points.
 *
 * Table: <backing_dev> <offset> <block_sectors> [<#opt_args> [overcommit]]
 * See swapres/README.rst for the status and message syntax.
 */
#include <linux/blkdev.h>
#include <linux/bio.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "dm-swapres.h"

/* protects swapres_resvs, every reservation's VM list and sysfs directories */
DEFINE_MUTEX(swapres_mutex);
LIST_HEAD(swapres_resvs);

struct resv_target {
	struct swapres_resv *resv;
	struct dm_dev *backing;
};

static void resv_release(struct kref *kref)
{
	struct swapres_resv *resv = container_of(kref, struct swapres_resv, kref);

	swapres_res_destroy(&resv->core);
	kfree(resv);
}

/**
 * swapres_resv_put() - drop a reference to a reservation
 * @resv: reservation
 */
void swapres_resv_put(struct swapres_resv *resv)
{
	kref_put(&resv->kref, resv_release);
}

/**
 * swapres_resv_unlink() - forget a reservation no table and no VM uses
 * @resv: reservation; called under swapres_mutex
 *
 * Removes it from swapres_resvs and sysfs once it is not @live and its last
 * thin VM is gone: only then may a new table reuse its device or its range.
 */
void swapres_resv_unlink(struct swapres_resv *resv)
{
	lockdep_assert_held(&swapres_mutex);
	if (resv->live || !list_empty(&resv->vms) || list_empty(&resv->node))
		return;
	swapres_sysfs_del_resv(resv);
	list_del_init(&resv->node);
}

/*
 * Why a new reservation @resv cannot be added, or NULL. Under swapres_mutex.
 * A device's reservation survives a table reload while thin VMs hold blocks
 * in it (see @live): a new table would hand the same blocks out again.
 */
static char *resv_conflict(const struct swapres_resv *resv)
{
	sector_t end = resv->start + ((sector_t)resv->core.nr_blocks << resv->block_shift);
	struct swapres_resv *other;

	lockdep_assert_held(&swapres_mutex);
	list_for_each_entry(other, &swapres_resvs, node) {
		sector_t oend = other->start +
			((sector_t)other->core.nr_blocks << other->block_shift);

		if (other->devt == resv->devt && other->live)
			return "Reservation table reload is not supported";
		if (other->devt == resv->devt)
			return "Thin devices still use the device's previous reservation";
		if (other->backing_devt == resv->backing_devt &&
		    resv->start < oend && other->start < end) {
			DMERR("%s: overlaps reservation %s on the same backing device",
			      resv->name, other->name);
			return "Overlaps another reservation on the same backing device";
		}
	}
	return NULL;
}

static int resv_parse_opts(struct dm_target *ti, struct dm_arg_set *as,
			   bool *overcommit)
{
	static const struct dm_arg _args[] = {
		{0, 1, "Invalid number of optional arguments"},
	};
	unsigned int argc;
	const char *arg;
	int ret;

	*overcommit = false;
	if (!as->argc)
		return 0;
	ret = dm_read_arg_group(_args, as, &argc, &ti->error);
	if (ret)
		return ret;
	while (argc--) {
		arg = dm_shift_arg(as);
		if (!strcasecmp(arg, "overcommit")) {
			*overcommit = true;
		} else {
			ti->error = "Unknown optional argument";
			return -EINVAL;
		}
	}
	return 0;
}

static int resv_ctr(struct dm_target *ti, unsigned int argc, char **argv)
{
	struct mapped_device *md = dm_table_get_md(ti->table);
	struct dm_arg_set as = { .argc = argc, .argv = argv };
	unsigned long long offset, nr_blocks;
	struct swapres_resv *resv;
	struct resv_target *rt;
	char *why;
	unsigned int bsec;
	bool overcommit;
	char dummy;
	int ret;

	if (argc < 3) {
		ti->error = "Expected <backing_dev> <offset> <block_sectors> [<#opt> overcommit]";
		return -EINVAL;
	}
	if (sscanf(argv[1], "%llu%c", &offset, &dummy) != 1 ||
	    offset != (sector_t)offset || offset % SWAPRES_PAGE_SECTORS) {
		ti->error = "Invalid offset (sectors, multiple of 8)";
		return -EINVAL;
	}
	if (kstrtouint(argv[2], 10, &bsec) || bsec < SWAPRES_PAGE_SECTORS ||
	    bsec > SWAPRES_PAGE_SECTORS * SWAPRES_MAX_PPB || !is_power_of_2(bsec)) {
		ti->error = "Invalid block size (power of two, 8..512 sectors)";
		return -EINVAL;
	}
	if (ti->begin || ti->len % bsec) {
		ti->error = "Target must start at 0 and its length be a multiple of the block size";
		return -EINVAL;
	}
	nr_blocks = ti->len >> ilog2(bsec);
	if (!nr_blocks) {
		ti->error = "Reservation must hold at least one block";
		return -EINVAL;
	}
	if (nr_blocks > SWAPRES_MAX_BLOCKS) {
		DMERR("reservation too large: %llu blocks, at most %u", nr_blocks,
		      SWAPRES_MAX_BLOCKS);
		ti->error = "Reservation too large (see swapres/README.rst, Limits)";
		return -E2BIG;
	}
	dm_consume_args(&as, 3);
	ret = resv_parse_opts(ti, &as, &overcommit);
	if (ret)
		return ret;

	rt = kzalloc(sizeof(*rt), GFP_KERNEL);
	resv = kzalloc(sizeof(*resv), GFP_KERNEL);
	if (!rt || !resv) {
		ti->error = "Cannot allocate reservation";
		ret = -ENOMEM;
		goto bad;
	}
	ret = dm_get_device(ti, argv[0], dm_table_get_mode(ti->table), &rt->backing);
	if (ret) {
		ti->error = "Backing device lookup failed";
		goto bad;
	}
	ret = swapres_res_init(&resv->core, nr_blocks, bsec / SWAPRES_PAGE_SECTORS,
			       overcommit);
	if (ret) {
		ti->error = "Cannot allocate the reservation's free list";
		goto bad_dev;
	}
	kref_init(&resv->kref);
	spin_lock_init(&resv->lock);
	INIT_LIST_HEAD(&resv->vms);
	resv->devt = disk_devt(dm_disk(md));
	if (dm_copy_name_and_uuid(md, resv->name, NULL))
		strscpy(resv->name, dm_device_name(md), sizeof(resv->name));
	resv->backing_devt = rt->backing->bdev->bd_dev;
	resv->start = offset;
	resv->block_sectors = bsec;
	resv->block_shift = ilog2(bsec);
	resv->table_overcommit = overcommit;

	mutex_lock(&swapres_mutex);
	why = resv_conflict(resv);
	if (why) {
		mutex_unlock(&swapres_mutex);
		ti->error = why;
		ret = -EBUSY;
		goto bad_core;
	}
	resv->live = true;
	list_add(&resv->node, &swapres_resvs);
	swapres_sysfs_add_resv(resv);
	mutex_unlock(&swapres_mutex);

	rt->resv = resv;
	ti->private = rt;
	return 0;

bad_core:
	swapres_res_destroy(&resv->core);
bad_dev:
	dm_put_device(ti, rt->backing);
bad:
	kfree(resv);
	kfree(rt);
	return ret;
}

static void resv_dtr(struct dm_target *ti)
{
	struct resv_target *rt = ti->private;

	mutex_lock(&swapres_mutex);
	rt->resv->live = false;
	if (!list_empty(&rt->resv->vms))
		DMWARN("%s: table replaced while thin devices hold blocks: kept until they go",
		       rt->resv->name);
	swapres_resv_unlink(rt->resv);
	mutex_unlock(&swapres_mutex);
	swapres_resv_put(rt->resv);
	dm_put_device(ti, rt->backing);
	kfree(rt);
}

/* The reservation device itself holds no data: reads see zeros. */
static int resv_map(struct dm_target *ti, struct bio *bio)
{
	if (bio_op(bio) == REQ_OP_READ)
		zero_fill_bio(bio);
	else if (bio_sectors(bio))
		return DM_MAPIO_KILL;
	bio_endio(bio);
	return DM_MAPIO_SUBMITTED;
}

static void resv_status(struct dm_target *ti, status_type_t type,
			unsigned int status_flags, char *result, unsigned int maxlen)
{
	struct resv_target *rt = ti->private;
	struct swapres_resv *resv = rt->resv;
	struct swapres_res *c = &resv->core;
	u64 alloc, committed, enospc;
	unsigned int nr_pools = 0, nr_vms, i;
	u32 nfree;
	bool oc;
	size_t sz = 0;

	switch (type) {
	case STATUSTYPE_INFO:
		spin_lock_irq(&resv->lock);
		alloc = c->root.allocated;
		nfree = swapres_res_free_blocks(c);
		committed = c->root.committed;
		oc = c->root.overcommit;
		nr_vms = c->root.nr_users;
		for (i = 0; i < SWAPRES_MAX_POOLS; i++) {
			if (c->pools[i]) {
				nr_pools++;
				nr_vms += c->pools[i]->nr_users;
			}
		}
		nr_vms -= nr_pools;
		enospc = c->enospc;
		spin_unlock_irq(&resv->lock);
		DMEMIT("%u %u %llu %u %llu %d %u %u %llu", resv->block_sectors,
		       c->nr_blocks, alloc, nfree, committed, oc, nr_vms, nr_pools,
		       enospc);
		break;
	case STATUSTYPE_TABLE:
		DMEMIT("%s %llu %u", rt->backing->name,
		       (unsigned long long)resv->start, resv->block_sectors);
		if (resv->table_overcommit)
			DMEMIT(" 1 overcommit");
		break;
	case STATUSTYPE_IMA:
		DMEMIT_TARGET_NAME_VERSION(ti->type);
		DMEMIT(",backing=%s,offset=%llu,block_sectors=%u;", rt->backing->name,
		       (unsigned long long)resv->start, resv->block_sectors);
		break;
	}
}

static int resv_msg_pool(struct swapres_resv *resv, unsigned int argc, char **argv)
{
	struct swapres_pool *pool;
	unsigned long long max;
	bool oc = false;
	int ret;

	if (argc < 3 || argc > 4 || kstrtoull(argv[2], 10, &max) || !max ||
	    (argc == 4 && strcasecmp(argv[3], "overcommit"))) {
		DMERR("%s: usage: create_pool <name> <max_blocks> [overcommit]", resv->name);
		return -EINVAL;
	}
	oc = argc == 4;
	pool = swapres_pool_alloc(argv[1], max, oc);
	if (!pool) {
		DMERR("%s: create_pool: invalid name '%s' or out of memory", resv->name, argv[1]);
		return swapres_name_valid(argv[1]) ? -ENOMEM : -EINVAL;
	}
	spin_lock_irq(&resv->lock);
	ret = swapres_pool_add(&resv->core, pool);
	spin_unlock_irq(&resv->lock);
	if (ret) {
		kfree(pool);
		if (ret == -ENOSPC)
			DMERR("%s: create_pool %s: admission refused: %llu + %llu > %llu blocks",
			      resv->name, argv[1], resv->core.root.committed, max,
			      resv->core.root.max);
		else
			DMERR("%s: create_pool %s: %s", resv->name, argv[1],
			      ret == -EEXIST ? "name in use" : "too many pools");
	}
	return ret;
}

static int resv_msg_oc(struct swapres_resv *resv, const char *pname, const char *val)
{
	struct swapres_pool *pool;
	bool oc;
	int ret = -ENOENT;

	if (kstrtobool(val, &oc)) {
		DMERR("%s: overcommit value must be 0 or 1", resv->name);
		return -EINVAL;
	}
	spin_lock_irq(&resv->lock);
	pool = swapres_pool_find(&resv->core, pname);
	if (pool)
		ret = swapres_pool_set_overcommit(pool, oc);
	spin_unlock_irq(&resv->lock);
	if (ret)
		DMERR("%s: overcommit %s: %s", resv->name, pname ? pname : "",
		      ret == -ENOENT ? "no such pool" :
		      "commitments exceed the maximum");
	return ret;
}

static int resv_message(struct dm_target *ti, unsigned int argc, char **argv,
			char *result, unsigned int maxlen)
{
	struct resv_target *rt = ti->private;
	struct swapres_resv *resv = rt->resv;
	int ret;

	if (!argc)
		return -EINVAL;
	if (!strcasecmp(argv[0], "create_pool"))
		return resv_msg_pool(resv, argc, argv);
	if (!strcasecmp(argv[0], "remove_pool") && argc == 2) {
		spin_lock_irq(&resv->lock);
		ret = swapres_pool_remove(&resv->core, argv[1]);
		spin_unlock_irq(&resv->lock);
		if (ret)
			DMERR("%s: remove_pool %s: %s", resv->name, argv[1],
			      ret == -EBUSY ? "VMs still use it" : "no such pool");
		return ret;
	}
	if (!strcasecmp(argv[0], "overcommit") && argc == 2)
		return resv_msg_oc(resv, NULL, argv[1]);
	if (!strcasecmp(argv[0], "pool_overcommit") && argc == 3)
		return resv_msg_oc(resv, argv[1], argv[2]);
	DMERR("%s: unknown message '%s' or wrong argument count", resv->name, argv[0]);
	return -EINVAL;
}

static int resv_iterate_devices(struct dm_target *ti,
				iterate_devices_callout_fn fn, void *data)
{
	struct resv_target *rt = ti->private;

	return fn(ti, rt->backing, rt->resv->start, ti->len, data);
}

static struct target_type resv_target = {
	.name = "swapres-resv",
	.version = {1, 1, 0},
	/* map() never sleeps: REQ_NOWAIT bios (io_uring) need no punting */
	.features = DM_TARGET_NOWAIT,
	.module = THIS_MODULE,
	.ctr = resv_ctr,
	.dtr = resv_dtr,
	.map = resv_map,
	.status = resv_status,
	.message = resv_message,
	.iterate_devices = resv_iterate_devices,
};

static int __init dm_swapres_init(void)
{
	int ret;

	ret = swapres_sysfs_init();
	if (ret)
		return ret;
	ret = dm_register_target(&resv_target);
	if (ret)
		goto bad_sysfs;
	ret = swapres_thin_register();
	if (ret)
		goto bad_resv;
	return 0;

bad_resv:
	dm_unregister_target(&resv_target);
bad_sysfs:
	swapres_sysfs_exit();
	return ret;
}

static void __exit dm_swapres_exit(void)
{
	swapres_thin_unregister();
	dm_unregister_target(&resv_target);
	swapres_sysfs_exit();
}

module_init(dm_swapres_init);
module_exit(dm_swapres_exit);

MODULE_DESCRIPTION("device-mapper thin swap reservation (hvmem)");
MODULE_AUTHOR("hvmem");
MODULE_LICENSE("GPL");
MODULE_ALIAS("dm-swapres-resv");
