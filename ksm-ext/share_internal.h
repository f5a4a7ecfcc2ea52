/* SPDX-License-Identifier: GPL-2.0 */
/* hvmem_share.ko's kernel glue: shared by main.c, scan.c, vms.c and sysfs.c. */
#ifndef _HVMEM_SHARE_INTERNAL_H
#define _HVMEM_SHARE_INTERNAL_H

#include <linux/limits.h>
#include <linux/types.h>

#include "share_core.h"

struct hvmem_vm;

/**
 * struct share_scan - the result of scanning one VM
 * @pages: one entry per present anonymous page (domain unset)
 * @nr_pages: entries at @pages
 * @regions: one entry per 2 MiB region holding such a page, by address
 * @nr_regions: entries at @regions
 */
struct share_scan {
	struct share_page *pages;
	size_t nr_pages;
	struct share_region *regions;
	size_t nr_regions;
};

/* sysfs knobs */
extern unsigned int share_pages_per_sec;
extern unsigned int share_cpu_percent;
extern unsigned int share_split_threshold;
extern unsigned int share_scan_interval_ms;

extern unsigned int share_dry_run;
extern unsigned int share_auto_undo;

/* pressure.c */
extern unsigned long share_pressure_free_pages;
unsigned long share_pressure_threshold(void);
bool share_under_pressure(void);

/* entries of @size bytes one kvmalloc() may hold: it refuses more than INT_MAX bytes */
#define SHARE_MAX_ENTRIES(size)	((size_t)INT_MAX / (size))

/* scan.c */
extern atomic64_t share_progress, share_progress_total;
int share_scan_vm(struct hvmem_vm *vm, struct share_scan *out);
void share_scan_free(struct share_scan *s);
#if IS_ENABLED(CONFIG_KUNIT)
int share_grow(void **arr, size_t *cap, size_t need, size_t size);
#endif

/* vms.c */
int share_vm_scan(u32 vm_id);
int share_scan_all(void);
int share_vm_set(u32 vm_id, bool cross_vm);
void share_vm_remove(u32 vm_id);
void share_vm_seen(u32 vm_id);
void share_mark_dirty(void);
int share_stats(u32 vm_id, struct share_est *est, u64 *scans, bool *cross_vm);
int share_regions_top(u32 vm_id, struct share_region *out, u32 *count, u32 *total);
void share_vms_exit(void);
extern atomic64_t share_scans, share_pages_scanned;

/* main.c */
void share_kick_scanner(void);

/* sysfs.c */
int share_sysfs_init(void);
void share_sysfs_exit(void);

#endif /* _HVMEM_SHARE_INTERNAL_H */
