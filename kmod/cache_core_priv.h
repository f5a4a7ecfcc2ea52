/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry removal and eviction of the exclusive cache's pure core, shared by
 * cache_core.c (puts, gets, flushes) and cache_pool.c (pools, VM accounts).
 * Not for the kernel glue: it goes through cache_core.h.
 */
#ifndef _HVMEM_CACHE_CORE_PRIV_H
#define _HVMEM_CACHE_CORE_PRIV_H

#include "cache_core.h"

void hc_entry_drop(struct hc_cache *c, struct hc_entry *e);
bool hc_evict_one(struct hc_cache *c, struct hc_acct *a);

#endif /* _HVMEM_CACHE_CORE_PRIV_H */
