// SPDX-License-Identifier: GPL-2.0
/*
 * hvmem_mrc contexts: a curve, its lock and its file descriptor. The fd
 * serves HVMEM_IOC_MRC_FEED, HVMEM_IOC_MRC_QUERY and HVMEM_IOC_MRC_RESET.
 */
#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <hvmem/hvmem.h>
#include "../uapi/hvmem.h"
#include "mrc_internal.h"

static_assert(sizeof(struct hvmem_mrc_open) == HVMEM_MRC_OPEN_SIZE_VER0);
static_assert(sizeof(struct hvmem_mrc_feed) == HVMEM_MRC_FEED_SIZE_VER0);
static_assert(sizeof(struct hvmem_mrc_query) == HVMEM_MRC_QUERY_SIZE_VER0);
static_assert(sizeof(struct hvmem_mrc_reset) == HVMEM_MRC_RESET_SIZE_VER0);

static void mrc_ctx_free_work(struct work_struct *work)
{
	struct mrc_ctx *ctx = container_of(work, struct mrc_ctx, free_work);

	mrc_destroy(&ctx->mrc);
	kfree(ctx);
}

/**
 * mrc_ctx_create() - allocate a context with all its memory
 * @vm_id: its VM, 0 for a private context
 * @s_max: most pages in the sample, 1 .. HVMEM_MRC_SMAX_MAX
 * @threshold: initial sampling threshold, 1 .. HVMEM_MRC_RATE_ONE
 * @near: pages of the exact near stack, 0 .. HVMEM_MRC_NEAR_MAX
 * @key_shift: sample pages by page >> @key_shift (mrc_core.h), 0 for
 *	single pages
 *
 * Return: the context with one reference, or an ERR_PTR (-EINVAL, -ENOMEM).
 */
struct mrc_ctx *mrc_ctx_create(u32 vm_id, u32 s_max, u64 threshold, u32 near,
			       u32 key_shift)
{
	struct mrc_params p = {
		.threshold = threshold, .s_max = s_max, .init_cap = s_max + 1,
		.near = near, .key_shift = key_shift,
	};
	struct mrc_ctx *ctx;
	int ret;

	if (!s_max || s_max > HVMEM_MRC_SMAX_MAX || !threshold ||
	    threshold > HVMEM_MRC_RATE_ONE || near > HVMEM_MRC_NEAR_MAX)
		return ERR_PTR(-EINVAL);
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return ERR_PTR(-ENOMEM);
	ret = mrc_init(&ctx->mrc, &p);
	if (ret) {
		kfree(ctx);
		return ERR_PTR(ret);
	}
	kref_init(&ctx->kref);
	spin_lock_init(&ctx->lock);
	INIT_WORK(&ctx->free_work, mrc_ctx_free_work);
	ctx->vm_id = vm_id;
	return ctx;
}

static void mrc_ctx_release(struct kref *kref)
{
	struct mrc_ctx *ctx = container_of(kref, struct mrc_ctx, kref);

	/*
	 * The last put may come from atomic context and vfree() may sleep;
	 * module exit drains mrc_wq.
	 */
	queue_work(mrc_wq, &ctx->free_work);
}

/**
 * mrc_ctx_put() - drop a reference to a context
 * @ctx: the context
 */
void mrc_ctx_put(struct mrc_ctx *ctx)
{
	kref_put(&ctx->kref, mrc_ctx_release);
}

/**
 * mrc_ctx_record() - record page references
 * @ctx: the context
 * @pages: page numbers (guest frame numbers for a VM), in reference order
 * @n: how many
 *
 * Callable from process and softirq context; never allocates.
 */
void mrc_ctx_record(struct mrc_ctx *ctx, const u64 *pages, unsigned int n)
{
	unsigned int i;

	spin_lock_bh(&ctx->lock);
	for (i = 0; i < n; i++)
		mrc_access(&ctx->mrc, pages[i]);
	spin_unlock_bh(&ctx->lock);
}

static long mrc_ioc_feed(struct mrc_ctx *ctx, void __user *uarg)
{
	struct hvmem_mrc_feed f;
	u64 __user *up;
	u64 *buf;
	u32 done = 0;
	int ret;

	ret = hvmem_copy_arg_from_user(&f, sizeof(f), HVMEM_MRC_FEED_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if (f.flags || f.reserved)
		return -EINVAL;
	if (f.count > HVMEM_MRC_FEED_MAX)
		return -E2BIG;
	if (ctx->detached)
		return -ENODEV;
	buf = kmalloc_array(MRC_LOCK_BATCH, sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	up = u64_to_user_ptr(f.pages);
	while (done < f.count) {
		u32 n = min_t(u32, f.count - done, MRC_LOCK_BATCH);

		if (copy_from_user(buf, up + done, n * sizeof(*buf))) {
			ret = -EFAULT;
			break;
		}
		mrc_ctx_record(ctx, buf, n);
		done += n;
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		cond_resched();
	}
	kfree(buf);
	/* Report what was recorded; fail only if nothing was. */
	if (ret && !done)
		return ret;
	f.count = done;
	return hvmem_copy_arg_to_user(uarg, &f, sizeof(f));
}

static long mrc_ioc_query(struct mrc_ctx *ctx, void __user *uarg)
{
	struct hvmem_mrc_query q;
	struct mrc snap;
	u64 *sizes = NULL;
	u32 *ratios = NULL, i;
	int ret;

	ret = hvmem_copy_arg_from_user(&q, sizeof(q), HVMEM_MRC_QUERY_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if (q.flags)
		return -EINVAL;
	if (q.count > HVMEM_MRC_QUERY_MAX)
		return -E2BIG;
	ret = mrc_snapshot_init(&snap, &ctx->mrc);
	if (ret)
		return ret;
	if (q.count) {
		sizes = kvmalloc_array(q.count, sizeof(*sizes), GFP_KERNEL);
		ratios = kvmalloc_array(q.count, sizeof(*ratios), GFP_KERNEL);
		if (!sizes || !ratios) {
			ret = -ENOMEM;
			goto out;
		}
	}
	if (q.count && copy_from_user(sizes, u64_to_user_ptr(q.sizes),
				      q.count * sizeof(*sizes))) {
		ret = -EFAULT;
		goto out;
	}
	/* Copy the counts under the lock, compute the curve outside it. */
	spin_lock_bh(&ctx->lock);
	mrc_snapshot_take(&snap, &ctx->mrc);
	spin_unlock_bh(&ctx->lock);
	q.sampled = snap.sampled;
	q.threshold = snap.threshold;
	q.s_max = snap.s_max;
	for (i = 0; i < q.count; i++)
		ratios[i] = mrc_miss_ratio(&snap, sizes[i]);
	if (q.count && copy_to_user(u64_to_user_ptr(q.ratios), ratios,
				    q.count * sizeof(*ratios))) {
		ret = -EFAULT;
		goto out;
	}
	q.refs = snap.refs;
	q.unique = mrc_unique_pages(&snap);
	q.bytes = sizeof(*ctx) + mrc_bytes(&ctx->mrc) - sizeof(ctx->mrc);
	q.vm_id = ctx->vm_id;
	q.state = (q.threshold == HVMEM_MRC_RATE_ONE ? HVMEM_MRC_EXACT : 0) |
		  (ctx->vm_id ? 0 : HVMEM_MRC_PRIVATE) |
		  (READ_ONCE(ctx->detached) ? HVMEM_MRC_DETACHED : 0);
	ret = hvmem_copy_arg_to_user(uarg, &q, sizeof(q));
out:
	mrc_snapshot_destroy(&snap);
	kvfree(sizes);
	kvfree(ratios);
	return ret;
}

static long mrc_ioc_reset(struct mrc_ctx *ctx, void __user *uarg)
{
	struct hvmem_mrc_reset r;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = hvmem_copy_arg_from_user(&r, sizeof(r), HVMEM_MRC_RESET_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if (r.flags)
		return -EINVAL;
	spin_lock_bh(&ctx->lock);
	mrc_reset(&ctx->mrc);
	spin_unlock_bh(&ctx->lock);
	return 0;
}

static long mrc_ctx_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct mrc_ctx *ctx = file->private_data;
	void __user *uarg = (void __user *)arg;

	if (_IOC_TYPE(cmd) != HVMEM_IOCTL_MAGIC)
		return -ENOTTY;
	switch (_IOC_NR(cmd)) {
	case _IOC_NR(HVMEM_IOC_MRC_FEED):
		return mrc_ioc_feed(ctx, uarg);
	case _IOC_NR(HVMEM_IOC_MRC_QUERY):
		return mrc_ioc_query(ctx, uarg);
	case _IOC_NR(HVMEM_IOC_MRC_RESET):
		return mrc_ioc_reset(ctx, uarg);
	}
	return -ENOTTY;
}

static int mrc_ctx_file_release(struct inode *inode, struct file *file)
{
	mrc_ctx_put(file->private_data);
	return 0;
}

static const struct file_operations mrc_ctx_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = mrc_ctx_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.release = mrc_ctx_file_release,
	.llseek = noop_llseek,
};

/**
 * mrc_ctx_getfd() - a file descriptor for a context
 * @ctx: the context; the fd takes over the caller's reference on success
 *
 * Return: the fd (O_CLOEXEC), or a negative errno (the reference is then
 * still the caller's).
 */
int mrc_ctx_getfd(struct mrc_ctx *ctx)
{
	return anon_inode_getfd("[hvmem_mrc]", &mrc_ctx_fops, ctx, O_RDWR | O_CLOEXEC);
}
