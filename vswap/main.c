// SPDX-License-Identifier: GPL-2.0
/*
 * hvmem_vswap.ko: swap devices /dev/hvswapN whose 4 KiB blocks live in
 * hvmem's exclusive cache, one cache pool per device, each device bound to
 * one VM (README.rst). This file: the module, the device list, the
 * HVMEM_IOC_VSWAP_* commands (0x50-0x5f on /dev/hvmem) and the VM events.
 *
 * When a VM is unbound, hvmem.ko drops its pools (so the devices' blocks)
 * and this module marks its devices dead: every later request fails with an
 * I/O error. A dead device stays until it is destroyed (it may be open).
 *
 * Locking: vswap_lock (a mutex) protects vswap_idr and orders creation
 * against the VM events; it is taken before the cache's lock, never under
 * it. Destruction removes the gendisk outside it.
 */
#include <linux/capability.h>
#include <linux/idr.h>
#include <linux/kdev_t.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <hvmem/hvmem.h>
#include "../uapi/hvmem.h"
#include "vswap.h"

#define CREATE_TRACE_POINTS
#include "vswap_trace.h"

/* Devices: minors 0 .. VSWAP_MAX_DEVS - 1. */
#define VSWAP_MAX_DEVS		256
/* Largest device: 1 TiB (two bitmaps of 32 MiB). */
#define VSWAP_MAX_BLOCKS	BIT_ULL(28)

static DEFINE_MUTEX(vswap_lock);
static DEFINE_IDR(vswap_idr);

static void vswap_free(struct vswap_dev *d)
{
	vswap_backing_close(d);
	kvfree(d->free_pending);
	if (d->buf)
		__free_page(d->buf);
	kfree(d);
}

/* Drop a device whose gendisk is gone (or never was). */
static void vswap_teardown(struct vswap_dev *d)
{
	hvmem_cache_pool_destroy(d->pool_id);	/* -ENXIO once the VM is unbound */
	vswap_free(d);
}

static int vswap_create(u32 vm_id, u64 nr_blocks, const char *path, u32 *dev_id)
{
	u32 flags = path ? 0 : HVMEM_CACHE_POOL_PINNED_K;
	struct vswap_dev *d;
	int ret;

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->vm_id = vm_id;
	d->nr_blocks = nr_blocks;
	d->free_pending = kvcalloc(BITS_TO_LONGS(nr_blocks), sizeof(long), GFP_KERNEL);
	d->buf = alloc_page(GFP_KERNEL);
	if (!d->free_pending || !d->buf) {
		ret = -ENOMEM;
		goto err_free;
	}
	if (path) {
		ret = vswap_backing_open(d, path);
		if (ret)
			goto err_free;
	}
	mutex_lock(&vswap_lock);
	/* A VM unbound from here on finds the device in vswap_vm_event(). */
	ret = hvmem_cache_pool_create(vm_id, flags, &d->pool_id);
	if (ret)
		goto err_unlock;
	if (d->backing) {
		ret = hvmem_cache_pool_set_writeback(d->pool_id, &d->wb);
		if (ret)
			goto err_pool;
	}
	ret = idr_alloc(&vswap_idr, d, 0, VSWAP_MAX_DEVS, GFP_KERNEL);
	if (ret < 0)
		goto err_pool;
	d->id = ret;
	ret = vswap_dev_add(d);
	if (ret)
		goto err_idr;
	*dev_id = d->id;
	mutex_unlock(&vswap_lock);
	return 0;

err_idr:
	idr_remove(&vswap_idr, d->id);
err_pool:
	hvmem_cache_pool_destroy(d->pool_id);
err_unlock:
	mutex_unlock(&vswap_lock);
err_free:
	vswap_free(d);
	return ret;
}

static int vswap_destroy(u32 id)
{
	struct vswap_dev *d;
	int ret;

	mutex_lock(&vswap_lock);
	d = idr_find(&vswap_idr, id);
	if (!d) {
		mutex_unlock(&vswap_lock);
		return -ENOENT;
	}
	ret = vswap_dev_claim(d);
	if (!ret)
		idr_remove(&vswap_idr, id);
	mutex_unlock(&vswap_lock);
	if (ret)
		return ret;
	vswap_dev_del(d);
	vswap_teardown(d);
	return 0;
}

static void vswap_fill_info(struct vswap_dev *d, struct hvmem_vswap_info *i)
{
	s64 stored = hvmem_cache_pool_pages(d->pool_id);

	memset(i, 0, sizeof(*i));
	i->dev_id = d->id;
	i->vm_id = d->vm_id;
	i->pool_id = d->pool_id;
	i->bytes = d->nr_blocks * VSWAP_BLOCK_SIZE;
	if (d->backing) {
		i->flags |= HVMEM_VSWAP_BACKED;
		i->backing_dev = new_encode_dev(file_bdev(d->backing)->bd_dev);
	}
	if (READ_ONCE(d->dead))
		i->flags |= HVMEM_VSWAP_DEAD;
	i->stored = stored < 0 ? 0 : stored;
	i->zero = vswap_stat(d, VSWAP_STAT_ZERO);
	i->deduplicated = vswap_stat(d, VSWAP_STAT_DEDUP);
	i->evicted = vswap_stat(d, VSWAP_STAT_EVICTED);
	i->written_back = vswap_stat(d, VSWAP_STAT_WRITTEN_BACK);
	i->backing_reads = vswap_stat(d, VSWAP_STAT_BACKING_READS);
	i->failed = vswap_stat(d, VSWAP_STAT_FAILED);
	i->reads = vswap_stat(d, VSWAP_STAT_READS);
	i->writes = vswap_stat(d, VSWAP_STAT_WRITES);
	i->discarded = vswap_stat(d, VSWAP_STAT_DISCARDED);
	i->freed = vswap_stat(d, VSWAP_STAT_FREED);
}

static long vswap_ioc_create(struct file *file, unsigned int cmd, void __user *uarg)
{
	struct hvmem_vswap_create a;
	char *path = NULL;
	int ret;

	BUILD_BUG_ON(sizeof(a) != HVMEM_VSWAP_CREATE_SIZE_VER0);
	ret = hvmem_copy_arg_from_user(&a, sizeof(a), HVMEM_VSWAP_CREATE_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if (a.flags || a.dev_id || !a.vm_id || !a.bytes || a.bytes % VSWAP_BLOCK_SIZE ||
	    a.bytes / VSWAP_BLOCK_SIZE > VSWAP_MAX_BLOCKS)
		return -EINVAL;
	if (a.backing) {
		path = strndup_user(u64_to_user_ptr(a.backing), HVMEM_VSWAP_PATH_MAX);
		if (IS_ERR(path))
			return PTR_ERR(path);
	}
	ret = vswap_create(a.vm_id, a.bytes / VSWAP_BLOCK_SIZE, path, &a.dev_id);
	kfree(path);
	if (ret)
		return ret;
	/* The device exists; on -EFAULT the caller finds it with the list. */
	return hvmem_copy_arg_to_user(uarg, &a, sizeof(a));
}

static long vswap_ioc_destroy(struct file *file, unsigned int cmd, void __user *uarg)
{
	struct hvmem_vswap_destroy a;
	int ret;

	BUILD_BUG_ON(sizeof(a) != HVMEM_VSWAP_DESTROY_SIZE_VER0);
	ret = hvmem_copy_arg_from_user(&a, sizeof(a), HVMEM_VSWAP_DESTROY_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if (a.flags || a.reserved)
		return -EINVAL;
	return vswap_destroy(a.dev_id);
}

static long vswap_ioc_list(struct file *file, unsigned int cmd, void __user *uarg)
{
	struct hvmem_vswap_list l;
	struct hvmem_vswap_info info;
	struct vswap_dev *d;
	u8 __user *dst;
	u32 written = 0;
	int id, ret;

	BUILD_BUG_ON(sizeof(l) != HVMEM_VSWAP_LIST_SIZE_VER0);
	BUILD_BUG_ON(sizeof(info) != HVMEM_VSWAP_INFO_SIZE_VER0);
	ret = hvmem_copy_arg_from_user(&l, sizeof(l), HVMEM_VSWAP_LIST_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if (l.flags || l.reserved)
		return -EINVAL;
	ret = hvmem_check_entry_size(l.entry_size, HVMEM_VSWAP_INFO_SIZE_VER0);
	if (ret)
		return ret;
	if (l.count && !l.entries)
		return -EFAULT;
	dst = u64_to_user_ptr(l.entries);
	l.total = 0;
	mutex_lock(&vswap_lock);
	idr_for_each_entry(&vswap_idr, d, id) {
		l.total++;
		if (written >= l.count)
			continue;
		vswap_fill_info(d, &info);
		ret = hvmem_copy_entry_to_user(dst, l.entry_size, &info, sizeof(info));
		if (ret)
			break;
		dst += l.entry_size;
		written++;
	}
	mutex_unlock(&vswap_lock);
	if (ret)
		return ret;
	l.count = written;
	return hvmem_copy_arg_to_user(uarg, &l, sizeof(l));
}

static const struct hvmem_ioctl_cmd vswap_cmds[] = {
	{ HVMEM_IOC_VSWAP_CREATE, true, vswap_ioc_create },
	{ HVMEM_IOC_VSWAP_DESTROY, true, vswap_ioc_destroy },
	{ HVMEM_IOC_VSWAP_LIST, true, vswap_ioc_list },
};

static long vswap_ioctl(struct file *file, unsigned int cmd, void __user *uarg)
{
	return hvmem_ioctl_dispatch(vswap_cmds, ARRAY_SIZE(vswap_cmds), file, cmd, uarg);
}

static struct hvmem_ioctl_ops vswap_ioctl_ops = {
	.first_nr = HVMEM_NR_VSWAP_FIRST,
	.last_nr = HVMEM_NR_VSWAP_LAST,
	.ioctl = vswap_ioctl,
	.feature = HVMEM_FEATURE_VSWAP,
	.owner = THIS_MODULE,
};

/* The VM's pools are dropped by hvmem.ko; its devices fail from now on. */
static int vswap_vm_event(struct notifier_block *nb, unsigned long ev, void *data)
{
	struct vswap_dev *d;
	u32 vm_id;
	int id;

	if (ev != HVMEM_VM_EVENT_UNBIND)
		return NOTIFY_DONE;
	vm_id = hvmem_vm_id(data);
	mutex_lock(&vswap_lock);
	idr_for_each_entry(&vswap_idr, d, id) {
		if (d->vm_id == vm_id && !d->dead) {
			WRITE_ONCE(d->dead, true);
			pr_info("hvmem_vswap: hvswap%u: VM %u unbound, device is dead\n",
				d->id, vm_id);
		}
	}
	mutex_unlock(&vswap_lock);
	return NOTIFY_OK;
}

static struct notifier_block vswap_vm_nb = {
	.notifier_call = vswap_vm_event,
};

static int __init hvmem_vswap_init(void)
{
	int ret;

	/* A block is a cache page and a swap slot. */
	if (PAGE_SIZE != VSWAP_BLOCK_SIZE || HVMEM_VSWAP_BLOCK_SIZE != VSWAP_BLOCK_SIZE)
		return -EOPNOTSUPP;
	ret = vswap_dev_init();
	if (ret)
		return ret;
	ret = hvmem_register_vm_notifier(&vswap_vm_nb);
	if (ret)
		goto err_dev;
	ret = hvmem_register_ioctls(&vswap_ioctl_ops);
	if (ret)
		goto err_nb;
	return 0;
err_nb:
	hvmem_unregister_vm_notifier(&vswap_vm_nb);
err_dev:
	vswap_dev_exit();
	return ret;
}

/* No device is open: each open holds a reference on this module. */
static void __exit hvmem_vswap_exit(void)
{
	struct vswap_dev *d;
	int id;

	hvmem_unregister_ioctls(&vswap_ioctl_ops);
	hvmem_unregister_vm_notifier(&vswap_vm_nb);
	idr_for_each_entry(&vswap_idr, d, id) {
		WARN_ON(vswap_dev_claim(d));
		vswap_dev_del(d);
		vswap_teardown(d);
	}
	idr_destroy(&vswap_idr);
	vswap_dev_exit();
}

module_init(hvmem_vswap_init);
module_exit(hvmem_vswap_exit);
MODULE_DESCRIPTION("hvmem: swap devices whose blocks live in the exclusive cache");
MODULE_LICENSE("GPL");
