// SPDX-License-Identifier: GPL-2.0
/*
 * dm-swapres sysfs: /sys/kernel/mm/hvmem/swapres/<resv>/ counters and
 * /sys/kernel/mm/hvmem/swapres/<resv>/vms/<vm>/ per-VM counters.
 * See swapres/ABI/sysfs-kernel-mm-hvmem-swapres. Directories are created
 * and removed under swapres_mutex; a failure to create one only loses the
 * counters, never the device.
 */
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include <hvmem/hvmem.h>
#include "../uapi/hvmem.h"

#include "dm-swapres.h"

static struct kobject *swapres_kobj;

/* A directory's kobject; ->data points at the resv or VM it shows. */
struct swapres_kobj {
	struct kobject kobj;
	void *data;
};

static void swapres_kobj_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct swapres_kobj, kobj));
}

static void *kobj_data(struct kobject *kobj)
{
	return container_of(kobj, struct swapres_kobj, kobj)->data;
}

enum resv_field { R_BLOCK_SECTORS, R_NR_BLOCKS, R_ALLOCATED, R_FREE, R_COMMITTED,
		  R_OVERCOMMIT, R_ENOSPC, R_DEFERRED };

static ssize_t resv_show_field(struct kobject *kobj, char *buf, enum resv_field f)
{
	struct swapres_resv *resv = kobj_data(kobj);
	struct swapres_res *c = &resv->core;
	u64 v = 0;

	spin_lock_irq(&resv->lock);
	switch (f) {
	case R_BLOCK_SECTORS:
		v = resv->block_sectors;
		break;
	case R_NR_BLOCKS:
		v = c->nr_blocks;
		break;
	case R_ALLOCATED:
		v = c->root.allocated;
		break;
	case R_FREE:
		v = swapres_res_free_blocks(c);
		break;
	case R_COMMITTED:
		v = c->root.committed;
		break;
	case R_OVERCOMMIT:
		v = c->root.overcommit;
		break;
	case R_ENOSPC:
		v = c->enospc;
		break;
	case R_DEFERRED:
		v = c->nr_deferred;
		break;
	}
	spin_unlock_irq(&resv->lock);
	return sysfs_emit(buf, "%llu\n", v);
}

#define RESV_ATTR(_name, _f)						\
static ssize_t resv_##_name##_show(struct kobject *kobj,		\
				   struct kobj_attribute *attr, char *buf) \
{									\
	return resv_show_field(kobj, buf, _f);				\
}									\
static struct kobj_attribute resv_##_name##_attr =			\
	__ATTR(_name, 0444, resv_##_name##_show, NULL)

RESV_ATTR(block_sectors, R_BLOCK_SECTORS);
RESV_ATTR(nr_blocks, R_NR_BLOCKS);
RESV_ATTR(allocated, R_ALLOCATED);
RESV_ATTR(free, R_FREE);
RESV_ATTR(committed, R_COMMITTED);
RESV_ATTR(overcommit, R_OVERCOMMIT);
RESV_ATTR(enospc, R_ENOSPC);
RESV_ATTR(deferred, R_DEFERRED);

static struct attribute *resv_attrs[] = {
	&resv_block_sectors_attr.attr,
	&resv_nr_blocks_attr.attr,
	&resv_allocated_attr.attr,
	&resv_free_attr.attr,
	&resv_committed_attr.attr,
	&resv_overcommit_attr.attr,
	&resv_enospc_attr.attr,
	&resv_deferred_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(resv);

enum vm_field { V_ALLOCATED, V_MAX, V_NR_VBLOCKS, V_ENOSPC };

static ssize_t vm_show_field(struct kobject *kobj, char *buf, enum vm_field f)
{
	struct swapres_thin_vm *vm = kobj_data(kobj);
	u64 v = 0;

	spin_lock_irq(&vm->resv->lock);
	switch (f) {
	case V_ALLOCATED:
		v = vm->core.allocated;
		break;
	case V_MAX:
		v = vm->core.max;
		break;
	case V_NR_VBLOCKS:
		v = vm->core.nr_vblocks;
		break;
	case V_ENOSPC:
		v = vm->core.enospc;
		break;
	}
	spin_unlock_irq(&vm->resv->lock);
	return sysfs_emit(buf, "%llu\n", v);
}

#define VM_ATTR(_name, _f)						\
static ssize_t vm_##_name##_show(struct kobject *kobj,			\
				 struct kobj_attribute *attr, char *buf) \
{									\
	return vm_show_field(kobj, buf, _f);				\
}									\
static struct kobj_attribute vm_##_name##_attr =			\
	__ATTR(_name, 0444, vm_##_name##_show, NULL)

VM_ATTR(allocated, V_ALLOCATED);
VM_ATTR(max_blocks, V_MAX);
VM_ATTR(nr_vblocks, V_NR_VBLOCKS);
VM_ATTR(enospc, V_ENOSPC);

static ssize_t vm_pool_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	struct swapres_thin_vm *vm = kobj_data(kobj);

	return sysfs_emit(buf, "%s\n", vm->pool_name[0] ? vm->pool_name : "-");
}

static struct kobj_attribute vm_pool_attr = __ATTR(pool, 0444, vm_pool_show, NULL);

static struct attribute *vm_attrs[] = {
	&vm_allocated_attr.attr,
	&vm_max_blocks_attr.attr,
	&vm_nr_vblocks_attr.attr,
	&vm_enospc_attr.attr,
	&vm_pool_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(vm);

static const struct kobj_type resv_ktype = {
	.release = swapres_kobj_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = resv_groups,
};

static const struct kobj_type vm_ktype = {
	.release = swapres_kobj_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = vm_groups,
};

static struct kobject *add_dir(const struct kobj_type *ktype, struct kobject *parent,
			       const char *name, void *data)
{
	struct swapres_kobj *sk;

	if (!parent)
		return NULL;
	sk = kzalloc(sizeof(*sk), GFP_KERNEL);
	if (!sk)
		return NULL;
	sk->data = data;
	if (kobject_init_and_add(&sk->kobj, ktype, parent, "%s", name)) {
		kobject_put(&sk->kobj);
		pr_warn("swapres: cannot create sysfs directory %s\n", name);
		return NULL;
	}
	return &sk->kobj;
}

/**
 * swapres_sysfs_add_resv() - create a reservation's sysfs directory
 * @resv: reservation, its name set; called under swapres_mutex
 */
void swapres_sysfs_add_resv(struct swapres_resv *resv)
{
	lockdep_assert_held(&swapres_mutex);
	resv->kobj = add_dir(&resv_ktype, swapres_kobj, resv->name, resv);
	if (resv->kobj)
		resv->vms_kobj = kobject_create_and_add("vms", resv->kobj);
}

/**
 * swapres_sysfs_del_resv() - remove a reservation's sysfs directory
 * @resv: reservation; called under swapres_mutex
 */
void swapres_sysfs_del_resv(struct swapres_resv *resv)
{
	lockdep_assert_held(&swapres_mutex);
	kobject_put(resv->vms_kobj);
	resv->vms_kobj = NULL;
	if (resv->kobj) {
		kobject_del(resv->kobj);
		kobject_put(resv->kobj);
	}
	resv->kobj = NULL;
}

/**
 * swapres_sysfs_add_vm() - create a VM's directory under its reservation
 * @vm: VM; called under swapres_mutex
 */
void swapres_sysfs_add_vm(struct swapres_thin_vm *vm)
{
	lockdep_assert_held(&swapres_mutex);
	vm->kobj = add_dir(&vm_ktype, vm->resv->vms_kobj, vm->name, vm);
}

/**
 * swapres_sysfs_del_vm() - remove a VM's directory
 * @vm: VM; called under swapres_mutex
 */
void swapres_sysfs_del_vm(struct swapres_thin_vm *vm)
{
	lockdep_assert_held(&swapres_mutex);
	if (vm->kobj) {
		kobject_del(vm->kobj);
		kobject_put(vm->kobj);
	}
	vm->kobj = NULL;
}

/* dm-swapres serves no /dev/hvmem command: it only announces its feature bit. */
static struct hvmem_ioctl_ops swapres_feature_ops = {
	.feature = HVMEM_FEATURE_SWAPRES,
	.owner = THIS_MODULE,
};

/**
 * swapres_sysfs_init() - create /sys/kernel/mm/hvmem/swapres, and set
 *	HVMEM_FEATURE_SWAPRES in HVMEM_IOC_GET_VERSION's features
 *
 * Return: 0 or a negative errno.
 */
int swapres_sysfs_init(void)
{
	int ret;

	swapres_kobj = kobject_create_and_add("swapres", hvmem_sysfs_kobj());
	if (!swapres_kobj)
		return -ENOMEM;
	ret = hvmem_register_ioctls(&swapres_feature_ops);
	if (ret) {
		kobject_put(swapres_kobj);
		swapres_kobj = NULL;
	}
	return ret;
}

/**
 * swapres_sysfs_exit() - remove /sys/kernel/mm/hvmem/swapres
 */
void swapres_sysfs_exit(void)
{
	hvmem_unregister_ioctls(&swapres_feature_ops);
	kobject_put(swapres_kobj);
	swapres_kobj = NULL;
}
