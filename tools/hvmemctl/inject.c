// SPDX-License-Identifier: GPL-2.0
/*
 * Run madvise() inside another process, as CRIU's compel does: seize its
 * main thread with ptrace, point it at a `syscall` instruction of its vDSO
 * with the syscall's registers, single-step, and put everything back.
 *
 * hvmem_share.ko cannot give KSM a sub-range of a VMA itself (madvise's VMA
 * split is not exported to modules), so `hvmemctl share apply` advises the
 * policy's ranges through the VM process. x86-64 only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hvmemctl.h"

#ifdef __x86_64__

/* The address of a `syscall` (0f 05) in @pid's vDSO, or 0. */
static uint64_t find_syscall_insn(pid_t pid)
{
	unsigned long lo = 0, hi = 0;
	char path[64], line[512];
	unsigned char *buf;
	uint64_t at = 0;
	FILE *f;
	size_t i;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "[vdso]") && sscanf(line, "%lx-%lx", &lo, &hi) == 2)
			break;
	fclose(f);
	if (!lo || hi <= lo || hi - lo > (1 << 20))
		return 0;
	buf = malloc(hi - lo);
	if (!buf)
		return 0;
	/* /proc/PID/mem, not process_vm_readv(): kernels may lack the latter */
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && pread(fd, buf, hi - lo, lo) == (ssize_t)(hi - lo))
		for (i = 0; i + 1 < hi - lo; i++)
			if (buf[i] == 0x0f && buf[i + 1] == 0x05) {
				at = lo + i;
				break;
			}
	if (fd >= 0)
		close(fd);
	free(buf);
	return at;
}

/* Wait for @pid's next ptrace stop: 0, or -1 with errno set. */
static int wait_stop(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, __WALL) != pid)
		return -1;
	if (!WIFSTOPPED(st)) {
		errno = ESRCH;	/* it exited */
		return -1;
	}
	return 0;
}

/**
 * inject_madvise() - madvise() ranges inside another process
 * @pid: the process (its main thread runs the calls)
 * @starts: range starts
 * @lens: range lengths
 * @n: ranges
 * @advice: MADV_*
 * @results: out: each call's return (0 or -errno)
 *
 * Return: 0 when every call was made (see @results), else -errno (and a
 * message); the process is left as it was either way.
 */
int inject_madvise(pid_t pid, const uint64_t *starts, const uint64_t *lens, int n,
		   int advice, long *results)
{
	struct user_regs_struct saved, regs;
	uint64_t sc = find_syscall_insn(pid);
	int i, ret = 0;

	if (!sc) {
		p_err("pid %d: no syscall instruction found in its vDSO", pid);
		return -ENOENT;
	}
	if (ptrace(PTRACE_SEIZE, pid, 0, 0)) {
		ret = -errno;
		p_errno(-ret, "ptrace(SEIZE, %d)", pid);
		return ret;
	}
	if (ptrace(PTRACE_INTERRUPT, pid, 0, 0) || wait_stop(pid) ||
	    ptrace(PTRACE_GETREGS, pid, 0, &saved)) {
		ret = -errno;
		p_errno(-ret, "pid %d: stopping it", pid);
		goto detach;
	}
	for (i = 0; i < n; i++) {
		regs = saved;
		regs.rip = sc;
		regs.rax = SYS_madvise;
		regs.orig_rax = -1;	/* no syscall restart on resume */
		regs.rdi = starts[i];
		regs.rsi = lens[i];
		regs.rdx = advice;
		if (ptrace(PTRACE_SETREGS, pid, 0, &regs) ||
		    ptrace(PTRACE_SINGLESTEP, pid, 0, 0) || wait_stop(pid) ||
		    ptrace(PTRACE_GETREGS, pid, 0, &regs)) {
			ret = -errno;
			p_errno(-ret, "pid %d: injecting madvise", pid);
			break;
		}
		results[i] = (long)regs.rax;
	}
	if (ptrace(PTRACE_SETREGS, pid, 0, &saved) && !ret) {
		ret = -errno;
		p_errno(-ret, "pid %d: restoring its registers", pid);
	}
detach:
	ptrace(PTRACE_DETACH, pid, 0, 0);
	return ret;
}

#else

int inject_madvise(pid_t pid, const uint64_t *starts, const uint64_t *lens, int n,
		   int advice, long *results)
{
	p_err("share apply: only on x86-64");
	return -ENOSYS;
}

#endif
