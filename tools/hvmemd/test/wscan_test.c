// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of hvmemd's write scan parsing (tools/hvmemd/wscan.c):
 * smaps texts (guest RAM found by VmFlags "dc", merging, bounds, malformed
 * input), pagemap decoding, and this process's own pages: where hvmemd's
 * probe finds soft-dirty, exactly the pages written after a clear are
 * found; where it does not, no page shows the bit.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../wscan.h"
#include "kselftest_harness.h"

static const char smaps[] =
	"55d0c0000000-55d0c0100000 r-xp 00000000 fe:01 1234   /usr/bin/qemu-system-x86_64\n"
	"Size:               1024 kB\n"
	"VmFlags: rd ex mr mw me sd \n"
	"7f0000000000-7f0010000000 rw-p 00000000 00:00 0 \n"
	"Size:             262144 kB\n"
	"AnonHugePages:    112640 kB\n"
	"THPeligible:    1\n"
	"VmFlags: rd wr mr mw me dc ac sd hg mg \n"
	"7f0010000000-7f0010200000 rw-p 00000000 00:00 0 \n"
	"AnonHugePages:      2048 kB\n"
	"VmFlags: rd wr mr mw me dc ac sd \n"
	"7f0020000000-7f0020040000 r--p 00000000 00:00 0 \n"
	"AnonHugePages:      4096 kB\n"
	"VmFlags: rd mr mw me dc sd \n"
	"7f0030000000-7f0031000000 rw-p 00000000 00:00 0                          [heap]\n"
	"VmFlags: rd wr mr mw me ac sd \n"
	"7f0040000000-7f0041000000 rw-s 00000000 00:01 77   /memfd:pc.ram (deleted)\n"
	"AnonHugePages:         0 kB\n"
	"ShmemPmdMapped:     8192 kB\n"
	"VmFlags: rd wr sh mr mw me ms dc sd \n"
	"7f0050000000-7f0050001000 rw-p 00000000 00:00 0 \n"
	"VmFlags: rd wr mr mw me sd dcx \n";

static int parse(const char *text, struct wscan_range *r, unsigned int *n)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int ret;

	if (!f)
		return -ENOMEM;
	ret = wscan_parse_smaps(f, r, n);
	fclose(f);
	return ret;
}

TEST(smaps_guest_ram)
{
	struct wscan_range r[WSCAN_RANGES_MAX];
	unsigned int n = 99;

	ASSERT_EQ(0, parse(smaps, r, &n));
	/* rw + dc: the two touching anonymous ones merge, then the memfd */
	ASSERT_EQ(2, n);
	EXPECT_EQ(0x7f0000000000ULL, r[0].start);
	EXPECT_EQ(0x7f0010200000ULL, r[0].end);
	/* both merged mappings' huge pages; not the read-only one's after */
	EXPECT_EQ(112640 + 2048, r[0].thp_kib);
	EXPECT_EQ(0x7f0040000000ULL, r[1].start);
	EXPECT_EQ(0x7f0041000000ULL, r[1].end);
	EXPECT_EQ(8192, r[1].thp_kib);

	ASSERT_EQ(0, parse("", r, &n));
	EXPECT_EQ(0, n);
}

TEST(smaps_malformed)
{
	struct wscan_range r[WSCAN_RANGES_MAX];
	unsigned int n;

	/* flags without a mapping before them: not smaps */
	EXPECT_EQ(-EINVAL, parse("VmFlags: rd wr dc\n", r, &n));
	EXPECT_EQ(-EINVAL, parse("7f00-7f01 rw-p 0 00:00 0\nVmFlags: dc\nVmFlags: dc\n", r, &n));
	/* an end below its start is not a header */
	EXPECT_EQ(-EINVAL, parse("7f01000-7f00000 rw-p 0 00:00 0\nVmFlags: dc\n", r, &n));
}

TEST(smaps_long_path_and_bound)
{
	struct wscan_range r[WSCAN_RANGES_MAX];
	size_t len = (WSCAN_RANGES_MAX + 2) * 96 + 4096, off = 0;
	char *text = malloc(len);
	unsigned int n, i;

	ASSERT_NE(NULL, text);
	/* a header whose path is longer than the reader's line buffer */
	off += snprintf(text + off, len - off, "1000-2000 rw-p 0 00:00 0 /");
	memset(text + off, 'x', 1500);
	off += 1500;
	off += snprintf(text + off, len - off, "\nVmFlags: rd wr dc\n");
	/* then more separate dc ranges than are kept */
	for (i = 0; i < WSCAN_RANGES_MAX + 1; i++)
		off += snprintf(text + off, len - off, "%x-%x rw-p 0 00:00 0\nVmFlags: dc\n",
				0x10000 * (i + 1), 0x10000 * (i + 1) + 0x1000);
	EXPECT_EQ(-E2BIG, parse(text, r, &n));
	EXPECT_EQ(WSCAN_RANGES_MAX, n);
	EXPECT_EQ(0x1000ULL, r[0].start);
	EXPECT_EQ(0x2000ULL, r[0].end);
	EXPECT_EQ(0x10000ULL, r[1].start);
	free(text);
}

TEST(pagemap_decode)
{
	const uint64_t sd = WSCAN_PM_SOFT_DIRTY, p = WSCAN_PM_PRESENT, s = WSCAN_PM_SWAP;
	uint64_t pm[] = { 0, sd | p | 1234, p | 99, sd, sd | s | 5, s, sd | p };
	uint64_t out[7];

	ASSERT_EQ(3, wscan_dirty(pm, 7, 100, out));
	EXPECT_EQ(101, out[0]);
	EXPECT_EQ(104, out[1]);
	EXPECT_EQ(106, out[2]);
	EXPECT_EQ(0, wscan_dirty(pm, 0, 100, out));
}

TEST(own_pages)
{
	const unsigned int npages = 64, wrote[] = { 3, 10, 11, 63 };
	long psz = sysconf(_SC_PAGESIZE);
	struct wscan_range r[WSCAN_RANGES_MAX];
	uint64_t pm[64], out[64], first;
	unsigned int n, i, k;
	char why[96];
	bool found = false, sd;
	char *p;
	FILE *f;
	int pmfd, crfd;

	p = mmap(NULL, npages * psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, madvise(p, npages * psz, MADV_DONTFORK));
	madvise(p, npages * psz, MADV_NOHUGEPAGE);
	memset(p, 1, npages * psz);
	f = fopen("/proc/self/smaps", "re");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, wscan_parse_smaps(f, r, &n));
	fclose(f);
	for (i = 0; i < n; i++)
		if (r[i].start <= (uintptr_t)p && r[i].end >= (uintptr_t)p + npages * psz)
			found = true;
	EXPECT_TRUE(found);

	pmfd = open("/proc/self/pagemap", O_RDONLY);
	crfd = open("/proc/self/clear_refs", O_WRONLY);
	ASSERT_LE(0, pmfd);
	ASSERT_LE(0, crfd);
	/* hvmemd's probe (it clears our soft-dirty too: before the clear below) */
	sd = wscan_probe(why, sizeof(why)) > 0;
	ASSERT_EQ(1, write(crfd, "4", 1));
	for (i = 0; i < 4; i++)
		p[wrote[i] * psz + 7] = 2;
	first = (uintptr_t)p / psz;
	ASSERT_EQ(sizeof(pm), pread(pmfd, pm, sizeof(pm), (off_t)first * 8));
	k = wscan_dirty(pm, npages, first, out);
	if (!sd) {
		/* the probe said no soft-dirty: then no page may show it */
		ASSERT_EQ(0, k);
		close(pmfd);
		close(crfd);
		SKIP(return, "%s", why);
	}
	ASSERT_EQ(4, k);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(first + wrote[i], out[i]);
	/* a read is not a write */
	ASSERT_EQ(1, write(crfd, "4", 1));
	for (i = 0; i < npages; i++)
		(void)*(volatile char *)(p + i * psz);
	ASSERT_EQ(sizeof(pm), pread(pmfd, pm, sizeof(pm), (off_t)first * 8));
	EXPECT_EQ(0, wscan_dirty(pm, npages, first, out));
	close(pmfd);
	close(crfd);
	munmap(p, npages * psz);
}

TEST_HARNESS_MAIN
