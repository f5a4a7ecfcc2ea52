/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sampled LRU stack with O(log n) reuse distances (pure core).
 *
 * Holds the set of sampled pages. Each page owns a slot in a timestamp
 * space; a Fenwick tree over the slots counts the live pages, so the reuse
 * distance of a page (the number of distinct pages referenced since its
 * last reference) is the number of live slots after its own: one prefix sum.
 * A re-referenced page moves to a fresh slot at the end. When the slots run
 * out, the live pages are renumbered in order (amortised O(1) per access).
 * A max-heap on the pages' sampling hash values gives the page to evict when
 * the set is full (SHARDS fixed-size sampling).
 */
#ifndef _HVMEM_MRC_LRU_H
#define _HVMEM_MRC_LRU_H

#include <hvmem/compat.h>

#define MRC_NIL		((u32)~0U)
/* Largest set: keeps slot numbers (2 x capacity) within u32. */
#define MRC_LRU_MAX_CAP	BIT(28)

/**
 * struct mrc_node - one page of the sampled set
 * @page: page number
 * @slot: timestamp slot in the Fenwick tree
 * @hv: sampling hash value of @page
 * @hnext: next node in the same hash bucket, or next free node
 * @heap: position in the eviction heap
 */
struct mrc_node {
	u64 page;
	u32 slot;
	u32 hv;
	u32 hnext;
	u32 heap;
};

/**
 * struct mrc_lru - the sampled LRU stack
 * @nodes: node pool, @cap entries
 * @buckets: hash bucket heads, @bmask + 1 entries
 * @fen: Fenwick tree over 2 * @cap slots (1-based inside)
 * @owner: node index of each slot, or MRC_NIL
 * @heap: max-heap of node indices ordered by hv
 * @cap: allocated nodes
 * @max_cap: largest @cap the set may grow to
 * @bmask: number of buckets - 1
 * @count: live pages
 * @free: head of the free node list (through hnext)
 * @next_slot: next unused slot
 * @used: nodes ever taken from the pool (the rest are free implicitly)
 */
struct mrc_lru {
	struct mrc_node *nodes;
	u32 *buckets;
	u32 *fen;
	u32 *owner;
	u32 *heap;
	u32 cap;
	u32 max_cap;
	u32 bmask;
	u32 count;
	u32 free;
	u32 next_slot;
	u32 used;
};

/*
 * Fenwick tree over n slots stored 1-based in fen[1 .. n] (fen[0] unused),
 * shared by the sampled stack and the near stack (mrc_near.h).
 */
static inline void mrc_fenwick_add(u32 *fen, u32 n, u32 slot, s32 delta)
{
	u32 i;

	for (i = slot + 1; i <= n; i += i & -i)
		fen[i] += delta;
}

/* Number of live slots in [0, slot]. */
static inline u32 mrc_fenwick_prefix(const u32 *fen, u32 slot)
{
	u32 i, sum = 0;

	for (i = slot + 1; i; i -= i & -i)
		sum += fen[i];
	return sum;
}

/* Rebuild the tree with slots 0 .. live - 1 live and the rest free. */
static inline void mrc_fenwick_fill(u32 *fen, u32 n, u32 live)
{
	u32 i, j;

	memset(fen, 0, (n + 1) * sizeof(u32));
	for (i = 1; i <= live; i++)
		fen[i] = 1;
	for (i = 1; i <= n; i++) {
		j = i + (i & -i);
		if (j <= n)
			fen[j] += fen[i];
	}
}

/* mrc_lru_access() result for a page that was not in the set. */
#define MRC_LRU_COLD	((s64)1 << 62)

int mrc_lru_init(struct mrc_lru *l, u32 cap, u32 max_cap);
void mrc_lru_destroy(struct mrc_lru *l);
void mrc_lru_clear(struct mrc_lru *l);
s64 mrc_lru_access(struct mrc_lru *l, u64 page, u32 hv);
u32 mrc_lru_max_hv(const struct mrc_lru *l);
void mrc_lru_evict_max(struct mrc_lru *l);
size_t mrc_lru_bytes(u32 cap);

#endif /* _HVMEM_MRC_LRU_H */
