/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sharing inside large pages: the estimator (pure core, builds in the
 * kernel and in userspace).
 *
 * The scanner records one struct share_page per present anonymous 4 KiB
 * page (its content hash, its 2 MiB region, its sharing domain) and one
 * struct share_region per 2 MiB region. share_estimate() groups identical
 * pages of a domain, counts per region the subpages that have a copy
 * (dup) and the zero subpages, and estimates what merging would reclaim:
 *
 *   small:  merging only pages outside THPs (nothing is split);
 *   split:  the extra pages if every THP were split and merged;
 *   policy: the extra pages if only the THPs with at least @threshold
 *           sharable (dup + zero) subpages were split.
 *
 * Merging n identical pages keeps one: it reclaims n - 1, counted in the
 * VM of each page merged away (the kept copy is the first in region order).
 * A domain is a VM, or 0 for all VMs that allow cross-VM sharing: pages of
 * different domains never merge.
 */
#ifndef _HVMEM_SHARE_CORE_H
#define _HVMEM_SHARE_CORE_H

#include <hvmem/compat.h>

#define SHARE_REGION_SHIFT	21			/* 2 MiB regions */
#define SHARE_PAGE_SHIFT	12			/* of 4 KiB pages */
#define SHARE_REGION_PAGES	(1U << (SHARE_REGION_SHIFT - SHARE_PAGE_SHIFT))
#define SHARE_ZERO_HASH		0ULL	/* the hash of a zero page; others avoid it */

/**
 * struct share_page - one scanned page
 * @hash: content hash (SHARE_ZERO_HASH for a page of zeros, never for others)
 * @region: index of its region in the region table
 * @domain: sharing domain (pages merge only within one)
 */
struct share_page {
	u64 hash;
	u32 region;
	u32 domain;
};

/* struct share_region.flags */
#define SHARE_REGION_THP	BIT(0)	/* backed by a PMD-sized folio */
#define SHARE_REGION_POLICY	BIT(1)	/* a THP the policy would split */

/**
 * struct share_region - one 2 MiB region of a VM's memory
 * @start: its first address
 * @slot: the VM's index in the per-VM estimate array
 * @present: pages scanned in it
 * @dup: out: non-zero pages with an identical page in the same domain
 * @zero: out: pages of zeros
 * @flags: SHARE_REGION_* (THP set by the scanner, POLICY by the estimate)
 */
struct share_region {
	u64 start;
	u32 slot;
	u16 present;
	u16 dup;
	u16 zero;
	u16 flags;
};

/**
 * struct share_est - an estimate, per VM or in total
 * @pages: pages scanned
 * @dup: pages with an identical page (not zero)
 * @zero: zero pages
 * @regions: regions with a scanned page
 * @thp_regions: of which THP-backed
 * @policy_regions: of which the policy would split
 * @small: pages reclaimed by merging outside THPs
 * @split: extra pages reclaimed by splitting and merging every THP
 * @policy: extra pages reclaimed by splitting only the policy's THPs
 */
struct share_est {
	u64 pages;
	u64 dup;
	u64 zero;
	u64 regions;
	u64 thp_regions;
	u64 policy_regions;
	u64 small;
	u64 split;
	u64 policy;
};

void share_sort_pages(struct share_page *pages, size_t n);
int share_estimate(struct share_page *pages, size_t n, struct share_region *regions,
		   size_t nr_regions, u32 threshold, struct share_est *per_slot,
		   u32 nr_slots, struct share_est *total);

#endif /* _HVMEM_SHARE_CORE_H */
