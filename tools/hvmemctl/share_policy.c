// SPDX-License-Identifier: GPL-2.0
/*
 * hvmemctl share apply / daemon: the split policy's actuator.
 *
 *   hvmemctl share apply VM [--force] [--undo]
 *   hvmemctl share daemon VM [--interval MS] [--rounds N]
 *
 * apply: hands the huge-page regions the policy would split (the last
 * scan's HVMEM_SHARE_REGION_POLICY regions, adjacent ones joined) to KSM
 * with madvise(MADV_MERGEABLE) run inside the VM process (inject.c); KSM
 * then merges their subpages (splitting those huge pages) and leaves every
 * other region alone. Only under memory pressure (sysfs "pressure"),
 * unless --force; with sysfs dry_run set it prints the ranges only.
 * --undo: madvise(MADV_UNMERGEABLE) over every scanned region.
 *
 * daemon: scan, then apply under pressure, undo once pressure is gone
 * (if sysfs auto_undo), every MS milliseconds (default 10000), N rounds
 * (default: until killed).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "hvmemctl.h"

#define SHARE_SYSFS HVMEM_SYSFS "/share"
#define REGION_SIZE (2ULL << 20)

/* The VM's process, from the VM list. */
static int vm_pid(int fd, uint32_t vm_id, pid_t *pid)
{
	struct hvmem_vm_list l;
	struct hvmem_vm_info *e;
	uint32_t i;

	if (hvmem_vm_list(fd, &l))
		return -1;
	e = (struct hvmem_vm_info *)(uintptr_t)l.entries;
	for (i = 0; i < l.count; i++)
		if (e[i].id == vm_id)
			*pid = e[i].pid;
	free(e);
	if (!*pid)
		return p_err("VM %u: not bound, or its process is not visible here", vm_id);
	return 0;
}

/* The VM's regions (all, or those the policy would split) as joined ranges. */
static int policy_ranges(int fd, uint32_t vm_id, bool all, uint64_t **starts,
			 uint64_t **lens, int *n)
{
	struct hvmem_share_regions q = { .size = sizeof(q), .vm_id = vm_id,
					  .entry_size = sizeof(struct hvmem_share_region) };
	struct hvmem_share_region *r;
	uint32_t i;
	int k = 0;

	if (hvmem_ioctl(fd, HVMEM_IOC_SHARE_REGIONS, &q, "SHARE_REGIONS"))
		return -1;
	q.count = q.total < HVMEM_SHARE_REGIONS_MAX ? q.total : HVMEM_SHARE_REGIONS_MAX;
	r = calloc(q.count + 1, sizeof(*r));
	*starts = calloc(q.count + 1, sizeof(**starts));
	*lens = calloc(q.count + 1, sizeof(**lens));
	if (!r || !*starts || !*lens) {
		free(r);
		return p_errno(ENOMEM, "regions");
	}
	q.regions = (uintptr_t)r;
	q.total = 0;
	if (hvmem_ioctl(fd, HVMEM_IOC_SHARE_REGIONS, &q, "SHARE_REGIONS")) {
		free(r);
		return -1;
	}
	/* by address, to join neighbours */
	for (i = 1; i < q.count; i++) {
		struct hvmem_share_region t = r[i];
		uint32_t j = i;

		for (; j && r[j - 1].start > t.start; j--)
			r[j] = r[j - 1];
		r[j] = t;
	}
	for (i = 0; i < q.count; i++) {
		if (!all && !(r[i].flags & HVMEM_SHARE_REGION_POLICY))
			continue;
		if (k && (*starts)[k - 1] + (*lens)[k - 1] == r[i].start) {
			(*lens)[k - 1] += REGION_SIZE;
			continue;
		}
		(*starts)[k] = r[i].start;
		(*lens)[k++] = REGION_SIZE;
	}
	free(r);
	*n = k;
	return 0;
}

static bool sysfs_flag(const char *name)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), SHARE_SYSFS "/%s", name);
	return !sysfs_read(path, buf, sizeof(buf)) && atoi(buf) > 0;
}

/* apply (or undo) once; *acted: the advice was given. */
static int apply_once(int fd, uint32_t vm_id, bool undo, bool force, bool *acted)
{
	uint64_t *starts = NULL, *lens = NULL;
	bool dry = sysfs_flag("dry_run");
	int n = 0, i, ret = 0;
	long *res = NULL;
	pid_t pid = 0;

	*acted = false;
	if (!undo && !force && !sysfs_flag("pressure")) {
		if (!json_output)
			printf("VM %u: no memory pressure: nothing handed to KSM\n", vm_id);
		return 0;
	}
	if (vm_pid(fd, vm_id, &pid) || policy_ranges(fd, vm_id, undo, &starts, &lens, &n))
		goto out_err;
	res = calloc(n + 1, sizeof(*res));
	if (!res) {
		p_errno(ENOMEM, "apply");
		goto out_err;
	}
	if (!dry && n && inject_madvise(pid, starts, lens, n,
					undo ? MADV_UNMERGEABLE : MADV_MERGEABLE, res))
		goto out_err;
	*acted = !dry;
	for (i = 0; i < n; i++) {
		/*
		 * Undo covers every scanned region, and a region of a small VMA
		 * is partly unmapped: madvise() then still advises what is
		 * mapped and reports -ENOMEM for the holes.
		 */
		if (undo && res[i] == -ENOMEM)
			res[i] = 0;
		if (!json_output)
			printf("%s 0x%llx-0x%llx (%llu MiB)%s%s\n",
			       undo ? "unmergeable" : "mergeable", (unsigned long long)starts[i],
			       (unsigned long long)(starts[i] + lens[i]),
			       (unsigned long long)(lens[i] >> 20), dry ? " [dry run]" : "",
			       res[i] ? ": failed" : "");
		if (res[i])
			ret = p_errno((int)-res[i], "madvise in pid %d", pid);
	}
	if (json_output) {
		jw_start_object();
		jw_kv_uint("vm_id", vm_id);
		jw_kv_int("pid", pid);
		jw_kv_bool("dry_run", dry);
		jw_kv_string("advice", undo ? "unmergeable" : "mergeable");
		jw_name("ranges");
		jw_start_array();
		for (i = 0; i < n; i++) {
			jw_start_object();
			jw_kv_uint("start", starts[i]);
			jw_kv_uint("length", lens[i]);
			jw_kv_int("result", res[i]);
			jw_end_object();
		}
		jw_end_array();
		jw_end_object();
		jw_end_document();
	}
	free(starts);
	free(lens);
	free(res);
	return ret;
out_err:
	free(starts);
	free(lens);
	free(res);
	return 1;
}

int share_do_apply(int argc, char **argv)
{
	bool force = false, undo = false, acted;
	uint32_t vm_id;
	int i, fd, ret;

	if (argc < 2)
		return p_err("usage: share apply VM [--force] [--undo]");
	if (parse_u32(argv[1], &vm_id, "VM id"))
		return 1;
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--force"))
			force = true;
		else if (!strcmp(argv[i], "--undo"))
			undo = true;
		else
			return p_err("share apply: unknown option %s", argv[i]);
	}
	fd = hvmem_open();
	if (fd < 0)
		return 1;
	ret = apply_once(fd, vm_id, undo, force, &acted);
	close(fd);
	return ret;
}

int share_do_daemon(int argc, char **argv)
{
	struct hvmem_share_scan sc = { .size = sizeof(sc) };
	uint32_t vm_id, interval = 10000, rounds = 0, r;
	bool applied = false, acted;
	int i, fd, ret = 0;

	if (argc < 2)
		return p_err("usage: share daemon VM [--interval MS] [--rounds N]");
	if (parse_u32(argv[1], &vm_id, "VM id"))
		return 1;
	for (i = 2; i < argc; i++) {
		if (i + 1 < argc && !strcmp(argv[i], "--interval")) {
			if (parse_u32(argv[++i], &interval, "interval"))
				return 1;
		} else if (i + 1 < argc && !strcmp(argv[i], "--rounds")) {
			if (parse_u32(argv[++i], &rounds, "rounds"))
				return 1;
		} else {
			return p_err("share daemon: bad option %s", argv[i]);
		}
	}
	fd = hvmem_open();
	if (fd < 0)
		return 1;
	sc.vm_id = vm_id;
	for (r = 0; !rounds || r < rounds; r++) {
		struct timespec ts = { interval / 1000, (interval % 1000) * 1000000L };
		bool pressed = sysfs_flag("pressure");

		if (r)
			nanosleep(&ts, NULL);
		if (hvmem_ioctl(fd, HVMEM_IOC_SHARE_SCAN, &sc, "SHARE_SCAN")) {
			ret = 1;
			break;
		}
		if (pressed)
			ret = apply_once(fd, vm_id, false, true, &acted);
		else if (applied && sysfs_flag("auto_undo"))
			ret = apply_once(fd, vm_id, true, true, &acted);
		else
			continue;
		if (ret)
			break;
		applied = pressed && acted;
		fflush(stdout);
	}
	close(fd);
	return ret;
}
