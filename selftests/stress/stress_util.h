/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of hvmem's robustness tests: a seeded PRNG, memory with guard
 * pages (NULL, unmapped, read-only and partially mapped user pointers),
 * fail-nth fault injection and the device-mapper ioctls.
 */
#ifndef HVMEM_STRESS_UTIL_H
#define HVMEM_STRESS_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <linux/dm-ioctl.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* xorshift64*: one stream per seed, the same on every run. */
struct rng {
	uint64_t s;
};

static inline void rng_seed(struct rng *r, uint64_t seed)
{
	r->s = seed * 0x9E3779B97F4A7C15ULL + 0x2545F4914F6CDD1DULL;
	if (!r->s)
		r->s = 1;
}

static inline uint64_t rng_next(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545F4914F6CDD1DULL;
}

/* Uniform in [0, n); n > 0. */
static inline uint64_t rng_below(struct rng *r, uint64_t n)
{
	return rng_next(r) % n;
}

/* True with probability 1/n. */
static inline int rng_one_in(struct rng *r, uint64_t n)
{
	return rng_below(r, n) == 0;
}

/* An "interesting" 64-bit number: boundaries, powers of two, or random. */
static inline uint64_t rng_interesting(struct rng *r)
{
	static const uint64_t v[] = {
		0, 1, 2, 7, 8, 15, 16, 63, 64, 511, 512, 513, 1023, 1024, 4095, 4096,
		4097, 65535, 65536, 0x100000, 0x100001, 0x7fffffff, 0x80000000,
		0xffffffff, 0x100000000ULL, 0x7fffffffffffffffULL,
		0x8000000000000000ULL, 0xffffffffffffffffULL,
	};

	switch (rng_below(r, 4)) {
	case 0:
		return v[rng_below(r, ARRAY_SIZE(v))];
	case 1:
		return 1ULL << rng_below(r, 64);
	case 2:
		return rng_below(r, 64);
	default:
		return rng_next(r);
	}
}

static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * An arena of user memory: @len bytes read-write, followed by a PROT_NONE
 * guard page, then a read-only page, then an address that is not mapped.
 */
struct arena {
	uint8_t *rw;		/* @len bytes */
	size_t len;
	uint8_t *guard;		/* PROT_NONE */
	uint8_t *ro;		/* one read-only page */
	uint8_t *unmapped;	/* nothing there */
	size_t page;
};

static inline int arena_init(struct arena *a, size_t len)
{
	size_t pg = sysconf(_SC_PAGESIZE);
	uint8_t *p;

	len = (len + pg - 1) & ~(pg - 1);
	p = mmap(NULL, len + 3 * pg, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	a->page = pg;
	a->rw = p;
	a->len = len;
	a->guard = p + len;
	a->ro = p + len + pg;
	a->unmapped = p + len + 2 * pg;
	if (mprotect(a->guard, pg, PROT_NONE) || mprotect(a->ro, pg, PROT_READ) ||
	    munmap(a->unmapped, pg))
		return -errno;
	return 0;
}

/* A user pointer for @n bytes: valid, NULL, unmapped, read-only, straddling the guard. */
enum ptr_kind { PTR_VALID, PTR_NULL, PTR_UNMAPPED, PTR_RO, PTR_STRADDLE, PTR_KERNEL,
		PTR_UNALIGNED, PTR_KINDS };

static inline void *arena_ptr(struct arena *a, struct rng *r, size_t n, enum ptr_kind k)
{
	switch (k) {
	case PTR_NULL:
		return NULL;
	case PTR_UNMAPPED:
		return a->unmapped + rng_below(r, a->page);
	case PTR_RO:
		return a->ro;
	case PTR_STRADDLE:	/* the end of the object lies in the guard page */
		if (n <= 1)
			return a->guard;
		return a->guard - 1 - rng_below(r, n - 1 < a->len ? n - 1 : a->len);
	case PTR_KERNEL:
		return (void *)(uintptr_t)0xffff888000000000ULL;
	case PTR_UNALIGNED:
		if (n + 1 <= a->len)
			return a->rw + a->len - n - 1;
		return a->rw + 1;
	default:
		if (n >= a->len)
			return a->rw;
		return a->rw + a->len - n;	/* ends right before the guard page */
	}
}

/* A pointer kind: mostly valid. */
static inline enum ptr_kind rng_ptr_kind(struct rng *r)
{
	if (rng_below(r, 3))
		return PTR_VALID;
	return (enum ptr_kind)rng_below(r, PTR_KINDS);
}

/*
 * fail-nth (Documentation/fault-injection/fault-injection.rst): writing N to
 * /proc/thread-self/fail-nth fails the Nth fault site (slab or page
 * allocation, with the debugfs attributes set up by the caller's script)
 * this task reaches; reading 0 back means the fault was injected.
 */
static inline int failnth_open(void)
{
	return open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
}

static inline int failnth_arm(int fd, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(fd, buf, len, 0) == len ? 0 : -errno;
}

/* 1 if the armed fault was injected, 0 if not (then it is disarmed), -errno. */
static inline int failnth_fired(int fd)
{
	char buf[16] = "";
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return -errno;
	if (atoi(buf) == 0)
		return 1;
	failnth_arm(fd, 0);
	return 0;
}

/* ---- device mapper (linux/dm-ioctl.h), without libdevmapper ---- */

#define DM_BUF_SIZE	16384

struct dm_buf {
	struct dm_ioctl io;
	char data[DM_BUF_SIZE];
};

static inline int dm_control(void)
{
	return open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
}

static inline void dm_init(struct dm_buf *b, const char *name, uint32_t flags)
{
	memset(&b->io, 0, sizeof(b->io));
	b->io.version[0] = DM_VERSION_MAJOR;
	b->io.version[1] = 0;
	b->io.version[2] = 0;
	b->io.data_size = sizeof(*b);
	b->io.data_start = sizeof(b->io);
	b->io.flags = flags;
	if (name)
		snprintf(b->io.name, sizeof(b->io.name), "%s", name);
}

static inline int dm_call(int ctl, unsigned long req, struct dm_buf *b)
{
	return ioctl(ctl, req, &b->io) ? -errno : 0;
}

static inline int dm_simple(int ctl, unsigned long req, const char *name, uint32_t flags)
{
	struct dm_buf *b = calloc(1, sizeof(*b));
	int ret;

	if (!b)
		return -ENOMEM;
	dm_init(b, name, flags);
	ret = dm_call(ctl, req, b);
	free(b);
	return ret;
}

static inline int dm_create(int ctl, const char *name)
{
	return dm_simple(ctl, DM_DEV_CREATE, name, 0);
}

static inline int dm_remove(int ctl, const char *name)
{
	return dm_simple(ctl, DM_DEV_REMOVE, name, 0);
}

static inline int dm_resume(int ctl, const char *name)
{
	return dm_simple(ctl, DM_DEV_SUSPEND, name, 0);
}

static inline int dm_suspend(int ctl, const char *name)
{
	return dm_simple(ctl, DM_DEV_SUSPEND, name, DM_SUSPEND_FLAG);
}

static inline int dm_clear(int ctl, const char *name)
{
	return dm_simple(ctl, DM_TABLE_CLEAR, name, 0);
}

/* Load one target "start len type params" (params may be anything). */
static inline int dm_load(int ctl, const char *name, uint64_t start, uint64_t len,
			  const char *type, const char *params)
{
	struct dm_buf *b = calloc(1, sizeof(*b));
	struct dm_target_spec *t;
	size_t plen = strlen(params) + 1;
	int ret;

	if (!b)
		return -ENOMEM;
	if (plen > DM_BUF_SIZE - sizeof(*t) - 8) {
		free(b);
		return -E2BIG;
	}
	dm_init(b, name, 0);
	b->io.target_count = 1;
	t = (struct dm_target_spec *)b->data;
	t->sector_start = start;
	t->length = len;
	snprintf(t->target_type, sizeof(t->target_type), "%s", type);
	memcpy(t + 1, params, plen);
	t->next = (sizeof(*t) + plen + 7) & ~7UL;
	ret = dm_call(ctl, DM_TABLE_LOAD, b);
	free(b);
	return ret;
}

/* Load, then resume: the new table goes live. */
static inline int dm_load_resume(int ctl, const char *name, uint64_t len,
				 const char *type, const char *params)
{
	int ret = dm_load(ctl, name, 0, len, type, params);

	if (ret)
		return ret;
	ret = dm_resume(ctl, name);
	if (ret)
		dm_clear(ctl, name);
	return ret;
}

static inline int dm_message(int ctl, const char *name, uint64_t sector, const char *msg)
{
	struct dm_buf *b = calloc(1, sizeof(*b));
	struct dm_target_msg *m;
	int ret;

	if (!b)
		return -ENOMEM;
	if (strlen(msg) + 1 > DM_BUF_SIZE - sizeof(*m)) {
		free(b);
		return -E2BIG;
	}
	dm_init(b, name, 0);
	m = (struct dm_target_msg *)b->data;
	m->sector = sector;
	memcpy(m->message, msg, strlen(msg) + 1);
	ret = dm_call(ctl, DM_TARGET_MSG, b);
	free(b);
	return ret;
}

/*
 * The state of device @name as text: its live and inactive tables' status
 * ("" when it does not exist). For comparisons before and after a call.
 */
static inline int dm_state(int ctl, const char *name, char *out, size_t outlen)
{
	struct dm_buf *b = calloc(1, sizeof(*b));
	int inactive, ret = 0;
	size_t used = 0;

	if (!b)
		return -ENOMEM;
	out[0] = 0;
	for (inactive = 0; inactive < 2; inactive++) {
		struct dm_target_spec *t;
		char *p;
		uint32_t i;

		dm_init(b, name, DM_STATUS_TABLE_FLAG |
			(inactive ? DM_QUERY_INACTIVE_TABLE_FLAG : 0));
		ret = dm_call(ctl, DM_TABLE_STATUS, b);
		if (ret == -ENXIO) {
			ret = 0;
			break;
		}
		if (ret)
			break;
		used += snprintf(out + used, outlen - used, "%s[%x]", inactive ? " | " : "",
				 b->io.flags & (DM_SUSPEND_FLAG | DM_ACTIVE_PRESENT_FLAG |
						DM_INACTIVE_PRESENT_FLAG));
		p = (char *)&b->io + b->io.data_start;
		for (i = 0; i < b->io.target_count && used < outlen; i++) {
			t = (struct dm_target_spec *)p;
			used += snprintf(out + used, outlen - used, " %llu %llu %s %s;",
					 (unsigned long long)t->sector_start,
					 (unsigned long long)t->length, t->target_type,
					 (char *)(t + 1));
			p = (char *)&b->io + b->io.data_start + t->next;
			if (!t->next)
				break;
		}
		if (used >= outlen)
			break;
	}
	free(b);
	return ret;
}

/* "major:minor" of a block device path; 0 or -errno. */
static inline int blk_majmin(const char *path, char *out, size_t len)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	snprintf(out, len, "%u:%u", major(st.st_rdev), minor(st.st_rdev));
	return 0;
}

/* "major:minor" of dm device @name; 0 or -errno. */
static inline int dm_majmin(int ctl, const char *name, char *out, size_t len)
{
	struct dm_buf *b = calloc(1, sizeof(*b));
	int ret;

	if (!b)
		return -ENOMEM;
	dm_init(b, name, 0);
	ret = dm_call(ctl, DM_DEV_STATUS, b);
	if (!ret)
		snprintf(out, len, "%u:%u", major(b->io.dev), minor(b->io.dev));
	free(b);
	return ret;
}

/* A line in the kernel log, so that a splat can be told apart by the step before it. */
static inline void kmsg_mark(const char *fmt, const char *what)
{
	char buf[256];
	int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC), n;

	if (fd < 0)
		return;
	n = snprintf(buf, sizeof(buf), fmt, what);
	if (n > 0)
		write(fd, buf, n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1);
	close(fd);
}

#endif /* HVMEM_STRESS_UTIL_H */
