// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/mm/hvmem/mrc: defaults of new curves, and per bound VM
 * vms/<id>/{enabled,write_traps,write_tracked}. Documented in ABI/sysfs-kernel-mm-hvmem-mrc.
 */
#include <linux/kobject.h>
#include <linux/mutex.h>
#include <linux/sysfs.h>
#include <linux/xarray.h>

#include <hvmem/hvmem.h>
#include "../uapi/hvmem.h"
#include "mrc_internal.h"

unsigned int mrc_default_s_max = MRC_S_MAX_DEFAULT;
unsigned int mrc_default_rate_ppm = 1000000;
unsigned int mrc_default_near = MRC_NEAR_DEFAULT;
bool mrc_auto_enable = true;
bool mrc_write_track;
unsigned int mrc_untrace_ms = 100;
/*
 * 1% of a write-tracked VM's 2 MiB regions: 1% of its huge mappings lost,
 * and 1% of the trap cost of tracking every gfn (README: Write tracking).
 */
unsigned int mrc_write_track_rate_ppm = 10000;

static struct kobject *mrc_kobj, *mrc_vms_kobj;
/* VM id -> its kobject under vms/ */
static DEFINE_XARRAY(mrc_vm_kobjs);
static DEFINE_MUTEX(mrc_sysfs_mutex);

/**
 * mrc_default_threshold() - sampling threshold of new curves
 *
 * Return: rate_ppm as a threshold.
 */
u64 mrc_default_threshold(void)
{
	return mrc_rate_threshold(READ_ONCE(mrc_default_rate_ppm), 1000000);
}

/**
 * mrc_write_track_threshold() - sampling threshold of write-tracked curves
 *
 * Return: the lower of rate_ppm and write_track_rate_ppm, as a threshold.
 */
u64 mrc_write_track_threshold(void)
{
	return min(mrc_default_threshold(),
		   mrc_rate_threshold(READ_ONCE(mrc_write_track_rate_ppm), 1000000));
}

static ssize_t s_max_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(mrc_default_s_max));
}

static ssize_t s_max_store(struct kobject *kobj, struct kobj_attribute *attr,
			   const char *buf, size_t count)
{
	unsigned int v;
	int ret = kstrtouint(buf, 0, &v);

	if (ret)
		return ret;
	if (!v || v > HVMEM_MRC_SMAX_MAX)
		return -EINVAL;
	WRITE_ONCE(mrc_default_s_max, v);
	return count;
}

static struct kobj_attribute s_max_attr = __ATTR_RW(s_max);

static ssize_t rate_ppm_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(mrc_default_rate_ppm));
}

/* A rate in parts per million, 1 .. 1000000, into @ppm. */
static ssize_t mrc_store_ppm(unsigned int *ppm, const char *buf, size_t count)
{
	unsigned int v;
	int ret = kstrtouint(buf, 0, &v);

	if (ret)
		return ret;
	if (!v || v > 1000000)
		return -EINVAL;
	WRITE_ONCE(*ppm, v);
	return count;
}

static ssize_t rate_ppm_store(struct kobject *kobj, struct kobj_attribute *attr,
			      const char *buf, size_t count)
{
	return mrc_store_ppm(&mrc_default_rate_ppm, buf, count);
}

static struct kobj_attribute rate_ppm_attr = __ATTR_RW(rate_ppm);

static ssize_t write_track_rate_ppm_show(struct kobject *kobj, struct kobj_attribute *attr,
					 char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(mrc_write_track_rate_ppm));
}

static ssize_t write_track_rate_ppm_store(struct kobject *kobj, struct kobj_attribute *attr,
					  const char *buf, size_t count)
{
	return mrc_store_ppm(&mrc_write_track_rate_ppm, buf, count);
}

static struct kobj_attribute write_track_rate_ppm_attr = __ATTR_RW(write_track_rate_ppm);

static ssize_t near_pages_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(mrc_default_near));
}

static ssize_t near_pages_store(struct kobject *kobj, struct kobj_attribute *attr,
				const char *buf, size_t count)
{
	unsigned int v;
	int ret = kstrtouint(buf, 0, &v);

	if (ret)
		return ret;
	if (v > HVMEM_MRC_NEAR_MAX)
		return -EINVAL;
	WRITE_ONCE(mrc_default_near, v);
	return count;
}

static struct kobj_attribute near_pages_attr = __ATTR_RW(near_pages);

static ssize_t auto_enable_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(mrc_auto_enable));
}

static ssize_t auto_enable_store(struct kobject *kobj, struct kobj_attribute *attr,
				 const char *buf, size_t count)
{
	bool v;
	int ret = kstrtobool(buf, &v);

	if (ret)
		return ret;
	WRITE_ONCE(mrc_auto_enable, v);
	return count;
}

static struct kobj_attribute auto_enable_attr = __ATTR_RW(auto_enable);

static ssize_t write_track_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(mrc_write_track));
}

static ssize_t write_track_store(struct kobject *kobj, struct kobj_attribute *attr,
				 const char *buf, size_t count)
{
	bool v;
	int ret = kstrtobool(buf, &v);

	if (ret)
		return ret;
	/* each off -> on: the operator must know what it can do to a guest */
	if (v && !READ_ONCE(mrc_write_track))
		pr_warn("hvmem_mrc: write tracking on: a 64-bit guest stops when its FXSAVE/XSAVE hits a tracked page (KVM cannot emulate them)\n");
	WRITE_ONCE(mrc_write_track, v);
	return count;
}

static struct kobj_attribute write_track_attr = __ATTR_RW(write_track);

static ssize_t untrace_ms_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(mrc_untrace_ms));
}

static ssize_t untrace_ms_store(struct kobject *kobj, struct kobj_attribute *attr,
				const char *buf, size_t count)
{
	unsigned int v;
	int ret = kstrtouint(buf, 0, &v);

	if (ret)
		return ret;
	if (v > 60000)
		return -EINVAL;
	WRITE_ONCE(mrc_untrace_ms, v);
	return count;
}

static struct kobj_attribute untrace_ms_attr = __ATTR_RW(untrace_ms);

static struct attribute *mrc_attrs[] = {
	&s_max_attr.attr,
	&rate_ppm_attr.attr,
	&near_pages_attr.attr,
	&auto_enable_attr.attr,
	&write_track_attr.attr,
	&untrace_ms_attr.attr,
	&write_track_rate_ppm_attr.attr,
	NULL,
};

static const struct attribute_group mrc_group = {
	.attrs = mrc_attrs,
};

static int mrc_kobj_vm_id(struct kobject *kobj, u32 *id)
{
	return kstrtou32(kobject_name(kobj), 10, id);
}

static ssize_t enabled_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	u32 id;
	int ret = mrc_kobj_vm_id(kobj, &id);

	if (ret)
		return ret;
	return sysfs_emit(buf, "%d\n", mrc_vm_enabled(id));
}

static ssize_t enabled_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	bool v;
	u32 id;
	int ret = kstrtobool(buf, &v);

	if (!ret)
		ret = mrc_kobj_vm_id(kobj, &id);
	if (ret)
		return ret;
	if (v) {
		ret = mrc_vm_enable(id);
		if (ret)
			return ret;
	} else {
		mrc_vm_disable(id);
	}
	return count;
}

static struct kobj_attribute enabled_attr = __ATTR_RW(enabled);

static ssize_t write_traps_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	u64 traps;
	u32 id;
	int ret = mrc_kobj_vm_id(kobj, &id);

	if (!ret)
		ret = mrc_vm_write_traps(id, &traps, NULL);
	if (ret)
		return ret;
	return sysfs_emit(buf, "%llu\n", traps);
}

static struct kobj_attribute write_traps_attr = __ATTR_RO(write_traps);

static ssize_t write_tracked_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	u64 traps, tracked;
	u32 id;
	int ret = mrc_kobj_vm_id(kobj, &id);

	if (!ret)
		ret = mrc_vm_write_traps(id, &traps, &tracked);
	if (ret)
		return ret;
	return sysfs_emit(buf, "%llu\n", tracked);
}

static struct kobj_attribute write_tracked_attr = __ATTR_RO(write_tracked);

static struct attribute *mrc_vm_attrs[] = {
	&enabled_attr.attr,
	&write_traps_attr.attr,
	&write_tracked_attr.attr,
	NULL,
};

static const struct attribute_group mrc_vm_group = {
	.attrs = mrc_vm_attrs,
};

/**
 * mrc_sysfs_add_vm() - create vms/<id>/enabled for a VM
 * @vm_id: the VM
 *
 * Return: 0 or a negative errno.
 */
int mrc_sysfs_add_vm(u32 vm_id)
{
	struct kobject *kobj;
	char name[16];
	int ret;

	snprintf(name, sizeof(name), "%u", vm_id);
	mutex_lock(&mrc_sysfs_mutex);
	kobj = kobject_create_and_add(name, mrc_vms_kobj);
	if (!kobj) {
		ret = -ENOMEM;
		goto out;
	}
	ret = sysfs_create_group(kobj, &mrc_vm_group);
	if (!ret)
		ret = xa_err(xa_store(&mrc_vm_kobjs, vm_id, kobj, GFP_KERNEL));
	if (ret)
		kobject_put(kobj);
out:
	mutex_unlock(&mrc_sysfs_mutex);
	return ret;
}

/**
 * mrc_sysfs_remove_vm() - remove a VM's directory
 * @vm_id: the VM; nothing happens if it has none
 *
 * Waits for reads and writes of its files in progress to finish.
 */
void mrc_sysfs_remove_vm(u32 vm_id)
{
	struct kobject *kobj;

	mutex_lock(&mrc_sysfs_mutex);
	kobj = xa_erase(&mrc_vm_kobjs, vm_id);
	mutex_unlock(&mrc_sysfs_mutex);
	kobject_put(kobj);
}

/**
 * mrc_sysfs_init() - create /sys/kernel/mm/hvmem/mrc
 *
 * Return: 0 or a negative errno.
 */
int mrc_sysfs_init(void)
{
	int ret;

	mrc_kobj = kobject_create_and_add("mrc", hvmem_sysfs_kobj());
	if (!mrc_kobj)
		return -ENOMEM;
	ret = sysfs_create_group(mrc_kobj, &mrc_group);
	if (ret)
		goto err;
	mrc_vms_kobj = kobject_create_and_add("vms", mrc_kobj);
	if (!mrc_vms_kobj) {
		ret = -ENOMEM;
		goto err;
	}
	return 0;
err:
	kobject_put(mrc_kobj);
	return ret;
}

/**
 * mrc_sysfs_exit() - remove /sys/kernel/mm/hvmem/mrc and the VM directories
 */
void mrc_sysfs_exit(void)
{
	struct kobject *kobj;
	unsigned long id;

	xa_for_each(&mrc_vm_kobjs, id, kobj)
		mrc_sysfs_remove_vm(id);
	xa_destroy(&mrc_vm_kobjs);
	kobject_put(mrc_vms_kobj);
	kobject_put(mrc_kobj);
}
