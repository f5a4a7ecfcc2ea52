// SPDX-License-Identifier: GPL-2.0
/*
 * hvmemctl - control and inspect hvmem on a KVM host.
 *
 *   hvmemctl [-j|--json] [-h|--help] [-V|--version] OBJECT COMMAND [ARGS]
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hvmemctl.h"

bool json_output;

static int do_version(int argc, char **argv);
static int do_status(int argc, char **argv);

static const struct hvmemctl_cmd version_cmds[] = {
	{ "show", do_version, "" },
	{ NULL },
};

static const struct hvmemctl_object version_object = {
	"version", version_cmds, "versions of hvmemctl and of the loaded module's ABI",
};

static const struct hvmemctl_cmd status_cmds[] = {
	{ "show", do_status, "" },
	{ NULL },
};

static const struct hvmemctl_object status_object = {
	"status", status_cmds, "module state, settings and bound VMs",
};

static const struct hvmemctl_object *objects[] = {
	&version_object,
	&status_object,
	&hvmemctl_vm_object,
	&hvmemctl_mrc_object,
	&hvmemctl_swap_object,
	&hvmemctl_share_object,
	&hvmemctl_cache_object,
	&hvmemctl_vswap_object,
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: hvmemctl [-j|--json] OBJECT COMMAND [ARGS]\n"
		   "       hvmemctl OBJECT help\n\nOBJECTS\n");
	for (i = 0; i < sizeof(objects) / sizeof(objects[0]); i++)
		fprintf(f, "  %-10s %s\n", objects[i]->name, objects[i]->help);
	fprintf(f, "\nOPTIONS\n  -j, --json     print JSON\n"
		   "  -V, --version  print hvmemctl's version\n");
}

static void object_usage(const struct hvmemctl_object *obj, FILE *f)
{
	const struct hvmemctl_cmd *c;

	fprintf(f, "Usage: hvmemctl [-j] %s COMMAND\n\nCOMMANDS (%s)\n", obj->name, obj->help);
	for (c = obj->cmds; c->name; c++)
		fprintf(f, "  %s %s %s\n", obj->name, c->name, c->args);
}

int hvmemctl_run_object(const struct hvmemctl_object *obj, int argc, char **argv)
{
	const struct hvmemctl_cmd *c;

	if (argc < 1) {
		/* an object with one command (version, status) runs it by default */
		if (obj->cmds[0].name && !obj->cmds[1].name)
			return obj->cmds[0].fn(1, (char *[]){ (char *)obj->cmds[0].name, NULL });
		object_usage(obj, stderr);
		return 1;
	}
	if (!strcmp(argv[0], "help") || !strcmp(argv[0], "--help")) {
		object_usage(obj, stdout);
		return 0;
	}
	for (c = obj->cmds; c->name; c++)
		if (!strcmp(argv[0], c->name))
			return c->fn(argc, argv);
	p_err("unknown command '%s %s' (try: hvmemctl %s help)", obj->name, argv[0], obj->name);
	return 1;
}

static int get_version(int fd, struct hvmem_version *v)
{
	memset(v, 0, sizeof(*v));
	v->size = sizeof(*v);
	return hvmem_ioctl(fd, HVMEM_IOC_GET_VERSION, v, "GET_VERSION");
}

static int do_version(int argc, char **argv)
{
	struct hvmem_version v;
	int fd;

	if (argc > 1)
		return p_err("version takes no arguments");
	fd = hvmem_open();
	if (fd < 0)
		return 1;
	if (get_version(fd, &v)) {
		close(fd);
		return 1;
	}
	close(fd);
	if (json_output) {
		jw_start_object();
		jw_kv_string("hvmemctl", HVMEMCTL_VERSION);
		jw_name("abi");
		jw_start_object();
		jw_kv_uint("major", v.major);
		jw_kv_uint("minor", v.minor);
		jw_kv_uint("patch", v.patch);
		jw_kv_uint("features", v.features);
		jw_end_object();
		jw_end_object();
		jw_end_document();
	} else {
		printf("hvmemctl %s\nhvmem ABI %u.%u.%u (features 0x%llx)\n", HVMEMCTL_VERSION,
		       v.major, v.minor, v.patch, (unsigned long long)v.features);
	}
	return 0;
}

static void print_vm_json(const struct hvmem_vm_info *e)
{
	jw_start_object();
	jw_kv_uint("id", e->id);
	jw_kv_string("kind", (e->flags & HVMEM_VM_KVM) ? "kvm" : "process");
	jw_kv_int("pid", e->pid);
	jw_kv_string("comm", e->comm);
	jw_kv_bool("dying", e->flags & HVMEM_VM_DYING);
	jw_kv_uint("bind_time_ns", e->bind_time_ns);
	jw_end_object();
}

static int do_status(int argc, char **argv)
{
	struct hvmem_vm_list l;
	struct hvmem_version v;
	char enabled[16] = "?";
	uint32_t i;
	int fd;

	if (argc > 1)
		return p_err("status takes no arguments");
	fd = hvmem_open();
	if (fd < 0)
		return 1;
	if (get_version(fd, &v) || hvmem_vm_list(fd, &l)) {
		close(fd);
		return 1;
	}
	close(fd);
	sysfs_read(HVMEM_SYSFS "/enabled", enabled, sizeof(enabled));
	const struct hvmem_vm_info *vms = (const struct hvmem_vm_info *)(uintptr_t)l.entries;

	if (json_output) {
		jw_start_object();
		jw_kv_string("version", HVMEMCTL_VERSION);
		jw_name("abi");
		jw_start_object();
		jw_kv_uint("major", v.major);
		jw_kv_uint("minor", v.minor);
		jw_kv_uint("patch", v.patch);
		jw_end_object();
		jw_kv_bool("enabled", !strcmp(enabled, "1"));
		jw_kv_uint("nr_vms", l.count);
		jw_name("vms");
		jw_start_array();
		for (i = 0; i < l.count; i++)
			print_vm_json(&vms[i]);
		jw_end_array();
		jw_end_object();
		jw_end_document();
	} else {
		printf("hvmem ABI %u.%u.%u, %s, %u VM%s bound\n", v.major, v.minor, v.patch,
		       !strcmp(enabled, "1") ? "enabled" : "disabled", l.count,
		       l.count == 1 ? "" : "s");
		for (i = 0; i < l.count; i++)
			printf("  vm %u: %s pid %d (%s)%s\n", vms[i].id,
			       (vms[i].flags & HVMEM_VM_KVM) ? "kvm" : "process", vms[i].pid,
			       vms[i].comm, (vms[i].flags & HVMEM_VM_DYING) ? " dying" : "");
	}
	free((void *)(uintptr_t)l.entries);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	size_t i;
	int c;

	while ((c = getopt_long(argc, argv, "+jhV", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json_output = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("hvmemctl %s\n", HVMEMCTL_VERSION);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage(stderr);
		return 1;
	}
	if (!strcmp(argv[0], "help")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(objects) / sizeof(objects[0]); i++)
		if (!strcmp(argv[0], objects[i]->name))
			return hvmemctl_run_object(objects[i], argc - 1, argv + 1);
	p_err("unknown object '%s' (try: hvmemctl help)", argv[0]);
	return 1;
}
