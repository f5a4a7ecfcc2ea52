// SPDX-License-Identifier: GPL-2.0
/*
 * hvmemctl swap: dm-swapres thin swap reservations.
 *
 *   hvmemctl [-j] swap status [RESV]
 *
 * Prints every reservation (or RESV) with its block counters and its thin
 * VMs, from /sys/kernel/mm/hvmem/swapres (see swapres/ABI/).
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hvmemctl.h"

#define SWAPRES_SYSFS HVMEM_SYSFS "/swapres"

static const char *const resv_fields[] = {
	"block_sectors", "nr_blocks", "allocated", "free", "committed",
	"overcommit", "enospc", "deferred",
};

static const char *const vm_fields[] = {
	"allocated", "max_blocks", "nr_vblocks", "enospc",
};

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int no_dots(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* buf = a "/" b; prints an error and returns -1 if it does not fit */
static int path_join(char *buf, size_t len, const char *a, const char *b)
{
	int n = snprintf(buf, len, "%s/%s", a, b);

	if (n < 0 || (size_t)n >= len)
		return p_err("%s/%s: path too long", a, b);
	return 0;
}

static int read_fields(const char *dir, const char *const *names, size_t n,
		       uint64_t *vals)
{
	char path[PATH_MAX];
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		if (path_join(path, sizeof(path), dir, names[i]))
			return 1;
		ret = sysfs_read_u64(path, &vals[i]);
		if (ret)
			return p_errno(-ret, "%s", path);
	}
	return 0;
}

static int show_vms(const char *rdir)
{
	uint64_t v[sizeof(vm_fields) / sizeof(vm_fields[0])];
	char dir[PATH_MAX], vdir[PATH_MAX], path[PATH_MAX], pool[64];
	struct dirent **ents;
	int n, i, ret = 0;
	size_t k;

	if (path_join(dir, sizeof(dir), rdir, "vms"))
		return 1;
	n = scandir(dir, &ents, no_dots, name_cmp);
	if (n < 0)
		return p_errno(errno, "%s", dir);
	if (json_output) {
		jw_name("vms");
		jw_start_array();
	} else {
		printf("  %-20s %12s %12s %12s %8s %s\n", "vm", "allocated", "max_blocks",
		       "nr_vblocks", "enospc", "pool");
	}
	for (i = 0; i < n; i++) {
		if (!ret && path_join(vdir, sizeof(vdir), dir, ents[i]->d_name))
			ret = 1;
		if (!ret)
			ret = read_fields(vdir, vm_fields, sizeof(v) / sizeof(v[0]), v);
		if (!ret && path_join(path, sizeof(path), vdir, "pool"))
			ret = 1;
		if (!ret && sysfs_read(path, pool, sizeof(pool)))
			snprintf(pool, sizeof(pool), "?");
		if (!ret && json_output) {
			jw_start_object();
			jw_kv_string("name", ents[i]->d_name);
			for (k = 0; k < sizeof(v) / sizeof(v[0]); k++)
				jw_kv_uint(vm_fields[k], v[k]);
			jw_kv_string("pool", pool);
			jw_end_object();
		} else if (!ret) {
			printf("  %-20s %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %8" PRIu64 " %s\n",
			       ents[i]->d_name, v[0], v[1], v[2], v[3], pool);
		}
		free(ents[i]);
	}
	free(ents);
	if (json_output)
		jw_end_array();
	return ret;
}

static int show_resv(const char *name)
{
	uint64_t v[sizeof(resv_fields) / sizeof(resv_fields[0])];
	char dir[PATH_MAX];
	size_t k;
	int ret;

	if (path_join(dir, sizeof(dir), SWAPRES_SYSFS, name))
		return 1;
	ret = read_fields(dir, resv_fields, sizeof(v) / sizeof(v[0]), v);
	if (ret)
		return ret;
	if (json_output) {
		jw_start_object();
		jw_kv_string("name", name);
		for (k = 0; k < sizeof(v) / sizeof(v[0]); k++)
			jw_kv_uint(resv_fields[k], v[k]);
	} else {
		printf("%s: %" PRIu64 " blocks of %" PRIu64 " KiB, allocated %" PRIu64
		       ", free %" PRIu64 ", committed %" PRIu64 "%s, enospc %" PRIu64 "\n",
		       name, v[1], v[0] / 2, v[2], v[3], v[4],
		       v[5] ? " (overcommit)" : "", v[6]);
		if (v[7])
			printf("  %" PRIu64 " blocks deferred until their I/O ends\n", v[7]);
	}
	ret = show_vms(dir);
	if (json_output)
		jw_end_object();
	return ret;
}

static int do_status(int argc, char **argv)
{
	struct dirent **ents;
	int i, n, ret = 0;
	const char *only = NULL;

	for (i = 1; i < argc; i++) {
		if (!only)
			only = argv[i];
		else
			return p_err("swap status: too many arguments");
	}
	n = scandir(SWAPRES_SYSFS, &ents, no_dots, name_cmp);
	if (n < 0 && errno == ENOENT && !module_loaded("dm_swapres"))
		return p_errno(ENOENT, "%s: dm-swapres.ko is not loaded (try: modprobe dm-swapres)",
			       SWAPRES_SYSFS);
	if (n < 0)
		return p_errno(errno, "%s", SWAPRES_SYSFS);
	if (only) {
		char dir[PATH_MAX];

		if (strchr(only, '/') || path_join(dir, sizeof(dir), SWAPRES_SYSFS, only) ||
		    access(dir, F_OK)) {
			for (i = 0; i < n; i++)
				free(ents[i]);
			free(ents);
			return p_errno(ENOENT, "no reservation '%s' (see: hvmemctl swap status)", only);
		}
	}
	if (json_output) {
		jw_start_object();
		jw_name("reservations");
		jw_start_array();
	}
	for (i = 0; i < n; i++) {
		if (!ret && (!only || !strcmp(only, ents[i]->d_name)))
			ret = show_resv(ents[i]->d_name);
		free(ents[i]);
	}
	free(ents);
	if (json_output) {
		jw_end_array();
		jw_end_object();
		jw_end_document();
	}
	return ret;
}

static const struct hvmemctl_cmd swap_cmds[] = {
	{ "status", do_status, "[RESV]" },
	{ NULL },
};

const struct hvmemctl_object hvmemctl_swap_object = {
	.name = "swap",
	.cmds = swap_cmds,
	.help = "dm-swapres thin swap reservations and their VMs",
};
