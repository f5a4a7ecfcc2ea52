/* SPDX-License-Identifier: GPL-2.0 */
/* Definitions shared by the files of hvmem_mrc.ko. */
#ifndef _HVMEM_MRC_INTERNAL_H
#define _HVMEM_MRC_INTERNAL_H

#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "mrc_core.h"

struct kvm;
struct mm_struct;
struct mrc_wtrack;

/* References recorded per hold of a context's lock. */
#define MRC_LOCK_BATCH	256

/**
 * struct mrc_ctx - a miss-rate curve context
 * @kref: references: the VM table (while the VM is bound) and each fd
 * @lock: protects @mrc; taken from process or softirq context, never
 *	from hard interrupts
 * @mrc: the curve; fully preallocated, so recording never allocates
 * @vm_id: the VM, 0 for a private context
 * @detached: the VM was unbound (the curve no longer changes)
 * @wt: write tracking feeding a VM's curve, or NULL
 * @free_work: frees the context in process context after the last put
 */
struct mrc_ctx {
	struct kref kref;
	spinlock_t lock;	/* protects @mrc */
	struct mrc mrc;
	u32 vm_id;
	bool detached;
	struct mrc_wtrack *wt;
	struct work_struct free_work;
};

/* ctx.c */
extern struct workqueue_struct *mrc_wq;
struct mrc_ctx *mrc_ctx_create(u32 vm_id, u32 s_max, u64 threshold, u32 near,
			       u32 key_shift);
void mrc_ctx_put(struct mrc_ctx *ctx);
void mrc_ctx_record(struct mrc_ctx *ctx, const u64 *pages, unsigned int n);
int mrc_ctx_getfd(struct mrc_ctx *ctx);

/* vms.c: the contexts of bound VMs */
int mrc_vm_enable(u32 vm_id);
void mrc_vm_disable(u32 vm_id);
bool mrc_vm_enabled(u32 vm_id);
int mrc_vm_write_traps(u32 vm_id, u64 *traps, u64 *tracked);
struct mrc_ctx *mrc_vm_ctx_get(u32 vm_id);
int mrc_vms_init(void);
void mrc_vms_stop(void);
void mrc_vms_drop_all(void);

/*
 * wtrack.c: KVM external write tracking as an access source. Its curves
 * sample whole 2 MiB regions of gfns (key_shift 9): a tracked gfn keeps
 * its 2 MiB (and 1 GiB) region from being mapped large.
 */
#define MRC_WT_REGION_SHIFT	9	/* 2 MiB of x86 4 KiB gfns */
struct mrc_wtrack *mrc_wtrack_start(struct mrc_ctx *ctx, struct kvm *kvm,
				    struct mm_struct *mm, unsigned int untrace_ms);
void mrc_wtrack_stop(struct mrc_wtrack *wt);
u64 mrc_wtrack_traps(struct mrc_wtrack *wt);
u64 mrc_wtrack_tracked(struct mrc_wtrack *wt);

/* sysfs.c: /sys/kernel/mm/hvmem/mrc */
extern unsigned int mrc_default_s_max;
extern unsigned int mrc_default_rate_ppm;
extern unsigned int mrc_default_near;
extern bool mrc_auto_enable;
extern bool mrc_write_track;
extern unsigned int mrc_untrace_ms;
extern unsigned int mrc_write_track_rate_ppm;
int mrc_sysfs_init(void);
void mrc_sysfs_exit(void);
int mrc_sysfs_add_vm(u32 vm_id);
void mrc_sysfs_remove_vm(u32 vm_id);
u64 mrc_default_threshold(void);
u64 mrc_write_track_threshold(void);

#endif /* _HVMEM_MRC_INTERNAL_H */
