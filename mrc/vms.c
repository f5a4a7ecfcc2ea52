// SPDX-License-Identifier: GPL-2.0
/*
 * The curves of bound VMs: a table from VM id to context, kept in step
 * with hvmem.ko's VM registry through its notifier chain, and
 * HVMEM_IOC_MRC_OPEN on /dev/hvmem.
 */
#include <linux/capability.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/xarray.h>

#include <hvmem/hvmem.h>
#include "../uapi/hvmem.h"
#include "mrc_internal.h"

/*
 * VM id -> struct mrc_ctx (holding one reference). Lookups take xa_lock_bh,
 * as records may come from softirq context.
 */
static DEFINE_XARRAY_FLAGS(mrc_vms, XA_FLAGS_LOCK_BH);
/* Serialises enabling and disabling (context creation, sysfs dirs). */
static DEFINE_MUTEX(mrc_vms_mutex);

struct mrc_wt_start {
	struct work_struct work;
	struct mrc_ctx *ctx;
	struct hvmem_vm *vm;
	struct mrc_wtrack *wt;
};

static void mrc_wt_start_work(struct work_struct *work)
{
	struct mrc_wt_start *s = container_of(work, struct mrc_wt_start, work);

	s->wt = mrc_wtrack_start(s->ctx, hvmem_vm_kvm(s->vm), hvmem_vm_mm(s->vm),
				 READ_ONCE(mrc_untrace_ms));
}

/*
 * Feed @ctx from KVM write tracking. KVM registers page-track notifiers
 * only from the VM's address space: directly when we run in it (the VMM
 * binding itself), else from a kernel worker that adopts it.
 */
static void mrc_vm_start_wtrack(struct mrc_ctx *ctx, struct hvmem_vm *vm)
{
	struct mrc_wt_start s = { .ctx = ctx, .vm = vm };

	if (current->mm == hvmem_vm_mm(vm)) {
		mrc_wt_start_work(&s.work);
	} else {
		INIT_WORK_ONSTACK(&s.work, mrc_wt_start_work);
		queue_work(mrc_wq, &s.work);
		flush_work(&s.work);
		destroy_work_on_stack(&s.work);
	}
	if (IS_ERR(s.wt)) {
		pr_info("hvmem_mrc: VM %u: no write tracking: %pe\n", ctx->vm_id, s.wt);
		return;
	}
	ctx->wt = s.wt;
}

/**
 * mrc_vm_write_traps() - writes seen by a VM's write tracking
 * @vm_id: the VM
 * @traps: out: the count
 * @tracked: out (if not NULL): gfns write-tracked now
 *
 * Return: 0, -ENODATA if the VM has no curve or no write tracking.
 */
int mrc_vm_write_traps(u32 vm_id, u64 *traps, u64 *tracked)
{
	struct mrc_ctx *ctx;
	int ret = -ENODATA;

	mutex_lock(&mrc_vms_mutex);
	ctx = xa_load(&mrc_vms, vm_id);
	if (ctx && ctx->wt) {
		*traps = mrc_wtrack_traps(ctx->wt);
		if (tracked)
			*tracked = mrc_wtrack_tracked(ctx->wt);
		ret = 0;
	}
	mutex_unlock(&mrc_vms_mutex);
	return ret;
}

/**
 * mrc_vm_enable() - give a VM a curve
 * @vm_id: a bound VM
 *
 * Creates its context with the current sysfs defaults, fed by KVM write
 * tracking when write_track is set and the VM was bound by KVM fd (if
 * that fails, the curve is still created). Such a curve samples whole
 * 2 MiB regions of gfns, at write_track_rate_ppm at most, from every
 * source. Idempotent.
 *
 * Return: 0, -ENOENT if the VM is not bound, -ENOMEM.
 */
int mrc_vm_enable(u32 vm_id)
{
	struct hvmem_vm *vm;
	struct mrc_ctx *ctx;
	bool wt;
	int ret = 0;

	vm = hvmem_vm_get(vm_id);
	if (!vm)
		return -ENOENT;
	mutex_lock(&mrc_vms_mutex);
	if (xa_load(&mrc_vms, vm_id))
		goto out;
	wt = READ_ONCE(mrc_write_track) && hvmem_vm_kvm(vm);
	/* One sampling key for all of the curve's sources: the region. */
	ctx = mrc_ctx_create(vm_id, READ_ONCE(mrc_default_s_max),
			     wt ? mrc_write_track_threshold() : mrc_default_threshold(),
			     READ_ONCE(mrc_default_near), wt ? MRC_WT_REGION_SHIFT : 0);
	if (IS_ERR(ctx)) {
		ret = PTR_ERR(ctx);
		goto out;
	}
	if (wt)
		mrc_vm_start_wtrack(ctx, vm);
	ret = xa_err(xa_store_bh(&mrc_vms, vm_id, ctx, GFP_KERNEL));
	if (ret) {
		if (ctx->wt)
			mrc_wtrack_stop(ctx->wt);
		mrc_ctx_put(ctx);
	}
out:
	mutex_unlock(&mrc_vms_mutex);
	hvmem_vm_put(vm);
	return ret;
}

/**
 * mrc_vm_disable() - drop a VM's curve
 * @vm_id: the VM
 *
 * Open fds keep the (then detached) context until they are closed.
 */
void mrc_vm_disable(u32 vm_id)
{
	struct mrc_ctx *ctx;

	mutex_lock(&mrc_vms_mutex);
	ctx = xa_erase_bh(&mrc_vms, vm_id);
	if (ctx) {
		if (ctx->wt)
			mrc_wtrack_stop(ctx->wt);
		WRITE_ONCE(ctx->detached, true);
		mrc_ctx_put(ctx);
	}
	mutex_unlock(&mrc_vms_mutex);
}

/**
 * mrc_vm_enabled() - whether a VM has a curve
 * @vm_id: the VM
 *
 * Return: true if it has one.
 */
bool mrc_vm_enabled(u32 vm_id)
{
	return xa_load(&mrc_vms, vm_id);
}

/**
 * mrc_vm_ctx_get() - a VM's context, referenced
 * @vm_id: the VM
 *
 * Callable from process and softirq context.
 *
 * Return: the context (put it with mrc_ctx_put()), or NULL.
 */
struct mrc_ctx *mrc_vm_ctx_get(u32 vm_id)
{
	struct mrc_ctx *ctx;

	xa_lock_bh(&mrc_vms);
	ctx = xa_load(&mrc_vms, vm_id);
	if (ctx)
		kref_get(&ctx->kref);
	xa_unlock_bh(&mrc_vms);
	return ctx;
}

static long mrc_ioc_open(struct file *file, unsigned int cmd, void __user *uarg)
{
	struct hvmem_mrc_open o;
	struct mrc_ctx *ctx;
	int ret, fd;

	ret = hvmem_copy_arg_from_user(&o, sizeof(o), HVMEM_MRC_OPEN_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if (o.flags & ~HVMEM_MRC_OPEN_FLAGS)
		return -EINVAL;
	if (o.flags & HVMEM_MRC_OPEN_PRIVATE) {
		if (o.vm_id || o.s_max > HVMEM_MRC_SMAX_MAX ||
		    o.threshold > HVMEM_MRC_RATE_ONE || o.near > HVMEM_MRC_NEAR_MAX)
			return -EINVAL;
		ctx = mrc_ctx_create(0, o.s_max ?: READ_ONCE(mrc_default_s_max),
				     o.threshold ?: mrc_default_threshold(), o.near, 0);
		if (IS_ERR(ctx))
			return PTR_ERR(ctx);
	} else {
		struct hvmem_vm *vm;

		if (!o.vm_id || o.s_max || o.threshold || o.near)
			return -EINVAL;
		vm = hvmem_vm_get(o.vm_id);
		if (!vm)
			return -ENOENT;
		hvmem_vm_put(vm);
		ctx = mrc_vm_ctx_get(o.vm_id);
		if (!ctx)
			return -ENODATA;
	}
	fd = mrc_ctx_getfd(ctx);
	if (fd < 0) {
		mrc_ctx_put(ctx);
		return fd;
	}
	o.fd = fd;
	ret = hvmem_copy_arg_to_user(uarg, &o, sizeof(o));
	/* The fd is installed; on -EFAULT the caller cannot learn it, as for open(). */
	return ret;
}

static const struct hvmem_ioctl_cmd mrc_cmds[] = {
	{ HVMEM_IOC_MRC_OPEN, true, mrc_ioc_open },
};

/* FEED, QUERY and RESET are commands of a context fd (ctx.c), not of /dev/hvmem. */
static long mrc_ioctl(struct file *file, unsigned int cmd, void __user *uarg)
{
	return hvmem_ioctl_dispatch(mrc_cmds, ARRAY_SIZE(mrc_cmds), file, cmd, uarg);
}

static u64 mrc_check_extension(u32 cap)
{
	switch (cap) {
	case HVMEM_CAP_MRC_FEED_MAX:
		return HVMEM_MRC_FEED_MAX;
	case HVMEM_CAP_MRC_QUERY_MAX:
		return HVMEM_MRC_QUERY_MAX;
	case HVMEM_CAP_MRC_SMAX_MAX:
		return HVMEM_MRC_SMAX_MAX;
	}
	return 0;
}

static struct hvmem_ioctl_ops mrc_ioctl_ops = {
	.first_nr = HVMEM_NR_MRC_FIRST,
	.last_nr = HVMEM_NR_MRC_LAST,
	.ioctl = mrc_ioctl,
	.feature = HVMEM_FEATURE_MRC,
	.check_extension = mrc_check_extension,
	.owner = THIS_MODULE,
};

static int mrc_vm_event(struct notifier_block *nb, unsigned long ev, void *data)
{
	u32 id = hvmem_vm_id(data);

	switch (ev) {
	case HVMEM_VM_EVENT_BIND:
		if (mrc_sysfs_add_vm(id))
			pr_warn("hvmem_mrc: VM %u: no sysfs directory\n", id);
		if (READ_ONCE(mrc_auto_enable) && mrc_vm_enable(id))
			pr_warn("hvmem_mrc: VM %u: cannot allocate its curve\n", id);
		break;
	case HVMEM_VM_EVENT_UNBIND:
		/* Sysfs first: drains an "enabled" write that could re-create it. */
		mrc_sysfs_remove_vm(id);
		mrc_vm_disable(id);
		break;
	}
	return NOTIFY_OK;
}

static struct notifier_block mrc_vm_nb = {
	.notifier_call = mrc_vm_event,
};

/**
 * mrc_vms_init() - start following VM binds and serving ioctls
 *
 * Only VMs bound after this get a curve (and a sysfs directory): the
 * notifier chain does not replay earlier binds.
 *
 * Return: 0 or a negative errno.
 */
int mrc_vms_init(void)
{
	int ret;

	ret = hvmem_register_vm_notifier(&mrc_vm_nb);
	if (ret)
		return ret;
	ret = hvmem_register_ioctls(&mrc_ioctl_ops);
	if (ret)
		hvmem_unregister_vm_notifier(&mrc_vm_nb);
	return ret;
}

/**
 * mrc_vms_stop() - stop following VM binds and serving ioctls
 *
 * Waits for running notifier calls. Curves may still be created through
 * sysfs until mrc_sysfs_exit(): call mrc_vms_drop_all() after that.
 */
void mrc_vms_stop(void)
{
	hvmem_unregister_ioctls(&mrc_ioctl_ops);
	hvmem_unregister_vm_notifier(&mrc_vm_nb);
}

/**
 * mrc_vms_drop_all() - drop every VM's curve (and its write tracking)
 *
 * Only once nothing can create one any more: after mrc_vms_stop() and
 * mrc_sysfs_exit().
 */
void mrc_vms_drop_all(void)
{
	struct mrc_ctx *ctx;
	unsigned long id;

	xa_for_each(&mrc_vms, id, ctx)
		mrc_vm_disable(id);
	xa_destroy(&mrc_vms);
}
