// SPDX-License-Identifier: GPL-2.0
/*
 * hvmem_stress - time-bounded, seeded concurrency stress of hvmem.
 *
 *   hvmem_stress MODE [--seconds S] [--seed S] [--threads T] [--backing DEV]
 *
 * churn:   bind/unbind racing process exit: threads fork short-lived
 *          children and bind them (and tiny KVM VMs), unbind random ids
 *          and the next ids a bind will publish,
 *          and use the VMs meanwhile (cache pools and pages, MRC contexts,
 *          share stats and scans, the VM list) while they die.
 * cache:   threads on shared pools of two VMs: put/get/flush batches whose
 *          pages carry their key and a checksum (a hit must return its own
 *          key's page), caps and shares changed, pools destroyed and made
 *          again, the reserve resized through sysfs.
 * mrc:     MRC contexts opened, fed, queried and closed while the mrc sysfs
 *          files are written (the script unloads and reloads hvmem_mrc.ko
 *          meanwhile: errors from a missing module are expected).
 * swapres: one thin device per thread on a reservation over --backing:
 *          O_DIRECT writes of stamped pages, reads that must return the
 *          last page written or zeros after a discard, discards; a thread
 *          reloads the thin tables and sends messages to the reservation
 *          meanwhile. --resv-reload also reloads the reservation (error,
 *          then swapres-resv again) while the thin devices hold blocks.
 *
 * Prints "hvmem_stress: MODE: S seconds, N operations, B broke the rules".
 */
#include <linux/fs.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>

#include "stress_util.h"
#include "hvmem_util.h"
#include "kvm_tiny.h"

#define MAX_THREADS	8
#define RING		64
#define KEYS		256
#define SR_PAGES	512	/* pages per thin device that the test uses */

static const char *mode;
static double deadline;
static unsigned long long seed;
static unsigned int nthreads = 4;
static int dev, resv_reload;
static atomic_ullong ops, bad;
static _Atomic __u32 ring[RING], last_id;
static _Atomic __u32 pools[8];
static __u32 cvms[2];
static const char *backing;
static long pg;
static pthread_mutex_t dm_lock = PTHREAD_MUTEX_INITIALIZER;

#define BAD(...) do {						\
	atomic_fetch_add(&bad, 1);					\
	printf("# hvmem_stress: " __VA_ARGS__);				\
	fflush(stdout);							\
} while (0)

static bool running(void)
{
	return now_s() < deadline;
}

static __u32 ring_pick(struct rng *r)
{
	return atomic_load(&ring[rng_below(r, RING)]);
}

/* ---- churn ---- */

static void use_vm(struct rng *r, __u32 id)
{
	__u32 pool;
	char buf[4096 * 4];
	struct hvmem_cache_page pages[4];

	switch (rng_below(r, 6)) {
	case 0:
		if (!hvmem_pool_create(dev, id, 0, &pool)) {
			memset(buf, (int)rng_below(r, 256), sizeof(buf));
			hvmem_cache_batch(dev, HVMEM_IOC_CACHE_PUT, pool, 1, 0, 4, buf, pages, false);
			hvmem_cache_batch(dev, HVMEM_IOC_CACHE_GET, pool, 1, 0, 4, buf, pages, false);
			if (rng_below(r, 2)) {
				struct hvmem_cache_pool_destroy d = { .size = sizeof(d),
								      .pool_id = pool };

				ioctl(dev, HVMEM_IOC_CACHE_POOL_DESTROY, &d);
			}
		}
		break;
	case 1: {
		struct hvmem_mrc_open o = { .size = sizeof(o), .vm_id = id };
		struct hvmem_mrc_query q = { .size = sizeof(q) };

		if (!ioctl(dev, HVMEM_IOC_MRC_OPEN, &o)) {
			ioctl(o.fd, HVMEM_IOC_MRC_QUERY, &q);
			close(o.fd);
		}
		break;
	}
	case 2: {
		struct hvmem_share_stats s = { .size = sizeof(s), .vm_id = id };

		ioctl(dev, HVMEM_IOC_SHARE_STATS, &s);
		break;
	}
	case 3: {
		struct hvmem_share_vm v = { .size = sizeof(v), .vm_id = id,
					    .flags = rng_below(r, 2) };

		ioctl(dev, HVMEM_IOC_SHARE_VM_SET, &v);
		break;
	}
	case 4:
		if (rng_one_in(r, 8)) {
			struct hvmem_share_scan s = { .size = sizeof(s), .vm_id = id };

			ioctl(dev, HVMEM_IOC_SHARE_SCAN, &s);
		}
		break;
	default: {
		struct hvmem_cache_vm v = { .size = sizeof(v), .vm_id = id,
					    .shares = 1 + rng_below(r, 2000),
					    .cap = rng_below(r, 64) };

		ioctl(dev, rng_below(r, 2) ? HVMEM_IOC_CACHE_VM_SET : HVMEM_IOC_CACHE_VM_STATS, &v);
		break;
	}
	}
}

static void *churn_thread(void *arg)
{
	struct rng r;
	bool kvm = !access("/dev/kvm", R_OK | W_OK);

	rng_seed(&r, seed + (uintptr_t)arg);
	while (running()) {
		unsigned int op = rng_below(&r, 10);
		__u32 id;

		atomic_fetch_add(&ops, 1);
		if (op < 3) {	/* a process that exits soon, bound meanwhile */
			unsigned int us = rng_below(&r, 20000);
			pid_t pid = fork();

			if (pid == 0) {
				usleep(us);
				_exit(0);
			}
			if (pid < 0)
				continue;
			if (!hvmem_bind_pid(dev, pid, &id)) {
				atomic_store(&last_id, id);
				atomic_store(&ring[rng_below(&r, RING)], id);
				use_vm(&r, id);
			}
			if (rng_below(&r, 2))
				kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		} else if (op == 3 && kvm && rng_one_in(&r, 4)) {	/* a KVM VM, bound, closed */
			struct kvm_tiny t;

			if (!kvm_tiny_create(&t)) {
				if (!hvmem_bind_kvm(dev, t.vm, &id)) {
					atomic_store(&ring[rng_below(&r, RING)], id);
					use_vm(&r, id);
					if (rng_below(&r, 2))
						hvmem_unbind(dev, id);
				}
				kvm_tiny_close(&t);
			}
		} else if (op < 5) {
			/* a random recent id, or the ids a bind is about to publish */
			if (rng_below(&r, 2)) {
				hvmem_unbind(dev, ring_pick(&r));
			} else {
				__u32 last = atomic_load(&last_id), k;

				for (k = 1; k <= 3; k++)
					hvmem_unbind(dev, last + k);
			}
		} else if (op < 9) {
			use_vm(&r, ring_pick(&r));
		} else {
			hvmem_find_vm(dev, ring_pick(&r), NULL);
		}
	}
	return NULL;
}

/* ---- cache ---- */

struct stamp {
	__u64 magic, pool, oid, index, sum;
};

#define STAMP_MAGIC 0x68766d656d737472ULL

static void stamp_page(uint8_t *p, struct rng *r, __u32 pool, __u64 oid, __u64 index)
{
	struct stamp *s = (void *)p;
	__u64 sum = 0;
	long i;

	if (rng_one_in(r, 8)) {		/* zero pages and duplicates too */
		memset(p, 0, pg);
		return;
	}
	memset(p, (int)(index & 3), pg);
	for (i = sizeof(*s); i < pg; i += 64)
		p[i] = (uint8_t)rng_below(r, 4);
	for (i = sizeof(*s); i < pg; i++)
		sum = sum * 31 + p[i];
	*s = (struct stamp){ STAMP_MAGIC, pool, oid, index, sum };
}

static bool stamp_ok(const uint8_t *p, __u32 pool, __u64 oid, __u64 index)
{
	const struct stamp *s = (const void *)p;
	__u64 sum = 0;
	long i;

	if (s->magic != STAMP_MAGIC) {	/* then a zero page */
		for (i = 0; i < pg; i++)
			if (p[i])
				return false;
		return true;
	}
	for (i = sizeof(*s); i < pg; i++)
		sum = sum * 31 + p[i];
	return s->pool == pool && s->oid == oid && s->index == index && s->sum == sum;
}

static void *cache_thread(void *arg)
{
	struct hvmem_cache_page pages[32];
	uint8_t *buf = malloc(32 * pg);
	struct rng r;

	rng_seed(&r, seed + (uintptr_t)arg);
	while (running() && buf) {
		unsigned int op = rng_below(&r, 20), n = 1 + rng_below(&r, 32), i;
		unsigned int slot = rng_below(&r, 8);
		__u32 pool = atomic_load(&pools[slot]);
		__u64 oid = rng_below(&r, 4), first = rng_below(&r, KEYS - 32);
		int ret;

		atomic_fetch_add(&ops, 1);
		if (op < 8) {
			for (i = 0; i < n; i++)
				stamp_page(buf + i * pg, &r, pool, oid, first + i);
			hvmem_cache_batch(dev, HVMEM_IOC_CACHE_PUT, pool, oid, first, n, buf, pages,
					  false);
		} else if (op < 16) {
			ret = hvmem_cache_batch(dev, HVMEM_IOC_CACHE_GET, pool, oid, first, n, buf,
						pages, false);
			for (i = 0; !ret && i < n; i++)
				if (!pages[i].result && !stamp_ok(buf + i * pg, pool, oid, first + i))
					BAD("seed %llu: pool %u key (%llu, %llu) returned another page\n",
					    seed, pool, (unsigned long long)oid,
					    (unsigned long long)(first + i));
		} else if (op == 16) {
			hvmem_cache_batch(dev, HVMEM_IOC_CACHE_FLUSH, pool, oid, first, n, NULL,
					  pages, false);
		} else if (op == 17) {
			struct hvmem_cache_flush_object f = { .size = sizeof(f), .pool_id = pool,
							      .oid = oid };

			ioctl(dev, HVMEM_IOC_CACHE_FLUSH_OBJECT, &f);
		} else if (op == 18) {
			struct hvmem_cache_vm v = { .size = sizeof(v), .vm_id = cvms[slot & 1],
						    .shares = 1 + rng_below(&r, 3000),
						    .cap = rng_below(&r, 2) ? 0 : rng_below(&r, 512) };

			ioctl(dev, HVMEM_IOC_CACHE_VM_SET, &v);
		} else if (rng_one_in(&r, 4)) {	/* a pool goes, another comes */
			struct hvmem_cache_pool_destroy d = { .size = sizeof(d), .pool_id = pool };
			__u32 np;

			if (!hvmem_pool_create(dev, cvms[slot & 1], rng_below(&r, 2), &np)) {
				atomic_store(&pools[slot], np);
				ioctl(dev, HVMEM_IOC_CACHE_POOL_DESTROY, &d);
			}
		} else {
			char v[32];

			snprintf(v, sizeof(v), "%llu", (unsigned long long)(rng_below(&r, 2) ?
					       64 + rng_below(&r, 2048) : 4096));
			sysfs_write_str("/sys/kernel/mm/hvmem/cache/reserve_pages", v);
			sysfs_write_str("/sys/kernel/mm/hvmem/cache/dedup_cross_vm",
					rng_below(&r, 2) ? "1" : "0");
		}
	}
	free(buf);
	return NULL;
}

/* ---- mrc ---- */

static void *mrc_thread(void *arg)
{
	static const char * const files[] = { "s_max", "rate_ppm", "near_pages", "write_track",
				       "untrace_ms", "auto_enable" };
	__u64 feed[256], sizes[16];
	__u32 ratios[16];
	int fds[4] = { -1, -1, -1, -1 };
	struct rng r;
	unsigned int i;

	rng_seed(&r, seed + (uintptr_t)arg);
	for (i = 0; i < 256; i++)
		feed[i] = i * 7 % 300;
	for (i = 0; i < 16; i++)
		sizes[i] = i * 20;
	while (running()) {
		unsigned int op = rng_below(&r, 10), s = rng_below(&r, 4);
		char p[128], v[32];

		atomic_fetch_add(&ops, 1);
		if (op < 3) {
			struct hvmem_mrc_open o = { .size = sizeof(o) };

			if (rng_below(&r, 2)) {
				o.flags = HVMEM_MRC_OPEN_PRIVATE;
				o.s_max = 1 + rng_below(&r, 1024);
			} else {
				o.vm_id = cvms[rng_below(&r, 2)];
			}
			if (fds[s] >= 0)
				close(fds[s]);
			fds[s] = ioctl(dev, HVMEM_IOC_MRC_OPEN, &o) ? -1 : o.fd;
		} else if (op < 5 && fds[s] >= 0) {
			struct hvmem_mrc_feed f = { .size = sizeof(f), .count = 256,
						    .pages = (uintptr_t)feed };

			ioctl(fds[s], HVMEM_IOC_MRC_FEED, &f);
		} else if (op < 6 && fds[s] >= 0) {
			struct hvmem_mrc_query q = { .size = sizeof(q), .count = 16,
						     .sizes = (uintptr_t)sizes,
						     .ratios = (uintptr_t)ratios };

			ioctl(fds[s], HVMEM_IOC_MRC_QUERY, &q);
		} else if (op < 7) {
			if (fds[s] >= 0)
				close(fds[s]);
			fds[s] = -1;
		} else if (op < 9) {
			snprintf(p, sizeof(p), "/sys/kernel/mm/hvmem/mrc/vms/%u/enabled",
				 cvms[rng_below(&r, 2)]);
			sysfs_write_str(p, rng_below(&r, 2) ? "1" : "0");
		} else {
			i = rng_below(&r, 6);
			snprintf(p, sizeof(p), "/sys/kernel/mm/hvmem/mrc/%s", files[i]);
			snprintf(v, sizeof(v), "%llu", (unsigned long long)(i == 3 || i == 5 ?
					rng_below(&r, 2) : 1 + rng_below(&r, 4096)));
			sysfs_write_str(p, v);
		}
	}
	for (i = 0; i < 4; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return NULL;
}

/* ---- swapres ---- */

struct sr_dev {
	char name[32], node[64], table[128];
	int fd;
	__u32 seq[SR_PAGES];	/* 0: zeros expected (never written or discarded) */
};

static struct sr_dev srd[MAX_THREADS];
static char resv_mm[32], resv_table[160];
static int ctl = -1;

static void *sr_thread(void *arg)
{
	struct sr_dev *d = &srd[(uintptr_t)arg];
	uint8_t *buf;
	struct rng r;
	__u32 seq = 1;

	if (posix_memalign((void **)&buf, 4096, 4096))
		return NULL;
	rng_seed(&r, seed + (uintptr_t)arg);
	while (running()) {
		unsigned int op = rng_below(&r, 10), p = rng_below(&r, SR_PAGES);
		__u32 *w = (__u32 *)buf, i;

		atomic_fetch_add(&ops, 1);
		if (op < 4) {
			for (i = 0; i < 1024; i++)
				w[i] = seq ^ ((uintptr_t)arg << 24) ^ (p << 8) ^ i;
			w[0] = seq;
			if (pwrite(d->fd, buf, 4096, (off_t)p * 4096) == 4096)
				d->seq[p] = seq;
			else
				d->seq[p] = ~0U;	/* unknown: a failed write (ENOSPC) */
			seq++;
		} else if (op < 8) {
			if (pread(d->fd, buf, 4096, (off_t)p * 4096) != 4096)
				continue;
			if (d->seq[p] == ~0U)
				continue;
			for (i = 0; i < 1024; i++) {
				__u32 want = d->seq[p] ? (i ? d->seq[p] ^ ((uintptr_t)arg << 24) ^
							  (p << 8) ^ i : d->seq[p]) : 0;

				if (w[i] != want) {
					BAD("seed %llu: %s page %u word %u: 0x%08x, expected 0x%08x\n",
					    seed, d->name, p, i, w[i], want);
					d->seq[p] = ~0U;
					break;
				}
			}
		} else {
			unsigned int n = 1 + rng_below(&r, 16);
			__u64 range[2] = { (__u64)p * 4096, (__u64)n * 4096 };

			if (p + n > SR_PAGES)
				n = SR_PAGES - p;
			range[1] = (__u64)n * 4096;
			if (!ioctl(d->fd, BLKDISCARD, range))
				for (i = 0; i < n; i++)
					d->seq[p + i] = 0;
		}
	}
	free(buf);
	return NULL;
}

static void *sr_reload_thread(void *arg)
{
	struct rng r;

	rng_seed(&r, seed + 1000);
	while (running()) {
		unsigned int op = rng_below(&r, 10);
		struct sr_dev *d = &srd[rng_below(&r, nthreads)];
		int ret;

		atomic_fetch_add(&ops, 1);
		pthread_mutex_lock(&dm_lock);
		if (op < 5) {	/* same table again: the map stays */
			ret = dm_load(ctl, d->name, 0, SR_PAGES * 8 * 2, "swapres", d->table);
			if (!ret) {
				if (rng_below(&r, 2))
					dm_suspend(ctl, d->name);
				ret = dm_resume(ctl, d->name);
			}
			if (ret)
				BAD("seed %llu: reload of %s: %s\n", seed, d->name, strerror(-ret));
		} else if (op < 8) {
			dm_message(ctl, "st_resv", 0, rng_below(&r, 2) ? "create_pool stp 100" :
					"remove_pool stp");
			dm_message(ctl, "st_resv", 0, rng_below(&r, 2) ? "overcommit 1" :
					"overcommit 0");
		} else if (resv_reload && rng_one_in(&r, 3)) {
			/* the reservation's table replaced under its thin devices */
			if (!dm_load(ctl, "st_resv", 0, 65536, "error", "") &&
			    !dm_resume(ctl, "st_resv")) {
				dm_load(ctl, "st_resv", 0, 65536, "swapres-resv", resv_table);
				dm_resume(ctl, "st_resv");
			}
		}
		pthread_mutex_unlock(&dm_lock);
		usleep(rng_below(&r, 20000));
	}
	return NULL;
}

static int sr_setup(void)
{
	unsigned int i;
	char mm[32];

	ctl = dm_control();
	if (ctl < 0)
		return -errno;
	snprintf(resv_table, sizeof(resv_table), "%s 0 8", backing);
	if (dm_create(ctl, "st_resv") ||
	    dm_load_resume(ctl, "st_resv", 65536, "swapres-resv", resv_table) ||
	    dm_majmin(ctl, "st_resv", resv_mm, sizeof(resv_mm)))
		return -errno ? -errno : -EIO;
	mkdir("/tmp/hvmem-stress", 0700);
	for (i = 0; i < nthreads; i++) {
		struct sr_dev *d = &srd[i];
		unsigned int maj, min;

		snprintf(d->name, sizeof(d->name), "st_thin%u", i);
		/* thin: room for half its pages, so writes also meet ENOSPC */
		snprintf(d->table, sizeof(d->table), "%s st%u %u", resv_mm, i, SR_PAGES / 2);
		if (dm_create(ctl, d->name) ||
		    dm_load_resume(ctl, d->name, SR_PAGES * 8 * 2, "swapres", d->table) ||
		    dm_majmin(ctl, d->name, mm, sizeof(mm)))
			return -EIO;
		if (sscanf(mm, "%u:%u", &maj, &min) != 2)
			return -EINVAL;
		snprintf(d->node, sizeof(d->node), "/tmp/hvmem-stress/%s", d->name);
		unlink(d->node);
		if (mknod(d->node, S_IFBLK | 0600, makedev(maj, min)))
			return -errno;
		d->fd = open(d->node, O_RDWR | O_DIRECT | O_CLOEXEC);
		if (d->fd < 0)
			return -errno;
	}
	return 0;
}

static void sr_teardown(void)
{
	unsigned int i;

	for (i = 0; i < nthreads; i++) {
		if (srd[i].fd > 0)
			close(srd[i].fd);
		unlink(srd[i].node);
		if (srd[i].name[0] && dm_remove(ctl, srd[i].name))
			BAD("cannot remove %s\n", srd[i].name);
	}
	if (dm_remove(ctl, "st_resv"))
		BAD("cannot remove the reservation\n");
}

int main(int argc, char **argv)
{
	double seconds = 10, t0;
	pthread_t th[MAX_THREADS + 1];
	void *(*fn)(void *) = NULL;
	unsigned int i, extra = 0;
	pid_t sl[2] = { -1, -1 };

	seed = time(NULL);
	if (argc < 2) {
		fprintf(stderr, "usage: %s churn|cache|mrc|swapres [--seconds S] [--seed S] [--threads T] [--backing DEV] [--resv-reload]\n",
			argv[0]);
		return 2;
	}
	mode = argv[1];
	for (i = 2; i < (unsigned int)argc; i++) {
		if (!strcmp(argv[i], "--seconds") && i + 1 < (unsigned int)argc)
			seconds = atof(argv[++i]);
		else if (!strcmp(argv[i], "--seed") && i + 1 < (unsigned int)argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--threads") && i + 1 < (unsigned int)argc)
			nthreads = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--backing") && i + 1 < (unsigned int)argc)
			backing = argv[++i];
		else if (!strcmp(argv[i], "--resv-reload"))
			resv_reload = 1;
	}
	if (nthreads < 1 || nthreads > MAX_THREADS)
		nthreads = 4;
	pg = sysconf(_SC_PAGESIZE);
	printf("# hvmem_stress: %s, seed %llu, %u threads, %.0f s\n", mode, seed, nthreads,
	       seconds);
	fflush(stdout);
	dev = hvmem_dev();
	if (dev < 0) {
		printf("# hvmem_stress: /dev/hvmem: %s\n", strerror(errno));
		return 4;
	}
	if (!strcmp(mode, "churn")) {
		fn = churn_thread;
	} else if (!strcmp(mode, "cache") || !strcmp(mode, "mrc")) {
		fn = !strcmp(mode, "cache") ? cache_thread : mrc_thread;
		sl[0] = sleeper_spawn();
		sl[1] = sleeper_spawn();
		if (hvmem_bind_pid(dev, sl[0], &cvms[0]) || hvmem_bind_pid(dev, sl[1], &cvms[1])) {
			printf("# hvmem_stress: bind: %s\n", strerror(errno));
			return 1;
		}
		for (i = 0; i < 8; i++) {
			__u32 p = 0;

			hvmem_pool_create(dev, cvms[i & 1], 0, &p);
			pools[i] = p;
		}
		sysfs_write_str("/sys/kernel/mm/hvmem/cache/reserve_pages", "1024");
	} else if (!strcmp(mode, "swapres")) {
		int ret;

		fn = sr_thread;
		if (!backing) {
			printf("# hvmem_stress: swapres needs --backing\n");
			return 2;
		}
		ret = sr_setup();
		if (ret) {
			printf("# hvmem_stress: swapres setup: %s\n", strerror(-ret));
			sr_teardown();
			return 1;
		}
	} else {
		fprintf(stderr, "unknown mode %s\n", mode);
		return 2;
	}
	t0 = now_s();
	deadline = t0 + seconds;
	for (i = 0; i < nthreads; i++)
		pthread_create(&th[i], NULL, fn, (void *)(uintptr_t)i);
	if (!strcmp(mode, "swapres")) {
		pthread_create(&th[nthreads], NULL, sr_reload_thread, NULL);
		extra = 1;
	}
	for (i = 0; i < nthreads + extra; i++)
		pthread_join(th[i], NULL);
	if (!strcmp(mode, "swapres"))
		sr_teardown();
	for (i = 0; i < 2; i++)
		if (sl[i] > 0)
			sleeper_kill(sl[i]);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	printf("hvmem_stress: %s: %.0f seconds, %llu operations, %llu broke the rules\n", mode,
	       now_s() - t0, (unsigned long long)ops, (unsigned long long)bad);
	return bad ? 1 : 0;
}
