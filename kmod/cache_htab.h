/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intrusive chained hash table and doubly linked list for the exclusive
 * cache's pure core (the kernel's hlist/list/xarray are not available in
 * userspace builds of the core).
 *
 * A node carries the full 64-bit hash of its key; lookups walk one chain and
 * compare the hash before the caller compares keys. The bucket array doubles
 * when the table holds twice as many nodes as buckets, or when an insert
 * meets a chain of HC_HTAB_LONG_CHAIN nodes while the table holds more
 * nodes than buckets; when that allocation fails the table keeps working
 * with longer chains.
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
/*
 * An insert that finds this many nodes in its chain grows the table early
 * (beyond the load factor). With keyed hashes chains stay far shorter.
 */
#define HC_HTAB_LONG_CHAIN	16

static inline u32 hc_htab_slot(const struct hc_htab *t, u64 hash)
{
	return (u32)((hash ^ (hash >> 32)) & ((1ULL << t->bits) - 1));
}

/* First node of @hash's chain; walk ->next, skip nodes of another hash. */
static inline struct hc_hnode *hc_htab_chain(const struct hc_htab *t, u64 hash)
{
	return t->b[hc_htab_slot(t, hash)];
}

/*
 * A keyed hash of up to three words (SipHash-2-4). Keys come from clients
 * (guests choose object ids and page indices): with an unkeyed, invertible
 * mix, they could pile every entry into one chain and make each lookup
 * under the cache lock walk it. The kernel glue keys it at random per boot.
 */
static inline u64 hc_hash3(const siphash_key_t *key, u64 a, u64 b, u64 c)
{
	return siphash_3u64(a, b, c, key);
}

int hc_htab_init(struct hc_htab *t, unsigned int bits);
void hc_htab_destroy(struct hc_htab *t);
void hc_htab_add(struct hc_htab *t, struct hc_hnode *n, u64 hash);
void hc_htab_del(struct hc_htab *t, struct hc_hnode *n);
u32 hc_htab_max_chain(const struct hc_htab *t);

#endif /* _HVMEM_CACHE_HTAB_H */
