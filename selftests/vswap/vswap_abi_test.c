// SPDX-License-Identifier: GPL-2.0
/*
 * The HVMEM_IOC_VSWAP_* ABI (hvmem_vswap.ko): struct size rules, flags and
 * reserved fields, bad sizes and VMs, the list's stride and totals.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "hvmem_util.h"

FIXTURE(vswap) {
	int fd;
	pid_t pid;
	__u32 vm;
};

FIXTURE_SETUP(vswap)
{
	struct hvmem_vswap_list l = { .size = sizeof(l), .entry_size = sizeof(struct hvmem_vswap_info) };

	self->fd = hvmem_dev();
	ASSERT_GE(self->fd, 0);
	if (hvmem_call(self->fd, HVMEM_IOC_VSWAP_LIST, &l) == -ENOTTY)
		SKIP(return, "hvmem_vswap.ko not loaded");
	self->pid = sleeper_spawn();
	ASSERT_GT(self->pid, 0);
	ASSERT_EQ(0, hvmem_bind_pid(self->fd, self->pid, &self->vm));
}

FIXTURE_TEARDOWN(vswap)
{
	if (self->pid > 0)
		sleeper_kill(self->pid);
	close(self->fd);
}

static int create(int fd, __u32 vm, __u64 bytes, __u32 *id)
{
	struct hvmem_vswap_create c = { .size = sizeof(c), .vm_id = vm, .bytes = bytes };
	int ret = hvmem_call(fd, HVMEM_IOC_VSWAP_CREATE, &c);

	if (!ret && id)
		*id = c.dev_id;
	return ret;
}

static int destroy(int fd, __u32 id)
{
	struct hvmem_vswap_destroy d = { .size = sizeof(d), .dev_id = id };

	return hvmem_call(fd, HVMEM_IOC_VSWAP_DESTROY, &d);
}

TEST_F(vswap, create_args)
{
	struct hvmem_vswap_create c = { .size = sizeof(c), .vm_id = self->vm, .bytes = 1 << 20 };
	struct { struct hvmem_vswap_create c; __u64 extra; } big;
	__u32 id;

	EXPECT_EQ(-ENOENT, create(self->fd, 0x7fffffff, 1 << 20, NULL));
	EXPECT_EQ(-EINVAL, create(self->fd, 0, 1 << 20, NULL));
	EXPECT_EQ(-EINVAL, create(self->fd, self->vm, 0, NULL));
	EXPECT_EQ(-EINVAL, create(self->fd, self->vm, 4097, NULL));
	EXPECT_EQ(-EINVAL, create(self->fd, self->vm, 512, NULL));
	EXPECT_EQ(-EINVAL, create(self->fd, self->vm, 1ULL << 50, NULL));
	c.flags = 1;
	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_VSWAP_CREATE, &c));
	c.flags = 0;
	c.size = HVMEM_VSWAP_CREATE_SIZE_VER0 - 8;
	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_VSWAP_CREATE, &c));
	c.size = sizeof(c);
	c.backing = 1;		/* a bad pointer */
	EXPECT_EQ(-EFAULT, hvmem_call(self->fd, HVMEM_IOC_VSWAP_CREATE, &c));
	c.backing = 0;
	/* a newer caller's larger struct: zero tail accepted, else E2BIG */
	memset(&big, 0, sizeof(big));
	big.c = c;
	big.c.size = sizeof(big);
	big.extra = 1;
	EXPECT_EQ(-E2BIG, hvmem_call(self->fd, HVMEM_IOC_VSWAP_CREATE, &big));
	big.extra = 0;
	ASSERT_EQ(0, hvmem_call(self->fd, HVMEM_IOC_VSWAP_CREATE, &big));
	id = big.c.dev_id;
	EXPECT_EQ(0, destroy(self->fd, id));
	EXPECT_EQ(-ENOENT, destroy(self->fd, id));
}

TEST_F(vswap, destroy_args)
{
	struct hvmem_vswap_destroy d = { .size = sizeof(d) };
	__u32 id;

	ASSERT_EQ(0, create(self->fd, self->vm, 1 << 20, &id));
	d.dev_id = id;
	d.reserved = 1;
	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_VSWAP_DESTROY, &d));
	d.reserved = 0;
	d.flags = 2;
	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_VSWAP_DESTROY, &d));
	EXPECT_EQ(0, destroy(self->fd, id));
}

TEST_F(vswap, list_stride_and_total)
{
	struct hvmem_vswap_list l = { .size = sizeof(l) };
	__u32 id[3];
	char *buf;
	int i;

	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, create(self->fd, self->vm, (i + 1) << 20, &id[i]));
	l.entry_size = HVMEM_VSWAP_INFO_SIZE_VER0 - 8;
	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_VSWAP_LIST, &l));
	/* count 0: only the total */
	l.entry_size = sizeof(struct hvmem_vswap_info);
	ASSERT_EQ(0, hvmem_call(self->fd, HVMEM_IOC_VSWAP_LIST, &l));
	EXPECT_GE(l.total, 3);
	EXPECT_EQ(0, l.count);
	/* a larger stride: entries padded with zeros */
	buf = malloc(8 * 256);
	ASSERT_NE(NULL, buf);
	memset(buf, 0xff, 8 * 256);
	l.entry_size = 256;
	l.count = 8;
	l.entries = (__u64)(uintptr_t)buf;
	ASSERT_EQ(0, hvmem_call(self->fd, HVMEM_IOC_VSWAP_LIST, &l));
	EXPECT_EQ(l.total, l.count);
	for (i = 0; i < (int)l.count; i++) {
		struct hvmem_vswap_info *e = (void *)(buf + i * 256);
		char *pad = buf + i * 256 + sizeof(*e);
		int j;

		for (j = 0; j < 3; j++)
			if (e->dev_id == id[j]) {
				EXPECT_EQ(self->vm, e->vm_id);
				EXPECT_EQ((__u64)(j + 1) << 20, e->bytes);
				EXPECT_EQ(0, e->flags);
				EXPECT_EQ(0, e->stored);
			}
		for (j = 0; j < 256 - (int)sizeof(*e); j++)
			EXPECT_EQ(0, pad[j]);
	}
	free(buf);
	/* room for one: count 1, total all */
	l.entry_size = sizeof(struct hvmem_vswap_info);
	l.count = 1;
	l.entries = 0;
	EXPECT_EQ(-EFAULT, hvmem_call(self->fd, HVMEM_IOC_VSWAP_LIST, &l));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, destroy(self->fd, id[i]));
}

TEST_HARNESS_MAIN
