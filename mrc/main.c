// SPDX-License-Identifier: GPL-2.0
/*
 * hvmem_mrc.ko: per-VM miss-rate curves built online in bounded memory
 * (SHARDS sampling over an LRU stack; see mrc_core.h), fed by references
 * from HVMEM_IOC_MRC_FEED and from in-kernel sources (hvmem_mrc_record()).
 */
#include <linux/module.h>
#include <linux/workqueue.h>

#include "mrc_internal.h"

struct workqueue_struct *mrc_wq;

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
	return 0;
err_sysfs:
	mrc_sysfs_exit();
err_wq:
	destroy_workqueue(mrc_wq);
	return ret;
}

static void __exit hvmem_mrc_exit(void)
{
	mrc_vms_exit();
	mrc_sysfs_exit();
	/* Runs the frees queued by the last puts. */
	destroy_workqueue(mrc_wq);
}

module_init(hvmem_mrc_init);
module_exit(hvmem_mrc_exit);
MODULE_DESCRIPTION("hvmem: per-VM miss-rate curves");
MODULE_LICENSE("GPL");
