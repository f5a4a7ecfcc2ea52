// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the per-VM thin map (swapres/vmmap.c) on top of the
 * reservation allocator.
 */
#include "../../swapres/swapres_core.h"
#include "kselftest_harness.h"

FIXTURE(two_vms) {
	struct swapres_res res;
	struct swapres_vm a, b;
};

FIXTURE_VARIANT(two_vms) {
	u32 ppb;
};

FIXTURE_VARIANT_ADD(two_vms, page_blocks) { .ppb = 1 };
FIXTURE_VARIANT_ADD(two_vms, blocks_of_16) { .ppb = 16 };
FIXTURE_VARIANT_ADD(two_vms, blocks_of_64) { .ppb = 64 };

FIXTURE_SETUP(two_vms)
{
	ASSERT_EQ(0, swapres_res_init(&self->res, 64, variant->ppb, false));
	ASSERT_EQ(0, swapres_vm_alloc(&self->a, 100, variant->ppb));
	ASSERT_EQ(0, swapres_vm_alloc(&self->b, 100, variant->ppb));
	ASSERT_EQ(0, swapres_vm_attach(&self->a, &self->res, &self->res.root, 40));
	ASSERT_EQ(0, swapres_vm_attach(&self->b, &self->res, &self->res.root, 24));
}

FIXTURE_TEARDOWN(two_vms)
{
	swapres_vm_detach(&self->a);
	swapres_vm_detach(&self->b);
	EXPECT_EQ(64, swapres_res_free_blocks(&self->res));
	EXPECT_EQ(0, self->res.root.committed);
	swapres_vm_free(&self->a);
	swapres_vm_free(&self->b);
	swapres_res_destroy(&self->res);
}

TEST_F(two_vms, admission_full)
{
	struct swapres_vm c;

	ASSERT_EQ(0, swapres_vm_alloc(&c, 10, variant->ppb));
	ASSERT_EQ(-ENOSPC, swapres_vm_attach(&c, &self->res, &self->res.root, 1));
	ASSERT_EQ(0, swapres_pool_set_overcommit(&self->res.root, true));
	ASSERT_EQ(0, swapres_vm_attach(&c, &self->res, &self->res.root, 10));
	ASSERT_EQ(-EINVAL, swapres_vm_attach(&c, &self->res, &self->res.root, 10));
	swapres_vm_detach(&c);
	swapres_vm_free(&c);
}

TEST_F(two_vms, unwritten_reads_zero)
{
	u32 pb;

	ASSERT_FALSE(swapres_vm_read(&self->a, 0, &pb));
	ASSERT_EQ(0, swapres_vm_write(&self->a, 5, &pb));
	ASSERT_TRUE(swapres_vm_read(&self->a, 5, &pb));
	if (variant->ppb > 1)
		ASSERT_FALSE(swapres_vm_read(&self->a, 4, &pb));
	ASSERT_FALSE(swapres_vm_read(&self->b, 5, &pb));
	ASSERT_FALSE(swapres_vm_read(&self->a, 1000000, &pb));
	ASSERT_EQ(-EINVAL, swapres_vm_write(&self->a, 100ULL * variant->ppb, &pb));
}

TEST_F(two_vms, block_shared_by_its_pages)
{
	u32 p0, p1;

	ASSERT_EQ(0, swapres_vm_write(&self->a, 0, &p0));
	ASSERT_EQ(0, swapres_vm_write(&self->a, variant->ppb - 1, &p1));
	ASSERT_EQ(p0, p1);
	ASSERT_EQ(1, self->a.allocated);
	ASSERT_EQ(0, swapres_vm_write(&self->a, variant->ppb, &p1));
	ASSERT_NE(p0, p1);
	ASSERT_EQ(2, self->res.root.allocated);
}

TEST_F(two_vms, vm_max_then_enospc_no_wait)
{
	u32 pb, v;

	for (v = 0; v < 24; v++)
		ASSERT_EQ(0, swapres_vm_write(&self->b, (u64)v * variant->ppb, &pb));
	ASSERT_EQ(-ENOSPC, swapres_vm_write(&self->b, 24ULL * variant->ppb, &pb));
	ASSERT_EQ(1, self->b.enospc);
	/* rewriting a mapped block needs no new block */
	ASSERT_EQ(0, swapres_vm_write(&self->b, 0, &pb));
	ASSERT_EQ(24, self->b.allocated);
}

TEST_F(two_vms, discard_returns_blocks)
{
	u32 pb, v, ppb = variant->ppb;

	for (v = 0; v < 10; v++)
		ASSERT_EQ(0, swapres_vm_write(&self->a, (u64)v * ppb, &pb));
	ASSERT_EQ(54, swapres_res_free_blocks(&self->res));
	if (ppb > 1) {
		/* block 0 also has page 1 written: discarding page 0 keeps it */
		ASSERT_EQ(0, swapres_vm_write(&self->a, 1, &pb));
		ASSERT_EQ(0, swapres_vm_discard(&self->a, 0, 1));
		ASSERT_TRUE(swapres_vm_read(&self->a, 1, &pb));
		ASSERT_EQ(1, swapres_vm_discard(&self->a, 1, 1));
	} else {
		ASSERT_EQ(1, swapres_vm_discard(&self->a, 0, 1));
	}
	ASSERT_FALSE(swapres_vm_read(&self->a, 0, &pb));
	ASSERT_EQ(9, swapres_vm_discard(&self->a, 0, ~0ULL));
	ASSERT_EQ(64, swapres_res_free_blocks(&self->res));
	ASSERT_EQ(0, self->a.allocated);
	ASSERT_EQ(0, swapres_vm_discard(&self->a, 1ULL << 40, 5));
}

TEST_F(two_vms, reservation_exhausted_overcommit)
{
	struct swapres_vm c;
	u32 pb, v;

	ASSERT_EQ(0, swapres_pool_set_overcommit(&self->res.root, true));
	ASSERT_EQ(0, swapres_vm_alloc(&c, 100, variant->ppb));
	ASSERT_EQ(0, swapres_vm_attach(&c, &self->res, &self->res.root, 100));
	for (v = 0; v < 64; v++)
		ASSERT_EQ(0, swapres_vm_write(&c, (u64)v * variant->ppb, &pb));
	ASSERT_EQ(-ENOSPC, swapres_vm_write(&c, 64ULL * variant->ppb, &pb));
	ASSERT_EQ(-ENOSPC, swapres_vm_write(&self->a, 0, &pb));
	ASSERT_EQ(2, self->res.enospc);
	swapres_vm_detach(&c);
	ASSERT_EQ(0, swapres_vm_write(&self->a, 0, &pb));
	swapres_vm_free(&c);
}

/* A page reads as zeros until its first write has completed. */
TEST_F(two_vms, first_write_in_flight_reads_zero)
{
	u32 pb, rpb;

	ASSERT_EQ(0, swapres_vm_write_begin(&self->a, 5, &pb));
	ASSERT_EQ(1, atomic_read(&self->res.pstate[pb]));
	ASSERT_FALSE(swapres_vm_read(&self->a, 5, &rpb));
	ASSERT_EQ(0, swapres_vm_io_end(&self->a, 5, pb, true));
	ASSERT_EQ(0, atomic_read(&self->res.pstate[pb]));
	ASSERT_TRUE(swapres_vm_read(&self->a, 5, &rpb));
	ASSERT_EQ(pb, rpb);
	/* a rewrite in flight leaves the page readable (old or new data) */
	ASSERT_EQ(0, swapres_vm_write_begin(&self->a, 5, &pb));
	ASSERT_TRUE(swapres_vm_read(&self->a, 5, &rpb));
	ASSERT_EQ(0, swapres_vm_io_end(&self->a, 5, pb, true));
}

TEST_F(two_vms, failed_first_write_stays_zero)
{
	u32 pb;

	ASSERT_EQ(0, swapres_vm_write_begin(&self->a, 3, &pb));
	ASSERT_EQ(0, swapres_vm_io_end(&self->a, 3, pb, false));
	ASSERT_FALSE(swapres_vm_read(&self->a, 3, &pb));
	ASSERT_EQ(1, self->a.allocated);
}

/*
 * A discard unmaps a block at once, but the block stays on its VM's account
 * and out of every other VM's reach until the I/O in flight to it ends.
 */
TEST_F(two_vms, discard_defers_block_with_io_in_flight)
{
	u32 pb, rpb, got, i;

	ASSERT_EQ(0, swapres_vm_write(&self->a, 0, &pb));
	ASSERT_TRUE(swapres_vm_read_begin(&self->a, 0, &rpb));
	ASSERT_EQ(pb, rpb);
	ASSERT_EQ(0, swapres_vm_discard(&self->a, 0, variant->ppb));
	ASSERT_EQ(1, self->res.nr_deferred);
	ASSERT_EQ(1, self->a.allocated);
	ASSERT_EQ(63, swapres_res_free_blocks(&self->res));
	ASSERT_FALSE(swapres_vm_read(&self->a, 0, &rpb));
	/* VM b takes every block it may: never the deferred one */
	for (i = 0; i < 24; i++) {
		ASSERT_EQ(0, swapres_vm_write(&self->b, (u64)i * variant->ppb, &got));
		ASSERT_NE(pb, got);
	}
	/* the read ends: the block is free, off a's account */
	ASSERT_EQ(1, swapres_vm_io_end(&self->a, 0, pb, false));
	ASSERT_EQ(0, self->res.nr_deferred);
	ASSERT_EQ(0, self->a.allocated);
	ASSERT_EQ(0, atomic_read(&self->res.pstate[pb]));
	ASSERT_EQ(64 - 24, swapres_res_free_blocks(&self->res));
}

/* Completions that only drop a count end without the lock; others do not. */
TEST_F(two_vms, io_end_nolock)
{
	u32 pb, rpb, i;

	/* a first write must make its page readable: the locked path */
	ASSERT_EQ(0, swapres_vm_write_begin(&self->a, 9, &pb));
	ASSERT_FALSE(swapres_vm_io_end_nolock(&self->a, 9, pb, true));
	ASSERT_EQ(1, atomic_read(&self->res.pstate[pb]));
	ASSERT_EQ(0, swapres_vm_io_end(&self->a, 9, pb, true));
	/* a rewrite and reads: lockless */
	ASSERT_EQ(0, swapres_vm_write_begin(&self->a, 9, &pb));
	ASSERT_TRUE(swapres_vm_read_begin(&self->a, 9, &rpb));
	ASSERT_TRUE(swapres_vm_read_begin(&self->a, 9, &rpb));
	ASSERT_EQ(3, atomic_read(&self->res.pstate[pb]));
	ASSERT_TRUE(swapres_vm_io_end_nolock(&self->a, 9, pb, true));
	ASSERT_TRUE(swapres_vm_io_end_nolock(&self->a, 9, pb, false));
	ASSERT_EQ(1, atomic_read(&self->res.pstate[pb]));
	/* deferred: all but the last I/O end lockless, the last frees it */
	ASSERT_TRUE(swapres_vm_read_begin(&self->a, 9, &rpb));
	ASSERT_EQ(0, swapres_vm_discard(&self->a, 9, 1));
	ASSERT_EQ(1, self->res.nr_deferred);
	ASSERT_TRUE(swapres_vm_io_end_nolock(&self->a, 9, pb, false));
	ASSERT_FALSE(swapres_vm_io_end_nolock(&self->a, 9, pb, false));
	ASSERT_EQ(1, self->a.allocated);
	ASSERT_EQ(1, swapres_vm_io_end(&self->a, 9, pb, false));
	ASSERT_EQ(0, self->res.nr_deferred);
	ASSERT_EQ(0, self->a.allocated);
	ASSERT_EQ(0, atomic_read(&self->res.pstate[pb]));
	/* nothing in flight: nothing to end */
	ASSERT_FALSE(swapres_vm_io_end_nolock(&self->a, 9, pb, false));
	for (i = 0; i < 3; i++)
		ASSERT_FALSE(swapres_vm_io_end_nolock(&self->a, 9, 64 + i, false));
}

/* A write that loses the race with a discard of its page revives nothing. */
TEST_F(two_vms, write_racing_discard)
{
	u32 pb, p0;

	ASSERT_EQ(0, swapres_vm_write_begin(&self->a, 1, &pb));
	ASSERT_EQ(0, swapres_vm_discard(&self->a, 1, 1));
	ASSERT_EQ(1, swapres_vm_io_end(&self->a, 1, pb, true));
	ASSERT_FALSE(swapres_vm_read(&self->a, 1, &pb));
	ASSERT_EQ(0, self->a.allocated);
	if (variant->ppb == 1)
		return;
	/* the block stays mapped for page 0; page 1 must not come back */
	ASSERT_EQ(0, swapres_vm_write(&self->a, 0, &p0));
	ASSERT_EQ(0, swapres_vm_write_begin(&self->a, 1, &pb));
	ASSERT_EQ(p0, pb);
	ASSERT_EQ(0, swapres_vm_discard(&self->a, 1, 1));
	ASSERT_EQ(0, swapres_vm_io_end(&self->a, 1, pb, true));
	ASSERT_FALSE(swapres_vm_read(&self->a, 1, &pb));
	ASSERT_TRUE(swapres_vm_read(&self->a, 0, &pb));
	ASSERT_EQ(1, self->a.allocated);
}

TEST(sub_pool_limits_allocation)
{
	struct swapres_res r;
	struct swapres_pool *gold;
	struct swapres_vm a, b;
	u32 pb, v;

	ASSERT_EQ(0, swapres_res_init(&r, 100, 1, false));
	gold = swapres_pool_alloc("gold", 10, true);
	ASSERT_NE(NULL, gold);
	ASSERT_EQ(0, swapres_pool_add(&r, gold));
	ASSERT_EQ(0, swapres_vm_alloc(&a, 50, 1));
	ASSERT_EQ(0, swapres_vm_alloc(&b, 50, 1));
	/* gold is overcommitted: 8 + 8 > 10 is admitted */
	ASSERT_EQ(0, swapres_vm_attach(&a, &r, gold, 8));
	ASSERT_EQ(0, swapres_vm_attach(&b, &r, gold, 8));
	for (v = 0; v < 8; v++)
		ASSERT_EQ(0, swapres_vm_write(&a, v, &pb));
	ASSERT_EQ(0, swapres_vm_write(&b, 0, &pb));
	ASSERT_EQ(0, swapres_vm_write(&b, 1, &pb));
	ASSERT_EQ(-ENOSPC, swapres_vm_write(&b, 2, &pb));
	ASSERT_EQ(10, gold->allocated);
	ASSERT_EQ(10, r.root.allocated);
	ASSERT_EQ(1, swapres_vm_discard(&a, 0, 1));
	ASSERT_EQ(0, swapres_vm_write(&b, 2, &pb));
	swapres_vm_detach(&a);
	swapres_vm_detach(&b);
	ASSERT_EQ(0, gold->allocated);
	ASSERT_EQ(0, gold->nr_users);
	ASSERT_EQ(0, swapres_pool_remove(&r, "gold"));
	ASSERT_EQ(100, swapres_res_free_blocks(&r));
	swapres_vm_free(&a);
	swapres_vm_free(&b);
	swapres_res_destroy(&r);
}

/*
 * Random writes and discards against a model: no block is ever shared, and
 * exactly the pages written and not discarded since read back.
 */
TEST(random_model)
{
	enum { NB = 256, NV = 3, NVB = 200, PPB = 4 };
	static bool readable[NV][NVB * PPB];
	struct swapres_res r;
	struct swapres_vm vm[NV];
	u32 owner[NB], pb, i, v, k;
	unsigned int seed = 12345;

	ASSERT_EQ(0, swapres_res_init(&r, NB, PPB, true));
	for (i = 0; i < NV; i++) {
		ASSERT_EQ(0, swapres_vm_alloc(&vm[i], NVB, PPB));
		ASSERT_EQ(0, swapres_vm_attach(&vm[i], &r, &r.root, 120));
	}
	for (k = 0; k < 200000; k++) {
		u64 page;

		i = rand_r(&seed) % NV;
		page = rand_r(&seed) % (NVB * PPB);
		if (rand_r(&seed) % 3) {
			if (!swapres_vm_write(&vm[i], page, &pb))
				readable[i][page] = true;
		} else {
			u64 n = rand_r(&seed) % 9, p;

			swapres_vm_discard(&vm[i], page, n);
			for (p = page; p < page + n && p < NVB * PPB; p++)
				readable[i][p] = false;
		}
		if (k % 1000)
			continue;
		for (i = 0; i < NV; i++)
			for (v = 0; v < NVB * PPB; v++)
				ASSERT_EQ(readable[i][v], swapres_vm_read(&vm[i], v, &pb));
		memset(owner, 0xff, sizeof(owner));
		u64 total = 0;

		for (i = 0; i < NV; i++) {
			u32 n = 0;

			for (v = 0; v < NVB; v++) {
				if (!vm[i].map[v])
					continue;
				n++;
				ASSERT_NE(0, vm[i].written[v]);
				ASSERT_EQ(0xffffffffu, owner[vm[i].map[v] - 1]);
				owner[vm[i].map[v] - 1] = i;
			}
			ASSERT_EQ(n, vm[i].allocated);
			ASSERT_LE(vm[i].allocated, vm[i].max);
			total += n;
		}
		ASSERT_EQ(total, r.root.allocated);
		ASSERT_EQ(NB - total, swapres_res_free_blocks(&r));
	}
	for (i = 0; i < NV; i++) {
		swapres_vm_detach(&vm[i]);
		swapres_vm_free(&vm[i]);
	}
	ASSERT_EQ(NB, swapres_res_free_blocks(&r));
	swapres_res_destroy(&r);
}

TEST_HARNESS_MAIN
