// SPDX-License-Identifier: GPL-2.0
/*
 * hvmem.ko: memory-overcommit machinery for KVM hosts.
 *
 * Module init and exit, and the /dev/hvmem misc device. The VM registry is
 * in registry.c and vm.c, the ioctls in ioctl.c, sysfs in sysfs.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include "hvmem_internal.h"
#include "cache_internal.h"

#define CREATE_TRACE_POINTS
#include "hvmem_trace.h"

static const struct file_operations hvmem_fops = {
	.owner		= THIS_MODULE,
	.open		= nonseekable_open,
	.unlocked_ioctl	= hvmem_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

/* 0666: GET_VERSION is for everyone; control commands check CAP_SYS_ADMIN. */
static struct miscdevice hvmem_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= HVMEM_DEVICE_NAME,
	.fops	= &hvmem_fops,
	.mode	= 0666,
};

static int __init hvmem_init(void)
{
	int ret;

	ret = hvmem_vm_init();
	if (ret)
		return ret;
	ret = hvmem_sysfs_init();
	if (ret)
		goto err_vm;
	ret = hvmem_cache_init();
	if (ret)
		goto err_sysfs;
	ret = misc_register(&hvmem_misc);
	if (ret)
		goto err_cache;
	pr_info("version %u.%u.%u loaded\n", HVMEM_VERSION_MAJOR, HVMEM_VERSION_MINOR,
		HVMEM_VERSION_PATCH);
	return 0;

err_cache:
	hvmem_cache_exit();
err_sysfs:
	hvmem_sysfs_exit();
err_vm:
	hvmem_vm_exit();
	return ret;
}

static void __exit hvmem_exit(void)
{
	/* No new opens or ioctls once the device is gone; running ones pin us. */
	misc_deregister(&hvmem_misc);
	hvmem_vm_exit();
	hvmem_cache_exit();	/* after the UNBIND events dropped every pool */
	hvmem_sysfs_exit();
}

module_init(hvmem_init);
module_exit(hvmem_exit);

MODULE_DESCRIPTION("hvmem: memory-overcommit machinery for KVM hosts");
MODULE_AUTHOR("The hvmem developers");
MODULE_LICENSE("GPL");
