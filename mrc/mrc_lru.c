// SPDX-License-Identifier: GPL-2.0
/*
 * Sampled LRU stack with O(log n) reuse distances (pure core).
 * See mrc_lru.h for the design.
 */
#include "mrc_lru.h"

static u32 mrc_buckets_for(u32 cap)
{
	u32 n = 16;

	while (n < cap)
		n <<= 1;
	return n;
}

static u32 mrc_bucket(const struct mrc_lru *l, u64 page)
{
	return (u32)((page * 0x9E3779B97F4A7C15ULL) >> 32) & l->bmask;
}

/**
 * mrc_lru_bytes() - memory used by a set of @cap nodes
 * @cap: node capacity
 *
 * Return: bytes allocated by mrc_lru_init() or a growth to @cap.
 */
size_t mrc_lru_bytes(u32 cap)
{
	return (size_t)cap * sizeof(struct mrc_node) +
	       (size_t)mrc_buckets_for(cap) * sizeof(u32) +
	       ((size_t)2 * cap + 1) * sizeof(u32) +	/* fen */
	       (size_t)2 * cap * sizeof(u32) +		/* owner */
	       (size_t)cap * sizeof(u32);		/* heap */
}
EXPORT_SYMBOL_IF_KUNIT(mrc_lru_bytes);

/* Fenwick tree over slots 0 .. 2 * cap - 1. */
static void mrc_fen_add(struct mrc_lru *l, u32 slot, s32 delta)
{
	mrc_fenwick_add(l->fen, 2 * l->cap, slot, delta);
}

/* Renumber the live slots 0 .. live - 1 in order and rebuild the tree. */
static void mrc_compact(struct mrc_lru *l)
{
	u32 n = 2 * l->cap, s, k = 0;

	for (s = 0; s < l->next_slot; s++) {
		u32 idx = l->owner[s];

		if (idx == MRC_NIL)
			continue;
		l->owner[k] = idx;
		l->nodes[idx].slot = k;
		k++;
	}
	for (s = k; s < n; s++)
		l->owner[s] = MRC_NIL;
	l->next_slot = k;
	mrc_fenwick_fill(l->fen, n, k);
}

static u32 mrc_take_slot(struct mrc_lru *l, u32 idx)
{
	u32 slot;

	if (l->next_slot == 2 * l->cap)
		mrc_compact(l);
	slot = l->next_slot++;
	l->owner[slot] = idx;
	l->nodes[idx].slot = slot;
	mrc_fen_add(l, slot, 1);
	return slot;
}

static void mrc_drop_slot(struct mrc_lru *l, u32 idx)
{
	u32 slot = l->nodes[idx].slot;

	mrc_fen_add(l, slot, -1);
	l->owner[slot] = MRC_NIL;
}

static void mrc_heap_set(struct mrc_lru *l, u32 pos, u32 idx)
{
	l->heap[pos] = idx;
	l->nodes[idx].heap = pos;
}

static void mrc_heap_up(struct mrc_lru *l, u32 pos)
{
	u32 idx = l->heap[pos], hv = l->nodes[idx].hv;

	while (pos) {
		u32 parent = (pos - 1) / 2;

		if (l->nodes[l->heap[parent]].hv >= hv)
			break;
		mrc_heap_set(l, pos, l->heap[parent]);
		pos = parent;
	}
	mrc_heap_set(l, pos, idx);
}

static void mrc_heap_down(struct mrc_lru *l, u32 pos, u32 n)
{
	u32 idx = l->heap[pos], hv = l->nodes[idx].hv;

	for (;;) {
		u32 c = 2 * pos + 1;

		if (c >= n)
			break;
		if (c + 1 < n && l->nodes[l->heap[c + 1]].hv > l->nodes[l->heap[c]].hv)
			c++;
		if (l->nodes[l->heap[c]].hv <= hv)
			break;
		mrc_heap_set(l, pos, l->heap[c]);
		pos = c;
	}
	mrc_heap_set(l, pos, idx);
}

static int mrc_alloc_arrays(struct mrc_lru *l, u32 cap)
{
	u32 nb = mrc_buckets_for(cap);

	l->nodes = kvmalloc_array(cap, sizeof(*l->nodes), GFP_KERNEL);
	l->buckets = kvmalloc_array(nb, sizeof(u32), GFP_KERNEL);
	l->fen = kvmalloc_array(2 * (size_t)cap + 1, sizeof(u32), GFP_KERNEL);
	l->owner = kvmalloc_array(2 * (size_t)cap, sizeof(u32), GFP_KERNEL);
	l->heap = kvmalloc_array(cap, sizeof(u32), GFP_KERNEL);
	if (!l->nodes || !l->buckets || !l->fen || !l->owner || !l->heap) {
		mrc_lru_destroy(l);
		return -ENOMEM;
	}
	l->cap = cap;
	l->bmask = nb - 1;
	return 0;
}

/**
 * mrc_lru_init() - set up an empty set
 * @l: the set
 * @cap: initial node capacity (at least 1)
 * @max_cap: capacity the set may grow to by doubling (>= @cap, at most
 *	MRC_LRU_MAX_CAP); equal to @cap for a preallocated set
 *
 * Return: 0, -EINVAL for bad capacities, -ENOMEM.
 */
int mrc_lru_init(struct mrc_lru *l, u32 cap, u32 max_cap)
{
	int ret;

	memset(l, 0, sizeof(*l));
	if (!cap || cap > max_cap || max_cap > MRC_LRU_MAX_CAP)
		return -EINVAL;
	ret = mrc_alloc_arrays(l, cap);
	if (ret)
		return ret;
	l->max_cap = max_cap;
	mrc_lru_clear(l);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mrc_lru_init);

/**
 * mrc_lru_destroy() - free the set's memory
 * @l: the set (may be partially initialised or already destroyed)
 */
void mrc_lru_destroy(struct mrc_lru *l)
{
	kvfree(l->nodes);
	kvfree(l->buckets);
	kvfree(l->fen);
	kvfree(l->owner);
	kvfree(l->heap);
	l->nodes = NULL;
	l->buckets = NULL;
	l->fen = NULL;
	l->owner = NULL;
	l->heap = NULL;
	l->cap = 0;
	l->count = 0;
}
EXPORT_SYMBOL_IF_KUNIT(mrc_lru_destroy);

/**
 * mrc_lru_clear() - forget every page, keeping the memory
 * @l: the set
 */
void mrc_lru_clear(struct mrc_lru *l)
{
	u32 i;

	for (i = 0; i <= l->bmask; i++)
		l->buckets[i] = MRC_NIL;
	for (i = 0; i < 2 * l->cap; i++)
		l->owner[i] = MRC_NIL;
	memset(l->fen, 0, (2 * (size_t)l->cap + 1) * sizeof(u32));
	l->count = 0;
	l->free = MRC_NIL;
	l->next_slot = 0;
	l->used = 0;
}
EXPORT_SYMBOL_IF_KUNIT(mrc_lru_clear);

/* Double the capacity (up to max_cap); on failure the set is unchanged. */
static int mrc_grow(struct mrc_lru *l)
{
	struct mrc_lru n = { };
	u32 cap = l->cap > l->max_cap / 2 ? l->max_cap : 2 * l->cap;
	u32 i, s;
	int ret;

	ret = mrc_alloc_arrays(&n, cap);
	if (ret)
		return ret;
	memcpy(n.nodes, l->nodes, (size_t)l->used * sizeof(*n.nodes));
	memcpy(n.heap, l->heap, (size_t)l->count * sizeof(u32));
	for (i = 0; i <= n.bmask; i++)
		n.buckets[i] = MRC_NIL;
	for (i = 0; i < l->used; i++)	/* the pool is full: all nodes are live */
		n.nodes[i].hnext = MRC_NIL;
	for (i = 0; i < l->used; i++) {
		u32 b = mrc_bucket(&n, n.nodes[i].page);

		n.nodes[i].hnext = n.buckets[b];
		n.buckets[b] = i;
	}
	/* Old slots fit in the larger tree; compaction renumbers them. */
	for (s = 0; s < 2 * cap; s++)
		n.owner[s] = s < l->next_slot ? l->owner[s] : MRC_NIL;
	n.next_slot = l->next_slot;
	n.count = l->count;
	n.free = MRC_NIL;
	n.used = l->used;
	n.max_cap = l->max_cap;
	mrc_lru_destroy(l);
	*l = n;
	mrc_compact(l);
	return 0;
}

static u32 mrc_find(const struct mrc_lru *l, u64 page)
{
	u32 idx = l->buckets[mrc_bucket(l, page)];

	while (idx != MRC_NIL && l->nodes[idx].page != page)
		idx = l->nodes[idx].hnext;
	return idx;
}

/**
 * mrc_lru_access() - reference a page of the sample
 * @l: the set
 * @page: page number
 * @hv: its sampling hash value (orders eviction: largest first)
 *
 * Moves @page to the top of the stack, inserting it if absent.
 *
 * Return: the reuse distance (distinct pages of the set referenced since
 * the last reference to @page, 0 for an immediate re-reference),
 * MRC_LRU_COLD if @page was not in the set, -ENOSPC if it was not and the
 * set is at @max_cap (evict first), -ENOMEM if growing failed.
 */
s64 mrc_lru_access(struct mrc_lru *l, u64 page, u32 hv)
{
	u32 idx = mrc_find(l, page), b;
	s64 d;
	int ret;

	if (idx != MRC_NIL) {
		d = l->count - mrc_fenwick_prefix(l->fen, l->nodes[idx].slot);
		mrc_drop_slot(l, idx);
		mrc_take_slot(l, idx);
		return d;
	}
	if (l->free != MRC_NIL) {
		idx = l->free;
		l->free = l->nodes[idx].hnext;
	} else {
		if (l->used == l->cap) {
			if (l->cap == l->max_cap)
				return -ENOSPC;
			ret = mrc_grow(l);
			if (ret)
				return ret;
		}
		idx = l->used++;
	}
	b = mrc_bucket(l, page);
	l->nodes[idx].page = page;
	l->nodes[idx].hv = hv;
	l->nodes[idx].hnext = l->buckets[b];
	l->buckets[b] = idx;
	mrc_heap_set(l, l->count, idx);
	l->count++;
	mrc_heap_up(l, l->count - 1);
	mrc_take_slot(l, idx);
	return MRC_LRU_COLD;
}
EXPORT_SYMBOL_IF_KUNIT(mrc_lru_access);

/**
 * mrc_lru_max_hv() - largest hash value in the set
 * @l: the set
 *
 * Return: the hv of the page mrc_lru_evict_max() would evict, 0 when empty.
 */
u32 mrc_lru_max_hv(const struct mrc_lru *l)
{
	return l->count ? l->nodes[l->heap[0]].hv : 0;
}
EXPORT_SYMBOL_IF_KUNIT(mrc_lru_max_hv);

/**
 * mrc_lru_evict_max() - drop the page with the largest hash value
 * @l: the set; nothing happens when it is empty
 */
void mrc_lru_evict_max(struct mrc_lru *l)
{
	u32 idx, *pp;

	if (!l->count)
		return;
	idx = l->heap[0];
	l->count--;
	if (l->count) {
		mrc_heap_set(l, 0, l->heap[l->count]);
		mrc_heap_down(l, 0, l->count);
	}
	pp = &l->buckets[mrc_bucket(l, l->nodes[idx].page)];
	while (*pp != idx)
		pp = &l->nodes[*pp].hnext;
	*pp = l->nodes[idx].hnext;
	mrc_drop_slot(l, idx);
	l->nodes[idx].hnext = l->free;
	l->free = idx;
}
EXPORT_SYMBOL_IF_KUNIT(mrc_lru_evict_max);
