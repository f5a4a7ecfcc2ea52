// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/mm/hvmem/share/: the scanner's knobs and counters. See
 * ABI/sysfs-kernel-mm-hvmem-share.
 */
#include <linux/kobject.h>
#include <linux/kstrtox.h>
#include <linux/sysfs.h>

#include <hvmem/hvmem.h>
#include "share_internal.h"

unsigned int share_pages_per_sec = 25600;	/* 100 MiB/s of 4 KiB pages */
unsigned int share_cpu_percent = 20;
unsigned int share_split_threshold = 64;
unsigned int share_scan_interval_ms;
unsigned int share_dry_run;
unsigned int share_auto_undo = 1;

static struct kobject *share_kobj;

static ssize_t share_store_uint(const char *buf, size_t count, unsigned int *val,
				unsigned int lo, unsigned int hi)
{
	unsigned int v;
	int ret = kstrtouint(buf, 0, &v);

	if (ret)
		return ret;
	if (v < lo || v > hi)
		return -EINVAL;
	WRITE_ONCE(*val, v);
	return count;
}

/* An unsigned knob kept in share_<name>, within [lo, hi]; @after on change. */
#define SHARE_UINT_ATTR(name, lo, hi, after)					\
static ssize_t name##_show(struct kobject *k, struct kobj_attribute *a, char *buf) \
{									\
	return sysfs_emit(buf, "%u\n", READ_ONCE(share_##name));	\
}									\
static ssize_t name##_store(struct kobject *k, struct kobj_attribute *a,	\
			    const char *buf, size_t count)		\
{									\
	ssize_t ret = share_store_uint(buf, count, &share_##name, lo, hi); \
									\
	if (ret > 0)							\
		after;							\
	return ret;							\
}									\
static struct kobj_attribute name##_attr = __ATTR_RW(name)

SHARE_UINT_ATTR(pages_per_sec, 0, UINT_MAX, (void)0);
SHARE_UINT_ATTR(cpu_percent, 1, 100, (void)0);
SHARE_UINT_ATTR(split_threshold, 1, SHARE_REGION_PAGES, share_mark_dirty());
SHARE_UINT_ATTR(scan_interval_ms, 0, 3600 * 1000, share_kick_scanner());
SHARE_UINT_ATTR(dry_run, 0, 1, (void)0);
SHARE_UINT_ATTR(auto_undo, 0, 1, (void)0);

static ssize_t pressure_free_pages_show(struct kobject *k, struct kobj_attribute *a,
					char *buf)
{
	return sysfs_emit(buf, "%lu\n", READ_ONCE(share_pressure_free_pages));
}

static ssize_t pressure_free_pages_store(struct kobject *k, struct kobj_attribute *a,
					 const char *buf, size_t count)
{
	unsigned long v;
	int ret = kstrtoul(buf, 0, &v);

	if (ret)
		return ret;
	WRITE_ONCE(share_pressure_free_pages, v);
	return count;
}

static struct kobj_attribute pressure_free_pages_attr = __ATTR_RW(pressure_free_pages);

static ssize_t pressure_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%d\n", share_under_pressure());
}

static struct kobj_attribute pressure_attr = __ATTR_RO(pressure);

static ssize_t pressure_threshold_pages_show(struct kobject *k, struct kobj_attribute *a,
					     char *buf)
{
	return sysfs_emit(buf, "%lu\n", share_pressure_threshold());
}

static struct kobj_attribute pressure_threshold_pages_attr =
	__ATTR_RO(pressure_threshold_pages);

static ssize_t scans_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&share_scans));
}

static struct kobj_attribute scans_attr = __ATTR_RO(scans);

static ssize_t pages_scanned_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&share_pages_scanned));
}

static struct kobj_attribute pages_scanned_attr = __ATTR_RO(pages_scanned);

static struct attribute *share_attrs[] = {
	&pages_per_sec_attr.attr,
	&cpu_percent_attr.attr,
	&split_threshold_attr.attr,
	&scan_interval_ms_attr.attr,
	&dry_run_attr.attr,
	&auto_undo_attr.attr,
	&pressure_free_pages_attr.attr,
	&pressure_attr.attr,
	&pressure_threshold_pages_attr.attr,
	&scans_attr.attr,
	&pages_scanned_attr.attr,
	NULL,
};

static const struct attribute_group share_group = {
	.attrs = share_attrs,
};

/**
 * share_sysfs_init() - create /sys/kernel/mm/hvmem/share
 *
 * Return: 0 or a negative errno.
 */
int share_sysfs_init(void)
{
	int ret;

	share_kobj = kobject_create_and_add("share", hvmem_sysfs_kobj());
	if (!share_kobj)
		return -ENOMEM;
	ret = sysfs_create_group(share_kobj, &share_group);
	if (ret) {
		kobject_put(share_kobj);
		share_kobj = NULL;
	}
	return ret;
}

/**
 * share_sysfs_exit() - remove it
 */
void share_sysfs_exit(void)
{
	kobject_put(share_kobj);
	share_kobj = NULL;
}
