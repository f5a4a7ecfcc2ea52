// SPDX-License-Identifier: GPL-2.0
/*
 * hvmemctl - control and inspect hvmem on a KVM host.
 *
 *   hvmemctl [-j|--json] [-h|--help] [-V|--version] OBJECT COMMAND [ARGS]
 *
 * As with bpftool: OBJECT and COMMAND may be any unique prefix ("hvmemctl
 * sh st" is "share stats"), -j may stand anywhere, and with -j errors are
 * JSON too ({"error": "...", "errno": N} on stdout). Errors exit 1.
 */
#include <errno.h>
#include <fcntl.h>
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
	"version", version_cmds, "versions of hvmemctl and of the modules' ABI, features, limits",
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
	&hvmemctl_sched_object,
	&hvmemctl_vswap_object,
};

static const size_t nr_objects = sizeof(objects) / sizeof(objects[0]);

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: hvmemctl [-j|--json] OBJECT COMMAND [ARGS]\n"
		   "       hvmemctl OBJECT help\n\nOBJECTS\n");
	for (i = 0; i < nr_objects; i++)
		fprintf(f, "  %-10s %s\n", objects[i]->name, objects[i]->help);
	fprintf(f, "\nObjects and commands may be shortened to any unique prefix.\n"
		   "\nOPTIONS\n  -j, --json     print JSON (errors too: {\"error\": ...}), anywhere on the line\n"
		   "  -V, --version  print hvmemctl's version\n");
}

static void object_usage(const struct hvmemctl_object *obj, FILE *f)
{
	const struct hvmemctl_cmd *c;

	fprintf(f, "Usage: hvmemctl [-j] %s COMMAND\n\nCOMMANDS (%s)\n", obj->name, obj->help);
	for (c = obj->cmds; c->name; c++)
		fprintf(f, "  %s %s %s\n", obj->name, c->name, c->args);
}

int match_word(const char *word, const char *const *names, int n, const char *kind,
	       const char *help)
{
	char cands[512] = "";
	size_t len = strlen(word), used = 0;
	int i, found = -1, hits = 0;

	for (i = 0; i < n; i++)
		if (!strcmp(word, names[i]))
			return i;
	for (i = 0; len && i < n; i++) {
		if (strncmp(word, names[i], len))
			continue;
		found = i;
		hits++;
		used += snprintf(cands + used, used < sizeof(cands) ? sizeof(cands) - used : 0,
				 "%s%s", hits > 1 ? ", " : "", names[i]);
	}
	if (hits == 1)
		return found;
	if (hits > 1)
		p_err("ambiguous %s '%s': could be %s", kind, word, cands);
	else
		p_err("unknown %s '%s' (try: %s)", kind, word, help);
	return -1;
}

int hvmemctl_run_object(const struct hvmemctl_object *obj, int argc, char **argv)
{
	const char *names[32];
	char help[64];
	int n = 0, i;

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
	while (n < 32 && obj->cmds[n].name) {
		names[n] = obj->cmds[n].name;
		n++;
	}
	snprintf(help, sizeof(help), "hvmemctl %s help", obj->name);
	i = match_word(argv[0], names, n, "command", help);
	if (i < 0)
		return 1;
	argv[0] = (char *)obj->cmds[i].name;	/* commands see their full name */
	return obj->cmds[i].fn(argc, argv);
}

static int get_version(int fd, struct hvmem_version *v)
{
	memset(v, 0, sizeof(*v));
	v->size = sizeof(*v);
	return hvmem_ioctl(fd, HVMEM_IOC_GET_VERSION, v, "hvmem version");
}

/* The features of uapi/hvmem.h, and the capabilities each module answers. */
static const struct {
	unsigned int bit;
	const char *name;
	const char *module;
	struct { __u32 cap; const char *name; } caps[4];
} features[] = {
	{ HVMEM_FEATURE_VM_REGISTRY_BIT, "vm_registry", "hvmem",
	  { { HVMEM_CAP_VM_MAX, "vm_max" } } },
	{ HVMEM_FEATURE_CACHE_BIT, "cache", "hvmem",
	  { { HVMEM_CAP_CACHE_BATCH_MAX, "batch_max" },
	    { HVMEM_CAP_CACHE_PAGE_SIZE, "page_size" } } },
	{ HVMEM_FEATURE_MRC_BIT, "mrc", "hvmem_mrc",
	  { { HVMEM_CAP_MRC_FEED_MAX, "feed_max" }, { HVMEM_CAP_MRC_QUERY_MAX, "query_max" },
	    { HVMEM_CAP_MRC_SMAX_MAX, "smax_max" } } },
	{ HVMEM_FEATURE_SHARE_BIT, "share", "hvmem_share",
	  { { HVMEM_CAP_SHARE_REGIONS_MAX, "regions_max" } } },
	{ HVMEM_FEATURE_VSWAP_BIT, "vswap", "hvmem_vswap", { } },
	{ HVMEM_FEATURE_SWAPRES_BIT, "swapres", "dm_swapres", { } },
};

#define NR_FEATURES (sizeof(features) / sizeof(features[0]))

/* HVMEM_IOC_CHECK_EXTENSION; 0 when unknown or on error (an older module). */
static __u64 check_cap(int fd, __u32 cap)
{
	struct hvmem_check_extension c = { .size = sizeof(c), .cap = cap };

	return ioctl(fd, HVMEM_IOC_CHECK_EXTENSION, &c) ? 0 : c.value;
}

static void print_features(int fd, __u64 have)
{
	size_t i, k;

	if (json_output) {
		jw_name("features");
		jw_start_array();
		for (i = 0; i < NR_FEATURES; i++)
			if (have & (1ULL << features[i].bit))
				jw_string(features[i].name);
		jw_end_array();
		jw_name("capabilities");
		jw_start_object();
		for (i = 0; i < NR_FEATURES; i++) {
			if (!(have & (1ULL << features[i].bit)))
				continue;
			jw_name(features[i].name);
			jw_start_object();
			jw_kv_string("module", features[i].module);
			for (k = 0; k < 4 && features[i].caps[k].name; k++)
				jw_kv_uint(features[i].caps[k].name,
					   check_cap(fd, features[i].caps[k].cap));
			jw_end_object();
		}
		jw_end_object();
		return;
	}
	printf("features:");
	for (i = 0; i < NR_FEATURES; i++)
		if (have & (1ULL << features[i].bit))
			printf(" %s", features[i].name);
	if (have & ~((1ULL << NR_FEATURES) - 1))
		printf(" (unknown: 0x%llx)", (unsigned long long)(have & ~((1ULL << NR_FEATURES) - 1)));
	printf("\n");
	for (i = 0; i < NR_FEATURES; i++) {
		if (!(have & (1ULL << features[i].bit)))
			continue;
		printf("  %-12s %s.ko", features[i].name, features[i].module);
		for (k = 0; k < 4 && features[i].caps[k].name; k++)
			printf("%s %s %llu", k ? "," : ":", features[i].caps[k].name,
			       (unsigned long long)check_cap(fd, features[i].caps[k].cap));
		printf("\n");
	}
}

static int do_version(int argc, char **argv)
{
	struct hvmem_version v;
	int fd;

	if (argc > 1)
		return p_err("version takes no arguments");
	fd = open("/dev/" HVMEM_DEVICE_NAME, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		/* the tools' version is still worth printing */
		if (json_output) {
			jw_start_object();
			jw_kv_string("hvmemctl", HVMEMCTL_VERSION);
			jw_name("abi");
			jw_null();
			jw_end_object();
			jw_end_document();
		} else {
			printf("hvmemctl %s (built for ABI %u.%u)\n"
			       "hvmem.ko: not loaded (try: modprobe hvmem)\n", HVMEMCTL_VERSION,
			       HVMEM_VERSION_MAJOR, HVMEM_VERSION_MINOR);
		}
		return 0;
	}
	if (fd < 0)
		return p_errno(errno, "/dev/hvmem");
	if (get_version(fd, &v)) {
		close(fd);
		return 1;
	}
	if (json_output) {
		jw_start_object();
		jw_kv_string("hvmemctl", HVMEMCTL_VERSION);
		jw_name("built_for_abi");
		jw_start_object();
		jw_kv_uint("major", HVMEM_VERSION_MAJOR);
		jw_kv_uint("minor", HVMEM_VERSION_MINOR);
		jw_end_object();
		jw_name("abi");
		jw_start_object();
		jw_kv_uint("major", v.major);
		jw_kv_uint("minor", v.minor);
		jw_kv_uint("patch", v.patch);
		jw_kv_uint("features_mask", v.features);
		jw_end_object();
		print_features(fd, v.features);
		jw_end_object();
		jw_end_document();
	} else {
		printf("hvmemctl %s (built for ABI %u.%u)\nhvmem ABI %u.%u.%u\n", HVMEMCTL_VERSION,
		       HVMEM_VERSION_MAJOR, HVMEM_VERSION_MINOR, v.major, v.minor, v.patch);
		if (v.major != HVMEM_VERSION_MAJOR)
			printf("warning: ABI major %u differs from hvmemctl's %u\n", v.major,
			       HVMEM_VERSION_MAJOR);
		print_features(fd, v.features);
	}
	close(fd);
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

/*
 * The one parser of -j/--json: it may stand anywhere on the line (before
 * the object or after the command's arguments, as with bpftool); it is
 * taken out so that no command sees it. "--" ends the options.
 */
static int strip_json(int argc, char **argv)
{
	int i, k = 1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			while (i < argc)
				argv[k++] = argv[i++];
			break;
		}
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			json_output = true;
			continue;
		}
		argv[k++] = argv[i];
	}
	argv[k] = NULL;
	return k;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *names[sizeof(objects) / sizeof(objects[0])];
	size_t i;
	int c;

	argc = strip_json(argc, argv);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("hvmemctl %s\n", HVMEMCTL_VERSION);
			return 0;
		default:
			return p_err("unknown option '%s' (try: hvmemctl help)", argv[optind - 1]);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		if (json_output)
			return p_err("no object given (try: hvmemctl help)");
		usage(stderr);
		return 1;
	}
	if (!strcmp(argv[0], "help")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < nr_objects; i++)
		names[i] = objects[i]->name;
	c = match_word(argv[0], names, (int)nr_objects, "object", "hvmemctl help");
	if (c < 0)
		return 1;
	return hvmemctl_run_object(objects[c], argc - 1, argv + 1);
}
