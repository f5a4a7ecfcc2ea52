// SPDX-License-Identifier: GPL-2.0
/*
 * scripts/bench-share's workload: THP-backed memory resembling a guest's,
 * region by region (2 MiB): dense regions (copies of a few contents, like
 * page-cache copies of the same files), sparse regions (a few zero pages
 * and common pages among unique data, like most of a guest's memory),
 * unique regions. Prints "ready" on stdout and sleeps until killed.
 *
 *   bench-share-workload DENSE SPARSE UNIQUE SPARSE_DUP [--ksm-all]
 *
 * --ksm-all: madvise(MADV_MERGEABLE) over everything (stock KSM).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define RSZ (2UL << 20)
#define PPR 512

static void fill(unsigned char *p, unsigned long c)
{
	unsigned long *w = (unsigned long *)p;
	int i;

	memset(p, 0, 4096);
	if (c)
		for (i = 0; i < 512; i += 5)
			w[i] = c * 0x9e3779b97f4a7c15UL + i;
}

int main(int argc, char **argv)
{
	unsigned long dense, sparse, uniq, dup, n, r, i, c = 1000000;
	unsigned char *m, *a;

	if (argc < 5)
		return 2;
	dense = atol(argv[1]);
	sparse = atol(argv[2]);
	uniq = atol(argv[3]);
	dup = atol(argv[4]);
	n = dense + sparse + uniq;
	m = mmap(NULL, (n + 1) * RSZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 1;
	a = (unsigned char *)(((unsigned long)m + RSZ - 1) & ~(RSZ - 1));
	madvise(a, n * RSZ, MADV_HUGEPAGE);
	for (r = 0; r < n; r++)
		for (i = 0; i < PPR; i++) {
			unsigned long v;

			if (r < dense)
				v = 1 + i % 64;			/* 64 contents */
			else if (r < dense + sparse && i < dup)
				v = i < dup / 2 ? 0 : 100 + i;	/* zero, common */
			else
				v = c++;			/* unique */
			fill(a + r * RSZ + i * 4096, v);
		}
	if (argc > 5 && !strcmp(argv[5], "--ksm-all") && madvise(a, n * RSZ, MADV_MERGEABLE))
		return 1;
	printf("ready %lx\n", (unsigned long)a);
	fflush(stdout);
	for (;;)
		pause();
}
