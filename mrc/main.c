// SPDX-License-Identifier: GPL-2.0
/*
 * hvmem_mrc.ko: per-VM miss-rate curves built online in bounded memory
 * (SHARDS sampling over an LRU stack; see mrc_core.h), fed by references
 * from HVMEM_IOC_MRC_FEED, from KVM write tracking (wtrack.c) and from the
 * exclusive cache's put/get stream (hvmem_mrc_record(), as its observer).
 */
#include <linux/module.h>
#include <linux/workqueue.h>

#include <hvmem/cache.h>
#include <hvmem/mrc.h>
#include "mrc_internal.h"

struct workqueue_struct *mrc_wq;

/* Every put and get of a VM's cache pools is a reference beyond its memory. */
static void mrc_cache_access(u32 vm_id, u64 page)
{
	hvmem_mrc_record(vm_id, &page, 1);
}

static const struct hvmem_cache_observer mrc_cache_observer = {
	.access = mrc_cache_access,
};

static int __init hvmem_mrc_init(void)
{
	int ret;

	mrc_wq = alloc_workqueue("hvmem_mrc", 0, 0);
	if (!mrc_wq)
		return -ENOMEM;
	ret = mrc_sysfs_init();
	if (ret)
		goto err_wq;
	ret = mrc_vms_init();
	if (ret)
		goto err_sysfs;
	ret = hvmem_cache_observer_register(&mrc_cache_observer);
	if (ret)
		goto err_vms;
	return 0;
err_vms:
	mrc_vms_exit();
err_sysfs:
	mrc_sysfs_exit();
err_wq:
	destroy_workqueue(mrc_wq);
	return ret;
}

static void __exit hvmem_mrc_exit(void)
{
	hvmem_cache_observer_unregister(&mrc_cache_observer);
	mrc_vms_exit();
	mrc_sysfs_exit();
	/* Runs the frees queued by the last puts. */
	destroy_workqueue(mrc_wq);
}

module_init(hvmem_mrc_init);
module_exit(hvmem_mrc_exit);
MODULE_DESCRIPTION("hvmem: per-VM miss-rate curves");
MODULE_LICENSE("GPL");
