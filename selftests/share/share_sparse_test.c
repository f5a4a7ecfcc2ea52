// SPDX-License-Identifier: GPL-2.0
/*
 * The share scanner on a big sparse mapping: 64 GiB reserved (MAP_NORESERVE)
 * with a few pages written. Absent pages must cost no rate-limit token and
 * no per-page work where no page table exists: at the default 25600
 * pages/s, charging them would take 11 minutes; the scan must take seconds
 * and count exactly the pages written.
 */
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "hvmem_util.h"

#define SHARE_SYSFS	"/sys/kernel/mm/hvmem/share/"
#define SPAN		(64UL << 30)
#define RSZ		(2UL << 20)
#define NW		8	/* pages written: 4 copies of one content, 4 unique */

static unsigned long off_of(int i)
{
	return i * (SPAN / NW) + (i + 1) * 3 * RSZ + 4096UL * i;
}

/* Child: the sparse mapping, NW pages written; reports the base, then waits. */
static pid_t spawn_sparse(unsigned long *base)
{
	unsigned long a = 0;
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (!pid) {
		unsigned char *m;
		int i;

		close(p[0]);
		m = mmap(NULL, SPAN, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (m == MAP_FAILED)
			_exit(1);
		madvise(m, SPAN, MADV_NOHUGEPAGE);	/* one page, not 512 */
		for (i = 0; i < NW; i++)
			memset(m + off_of(i), i < 4 ? 0x11 : 0x20 + i, 4096);
		a = (unsigned long)m;
		if (write(p[1], &a, sizeof(a)) != sizeof(a))
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	if (pid > 0 && read(p[0], &a, sizeof(a)) != sizeof(a)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(p[0]);
	*base = a;
	return pid;
}

FIXTURE(sparse) {
	int dev;
	pid_t pid;
	__u32 vm;
	unsigned long base;
};

FIXTURE_SETUP(sparse)
{
	self->dev = hvmem_dev();
	ASSERT_GE(self->dev, 0);
	/* the defaults: the rate limit is what a sparse guest used to exhaust */
	ASSERT_EQ(0, sysfs_write_str(SHARE_SYSFS "pages_per_sec", "25600"));
	ASSERT_EQ(0, sysfs_write_str(SHARE_SYSFS "cpu_percent", "100"));
	self->pid = spawn_sparse(&self->base);
	ASSERT_GT(self->pid, 0);
	ASSERT_EQ(0, hvmem_bind_pid(self->dev, self->pid, &self->vm));
}

FIXTURE_TEARDOWN(sparse)
{
	sleeper_kill(self->pid);
	hvmem_unbind(self->dev, self->vm);
	sysfs_write_str(SHARE_SYSFS "pages_per_sec", "25600");
	sysfs_write_str(SHARE_SYSFS "cpu_percent", "20");
	close(self->dev);
}

TEST_F_TIMEOUT(sparse, big_sparse_mapping_scans_fast_and_counts_right, 150)
{
	static struct hvmem_share_region regs[4096];
	struct hvmem_share_regions q = {
		.size = sizeof(q), .vm_id = self->vm, .count = 4096,
		.entry_size = sizeof(regs[0]), .regions = (uintptr_t)regs,
	};
	struct hvmem_share_scan sc = { .size = sizeof(sc), .vm_id = self->vm };
	unsigned int i, seen = 0, present = 0, dup = 0;
	struct timespec t0, t1;
	double secs;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(0, hvmem_call(self->dev, HVMEM_IOC_SHARE_SCAN, &sc));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	TH_LOG("64 GiB sparse mapping: scan took %.2f s, %llu pages", secs,
	       (unsigned long long)sc.pages);
	/* 16M absent pages at 25600 tokens/s would take 655 s */
	EXPECT_LT(secs, 60);
	/* the rest of the process (stack, libc data) adds a few pages */
	EXPECT_GE(sc.pages, NW);
	EXPECT_LT(sc.pages, NW + 2000);

	ASSERT_EQ(0, hvmem_call(self->dev, HVMEM_IOC_SHARE_REGIONS, &q));
	for (i = 0; i < q.count; i++) {
		if (regs[i].start < self->base || regs[i].start >= self->base + SPAN)
			continue;
		seen++;
		present += regs[i].present;
		dup += regs[i].dup;
	}
	EXPECT_EQ(NW, seen);
	EXPECT_EQ(NW, present);
	EXPECT_EQ(4, dup);
}

TEST_HARNESS_MAIN
