// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of ioctl argument copying (uarg.c), through real user memory
 * (kunit_vm_mmap()).
 */
#include <kunit/test.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include "hvmem_internal.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* A struct in its second version: v0 had only size, flags and a. */
struct test_arg {
	u32 size;
	u32 flags;
	u64 a;
	u64 b;		/* added in v1 */
};

#define TEST_ARG_VER0	offsetofend(struct test_arg, a)

static void __user *user_page(struct kunit *test)
{
	unsigned long addr = kunit_vm_mmap(test, NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
					   MAP_ANONYMOUS | MAP_PRIVATE, 0);

	KUNIT_ASSERT_NE_MSG(test, addr, 0ul, "no user memory");
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr));
	return (void __user *)addr;
}

static void uarg_check_size(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, hvmem_check_arg_size(0, 8), -EINVAL);
	KUNIT_EXPECT_EQ(test, hvmem_check_arg_size(7, 8), -EINVAL);
	KUNIT_EXPECT_EQ(test, hvmem_check_arg_size(8, 8), 0);
	KUNIT_EXPECT_EQ(test, hvmem_check_arg_size(PAGE_SIZE, 8), 0);
	KUNIT_EXPECT_EQ(test, hvmem_check_arg_size(PAGE_SIZE + 1, 8), -E2BIG);
	KUNIT_EXPECT_EQ(test, hvmem_check_arg_size(U32_MAX, 8), -E2BIG);
}

static void uarg_same_size(struct kunit *test)
{
	struct test_arg in = { .size = sizeof(in), .flags = 3, .a = 5, .b = 7 }, k;
	void __user *u = user_page(test);

	KUNIT_ASSERT_EQ(test, copy_to_user(u, &in, sizeof(in)), 0ul);
	KUNIT_EXPECT_EQ(test, hvmem_copy_arg_from_user(&k, sizeof(k), TEST_ARG_VER0, u), 0);
	KUNIT_EXPECT_EQ(test, k.size, (u32)sizeof(k));
	KUNIT_EXPECT_EQ(test, k.flags, 3u);
	KUNIT_EXPECT_EQ(test, k.a, 5ull);
	KUNIT_EXPECT_EQ(test, k.b, 7ull);
}

static void uarg_older_caller_zero_extended(struct kunit *test)
{
	struct test_arg in = { .size = TEST_ARG_VER0, .a = 5, .b = 0xdead }, k, out;
	void __user *u = user_page(test);

	KUNIT_ASSERT_EQ(test, copy_to_user(u, &in, sizeof(in)), 0ul);
	KUNIT_EXPECT_EQ(test, hvmem_copy_arg_from_user(&k, sizeof(k), TEST_ARG_VER0, u), 0);
	KUNIT_EXPECT_EQ(test, k.size, (u32)TEST_ARG_VER0);
	KUNIT_EXPECT_EQ(test, k.b, 0ull);	/* not read from the caller */
	/* Writing back touches only what the older caller knows. */
	k.a = 9;
	k.b = 11;
	KUNIT_EXPECT_EQ(test, hvmem_copy_arg_to_user(u, &k, sizeof(k)), 0);
	KUNIT_ASSERT_EQ(test, copy_from_user(&out, u, sizeof(out)), 0ul);
	KUNIT_EXPECT_EQ(test, out.a, 9ull);
	KUNIT_EXPECT_EQ(test, out.b, 0xdeadull);
}

static void uarg_newer_caller(struct kunit *test)
{
	u8 buf[sizeof(struct test_arg) + 16] = {};
	struct test_arg *in = (struct test_arg *)buf, k;
	void __user *u = user_page(test);

	in->size = sizeof(buf);
	in->a = 1;
	KUNIT_ASSERT_EQ(test, copy_to_user(u, buf, sizeof(buf)), 0ul);
	KUNIT_EXPECT_EQ(test, hvmem_copy_arg_from_user(&k, sizeof(k), TEST_ARG_VER0, u), 0);
	KUNIT_EXPECT_EQ(test, k.size, (u32)sizeof(k));

	buf[sizeof(buf) - 1] = 1;	/* a field this kernel does not know */
	KUNIT_ASSERT_EQ(test, copy_to_user(u, buf, sizeof(buf)), 0ul);
	KUNIT_EXPECT_EQ(test, hvmem_copy_arg_from_user(&k, sizeof(k), TEST_ARG_VER0, u), -E2BIG);
}

static void uarg_bad_size_and_pointer(struct kunit *test)
{
	struct test_arg in = { .size = 4 }, k;
	void __user *u = user_page(test);

	KUNIT_ASSERT_EQ(test, copy_to_user(u, &in, sizeof(in)), 0ul);
	KUNIT_EXPECT_EQ(test, hvmem_copy_arg_from_user(&k, sizeof(k), TEST_ARG_VER0, u), -EINVAL);
	in.size = PAGE_SIZE * 2;
	KUNIT_ASSERT_EQ(test, copy_to_user(u, &in, sizeof(in)), 0ul);
	KUNIT_EXPECT_EQ(test, hvmem_copy_arg_from_user(&k, sizeof(k), TEST_ARG_VER0, u), -E2BIG);
	KUNIT_EXPECT_EQ(test, hvmem_copy_arg_from_user(&k, sizeof(k), TEST_ARG_VER0,
						       (void __user *)16), -EFAULT);
	/* The struct runs past the mapping's end. */
	in.size = sizeof(in);
	KUNIT_ASSERT_EQ(test, copy_to_user(u + PAGE_SIZE - 8, &in, 8), 0ul);
	KUNIT_EXPECT_EQ(test, hvmem_copy_arg_from_user(&k, sizeof(k), TEST_ARG_VER0,
						       u + PAGE_SIZE - 8), -EFAULT);
}

static void uarg_entry_size(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, hvmem_check_entry_size(0, 16), -EINVAL);
	KUNIT_EXPECT_EQ(test, hvmem_check_entry_size(15, 16), -EINVAL);
	KUNIT_EXPECT_EQ(test, hvmem_check_entry_size(16, 16), 0);
	KUNIT_EXPECT_EQ(test, hvmem_check_entry_size(PAGE_SIZE, 16), 0);
	KUNIT_EXPECT_EQ(test, hvmem_check_entry_size(PAGE_SIZE + 1, 16), -EINVAL);
}

/* Elements at a stride larger than the kernel's: read strictly, written padded. */
static void uarg_entry_copy(struct kunit *test)
{
	const u32 stride = sizeof(struct test_arg) + 8;
	struct test_arg k = { .size = 1, .flags = 2, .a = 3, .b = 4 }, r;
	void __user *u = user_page(test);
	u8 buf[sizeof(struct test_arg) + 8];

	memset(buf, 0xaa, sizeof(buf));
	KUNIT_ASSERT_EQ(test, copy_to_user(u, buf, sizeof(buf)), 0ul);
	KUNIT_EXPECT_EQ(test, hvmem_copy_entry_to_user(u, stride, &k, sizeof(k)), 0);
	KUNIT_ASSERT_EQ(test, copy_from_user(buf, u, sizeof(buf)), 0ul);
	KUNIT_EXPECT_EQ(test, memcmp(buf, &k, sizeof(k)), 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(buf + sizeof(k), 0, 8));
	/* read back: zero tail accepted */
	KUNIT_EXPECT_EQ(test, hvmem_copy_entry_from_user(&r, sizeof(r), u, stride), 0);
	KUNIT_EXPECT_EQ(test, r.b, 4ull);
	/* a shorter (older) element is zero-extended */
	KUNIT_EXPECT_EQ(test, hvmem_copy_entry_from_user(&r, sizeof(r), u, TEST_ARG_VER0), 0);
	KUNIT_EXPECT_EQ(test, r.a, 3ull);
	KUNIT_EXPECT_EQ(test, r.b, 0ull);
	/* an older caller's element gets only what it knows */
	KUNIT_EXPECT_EQ(test, hvmem_copy_entry_to_user(u + 64, TEST_ARG_VER0, &k, sizeof(k)), 0);
	KUNIT_ASSERT_EQ(test, copy_from_user(&r, u + 64, sizeof(r)), 0ul);
	KUNIT_EXPECT_EQ(test, r.a, 3ull);
	KUNIT_EXPECT_NE(test, r.b, 4ull);
	/* a non-zero unknown tail is refused */
	buf[sizeof(buf) - 1] = 1;
	KUNIT_ASSERT_EQ(test, copy_to_user(u, buf, sizeof(buf)), 0ul);
	KUNIT_EXPECT_EQ(test, hvmem_copy_entry_from_user(&r, sizeof(r), u, stride), -E2BIG);
	KUNIT_EXPECT_EQ(test, hvmem_copy_entry_to_user((void __user *)16, stride, &k,
						       sizeof(k)), -EFAULT);
}

static struct kunit_case hvmem_uarg_cases[] = {
	KUNIT_CASE(uarg_entry_size),
	KUNIT_CASE(uarg_entry_copy),
	KUNIT_CASE(uarg_check_size),
	KUNIT_CASE(uarg_same_size),
	KUNIT_CASE(uarg_older_caller_zero_extended),
	KUNIT_CASE(uarg_newer_caller),
	KUNIT_CASE(uarg_bad_size_and_pointer),
	{}
};

static struct kunit_suite hvmem_uarg_suite = {
	.name = "hvmem_uarg",
	.test_cases = hvmem_uarg_cases,
};

kunit_test_suite(hvmem_uarg_suite);
