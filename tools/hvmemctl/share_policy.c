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
 *
 * QEMU marks all guest RAM mergeable itself (-machine mem-merge=on, its
 * default): apply reads the VMAs' flags in /proc/PID/smaps ("mg" is
 * VM_MERGEABLE), says how much is mergeable already and what to change
 * (mem-merge=off, libvirt <memoryBacking><nosharepages/>), since KSM then
 * merges it whatever the policy says. apply records the parts it made
 * mergeable that were not before in a state file, $HVMEM_STATE_DIR
 * (default /run/hvmem) /share-apply-PID-STARTTIME (the process's start
 * time in /proc/PID/stat tells a reused pid apart).
 * --undo: madvise(MADV_UNMERGEABLE) over what that file records, and
 * nothing else: the advice each area had before apply is back.
 *
 * A VM usually ends without an undo, and its file would stay until reboot.
 * So each apply and undo (not a dry run) first removes the state files of
 * processes that are gone: a regular file named share-apply-PID-STARTTIME
 * whose pid no longer exists in /proc, or whose /proc/PID/stat start time
 * differs (the pid was reused). A live process's file is never removed;
 * a name that does not parse, or anything but a regular file, is left
 * alone. The pids are those of the /proc hvmemctl sees: one state
 * directory per pid namespace. Failing to clean up is a warning
 * ("hvmemctl: warning: <what>: <strerror>" on stderr), never an error.
 *
 * daemon: scan, then apply under pressure, undo once pressure is gone
 * (if sysfs auto_undo), every MS milliseconds (default 10000), N rounds
 * (default: until killed).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
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
	bool found = false;
	uint32_t i;

	if (hvmem_vm_list(fd, &l))
		return -1;
	e = (struct hvmem_vm_info *)(uintptr_t)l.entries;
	for (i = 0; i < l.count; i++) {
		if (e[i].id == vm_id) {
			*pid = e[i].pid;
			found = true;
		}
	}
	free(e);
	if (!found)
		return p_errno(ENOENT, "no VM %u is bound (see: hvmemctl vm list)", vm_id);
	if (!*pid)
		return p_err("VM %u: its process is not in this pid namespace", vm_id);
	return 0;
}

/* The regions the policy would split, as joined ranges. */
static int policy_ranges(int fd, uint32_t vm_id, uint64_t **starts,
			 uint64_t **lens, int *n)
{
	struct hvmem_share_regions q = { .size = sizeof(q), .vm_id = vm_id,
					  .entry_size = sizeof(struct hvmem_share_region) };
	struct hvmem_share_region *r;
	uint32_t i;
	int k = 0;

	if (hvmem_vm_ioctl(fd, HVMEM_IOC_SHARE_REGIONS, &q, "share regions", vm_id))
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
	if (hvmem_vm_ioctl(fd, HVMEM_IOC_SHARE_REGIONS, &q, "share regions", vm_id)) {
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
		if (!(r[i].flags & HVMEM_SHARE_REGION_POLICY))
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

/* A VMA of the VM's process, or a range apply made mergeable. */
struct span {
	uint64_t start, end;
	bool mg;
};

/* The VMAs of @pid and whether each is VM_MERGEABLE ("mg" in VmFlags). */
static int read_vmas(pid_t pid, struct span **out, int *n)
{
	char path[64], line[512];
	struct span *v = NULL, *t;
	int k = 0, cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	f = fopen(path, "re");
	if (!f)
		return p_errno(errno, "%s", path);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a, b;
		char *p;

		if (!strncmp(line, "VmFlags:", 8)) {
			for (p = strtok(line + 8, " \n"); p && k; p = strtok(NULL, " \n"))
				if (!strcmp(p, "mg"))
					v[k - 1].mg = true;
			continue;
		}
		p = strchr(line, ' ');
		if (!p || memchr(line, ':', p - line) || sscanf(line, "%llx-%llx ", &a, &b) != 2)
			continue;
		if (k == cap) {
			cap = cap ? 2 * cap : 64;
			t = realloc(v, cap * sizeof(*v));
			if (!t) {
				fclose(f);
				free(v);
				return p_errno(ENOMEM, "%s", path);
			}
			v = t;
		}
		v[k++] = (struct span){ a, b, false };
	}
	fclose(f);
	*out = v;
	*n = k;
	return 0;
}

#define STATE_PREFIX "share-apply-"

/* The state directory: $HVMEM_STATE_DIR, or /run/hvmem. */
static const char *state_dir(void)
{
	const char *dir = getenv("HVMEM_STATE_DIR");

	return dir && *dir ? dir : "/run/hvmem";
}

/*
 * Field 22 of /proc/@pid/stat, the start time; 0 or a negative errno
 * (-ENOENT: no such process). Prints nothing.
 */
static int proc_start_time(pid_t pid, unsigned long long *start)
{
	char buf[32], *end;
	int err = proc_stat_field(pid, 22, buf, sizeof(buf));

	if (err)
		return err;
	errno = 0;
	*start = strtoull(buf, &end, 10);
	return errno || *end ? -EIO : 0;
}

/* The state file of @pid: keyed by pid and start time; 0 or 1 (printed). */
static int state_path(pid_t pid, char *buf, size_t len)
{
	unsigned long long start = 0;
	int err = proc_start_time(pid, &start);

	if (err == -EIO)
		return p_err("/proc/%d/stat: no start time", pid);
	if (err)
		return p_errno(-err, "/proc/%d/stat", pid);
	snprintf(buf, len, "%s/" STATE_PREFIX "%d-%llu", state_dir(), pid, start);
	return 0;
}

/* The decimal number at *@s (digits only, as printf %d/%llu writes it), up to @max. */
static bool parse_dec(const char **s, unsigned long long max, unsigned long long *v)
{
	const char *p = *s;

	*v = 0;
	if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' && p[1] <= '9'))
		return false;	/* no digit, or a leading zero */
	for (; *p >= '0' && *p <= '9'; p++) {
		if (*v > (max - (*p - '0')) / 10)
			return false;
		*v = *v * 10 + (*p - '0');
	}
	*s = p;
	return true;
}

/* share-apply-PID-STARTTIME, nothing else; false for any other name. */
static bool state_name_parse(const char *name, pid_t *pid, unsigned long long *start)
{
	const char *p = name + strlen(STATE_PREFIX);
	unsigned long long v;

	if (strncmp(name, STATE_PREFIX, strlen(STATE_PREFIX)) ||
	    !parse_dec(&p, INT_MAX, &v) || !v || *p++ != '-' ||
	    !parse_dec(&p, ULLONG_MAX, start) || *p)
		return false;
	*pid = (pid_t)v;
	return true;
}

/*
 * Remove the state files of processes that are gone (see the top of this
 * file); returns how many were removed. Problems are warnings.
 */
static int state_prune(void)
{
	const char *dir = state_dir();
	unsigned long long start, now;
	struct dirent *d;
	int dfd, removed = 0, err;
	struct stat st;
	pid_t pid;
	DIR *dp;

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		if (errno != ENOENT)
			p_warn_errno(errno, "%s", dir);
		return 0;
	}
	dp = fdopendir(dfd);
	if (!dp) {
		p_warn_errno(errno, "%s", dir);
		close(dfd);
		return 0;
	}
	for (errno = 0; (d = readdir(dp)); errno = 0) {
		if (!state_name_parse(d->d_name, &pid, &start))
			continue;
		if (fstatat(dfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW)) {
			if (errno != ENOENT)
				p_warn_errno(errno, "%s/%s", dir, d->d_name);
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		err = proc_start_time(pid, &now);
		if (!err && now == start)
			continue;		/* its process lives */
		if (err && err != -ENOENT && err != -ESRCH) {
			/* cannot tell: keep it */
			if (err == -EIO)
				fprintf(stderr, "hvmemctl: warning: /proc/%d/stat: no start time\n",
					pid);
			else
				p_warn_errno(-err, "/proc/%d/stat", pid);
			continue;
		}
		if (unlinkat(dfd, d->d_name, 0)) {
			if (errno != ENOENT)
				p_warn_errno(errno, "removing %s/%s", dir, d->d_name);
			continue;
		}
		removed++;
	}
	if (errno)
		p_warn_errno(errno, "%s", dir);
	closedir(dp);
	return removed;
}

/* Append the parts of @starts/@lens that were not mergeable before. */
static int state_record(const char *path, const uint64_t *starts, const uint64_t *lens, int n,
			const struct span *vmas, int nv)
{
	char dir[PATH_MAX], *slash;
	int i, j;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) && errno != EEXIST)
			return p_errno(errno, "%s", dir);
	}
	f = fopen(path, "ae");
	if (!f)
		return p_errno(errno, "%s", path);
	for (i = 0; i < n; i++) {
		for (j = 0; j < nv; j++) {
			uint64_t a = starts[i] > vmas[j].start ? starts[i] : vmas[j].start;
			uint64_t b = starts[i] + lens[i] < vmas[j].end ? starts[i] + lens[i] :
									  vmas[j].end;

			if (a < b && !vmas[j].mg)
				fprintf(f, "%" PRIx64 " %" PRIx64 "\n", a, b - a);
		}
	}
	if (fclose(f))
		return p_errno(errno, "%s", path);
	return 0;
}

/* The ranges apply recorded; *n = -1 when there is no state file. */
static int state_load(const char *path, uint64_t **starts, uint64_t **lens, int *n)
{
	unsigned long long a, l;
	int k = 0, cap = 16;
	bool nomem = false;
	void *t1, *t2;
	FILE *f;

	*n = -1;
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : p_errno(errno, "%s", path);
	*starts = malloc(cap * sizeof(**starts));
	*lens = malloc(cap * sizeof(**lens));
	while (*starts && *lens && fscanf(f, "%llx %llx", &a, &l) == 2) {
		if (k == cap) {
			cap *= 2;
			t1 = realloc(*starts, cap * sizeof(**starts));
			if (t1)
				*starts = t1;
			t2 = realloc(*lens, cap * sizeof(**lens));
			if (t2)
				*lens = t2;
			if (!t1 || !t2) {
				nomem = true;
				break;
			}
		}
		(*starts)[k] = a;
		(*lens)[k++] = l;
	}
	fclose(f);
	if (!*starts || !*lens || nomem)
		return p_errno(ENOMEM, "%s", path);
	*n = k;
	return 0;
}

static bool sysfs_flag(const char *name)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), SHARE_SYSFS "/%s", name);
	return !sysfs_read(path, buf, sizeof(buf)) && atoi(buf) > 0;
}

/* Bytes of VM_MERGEABLE VMAs: all of them, and those within @starts/@lens. */
static void mergeable_bytes(const struct span *v, int nv, const uint64_t *starts,
			    const uint64_t *lens, int n, uint64_t *all, uint64_t *in)
{
	int i, j;

	*all = *in = 0;
	for (j = 0; j < nv; j++) {
		if (!v[j].mg)
			continue;
		*all += v[j].end - v[j].start;
		for (i = 0; i < n; i++) {
			uint64_t a = starts[i] > v[j].start ? starts[i] : v[j].start;
			uint64_t b = starts[i] + lens[i] < v[j].end ? starts[i] + lens[i] : v[j].end;

			if (a < b)
				*in += b - a;
		}
	}
}

/* apply (or undo) once; *acted: the advice was given. */
static int apply_once(int fd, uint32_t vm_id, bool undo, bool force, bool *acted)
{
	uint64_t *starts = NULL, *lens = NULL, mg_all = 0, mg_in = 0;
	bool dry = sysfs_flag("dry_run");
	struct span *vmas = NULL;
	int n = 0, nv = 0, i, ret = 0;
	char state[PATH_MAX];
	long *res = NULL;
	pid_t pid = 0;

	*acted = false;
	if (!undo && !force && !sysfs_flag("pressure")) {
		if (json_output) {
			jw_start_object();
			jw_kv_uint("vm_id", vm_id);
			jw_kv_bool("pressure", false);
			jw_name("ranges");
			jw_start_array();
			jw_end_array();
			jw_end_object();
			jw_end_document();
		} else {
			printf("VM %u: no memory pressure: nothing handed to KSM (--force to apply anyway)\n",
			       vm_id);
		}
		return 0;
	}
	if (vm_pid(fd, vm_id, &pid) || state_path(pid, state, sizeof(state)))
		goto out_err;
	if (!dry)
		state_prune();
	if (undo) {
		if (state_load(state, &starts, &lens, &n))
			goto out_err;
	} else if (policy_ranges(fd, vm_id, &starts, &lens, &n) ||
		   read_vmas(pid, &vmas, &nv)) {
		goto out_err;
	}
	if (undo && n < 0) {
		if (json_output) {
			jw_start_object();
			jw_kv_uint("vm_id", vm_id);
			jw_kv_int("pid", pid);
			jw_kv_string("advice", "unmergeable");
			jw_name("ranges");
			jw_start_array();
			jw_end_array();
			jw_kv_string("note", "share apply advised nothing in this process");
			jw_end_object();
			jw_end_document();
		} else {
			printf("VM %u: nothing to undo: share apply advised nothing in pid %d\n"
			       "(areas its own process made mergeable, as QEMU does with guest RAM, stay so)\n",
			       vm_id, pid);
		}
		return 0;
	}
	if (!undo) {
		mergeable_bytes(vmas, nv, starts, lens, n, &mg_all, &mg_in);
		if (mg_all && !json_output)
			fprintf(stderr,
				"hvmemctl: warning: VM %u: %.1f MiB of pid %d's memory is already mergeable (%.1f MiB of it in the ranges below),\n"
				"  as QEMU makes guest RAM by default (-machine mem-merge=on): KSM merges it whatever\n"
				"  the split policy decides. To let the policy decide, start QEMU with\n"
				"  -machine mem-merge=off, or add <memoryBacking><nosharepages/></memoryBacking>\n"
				"  to the libvirt domain.\n",
				vm_id, mg_all / 1048576.0, pid, mg_in / 1048576.0);
	}
	res = calloc(n + 1, sizeof(*res));
	if (!res) {
		p_errno(ENOMEM, "apply");
		goto out_err;
	}
	if (!dry && n && inject_madvise(pid, starts, lens, n,
					undo ? MADV_UNMERGEABLE : MADV_MERGEABLE, res))
		goto out_err;
	*acted = !dry;
	if (!dry && !undo && state_record(state, starts, lens, n, vmas, nv))
		goto out_err;
	if (!dry && undo && unlink(state) && errno != ENOENT)
		ret = p_errno(errno, "%s", state);
	for (i = 0; i < n; i++) {
		/* an area apply advised may be unmapped since: ENOMEM for the hole */
		if (undo && res[i] == -ENOMEM)
			res[i] = 0;
		if (!json_output)
			printf("%s 0x%llx-0x%llx (%llu MiB)%s%s\n",
			       undo ? "unmergeable" : "mergeable", (unsigned long long)starts[i],
			       (unsigned long long)(starts[i] + lens[i]),
			       (unsigned long long)(lens[i] >> 20), dry ? " [dry run]" : "",
			       res[i] ? ": failed" : "");
		/* with -j, the failure is the range's "result" in the one document */
		if (res[i])
			ret = json_output ? 1 : p_errno((int)-res[i], "madvise in pid %d", pid);
	}
	if (json_output) {
		jw_start_object();
		jw_kv_uint("vm_id", vm_id);
		jw_kv_int("pid", pid);
		jw_kv_bool("dry_run", dry);
		jw_kv_string("advice", undo ? "unmergeable" : "mergeable");
		if (!undo) {
			jw_kv_uint("already_mergeable_bytes", mg_all);
			jw_kv_uint("already_mergeable_in_ranges_bytes", mg_in);
			if (mg_all)
				jw_kv_string("hint", "QEMU made this memory mergeable: start it with -machine mem-merge=off, or use libvirt <memoryBacking><nosharepages/>");
		}
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
	free(vmas);
	return ret;
out_err:
	free(starts);
	free(lens);
	free(res);
	free(vmas);
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
		if (hvmem_ioctl(fd, HVMEM_IOC_SHARE_SCAN, &sc, "share scan")) {
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
