// SPDX-License-Identifier: GPL-2.0
/*
 * hvmem_share.ko through its ABI: a process with THP-backed memory whose
 * 2 MiB regions are dense with duplicates, sparse, zero or unique; the
 * estimates against the ground truth the test knows from what it wrote;
 * the policy's choice of regions; cross-VM domains; argument checking.
 */
#include <signal.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "hvmem_util.h"
/* proc_stat_field(): hvmemctl's reader of /proc/PID/stat, util.c linked in */
#include "../../tools/hvmemctl/hvmemctl.h"

/* hvmemctl's -j switch, read by the error helpers util.c holds */
bool json_output;

#define SHARE_SYSFS	"/sys/kernel/mm/hvmem/share/"
#define RSZ		(2UL << 20)
#define PPR		512	/* 4 KiB pages per region */
#define NR		12	/* regions: 4 dense, 4 sparse, 2 zero, 2 unique */
#define DENSE_DISTINCT	8	/* contents in a dense region */
#define SPARSE_DUP	10	/* pages of a sparse region that are copies */

enum kind { DENSE, SPARSE, ZERO, UNIQUE };

static enum kind kind_of(int r)
{
	return r < 4 ? DENSE : r < 8 ? SPARSE : r < 10 ? ZERO : UNIQUE;
}

/*
 * The content of page @i of region @r, as a number: 0 for zeros. Dense
 * regions repeat 8 contents shared by all dense regions; sparse regions
 * have SPARSE_DUP pages copying one content of their own, the rest unique.
 */
static unsigned long content(int r, int i)
{
	switch (kind_of(r)) {
	case DENSE:
		return 1 + i % DENSE_DISTINCT;
	case SPARSE:
		return i < SPARSE_DUP ? 100 + r : 1000 + r * PPR + i;
	case ZERO:
		return 0;
	default:
		return 100000 + r * PPR + i;
	}
}

static void fill_page(unsigned char *p, unsigned long c)
{
	unsigned long *w = (unsigned long *)p;
	int i;

	memset(p, 0, 4096);
	if (!c)
		return;
	for (i = 0; i < 4096 / 8; i += 7)
		w[i] = c * 0x9e3779b97f4a7c15UL + i;
}

/* A region the workload advises MADV_MERGEABLE itself, as QEMU does; -1: none. */
static int premerge_region = -1;

/* Child: map NR THP-backed regions, fill them, report the base, then wait. */
static pid_t spawn_workload(unsigned long *base_out, bool *thp_out)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		unsigned long msg[2] = { 0, 0 };
		unsigned char *m, *a;
		char line[256];
		long huge = 0;
		FILE *f;
		int r, i;

		close(p[0]);
		m = mmap(NULL, (NR + 1) * RSZ, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			_exit(1);
		a = (unsigned char *)(((unsigned long)m + RSZ - 1) & ~(RSZ - 1));
		madvise(a, NR * RSZ, MADV_HUGEPAGE);
		/* every page is written, zero regions too: all are allocated */
		for (r = 0; r < NR; r++)
			for (i = 0; i < PPR; i++)
				fill_page(a + r * RSZ + i * 4096UL, content(r, i));
		f = fopen("/proc/self/smaps_rollup", "r");
		while (f && fgets(line, sizeof(line), f))
			sscanf(line, "AnonHugePages: %ld kB", &huge);
		if (f)
			fclose(f);
		if (premerge_region >= 0 &&
		    madvise(a + premerge_region * RSZ, RSZ, MADV_MERGEABLE))
			_exit(1);
		msg[0] = (unsigned long)a;
		msg[1] = huge >= (long)(NR * RSZ / 1024);
		if (write(p[1], msg, sizeof(msg)) != sizeof(msg))
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	if (pid > 0) {
		unsigned long msg[2];

		if (read(p[0], msg, sizeof(msg)) != sizeof(msg)) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			pid = -1;
		} else {
			*base_out = msg[0];
			*thp_out = msg[1];
		}
	}
	close(p[0]);
	return pid;
}

static int share_scan(int dev, __u32 vm, __u32 flags, struct hvmem_share_scan *a)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->vm_id = vm;
	a->flags = flags;
	return hvmem_call(dev, HVMEM_IOC_SHARE_SCAN, a);
}

static int share_stats(int dev, __u32 vm, struct hvmem_share_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->size = sizeof(*s);
	s->vm_id = vm;
	return hvmem_call(dev, HVMEM_IOC_SHARE_STATS, s);
}

static int share_set(int dev, __u32 vm, __u32 flags)
{
	struct hvmem_share_vm a = { .size = sizeof(a), .vm_id = vm, .flags = flags };

	return hvmem_call(dev, HVMEM_IOC_SHARE_VM_SET, &a);
}

/* Pages merging every page of one workload reclaims: pages - distinct contents. */
static unsigned long split_truth(void)
{
	return (4 * PPR - DENSE_DISTINCT) + 4 * (SPARSE_DUP - 1) + (2 * PPR - 1);
}

static bool within(double got, double want, double tol)
{
	return got >= want * (1 - tol) && got <= want * (1 + tol);
}

FIXTURE(share) {
	int dev;
	pid_t pid;
	__u32 vm;
	unsigned long base;
	bool thp;
};

FIXTURE_SETUP(share)
{
	self->dev = hvmem_dev();
	ASSERT_GE(self->dev, 0);
	ASSERT_EQ(0, sysfs_write_str(SHARE_SYSFS "pages_per_sec", "0"));
	ASSERT_EQ(0, sysfs_write_str(SHARE_SYSFS "cpu_percent", "100"));
	ASSERT_EQ(0, sysfs_write_str(SHARE_SYSFS "split_threshold", "64"));
	self->pid = spawn_workload(&self->base, &self->thp);
	ASSERT_GT(self->pid, 0);
	ASSERT_EQ(0, hvmem_bind_pid(self->dev, self->pid, &self->vm));
}

FIXTURE_TEARDOWN(share)
{
	sleeper_kill(self->pid);
	hvmem_unbind(self->dev, self->vm);
	sysfs_write_str(SHARE_SYSFS "pages_per_sec", "25600");
	sysfs_write_str(SHARE_SYSFS "cpu_percent", "20");
	sysfs_write_str(SHARE_SYSFS "pressure_free_pages", "0");
	sysfs_write_str(SHARE_SYSFS "dry_run", "0");
	close(self->dev);
}

/*
 * Ground truth from what was written: with every page small, merging
 * reclaims all pages minus the distinct contents; the policy splits the
 * dense and zero regions (>= 64 sharable subpages), not the sparse ones.
 */
TEST_F(share, estimate_matches_ground_truth)
{
	struct hvmem_share_region regs[NR + 8];
	struct hvmem_share_regions q = {
		.size = sizeof(q), .vm_id = self->vm, .count = NR + 8,
		.regions = (uintptr_t)regs, .entry_size = sizeof(regs[0]),
	};
	struct hvmem_share_scan sc;
	struct hvmem_share_stats s;
	unsigned long policy_truth, dup_truth, zero_truth;
	unsigned int i, seen = 0;
	int r;

	if (!self->thp)
		SKIP(return, "no THP backing for the workload (THP disabled?)");
	ASSERT_EQ(0, share_scan(self->dev, self->vm, 0, &sc));
	EXPECT_GE(sc.pages, NR * PPR);
	ASSERT_EQ(0, share_stats(self->dev, self->vm, &s));

	/* dense: 4 x 512 pages, 8 contents; sparse: 10 copies of 1 each */
	dup_truth = 4 * PPR + 4 * SPARSE_DUP;
	zero_truth = 2 * PPR;
	policy_truth = (4 * PPR - DENSE_DISTINCT) + (2 * PPR - 1);
	TH_LOG("pages %llu dup %llu zero %llu small %llu split %llu policy %llu",
	       s.pages, s.dup_pages, s.zero_pages, s.reclaim_small, s.reclaim_split,
	       s.reclaim_policy);
	/* The rest of the process (stack, libc data) adds a few pages. */
	EXPECT_TRUE(within(s.dup_pages, dup_truth, 0.02));
	EXPECT_TRUE(within(s.zero_pages, zero_truth, 0.02));
	EXPECT_TRUE(within(s.reclaim_split + s.reclaim_small, split_truth(), 0.02));
	EXPECT_TRUE(within(s.reclaim_policy + s.reclaim_small, policy_truth, 0.02));
	EXPECT_LT(s.reclaim_small, split_truth() / 50);	/* all huge: little to merge */
	EXPECT_GE(s.thp_regions, NR);
	EXPECT_GE(s.policy_regions, 6);

	/* per region, exact: the workload's regions by address */
	ASSERT_EQ(0, hvmem_call(self->dev, HVMEM_IOC_SHARE_REGIONS, &q));
	for (i = 0; i < q.count; i++) {
		if (regs[i].start < self->base || regs[i].start >= self->base + NR * RSZ)
			continue;
		r = (regs[i].start - self->base) / RSZ;
		seen++;
		EXPECT_EQ(PPR, regs[i].present);
		EXPECT_TRUE(regs[i].flags & HVMEM_SHARE_REGION_THP);
		switch (kind_of(r)) {
		case DENSE:
			EXPECT_EQ(PPR, regs[i].dup);
			EXPECT_TRUE(regs[i].flags & HVMEM_SHARE_REGION_POLICY);
			break;
		case SPARSE:
			EXPECT_EQ(SPARSE_DUP, regs[i].dup);
			EXPECT_FALSE(regs[i].flags & HVMEM_SHARE_REGION_POLICY);
			break;
		case ZERO:
			EXPECT_EQ(PPR, regs[i].zero);
			EXPECT_TRUE(regs[i].flags & HVMEM_SHARE_REGION_POLICY);
			break;
		case UNIQUE:
			EXPECT_EQ(0, regs[i].dup);
			EXPECT_FALSE(regs[i].flags & HVMEM_SHARE_REGION_POLICY);
			break;
		}
	}
	EXPECT_EQ(NR, seen);
	/* most sharable first */
	for (i = 1; i < q.count; i++)
		EXPECT_GE(regs[i - 1].dup + regs[i - 1].zero, regs[i].dup + regs[i].zero);

	/* a higher threshold: the policy splits only the full regions */
	ASSERT_EQ(0, sysfs_write_str(SHARE_SYSFS "split_threshold", "512"));
	ASSERT_EQ(0, share_stats(self->dev, self->vm, &s));
	EXPECT_TRUE(within(s.reclaim_policy + s.reclaim_small, policy_truth, 0.02));
	EXPECT_GE(s.policy_regions, 6);
	/* and one above the sparse regions' 10 makes the policy split all */
	ASSERT_EQ(0, sysfs_write_str(SHARE_SYSFS "split_threshold", "10"));
	ASSERT_EQ(0, share_stats(self->dev, self->vm, &s));
	EXPECT_EQ(s.reclaim_split, s.reclaim_policy);
}

/* Two copies of the workload: their pages merge only with cross-VM on both. */
TEST_F(share, cross_vm_domains)
{
	struct hvmem_share_stats one, both, first;
	struct hvmem_share_scan sc;
	unsigned long base2;
	bool thp2;
	pid_t pid2;
	__u32 vm2;

	if (!self->thp)
		SKIP(return, "no THP backing for the workload (THP disabled?)");
	pid2 = spawn_workload(&base2, &thp2);
	ASSERT_GT(pid2, 0);
	ASSERT_EQ(0, hvmem_bind_pid(self->dev, pid2, &vm2));
	ASSERT_EQ(0, share_scan(self->dev, self->vm, 0, &sc));
	ASSERT_EQ(0, share_scan(self->dev, vm2, 0, &sc));
	ASSERT_EQ(0, share_stats(self->dev, 0, &one));
	ASSERT_EQ(0, share_stats(self->dev, self->vm, &first));
	EXPECT_EQ(0, first.cross_vm);

	/* cross-VM on one side only: nothing changes */
	ASSERT_EQ(0, share_set(self->dev, self->vm, HVMEM_SHARE_VM_CROSS));
	ASSERT_EQ(0, share_stats(self->dev, 0, &both));
	EXPECT_EQ(one.reclaim_split, both.reclaim_split);
	EXPECT_EQ(one.reclaim_small, both.reclaim_small);
	ASSERT_EQ(0, share_stats(self->dev, self->vm, &first));
	EXPECT_EQ(1, first.cross_vm);

	/*
	 * On both: each distinct content of the second copy has its twin in
	 * the first, so merging reclaims those too.
	 */
	ASSERT_EQ(0, share_set(self->dev, vm2, HVMEM_SHARE_VM_CROSS));
	ASSERT_EQ(0, share_stats(self->dev, 0, &both));
	TH_LOG("split: private %llu, cross-VM %llu", one.reclaim_split + one.reclaim_small,
	       both.reclaim_split + both.reclaim_small);
	EXPECT_TRUE(within(both.reclaim_split + both.reclaim_small -
			   (one.reclaim_split + one.reclaim_small),
			   NR * PPR - split_truth(), 0.02));

	/* the second VM goes: its pages leave the estimate */
	sleeper_kill(pid2);
	ASSERT_TRUE(hvmem_wait_gone(self->dev, vm2, 5000));
	ASSERT_EQ(0, share_stats(self->dev, 0, &both));
	EXPECT_EQ(first.pages, both.pages);
	EXPECT_EQ(first.reclaim_split, both.reclaim_split);
	EXPECT_EQ(-ENOENT, share_stats(self->dev, vm2, &both));
}

/*
 * In /proc/PID/smaps, over the VMAs inside [lo, hi): the kB of AnonHugePages
 * in mergeable ("mg") VMAs and in the others, and whether @probe's VMA is
 * mergeable.
 */
static int smaps_scan(pid_t pid, unsigned long lo, unsigned long hi, unsigned long probe,
		      long *thp_mg, long *thp_other, bool *probe_mg)
{
	unsigned long s = 0, e = 0;
	char path[64], line[1024];
	long kb = 0;
	FILE *f;

	*thp_mg = *thp_other = 0;
	*probe_mg = false;
	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long a, b;
		bool mg;

		if (sscanf(line, "%lx-%lx ", &a, &b) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			s = a;
			e = b;
			kb = 0;
			continue;
		}
		sscanf(line, "AnonHugePages: %ld kB", &kb);
		if (strncmp(line, "VmFlags:", 8) || e <= lo || s >= hi)
			continue;
		mg = strstr(line, " mg") != NULL;
		if (mg)
			*thp_mg += kb;
		else
			*thp_other += kb;
		if (probe >= s && probe < e)
			*probe_mg = mg;
	}
	fclose(f);
	return 0;
}

static int hvmemctl(const char *fmt, ...)
{
	char cmd[256];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static long ksm_read(const char *name)
{
	return hvmem_read_num("/sys/kernel/mm/ksm/%s", name);
}

static long merging_pages(pid_t pid)
{
	return hvmem_read_num("/proc/%d/ksm_merging_pages", pid);
}

/*
 * The policy under pressure: the dense and zero regions (and only they)
 * go to KSM, which merges them (splitting those huge pages) while the
 * sparse and unique regions stay huge. Undo clears the advice.
 */
TEST_F_TIMEOUT(share, policy_hands_worthwhile_regions_to_ksm, 180)
{
	unsigned long lo = self->base, hi = self->base + NR * RSZ;
	long mg, other, before_mg, before_other, merged = 0;
	char run[16], pages[16], sleep_ms[16];
	struct hvmem_share_scan sc;
	bool probe;
	int r, t;

	if (!self->thp)
		SKIP(return, "no THP backing for the workload (THP disabled?)");
	if (ksm_read("run") < 0)
		SKIP(return, "no KSM in this kernel");
	ASSERT_EQ(0, share_scan(self->dev, self->vm, 0, &sc));
	ASSERT_EQ(0, smaps_scan(self->pid, lo, hi, lo, &before_mg, &before_other, &probe));
	EXPECT_EQ(NR * RSZ / 1024, before_mg + before_other);

	/* no pressure: nothing happens */
	ASSERT_EQ(0, sysfs_write_str(SHARE_SYSFS "pressure_free_pages", "1"));
	ASSERT_EQ(0, hvmemctl("hvmemctl share apply %u >/dev/null", self->vm));
	ASSERT_EQ(0, smaps_scan(self->pid, lo, hi, lo, &mg, &other, &probe));
	EXPECT_EQ(0, mg);

	/* pressure (threshold above all memory), dry run: still nothing */
	ASSERT_EQ(0, sysfs_write_str(SHARE_SYSFS "pressure_free_pages", "0x7fffffffffff"));
	ASSERT_EQ(1, hvmem_read_num(SHARE_SYSFS "pressure"));
	ASSERT_EQ(0, sysfs_write_str(SHARE_SYSFS "dry_run", "1"));
	ASSERT_EQ(0, hvmemctl("hvmemctl share apply %u >/dev/null", self->vm));
	ASSERT_EQ(0, sysfs_write_str(SHARE_SYSFS "dry_run", "0"));
	ASSERT_EQ(0, smaps_scan(self->pid, lo, hi, lo, &mg, &other, &probe));
	EXPECT_EQ(0, mg);

	/* the daemon's round: scan, and under pressure, the policy's regions only */
	ASSERT_EQ(0, hvmemctl("hvmemctl share daemon %u --rounds 1", self->vm));
	for (r = 0; r < NR; r++) {
		ASSERT_EQ(0, smaps_scan(self->pid, lo, hi, lo + r * RSZ, &mg, &other, &probe));
		EXPECT_EQ(kind_of(r) == DENSE || kind_of(r) == ZERO, probe);
	}
	EXPECT_EQ(6 * RSZ / 1024, mg);
	EXPECT_EQ(6 * RSZ / 1024, other);

	/* KSM merges the advised regions: their huge pages go, the others stay */
	snprintf(run, sizeof(run), "%ld", ksm_read("run"));
	snprintf(pages, sizeof(pages), "%ld", ksm_read("pages_to_scan"));
	snprintf(sleep_ms, sizeof(sleep_ms), "%ld", ksm_read("sleep_millisecs"));
	ASSERT_EQ(0, sysfs_write_str("/sys/kernel/mm/ksm/pages_to_scan", "4000"));
	ASSERT_EQ(0, sysfs_write_str("/sys/kernel/mm/ksm/sleep_millisecs", "10"));
	ASSERT_EQ(0, sysfs_write_str("/sys/kernel/mm/ksm/run", "1"));
	/*
	 * The dense pages merge. The zero regions' huge pages are split too,
	 * and 6.12's split maps zero-filled subpages to the shared zero page:
	 * they are freed without KSM merging them.
	 */
	for (t = 0; t < 1200; t++) {
		usleep(100 * 1000);
		merged = merging_pages(self->pid);
		ASSERT_EQ(0, smaps_scan(self->pid, lo, hi, lo, &mg, &other, &probe));
		if (merged >= 4 * PPR - 16 && !mg)
			break;
	}
	TH_LOG("KSM merging %ld pages after %d ms; THP kB: advised %ld, others %ld",
	       merged, (t + 1) * 100, mg, other);
	EXPECT_GE(merged, 4 * PPR - 16);
	EXPECT_EQ(0, mg);
	EXPECT_EQ(6 * RSZ / 1024, other);
	sysfs_write_str("/sys/kernel/mm/ksm/run", "2");	/* unmerge all */
	sysfs_write_str("/sys/kernel/mm/ksm/pages_to_scan", pages);
	sysfs_write_str("/sys/kernel/mm/ksm/sleep_millisecs", sleep_ms);
	sysfs_write_str("/sys/kernel/mm/ksm/run", run);

	/* undo: no region is mergeable any more */
	ASSERT_EQ(0, hvmemctl("hvmemctl share apply %u --undo >/dev/null", self->vm));
	ASSERT_EQ(0, smaps_scan(self->pid, lo, hi, lo, &mg, &other, &probe));
	EXPECT_FALSE(probe);
	EXPECT_EQ(0, sysfs_write_str(SHARE_SYSFS "pressure_free_pages", "0"));
}

/*
 * A VM whose process made part of its memory mergeable itself (QEMU's
 * mem-merge=on): apply says so and what to change, and --undo takes back
 * only its own advice, so that part stays mergeable.
 */
TEST_F(share, undo_restores_prior_advice)
{
	unsigned long lo, hi;
	struct hvmem_share_scan sc;
	long mg, other;
	bool probe;

	if (!self->thp)
		SKIP(return, "no THP backing for the workload (THP disabled?)");
	sleeper_kill(self->pid);
	hvmem_unbind(self->dev, self->vm);
	premerge_region = 0;	/* a dense region: the policy picks it too */
	self->pid = spawn_workload(&self->base, &self->thp);
	premerge_region = -1;
	ASSERT_GT(self->pid, 0);
	ASSERT_EQ(0, hvmem_bind_pid(self->dev, self->pid, &self->vm));
	lo = self->base;
	hi = lo + NR * RSZ;
	ASSERT_EQ(0, share_scan(self->dev, self->vm, 0, &sc));

	ASSERT_EQ(0, hvmemctl("hvmemctl share apply %u --force >/tmp/share_apply.out 2>&1",
			      self->vm));
	EXPECT_EQ(0, system("grep -q 'already mergeable' /tmp/share_apply.out && "
			    "grep -q 'mem-merge=off' /tmp/share_apply.out && "
			    "grep -q 'nosharepages' /tmp/share_apply.out"));
	ASSERT_EQ(0, smaps_scan(self->pid, lo, hi, lo, &mg, &other, &probe));
	EXPECT_TRUE(probe);	/* its own advice */
	ASSERT_EQ(0, smaps_scan(self->pid, lo, hi, lo + 1 * RSZ, &mg, &other, &probe));
	EXPECT_TRUE(probe);	/* apply's */
	ASSERT_EQ(0, smaps_scan(self->pid, lo, hi, lo + 4 * RSZ, &mg, &other, &probe));
	EXPECT_FALSE(probe);	/* sparse: not the policy's */

	ASSERT_EQ(0, hvmemctl("hvmemctl share apply %u --undo >/dev/null", self->vm));
	ASSERT_EQ(0, smaps_scan(self->pid, lo, hi, lo, &mg, &other, &probe));
	EXPECT_TRUE(probe) TH_LOG("undo stripped the process's own advice");
	ASSERT_EQ(0, smaps_scan(self->pid, lo, hi, lo + 1 * RSZ, &mg, &other, &probe));
	EXPECT_FALSE(probe);
	ASSERT_EQ(0, smaps_scan(self->pid, lo, hi, lo + 8 * RSZ, &mg, &other, &probe));
	EXPECT_FALSE(probe);

	ASSERT_EQ(0, hvmemctl("hvmemctl share apply %u --undo >/tmp/share_apply.out 2>&1",
			      self->vm));
	EXPECT_EQ(0, system("grep -q 'nothing to undo' /tmp/share_apply.out"));
}

/* Field 22 of /proc/@pid/stat, the process's start time; 0 if unreadable. */
static unsigned long long start_time(pid_t pid)
{
	char buf[32];

	return proc_stat_field(pid, 22, buf, sizeof(buf)) ? 0 : strtoull(buf, NULL, 10);
}

static int touch(const char *dir, const char *fmt, ...)
{
	char name[128], path[512];
	va_list ap;
	int fd;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	return fd < 0 ? -1 : close(fd);
}

static bool exists(const char *dir, const char *fmt, ...)
{
	char name[128], path[512];
	struct stat st;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return !lstat(path, &st);
}

/*
 * VMs end without an undo: apply and undo remove the state files of
 * processes that are gone (pid not in /proc, or a reused pid with another
 * start time) and nothing else: not a live process's file, not a name that
 * does not parse, not a directory.
 */
TEST_F(share, apply_and_undo_prune_stale_state)
{
	char dir[] = "/tmp/hvmem-state.XXXXXX", path[600], nowarn[700];
	unsigned long long live_start, self_start;
	pid_t dead, live, dead2;
	struct hvmem_share_scan sc;

	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, setenv("HVMEM_STATE_DIR", dir, 1));
	dead = fork();
	if (!dead)
		_exit(0);
	ASSERT_GT(dead, 0);
	ASSERT_EQ(dead, waitpid(dead, NULL, 0));
	ASSERT_EQ(-1, kill(dead, 0));
	live = sleeper_spawn();
	ASSERT_GT(live, 0);
	live_start = start_time(live);
	self_start = start_time(self->pid);
	ASSERT_NE(0, live_start);
	ASSERT_NE(0, self_start);

	/* stale: a dead pid; a live pid whose start time is not its own */
	ASSERT_EQ(0, touch(dir, "share-apply-%d-%llu", dead, live_start));
	ASSERT_EQ(0, touch(dir, "share-apply-%d-%llu", live, live_start + 1));
	/* kept: a live process's own file, for another VM and for this one */
	ASSERT_EQ(0, touch(dir, "share-apply-%d-%llu", live, live_start));
	ASSERT_EQ(0, touch(dir, "share-apply-%d-%llu", self->pid, self_start));
	/* kept: names that are not PID-STARTTIME, other files, a directory */
	ASSERT_EQ(0, touch(dir, "share-apply-%d", dead));
	ASSERT_EQ(0, touch(dir, "share-apply-%d-%llux", dead, live_start));
	ASSERT_EQ(0, touch(dir, "share-apply-0%d-%llu", dead, live_start));
	ASSERT_EQ(0, touch(dir, "share-apply--%d-1", dead));
	ASSERT_EQ(0, touch(dir, "share-apply-99999999999999999999-1"));
	ASSERT_EQ(0, touch(dir, "share-apply-%d-99999999999999999999999", dead));
	ASSERT_EQ(0, touch(dir, "share-apply-%d-", dead));
	ASSERT_EQ(0, touch(dir, "unrelated-%d-1", dead));
	snprintf(path, sizeof(path), "%s/share-apply-%d-1", dir, dead);
	ASSERT_EQ(0, mkdir(path, 0700));

	ASSERT_EQ(0, share_scan(self->dev, self->vm, 0, &sc));
	snprintf(path, sizeof(path), "%s/err", dir);
	snprintf(nowarn, sizeof(nowarn), "! grep -q warning %s", path);
	ASSERT_EQ(0, hvmemctl("hvmemctl share apply %u --force >/dev/null 2>%s", self->vm, path));
	EXPECT_EQ(0, system(nowarn));
	EXPECT_FALSE(exists(dir, "share-apply-%d-%llu", dead, live_start));
	EXPECT_FALSE(exists(dir, "share-apply-%d-%llu", live, live_start + 1));
	EXPECT_TRUE(exists(dir, "share-apply-%d-%llu", live, live_start));
	EXPECT_TRUE(exists(dir, "share-apply-%d-%llu", self->pid, self_start));
	EXPECT_TRUE(exists(dir, "share-apply-%d", dead));
	EXPECT_TRUE(exists(dir, "share-apply-%d-%llux", dead, live_start));
	EXPECT_TRUE(exists(dir, "share-apply-0%d-%llu", dead, live_start));
	EXPECT_TRUE(exists(dir, "share-apply--%d-1", dead));
	EXPECT_TRUE(exists(dir, "share-apply-99999999999999999999-1"));
	EXPECT_TRUE(exists(dir, "share-apply-%d-99999999999999999999999", dead));
	EXPECT_TRUE(exists(dir, "share-apply-%d-", dead));
	EXPECT_TRUE(exists(dir, "unrelated-%d-1", dead));
	EXPECT_TRUE(exists(dir, "share-apply-%d-1", dead));

	/* undo prunes too: the other VM's process is gone now */
	sleeper_kill(live);
	dead2 = live;
	ASSERT_EQ(0, hvmemctl("hvmemctl share apply %u --undo >/dev/null 2>%s", self->vm, path));
	EXPECT_EQ(0, system(nowarn));
	EXPECT_FALSE(exists(dir, "share-apply-%d-%llu", dead2, live_start));
	/* and undo removed this VM's own file, as before */
	EXPECT_FALSE(exists(dir, "share-apply-%d-%llu", self->pid, self_start));
	EXPECT_TRUE(exists(dir, "share-apply-%d-1", dead));

	unsetenv("HVMEM_STATE_DIR");
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	EXPECT_EQ(0, system(path));
}

/* Regions written at the caller's stride, each tail zero-filled. */
TEST_F(share, regions_stride)
{
	enum { STRIDE = HVMEM_SHARE_REGION_SIZE_VER0 + 8 };
	unsigned char buf[4 * STRIDE];
	struct hvmem_share_regions q = {
		.size = HVMEM_SHARE_REGIONS_SIZE_VER0, .vm_id = self->vm, .count = 3,
		.entry_size = STRIDE, .regions = (uintptr_t)buf,
	};
	struct hvmem_share_region r;
	struct hvmem_share_scan sc;
	unsigned int i, k;

	ASSERT_EQ(0, share_scan(self->dev, self->vm, 0, &sc));
	memset(buf, 0xff, sizeof(buf));
	ASSERT_EQ(0, hvmem_call(self->dev, HVMEM_IOC_SHARE_REGIONS, &q));
	ASSERT_EQ(3, q.count);
	for (i = 0; i < q.count; i++) {
		memcpy(&r, buf + i * STRIDE, sizeof(r));
		EXPECT_LE(r.present, PPR);
		EXPECT_EQ(0, r.reserved[0] | r.reserved[1]);
		for (k = sizeof(r); k < STRIDE; k++)
			ASSERT_EQ(0, buf[i * STRIDE + k]);
	}
	EXPECT_EQ(0xff, buf[3 * STRIDE]);	/* past count: untouched */
	q.entry_size = HVMEM_SHARE_REGION_SIZE_VER0 - 1;
	EXPECT_EQ(-EINVAL, hvmem_call(self->dev, HVMEM_IOC_SHARE_REGIONS, &q));
	q.entry_size = 0;
	EXPECT_EQ(-EINVAL, hvmem_call(self->dev, HVMEM_IOC_SHARE_REGIONS, &q));
}

TEST_F(share, bad_arguments)
{
	struct hvmem_share_scan sc = { .size = sizeof(sc) };
	struct hvmem_share_stats s;
	struct hvmem_share_regions q = { .size = sizeof(q), .vm_id = self->vm,
					  .entry_size = sizeof(struct hvmem_share_region) };

	/* neither a VM nor ALL, both, bad flags, reserved, unknown VM */
	EXPECT_EQ(-EINVAL, hvmem_call(self->dev, HVMEM_IOC_SHARE_SCAN, &sc));
	EXPECT_EQ(-EINVAL, share_scan(self->dev, self->vm, HVMEM_SHARE_SCAN_ALL, &sc));
	EXPECT_EQ(-EINVAL, share_scan(self->dev, self->vm, 0x80, &sc));
	sc.vm_id = self->vm;
	sc.reserved = 1;
	EXPECT_EQ(-EINVAL, hvmem_call(self->dev, HVMEM_IOC_SHARE_SCAN, &sc));
	EXPECT_EQ(-ENOENT, share_scan(self->dev, 0x7ffffff0, 0, &sc));
	EXPECT_EQ(-ENOENT, share_stats(self->dev, 0x7ffffff0, &s));
	/* bound, not scanned yet */
	EXPECT_EQ(-ENODATA, hvmem_call(self->dev, HVMEM_IOC_SHARE_REGIONS, &q));
	q.count = HVMEM_SHARE_REGIONS_MAX + 1;
	EXPECT_EQ(-E2BIG, hvmem_call(self->dev, HVMEM_IOC_SHARE_REGIONS, &q));
	q.count = 4;
	q.regions = 8;	/* a bad pointer */
	ASSERT_EQ(0, share_scan(self->dev, self->vm, 0, &sc));
	EXPECT_EQ(-EFAULT, hvmem_call(self->dev, HVMEM_IOC_SHARE_REGIONS, &q));
	EXPECT_EQ(-EINVAL, share_set(self->dev, self->vm, 0x10));
	EXPECT_EQ(-ENOENT, share_set(self->dev, 0x7ffffff0, 0));
	EXPECT_EQ(-EINVAL, sysfs_write_str(SHARE_SYSFS "split_threshold", "0"));
	EXPECT_EQ(-EINVAL, sysfs_write_str(SHARE_SYSFS "split_threshold", "513"));
	EXPECT_EQ(-EINVAL, sysfs_write_str(SHARE_SYSFS "cpu_percent", "0"));
	EXPECT_EQ(-EINVAL, sysfs_write_str(SHARE_SYSFS "pages_per_sec", "x"));
}

/* Unprivileged callers get EPERM for every command. */
TEST_F(share, needs_cap_sys_admin)
{
	pid_t pid = fork();
	int status;

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct hvmem_share_stats s;

		if (setuid(65534))
			_exit(2);
		_exit(share_stats(self->dev, 0, &s) == -EPERM ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
