// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/hvmem ioctls: the core commands (0x00-0x0f) and dispatch of the
 * ranges that sibling modules register. See uapi/hvmem.h for the ABI.
 */
#include <linux/capability.h>
#include <linux/module.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "hvmem_internal.h"
#include "cache_internal.h"

#define HVMEM_CORE_LAST_NR	0x0f

static LIST_HEAD(hvmem_ioctl_ranges);
static DECLARE_RWSEM(hvmem_ioctl_lock);

/**
 * hvmem_register_ioctls() - serve a range of /dev/hvmem commands
 * @ops: the range and its handler; must stay valid until unregistered
 *
 * Return: 0, -EINVAL (bad range, or the core's), -EBUSY (overlaps a range
 * already registered).
 */
int hvmem_register_ioctls(struct hvmem_ioctl_ops *ops)
{
	struct hvmem_ioctl_ops *o;
	int ret = 0;

	if (!ops->ioctl || ops->first_nr > ops->last_nr || ops->last_nr > _IOC_NRMASK ||
	    ops->first_nr <= HVMEM_CORE_LAST_NR)
		return -EINVAL;
	down_write(&hvmem_ioctl_lock);
	list_for_each_entry(o, &hvmem_ioctl_ranges, node) {
		if (ops->first_nr <= o->last_nr && o->first_nr <= ops->last_nr) {
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
		if (nr >= o->first_nr && nr <= o->last_nr && try_module_get(o->owner)) {
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

static long hvmem_ioc_get_version(void __user *uarg)
{
	struct hvmem_version v;
	int ret;

	ret = hvmem_copy_arg_from_user(&v, sizeof(v), sizeof(v), uarg);
	if (ret)
		return ret;
	if (v.flags || v.reserved)
		return -EINVAL;
	v.major = HVMEM_VERSION_MAJOR;
	v.minor = HVMEM_VERSION_MINOR;
	v.patch = HVMEM_VERSION_PATCH;
	v.features = HVMEM_FEATURE_VM_REGISTRY | HVMEM_FEATURE_CACHE;
	return hvmem_copy_arg_to_user(uarg, &v, sizeof(v));
}

static long hvmem_ioc_vm_bind(void __user *uarg)
{
	struct hvmem_vm_bind b;
	struct hvmem_vm *vm;
	int ret;

	ret = hvmem_copy_arg_from_user(&b, sizeof(b), sizeof(b), uarg);
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

static long hvmem_ioc_vm_unbind(void __user *uarg)
{
	struct hvmem_vm_unbind u;
	int ret;

	ret = hvmem_copy_arg_from_user(&u, sizeof(u), sizeof(u), uarg);
	if (ret)
		return ret;
	if (u.flags || u.reserved)
		return -EINVAL;
	return hvmem_vm_unbind(u.id);
}

#define HVMEM_VM_INFO_VER0	sizeof(struct hvmem_vm_info)

static long hvmem_ioc_vm_list(void __user *uarg)
{
	struct hvmem_vm_info *infos = NULL;
	struct hvmem_vm_list l;
	u8 __user *dst;
	u32 room, i;
	int ret;

	ret = hvmem_copy_arg_from_user(&l, sizeof(l), sizeof(l), uarg);
	if (ret)
		return ret;
	if (l.flags || l.reserved || l.entry_size < HVMEM_VM_INFO_VER0 ||
	    l.entry_size > PAGE_SIZE)
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
		size_t n = min_t(size_t, l.entry_size, sizeof(*infos));

		if (copy_to_user(dst, &infos[i], n) ||
		    (l.entry_size > n && clear_user(dst + n, l.entry_size - n))) {
			ret = -EFAULT;
			goto out;
		}
	}
	ret = hvmem_copy_arg_to_user(uarg, &l, sizeof(l));
out:
	kvfree(infos);
	return ret;
}

/**
 * hvmem_ioctl() - /dev/hvmem's unlocked_ioctl
 * @file: the open device
 * @cmd: HVMEM_IOC_* command
 * @arg: user pointer to the command's argument struct
 *
 * Dispatches on the command's type and number (the size it encodes is that
 * of the struct's first version; the struct's own size field rules).
 *
 * Return: 0 or a negative errno: -ENOTTY for an unknown command, -EPERM
 * without CAP_SYS_ADMIN for control commands, else as the command says.
 */
long hvmem_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	if (_IOC_TYPE(cmd) != HVMEM_IOCTL_MAGIC)
		return -ENOTTY;
	if (_IOC_NR(cmd) == _IOC_NR(HVMEM_IOC_GET_VERSION) &&
	    _IOC_DIR(cmd) == _IOC_DIR(HVMEM_IOC_GET_VERSION))
		return hvmem_ioc_get_version(uarg);
	if (_IOC_NR(cmd) >= HVMEM_CACHE_FIRST_NR && _IOC_NR(cmd) <= HVMEM_CACHE_LAST_NR)
		return hvmem_cache_ioctl(file, cmd, uarg);
	if (_IOC_NR(cmd) > HVMEM_CORE_LAST_NR)
		return hvmem_ioctl_ext(file, cmd, uarg);

	switch (_IOC_NR(cmd)) {
	case _IOC_NR(HVMEM_IOC_VM_BIND):
		if (_IOC_DIR(cmd) != _IOC_DIR(HVMEM_IOC_VM_BIND))
			return -ENOTTY;
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		return hvmem_ioc_vm_bind(uarg);
	case _IOC_NR(HVMEM_IOC_VM_UNBIND):
		if (_IOC_DIR(cmd) != _IOC_DIR(HVMEM_IOC_VM_UNBIND))
			return -ENOTTY;
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		return hvmem_ioc_vm_unbind(uarg);
	case _IOC_NR(HVMEM_IOC_VM_LIST):
		if (_IOC_DIR(cmd) != _IOC_DIR(HVMEM_IOC_VM_LIST))
			return -ENOTTY;
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		return hvmem_ioc_vm_list(uarg);
	default:
		return -ENOTTY;
	}
}
