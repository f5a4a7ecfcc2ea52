/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvmem_vswap.ko: block devices /dev/hvswapN whose 4 KiB blocks live in
 * hvmem's exclusive cache. Shared by main.c (module, ioctls, device list,
 * VM events), dev.c (the block device), backing.c (the optional backing
 * device) and sysfs.c (counters).
 */
#ifndef _HVMEM_VSWAP_H
#define _HVMEM_VSWAP_H

#include <linux/bio.h>
#include <linux/bits.h>
#include <linux/blkdev.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include <hvmem/cache.h>

#define VSWAP_NAME		"hvswap"
#define VSWAP_BLOCK_SHIFT	12
#define VSWAP_BLOCK_SIZE	BIT(VSWAP_BLOCK_SHIFT)
#define VSWAP_SECTORS_PER_BLOCK	(VSWAP_BLOCK_SIZE >> SECTOR_SHIFT)
/* The object id of every block in a device's pool (the index is the block). */
#define VSWAP_OID		0

/* Counters of a device (struct vswap_dev.stat), one sysfs file each. */
enum vswap_stat {
	VSWAP_STAT_ZERO,
	VSWAP_STAT_DEDUP,
	VSWAP_STAT_EVICTED,
	VSWAP_STAT_WRITTEN_BACK,
	VSWAP_STAT_BACKING_READS,
	VSWAP_STAT_FAILED,
	VSWAP_STAT_READS,
	VSWAP_STAT_WRITES,
	VSWAP_STAT_DISCARDED,
	VSWAP_STAT_FREED,
	VSWAP_STAT_INLINE,
	VSWAP_STAT_DEFERRED,
	VSWAP_NR_STATS,
};

/**
 * struct vswap_dev - one swap device
 * @node: on vswap_devs (main.c), by increasing @id
 * @id: N of hvswapN
 * @vm_id: the VM owning @pool_id
 * @pool_id: the device's cache pool; block b is (@pool_id, VSWAP_OID, b)
 * @nr_blocks: device size in blocks
 * @disk: the gendisk
 * @claimed: being destroyed: opens fail (under @disk->open_mutex)
 * @dead: the VM was unbound: every I/O fails
 * @wb: writeback owner of the pool (with a backing device)
 * @backing: the backing device's file, or NULL
 * @on_backing: bit b: block b's current data is on the backing device
 *	(set before the cache drops an evicted block, cleared before a
 *	write stores a new one)
 * @free_pending: bit b: swap freed slot b; whoever serves the device next
 *	drops it
 * @nr_free_pending: bits set in @free_pending (a hint)
 * @io_mutex: held while serving bios and @free_pending, inline in
 *	->submit_bio or in the worker (dev.c)
 * @lock: protects @bios
 * @bios: bios waiting for the worker
 * @work: the worker: serves @bios and @free_pending (dev.c)
 * @buf: the bounce page of whoever holds @io_mutex
 * @stat: counters (enum vswap_stat)
 */
struct vswap_dev {
	struct list_head node;
	u32 id;
	u32 vm_id;
	u32 pool_id;
	u64 nr_blocks;
	struct gendisk *disk;
	bool claimed;
	bool dead;
	struct hvmem_cache_writeback wb;
	struct file *backing;
	unsigned long *on_backing;
	unsigned long *free_pending;
	atomic_t nr_free_pending;
	struct mutex io_mutex;	/* serves the device */
	spinlock_t lock;	/* protects @bios */
	struct bio_list bios;
	struct work_struct work;
	struct page *buf;
	atomic64_t stat[VSWAP_NR_STATS];
};

static inline void vswap_count(struct vswap_dev *d, enum vswap_stat s)
{
	atomic64_inc(&d->stat[s]);
}

static inline u64 vswap_stat(struct vswap_dev *d, enum vswap_stat s)
{
	return atomic64_read(&d->stat[s]);
}

/* dev.c */
int vswap_dev_add(struct vswap_dev *d);
void vswap_dev_del(struct vswap_dev *d);
int vswap_dev_claim(struct vswap_dev *d);
int vswap_dev_init(void);
void vswap_dev_exit(void);
bool vswap_is_vswap_bdev(struct block_device *bdev);

/* backing.c */
extern atomic_t vswap_nr_backed;
int vswap_backing_open(struct vswap_dev *d, const char *path);
void vswap_backing_close(struct vswap_dev *d);
int vswap_backing_rw(struct vswap_dev *d, u64 block, struct page *page, blk_opf_t op);
void vswap_backing_discard(struct vswap_dev *d, u64 block, u64 count);

/* sysfs.c */
extern const struct attribute_group *vswap_disk_groups[];

#endif /* _HVMEM_VSWAP_H */
