// SPDX-License-Identifier: GPL-2.0
/*
 * hvmemd write scan, the part without hvmemd's state (see wscan.h): smaps
 * parsing and pagemap decoding, with no system calls, and the soft-dirty
 * probe, on a page of the calling process; unit-tested in
 * test/wscan_test.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "wscan.h"

/* "start-end perms offset dev inode [path]": 0 with the range and perms. */
static int header(const char *line, uint64_t *start, uint64_t *end, char perms[5])
{
	unsigned long long s, e;
	int used = 0;

	if (sscanf(line, "%llx-%llx %4s %*x %*x:%*x %*u%n", &s, &e, perms, &used) != 3 ||
	    !used || e <= s)
		return -1;
	*start = s;
	*end = e;
	return 0;
}

static bool has_flag(const char *flags, const char *flag)
{
	size_t len = strlen(flag);
	const char *p = flags;

	while ((p = strstr(p, flag))) {
		if ((p == flags || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\n' ||
						     !p[len]))
			return true;
		p += len;
	}
	return false;
}

int wscan_parse_smaps(FILE *f, struct wscan_range *r, unsigned int *n)
{
	uint64_t start = 0, end = 0, thp = 0;
	bool in_vma = false, writable = false, big = false;
	char line[512], perms[5];

	*n = 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strchr(line, '\n') && !feof(f)) {
			int c;

			/* a long path: the rest of the line does not matter */
			while ((c = fgetc(f)) != EOF && c != '\n')
				;
		}
		if (!header(line, &start, &end, perms)) {
			in_vma = true;
			writable = perms[0] == 'r' && perms[1] == 'w';
			thp = 0;
			continue;
		}
		if (!strncmp(line, "AnonHugePages:", 14) || !strncmp(line, "ShmemPmdMapped:", 15)) {
			unsigned long long kib;

			if (in_vma && sscanf(strchr(line, ':') + 1, "%llu kB", &kib) == 1)
				thp += kib;
			continue;
		}
		if (strncmp(line, "VmFlags:", 8))
			continue;
		if (!in_vma)
			return -EINVAL;
		in_vma = false;
		if (!writable || !has_flag(line + 8, "dc"))
			continue;
		if (*n && r[*n - 1].end == start) {
			r[*n - 1].end = end;
			r[*n - 1].thp_kib += thp;
		} else if (*n < WSCAN_RANGES_MAX) {
			r[*n].start = start;
			r[*n].end = end;
			r[*n].thp_kib = thp;
			(*n)++;
		} else {
			big = true;
		}
	}
	if (ferror(f))
		return -EIO;
	return big ? -E2BIG : 0;
}

size_t wscan_dirty(const uint64_t *pm, size_t n, uint64_t first, uint64_t *out)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if ((pm[i] & WSCAN_PM_SOFT_DIRTY) && (pm[i] & (WSCAN_PM_PRESENT | WSCAN_PM_SWAP)))
			out[k++] = first + i;
	return k;
}

int wscan_probe(char *why, size_t len)
{
	long psz = sysconf(_SC_PAGESIZE);
	uint64_t e = 0;
	char *p;
	int pm, cr, ret = -1;

	p = mmap(NULL, psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		snprintf(why, len, "probe: mmap: %s", strerror(errno));
		return -1;
	}
	pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	cr = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
	if (pm < 0 || cr < 0) {
		snprintf(why, len, "probe: /proc/self: %s", strerror(errno));
	} else if (write(cr, "4", 1) != 1) {
		snprintf(why, len, "probe: clear_refs: %s", strerror(errno));
	} else {
		*(volatile char *)p = 1;
		if (pread(pm, &e, sizeof(e), (off_t)((uintptr_t)p / psz) * 8) != sizeof(e))
			snprintf(why, len, "probe: pagemap: %s", strerror(errno));
		else if (!(e & WSCAN_PM_SOFT_DIRTY))
			snprintf(why, len, "unsupported: no soft-dirty (CONFIG_MEM_SOFT_DIRTY)");
		else
			ret = 1;
	}
	if (pm >= 0)
		close(pm);
	if (cr >= 0)
		close(cr);
	munmap(p, psz);
	return ret;
}
