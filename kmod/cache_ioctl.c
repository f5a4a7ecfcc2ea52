// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/hvmem ioctls of the exclusive cache (0x10-0x2f); see uapi/hvmem.h.
 * Every command needs CAP_SYS_ADMIN. The batched commands copy one page at
 * a time through a bounce page and call the in-kernel API (cache.c).
 */
#include <linux/capability.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <hvmem/cache.h>
#include "hvmem_internal.h"
#include "cache_core.h"
#include "cache_internal.h"

static_assert(sizeof(struct hvmem_cache_pool_create) == HVMEM_CACHE_POOL_CREATE_SIZE_VER0);
static_assert(sizeof(struct hvmem_cache_pool_destroy) == HVMEM_CACHE_POOL_DESTROY_SIZE_VER0);
static_assert(sizeof(struct hvmem_cache_page) == HVMEM_CACHE_PAGE_SIZE_VER0);
static_assert(sizeof(struct hvmem_cache_io) == HVMEM_CACHE_IO_SIZE_VER0);
static_assert(sizeof(struct hvmem_cache_flush_object) == HVMEM_CACHE_FLUSH_OBJECT_SIZE_VER0);
static_assert(sizeof(struct hvmem_cache_vm) == HVMEM_CACHE_VM_SIZE_VER0);
static_assert(sizeof(struct hvmem_cache_stats) == HVMEM_CACHE_STATS_SIZE_VER0);

static long hvmem_cache_ioc_pool_create(struct file *file, unsigned int cmd,
					void __user *uarg)
{
	struct hvmem_cache_pool_create a;
	int ret;

	ret = hvmem_copy_arg_from_user(&a, sizeof(a), HVMEM_CACHE_POOL_CREATE_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if ((a.flags & ~HVMEM_CACHE_POOL_FLAGS) || a.pool_id)
		return -EINVAL;
	ret = hvmem_cache_pool_create(a.vm_id, a.flags, &a.pool_id);
	if (ret)
		return ret;
	ret = hvmem_copy_arg_to_user(uarg, &a, sizeof(a));
	if (ret)
		hvmem_cache_pool_destroy(a.pool_id);	/* the caller cannot learn the id */
	return ret;
}

static long hvmem_cache_ioc_pool_destroy(struct file *file, unsigned int cmd,
					 void __user *uarg)
{
	struct hvmem_cache_pool_destroy a;
	int ret;

	ret = hvmem_copy_arg_from_user(&a, sizeof(a), HVMEM_CACHE_POOL_DESTROY_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if (a.flags || a.reserved)
		return -EINVAL;
	return hvmem_cache_pool_destroy(a.pool_id);
}

/* One page of a batch; returns its result. */
static int hvmem_cache_io_one(unsigned int nr, u32 pool, struct hvmem_cache_page *p,
			      void *bounce, u8 __user *ubuf)
{
	u64 gen = 0;
	int ret;

	switch (nr) {
	case _IOC_NR(HVMEM_IOC_CACHE_PUT):
		if (copy_from_user(bounce, ubuf, PAGE_SIZE)) {
			/* As for any failed put: no page is left under the key. */
			hvmem_cache_flush_page(pool, p->oid, p->index);
			return -EFAULT;
		}
		ret = hvmem_cache_put(pool, p->oid, p->index, bounce, &gen);
		p->gen = gen;
		return ret;
	case _IOC_NR(HVMEM_IOC_CACHE_GET):
		ret = hvmem_cache_get(pool, p->oid, p->index, p->gen, bounce, &gen);
		if (ret)
			return ret;
		p->gen = gen;
		/* The page has left the cache: a bad buffer loses it. */
		return copy_to_user(ubuf, bounce, PAGE_SIZE) ? -EFAULT : 0;
	default:
		return hvmem_cache_flush_page(pool, p->oid, p->index);
	}
}

/*
 * A PUT that failed as a whole before storing page @from: as for any failed
 * put, no page is left under the keys from @from on (those it can still
 * read; the keys are read one at a time, without allocating).
 */
static void hvmem_cache_put_abort(u32 pool, const u8 __user *upages, u32 from, u32 count,
				  u32 entry_size)
{
	struct hvmem_cache_page p;
	u32 i;

	for (i = from; i < count; i++) {
		if (hvmem_copy_entry_from_user(&p, sizeof(p), upages + (size_t)i * entry_size,
					       entry_size))
			continue;
		hvmem_cache_flush_page(pool, p.oid, p.index);
		cond_resched();
	}
}

static long hvmem_cache_ioc_io(struct file *file, unsigned int cmd, void __user *uarg)
{
	unsigned int nr = _IOC_NR(cmd);
	void __user *upages;
	struct hvmem_cache_page *pages;
	struct hvmem_cache_io io;
	void *bounce = NULL;
	bool abort = false;	/* a PUT that fails once its keys are valid */
	u8 __user *ubuf;
	long ret;
	u32 i;

	ret = hvmem_copy_arg_from_user(&io, sizeof(io), HVMEM_CACHE_IO_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if (io.flags || io.reserved || !io.count || io.count > HVMEM_CACHE_BATCH_MAX ||
	    io.page_size != PAGE_SIZE ||
	    hvmem_check_entry_size(io.entry_size, HVMEM_CACHE_PAGE_SIZE_VER0))
		return -EINVAL;
	if (nr == _IOC_NR(HVMEM_IOC_CACHE_FLUSH) ? io.buf != 0 : !io.buf)
		return nr == _IOC_NR(HVMEM_IOC_CACHE_FLUSH) ? -EINVAL : -EFAULT;
	upages = u64_to_user_ptr(io.pages);
	ubuf = u64_to_user_ptr(io.buf);
	io.done = 0;
	pages = kvmalloc_array(io.count, sizeof(*pages), GFP_KERNEL);
	if (!pages) {
		ret = -ENOMEM;
		abort = true;
		goto out;
	}
	for (i = 0; i < io.count; i++) {
		ret = hvmem_copy_entry_from_user(&pages[i], sizeof(*pages),
						 (u8 __user *)upages + (size_t)i * io.entry_size,
						 io.entry_size);
		if (ret)
			goto out;
		ret = -EINVAL;
		if (pages[i].reserved)
			goto out;
	}
	if (nr != _IOC_NR(HVMEM_IOC_CACHE_FLUSH)) {
		ret = -ENOMEM;
		bounce = kmalloc(PAGE_SIZE, GFP_KERNEL);
		abort = !bounce;
		if (!bounce)
			goto out;
	}
	ret = 0;
	for (i = 0; i < io.count; i++) {
		int r = hvmem_cache_io_one(nr, io.pool_id, &pages[i], bounce,
					   ubuf + (size_t)i * PAGE_SIZE);

		pages[i].result = r;
		if (r == -ENXIO || r == -EFAULT) {
			ret = r;	/* no such pool, or bad buffer: stop */
			abort = true;
			i++;
			break;
		}
	}
	io.done = i;
	for (i = 0; i < io.done; i++)
		if (hvmem_copy_entry_to_user((u8 __user *)upages + (size_t)i * io.entry_size,
					     io.entry_size, &pages[i], sizeof(*pages)))
			ret = -EFAULT;
	if (hvmem_copy_arg_to_user(uarg, &io, sizeof(io)))
		ret = -EFAULT;
out:
	if (abort && nr == _IOC_NR(HVMEM_IOC_CACHE_PUT))
		hvmem_cache_put_abort(io.pool_id, upages, io.done, io.count, io.entry_size);
	kfree(bounce);
	kvfree(pages);
	return ret;
}

static long hvmem_cache_ioc_flush_object(struct file *file, unsigned int cmd,
					 void __user *uarg)
{
	struct hvmem_cache_flush_object a;
	s64 n;
	int ret;

	ret = hvmem_copy_arg_from_user(&a, sizeof(a), HVMEM_CACHE_FLUSH_OBJECT_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if (a.flags || a.reserved)
		return -EINVAL;
	n = hvmem_cache_flush_object(a.pool_id, a.oid);
	if (n < 0)
		return n;
	a.flushed = n;
	return hvmem_copy_arg_to_user(uarg, &a, sizeof(a));
}

static long hvmem_cache_ioc_vm(struct file *file, unsigned int cmd, void __user *uarg)
{
	unsigned int nr = _IOC_NR(cmd);
	struct hvmem_cache_vm a;
	struct hc_vm_info v;
	int ret;

	ret = hvmem_copy_arg_from_user(&a, sizeof(a), HVMEM_CACHE_VM_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if (a.flags || a.reserved)
		return -EINVAL;
	if (nr == _IOC_NR(HVMEM_IOC_CACHE_VM_SET))
		return hvmem_cache_vm_set(a.vm_id, a.shares, a.cap);
	ret = hvmem_cache_vm_info(a.vm_id, &v);
	if (ret)
		return ret;
	a.shares = v.shares;
	a.cap = v.cap;
	a.pages = v.pages;
	a.pools = v.pools;
	a.puts = v.st.puts;
	a.gets = v.st.gets;
	a.hits = v.st.hits;
	a.misses = v.st.misses;
	a.evictions = v.st.evictions;
	a.flushes = v.st.flushes;
	a.dedup_hits = v.st.dedup_hits;
	a.zero_puts = v.st.zero_puts;
	return hvmem_copy_arg_to_user(uarg, &a, sizeof(a));
}

static long hvmem_cache_ioc_stats(struct file *file, unsigned int cmd, void __user *uarg)
{
	struct hvmem_cache_stats a;
	struct hvmem_cache_snap s;
	int ret;

	ret = hvmem_copy_arg_from_user(&a, sizeof(a), HVMEM_CACHE_STATS_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if (a.flags || a.reserved)
		return -EINVAL;
	hvmem_cache_snapshot(&s);
	a.page_size = PAGE_SIZE;
	a.reserve_pages = s.reserve_pages;
	a.used_pages = s.used_pages;
	a.entries = s.entries;
	a.zero_pages = s.zero_pages;
	a.dedup_saved_pages = s.dedup_saved_pages;
	a.puts = s.puts;
	a.gets = s.gets;
	a.hits = s.hits;
	a.misses = s.misses;
	a.evictions = s.evictions;
	a.flushes = s.flushes;
	return hvmem_copy_arg_to_user(uarg, &a, sizeof(a));
}

static const struct hvmem_ioctl_cmd hvmem_cache_cmds[] = {
	{ HVMEM_IOC_CACHE_POOL_CREATE, true, hvmem_cache_ioc_pool_create },
	{ HVMEM_IOC_CACHE_POOL_DESTROY, true, hvmem_cache_ioc_pool_destroy },
	{ HVMEM_IOC_CACHE_PUT, true, hvmem_cache_ioc_io },
	{ HVMEM_IOC_CACHE_GET, true, hvmem_cache_ioc_io },
	{ HVMEM_IOC_CACHE_FLUSH, true, hvmem_cache_ioc_io },
	{ HVMEM_IOC_CACHE_FLUSH_OBJECT, true, hvmem_cache_ioc_flush_object },
	{ HVMEM_IOC_CACHE_VM_SET, true, hvmem_cache_ioc_vm },
	{ HVMEM_IOC_CACHE_VM_STATS, true, hvmem_cache_ioc_vm },
	{ HVMEM_IOC_CACHE_STATS, true, hvmem_cache_ioc_stats },
};

/* The exclusive cache's /dev/hvmem commands (0x10-0x2f); see uapi/hvmem.h. */
static long hvmem_cache_ioctl(struct file *file, unsigned int cmd, void __user *uarg)
{
	return hvmem_ioctl_dispatch(hvmem_cache_cmds, ARRAY_SIZE(hvmem_cache_cmds), file, cmd,
				    uarg);
}

static u64 hvmem_cache_check_extension(u32 cap)
{
	switch (cap) {
	case HVMEM_CAP_CACHE_BATCH_MAX:
		return HVMEM_CACHE_BATCH_MAX;
	case HVMEM_CAP_CACHE_PAGE_SIZE:
		return PAGE_SIZE;
	}
	return 0;
}

static struct hvmem_ioctl_ops hvmem_cache_ioctl_ops = {
	.first_nr = HVMEM_NR_CACHE_FIRST,
	.last_nr = HVMEM_NR_CACHE_LAST,
	.ioctl = hvmem_cache_ioctl,
	.feature = HVMEM_FEATURE_CACHE,
	.check_extension = hvmem_cache_check_extension,
	.owner = THIS_MODULE,
};

/**
 * hvmem_cache_ioctl_init() - serve the cache's commands, announce its feature
 *
 * The cache registers like the sibling modules do (hvmem_register_ioctls()).
 *
 * Return: 0 or a negative errno.
 */
int hvmem_cache_ioctl_init(void)
{
	return hvmem_register_ioctls(&hvmem_cache_ioctl_ops);
}

/**
 * hvmem_cache_ioctl_exit() - undo hvmem_cache_ioctl_init()
 */
void hvmem_cache_ioctl_exit(void)
{
	hvmem_unregister_ioctls(&hvmem_cache_ioctl_ops);
}
