// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the swap reservation core (resmap.c, vmmap.c) as built
 * into dm-swapres.ko: allocator, admission control, pools, thin maps.
 */
#include <kunit/test.h>
#include <linux/module.h>

#include "swapres_core.h"

static void swapres_test_alloc_all_then_enospc(struct kunit *test)
{
	struct swapres_res r;
	unsigned long *seen;
	u32 pb, i;

	KUNIT_ASSERT_EQ(test, 0, swapres_res_init(&r, 1000, 1, false));
	seen = kunit_kzalloc(test, BITS_TO_LONGS(1000) * sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, seen);
	for (i = 0; i < 1000; i++) {
		KUNIT_ASSERT_EQ(test, 0, swapres_block_get(&r, &pb));
		KUNIT_ASSERT_LT(test, pb, 1000u);
		KUNIT_EXPECT_FALSE(test, test_and_set_bit(pb, seen));
	}
	KUNIT_EXPECT_EQ(test, -ENOSPC, swapres_block_get(&r, &pb));
	swapres_block_put(&r, 500);
	KUNIT_EXPECT_EQ(test, 1u, swapres_res_free_blocks(&r));
	KUNIT_EXPECT_EQ(test, 0, swapres_block_get(&r, &pb));
	KUNIT_EXPECT_EQ(test, 500u, pb);
	swapres_res_destroy(&r);
}

static void swapres_test_bad_geometry(struct kunit *test)
{
	struct swapres_res r;

	KUNIT_EXPECT_EQ(test, -EINVAL, swapres_res_init(&r, 0, 1, false));
	KUNIT_EXPECT_EQ(test, -EINVAL, swapres_res_init(&r, 8, 6, false));
	KUNIT_EXPECT_EQ(test, -EINVAL, swapres_res_init(&r, 8, 128, false));
}

static void swapres_test_admission(struct kunit *test)
{
	struct swapres_res r;
	struct swapres_vm a, b;

	KUNIT_ASSERT_EQ(test, 0, swapres_res_init(&r, 100, 1, false));
	KUNIT_ASSERT_EQ(test, 0, swapres_vm_alloc(&a, 200, 1));
	KUNIT_ASSERT_EQ(test, 0, swapres_vm_alloc(&b, 200, 1));
	KUNIT_EXPECT_EQ(test, 0, swapres_vm_attach(&a, &r, &r.root, 70));
	KUNIT_EXPECT_EQ(test, -ENOSPC, swapres_vm_attach(&b, &r, &r.root, 31));
	KUNIT_EXPECT_EQ(test, 0, swapres_vm_attach(&b, &r, &r.root, 30));
	KUNIT_EXPECT_EQ(test, 100ull, r.root.committed);
	swapres_vm_detach(&a);
	swapres_vm_detach(&b);
	KUNIT_EXPECT_EQ(test, 0ull, r.root.committed);
	swapres_vm_free(&a);
	swapres_vm_free(&b);
	swapres_res_destroy(&r);
}

static void swapres_test_first_write_discard(struct kunit *test)
{
	struct swapres_res r;
	struct swapres_vm vm;
	u32 pb, pb2;

	KUNIT_ASSERT_EQ(test, 0, swapres_res_init(&r, 10, 16, false));
	KUNIT_ASSERT_EQ(test, 0, swapres_vm_alloc(&vm, 20, 16));
	KUNIT_ASSERT_EQ(test, 0, swapres_vm_attach(&vm, &r, &r.root, 10));
	KUNIT_EXPECT_FALSE(test, swapres_vm_read(&vm, 3, &pb));
	KUNIT_EXPECT_EQ(test, 0, swapres_vm_write(&vm, 3, &pb));
	KUNIT_EXPECT_TRUE(test, swapres_vm_read(&vm, 3, &pb2));
	KUNIT_EXPECT_EQ(test, pb, pb2);
	/* same block, page never written: zeros */
	KUNIT_EXPECT_FALSE(test, swapres_vm_read(&vm, 4, &pb2));
	KUNIT_EXPECT_EQ(test, 1u, vm.allocated);
	KUNIT_EXPECT_EQ(test, 1u, swapres_vm_discard(&vm, 0, 16));
	KUNIT_EXPECT_EQ(test, 10u, swapres_res_free_blocks(&r));
	KUNIT_EXPECT_FALSE(test, swapres_vm_read(&vm, 3, &pb2));
	swapres_vm_detach(&vm);
	swapres_vm_free(&vm);
	swapres_res_destroy(&r);
}

/* I/O in flight: zeros until a first write ends; a discard defers the free */
static void swapres_test_io_in_flight(struct kunit *test)
{
	struct swapres_res r;
	struct swapres_vm a, b;
	u32 pb, pb2, i;

	KUNIT_ASSERT_EQ(test, 0, swapres_res_init(&r, 4, 1, false));
	KUNIT_ASSERT_EQ(test, 0, swapres_vm_alloc(&a, 8, 1));
	KUNIT_ASSERT_EQ(test, 0, swapres_vm_alloc(&b, 8, 1));
	KUNIT_ASSERT_EQ(test, 0, swapres_vm_attach(&a, &r, &r.root, 1));
	KUNIT_ASSERT_EQ(test, 0, swapres_vm_attach(&b, &r, &r.root, 3));
	KUNIT_ASSERT_EQ(test, 0, swapres_vm_write_begin(&a, 2, &pb));
	KUNIT_EXPECT_FALSE(test, swapres_vm_read(&a, 2, &pb2));
	KUNIT_EXPECT_EQ(test, 0u, swapres_vm_discard(&a, 2, 1));
	KUNIT_EXPECT_EQ(test, 1u, r.nr_deferred);
	KUNIT_EXPECT_EQ(test, 1u, a.allocated);
	/* a is at its max until the write ends; b never gets the block */
	KUNIT_EXPECT_EQ(test, -ENOSPC, swapres_vm_write(&a, 3, &pb2));
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_EQ(test, 0, swapres_vm_write(&b, i, &pb2));
		KUNIT_EXPECT_NE(test, pb, pb2);
	}
	KUNIT_EXPECT_EQ(test, 1u, swapres_vm_io_end(&a, 2, pb, true));
	KUNIT_EXPECT_FALSE(test, swapres_vm_read(&a, 2, &pb2));
	KUNIT_EXPECT_EQ(test, 0u, a.allocated);
	KUNIT_EXPECT_EQ(test, 1u, swapres_res_free_blocks(&r));
	swapres_vm_detach(&a);
	swapres_vm_detach(&b);
	swapres_vm_free(&a);
	swapres_vm_free(&b);
	swapres_res_destroy(&r);
}

static void swapres_test_pool_limits(struct kunit *test)
{
	struct swapres_res r;
	struct swapres_pool *gold;
	struct swapres_vm vm;
	u32 pb, v;

	KUNIT_ASSERT_EQ(test, 0, swapres_res_init(&r, 100, 1, false));
	gold = swapres_pool_alloc("gold", 5, true);
	KUNIT_ASSERT_NOT_NULL(test, gold);
	KUNIT_ASSERT_EQ(test, 0, swapres_pool_add(&r, gold));
	KUNIT_ASSERT_EQ(test, 0, swapres_vm_alloc(&vm, 50, 1));
	KUNIT_ASSERT_EQ(test, 0, swapres_vm_attach(&vm, &r, gold, 20));
	for (v = 0; v < 5; v++)
		KUNIT_EXPECT_EQ(test, 0, swapres_vm_write(&vm, v, &pb));
	KUNIT_EXPECT_EQ(test, -ENOSPC, swapres_vm_write(&vm, 5, &pb));
	KUNIT_EXPECT_EQ(test, -EBUSY, swapres_pool_remove(&r, "gold"));
	swapres_vm_detach(&vm);
	KUNIT_EXPECT_EQ(test, 0, swapres_pool_remove(&r, "gold"));
	swapres_vm_free(&vm);
	swapres_res_destroy(&r);
}

/* Sizes whose arrays would exceed kvmalloc()'s INT_MAX bytes are refused. */
static void swapres_test_too_large(struct kunit *test)
{
	struct swapres_res r;
	struct swapres_vm vm;

	KUNIT_EXPECT_EQ(test, -E2BIG, swapres_res_init(&r, SWAPRES_MAX_BLOCKS + 1, 1, false));
	KUNIT_EXPECT_EQ(test, -E2BIG, swapres_res_init(&r, U32_MAX - 1, 64, false));
	KUNIT_EXPECT_EQ(test, -E2BIG, swapres_vm_alloc(&vm, SWAPRES_MAX_VBLOCKS(1) + 1, 1));
	KUNIT_EXPECT_EQ(test, -E2BIG, swapres_vm_alloc(&vm, SWAPRES_MAX_VBLOCKS(64) + 1, 64));
	KUNIT_EXPECT_EQ(test, -E2BIG, swapres_vm_alloc(&vm, U32_MAX - 1, 2));
}

static struct kunit_case swapres_test_cases[] = {
	KUNIT_CASE(swapres_test_too_large),
	KUNIT_CASE(swapres_test_alloc_all_then_enospc),
	KUNIT_CASE(swapres_test_bad_geometry),
	KUNIT_CASE(swapres_test_admission),
	KUNIT_CASE(swapres_test_first_write_discard),
	KUNIT_CASE(swapres_test_io_in_flight),
	KUNIT_CASE(swapres_test_pool_limits),
	{}
};

static struct kunit_suite swapres_test_suite = {
	.name = "swapres_core",
	.test_cases = swapres_test_cases,
};

kunit_test_suite(swapres_test_suite);

MODULE_DESCRIPTION("KUnit tests of the dm-swapres reservation core");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
