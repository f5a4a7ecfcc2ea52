// SPDX-License-Identifier: GPL-2.0
/*
 * Binding VMs: processes by pid and real KVM VMs by fd; listing; duplicate
 * refusal; unbinding; and the state going away by itself when the VM's
 * process exits (the MMU notifier's release).
 */
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
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

#define MAX_VMS_PARAM	"/sys/module/hvmem/parameters/max_vms"
#define DELAY_PARAM	"/sys/module/hvmem/parameters/test_publish_delay_ms"
#define MRC_VMS		"/sys/kernel/mm/hvmem/mrc/vms"

/* A VM id is not handed out again after its VM was unbound. */
TEST_F(vm, ids_not_reused)
{
	pid_t a = sleeper_spawn(), b = sleeper_spawn();
	__u32 ida, idb;

	ASSERT_GT(a, 0);
	ASSERT_GT(b, 0);
	ASSERT_EQ(0, hvmem_bind_pid(self->fd, a, &ida));
	ASSERT_EQ(0, hvmem_unbind(self->fd, ida));
	ASSERT_EQ(0, hvmem_bind_pid(self->fd, b, &idb));
	EXPECT_NE(ida, idb);
	EXPECT_EQ(0, hvmem_unbind(self->fd, idb));
	sleeper_kill(a);
	sleeper_kill(b);
}

/* Tells its id on the pipe @arg, then sleeps. */
static void *thread_sleep(void *arg)
{
	pid_t tid = syscall(SYS_gettid);

	if (write(*(int *)arg, &tid, sizeof(tid)) != sizeof(tid))
		_exit(2);
	pause();
	return NULL;
}

/* Binding a thread's id binds its process, owned by the thread-group leader. */
TEST_F(vm, bind_thread_id_owner_is_process)
{
	struct hvmem_vm_info info;
	pid_t pid = sleeper_spawn();
	pthread_t th;
	__u32 id;
	int p[2];

	ASSERT_GT(pid, 0);
	sleeper_kill(pid);
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (pthread_create(&th, NULL, thread_sleep, &p[1]))
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	{
		pid_t tid = 0;

		ASSERT_EQ(sizeof(tid), read(p[0], &tid, sizeof(tid)));
		close(p[0]);
		ASSERT_NE(pid, tid);
		ASSERT_EQ(0, syscall(SYS_tgkill, pid, tid, 0)) TH_LOG("no thread %d", tid);
		ASSERT_EQ(0, hvmem_bind_pid(self->fd, tid, &id));
	}
	ASSERT_EQ(1, hvmem_find_vm(self->fd, id, &info));
	EXPECT_EQ(pid, info.pid);
	EXPECT_EQ(-EEXIST, hvmem_bind_pid(self->fd, pid, NULL));	/* same process */
	EXPECT_EQ(0, hvmem_unbind(self->fd, id));
	sleeper_kill(pid);
}

/*
 * max_vms is bounded (no huge per-list allocation), and listing keeps
 * working, every VM listed, after it was lowered below the number bound.
 */
TEST_F(vm, list_after_max_vms_lowered)
{
	struct hvmem_vm_info e[64];
	struct hvmem_vm_list l = { .size = sizeof(l), .entry_size = sizeof(e[0]) };
	long long saved = hvmem_read_num(MAX_VMS_PARAM), n0;
	pid_t pid[3];
	__u32 id[3];
	char cmd[64];
	int i, rc;

	ASSERT_GT(saved, 0);
	snprintf(cmd, sizeof(cmd), "%lld", saved);
	EXPECT_EQ(-EINVAL, sysfs_write_str(MAX_VMS_PARAM, "4000000000"));
	EXPECT_EQ(-EINVAL, sysfs_write_str(MAX_VMS_PARAM, "0"));
	EXPECT_EQ(saved, hvmem_read_num(MAX_VMS_PARAM));
	sysfs_write_str(MAX_VMS_PARAM, cmd);	/* whatever was accepted */
	for (i = 0; i < 3; i++) {
		pid[i] = sleeper_spawn();
		ASSERT_GT(pid[i], 0);
		ASSERT_EQ(0, hvmem_bind_pid(self->fd, pid[i], &id[i]));
	}
	ASSERT_EQ(0, hvmem_call(self->fd, HVMEM_IOC_VM_LIST, &l));
	n0 = l.total;
	ASSERT_LE(n0, 64);
	EXPECT_EQ(0, sysfs_write_str(MAX_VMS_PARAM, "1"));
	l.count = 0xffffffff;		/* more room offered than max_vms */
	l.entries = (__u64)(unsigned long)e;
	rc = hvmem_call(self->fd, HVMEM_IOC_VM_LIST, &l);
	EXPECT_EQ(0, rc);
	EXPECT_EQ(n0, l.count);
	EXPECT_EQ(n0, l.total);
	rc = system("timeout 30 hvmemctl vm list >/dev/null");
	EXPECT_EQ(0, rc) TH_LOG("hvmemctl vm list: status %#x (124: looped)", rc);
	EXPECT_EQ(0, sysfs_write_str(MAX_VMS_PARAM, cmd));
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(0, hvmem_unbind(self->fd, id[i]));
		sleeper_kill(pid[i]);
	}
}

/*
 * VM_BIND whose result cannot be written back (read-only argument) fails
 * with EFAULT and undoes its own binding: nothing stays bound for the
 * process, and another VM (bound meanwhile, or whatever holds an id) stays.
 */
TEST_F(vm, bind_copy_out_fault_undoes_own_binding)
{
	struct hvmem_vm_bind *b;
	pid_t pid = sleeper_spawn(), other = sleeper_spawn();
	struct hvmem_vm_info info;
	long pg = sysconf(_SC_PAGESIZE);
	__u32 oid, id;

	ASSERT_GT(pid, 0);
	ASSERT_GT(other, 0);
	ASSERT_EQ(0, hvmem_bind_pid(self->fd, other, &oid));
	b = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, b);
	b->size = sizeof(*b);
	b->flags = HVMEM_BIND_BY_PID;
	b->kvm_fd = -1;
	b->pid = pid;
	ASSERT_EQ(0, mprotect(b, pg, PROT_READ));
	EXPECT_EQ(-EFAULT, hvmem_call(self->fd, HVMEM_IOC_VM_BIND, b));
	munmap(b, pg);
	/* not left bound: binding it again works */
	ASSERT_EQ(0, hvmem_bind_pid(self->fd, pid, &id));
	EXPECT_EQ(1, hvmem_find_vm(self->fd, oid, &info));
	EXPECT_EQ(other, info.pid);
	EXPECT_EQ(0, hvmem_unbind(self->fd, id));
	EXPECT_EQ(0, hvmem_unbind(self->fd, oid));
	sleeper_kill(pid);
	sleeper_kill(other);
}

struct bind_arg {
	int fd;
	pid_t pid;
	int ret;
	__u32 id;
};

static void *bind_thread(void *p)
{
	struct bind_arg *a = p;

	a->ret = hvmem_bind_pid(a->fd, a->pid, &a->id);
	return NULL;
}

/*
 * Unbind a VM between its publication and its BIND event (the test
 * kernel's modules hold it there for test_publish_delay_ms): the bind
 * fails cleanly, nothing of the VM is left (no sibling state created by a
 * BIND that arrived after the UNBIND), and the kernel log stays clean
 * (selftests/run checks it, KASAN included).
 */
TEST_F_TIMEOUT(vm, unbind_during_publish, 300)
{
	struct bind_arg a = { .fd = self->fd };
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	struct hvmem_vm_info e[64];
	struct hvmem_vm_list l;
	pthread_t th;
	char path[128];
	__u32 i, id = 0;
	int round, tries;

	if (access(DELAY_PARAM, W_OK))
		SKIP(return, "no test_publish_delay_ms (not the test kernel's modules)");
	ASSERT_EQ(0, sysfs_write_str(DELAY_PARAM, "400"));
	for (round = 0; round < 3; round++) {
		a.pid = sleeper_spawn();
		ASSERT_GT(a.pid, 0);
		ASSERT_EQ(0, pthread_create(&th, NULL, bind_thread, &a));
		id = 0;
		for (tries = 0; !id && tries < 4000; tries++) {
			memset(&l, 0, sizeof(l));
			l.size = sizeof(l);
			l.entry_size = sizeof(e[0]);
			l.count = 64;
			l.entries = (__u64)(unsigned long)e;
			if (hvmem_call(self->fd, HVMEM_IOC_VM_LIST, &l))
				break;
			for (i = 0; i < l.count; i++)
				if (e[i].pid == a.pid)
					id = e[i].id;
			if (!id)
				nanosleep(&ts, NULL);
		}
		EXPECT_NE(0, id) TH_LOG("VM of pid %d never listed", a.pid);
		if (id)
			EXPECT_EQ(0, hvmem_unbind(self->fd, id));
		pthread_join(th, NULL);
		if (id) {
			EXPECT_EQ(-ESRCH, a.ret);
			EXPECT_EQ(0, hvmem_find_vm(self->fd, id, NULL));
			snprintf(path, sizeof(path), MRC_VMS "/%u", id);
			EXPECT_NE(0, access(path, F_OK)) TH_LOG("%s left behind", path);
		}
		if (!a.ret)
			hvmem_unbind(self->fd, a.id);
		sleeper_kill(a.pid);
	}
	sysfs_write_str(DELAY_PARAM, "0");
}

/* The entry of @pid's VM in the list (id 0 when not listed). */
static struct hvmem_vm_info find_pid_vm(int fd, pid_t pid)
{
	struct hvmem_vm_info e[64], none = { 0 };
	struct hvmem_vm_list l = {
		.size = sizeof(l), .entry_size = sizeof(e[0]), .count = 64,
		.entries = (__u64)(unsigned long)e,
	};
	__u32 i;

	if (!hvmem_call(fd, HVMEM_IOC_VM_LIST, &l))
		for (i = 0; i < l.count; i++)
			if (e[i].pid == pid)
				return e[i];
	return none;
}

/*
 * A VM whose process exited reports pid 0, not the dead process's pid,
 * which may already name another process. The test kernel's modules keep
 * the VM listed while its BIND is held back (test_publish_delay_ms).
 */
TEST_F_TIMEOUT(vm, exited_vm_reports_no_pid, 120)
{
	struct bind_arg a = { .fd = self->fd };
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	struct hvmem_vm_list l = { .size = sizeof(l) };
	struct hvmem_vm_info e[64], info = { 0 };
	pthread_t th;
	__u32 i, id;
	int tries;

	if (access(DELAY_PARAM, W_OK))
		SKIP(return, "no test_publish_delay_ms (not the test kernel's modules)");
	ASSERT_EQ(0, sysfs_write_str(DELAY_PARAM, "3000"));
	a.pid = sleeper_spawn();
	ASSERT_GT(a.pid, 0);
	ASSERT_EQ(0, pthread_create(&th, NULL, bind_thread, &a));
	for (tries = 0; !info.id && tries < 400; tries++) {
		info = find_pid_vm(self->fd, a.pid);
		if (!info.id)
			nanosleep(&ts, NULL);
	}
	ASSERT_NE(0, info.id);
	id = info.id;
	sleeper_kill(a.pid);		/* exits and is reaped: its pid is free */
	l.entry_size = sizeof(e[0]);
	l.count = 64;
	l.entries = (__u64)(unsigned long)e;
	ASSERT_EQ(0, hvmem_call(self->fd, HVMEM_IOC_VM_LIST, &l));
	memset(&info, 0, sizeof(info));
	for (i = 0; i < l.count; i++)
		if (e[i].id == id)
			info = e[i];
	EXPECT_EQ(id, info.id) TH_LOG("VM %u no longer listed: the window closed", id);
	if (info.id == id)
		EXPECT_EQ(0, info.pid) TH_LOG("pid %u of an exited process", info.pid);
	pthread_join(th, NULL);
	/* the bind held the address space: it may complete, then unbind on its own */
	EXPECT_TRUE(a.ret == 0 || a.ret == -ESRCH) TH_LOG("bind: %d", a.ret);
	sysfs_write_str(DELAY_PARAM, "0");
	EXPECT_TRUE(hvmem_wait_gone(self->fd, id, 10000));
}

struct kvm_thread_arg {
	int vm_fd;
};

static void *kvm_create_thread(void *p)
{
	struct kvm_thread_arg *a = p;
	struct kvm_tiny t;

	a->vm_fd = kvm_tiny_create(&t) ? -1 : t.vm;
	return NULL;
}

/* A KVM VM created by a non-main thread of its VMM is owned by that VMM. */
TEST_F_TIMEOUT(vm, kvm_vm_created_by_thread_has_owner, 600)
{
	struct hvmem_vm_info info;
	int p[2], pidfd, vmfd;
	pid_t pid;
	__u32 id;

	if (hvmem_skip_kvm())
		SKIP(return, "%s", hvmem_skip_kvm());
	system("modprobe -q kvm_amd 2>/dev/null || modprobe -q kvm_intel 2>/dev/null");
	if (access("/dev/kvm", R_OK | W_OK))
		SKIP(return, "no /dev/kvm in this VM");
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct kvm_thread_arg a = { -1 };
		pthread_t th;

		close(p[0]);
		if (pthread_create(&th, NULL, kvm_create_thread, &a) || pthread_join(th, NULL))
			a.vm_fd = -1;
		if (write(p[1], &a.vm_fd, sizeof(a.vm_fd)) != sizeof(a.vm_fd))
			_exit(2);
		pause();
		_exit(0);
	}
	close(p[1]);
	ASSERT_EQ(sizeof(vmfd), read(p[0], &vmfd, sizeof(vmfd)));
	close(p[0]);
	ASSERT_GE(vmfd, 0) TH_LOG("child could not create a KVM VM");
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	ASSERT_GE(pidfd, 0);
	vmfd = syscall(SYS_pidfd_getfd, pidfd, vmfd, 0);
	ASSERT_GE(vmfd, 0);
	ASSERT_EQ(0, hvmem_bind_kvm(self->fd, vmfd, &id));
	ASSERT_EQ(1, hvmem_find_vm(self->fd, id, &info));
	EXPECT_EQ(pid, info.pid);
	EXPECT_EQ(0, hvmem_unbind(self->fd, id));
	close(vmfd);
	close(pidfd);
	sleeper_kill(pid);
}

TEST_HARNESS_MAIN
