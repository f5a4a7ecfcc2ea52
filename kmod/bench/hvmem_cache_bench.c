// SPDX-License-Identifier: GPL-2.0
/*
 * hvmem_cache_bench: times the exclusive cache's in-kernel API. On load it
 * puts @pages distinct pages into a new pool of VM @vm_id and gets them
 * back, @rounds times, and times two plain memcpy() per page over the same
 * buffers; results go to the kernel log. Built and loaded only by
 * scripts/bench-cache; unload it right after.
 */
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/vmalloc.h>

#include <hvmem/cache.h>

static unsigned int vm_id;
module_param(vm_id, uint, 0444);
MODULE_PARM_DESC(vm_id, "A bound VM to create the benchmark's pool for");
static unsigned int pages = 1024;
module_param(pages, uint, 0444);
MODULE_PARM_DESC(pages, "Pages per round (at most the cache reserve)");
static unsigned int rounds = 20;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "Rounds");
static bool dedup;
module_param(dedup, bool, 0444);
MODULE_PARM_DESC(dedup, "Pool with dedup (hashes every page)");

static int __init hvmem_cache_bench_init(void)
{
	u8 *src, *dst;
	u64 t0, t_cache, t_copy, gen, g;
	unsigned int r, i;
	u32 pool;
	int ret;

	if (!pages || pages > 65536 || !rounds)
		return -EINVAL;
	src = vmalloc(array_size(pages, PAGE_SIZE));
	dst = vmalloc(array_size(pages, PAGE_SIZE));
	ret = -ENOMEM;
	if (!src || !dst)
		goto out;
	for (i = 0; i < pages * (PAGE_SIZE / 8); i++)
		((u64 *)src)[i] = i * 0x9e3779b97f4a7c15ULL + 1;
	ret = hvmem_cache_pool_create(vm_id, dedup ? 0 : HVMEM_CACHE_POOL_NO_DEDUP_K, &pool);
	if (ret)
		goto out;

	t0 = ktime_get_ns();
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < pages; i++) {
			ret = hvmem_cache_put(pool, r, i, src + (size_t)i * PAGE_SIZE, &gen);
			if (ret)
				goto out_pool;
		}
		for (i = 0; i < pages; i++) {
			ret = hvmem_cache_get(pool, r, i, 0, dst + (size_t)i * PAGE_SIZE, &g);
			if (ret)
				goto out_pool;
		}
		cond_resched();
	}
	t_cache = ktime_get_ns() - t0;
	ret = -EIO;
	if (memcmp(src, dst, (size_t)pages * PAGE_SIZE))
		goto out_pool;

	t0 = ktime_get_ns();
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < pages; i++)
			memcpy(dst + (size_t)i * PAGE_SIZE, src + (size_t)i * PAGE_SIZE, PAGE_SIZE);
		for (i = 0; i < pages; i++)
			memcpy(src + (size_t)i * PAGE_SIZE, dst + (size_t)i * PAGE_SIZE, PAGE_SIZE);
		cond_resched();
	}
	t_copy = ktime_get_ns() - t0;
	pr_info("hvmem_cache_bench: pages=%u rounds=%u dedup=%d put+get_ns_per_page=%llu two_memcpy_ns_per_page=%llu\n",
		pages, rounds, dedup, div_u64(t_cache, pages * rounds),
		div_u64(t_copy, pages * rounds));
	ret = 0;
out_pool:
	if (ret)
		pr_err("hvmem_cache_bench: failed: %d\n", ret);
	hvmem_cache_pool_destroy(pool);
out:
	vfree(src);
	vfree(dst);
	return ret;
}

static void __exit hvmem_cache_bench_exit(void)
{
}

module_init(hvmem_cache_bench_init);
module_exit(hvmem_cache_bench_exit);

MODULE_DESCRIPTION("hvmem: exclusive cache benchmark");
MODULE_LICENSE("GPL");
