// SPDX-License-Identifier: GPL-2.0
/*
 * swapres_pressure MIB SEED [CMD]: fill MIB MiB of anonymous memory with a
 * pattern derived from SEED, run CMD (if given) while the memory is swapped
 * out, then read everything back and verify it. Run it in a cgroup whose
 * memory.max is below MIB to force swap-out and swap-in.
 * Prints "swapres_pressure: verified N pages" and exits 0, or exits 1.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

static uint64_t pattern(uint64_t seed, uint64_t i)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + i;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 29;
	return x;
}

int main(int argc, char **argv)
{
	uint64_t seed, words, i, bad = 0;
	size_t bytes;
	uint64_t *mem;

	if (argc < 3) {
		fprintf(stderr, "usage: %s MIB SEED [CMD]\n", argv[0]);
		return 2;
	}
	bytes = strtoull(argv[1], NULL, 0) << 20;
	seed = strtoull(argv[2], NULL, 0);
	words = bytes / sizeof(*mem);
	mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	madvise(mem, bytes, MADV_NOHUGEPAGE);
	for (i = 0; i < words; i++)
		mem[i] = pattern(seed, i);
	fflush(stdout);
	if (argc > 3 && system(argv[3]) != 0)
		fprintf(stderr, "swapres_pressure: command failed\n");
	for (i = 0; i < words; i++)
		if (mem[i] != pattern(seed, i) && bad++ < 5)
			fprintf(stderr, "mismatch at word %llu\n", (unsigned long long)i);
	if (bad) {
		fprintf(stderr, "swapres_pressure: %llu bad words\n", (unsigned long long)bad);
		return 1;
	}
	printf("swapres_pressure: verified %llu pages\n", (unsigned long long)(bytes >> 12));
	return 0;
}
