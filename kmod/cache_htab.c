// SPDX-License-Identifier: GPL-2.0
/*
 * Chained hash table of the exclusive cache's pure core (see cache_htab.h).
 */
#include "cache_htab.h"

/**
 * hc_htab_init() - set up an empty table
 * @t: the table
 * @bits: log2 of the initial number of buckets
 *
 * Return: 0, -EINVAL (@bits out of range) or -ENOMEM.
 */
int hc_htab_init(struct hc_htab *t, unsigned int bits)
{
	t->b = NULL;
	t->count = 0;
	t->bits = bits;
	if (bits < HC_HTAB_MIN_BITS || bits > HC_HTAB_MAX_BITS)
		return -EINVAL;
	t->b = kvcalloc(1UL << bits, sizeof(*t->b), GFP_KERNEL);
	return t->b ? 0 : -ENOMEM;
}
EXPORT_SYMBOL_IF_KUNIT(hc_htab_init);

/**
 * hc_htab_destroy() - free the bucket array
 * @t: the table; its nodes belong to the caller and are not touched
 */
void hc_htab_destroy(struct hc_htab *t)
{
	kvfree(t->b);
	t->b = NULL;
	t->count = 0;
}
EXPORT_SYMBOL_IF_KUNIT(hc_htab_destroy);

static void hc_htab_grow(struct hc_htab *t)
{
	unsigned int bits = t->bits + 1;
	struct hc_hnode **nb, *n, *next;
	struct hc_htab nt;
	u32 i;

	nb = kvcalloc(1UL << bits, sizeof(*nb), GFP_KERNEL | __GFP_NOWARN);
	if (!nb)
		return;		/* keep the smaller table: chains get longer */
	nt.b = nb;
	nt.bits = bits;
	for (i = 0; i < (1U << t->bits); i++) {
		for (n = t->b[i]; n; n = next) {
			u32 s = hc_htab_slot(&nt, n->hash);

			next = n->next;
			n->next = nb[s];
			nb[s] = n;
		}
	}
	kvfree(t->b);
	t->b = nb;
	t->bits = bits;
}

/**
 * hc_htab_add() - insert a node
 * @t: the table
 * @n: a node not in any table
 * @hash: hash of its key
 */
void hc_htab_add(struct hc_htab *t, struct hc_hnode *n, u64 hash)
{
	struct hc_hnode *p;
	unsigned int len = 0;
	u32 s;

	if (t->count >= (2ULL << t->bits) && t->bits < HC_HTAB_MAX_BITS)
		hc_htab_grow(t);
	/* A long chain in a table not too sparse: grow early (once per insert). */
	for (p = hc_htab_chain(t, hash); p && len < HC_HTAB_LONG_CHAIN; p = p->next)
		len++;
	if (len >= HC_HTAB_LONG_CHAIN && t->count >= (1ULL << t->bits) &&
	    t->bits < HC_HTAB_MAX_BITS)
		hc_htab_grow(t);
	s = hc_htab_slot(t, hash);
	n->hash = hash;
	n->next = t->b[s];
	t->b[s] = n;
	t->count++;
}
EXPORT_SYMBOL_IF_KUNIT(hc_htab_add);

/**
 * hc_htab_del() - remove a node
 * @t: the table
 * @n: a node in @t
 */
void hc_htab_del(struct hc_htab *t, struct hc_hnode *n)
{
	struct hc_hnode **pp = &t->b[hc_htab_slot(t, n->hash)];

	while (*pp && *pp != n)
		pp = &(*pp)->next;
	if (WARN_ON_ONCE(!*pp))
		return;
	*pp = n->next;
	n->next = NULL;
	t->count--;
}
EXPORT_SYMBOL_IF_KUNIT(hc_htab_del);

/**
 * hc_htab_max_chain() - the length of the longest chain (for tests and stats)
 * @t: the table
 *
 * Walks every bucket: O(buckets + nodes).
 *
 * Return: the most nodes in one bucket.
 */
u32 hc_htab_max_chain(const struct hc_htab *t)
{
	const struct hc_hnode *n;
	u32 i, len, max = 0;

	for (i = 0; i < (1U << t->bits); i++) {
		len = 0;
		for (n = t->b[i]; n; n = n->next)
			len++;
		if (len > max)
			max = len;
	}
	return max;
}
EXPORT_SYMBOL_IF_KUNIT(hc_htab_max_chain);
