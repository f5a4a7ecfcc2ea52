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
 */
#include <dirent.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "stress_util.h"
#include "hvmem_util.h"
#include "kvm_tiny.h"

#define NPG	16
#define STATE_LEN	16384

struct ctx {
	int dev, ctl, mrc_fd;
	pid_t sleeper, sleeper2;
	__u32 vm, vm2, pool;
	struct kvm_tiny kvm;
	bool have_kvm, have_dm;
	const char *backing;
	char resv_mm[32];
	long pg;
	uint8_t *old, *new, *got;
	struct hvmem_cache_page pages[NPG];
	union {
		struct hvmem_vm_bind bind;
		struct hvmem_vm_unbind unbind;
		struct hvmem_vm_list list;
		struct hvmem_cache_pool_create pc;
		struct hvmem_cache_pool_destroy pd;
		struct hvmem_cache_io io;
		struct hvmem_cache_flush_object fo;
		struct hvmem_cache_vm cvm;
		struct hvmem_cache_stats cs;
		struct hvmem_mrc_open mo;
		struct hvmem_mrc_feed mf;
		struct hvmem_mrc_query mq;
		struct hvmem_mrc_reset mr;
		struct hvmem_share_scan ss;
		struct hvmem_share_stats st;
		struct hvmem_share_regions sr;
		struct hvmem_share_vm sv;
	} a;
	struct hvmem_vm_info infos[64];
	__u64 sizes[64], feed[1024];
	__u32 ratios[64];
	struct hvmem_share_region regions[64];
	char msg[128];
	int modfd;
	const char *modname;
};

struct op {
	const char *name;
	int (*setup)(struct ctx *c);	/* 0, or -errno: skip the op */
	int (*run)(struct ctx *c);	/* under fail-nth: only the call */
	void (*undo)(struct ctx *c);	/* after a successful run */
	void (*teardown)(struct ctx *c);
	int (*verify)(struct ctx *c, int ret);	/* extra checks; 0 ok */
};

static unsigned long long points, failed_calls, bad, errs[256];
/*
 * Whether the state includes the tables of fi_x, the device under test: not
 * for resumes, where dm itself drops the inactive table of a failed resume.
 */
static bool state_with_x;

static int call(struct ctx *c, unsigned long req)
{
	return ioctl(c->dev, req, &c->a) ? -errno : 0;
}

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

static void state(struct ctx *c, char *out)
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
		used += snprintf(out + used, STATE_LEN - used, "cache %llu %llu %llu %llu %llu ",
				 s.reserve_pages, s.used_pages, s.entries, s.zero_pages,
				 s.dedup_saved_pages);
	if (c->dev >= 0 && !ioctl(c->dev, HVMEM_IOC_CACHE_VM_STATS, &v))
		used += snprintf(out + used, STATE_LEN - used, "cvm %u %llu %u %llu ", v.shares,
				 v.cap, v.pools, v.pages);
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

/* ---- core ---- */

static int bind_pid_setup(struct ctx *c)
{
	c->a.bind = (struct hvmem_vm_bind){ .size = sizeof(c->a.bind),
		.flags = HVMEM_BIND_BY_PID, .kvm_fd = -1, .pid = c->sleeper };
	return 0;
}

static int bind_kvm_setup(struct ctx *c)
{
	if (!c->have_kvm)
		return -ENOENT;
	c->a.bind = (struct hvmem_vm_bind){ .size = sizeof(c->a.bind),
		.flags = HVMEM_BIND_BY_KVM_FD, .kvm_fd = c->kvm.vm };
	return 0;
}

static int bind_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_VM_BIND);
}

static void bind_undo(struct ctx *c)
{
	hvmem_unbind(c->dev, c->a.bind.id);
}

static int unbind_setup(struct ctx *c)
{
	__u32 id = 0;
	int ret = hvmem_bind_pid(c->dev, c->sleeper, &id);

	c->a.unbind = (struct hvmem_vm_unbind){ .size = sizeof(c->a.unbind), .id = id };
	return ret;
}

static int unbind_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_VM_UNBIND);
}

static void unbind_teardown(struct ctx *c)
{
	hvmem_unbind(c->dev, c->a.unbind.id);
}

static int list_setup(struct ctx *c)
{
	c->a.list = (struct hvmem_vm_list){ .size = sizeof(c->a.list),
		.entry_size = sizeof(c->infos[0]) + 8, .count = 32,
		.entries = (uintptr_t)c->infos };
	return 0;
}

static int list_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_VM_LIST);
}

/* ---- cache ---- */

static int pc_setup(struct ctx *c)
{
	c->a.pc = (struct hvmem_cache_pool_create){ .size = sizeof(c->a.pc), .vm_id = c->vm };
	return 0;
}

static int pc_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_CACHE_POOL_CREATE);
}

static void pc_undo(struct ctx *c)
{
	struct hvmem_cache_pool_destroy d = { .size = sizeof(d), .pool_id = c->a.pc.pool_id };

	ioctl(c->dev, HVMEM_IOC_CACHE_POOL_DESTROY, &d);
}

static int pd_setup(struct ctx *c)
{
	__u32 pool = 0;
	int ret = hvmem_pool_create(c->dev, c->vm, 0, &pool);

	c->a.pd = (struct hvmem_cache_pool_destroy){ .size = sizeof(c->a.pd), .pool_id = pool };
	return ret;
}

static int pd_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_CACHE_POOL_DESTROY);
}

static void pd_teardown(struct ctx *c)
{
	ioctl(c->dev, HVMEM_IOC_CACHE_POOL_DESTROY, &c->a.pd);
}

static void io_args(struct ctx *c, uint8_t *buf)
{
	unsigned int i;

	for (i = 0; i < NPG; i++)
		c->pages[i] = (struct hvmem_cache_page){ .oid = 7, .index = i };
	c->a.io = (struct hvmem_cache_io){ .size = sizeof(c->a.io), .pool_id = c->pool,
		.count = NPG, .pages = (uintptr_t)c->pages, .buf = (uintptr_t)buf,
		.page_size = c->pg, .entry_size = sizeof(c->pages[0]) };
}

/* Old pages under keys (7, 0..15), then a put of new ones under injection. */
static int put_setup(struct ctx *c)
{
	int ret;

	io_args(c, c->old);
	ret = call(c, HVMEM_IOC_CACHE_PUT);
	io_args(c, c->new);
	return ret;
}

static int put_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_CACHE_PUT);
}

/* After the put, succeeded or not, no key may give its old page back. */
static int put_verify(struct ctx *c, int ret)
{
	unsigned int i, stale = 0;

	io_args(c, c->got);
	memset(c->got, 0x5a, NPG * c->pg);
	if (call(c, HVMEM_IOC_CACHE_GET))
		return 0;
	for (i = 0; i < NPG; i++) {
		if (c->pages[i].result)
			continue;
		if (!memcmp(c->got + i * c->pg, c->old + i * c->pg, c->pg) &&
		    memcmp(c->old + i * c->pg, c->new + i * c->pg, c->pg))
			stale++;
		else if (memcmp(c->got + i * c->pg, c->new + i * c->pg, c->pg))
			stale += 1000;
	}
	if (stale)
		printf("# failnth: cache_put: %u keys returned their old page, %u a wrong one (put returned %d)\n",
		       stale % 1000, stale / 1000, ret);
	return stale ? -1 : 0;
}

static void flush_obj(struct ctx *c)
{
	struct hvmem_cache_flush_object f = { .size = sizeof(f), .pool_id = c->pool, .oid = 7 };

	ioctl(c->dev, HVMEM_IOC_CACHE_FLUSH_OBJECT, &f);
}

static int get_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_CACHE_GET);
}

static int get_setup(struct ctx *c)
{
	int ret;

	io_args(c, c->new);
	ret = call(c, HVMEM_IOC_CACHE_PUT);
	io_args(c, c->got);
	return ret;
}

/* Every hit returns the page put under its key. */
static int get_verify(struct ctx *c, int ret)
{
	unsigned int i;

	for (i = 0; i < NPG && i < c->a.io.done; i++)
		if (!c->pages[i].result &&
		    memcmp(c->got + i * c->pg, c->new + i * c->pg, c->pg)) {
			printf("# failnth: cache_get: page %u is not the one put\n", i);
			return -1;
		}
	return 0;
}

static int flush_setup(struct ctx *c)
{
	int ret = get_setup(c);

	c->a.io.buf = 0;
	return ret;
}

static int flush_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_CACHE_FLUSH);
}

static int fo_setup(struct ctx *c)
{
	int ret = get_setup(c);

	c->a.fo = (struct hvmem_cache_flush_object){ .size = sizeof(c->a.fo),
		.pool_id = c->pool, .oid = 7 };
	return ret;
}

static int fo_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_CACHE_FLUSH_OBJECT);
}

static int cvm_setup(struct ctx *c)
{
	c->a.cvm = (struct hvmem_cache_vm){ .size = sizeof(c->a.cvm), .vm_id = c->vm2,
		.shares = 500, .cap = 100 };
	return 0;
}

static int cvm_set_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_CACHE_VM_SET);
}

static void cvm_undo(struct ctx *c)
{
	struct hvmem_cache_vm v = { .size = sizeof(v), .vm_id = c->vm2, .shares = 1000 };

	ioctl(c->dev, HVMEM_IOC_CACHE_VM_SET, &v);
}

static int cvm_stats_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_CACHE_VM_STATS);
}

static int cs_setup(struct ctx *c)
{
	c->a.cs = (struct hvmem_cache_stats){ .size = sizeof(c->a.cs) };
	return 0;
}

static int cs_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_CACHE_STATS);
}

/* ---- mrc ---- */

static int mo_priv_setup(struct ctx *c)
{
	c->a.mo = (struct hvmem_mrc_open){ .size = sizeof(c->a.mo),
		.flags = HVMEM_MRC_OPEN_PRIVATE, .s_max = 512, .near = 16 };
	return 0;
}

static int mo_vm_setup(struct ctx *c)
{
	c->a.mo = (struct hvmem_mrc_open){ .size = sizeof(c->a.mo), .vm_id = c->vm };
	if (ioctl(c->dev, HVMEM_IOC_MRC_OPEN, &c->a.mo))
		return -errno;
	close(c->a.mo.fd);
	c->a.mo.fd = 0;
	return 0;
}

static int mo_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_MRC_OPEN);
}

static void mo_undo(struct ctx *c)
{
	close(c->a.mo.fd);
}

static int mrc_fd_setup(struct ctx *c)
{
	if (c->mrc_fd < 0) {
		struct hvmem_mrc_open o = { .size = sizeof(o), .flags = HVMEM_MRC_OPEN_PRIVATE,
					    .s_max = 256, .near = 8 };

		if (ioctl(c->dev, HVMEM_IOC_MRC_OPEN, &o))
			return -errno;
		c->mrc_fd = o.fd;
	}
	return 0;
}

static int mf_setup(struct ctx *c)
{
	unsigned int i;

	for (i = 0; i < 1024; i++)
		c->feed[i] = (i * 2654435761U) % 3000;
	c->a.mf = (struct hvmem_mrc_feed){ .size = sizeof(c->a.mf), .count = 1024,
		.pages = (uintptr_t)c->feed };
	return mrc_fd_setup(c);
}

static int mf_run(struct ctx *c)
{
	return ioctl(c->mrc_fd, HVMEM_IOC_MRC_FEED, &c->a) ? -errno : 0;
}

static int mq_setup(struct ctx *c)
{
	unsigned int i;

	for (i = 0; i < 64; i++)
		c->sizes[i] = i * 32;
	c->a.mq = (struct hvmem_mrc_query){ .size = sizeof(c->a.mq), .count = 64,
		.sizes = (uintptr_t)c->sizes, .ratios = (uintptr_t)c->ratios };
	return mrc_fd_setup(c);
}

static int mq_run(struct ctx *c)
{
	return ioctl(c->mrc_fd, HVMEM_IOC_MRC_QUERY, &c->a) ? -errno : 0;
}

static int mr_setup(struct ctx *c)
{
	c->a.mr = (struct hvmem_mrc_reset){ .size = sizeof(c->a.mr) };
	return mrc_fd_setup(c);
}

static int mr_run(struct ctx *c)
{
	return ioctl(c->mrc_fd, HVMEM_IOC_MRC_RESET, &c->a) ? -errno : 0;
}

/* ---- share ---- */

static int ss_setup(struct ctx *c)
{
	c->a.ss = (struct hvmem_share_scan){ .size = sizeof(c->a.ss), .vm_id = c->vm };
	return 0;
}

static int ss_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_SHARE_SCAN);
}

static int st_setup(struct ctx *c)
{
	c->a.st = (struct hvmem_share_stats){ .size = sizeof(c->a.st), .vm_id = c->vm };
	return 0;
}

static int st_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_SHARE_STATS);
}

static int sr_setup(struct ctx *c)
{
	c->a.sr = (struct hvmem_share_regions){ .size = sizeof(c->a.sr), .vm_id = c->vm,
		.count = 64, .entry_size = sizeof(c->regions[0]),
		.regions = (uintptr_t)c->regions };
	return 0;
}

static int sr_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_SHARE_REGIONS);
}

static int sv_setup(struct ctx *c)
{
	c->a.sv = (struct hvmem_share_vm){ .size = sizeof(c->a.sv), .vm_id = c->vm2,
		.flags = HVMEM_SHARE_VM_CROSS };
	return 0;
}

static int sv_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_SHARE_VM_SET);
}

static void sv_undo(struct ctx *c)
{
	struct hvmem_share_vm v = { .size = sizeof(v), .vm_id = c->vm2 };

	ioctl(c->dev, HVMEM_IOC_SHARE_VM_SET, &v);
}

/* ---- dm-swapres: fi_r is a live reservation, fi_x the device under test ---- */

static int dm_need(struct ctx *c)
{
	return c->have_dm ? 0 : -ENOENT;
}

static int resv_load_setup(struct ctx *c)
{
	int ret = dm_need(c);

	if (!ret)
		ret = dm_create(c->ctl, "fi_x");
	return ret;
}

static int resv_load_run(struct ctx *c)
{
	/* a second reservation over the other half of the backing device */
	return dm_load(c->ctl, "fi_x", 0, 16384, "swapres-resv", c->msg);
}

static void dm_x_remove(struct ctx *c)
{
	if (dm_remove(c->ctl, "fi_x")) {
		dm_clear(c->ctl, "fi_x");
		dm_remove(c->ctl, "fi_x");
	}
}

static int resv_resume_setup(struct ctx *c)
{
	int ret = resv_load_setup(c);

	if (!ret)
		ret = resv_load_run(c);
	return ret;
}

static int x_resume_run(struct ctx *c)
{
	return dm_resume(c->ctl, "fi_x");
}

static int thin_load_setup(struct ctx *c)
{
	int ret = dm_need(c);

	if (!ret)
		ret = dm_create(c->ctl, "fi_x");
	snprintf(c->msg, sizeof(c->msg), "%s fivm 100", c->resv_mm);
	return ret;
}

static int thin_load_run(struct ctx *c)
{
	return dm_load(c->ctl, "fi_x", 0, 8192, "swapres", c->msg);
}

static int thin_resume_setup(struct ctx *c)
{
	int ret = thin_load_setup(c);

	if (!ret)
		ret = thin_load_run(c);
	return ret;
}

static int msg_run(struct ctx *c)
{
	return dm_message(c->ctl, "fi_r", 0, c->msg);
}

static int msg_pool_setup(struct ctx *c)
{
	snprintf(c->msg, sizeof(c->msg), "create_pool fipool 10");
	return dm_need(c);
}

static void msg_pool_undo(struct ctx *c)
{
	dm_message(c->ctl, "fi_r", 0, "remove_pool fipool");
}

static int msg_rmpool_setup(struct ctx *c)
{
	int ret = dm_need(c);

	if (!ret)
		ret = dm_message(c->ctl, "fi_r", 0, "create_pool fipool 10");
	snprintf(c->msg, sizeof(c->msg), "remove_pool fipool");
	return ret;
}

static int msg_oc_setup(struct ctx *c)
{
	snprintf(c->msg, sizeof(c->msg), "overcommit 1");
	return dm_need(c);
}

static void msg_oc_undo(struct ctx *c)
{
	dm_message(c->ctl, "fi_r", 0, "overcommit 0");
}

static const struct op ops[] = {
	{ "bind_pid", bind_pid_setup, bind_run, bind_undo },
	{ "bind_kvm", bind_kvm_setup, bind_run, bind_undo },
	{ "unbind", unbind_setup, unbind_run, NULL, unbind_teardown },
	{ "vm_list", list_setup, list_run },
	{ "pool_create", pc_setup, pc_run, pc_undo },
	{ "pool_destroy", pd_setup, pd_run, NULL, pd_teardown },
	{ "cache_put", put_setup, put_run, NULL, flush_obj, put_verify },
	{ "cache_get", get_setup, get_run, NULL, flush_obj, get_verify },
	{ "cache_flush", flush_setup, flush_run, NULL, flush_obj },
	{ "cache_flush_object", fo_setup, fo_run, NULL, flush_obj },
	{ "cache_vm_set", cvm_setup, cvm_set_run, cvm_undo },
	{ "cache_vm_stats", cvm_setup, cvm_stats_run },
	{ "cache_stats", cs_setup, cs_run },
	{ "mrc_open_private", mo_priv_setup, mo_run, mo_undo },
	{ "mrc_open_vm", mo_vm_setup, mo_run, mo_undo },
	{ "mrc_feed", mf_setup, mf_run },
	{ "mrc_query", mq_setup, mq_run },
	{ "mrc_reset", mr_setup, mr_run },
	{ "share_scan", ss_setup, ss_run },
	{ "share_stats", st_setup, st_run },
	{ "share_regions", sr_setup, sr_run },
	{ "share_vm_set", sv_setup, sv_run, sv_undo },
	{ "dm_resv_load", resv_load_setup, resv_load_run, NULL, dm_x_remove },
	{ "dm_resv_resume", resv_resume_setup, x_resume_run, NULL, dm_x_remove },
	{ "dm_thin_load", thin_load_setup, thin_load_run, NULL, dm_x_remove },
	{ "dm_thin_resume", thin_resume_setup, x_resume_run, NULL, dm_x_remove },
	{ "dm_msg_create_pool", msg_pool_setup, msg_run, msg_pool_undo },
	{ "dm_msg_remove_pool", msg_rmpool_setup, msg_run, NULL, msg_pool_undo },
	{ "dm_msg_overcommit", msg_oc_setup, msg_run, msg_oc_undo },
};

/* ---- module init ---- */

static int mod_run(struct ctx *c)
{
	return syscall(SYS_finit_module, c->modfd, "", 0) ? -errno : 0;
}

static void mod_undo(struct ctx *c)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (!syscall(SYS_delete_module, c->modname, O_NONBLOCK) || errno == ENOENT)
			return;
		usleep(20000);
	}
	printf("# failnth: cannot unload %s: %s\n", c->modname, strerror(errno));
}

static const struct op mod_op = { "module_init", NULL, mod_run, mod_undo };

/* Errors an injected allocation failure may cause. */
static bool fault_errno_ok(int e)
{
	return e == ENOMEM || e == EFAULT || e == EAGAIN || e == EINTR || e == ENOSPC ||
	       e == EIO || e == EBUSY || e == ENOBUFS;
}

static void sweep(struct ctx *c, const struct op *op, int fn, unsigned int max)
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
		state(c, before);
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
			state(c, after);
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
		static char name[64];
		const char *b = strrchr(module, '/');

		snprintf(name, sizeof(name), "%s", b ? b + 1 : module);
		*strstr(name, ".ko") = 0;
		for (i = 0; name[i]; i++)
			if (name[i] == '-')
				name[i] = '_';
		c.modname = name;
		c.modfd = open(module, O_RDONLY | O_CLOEXEC);
		c.dev = -1;
		if (c.modfd < 0) {
			printf("# failnth: %s: %s\n", module, strerror(errno));
			return 1;
		}
		c.dev = hvmem_dev();	/* for the state: -1 while hvmem.ko is what loads */
		if (!strcmp(name, "hvmem") && c.dev >= 0) {
			printf("# failnth: unload hvmem.ko first\n");
			return 1;
		}
		sweep(&c, &mod_op, fn, max);
		if (c.dev >= 0)
			close(c.dev);
	} else {
		ret = setup_ctx(&c, backing);
		if (ret) {
			printf("# failnth: setup: %s\n", strerror(-ret));
			return 1;
		}
		snprintf(c.msg, sizeof(c.msg), "%s 16384 8", backing ? backing : "");
		for (i = 0; i < ARRAY_SIZE(ops); i++) {
			if (only && !strstr(ops[i].name, only))
				continue;
			if (!strncmp(ops[i].name, "dm_resv", 7))
				snprintf(c.msg, sizeof(c.msg), "%s 16384 8", backing ? backing : "");
			sweep(&c, &ops[i], fn, max);
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
