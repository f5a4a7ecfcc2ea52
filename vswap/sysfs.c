// SPDX-License-Identifier: GPL-2.0
/*
 * Counters of an hvswap device: /sys/block/hvswapN/hvswap/, one value per
 * file (documented in vswap/ABI/sysfs-block-hvswap). They go away with the
 * gendisk, before the device is freed.
 */
#include <linux/blkdev.h>
#include <linux/device.h>
#include <linux/kdev_t.h>
#include <linux/sysfs.h>

#include "vswap.h"

static struct vswap_dev *vswap_of(struct device *dev)
{
	return dev_to_disk(dev)->private_data;
}

static ssize_t stored_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	s64 n = hvmem_cache_pool_pages(vswap_of(dev)->pool_id);

	return sysfs_emit(buf, "%lld\n", n < 0 ? 0 : n);
}
static DEVICE_ATTR_RO(stored);

static ssize_t vm_id_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", vswap_of(dev)->vm_id);
}
static DEVICE_ATTR_RO(vm_id);

static ssize_t pool_id_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", vswap_of(dev)->pool_id);
}
static DEVICE_ATTR_RO(pool_id);

static ssize_t dead_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(vswap_of(dev)->dead));
}
static DEVICE_ATTR_RO(dead);

static ssize_t backing_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct vswap_dev *d = vswap_of(dev);
	dev_t bd;

	if (!d->backing)
		return sysfs_emit(buf, "none\n");
	bd = file_bdev(d->backing)->bd_dev;
	return sysfs_emit(buf, "%u:%u\n", MAJOR(bd), MINOR(bd));
}
static DEVICE_ATTR_RO(backing);

#define VSWAP_STAT_ATTR(name, stat)						\
static ssize_t name##_show(struct device *dev, struct device_attribute *attr,	\
			   char *buf)						\
{										\
	return sysfs_emit(buf, "%llu\n", vswap_stat(vswap_of(dev), stat));	\
}										\
static DEVICE_ATTR_RO(name)

VSWAP_STAT_ATTR(zero, VSWAP_STAT_ZERO);
VSWAP_STAT_ATTR(deduplicated, VSWAP_STAT_DEDUP);
VSWAP_STAT_ATTR(evicted, VSWAP_STAT_EVICTED);
VSWAP_STAT_ATTR(written_back, VSWAP_STAT_WRITTEN_BACK);
VSWAP_STAT_ATTR(backing_reads, VSWAP_STAT_BACKING_READS);
VSWAP_STAT_ATTR(failed, VSWAP_STAT_FAILED);
VSWAP_STAT_ATTR(reads, VSWAP_STAT_READS);
VSWAP_STAT_ATTR(writes, VSWAP_STAT_WRITES);
VSWAP_STAT_ATTR(discarded, VSWAP_STAT_DISCARDED);
VSWAP_STAT_ATTR(freed, VSWAP_STAT_FREED);
VSWAP_STAT_ATTR(inline_bios, VSWAP_STAT_INLINE);
VSWAP_STAT_ATTR(deferred_bios, VSWAP_STAT_DEFERRED);

static struct attribute *vswap_attrs[] = {
	&dev_attr_stored.attr,
	&dev_attr_zero.attr,
	&dev_attr_deduplicated.attr,
	&dev_attr_evicted.attr,
	&dev_attr_written_back.attr,
	&dev_attr_backing_reads.attr,
	&dev_attr_failed.attr,
	&dev_attr_reads.attr,
	&dev_attr_writes.attr,
	&dev_attr_discarded.attr,
	&dev_attr_freed.attr,
	&dev_attr_inline_bios.attr,
	&dev_attr_deferred_bios.attr,
	&dev_attr_vm_id.attr,
	&dev_attr_pool_id.attr,
	&dev_attr_dead.attr,
	&dev_attr_backing.attr,
	NULL,
};

static const struct attribute_group vswap_group = {
	.name = VSWAP_NAME,
	.attrs = vswap_attrs,
};

const struct attribute_group *vswap_disk_groups[] = {
	&vswap_group,
	NULL,
};
