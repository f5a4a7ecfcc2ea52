// SPDX-License-Identifier: GPL-2.0
/*
 * The block device of hvmem_vswap.ko: bio-based, 4 KiB logical and
 * physical blocks, block b of hvswapN is the page (pool, VSWAP_OID, b) of
 * the device's cache pool.
 *
 * While no device has a backing device, a device serves a bio right in
 * ->submit_bio, as zram does, when nothing else is serving it at that
 * moment: it only copies to and from the cache. Otherwise a per-device work
 * item on a WQ_MEM_RECLAIM workqueue serves it: reads and writes on a
 * backing device use submit_bio_wait(), which must not run inside a
 * ->submit_bio (bios submitted there wait on current->bio_list until it
 * returns), and a put anywhere may have the cache evict, and so write back,
 * a block of any device with a backing device (while that I/O runs, the
 * cache's lock is held: a swap-out in kswapd must not wait for it). A put
 * inside a ->submit_bio that finds no room after a backing device appeared
 * hands the rest of its bio to the worker, whose put may evict (see
 * vswap_writeback()). Both run with memalloc_noio_save(), so reclaim never
 * recurses into swap I/O, and under the device's io_mutex: a device's bios
 * are served one at a time (the frees below depend on it), and a bio
 * served inline may pass bios still queued (the block layer never ordered
 * them).
 *
 * swap_slot_free_notify runs under swap_lock (atomic): it only marks the
 * slot in free_pending; whoever serves bios next drops the marked blocks
 * first (a write of a block clears its mark: swap only writes a slot again
 * after freeing it).
 */
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/highmem.h>
#include <linux/module.h>
#include <linux/sched/mm.h>

#include "vswap.h"
#include "vswap_trace.h"

static struct workqueue_struct *vswap_wq;
static int vswap_major;

/* Copy one block between @buf and @bio from *@iter on, and advance it. */
static void vswap_copy(struct bio *bio, struct bvec_iter *iter, void *buf, bool to_bio)
{
	unsigned int done = 0;

	while (done < VSWAP_BLOCK_SIZE && iter->bi_size) {
		struct bio_vec bv = bio_iter_iovec(bio, *iter);

		bv.bv_len = min(bv.bv_len, VSWAP_BLOCK_SIZE - done);
		if (to_bio)
			memcpy_to_bvec(&bv, buf + done);
		else
			memcpy_from_bvec(buf + done, &bv);
		bio_advance_iter_single(bio, iter, bv.bv_len);
		done += bv.bv_len;
	}
}

static void vswap_fail(struct vswap_dev *d, u64 block, unsigned int op, int err)
{
	vswap_count(d, VSWAP_STAT_FAILED);
	trace_vswap_fail(d->id, block, op, err);
}

static int vswap_read_block(struct vswap_dev *d, u64 block, void *buf)
{
	int ret;

	vswap_count(d, VSWAP_STAT_READS);
	ret = hvmem_cache_read(d->pool_id, VSWAP_OID, block, buf);
	if (!ret)
		return 0;
	if (ret != -ENOENT)
		goto fail;
	/* The bit is set before the cache drops an evicted block. */
	if (d->backing && test_bit(block, d->on_backing)) {
		ret = vswap_backing_rw(d, block, d->buf, REQ_OP_READ);
		if (ret)
			goto fail;
		vswap_count(d, VSWAP_STAT_BACKING_READS);
		trace_vswap_backing_read(d->id, block, 0);
		return 0;
	}
	memset(buf, 0, VSWAP_BLOCK_SIZE);	/* never written, or discarded */
	return 0;
fail:
	vswap_fail(d, block, REQ_OP_READ, ret);
	return ret;
}

/* vswap_write_block() inside ->submit_bio: the worker must serve this block. */
#define VSWAP_DEFER	1

/*
 * Store one block. @in_submit: inside ->submit_bio, where a put that finds
 * no room returns VSWAP_DEFER (counted nowhere) when some device has a
 * backing device: the worker's put may evict that device's blocks.
 */
static int vswap_write_block(struct vswap_dev *d, u64 block, const void *buf, bool in_submit)
{
	int how = HVMEM_CACHE_PUT_FRAME;
	u64 gen;
	int ret;

	if (test_and_clear_bit(block, d->free_pending))
		atomic_dec(&d->nr_free_pending);
	/*
	 * Before the put: an eviction of the new block sets it again. The old
	 * data's block on the backing device is returned to it.
	 */
	if (d->backing && test_and_clear_bit(block, d->on_backing))
		vswap_backing_discard(d, block, 1);
	ret = hvmem_cache_put_how(d->pool_id, VSWAP_OID, block, buf, &gen, &how);
	if (in_submit && (ret == -ENOSPC || ret == -ENOMEM) && atomic_read(&vswap_nr_backed))
		return VSWAP_DEFER;
	vswap_count(d, VSWAP_STAT_WRITES);
	if (!ret) {
		if (how == HVMEM_CACHE_PUT_ZERO) {
			vswap_count(d, VSWAP_STAT_ZERO);
			trace_vswap_zero(d->id, block, 0);
		} else if (how == HVMEM_CACHE_PUT_DEDUP) {
			vswap_count(d, VSWAP_STAT_DEDUP);
			trace_vswap_dedup(d->id, block, 0);
		} else {
			trace_vswap_store(d->id, block, 0);
		}
		return 0;
	}
	/* No room in the cache (nothing could be evicted): straight to backing. */
	if (d->backing && (ret == -ENOSPC || ret == -ENOMEM)) {
		ret = vswap_backing_rw(d, block, d->buf, REQ_OP_WRITE);
		if (!ret) {
			set_bit(block, d->on_backing);
			vswap_count(d, VSWAP_STAT_WRITTEN_BACK);
			trace_vswap_writeback(d->id, block, 1);
			return 0;
		}
	}
	vswap_fail(d, block, REQ_OP_WRITE, ret);
	return ret;
}

/* The block leaves the cache and the backing device: it reads as zeros. */
static void vswap_drop_block(struct vswap_dev *d, u64 block)
{
	hvmem_cache_flush_page(d->pool_id, VSWAP_OID, block);
	if (d->backing && test_and_clear_bit(block, d->on_backing))
		vswap_backing_discard(d, block, 1);
}

static void vswap_drain_frees(struct vswap_dev *d)
{
	unsigned long b;

	if (!atomic_read(&d->nr_free_pending))
		return;
	for_each_set_bit(b, d->free_pending, d->nr_blocks) {
		bool last;

		if (!test_and_clear_bit(b, d->free_pending))
			continue;
		last = atomic_dec_and_test(&d->nr_free_pending);
		vswap_drop_block(d, b);
		vswap_count(d, VSWAP_STAT_FREED);
		trace_vswap_free(d->id, b, 0);
		/* the rest of the bitmap is clear (or marked after we began) */
		if (last)
			break;
		cond_resched();
	}
}

/*
 * Serve a read or write. Returns VSWAP_DEFER (@in_submit only) with the bio
 * advanced past the blocks done: the worker serves the rest.
 */
static int vswap_rw(struct vswap_dev *d, struct bio *bio, bool write, bool in_submit)
{
	struct bvec_iter iter = bio->bi_iter;
	void *buf = page_address(d->buf);
	unsigned int done = 0;
	u64 block;
	int ret;

	while (iter.bi_size) {
		block = iter.bi_sector / VSWAP_SECTORS_PER_BLOCK;
		if (write) {
			vswap_copy(bio, &iter, buf, false);
			ret = vswap_write_block(d, block, buf, in_submit);
		} else {
			ret = vswap_read_block(d, block, buf);
			if (!ret)
				vswap_copy(bio, &iter, buf, true);
		}
		if (ret == VSWAP_DEFER) {
			bio_advance(bio, done);
			return ret;
		}
		if (ret)
			return ret;
		done += VSWAP_BLOCK_SIZE;
		cond_resched();
	}
	return 0;
}

/* The range leaves the cache, and the backing device in one discard. */
static void vswap_discard(struct vswap_dev *d, u64 block, u64 count, unsigned int op)
{
	u64 i;

	for (i = 0; i < count; i++) {
		hvmem_cache_flush_page(d->pool_id, VSWAP_OID, block + i);
		if (d->backing)
			clear_bit(block + i, d->on_backing);
		vswap_count(d, VSWAP_STAT_DISCARDED);
		if (!(i & 255))
			cond_resched();
	}
	if (d->backing)
		vswap_backing_discard(d, block, count);
	trace_vswap_discard(d->id, block, count, op);
}

/*
 * Serve a bio and end it; under d->io_mutex. Returns false, with the bio
 * neither ended nor changed but for its progress, when @in_submit could not
 * finish it: the worker serves the rest.
 */
static bool vswap_do_bio(struct vswap_dev *d, struct bio *bio, bool in_submit)
{
	sector_t sector = bio->bi_iter.bi_sector;
	unsigned int bytes = bio->bi_iter.bi_size;
	u64 block = sector / VSWAP_SECTORS_PER_BLOCK;
	blk_status_t st = BLK_STS_OK;
	int ret = 0;

	if ((sector % VSWAP_SECTORS_PER_BLOCK) || (bytes % VSWAP_BLOCK_SIZE)) {
		vswap_fail(d, block, bio_op(bio), -EINVAL);
		st = BLK_STS_IOERR;
	} else if (READ_ONCE(d->dead) && bio_op(bio) != REQ_OP_FLUSH) {
		vswap_fail(d, block, bio_op(bio), -ENXIO);
		st = BLK_STS_IOERR;
	} else {
		switch (bio_op(bio)) {
		case REQ_OP_READ:
		case REQ_OP_WRITE:
			ret = vswap_rw(d, bio, op_is_write(bio_op(bio)), in_submit);
			if (ret == VSWAP_DEFER)
				return false;
			st = ret ? BLK_STS_IOERR : BLK_STS_OK;
			break;
		case REQ_OP_DISCARD:
		case REQ_OP_WRITE_ZEROES:
			vswap_discard(d, block, bytes / VSWAP_BLOCK_SIZE, bio_op(bio));
			break;
		case REQ_OP_FLUSH:
			break;
		default:
			st = BLK_STS_NOTSUPP;
		}
	}
	bio->bi_status = st;
	bio_endio(bio);
	return true;
}

static void vswap_work(struct work_struct *work)
{
	struct vswap_dev *d = container_of(work, struct vswap_dev, work);
	unsigned int noio = memalloc_noio_save();
	struct bio_list list;
	struct bio *bio;

	mutex_lock(&d->io_mutex);
	for (;;) {
		spin_lock_irq(&d->lock);
		list = d->bios;
		bio_list_init(&d->bios);
		spin_unlock_irq(&d->lock);
		vswap_drain_frees(d);
		if (bio_list_empty(&list))
			break;
		while ((bio = bio_list_pop(&list)))
			WARN_ON_ONCE(!vswap_do_bio(d, bio, false));
	}
	mutex_unlock(&d->io_mutex);
	memalloc_noio_restore(noio);
}

static void vswap_queue(struct vswap_dev *d, struct bio *bio)
{
	unsigned long flags;

	spin_lock_irqsave(&d->lock, flags);
	bio_list_add(&d->bios, bio);
	spin_unlock_irqrestore(&d->lock, flags);
	queue_work(vswap_wq, &d->work);
}

/*
 * Inline while no device has a backing device and nobody is serving this
 * one; the worker otherwise, or for what the inline put could not store.
 */
static void vswap_submit_bio(struct bio *bio)
{
	struct vswap_dev *d = bio->bi_bdev->bd_disk->private_data;
	unsigned int noio;
	bool done;

	if (atomic_read(&vswap_nr_backed) || !mutex_trylock(&d->io_mutex)) {
		vswap_queue(d, bio);
		return;
	}
	noio = memalloc_noio_save();
	vswap_drain_frees(d);
	done = vswap_do_bio(d, bio, true);
	memalloc_noio_restore(noio);
	mutex_unlock(&d->io_mutex);
	if (done) {
		vswap_count(d, VSWAP_STAT_INLINE);
	} else {
		vswap_count(d, VSWAP_STAT_DEFERRED);
		vswap_queue(d, bio);
	}
}

/* Under swap_lock, maybe a page table lock too: no sleeping. */
static void vswap_slot_free_notify(struct block_device *bdev, unsigned long index)
{
	struct vswap_dev *d = bdev->bd_disk->private_data;

	if (index >= d->nr_blocks)
		return;
	if (!test_and_set_bit(index, d->free_pending))
		atomic_inc(&d->nr_free_pending);
	queue_work(vswap_wq, &d->work);
}

/* Under disk->open_mutex. */
static int vswap_open(struct gendisk *disk, blk_mode_t mode)
{
	struct vswap_dev *d = disk->private_data;

	return d->claimed ? -EBUSY : 0;
}

static const struct block_device_operations vswap_fops = {
	.owner			= THIS_MODULE,
	.open			= vswap_open,
	.submit_bio		= vswap_submit_bio,
	.swap_slot_free_notify	= vswap_slot_free_notify,
};

/**
 * vswap_is_vswap_bdev() - whether a block device is an hvswap device
 * @bdev: the block device
 *
 * Return: true for /dev/hvswapN.
 */
bool vswap_is_vswap_bdev(struct block_device *bdev)
{
	return bdev->bd_disk->fops == &vswap_fops;
}

/**
 * vswap_dev_add() - create and register the gendisk of a device
 * @d: the device, with @id, @nr_blocks, @pool_id and its bitmaps set
 *
 * Return: 0 or a negative errno.
 */
int vswap_dev_add(struct vswap_dev *d)
{
	struct queue_limits lim = {
		.logical_block_size	= VSWAP_BLOCK_SIZE,
		.physical_block_size	= VSWAP_BLOCK_SIZE,
		.io_min			= VSWAP_BLOCK_SIZE,
		.io_opt			= VSWAP_BLOCK_SIZE,
		.max_hw_discard_sectors	= UINT_MAX,
		.discard_granularity	= VSWAP_BLOCK_SIZE,
		.max_write_zeroes_sectors = UINT_MAX,
	};
	struct gendisk *disk;
	int ret;

	spin_lock_init(&d->lock);
	mutex_init(&d->io_mutex);
	bio_list_init(&d->bios);
	INIT_WORK(&d->work, vswap_work);
	disk = blk_alloc_disk(&lim, NUMA_NO_NODE);
	if (IS_ERR(disk))
		return PTR_ERR(disk);
	disk->major = vswap_major;
	disk->first_minor = d->id;
	disk->minors = 1;
	disk->flags |= GENHD_FL_NO_PART;
	disk->fops = &vswap_fops;
	disk->private_data = d;
	snprintf(disk->disk_name, DISK_NAME_LEN, VSWAP_NAME "%u", d->id);
	set_capacity(disk, d->nr_blocks * VSWAP_SECTORS_PER_BLOCK);
	d->disk = disk;
	ret = device_add_disk(NULL, disk, vswap_disk_groups);
	if (ret) {
		put_disk(disk);
		d->disk = NULL;
	}
	return ret;
}

/**
 * vswap_dev_claim() - make a device closed for good, or fail
 * @d: the device
 *
 * Return: 0 (no opener now, and every later open fails), or -EBUSY when the
 * device is open.
 */
int vswap_dev_claim(struct vswap_dev *d)
{
	int ret = 0;

	mutex_lock(&d->disk->open_mutex);
	if (disk_openers(d->disk))
		ret = -EBUSY;
	else
		d->claimed = true;
	mutex_unlock(&d->disk->open_mutex);
	return ret;
}

/**
 * vswap_dev_del() - remove a claimed device's gendisk
 * @d: the device (vswap_dev_claim() succeeded)
 *
 * On return no request of the device is queued or running.
 */
void vswap_dev_del(struct vswap_dev *d)
{
	del_gendisk(d->disk);
	/* bios queued before the queue died, and pending slot frees */
	flush_work(&d->work);
	put_disk(d->disk);
	d->disk = NULL;
}

int vswap_dev_init(void)
{
	vswap_wq = alloc_workqueue("hvmem_vswap", WQ_MEM_RECLAIM | WQ_UNBOUND, 0);
	if (!vswap_wq)
		return -ENOMEM;
	vswap_major = register_blkdev(0, VSWAP_NAME);
	if (vswap_major < 0) {
		destroy_workqueue(vswap_wq);
		return vswap_major;
	}
	return 0;
}

void vswap_dev_exit(void)
{
	unregister_blkdev(vswap_major, VSWAP_NAME);
	destroy_workqueue(vswap_wq);
}
