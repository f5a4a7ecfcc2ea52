// SPDX-License-Identifier: GPL-2.0
/*
 * hvmem_share.ko: sharing inside large pages. Scans the memory of bound
 * VMs at 4 KiB grain (scan.c), and estimates what merging identical pages
 * would reclaim with no huge page split, with every huge page split, and
 * with only the huge pages worth it split (share_core.c, vms.c). Commands
 * 0x40 - 0x4f on /dev/hvmem; knobs in /sys/kernel/mm/hvmem/share/.
 *
 * A kthread rescans every VM each scan_interval_ms (0: only on request).
 */
#include <linux/capability.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include <hvmem/hvmem.h>
#include "../uapi/hvmem.h"
#include "share_internal.h"
#define CREATE_TRACE_POINTS
#include "share_trace.h"

static_assert(sizeof(struct hvmem_share_scan) == HVMEM_SHARE_SCAN_SIZE_VER0);
static_assert(sizeof(struct hvmem_share_stats) == HVMEM_SHARE_STATS_SIZE_VER0);
static_assert(sizeof(struct hvmem_share_region) == HVMEM_SHARE_REGION_SIZE_VER0);
static_assert(sizeof(struct hvmem_share_regions) == HVMEM_SHARE_REGIONS_SIZE_VER0);
static_assert(sizeof(struct hvmem_share_vm) == HVMEM_SHARE_VM_SIZE_VER0);

static struct task_struct *share_thread;
static DECLARE_WAIT_QUEUE_HEAD(share_wait);
static bool share_kicked;

/**
 * share_kick_scanner() - the scan interval changed: the kthread rereads it
 */
void share_kick_scanner(void)
{
	WRITE_ONCE(share_kicked, true);
	wake_up(&share_wait);
}

static int share_thread_fn(void *unused)
{
	int ret;

	while (!kthread_should_stop()) {
		unsigned int ms = READ_ONCE(share_scan_interval_ms);

		WRITE_ONCE(share_kicked, false);
		if (ms)
			wait_event_interruptible_timeout(share_wait, kthread_should_stop() ||
							 READ_ONCE(share_kicked),
							 msecs_to_jiffies(ms));
		else
			wait_event_interruptible(share_wait, kthread_should_stop() ||
						 READ_ONCE(share_kicked));
		if (kthread_should_stop() || READ_ONCE(share_kicked) ||
		    !READ_ONCE(share_scan_interval_ms))
			continue;
		ret = share_scan_all();
		if (ret && ret != -EINTR)
			pr_warn_ratelimited("hvmem_share: background scan: %d\n", ret);
	}
	return 0;
}

static long share_ioc_scan(struct file *file, unsigned int cmd, void __user *uarg)
{
	struct hvmem_share_scan a;
	u64 t0, before;
	int ret;

	ret = hvmem_copy_arg_from_user(&a, sizeof(a), HVMEM_SHARE_SCAN_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if ((a.flags & ~HVMEM_SHARE_SCAN_FLAGS) || a.reserved)
		return -EINVAL;
	if (!!(a.flags & HVMEM_SHARE_SCAN_ALL) == !!a.vm_id)
		return -EINVAL;
	t0 = ktime_get_ns();
	before = atomic64_read(&share_pages_scanned);
	ret = a.vm_id ? share_vm_scan(a.vm_id) : share_scan_all();
	if (ret)
		return ret;
	a.pages = atomic64_read(&share_pages_scanned) - before;
	a.elapsed_ns = ktime_get_ns() - t0;
	return hvmem_copy_arg_to_user(uarg, &a, sizeof(a));
}

static long share_ioc_stats(struct file *file, unsigned int cmd, void __user *uarg)
{
	struct hvmem_share_stats a;
	struct share_est e;
	bool cross;
	u64 scans;
	int ret;

	ret = hvmem_copy_arg_from_user(&a, sizeof(a), HVMEM_SHARE_STATS_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if (a.flags)
		return -EINVAL;
	ret = share_stats(a.vm_id, &e, &scans, &cross);
	if (ret)
		return ret;
	a.cross_vm = cross;
	a.pages = e.pages;
	a.dup_pages = e.dup;
	a.zero_pages = e.zero;
	a.regions = e.regions;
	a.thp_regions = e.thp_regions;
	a.policy_regions = e.policy_regions;
	a.reclaim_small = e.small;
	a.reclaim_split = e.split;
	a.reclaim_policy = e.policy;
	a.scans = scans;
	a.progress = atomic64_read(&share_progress);
	a.progress_total = atomic64_read(&share_progress_total);
	return hvmem_copy_arg_to_user(uarg, &a, sizeof(a));
}

static long share_ioc_regions(struct file *file, unsigned int cmd, void __user *uarg)
{
	struct hvmem_share_region *out;
	struct share_region *r;
	struct hvmem_share_regions a;
	u32 i, count, total;
	int ret;

	ret = hvmem_copy_arg_from_user(&a, sizeof(a), HVMEM_SHARE_REGIONS_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if (a.flags || hvmem_check_entry_size(a.entry_size, HVMEM_SHARE_REGION_SIZE_VER0))
		return -EINVAL;
	if (a.count > HVMEM_SHARE_REGIONS_MAX)
		return -E2BIG;
	count = a.count;
	r = kvmalloc_array(max(count, 1U), sizeof(*r), GFP_KERNEL);
	out = kvmalloc_array(max(count, 1U), sizeof(*out), GFP_KERNEL);
	ret = -ENOMEM;
	if (!r || !out)
		goto out;
	ret = share_regions_top(a.vm_id, r, &count, &total);
	if (ret)
		goto out;
	for (i = 0; i < count; i++) {
		out[i] = (struct hvmem_share_region) {
			.start = r[i].start, .present = r[i].present, .dup = r[i].dup,
			.zero = r[i].zero,
			.flags = ((r[i].flags & SHARE_REGION_THP) ? HVMEM_SHARE_REGION_THP : 0) |
				 ((r[i].flags & SHARE_REGION_POLICY) ?
				  HVMEM_SHARE_REGION_POLICY : 0),
		};
	}
	for (i = 0; i < count; i++) {
		ret = hvmem_copy_entry_to_user((u8 __user *)u64_to_user_ptr(a.regions) +
					       (size_t)i * a.entry_size, a.entry_size,
					       &out[i], sizeof(*out));
		if (ret)
			goto out;
	}
	a.count = count;
	a.total = total;
	ret = hvmem_copy_arg_to_user(uarg, &a, sizeof(a));
out:
	kvfree(r);
	kvfree(out);
	return ret;
}

static long share_ioc_vm_set(struct file *file, unsigned int cmd, void __user *uarg)
{
	struct hvmem_share_vm a;
	int ret;

	ret = hvmem_copy_arg_from_user(&a, sizeof(a), HVMEM_SHARE_VM_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if ((a.flags & ~HVMEM_SHARE_VM_FLAGS) || a.reserved)
		return -EINVAL;
	return share_vm_set(a.vm_id, a.flags & HVMEM_SHARE_VM_CROSS);
}

static const struct hvmem_ioctl_cmd share_cmds[] = {
	{ HVMEM_IOC_SHARE_SCAN, true, share_ioc_scan },
	{ HVMEM_IOC_SHARE_STATS, true, share_ioc_stats },
	{ HVMEM_IOC_SHARE_REGIONS, true, share_ioc_regions },
	{ HVMEM_IOC_SHARE_VM_SET, true, share_ioc_vm_set },
};

static long share_ioctl(struct file *file, unsigned int cmd, void __user *uarg)
{
	return hvmem_ioctl_dispatch(share_cmds, ARRAY_SIZE(share_cmds), file, cmd, uarg);
}

static u64 share_check_extension(u32 cap)
{
	return cap == HVMEM_CAP_SHARE_REGIONS_MAX ? HVMEM_SHARE_REGIONS_MAX : 0;
}

static struct hvmem_ioctl_ops share_ioctl_ops = {
	.first_nr = HVMEM_NR_SHARE_FIRST,
	.last_nr = HVMEM_NR_SHARE_LAST,
	.ioctl = share_ioctl,
	.feature = HVMEM_FEATURE_SHARE,
	.check_extension = share_check_extension,
	.owner = THIS_MODULE,
};

static int share_vm_event(struct notifier_block *nb, unsigned long ev, void *data)
{
	u32 id = hvmem_vm_id(data);

	if (ev == HVMEM_VM_EVENT_BIND)
		share_vm_seen(id);
	else if (ev == HVMEM_VM_EVENT_UNBIND)
		share_vm_remove(id);
	return NOTIFY_OK;
}

static struct notifier_block share_vm_nb = {
	.notifier_call = share_vm_event,
};

static int __init hvmem_share_init(void)
{
	int ret;

	ret = share_sysfs_init();
	if (ret)
		return ret;
	ret = hvmem_register_vm_notifier(&share_vm_nb);
	if (ret)
		goto err_sysfs;
	ret = hvmem_register_ioctls(&share_ioctl_ops);
	if (ret)
		goto err_nb;
	share_thread = kthread_run(share_thread_fn, NULL, "hvmem_share");
	if (IS_ERR(share_thread)) {
		ret = PTR_ERR(share_thread);
		goto err_ioctls;
	}
	return 0;
err_ioctls:
	hvmem_unregister_ioctls(&share_ioctl_ops);
err_nb:
	hvmem_unregister_vm_notifier(&share_vm_nb);
err_sysfs:
	share_sysfs_exit();
	share_vms_exit();
	return ret;
}

static void __exit hvmem_share_exit(void)
{
	kthread_stop(share_thread);
	hvmem_unregister_ioctls(&share_ioctl_ops);
	hvmem_unregister_vm_notifier(&share_vm_nb);
	share_sysfs_exit();
	share_vms_exit();
}

module_init(hvmem_share_init);
module_exit(hvmem_share_exit);
MODULE_DESCRIPTION("hvmem: sharing inside large pages, estimate and selective split");
MODULE_LICENSE("GPL");
