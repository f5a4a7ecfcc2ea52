// SPDX-License-Identifier: GPL-2.0
/*
 * hvmemctl vm: list, bind and unbind VMs.
 *
 *   hvmemctl vm list
 *   hvmemctl vm bind pid PID
 *   hvmemctl vm bind kvm PID [FD]   (the KVM VM fd FD of process PID; found in
 *                                    /proc/PID/fd when FD is not given)
 *   hvmemctl vm unbind ID
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hvmemctl.h"

/*
 * Tries this often when VMs are bound between asking for the total and
 * listing; then (or when the kernel lists fewer than it counts, as older
 * modules did once max_vms was lowered below the number bound) the list
 * is what the last call returned.
 */
#define VM_LIST_TRIES	8

int hvmem_vm_list(int fd, struct hvmem_vm_list *l)
{
	struct hvmem_vm_info *e = NULL;
	int tries;

	for (tries = 1;; tries++) {
		uint32_t room;

		memset(l, 0, sizeof(*l));
		l->size = sizeof(*l);
		l->entry_size = sizeof(*e);
		if (hvmem_ioctl(fd, HVMEM_IOC_VM_LIST, l, "vm list"))
			goto err;
		if (!l->total) {
			l->entries = 0;
			free(e);
			return 0;
		}
		room = l->total + 8;	/* VMs may be bound meanwhile */
		free(e);
		e = calloc(room, sizeof(*e));
		if (!e) {
			p_errno(ENOMEM, "VM list");
			return -1;
		}
		l->count = room;
		l->entries = (uintptr_t)e;
		if (hvmem_ioctl(fd, HVMEM_IOC_VM_LIST, l, "vm list"))
			goto err;
		if (l->count >= l->total || tries >= VM_LIST_TRIES)
			return 0;
	}
err:
	free(e);
	l->entries = 0;
	return -1;
}

static int do_list(int argc, char **argv)
{
	struct hvmem_vm_list l;
	struct hvmem_vm_info *e;
	uint32_t i;
	int fd;

	if (argc > 1)
		return p_err("vm list takes no arguments");
	fd = hvmem_open();
	if (fd < 0)
		return 1;
	if (hvmem_vm_list(fd, &l)) {
		close(fd);
		return 1;
	}
	close(fd);
	e = (struct hvmem_vm_info *)(uintptr_t)l.entries;
	if (json_output) {
		jw_start_array();
		for (i = 0; i < l.count; i++) {
			jw_start_object();
			jw_kv_uint("id", e[i].id);
			jw_kv_string("kind", (e[i].flags & HVMEM_VM_KVM) ? "kvm" : "process");
			jw_kv_int("pid", e[i].pid);
			jw_kv_string("comm", e[i].comm);
			jw_kv_bool("dying", e[i].flags & HVMEM_VM_DYING);
			jw_kv_uint("bind_time_ns", e[i].bind_time_ns);
			jw_end_object();
		}
		jw_end_array();
		jw_end_document();
	} else {
		printf("%-6s %-8s %-8s %s\n", "ID", "KIND", "PID", "COMM");
		for (i = 0; i < l.count; i++)
			printf("%-6u %-8s %-8d %s%s\n", e[i].id,
			       (e[i].flags & HVMEM_VM_KVM) ? "kvm" : "process", e[i].pid,
			       e[i].comm, (e[i].flags & HVMEM_VM_DYING) ? " (dying)" : "");
	}
	free(e);
	return 0;
}

/* The first fd of @pid that is a KVM VM ("anon_inode:kvm-vm"), or -1. */
static int find_kvm_fd(pid_t pid)
{
	char dir[64], path[320], link[64];
	struct dirent *d;
	int found = -1;
	DIR *dp;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	dp = opendir(dir);
	if (!dp) {
		p_errno(errno, "%s", dir);
		return -1;
	}
	while ((d = readdir(dp))) {
		ssize_t n;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (!strcmp(link, "anon_inode:kvm-vm")) {
			found = atoi(d->d_name);
			break;
		}
	}
	closedir(dp);
	if (found < 0)
		p_err("process %d has no KVM VM fd", pid);
	return found;
}

/* A copy, in this process, of fd @fd of process @pid (pidfd_getfd). */
static int steal_fd(pid_t pid, int fd)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int ret;

	if (pidfd < 0) {
		p_errno(errno, "pidfd_open(%d)", pid);
		return -1;
	}
	ret = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (ret < 0)
		p_errno(errno, "pidfd_getfd(%d, %d)", pid, fd);
	close(pidfd);
	return ret;
}

static int do_bind(int argc, char **argv)
{
	struct hvmem_vm_bind b = { .size = sizeof(b), .kvm_fd = -1 };
	uint32_t pid, fd_nr;
	int fd, kvm_fd = -1, ret = 1;

	if (argc < 3 || argc > 4 || (strcmp(argv[1], "pid") && strcmp(argv[1], "kvm")) ||
	    (argc == 4 && strcmp(argv[1], "kvm")))
		return p_err("usage: hvmemctl vm bind pid PID | vm bind kvm PID [FD]");
	if (parse_u32(argv[2], &pid, "pid") || pid == 0 || pid > INT32_MAX)
		return p_err("bad pid '%s'", argv[2]);
	if (!strcmp(argv[1], "pid")) {
		b.flags = HVMEM_BIND_BY_PID;
		b.pid = (int32_t)pid;
	} else {
		if (argc == 4) {
			if (parse_u32(argv[3], &fd_nr, "fd") || fd_nr > INT32_MAX)
				return 1;
		} else {
			int found = find_kvm_fd((pid_t)pid);

			if (found < 0)
				return 1;
			fd_nr = (uint32_t)found;
		}
		kvm_fd = steal_fd((pid_t)pid, (int)fd_nr);
		if (kvm_fd < 0)
			return 1;
		b.flags = HVMEM_BIND_BY_KVM_FD;
		b.kvm_fd = kvm_fd;
	}
	fd = hvmem_open();
	if (fd < 0)
		goto out;
	if (!hvmem_ioctl(fd, HVMEM_IOC_VM_BIND, &b, "vm bind")) {
		ret = 0;
		if (json_output) {
			jw_start_object();
			jw_kv_uint("id", b.id);
			jw_end_object();
			jw_end_document();
		} else {
			printf("bound vm %u\n", b.id);
		}
	}
	close(fd);
out:
	if (kvm_fd >= 0)
		close(kvm_fd);
	return ret;
}

static int do_unbind(int argc, char **argv)
{
	struct hvmem_vm_unbind u = { .size = sizeof(u) };
	int fd, ret = 1;

	if (argc != 2)
		return p_err("usage: hvmemctl vm unbind ID");
	if (parse_u32(argv[1], &u.id, "vm id"))
		return 1;
	fd = hvmem_open();
	if (fd < 0)
		return 1;
	if (!hvmem_vm_ioctl(fd, HVMEM_IOC_VM_UNBIND, &u, "vm unbind", u.id))
		ret = 0;
	close(fd);
	return ret;
}

static const struct hvmemctl_cmd vm_cmds[] = {
	{ "list", do_list, "" },
	{ "bind", do_bind, "pid PID | kvm PID [FD]" },
	{ "unbind", do_unbind, "ID" },
	{ NULL },
};

const struct hvmemctl_object hvmemctl_vm_object = {
	"vm", vm_cmds, "VMs bound to hvmem (processes or KVM VMs)",
};
