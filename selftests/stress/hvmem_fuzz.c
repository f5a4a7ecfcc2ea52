// SPDX-License-Identifier: GPL-2.0
/*
 * hvmem_fuzz - seeded, reproducible fuzzer of /dev/hvmem and dm-swapres.
 *
 *   hvmem_fuzz [--seed S] [--calls N] [--unpriv] [--sleepers N] [--kvm N]
 *   hvmem_fuzz --dm BACKING_DEV [--seed S] [--calls N]
 *
 * ioctl mode: random commands over every /dev/hvmem number range (core,
 * cache, mrc, share and the unassigned ones up to 0x5f and beyond), with
 * random sizes, flags, ids (of live VMs: forked sleepers and tiny KVM VMs,
 * and random ones) and user pointers (valid, NULL, unmapped, read-only,
 * straddling a PROT_NONE guard page, kernel addresses), plus the ioctls of
 * MRC context fds. Every call must return 0 or an errno of the ABI.
 * --unpriv: drop to nobody first; every control command must then fail
 * with EPERM (unknown numbers: ENOTTY), only GET_VERSION and
 * CHECK_EXTENSION may work.
 *
 * dm mode: random swapres-resv / swapres table strings, loads, resumes,
 * reloads and target messages through the DM ioctls, on BACKING_DEV.
 *
 * Prints "hvmem_fuzz: seed S: N calls ..." and exits 1 on any call that
 * broke the rules (the seed and call number are printed to replay it).
 *
 * This file: the options, the run's shared state and the closing summary;
 * fuzz.h lists the other pieces.
 */
#include <signal.h>

#include "fuzz.h"

#define DATA_LEN	(4UL << 20)

struct rng rng;
struct arena args, data;
int dev, unpriv;
__u32 ids[MAX_IDS], pools[MAX_IDS];
unsigned int nr_ids, nr_pools;
pid_t sleepers[MAX_SLEEPERS];
unsigned int nr_sleepers;
struct kvm_tiny kvms[MAX_KVM];
unsigned int nr_kvm;
unsigned long long calls, oks, bad, errs[256];
unsigned long long cur_call, seed;

int main(int argc, char **argv)
{
	unsigned long long n = 10000;
	unsigned int nsleep = 4, nkvm = 1, i;
	const char *dm = NULL;
	int ret;

	seed = time(NULL);
	for (i = 1; i < (unsigned int)argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < (unsigned int)argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--calls") && i + 1 < (unsigned int)argc)
			n = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--sleepers") && i + 1 < (unsigned int)argc)
			nsleep = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--kvm") && i + 1 < (unsigned int)argc)
			nkvm = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--dm") && i + 1 < (unsigned int)argc)
			dm = argv[++i];
		else if (!strcmp(argv[i], "--unpriv"))
			unpriv = 1;
		else {
			fprintf(stderr, "usage: %s [--seed S] [--calls N] [--unpriv] [--sleepers N] [--kvm N] [--dm BACKING]\n",
				argv[0]);
			return 2;
		}
	}
	rng_seed(&rng, seed);
	printf("# hvmem_fuzz: seed %llu, %llu calls%s%s%s\n", seed, n,
	       unpriv ? ", as nobody" : "", dm ? ", dm on " : "", dm ? dm : "");
	fflush(stdout);
	signal(SIGPIPE, SIG_IGN);
	if (arena_init(&args, 8192) || arena_init(&data, DATA_LEN)) {
		printf("# hvmem_fuzz: mmap failed\n");
		return 1;
	}
	if (dm)
		ret = run_dm(dm, n);
	else
		ret = run_ioctls(n, nsleep, nkvm);
	while (nr_sleepers)
		sleeper_kill(sleepers[--nr_sleepers]);
	for (i = 0; i < nr_kvm; i++)
		kvm_tiny_close(&kvms[i]);
	if (ret)
		return ret;
	printf("# hvmem_fuzz: errno counts:");
	for (i = 0; i < 256; i++)
		if (errs[i])
			printf(" %s=%llu", strerrorname_np(i) ?: "?", errs[i]);
	if (!dm)
		print_cmd_times();
	printf("\nhvmem_fuzz: seed %llu: %llu calls, %llu ok, %llu broke the rules\n",
	       seed, calls, oks, bad);
	return bad ? 1 : 0;
}
