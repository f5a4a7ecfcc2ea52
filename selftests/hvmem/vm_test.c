// SPDX-License-Identifier: GPL-2.0
/*
 * Binding VMs: processes by pid and real KVM VMs by fd; listing; duplicate
 * refusal; unbinding; and the state going away by itself when the VM's
 * process exits (the MMU notifier's release).
 */
#include <signal.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "hvmem_util.h"
#include "kvm_tiny.h"

FIXTURE(vm) {
	int fd;
};

FIXTURE_SETUP(vm)
{
	self->fd = hvmem_dev();
	ASSERT_GE(self->fd, 0);
}

FIXTURE_TEARDOWN(vm)
{
	close(self->fd);
}

TEST_F(vm, bind_pid_list_unbind)
{
	struct hvmem_vm_info info;
	pid_t pid = sleeper_spawn();
	__u32 id;

	ASSERT_GT(pid, 0);
	ASSERT_EQ(0, hvmem_bind_pid(self->fd, pid, &id));
	EXPECT_NE(0, id);
	ASSERT_EQ(1, hvmem_find_vm(self->fd, id, &info));
	EXPECT_EQ(pid, info.pid);
	EXPECT_EQ(0, info.flags & HVMEM_VM_KVM);
	EXPECT_STREQ("vm_test", info.comm);
	EXPECT_NE(0, info.bind_time_ns);
	EXPECT_EQ(-EEXIST, hvmem_bind_pid(self->fd, pid, NULL));
	EXPECT_EQ(0, hvmem_unbind(self->fd, id));
	EXPECT_EQ(0, hvmem_find_vm(self->fd, id, NULL));
	EXPECT_EQ(-ENOENT, hvmem_unbind(self->fd, id));
	sleeper_kill(pid);
}

TEST_F_TIMEOUT(vm, process_exit_unbinds, 300)
{
	pid_t pids[4];
	int i;
	__u32 ids[4];

	for (i = 0; i < 4; i++) {
		pids[i] = sleeper_spawn();
		ASSERT_GT(pids[i], 0);
		ASSERT_EQ(0, hvmem_bind_pid(self->fd, pids[i], &ids[i]));
		sleeper_kill(pids[i]);
	}
	for (i = 0; i < 4; i++) {
		__u32 id = ids[i];

		EXPECT_TRUE(hvmem_wait_gone(self->fd, id, 60000))
			TH_LOG("vm %u still bound after its process exited", id);
	}
}

TEST_F(vm, list_counts_and_truncates)
{
	struct hvmem_vm_info e[2];
	struct hvmem_vm_list l = { .size = sizeof(l), .entry_size = sizeof(e[0]) };
	pid_t pid[3];
	int i;
	__u32 id[3];

	for (i = 0; i < 3; i++) {
		pid[i] = sleeper_spawn();
		ASSERT_GT(pid[i], 0);
		ASSERT_EQ(0, hvmem_bind_pid(self->fd, pid[i], &id[i]));
	}
	ASSERT_EQ(0, hvmem_call(self->fd, HVMEM_IOC_VM_LIST, &l));	/* count 0 */
	EXPECT_EQ(0, l.count);
	EXPECT_GE(l.total, 3);
	l.count = 2;
	l.entries = (__u64)(unsigned long)e;
	ASSERT_EQ(0, hvmem_call(self->fd, HVMEM_IOC_VM_LIST, &l));
	EXPECT_EQ(2, l.count);
	EXPECT_GE(l.total, 3);
	EXPECT_LT(e[0].id, e[1].id);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(0, hvmem_unbind(self->fd, id[i]));
		sleeper_kill(pid[i]);
	}
}

/* KVM under TCG, with the debug kernel, can take far longer than the default 30 s. */
TEST_F_TIMEOUT(vm, kvm_vm_bind, 600)
{
	struct hvmem_vm_info info;
	struct kvm_tiny t;
	__u32 id, pid_id;
	int ret;

	if (hvmem_skip_kvm())
		SKIP(return, "%s", hvmem_skip_kvm());
	system("modprobe -q kvm_amd 2>/dev/null || modprobe -q kvm_intel 2>/dev/null");
	ret = kvm_tiny_create(&t);
	if (ret == -ENOENT)
		SKIP(return, "no /dev/kvm in this VM");
	ASSERT_EQ(0, ret) TH_LOG("creating a KVM VM: %s", strerror(-ret));
	ASSERT_TRUE(kvm_tiny_run(&t)) TH_LOG("tiny guest did not run to HLT");

	ASSERT_EQ(0, hvmem_bind_kvm(self->fd, t.vm, &id));
	ASSERT_EQ(1, hvmem_find_vm(self->fd, id, &info));
	EXPECT_TRUE(info.flags & HVMEM_VM_KVM);
	EXPECT_EQ(getpid(), info.pid);
	EXPECT_EQ(-EEXIST, hvmem_bind_kvm(self->fd, t.vm, NULL));
	EXPECT_EQ(-EINVAL, hvmem_bind_kvm(self->fd, t.vcpu, NULL));	/* vCPU, not VM */
	EXPECT_EQ(-EINVAL, hvmem_bind_kvm(self->fd, t.kvm, NULL));	/* /dev/kvm */
	/* The process hosting it is a distinct binding. */
	ASSERT_EQ(0, hvmem_bind_pid(self->fd, getpid(), &pid_id));
	EXPECT_EQ(0, hvmem_unbind(self->fd, pid_id));
	/* The guest still runs while bound. */
	EXPECT_EQ(0, hvmem_unbind(self->fd, id));
	kvm_tiny_close(&t);
}

/* A VMM process with a bound KVM VM exits: the binding goes with it. */
TEST_F_TIMEOUT(vm, kvm_vm_exit_unbinds, 600)
{
	int p[2], status;
	pid_t pid;
	__u32 id = 0;

	if (hvmem_skip_kvm())
		SKIP(return, "%s", hvmem_skip_kvm());
	system("modprobe -q kvm_amd 2>/dev/null || modprobe -q kvm_intel 2>/dev/null");
	if (access("/dev/kvm", R_OK | W_OK))
		SKIP(return, "no /dev/kvm in this VM");
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct kvm_tiny t;
		int fd = hvmem_dev();

		close(p[0]);
		if (fd < 0 || kvm_tiny_create(&t) || !kvm_tiny_run(&t) ||
		    hvmem_bind_kvm(fd, t.vm, &id))
			id = 0;
		if (write(p[1], &id, sizeof(id)) != sizeof(id))
			_exit(2);
		_exit(id ? 0 : 1);	/* exits with the VM still open and bound */
	}
	close(p[1]);
	ASSERT_EQ(sizeof(id), read(p[0], &id, sizeof(id)));
	close(p[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_NE(0, id) TH_LOG("child could not create and bind a KVM VM");
	EXPECT_TRUE(hvmem_wait_gone(self->fd, id, 60000));
}

TEST_HARNESS_MAIN
