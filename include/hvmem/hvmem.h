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

/*
 * The _IOC_NR() ranges of /dev/hvmem, one per module (uapi/hvmem.h lists the
 * commands). The core's is served by hvmem.ko's ioctl.c; every other range
 * is registered with hvmem_register_ioctls().
 */
#define HVMEM_NR_CORE_FIRST	0x00
#define HVMEM_NR_CORE_LAST	0x0f
#define HVMEM_NR_CACHE_FIRST	0x10
#define HVMEM_NR_CACHE_LAST	0x2f
#define HVMEM_NR_MRC_FIRST	0x30
#define HVMEM_NR_MRC_LAST	0x3f
#define HVMEM_NR_SHARE_FIRST	0x40
#define HVMEM_NR_SHARE_LAST	0x4f
#define HVMEM_NR_VSWAP_FIRST	0x50
#define HVMEM_NR_VSWAP_LAST	0x5f

/**
 * struct hvmem_ioctl_ops - a module's range of /dev/hvmem commands, feature
 *	bit and capabilities
 * @first_nr: first _IOC_NR() of the range (HVMEM_NR_*_FIRST); with
 *	@last_nr 0 too and no @ioctl, the module serves no command and only
 *	announces @feature
 * @last_nr: last _IOC_NR() of the range (inclusive)
 * @ioctl: handler; gets the full command and the user argument; runs in
 *	process context with a reference on @owner held. Usually calls
 *	hvmem_ioctl_dispatch() with the module's command table
 * @feature: the module's HVMEM_FEATURE_* bit (one bit, not 0): set in
 *	HVMEM_IOC_GET_VERSION's features while registered
 * @check_extension: optional; answers HVMEM_IOC_CHECK_EXTENSION for a
 *	HVMEM_CAP_* of @feature other than the feature itself: the value,
 *	0 for a capability it does not know. Same context as @ioctl
 * @owner: THIS_MODULE
 * @node: private to hvmem.ko
 */
struct hvmem_ioctl_ops {
	unsigned int first_nr;
	unsigned int last_nr;
	long (*ioctl)(struct file *file, unsigned int cmd, void __user *uarg);
	u64 feature;
	u64 (*check_extension)(u32 cap);
	struct module *owner;
	struct list_head node;
};

/**
 * struct hvmem_ioctl_cmd - one command of a module's table
 * @cmd: the HVMEM_IOC_* command; its type, number and direction must match,
 *	not the size it encodes (a struct's own size field rules)
 * @admin: needs CAP_SYS_ADMIN (-EPERM otherwise)
 * @fn: handler, with the full command and the user argument
 */
struct hvmem_ioctl_cmd {
	unsigned int cmd;
	bool admin;
	long (*fn)(struct file *file, unsigned int cmd, void __user *uarg);
};

long hvmem_ioctl_dispatch(const struct hvmem_ioctl_cmd *cmds, unsigned int n,
			  struct file *file, unsigned int cmd, void __user *uarg);

int hvmem_register_ioctls(struct hvmem_ioctl_ops *ops);
void hvmem_unregister_ioctls(struct hvmem_ioctl_ops *ops);

int hvmem_copy_arg_from_user(void *karg, size_t ksize, size_t ver0_size,
			     const void __user *uarg);
int hvmem_copy_arg_to_user(void __user *uarg, const void *karg, size_t ksize);
int hvmem_check_entry_size(u32 entry_size, size_t ver0_size);
int hvmem_copy_entry_from_user(void *kent, size_t ksize, const void __user *uent,
			       u32 entry_size);
int hvmem_copy_entry_to_user(void __user *uent, u32 entry_size, const void *kent,
			     size_t ksize);

struct kobject *hvmem_sysfs_kobj(void);

#endif /* _HVMEM_HVMEM_H */
