/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intrusive chained hash table and doubly linked list for the exclusive
 * cache's pure core (the kernel's hlist/list/xarray are not available in
 * userspace builds of the core).
 *
 * A node carries the full 64-bit hash of its key; lookups walk one chain and
 * compare the hash before the caller compares keys. The bucket array doubles
 * when the table holds twice as many nodes as buckets; when that allocation
 * fails the table keeps working with longer chains.
 */
#ifndef _HVMEM_CACHE_HTAB_H
#define _HVMEM_CACHE_HTAB_H

#include <hvmem/compat.h>

/**
 * struct hc_link - doubly linked circular list node or head
 * @next: next node (the head itself when empty)
 * @prev: previous node
 */
struct hc_link {
	struct hc_link *next;
	struct hc_link *prev;
};

static inline void hc_link_init(struct hc_link *h)
{
	h->next = h;
	h->prev = h;
}

static inline bool hc_link_empty(const struct hc_link *h)
{
	return h->next == h;
}

/* Insert @n before @h: at the tail when @h is a list head. */
static inline void hc_link_add_tail(struct hc_link *n, struct hc_link *h)
{
	n->prev = h->prev;
	n->next = h;
	h->prev->next = n;
	h->prev = n;
}

static inline void hc_link_del(struct hc_link *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n;
	n->prev = n;
}

/**
 * struct hc_hnode - hash table node
 * @next: next node in the same bucket
 * @hash: full hash of the node's key
 */
struct hc_hnode {
	struct hc_hnode *next;
	u64 hash;
};

/**
 * struct hc_htab - chained hash table
 * @b: bucket heads, 1 << @bits of them
 * @bits: log2 of the number of buckets
 * @count: nodes in the table
 */
struct hc_htab {
	struct hc_hnode **b;
	unsigned int bits;
	u64 count;
};

#define HC_HTAB_MIN_BITS	4
#define HC_HTAB_MAX_BITS	26

static inline u32 hc_htab_slot(const struct hc_htab *t, u64 hash)
{
	return (u32)((hash ^ (hash >> 32)) & ((1ULL << t->bits) - 1));
}

/* First node of @hash's chain; walk ->next, skip nodes of another hash. */
static inline struct hc_hnode *hc_htab_chain(const struct hc_htab *t, u64 hash)
{
	return t->b[hc_htab_slot(t, hash)];
}

/* A 64-bit mix of up to three words (splitmix64 finaliser). */
static inline u64 hc_hash3(u64 a, u64 b, u64 c)
{
	u64 x = a * 0x9e3779b97f4a7c15ULL ^ b;

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL ^ c;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

int hc_htab_init(struct hc_htab *t, unsigned int bits);
void hc_htab_destroy(struct hc_htab *t);
void hc_htab_add(struct hc_htab *t, struct hc_hnode *n, u64 hash);
void hc_htab_del(struct hc_htab *t, struct hc_hnode *n);

#endif /* _HVMEM_CACHE_HTAB_H */
