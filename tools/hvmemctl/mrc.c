// SPDX-License-Identifier: GPL-2.0
/*
 * hvmemctl mrc: miss-rate curves.
 *
 *   hvmemctl [-j] mrc show VM [--sizes a,b,c]
 *   hvmemctl [-j] mrc replay ...	(mrc_replay.c)
 *
 * show prints the curve of a bound VM kept by hvmem_mrc.ko. This file also
 * holds what both commands use (mrc_curve.h): the cache sizes a curve is
 * read at, reading a curve from a context of the module, and printing it,
 * as CSV "cache_size_pages,miss_ratio" or with -j as JSON.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hvmemctl.h"
#include "mrc_curve.h"

#define MRC_DEFAULT_POINTS	64

int mrc_parse_sizes(const char *s, struct mrc_curve *c)
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
int mrc_default_sizes(struct mrc_curve *c, uint64_t unique)
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

static int query(int cfd, struct mrc_curve *c)
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
int mrc_query_curve(int cfd, struct mrc_curve *c)
{
	if (!c->sizes) {
		if (query(cfd, c) || mrc_default_sizes(c, c->unique))
			return 1;
	}
	return query(cfd, c);
}

/*
 * mrc show: the sizes given; else the default sizes over the curve's reach
 * (mrc_query_curve()'s sizes stay those of a replay, which must match the
 * userspace core's).
 * Distances reach at most the distinct pages of the stream: @unique when
 * every access counts, but a curve fed by the exclusive cache counts only
 * gets (its puts set recency), which meet a page for the first time almost
 * never (unique was 4 for a guest's 17696 gets over 18000 pages). So: the
 * counts first, then log-spaced sizes up to the larger of unique and refs,
 * then, if the curve reaches its floor (within 0.1%) before the last of
 * them, the sizes again up to 1.1 x the first size at that floor (or at
 * unique, if larger: as before for streams whose every access counts).
 */
static int mrc_query_reach(int cfd, struct mrc_curve *c)
{
	uint64_t reach;
	uint32_t i;

	if (c->sizes)
		return query(cfd, c);
	if (query(cfd, c) || mrc_default_sizes(c, c->unique > c->refs ? c->unique : c->refs) ||
	    query(cfd, c))
		return 1;
	for (i = 0; i + 1 < c->n &&
	     c->ratios[i] > c->ratios[c->n - 1] + HVMEM_MRC_RATIO_ONE / 1000; i++)
		;
	if (i + 1 >= c->n)
		return 0;
	reach = c->sizes[i] > c->unique ? c->sizes[i] : c->unique;
	free(c->sizes);
	free(c->ratios);
	c->sizes = NULL;
	c->ratios = NULL;
	return mrc_default_sizes(c, reach) || query(cfd, c);
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
		printf("  write tracking    off (it stops 64-bit guests: KVM cannot emulate their FXSAVE/XSAVE; hvmem(4))\n");
	else
		printf("  write tracking    off for this VM (it needs a VM bound by its KVM fd: hvmemctl vm bind kvm PID)\n");
	printf("  HVMEM_IOC_MRC_FEED on: page numbers from userspace tracers\n");
}

int mrc_open_ctx(uint32_t flags, uint32_t vm_id, uint32_t s_max, uint64_t threshold,
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

/* Cost of a sampled reference: the run's time less the unsampled ones'. */
static double ns_sampled(const struct mrc_curve *c, double ns, double ns_u)
{
	if (!c->sampled)
		return 0;
	return (ns * c->refs - ns_u * (c->refs - c->sampled)) / c->sampled;
}

/* A curve; @vm_id: its VM (its sources are listed with -j), 0 for a replay. */
void mrc_print_curve(const struct mrc_curve *c, const char *mode, double ns, double ns_u,
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

static int do_show(int argc, char **argv)
{
	struct mrc_curve c = { };
	uint32_t id;
	int cfd, ret;

	if (argc == 4 && !strcmp(argv[2], "--sizes")) {
		if (mrc_parse_sizes(argv[3], &c))
			return 1;
	} else if (argc != 2) {
		return p_err("usage: mrc show VM [--sizes a,b,c]");
	}
	if (parse_u32(argv[1], &id, "VM id")) {
		free(c.sizes);
		return 1;
	}
	cfd = mrc_open_ctx(0, id, 0, 0, 0);
	if (cfd < 0) {
		free(c.sizes);
		return 1;
	}
	ret = mrc_query_reach(cfd, &c);
	close(cfd);
	if (!ret && !c.refs && !json_output)
		print_nothing_recorded(id);
	else if (!ret)
		mrc_print_curve(&c, NULL, 0, 0, id);
	free(c.sizes);
	free(c.ratios);
	return ret;
}

static const struct hvmemctl_cmd mrc_cmds[] = {
	{ "show", do_show, "VM [--sizes a,b,c]" },
	{ "replay", mrc_do_replay,
	  "--trace FILE [--rate R | --smax N] [--exact] [--near K] [--kernel] [--sizes a,b,c] [--timing] [--seed S]" },
	{ }
};

const struct hvmemctl_object hvmemctl_mrc_object = {
	.name = "mrc",
	.cmds = mrc_cmds,
	.help = "miss-rate curves: show a VM's, replay a page trace",
};
