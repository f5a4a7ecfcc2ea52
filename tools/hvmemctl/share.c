// SPDX-License-Identifier: GPL-2.0
/*
 * hvmemctl share: hvmem_share.ko, sharing inside large pages.
 *
 *   hvmemctl share scan VM|all     scan (progress on a terminal)
 *   hvmemctl [-j] share stats [VM] estimates of one VM, or of all
 *   hvmemctl [-j] share regions VM [--top N]
 *   hvmemctl share set VM cross on|off
 *   hvmemctl share apply|daemon ...  the split policy (share_policy.c)
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "hvmemctl.h"

struct scan_job {
	int fd;
	struct hvmem_share_scan a;
	int ret, err;
	volatile bool done;
};

static void *scan_thread(void *p)
{
	struct scan_job *j = p;

	j->ret = ioctl(j->fd, HVMEM_IOC_SHARE_SCAN, &j->a);
	j->err = errno;
	j->done = true;
	return NULL;
}

/* Scan progress from SHARE_STATS, on stderr, while the scan runs. */
static void show_progress(struct scan_job *j)
{
	struct timespec ts = { 0, 200 * 1000 * 1000 };
	bool shown = false;

	while (!j->done) {
		struct hvmem_share_stats s = { .size = sizeof(s) };

		nanosleep(&ts, NULL);
		if (j->done || ioctl(j->fd, HVMEM_IOC_SHARE_STATS, &s) || !s.progress_total)
			continue;
		fprintf(stderr, "\rscanning: %llu / %llu pages of address space (%llu%%)   ",
			(unsigned long long)s.progress, (unsigned long long)s.progress_total,
			(unsigned long long)(s.progress * 100 / s.progress_total));
		shown = true;
	}
	if (shown)
		fputc('\n', stderr);
}

static int do_scan(int argc, char **argv)
{
	struct scan_job j = { .a = { .size = sizeof(j.a) } };
	pthread_t t;

	if (argc != 2)
		return p_err("usage: share scan VM|all");
	if (!strcmp(argv[1], "all"))
		j.a.flags = HVMEM_SHARE_SCAN_ALL;
	else if (parse_u32(argv[1], &j.a.vm_id, "VM id"))
		return 1;
	j.fd = hvmem_open();
	if (j.fd < 0)
		return 1;
	if (!json_output && isatty(STDERR_FILENO) &&
	    !pthread_create(&t, NULL, scan_thread, &j)) {
		show_progress(&j);
		pthread_join(t, NULL);
	} else {
		scan_thread(&j);
	}
	close(j.fd);
	if (j.ret && j.err == ENOENT && j.a.vm_id)
		return p_errno(j.err, "no VM %u is bound (see: hvmemctl vm list)", j.a.vm_id);
	if (j.ret && j.err == ENOTTY && !module_loaded("hvmem_share"))
		return p_errno(j.err, "share scan: hvmem_share.ko is not loaded (try: modprobe hvmem_share)");
	if (j.ret)
		return p_errno(j.err, "share scan");
	if (json_output) {
		jw_start_object();
		jw_kv_uint("pages", j.a.pages);
		jw_kv_uint("elapsed_ns", j.a.elapsed_ns);
		jw_end_object();
		jw_end_document();
	} else {
		printf("scanned %llu pages in %.3f s\n", (unsigned long long)j.a.pages,
		       j.a.elapsed_ns / 1e9);
	}
	return 0;
}

static double mib(uint64_t pages)
{
	return pages * (double)sysconf(_SC_PAGESIZE) / (1 << 20);
}

static int do_stats(int argc, char **argv)
{
	struct hvmem_share_stats s = { .size = sizeof(s) };
	int fd, ret;

	if (argc > 2)
		return p_err("usage: share stats [VM]");
	if (argc == 2 && parse_u32(argv[1], &s.vm_id, "VM id"))
		return 1;
	fd = hvmem_open();
	if (fd < 0)
		return 1;
	ret = s.vm_id ? hvmem_vm_ioctl(fd, HVMEM_IOC_SHARE_STATS, &s, "share stats", s.vm_id) :
			hvmem_ioctl(fd, HVMEM_IOC_SHARE_STATS, &s, "share stats");
	close(fd);
	if (ret)
		return 1;
	if (json_output) {
		jw_start_object();
		jw_kv_uint("vm_id", s.vm_id);
		if (s.vm_id)
			jw_kv_bool("cross_vm", s.cross_vm);
		jw_kv_string("cross_vm_scope", "estimate");
		jw_kv_string("merging_scope", "host");
		jw_kv_uint("pages", s.pages);
		jw_kv_uint("dup_pages", s.dup_pages);
		jw_kv_uint("zero_pages", s.zero_pages);
		jw_kv_uint("regions", s.regions);
		jw_kv_uint("thp_regions", s.thp_regions);
		jw_kv_uint("policy_regions", s.policy_regions);
		jw_kv_uint("reclaim_small", s.reclaim_small);
		jw_kv_uint("reclaim_split", s.reclaim_split);
		jw_kv_uint("reclaim_policy", s.reclaim_policy);
		jw_kv_uint("scans", s.scans);
		jw_end_object();
		jw_end_document();
		return 0;
	}
	if (s.vm_id)
		printf("VM %u (estimate counts pages shared with other VMs: %s)\n", s.vm_id,
		       s.cross_vm ? "yes, cross on" : "no, cross off");
	else
		printf("all VMs\n");
	printf("scanned       %llu pages (%.1f MiB), %llu scans\n", (unsigned long long)s.pages,
	       mib(s.pages), (unsigned long long)s.scans);
	printf("sharable      %llu duplicate + %llu zero pages\n",
	       (unsigned long long)s.dup_pages, (unsigned long long)s.zero_pages);
	printf("regions       %llu of 2 MiB, %llu huge, %llu worth splitting\n",
	       (unsigned long long)s.regions, (unsigned long long)s.thp_regions,
	       (unsigned long long)s.policy_regions);
	printf("reclaimable   %.1f MiB without splitting\n", mib(s.reclaim_small));
	printf("              +%.1f MiB splitting every huge page\n", mib(s.reclaim_split));
	printf("              +%.1f MiB splitting only those worth it\n", mib(s.reclaim_policy));
	printf("note: \"cross\" only scopes this estimate. KSM merges identical pages of every\n"
	       "      mergeable area on the host, across VMs, unless the VMs' pages are advised\n"
	       "      separately (only one VM mergeable: QEMU -machine mem-merge=off for the others).\n");
	return 0;
}

static int do_regions(int argc, char **argv)
{
	struct hvmem_share_regions a = { .size = sizeof(a), .count = 20,
					  .entry_size = sizeof(struct hvmem_share_region) };
	struct hvmem_share_region *r;
	int fd, ret;
	uint32_t i;

	if (argc != 2 && !(argc == 4 && !strcmp(argv[2], "--top")))
		return p_err("usage: share regions VM [--top N]");
	if (parse_u32(argv[1], &a.vm_id, "VM id") ||
	    (argc == 4 && parse_u32(argv[3], &a.count, "N")))
		return 1;
	if (a.count > HVMEM_SHARE_REGIONS_MAX)
		return p_err("--top: at most %u regions", HVMEM_SHARE_REGIONS_MAX);
	r = calloc(a.count ? a.count : 1, sizeof(*r));
	if (!r)
		return p_errno(ENOMEM, "regions");
	a.regions = (uintptr_t)r;
	fd = hvmem_open();
	if (fd < 0) {
		free(r);
		return 1;
	}
	ret = ioctl(fd, HVMEM_IOC_SHARE_REGIONS, &a);
	if (ret && errno == ENODATA)
		p_errno(errno, "VM %u was never scanned (try: hvmemctl share scan %u)", a.vm_id,
			a.vm_id);
	else if (ret)
		hvmem_vm_err(errno, HVMEM_IOC_SHARE_REGIONS, "share regions", a.vm_id);
	close(fd);
	if (ret) {
		free(r);
		return 1;
	}
	if (json_output) {
		jw_start_object();
		jw_kv_uint("vm_id", a.vm_id);
		jw_kv_uint("total", a.total);
		jw_name("regions");
		jw_start_array();
	} else {
		printf("%-18s %7s %5s %5s  %s\n", "START", "PRESENT", "DUP", "ZERO", "FLAGS");
	}
	for (i = 0; i < a.count; i++) {
		bool thp = r[i].flags & HVMEM_SHARE_REGION_THP;
		bool pol = r[i].flags & HVMEM_SHARE_REGION_POLICY;

		if (json_output) {
			jw_start_object();
			jw_kv_uint("start", r[i].start);
			jw_kv_uint("present", r[i].present);
			jw_kv_uint("dup", r[i].dup);
			jw_kv_uint("zero", r[i].zero);
			jw_kv_bool("thp", thp);
			jw_kv_bool("split", pol);
			jw_end_object();
		} else {
			printf("0x%016llx %7u %5u %5u  %s%s\n", (unsigned long long)r[i].start,
			       r[i].present, r[i].dup, r[i].zero, thp ? "thp" : "-",
			       pol ? ",split" : "");
		}
	}
	if (json_output) {
		jw_end_array();
		jw_end_object();
		jw_end_document();
	} else {
		printf("(%u of %u regions)\n", a.count, a.total);
	}
	free(r);
	return 0;
}

static int do_set(int argc, char **argv)
{
	struct hvmem_share_vm a = { .size = sizeof(a) };
	int fd, ret;

	if (argc != 4 || strcmp(argv[2], "cross") ||
	    (strcmp(argv[3], "on") && strcmp(argv[3], "off")))
		return p_err("usage: share set VM cross on|off");
	if (parse_u32(argv[1], &a.vm_id, "VM id"))
		return 1;
	if (!strcmp(argv[3], "on"))
		a.flags = HVMEM_SHARE_VM_CROSS;
	fd = hvmem_open();
	if (fd < 0)
		return 1;
	ret = hvmem_vm_ioctl(fd, HVMEM_IOC_SHARE_VM_SET, &a, "share set", a.vm_id);
	close(fd);
	if (!ret && !json_output && a.flags)
		printf("VM %u: its pages now count as sharable with other cross VMs in the estimate;\n"
		       "KSM itself merges across every mergeable VM whatever this says\n", a.vm_id);
	return ret ? 1 : 0;
}

static const struct hvmemctl_cmd share_cmds[] = {
	{ "scan", do_scan, "VM|all" },
	{ "stats", do_stats, "[VM]" },
	{ "regions", do_regions, "VM [--top N]" },
	{ "set", do_set, "VM cross on|off" },
	{ "apply", share_do_apply, "VM [--force] [--undo]" },
	{ "daemon", share_do_daemon, "VM [--interval MS] [--rounds N]" },
	{ NULL },
};

const struct hvmemctl_object hvmemctl_share_object = {
	.name = "share",
	.cmds = share_cmds,
	.help = "sharing inside large pages: scan, estimates, regions",
};
