// SPDX-License-Identifier: GPL-2.0
/*
 * hvmem_failnth - fault-injection sweeps with fail-nth over every hvmem
 * entry point: each ioctl (valid arguments), VM bind by pid and by KVM fd,
 * dm-swapres table loads, resumes and messages, and module init.
 *
 *   hvmem_failnth [--max N] [--only OP] [--backing BLOCKDEV]
 *   hvmem_failnth --module FILE.ko [--max N]
 *
 * For each operation, N = 1, 2, ...: the Nth fault site (slab or page
 * allocation; the caller's script sets the debugfs attributes) the call
 * reaches fails. The sweep ends at the first N the call does not reach.
 * An injected failure must give a clean error (the kernel log is checked
 * by the script) and leave the state as it was: the VM list, the cache's
 * counts, the dm tables and hvmem's sysfs tree are compared before and
 * after. A cache put that fails must not leave the key's old page. With
 * --module, the module (not loaded; its dependencies are) is loaded with
 * finit_module(2) under fail-nth and unloaded after each success.
 *
 * Prints "hvmem_failnth: M fault points, B broke the rules"; exits 1 if B.
 *
 * This file: the options, the state snapshots, the sweep and the context
 * every operation works on; failnth.h lists the other pieces.
 */
#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>

#include "failnth.h"

static unsigned long long points, failed_calls, bad, errs[256];
/*
 * Whether the state includes the tables of fi_x, the device under test: not
 * for resumes, where dm itself drops the inactive table of a failed resume.
 */
static bool state_with_x;

/* ---- state snapshots ---- */

static void ls_tree(const char *dir, char *out, size_t len, size_t *used, int depth)
{
	struct dirent **ents;
	int n, i;

	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0)
		return;
	for (i = 0; i < n; i++) {
		char p[512];

		if (ents[i]->d_name[0] != '.') {
			if (*used < len)
				*used += snprintf(out + *used, len - *used, " %s/%s", dir + 20,
						  ents[i]->d_name);
			if (ents[i]->d_type == DT_DIR && depth < 4) {
				snprintf(p, sizeof(p), "%s/%s", dir, ents[i]->d_name);
				ls_tree(p, out, len, used, depth + 1);
			}
		}
		free(ents[i]);
	}
	free(ents);
}

/*
 * The state a failed call must leave as it was. @pages: with the cache's
 * page counts (not for an op whose failure drops pages, see struct op).
 */
static void state(struct ctx *c, char *out, bool pages)
{
	struct hvmem_vm_info e[64];
	struct hvmem_vm_list l = {
		.size = sizeof(l), .entry_size = sizeof(e[0]), .count = 64,
		.entries = (uintptr_t)e,
	};
	struct hvmem_cache_stats s = { .size = sizeof(s) };
	struct hvmem_cache_vm v = { .size = sizeof(v), .vm_id = c->vm };
	size_t used = 0;
	unsigned int i;
	DIR *d;

	out[0] = 0;
	if (c->dev >= 0 && !ioctl(c->dev, HVMEM_IOC_VM_LIST, &l))
		for (i = 0; i < l.count; i++)
			used += snprintf(out + used, STATE_LEN - used, "vm%u:%x ", e[i].id,
					 e[i].flags);
	if (c->dev >= 0 && !ioctl(c->dev, HVMEM_IOC_CACHE_STATS, &s))
		used += pages ?
			snprintf(out + used, STATE_LEN - used, "cache %llu %llu %llu %llu %llu ",
				 s.reserve_pages, s.used_pages, s.entries, s.zero_pages,
				 s.dedup_saved_pages) :
			snprintf(out + used, STATE_LEN - used, "cache %llu ", s.reserve_pages);
	if (c->dev >= 0 && !ioctl(c->dev, HVMEM_IOC_CACHE_VM_STATS, &v))
		used += snprintf(out + used, STATE_LEN - used, "cvm %u %llu %u %llu ", v.shares,
				 v.cap, v.pools, pages ? v.pages : 0ULL);
	if (c->dev >= 0) {
		struct hvmem_share_stats st = { .size = sizeof(st), .vm_id = c->vm };

		if (!ioctl(c->dev, HVMEM_IOC_SHARE_STATS, &st))
			used += snprintf(out + used, STATE_LEN - used, "share %llu %llu %llu %llu ",
					 st.pages, st.dup_pages, st.regions, st.scans);
	}
	d = opendir("/proc/self/fd");
	if (d) {
		struct dirent *de;
		unsigned int n = 0;

		while ((de = readdir(d)))
			n++;
		closedir(d);
		used += snprintf(out + used, STATE_LEN - used, "fds %u ", n);
	}
	if (c->have_dm) {
		used += snprintf(out + used, STATE_LEN - used, "dm ");
		dm_state(c->ctl, "fi_r", out + used, STATE_LEN - used);
		used = strlen(out);
		if (state_with_x) {
			used += snprintf(out + used, STATE_LEN - used, " / ");
			dm_state(c->ctl, "fi_x", out + used, STATE_LEN - used);
			used = strlen(out);
		}
	}
	used += snprintf(out + used, STATE_LEN - used, " dev %d", access("/dev/hvmem", F_OK));
	ls_tree("/sys/kernel/mm/hvmem", out, STATE_LEN, &used, 0);
}

/* ---- the sweep ---- */

/* Errors an injected allocation failure may cause. */
static bool fault_errno_ok(int e)
{
	return e == ENOMEM || e == EFAULT || e == EAGAIN || e == EINTR || e == ENOSPC ||
	       e == EIO || e == EBUSY || e == ENOBUFS;
}

void sweep(struct ctx *c, const struct op *op, int fn, unsigned int max)
{
	static char before[STATE_LEN], after[STATE_LEN];
	unsigned long long p0 = points, f0 = failed_calls, b0 = bad;
	unsigned int n;
	int ret, fired;

	state_with_x = !strstr(op->name, "resume");
	for (n = 1; n <= max; n++) {
		if (op->setup) {
			ret = op->setup(c);
			if (ret) {
				if (n == 1) {
					printf("# failnth: %s: skipped (%s)\n", op->name,
					       strerror(-ret));
					return;
				}
				printf("# failnth: %s: setup failed after fault %u: %s\n",
				       op->name, n - 1, strerror(-ret));
				bad++;
				break;
			}
		}
		state(c, before, !op->fail_drops_pages);
		failnth_arm(fn, n);
		ret = op->run(c);
		fired = failnth_fired(fn);
		if (fired <= 0) {	/* the call no longer reaches the Nth site */
			if (ret) {
				printf("# failnth: %s: fails without injection: %s\n", op->name,
				       strerror(-ret));
				bad++;
			} else if (op->verify && op->verify(c, ret)) {
				bad++;
			}
			if (!ret && op->undo)
				op->undo(c);
			if (op->teardown)
				op->teardown(c);
			break;
		}
		points++;
		if (!ret) {	/* the failure was absorbed (a fallback, a retry) */
			if (op->verify && op->verify(c, ret))
				bad++;
			if (op->undo)
				op->undo(c);
		} else {
			failed_calls++;
			errs[-ret & 0xff]++;
			if (!fault_errno_ok(-ret))
				printf("# failnth: %s: fault %u: note: %s\n", op->name, n,
				       strerror(-ret));
			state(c, after, !op->fail_drops_pages);
			if (strcmp(before, after)) {
				printf("# failnth: %s: fault %u (%s) changed the state:\n#   before: %.600s\n#   after:  %.600s\n",
				       op->name, n, strerror(-ret), before, after);
				bad++;
			}
			if (op->verify && op->verify(c, ret))
				bad++;
		}
		if (op->teardown)
			op->teardown(c);
	}
	if (n > max)
		printf("# failnth: %s: still failing after %u faults (--max)\n", op->name, max);
	printf("# failnth: %s: %llu fault points, %llu failed the call%s\n", op->name, points - p0,
	       failed_calls - f0, bad > b0 ? ", BROKE THE RULES" : "");
	fflush(stdout);
}

static int setup_ctx(struct ctx *c, const char *backing)
{
	char p[256];
	unsigned int i;

	c->pg = sysconf(_SC_PAGESIZE);
	c->mrc_fd = -1;
	c->ctl = -1;
	c->dev = hvmem_dev();
	if (c->dev < 0)
		return -errno;
	c->old = malloc(3 * NPG * c->pg);
	if (!c->old)
		return -ENOMEM;
	c->new = c->old + NPG * c->pg;
	c->got = c->new + NPG * c->pg;
	for (i = 0; i < NPG * c->pg; i++) {
		c->old[i] = (uint8_t)(i * 7 + 1);
		c->new[i] = (uint8_t)(i * 13 + 5);
	}
	memset(c->new + 3 * c->pg, 0, c->pg);		/* a zero page */
	memcpy(c->new + 5 * c->pg, c->new + 4 * c->pg, c->pg);	/* a duplicate */
	memcpy(c->old + 6 * c->pg, c->new + 6 * c->pg, c->pg);	/* same data again */
	memset(c->got, 0, NPG * c->pg);
	c->sleeper = sleeper_spawn();
	if (c->sleeper < 0)
		return -errno;
	c->sleeper2 = sleeper_spawn();
	if (c->sleeper2 < 0)
		return -errno;
	/* two VMs to work on: this process and a second sleeper */
	if (hvmem_bind_pid(c->dev, getpid(), &c->vm) ||
	    hvmem_bind_pid(c->dev, c->sleeper2, &c->vm2))
		return -errno;
	if (hvmem_pool_create(c->dev, c->vm, 0, &c->pool))
		return -errno;
	c->have_kvm = !kvm_tiny_create(&c->kvm);
	if (backing) {
		c->ctl = dm_control();
		snprintf(p, sizeof(p), "%s 0 8", backing);
		if (c->ctl >= 0 && !dm_create(c->ctl, "fi_r") &&
		    !dm_load_resume(c->ctl, "fi_r", 16384, "swapres-resv", p) &&
		    !dm_majmin(c->ctl, "fi_r", c->resv_mm, sizeof(c->resv_mm)))
			c->have_dm = true;
		else
			printf("# failnth: no dm reservation on %s: dm ops skipped\n", backing);
		c->backing = backing;
	}
	/* a scan to have regions */
	c->a.ss = (struct hvmem_share_scan){ .size = sizeof(c->a.ss), .vm_id = c->vm };
	ioctl(c->dev, HVMEM_IOC_SHARE_SCAN, &c->a);
	return 0;
}

static void teardown_ctx(struct ctx *c)
{
	if (c->have_dm) {
		dm_x_remove(c);
		dm_remove(c->ctl, "fi_r");
	}
	if (c->mrc_fd >= 0)
		close(c->mrc_fd);
	hvmem_unbind(c->dev, c->vm);
	hvmem_unbind(c->dev, c->vm2);
	if (c->have_kvm)
		kvm_tiny_close(&c->kvm);
	sleeper_kill(c->sleeper);
	sleeper_kill(c->sleeper2);
}

int main(int argc, char **argv)
{
	const char *only = NULL, *backing = NULL, *module = NULL;
	unsigned int max = 2000, i;
	static struct ctx c;
	int fn, ret;

	for (i = 1; i < (unsigned int)argc; i++) {
		if (!strcmp(argv[i], "--max") && i + 1 < (unsigned int)argc)
			max = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--only") && i + 1 < (unsigned int)argc)
			only = argv[++i];
		else if (!strcmp(argv[i], "--backing") && i + 1 < (unsigned int)argc)
			backing = argv[++i];
		else if (!strcmp(argv[i], "--module") && i + 1 < (unsigned int)argc)
			module = argv[++i];
		else {
			fprintf(stderr, "usage: %s [--max N] [--only OP] [--backing DEV] | --module KO\n",
				argv[0]);
			return 2;
		}
	}
	/* no page fault (and its allocations) inside a call under injection */
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		printf("# failnth: mlockall: %s\n", strerror(errno));
	fn = failnth_open();
	if (fn < 0) {
		printf("# failnth: /proc/thread-self/fail-nth: %s (CONFIG_FAULT_INJECTION?)\n",
		       strerror(errno));
		return 4;
	}
	if (module) {
		ret = sweep_module(&c, module, fn, max);
		if (ret)
			return ret;
	} else {
		ret = setup_ctx(&c, backing);
		if (ret) {
			printf("# failnth: setup: %s\n", strerror(-ret));
			return 1;
		}
		snprintf(c.msg, sizeof(c.msg), "%s 16384 8", backing ? backing : "");
		for (i = 0; i < failnth_nr_ioctl_ops + failnth_nr_dm_ops; i++) {
			const struct op *op = i < failnth_nr_ioctl_ops ? &failnth_ioctl_ops[i] :
					      &failnth_dm_ops[i - failnth_nr_ioctl_ops];

			if (only && !strstr(op->name, only))
				continue;
			if (!strncmp(op->name, "dm_resv", 7))
				snprintf(c.msg, sizeof(c.msg), "%s 16384 8", backing ? backing : "");
			sweep(&c, op, fn, max);
		}
		teardown_ctx(&c);
	}
	printf("# failnth: errno of injected failures:");
	for (i = 0; i < 256; i++)
		if (errs[i])
			printf(" %s=%llu", strerrorname_np(i) ?: "?", errs[i]);
	/* a failure kmemleak's object pool or a fallback absorbed counts as a point too */
	printf("\nhvmem_failnth: %llu fault points (%llu failed the call), %llu broke the rules\n",
	       points, failed_calls, bad);
	return bad ? 1 : 0;
}
