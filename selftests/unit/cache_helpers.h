/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the host unit tests of the exclusive cache's pure core: a
 * frame reserve with accounting, hash functions (a good one and a
 * colliding one), page fillers.
 */
#ifndef _HVMEM_CACHE_HELPERS_H
#define _HVMEM_CACHE_HELPERS_H

#include "../../kmod/cache_core.h"

#define PG	4096

/* A reserve of frames, like the kernel glue's, with use tracking. */
struct test_reserve {
	struct hc_frame *frames;
	bool *used;
	u64 n;
	u64 in_use;
	u64 fail_after;		/* fail allocations once this many were made; 0: never */
	u64 allocs;
};

static struct hc_frame *tr_alloc(void *priv)
{
	struct test_reserve *r = priv;
	u64 i;

	if (r->fail_after && r->allocs >= r->fail_after)
		return NULL;
	for (i = 0; i < r->n; i++) {
		if (!r->used[i]) {
			r->used[i] = true;
			r->in_use++;
			r->allocs++;
			memset(r->frames[i].data, 0xa5, PG);	/* poison */
			return &r->frames[i];
		}
	}
	return NULL;
}

static void tr_free(void *priv, struct hc_frame *f)
{
	struct test_reserve *r = priv;
	u64 i = f - r->frames;

	if (i >= r->n || !r->used[i])
		abort();	/* foreign frame or double free */
	r->used[i] = false;
	r->in_use--;
	memset(f->data, 0x5a, PG);
}

static inline void tr_init(struct test_reserve *r, u64 n)
{
	u64 i;

	memset(r, 0, sizeof(*r));
	r->n = n;
	r->frames = calloc(n ? n : 1, sizeof(*r->frames));
	r->used = calloc(n ? n : 1, sizeof(*r->used));
	for (i = 0; i < n; i++)
		r->frames[i].data = aligned_alloc(64, PG);
}

static inline void tr_destroy(struct test_reserve *r)
{
	u64 i;

	for (i = 0; i < r->n; i++)
		free(r->frames[i].data);
	free(r->frames);
	free(r->used);
}

static u64 fnv_hash(const void *data, size_t len)
{
	const u8 *p = data;
	u64 h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

/* Every page collides: dedup must compare contents. */
static u64 bad_hash(const void *data, size_t len)
{
	return 42;
}

static const struct hc_ops test_ops = {
	.frame_alloc = tr_alloc,
	.frame_free = tr_free,
	.hash = fnv_hash,
};

static const struct hc_ops collide_ops = {
	.frame_alloc = tr_alloc,
	.frame_free = tr_free,
	.hash = bad_hash,
};

static const struct hc_ops nohash_ops = {
	.frame_alloc = tr_alloc,
	.frame_free = tr_free,
};

/* A page whose content depends on @seed (never all zeros). */
static inline void fill_page(void *buf, u64 seed)
{
	u64 *p = buf, x = seed * 0x9e3779b97f4a7c15ULL + 1;
	unsigned int i;

	for (i = 0; i < PG / 8; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = x | 1;
	}
}

static inline struct hc_key key(u32 pool, u64 oid, u64 index)
{
	struct hc_key k = { .pool = pool, .oid = oid, .index = index };

	return k;
}

#endif /* _HVMEM_CACHE_HELPERS_H */
