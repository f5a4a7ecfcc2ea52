// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the swap reservation allocator and pool accounting
 * (swapres/resmap.c).
 */
#include "../../swapres/swapres_core.h"
#include "kselftest_harness.h"

TEST(geometry_checked)
{
	struct swapres_res r;

	ASSERT_EQ(-EINVAL, swapres_res_init(&r, 0, 1, false));
	ASSERT_EQ(-EINVAL, swapres_res_init(&r, 10, 0, false));
	ASSERT_EQ(-EINVAL, swapres_res_init(&r, 10, 3, false));
	ASSERT_EQ(-EINVAL, swapres_res_init(&r, 10, 128, false));
	ASSERT_EQ(-EINVAL, swapres_res_init(&r, ~0u, 1, false));
	ASSERT_EQ(0, swapres_res_init(&r, 10, 16, false));
	ASSERT_EQ(4, r.ppb_shift);
	swapres_res_destroy(&r);
}

TEST(every_block_once_then_enospc)
{
	struct swapres_res r;
	unsigned char seen[100] = { 0 };
	u32 pb, i;

	ASSERT_EQ(0, swapres_res_init(&r, 100, 1, false));
	ASSERT_EQ(100, swapres_res_free_blocks(&r));
	for (i = 0; i < 100; i++) {
		ASSERT_EQ(0, swapres_block_get(&r, &pb));
		ASSERT_LT(pb, 100);
		ASSERT_EQ(0, seen[pb]);
		seen[pb] = 1;
	}
	ASSERT_EQ(0, swapres_res_free_blocks(&r));
	ASSERT_EQ(-ENOSPC, swapres_block_get(&r, &pb));
	swapres_block_put(&r, 42);
	swapres_block_put(&r, 7);
	ASSERT_EQ(2, swapres_res_free_blocks(&r));
	ASSERT_EQ(0, swapres_block_get(&r, &pb));
	ASSERT_EQ(7, pb);
	ASSERT_EQ(0, swapres_block_get(&r, &pb));
	ASSERT_EQ(42, pb);
	ASSERT_EQ(-ENOSPC, swapres_block_get(&r, &pb));
	swapres_res_destroy(&r);
}

TEST(names)
{
	ASSERT_TRUE(swapres_name_valid("vm1"));
	ASSERT_TRUE(swapres_name_valid("gold.pool-2_x"));
	ASSERT_FALSE(swapres_name_valid(""));
	ASSERT_FALSE(swapres_name_valid("a b"));
	ASSERT_FALSE(swapres_name_valid("a/b"));
	ASSERT_FALSE(swapres_name_valid("0123456789012345678901234567890123"));
}

TEST(admission_root)
{
	struct swapres_res r;

	ASSERT_EQ(0, swapres_res_init(&r, 100, 1, false));
	ASSERT_EQ(0, swapres_admit(&r.root, 60));
	ASSERT_EQ(0, swapres_admit(&r.root, 40));
	ASSERT_EQ(-ENOSPC, swapres_admit(&r.root, 1));
	ASSERT_EQ(100, r.root.committed);
	ASSERT_EQ(0, swapres_pool_set_overcommit(&r.root, true));
	ASSERT_EQ(0, swapres_admit(&r.root, 50));
	ASSERT_EQ(-EBUSY, swapres_pool_set_overcommit(&r.root, false));
	swapres_unadmit(&r.root, 50);
	ASSERT_EQ(0, swapres_pool_set_overcommit(&r.root, false));
	ASSERT_EQ(-ENOSPC, swapres_admit(&r.root, ~0ULL));
	swapres_unadmit(&r.root, 60);
	swapres_unadmit(&r.root, 40);
	ASSERT_EQ(0, r.root.committed);
	ASSERT_EQ(0, r.root.nr_users);
	swapres_res_destroy(&r);
}

TEST(sub_pools)
{
	struct swapres_res r;
	struct swapres_pool *gold, *silver, *dup;

	ASSERT_EQ(0, swapres_res_init(&r, 100, 1, false));
	gold = swapres_pool_alloc("gold", 70, false);
	ASSERT_NE(NULL, gold);
	ASSERT_EQ(0, swapres_pool_add(&r, gold));
	silver = swapres_pool_alloc("silver", 40, false);
	ASSERT_NE(NULL, silver);
	ASSERT_EQ(-ENOSPC, swapres_pool_add(&r, silver));
	silver->max = 30;
	ASSERT_EQ(0, swapres_pool_add(&r, silver));
	dup = swapres_pool_alloc("gold", 1, false);
	ASSERT_NE(NULL, dup);
	ASSERT_EQ(-EEXIST, swapres_pool_add(&r, dup));
	free(dup);
	ASSERT_EQ(NULL, swapres_pool_alloc("bad name", 1, false));
	ASSERT_EQ(NULL, swapres_pool_alloc("zero", 0, false));
	ASSERT_EQ(gold, swapres_pool_find(&r, "gold"));
	ASSERT_EQ(&r.root, swapres_pool_find(&r, NULL));
	ASSERT_EQ(&r.root, swapres_pool_find(&r, ""));
	ASSERT_EQ(NULL, swapres_pool_find(&r, "bronze"));
	ASSERT_EQ(0, swapres_admit(gold, 70));
	ASSERT_EQ(-ENOSPC, swapres_admit(gold, 1));
	ASSERT_EQ(-EBUSY, swapres_pool_remove(&r, "gold"));
	swapres_unadmit(gold, 70);
	ASSERT_EQ(0, swapres_pool_remove(&r, "gold"));
	ASSERT_EQ(-ENOENT, swapres_pool_remove(&r, "gold"));
	ASSERT_EQ(30, r.root.committed);
	swapres_res_destroy(&r);
}

TEST(pool_limit_count)
{
	struct swapres_res r;
	struct swapres_pool *p;
	char name[16];
	int i;

	ASSERT_EQ(0, swapres_res_init(&r, 1000, 1, false));
	for (i = 0; i < SWAPRES_MAX_POOLS; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		p = swapres_pool_alloc(name, 1, false);
		ASSERT_NE(NULL, p);
		ASSERT_EQ(0, swapres_pool_add(&r, p));
	}
	p = swapres_pool_alloc("last", 1, false);
	ASSERT_EQ(-EMFILE, swapres_pool_add(&r, p));
	free(p);
	swapres_res_destroy(&r);
}

/*
 * kvmalloc() refuses, with a kernel warning (a panic with panic_on_warn),
 * arrays over INT_MAX bytes: sizes that would need one are refused first.
 */
TEST(sizes_beyond_int_max_refused)
{
	struct swapres_res r;
	struct swapres_vm vm;

	/* 2^29 blocks need 2 GiB per array of u32 */
	EXPECT_EQ(-E2BIG, swapres_res_init(&r, 1u << 29, 1, false));
	EXPECT_EQ(NULL, r.stack);
	EXPECT_EQ(-E2BIG, swapres_res_init(&r, 0xfffffffeu, 64, false));
	ASSERT_EQ(0, swapres_res_init(&r, 16, 1, false));
	swapres_res_destroy(&r);
	/* a VM: u32 per virtual block, and a u64 when blocks hold several pages */
	EXPECT_EQ(-E2BIG, swapres_vm_alloc(&vm, 1u << 29, 1));
	EXPECT_EQ(-E2BIG, swapres_vm_alloc(&vm, 1u << 28, 2));
	EXPECT_EQ(-E2BIG, swapres_vm_alloc(&vm, 0xfffffffeu, 64));
	EXPECT_EQ(NULL, vm.map);
	EXPECT_EQ(536870911u, SWAPRES_MAX_BLOCKS);
	EXPECT_EQ(268435455u, SWAPRES_MAX_VBLOCKS(2));
	EXPECT_EQ(536870911u, SWAPRES_MAX_VBLOCKS(1));
}

TEST_HARNESS_MAIN
