// SPDX-License-Identifier: GPL-2.0
/*
 * hvmem_fuzz's ioctl mode: random commands over every /dev/hvmem number
 * range and the MRC context fds, each call checked against the ABI's errors
 * (and, as nobody, against EPERM); VM churn with sleepers bound and killed.
 */
#include <grp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "fuzz.h"

#define MAX_CTX		8

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

static int fd_base;
static int ctx_fds[MAX_CTX];
static unsigned int nr_ctx;
static double cmd_time[NR_CMDS];
static unsigned long long cmd_calls[NR_CMDS];

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

/* GET_VERSION and CHECK_EXTENSION: anyone may ask (and get any error of the ABI) */
static bool open_query(unsigned long req)
{
	return (_IOC_NR(req) == _IOC_NR(HVMEM_IOC_GET_VERSION) ||
		_IOC_NR(req) == _IOC_NR(HVMEM_IOC_CHECK_EXTENSION)) &&
	       _IOC_DIR(req) == _IOC_DIR(HVMEM_IOC_GET_VERSION);
}

static void check(int fd, unsigned long req, int ret, int e, bool on_ctx)
{
	calls++;
	if (!ret) {
		oks++;
		if (unpriv && !(open_query(req) && !on_ctx) &&
		    !(on_ctx && _IOC_NR(req) == _IOC_NR(HVMEM_IOC_MRC_QUERY)))
			report("unprivileged call succeeded", req, ret, 0);
		return;
	}
	errs[e & 0xff]++;
	if (ret != -1) {
		report("returned neither 0 nor -1", req, ret, e);
		return;
	}
	if (unpriv) {
		if (open_query(req))
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

int run_ioctls(unsigned long long n, unsigned int nsleep, unsigned int nkvm)
{
	unsigned long long i;

	dev = hvmem_dev();
	if (dev < 0) {
		printf("# hvmem_fuzz: /dev/hvmem: %s\n", strerror(errno));
		return 4;
	}
	for (i = 0; i < nkvm && i < MAX_KVM; i++) {
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

/* Time per call of each command, as "nr=ms". */
void print_cmd_times(void)
{
	unsigned int i;

	printf("\n# hvmem_fuzz: ms per call by command:");
	for (i = 0; i < NR_CMDS; i++)
		if (cmd_calls[i])
			printf(" %02lx=%.2f", (unsigned long)_IOC_NR(cmds[i].req),
			       1000 * cmd_time[i] / cmd_calls[i]);
}
