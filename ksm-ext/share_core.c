// SPDX-License-Identifier: GPL-2.0
/*
 * Sharing inside large pages: the estimator. See share_core.h.
 *
 * O(n log n) for the sort, then two linear passes. No allocation.
 */
#include "share_core.h"

#ifdef __KERNEL__
#include <linux/sort.h>
#else
#include <stdlib.h>
#endif

static int share_page_cmp(const void *a, const void *b)
{
	const struct share_page *x = a, *y = b;

	if (x->domain != y->domain)
		return x->domain < y->domain ? -1 : 1;
	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	if (x->region != y->region)
		return x->region < y->region ? -1 : 1;
	return 0;
}

/**
 * share_sort_pages() - order pages by domain, hash and region
 * @pages: the pages
 * @n: how many
 *
 * share_estimate() needs this order; the scanner may sort while it waits
 * for nothing else, so it is separate.
 */
void share_sort_pages(struct share_page *pages, size_t n)
{
#ifdef __KERNEL__
	sort(pages, n, sizeof(*pages), share_page_cmp, NULL);
#else
	qsort(pages, n, sizeof(*pages), share_page_cmp);
#endif
}
EXPORT_SYMBOL_IF_KUNIT(share_sort_pages);

/* The end of the group of identical pages starting at @i. */
static size_t share_group_end(const struct share_page *pages, size_t n, size_t i)
{
	size_t j = i + 1;

	while (j < n && pages[j].domain == pages[i].domain && pages[j].hash == pages[i].hash)
		j++;
	return j;
}

/* Merge eligibility of a page for each estimate. */
enum { SHARE_SMALL, SHARE_POLICY, SHARE_ALL, SHARE_NR };

static void share_eligible(const struct share_region *r, bool e[SHARE_NR])
{
	e[SHARE_SMALL] = !(r->flags & SHARE_REGION_THP);
	e[SHARE_POLICY] = e[SHARE_SMALL] || (r->flags & SHARE_REGION_POLICY);
	e[SHARE_ALL] = true;
}

/**
 * share_estimate() - per-region sharing counts and reclaim estimates
 * @pages: the scanned pages, sorted with share_sort_pages()
 * @n: how many
 * @regions: the regions the pages point into; their present, slot, start
 *	and THP flag are inputs, dup, zero and the POLICY flag are outputs
 * @nr_regions: how many
 * @threshold: a THP region is split by the policy when dup + zero reaches
 *	this many subpages (1 .. SHARE_REGION_PAGES)
 * @per_slot: out: the estimate of each VM slot (zeroed here)
 * @nr_slots: entries at @per_slot
 * @total: out: the sum over every VM
 *
 * Return: 0, or -EINVAL for a page pointing outside the tables or a bad
 * @threshold (the outputs are then incomplete).
 */
int share_estimate(struct share_page *pages, size_t n, struct share_region *regions,
		   size_t nr_regions, u32 threshold, struct share_est *per_slot,
		   u32 nr_slots, struct share_est *total)
{
	size_t i, j, k;
	u32 c;

	if (!threshold || threshold > SHARE_REGION_PAGES)
		return -EINVAL;
	memset(per_slot, 0, nr_slots * sizeof(*per_slot));
	memset(total, 0, sizeof(*total));
	for (i = 0; i < nr_regions; i++) {
		if (regions[i].slot >= nr_slots)
			return -EINVAL;
		regions[i].dup = 0;
		regions[i].zero = 0;
		regions[i].flags &= ~SHARE_REGION_POLICY;
	}

	/* pass 1: dup and zero subpages per region */
	for (i = 0; i < n; i = j) {
		j = share_group_end(pages, n, i);
		for (k = i; k < j; k++) {
			if (pages[k].region >= nr_regions)
				return -EINVAL;
			if (pages[k].hash == SHARE_ZERO_HASH)
				regions[pages[k].region].zero++;
			else if (j - i > 1)
				regions[pages[k].region].dup++;
		}
	}

	/* the policy's choice, and the region counts */
	for (i = 0; i < nr_regions; i++) {
		struct share_region *r = &regions[i];
		struct share_est *e = &per_slot[r->slot];

		if ((r->flags & SHARE_REGION_THP) && r->dup + r->zero >= threshold)
			r->flags |= SHARE_REGION_POLICY;
		if (!r->present)
			continue;
		e->pages += r->present;
		e->dup += r->dup;
		e->zero += r->zero;
		e->regions++;
		e->thp_regions += !!(r->flags & SHARE_REGION_THP);
		e->policy_regions += !!(r->flags & SHARE_REGION_POLICY);
	}

	/* pass 2: in each group, every eligible page after the first merges */
	for (i = 0; i < n; i = j) {
		bool seen[SHARE_NR] = { false };

		j = share_group_end(pages, n, i);
		for (k = i; k < j && j - i > 1; k++) {
			const struct share_region *r = &regions[pages[k].region];
			struct share_est *e = &per_slot[r->slot];
			bool el[SHARE_NR];

			share_eligible(r, el);
			for (c = 0; c < SHARE_NR; c++) {
				if (!el[c])
					continue;
				if (seen[c]) {
					if (c == SHARE_SMALL)
						e->small++;
					else if (c == SHARE_POLICY)
						e->policy++;
					else
						e->split++;
				}
				seen[c] = true;
			}
		}
	}

	/* policy and split were counted in full: keep the extra over small */
	for (c = 0; c < nr_slots; c++) {
		struct share_est *e = &per_slot[c];

		e->policy -= min(e->policy, e->small);
		e->split -= min(e->split, e->small);
		total->pages += e->pages;
		total->dup += e->dup;
		total->zero += e->zero;
		total->regions += e->regions;
		total->thp_regions += e->thp_regions;
		total->policy_regions += e->policy_regions;
		total->small += e->small;
		total->split += e->split;
		total->policy += e->policy;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(share_estimate);
