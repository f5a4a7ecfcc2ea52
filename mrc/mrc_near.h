/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exact LRU stack of the most recent pages, O(log n) per reference (pure
 * core).
 *
 * Holds the @cap most recently referenced distinct pages of a stream (every
 * page, not a sample) and gives the exact LRU stack distance of a page found
 * there. Same scheme as mrc_lru.h: each page owns a slot in a timestamp
 * space of 2 * @cap slots, a Fenwick tree counts the live slots, so the
 * distance of a page is the number of live slots after its own (one prefix
 * sum); a re-referenced page moves to a fresh slot at the end; when the
 * slots run out the live pages are renumbered in order (amortised O(1)).
 * Slots are handed out in increasing order, so the least recent page holds
 * the lowest live slot: a cursor that only moves forward (until the next
 * renumbering) finds it in amortised O(1) when a new page must evict it.
 *
 * Memory: 16 B per page of nodes, 8 B of Fenwick tree, 8 B of slot owners,
 * 4 B per hash bucket (a power of two >= @cap): mrc_near_bytes().
 */
#ifndef _HVMEM_MRC_NEAR_H
#define _HVMEM_MRC_NEAR_H

#include <hvmem/compat.h>
#include "mrc_lru.h"	/* MRC_NIL, the Fenwick tree */

/**
 * struct mrc_near_node - one page of the near stack
 * @page: page number
 * @slot: timestamp slot in the Fenwick tree
 * @hnext: next node in the same hash bucket
 */
struct mrc_near_node {
	u64 page;
	u32 slot;
	u32 hnext;
};

/**
 * struct mrc_near - exact LRU stack of the @cap most recent pages
 * @nodes: node pool, @cap entries; nodes 0 .. @count - 1 are live
 * @buckets: hash bucket heads, @bmask + 1 entries
 * @fen: Fenwick tree over 2 * @cap slots (1-based inside)
 * @owner: node index of each slot, or MRC_NIL
 * @cap: most pages held
 * @bmask: number of buckets - 1
 * @count: live pages
 * @next_slot: next unused slot
 * @oldest: no live slot is below it
 */
struct mrc_near {
	struct mrc_near_node *nodes;
	u32 *buckets;
	u32 *fen;
	u32 *owner;
	u32 cap;
	u32 bmask;
	u32 count;
	u32 next_slot;
	u32 oldest;
};

int mrc_near_init(struct mrc_near *s, u32 cap);
void mrc_near_destroy(struct mrc_near *s);
void mrc_near_clear(struct mrc_near *s);
s32 mrc_near_access(struct mrc_near *s, u64 page);
size_t mrc_near_bytes(u32 cap);

#endif /* _HVMEM_MRC_NEAR_H */
