/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exclusive cache's content table (pure core): content hash -> frames,
 * so that identical pages are stored once. A hash match is only a
 * candidate: the full page is compared before a frame is shared. Frames
 * carry a dedup domain (a VM id, or 0 for the cross-VM domain) and are only
 * shared within it. Also the zero-page test.
 *
 * The hash function is the caller's (xxh64 in the kernel; anything in
 * tests, including a deliberately colliding one).
 */
#ifndef _HVMEM_CACHE_DEDUP_H
#define _HVMEM_CACHE_DEDUP_H

#include "cache_types.h"

/**
 * struct hc_dedup - the content table
 * @tab: frames by content hash
 * @page_size: bytes compared
 */
struct hc_dedup {
	struct hc_htab tab;
	size_t page_size;
};

int hc_dedup_init(struct hc_dedup *d, size_t page_size);
void hc_dedup_destroy(struct hc_dedup *d);
struct hc_frame *hc_dedup_find(const struct hc_dedup *d, const void *data, u64 hash,
			       u32 domain);
void hc_dedup_insert(struct hc_dedup *d, struct hc_frame *f, u64 hash, u32 domain);
void hc_dedup_remove(struct hc_dedup *d, struct hc_frame *f);
bool hc_page_is_zero(const void *data, size_t size);

#endif /* _HVMEM_CACHE_DEDUP_H */
