// SPDX-License-Identifier: GPL-2.0
/*
 * hvmem_workload - the guest workload of hvmem's guest tests and benchmarks
 * (built static, runs inside a Linux guest started by scripts/guest; runs on
 * any Linux too).
 *
 *   hvmem_workload --mib N [--seed S] [--mix zero:Z,dup:D,compressible:C,random:R]
 *                  [--pattern seq|random|hot] [--hot PCT] [--passes P]
 *                  [--seconds T] [--rewrite PCT] [--inject-corrupt K] [--quiet]
 *
 * 1. fill: N MiB of anonymous memory, page by page, each page's content a
 *    function of (seed, index, generation 0) and its kind (the mix, default
 *    zero:10,dup:20,compressible:40,random:30; see workload_core.c);
 * 2. access: P passes of N-MiB-worth page accesses in the pattern: seq (in
 *    order), random (uniform), hot (90% of accesses in a hot set of PCT% of
 *    the pages, default 20); every access verifies the page; with --seconds
 *    T, passes go on (a pass may end early) until T seconds of access have
 *    passed, at least --passes of them (0 allowed: a run of T seconds);
 * 3. rewrite: PCT% of the pages (default 10) get a new generation and new
 *    content;
 * 4. verify: every page, in order.
 * --inject-corrupt K flips one byte in K pages before 4 (for tests of the
 * checker itself: it must then report K corrupt pages and exit 1).
 *
 * Prints each phase's time and throughput, then one machine-readable line:
 *   RESULT pages=N verified=V corrupt=C checks=X rewritten=W fill_s=..
 *     access_s=.. verify_s=.. total_s=.. mibps=.. accesses=A access_mibps=..
 *     digest=HEX
 * verified + corrupt = pages; corrupt counts pages found wrong at any check;
 * digest is a hash of the final contents (equal for equal seed and options);
 * accesses counts the page accesses of phase 2 and access_mibps their rate
 * (the throughput of a time-bounded run).
 * Exit status: 0 when no page was corrupt, 1 when one was, 2 on bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include "workload_core.h"

enum pattern { P_SEQ, P_RANDOM, P_HOT };

static struct {
	unsigned long npages;
	uint64_t seed;
	struct wl_mix mix;
	enum pattern pattern;
	unsigned int hot_pct, passes, rewrite_pct, quiet, seconds;
	unsigned long inject;
} o = { .seed = 1, .pattern = P_RANDOM, .hot_pct = 20, .passes = 2, .rewrite_pct = 10 };

static unsigned char *mem, *kind, *bad;
static uint32_t *gen;
static unsigned char scratch[WL_PAGE] __attribute__((aligned(64)));
static unsigned long checks, nbad;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: hvmem_workload --mib N [--seed S] [--mix zero:Z,dup:D,compressible:C,random:R]\n"
		"       [--pattern seq|random|hot] [--hot PCT] [--passes P] [--seconds T]\n"
		"       [--rewrite PCT] [--inject-corrupt K] [--quiet]\n");
	exit(2);
}

static void check(unsigned long i)
{
	long off = wl_verify_page(mem + i * WL_PAGE, o.seed, i, gen[i], kind[i], scratch);

	checks++;
	if (off < 0)
		return;
	if (!bad[i]) {
		bad[i] = 1;
		if (nbad++ < 8)
			printf("hvmem_workload: page %lu (%s, gen %u) corrupt at byte %ld: %02x, expected %02x\n",
			       i, wl_kind_name[kind[i]], gen[i], off,
			       mem[i * WL_PAGE + off], scratch[off]);
	}
}

static unsigned long parse_ul(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v > max || *s == '-')
		usage();
	return v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mib", 1, 0, 'm' }, { "seed", 1, 0, 's' }, { "mix", 1, 0, 'x' },
		{ "pattern", 1, 0, 'p' }, { "hot", 1, 0, 'h' }, { "passes", 1, 0, 'P' },
		{ "rewrite", 1, 0, 'r' }, { "inject-corrupt", 1, 0, 'I' },
		{ "quiet", 0, 0, 'q' }, { "seconds", 1, 0, 'T' }, { 0, 0, 0, 0 },
	};
	unsigned long i, n, counts[WL_NKINDS] = { 0 }, rewritten = 0, verified, accesses = 0;
	double t0, t1, t_fill, t_access = 0, t_verify, mib, t_start;
	uint64_t st, digest = 0;
	unsigned int pass;
	int c;

	wl_parse_mix("zero:10,dup:20,compressible:40,random:30", &o.mix);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm': o.npages = parse_ul(optarg, 1UL << 20) * (1048576 / WL_PAGE); break;
		case 's': o.seed = parse_ul(optarg, ~0UL); break;
		case 'x': if (wl_parse_mix(optarg, &o.mix)) usage(); break;
		case 'p':
			if (!strcmp(optarg, "seq")) o.pattern = P_SEQ;
			else if (!strcmp(optarg, "random")) o.pattern = P_RANDOM;
			else if (!strcmp(optarg, "hot")) o.pattern = P_HOT;
			else usage();
			break;
		case 'h': o.hot_pct = (unsigned int)parse_ul(optarg, 100); break;
		case 'P': o.passes = (unsigned int)parse_ul(optarg, 1000); break;
		case 'r': o.rewrite_pct = (unsigned int)parse_ul(optarg, 100); break;
		case 'I': o.inject = parse_ul(optarg, ~0UL); break;
		case 'q': o.quiet = 1; break;
		case 'T': o.seconds = (unsigned int)parse_ul(optarg, 86400); break;
		default: usage();
		}
	}
	if (optind != argc || !o.npages || (o.pattern == P_HOT && !o.hot_pct))
		usage();
	n = o.npages;
	mib = (double)n * WL_PAGE / 1048576.0;
	mem = mmap(NULL, n * WL_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	kind = calloc(n, 1);
	bad = calloc(n, 1);
	gen = calloc(n, sizeof(*gen));
	if (mem == MAP_FAILED || !kind || !bad || !gen) {
		perror("hvmem_workload: allocating");
		return 2;
	}
	/* no THP: the guest swaps 4 KiB pages, and khugepaged would only add noise */
	madvise(mem, n * WL_PAGE, MADV_NOHUGEPAGE);
	printf("hvmem_workload: %lu MiB (%lu pages), seed %llu, mix zero:%u,dup:%u,compressible:%u,random:%u\n",
	       n >> 8, n, (unsigned long long)o.seed, o.mix.pct[WL_ZERO], o.mix.pct[WL_DUP],
	       o.mix.pct[WL_TEXT], o.mix.pct[WL_RANDOM]);
	fflush(stdout);

	t0 = now();
	for (i = 0; i < n; i++) {
		kind[i] = (unsigned char)wl_kind_of(&o.mix, o.seed, i);
		counts[kind[i]]++;
		wl_fill_page(mem + i * WL_PAGE, o.seed, i, 0, kind[i]);
	}
	t1 = now();
	t_fill = t1 - t0;
	printf("hvmem_workload: fill: %lu zero, %lu dup, %lu compressible, %lu random pages in %.2f s (%.1f MiB/s)\n",
	       counts[WL_ZERO], counts[WL_DUP], counts[WL_TEXT], counts[WL_RANDOM],
	       t_fill, mib / (t_fill > 0 ? t_fill : 1e-9));
	fflush(stdout);

	st = wl_mix64(o.seed ^ 0xacce55ULL);
	t_start = now();
	for (pass = 0; pass < o.passes || (o.seconds && now() - t_start < o.seconds); pass++) {
		unsigned long hot = n * o.hot_pct / 100, hot_start;

		if (!hot)
			hot = 1;
		hot_start = wl_mix64(st + pass) % (n - hot + 1);
		t0 = now();
		for (i = 0; i < n; i++) {
			unsigned long idx;

			st += 0x9e3779b97f4a7c15ULL;
			if (o.pattern == P_SEQ)
				idx = i;
			else if (o.pattern == P_RANDOM || wl_mix64(st ^ 1) % 100 >= 90)
				idx = wl_mix64(st) % n;
			else
				idx = hot_start + wl_mix64(st) % hot;
			check(idx);
			accesses++;
			/* a time-bounded run may end a pass early (past --passes) */
			if (o.seconds && pass >= o.passes && !(i & 255) && now() - t_start >= o.seconds) {
				i++;
				break;
			}
		}
		t1 = now();
		t_access += t1 - t0;
		if (!o.quiet)
			printf("hvmem_workload: access pass %u (%s): %lu pages in %.2f s (%.1f MiB/s)\n",
			       pass + 1, o.pattern == P_SEQ ? "seq" : o.pattern == P_RANDOM ? "random" : "hot",
			       i, t1 - t0, (double)i * WL_PAGE / 1048576.0 / (t1 - t0 > 0 ? t1 - t0 : 1e-9));
		fflush(stdout);
	}

	for (i = 0; i < n; i++) {
		if (wl_mix64(o.seed ^ wl_mix64(i + 0x12345)) % 100 >= o.rewrite_pct)
			continue;
		gen[i]++;
		wl_fill_page(mem + i * WL_PAGE, o.seed, i, gen[i], kind[i]);
		rewritten++;
	}
	printf("hvmem_workload: rewrote %lu pages with a new generation\n", rewritten);

	for (i = 0; i < o.inject && i < n; i++) {
		unsigned long p = wl_mix64(o.seed ^ (i + 77)) % n;

		mem[p * WL_PAGE + (i * 131) % WL_PAGE] ^= 0x40;
	}

	t0 = now();
	for (i = 0; i < n; i++) {
		check(i);
		digest = wl_mix64(digest ^ wl_page_hash(mem + i * WL_PAGE));
	}
	t1 = now();
	t_verify = t1 - t0;
	verified = n - nbad;
	printf("hvmem_workload: verify: %lu pages verified, %lu corrupt, in %.2f s (%.1f MiB/s)\n",
	       verified, nbad, t_verify, mib / (t_verify > 0 ? t_verify : 1e-9));
	printf("RESULT pages=%lu verified=%lu corrupt=%lu checks=%lu rewritten=%lu fill_s=%.2f access_s=%.2f verify_s=%.2f total_s=%.2f mibps=%.1f accesses=%lu access_mibps=%.2f digest=%016llx\n",
	       n, verified, nbad, checks, rewritten, t_fill, t_access, t_verify,
	       t_fill + t_access + t_verify,
	       (mib * 2.0 + (double)accesses * WL_PAGE / 1048576.0) /
	       (t_fill + t_access + t_verify > 0 ? t_fill + t_access + t_verify : 1e-9),
	       accesses, (double)accesses * WL_PAGE / 1048576.0 / (t_access > 0 ? t_access : 1e-9),
	       (unsigned long long)digest);
	return nbad ? 1 : 0;
}
