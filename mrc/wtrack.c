// SPDX-License-Identifier: GPL-2.0
/*
 * Access source: KVM external write tracking of a VM's sampled gfns.
 *
 * The curve samples whole 2 MiB regions (its key_shift is
 * MRC_WT_REGION_SHIFT: all gfns of a region share one sampling hash). Every
 * gfn of a sampled region in the VM's user memslots is write-tracked
 * (kvm_write_track_add_gfn), the gfns of the other regions never are.
 * KVM 6.12's __kvm_write_track_add_gfn() disallows the 2 MiB and 1 GiB
 * mappings containing a tracked gfn (kvm_mmu_gfn_disallow_lpage) and
 * write-protects its 4 KiB mapping, so only the sampled fraction of the
 * 2 MiB mappings is lost; sampling single gfns lost nearly all of them.
 * The guest's first write to a tracked gfn
 * faults, KVM emulates the write and calls track_write, which records a
 * reference. With an untrace period, the gfn is then untracked so that
 * further writes run at full speed, and retracked one to two periods later
 * (as in the seed: leave a page untraced for a while after an access). Gfns
 * that fall out of the sample (the rate lowered) are untracked when they
 * next trap. Only writes are seen; memslots added after enabling are not
 * tracked. KVM's symbols are taken with symbol_get(), so the module loads
 * without kvm.ko.
 */
#include <linux/kthread.h>
#include <linux/kvm_host.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <asm/kvm_page_track.h>

#include "mrc_internal.h"

/*
 * Most gfns one generation can hold untraced (512 KiB per buffer); beyond,
 * gfns stay traced. Buffers are sized to the gfns tracked at the start.
 */
#define MRC_WT_PENDING_MAX	65536
#define MRC_WT_REGION_PAGES	BIT(MRC_WT_REGION_SHIFT)

struct mrc_wt_region {
	gfn_t base;
	unsigned long npages;	/* 0 once KVM removed the memslot */
	unsigned long *tracked;	/* bit set: we hold a write-track count */
};

/**
 * struct mrc_wtrack - write tracking of one VM
 * @node: KVM page-track notifier
 * @kvm: the VM (referenced by the registered notifier)
 * @ctx: the curve it feeds (the wtrack lives and dies with it)
 * @lock: protects @regions' npages and the pending buffers
 * @regions: tracked memslots
 * @nregions: entries of @regions
 * @pending: three buffers of untraced gfns: [@cur] filling, [@old] untraced
 *	for at least a period, the third spare
 * @npending: gfns in each buffer
 * @pending_cap: entries of each buffer
 * @cur: buffer being filled
 * @old: buffer retraced next
 * @untrace_ms: untrace period, 0 to keep gfns traced
 * @retrace: retraces @old every @untrace_ms
 * @traps: writes to sampled gfns seen
 * @tracked: gfns we hold a write-track count on
 */
struct mrc_wtrack {
	struct kvm_page_track_notifier_node node;
	struct kvm *kvm;
	struct mrc_ctx *ctx;
	spinlock_t lock;	/* see above */
	struct mrc_wt_region *regions;
	unsigned int nregions;
	u64 *pending[3];
	unsigned int npending[3];
	unsigned int pending_cap;
	unsigned int cur, old;
	unsigned int untrace_ms;
	struct delayed_work retrace;
	atomic64_t traps;
	atomic64_t tracked;
};

static int (*wt_register)(struct kvm *kvm, struct kvm_page_track_notifier_node *n);
static void (*wt_unregister)(struct kvm *kvm, struct kvm_page_track_notifier_node *n);
static int (*wt_add)(struct kvm *kvm, gfn_t gfn);
static int (*wt_remove)(struct kvm *kvm, gfn_t gfn);
static DEFINE_MUTEX(mrc_wt_sym_mutex);
static unsigned int mrc_wt_users;

static int mrc_wt_get_symbols(void)
{
	int ret = 0;

	mutex_lock(&mrc_wt_sym_mutex);
	if (!mrc_wt_users) {
		wt_register = symbol_get(kvm_page_track_register_notifier);
		wt_unregister = symbol_get(kvm_page_track_unregister_notifier);
		wt_add = symbol_get(kvm_write_track_add_gfn);
		wt_remove = symbol_get(kvm_write_track_remove_gfn);
		if (!wt_register || !wt_unregister || !wt_add || !wt_remove) {
			if (wt_register)
				symbol_put(kvm_page_track_register_notifier);
			if (wt_unregister)
				symbol_put(kvm_page_track_unregister_notifier);
			if (wt_add)
				symbol_put(kvm_write_track_add_gfn);
			if (wt_remove)
				symbol_put(kvm_write_track_remove_gfn);
			ret = -EOPNOTSUPP;
		}
	}
	if (!ret)
		mrc_wt_users++;
	mutex_unlock(&mrc_wt_sym_mutex);
	return ret;
}

static void mrc_wt_put_symbols(void)
{
	mutex_lock(&mrc_wt_sym_mutex);
	if (!--mrc_wt_users) {
		symbol_put(kvm_page_track_register_notifier);
		symbol_put(kvm_page_track_unregister_notifier);
		symbol_put(kvm_write_track_add_gfn);
		symbol_put(kvm_write_track_remove_gfn);
	}
	mutex_unlock(&mrc_wt_sym_mutex);
}

/* The tracked bitmap word of @gfn and its bit, or NULL. */
static unsigned long *mrc_wt_bitmap(struct mrc_wtrack *wt, gfn_t gfn, unsigned long *bit)
{
	unsigned long *map = NULL;
	unsigned int i;

	spin_lock(&wt->lock);
	for (i = 0; i < wt->nregions; i++) {
		struct mrc_wt_region *r = &wt->regions[i];

		if (gfn >= r->base && gfn - r->base < r->npages) {
			*bit = gfn - r->base;
			map = r->tracked;
			break;
		}
	}
	spin_unlock(&wt->lock);
	return map;
}

static void mrc_wt_untrack(struct mrc_wtrack *wt, gfn_t gfn)
{
	unsigned long bit, *map = mrc_wt_bitmap(wt, gfn, &bit);

	if (map && test_and_clear_bit(bit, map)) {
		wt_remove(wt->kvm, gfn);
		atomic64_dec(&wt->tracked);
	}
}

static void mrc_wt_track(struct mrc_wtrack *wt, gfn_t gfn)
{
	unsigned long bit, *map = mrc_wt_bitmap(wt, gfn, &bit);

	if (!map || test_and_set_bit(bit, map))
		return;
	if (wt_add(wt->kvm, gfn))
		clear_bit(bit, map);
	else
		atomic64_inc(&wt->tracked);
}

static void mrc_wt_write(gpa_t gpa, const u8 *new, int bytes,
			 struct kvm_page_track_notifier_node *node)
{
	struct mrc_wtrack *wt = container_of(node, struct mrc_wtrack, node);
	u64 gfn = gpa_to_gfn(gpa);
	bool queued = false;

	if (!mrc_sampled(&wt->ctx->mrc, gfn)) {
		/* fell out of the sample, or not ours (another tracker's) */
		mrc_wt_untrack(wt, gfn);
		return;
	}
	atomic64_inc(&wt->traps);
	mrc_ctx_record(wt->ctx, &gfn, 1);
	if (!wt->untrace_ms)
		return;
	spin_lock(&wt->lock);
	if (wt->npending[wt->cur] < wt->pending_cap) {
		wt->pending[wt->cur][wt->npending[wt->cur]++] = gfn;
		queued = true;
	}
	spin_unlock(&wt->lock);
	if (queued)
		mrc_wt_untrack(wt, gfn);
}

static void mrc_wt_remove_region(gfn_t gfn, unsigned long nr_pages,
				 struct kvm_page_track_notifier_node *node)
{
	struct mrc_wtrack *wt = container_of(node, struct mrc_wtrack, node);
	unsigned int i;

	/* KVM drops the slot's write-track counts with it. */
	spin_lock(&wt->lock);
	for (i = 0; i < wt->nregions; i++)
		if (wt->regions[i].base == gfn)
			wt->regions[i].npages = 0;
	spin_unlock(&wt->lock);
}

static void mrc_wt_retrace(struct work_struct *work)
{
	struct mrc_wtrack *wt = container_of(to_delayed_work(work), struct mrc_wtrack, retrace);
	unsigned int r, i, n;

	spin_lock(&wt->lock);
	r = wt->old;
	wt->old = wt->cur;
	wt->cur = 3 - r - wt->old;	/* the spare */
	wt->npending[wt->cur] = 0;
	n = wt->npending[r];
	spin_unlock(&wt->lock);
	/* r is neither cur nor old now: only this work touches it. */
	for (i = 0; i < n; i++)
		if (mrc_sampled(&wt->ctx->mrc, wt->pending[r][i]))
			mrc_wt_track(wt, wt->pending[r][i]);
	queue_delayed_work(mrc_wq, &wt->retrace, msecs_to_jiffies(wt->untrace_ms));
}

/*
 * The largest memslot tracked: its bitmap (one bit per page) must stay
 * within kvmalloc's INT_MAX bytes, so 2^34 pages (64 TiB of 4 KiB pages).
 */
#define MRC_WT_MAX_SLOT_PAGES	((u64)INT_MAX * BITS_PER_BYTE)

/*
 * Snapshot the user memslots (before any gfn is tracked). Return: 0,
 * -ENOMEM, -E2BIG (a memslot above MRC_WT_MAX_SLOT_PAGES).
 */
static int mrc_wt_snapshot_memslots(struct mrc_wtrack *wt)
{
	struct kvm_memory_slot *slot;
	struct kvm_memslots *slots;
	unsigned int n = 0;
	int idx, bkt, ret = 0;

	idx = srcu_read_lock(&wt->kvm->srcu);
	slots = kvm_memslots(wt->kvm);
	kvm_for_each_memslot(slot, bkt, slots)
		n++;
	wt->regions = kcalloc(n ?: 1, sizeof(*wt->regions), GFP_KERNEL);
	if (!wt->regions) {
		ret = -ENOMEM;
		goto out;
	}
	kvm_for_each_memslot(slot, bkt, slots) {
		struct mrc_wt_region *r;

		if (slot->id >= KVM_USER_MEM_SLOTS || wt->nregions == n)
			continue;
		r = &wt->regions[wt->nregions];
		/* kvmalloc refuses (with a WARN) more than INT_MAX bytes */
		if (slot->npages > MRC_WT_MAX_SLOT_PAGES) {
			ret = -E2BIG;
			goto out;
		}
		r->tracked = kvcalloc(BITS_TO_LONGS(slot->npages), sizeof(unsigned long),
				      GFP_KERNEL_ACCOUNT);
		if (!r->tracked) {
			ret = -ENOMEM;
			goto out;
		}
		r->base = slot->base_gfn;
		r->npages = slot->npages;
		wt->nregions++;
	}
out:
	srcu_read_unlock(&wt->kvm->srcu, idx);
	return ret;
}

/*
 * Track every gfn of the snapshot's sampled 2 MiB regions (one hash per
 * region), or with @count_only count them. Return: the gfns.
 */
static u64 mrc_wt_track_sampled(struct mrc_wtrack *wt, bool count_only)
{
	unsigned int i;
	gfn_t g, next, end;
	u64 n = 0;

	for (i = 0; i < wt->nregions; i++) {
		struct mrc_wt_region *r = &wt->regions[i];

		end = r->base + r->npages;
		for (g = r->base; g < end; g = next) {
			next = min(end, (g | (MRC_WT_REGION_PAGES - 1)) + 1);
			cond_resched();
			if (!mrc_sampled(&wt->ctx->mrc, g))
				continue;
			n += next - g;
			if (count_only)
				continue;
			for (; g < next; g++)
				mrc_wt_track(wt, g);
		}
	}
	return n;
}

static void mrc_wt_free(struct mrc_wtrack *wt)
{
	unsigned int i;

	for (i = 0; i < wt->nregions; i++)
		kvfree(wt->regions[i].tracked);
	kfree(wt->regions);
	for (i = 0; i < 3; i++)
		kvfree(wt->pending[i]);
	kfree(wt);
}

/**
 * mrc_wtrack_start() - feed a VM's curve from write tracking
 * @ctx: the VM's curve
 * @kvm: the VM's KVM VM
 * @mm: its address space (the notifier must be registered from it)
 * @untrace_ms: untrace period after a trapped write; 0 keeps gfns traced
 *
 * Return: the tracker, or an ERR_PTR: -EOPNOTSUPP without KVM write
 * tracking (kvm.ko not loaded), -ESRCH if the address space is gone,
 * -E2BIG if a memslot is larger than 64 TiB (2^34 pages), -ENOMEM.
 */
struct mrc_wtrack *mrc_wtrack_start(struct mrc_ctx *ctx, struct kvm *kvm,
				    struct mm_struct *mm, unsigned int untrace_ms)
{
	struct mrc_wtrack *wt;
	unsigned int i;
	int ret;

	ret = mrc_wt_get_symbols();
	if (ret)
		return ERR_PTR(ret);
	wt = kzalloc(sizeof(*wt), GFP_KERNEL);
	if (!wt) {
		ret = -ENOMEM;
		goto err_sym;
	}
	wt->kvm = kvm;
	wt->ctx = ctx;
	wt->untrace_ms = untrace_ms;
	spin_lock_init(&wt->lock);
	INIT_DELAYED_WORK(&wt->retrace, mrc_wt_retrace);
	wt->node.track_write = mrc_wt_write;
	wt->node.track_remove_region = mrc_wt_remove_region;
	wt->old = 1;
	ret = mrc_wt_snapshot_memslots(wt);
	if (ret)
		goto err_free;
	/* The sample only shrinks: room for every gfn tracked now, bounded. */
	wt->pending_cap = clamp_t(u64, mrc_wt_track_sampled(wt, true), 64, MRC_WT_PENDING_MAX);
	for (i = 0; untrace_ms && i < 3; i++) {
		wt->pending[i] = kvmalloc_array(wt->pending_cap, sizeof(u64), GFP_KERNEL);
		if (!wt->pending[i]) {
			ret = -ENOMEM;
			goto err_free;
		}
	}
	/* KVM accepts notifiers only from the VM's own address space. */
	if (current->mm == mm) {
		ret = wt_register(kvm, &wt->node);
	} else if (current->flags & PF_KTHREAD && !current->mm && mmget_not_zero(mm)) {
		kthread_use_mm(mm);
		ret = wt_register(kvm, &wt->node);
		kthread_unuse_mm(mm);
		mmput(mm);
	} else {
		ret = -ESRCH;
	}
	if (ret)
		goto err_free;
	mrc_wt_track_sampled(wt, false);
	if (untrace_ms)
		queue_delayed_work(mrc_wq, &wt->retrace, msecs_to_jiffies(untrace_ms));
	return wt;
err_free:
	mrc_wt_free(wt);
err_sym:
	mrc_wt_put_symbols();
	return ERR_PTR(ret);
}

/**
 * mrc_wtrack_traps() - writes to sampled gfns seen so far
 * @wt: the tracker
 *
 * Return: the count.
 */
u64 mrc_wtrack_traps(struct mrc_wtrack *wt)
{
	return atomic64_read(&wt->traps);
}

/**
 * mrc_wtrack_tracked() - gfns write-tracked now
 * @wt: the tracker
 *
 * Return: the count (untraced gfns are not counted).
 */
u64 mrc_wtrack_tracked(struct mrc_wtrack *wt)
{
	return atomic64_read(&wt->tracked);
}

/**
 * mrc_wtrack_stop() - stop tracking and untrack every gfn still tracked
 * @wt: the tracker
 */
void mrc_wtrack_stop(struct mrc_wtrack *wt)
{
	unsigned int i;
	unsigned long b;

	cancel_delayed_work_sync(&wt->retrace);
	wt_unregister(wt->kvm, &wt->node);	/* waits for running callbacks */
	for (i = 0; i < wt->nregions; i++) {
		struct mrc_wt_region *r = &wt->regions[i];

		if (!r->npages)
			continue;
		for_each_set_bit(b, r->tracked, r->npages)
			wt_remove(wt->kvm, r->base + b);
	}
	mrc_wt_free(wt);
	mrc_wt_put_symbols();
}
