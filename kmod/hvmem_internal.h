/* SPDX-License-Identifier: GPL-2.0 */
/* Definitions shared by the files of hvmem.ko, not by other modules. */
#ifndef _HVMEM_INTERNAL_H
#define _HVMEM_INTERNAL_H

#include <linux/kref.h>
#include <linux/mmu_notifier.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/workqueue.h>

#include <hvmem/hvmem.h>
#include "../uapi/hvmem.h"

#define HVMEM_MAX_VMS_DEFAULT	1024
/* Most max_vms may be set to: keeps every per-VM array far below INT_MAX bytes. */
#define HVMEM_MAX_VMS_LIMIT	65536

/* struct hvmem_vm.state bits */
enum {
	HVMEM_VM_S_DYING,		/* its address space is being torn down */
	HVMEM_VM_S_RELEASE_QUEUED,	/* release_work queued (once) */
	HVMEM_VM_S_UNBOUND,		/* removed from the registry */
	HVMEM_VM_S_BIND_SENT,		/* its BIND event reached every sibling */
};

/**
 * struct hvmem_vm - a bound VM
 * @kref: references; the registry holds one while the VM is bound
 * @id: registry id (never 0)
 * @state: HVMEM_VM_S_* bits
 * @mm: the VM's address space; mmgrab()ed for the life of the struct
 * @kvm: the KVM VM when bound by KVM fd (kvm_get_kvm()ed), else NULL
 * @kvm_put: kvm_put_kvm() taken with symbol_get(), pinned while @kvm is set
 * @pid: owner's thread group pid, or NULL when unknown
 * @mn: MMU notifier on @mm; its release queues @release_work
 * @mn_registered: @mn is registered on @mm
 * @release_work: unbinds the VM after its address space went away
 * @bind_time_ns: ktime_get_boottime_ns() at bind
 * @comm: owner's comm at bind time
 */
struct hvmem_vm {
	struct kref kref;
	u32 id;
	unsigned long state;
	struct mm_struct *mm;
	struct kvm *kvm;
	void (*kvm_put)(struct kvm *kvm);
	struct pid *pid;
	struct mmu_notifier mn;
	bool mn_registered;
	struct work_struct release_work;
	u64 bind_time_ns;
	char comm[TASK_COMM_LEN];
};

/* registry.c: the table of bound VMs */
struct hvmem_vm *hvmem_vm_alloc(void);
int hvmem_registry_add(struct hvmem_vm *vm);
bool hvmem_registry_remove(struct hvmem_vm *vm);
void hvmem_registry_release_id(struct hvmem_vm *vm);
u32 hvmem_registry_count(void);
u32 hvmem_registry_snapshot(struct hvmem_vm_info *out, u32 room, u32 *total);
struct hvmem_vm *hvmem_registry_first(void);
void hvmem_registry_exit(void);
extern unsigned int hvmem_max_vms;

/* vm.c: binding VMs to processes and KVM VMs */
int hvmem_vm_bind_pid(pid_t nr, struct hvmem_vm **out);
int hvmem_vm_bind_kvm_fd(int fd, struct hvmem_vm **out);
void hvmem_vm_unbind_this(struct hvmem_vm *vm);
int hvmem_vm_unbind(u32 id);
void hvmem_vm_unbind_all(void);
void hvmem_vm_notify(enum hvmem_vm_event ev, struct hvmem_vm *vm);
int hvmem_vm_init(void);
void hvmem_vm_exit(void);

/* uarg.c: argument validation */
int hvmem_check_arg_size(u32 usize, size_t ver0_size);

/* ioctl.c */
long hvmem_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/* sysfs.c */
extern bool hvmem_enabled;
int hvmem_sysfs_init(void);
void hvmem_sysfs_exit(void);

#endif /* _HVMEM_INTERNAL_H */
