// SPDX-License-Identifier: GPL-2.0
/*
 * hvmem_mrc.ko: per-VM miss-rate curves built online in bounded memory
 * (SHARDS sampling over an LRU stack; see mrc_core.h), fed by references
 * from HVMEM_IOC_MRC_FEED, from KVM write tracking (wtrack.c) and from the
 * exclusive cache's put/get stream (as its observer: mrc_cache_access()).
 */
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/workqueue.h>

#include <hvmem/cache.h>
#include "mrc_internal.h"

struct workqueue_struct *mrc_wq;

/*
 * The exclusive cache's stream: a get is a reference beyond the VM's memory,
 * whose distance is the pages put or got since the page was put; a put
 * makes the page the most recent without counting.
 */
static void mrc_cache_access(u32 vm_id, u64 page, bool get)
{
	struct mrc_ctx *ctx = mrc_vm_ctx_get(vm_id);

	if (!ctx)
		return;
	spin_lock_bh(&ctx->lock);
	if (get)
		mrc_access(&ctx->mrc, page);
	else
		mrc_touch(&ctx->mrc, page);
	spin_unlock_bh(&ctx->lock);
	mrc_ctx_put(ctx);
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
	mrc_vms_stop();
err_sysfs:
	mrc_sysfs_exit();
	mrc_vms_drop_all();
err_wq:
	destroy_workqueue(mrc_wq);
	return ret;
}

#if IS_ENABLED(CONFIG_KUNIT)
/* Test kernels only: widen the unload window in which sysfs writes race. */
static unsigned int test_exit_delay_ms;
module_param(test_exit_delay_ms, uint, 0600);
MODULE_PARM_DESC(test_exit_delay_ms, "Test only: delay in module unload before sysfs goes");
static void mrc_test_exit_delay(void)
{
	unsigned int ms = READ_ONCE(test_exit_delay_ms);

	if (ms)
		msleep(ms);
}
#else
static inline void mrc_test_exit_delay(void) { }
#endif

/*
 * Stop every source of new curves first (VM events, ioctls, then sysfs,
 * whose removal waits for writes in progress), and only then drop the
 * curves: a write of vms/<id>/enabled during unload could otherwise create
 * a curve, with a KVM page-track notifier and delayed work, after they
 * were dropped, pointing into the freed module.
 */
static void __exit hvmem_mrc_exit(void)
{
	hvmem_cache_observer_unregister(&mrc_cache_observer);
	mrc_vms_stop();
	mrc_test_exit_delay();
	mrc_sysfs_exit();
	mrc_vms_drop_all();
	/* Runs the frees queued by the last puts. */
	destroy_workqueue(mrc_wq);
}

module_init(hvmem_mrc_init);
module_exit(hvmem_mrc_exit);
MODULE_DESCRIPTION("hvmem: per-VM miss-rate curves");
MODULE_LICENSE("GPL");
