// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/mm/hvmem/: the suite's sysfs root (see ABI/sysfs-kernel-mm-hvmem).
 *
 * mm_kobj (/sys/kernel/mm) is not exported to modules; its kernfs node is
 * found under kernel_kobj and the kobject read from it (sysfs directories
 * carry their kobject as kernfs private data). Should that ever fail, the
 * root falls back to /sys/kernel/hvmem and says so in the log.
 */
#include <linux/kernfs.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "hvmem_internal.h"

bool hvmem_enabled = true;
static struct kobject *hvmem_kobj;

/**
 * hvmem_sysfs_kobj() - the /sys/kernel/mm/hvmem kobject
 *
 * Sibling modules add their directories under it; it lives as long as
 * hvmem.ko, which they depend on.
 *
 * Return: the kobject.
 */
struct kobject *hvmem_sysfs_kobj(void)
{
	return hvmem_kobj;
}
EXPORT_SYMBOL_GPL(hvmem_sysfs_kobj);

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u.%u.%u\n", HVMEM_VERSION_MAJOR, HVMEM_VERSION_MINOR,
			  HVMEM_VERSION_PATCH);
}

static struct kobj_attribute version_attr = __ATTR_RO(version);

static ssize_t enabled_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(hvmem_enabled));
}

static ssize_t enabled_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	bool val;
	int ret = kstrtobool(buf, &val);

	if (ret)
		return ret;
	WRITE_ONCE(hvmem_enabled, val);
	return count;
}

static struct kobj_attribute enabled_attr = __ATTR_RW(enabled);

static ssize_t nr_vms_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", hvmem_registry_count());
}

static struct kobj_attribute nr_vms_attr = __ATTR_RO(nr_vms);

static struct attribute *hvmem_attrs[] = {
	&version_attr.attr,
	&enabled_attr.attr,
	&nr_vms_attr.attr,
	NULL,
};

static const struct attribute_group hvmem_attr_group = {
	.attrs = hvmem_attrs,
};

static struct kobject *hvmem_find_mm_kobj(void)
{
	struct kernfs_node *kn;
	struct kobject *kobj = NULL;

	kn = kernfs_find_and_get(kernel_kobj->sd, "mm");
	if (!kn)
		return NULL;
	if (kernfs_type(kn) == KERNFS_DIR && kn->priv)
		kobj = kobject_get(kn->priv);
	kernfs_put(kn);
	return kobj;
}

int hvmem_sysfs_init(void)
{
	struct kobject *parent = hvmem_find_mm_kobj();
	int ret;

	if (!parent) {
		pr_warn("/sys/kernel/mm not found, using /sys/kernel/hvmem\n");
		parent = kobject_get(kernel_kobj);
	}
	hvmem_kobj = kobject_create_and_add("hvmem", parent);
	kobject_put(parent);
	if (!hvmem_kobj)
		return -ENOMEM;
	ret = sysfs_create_group(hvmem_kobj, &hvmem_attr_group);
	if (ret) {
		kobject_put(hvmem_kobj);
		hvmem_kobj = NULL;
	}
	return ret;
}

void hvmem_sysfs_exit(void)
{
	sysfs_remove_group(hvmem_kobj, &hvmem_attr_group);
	kobject_put(hvmem_kobj);
}
