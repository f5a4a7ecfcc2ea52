// SPDX-License-Identifier: GPL-2.0
/*
 * hvmem_mrc.ko through its ABI: private contexts fed by HVMEM_IOC_MRC_FEED
 * give hand-computed curves; argument checking; a bound VM's context, its
 * sysfs switch, and its detaching when the VM is unbound; a VM's curve fed
 * by its exclusive-cache puts and gets.
 */
#include <signal.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "hvmem_util.h"

#define MRC_SYSFS "/sys/kernel/mm/hvmem/mrc"

static int mrc_open(int dev, __u32 flags, __u32 vm_id, __u32 s_max, __u64 threshold)
{
	struct hvmem_mrc_open o = {
		.size = sizeof(o), .flags = flags, .vm_id = vm_id,
		.s_max = s_max, .threshold = threshold,
	};
	int ret = hvmem_call(dev, HVMEM_IOC_MRC_OPEN, &o);

	return ret ? ret : o.fd;
}

static int mrc_feed(int cfd, const __u64 *pages, __u32 n, __u32 *done)
{
	struct hvmem_mrc_feed f = {
		.size = sizeof(f), .count = n, .pages = (__u64)(unsigned long)pages,
	};
	int ret = hvmem_call(cfd, HVMEM_IOC_MRC_FEED, &f);

	if (!ret && done)
		*done = f.count;
	return ret;
}

static int mrc_query(int cfd, const __u64 *sizes, __u32 *ratios, __u32 n,
		     struct hvmem_mrc_query *q)
{
	memset(q, 0, sizeof(*q));
	q->size = sizeof(*q);
	q->count = n;
	q->sizes = (__u64)(unsigned long)sizes;
	q->ratios = (__u64)(unsigned long)ratios;
	return hvmem_call(cfd, HVMEM_IOC_MRC_QUERY, q);
}

static __u32 ppb(__u64 misses, __u64 refs)
{
	return (__u32)(misses * HVMEM_MRC_RATIO_ONE / refs);
}

FIXTURE(mrc) {
	int dev;
};

FIXTURE_SETUP(mrc)
{
	self->dev = hvmem_dev();
	ASSERT_GE(self->dev, 0);
}

FIXTURE_TEARDOWN(mrc)
{
	close(self->dev);
}

/* a b c b a a d: distances -, -, -, 1, 2, 0, - */
TEST_F(mrc, private_hand_curve)
{
	static const __u64 t[] = { 10, 20, 30, 20, 10, 10, 40 };
	static const __u64 sizes[] = { 0, 1, 2, 3, 100 };
	__u32 ratios[5], done = 0;
	struct hvmem_mrc_query q;
	int cfd;

	cfd = mrc_open(self->dev, HVMEM_MRC_OPEN_PRIVATE, 0, 64, 0);
	ASSERT_GE(cfd, 0);
	ASSERT_EQ(0, mrc_feed(cfd, t, 7, &done));
	EXPECT_EQ(7, done);
	ASSERT_EQ(0, mrc_query(cfd, sizes, ratios, 5, &q));
	EXPECT_EQ(ppb(7, 7), ratios[0]);
	EXPECT_EQ(ppb(6, 7), ratios[1]);
	EXPECT_EQ(ppb(5, 7), ratios[2]);
	EXPECT_EQ(ppb(4, 7), ratios[3]);
	EXPECT_EQ(ppb(4, 7), ratios[4]);
	EXPECT_EQ(7, q.refs);
	EXPECT_EQ(7, q.sampled);
	EXPECT_EQ(4, q.unique);
	EXPECT_EQ(64, q.s_max);
	EXPECT_EQ(HVMEM_MRC_RATE_ONE, q.threshold);
	EXPECT_EQ(0, q.vm_id);
	EXPECT_EQ(HVMEM_MRC_EXACT | HVMEM_MRC_PRIVATE, q.state);
	EXPECT_LT(q.bytes, 1 << 20);

	struct hvmem_mrc_reset r = { .size = sizeof(r) };

	ASSERT_EQ(0, hvmem_call(cfd, HVMEM_IOC_MRC_RESET, &r));
	ASSERT_EQ(0, mrc_query(cfd, NULL, NULL, 0, &q));
	EXPECT_EQ(0, q.refs);
	close(cfd);
}

/* A loop over 20000 pages with a 512-page sample: the knee is at 20000. */
TEST_F(mrc, private_sampled_knee)
{
	enum { N = 20000, ROUNDS = 4 };
	static __u64 t[N];
	static const __u64 sizes[] = { 18000, 22000 };
	struct hvmem_mrc_query q;
	__u32 ratios[2], i, r;
	int cfd;

	for (i = 0; i < N; i++)
		t[i] = 0x100000 + i;
	cfd = mrc_open(self->dev, HVMEM_MRC_OPEN_PRIVATE, 0, 512, 0);
	ASSERT_GE(cfd, 0);
	for (r = 0; r < ROUNDS; r++)
		ASSERT_EQ(0, mrc_feed(cfd, t, N, NULL));
	ASSERT_EQ(0, mrc_query(cfd, sizes, ratios, 2, &q));
	EXPECT_EQ(N * ROUNDS, q.refs);
	EXPECT_FALSE(q.state & HVMEM_MRC_EXACT);
	EXPECT_GT(ratios[0], 900000000U);
	EXPECT_LT(ratios[1], 350000000U);	/* 0.25 exact */
	close(cfd);
}

TEST_F(mrc, bad_arguments)
{
	struct hvmem_mrc_open o = { .size = sizeof(o), .flags = 1U << 7 };
	struct hvmem_mrc_feed f = { .size = sizeof(f) };
	struct hvmem_mrc_query q;
	__u64 page = 1;
	int cfd;

	EXPECT_EQ(-EINVAL, hvmem_call(self->dev, HVMEM_IOC_MRC_OPEN, &o));
	EXPECT_EQ(-EINVAL, mrc_open(self->dev, HVMEM_MRC_OPEN_PRIVATE, 5, 0, 0));
	EXPECT_EQ(-EINVAL, mrc_open(self->dev, HVMEM_MRC_OPEN_PRIVATE, 0,
				    HVMEM_MRC_SMAX_MAX + 1, 0));
	EXPECT_EQ(-EINVAL, mrc_open(self->dev, HVMEM_MRC_OPEN_PRIVATE, 0, 0,
				    HVMEM_MRC_RATE_ONE + 1));
	EXPECT_EQ(-EINVAL, mrc_open(self->dev, 0, 0, 0, 0));		/* no VM id */
	EXPECT_EQ(-ENOENT, mrc_open(self->dev, 0, 0x7fffffff, 0, 0));
	o.flags = HVMEM_MRC_OPEN_PRIVATE;
	o.near = HVMEM_MRC_NEAR_MAX + 1;
	EXPECT_EQ(-EINVAL, hvmem_call(self->dev, HVMEM_IOC_MRC_OPEN, &o));
	o.size = 4;
	EXPECT_EQ(-EINVAL, hvmem_call(self->dev, HVMEM_IOC_MRC_OPEN, &o));

	cfd = mrc_open(self->dev, HVMEM_MRC_OPEN_PRIVATE, 0, 0, 0);
	ASSERT_GE(cfd, 0);
	EXPECT_EQ(-E2BIG, mrc_feed(cfd, &page, HVMEM_MRC_FEED_MAX + 1, NULL));
	EXPECT_EQ(-EFAULT, mrc_feed(cfd, (__u64 *)8, 1, NULL));
	f.flags = 1;
	EXPECT_EQ(-EINVAL, hvmem_call(cfd, HVMEM_IOC_MRC_FEED, &f));
	EXPECT_EQ(-E2BIG, mrc_query(cfd, NULL, NULL, HVMEM_MRC_QUERY_MAX + 1, &q));
	EXPECT_EQ(-EFAULT, mrc_query(cfd, (__u64 *)8, (__u32 *)8, 1, &q));
	/* commands of /dev/hvmem are not commands of a context fd */
	EXPECT_EQ(-ENOTTY, hvmem_call(cfd, HVMEM_IOC_MRC_OPEN, &o));
	EXPECT_EQ(-ENOTTY, hvmem_call(cfd, HVMEM_IOC_GET_VERSION, &o));
	/* and the reverse */
	EXPECT_EQ(-ENOTTY, hvmem_call(self->dev, HVMEM_IOC_MRC_FEED, &f));
	/* the sample is the sysfs default */
	ASSERT_EQ(0, mrc_query(cfd, NULL, NULL, 0, &q));
	EXPECT_GT(q.s_max, 0);
	close(cfd);
}

TEST_F(mrc, needs_cap_sys_admin)
{
	pid_t pid = fork();
	int status;

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		_exit(mrc_open(self->dev, HVMEM_MRC_OPEN_PRIVATE, 0, 0, 0) == -EPERM ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* A child that waits for a byte on its pipe, then exits. */
static pid_t spawn_sleeper(int *wfd)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		if (read(p[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(p[0]);
	*wfd = p[1];
	return pid;
}

TEST_F(mrc, vm_context_lifecycle)
{
	static const __u64 t[] = { 1, 2, 1 };
	struct hvmem_mrc_query q;
	char path[128], buf[8] = "";
	__u32 id, done;
	int wfd, cfd, fd;
	pid_t pid;

	ASSERT_EQ(0, sysfs_write_str(MRC_SYSFS "/auto_enable", "1"));
	pid = spawn_sleeper(&wfd);
	ASSERT_GT(pid, 0);
	ASSERT_EQ(0, hvmem_bind_pid(self->dev, pid, &id));
	snprintf(path, sizeof(path), MRC_SYSFS "/vms/%u/enabled", id);

	fd = open(path, O_RDONLY);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(2, read(fd, buf, sizeof(buf) - 1));
	EXPECT_STREQ("1\n", buf);
	close(fd);

	cfd = mrc_open(self->dev, 0, id, 0, 0);
	ASSERT_GE(cfd, 0);
	ASSERT_EQ(0, mrc_feed(cfd, t, 3, &done));
	EXPECT_EQ(3, done);
	ASSERT_EQ(0, mrc_query(cfd, NULL, NULL, 0, &q));
	EXPECT_EQ(3, q.refs);
	EXPECT_EQ(id, q.vm_id);
	EXPECT_EQ(HVMEM_MRC_EXACT, q.state);

	/* disabled: no context to open; the open fd keeps the old one */
	ASSERT_EQ(0, sysfs_write_str(path, "0"));
	EXPECT_EQ(-ENODATA, mrc_open(self->dev, 0, id, 0, 0));
	ASSERT_EQ(0, mrc_query(cfd, NULL, NULL, 0, &q));
	EXPECT_TRUE(q.state & HVMEM_MRC_DETACHED);
	EXPECT_EQ(-ENODEV, mrc_feed(cfd, t, 3, NULL));
	close(cfd);

	/* re-enabled: a fresh curve */
	ASSERT_EQ(0, sysfs_write_str(path, "1"));
	cfd = mrc_open(self->dev, 0, id, 0, 0);
	ASSERT_GE(cfd, 0);
	ASSERT_EQ(0, mrc_query(cfd, NULL, NULL, 0, &q));
	EXPECT_EQ(0, q.refs);

	/* the VM's process exits: the VM is unbound, the curve detached */
	kill(pid, SIGKILL);
	close(wfd);
	waitpid(pid, NULL, 0);
	ASSERT_TRUE(hvmem_wait_gone(self->dev, id, 5000));
	ASSERT_EQ(0, mrc_query(cfd, NULL, NULL, 0, &q));
	EXPECT_TRUE(q.state & HVMEM_MRC_DETACHED);
	EXPECT_EQ(-ENOENT, mrc_open(self->dev, 0, id, 0, 0));
	EXPECT_NE(0, access(path, F_OK));
	close(cfd);
}

/*
 * Source (a): a VM cycling over N pages beyond its memory puts each page
 * into the exclusive cache and gets it back a round later. Each get has
 * N - 1 other pages between it and the page's put: the curve of the
 * cache stream has its knee at N (exact here, s_max above N). Only gets
 * count as references; puts set recency.
 */
TEST_F(mrc, cache_stream_knee)
{
	enum { N = 1536, B = 512, ROUNDS = 3 };
	static const __u64 sizes[] = { N * 9 / 10, N - 1, N, N * 11 / 10 };
	static struct hvmem_cache_page pages[B];
	char reserve[32], old_reserve[32];
	struct hvmem_mrc_query q;
	__u32 id, pool, ratios[4], r, i;
	long long old;
	void *buf;
	pid_t pid;
	int cfd;

	old = hvmem_read_num("/sys/kernel/mm/hvmem/cache/reserve_pages");
	ASSERT_GE(old, 0);
	snprintf(old_reserve, sizeof(old_reserve), "%lld", old);
	snprintf(reserve, sizeof(reserve), "%d", 2 * N);
	ASSERT_EQ(0, sysfs_write_str("/sys/kernel/mm/hvmem/cache/reserve_pages", reserve));
	ASSERT_EQ(0, sysfs_write_str(MRC_SYSFS "/auto_enable", "1"));
	buf = calloc(B, sysconf(_SC_PAGESIZE));
	ASSERT_NE(NULL, buf);
	pid = sleeper_spawn();
	ASSERT_GT(pid, 0);
	ASSERT_EQ(0, hvmem_bind_pid(self->dev, pid, &id));
	ASSERT_EQ(0, hvmem_pool_create(self->dev, id, HVMEM_CACHE_POOL_NO_DEDUP, &pool));
	cfd = mrc_open(self->dev, 0, id, 0, 0);
	ASSERT_GE(cfd, 0);

	for (i = 0; i < N; i += B)
		ASSERT_EQ(0, hvmem_cache_batch(self->dev, HVMEM_IOC_CACHE_PUT, pool, 7, i, B,
					       buf, pages, false));
	for (r = 0; r < ROUNDS; r++) {
		for (i = 0; i < N; i += B) {
			ASSERT_EQ(0, hvmem_cache_batch(self->dev, HVMEM_IOC_CACHE_GET, pool, 7, i,
						       B, buf, pages, false));
			ASSERT_EQ(0, pages[0].result);	/* a hit: the reserve holds N */
			ASSERT_EQ(0, hvmem_cache_batch(self->dev, HVMEM_IOC_CACHE_PUT, pool, 7, i,
						       B, buf, pages, false));
		}
	}
	ASSERT_EQ(0, mrc_query(cfd, sizes, ratios, 4, &q));
	EXPECT_EQ(N * ROUNDS, q.refs);	/* the gets */
	EXPECT_EQ(ppb(1, 1), ratios[0]);
	EXPECT_EQ(ppb(1, 1), ratios[1]);
	EXPECT_EQ(0, ratios[2]);
	EXPECT_EQ(0, ratios[3]);

	close(cfd);
	sleeper_kill(pid);
	ASSERT_TRUE(hvmem_wait_gone(self->dev, id, 5000));
	free(buf);
	EXPECT_EQ(0, sysfs_write_str("/sys/kernel/mm/hvmem/cache/reserve_pages", old_reserve));
}

TEST_F(mrc, sysfs_knobs)
{
	EXPECT_EQ(-EINVAL, sysfs_write_str(MRC_SYSFS "/s_max", "0"));
	EXPECT_EQ(-EINVAL, sysfs_write_str(MRC_SYSFS "/rate_ppm", "1000001"));
	EXPECT_EQ(-EINVAL, sysfs_write_str(MRC_SYSFS "/auto_enable", "maybe"));
	EXPECT_EQ(-EINVAL, sysfs_write_str(MRC_SYSFS "/near_pages", "16385"));
	EXPECT_EQ(-EINVAL, sysfs_write_str(MRC_SYSFS "/untrace_ms", "60001"));
	EXPECT_EQ(-EINVAL, sysfs_write_str(MRC_SYSFS "/write_track", "2"));
	ASSERT_EQ(0, sysfs_write_str(MRC_SYSFS "/s_max", "1000"));
	ASSERT_EQ(0, sysfs_write_str(MRC_SYSFS "/rate_ppm", "500000"));

	struct hvmem_mrc_query q;
	int cfd = mrc_open(self->dev, HVMEM_MRC_OPEN_PRIVATE, 0, 0, 0);

	ASSERT_GE(cfd, 0);
	ASSERT_EQ(0, mrc_query(cfd, NULL, NULL, 0, &q));
	EXPECT_EQ(1000, q.s_max);
	EXPECT_EQ(HVMEM_MRC_RATE_ONE / 2, q.threshold);
	close(cfd);
	ASSERT_EQ(0, sysfs_write_str(MRC_SYSFS "/s_max", "16383"));
	ASSERT_EQ(0, sysfs_write_str(MRC_SYSFS "/rate_ppm", "1000000"));
}

TEST_HARNESS_MAIN
