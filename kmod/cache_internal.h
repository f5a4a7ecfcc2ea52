/* SPDX-License-Identifier: GPL-2.0 */
/* The exclusive cache's kernel glue: shared by cache.c, cache_ioctl.c, cache_sysfs.c. */
#ifndef _HVMEM_CACHE_INTERNAL_H
#define _HVMEM_CACHE_INTERNAL_H

#include <linux/types.h>

struct file;
struct hc_vm_info;

/**
 * struct hvmem_cache_snap - a consistent snapshot of the global counters
 * @reserve_pages: pages reserved
 * @used_pages: reserved pages holding data
 * @entries: pages stored
 * @zero_pages: stored pages of zeros
 * @dedup_saved_pages: stored pages sharing another's frame
 * @puts: put requests
 * @gets: get requests
 * @hits: gets that returned a page
 * @misses: gets that did not
 * @evictions: pages dropped by the cache
 * @flushes: pages flushed
 * @dedup_cross_vm: identical pages are shared across VMs
 */
struct hvmem_cache_snap {
	u64 reserve_pages;
	u64 used_pages;
	u64 entries;
	u64 zero_pages;
	u64 dedup_saved_pages;
	u64 puts;
	u64 gets;
	u64 hits;
	u64 misses;
	u64 evictions;
	u64 flushes;
	bool dedup_cross_vm;
};

/* cache.c */
void hvmem_cache_snapshot(struct hvmem_cache_snap *s);
int hvmem_cache_set_reserve(u64 pages);
void hvmem_cache_set_cross_vm(bool on);
int hvmem_cache_vm_info(u32 vm_id, struct hc_vm_info *out);
void hvmem_cache_vm_gone(u32 vm_id);
int hvmem_cache_init(void);
void hvmem_cache_exit(void);

/* cache_observe.c */
u64 hvmem_cache_page_id(u32 pool_id, u64 oid, u64 index);
void hvmem_cache_observe(u32 vm_id, u32 pool_id, u64 oid, u64 index, bool get);

/* cache_ioctl.c */
int hvmem_cache_ioctl_init(void);
void hvmem_cache_ioctl_exit(void);

/* cache_sysfs.c */
int hvmem_cache_sysfs_init(void);
void hvmem_cache_sysfs_exit(void);

#endif /* _HVMEM_CACHE_INTERNAL_H */
