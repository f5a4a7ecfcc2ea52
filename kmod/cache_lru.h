/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exclusive cache's eviction order (pure core): one LRU list per VM
 * account, a global clock, and a share-weighted choice of the VM to take
 * the next victim from.
 *
 * The victim VM is the one whose oldest entry maximises
 *
 *	score = age(oldest entry) / shares(VM)
 *
 * where age counts insertions since the entry's. With equal shares this is
 * a global LRU; otherwise a VM's pages age in inverse proportion to its
 * shares, so under pressure with equal demand the VMs' footprints settle in
 * proportion to their shares. The VM's oldest entry is then evicted. Ties
 * go to the VM with the older oldest entry.
 */
#ifndef _HVMEM_CACHE_LRU_H
#define _HVMEM_CACHE_LRU_H

#include "cache_types.h"

#define HC_SHARES_DEFAULT	1000
#define HC_SHARES_MAX		1000000

/**
 * struct hc_lru - every VM account and the LRU clock
 * @accts: the accounts (struct hc_acct.node)
 * @nr_accts: accounts on @accts
 * @tick: the clock; advances on every insertion
 */
struct hc_lru {
	struct hc_link accts;
	u32 nr_accts;
	u64 tick;
};

void hc_lru_init(struct hc_lru *l);
struct hc_acct *hc_lru_acct(const struct hc_lru *l, u32 vm_id);
struct hc_acct *hc_lru_acct_get(struct hc_lru *l, u32 vm_id);
void hc_lru_acct_free(struct hc_lru *l, struct hc_acct *a);
void hc_lru_add(struct hc_lru *l, struct hc_acct *a, struct hc_entry *e);
void hc_lru_del(struct hc_acct *a, struct hc_entry *e);
struct hc_entry *hc_lru_oldest(const struct hc_acct *a);
u64 hc_lru_score(const struct hc_lru *l, const struct hc_acct *a);
struct hc_acct *hc_lru_victim(const struct hc_lru *l);

#endif /* _HVMEM_CACHE_LRU_H */
