// SPDX-License-Identifier: GPL-2.0
/*
 * vswap_verify MODE DEV FIRST COUNT SEED: write or check 4 KiB blocks of a
 * block device with O_DIRECT.
 *
 *   write   block b gets the pattern of (SEED, b): distinct per block
 *   dup     every block gets the pattern of (SEED, 0): identical blocks
 *   zero    every block gets zeros (a plain write, not write-zeroes)
 *   check   block b must hold the pattern of (SEED, b)
 *   checkdup  every block must hold the pattern of (SEED, 0)
 *   checkzero every block must be zeros
 *
 * Prints "vswap_verify: MODE N blocks, B bad, E errors" and exits 0 when
 * every block was written or matched, 1 otherwise (the first I/O error
 * stops a write; a check goes on and counts it).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BS 4096

static void fill(uint64_t *p, uint64_t seed, uint64_t block)
{
	uint64_t x = (seed * 0x9e3779b97f4a7c15ULL) ^ (block * 0xbf58476d1ce4e5b9ULL) ^ 1;
	int i;

	for (i = 0; i < BS / 8; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = x | 1;	/* never a page of zeros */
	}
}

int main(int argc, char **argv)
{
	uint64_t first, count, seed, b, bad = 0, errs = 0;
	uint64_t *buf, *want;
	const char *mode;
	bool check;
	int fd;

	if (argc != 6) {
		fprintf(stderr, "usage: %s write|dup|zero|check|checkdup|checkzero DEV FIRST COUNT SEED\n",
			argv[0]);
		return 2;
	}
	mode = argv[1];
	first = strtoull(argv[3], NULL, 0);
	count = strtoull(argv[4], NULL, 0);
	seed = strtoull(argv[5], NULL, 0);
	check = !strncmp(mode, "check", 5);
	fd = open(argv[2], (check ? O_RDONLY : O_WRONLY) | O_DIRECT);
	if (fd < 0) {
		perror(argv[2]);
		return 1;
	}
	if (posix_memalign((void **)&buf, BS, BS) || posix_memalign((void **)&want, BS, BS))
		return 1;
	for (b = first; b < first + count; b++) {
		if (!strcmp(mode, "write") || !strcmp(mode, "check"))
			fill(want, seed, b);
		else if (!strcmp(mode, "dup") || !strcmp(mode, "checkdup"))
			fill(want, seed, 0);
		else if (!strcmp(mode, "zero") || !strcmp(mode, "checkzero"))
			memset(want, 0, BS);
		else
			return 2;
		if (!check) {
			if (pwrite(fd, want, BS, b * BS) != BS) {
				fprintf(stderr, "write block %llu: %s\n", (unsigned long long)b,
					strerror(errno));
				errs++;
				break;
			}
			continue;
		}
		if (pread(fd, buf, BS, b * BS) != BS) {
			if (!errs)
				fprintf(stderr, "read block %llu: %s\n", (unsigned long long)b,
					strerror(errno));
			errs++;
			continue;
		}
		if (memcmp(buf, want, BS)) {
			if (!bad)
				fprintf(stderr, "block %llu differs\n", (unsigned long long)b);
			bad++;
		}
	}
	if (!check && fsync(fd))
		errs++;
	close(fd);
	printf("vswap_verify: %s %llu blocks, %llu bad, %llu errors\n", mode,
	       (unsigned long long)count, (unsigned long long)bad, (unsigned long long)errs);
	return bad || errs;
}
