// SPDX-License-Identifier: GPL-2.0
/*
 * The exclusive cache's content table (pure core; see cache_dedup.h).
 */
#include "cache_dedup.h"

#define HC_DEDUP_BITS	8

/**
 * hc_dedup_init() - set up an empty content table
 * @d: the table
 * @page_size: bytes per frame, a non-zero multiple of 8
 *
 * Return: 0, -EINVAL or -ENOMEM.
 */
int hc_dedup_init(struct hc_dedup *d, size_t page_size)
{
	d->page_size = page_size;
	if (!page_size || page_size % sizeof(u64)) {
		d->tab.b = NULL;
		d->tab.count = 0;
		return -EINVAL;
	}
	return hc_htab_init(&d->tab, HC_DEDUP_BITS);
}
EXPORT_SYMBOL_IF_KUNIT(hc_dedup_init);

/**
 * hc_dedup_destroy() - free an empty content table
 * @d: the table
 */
void hc_dedup_destroy(struct hc_dedup *d)
{
	WARN_ON_ONCE(d->tab.count);
	hc_htab_destroy(&d->tab);
}
EXPORT_SYMBOL_IF_KUNIT(hc_dedup_destroy);

/**
 * hc_dedup_find() - a frame holding exactly @data in @domain
 * @d: the table
 * @data: page_size bytes
 * @hash: the caller's hash of @data
 * @domain: dedup domain
 *
 * Return: the frame (its content compared byte for byte), or NULL.
 */
struct hc_frame *hc_dedup_find(const struct hc_dedup *d, const void *data, u64 hash,
			       u32 domain)
{
	struct hc_hnode *n;

	for (n = hc_htab_chain(&d->tab, hash); n; n = n->next) {
		struct hc_frame *f = container_of(n, struct hc_frame, hn);

		if (n->hash == hash && f->domain == domain && !memcmp(f->data, data, d->page_size))
			return f;
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(hc_dedup_find);

/**
 * hc_dedup_insert() - make a frame findable by its content
 * @d: the table
 * @f: a frame with its data in place, not in the table
 * @hash: the hash of its data
 * @domain: dedup domain
 */
void hc_dedup_insert(struct hc_dedup *d, struct hc_frame *f, u64 hash, u32 domain)
{
	f->domain = domain;
	f->hashed = true;
	hc_htab_add(&d->tab, &f->hn, hash);
}
EXPORT_SYMBOL_IF_KUNIT(hc_dedup_insert);

/**
 * hc_dedup_remove() - take a frame out of the table, if it is in it
 * @d: the table
 * @f: the frame
 */
void hc_dedup_remove(struct hc_dedup *d, struct hc_frame *f)
{
	if (!f->hashed)
		return;
	hc_htab_del(&d->tab, &f->hn);
	f->hashed = false;
}
EXPORT_SYMBOL_IF_KUNIT(hc_dedup_remove);

/**
 * hc_page_is_zero() - whether a page is all zeros
 * @data: the page, 8-byte aligned
 * @size: its size, a multiple of 8
 *
 * Return: true when every byte is 0.
 */
bool hc_page_is_zero(const void *data, size_t size)
{
	const u64 *p = data;
	size_t i;

	for (i = 0; i < size / sizeof(u64); i += 4) {
		if (i + 4 > size / sizeof(u64))
			break;
		if (p[i] | p[i + 1] | p[i + 2] | p[i + 3])
			return false;
	}
	for (; i < size / sizeof(u64); i++)
		if (p[i])
			return false;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(hc_page_is_zero);
