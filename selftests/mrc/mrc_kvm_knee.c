// SPDX-License-Identifier: GPL-2.0
/*
 * A miss-rate curve from KVM write tracking of a real guest: a tiny KVM VM
 * (16-bit real mode) writes one byte to each of N pages, round after round.
 * Every write to a tracked page traps and is recorded, so the curve's knee
 * (miss ratio 1 below N pages, 1/ROUNDS above) must sit at N within 10%.
 * Also measures the cost of a trapped write against an untracked run, and
 * that an untrace period cuts the traps; and that write tracking samples
 * whole 2 MiB regions (every gfn of a sampled region, none of the others).
 */
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "hvmem_util.h"
#include "kvm_tiny.h"

#define MRC_SYSFS	"/sys/kernel/mm/hvmem/mrc"
#define KNEE_MEM	0x100000	/* 1 MiB: 256 guest pages */
#define KNEE_DATA	0x10000
#define KNEE_PAGES	128
#define KNEE_ROUNDS	8

/*
 *	mov dx, ROUNDS
 * 1:	mov cx, PAGES
 *	mov ax, 0x1000
 * 2:	mov ds, ax
 *	mov byte [0], 0xab
 *	add ax, 0x100		; next 4 KiB page
 *	dec cx
 *	jnz 2b
 *	dec dx
 *	jnz 1b
 *	hlt
 */
static const uint8_t knee_code[] = {
	0xba, KNEE_ROUNDS, 0x00, 0xb9, KNEE_PAGES, 0x00, 0xb8, 0x00, 0x10,
	0x8e, 0xd8, 0xc6, 0x06, 0x00, 0x00, 0xab, 0x05, 0x00, 0x01, 0x49,
	0x75, 0xf3, 0x4a, 0x75, 0xea, 0xf4,
};

/* kvm_tiny's VM with 1 MiB of memory and the loop above. */
static int knee_create(struct kvm_tiny *t)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = KNEE_MEM,
	};
	int ret = kvm_tiny_create(t);

	if (ret)
		return ret;
	/* Replace the memory slot by a larger one holding our code. */
	region.memory_size = 0;
	region.userspace_addr = (uint64_t)(unsigned long)t->mem;
	if (ioctl(t->vm, KVM_SET_USER_MEMORY_REGION, &region))
		goto err;
	munmap(t->mem, KVM_TINY_MEM);
	t->mem = mmap(NULL, KNEE_MEM, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (t->mem == MAP_FAILED)
		goto err;
	memcpy(t->mem + KVM_TINY_CODE, knee_code, sizeof(knee_code));
	region.memory_size = KNEE_MEM;
	region.userspace_addr = (uint64_t)(unsigned long)t->mem;
	if (ioctl(t->vm, KVM_SET_USER_MEMORY_REGION, &region))
		goto err;
	return 0;
err:
	ret = -errno;
	if (t->mem == MAP_FAILED)
		t->mem = NULL;
	kvm_tiny_close(t);
	return ret ? ret : -EIO;
}

static void knee_close(struct kvm_tiny *t)
{
	if (t->mem && t->mem != MAP_FAILED)
		munmap(t->mem, KNEE_MEM);
	t->mem = NULL;
	kvm_tiny_close(t);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Run to HLT; ns taken, or -1. */
static double knee_run(struct kvm_tiny *t)
{
	double t0 = now_ns();
	int i;

	for (;;) {
		if (ioctl(t->vcpu, KVM_RUN, 0))
			return -1;
		if (t->run->exit_reason == KVM_EXIT_HLT)
			break;
		if (t->run->exit_reason != KVM_EXIT_INTR)
			return -1;
	}
	for (i = 0; i < KNEE_PAGES; i++)
		if (t->mem[KNEE_DATA + i * 4096] != 0xab)
			return -1;
	return now_ns() - t0;
}

static uint64_t read_u64(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return 0;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = 0;
	close(fd);
	return strtoull(buf, NULL, 10);
}

static int set_knobs(const char *track, const char *untrace)
{
	return sysfs_write_str(MRC_SYSFS "/auto_enable", "1") ?:
	       sysfs_write_str(MRC_SYSFS "/s_max", "8192") ?:
	       sysfs_write_str(MRC_SYSFS "/rate_ppm", "1000000") ?:
	       sysfs_write_str(MRC_SYSFS "/write_track_rate_ppm", "1000000") ?:
	       sysfs_write_str(MRC_SYSFS "/untrace_ms", untrace) ?:
	       sysfs_write_str(MRC_SYSFS "/write_track", track);
}

FIXTURE(knee) {
	int dev;
	struct kvm_tiny t;
};

FIXTURE_SETUP(knee)
{
	int ret;

	self->dev = hvmem_dev();
	ASSERT_GE(self->dev, 0);
	ret = knee_create(&self->t);
	if (ret == -ENOENT)
		SKIP(return, "no /dev/kvm (modprobe kvm_amd or kvm_intel)");
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(knee)
{
	knee_close(&self->t);
	sysfs_write_str(MRC_SYSFS "/write_track", "0");
	sysfs_write_str(MRC_SYSFS "/untrace_ms", "100");
	sysfs_write_str(MRC_SYSFS "/rate_ppm", "1000000");
	sysfs_write_str(MRC_SYSFS "/write_track_rate_ppm", "10000");
	close(self->dev);
}

TEST_F_TIMEOUT(knee, curve_knee_at_working_set, 600)
{
	__u64 sizes[2 * KNEE_PAGES];
	__u32 ratios[2 * KNEE_PAGES], id, knee = 0, i;
	struct hvmem_mrc_open o = { .size = sizeof(o) };
	struct hvmem_mrc_query q = { .size = sizeof(q) };
	struct kvm_tiny plain;
	double ns, ns_plain;
	uint64_t traps;
	char path[128];

	/* Baseline: the same guest without tracking. */
	ASSERT_EQ(0, set_knobs("0", "0"));
	ASSERT_EQ(0, knee_create(&plain));
	ns_plain = knee_run(&plain);
	knee_close(&plain);
	ASSERT_GT(ns_plain, 0);

	ASSERT_EQ(0, set_knobs("1", "0"));
	ASSERT_EQ(0, hvmem_bind_kvm(self->dev, self->t.vm, &id));
	snprintf(path, sizeof(path), MRC_SYSFS "/vms/%u/write_traps", id);
	ASSERT_EQ(0, access(path, R_OK));
	EXPECT_EQ(0, read_u64(path));
	ns = knee_run(&self->t);
	ASSERT_GT(ns, 0);
	traps = read_u64(path);

	o.vm_id = id;
	ASSERT_EQ(0, hvmem_call(self->dev, HVMEM_IOC_MRC_OPEN, &o));
	for (i = 0; i < 2 * KNEE_PAGES; i++)
		sizes[i] = i + 1;
	q.count = 2 * KNEE_PAGES;
	q.sizes = (__u64)(unsigned long)sizes;
	q.ratios = (__u64)(unsigned long)ratios;
	ASSERT_EQ(0, hvmem_call(o.fd, HVMEM_IOC_MRC_QUERY, &q));
	close(o.fd);
	/* knee: the first size whose miss ratio is below halfway */
	for (i = 0; i < 2 * KNEE_PAGES && !knee; i++)
		if (ratios[i] < (HVMEM_MRC_RATIO_ONE + HVMEM_MRC_RATIO_ONE / KNEE_ROUNDS) / 2)
			knee = sizes[i];
	TH_LOG("N=%u knee=%u refs=%llu traps=%llu miss(N-1)=%.3f miss(N)=%.3f",
	       KNEE_PAGES, knee, (unsigned long long)q.refs, (unsigned long long)traps,
	       ratios[KNEE_PAGES - 2] / 1e9, ratios[KNEE_PAGES - 1] / 1e9);
	TH_LOG("guest run: %.0f us traced, %.0f us untraced: %.1f us per trapped write",
	       ns / 1e3, ns_plain / 1e3, traps ? (ns - ns_plain) / traps / 1e3 : 0.0);
	EXPECT_GE(traps, KNEE_PAGES * KNEE_ROUNDS);
	EXPECT_EQ(q.refs, traps);
	EXPECT_GE(knee, KNEE_PAGES * 9 / 10);
	EXPECT_LE(knee, KNEE_PAGES * 11 / 10);
	EXPECT_EQ(0, hvmem_unbind(self->dev, id));
}

/* With an untrace period longer than the run, each page traps once. */
TEST_F_TIMEOUT(knee, untrace_period_cuts_traps, 600)
{
	char path[128];
	uint64_t traps;
	double ns;
	__u32 id;

	ASSERT_EQ(0, set_knobs("1", "10000"));
	ASSERT_EQ(0, hvmem_bind_kvm(self->dev, self->t.vm, &id));
	snprintf(path, sizeof(path), MRC_SYSFS "/vms/%u/write_traps", id);
	ns = knee_run(&self->t);
	ASSERT_GT(ns, 0);
	traps = read_u64(path);
	TH_LOG("untrace 10 s: %llu traps for %u writes, run %.0f us",
	       (unsigned long long)traps, KNEE_PAGES * KNEE_ROUNDS, ns / 1e3);
	EXPECT_GE(traps, KNEE_PAGES);
	EXPECT_LE(traps, KNEE_PAGES + 8);
	EXPECT_EQ(0, hvmem_unbind(self->dev, id));
}

/*
 * Bound from another process (as `hvmemctl vm bind kvm PID FD` does): KVM
 * takes the notifier only from the VM's address space, which the module
 * then adopts in a worker. Every write must still be seen.
 */
TEST_F_TIMEOUT(knee, bound_by_another_process, 600)
{
	char path[128];
	uint64_t traps;
	int status, p[2];
	__u32 id = 0;
	pid_t pid;

	ASSERT_EQ(0, set_knobs("1", "0"));
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		/* the child inherited the VM fd but has its own address space */
		__u32 cid = 0;
		int ret = hvmem_bind_kvm(self->dev, self->t.vm, &cid);

		if (write(p[1], &cid, sizeof(cid)) != sizeof(cid))
			_exit(2);
		_exit(ret ? 1 : 0);
	}
	ASSERT_EQ(sizeof(id), read(p[0], &id, sizeof(id)));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));
	snprintf(path, sizeof(path), MRC_SYSFS "/vms/%u/write_traps", id);
	ASSERT_GT(knee_run(&self->t), 0);
	traps = read_u64(path);
	TH_LOG("bound by pid %d: %llu traps", pid, (unsigned long long)traps);
	EXPECT_EQ(KNEE_PAGES * KNEE_ROUNDS, traps);
	EXPECT_EQ(0, hvmem_unbind(self->dev, id));
	close(p[0]);
	close(p[1]);
}

/*
 * A memslot above 128 GiB: its write-tracking bitmap (one bit per page,
 * 4.1 MiB here) is beyond the largest kmalloc, which WARNed and left the VM
 * without write tracking. It must be tracked (sampled sparsely here, to
 * keep the walk short).
 */
#define BIG_SLOT_GPA	(4ULL << 30)
#define BIG_SLOT_SIZE	(132ULL << 30)

TEST_F_TIMEOUT(knee, memslot_above_128g_tracked, 600)
{
	struct kvm_userspace_memory_region big = {
		.slot = 1, .guest_phys_addr = BIG_SLOT_GPA, .memory_size = BIG_SLOT_SIZE,
	};
	char path[128], buf[32] = "";
	void *mem;
	__u32 id;
	int fd;
	ssize_t n;

	mem = mmap(NULL, BIG_SLOT_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	big.userspace_addr = (uintptr_t)mem;
	if (ioctl(self->t.vm, KVM_SET_USER_MEMORY_REGION, &big))
		SKIP(goto out, "KVM refused a 132 GiB memslot: %s", strerror(errno));
	ASSERT_EQ(0, sysfs_write_str(MRC_SYSFS "/auto_enable", "1"));
	ASSERT_EQ(0, sysfs_write_str(MRC_SYSFS "/s_max", "8192"));
	ASSERT_EQ(0, sysfs_write_str(MRC_SYSFS "/rate_ppm", "100"));
	ASSERT_EQ(0, sysfs_write_str(MRC_SYSFS "/write_track_rate_ppm", "100"));
	ASSERT_EQ(0, sysfs_write_str(MRC_SYSFS "/untrace_ms", "0"));
	ASSERT_EQ(0, sysfs_write_str(MRC_SYSFS "/write_track", "1"));
	ASSERT_EQ(0, hvmem_bind_kvm(self->dev, self->t.vm, &id));
	snprintf(path, sizeof(path), MRC_SYSFS "/vms/%u/write_traps", id);
	fd = open(path, O_RDONLY);
	ASSERT_GE(fd, 0);
	n = read(fd, buf, sizeof(buf) - 1);
	EXPECT_GT(n, 0) TH_LOG("write_traps: %s (no write tracking)", strerror(errno));
	close(fd);
	EXPECT_EQ(0, hvmem_unbind(self->dev, id));
	sysfs_write_str(MRC_SYSFS "/rate_ppm", "1000000");
out:
	munmap(mem, BIG_SLOT_SIZE);
}

/* mrc_hash() of mrc/mrc_core.h: the sampling hash of a key. */
static uint64_t splitmix(uint64_t x)
{
	uint64_t z = x + 0x9E3779B97F4A7C15ULL;

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Whether the 2 MiB region of @gfn is sampled at rate 1/2 (VM curves: seed 0). */
static bool region_sampled(uint64_t gfn)
{
	return (splitmix(gfn >> 9) >> 32) < (1ULL << 31);
}

#define REGION_SLOT_GPA		(4ULL << 30)
#define REGION_SLOT_SIZE	(256ULL << 20)

/*
 * Write tracking samples 2 MiB regions: at rate 1/2, the gfns tracked are
 * exactly those of the sampled regions (of 1 MiB at 0 and 256 MiB at
 * 4 GiB: 129 regions), and the guest's writes, all in region 0, trap every
 * time if region 0 is sampled and never if not.
 */
TEST_F_TIMEOUT(knee, tracks_whole_regions, 600)
{
	struct kvm_userspace_memory_region big = {
		.slot = 1, .guest_phys_addr = REGION_SLOT_GPA, .memory_size = REGION_SLOT_SIZE,
	};
	uint64_t expect = 0, total = 0, gfn, tracked, traps;
	char path[128];
	void *mem;
	__u32 id;

	/* tracks ~35k gfns: too slow on the test kernel */
	if (hvmem_skip_kvm())
		SKIP(return, "%s", hvmem_skip_kvm());
	mem = mmap(NULL, REGION_SLOT_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	big.userspace_addr = (uintptr_t)mem;
	ASSERT_EQ(0, ioctl(self->t.vm, KVM_SET_USER_MEMORY_REGION, &big));
	for (gfn = 0; gfn < KNEE_MEM / 4096; gfn++, total++)
		expect += region_sampled(gfn);
	for (gfn = REGION_SLOT_GPA / 4096; gfn < (REGION_SLOT_GPA + REGION_SLOT_SIZE) / 4096;
	     gfn++, total++)
		expect += region_sampled(gfn);
	/* the seed gives both kinds of regions, so the count tells */
	ASSERT_GT(expect, 0);
	ASSERT_LT(expect, total);
	ASSERT_EQ(0, set_knobs("1", "0"));
	ASSERT_EQ(0, sysfs_write_str(MRC_SYSFS "/rate_ppm", "500000"));
	ASSERT_EQ(0, sysfs_write_str(MRC_SYSFS "/write_track_rate_ppm", "500000"));
	ASSERT_EQ(0, hvmem_bind_kvm(self->dev, self->t.vm, &id));
	snprintf(path, sizeof(path), MRC_SYSFS "/vms/%u/write_tracked", id);
	tracked = read_u64(path);
	ASSERT_GT(knee_run(&self->t), 0);
	snprintf(path, sizeof(path), MRC_SYSFS "/vms/%u/write_traps", id);
	traps = read_u64(path);
	TH_LOG("rate 1/2: %llu of %llu gfns tracked (%llu expected), region 0 %s, %llu traps",
	       (unsigned long long)tracked, (unsigned long long)total,
	       (unsigned long long)expect, region_sampled(0) ? "sampled" : "not sampled",
	       (unsigned long long)traps);
	EXPECT_EQ(expect, tracked);
	EXPECT_EQ(region_sampled(0) ? KNEE_PAGES * KNEE_ROUNDS : 0, traps);
	EXPECT_EQ(0, hvmem_unbind(self->dev, id));
	munmap(mem, REGION_SLOT_SIZE);
}

TEST_HARNESS_MAIN
