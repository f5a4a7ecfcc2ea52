/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvmem_mrc.ko's in-kernel API: the entry point of in-kernel access sources
 * of the per-VM miss-rate curves.
 *
 * The exclusive cache's put/get stream feeds it (every guest eviction and
 * every guest miss beyond its memory is a reference, as in Lu & Shen,
 * ATC'07). The cache lives in hvmem.ko, which hvmem_mrc.ko depends on, so
 * it cannot call this directly: hvmem_mrc.ko registers as the cache's
 * observer (hvmem_cache_observer_register()) and records from there.
 */
#ifndef _HVMEM_MRC_H
#define _HVMEM_MRC_H

#include <linux/types.h>

void hvmem_mrc_record(u32 vm_id, const u64 *gfns, unsigned int n);

#endif /* _HVMEM_MRC_H */
