// SPDX-License-Identifier: GPL-2.0
/*
 * hvmemctl mrc: miss-rate curves.
 *
 *   hvmemctl [-j] mrc show VM [--sizes a,b,c]
 *   hvmemctl [-j] mrc replay --trace FILE [--rate R | --smax N] [--exact]
 *                 [--near K] [--kernel] [--sizes a,b,c] [--timing] [--seed S]
 *
 * show prints the curve of a bound VM kept by hvmem_mrc.ko. replay runs a
 * page trace (one page number per line, decimal or 0x-hex; '#' comments)
 * through the same core as the module, in this process or with --kernel
 * through a private context of the module, and prints CSV
 * "cache_size_pages,miss_ratio". Without --sizes: 64 log-spaced sizes up to
 * 1.1 x the distinct pages. Sampling: --rate R (0 < R <= 1, unbounded
 * sample), --smax N (SHARDS fixed-size, starts at rate 1), both, or --exact;
 * the default is --smax 19000 (1 MiB). --near K (default 64, 0 with --exact) adds an
 * exact stack of the K most recent pages: the curve is exact up to K pages.
 * --timing also prints the cost per reference
 * (userspace only); --seed sets the sampling hash seed (userspace only).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "hvmemctl.h"
#include "../../mrc/mrc_core.h"

#define MRC_DEFAULT_SMAX	MRC_S_MAX_DEFAULT
#define MRC_DEFAULT_POINTS	64
#define MRC_DEFAULT_NEAR	64
#define TIMING_RUNS		3

struct trace {
	uint64_t *pages;
	size_t n;
};

struct curve {
	uint64_t *sizes;
	uint32_t *ratios;
	uint32_t n;
	uint64_t refs, sampled, unique, threshold, bytes;
	uint32_t s_max, state;
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

static int parse_sizes(const char *s, struct curve *c)
{
	char *dup = strdup(s), *tok, *save;
	uint32_t room = 16;

	c->n = 0;
	c->sizes = malloc(room * sizeof(*c->sizes));
	if (!dup || !c->sizes) {
		free(dup);
		return p_errno(ENOMEM, "--sizes");
	}
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (c->n == HVMEM_MRC_QUERY_MAX) {
			free(dup);
			return p_err("--sizes: at most %u sizes", HVMEM_MRC_QUERY_MAX);
		}
		if (c->n == room) {
			uint64_t *ns = realloc(c->sizes, 2 * room * sizeof(*ns));

			if (!ns) {
				free(dup);
				return p_errno(ENOMEM, "--sizes");
			}
			c->sizes = ns;
			room *= 2;
		}
		if (parse_u64(tok, &c->sizes[c->n], "cache size")) {
			free(dup);
			return 1;
		}
		c->n++;
	}
	free(dup);
	if (!c->n)
		return p_err("--sizes: empty list");
	return 0;
}

/* MRC_DEFAULT_POINTS log-spaced sizes in [1, 1.1 * unique], deduplicated. */
static int default_sizes(struct curve *c, uint64_t unique)
{
	double max = 1.1 * (double)(unique ? unique : 1);
	uint32_t i;

	c->sizes = malloc(MRC_DEFAULT_POINTS * sizeof(*c->sizes));
	if (!c->sizes)
		return p_errno(ENOMEM, "sizes");
	c->n = 0;
	for (i = 1; i <= MRC_DEFAULT_POINTS; i++) {
		uint64_t s = (uint64_t)llround(pow(max, (double)i / MRC_DEFAULT_POINTS));

		if (!s)
			s = 1;
		if (!c->n || s > c->sizes[c->n - 1])
			c->sizes[c->n++] = s;
	}
	return 0;
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
		       struct curve *c, double *ns_per_ref, double *ns_unsampled)
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
	if (!c->sizes && default_sizes(c, mrc_unique_pages(&m))) {
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

static int query(int cfd, struct curve *c)
{
	struct hvmem_mrc_query q = { .size = sizeof(q) };

	if (c->n) {
		c->ratios = calloc(c->n, sizeof(*c->ratios));
		if (!c->ratios)
			return p_errno(ENOMEM, "ratios");
	}
	q.count = c->n;
	q.sizes = (uintptr_t)c->sizes;
	q.ratios = (uintptr_t)c->ratios;
	if (hvmem_ioctl(cfd, HVMEM_IOC_MRC_QUERY, &q, "MRC_QUERY"))
		return 1;
	c->refs = q.refs;
	c->sampled = q.sampled;
	c->unique = q.unique;
	c->threshold = q.threshold;
	c->bytes = q.bytes;
	c->s_max = q.s_max;
	c->state = q.state;
	return 0;
}

/* Query the sizes given, or first the unique count, then the default sizes. */
static int query_curve(int cfd, struct curve *c)
{
	if (!c->sizes) {
		if (query(cfd, c) || default_sizes(c, c->unique))
			return 1;
	}
	return query(cfd, c);
}

#define MRC_SYSFS HVMEM_SYSFS "/mrc"

/* HVMEM_IOC_MRC_OPEN of a VM's curve, errors in the user's terms. */
static int mrc_open_vm(int fd, struct hvmem_mrc_open *o)
{
	if (!ioctl(fd, HVMEM_IOC_MRC_OPEN, o))
		return 0;
	if (errno == ENODATA)
		return -!!p_errno(errno, "VM %u has no miss-rate curve (try: echo 1 > %s/vms/%u/enabled)",
				  o->vm_id, MRC_SYSFS, o->vm_id);
	return hvmem_vm_err(errno, HVMEM_IOC_MRC_OPEN, "opening VM's miss-rate curve", o->vm_id);
}

/*
 * The sources that feed VM @id's curve: the exclusive cache's stream and
 * HVMEM_IOC_MRC_FEED always, KVM write tracking when it is on for the VM
 * (its write_traps file reads then).
 */
static bool vm_write_tracked(uint32_t id)
{
	char path[128];
	uint64_t v;

	snprintf(path, sizeof(path), MRC_SYSFS "/vms/%u/write_traps", id);
	return !sysfs_read_u64(path, &v);
}

static void print_sources_json(uint32_t id)
{
	jw_name("sources");
	jw_start_object();
	jw_kv_bool("cache", true);
	jw_kv_bool("write_track", vm_write_tracked(id));
	jw_kv_bool("feed", true);
	jw_end_object();
}

static void print_nothing_recorded(uint32_t id)
{
	uint64_t wt = 0;

	sysfs_read_u64(MRC_SYSFS "/write_track", &wt);
	printf("VM %u: no references recorded yet, so there is no curve to show.\n", id);
	printf("Its sources:\n");
	printf("  exclusive cache   on: puts and gets of the VM's cache pools (hvmemctl cache pools)\n");
	if (vm_write_tracked(id))
		printf("  write tracking    on: guest writes to sampled pages\n");
	else if (!wt)
		printf("  write tracking    off (echo 1 > %s/write_track, then bind the VM by its KVM fd)\n",
		       MRC_SYSFS);
	else
		printf("  write tracking    off for this VM (it needs a VM bound by its KVM fd: hvmemctl vm bind kvm PID)\n");
	printf("  HVMEM_IOC_MRC_FEED on: page numbers from userspace tracers\n");
}

static int open_ctx(uint32_t flags, uint32_t vm_id, uint32_t s_max, uint64_t threshold,
		    uint32_t near)
{
	struct hvmem_mrc_open o = {
		.size = sizeof(o), .flags = flags, .vm_id = vm_id,
		.s_max = s_max, .threshold = threshold, .near = near,
	};
	int fd = hvmem_open();

	if (fd < 0)
		return -1;
	if (flags & HVMEM_MRC_OPEN_PRIVATE ?
	    hvmem_ioctl(fd, HVMEM_IOC_MRC_OPEN, &o, "opening a miss-rate curve") :
	    mrc_open_vm(fd, &o)) {
		close(fd);
		return -1;
	}
	close(fd);
	return o.fd;
}

static int replay_kernel(const struct trace *t, const struct mrc_params *p, struct curve *c)
{
	int cfd = open_ctx(HVMEM_MRC_OPEN_PRIVATE, 0, p->s_max, p->threshold, p->near);
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
	i = query_curve(cfd, c);
	close(cfd);
	return i;
}

/* Cost of a sampled reference: the run's time less the unsampled ones'. */
static double ns_sampled(const struct curve *c, double ns, double ns_u)
{
	if (!c->sampled)
		return 0;
	return (ns * c->refs - ns_u * (c->refs - c->sampled)) / c->sampled;
}

/* A curve; @vm_id: its VM (its sources are listed with -j), 0 for a replay. */
static void print_curve(const struct curve *c, const char *mode, double ns, double ns_u,
			uint32_t vm_id)
{
	uint32_t i;

	if (json_output) {
		jw_start_object();
		if (mode)
			jw_kv_string("mode", mode);
		jw_kv_uint("refs", c->refs);
		jw_kv_uint("sampled", c->sampled);
		jw_kv_uint("unique_pages", c->unique);
		jw_kv_double("rate", (double)c->threshold / HVMEM_MRC_RATE_ONE);
		jw_kv_uint("s_max", c->s_max);
		jw_kv_bool("exact", c->state & HVMEM_MRC_EXACT);
		jw_kv_uint("bytes", c->bytes);
		if (vm_id) {
			jw_kv_uint("vm_id", vm_id);
			jw_kv_bool("recorded", c->refs > 0);
			print_sources_json(vm_id);
		}
		if (ns > 0) {
			jw_kv_double("ns_per_ref", ns);
			if (ns_u > 0) {
				jw_kv_double("ns_per_unsampled_ref", ns_u);
				jw_kv_double("ns_per_sampled_ref", ns_sampled(c, ns, ns_u));
			}
		}
		jw_name("curve");
		jw_start_array();
		for (i = 0; i < c->n; i++) {
			jw_start_object();
			jw_kv_uint("cache_size_pages", c->sizes[i]);
			jw_kv_double("miss_ratio", (double)c->ratios[i] / HVMEM_MRC_RATIO_ONE);
			jw_end_object();
		}
		jw_end_array();
		jw_end_object();
		jw_end_document();
		return;
	}
	printf("cache_size_pages,miss_ratio\n");
	for (i = 0; i < c->n; i++)
		printf("%llu,%.6f\n", (unsigned long long)c->sizes[i],
		       (double)c->ratios[i] / HVMEM_MRC_RATIO_ONE);
	fprintf(stderr, "# refs=%llu sampled=%llu unique=%llu rate=%.6g s_max=%u exact=%d bytes=%llu",
		(unsigned long long)c->refs, (unsigned long long)c->sampled,
		(unsigned long long)c->unique, (double)c->threshold / HVMEM_MRC_RATE_ONE,
		c->s_max, !!(c->state & HVMEM_MRC_EXACT), (unsigned long long)c->bytes);
	if (ns > 0)
		fprintf(stderr, " ns_per_ref=%.2f", ns);
	if (ns_u > 0)
		fprintf(stderr, " ns_per_unsampled_ref=%.2f ns_per_sampled_ref=%.1f",
			ns_u, ns_sampled(c, ns, ns_u));
	fputc('\n', stderr);
}

static int do_replay(int argc, char **argv)
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
	struct curve c = { };
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
			if (parse_sizes(optarg, &c))
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
		print_curve(&c, kernel ? "kernel" : "user", ns, ns_u, 0);
	}
	free(t.pages);
	free(c.sizes);
	free(c.ratios);
	return ret;
}

static int do_show(int argc, char **argv)
{
	struct curve c = { };
	uint32_t id;
	int cfd, ret;

	if (argc == 4 && !strcmp(argv[2], "--sizes")) {
		if (parse_sizes(argv[3], &c))
			return 1;
	} else if (argc != 2) {
		return p_err("usage: mrc show VM [--sizes a,b,c]");
	}
	if (parse_u32(argv[1], &id, "VM id")) {
		free(c.sizes);
		return 1;
	}
	cfd = open_ctx(0, id, 0, 0, 0);
	if (cfd < 0) {
		free(c.sizes);
		return 1;
	}
	ret = query_curve(cfd, &c);
	close(cfd);
	if (!ret && !c.refs && !json_output)
		print_nothing_recorded(id);
	else if (!ret)
		print_curve(&c, NULL, 0, 0, id);
	free(c.sizes);
	free(c.ratios);
	return ret;
}

static const struct hvmemctl_cmd mrc_cmds[] = {
	{ "show", do_show, "VM [--sizes a,b,c]" },
	{ "replay", do_replay,
	  "--trace FILE [--rate R | --smax N] [--exact] [--near K] [--kernel] [--sizes a,b,c] [--timing] [--seed S]" },
	{ }
};

const struct hvmemctl_object hvmemctl_mrc_object = {
	.name = "mrc",
	.cmds = mrc_cmds,
	.help = "miss-rate curves: show a VM's, replay a page trace",
};
