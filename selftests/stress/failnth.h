/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvmem_failnth's pieces:
 *   hvmem_failnth.c	options, state snapshots, the sweep, the shared context
 *   failnth_ioctl.c	the operations of /dev/hvmem (core, cache, mrc, share)
 *   failnth_dm.c	the operations of dm-swapres (table loads, resumes, messages)
 *   failnth_module.c	module init under fail-nth
 */
#ifndef HVMEM_FAILNTH_H
#define HVMEM_FAILNTH_H

#include "stress_util.h"
#include "hvmem_util.h"
#include "kvm_tiny.h"

#define NPG	16
#define STATE_LEN	16384

struct ctx {
	int dev, ctl, mrc_fd;
	pid_t sleeper, sleeper2;
	__u32 vm, vm2, pool;
	struct kvm_tiny kvm;
	bool have_kvm, have_dm;
	const char *backing;
	char resv_mm[32];
	long pg;
	uint8_t *old, *new, *got;
	struct hvmem_cache_page pages[NPG];
	union {
		struct hvmem_vm_bind bind;
		struct hvmem_vm_unbind unbind;
		struct hvmem_vm_list list;
		struct hvmem_cache_pool_create pc;
		struct hvmem_cache_pool_destroy pd;
		struct hvmem_cache_io io;
		struct hvmem_cache_flush_object fo;
		struct hvmem_cache_vm cvm;
		struct hvmem_cache_stats cs;
		struct hvmem_mrc_open mo;
		struct hvmem_mrc_feed mf;
		struct hvmem_mrc_query mq;
		struct hvmem_mrc_reset mr;
		struct hvmem_share_scan ss;
		struct hvmem_share_stats st;
		struct hvmem_share_regions sr;
		struct hvmem_share_vm sv;
	} a;
	struct hvmem_vm_info infos[64];
	__u64 sizes[64], feed[1024];
	__u32 ratios[64];
	struct hvmem_share_region regions[64];
	char msg[128];
	int modfd;
	const char *modname;
};

struct op {
	const char *name;
	int (*setup)(struct ctx *c);	/* 0, or -errno: skip the op */
	int (*run)(struct ctx *c);	/* under fail-nth: only the call */
	void (*undo)(struct ctx *c);	/* after a successful run */
	void (*teardown)(struct ctx *c);
	int (*verify)(struct ctx *c, int ret);	/* extra checks; 0 ok */
	/*
	 * A failed run may drop cache pages (a failed PUT leaves no page under
	 * its keys): the state is compared without the page counts, and
	 * verify checks what is left under the keys.
	 */
	bool fail_drops_pages;
};

/* The operations to sweep, in their run order: the ioctls', then dm's. */
extern const struct op failnth_ioctl_ops[];
extern const unsigned int failnth_nr_ioctl_ops;
extern const struct op failnth_dm_ops[];
extern const unsigned int failnth_nr_dm_ops;

static inline int call(struct ctx *c, unsigned long req)
{
	return ioctl(c->dev, req, &c->a) ? -errno : 0;
}

/* hvmem_failnth.c: fail the 1st, 2nd, ... fault site @op->run reaches */
void sweep(struct ctx *c, const struct op *op, int fn, unsigned int max);
/* failnth_dm.c: removes fi_x, the dm device under test */
void dm_x_remove(struct ctx *c);
/* failnth_module.c: loads @module under fail-nth; 0, or the exit status */
int sweep_module(struct ctx *c, const char *module, int fn, unsigned int max);

#endif /* HVMEM_FAILNTH_H */
