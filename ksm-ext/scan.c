// SPDX-License-Identifier: GPL-2.0
/*
 * The scanner: reads the present anonymous pages of a VM's process with
 * get_user_pages_remote(FOLL_NOFAULT) (never faulting anything in, never
 * walking page tables itself), hashes each 4 KiB page with xxh64, notes
 * zero pages and PMD-sized folios, at the sysfs rate limits.
 *
 * Pages that are not anonymous (the shared zero page, file pages) and KSM
 * pages (already merged) are not counted.
 */
#include <linux/delay.h>
#include <linux/highmem.h>
#include <linux/huge_mm.h>
#include <linux/ksm.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/xxhash.h>
#include <kunit/visibility.h>

#include <hvmem/hvmem.h>
#include "share_internal.h"

atomic64_t share_progress = ATOMIC64_INIT(0);
atomic64_t share_progress_total = ATOMIC64_INIT(0);

/* Memory KSM could merge: private anonymous, not I/O or special mappings. */
static bool share_vma_ok(struct vm_area_struct *vma)
{
	return vma_is_anonymous(vma) &&
	       !(vma->vm_flags & (VM_SHARED | VM_IO | VM_PFNMAP | VM_MIXEDMAP | VM_HUGETLB |
				  VM_DONTEXPAND));
}

/**
 * share_grow() - grow an array to hold @need entries, doubling
 * @arr: the array (kvmalloc'ed or NULL)
 * @cap: its capacity in entries
 * @need: entries it must hold
 * @size: bytes per entry
 *
 * kvmalloc() refuses (with a warning) more than INT_MAX bytes: so does this,
 * quietly, with -E2BIG (see ksm-ext/README.rst, Limits).
 *
 * Return: 0, -E2BIG or -ENOMEM.
 */
VISIBLE_IF_KUNIT int share_grow(void **arr, size_t *cap, size_t need, size_t size)
{
	size_t ncap = max_t(size_t, *cap * 2, 4096);
	size_t lim = SHARE_MAX_ENTRIES(size);
	void *n;

	if (need <= *cap)
		return 0;
	if (need > lim)
		return -E2BIG;
	while (ncap < need)
		ncap *= 2;
	ncap = min(ncap, lim);
	n = kvmalloc_array(ncap, size, GFP_KERNEL);
	if (!n)
		return -ENOMEM;
	if (*arr)
		memcpy(n, *arr, *cap * size);
	kvfree(*arr);
	*arr = n;
	*cap = ncap;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(share_grow);

static u64 share_hash_page(struct page *page, bool *zero)
{
	void *addr = kmap_local_page(page);
	u64 h;

	*zero = !memchr_inv(addr, 0, PAGE_SIZE);
	h = *zero ? SHARE_ZERO_HASH : xxh64(addr, PAGE_SIZE, 0);
	kunmap_local(addr);
	if (!*zero && h == SHARE_ZERO_HASH)
		h = 1;
	return h;
}

struct share_scanner {
	struct share_scan *s;
	size_t page_cap, region_cap;
	u64 t0, busy_ns, owed_ns, done;
};

/* Record the pages GUP returned for [@start, ...): all in one region. */
static int share_record(struct share_scanner *sc, unsigned long start, struct page **pages,
			long n)
{
	struct share_scan *s = sc->s;
	unsigned long rstart = ALIGN_DOWN(start, 1UL << SHARE_REGION_SHIFT);
	struct share_region *r = s->nr_regions ? &s->regions[s->nr_regions - 1] : NULL;
	bool fresh = false;
	long i;
	int ret;

	ret = share_grow((void **)&s->pages, &sc->page_cap, s->nr_pages + n, sizeof(*s->pages));
	if (ret)
		return ret;
	if (!r || r->start != rstart) {
		ret = share_grow((void **)&s->regions, &sc->region_cap, s->nr_regions + 1,
				 sizeof(*s->regions));
		if (ret)
			return ret;
		r = &s->regions[s->nr_regions++];
		memset(r, 0, sizeof(*r));
		r->start = rstart;
		fresh = true;
	}
	for (i = 0; i < n; i++) {
		struct folio *folio = page_folio(pages[i]);
		struct share_page *p;
		bool zero;

		if (!folio_test_anon(folio) || folio_test_ksm(folio))
			continue;
		if (folio_test_large(folio) && folio_order(folio) >= HPAGE_PMD_ORDER)
			r->flags |= SHARE_REGION_THP;
		p = &s->pages[s->nr_pages++];
		p->hash = share_hash_page(pages[i], &zero);
		p->region = s->nr_regions - 1;
		p->domain = 0;
		r->present++;
	}
	/* no page counted (zero page, file pages): no region either */
	if (fresh && !r->present)
		s->nr_regions--;
	return 0;
}

/* Sleep as the rate limits ask after @pages more pages took @ns. */
static void share_throttle(struct share_scanner *sc, u64 pages, u64 ns)
{
	unsigned int pps = READ_ONCE(share_pages_per_sec);
	unsigned int pct = clamp_val(READ_ONCE(share_cpu_percent), 1, 100);
	u64 sleep_ns = 0;

	sc->done += pages;
	sc->busy_ns += ns;
	if (pct < 100)
		sc->owed_ns += div_u64(ns * (100 - pct), pct);
	if (pps) {
		u64 due = div_u64(sc->done * NSEC_PER_SEC, pps);
		u64 now = ktime_get_ns() - sc->t0;

		if (due > now)
			sleep_ns = due - now;
	}
	sleep_ns = max(sleep_ns, sc->owed_ns);
	if (sleep_ns >= NSEC_PER_MSEC) {
		msleep_interruptible(div_u64(sleep_ns, NSEC_PER_MSEC));
		sc->owed_ns = 0;
	}
}

static bool share_should_stop(void)
{
	return fatal_signal_pending(current) || ((current->flags & PF_KTHREAD) &&
						 kthread_should_stop());
}

/* Address space pages the scan covers, for progress. */
static u64 share_count_pages(struct mm_struct *mm)
{
	struct vm_area_struct *vma;
	u64 n = 0;

	mmap_read_lock(mm);
	for (vma = find_vma(mm, 0); vma; vma = find_vma(mm, vma->vm_end))
		if (share_vma_ok(vma))
			n += vma_pages(vma);
	mmap_read_unlock(mm);
	return n;
}

/*
 * The first address in [@addr, @end) whose page table is populated down to
 * the PMD (or a leaf above it), or @end: every page before it is absent.
 * Only upper-level entries are read, locklessly, as a hint: the mmap lock
 * (held for read) keeps these tables, and a page that appears meanwhile is
 * missed as if the scan had passed a moment earlier. The PTE level is left
 * to GUP (the PTE map helpers are not exported). This lets a scan step over
 * unpopulated gigabytes of a sparse guest at once, costing no rate limit.
 */
static unsigned long share_skip_hole(struct mm_struct *mm, unsigned long addr,
				     unsigned long end)
{
	while (addr < end) {
		pgd_t *pgd = pgd_offset(mm, addr);
		p4d_t *p4d;
		pud_t *pud, pudv;
		pmd_t *pmd;

		if (pgd_none(READ_ONCE(*pgd))) {
			addr = pgd_addr_end(addr, end);
			continue;
		}
		if (pgd_bad(READ_ONCE(*pgd)))
			return addr;
		p4d = p4d_offset(pgd, addr);
		if (p4d_none(READ_ONCE(*p4d))) {
			addr = p4d_addr_end(addr, end);
			continue;
		}
		if (p4d_bad(READ_ONCE(*p4d)) || p4d_leaf(READ_ONCE(*p4d)))
			return addr;
		pud = pud_offset(p4d, addr);
		pudv = READ_ONCE(*pud);
		if (pud_none(pudv)) {
			addr = pud_addr_end(addr, end);
			continue;
		}
		if (pud_bad(pudv) || pud_leaf(pudv))
			return addr;
		pmd = pmd_offset(pud, addr);
		if (!pmd_none(pmdp_get_lockless(pmd)))
			return addr;
		addr = pmd_addr_end(addr, end);
	}
	return end;
}

/**
 * share_scan_vm() - read and hash every present anonymous page of a VM
 * @vm: the VM (referenced by the caller)
 * @out: out: the pages and regions (free with share_scan_free())
 *
 * Sleeps (rate limits, mmap lock). Progress goes to share_progress. The
 * pages_per_sec limit counts present pages: absent ones cost nothing (ranges
 * with no page table are stepped over; in a populated table, GUP's stop at
 * the first absent page steps over it).
 *
 * Return: 0, -ESRCH if the VM's address space is gone, -EINTR on a fatal
 * signal or kthread stop, -ENOMEM, -E2BIG beyond SHARE_MAX_ENTRIES() pages.
 */
int share_scan_vm(struct hvmem_vm *vm, struct share_scan *out)
{
	struct mm_struct *mm = hvmem_vm_mm(vm);
	struct share_scanner sc = { .s = out };
	unsigned long addr = 0;
	struct page **pages;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (!mm || !mmget_not_zero(mm))
		return -ESRCH;
	pages = kmalloc_array(SHARE_REGION_PAGES, sizeof(*pages), GFP_KERNEL);
	if (!pages) {
		mmput(mm);
		return -ENOMEM;
	}
	atomic64_set(&share_progress, 0);
	atomic64_set(&share_progress_total, share_count_pages(mm));
	sc.t0 = ktime_get_ns();
	for (;;) {
		struct vm_area_struct *vma;
		unsigned long start, end, skip;
		u64 t = ktime_get_ns();
		long got, n, i;

		if (share_should_stop()) {
			ret = -EINTR;
			break;
		}
		mmap_read_lock(mm);
		vma = find_vma(mm, addr);
		while (vma && !share_vma_ok(vma))
			vma = find_vma(mm, vma->vm_end);
		if (!vma) {
			mmap_read_unlock(mm);
			break;
		}
		start = max(addr, vma->vm_start);
		skip = share_skip_hole(mm, start, vma->vm_end);
		if (skip > start) {
			mmap_read_unlock(mm);
			atomic64_add((skip - start) >> PAGE_SHIFT, &share_progress);
			addr = skip;
			cond_resched();
			continue;
		}
		end = min(ALIGN_DOWN(start, 1UL << SHARE_REGION_SHIFT) +
			  (1UL << SHARE_REGION_SHIFT), vma->vm_end);
		n = (end - start) >> PAGE_SHIFT;
		got = get_user_pages_remote(mm, start, n, FOLL_NOFAULT, pages, NULL);
		mmap_read_unlock(mm);
		if (got > 0) {
			ret = share_record(&sc, start, pages, got);
			for (i = 0; i < got; i++)
				put_page(pages[i]);
			if (ret)
				break;
		}
		/* the page after the present run is not present: step over it */
		got = max(got, 0L);
		addr = start + (min(got + 1, n) << PAGE_SHIFT);
		atomic64_add(min(got + 1, n), &share_progress);
		/* the rate limit is in present pages: absent ones are free */
		share_throttle(&sc, got, ktime_get_ns() - t);
		cond_resched();
	}
	kfree(pages);
	mmput(mm);
	atomic64_set(&share_progress, 0);
	atomic64_set(&share_progress_total, 0);
	if (ret == -E2BIG)
		pr_warn_ratelimited("hvmem_share: VM %u: more than %zu present pages: too large to scan\n",
				    hvmem_vm_id(vm), SHARE_MAX_ENTRIES(sizeof(*out->pages)));
	if (ret)
		share_scan_free(out);
	return ret;
}

/**
 * share_scan_free() - free a scan's arrays
 * @s: the scan
 */
void share_scan_free(struct share_scan *s)
{
	kvfree(s->pages);
	kvfree(s->regions);
	memset(s, 0, sizeof(*s));
}
