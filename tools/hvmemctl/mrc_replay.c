// SPDX-License-Identifier: GPL-2.0
/*
 * hvmemctl mrc replay: the miss-rate curve of a page trace.
 *
 *   hvmemctl [-j] mrc replay --trace FILE [--rate R | --smax N] [--exact]
 *                 [--near K] [--kernel] [--sizes a,b,c] [--timing] [--seed S]
 *
 * replay runs a page trace (one page number per line, decimal or 0x-hex; '#'
 * comments) through the same core as the module, in this process or with
 * --kernel through a private context of the module, and prints CSV
 * "cache_size_pages,miss_ratio". Without --sizes: 64 log-spaced sizes up to
 * 1.1 x the distinct pages. Sampling: --rate R (0 < R <= 1, unbounded
 * sample), --smax N (SHARDS fixed-size, starts at rate 1), both, or --exact;
 * the default is --smax 16383 with --near 4096 (1 MiB). --near K (default
 * 4096, 0 with --exact) adds an exact stack of the K most recent pages: the
 * curve is exact up to K pages.
 * --timing also prints the cost per reference
 * (userspace only); --seed sets the sampling hash seed (userspace only).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hvmemctl.h"
#include "mrc_curve.h"
#include "../../mrc/mrc_core.h"

#define MRC_DEFAULT_SMAX	MRC_S_MAX_DEFAULT
#define MRC_DEFAULT_NEAR	MRC_NEAR_DEFAULT
#define TIMING_RUNS		3

struct trace {
	uint64_t *pages;
	size_t n;
};

static int read_trace(const char *path, struct trace *t)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	size_t room = 1 << 20, line = 0;
	char buf[128];

	if (!f)
		return p_errno(errno, "%s", path);
	t->n = 0;
	t->pages = malloc(room * sizeof(*t->pages));
	if (!t->pages)
		goto nomem;
	while (fgets(buf, sizeof(buf), f)) {
		char *p = buf, *end;

		line++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#' || *p == '\n' || !*p)
			continue;
		if (*p == '-')
			goto bad;
		errno = 0;
		t->pages[t->n] = strtoull(p, &end, 0);
		if (errno || end == p)
			goto bad;
		while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
			end++;
		if (*end)
			goto bad;
		if (++t->n == room) {
			uint64_t *np = realloc(t->pages, 2 * room * sizeof(*np));

			if (!np)
				goto nomem;
			t->pages = np;
			room *= 2;
		}
	}
	if (ferror(f)) {
		p_errno(EIO, "%s", path);
		goto fail;
	}
	if (f != stdin)
		fclose(f);
	if (!t->n)
		return p_err("%s: no page references", path);
	return 0;
bad:
	buf[strcspn(buf, "\r\n")] = 0;
	p_err("%s:%zu: not a page number: %.40s", path, line, buf);
	goto fail;
nomem:
	p_errno(ENOMEM, "%s", path);
fail:
	if (f != stdin)
		fclose(f);
	free(t->pages);
	t->pages = NULL;
	return 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Feed the whole trace; ns per reference. One copy of the loop for all runs. */
static __attribute__((noinline)) double feed_timed(struct mrc *m, const struct trace *t)
{
	uint64_t t0 = now_ns();
	size_t i;

	for (i = 0; i < t->n; i++)
		mrc_access(m, t->pages[i]);
	return (double)(now_ns() - t0) / t->n;
}

static int replay_user(const struct trace *t, const struct mrc_params *p, bool timing,
		       struct mrc_curve *c, double *ns_per_ref, double *ns_unsampled)
{
	double best = 0;
	struct mrc m;
	size_t i;
	int ret;

	*ns_unsampled = 0;
	if (timing) {
		/* Same stream with (almost) nothing sampled: the filter's cost. */
		struct mrc_params q = *p;

		q.threshold = 1;
		for (i = 0; i < TIMING_RUNS; i++) {
			double ns;

			ret = mrc_init(&m, &q);
			if (ret)
				return p_errno(-ret, "mrc_init");
			ns = feed_timed(&m, t);
			mrc_destroy(&m);
			if (!i || ns < *ns_unsampled)
				*ns_unsampled = ns;
		}
		/* Best of TIMING_RUNS: the machine may be busy. */
		for (i = 1; i < TIMING_RUNS; i++) {
			double ns;

			ret = mrc_init(&m, p);
			if (ret)
				return p_errno(-ret, "mrc_init");
			ns = feed_timed(&m, t);
			mrc_destroy(&m);
			if (i == 1 || ns < best)
				best = ns;
		}
	}
	ret = mrc_init(&m, p);
	if (ret)
		return p_errno(-ret, "mrc_init");
	*ns_per_ref = feed_timed(&m, t);
	if (timing && best < *ns_per_ref)
		*ns_per_ref = best;
	if (!c->sizes && mrc_default_sizes(c, mrc_unique_pages(&m))) {
		mrc_destroy(&m);
		return 1;
	}
	c->ratios = calloc(c->n, sizeof(*c->ratios));
	if (!c->ratios) {
		mrc_destroy(&m);
		return p_errno(ENOMEM, "ratios");
	}
	for (i = 0; i < c->n; i++)
		c->ratios[i] = mrc_miss_ratio(&m, c->sizes[i]);
	c->refs = m.refs;
	c->sampled = m.sampled;
	c->unique = mrc_unique_pages(&m);
	c->threshold = m.threshold;
	c->bytes = mrc_bytes(&m);
	c->s_max = m.s_max;
	c->state = HVMEM_MRC_PRIVATE | (mrc_is_exact(&m) ? HVMEM_MRC_EXACT : 0);
	mrc_destroy(&m);
	return 0;
}

static int replay_kernel(const struct trace *t, const struct mrc_params *p, struct mrc_curve *c)
{
	int cfd = mrc_open_ctx(HVMEM_MRC_OPEN_PRIVATE, 0, p->s_max, p->threshold, p->near);
	size_t i;

	if (cfd < 0)
		return 1;
	for (i = 0; i < t->n; ) {
		struct hvmem_mrc_feed f = { .size = sizeof(f) };

		f.count = t->n - i > HVMEM_MRC_FEED_MAX ? HVMEM_MRC_FEED_MAX : t->n - i;
		f.pages = (uintptr_t)&t->pages[i];
		if (hvmem_ioctl(cfd, HVMEM_IOC_MRC_FEED, &f, "MRC_FEED")) {
			close(cfd);
			return 1;
		}
		if (!f.count) {
			close(cfd);
			return p_err("MRC_FEED recorded nothing");
		}
		i += f.count;
	}
	i = mrc_query_curve(cfd, c);
	close(cfd);
	return i;
}

int mrc_do_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "trace", required_argument, NULL, 't' },
		{ "rate", required_argument, NULL, 'r' },
		{ "smax", required_argument, NULL, 's' },
		{ "exact", no_argument, NULL, 'e' },
		{ "kernel", no_argument, NULL, 'k' },
		{ "sizes", required_argument, NULL, 'z' },
		{ "timing", no_argument, NULL, 'T' },
		{ "seed", required_argument, NULL, 'S' },
		{ "near", required_argument, NULL, 'n' },
		{ }
	};
	struct mrc_params p = { .threshold = MRC_RATE_ONE };
	bool exact = false, kernel = false, timing = false, rate = false, seed = false;
	bool near = false;
	const char *path = NULL;
	struct mrc_curve c = { };
	struct trace t = { };
	double ns = 0, ns_u = 0;
	int opt, ret;
	char *end;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 't':
			path = optarg;
			break;
		case 'r': {
			double r = strtod(optarg, &end);

			if (end == optarg || *end || !(r > 0 && r <= 1))
				return p_err("--rate: want a number in (0, 1], not '%s'", optarg);
			p.threshold = (uint64_t)llround(r * (double)MRC_RATE_ONE);
			if (!p.threshold)
				p.threshold = 1;
			rate = true;
			break;
		}
		case 's':
			if (parse_u32(optarg, &p.s_max, "--smax"))
				return 1;
			if (!p.s_max || p.s_max > HVMEM_MRC_SMAX_MAX)
				return p_err("--smax: want 1 .. %u", HVMEM_MRC_SMAX_MAX);
			break;
		case 'e':
			exact = true;
			break;
		case 'k':
			kernel = true;
			break;
		case 'z':
			if (mrc_parse_sizes(optarg, &c))
				return 1;
			break;
		case 'T':
			timing = true;
			break;
		case 'n':
			if (parse_u32(optarg, &p.near, "--near"))
				return 1;
			near = true;
			if (p.near > MRC_NEAR_MAX)
				return p_err("--near: at most %u", MRC_NEAR_MAX);
			break;
		case 'S':
			if (parse_u64(optarg, &p.seed, "--seed"))
				return 1;
			seed = true;
			break;
		default:
			return p_err("usage: mrc replay --trace FILE [--rate R | --smax N] [--exact] [--near K] [--kernel] [--sizes a,b,c] [--timing] [--seed S]");
		}
	}
	if (!path || optind != argc)
		return p_err("mrc replay: --trace FILE required, no other arguments");
	if (exact && (rate || p.s_max))
		return p_err("--exact excludes --rate and --smax");
	if (kernel && (timing || seed))
		return p_err("--timing and --seed are for userspace replay");
	if (exact)	/* every page sampled, sample as large as needed */
		p.s_max = kernel ? HVMEM_MRC_SMAX_MAX : MRC_LRU_MAX_CAP - 1;
	else if (!p.s_max)
		p.s_max = rate ? (kernel ? HVMEM_MRC_SMAX_MAX : MRC_LRU_MAX_CAP - 1) :
				 MRC_DEFAULT_SMAX;
	if (!near && !exact)
		p.near = MRC_DEFAULT_NEAR;
	p.init_cap = 1024;
	if (read_trace(path, &t))
		return 1;
	if (kernel)
		ret = replay_kernel(&t, &p, &c);
	else
		ret = replay_user(&t, &p, timing, &c, &ns, &ns_u);
	if (!ret) {
		if (exact && !(c.state & HVMEM_MRC_EXACT))
			fprintf(stderr, "hvmemctl: warning: more distinct pages than s_max %u: the curve is sampled\n",
				c.s_max);
		mrc_print_curve(&c, kernel ? "kernel" : "user", ns, ns_u, 0);
	}
	free(t.pages);
	free(c.sizes);
	free(c.ratios);
	return ret;
}
