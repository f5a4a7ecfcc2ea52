// SPDX-License-Identifier: GPL-2.0
/*
 * The optional backing device of an hvswap device: where the cache's
 * victims go before their memory is let go, and where later reads of them
 * come from.
 *
 * The device's pool has a writeback owner (struct hvmem_cache_writeback):
 * the cache calls vswap_writeback() under its lock, before it drops a
 * victim, with the victim's page. The page is written to the backing
 * device right there with submit_bio_wait(): the cache's frame is the
 * staging page, and nothing else may touch it while the lock is held. Only
 * then is the block marked in on_backing and the frame let go. A failed
 * write keeps the block in the cache (the core makes it the VM's most
 * recent page and the put that needed room fails) and is counted.
 *
 * The cost: the cache's lock is held over one backing write per eviction.
 * The puts that write victims run in the devices' workers (dev.c) or the
 * cache's ioctl, so submit_bio_wait() may be used; memalloc_noio_save()
 * keeps reclaim from recursing into swap. Bios are served inside a
 * ->submit_bio only while no device has a backing device (dev.c); a put
 * there that still meets a victim of a device that got one meanwhile is
 * refused it (the core then treats the victim as its VM's most recent
 * page), fails, and is retried by its device's worker.
 * A backing device that is itself an hvswap device would need the lock its
 * writer holds: it is refused.
 */
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "vswap.h"
#include "vswap_trace.h"

/* Devices with a backing device, while they have it (dev.c reads it). */
atomic_t vswap_nr_backed = ATOMIC_INIT(0);

/**
 * vswap_backing_rw() - read or write one block of the backing device
 * @d: the device (with a backing device)
 * @block: the block
 * @page: the block's data (PAGE_SIZE == VSWAP_BLOCK_SIZE)
 * @op: REQ_OP_READ or REQ_OP_WRITE
 *
 * Return: 0 or a negative errno.
 */
int vswap_backing_rw(struct vswap_dev *d, u64 block, struct page *page, blk_opf_t op)
{
	struct bio_vec bv;
	struct bio bio;
	int ret;

	bio_init(&bio, file_bdev(d->backing), &bv, 1, op | REQ_SYNC);
	bio.bi_iter.bi_sector = block * VSWAP_SECTORS_PER_BLOCK;
	__bio_add_page(&bio, page, VSWAP_BLOCK_SIZE, 0);
	ret = submit_bio_wait(&bio);
	bio_uninit(&bio);
	return ret;
}

/**
 * vswap_backing_discard() - tell the backing device blocks are unused
 * @d: the device (with a backing device)
 * @block: the first block, no longer marked in on_backing
 * @count: blocks
 *
 * A thin backing device (dm-swapres) returns the block to its reservation.
 * Errors are ignored: the block is not read from there any more.
 */
void vswap_backing_discard(struct vswap_dev *d, u64 block, u64 count)
{
	struct block_device *bdev = file_bdev(d->backing);

	if (bdev_max_discard_sectors(bdev))
		blkdev_issue_discard(bdev, block * VSWAP_SECTORS_PER_BLOCK,
				     count * VSWAP_SECTORS_PER_BLOCK, GFP_NOIO);
}

/*
 * Under the cache's lock: save the victim, or keep it. A put made inside
 * a ->submit_bio (another device's inline write, dev.c) cannot wait for a
 * bio: the victim stays, that put fails and its device's worker retries.
 */
static int vswap_writeback(struct hvmem_cache_writeback *wb, u64 oid, u64 index,
			   const void *data)
{
	struct vswap_dev *d = container_of(wb, struct vswap_dev, wb);
	unsigned int noio;
	int ret;

	if (WARN_ON_ONCE(oid != VSWAP_OID || index >= d->nr_blocks))
		return 0;
	if (current->bio_list)
		return -EWOULDBLOCK;
	if (!data) {
		/* A block of zeros: once it is gone, it reads as zeros. */
		if (test_and_clear_bit(index, d->on_backing))
			vswap_backing_discard(d, index, 1);
		vswap_count(d, VSWAP_STAT_EVICTED);
		trace_vswap_evict(d->id, index, 1);
		return 0;
	}
	noio = memalloc_noio_save();
	ret = vswap_backing_rw(d, index, virt_to_page(data), REQ_OP_WRITE);
	memalloc_noio_restore(noio);
	if (ret) {
		vswap_count(d, VSWAP_STAT_FAILED);
		trace_vswap_fail(d->id, index, REQ_OP_WRITE, ret);
		return ret;
	}
	set_bit(index, d->on_backing);
	vswap_count(d, VSWAP_STAT_EVICTED);
	vswap_count(d, VSWAP_STAT_WRITTEN_BACK);
	trace_vswap_evict(d->id, index, 0);
	trace_vswap_writeback(d->id, index, 0);
	return 0;
}

/**
 * vswap_backing_open() - open and check a device's backing device
 * @d: the device, with @nr_blocks set
 * @path: the backing block device's path
 *
 * Opens @path exclusively (holder @d) for reading and writing, and sets up
 * @d's writeback owner and on_backing bitmap.
 *
 * Return: 0; -EROFS (read only), -ENOSPC (smaller than @d), -EINVAL (an
 * hvswap device, or blocks larger than VSWAP_BLOCK_SIZE), -ENOMEM, or the
 * open's errno.
 */
int vswap_backing_open(struct vswap_dev *d, const char *path)
{
	struct block_device *bdev;
	struct file *f;
	int ret = 0;

	f = bdev_file_open_by_path(path, BLK_OPEN_READ | BLK_OPEN_WRITE, d, NULL);
	if (IS_ERR(f))
		return PTR_ERR(f) == -EACCES ? -EROFS : PTR_ERR(f);
	bdev = file_bdev(f);
	if (vswap_is_vswap_bdev(bdev) || bdev_logical_block_size(bdev) > VSWAP_BLOCK_SIZE)
		ret = -EINVAL;
	else if (bdev_read_only(bdev))
		ret = -EROFS;
	else if (bdev_nr_sectors(bdev) < d->nr_blocks * VSWAP_SECTORS_PER_BLOCK)
		ret = -ENOSPC;
	if (!ret) {
		d->on_backing = kvcalloc(BITS_TO_LONGS(d->nr_blocks), sizeof(long), GFP_KERNEL);
		if (!d->on_backing)
			ret = -ENOMEM;
	}
	if (ret) {
		fput(f);
		return ret;
	}
	d->backing = f;
	d->wb.writeback = vswap_writeback;
	atomic_inc(&vswap_nr_backed);
	return 0;
}

/**
 * vswap_backing_close() - close the backing device, if any
 * @d: the device; its pool is gone (no writeback can run)
 */
void vswap_backing_close(struct vswap_dev *d)
{
	if (d->backing) {
		fput(d->backing);
		atomic_dec(&vswap_nr_backed);
	}
	d->backing = NULL;
	kvfree(d->on_backing);
	d->on_backing = NULL;
}
