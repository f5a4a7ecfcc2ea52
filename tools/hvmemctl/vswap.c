// SPDX-License-Identifier: GPL-2.0
/*
 * hvmemctl vswap: swap devices whose blocks live in the exclusive cache
 * (hvmem_vswap.ko, /dev/hvswapN).
 *
 *   hvmemctl vswap create VM SIZE [--backing DEV]  a device of SIZE bytes
 *                                  (K/M/G suffixes) for VM; prints /dev/hvswapN
 *   hvmemctl vswap destroy DEV|ID  remove /dev/hvswapN (EBUSY while open)
 *   hvmemctl vswap list            devices: VM, size, backing, stored blocks
 *   hvmemctl vswap stats [DEV|ID]  every counter of one or all devices
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "hvmemctl.h"

/* A size with an optional K, M or G suffix (powers of 1024). */
static int parse_size(const char *s, uint64_t *val)
{
	uint64_t mul = 1, v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *s == '-')
		return p_err("bad size '%s'", s);
	if (*end && strchr("kK", *end))
		mul = 1ULL << 10;
	else if (*end && strchr("mM", *end))
		mul = 1ULL << 20;
	else if (*end && strchr("gG", *end))
		mul = 1ULL << 30;
	if (mul > 1)
		end++;
	if (*end || (v && mul > UINT64_MAX / v))
		return p_err("bad size '%s'", s);
	*val = v * mul;
	return 0;
}

/* "/dev/hvswap3", "hvswap3" or "3" */
static int parse_dev(const char *s, uint32_t *id)
{
	const char *p = s;

	if (!strncmp(p, "/dev/", 5))
		p += 5;
	if (!strncmp(p, "hvswap", 6))
		p += 6;
	if (!*p)
		return p_err("bad device '%s'", s);
	return parse_u32(p, id, "device") ? 1 : 0;
}

static int do_create(int argc, char **argv)
{
	struct hvmem_vswap_create c = { .size = sizeof(c) };
	const char *backing = NULL;
	int fd, i, n = 0;
	uint64_t bytes = 0;
	char *pos[2];

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--backing")) {
			if (++i >= argc)
				return p_err("--backing needs a block device");
			backing = argv[i];
		} else if (n < 2) {
			pos[n++] = argv[i];
		} else {
			return p_err("usage: hvmemctl vswap create VM SIZE [--backing DEV]");
		}
	}
	if (n != 2)
		return p_err("usage: hvmemctl vswap create VM SIZE [--backing DEV]");
	if (parse_u32(pos[0], &c.vm_id, "VM") || parse_size(pos[1], &bytes))
		return 1;
	c.bytes = bytes;
	if (backing)
		c.backing = (uintptr_t)backing;
	fd = hvmem_open();
	if (fd < 0)
		return 1;
	if (hvmem_ioctl(fd, HVMEM_IOC_VSWAP_CREATE, &c, "VSWAP_CREATE")) {
		if (errno == ENOTTY)
			fprintf(stderr, "hvmemctl: is hvmem_vswap.ko loaded?\n");
		close(fd);
		return 1;
	}
	close(fd);
	if (json_output) {
		jw_start_object();
		jw_kv_uint("dev_id", c.dev_id);
		jw_name("device");
		{
			char name[32];

			snprintf(name, sizeof(name), "/dev/hvswap%u", c.dev_id);
			jw_string(name);
		}
		jw_end_object();
		jw_end_document();
	} else {
		printf("/dev/hvswap%u\n", c.dev_id);
	}
	return 0;
}

static int do_destroy(int argc, char **argv)
{
	struct hvmem_vswap_destroy d = { .size = sizeof(d) };
	int fd, ret;

	if (argc != 2)
		return p_err("usage: hvmemctl vswap destroy DEV|ID");
	if (parse_dev(argv[1], &d.dev_id))
		return 1;
	fd = hvmem_open();
	if (fd < 0)
		return 1;
	ret = hvmem_ioctl(fd, HVMEM_IOC_VSWAP_DESTROY, &d, "VSWAP_DESTROY") ? 1 : 0;
	close(fd);
	return ret;
}

/* All devices into *out (malloc'ed); their number, or -1 (printed). */
static int vswap_list(struct hvmem_vswap_info **out)
{
	struct hvmem_vswap_list l = { .size = sizeof(l), .entry_size = sizeof(**out) };
	struct hvmem_vswap_info *e = NULL;
	int fd, tries;

	fd = hvmem_open();
	if (fd < 0)
		return -1;
	for (tries = 0; tries < 8; tries++) {
		l.count = l.total + 4;
		free(e);
		e = calloc(l.count, sizeof(*e));
		if (!e) {
			close(fd);
			return p_errno(ENOMEM, "vswap list"), -1;
		}
		l.entries = (uintptr_t)e;
		if (hvmem_ioctl(fd, HVMEM_IOC_VSWAP_LIST, &l, "VSWAP_LIST")) {
			close(fd);
			free(e);
			return -1;
		}
		if (l.total <= l.count)
			break;
	}
	close(fd);
	*out = e;
	return l.count;
}

static void json_info(const struct hvmem_vswap_info *i)
{
	char name[32];

	jw_start_object();
	snprintf(name, sizeof(name), "/dev/hvswap%u", i->dev_id);
	jw_kv_string("device", name);
	jw_kv_uint("dev_id", i->dev_id);
	jw_kv_uint("vm_id", i->vm_id);
	jw_kv_uint("pool_id", i->pool_id);
	jw_kv_uint("bytes", i->bytes);
	jw_kv_bool("dead", i->flags & HVMEM_VSWAP_DEAD);
	if (i->flags & HVMEM_VSWAP_BACKED) {
		snprintf(name, sizeof(name), "%u:%u", major(i->backing_dev),
			 minor(i->backing_dev));
		jw_kv_string("backing", name);
	} else {
		jw_name("backing");
		jw_null();
	}
	jw_kv_uint("stored", i->stored);
	jw_kv_uint("zero", i->zero);
	jw_kv_uint("deduplicated", i->deduplicated);
	jw_kv_uint("evicted", i->evicted);
	jw_kv_uint("written_back", i->written_back);
	jw_kv_uint("backing_reads", i->backing_reads);
	jw_kv_uint("failed", i->failed);
	jw_kv_uint("reads", i->reads);
	jw_kv_uint("writes", i->writes);
	jw_kv_uint("discarded", i->discarded);
	jw_kv_uint("freed", i->freed);
	jw_end_object();
}

static int do_list(int argc, char **argv)
{
	struct hvmem_vswap_info *e;
	int n, i;

	if (argc > 1)
		return p_err("vswap list takes no arguments");
	n = vswap_list(&e);
	if (n < 0)
		return 1;
	if (json_output) {
		jw_start_array();
		for (i = 0; i < n; i++)
			json_info(&e[i]);
		jw_end_array();
		jw_end_document();
		free(e);
		return 0;
	}
	printf("%-14s %6s %10s %-10s %10s %s\n", "DEVICE", "VM", "MIB", "BACKING", "STORED",
	       "STATE");
	for (i = 0; i < n; i++) {
		char dev[32], bk[24] = "-";

		snprintf(dev, sizeof(dev), "/dev/hvswap%u", e[i].dev_id);
		if (e[i].flags & HVMEM_VSWAP_BACKED)
			snprintf(bk, sizeof(bk), "%u:%u", major(e[i].backing_dev),
				 minor(e[i].backing_dev));
		printf("%-14s %6u %10llu %-10s %10llu %s\n", dev, e[i].vm_id,
		       (unsigned long long)(e[i].bytes >> 20), bk,
		       (unsigned long long)e[i].stored,
		       e[i].flags & HVMEM_VSWAP_DEAD ? "dead (VM unbound)" : "ok");
	}
	free(e);
	return 0;
}

static int do_stats(int argc, char **argv)
{
	struct hvmem_vswap_info *e;
	uint32_t id = 0;
	int n, i, shown = 0;

	if (argc > 2)
		return p_err("usage: hvmemctl vswap stats [DEV|ID]");
	if (argc == 2 && parse_dev(argv[1], &id))
		return 1;
	n = vswap_list(&e);
	if (n < 0)
		return 1;
	if (json_output)
		jw_start_array();
	for (i = 0; i < n; i++) {
		const struct hvmem_vswap_info *x = &e[i];

		if (argc == 2 && x->dev_id != id)
			continue;
		shown++;
		if (json_output) {
			json_info(x);
			continue;
		}
		printf("hvswap%u: vm %u, %llu MiB, %s\n", x->dev_id, x->vm_id,
		       (unsigned long long)(x->bytes >> 20),
		       x->flags & HVMEM_VSWAP_DEAD ? "dead (VM unbound)" : "ok");
		printf("  stored %llu  zero %llu  deduplicated %llu\n",
		       (unsigned long long)x->stored, (unsigned long long)x->zero,
		       (unsigned long long)x->deduplicated);
		printf("  evicted %llu  written_back %llu  backing_reads %llu  failed %llu\n",
		       (unsigned long long)x->evicted, (unsigned long long)x->written_back,
		       (unsigned long long)x->backing_reads, (unsigned long long)x->failed);
		printf("  reads %llu  writes %llu  discarded %llu  freed %llu\n",
		       (unsigned long long)x->reads, (unsigned long long)x->writes,
		       (unsigned long long)x->discarded, (unsigned long long)x->freed);
	}
	free(e);
	if (json_output) {
		jw_end_array();
		jw_end_document();
	}
	if (argc == 2 && !shown)
		return p_errno(ENOENT, "hvswap%u", id);
	return 0;
}

static const struct hvmemctl_cmd vswap_cmds[] = {
	{ "create", do_create, "VM SIZE [--backing DEV]" },
	{ "destroy", do_destroy, "DEV|ID" },
	{ "list", do_list, "" },
	{ "stats", do_stats, "[DEV|ID]" },
	{ NULL },
};

const struct hvmemctl_object hvmemctl_vswap_object = {
	.name = "vswap",
	.cmds = vswap_cmds,
	.help = "swap devices in the exclusive cache (/dev/hvswapN)",
};
