// SPDX-License-Identifier: GPL-2.0
/*
 * hvmemctl cache: the exclusive hypervisor cache.
 *
 *   hvmemctl cache stats              global counters (sysfs + HVMEM_IOC_CACHE_STATS)
 *   hvmemctl cache pools              per bound VM: pools, pages, shares, cap, counters
 *   hvmemctl cache set VM SHARES [CAP]  a VM's eviction shares and page cap (0: none)
 *   hvmemctl cache reserve PAGES      resize the reserve (sysfs reserve_pages)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hvmemctl.h"

#define CACHE_SYSFS HVMEM_SYSFS "/cache"

static int do_stats(int argc, char **argv)
{
	struct hvmem_cache_stats s = { .size = sizeof(s) };
	uint64_t cross = 0;
	int fd;

	if (argc > 1)
		return p_err("cache stats takes no arguments");
	fd = hvmem_open();
	if (fd < 0)
		return 1;
	if (hvmem_ioctl(fd, HVMEM_IOC_CACHE_STATS, &s, "cache stats")) {
		close(fd);
		return 1;
	}
	close(fd);
	sysfs_read_u64(CACHE_SYSFS "/dedup_cross_vm", &cross);
	if (json_output) {
		jw_start_object();
		jw_kv_uint("page_size", s.page_size);
		jw_kv_uint("reserve_pages", s.reserve_pages);
		jw_kv_uint("used_pages", s.used_pages);
		jw_kv_uint("entries", s.entries);
		jw_kv_uint("zero_pages", s.zero_pages);
		jw_kv_uint("dedup_saved_pages", s.dedup_saved_pages);
		jw_kv_bool("dedup_cross_vm", cross);
		jw_kv_uint("puts", s.puts);
		jw_kv_uint("gets", s.gets);
		jw_kv_uint("hits", s.hits);
		jw_kv_uint("misses", s.misses);
		jw_kv_uint("evictions", s.evictions);
		jw_kv_uint("flushes", s.flushes);
		jw_end_object();
		jw_end_document();
		return 0;
	}
	printf("reserve     %llu pages of %u bytes, %llu used\n",
	       (unsigned long long)s.reserve_pages, s.page_size,
	       (unsigned long long)s.used_pages);
	printf("stored      %llu pages (%llu zero, %llu deduplicated; cross-VM dedup %s)\n",
	       (unsigned long long)s.entries, (unsigned long long)s.zero_pages,
	       (unsigned long long)s.dedup_saved_pages, cross ? "on" : "off");
	printf("puts        %llu\ngets        %llu (%llu hits, %llu misses)\n",
	       (unsigned long long)s.puts, (unsigned long long)s.gets,
	       (unsigned long long)s.hits, (unsigned long long)s.misses);
	printf("evictions   %llu\nflushes     %llu\n", (unsigned long long)s.evictions,
	       (unsigned long long)s.flushes);
	return 0;
}

static int do_pools(int argc, char **argv)
{
	struct hvmem_vm_info *e;
	struct hvmem_vm_list l;
	uint32_t i;
	int fd;

	if (argc > 1)
		return p_err("cache pools takes no arguments");
	fd = hvmem_open();
	if (fd < 0)
		return 1;
	if (hvmem_vm_list(fd, &l)) {
		close(fd);
		return 1;
	}
	e = (struct hvmem_vm_info *)(uintptr_t)l.entries;
	if (json_output)
		jw_start_array();
	else
		printf("%-6s %-6s %-10s %-8s %-10s %-10s %-10s %-10s %-10s\n", "VM", "POOLS",
		       "PAGES", "SHARES", "CAP", "PUTS", "HITS", "MISSES", "EVICTIONS");
	for (i = 0; i < l.count; i++) {
		struct hvmem_cache_vm v = { .size = sizeof(v), .vm_id = e[i].id };

		/* ENOENT: the VM never used the cache, or was unbound meanwhile. */
		if (ioctl(fd, HVMEM_IOC_CACHE_VM_STATS, &v)) {
			if (errno == ENOENT)
				continue;
			free(e);
			close(fd);
			return p_errno(errno, "CACHE_VM_STATS");
		}
		if (json_output) {
			jw_start_object();
			jw_kv_uint("vm", v.vm_id);
			jw_kv_uint("pools", v.pools);
			jw_kv_uint("pages", v.pages);
			jw_kv_uint("shares", v.shares);
			jw_kv_uint("cap", v.cap);
			jw_kv_uint("puts", v.puts);
			jw_kv_uint("gets", v.gets);
			jw_kv_uint("hits", v.hits);
			jw_kv_uint("misses", v.misses);
			jw_kv_uint("evictions", v.evictions);
			jw_kv_uint("flushes", v.flushes);
			jw_kv_uint("dedup_hits", v.dedup_hits);
			jw_kv_uint("zero_puts", v.zero_puts);
			jw_end_object();
		} else {
			printf("%-6u %-6u %-10llu %-8u %-10llu %-10llu %-10llu %-10llu %-10llu\n",
			       v.vm_id, v.pools, (unsigned long long)v.pages, v.shares,
			       (unsigned long long)v.cap, (unsigned long long)v.puts,
			       (unsigned long long)v.hits, (unsigned long long)v.misses,
			       (unsigned long long)v.evictions);
		}
	}
	if (json_output) {
		jw_end_array();
		jw_end_document();
	}
	free(e);
	close(fd);
	return 0;
}

static int do_set(int argc, char **argv)
{
	struct hvmem_cache_vm v = { .size = sizeof(v) };
	uint64_t cap = 0;
	int fd, ret;

	if (argc < 3 || argc > 4)
		return p_err("usage: cache set VM SHARES [CAP]");
	if (parse_u32(argv[1], &v.vm_id, "VM id") || parse_u32(argv[2], &v.shares, "shares") ||
	    (argc == 4 && parse_u64(argv[3], &cap, "cap")))
		return 1;
	v.cap = cap;
	fd = hvmem_open();
	if (fd < 0)
		return 1;
	ret = hvmem_vm_ioctl(fd, HVMEM_IOC_CACHE_VM_SET, &v, "cache set", v.vm_id) ? 1 : 0;
	close(fd);
	return ret;
}

static int do_reserve(int argc, char **argv)
{
	uint64_t pages;
	FILE *f;

	if (argc != 2)
		return p_err("usage: cache reserve PAGES");
	if (parse_u64(argv[1], &pages, "pages"))
		return 1;
	f = fopen(CACHE_SYSFS "/reserve_pages", "w");
	if (!f)
		return p_errno(errno, CACHE_SYSFS "/reserve_pages");
	fprintf(f, "%llu\n", (unsigned long long)pages);
	if (fclose(f))
		return p_errno(errno, "reserve %llu pages", (unsigned long long)pages);
	return 0;
}

static const struct hvmemctl_cmd cache_cmds[] = {
	{ "stats", do_stats, "" },
	{ "pools", do_pools, "" },
	{ "set", do_set, "VM SHARES [CAP]" },
	{ "reserve", do_reserve, "PAGES" },
	{ NULL },
};

const struct hvmemctl_object hvmemctl_cache_object = {
	"cache", cache_cmds, "exclusive hypervisor cache: counters, per-VM use, shares, reserve",
};
