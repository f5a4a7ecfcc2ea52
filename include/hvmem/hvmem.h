/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvmem.ko's in-kernel API, for the sibling modules (hvmem_mrc, hvmem_share,
 * dm-swapres, ...) and for in-kernel users of the exclusive cache.
 */
#ifndef _HVMEM_HVMEM_H
#define _HVMEM_HVMEM_H

#include <linux/fs.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/notifier.h>
#include <linux/types.h>

struct hvmem_vm;
struct kvm;
struct mm_struct;
struct module;

/* Events of the VM notifier chain; the data argument is the struct hvmem_vm. */
enum hvmem_vm_event {
	HVMEM_VM_EVENT_BIND,	/* bound; the id is valid */
	HVMEM_VM_EVENT_UNBIND,	/* being unbound: drop all per-VM state now */
};

struct hvmem_vm *hvmem_vm_get(u32 id);
void hvmem_vm_put(struct hvmem_vm *vm);
u32 hvmem_vm_id(const struct hvmem_vm *vm);
struct mm_struct *hvmem_vm_mm(const struct hvmem_vm *vm);
struct kvm *hvmem_vm_kvm(const struct hvmem_vm *vm);
bool hvmem_vm_is_dying(const struct hvmem_vm *vm);

int hvmem_register_vm_notifier(struct notifier_block *nb);
int hvmem_unregister_vm_notifier(struct notifier_block *nb);

/**
 * struct hvmem_ioctl_ops - a range of /dev/hvmem commands served by a module
 * @first_nr: first _IOC_NR() of the range
 * @last_nr: last _IOC_NR() of the range (inclusive)
 * @ioctl: handler; gets the full command and the user argument; runs in
 *	process context with a reference on @owner held
 * @owner: THIS_MODULE
 * @node: private to hvmem.ko
 */
struct hvmem_ioctl_ops {
	unsigned int first_nr;
	unsigned int last_nr;
	long (*ioctl)(struct file *file, unsigned int cmd, void __user *uarg);
	struct module *owner;
	struct list_head node;
};

int hvmem_register_ioctls(struct hvmem_ioctl_ops *ops);
void hvmem_unregister_ioctls(struct hvmem_ioctl_ops *ops);

int hvmem_copy_arg_from_user(void *karg, size_t ksize, size_t ver0_size,
			     const void __user *uarg);
int hvmem_copy_arg_to_user(void __user *uarg, const void *karg, size_t ksize);

struct kobject *hvmem_sysfs_kobj(void);

#endif /* _HVMEM_HVMEM_H */
