// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/mm/hvmem/cache/: the exclusive cache's counters and knobs
 * (see ABI/sysfs-kernel-mm-hvmem-cache). One value per file.
 */
#include <linux/kobject.h>
#include <linux/kstrtox.h>
#include <linux/stddef.h>
#include <linux/sysfs.h>

#include "hvmem_internal.h"
#include "cache_internal.h"

static struct kobject *hvmem_cache_kobj;

/* A read-only counter: its offset in struct hvmem_cache_snap. */
struct hvmem_cache_counter {
	struct kobj_attribute attr;
	size_t off;
};

static ssize_t hvmem_cache_counter_show(struct kobject *kobj, struct kobj_attribute *attr,
					char *buf)
{
	struct hvmem_cache_counter *c = container_of(attr, struct hvmem_cache_counter, attr);
	struct hvmem_cache_snap s;

	hvmem_cache_snapshot(&s);
	return sysfs_emit(buf, "%llu\n", *(u64 *)((char *)&s + c->off));
}

static struct hvmem_cache_counter hvmem_cache_counters[] = {
	{ __ATTR(puts, 0444, hvmem_cache_counter_show, NULL),
	  offsetof(struct hvmem_cache_snap, puts) },
	{ __ATTR(gets, 0444, hvmem_cache_counter_show, NULL),
	  offsetof(struct hvmem_cache_snap, gets) },
	{ __ATTR(hits, 0444, hvmem_cache_counter_show, NULL),
	  offsetof(struct hvmem_cache_snap, hits) },
	{ __ATTR(misses, 0444, hvmem_cache_counter_show, NULL),
	  offsetof(struct hvmem_cache_snap, misses) },
	{ __ATTR(evictions, 0444, hvmem_cache_counter_show, NULL),
	  offsetof(struct hvmem_cache_snap, evictions) },
	{ __ATTR(flushes, 0444, hvmem_cache_counter_show, NULL),
	  offsetof(struct hvmem_cache_snap, flushes) },
	{ __ATTR(dedup_saved_pages, 0444, hvmem_cache_counter_show, NULL),
	  offsetof(struct hvmem_cache_snap, dedup_saved_pages) },
	{ __ATTR(zero_pages, 0444, hvmem_cache_counter_show, NULL),
	  offsetof(struct hvmem_cache_snap, zero_pages) },
	{ __ATTR(used_pages, 0444, hvmem_cache_counter_show, NULL),
	  offsetof(struct hvmem_cache_snap, used_pages) },
};

static ssize_t reserve_pages_show(struct kobject *kobj, struct kobj_attribute *attr,
				  char *buf)
{
	struct hvmem_cache_snap s;

	hvmem_cache_snapshot(&s);
	return sysfs_emit(buf, "%llu\n", s.reserve_pages);
}

static ssize_t reserve_pages_store(struct kobject *kobj, struct kobj_attribute *attr,
				   const char *buf, size_t count)
{
	u64 val;
	int ret = kstrtou64(buf, 0, &val);

	if (ret)
		return ret;
	ret = hvmem_cache_set_reserve(val);
	return ret ? ret : count;
}

static struct kobj_attribute reserve_pages_attr = __ATTR_RW(reserve_pages);

static ssize_t dedup_cross_vm_show(struct kobject *kobj, struct kobj_attribute *attr,
				   char *buf)
{
	struct hvmem_cache_snap s;

	hvmem_cache_snapshot(&s);
	return sysfs_emit(buf, "%d\n", s.dedup_cross_vm);
}

static ssize_t dedup_cross_vm_store(struct kobject *kobj, struct kobj_attribute *attr,
				    const char *buf, size_t count)
{
	bool val;
	int ret = kstrtobool(buf, &val);

	if (ret)
		return ret;
	hvmem_cache_set_cross_vm(val);
	return count;
}

static struct kobj_attribute dedup_cross_vm_attr = __ATTR_RW(dedup_cross_vm);

static struct attribute *hvmem_cache_attrs[] = {
	&hvmem_cache_counters[0].attr.attr,
	&hvmem_cache_counters[1].attr.attr,
	&hvmem_cache_counters[2].attr.attr,
	&hvmem_cache_counters[3].attr.attr,
	&hvmem_cache_counters[4].attr.attr,
	&hvmem_cache_counters[5].attr.attr,
	&hvmem_cache_counters[6].attr.attr,
	&hvmem_cache_counters[7].attr.attr,
	&hvmem_cache_counters[8].attr.attr,
	&reserve_pages_attr.attr,
	&dedup_cross_vm_attr.attr,
	NULL,
};

static_assert(ARRAY_SIZE(hvmem_cache_counters) == 9);

static const struct attribute_group hvmem_cache_group = {
	.attrs = hvmem_cache_attrs,
};

int hvmem_cache_sysfs_init(void)
{
	int ret;

	hvmem_cache_kobj = kobject_create_and_add("cache", hvmem_sysfs_kobj());
	if (!hvmem_cache_kobj)
		return -ENOMEM;
	ret = sysfs_create_group(hvmem_cache_kobj, &hvmem_cache_group);
	if (ret) {
		kobject_put(hvmem_cache_kobj);
		hvmem_cache_kobj = NULL;
	}
	return ret;
}

void hvmem_cache_sysfs_exit(void)
{
	if (!hvmem_cache_kobj)
		return;
	sysfs_remove_group(hvmem_cache_kobj, &hvmem_cache_group);
	kobject_put(hvmem_cache_kobj);
	hvmem_cache_kobj = NULL;
}
