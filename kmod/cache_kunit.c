// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the exclusive cache in the kernel: the pure core over real
 * pages with xxh64 (byte-exact round trips, exclusive gets, dedup,
 * eviction, frames all returned), and the in-kernel API of cache.c on a
 * fake VM in the registry (no address space is bound).
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/xxhash.h>

#include <hvmem/cache.h>
#include "hvmem_internal.h"
#include "cache_core.h"
#include "cache_internal.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define KT_FRAMES	8

struct kt_reserve {
	struct hc_frame frames[KT_FRAMES];
	bool used[KT_FRAMES];
	int in_use;
};

static struct hc_frame *kt_alloc(void *priv)
{
	struct kt_reserve *r = priv;
	int i;

	for (i = 0; i < KT_FRAMES; i++) {
		if (!r->used[i]) {
			r->used[i] = true;
			r->in_use++;
			return &r->frames[i];
		}
	}
	return NULL;
}

static void kt_free(void *priv, struct hc_frame *f)
{
	struct kt_reserve *r = priv;

	r->used[f - r->frames] = false;
	r->in_use--;
}

static u64 kt_hash(const void *data, size_t len)
{
	return xxh64(data, len, 0);
}

static const struct hc_ops kt_ops = {
	.frame_alloc = kt_alloc,
	.frame_free = kt_free,
	.hash = kt_hash,
};

static void kt_fill(void *buf, u64 seed)
{
	u64 *p = buf;
	unsigned int i;

	for (i = 0; i < PAGE_SIZE / 8; i++)
		p[i] = (seed << 32) ^ (i * 0x9e3779b97f4a7c15ULL) ^ 1;
}

static struct kt_reserve *kt_reserve(struct kunit *test)
{
	struct kt_reserve *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, r);
	for (i = 0; i < KT_FRAMES; i++) {
		r->frames[i].data = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, r->frames[i].data);
	}
	return r;
}

static void cache_core_round_trip(struct kunit *test)
{
	struct kt_reserve *r = kt_reserve(test);
	void *in = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	void *out = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	struct hc_key k = { .oid = 3, .index = 4 };
	struct hc_cache c;
	u64 gen, g;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, in);
	KUNIT_ASSERT_NOT_NULL(test, out);
	KUNIT_ASSERT_EQ(test, hc_init(&c, &kt_ops, r, PAGE_SIZE, KT_FRAMES), 0);
	KUNIT_ASSERT_EQ(test, hc_pool_create(&c, 1, 0, &k.pool), 0);
	kt_fill(in, 1);
	KUNIT_ASSERT_EQ(test, hc_put(&c, &k, in, &gen), 0);
	KUNIT_EXPECT_EQ(test, hc_get(&c, &k, gen + 1, out, &g), -ESTALE);
	KUNIT_ASSERT_EQ(test, hc_get(&c, &k, gen, out, &g), 0);
	KUNIT_EXPECT_EQ(test, memcmp(in, out, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, hc_get(&c, &k, 0, out, &g), -ENOENT);

	/* Dedup with xxh64: 4 identical pages, one frame. */
	for (i = 0; i < 4; i++) {
		k.index = i;
		KUNIT_ASSERT_EQ(test, hc_put(&c, &k, in, &g), 0);
	}
	KUNIT_EXPECT_EQ(test, c.frames, 1);
	KUNIT_EXPECT_EQ(test, c.dedup_saved, 3);
	/* Pressure: 12 distinct pages into 8 frames. */
	for (i = 0; i < 12; i++) {
		kt_fill(in, 100 + i);
		k.index = 100 + i;
		KUNIT_ASSERT_EQ(test, hc_put(&c, &k, in, &g), 0);
	}
	KUNIT_EXPECT_EQ(test, c.frames, KT_FRAMES);
	KUNIT_EXPECT_EQ(test, r->in_use, KT_FRAMES);
	for (i = 4; i < 12; i++) {
		k.index = 100 + i;
		KUNIT_ASSERT_EQ(test, hc_get(&c, &k, 0, out, &g), 0);
		kt_fill(in, 100 + i);
		KUNIT_EXPECT_EQ(test, memcmp(in, out, PAGE_SIZE), 0);
	}
	hc_destroy(&c);
	KUNIT_EXPECT_EQ(test, r->in_use, 0);
}

static unsigned long kt_cookie;

/* Unbind the fake VM (as its teardown would) if the test did not get there. */
static void kt_fake_vm_cleanup(void *data)
{
	struct hvmem_vm *vm = data;

	if (hvmem_registry_remove(vm)) {
		hvmem_cache_vm_gone(vm->id);
		hvmem_registry_release_id(vm);
	}
	vm->mm = NULL;
	hvmem_vm_put(vm);
}

/* The exported API on a fake VM; the module's reserve is restored after. */
static void cache_api_fake_vm(struct kunit *test)
{
	void *in = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	void *out = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	struct hvmem_cache_snap s, s2;
	struct hc_vm_info info;
	struct hvmem_vm *vm;
	u32 pool;
	u64 gen, g;

	KUNIT_ASSERT_NOT_NULL(test, in);
	KUNIT_ASSERT_NOT_NULL(test, out);
	KUNIT_EXPECT_EQ(test, hvmem_cache_pool_create(0x7ffffff0, 0, &pool), -ENOENT);
	KUNIT_EXPECT_EQ(test, hvmem_cache_put(0xfffffff0, 0, 0, in, &gen), -ENXIO);
	vm = hvmem_vm_alloc();
	KUNIT_ASSERT_NOT_NULL(test, vm);
	vm->mm = (struct mm_struct *)&kt_cookie;
	/* Whatever assert fails below, the fake VM leaves the registry. */
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_fake_vm_cleanup, vm), 0);
	KUNIT_ASSERT_EQ(test, hvmem_registry_add(vm), 0);
	hvmem_cache_snapshot(&s);
	KUNIT_ASSERT_EQ(test, hvmem_cache_set_reserve(s.reserve_pages + 4), 0);
	KUNIT_EXPECT_EQ(test, hvmem_cache_pool_create(vm->id, 0x80, &pool), -EINVAL);
	KUNIT_ASSERT_EQ(test, hvmem_cache_pool_create(vm->id, 0, &pool), 0);
	KUNIT_EXPECT_EQ(test, hvmem_cache_vm_set(vm->id, 2000, 0), 0);
	kt_fill(in, 9);
	KUNIT_ASSERT_EQ(test, hvmem_cache_put(pool, 1, 2, in, &gen), 0);
	KUNIT_ASSERT_EQ(test, hvmem_cache_get(pool, 1, 2, gen, out, &g), 0);
	KUNIT_EXPECT_EQ(test, memcmp(in, out, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, hvmem_cache_get(pool, 1, 2, 0, out, &g), -ENOENT);
	KUNIT_ASSERT_EQ(test, hvmem_cache_put(pool, 1, 3, in, &gen), 0);
	KUNIT_EXPECT_EQ(test, hvmem_cache_flush_object(pool, 1), 1);
	KUNIT_EXPECT_EQ(test, hvmem_cache_flush_page(pool, 1, 3), -ENOENT);
	KUNIT_EXPECT_EQ(test, hvmem_cache_pool_destroy(pool), 0);
	KUNIT_EXPECT_EQ(test, hvmem_cache_pool_destroy(pool), -ENXIO);

	/* Unbinding (as the UNBIND event does) drops pools, pages and shares. */
	KUNIT_ASSERT_EQ(test, hvmem_cache_pool_create(vm->id, 0, &pool), 0);
	KUNIT_ASSERT_EQ(test, hvmem_cache_put(pool, 1, 1, in, &gen), 0);
	KUNIT_EXPECT_TRUE(test, hvmem_registry_remove(vm));
	hvmem_cache_vm_gone(vm->id);
	hvmem_registry_release_id(vm);
	KUNIT_EXPECT_EQ(test, hvmem_cache_get(pool, 1, 1, 0, out, &g), -ENXIO);
	KUNIT_EXPECT_EQ(test, hvmem_cache_vm_info(vm->id, &info), -ENOENT);
	hvmem_cache_snapshot(&s2);
	KUNIT_EXPECT_EQ(test, s2.used_pages, s.used_pages);
	KUNIT_EXPECT_EQ(test, hvmem_cache_set_reserve(s.reserve_pages), 0);
	/* A removed VM gets no pools. */
	KUNIT_EXPECT_EQ(test, hvmem_cache_pool_create(vm->id, 0, &pool), -ENOENT);
}

struct kt_wb {
	struct hvmem_cache_writeback wb;
	int calls;
	int refuse;
	u64 index;
	u8 data[PAGE_SIZE];
};

static int kt_writeback(struct hvmem_cache_writeback *wb, u64 oid, u64 index, const void *data)
{
	struct kt_wb *w = container_of(wb, struct kt_wb, wb);

	w->calls++;
	w->index = index;
	if (data)
		memcpy(w->data, data, PAGE_SIZE);
	return w->refuse;
}

/* Block-device use of the API: non-consuming reads, writeback owners, pinned pools. */
static void cache_api_read_writeback(struct kunit *test)
{
	struct kt_wb *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	void *in = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	void *out = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	struct hvmem_cache_snap s;
	struct hvmem_vm *vm;
	int how, i;
	u32 pool;
	u64 gen;

	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_NOT_NULL(test, in);
	KUNIT_ASSERT_NOT_NULL(test, out);
	w->wb.writeback = kt_writeback;
	vm = hvmem_vm_alloc();
	KUNIT_ASSERT_NOT_NULL(test, vm);
	vm->mm = (struct mm_struct *)&kt_cookie;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_fake_vm_cleanup, vm), 0);
	KUNIT_ASSERT_EQ(test, hvmem_registry_add(vm), 0);
	hvmem_cache_snapshot(&s);
	KUNIT_ASSERT_EQ(test, hvmem_cache_set_reserve(s.reserve_pages + 4), 0);
	KUNIT_ASSERT_EQ(test, hvmem_cache_pool_create(vm->id, 0, &pool), 0);
	KUNIT_ASSERT_EQ(test, hvmem_cache_pool_set_writeback(pool, &w->wb), 0);
	/* a cap of 2 pages: the third put evicts the oldest, after its writeback */
	KUNIT_ASSERT_EQ(test, hvmem_cache_vm_set(vm->id, 1000, 2), 0);
	for (i = 0; i < 2; i++) {
		kt_fill(in, 40 + i);
		KUNIT_ASSERT_EQ(test, hvmem_cache_put_how(pool, 0, i, in, &gen, &how), 0);
		KUNIT_EXPECT_EQ(test, how, HVMEM_CACHE_PUT_FRAME);
	}
	KUNIT_ASSERT_EQ(test, hvmem_cache_read(pool, 0, 0, out), 0);
	KUNIT_ASSERT_EQ(test, hvmem_cache_read(pool, 0, 0, out), 0);	/* still there */
	kt_fill(in, 40);
	KUNIT_EXPECT_EQ(test, memcmp(in, out, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, hvmem_cache_pool_pages(pool), 2);
	kt_fill(in, 42);
	KUNIT_ASSERT_EQ(test, hvmem_cache_put(pool, 0, 2, in, &gen), 0);
	KUNIT_EXPECT_EQ(test, w->calls, 1);
	KUNIT_EXPECT_EQ(test, w->index, 0);
	kt_fill(in, 40);
	KUNIT_EXPECT_EQ(test, memcmp(in, w->data, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, hvmem_cache_read(pool, 0, 0, out), -ENOENT);
	/* a refused writeback keeps the page and fails the put */
	w->refuse = -EIO;
	KUNIT_EXPECT_EQ(test, hvmem_cache_put(pool, 0, 3, in, &gen), -ENOSPC);
	KUNIT_EXPECT_EQ(test, w->calls, 2);
	KUNIT_EXPECT_EQ(test, hvmem_cache_read(pool, 0, 1, out), 0);
	KUNIT_EXPECT_EQ(test, hvmem_cache_pool_destroy(pool), 0);
	KUNIT_EXPECT_EQ(test, w->calls, 2);	/* no writeback on destroy */
	/* a pinned pool at the cap: the put fails, nothing is evicted */
	KUNIT_ASSERT_EQ(test, hvmem_cache_pool_create(vm->id, HVMEM_CACHE_POOL_PINNED_K, &pool), 0);
	memset(in, 0, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, hvmem_cache_put_how(pool, 0, 0, in, &gen, &how), 0);
	KUNIT_EXPECT_EQ(test, how, HVMEM_CACHE_PUT_ZERO);
	KUNIT_ASSERT_EQ(test, hvmem_cache_put_how(pool, 0, 1, in, &gen, &how), 0);
	KUNIT_EXPECT_EQ(test, hvmem_cache_put(pool, 0, 2, in, &gen), -ENOSPC);
	KUNIT_EXPECT_EQ(test, hvmem_cache_pool_pages(pool), 2);
	KUNIT_EXPECT_TRUE(test, hvmem_registry_remove(vm));
	hvmem_cache_vm_gone(vm->id);
	hvmem_registry_release_id(vm);
	KUNIT_EXPECT_EQ(test, hvmem_cache_pool_pages(pool), -ENXIO);
	KUNIT_EXPECT_EQ(test, hvmem_cache_set_reserve(s.reserve_pages), 0);
	/* the cleanup action drops the last reference */
}

static struct kunit_case hvmem_cache_cases[] = {
	KUNIT_CASE(cache_core_round_trip),
	KUNIT_CASE(cache_api_fake_vm),
	KUNIT_CASE(cache_api_read_writeback),
	{}
};

static struct kunit_suite hvmem_cache_suite = {
	.name = "hvmem_cache",
	.test_cases = hvmem_cache_cases,
};

kunit_test_suite(hvmem_cache_suite);
