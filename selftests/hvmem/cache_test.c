// SPDX-License-Identifier: GPL-2.0
/*
 * The exclusive cache through /dev/hvmem: batched put/get byte-exact,
 * exclusive gets, flushes, replace, generations, eviction with shares,
 * caps, dedup, zero pages, VM exit dropping its pools, reserve shrink,
 * concurrent users on two VMs, and argument errors.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "hvmem_util.h"

#define CACHE_SYSFS	"/sys/kernel/mm/hvmem/cache/"

static long pg;
/* cache_io() passes the generations in @pages to a GET instead of 0s. */
static bool keep_gen;

static long long sysfs_read(const char *name)
{
	return hvmem_read_num(CACHE_SYSFS "%s", name);
}

static int sysfs_write(const char *name, long long val)
{
	char path[256];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), CACHE_SYSFS "%s", name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	ret = fprintf(f, "%lld\n", val) < 0 ? -EIO : 0;
	if (fclose(f))
		ret = -errno;
	return ret;
}

static int vm_set(int fd, __u32 vm, __u32 shares, __u64 cap)
{
	struct hvmem_cache_vm a = { .size = sizeof(a), .vm_id = vm, .shares = shares, .cap = cap };

	return hvmem_call(fd, HVMEM_IOC_CACHE_VM_SET, &a);
}

static int vm_stats(int fd, __u32 vm, struct hvmem_cache_vm *a)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->vm_id = vm;
	return hvmem_call(fd, HVMEM_IOC_CACHE_VM_STATS, a);
}

/* One batched call over @n pages; keys (oid, first + i). */
static int cache_io(int fd, unsigned long req, __u32 pool, __u64 oid, __u64 first,
		    unsigned int n, void *buf, struct hvmem_cache_page *pages)
{
	return hvmem_cache_batch(fd, req, pool, oid, first, n, buf, pages, keep_gen);
}

static void fill(void *buf, __u64 seed)
{
	__u64 *p = buf, x = seed * 0x9e3779b97f4a7c15ULL + 1;
	long i;

	for (i = 0; i < pg / 8; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = x | 1;
	}
}

static int check(const void *buf, __u64 seed)
{
	void *want = malloc(pg);
	int ret;

	fill(want, seed);
	ret = memcmp(buf, want, pg);
	free(want);
	return ret;
}

FIXTURE(cache) {
	int fd;
	pid_t pid[2];
	__u32 vm[2];
	__u32 pool[2];
	long long old_reserve;
	void *buf;
	struct hvmem_cache_page pages[HVMEM_CACHE_BATCH_MAX];
};

FIXTURE_SETUP(cache)
{
	int i;

	pg = sysconf(_SC_PAGESIZE);
	self->fd = hvmem_dev();
	ASSERT_GE(self->fd, 0);
	self->old_reserve = sysfs_read("reserve_pages");
	ASSERT_GE(self->old_reserve, 0);
	ASSERT_EQ(0, sysfs_write("reserve_pages", 256));
	ASSERT_EQ(0, sysfs_write("dedup_cross_vm", 0));
	self->buf = malloc(pg * HVMEM_CACHE_BATCH_MAX);
	ASSERT_NE(NULL, self->buf);
	for (i = 0; i < 2; i++) {
		self->pid[i] = sleeper_spawn();
		ASSERT_GT(self->pid[i], 0);
		ASSERT_EQ(0, hvmem_bind_pid(self->fd, self->pid[i], &self->vm[i]));
		ASSERT_EQ(0, hvmem_pool_create(self->fd, self->vm[i], 0, &self->pool[i]));
	}
}

FIXTURE_TEARDOWN(cache)
{
	int i;

	for (i = 0; i < 2; i++)
		sleeper_kill(self->pid[i]);
	for (i = 0; i < 2; i++)
		hvmem_unbind(self->fd, self->vm[i]);
	sysfs_write("reserve_pages", self->old_reserve);
	free(self->buf);
	close(self->fd);
}

TEST_F(cache, put_get_exact_then_miss)
{
	char *b = self->buf;
	unsigned int i, n = 64;
	long long used = sysfs_read("used_pages");

	for (i = 0; i < n; i++)
		fill(b + i * pg, 1000 + i);
	ASSERT_EQ(0, cache_io(self->fd, HVMEM_IOC_CACHE_PUT, self->pool[0], 1, 0, n, b,
			      self->pages));
	for (i = 0; i < n; i++) {
		EXPECT_EQ(0, self->pages[i].result);
		EXPECT_NE(0, self->pages[i].gen);
	}
	EXPECT_EQ(used + n, sysfs_read("used_pages"));
	memset(b, 0, n * pg);
	ASSERT_EQ(0, cache_io(self->fd, HVMEM_IOC_CACHE_GET, self->pool[0], 1, 0, n, b,
			      self->pages));
	for (i = 0; i < n; i++) {
		EXPECT_EQ(0, self->pages[i].result);
		EXPECT_EQ(0, check(b + i * pg, 1000 + i));
	}
	EXPECT_EQ(used, sysfs_read("used_pages"));
	ASSERT_EQ(0, cache_io(self->fd, HVMEM_IOC_CACHE_GET, self->pool[0], 1, 0, n, b,
			      self->pages));
	for (i = 0; i < n; i++)
		EXPECT_EQ(-ENOENT, self->pages[i].result);
	/* The other VM's pool never sees these keys. */
	ASSERT_EQ(0, cache_io(self->fd, HVMEM_IOC_CACHE_PUT, self->pool[0], 1, 0, 1, b,
			      self->pages));
	ASSERT_EQ(0, cache_io(self->fd, HVMEM_IOC_CACHE_GET, self->pool[1], 1, 0, 1, b,
			      self->pages));
	EXPECT_EQ(-ENOENT, self->pages[0].result);
}

TEST_F(cache, flush_replace_generation)
{
	struct hvmem_cache_flush_object fo = { .size = sizeof(fo), .pool_id = self->pool[0],
					       .oid = 5 };
	char *b = self->buf;
	__u64 g1;

	fill(b, 1);
	fill(b + pg, 2);
	ASSERT_EQ(0, cache_io(self->fd, HVMEM_IOC_CACHE_PUT, self->pool[0], 5, 0, 2, b,
			      self->pages));
	ASSERT_EQ(0, cache_io(self->fd, HVMEM_IOC_CACHE_FLUSH, self->pool[0], 5, 1, 1, NULL,
			      self->pages));
	EXPECT_EQ(0, self->pages[0].result);
	ASSERT_EQ(0, hvmem_call(self->fd, HVMEM_IOC_CACHE_FLUSH_OBJECT, &fo));
	EXPECT_EQ(1, fo.flushed);
	ASSERT_EQ(0, cache_io(self->fd, HVMEM_IOC_CACHE_GET, self->pool[0], 5, 0, 2, b,
			      self->pages));
	EXPECT_EQ(-ENOENT, self->pages[0].result);
	EXPECT_EQ(-ENOENT, self->pages[1].result);

	/* Replace, then a get expecting the first generation is stale. */
	fill(b, 1);
	ASSERT_EQ(0, cache_io(self->fd, HVMEM_IOC_CACHE_PUT, self->pool[0], 6, 0, 1, b,
			      self->pages));
	g1 = self->pages[0].gen;
	fill(b, 2);
	ASSERT_EQ(0, cache_io(self->fd, HVMEM_IOC_CACHE_PUT, self->pool[0], 6, 0, 1, b,
			      self->pages));
	EXPECT_GT(self->pages[0].gen, g1);
	self->pages[0].gen = g1;
	keep_gen = true;
	ASSERT_EQ(0, cache_io(self->fd, HVMEM_IOC_CACHE_GET, self->pool[0], 6, 0, 1, b,
			      self->pages));
	keep_gen = false;
	EXPECT_EQ(-ESTALE, self->pages[0].result);
	memset(b, 0, pg);
	ASSERT_EQ(0, cache_io(self->fd, HVMEM_IOC_CACHE_GET, self->pool[0], 6, 0, 1, b,
			      self->pages));
	EXPECT_EQ(0, self->pages[0].result);
	EXPECT_EQ(0, check(b, 2));
}

/*
 * A put whose buffer cannot be read fails with EFAULT and, as any failed
 * put, leaves no page under its key: a later get must not return the page
 * that was there before (stale data).
 */
TEST_F(cache, failed_put_drops_old_page)
{
	char *b = self->buf, *hole;
	long long used = sysfs_read("used_pages");

	fill(b, 7);
	ASSERT_EQ(0, cache_io(self->fd, HVMEM_IOC_CACHE_PUT, self->pool[0], 9, 3, 1, b,
			      self->pages));
	ASSERT_EQ(0, self->pages[0].result);
	EXPECT_EQ(used + 1, sysfs_read("used_pages"));
	hole = mmap(NULL, pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	EXPECT_EQ(-EFAULT, cache_io(self->fd, HVMEM_IOC_CACHE_PUT, self->pool[0], 9, 3, 1,
				    hole, self->pages));
	EXPECT_EQ(-EFAULT, self->pages[0].result);
	munmap(hole, pg);
	memset(b, 0, pg);
	ASSERT_EQ(0, cache_io(self->fd, HVMEM_IOC_CACHE_GET, self->pool[0], 9, 3, 1, b,
			      self->pages));
	EXPECT_EQ(-ENOENT, self->pages[0].result);
	EXPECT_EQ(used, sysfs_read("used_pages"));
}

/*
 * A batch put that stops at a page it cannot read (EFAULT) leaves no page
 * under that key nor under the keys after it, which it never stored: none
 * may give back the page that was there before.
 */
TEST_F(cache, stopped_put_drops_the_rest)
{
	char *old = self->buf, *area;
	long long used = sysfs_read("used_pages");
	unsigned int i;

	for (i = 0; i < 3; i++)
		fill(old + i * pg, 20 + i);
	ASSERT_EQ(0, cache_io(self->fd, HVMEM_IOC_CACHE_PUT, self->pool[0], 11, 0, 3, old,
			      self->pages));
	EXPECT_EQ(used + 3, sysfs_read("used_pages"));
	/* new pages 0 and 2, page 1 unreadable */
	area = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, area);
	fill(area, 30);
	fill(area + 2 * pg, 32);
	ASSERT_EQ(0, mprotect(area + pg, pg, PROT_NONE));
	EXPECT_EQ(-EFAULT, cache_io(self->fd, HVMEM_IOC_CACHE_PUT, self->pool[0], 11, 0, 3,
				    area, self->pages));
	EXPECT_EQ(0, self->pages[0].result);
	EXPECT_EQ(-EFAULT, self->pages[1].result);
	munmap(area, 3 * pg);
	memset(old, 0, 3 * pg);
	ASSERT_EQ(0, cache_io(self->fd, HVMEM_IOC_CACHE_GET, self->pool[0], 11, 0, 3, old,
			      self->pages));
	EXPECT_EQ(0, self->pages[0].result);
	EXPECT_EQ(0, check(old, 30));
	EXPECT_EQ(-ENOENT, self->pages[1].result);
	EXPECT_EQ(-ENOENT, self->pages[2].result);	/* not the old page 22 */
	EXPECT_EQ(used, sysfs_read("used_pages"));
}

TEST_F(cache, eviction_with_shares_and_cap)
{
	struct hvmem_cache_vm a, b;
	char *buf = self->buf;
	unsigned int r, i;

	ASSERT_EQ(0, vm_set(self->fd, self->vm[0], 1000, 0));
	ASSERT_EQ(0, vm_set(self->fd, self->vm[1], 3000, 0));
	for (r = 0; r < 8; r++) {
		for (i = 0; i < 64; i++)
			fill(buf + i * pg, r * 64 + i);
		ASSERT_EQ(0, cache_io(self->fd, HVMEM_IOC_CACHE_PUT, self->pool[0], 1, r * 64,
				      64, buf, self->pages));
		for (i = 0; i < 64; i++)
			fill(buf + i * pg, 100000 + r * 64 + i);
		ASSERT_EQ(0, cache_io(self->fd, HVMEM_IOC_CACHE_PUT, self->pool[1], 1, r * 64,
				      64, buf, self->pages));
	}
	ASSERT_EQ(0, vm_stats(self->fd, self->vm[0], &a));
	ASSERT_EQ(0, vm_stats(self->fd, self->vm[1], &b));
	EXPECT_EQ(256, a.pages + b.pages);
	EXPECT_GE(a.pages, 56);
	EXPECT_LE(a.pages, 72);
	EXPECT_EQ(512 - a.pages, a.evictions);
	EXPECT_EQ(1000, a.shares);
	EXPECT_EQ(1, a.pools);
	/* The newest pages survived. */
	ASSERT_EQ(0, cache_io(self->fd, HVMEM_IOC_CACHE_GET, self->pool[0], 1, 448, 64, buf,
			      self->pages));
	for (i = 64 - a.pages; i < 64; i++) {
		EXPECT_EQ(0, self->pages[i].result);
		EXPECT_EQ(0, check(buf + i * pg, 448 + i));
	}
	/* A cap applies at once. */
	ASSERT_EQ(0, vm_set(self->fd, self->vm[1], 3000, 10));
	ASSERT_EQ(0, vm_stats(self->fd, self->vm[1], &b));
	EXPECT_EQ(10, b.pages);
	EXPECT_EQ(10, b.cap);
}

TEST_F(cache, dedup_and_zero_pages)
{
	long long used = sysfs_read("used_pages"), saved = sysfs_read("dedup_saved_pages");
	long long zero = sysfs_read("zero_pages");
	char *b = self->buf;
	__u32 nd;
	int i;

	for (i = 0; i < 8; i++)
		fill(b + i * pg, 77);
	ASSERT_EQ(0, cache_io(self->fd, HVMEM_IOC_CACHE_PUT, self->pool[0], 1, 0, 8, b,
			      self->pages));
	EXPECT_EQ(used + 1, sysfs_read("used_pages"));
	EXPECT_EQ(saved + 7, sysfs_read("dedup_saved_pages"));
	/* Another VM does not share (dedup_cross_vm is 0). */
	ASSERT_EQ(0, cache_io(self->fd, HVMEM_IOC_CACHE_PUT, self->pool[1], 1, 0, 1, b,
			      self->pages));
	EXPECT_EQ(used + 2, sysfs_read("used_pages"));
	/* A pool without dedup stores copies. */
	ASSERT_EQ(0, hvmem_pool_create(self->fd, self->vm[0], HVMEM_CACHE_POOL_NO_DEDUP, &nd));
	ASSERT_EQ(0, cache_io(self->fd, HVMEM_IOC_CACHE_PUT, nd, 1, 0, 2, b, self->pages));
	EXPECT_EQ(used + 4, sysfs_read("used_pages"));
	/* Every sharer reads the page back. */
	ASSERT_EQ(0, cache_io(self->fd, HVMEM_IOC_CACHE_GET, self->pool[0], 1, 0, 8, b,
			      self->pages));
	for (i = 0; i < 8; i++) {
		EXPECT_EQ(0, self->pages[i].result);
		EXPECT_EQ(0, check(b + i * pg, 77));
	}
	EXPECT_EQ(saved, sysfs_read("dedup_saved_pages"));
	memset(b, 0, 4 * pg);
	ASSERT_EQ(0, cache_io(self->fd, HVMEM_IOC_CACHE_PUT, self->pool[0], 2, 0, 4, b,
			      self->pages));
	EXPECT_EQ(zero + 4, sysfs_read("zero_pages"));
	EXPECT_EQ(used + 3, sysfs_read("used_pages"));
	memset(b, 0xff, pg);
	ASSERT_EQ(0, cache_io(self->fd, HVMEM_IOC_CACHE_GET, self->pool[0], 2, 0, 1, b,
			      self->pages));
	EXPECT_EQ(0, self->pages[0].result);
	EXPECT_EQ(0, b[0]);
	EXPECT_EQ(0, b[pg - 1]);
}

TEST_F(cache, vm_exit_frees_pools)
{
	long long used = sysfs_read("used_pages");
	char *b = self->buf;
	int i, tries;

	for (i = 0; i < 16; i++)
		fill(b + i * pg, 500 + i);
	ASSERT_EQ(0, cache_io(self->fd, HVMEM_IOC_CACHE_PUT, self->pool[1], 1, 0, 16, b,
			      self->pages));
	EXPECT_EQ(used + 16, sysfs_read("used_pages"));
	sleeper_kill(self->pid[1]);
	for (tries = 0; tries < 500; tries++) {
		if (cache_io(self->fd, HVMEM_IOC_CACHE_GET, self->pool[1], 1, 0, 1, b,
			     self->pages) == -ENXIO)
			break;
		usleep(10000);
	}
	EXPECT_EQ(-ENXIO, cache_io(self->fd, HVMEM_IOC_CACHE_GET, self->pool[1], 1, 0, 1, b,
				   self->pages));
	EXPECT_EQ(used, sysfs_read("used_pages"));
	EXPECT_EQ(-ENOENT, hvmem_pool_create(self->fd, self->vm[1], 0, &self->pool[1]));
}

TEST_F(cache, reserve_shrink_and_grow)
{
	long long ev = sysfs_read("evictions");
	char *b = self->buf;
	int i;

	for (i = 0; i < 128; i++)
		fill(b + i * pg, 900 + i);
	ASSERT_EQ(0, cache_io(self->fd, HVMEM_IOC_CACHE_PUT, self->pool[0], 1, 0, 128, b,
			      self->pages));
	ASSERT_EQ(0, sysfs_write("reserve_pages", 32));
	EXPECT_EQ(32, sysfs_read("reserve_pages"));
	EXPECT_LE(sysfs_read("used_pages"), 32);
	EXPECT_GE(sysfs_read("evictions"), ev + 96);
	ASSERT_EQ(0, cache_io(self->fd, HVMEM_IOC_CACHE_GET, self->pool[0], 1, 96, 32, b,
			      self->pages));
	for (i = 0; i < 32; i++) {
		EXPECT_EQ(0, self->pages[i].result);
		EXPECT_EQ(0, check(b + i * pg, 996 + i));
	}
	ASSERT_EQ(0, sysfs_write("reserve_pages", 0));
	fill(b, 1);
	ASSERT_EQ(0, cache_io(self->fd, HVMEM_IOC_CACHE_PUT, self->pool[0], 1, 0, 1, b,
			      self->pages));
	EXPECT_EQ(-ENOSPC, self->pages[0].result);
	EXPECT_EQ(-EINVAL, sysfs_write("reserve_pages", 1LL << 50));
	ASSERT_EQ(0, sysfs_write("reserve_pages", 64));
	ASSERT_EQ(0, cache_io(self->fd, HVMEM_IOC_CACHE_PUT, self->pool[0], 1, 0, 1, b,
			      self->pages));
	EXPECT_EQ(0, self->pages[0].result);
}

struct worker {
	int fd;
	__u32 pool;
	unsigned int id;
	unsigned long hits, misses, bad;
};

static void *worker_fn(void *arg)
{
	struct worker *w = arg;
	struct hvmem_cache_page pages[16];
	char *b = malloc(16 * pg);
	unsigned int r, i;

	for (r = 0; r < 200; r++) {
		for (i = 0; i < 16; i++)
			fill(b + i * pg, ((__u64)w->id << 32) | (r << 8) | i);
		if (cache_io(w->fd, HVMEM_IOC_CACHE_PUT, w->pool, w->id, r * 16, 16, b, pages))
			w->bad++;
		memset(b, 0, 16 * pg);
		if (cache_io(w->fd, HVMEM_IOC_CACHE_GET, w->pool, w->id, r * 16, 16, b, pages))
			w->bad++;
		for (i = 0; i < 16; i++) {
			if (pages[i].result == -ENOENT) {
				w->misses++;
			} else if (pages[i].result ||
				   check(b + i * pg, ((__u64)w->id << 32) | (r << 8) | i)) {
				w->bad++;
			} else {
				w->hits++;
			}
		}
	}
	free(b);
	return NULL;
}

/*
 * 4 threads on 2 VMs, a reserve smaller than their working sets. 12800
 * ioctls: well over the harness's default 30 s on the KASAN kernel under TCG.
 */
TEST_F_TIMEOUT(cache, concurrent_threads, 300)
{
	struct worker w[4];
	pthread_t t[4];
	int i;

	ASSERT_EQ(0, sysfs_write("reserve_pages", 40));
	for (i = 0; i < 4; i++) {
		w[i] = (struct worker){ .fd = self->fd, .pool = self->pool[i & 1], .id = i + 1 };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, worker_fn, &w[i]));
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, w[i].bad);
		EXPECT_GT(w[i].hits, 0);
		EXPECT_EQ(3200, w[i].hits + w[i].misses);
	}
}

TEST_F(cache, bad_arguments)
{
	struct hvmem_cache_io io = {
		.size = sizeof(io), .pool_id = self->pool[0], .count = 1,
		.pages = (uintptr_t)self->pages, .buf = (uintptr_t)self->buf, .page_size = pg,
		.entry_size = sizeof(self->pages[0]),
	};
	struct hvmem_cache_pool_destroy pd = { .size = sizeof(pd), .pool_id = 0 };
	struct hvmem_cache_stats st = { .size = sizeof(st) };
	struct hvmem_cache_vm v;
	__u32 p;

	memset(self->pages, 0, sizeof(self->pages[0]));
	fill(self->buf, 3);
	EXPECT_EQ(-ENXIO, cache_io(self->fd, HVMEM_IOC_CACHE_PUT, 0xfffffff0, 1, 0, 1, self->buf,
				   self->pages));
	EXPECT_EQ(-ENXIO, hvmem_call(self->fd, HVMEM_IOC_CACHE_POOL_DESTROY, &pd));
	EXPECT_EQ(-ENOENT, hvmem_pool_create(self->fd, 0xfffffff0, 0, &p));
	EXPECT_EQ(-EINVAL, hvmem_pool_create(self->fd, self->vm[0], 0x80, &p));
	EXPECT_EQ(-EINVAL, vm_set(self->fd, self->vm[0], 0, 0));
	EXPECT_EQ(-EINVAL, vm_set(self->fd, self->vm[0], HVMEM_CACHE_SHARES_MAX + 1, 0));
	EXPECT_EQ(-ENOENT, vm_set(self->fd, 0xfffffff0, 1, 0));
	EXPECT_EQ(-ENOENT, vm_stats(self->fd, 0xfffffff0, &v));

	io.count = 0;
	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_CACHE_PUT, &io));
	io.count = HVMEM_CACHE_BATCH_MAX + 1;
	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_CACHE_PUT, &io));
	io.count = 1;
	io.page_size = 512;
	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_CACHE_PUT, &io));
	io.page_size = pg;
	io.flags = 1;
	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_CACHE_PUT, &io));
	io.flags = 0;
	io.size = 8;
	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_CACHE_PUT, &io));
	io.size = sizeof(io);
	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_CACHE_FLUSH, &io));	/* buf set */
	self->pages[0].reserved = 1;
	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_CACHE_PUT, &io));
	self->pages[0].reserved = 0;
	io.pages = 8;
	EXPECT_EQ(-EFAULT, hvmem_call(self->fd, HVMEM_IOC_CACHE_PUT, &io));
	io.pages = (uintptr_t)self->pages;
	io.buf = 8;
	EXPECT_EQ(-EFAULT, hvmem_call(self->fd, HVMEM_IOC_CACHE_PUT, &io));
	EXPECT_EQ(1, io.done);
	EXPECT_EQ(-EFAULT, self->pages[0].result);
	io.buf = 0;
	EXPECT_EQ(-EFAULT, hvmem_call(self->fd, HVMEM_IOC_CACHE_PUT, &io));
	EXPECT_EQ(-EFAULT, hvmem_call(self->fd, HVMEM_IOC_CACHE_PUT, (void *)8));
	EXPECT_EQ(-ENOTTY, hvmem_call(self->fd, _IOWR(HVMEM_IOCTL_MAGIC, 0x2f, __u64), &io));
	EXPECT_EQ(-ENOTTY, hvmem_call(self->fd, _IOR(HVMEM_IOCTL_MAGIC, 0x12,
						     struct hvmem_cache_io), &io));

	ASSERT_EQ(0, hvmem_call(self->fd, HVMEM_IOC_CACHE_STATS, &st));
	EXPECT_EQ(pg, st.page_size);
	EXPECT_EQ(256, st.reserve_pages);
	EXPECT_EQ(sysfs_read("puts"), st.puts);
}

TEST_HARNESS_MAIN
