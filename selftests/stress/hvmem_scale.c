// SPDX-License-Identifier: GPL-2.0
/*
 * hvmem_scale - the largest sizes each hvmem interface accepts must either
 * work or fail with a clean errno (the script checks the kernel log: no
 * WARN from a huge kvmalloc, no splat). Each case writes a marker line to
 * the kernel log first, so a splat can be traced to its case.
 *
 *   hvmem_scale [--backing BLOCKDEV] [--scan-seconds S]
 *
 * Prints one TAP line per case; a case fails only on a result outside the
 * ABI (an errno it does not allow) or when the process broke.
 */
#include <signal.h>
#include <sys/wait.h>

#include "stress_util.h"
#include "hvmem_util.h"

static int dev, n, failed;
static const char *backing;
static double scan_seconds = 30;

static void result(bool ok, const char *name, const char *fmt, int e)
{
	n++;
	if (!ok)
		failed++;
	printf("%sok %d %s # %s%s\n", ok ? "" : "not ", n, name, fmt,
	       e ? strerror(e) : "works");
	fflush(stdout);
}

static void begin(const char *name)
{
	kmsg_mark("hvmem-stress: scale case %s\n", name);
}

static bool clean(int e, const int *allowed)
{
	if (!e)
		return true;
	for (; *allowed; allowed++)
		if (*allowed == e)
			return true;
	return false;
}

static const int ok_sizes[] = { EINVAL, E2BIG, ENOMEM, ENOSPC, EOVERFLOW, ERANGE, EFBIG, 0 };

static void vm_list_huge(void)
{
	struct hvmem_vm_info e[8];
	struct hvmem_vm_list l = { .size = sizeof(l), .entry_size = sizeof(e[0]),
				   .count = 0xffffffffU, .entries = (uintptr_t)e };
	int ret;

	begin("vm_list_max_vms_huge");
	if (sysfs_write_str("/sys/module/hvmem/parameters/max_vms", "4294967295")) {
		result(true, "vm_list_max_vms_huge", "max_vms not writable: ", errno);
		return;
	}
	ret = ioctl(dev, HVMEM_IOC_VM_LIST, &l) ? errno : 0;
	/* few VMs are bound: a buffer of 8 entries is enough */
	result(clean(ret, ok_sizes) || ret == EFAULT, "vm_list_max_vms_huge",
	       "VM_LIST count 2^32-1 with max_vms 2^32-1: ", ret);
	sysfs_write_str("/sys/module/hvmem/parameters/max_vms", "1024");
}

static void reserve_huge(void)
{
	static const char * const v[] = { "1099511627776", "9223372036854775807",
				   "18446744073709551615" };
	unsigned int i;
	int ret;

	for (i = 0; i < 3; i++) {
		begin("cache_reserve_huge");
		ret = -sysfs_write_str("/sys/kernel/mm/hvmem/cache/reserve_pages", v[i]);
		result(clean(ret, ok_sizes), "cache_reserve_huge", v[i], ret);
	}
	sysfs_write_str("/sys/kernel/mm/hvmem/cache/reserve_pages", "4096");
}

static void cache_limits(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct hvmem_cache_page *pages = calloc(HVMEM_CACHE_BATCH_MAX, sizeof(*pages));
	uint8_t *buf = calloc(HVMEM_CACHE_BATCH_MAX, pg);
	struct hvmem_cache_vm v = { .size = sizeof(v), .shares = HVMEM_CACHE_SHARES_MAX,
				    .cap = ~0ULL };
	__u32 vm, pool;
	int ret;

	begin("cache_batch_max");
	if (!pages || !buf || hvmem_bind_pid(dev, getpid(), &vm) ||
	    hvmem_pool_create(dev, vm, 0, &pool)) {
		result(false, "cache_batch_max", "setup: ", errno);
		return;
	}
	memset(buf, 0x33, HVMEM_CACHE_BATCH_MAX * pg);
	ret = -hvmem_cache_batch(dev, HVMEM_IOC_CACHE_PUT, pool, ~0ULL, ~0ULL - 600,
				 HVMEM_CACHE_BATCH_MAX, buf, pages, false);
	result(clean(ret, ok_sizes), "cache_batch_max", "512-page put at index 2^64-601: ", ret);
	ret = -hvmem_cache_batch(dev, HVMEM_IOC_CACHE_GET, pool, ~0ULL, ~0ULL - 600,
				 HVMEM_CACHE_BATCH_MAX, buf, pages, false);
	result(clean(ret, ok_sizes), "cache_batch_max_get", "512-page get: ", ret);
	begin("cache_vm_set_max");
	v.vm_id = vm;
	ret = ioctl(dev, HVMEM_IOC_CACHE_VM_SET, &v) ? errno : 0;
	result(clean(ret, ok_sizes), "cache_vm_set_max", "shares max, cap 2^64-1: ", ret);
	hvmem_unbind(dev, vm);
	free(pages);
	free(buf);
}

static void mrc_limits(void)
{
	struct hvmem_mrc_open o = { .size = sizeof(o), .flags = HVMEM_MRC_OPEN_PRIVATE,
				    .s_max = HVMEM_MRC_SMAX_MAX, .threshold = HVMEM_MRC_RATE_ONE,
				    .near = HVMEM_MRC_NEAR_MAX };
	__u64 *p = calloc(HVMEM_MRC_FEED_MAX, 8);
	__u32 *ratios = calloc(HVMEM_MRC_QUERY_MAX, 4);
	unsigned int i;
	int ret;

	begin("mrc_open_max");
	ret = ioctl(dev, HVMEM_IOC_MRC_OPEN, &o) ? errno : 0;
	result(clean(ret, ok_sizes), "mrc_open_max", "s_max and near at their maxima: ", ret);
	if (ret || !p || !ratios)
		return;
	for (i = 0; i < HVMEM_MRC_FEED_MAX; i++)
		p[i] = i * 0x9E3779B97F4A7C15ULL;
	begin("mrc_feed_max");
	{
		struct hvmem_mrc_feed f = { .size = sizeof(f), .count = HVMEM_MRC_FEED_MAX,
					    .pages = (uintptr_t)p };

		ret = ioctl(o.fd, HVMEM_IOC_MRC_FEED, &f) ? errno : 0;
		result(clean(ret, ok_sizes), "mrc_feed_max", "65536 random pages: ", ret);
	}
	for (i = 0; i < HVMEM_MRC_QUERY_MAX; i++)
		p[i] = i ? ~0ULL / i : 0;
	begin("mrc_query_max");
	{
		struct hvmem_mrc_query q = { .size = sizeof(q), .count = HVMEM_MRC_QUERY_MAX,
					     .sizes = (uintptr_t)p, .ratios = (uintptr_t)ratios };

		ret = ioctl(o.fd, HVMEM_IOC_MRC_QUERY, &q) ? errno : 0;
		result(clean(ret, ok_sizes), "mrc_query_max", "4096 sizes up to 2^64-1: ", ret);
	}
	close(o.fd);
	begin("mrc_sysfs_max");
	ret = -sysfs_write_str("/sys/kernel/mm/hvmem/mrc/s_max", "4294967295");
	result(clean(ret, ok_sizes), "mrc_sysfs_s_max", "s_max 2^32-1: ", ret);
	ret = -sysfs_write_str("/sys/kernel/mm/hvmem/mrc/near_pages", "4294967295");
	result(clean(ret, ok_sizes), "mrc_sysfs_near", "near_pages 2^32-1: ", ret);
	free(p);
	free(ratios);
}

/* A share scan of a process with a huge sparse mapping, bounded in time. */
static void share_sparse(unsigned long long gib)
{
	char name[64];
	double t0 = now_s();
	int st, ret = 0;
	pid_t pid;
	__u32 vm;

	snprintf(name, sizeof(name), "share_scan_sparse_%lluGiB", gib);
	begin(name);
	pid = fork();
	if (pid == 0) {
		size_t len = gib << 30;
		uint8_t *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		size_t off;

		if (m == MAP_FAILED)
			_exit(3);
		for (off = 0; off < len; off += len / 64)
			m[off] = 1;
		for (;;)
			pause();
	}
	usleep(300000);
	if (hvmem_bind_pid(dev, pid, &vm)) {
		result(false, name, "bind: ", errno);
		sleeper_kill(pid);
		return;
	}
	{
		pid_t scanner = fork();

		if (scanner == 0) {
			struct hvmem_share_scan s = { .size = sizeof(s), .vm_id = vm };

			_exit(ioctl(dev, HVMEM_IOC_SHARE_SCAN, &s) ? errno : 0);
		}
		while (now_s() - t0 < scan_seconds && waitpid(scanner, &st, WNOHANG) == 0)
			usleep(100000);
		if (waitpid(scanner, &st, WNOHANG) == 0) {
			kill(scanner, SIGKILL);	/* a fatal signal stops a scan */
			waitpid(scanner, &st, 0);
			printf("# scale: %s: the scan did not finish in %.0f s (issue 13, defect 8: a GUP call and a rate-limit token per non-present page)\n",
			       name, scan_seconds);
			ret = ETIMEDOUT;
		} else {
			ret = WIFEXITED(st) ? WEXITSTATUS(st) : EINTR;
		}
	}
	result(ret != ETIMEDOUT && clean(ret, ok_sizes), name, "scan: ", ret);
	hvmem_unbind(dev, vm);
	sleeper_kill(pid);
}

static void share_regions_max(void)
{
	struct hvmem_share_region *r = calloc(HVMEM_SHARE_REGIONS_MAX, sizeof(*r));
	struct hvmem_share_regions a = { .size = sizeof(a), .count = HVMEM_SHARE_REGIONS_MAX,
					 .entry_size = sizeof(*r), .regions = (uintptr_t)r };
	struct hvmem_share_scan s = { .size = sizeof(s) };
	int ret;

	begin("share_regions_max");
	if (!r || hvmem_bind_pid(dev, getpid(), &a.vm_id)) {
		result(false, "share_regions_max", "setup: ", errno);
		return;
	}
	s.vm_id = a.vm_id;
	ioctl(dev, HVMEM_IOC_SHARE_SCAN, &s);
	ret = ioctl(dev, HVMEM_IOC_SHARE_REGIONS, &a) ? errno : 0;
	result(clean(ret, ok_sizes) || ret == ENODATA, "share_regions_max", "65536 regions: ",
	       ret);
	hvmem_unbind(dev, a.vm_id);
	free(r);
}

static void swapres_limits(void)
{
	static const struct { const char *name; unsigned long long len; int bsec; } rc[] = {
		{ "swapres_resv_2^40_sectors", 1ULL << 40, 8 },
		{ "swapres_resv_2^34_blocks", 1ULL << 37, 8 },
		{ "swapres_resv_2^31_blocks", 1ULL << 34, 8 },
		{ "swapres_resv_huge_blocks", 1ULL << 40, 512 },
	};
	char p[256], mm[32];
	unsigned int i;
	int ctl = dm_control(), ret;

	if (!backing || ctl < 0) {
		printf("# scale: no --backing: swapres cases skipped\n");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(rc); i++) {
		begin(rc[i].name);
		snprintf(p, sizeof(p), "%s 0 %d", backing, rc[i].bsec);
		dm_create(ctl, "sc_resv");
		ret = -dm_load(ctl, "sc_resv", 0, rc[i].len, "swapres-resv", p);
		result(clean(ret, ok_sizes), rc[i].name, "table load: ", ret);
		dm_remove(ctl, "sc_resv");
	}
	/* thin devices of the most blocks a table allows, over a small reservation */
	snprintf(p, sizeof(p), "%s 0 8", backing);
	if (dm_create(ctl, "sc_resv") ||
	    dm_load_resume(ctl, "sc_resv", 16384, "swapres-resv", p) ||
	    dm_majmin(ctl, "sc_resv", mm, sizeof(mm))) {
		result(false, "swapres_thin_setup", "reservation: ", errno);
		dm_remove(ctl, "sc_resv");
		return;
	}
	dm_message(ctl, "sc_resv", 0, "overcommit 1");
	{
		static const struct { const char *name, *max; unsigned long long len; } tc[] = {
			{ "swapres_thin_max_blocks", "4294967294", 8ULL << 20 },
			{ "swapres_thin_2^40_sectors", "1000", 1ULL << 40 },
			{ "swapres_thin_2^36_sectors", "4294967294", 1ULL << 36 },
		};

		for (i = 0; i < ARRAY_SIZE(tc); i++) {
			begin(tc[i].name);
			snprintf(p, sizeof(p), "%s scvm%u %s", mm, i, tc[i].max);
			dm_create(ctl, "sc_thin");
			ret = -dm_load(ctl, "sc_thin", 0, tc[i].len, "swapres", p);
			if (!ret)
				ret = -dm_resume(ctl, "sc_thin");
			result(clean(ret, ok_sizes), tc[i].name, "thin table: ", ret);
			if (dm_remove(ctl, "sc_thin")) {
				dm_clear(ctl, "sc_thin");
				dm_remove(ctl, "sc_thin");
			}
		}
	}
	begin("swapres_pool_max");
	ret = -dm_message(ctl, "sc_resv", 0, "create_pool big 18446744073709551615 overcommit");
	result(clean(ret, ok_sizes), "swapres_pool_max", "create_pool of 2^64-1 blocks: ", ret);
	dm_message(ctl, "sc_resv", 0, "remove_pool big");
	dm_remove(ctl, "sc_resv");
	close(ctl);
}

int main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--backing") && i + 1 < argc)
			backing = argv[++i];
		else if (!strcmp(argv[i], "--scan-seconds") && i + 1 < argc)
			scan_seconds = atof(argv[++i]);
	}
	dev = hvmem_dev();
	if (dev < 0) {
		printf("1..0 # SKIP /dev/hvmem: %s\n", strerror(errno));
		return 4;
	}
	printf("TAP version 13\n");
	vm_list_huge();
	reserve_huge();
	cache_limits();
	mrc_limits();
	share_regions_max();
	share_sparse(64);
	share_sparse(1024);
	swapres_limits();
	sysfs_write_str("/sys/kernel/mm/hvmem/cache/reserve_pages", "0");
	kmsg_mark("hvmem-stress: scale %s\n", "done");
	printf("1..%d\n", n);
	return failed ? 1 : 0;
}
