// SPDX-License-Identifier: GPL-2.0
/*
 * hvmem_fuzz - seeded, reproducible fuzzer of /dev/hvmem and dm-swapres.
 *
 *   hvmem_fuzz [--seed S] [--calls N] [--unpriv] [--sleepers N] [--kvm N]
 *   hvmem_fuzz --dm BACKING_DEV [--seed S] [--calls N]
 *
 * ioctl mode: random commands over every /dev/hvmem number range (core,
 * cache, mrc, share and the unassigned ones up to 0x5f and beyond), with
 * random sizes, flags, ids (of live VMs: forked sleepers and tiny KVM VMs,
 * and random ones) and user pointers (valid, NULL, unmapped, read-only,
 * straddling a PROT_NONE guard page, kernel addresses), plus the ioctls of
 * MRC context fds. Every call must return 0 or an errno of the ABI.
 * --unpriv: drop to nobody first; every control command must then fail
 * with EPERM (unknown numbers: ENOTTY), only GET_VERSION may work.
 *
 * dm mode: random swapres-resv / swapres table strings, loads, resumes,
 * reloads and target messages through the DM ioctls, on BACKING_DEV.
 *
 * Prints "hvmem_fuzz: seed S: N calls ..." and exits 1 on any call that
 * broke the rules (the seed and call number are printed to replay it).
 */
#include <grp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "stress_util.h"
#include "hvmem_util.h"
#include "kvm_tiny.h"

#define MAX_IDS		32
#define MAX_SLEEPERS	16
#define MAX_CTX		8
#define DATA_LEN	(4UL << 20)

enum kind {
	K_VERSION, K_BIND, K_UNBIND, K_LIST,
	K_POOL_CREATE, K_POOL_DESTROY, K_IO, K_FLUSH_OBJ, K_CVM, K_CSTATS,
	K_MRC_OPEN, K_SHARE_SCAN, K_SHARE_STATS, K_SHARE_REGIONS, K_SHARE_VM,
	K_MRC_FEED, K_MRC_QUERY, K_MRC_RESET, K_RANDOM,
};

struct cmd {
	unsigned long req;
	enum kind kind;
	unsigned int size;	/* sizeof the argument struct */
	unsigned int weight;
};

#define C(r, k, s, w) { r, k, sizeof(struct s), w }
/* Weights: the costly commands (binds, share scans and stats) are rarer. */
static const struct cmd cmds[] = {
	C(HVMEM_IOC_GET_VERSION, K_VERSION, hvmem_version, 8),
	C(HVMEM_IOC_VM_BIND, K_BIND, hvmem_vm_bind, 6),
	C(HVMEM_IOC_VM_UNBIND, K_UNBIND, hvmem_vm_unbind, 3),
	C(HVMEM_IOC_VM_LIST, K_LIST, hvmem_vm_list, 12),
	C(HVMEM_IOC_CACHE_POOL_CREATE, K_POOL_CREATE, hvmem_cache_pool_create, 16),
	C(HVMEM_IOC_CACHE_POOL_DESTROY, K_POOL_DESTROY, hvmem_cache_pool_destroy, 6),
	C(HVMEM_IOC_CACHE_PUT, K_IO, hvmem_cache_io, 30),
	C(HVMEM_IOC_CACHE_GET, K_IO, hvmem_cache_io, 24),
	C(HVMEM_IOC_CACHE_FLUSH, K_IO, hvmem_cache_io, 12),
	C(HVMEM_IOC_CACHE_FLUSH_OBJECT, K_FLUSH_OBJ, hvmem_cache_flush_object, 8),
	C(HVMEM_IOC_CACHE_VM_SET, K_CVM, hvmem_cache_vm, 10),
	C(HVMEM_IOC_CACHE_VM_STATS, K_CVM, hvmem_cache_vm, 10),
	C(HVMEM_IOC_CACHE_STATS, K_CSTATS, hvmem_cache_stats, 6),
	C(HVMEM_IOC_MRC_OPEN, K_MRC_OPEN, hvmem_mrc_open, 10),
	C(HVMEM_IOC_SHARE_SCAN, K_SHARE_SCAN, hvmem_share_scan, 1),
	C(HVMEM_IOC_SHARE_STATS, K_SHARE_STATS, hvmem_share_stats, 1),
	C(HVMEM_IOC_SHARE_REGIONS, K_SHARE_REGIONS, hvmem_share_regions, 1),
	C(HVMEM_IOC_SHARE_VM_SET, K_SHARE_VM, hvmem_share_vm, 6),
	C(HVMEM_IOC_MRC_FEED, K_MRC_FEED, hvmem_mrc_feed, 6),
	C(HVMEM_IOC_MRC_QUERY, K_MRC_QUERY, hvmem_mrc_query, 6),
	C(HVMEM_IOC_MRC_RESET, K_MRC_RESET, hvmem_mrc_reset, 4),
	{ 0, K_RANDOM, 64, 40 },
};
#define NR_CMDS ARRAY_SIZE(cmds)

static struct rng rng;
static struct arena args, data;
static int dev, unpriv, fd_base;
static __u32 ids[MAX_IDS], pools[MAX_IDS];
static unsigned int nr_ids, nr_pools;
static pid_t sleepers[MAX_SLEEPERS];
static unsigned int nr_sleepers;
static int ctx_fds[MAX_CTX];
static unsigned int nr_ctx;
static struct kvm_tiny kvms[4];
static unsigned int nr_kvm;
static unsigned long long calls, oks, bad, errs[256];
static unsigned long long cur_call, seed;
static double cmd_time[NR_CMDS];
static unsigned long long cmd_calls[NR_CMDS];

static void remember(__u32 *set, unsigned int *n, __u32 v)
{
	if (!v)
		return;
	if (*n < MAX_IDS)
		set[(*n)++] = v;
	else
		set[rng_below(&rng, MAX_IDS)] = v;
}

/* A VM id: mostly a live one, else an interesting number. */
static __u32 pick_id(__u32 *set, unsigned int n)
{
	if (n && rng_below(&rng, 5))
		return set[rng_below(&rng, n)];
	return (__u32)rng_interesting(&rng);
}

static __s32 pick_pid(void)
{
	switch (rng_below(&rng, 6)) {
	case 0:
		return (__s32)rng_interesting(&rng);
	case 1:
		return getpid();
	default:
		return nr_sleepers ? sleepers[rng_below(&rng, nr_sleepers)] : getpid();
	}
}

/* A user pointer to @n bytes of the data arena (valid, NULL, unmapped, ...). */
static __u64 data_ptr(size_t n)
{
	enum ptr_kind k = rng_ptr_kind(&rng);

	if (k == PTR_VALID && n < data.len && rng_one_in(&rng, 2))	/* anywhere inside */
		return (uintptr_t)(data.rw + rng_below(&rng, (data.len - n) / 8 + 1) * 8);
	return (uintptr_t)arena_ptr(&data, &rng, n, k);
}

static __u32 pick_count(__u32 max)
{
	switch (rng_below(&rng, 16)) {	/* big batches are slow under KASAN: mostly small ones */
	case 0:
		return (__u32)rng_interesting(&rng);
	case 1:
		return max;
	default:
		return (__u32)rng_below(&rng, max < 64 ? max + 1 : 64);
	}
}

/* Fill @a (the argument struct of @c) with mostly plausible values. */
static void fill(const struct cmd *c, void *a)
{
	long pg = sysconf(_SC_PAGESIZE);

	memset(a, 0, 256);
	*(__u32 *)a = c->size;
	switch (c->kind) {
	case K_BIND: {
		struct hvmem_vm_bind *b = a;

		if (nr_kvm && rng_one_in(&rng, 4)) {
			b->flags = HVMEM_BIND_BY_KVM_FD;
			b->kvm_fd = kvms[rng_below(&rng, nr_kvm)].vm;
		} else {
			b->flags = HVMEM_BIND_BY_PID;
			b->kvm_fd = -1;
			b->pid = pick_pid();
		}
		break;
	}
	case K_UNBIND:
		((struct hvmem_vm_unbind *)a)->id = pick_id(ids, nr_ids);
		break;
	case K_LIST: {
		struct hvmem_vm_list *l = a;

		l->entry_size = sizeof(struct hvmem_vm_info) + 8 * rng_below(&rng, 3);
		l->count = pick_count(64);
		l->entries = data_ptr((size_t)l->count * l->entry_size);
		break;
	}
	case K_POOL_CREATE: {
		struct hvmem_cache_pool_create *p = a;

		p->flags = rng_below(&rng, 2) * HVMEM_CACHE_POOL_NO_DEDUP;
		p->vm_id = pick_id(ids, nr_ids);
		break;
	}
	case K_POOL_DESTROY:
		((struct hvmem_cache_pool_destroy *)a)->pool_id = pick_id(pools, nr_pools);
		break;
	case K_IO: {
		struct hvmem_cache_io *io = a;
		struct hvmem_cache_page *pages;
		unsigned int i, n;

		io->pool_id = pick_id(pools, nr_pools);
		io->count = pick_count(HVMEM_CACHE_BATCH_MAX);
		io->page_size = rng_one_in(&rng, 16) ? (__u32)rng_interesting(&rng) : pg;
		io->entry_size = rng_one_in(&rng, 16) ? (__u32)rng_interesting(&rng) :
			sizeof(struct hvmem_cache_page);
		n = io->count <= HVMEM_CACHE_BATCH_MAX ? io->count : 0;
		/* the page array sits at the start of the data arena */
		pages = (void *)data.rw;
		for (i = 0; i < n; i++) {
			pages[i].oid = rng_below(&rng, 4);
			pages[i].index = rng_one_in(&rng, 8) ? rng_interesting(&rng) :
							       rng_below(&rng, 64);
			pages[i].gen = rng_one_in(&rng, 4) ? rng_below(&rng, 1000) : 0;
			pages[i].result = 0;
			pages[i].reserved = rng_one_in(&rng, 64);
		}
		io->pages = rng_below(&rng, 4) ? (uintptr_t)pages :
			    data_ptr((size_t)n * sizeof(*pages));
		if (c->req != HVMEM_IOC_CACHE_FLUSH || rng_one_in(&rng, 8))
			io->buf = data_ptr((size_t)n * pg);
		break;
	}
	case K_FLUSH_OBJ: {
		struct hvmem_cache_flush_object *f = a;

		f->pool_id = pick_id(pools, nr_pools);
		f->oid = rng_below(&rng, 4);
		break;
	}
	case K_CVM: {
		struct hvmem_cache_vm *v = a;

		v->vm_id = pick_id(ids, nr_ids);
		v->shares = rng_below(&rng, 2) ? 1 + rng_below(&rng, 2000) :
						 (__u32)rng_interesting(&rng);
		v->cap = rng_below(&rng, 2) ? rng_below(&rng, 256) : rng_interesting(&rng);
		break;
	}
	case K_MRC_OPEN: {
		struct hvmem_mrc_open *o = a;

		if (rng_below(&rng, 2)) {
			o->flags = HVMEM_MRC_OPEN_PRIVATE;
			o->s_max = rng_below(&rng, 2) ? rng_below(&rng, 4096) :
							(__u32)rng_interesting(&rng);
			o->threshold = rng_below(&rng, 2) ? 0 : rng_interesting(&rng);
			o->near = rng_below(&rng, 2) ? rng_below(&rng, 64) :
						       (__u32)rng_interesting(&rng);
		} else {
			o->vm_id = pick_id(ids, nr_ids);
		}
		break;
	}
	case K_SHARE_SCAN: {
		struct hvmem_share_scan *s = a;

		if (rng_one_in(&rng, 8))
			s->flags = HVMEM_SHARE_SCAN_ALL;
		else
			s->vm_id = pick_id(ids, nr_ids);
		break;
	}
	case K_SHARE_STATS:
		((struct hvmem_share_stats *)a)->vm_id =
			rng_one_in(&rng, 4) ? 0 : pick_id(ids, nr_ids);
		break;
	case K_SHARE_REGIONS: {
		struct hvmem_share_regions *r = a;

		r->vm_id = pick_id(ids, nr_ids);
		r->count = pick_count(HVMEM_SHARE_REGIONS_MAX);
		r->entry_size = rng_one_in(&rng, 16) ? (__u32)rng_interesting(&rng) :
			sizeof(struct hvmem_share_region);
		r->regions = data_ptr((size_t)(r->count & 0xffff) *
				      sizeof(struct hvmem_share_region));
		break;
	}
	case K_SHARE_VM: {
		struct hvmem_share_vm *v = a;

		v->vm_id = pick_id(ids, nr_ids);
		v->flags = rng_below(&rng, 2);
		break;
	}
	case K_MRC_FEED: {
		struct hvmem_mrc_feed *f = a;
		__u64 *p = (void *)(data.rw + data.len / 2);
		unsigned int i;

		f->count = pick_count(HVMEM_MRC_FEED_MAX);
		for (i = 0; i < (f->count < 4096 ? f->count : 4096); i++)
			p[i] = rng_below(&rng, 8) ? rng_below(&rng, 2048) : rng_next(&rng);
		f->pages = rng_below(&rng, 3) ? (uintptr_t)p : data_ptr((size_t)f->count * 8);
		break;
	}
	case K_MRC_QUERY: {
		struct hvmem_mrc_query *q = a;
		__u64 *s = (void *)(data.rw + data.len / 4);
		unsigned int i;

		q->count = pick_count(HVMEM_MRC_QUERY_MAX);
		for (i = 0; i < (q->count < 4096 ? q->count : 4096); i++)
			s[i] = rng_below(&rng, 2) ? i * 16 : rng_interesting(&rng);
		q->sizes = rng_below(&rng, 3) ? (uintptr_t)s : data_ptr((size_t)q->count * 8);
		q->ratios = data_ptr((size_t)q->count * 4);
		break;
	}
	default:
		break;
	}
}

/* Break the struct: sizes, flags, reserved fields, random words. */
static unsigned int mutate(const struct cmd *c, void *a)
{
	unsigned int size = c->size, i, n;
	__u32 *w = a;

	if (rng_one_in(&rng, 6)) {
		static const __u32 sizes[] = { 0, 4, 8, 12, 16, 4095, 4096, 4097,
					       0x7fffffff, 0xffffffff };

		w[0] = rng_below(&rng, 2) ? sizes[rng_below(&rng, 10)] :
					    (__u32)(c->size + 8 * rng_below(&rng, 4)) - 8;
		size = w[0] > c->size && w[0] <= 256 ? w[0] : c->size;
		if (size > c->size && rng_one_in(&rng, 2))	/* non-zero tail: -E2BIG */
			((__u8 *)a)[size - 1 - rng_below(&rng, size - c->size)] = 1;
	}
	if (rng_one_in(&rng, 8))
		w[1] = (__u32)rng_interesting(&rng);
	n = rng_one_in(&rng, 4) ? 1 + rng_below(&rng, 3) : 0;
	for (i = 0; i < n; i++) {
		unsigned int off = rng_below(&rng, c->size / 4);

		if (off >= 2)
			w[off] = (__u32)rng_interesting(&rng);
	}
	return size;
}

static unsigned long mutate_cmd(const struct cmd *c)
{
	unsigned long req = c->req;

	if (c->kind == K_RANDOM) {
		unsigned int nr = rng_below(&rng, 4) ? rng_below(&rng, 0x60) : rng_below(&rng, 256);
		unsigned int dir = rng_below(&rng, 4);

		return _IOC(dir, rng_one_in(&rng, 16) ? rng_below(&rng, 256) : HVMEM_IOCTL_MAGIC,
			    nr, rng_below(&rng, 2) ? 64 : rng_below(&rng, 0x4000));
	}
	if (rng_one_in(&rng, 16))	/* another direction */
		req = (req & ~(_IOC_DIRMASK << _IOC_DIRSHIFT)) |
		      ((unsigned long)rng_below(&rng, 4) << _IOC_DIRSHIFT);
	if (rng_one_in(&rng, 16))	/* another encoded size */
		req = (req & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT)) |
		      (rng_below(&rng, 0x4000) << _IOC_SIZESHIFT);
	return req;
}

/* A command of /dev/hvmem itself (the MRC context commands are not). */
static bool known_cmd(unsigned long req)
{
	unsigned int i;

	for (i = 0; i < NR_CMDS - 1; i++)
		if (cmds[i].kind != K_MRC_FEED && cmds[i].kind != K_MRC_QUERY &&
		    cmds[i].kind != K_MRC_RESET && _IOC_NR(cmds[i].req) == _IOC_NR(req) &&
		    _IOC_DIR(cmds[i].req) == _IOC_DIR(req) && _IOC_TYPE(req) == HVMEM_IOCTL_MAGIC)
			return true;
	return false;
}

/* Errors a privileged call may give (uapi/hvmem.h and what the kernel adds). */
static bool errno_allowed(int e)
{
	switch (e) {
	case EINVAL: case EFAULT: case ENOENT: case ENOTTY: case E2BIG: case ENXIO:
	case ENOSPC: case ENOMEM: case EEXIST: case ESRCH: case EBADF: case EPERM:
	case ENODATA: case EBUSY: case ESTALE: case EINTR: case EAGAIN: case EMFILE:
	case EOVERFLOW: case ENODEV:
		return true;
	}
	return false;
}

static void report(const char *what, unsigned long req, int ret, int e)
{
	bad++;
	printf("# hvmem_fuzz: seed %llu call %llu: %s: cmd 0x%lx (nr 0x%02lx) returned %d errno %d (%s)\n",
	       seed, cur_call, what, req, (unsigned long)_IOC_NR(req), ret, e,
	       strerror(e));
}

static void check(int fd, unsigned long req, int ret, int e, bool on_ctx)
{
	calls++;
	if (!ret) {
		oks++;
		if (unpriv && !(_IOC_NR(req) == 0 && _IOC_DIR(req) == _IOC_DIR(HVMEM_IOC_GET_VERSION) &&
				!on_ctx) && !(on_ctx && _IOC_NR(req) == _IOC_NR(HVMEM_IOC_MRC_QUERY)))
			report("unprivileged call succeeded", req, ret, 0);
		return;
	}
	errs[e & 0xff]++;
	if (ret != -1) {
		report("returned neither 0 nor -1", req, ret, e);
		return;
	}
	if (unpriv) {
		if (_IOC_NR(req) == 0 && _IOC_DIR(req) == _IOC_DIR(HVMEM_IOC_GET_VERSION))
			return;
		if (e == EPERM || e == EACCES)
			return;
		if (e == ENOTTY && (!known_cmd(req) || on_ctx))
			return;
		report("unprivileged call failed with other than EPERM", req, ret, e);
		return;
	}
	if (!errno_allowed(e))
		report("unexpected errno", req, ret, e);
}

static void spawn_sleeper(void)
{
	__u32 id;
	pid_t pid;

	if (nr_sleepers == MAX_SLEEPERS) {
		unsigned int i = rng_below(&rng, nr_sleepers);

		sleeper_kill(sleepers[i]);	/* its binding ends with its mm */
		sleepers[i] = sleepers[--nr_sleepers];
	}
	pid = sleeper_spawn();
	if (pid <= 0)
		return;
	sleepers[nr_sleepers++] = pid;
	if (!unpriv && !hvmem_bind_pid(dev, pid, &id))
		remember(ids, &nr_ids, id);
}

static void one_call(void)
{
	const struct cmd *c;
	unsigned int w = 0, total = 0, i, size;
	unsigned long req;
	uint8_t *a, tmp[4352];
	enum ptr_kind k;
	bool on_ctx;
	int fd = dev, ret, e;
	double t0;

	for (i = 0; i < NR_CMDS; i++)
		total += cmds[i].weight;
	w = rng_below(&rng, total);
	for (i = 0; w >= cmds[i].weight; i++)
		w -= cmds[i].weight;
	c = &cmds[i];
	on_ctx = c->kind == K_MRC_FEED || c->kind == K_MRC_QUERY || c->kind == K_MRC_RESET;
	if (on_ctx) {
		if (!nr_ctx || rng_one_in(&rng, 16))
			on_ctx = false;	/* MRC commands on /dev/hvmem itself */
		else
			fd = ctx_fds[rng_below(&rng, nr_ctx)];
	}
	fill(c, tmp);
	size = mutate(c, tmp);
	req = mutate_cmd(c);
	k = rng_ptr_kind(&rng);
	if (k == PTR_RO) {
		mprotect(args.ro, args.page, PROT_READ | PROT_WRITE);
		memcpy(args.ro, tmp, size);
		mprotect(args.ro, args.page, PROT_READ);
	}
	a = arena_ptr(&args, &rng, size, k);
	if (k == PTR_VALID || k == PTR_UNALIGNED)
		memcpy(a, tmp, size);
	else if (k == PTR_STRADDLE)
		memcpy(a, tmp, args.guard - a);
	t0 = now_s();
	ret = ioctl(fd, req, a);
	e = ret ? errno : 0;
	cmd_time[c - cmds] += now_s() - t0;
	cmd_calls[c - cmds]++;
	check(fd, req, ret, e, on_ctx);
	if (ret || (k != PTR_VALID && k != PTR_UNALIGNED))
		return;
	/* remember what the call made */
	if (req == HVMEM_IOC_VM_BIND)
		remember(ids, &nr_ids, ((struct hvmem_vm_bind *)a)->id);
	else if (req == HVMEM_IOC_CACHE_POOL_CREATE)
		remember(pools, &nr_pools, ((struct hvmem_cache_pool_create *)a)->pool_id);
	else if (req == HVMEM_IOC_MRC_OPEN && !on_ctx) {
		int nfd = ((struct hvmem_mrc_open *)a)->fd;

		if (nr_ctx == MAX_CTX) {
			close(ctx_fds[0]);
			memmove(ctx_fds, ctx_fds + 1, sizeof(int) * (MAX_CTX - 1));
			nr_ctx--;
		}
		ctx_fds[nr_ctx++] = nfd;
	}
}

/* A failed copy-out of MRC_OPEN leaves an fd the caller cannot learn: close them all. */
static void close_stray_fds(void)
{
	unsigned int i;

	for (i = 0; i < nr_ctx; i++)
		close(ctx_fds[i]);
	nr_ctx = 0;
	syscall(SYS_close_range, fd_base, ~0U, 0);
}

static int drop_privileges(void)
{
	if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
		return -errno;
	prctl(PR_SET_DUMPABLE, 1);
	return 0;
}

static int run_ioctls(unsigned long long n, unsigned int nsleep, unsigned int nkvm)
{
	unsigned long long i;

	dev = hvmem_dev();
	if (dev < 0) {
		printf("# hvmem_fuzz: /dev/hvmem: %s\n", strerror(errno));
		return 4;
	}
	for (i = 0; i < nkvm && i < 4; i++) {
		if (kvm_tiny_create(&kvms[nr_kvm]))
			break;
		if (!unpriv) {
			__u32 id;

			if (!hvmem_bind_kvm(dev, kvms[nr_kvm].vm, &id))
				remember(ids, &nr_ids, id);
		}
		nr_kvm++;
	}
	for (i = 0; i < nsleep; i++)
		spawn_sleeper();
	fd_base = 0;
	for (i = 0; i < 1024; i++)
		if (fcntl(i, F_GETFD) >= 0)
			fd_base = i + 1;
	if (unpriv && drop_privileges()) {
		printf("# hvmem_fuzz: cannot become nobody: %s\n", strerror(errno));
		return 4;
	}
	if (unpriv) {	/* and a device fd opened as nobody */
		close(dev);
		dev = hvmem_dev();
		if (dev < 0) {
			printf("# hvmem_fuzz: /dev/hvmem as nobody: %s\n", strerror(errno));
			return 1;
		}
	}
	for (cur_call = 0; cur_call < n; cur_call++) {
		one_call();
		if (cur_call % 256 == 255)
			close_stray_fds();
		if (cur_call % 512 == 511 && nsleep)
			spawn_sleeper();	/* VM churn: one process exits, another is bound */
	}
	close_stray_fds();
	return 0;
}

/* ---------------- dm mode ---------------- */

static char backing[128], backing_mm[32], resv_mm[32], thin_mm[2][32];
static unsigned long long backing_sectors;

static void num_token(char *o, size_t len)
{
	static const char * const odd[] = { "", "0x10", "8abc", "1e3",
					    "99999999999999999999999", " 8", "+8" };

	switch (rng_below(&rng, 6)) {
	case 0:
		snprintf(o, len, "-%llu", (unsigned long long)rng_below(&rng, 100));
		break;
	case 1:
		snprintf(o, len, "%s", odd[rng_below(&rng, ARRAY_SIZE(odd))]);
		break;
	case 2:
		snprintf(o, len, "%llu", (unsigned long long)rng_interesting(&rng));
		break;
	default:
		snprintf(o, len, "%llu", (unsigned long long)(8ULL << rng_below(&rng, 8)));
		break;
	}
}

static void name_token(char *o, size_t len)
{
	static const char * const names[] = {
		"vm0", "vm1", "vm2", "gold", "silver", "a/b", "..", "-", "x y",
		"0123456789012345678901234567890", "01234567890123456789012345678901",
		"pool", "overcommit", "\xff\xfe", "",
	};

	snprintf(o, len, "%s", names[rng_below(&rng, ARRAY_SIZE(names))]);
}

static void dev_token(char *o, size_t len)
{
	static const char * const d[] = { backing, backing_mm, resv_mm, thin_mm[0], thin_mm[1],
			    "/nonexistent", "0:0", "7:999", "253:4095" };

	snprintf(o, len, "%s", d[rng_below(&rng, 9)]);
}

/* A random swapres-resv or swapres parameter string. */
static void table_params(bool thin, char *o, size_t len)
{
	char t[8][64];
	unsigned int n = 0, i, extra;
	size_t used = 0;

	dev_token(t[n++], 64);
	if (thin) {
		name_token(t[n++], 64);
		num_token(t[n++], 64);
		if (rng_below(&rng, 2)) {
			snprintf(t[n++], 64, "%u", (unsigned int)rng_below(&rng, 4));
			snprintf(t[n++], 64, "%s", rng_below(&rng, 4) ? "pool" : "POOL");
			name_token(t[n++], 64);
		}
	} else {
		num_token(t[n++], 64);
		num_token(t[n++], 64);
		if (rng_below(&rng, 2)) {
			snprintf(t[n++], 64, "%u", (unsigned int)rng_below(&rng, 3));
			snprintf(t[n++], 64, "%s", rng_below(&rng, 4) ? "overcommit" : "junk");
		}
	}
	extra = rng_one_in(&rng, 4);
	if (extra && n < 8)
		num_token(t[n++], 64);
	if (rng_one_in(&rng, 6) && n > 1)
		n = rng_below(&rng, n);
	o[0] = 0;
	for (i = 0; i < n && used < len; i++)
		used += snprintf(o + used, len - used, "%s%s", i ? " " : "", t[i]);
}

static void message(char *o, size_t len)
{
	static const char * const verbs[] = { "create_pool", "remove_pool", "overcommit",
				       "pool_overcommit", "CREATE_POOL", "stats", "" };
	char a[64], b[64];

	name_token(a, sizeof(a));
	num_token(b, sizeof(b));
	switch (rng_below(&rng, 5)) {
	case 0:
		snprintf(o, len, "create_pool %s %s%s", a, b,
			 rng_below(&rng, 2) ? " overcommit" : "");
		break;
	case 1:
		snprintf(o, len, "remove_pool %s", a);
		break;
	case 2:
		snprintf(o, len, "overcommit %s", rng_below(&rng, 2) ? b : "1");
		break;
	case 3:
		snprintf(o, len, "pool_overcommit %s %s", a, rng_below(&rng, 2) ? b : "0");
		break;
	default:
		snprintf(o, len, "%s %s %s %s", verbs[rng_below(&rng, 7)], a, b, a);
		break;
	}
}

static bool dm_errno_allowed(int e)
{
	switch (e) {
	case EINVAL: case ENOSPC: case EBUSY: case ENXIO: case ENODEV: case ENOENT:
	case EEXIST: case ENOMEM: case E2BIG: case EPERM: case ENOTTY: case EOVERFLOW:
	case ERANGE: case EFBIG: case ENOTBLK: case EACCES:
		return true;
	}
	return false;
}

static void dm_check(const char *what, const char *arg, int ret)
{
	calls++;
	if (!ret) {
		oks++;
		return;
	}
	errs[-ret & 0xff]++;
	if (!dm_errno_allowed(-ret)) {
		bad++;
		printf("# hvmem_fuzz: seed %llu call %llu: %s '%s': %s\n", seed, cur_call, what, arg,
		       strerror(-ret));
	}
}

static unsigned long long rand_len(void)
{
	switch (rng_below(&rng, 5)) {
	case 0:
		return rng_interesting(&rng);
	case 1:
		return backing_sectors;
	default:
		return 8ULL << rng_below(&rng, 12);
	}
}

static int run_dm(unsigned long long n)
{
	const char *thins[2] = { "fz_thin0", "fz_thin1" };
	char p[512], st[4096];
	int ctl = dm_control(), ret, i;
	struct stat sb;

	if (ctl < 0 || stat(backing, &sb) || !S_ISBLK(sb.st_mode)) {
		printf("# hvmem_fuzz: need /dev/mapper/control and a block device\n");
		return 4;
	}
	backing_sectors = (unsigned long long)lseek(open(backing, O_RDONLY | O_CLOEXEC), 0,
						    SEEK_END) / 512;
	blk_majmin(backing, backing_mm, sizeof(backing_mm));
	snprintf(p, sizeof(p), "%s 0 8", backing);
	if (dm_create(ctl, "fz_resv") ||
	    dm_load_resume(ctl, "fz_resv", backing_sectors & ~7ULL, "swapres-resv", p)) {
		printf("# hvmem_fuzz: cannot create the reservation: %s\n", strerror(errno));
		dm_remove(ctl, "fz_resv");
		return 1;
	}
	dm_majmin(ctl, "fz_resv", resv_mm, sizeof(resv_mm));
	for (i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s vm%d 64", resv_mm, i);
		if (dm_create(ctl, thins[i]) ||
		    dm_load_resume(ctl, thins[i], 65536, "swapres", p))
			printf("# hvmem_fuzz: cannot create %s\n", thins[i]);
		dm_majmin(ctl, thins[i], thin_mm[i], sizeof(thin_mm[i]));
	}
	dm_create(ctl, "fz_x");
	for (cur_call = 0; cur_call < n; cur_call++) {
		unsigned int op = rng_below(&rng, 20);
		bool thin = rng_below(&rng, 2);

		if (op < 9) {	/* a random table, mostly left inactive and cleared */
			table_params(thin, p, sizeof(p));
			ret = dm_load(ctl, "fz_x", rng_one_in(&rng, 8), rand_len(),
				      thin ? "swapres" : "swapres-resv", p);
			dm_check("load", p, ret);
			if (!ret && rng_one_in(&rng, 8)) {
				ret = dm_resume(ctl, "fz_x");
				dm_check("resume", p, ret);
				/* a live table goes with its device */
				if (!ret && !dm_remove(ctl, "fz_x")) {
					dm_create(ctl, "fz_x");
					continue;
				}
			}
			dm_clear(ctl, "fz_x");
		} else if (op < 16) {	/* a message */
			message(p, sizeof(p));
			dm_check("message", p, dm_message(ctl, rng_one_in(&rng, 6) ?
							  thins[0] : "fz_resv",
							  rng_one_in(&rng, 8) ? rng_next(&rng) : 0, p));
		} else if (op < 19) {	/* reload a thin device */
			const char *t = thins[rng_below(&rng, 2)];

			if (rng_below(&rng, 2))
				snprintf(p, sizeof(p), "%s vm%d %s", resv_mm,
					 (int)rng_below(&rng, 3),
					 rng_below(&rng, 2) ? "64" : "65");
			else
				table_params(true, p, sizeof(p));
			ret = dm_load(ctl, t, 0, rng_below(&rng, 2) ? 65536 : rand_len(),
				      "swapres", p);
			dm_check("reload", p, ret);
			if (!ret) {
				dm_suspend(ctl, t);
				dm_check("resume", p, dm_resume(ctl, t));
			}
		} else {	/* a new table for the reservation itself */
			table_params(false, p, sizeof(p));
			ret = dm_load(ctl, "fz_resv", 0, rand_len(),
				      rng_below(&rng, 4) ? "swapres-resv" : "error", p);
			dm_check("reload reservation", p, ret);
			if (!ret)	/* never made live: defect 6 is tested by hand */
				dm_clear(ctl, "fz_resv");
		}
	}
	if (dm_remove(ctl, "fz_x")) {
		dm_clear(ctl, "fz_x");
		dm_remove(ctl, "fz_x");
	}
	for (i = 0; i < 2; i++)
		dm_remove(ctl, thins[i]);
	ret = dm_remove(ctl, "fz_resv");
	if (ret) {
		dm_state(ctl, "fz_resv", st, sizeof(st));
		printf("# hvmem_fuzz: reservation not removable at the end: %s (%s)\n",
		       strerror(-ret), st);
		bad++;
	}
	close(ctl);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long long n = 10000;
	unsigned int nsleep = 4, nkvm = 1, i;
	const char *dm = NULL;
	int ret;

	seed = time(NULL);
	for (i = 1; i < (unsigned int)argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < (unsigned int)argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--calls") && i + 1 < (unsigned int)argc)
			n = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--sleepers") && i + 1 < (unsigned int)argc)
			nsleep = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--kvm") && i + 1 < (unsigned int)argc)
			nkvm = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--dm") && i + 1 < (unsigned int)argc)
			dm = argv[++i];
		else if (!strcmp(argv[i], "--unpriv"))
			unpriv = 1;
		else {
			fprintf(stderr, "usage: %s [--seed S] [--calls N] [--unpriv] [--sleepers N] [--kvm N] [--dm BACKING]\n",
				argv[0]);
			return 2;
		}
	}
	rng_seed(&rng, seed);
	printf("# hvmem_fuzz: seed %llu, %llu calls%s%s%s\n", seed, n,
	       unpriv ? ", as nobody" : "", dm ? ", dm on " : "", dm ? dm : "");
	fflush(stdout);
	signal(SIGPIPE, SIG_IGN);
	if (arena_init(&args, 8192) || arena_init(&data, DATA_LEN)) {
		printf("# hvmem_fuzz: mmap failed\n");
		return 1;
	}
	if (dm) {
		snprintf(backing, sizeof(backing), "%s", dm);
		ret = run_dm(n);
	} else {
		ret = run_ioctls(n, nsleep, nkvm);
	}
	while (nr_sleepers)
		sleeper_kill(sleepers[--nr_sleepers]);
	for (i = 0; i < nr_kvm; i++)
		kvm_tiny_close(&kvms[i]);
	if (ret)
		return ret;
	printf("# hvmem_fuzz: errno counts:");
	for (i = 0; i < 256; i++)
		if (errs[i])
			printf(" %s=%llu", strerrorname_np(i) ?: "?", errs[i]);
	if (!dm) {
		printf("\n# hvmem_fuzz: ms per call by command:");
		for (i = 0; i < NR_CMDS; i++)
			if (cmd_calls[i])
				printf(" %02lx=%.2f", (unsigned long)_IOC_NR(cmds[i].req),
				       1000 * cmd_time[i] / cmd_calls[i]);
	}
	printf("\nhvmem_fuzz: seed %llu: %llu calls, %llu ok, %llu broke the rules\n",
	       seed, calls, oks, bad);
	return bad ? 1 : 0;
}
