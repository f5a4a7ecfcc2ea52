// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace half of scripts/bench-cache: ns/page of batched
 * HVMEM_IOC_CACHE_PUT + HVMEM_IOC_CACHE_GET for a bound VM, and of two
 * plain memcpy() per page over the same buffers. Prints one line of
 * key=value pairs.
 *
 *   bench-cache-user VM_ID PAGES ROUNDS BATCH
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "../uapi/hvmem.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	unsigned int vm, pages, rounds, batch, r, i, j;
	struct hvmem_cache_pool_create pc = { .size = sizeof(pc) };
	struct hvmem_cache_page *kp;
	uint64_t t0, t_io, t_cp;
	long pg = sysconf(_SC_PAGESIZE);
	char *src, *dst;
	int fd;

	if (argc != 5)
		return fprintf(stderr, "usage: %s VM_ID PAGES ROUNDS BATCH\n", argv[0]), 2;
	vm = atoi(argv[1]);
	pages = atoi(argv[2]);
	rounds = atoi(argv[3]);
	batch = atoi(argv[4]);
	if (!pages || !rounds || !batch || batch > HVMEM_CACHE_BATCH_MAX || pages % batch)
		return fprintf(stderr, "bad arguments\n"), 2;
	fd = open("/dev/hvmem", O_RDWR);
	src = aligned_alloc(pg, (size_t)pages * pg);
	dst = aligned_alloc(pg, (size_t)pages * pg);
	kp = calloc(batch, sizeof(*kp));
	if (fd < 0 || !src || !dst || !kp)
		return perror("setup"), 1;
	for (i = 0; i < pages * (pg / 8); i++)
		((uint64_t *)src)[i] = i * 0x9e3779b97f4a7c15ULL + 1;
	memset(dst, 0, (size_t)pages * pg);
	pc.vm_id = vm;
	pc.flags = HVMEM_CACHE_POOL_NO_DEDUP;
	if (ioctl(fd, HVMEM_IOC_CACHE_POOL_CREATE, &pc))
		return perror("CACHE_POOL_CREATE"), 1;

	t0 = now_ns();
	for (r = 0; r < rounds; r++) {
		for (int get = 0; get < 2; get++) {
			for (i = 0; i < pages; i += batch) {
				struct hvmem_cache_io io = {
					.size = sizeof(io), .pool_id = pc.pool_id, .count = batch,
					.pages = (uintptr_t)kp, .page_size = pg, .entry_size = sizeof(*kp),
					.buf = (uintptr_t)((get ? dst : src) + (size_t)i * pg),
				};

				for (j = 0; j < batch; j++) {
					kp[j].oid = r;
					kp[j].index = i + j;
					kp[j].gen = 0;
				}
				if (ioctl(fd, get ? HVMEM_IOC_CACHE_GET : HVMEM_IOC_CACHE_PUT, &io))
					return perror("CACHE_PUT/GET"), 1;
				for (j = 0; j < batch; j++)
					if (kp[j].result)
						return fprintf(stderr, "page %u: %s\n", i + j,
							       strerror(-kp[j].result)), 1;
			}
		}
	}
	t_io = now_ns() - t0;
	if (memcmp(src, dst, (size_t)pages * pg))
		return fprintf(stderr, "data mismatch\n"), 1;

	t0 = now_ns();
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < pages; i++)
			memcpy(dst + (size_t)i * pg, src + (size_t)i * pg, pg);
		for (i = 0; i < pages; i++)
			memcpy(src + (size_t)i * pg, dst + (size_t)i * pg, pg);
		__asm__ volatile("" : : "r"(src), "r"(dst) : "memory");
	}
	t_cp = now_ns() - t0;
	printf("batch=%u ioctl_put+get_ns_per_page=%llu user_two_memcpy_ns_per_page=%llu\n", batch,
	       (unsigned long long)(t_io / ((uint64_t)pages * rounds)),
	       (unsigned long long)(t_cp / ((uint64_t)pages * rounds)));
	return 0;
}
