/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvmem_fuzz's shared state and pieces:
 *   hvmem_fuzz.c	options, the state below, the closing summary
 *   fuzz_args.c	argument structs, ids and user pointers to pass
 *   fuzz_ioctl.c	ioctl mode: the command table, one call, its checks
 *   fuzz_dm.c		dm mode: dm-swapres tables, reloads and messages
 */
#ifndef HVMEM_FUZZ_H
#define HVMEM_FUZZ_H

#include "stress_util.h"
#include "hvmem_util.h"
#include "kvm_tiny.h"

#define MAX_IDS		32
#define MAX_SLEEPERS	16
#define MAX_KVM		4

enum kind {
	K_VERSION, K_BIND, K_UNBIND, K_LIST,
	K_POOL_CREATE, K_POOL_DESTROY, K_IO, K_FLUSH_OBJ, K_CVM, K_CSTATS,
	K_MRC_OPEN, K_SHARE_SCAN, K_SHARE_STATS, K_SHARE_REGIONS, K_SHARE_VM,
	K_MRC_FEED, K_MRC_QUERY, K_MRC_RESET, K_RANDOM,
};

struct cmd {
	unsigned long req;
	enum kind kind;
	unsigned int size;	/* sizeof the argument struct */
	unsigned int weight;
};

/* The run's state (hvmem_fuzz.c): one seeded stream, the arenas, what lives. */
extern struct rng rng;
extern struct arena args, data;
extern int dev, unpriv;
extern __u32 ids[MAX_IDS], pools[MAX_IDS];
extern unsigned int nr_ids, nr_pools;
extern pid_t sleepers[MAX_SLEEPERS];
extern unsigned int nr_sleepers;
extern struct kvm_tiny kvms[MAX_KVM];
extern unsigned int nr_kvm;
/* calls made, succeeded, broke the rules; failures by errno; the call number */
extern unsigned long long calls, oks, bad, errs[256];
extern unsigned long long cur_call, seed;

/* fuzz_args.c */
void remember(__u32 *set, unsigned int *n, __u32 v);
__u32 pick_id(__u32 *set, unsigned int n);
void fill(const struct cmd *c, void *a);
unsigned int mutate(const struct cmd *c, void *a);
unsigned long mutate_cmd(const struct cmd *c);

/* fuzz_ioctl.c */
int run_ioctls(unsigned long long n, unsigned int nsleep, unsigned int nkvm);
void print_cmd_times(void);

/* fuzz_dm.c */
int run_dm(const char *backing_dev, unsigned long long n);

#endif /* HVMEM_FUZZ_H */
