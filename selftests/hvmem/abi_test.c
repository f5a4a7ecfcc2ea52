// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl ABI of /dev/hvmem: sizes, flags, reserved fields, unknown commands,
 * bad pointers, bad targets, unprivileged callers and the enabled switch.
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

TEST_HARNESS_MAIN
