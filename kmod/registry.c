// SPDX-License-Identifier: GPL-2.0
/*
 * The registry of bound VMs: ids, lookup, references and listing.
 *
 * This file knows nothing of processes, MMU notifiers or KVM (vm.c does):
 * it keeps struct hvmem_vm entries in an allocating xarray under a mutex,
 * refuses a second entry for the same (mm, kvm) pair and enforces the
 * max_vms limit. Lookups take a reference under RCU-safe xarray locking.
 */
#include <linux/kvm_host.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/xarray.h>
#include <kunit/visibility.h>

#include "hvmem_internal.h"

unsigned int hvmem_max_vms = HVMEM_MAX_VMS_DEFAULT;

static int hvmem_max_vms_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n;
	int ret = kstrtouint(val, 0, &n);

	if (ret)
		return ret;
	if (!n || n > HVMEM_MAX_VMS_LIMIT)
		return -EINVAL;
	WRITE_ONCE(hvmem_max_vms, n);
	return 0;
}

static const struct kernel_param_ops hvmem_max_vms_ops = {
	.set = hvmem_max_vms_set,
	.get = param_get_uint,
};

module_param_cb(max_vms, &hvmem_max_vms_ops, &hvmem_max_vms, 0644);
MODULE_PARM_DESC(max_vms, "Most VMs that may be bound at once (default 1024, 1 .. 65536)");
EXPORT_SYMBOL_IF_KUNIT(hvmem_max_vms);

/*
 * id -> VM. An unbound VM's slot holds a reserved (zero) entry until its
 * teardown is over (hvmem_registry_release_id()), and ids are allocated
 * cyclically: an id is not handed out again while anything of the VM that
 * had it may remain, nor until 2^31 later bindings.
 */
static DEFINE_XARRAY_ALLOC1(hvmem_vms);
static DEFINE_MUTEX(hvmem_registry_lock);
static u32 hvmem_nr_vms;
static u32 hvmem_next_id;

/**
 * hvmem_vm_alloc() - allocate an unbound VM entry with one reference
 *
 * Return: the entry, or NULL when memory is short.
 */
struct hvmem_vm *hvmem_vm_alloc(void)
{
	struct hvmem_vm *vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);

	if (vm) {
		kref_init(&vm->kref);
		/* Not in the registry until hvmem_registry_add(). */
		__set_bit(HVMEM_VM_S_UNBOUND, &vm->state);
	}
	return vm;
}
EXPORT_SYMBOL_IF_KUNIT(hvmem_vm_alloc);

static void hvmem_vm_release(struct kref *kref)
{
	struct hvmem_vm *vm = container_of(kref, struct hvmem_vm, kref);

	if (vm->kvm)
		vm->kvm_put(vm->kvm);
	if (vm->kvm_put)
		symbol_put(kvm_put_kvm);
	if (vm->mm)
		mmdrop(vm->mm);
	put_pid(vm->pid);
	kfree(vm);
}

/**
 * hvmem_vm_get() - look up a bound VM by id and take a reference
 * @id: VM id from HVMEM_IOC_VM_BIND
 *
 * Return: the VM, to be released with hvmem_vm_put(), or NULL if no VM with
 * that id is bound.
 */
struct hvmem_vm *hvmem_vm_get(u32 id)
{
	struct hvmem_vm *vm;

	xa_lock(&hvmem_vms);
	vm = xa_load(&hvmem_vms, id);	/* NULL for a reserved id */
	if (vm && !kref_get_unless_zero(&vm->kref))
		vm = NULL;
	xa_unlock(&hvmem_vms);
	return vm;
}
EXPORT_SYMBOL_GPL(hvmem_vm_get);

/**
 * hvmem_vm_put() - drop a reference taken by hvmem_vm_get()
 * @vm: the VM; may be NULL
 *
 * The last put frees the entry and drops its mm and KVM references, which
 * may sleep: call it from process context.
 */
void hvmem_vm_put(struct hvmem_vm *vm)
{
	if (vm) {
		might_sleep();
		kref_put(&vm->kref, hvmem_vm_release);
	}
}
EXPORT_SYMBOL_GPL(hvmem_vm_put);

/**
 * hvmem_vm_id() - the id of a VM
 * @vm: a VM the caller holds a reference on
 *
 * Return: its id, never 0 once bound.
 */
u32 hvmem_vm_id(const struct hvmem_vm *vm)
{
	return vm->id;
}
EXPORT_SYMBOL_GPL(hvmem_vm_id);

/**
 * hvmem_vm_mm() - the address space of a VM
 * @vm: a VM the caller holds a reference on
 *
 * The mm_struct stays allocated while the reference is held (mmgrab), but
 * its pages may be gone: use mmget_not_zero() before touching its memory.
 *
 * Return: the mm_struct.
 */
struct mm_struct *hvmem_vm_mm(const struct hvmem_vm *vm)
{
	return vm->mm;
}
EXPORT_SYMBOL_GPL(hvmem_vm_mm);

/**
 * hvmem_vm_kvm() - the KVM VM a VM was bound by
 * @vm: a VM the caller holds a reference on
 *
 * Return: the struct kvm (referenced while @vm is), or NULL when the VM was
 * bound by pid.
 */
struct kvm *hvmem_vm_kvm(const struct hvmem_vm *vm)
{
	return vm->kvm;
}
EXPORT_SYMBOL_GPL(hvmem_vm_kvm);

/**
 * hvmem_vm_is_dying() - whether a VM's address space is going away
 * @vm: a VM the caller holds a reference on
 *
 * Return: true once the MMU notifier saw the address space released or the
 * VM was unbound; per-VM work should stop.
 */
bool hvmem_vm_is_dying(const struct hvmem_vm *vm)
{
	return test_bit(HVMEM_VM_S_DYING, &vm->state) ||
	       test_bit(HVMEM_VM_S_UNBOUND, &vm->state);
}
EXPORT_SYMBOL_GPL(hvmem_vm_is_dying);

/**
 * hvmem_registry_add() - give a VM an id and make it visible
 * @vm: an entry from hvmem_vm_alloc() with @mm (and @kvm) set
 *
 * On success the registry takes over the caller's reference.
 *
 * Return: 0, -EEXIST if the same (mm, kvm) pair is bound, -ENOSPC if
 * max_vms VMs are bound, -ENOMEM.
 */
int hvmem_registry_add(struct hvmem_vm *vm)
{
	struct hvmem_vm *other;
	unsigned long idx;
	int ret;

	mutex_lock(&hvmem_registry_lock);
	ret = -ENOSPC;
	if (hvmem_nr_vms >= READ_ONCE(hvmem_max_vms))
		goto out;
	ret = -EEXIST;
	xa_for_each(&hvmem_vms, idx, other)
		if (other->mm == vm->mm && other->kvm == vm->kvm)
			goto out;
	ret = xa_alloc_cyclic(&hvmem_vms, &vm->id, vm, XA_LIMIT(1, INT_MAX), &hvmem_next_id,
			      GFP_KERNEL);
	if (ret == -EBUSY)
		ret = -ENOSPC;
	if (ret >= 0) {
		ret = 0;	/* 1: the ids wrapped */
		hvmem_nr_vms++;
		clear_bit(HVMEM_VM_S_UNBOUND, &vm->state);
	}
out:
	mutex_unlock(&hvmem_registry_lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(hvmem_registry_add);

/**
 * hvmem_registry_remove() - make a VM invisible
 * @vm: a VM the caller holds a reference on
 *
 * Exactly one caller gets true and then owns the registry's reference (and
 * the teardown); the others get false. The id stays reserved until the
 * owner calls hvmem_registry_release_id() once the teardown is over.
 *
 * Return: whether this call removed it.
 */
bool hvmem_registry_remove(struct hvmem_vm *vm)
{
	bool removed = false;

	mutex_lock(&hvmem_registry_lock);
	if (!test_and_set_bit(HVMEM_VM_S_UNBOUND, &vm->state)) {
		/* NULL in an allocating xarray: the id stays reserved. */
		xa_store(&hvmem_vms, vm->id, NULL, GFP_KERNEL);
		hvmem_nr_vms--;
		removed = true;
	}
	mutex_unlock(&hvmem_registry_lock);
	return removed;
}
EXPORT_SYMBOL_IF_KUNIT(hvmem_registry_remove);

/**
 * hvmem_registry_release_id() - free the id of a VM whose teardown is over
 * @vm: a VM removed by hvmem_registry_remove() (true), whose UNBIND event
 *	has reached every sibling module
 */
void hvmem_registry_release_id(struct hvmem_vm *vm)
{
	mutex_lock(&hvmem_registry_lock);
	if (!WARN_ON_ONCE(!test_bit(HVMEM_VM_S_UNBOUND, &vm->state)) &&
	    !WARN_ON_ONCE(xa_load(&hvmem_vms, vm->id)))
		xa_erase(&hvmem_vms, vm->id);
	mutex_unlock(&hvmem_registry_lock);
}
EXPORT_SYMBOL_IF_KUNIT(hvmem_registry_release_id);

/**
 * hvmem_registry_exit() - free the registry at module unload
 *
 * Every VM is unbound and torn down by then; an id still held (a teardown
 * that never released it) is a bug: warn, and free the xarray's nodes
 * anyway.
 */
void hvmem_registry_exit(void)
{
	WARN_ON_ONCE(!xa_empty(&hvmem_vms));
	xa_destroy(&hvmem_vms);
}

/**
 * hvmem_registry_count() - number of bound VMs
 *
 * Return: the count at the time of the call.
 */
u32 hvmem_registry_count(void)
{
	return READ_ONCE(hvmem_nr_vms);
}
EXPORT_SYMBOL_IF_KUNIT(hvmem_registry_count);

/**
 * hvmem_registry_first() - a reference on the bound VM with the lowest id
 *
 * Return: the VM (release with hvmem_vm_put()) or NULL when none is bound.
 */
struct hvmem_vm *hvmem_registry_first(void)
{
	struct hvmem_vm *vm;
	unsigned long idx = 0;

	mutex_lock(&hvmem_registry_lock);
	vm = xa_find(&hvmem_vms, &idx, ULONG_MAX, XA_PRESENT);
	if (vm)
		kref_get(&vm->kref);
	mutex_unlock(&hvmem_registry_lock);
	return vm;
}

/**
 * hvmem_registry_snapshot() - describe the bound VMs, lowest id first
 * @out: room for @room entries
 * @room: size of @out in entries
 * @total: out: the number of VMs bound
 *
 * Process ids (of the thread-group leader) are translated into the
 * caller's pid namespace; 0 when unknown, or when the process is gone or
 * the VM is dying.
 *
 * Return: entries written, at most @room.
 */
u32 hvmem_registry_snapshot(struct hvmem_vm_info *out, u32 room, u32 *total)
{
	struct hvmem_vm *vm;
	unsigned long idx;
	u32 n = 0;

	mutex_lock(&hvmem_registry_lock);
	*total = hvmem_nr_vms;
	xa_for_each(&hvmem_vms, idx, vm) {
		struct hvmem_vm_info *e;

		if (n >= room)
			break;
		e = &out[n++];
		memset(e, 0, sizeof(*e));
		e->id = vm->id;
		if (vm->kvm)
			e->flags |= HVMEM_VM_KVM;
		if (test_bit(HVMEM_VM_S_DYING, &vm->state))
			e->flags |= HVMEM_VM_DYING;
		/*
		 * Once its process is gone (or going: a dying VM) the number
		 * may already name another process: report none.
		 */
		rcu_read_lock();
		if (vm->pid && !test_bit(HVMEM_VM_S_DYING, &vm->state) &&
		    pid_has_task(vm->pid, PIDTYPE_TGID))
			e->pid = pid_vnr(vm->pid);
		rcu_read_unlock();
		e->bind_time_ns = vm->bind_time_ns;
		strscpy(e->comm, vm->comm, sizeof(e->comm));
	}
	mutex_unlock(&hvmem_registry_lock);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(hvmem_registry_snapshot);
