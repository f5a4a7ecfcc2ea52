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

static long hvmem_cache_ioc_pool_create(void __user *uarg)
{
	struct hvmem_cache_pool_create a;
	int ret;

	ret = hvmem_copy_arg_from_user(&a, sizeof(a), sizeof(a), uarg);
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

static long hvmem_cache_ioc_pool_destroy(void __user *uarg)
{
	struct hvmem_cache_pool_destroy a;
	int ret;

	ret = hvmem_copy_arg_from_user(&a, sizeof(a), sizeof(a), uarg);
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

static long hvmem_cache_ioc_io(unsigned int nr, void __user *uarg)
{
	struct hvmem_cache_page __user *upages;
	struct hvmem_cache_page *pages;
	struct hvmem_cache_io io;
	void *bounce = NULL;
	u8 __user *ubuf;
	long ret;
	u32 i;

	ret = hvmem_copy_arg_from_user(&io, sizeof(io), sizeof(io), uarg);
	if (ret)
		return ret;
	if (io.flags || !io.count || io.count > HVMEM_CACHE_BATCH_MAX ||
	    io.page_size != PAGE_SIZE)
		return -EINVAL;
	if (nr == _IOC_NR(HVMEM_IOC_CACHE_FLUSH) ? io.buf != 0 : !io.buf)
		return nr == _IOC_NR(HVMEM_IOC_CACHE_FLUSH) ? -EINVAL : -EFAULT;
	upages = u64_to_user_ptr(io.pages);
	ubuf = u64_to_user_ptr(io.buf);
	pages = kvmalloc_array(io.count, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	ret = -EFAULT;
	if (copy_from_user(pages, upages, io.count * sizeof(*pages)))
		goto out;
	ret = -EINVAL;
	for (i = 0; i < io.count; i++)
		if (pages[i].reserved)
			goto out;
	if (nr != _IOC_NR(HVMEM_IOC_CACHE_FLUSH)) {
		ret = -ENOMEM;
		bounce = kmalloc(PAGE_SIZE, GFP_KERNEL);
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
			i++;
			break;
		}
	}
	io.done = i;
	if (copy_to_user(upages, pages, (size_t)io.done * sizeof(*pages)))
		ret = -EFAULT;
	if (hvmem_copy_arg_to_user(uarg, &io, sizeof(io)))
		ret = -EFAULT;
out:
	kfree(bounce);
	kvfree(pages);
	return ret;
}

static long hvmem_cache_ioc_flush_object(void __user *uarg)
{
	struct hvmem_cache_flush_object a;
	s64 n;
	int ret;

	ret = hvmem_copy_arg_from_user(&a, sizeof(a), sizeof(a), uarg);
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

static long hvmem_cache_ioc_vm(unsigned int nr, void __user *uarg)
{
	struct hvmem_cache_vm a;
	struct hc_vm_info v;
	int ret;

	ret = hvmem_copy_arg_from_user(&a, sizeof(a), sizeof(a), uarg);
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

static long hvmem_cache_ioc_stats(void __user *uarg)
{
	struct hvmem_cache_stats a;
	struct hvmem_cache_snap s;
	int ret;

	ret = hvmem_copy_arg_from_user(&a, sizeof(a), sizeof(a), uarg);
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

/**
 * hvmem_cache_ioctl() - the exclusive cache's /dev/hvmem commands
 * @file: the open device
 * @cmd: an HVMEM_IOC_CACHE_* command (number 0x10-0x2f)
 * @uarg: user pointer to its argument
 *
 * Return: 0 or a negative errno: -ENOTTY (unknown command), -EPERM
 * (without CAP_SYS_ADMIN), else as the command says in uapi/hvmem.h.
 */
long hvmem_cache_ioctl(struct file *file, unsigned int cmd, void __user *uarg)
{
	static const unsigned int cmds[] = {
		HVMEM_IOC_CACHE_POOL_CREATE, HVMEM_IOC_CACHE_POOL_DESTROY,
		HVMEM_IOC_CACHE_PUT, HVMEM_IOC_CACHE_GET, HVMEM_IOC_CACHE_FLUSH,
		HVMEM_IOC_CACHE_FLUSH_OBJECT, HVMEM_IOC_CACHE_VM_SET,
		HVMEM_IOC_CACHE_VM_STATS, HVMEM_IOC_CACHE_STATS,
	};
	unsigned int nr = _IOC_NR(cmd), i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (_IOC_NR(cmds[i]) == nr)
			break;
	if (i == ARRAY_SIZE(cmds) || _IOC_DIR(cmds[i]) != _IOC_DIR(cmd))
		return -ENOTTY;
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;

	switch (nr) {
	case _IOC_NR(HVMEM_IOC_CACHE_POOL_CREATE):
		return hvmem_cache_ioc_pool_create(uarg);
	case _IOC_NR(HVMEM_IOC_CACHE_POOL_DESTROY):
		return hvmem_cache_ioc_pool_destroy(uarg);
	case _IOC_NR(HVMEM_IOC_CACHE_PUT):
	case _IOC_NR(HVMEM_IOC_CACHE_GET):
	case _IOC_NR(HVMEM_IOC_CACHE_FLUSH):
		return hvmem_cache_ioc_io(nr, uarg);
	case _IOC_NR(HVMEM_IOC_CACHE_FLUSH_OBJECT):
		return hvmem_cache_ioc_flush_object(uarg);
	case _IOC_NR(HVMEM_IOC_CACHE_VM_SET):
	case _IOC_NR(HVMEM_IOC_CACHE_VM_STATS):
		return hvmem_cache_ioc_vm(nr, uarg);
	default:
		return hvmem_cache_ioc_stats(uarg);
	}
}
