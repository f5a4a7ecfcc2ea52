// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl ABI of /dev/hvmem: sizes, flags, reserved fields, unknown commands,
 * bad pointers, bad targets, unprivileged callers and the enabled switch;
 * callers built against the first version (VER0) of every struct, array
 * strides, feature bits and HVMEM_IOC_CHECK_EXTENSION.
 */
#include <signal.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "hvmem_util.h"

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->fd = hvmem_dev();
	ASSERT_GE(self->fd, 0) TH_LOG("open /dev/hvmem: %s", strerror(errno));
}

FIXTURE_TEARDOWN(dev)
{
	close(self->fd);
}

TEST_F(dev, version)
{
	struct hvmem_version v = { .size = sizeof(v) };

	ASSERT_EQ(0, hvmem_call(self->fd, HVMEM_IOC_GET_VERSION, &v));
	EXPECT_EQ(HVMEM_VERSION_MAJOR, v.major);
	EXPECT_EQ(HVMEM_VERSION_MINOR, v.minor);
	EXPECT_TRUE(v.features & HVMEM_FEATURE_VM_REGISTRY);
	EXPECT_EQ(sizeof(v), v.size);
}

TEST_F(dev, bad_sizes)
{
	struct {
		struct hvmem_version v;
		__u8 tail[16];
	} big = { .v.size = sizeof(big) };
	struct hvmem_version v = { .size = 0 };

	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_GET_VERSION, &v));
	v.size = 8;
	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_GET_VERSION, &v));
	v.size = sizeof(v) - 1;
	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_GET_VERSION, &v));
	v.size = 1 << 20;
	EXPECT_EQ(-E2BIG, hvmem_call(self->fd, HVMEM_IOC_GET_VERSION, &v));

	/* A newer caller's larger struct: fine while its extra bytes are zero. */
	EXPECT_EQ(0, hvmem_call(self->fd, HVMEM_IOC_GET_VERSION, &big));
	EXPECT_EQ(HVMEM_VERSION_MAJOR, big.v.major);
	EXPECT_EQ(sizeof(big.v), big.v.size);	/* what the kernel knows */
	big.v.size = sizeof(big);
	big.tail[3] = 1;
	EXPECT_EQ(-E2BIG, hvmem_call(self->fd, HVMEM_IOC_GET_VERSION, &big));
}

TEST_F(dev, bad_flags_and_reserved)
{
	struct hvmem_version v = { .size = sizeof(v), .flags = 1 };
	struct hvmem_vm_bind b = { .size = sizeof(b), .kvm_fd = -1, .pid = getpid() };
	struct hvmem_vm_unbind u = { .size = sizeof(u), .flags = 1, .id = 1 };
	struct hvmem_vm_list l = { .size = sizeof(l), .flags = 1,
				   .entry_size = sizeof(struct hvmem_vm_info) };

	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_GET_VERSION, &v));
	v.flags = 0;
	v.reserved = 1;
	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_GET_VERSION, &v));

	b.flags = 0;
	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_VM_BIND, &b));
	b.flags = HVMEM_BIND_FLAGS;
	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_VM_BIND, &b));
	b.flags = 1u << 31;
	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_VM_BIND, &b));
	b.flags = HVMEM_BIND_BY_PID;
	b.reserved = 1;
	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_VM_BIND, &b));
	b.reserved = 0;
	b.kvm_fd = 0;		/* by pid, yet a KVM fd */
	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_VM_BIND, &b));
	b.kvm_fd = -1;
	b.id = 5;		/* output field set on input */
	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_VM_BIND, &b));

	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_VM_UNBIND, &u));
	u.flags = 0;
	u.reserved = 1;
	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_VM_UNBIND, &u));

	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_VM_LIST, &l));
	l.flags = 0;
	l.entry_size = 4;	/* below the first version of the entry */
	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_VM_LIST, &l));
}

TEST_F(dev, unknown_commands)
{
	char buf[64] = { 0 };

	EXPECT_EQ(-ENOTTY, hvmem_call(self->fd, _IOWR(HVMEM_IOCTL_MAGIC, 0x0e, buf), buf));
	EXPECT_EQ(-ENOTTY, hvmem_call(self->fd, _IOWR(HVMEM_IOCTL_MAGIC, 0xfe, buf), buf));
	EXPECT_EQ(-ENOTTY, hvmem_call(self->fd, _IOWR('x', 0x00, buf), buf));
	EXPECT_EQ(-ENOTTY, hvmem_call(self->fd, _IO(HVMEM_IOCTL_MAGIC, 0x01), buf));
	EXPECT_EQ(-ENOTTY, hvmem_call(self->fd, 0, NULL));
}

TEST_F(dev, bad_pointers)
{
	struct hvmem_vm_list l = { .size = sizeof(l), .count = 4,
				   .entry_size = sizeof(struct hvmem_vm_info) };

	EXPECT_EQ(-EFAULT, hvmem_call(self->fd, HVMEM_IOC_GET_VERSION, NULL));
	EXPECT_EQ(-EFAULT, hvmem_call(self->fd, HVMEM_IOC_VM_BIND, NULL));
	EXPECT_EQ(-EFAULT, hvmem_call(self->fd, HVMEM_IOC_VM_UNBIND, NULL));
	EXPECT_EQ(-EFAULT, hvmem_call(self->fd, HVMEM_IOC_VM_LIST, NULL));
	EXPECT_EQ(-EFAULT, hvmem_call(self->fd, HVMEM_IOC_VM_LIST, (void *)16));
	EXPECT_EQ(-EFAULT, hvmem_call(self->fd, HVMEM_IOC_VM_LIST, &l));	/* entries 0 */
}

TEST_F(dev, bad_targets)
{
	int null_fd = open("/dev/null", O_RDONLY);
	__u32 id = 0;

	ASSERT_GE(null_fd, 0);
	EXPECT_EQ(-ESRCH, hvmem_bind_pid(self->fd, 0x3ffffff0, &id));
	EXPECT_EQ(-EINVAL, hvmem_bind_pid(self->fd, -5, &id));
	EXPECT_EQ(-EINVAL, hvmem_bind_pid(self->fd, 2, &id));	/* kthreadd: no mm */
	EXPECT_EQ(-EBADF, hvmem_bind_kvm(self->fd, 999, &id));
	EXPECT_EQ(-EBADF, hvmem_bind_kvm(self->fd, -1, &id));
	EXPECT_EQ(-EINVAL, hvmem_bind_kvm(self->fd, null_fd, &id));	/* not KVM */
	EXPECT_EQ(-ENOENT, hvmem_unbind(self->fd, 0));
	EXPECT_EQ(-ENOENT, hvmem_unbind(self->fd, 0x7fffffff));
	close(null_fd);
}

/* In a child that gave up root: version works, control commands do not. */
TEST(unprivileged)
{
	pid_t pid = fork();
	int status;

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct hvmem_version v = { .size = sizeof(v) };
		struct hvmem_check_extension c = { .size = sizeof(c), .cap = HVMEM_CAP_CACHE };
		struct hvmem_vm_list l = { .size = sizeof(l),
					   .entry_size = sizeof(struct hvmem_vm_info) };
		int fd;

		if (setgid(65534) || setuid(65534))
			_exit(10);
		fd = hvmem_dev();
		if (fd < 0)
			_exit(11);
		if (hvmem_call(fd, HVMEM_IOC_GET_VERSION, &v))
			_exit(12);
		if (hvmem_call(fd, HVMEM_IOC_CHECK_EXTENSION, &c) || c.value != 1)
			_exit(17);
		if (hvmem_bind_pid(fd, getpid(), NULL) != -EPERM)
			_exit(13);
		if (hvmem_unbind(fd, 1) != -EPERM)
			_exit(14);
		if (hvmem_call(fd, HVMEM_IOC_VM_LIST, &l) != -EPERM)
			_exit(15);
		if (sysfs_write_str("/sys/kernel/mm/hvmem/enabled", "0") == 0)
			_exit(16);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("unprivileged check %d failed",
						 WEXITSTATUS(status));
}

TEST_F(dev, disabled_refuses_binds)
{
	__u32 id;

	ASSERT_EQ(0, sysfs_write_str("/sys/kernel/mm/hvmem/enabled", "0"));
	EXPECT_EQ(-EPERM, hvmem_bind_pid(self->fd, getpid(), &id));
	EXPECT_EQ(-EINVAL, sysfs_write_str("/sys/kernel/mm/hvmem/enabled", "maybe"));
	ASSERT_EQ(0, sysfs_write_str("/sys/kernel/mm/hvmem/enabled", "1"));
	ASSERT_EQ(0, hvmem_bind_pid(self->fd, getpid(), &id));
	EXPECT_EQ(0, hvmem_unbind(self->fd, id));
}

/*
 * A binary built against the first published header passes *_SIZE_VER0 as
 * every size and VER0 element sizes as strides: it must keep working.
 */
TEST_F(dev, ver0_caller)
{
	struct hvmem_version v;
	struct hvmem_check_extension c;
	struct hvmem_vm_info e[4];
	struct hvmem_vm_list l;
	pid_t sp = sleeper_spawn();
	__u32 id, i;
	bool seen = false;

	ASSERT_GT(sp, 0);
	memset(&v, 0, sizeof(v));
	v.size = HVMEM_VERSION_SIZE_VER0;
	ASSERT_EQ(0, hvmem_call(self->fd, HVMEM_IOC_GET_VERSION, &v));
	EXPECT_EQ(HVMEM_VERSION_MAJOR, v.major);

	memset(&c, 0, sizeof(c));
	c.size = HVMEM_CHECK_EXTENSION_SIZE_VER0;
	c.cap = HVMEM_CAP_VM_REGISTRY;
	ASSERT_EQ(0, hvmem_call(self->fd, HVMEM_IOC_CHECK_EXTENSION, &c));
	EXPECT_EQ(1, c.value);

	ASSERT_EQ(0, hvmem_bind_pid(self->fd, sp, &id));
	memset(&l, 0, sizeof(l));
	l.size = HVMEM_VM_LIST_SIZE_VER0;
	l.entry_size = HVMEM_VM_INFO_SIZE_VER0;
	l.count = 4;
	l.entries = (uintptr_t)e;
	ASSERT_EQ(0, hvmem_call(self->fd, HVMEM_IOC_VM_LIST, &l));
	for (i = 0; i < l.count; i++)
		seen |= e[i].id == id && e[i].pid == sp;
	EXPECT_TRUE(seen);
	EXPECT_EQ(0, hvmem_unbind(self->fd, id));
	sleeper_kill(sp);
}

/* A newer caller: a larger struct whose unknown tail is not zero gets E2BIG. */
TEST_F(dev, unknown_tail)
{
	struct {
		struct hvmem_check_extension c;
		__u64 tail[2];
	} big;
	struct {
		struct hvmem_vm_list l;
		__u64 tail;
	} bl;
	struct hvmem_vm_info e[2];

	memset(&big, 0, sizeof(big));
	big.c.size = sizeof(big);
	big.c.cap = HVMEM_CAP_VM_REGISTRY;
	ASSERT_EQ(0, hvmem_call(self->fd, HVMEM_IOC_CHECK_EXTENSION, &big));
	EXPECT_EQ(1, big.c.value);
	EXPECT_EQ(HVMEM_CHECK_EXTENSION_SIZE_VER0, big.c.size);
	big.c.size = sizeof(big);
	big.tail[1] = 1;
	EXPECT_EQ(-E2BIG, hvmem_call(self->fd, HVMEM_IOC_CHECK_EXTENSION, &big));

	memset(&bl, 0, sizeof(bl));
	bl.l.size = sizeof(bl);
	bl.l.entry_size = sizeof(e[0]);
	bl.l.count = 2;
	bl.l.entries = (uintptr_t)e;
	EXPECT_EQ(0, hvmem_call(self->fd, HVMEM_IOC_VM_LIST, &bl));
	bl.l.size = sizeof(bl);
	bl.tail = 0x100;
	EXPECT_EQ(-E2BIG, hvmem_call(self->fd, HVMEM_IOC_VM_LIST, &bl));
}

/* Entries written at a larger stride: each truncated, its tail zero-filled. */
TEST_F(dev, vm_list_stride)
{
	const __u32 stride = HVMEM_VM_INFO_SIZE_VER0 + 24;
	struct hvmem_vm_list l = { .size = sizeof(l), .entry_size = stride, .count = 3 };
	unsigned char buf[3 * (HVMEM_VM_INFO_SIZE_VER0 + 24)];
	pid_t sp = sleeper_spawn();
	struct hvmem_vm_info e;
	bool seen = false;
	__u32 id, i, k;

	ASSERT_GT(sp, 0);
	ASSERT_EQ(0, hvmem_bind_pid(self->fd, sp, &id));
	memset(buf, 0xff, sizeof(buf));
	l.entries = (uintptr_t)buf;
	ASSERT_EQ(0, hvmem_call(self->fd, HVMEM_IOC_VM_LIST, &l));
	ASSERT_GE(l.count, 1);
	for (i = 0; i < l.count; i++) {
		memcpy(&e, buf + i * stride, sizeof(e));
		seen |= e.id == id && e.pid == sp;
		for (k = sizeof(e); k < stride; k++)
			ASSERT_EQ(0, buf[i * stride + k]) TH_LOG("entry %u byte %u", i, k);
	}
	EXPECT_TRUE(seen);
	/* past the entries written, the buffer is left alone */
	if (l.count < 3)
		EXPECT_EQ(0xff, buf[l.count * stride]);

	l.entry_size = HVMEM_VM_INFO_SIZE_VER0 - 1;
	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_VM_LIST, &l));
	l.entry_size = 4097;
	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_VM_LIST, &l));
	EXPECT_EQ(0, hvmem_unbind(self->fd, id));
	sleeper_kill(sp);
}

/* Cache pages read and written at the caller's stride. */
TEST_F(dev, cache_page_stride)
{
	enum { N = 3, STRIDE = HVMEM_CACHE_PAGE_SIZE_VER0 + 16 };
	unsigned char pages[N * STRIDE];
	struct hvmem_cache_page p;
	struct hvmem_cache_io io;
	pid_t sp = sleeper_spawn();
	__u32 id, pool, i;

	ASSERT_GT(sp, 0);
	ASSERT_EQ(0, hvmem_bind_pid(self->fd, sp, &id));
	ASSERT_EQ(0, hvmem_pool_create(self->fd, id, 0, &pool));
	memset(pages, 0, sizeof(pages));
	for (i = 0; i < N; i++) {
		memset(&p, 0, sizeof(p));
		p.oid = 7;
		p.index = i;
		p.result = 1;
		memcpy(pages + i * STRIDE, &p, sizeof(p));
	}
	memset(&io, 0, sizeof(io));
	io.size = HVMEM_CACHE_IO_SIZE_VER0;
	io.pool_id = pool;
	io.count = N;
	io.pages = (uintptr_t)pages;
	io.page_size = sysconf(_SC_PAGESIZE);
	io.entry_size = STRIDE;
	/* FLUSH of pages never put: each element gets -ENOENT at its stride */
	ASSERT_EQ(0, hvmem_call(self->fd, HVMEM_IOC_CACHE_FLUSH, &io));
	EXPECT_EQ(N, io.done);
	for (i = 0; i < N; i++) {
		memcpy(&p, pages + i * STRIDE, sizeof(p));
		EXPECT_EQ(-ENOENT, p.result) TH_LOG("page %u", i);
		EXPECT_EQ(i, p.index);
	}
	/* an element's unknown tail must be zero */
	pages[STRIDE + sizeof(p) + 3] = 1;
	EXPECT_EQ(-E2BIG, hvmem_call(self->fd, HVMEM_IOC_CACHE_FLUSH, &io));
	pages[STRIDE + sizeof(p) + 3] = 0;
	io.entry_size = HVMEM_CACHE_PAGE_SIZE_VER0 - 8;
	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_CACHE_FLUSH, &io));
	io.entry_size = 0;	/* a caller that does not know strides */
	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_CACHE_FLUSH, &io));
	io.entry_size = STRIDE;
	io.reserved = 1;
	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_CACHE_FLUSH, &io));
	EXPECT_EQ(0, hvmem_unbind(self->fd, id));
	sleeper_kill(sp);
}

static bool module_loaded(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return access(path, F_OK) == 0;
}

static __u64 check_cap(int fd, __u32 cap)
{
	struct hvmem_check_extension c = { .size = sizeof(c), .cap = cap };

	return hvmem_call(fd, HVMEM_IOC_CHECK_EXTENSION, &c) ? ~0ULL : c.value;
}

/* Each loaded module sets its feature bit and answers its capabilities. */
TEST_F(dev, features_and_capabilities)
{
	static const struct { __u64 bit; const char *mod; __u32 cap; } mods[] = {
		{ HVMEM_FEATURE_MRC, "hvmem_mrc", HVMEM_CAP_MRC },
		{ HVMEM_FEATURE_SHARE, "hvmem_share", HVMEM_CAP_SHARE },
		{ HVMEM_FEATURE_VSWAP, "hvmem_vswap", HVMEM_CAP_VSWAP },
		{ HVMEM_FEATURE_SWAPRES, "dm_swapres", HVMEM_CAP_SWAPRES },
	};
	struct hvmem_version v = { .size = sizeof(v) };
	struct hvmem_check_extension c = { .size = sizeof(c), .flags = 1 };
	unsigned int i;

	ASSERT_EQ(0, hvmem_call(self->fd, HVMEM_IOC_GET_VERSION, &v));
	EXPECT_TRUE(v.features & HVMEM_FEATURE_VM_REGISTRY);
	EXPECT_TRUE(v.features & HVMEM_FEATURE_CACHE);
	for (i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		bool on = module_loaded(mods[i].mod);

		EXPECT_EQ(on, !!(v.features & mods[i].bit)) TH_LOG("%s", mods[i].mod);
		EXPECT_EQ(on, check_cap(self->fd, mods[i].cap)) TH_LOG("%s", mods[i].mod);
	}
	EXPECT_EQ(1, check_cap(self->fd, HVMEM_CAP_CACHE));
	EXPECT_EQ(HVMEM_CACHE_BATCH_MAX, check_cap(self->fd, HVMEM_CAP_CACHE_BATCH_MAX));
	EXPECT_EQ(sysconf(_SC_PAGESIZE), check_cap(self->fd, HVMEM_CAP_CACHE_PAGE_SIZE));
	EXPECT_EQ(hvmem_read_num("/sys/module/hvmem/parameters/max_vms"),
		  check_cap(self->fd, HVMEM_CAP_VM_MAX));
	if (v.features & HVMEM_FEATURE_MRC) {
		EXPECT_EQ(HVMEM_MRC_FEED_MAX, check_cap(self->fd, HVMEM_CAP_MRC_FEED_MAX));
		EXPECT_EQ(HVMEM_MRC_SMAX_MAX, check_cap(self->fd, HVMEM_CAP_MRC_SMAX_MAX));
	}
	if (v.features & HVMEM_FEATURE_SHARE)
		EXPECT_EQ(HVMEM_SHARE_REGIONS_MAX,
			  check_cap(self->fd, HVMEM_CAP_SHARE_REGIONS_MAX));
	/* unknown capabilities of a known feature, and of an unknown bit: 0 */
	EXPECT_EQ(0, check_cap(self->fd, HVMEM_CAP(HVMEM_FEATURE_CACHE_BIT, 0x7777)));
	EXPECT_EQ(0, check_cap(self->fd, HVMEM_CAP(HVMEM_FEATURE_VM_REGISTRY_BIT, 0x7777)));
	EXPECT_EQ(0, check_cap(self->fd, HVMEM_CAP(40, 0)));
	EXPECT_EQ(0, check_cap(self->fd, 0xffffffff));
	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_CHECK_EXTENSION, &c));
	c.flags = 0;
	c.reserved = 1;
	EXPECT_EQ(-EINVAL, hvmem_call(self->fd, HVMEM_IOC_CHECK_EXTENSION, &c));
}

TEST_HARNESS_MAIN
