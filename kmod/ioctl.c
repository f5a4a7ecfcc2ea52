// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/hvmem ioctls: the core commands (0x00-0x0f) and dispatch of the
 * ranges that sibling modules register. See uapi/hvmem.h for the ABI.
 */
#include <linux/bitops.h>
#include <linux/capability.h>
#include <linux/module.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "hvmem_internal.h"

/* The published first sizes match the structs (they only grow later). */
static_assert(sizeof(struct hvmem_version) == HVMEM_VERSION_SIZE_VER0);
static_assert(sizeof(struct hvmem_vm_bind) == HVMEM_VM_BIND_SIZE_VER0);
static_assert(sizeof(struct hvmem_vm_unbind) == HVMEM_VM_UNBIND_SIZE_VER0);
static_assert(sizeof(struct hvmem_vm_info) == HVMEM_VM_INFO_SIZE_VER0);
static_assert(sizeof(struct hvmem_vm_list) == HVMEM_VM_LIST_SIZE_VER0);
static_assert(sizeof(struct hvmem_check_extension) == HVMEM_CHECK_EXTENSION_SIZE_VER0);

static LIST_HEAD(hvmem_ioctl_ranges);
static DECLARE_RWSEM(hvmem_ioctl_lock);

/* A registration that serves no command, only announces its feature. */
static bool hvmem_ops_feature_only(const struct hvmem_ioctl_ops *ops)
{
	return !ops->ioctl && !ops->first_nr && !ops->last_nr;
}

/**
 * hvmem_register_ioctls() - serve a range of /dev/hvmem commands
 * @ops: the range, its handler, feature bit and capabilities; must stay
 *	valid until unregistered
 *
 * Return: 0, -EINVAL (bad range, the core's, or not exactly one feature
 * bit), -EBUSY (overlaps a range, or reuses a feature bit, already
 * registered).
 */
int hvmem_register_ioctls(struct hvmem_ioctl_ops *ops)
{
	struct hvmem_ioctl_ops *o;
	int ret = 0;

	if (hweight64(ops->feature) != 1 || (ops->feature & HVMEM_FEATURE_VM_REGISTRY))
		return -EINVAL;
	if (!hvmem_ops_feature_only(ops) &&
	    (!ops->ioctl || ops->first_nr > ops->last_nr || ops->last_nr > _IOC_NRMASK ||
	     ops->first_nr <= HVMEM_NR_CORE_LAST))
		return -EINVAL;
	down_write(&hvmem_ioctl_lock);
	list_for_each_entry(o, &hvmem_ioctl_ranges, node) {
		if ((o->feature & ops->feature) ||
		    (!hvmem_ops_feature_only(ops) && !hvmem_ops_feature_only(o) &&
		     ops->first_nr <= o->last_nr && o->first_nr <= ops->last_nr)) {
			ret = -EBUSY;
			goto out;
		}
	}
	list_add_tail(&ops->node, &hvmem_ioctl_ranges);
out:
	up_write(&hvmem_ioctl_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(hvmem_register_ioctls);

/**
 * hvmem_unregister_ioctls() - stop serving a range
 * @ops: as passed to hvmem_register_ioctls()
 *
 * Calls already running keep their module reference and finish.
 */
void hvmem_unregister_ioctls(struct hvmem_ioctl_ops *ops)
{
	down_write(&hvmem_ioctl_lock);
	list_del(&ops->node);
	up_write(&hvmem_ioctl_lock);
}
EXPORT_SYMBOL_GPL(hvmem_unregister_ioctls);

static long hvmem_ioctl_ext(struct file *file, unsigned int cmd, void __user *uarg)
{
	long (*fn)(struct file *file, unsigned int cmd, void __user *uarg) = NULL;
	unsigned int nr = _IOC_NR(cmd);
	struct module *owner = NULL;
	struct hvmem_ioctl_ops *o;
	long ret;

	down_read(&hvmem_ioctl_lock);
	list_for_each_entry(o, &hvmem_ioctl_ranges, node) {
		if (!hvmem_ops_feature_only(o) && nr >= o->first_nr && nr <= o->last_nr &&
		    try_module_get(o->owner)) {
			fn = o->ioctl;
			owner = o->owner;
			break;
		}
	}
	up_read(&hvmem_ioctl_lock);
	if (!fn)
		return -ENOTTY;
	ret = fn(file, cmd, uarg);
	module_put(owner);
	return ret;
}

/**
 * hvmem_ioctl_dispatch() - run a command from a module's table
 * @cmds: the module's commands
 * @n: entries in @cmds
 * @file: the open device
 * @cmd: the command as the caller issued it
 * @uarg: user pointer to its argument
 *
 * Finds the entry of the same type, number and direction (the size the
 * command encodes is not compared: the struct's size field rules), checks
 * CAP_SYS_ADMIN for an admin command, and runs it.
 *
 * Return: -ENOTTY (no such command), -EPERM (not privileged), else the
 * handler's result.
 */
long hvmem_ioctl_dispatch(const struct hvmem_ioctl_cmd *cmds, unsigned int n,
			  struct file *file, unsigned int cmd, void __user *uarg)
{
	unsigned int i;

	if (_IOC_TYPE(cmd) != HVMEM_IOCTL_MAGIC)
		return -ENOTTY;
	for (i = 0; i < n; i++) {
		if (_IOC_NR(cmds[i].cmd) != _IOC_NR(cmd))
			continue;
		if (_IOC_DIR(cmds[i].cmd) != _IOC_DIR(cmd))
			return -ENOTTY;
		if (cmds[i].admin && !capable(CAP_SYS_ADMIN))
			return -EPERM;
		return cmds[i].fn(file, cmd, uarg);
	}
	return -ENOTTY;
}
EXPORT_SYMBOL_GPL(hvmem_ioctl_dispatch);

static u64 hvmem_features(void)
{
	struct hvmem_ioctl_ops *o;
	u64 f = HVMEM_FEATURE_VM_REGISTRY;

	down_read(&hvmem_ioctl_lock);
	list_for_each_entry(o, &hvmem_ioctl_ranges, node)
		f |= o->feature;
	up_read(&hvmem_ioctl_lock);
	return f;
}

static long hvmem_ioc_get_version(struct file *file, unsigned int cmd, void __user *uarg)
{
	struct hvmem_version v;
	int ret;

	ret = hvmem_copy_arg_from_user(&v, sizeof(v), HVMEM_VERSION_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if (v.flags || v.reserved)
		return -EINVAL;
	v.major = HVMEM_VERSION_MAJOR;
	v.minor = HVMEM_VERSION_MINOR;
	v.patch = HVMEM_VERSION_PATCH;
	v.features = hvmem_features();
	return hvmem_copy_arg_to_user(uarg, &v, sizeof(v));
}

/* The value of a capability: the core's own, or its module's answer. */
static u64 hvmem_check_cap(u32 cap)
{
	u32 bit = HVMEM_CAP_FEATURE_BIT(cap), nr = cap & 0xffff;
	u64 (*fn)(u32 cap) = NULL;
	struct module *owner = NULL;
	struct hvmem_ioctl_ops *o;
	bool found = false;
	u64 val = 0;

	if (bit >= 64)
		return 0;
	if (bit == HVMEM_FEATURE_VM_REGISTRY_BIT) {
		if (cap == HVMEM_CAP_VM_REGISTRY)
			return 1;
		return cap == HVMEM_CAP_VM_MAX ? READ_ONCE(hvmem_max_vms) : 0;
	}
	down_read(&hvmem_ioctl_lock);
	list_for_each_entry(o, &hvmem_ioctl_ranges, node) {
		if (o->feature != BIT_ULL(bit))
			continue;
		found = true;
		if (nr && o->check_extension && try_module_get(o->owner)) {
			fn = o->check_extension;
			owner = o->owner;
		}
		break;
	}
	up_read(&hvmem_ioctl_lock);
	if (!found)
		return 0;
	if (!nr)
		return 1;
	if (fn) {
		val = fn(cap);
		module_put(owner);
	}
	return val;
}

static long hvmem_ioc_check_extension(struct file *file, unsigned int cmd, void __user *uarg)
{
	struct hvmem_check_extension c;
	int ret;

	ret = hvmem_copy_arg_from_user(&c, sizeof(c), HVMEM_CHECK_EXTENSION_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if (c.flags || c.reserved)
		return -EINVAL;
	c.value = hvmem_check_cap(c.cap);
	return hvmem_copy_arg_to_user(uarg, &c, sizeof(c));
}

static long hvmem_ioc_vm_bind(struct file *file, unsigned int cmd, void __user *uarg)
{
	struct hvmem_vm_bind b;
	struct hvmem_vm *vm;
	int ret;

	ret = hvmem_copy_arg_from_user(&b, sizeof(b), HVMEM_VM_BIND_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if ((b.flags & ~HVMEM_BIND_FLAGS) || b.reserved || b.id)
		return -EINVAL;
	if (!READ_ONCE(hvmem_enabled))
		return -EPERM;
	switch (b.flags) {
	case HVMEM_BIND_BY_KVM_FD:
		if (b.pid)
			return -EINVAL;
		ret = hvmem_vm_bind_kvm_fd(b.kvm_fd, &vm);
		break;
	case HVMEM_BIND_BY_PID:
		if (b.kvm_fd != -1)
			return -EINVAL;
		ret = hvmem_vm_bind_pid(b.pid, &vm);
		break;
	default:
		return -EINVAL;
	}
	if (ret)
		return ret;
	b.id = hvmem_vm_id(vm);
	ret = hvmem_copy_arg_to_user(uarg, &b, sizeof(b));
	/* The caller cannot learn the id: undo this binding (not the id's). */
	if (ret)
		hvmem_vm_unbind_this(vm);
	hvmem_vm_put(vm);
	return ret;
}

static long hvmem_ioc_vm_unbind(struct file *file, unsigned int cmd, void __user *uarg)
{
	struct hvmem_vm_unbind u;
	int ret;

	ret = hvmem_copy_arg_from_user(&u, sizeof(u), HVMEM_VM_UNBIND_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if (u.flags || u.reserved)
		return -EINVAL;
	return hvmem_vm_unbind(u.id);
}

static long hvmem_ioc_vm_list(struct file *file, unsigned int cmd, void __user *uarg)
{
	struct hvmem_vm_info *infos = NULL;
	struct hvmem_vm_list l;
	u8 __user *dst;
	u32 room, i;
	int ret;

	ret = hvmem_copy_arg_from_user(&l, sizeof(l), HVMEM_VM_LIST_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if (l.flags || l.reserved ||
	    hvmem_check_entry_size(l.entry_size, HVMEM_VM_INFO_SIZE_VER0))
		return -EINVAL;
	if (l.count && !l.entries)
		return -EFAULT;
	/*
	 * Room for the VMs bound now (at most max_vms, at most
	 * HVMEM_MAX_VMS_LIMIT), not for what the caller offers: a huge count
	 * must not become a huge allocation. VMs bound meanwhile are counted
	 * in total, and the caller asks again.
	 */
	room = min(l.count, hvmem_registry_count());
	if (room) {
		infos = kvmalloc_array(room, sizeof(*infos), GFP_KERNEL);
		if (!infos)
			return -ENOMEM;
	}
	l.count = hvmem_registry_snapshot(infos, room, &l.total);

	dst = u64_to_user_ptr(l.entries);
	for (i = 0; i < l.count; i++, dst += l.entry_size) {
		ret = hvmem_copy_entry_to_user(dst, l.entry_size, &infos[i], sizeof(*infos));
		if (ret)
			goto out;
	}
	ret = hvmem_copy_arg_to_user(uarg, &l, sizeof(l));
out:
	kvfree(infos);
	return ret;
}

static const struct hvmem_ioctl_cmd hvmem_core_cmds[] = {
	{ HVMEM_IOC_GET_VERSION, false, hvmem_ioc_get_version },
	{ HVMEM_IOC_VM_BIND, true, hvmem_ioc_vm_bind },
	{ HVMEM_IOC_VM_UNBIND, true, hvmem_ioc_vm_unbind },
	{ HVMEM_IOC_VM_LIST, true, hvmem_ioc_vm_list },
	{ HVMEM_IOC_CHECK_EXTENSION, false, hvmem_ioc_check_extension },
};

/**
 * hvmem_ioctl() - /dev/hvmem's unlocked_ioctl
 * @file: the open device
 * @cmd: HVMEM_IOC_* command
 * @arg: user pointer to the command's argument struct
 *
 * Serves the core range (0x00-0x0f) from its table and hands every other
 * number to the module that registered its range (the exclusive cache's
 * too: cache.c registers it like any sibling module).
 *
 * Return: 0 or a negative errno: -ENOTTY for an unknown command, -EPERM
 * without CAP_SYS_ADMIN for control commands, else as the command says.
 */
long hvmem_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	if (_IOC_TYPE(cmd) != HVMEM_IOCTL_MAGIC)
		return -ENOTTY;
	if (_IOC_NR(cmd) > HVMEM_NR_CORE_LAST)
		return hvmem_ioctl_ext(file, cmd, uarg);
	return hvmem_ioctl_dispatch(hvmem_core_cmds, ARRAY_SIZE(hvmem_core_cmds), file, cmd,
				    uarg);
}
