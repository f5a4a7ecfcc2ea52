// SPDX-License-Identifier: GPL-2.0
/*
 * Per-VM scan results and the estimates over all of them.
 *
 * share_lock guards the table (VM id -> struct share_vm) and the
 * estimates; share_scan_lock lets one scan run at a time. A scan runs
 * without share_lock and installs its result only if the VM is still
 * bound: hvmem.ko removes a VM from its registry before the UNBIND
 * notifier runs, and that notifier drops the VM's entry under share_lock.
 */
#include <linux/ktime.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>
#include <linux/xarray.h>

#include <hvmem/hvmem.h>
#include "share_internal.h"
#include "share_trace.h"

/**
 * struct share_vm - what hvmem_share.ko knows of a VM
 * @scan: its last scan (regions carry the last estimate's dup/zero/policy)
 * @est: its part of the last estimate
 * @scans: scans done
 * @cross_vm: its pages may merge with other cross-VM VMs' pages
 */
struct share_vm {
	struct share_scan scan;
	struct share_est est;
	u64 scans;
	bool cross_vm;
};

static DEFINE_XARRAY(share_vms);
static DEFINE_MUTEX(share_lock);
static DEFINE_MUTEX(share_scan_lock);
static struct share_est share_total;
static bool share_dirty;
atomic64_t share_scans = ATOMIC64_INIT(0);
atomic64_t share_pages_scanned = ATOMIC64_INIT(0);

/* The VM's entry, created if needed. Under share_lock. */
static struct share_vm *share_vm_lookup(u32 vm_id, bool create)
{
	struct share_vm *v = xa_load(&share_vms, vm_id);

	if (v || !create)
		return v;
	v = kzalloc(sizeof(*v), GFP_KERNEL);
	if (!v)
		return ERR_PTR(-ENOMEM);
	if (xa_err(xa_store(&share_vms, vm_id, v, GFP_KERNEL))) {
		kfree(v);
		return ERR_PTR(-ENOMEM);
	}
	return v;
}

static bool share_vm_bound(u32 vm_id)
{
	struct hvmem_vm *vm = hvmem_vm_get(vm_id);

	if (vm)
		hvmem_vm_put(vm);
	return vm;
}

/*
 * Forget VMs no longer bound. hvmem.ko takes a VM out of its registry before
 * the UNBIND notifier runs (from a workqueue when its process exits), so an
 * entry can outlive its VM for a while: estimates must not count it.
 * Under share_lock.
 */
static void share_prune(void)
{
	struct share_vm *v;
	unsigned long id;

	xa_for_each(&share_vms, id, v) {
		if (share_vm_bound(id))
			continue;
		xa_erase(&share_vms, id);
		share_scan_free(&v->scan);
		kfree(v);
		share_dirty = true;
	}
}

/* Recompute every estimate from the VMs' last scans. Under share_lock. */
static int share_recompute(void)
{
	size_t np = 0, nr = 0, po = 0, ro = 0;
	struct share_est *per = NULL;
	struct share_region *regs = NULL;
	struct share_page *pages = NULL;
	struct share_vm *v;
	unsigned long id;
	u32 slots = 0, slot;
	int ret = -ENOMEM;

	xa_for_each(&share_vms, id, v) {
		np += v->scan.nr_pages;
		nr += v->scan.nr_regions;
		slots++;
	}
	/* kvmalloc() refuses more than INT_MAX bytes, with a warning */
	if (np > SHARE_MAX_ENTRIES(sizeof(*pages)) || nr > SHARE_MAX_ENTRIES(sizeof(*regs))) {
		pr_warn_ratelimited("hvmem_share: estimate over %zu pages in %zu regions: too large, at most %zu pages and %zu regions\n",
				    np, nr, SHARE_MAX_ENTRIES(sizeof(*pages)),
				    SHARE_MAX_ENTRIES(sizeof(*regs)));
		return -E2BIG;
	}
	pages = kvmalloc_array(max_t(size_t, np, 1), sizeof(*pages), GFP_KERNEL);
	regs = kvmalloc_array(max_t(size_t, nr, 1), sizeof(*regs), GFP_KERNEL);
	per = kvcalloc(max_t(u32, slots, 1), sizeof(*per), GFP_KERNEL);
	if (!pages || !regs || !per)
		goto out;
	slot = 0;
	xa_for_each(&share_vms, id, v) {
		size_t i;

		for (i = 0; i < v->scan.nr_pages; i++) {
			pages[po + i] = v->scan.pages[i];
			pages[po + i].region += ro;
			pages[po + i].domain = v->cross_vm ? 0 : id;
		}
		for (i = 0; i < v->scan.nr_regions; i++) {
			regs[ro + i] = v->scan.regions[i];
			regs[ro + i].slot = slot;
		}
		po += v->scan.nr_pages;
		ro += v->scan.nr_regions;
		slot++;
	}
	share_sort_pages(pages, np);
	ret = share_estimate(pages, np, regs, nr, READ_ONCE(share_split_threshold), per,
			     slots, &share_total);
	if (ret)
		goto out;
	ro = 0;
	slot = 0;
	xa_for_each(&share_vms, id, v) {
		memcpy(v->scan.regions, regs + ro, v->scan.nr_regions * sizeof(*regs));
		ro += v->scan.nr_regions;
		v->est = per[slot++];
	}
	share_dirty = false;
	trace_hvmem_share_estimate(share_total.pages, share_total.small, share_total.split,
				   share_total.policy, share_total.policy_regions);
out:
	kvfree(pages);
	kvfree(regs);
	kvfree(per);
	return ret;
}

/* Prune, and recompute the estimates if stale. Under share_lock. */
static int share_refresh(void)
{
	share_prune();
	return share_dirty ? share_recompute() : 0;
}

/**
 * share_mark_dirty() - the estimates must be recomputed before use
 */
void share_mark_dirty(void)
{
	mutex_lock(&share_lock);
	share_dirty = true;
	mutex_unlock(&share_lock);
}

/* Scan one VM and install the result. Under share_scan_lock. */
static int share_vm_scan_locked(u32 vm_id)
{
	u64 t0 = ktime_get_ns();
	struct share_scan scan;
	struct hvmem_vm *vm;
	struct share_vm *v;
	size_t i, thp = 0;
	int ret;

	vm = hvmem_vm_get(vm_id);
	if (!vm)
		return -ENOENT;
	ret = share_scan_vm(vm, &scan);
	hvmem_vm_put(vm);
	if (trace_hvmem_share_scan_enabled()) {
		for (i = 0; !ret && i < scan.nr_regions; i++)
			thp += !!(scan.regions[i].flags & SHARE_REGION_THP);
		trace_hvmem_share_scan(vm_id, ret, scan.nr_pages, scan.nr_regions, thp,
				       ktime_get_ns() - t0);
	}
	if (ret)
		return ret;
	atomic64_inc(&share_scans);
	atomic64_add(scan.nr_pages, &share_pages_scanned);
	mutex_lock(&share_lock);
	v = share_vm_bound(vm_id) ? share_vm_lookup(vm_id, true) : ERR_PTR(-ENOENT);
	if (IS_ERR(v)) {
		ret = PTR_ERR(v);
		share_scan_free(&scan);
	} else {
		share_scan_free(&v->scan);
		v->scan = scan;
		v->scans++;
		share_dirty = true;
	}
	mutex_unlock(&share_lock);
	return ret;
}

/**
 * share_vm_scan() - scan a VM, replacing its previous scan
 * @vm_id: the VM
 *
 * Return: 0, -ENOENT (not bound), -EINTR, -ENOMEM, -ESRCH.
 */
int share_vm_scan(u32 vm_id)
{
	int ret;

	if (mutex_lock_killable(&share_scan_lock))
		return -EINTR;
	ret = share_vm_scan_locked(vm_id);
	mutex_unlock(&share_scan_lock);
	return ret;
}

/**
 * share_scan_all() - scan every VM in the table
 *
 * The table holds the VMs bound since the module loaded and those named
 * in a scan or setting. VMs unbound meanwhile are skipped.
 *
 * Return: 0, or the first error other than -ENOENT/-ESRCH.
 */
int share_scan_all(void)
{
	unsigned long id = 0;
	int ret = 0;

	if (mutex_lock_killable(&share_scan_lock))
		return -EINTR;
	for (;;) {
		mutex_lock(&share_lock);
		if (!xa_find(&share_vms, &id, ULONG_MAX, XA_PRESENT)) {
			mutex_unlock(&share_lock);
			break;
		}
		mutex_unlock(&share_lock);
		ret = share_vm_scan_locked(id);
		if (ret == -ENOENT || ret == -ESRCH)
			ret = 0;
		if (ret || id == ULONG_MAX)
			break;
		id++;
	}
	mutex_unlock(&share_scan_lock);
	return ret;
}

/**
 * share_vm_seen() - add a newly bound VM to the table
 * @vm_id: the VM
 */
void share_vm_seen(u32 vm_id)
{
	mutex_lock(&share_lock);
	if (IS_ERR(share_vm_lookup(vm_id, true)))
		pr_warn("hvmem_share: VM %u: no memory for its entry\n", vm_id);
	mutex_unlock(&share_lock);
}

/**
 * share_vm_set() - a VM's settings
 * @vm_id: the VM
 * @cross_vm: its pages may merge with other cross-VM VMs' pages
 *
 * Return: 0, -ENOENT (not bound) or -ENOMEM.
 */
int share_vm_set(u32 vm_id, bool cross_vm)
{
	struct share_vm *v;
	int ret = 0;

	mutex_lock(&share_lock);
	v = share_vm_bound(vm_id) ? share_vm_lookup(vm_id, true) : ERR_PTR(-ENOENT);
	if (IS_ERR(v)) {
		ret = PTR_ERR(v);
	} else if (v->cross_vm != cross_vm) {
		v->cross_vm = cross_vm;
		share_dirty = true;
	}
	mutex_unlock(&share_lock);
	return ret;
}

/**
 * share_vm_remove() - forget a VM (it is being unbound)
 * @vm_id: the VM
 */
void share_vm_remove(u32 vm_id)
{
	struct share_vm *v;

	mutex_lock(&share_lock);
	v = xa_erase(&share_vms, vm_id);
	if (v) {
		share_scan_free(&v->scan);
		kfree(v);
		share_dirty = true;
	}
	mutex_unlock(&share_lock);
}

/**
 * share_stats() - the estimate of a VM or of all
 * @vm_id: the VM, 0 for the total
 * @est: out: the estimate
 * @scans: out: scans of the VM, or of all
 * @cross_vm: out: the VM's setting (false for the total)
 *
 * Return: 0, -ENOENT (a VM not bound), -ENODATA (bound, never scanned or
 * set), -ENOMEM (the estimate could not be recomputed).
 */
int share_stats(u32 vm_id, struct share_est *est, u64 *scans, bool *cross_vm)
{
	struct share_vm *v = NULL;
	int ret = 0;

	if (vm_id && !share_vm_bound(vm_id))
		return -ENOENT;
	mutex_lock(&share_lock);
	ret = share_refresh();
	if (ret)
		goto out;
	if (vm_id) {
		v = xa_load(&share_vms, vm_id);
		if (!v) {
			ret = -ENODATA;
			goto out;
		}
	}
	*est = v ? v->est : share_total;
	*scans = v ? v->scans : atomic64_read(&share_scans);
	*cross_vm = v && v->cross_vm;
out:
	mutex_unlock(&share_lock);
	return ret;
}

static int share_region_cmp(const void *a, const void *b)
{
	const struct share_region *x = a, *y = b;
	int sx = x->dup + x->zero, sy = y->dup + y->zero;

	if (sx != sy)
		return sy - sx;
	return x->start < y->start ? -1 : x->start > y->start;
}

/**
 * share_regions_top() - a VM's regions, the most sharable first
 * @vm_id: the VM
 * @out: out: up to @count regions
 * @count: in: room at @out; out: entries written
 * @total: out: the VM's regions
 *
 * Return: 0, -ENOENT (not bound), -ENODATA (never scanned), -ENOMEM.
 */
int share_regions_top(u32 vm_id, struct share_region *out, u32 *count, u32 *total)
{
	struct share_region *tmp = NULL;
	struct share_vm *v;
	int ret = 0;
	size_t n;

	if (!share_vm_bound(vm_id))
		return -ENOENT;
	mutex_lock(&share_lock);
	ret = share_refresh();
	if (ret)
		goto out;
	v = xa_load(&share_vms, vm_id);
	if (!v || !v->scans) {
		ret = -ENODATA;
		goto out;
	}
	n = v->scan.nr_regions;
	*total = n;
	tmp = kvmalloc_array(max_t(size_t, n, 1), sizeof(*tmp), GFP_KERNEL);
	if (!tmp) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(tmp, v->scan.regions, n * sizeof(*tmp));
	sort(tmp, n, sizeof(*tmp), share_region_cmp, NULL);
	*count = min_t(size_t, *count, n);
	memcpy(out, tmp, *count * sizeof(*tmp));
out:
	mutex_unlock(&share_lock);
	kvfree(tmp);
	return ret;
}

/**
 * share_vms_exit() - free every VM's entry
 */
void share_vms_exit(void)
{
	struct share_vm *v;
	unsigned long id;

	xa_for_each(&share_vms, id, v) {
		share_scan_free(&v->scan);
		kfree(v);
	}
	xa_destroy(&share_vms);
}
