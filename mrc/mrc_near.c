// SPDX-License-Identifier: GPL-2.0
/*
 * Exact LRU stack of the most recent pages (pure core). See mrc_near.h.
 */
#include "mrc_near.h"

static u32 mrc_near_buckets(u32 cap)
{
	u32 n = 16;

	while (n < cap)
		n <<= 1;
	return n;
}

static u32 mrc_near_bucket(const struct mrc_near *s, u64 page)
{
	return (u32)((page * 0x9E3779B97F4A7C15ULL) >> 32) & s->bmask;
}

/**
 * mrc_near_bytes() - memory of a near stack
 * @cap: pages it holds (0: none)
 *
 * Return: bytes allocated by mrc_near_init() for @cap.
 */
size_t mrc_near_bytes(u32 cap)
{
	if (!cap)
		return 0;
	return (size_t)cap * sizeof(struct mrc_near_node) +
	       (size_t)mrc_near_buckets(cap) * sizeof(u32) +
	       ((size_t)2 * cap + 1) * sizeof(u32) +	/* fen */
	       (size_t)2 * cap * sizeof(u32);		/* owner */
}
EXPORT_SYMBOL_IF_KUNIT(mrc_near_bytes);

/**
 * mrc_near_init() - set up an empty near stack
 * @s: the stack
 * @cap: pages it holds, 1 .. MRC_LRU_MAX_CAP
 *
 * Return: 0, -EINVAL for a bad @cap, -ENOMEM.
 */
int mrc_near_init(struct mrc_near *s, u32 cap)
{
	u32 nb = mrc_near_buckets(cap);

	memset(s, 0, sizeof(*s));
	if (!cap || cap > MRC_LRU_MAX_CAP)
		return -EINVAL;
	s->nodes = kvmalloc_array(cap, sizeof(*s->nodes), GFP_KERNEL);
	s->buckets = kvmalloc_array(nb, sizeof(u32), GFP_KERNEL);
	s->fen = kvmalloc_array(2 * (size_t)cap + 1, sizeof(u32), GFP_KERNEL);
	s->owner = kvmalloc_array(2 * (size_t)cap, sizeof(u32), GFP_KERNEL);
	if (!s->nodes || !s->buckets || !s->fen || !s->owner) {
		mrc_near_destroy(s);
		return -ENOMEM;
	}
	s->cap = cap;
	s->bmask = nb - 1;
	mrc_near_clear(s);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mrc_near_init);

/**
 * mrc_near_destroy() - free a near stack's memory
 * @s: the stack (may be partially initialised or already destroyed)
 */
void mrc_near_destroy(struct mrc_near *s)
{
	kvfree(s->nodes);
	kvfree(s->buckets);
	kvfree(s->fen);
	kvfree(s->owner);
	memset(s, 0, sizeof(*s));
}
EXPORT_SYMBOL_IF_KUNIT(mrc_near_destroy);

/**
 * mrc_near_clear() - forget every page, keeping the memory
 * @s: the stack
 */
void mrc_near_clear(struct mrc_near *s)
{
	u32 i;

	if (!s->cap)
		return;
	for (i = 0; i <= s->bmask; i++)
		s->buckets[i] = MRC_NIL;
	for (i = 0; i < 2 * s->cap; i++)
		s->owner[i] = MRC_NIL;
	memset(s->fen, 0, (2 * (size_t)s->cap + 1) * sizeof(u32));
	s->count = 0;
	s->next_slot = 0;
	s->oldest = 0;
}
EXPORT_SYMBOL_IF_KUNIT(mrc_near_clear);

/* Renumber the live slots 0 .. count - 1 in order and rebuild the tree. */
static void mrc_near_compact(struct mrc_near *s)
{
	u32 n = 2 * s->cap, t, k = 0;

	for (t = s->oldest; t < s->next_slot; t++) {
		u32 idx = s->owner[t];

		if (idx == MRC_NIL)
			continue;
		s->owner[k] = idx;
		s->nodes[idx].slot = k;
		k++;
	}
	for (t = k; t < n; t++)
		s->owner[t] = MRC_NIL;
	s->next_slot = k;
	s->oldest = 0;
	mrc_fenwick_fill(s->fen, n, k);
}

/* Give node @idx the next slot (the most recent). */
static void mrc_near_take_slot(struct mrc_near *s, u32 idx)
{
	u32 slot;

	if (s->next_slot == 2 * s->cap)
		mrc_near_compact(s);
	slot = s->next_slot++;
	s->owner[slot] = idx;
	s->nodes[idx].slot = slot;
	mrc_fenwick_add(s->fen, 2 * s->cap, slot, 1);
}

static void mrc_near_drop_slot(struct mrc_near *s, u32 idx)
{
	u32 slot = s->nodes[idx].slot;

	mrc_fenwick_add(s->fen, 2 * s->cap, slot, -1);
	s->owner[slot] = MRC_NIL;
}

/* Unlink the least recent page from the index; return its node. */
static u32 mrc_near_evict_oldest(struct mrc_near *s)
{
	u32 idx, *pp;

	while (s->owner[s->oldest] == MRC_NIL)
		s->oldest++;
	idx = s->owner[s->oldest];
	pp = &s->buckets[mrc_near_bucket(s, s->nodes[idx].page)];
	while (*pp != idx)
		pp = &s->nodes[*pp].hnext;
	*pp = s->nodes[idx].hnext;
	mrc_near_drop_slot(s, idx);
	return idx;
}

/**
 * mrc_near_access() - reference a page
 * @s: the stack
 * @page: page number
 *
 * Moves @page to the top of the stack; a page not in it enters at the top
 * and, when the stack is full, the least recent page leaves. O(log cap).
 *
 * Return: the exact LRU stack distance of @page (distinct pages referenced
 * since its last reference: 0 .. cap - 1), or -1 if it was not among the
 * cap most recent pages.
 */
s32 mrc_near_access(struct mrc_near *s, u64 page)
{
	u32 b = mrc_near_bucket(s, page), idx = s->buckets[b];
	s32 d;

	while (idx != MRC_NIL && s->nodes[idx].page != page)
		idx = s->nodes[idx].hnext;
	if (idx != MRC_NIL) {
		d = s->count - mrc_fenwick_prefix(s->fen, s->nodes[idx].slot);
		mrc_near_drop_slot(s, idx);
		mrc_near_take_slot(s, idx);
		return d;
	}
	if (s->count == s->cap)
		idx = mrc_near_evict_oldest(s);
	else
		idx = s->count++;
	s->nodes[idx].page = page;
	s->nodes[idx].hnext = s->buckets[b];
	s->buckets[b] = idx;
	mrc_near_take_slot(s, idx);
	return -1;
}
EXPORT_SYMBOL_IF_KUNIT(mrc_near_access);
