// SPDX-License-Identifier: GPL-2.0
/*
 * Binding VMs: a process (by pid) or a KVM VM (by its fd) becomes a struct
 * hvmem_vm in the registry, with an MMU notifier on its address space so
 * that hvmem's state for it dies with it.
 *
 * Lifetime: the registry holds one reference. Unbinding (ioctl, the
 * address space's release, module unload) removes the VM from the registry
 * exactly once (hvmem_registry_remove()), and whoever removed it tears it
 * down: the UNBIND event to the sibling modules, mmu_notifier_unregister(),
 * then the registry's reference is dropped. The MMU notifier's release runs
 * under exit_mmap()'s SRCU read section, where neither the notifier chain
 * nor mmu_notifier_unregister() may be called, so it only marks the VM dying
 * and queues release_work, which unbinds from process context.
 *
 * KVM is reached through symbol_get(), so hvmem.ko loads on hosts without
 * kvm.ko; a KVM VM's binding pins kvm.ko until its entry is freed.
 */
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/kvm_host.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/timekeeping.h>
#include <linux/wait_bit.h>

#include "hvmem_internal.h"
#include "hvmem_trace.h"

static struct workqueue_struct *hvmem_wq;
static BLOCKING_NOTIFIER_HEAD(hvmem_vm_chain);

/**
 * hvmem_register_vm_notifier() - be told when VMs are bound and unbound
 * @nb: notifier block; its callback gets an enum hvmem_vm_event and the
 *	struct hvmem_vm, in process context
 *
 * On HVMEM_VM_EVENT_UNBIND the callee must drop every per-VM state and
 * every reference it took with hvmem_vm_get(); it runs before the VM's MMU
 * notifier is unregistered, so its mm and KVM VM are still valid.
 *
 * Return: 0 or a negative errno.
 */
int hvmem_register_vm_notifier(struct notifier_block *nb)
{
	return blocking_notifier_chain_register(&hvmem_vm_chain, nb);
}
EXPORT_SYMBOL_GPL(hvmem_register_vm_notifier);

/**
 * hvmem_unregister_vm_notifier() - undo hvmem_register_vm_notifier()
 * @nb: the notifier block
 *
 * Return: 0, or -ENOENT if @nb was not registered.
 */
int hvmem_unregister_vm_notifier(struct notifier_block *nb)
{
	return blocking_notifier_chain_unregister(&hvmem_vm_chain, nb);
}
EXPORT_SYMBOL_GPL(hvmem_unregister_vm_notifier);

void hvmem_vm_notify(enum hvmem_vm_event ev, struct hvmem_vm *vm)
{
	blocking_notifier_call_chain(&hvmem_vm_chain, ev, vm);
}

/*
 * Called once, by whoever removed @vm from the registry; drops its
 * reference. The UNBIND event never overtakes the BIND event (the publisher
 * may still be sending it), and the id is freed only once every sibling is
 * done with the VM, so a new VM cannot meet any of this one's state.
 */
static void hvmem_vm_teardown(struct hvmem_vm *vm)
{
	wait_var_event(&vm->state, test_bit(HVMEM_VM_S_BIND_SENT, &vm->state));
	trace_hvmem_vm_unbind(vm->id, test_bit(HVMEM_VM_S_DYING, &vm->state));
	hvmem_vm_notify(HVMEM_VM_EVENT_UNBIND, vm);
	if (vm->mn_registered)
		mmu_notifier_unregister(&vm->mn, vm->mm);
	vm->mn_registered = false;
	hvmem_registry_release_id(vm);
	hvmem_vm_put(vm);
}

/**
 * hvmem_vm_unbind_this() - unbind a VM the caller holds a reference on
 * @vm: the VM; nothing happens if it is already unbound
 */
void hvmem_vm_unbind_this(struct hvmem_vm *vm)
{
	if (hvmem_registry_remove(vm))
		hvmem_vm_teardown(vm);
}

static void hvmem_vm_release_work(struct work_struct *work)
{
	struct hvmem_vm *vm = container_of(work, struct hvmem_vm, release_work);

	hvmem_vm_unbind_this(vm);
	hvmem_vm_put(vm);
}

static void hvmem_vm_mn_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct hvmem_vm *vm = container_of(mn, struct hvmem_vm, mn);

	set_bit(HVMEM_VM_S_DYING, &vm->state);
	if (test_bit(HVMEM_VM_S_UNBOUND, &vm->state) ||
	    test_and_set_bit(HVMEM_VM_S_RELEASE_QUEUED, &vm->state))
		return;
	/* Still bound: the registry's reference keeps @vm alive here. */
	kref_get(&vm->kref);
	queue_work(hvmem_wq, &vm->release_work);
}

static const struct mmu_notifier_ops hvmem_vm_mn_ops = {
	.release = hvmem_vm_mn_release,
};

#if IS_ENABLED(CONFIG_KUNIT)
/*
 * Test kernels only: hold each new VM this long between becoming visible
 * and its BIND event, so that tests can unbind it in that window.
 */
static unsigned int test_publish_delay_ms;
module_param(test_publish_delay_ms, uint, 0600);
MODULE_PARM_DESC(test_publish_delay_ms, "Test only: delay between publishing a VM and BIND");

static void hvmem_vm_test_delay(void)
{
	unsigned int ms = READ_ONCE(test_publish_delay_ms);

	if (ms)
		msleep(ms);
}
#else
static inline void hvmem_vm_test_delay(void) { }
#endif

/*
 * Register the notifier, then publish @vm; consumes the caller's reference
 * on @vm in every case. @mm must have a user reference held by the caller.
 * On success *@out is @vm with a reference for the caller.
 *
 * A VM starts out HVMEM_VM_S_UNBOUND, and the MMU notifier's release leaves
 * such a VM alone; so when the address space goes away between registering
 * and publishing, the DYING bit tells us to unbind right away. Once in the
 * registry, the VM may be unbound by anyone at any time: the caller's
 * reference keeps it alive here, and teardown waits for the BIND event.
 */
static int hvmem_vm_publish(struct hvmem_vm *vm, struct mm_struct *mm, struct hvmem_vm **out)
{
	int ret;

	mmgrab(mm);
	vm->mm = mm;
	INIT_WORK(&vm->release_work, hvmem_vm_release_work);
	vm->bind_time_ns = ktime_get_boottime_ns();
	vm->mn.ops = &hvmem_vm_mn_ops;

	ret = mmu_notifier_register(&vm->mn, mm);
	if (ret)
		goto err_put;
	vm->mn_registered = true;
	kref_get(&vm->kref);		/* ours; the registry takes the other */
	ret = hvmem_registry_add(vm);
	if (ret) {
		mmu_notifier_unregister(&vm->mn, mm);
		vm->mn_registered = false;
		hvmem_vm_put(vm);
		goto err_put;
	}
	hvmem_vm_test_delay();
	trace_hvmem_vm_bind(vm->id, !!vm->kvm, vm->pid ? pid_nr(vm->pid) : 0);
	hvmem_vm_notify(HVMEM_VM_EVENT_BIND, vm);
	set_bit(HVMEM_VM_S_BIND_SENT, &vm->state);
	wake_up_var(&vm->state);
	if (test_bit(HVMEM_VM_S_DYING, &vm->state) ||
	    test_bit(HVMEM_VM_S_UNBOUND, &vm->state)) {
		hvmem_vm_unbind_this(vm);
		hvmem_vm_put(vm);
		return -ESRCH;
	}
	*out = vm;
	return 0;

err_put:
	hvmem_vm_put(vm);
	return ret;
}

/**
 * hvmem_vm_bind_pid() - bind the address space of a process
 * @nr: process (or thread) id in the caller's pid namespace
 * @out: out: the VM, with a reference for the caller
 *
 * The VM's owner is the thread group (its leader's pid is reported).
 *
 * Return: 0, -ESRCH (no such process), -EINVAL (no address space: a
 * kernel thread), -EEXIST, -ENOSPC, -ENOMEM.
 */
int hvmem_vm_bind_pid(pid_t nr, struct hvmem_vm **out)
{
	struct task_struct *task;
	struct mm_struct *mm;
	struct hvmem_vm *vm;
	struct pid *pid;
	int ret;

	if (nr <= 0)
		return -EINVAL;
	pid = find_get_pid(nr);
	if (!pid)
		return -ESRCH;
	task = get_pid_task(pid, PIDTYPE_PID);
	put_pid(pid);
	if (!task)
		return -ESRCH;
	mm = get_task_mm(task);
	if (!mm) {
		ret = (task->flags & PF_KTHREAD) ? -EINVAL : -ESRCH;
		goto out_task;
	}
	ret = -ENOMEM;
	vm = hvmem_vm_alloc();
	if (!vm)
		goto out_mm;
	vm->pid = get_task_pid(task, PIDTYPE_TGID);
	get_task_comm(vm->comm, task);
	ret = hvmem_vm_publish(vm, mm, out);
out_mm:
	mmput(mm);
out_task:
	put_task_struct(task);
	return ret;
}

/* Take a reference on the KVM VM behind @file, or return NULL. */
static struct kvm *hvmem_get_kvm_of_file(struct file *file)
{
	bool (*is_kvm)(struct file *file) = symbol_get(file_is_kvm);
	void (*get)(struct kvm *kvm);
	struct kvm *kvm = NULL;

	if (!is_kvm)
		return NULL;
	if (is_kvm(file)) {
		get = symbol_get(kvm_get_kvm);
		if (get) {
			kvm = file->private_data;
			get(kvm);
			symbol_put(kvm_get_kvm);
		}
	}
	symbol_put(file_is_kvm);
	return kvm;
}

/*
 * The process whose address space @mm is: the caller when it is the VMM,
 * else the process of the thread that created the KVM VM (KVM keeps that
 * thread's pid for the creation uevent) if it still runs in @mm, else the
 * task that owns @mm for memcg. Unknown otherwise. The pid kept is the
 * thread-group leader's.
 */
static void hvmem_vm_find_owner(struct hvmem_vm *vm, struct mm_struct *mm)
{
	struct task_struct *task = NULL;
	struct pid *pid;

	if (current->mm == mm) {
		vm->pid = get_task_pid(current, PIDTYPE_TGID);
		get_task_comm(vm->comm, current->group_leader);
		return;
	}
	rcu_read_lock();
	pid = find_pid_ns(vm->kvm->userspace_pid, &init_pid_ns);
	if (pid)
		task = pid_task(pid, PIDTYPE_PID);
#ifdef CONFIG_MEMCG
	/* The creating thread is gone: the memcg owner of @mm, if any. */
	if (!task || READ_ONCE(task->mm) != mm)
		task = rcu_dereference(mm->owner);
#endif
	if (task && READ_ONCE(task->mm) == mm) {
		vm->pid = get_task_pid(task, PIDTYPE_TGID);
		get_task_comm(vm->comm, task->group_leader);
	}
	rcu_read_unlock();
}

/**
 * hvmem_vm_bind_kvm_fd() - bind a KVM VM
 * @fd: a KVM VM file descriptor of the caller
 * @out: out: the VM, with a reference for the caller
 *
 * Holds a reference on the KVM VM until the binding ends.
 *
 * Return: 0, -EBADF, -EINVAL (not a KVM VM fd), -ESRCH (its address space
 * is gone), -EEXIST, -ENOSPC, -ENOMEM.
 */
int hvmem_vm_bind_kvm_fd(int fd, struct hvmem_vm **out)
{
	CLASS(fd, f)(fd);
	struct mm_struct *mm;
	struct hvmem_vm *vm;
	struct kvm *kvm;
	int ret;

	if (fd_empty(f))
		return -EBADF;
	vm = hvmem_vm_alloc();
	if (!vm)
		return -ENOMEM;
	/* Pins kvm.ko until the entry is freed; without kvm.ko, no KVM fd exists. */
	vm->kvm_put = symbol_get(kvm_put_kvm);
	kvm = vm->kvm_put ? hvmem_get_kvm_of_file(fd_file(f)) : NULL;
	if (!kvm) {
		hvmem_vm_put(vm);
		return -EINVAL;
	}
	vm->kvm = kvm;
	mm = kvm->mm;
	if (!mmget_not_zero(mm)) {
		hvmem_vm_put(vm);
		return -ESRCH;
	}
	hvmem_vm_find_owner(vm, mm);
	ret = hvmem_vm_publish(vm, mm, out);
	mmput(mm);
	return ret;
}

/**
 * hvmem_vm_unbind() - unbind a VM by id
 * @id: VM id
 *
 * Return: 0, or -ENOENT if no VM with that id is bound.
 */
int hvmem_vm_unbind(u32 id)
{
	struct hvmem_vm *vm = hvmem_vm_get(id);

	if (!vm)
		return -ENOENT;
	hvmem_vm_unbind_this(vm);
	hvmem_vm_put(vm);
	return 0;
}

/* Unbind every VM; no new binds may start (the device is gone). */
void hvmem_vm_unbind_all(void)
{
	struct hvmem_vm *vm;

	while ((vm = hvmem_registry_first())) {
		hvmem_vm_unbind_this(vm);
		hvmem_vm_put(vm);
	}
}

int hvmem_vm_init(void)
{
	hvmem_wq = alloc_workqueue("hvmem", WQ_UNBOUND, 0);
	return hvmem_wq ? 0 : -ENOMEM;
}

void hvmem_vm_exit(void)
{
	hvmem_vm_unbind_all();
	/* Queued releases only drop references now: they find the VMs unbound. */
	destroy_workqueue(hvmem_wq);
	hvmem_registry_exit();
}
