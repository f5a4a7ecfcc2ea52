/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by hvmem's selftests: device access and the VM list. */
#ifndef HVMEM_SELFTEST_UTIL_H
#define HVMEM_SELFTEST_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <hvmem.h>

static inline int hvmem_dev(void)
{
	return open("/dev/" HVMEM_DEVICE_NAME, O_RDWR | O_CLOEXEC);
}

/* ioctl() returning -errno, so tests can compare with one value. */
static inline int hvmem_call(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

static inline int hvmem_bind_pid(int fd, pid_t pid, __u32 *id)
{
	struct hvmem_vm_bind b = {
		.size = sizeof(b), .flags = HVMEM_BIND_BY_PID, .kvm_fd = -1, .pid = pid,
	};
	int ret = hvmem_call(fd, HVMEM_IOC_VM_BIND, &b);

	if (!ret && id)
		*id = b.id;
	return ret;
}

static inline int hvmem_bind_kvm(int fd, int kvm_fd, __u32 *id)
{
	struct hvmem_vm_bind b = {
		.size = sizeof(b), .flags = HVMEM_BIND_BY_KVM_FD, .kvm_fd = kvm_fd,
	};
	int ret = hvmem_call(fd, HVMEM_IOC_VM_BIND, &b);

	if (!ret && id)
		*id = b.id;
	return ret;
}

static inline int hvmem_unbind(int fd, __u32 id)
{
	struct hvmem_vm_unbind u = { .size = sizeof(u), .id = id };

	return hvmem_call(fd, HVMEM_IOC_VM_UNBIND, &u);
}

/* Find VM @id in the list; 1 found (copied to @out), 0 not found, -errno. */
static inline int hvmem_find_vm(int fd, __u32 id, struct hvmem_vm_info *out)
{
	struct hvmem_vm_info e[64];
	struct hvmem_vm_list l = {
		.size = sizeof(l), .entry_size = sizeof(e[0]), .count = 64,
		.entries = (__u64)(unsigned long)e,
	};
	__u32 i;
	int ret = hvmem_call(fd, HVMEM_IOC_VM_LIST, &l);

	if (ret)
		return ret;
	for (i = 0; i < l.count; i++) {
		if (e[i].id == id) {
			if (out)
				*out = e[i];
			return 1;
		}
	}
	return 0;
}

/* Wait up to @ms for VM @id to leave the list; true when it did. */
static inline bool hvmem_wait_gone(int fd, __u32 id, int ms)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	for (; ms > 0; ms -= 10) {
		if (hvmem_find_vm(fd, id, NULL) == 0)
			return true;
		nanosleep(&ts, NULL);
	}
	return hvmem_find_vm(fd, id, NULL) == 0;
}

/*
 * Why KVM guests are not run here, or NULL. selftests/run sets
 * HVMEM_SKIP_KVM on kernels where a nested guest does not finish in time
 * (the KASAN/lockdep test kernel under TCG).
 */
static inline const char *hvmem_skip_kvm(void)
{
	const char *why = getenv("HVMEM_SKIP_KVM");

	return why && *why ? why : NULL;
}

/*
 * A child that sleeps until killed: something to bind. Sleepers inherit
 * each other's fds, so they are stopped with SIGKILL, not by closing a pipe.
 */
static inline pid_t sleeper_spawn(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

static inline void sleeper_kill(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* The number in a sysfs or proc file named by @fmt; -1 if it cannot be read. */
static inline long long hvmem_read_num(const char *fmt, ...)
{
	char path[256], buf[64] = "";
	va_list ap;
	int fd;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = 0;
	close(fd);
	return atoll(buf);
}

static inline int sysfs_write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* The exclusive cache: a pool for @vm. */
static inline int hvmem_pool_create(int fd, __u32 vm, __u32 flags, __u32 *pool)
{
	struct hvmem_cache_pool_create a = { .size = sizeof(a), .flags = flags, .vm_id = vm };
	int ret = hvmem_call(fd, HVMEM_IOC_CACHE_POOL_CREATE, &a);

	if (!ret)
		*pool = a.pool_id;
	return ret;
}

/*
 * One batched cache call over @n pages, keys (@oid, @first + i). A GET
 * asks for any generation unless @keep_gen (then the gens in @pages).
 */
static inline int hvmem_cache_batch(int fd, unsigned long req, __u32 pool, __u64 oid,
				    __u64 first, unsigned int n, void *buf,
				    struct hvmem_cache_page *pages, bool keep_gen)
{
	struct hvmem_cache_io io = {
		.size = sizeof(io), .pool_id = pool, .count = n,
		.pages = (uintptr_t)pages, .buf = (uintptr_t)buf,
		.page_size = sysconf(_SC_PAGESIZE), .entry_size = sizeof(*pages),
	};
	unsigned int i;

	for (i = 0; i < n; i++) {
		pages[i].oid = oid;
		pages[i].index = first + i;
		pages[i].result = 1;
		if (req != HVMEM_IOC_CACHE_GET || !keep_gen)
			pages[i].gen = 0;
	}
	return hvmem_call(fd, req, &io);
}

#endif /* HVMEM_SELFTEST_UTIL_H */
