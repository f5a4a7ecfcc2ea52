// SPDX-License-Identifier: GPL-2.0
/*
 * Run madvise() inside another process, as CRIU's compel does: seize its
 * main thread with ptrace, point it at a `syscall` instruction of its vDSO
 * with the syscall's registers, run to the syscall's exit, and put
 * everything back.
 *
 * hvmem_share.ko cannot give KSM a sub-range of a VMA itself (madvise's VMA
 * split is not exported to modules), so `hvmemctl share apply` advises the
 * policy's ranges through the VM process. x86-64 only, 64-bit processes only.
 *
 * The process must not notice:
 * - a signal it gets meanwhile is delivered, not swallowed: at a
 *   signal-delivery-stop its own registers go back and it is resumed with
 *   that signal (so its handler runs, with the original siginfo), then
 *   stopped again (PTRACE_INTERRUPT) to retry the call. The injected call
 *   runs under PTRACE_SYSCALL, which queues no SIGTRAP of its own;
 * - a group-stop (SIGSTOP) meanwhile is kept: the tracee stays stopped once
 *   detached;
 * - a thread that does not stop (uninterruptible sleep, "D") is given up
 *   after INJECT_STOP_TIMEOUT_MS: the work runs in a child process whose exit
 *   detaches the tracee (a running tracee cannot be detached otherwise). No
 *   time limit applies once its registers point at the injected call: it
 *   must stop again to get them back;
 * - seccomp filters (which could kill it for the injected madvise) are
 *   suspended with PTRACE_O_SUSPEND_SECCOMP, which needs CAP_SYS_ADMIN and
 *   an unconfined tracer: else the process is left alone, with a message.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hvmemctl.h"

#ifdef __x86_64__

/* How long the tracee may take to stop before it is left alone. */
#define INJECT_STOP_TIMEOUT_MS	3000
#define X86_64_USER_CS		0x33	/* __USER_CS: 64-bit user code */
#define SYSCALL_STOP		(SIGTRAP | 0x80)	/* PTRACE_O_TRACESYSGOOD */

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

/* 1 if @pid runs a 64-bit ELF executable, 0 if not, -errno. */
static int is_elf64(pid_t pid)
{
	unsigned char id[5];
	char path[64];
	ssize_t got;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	got = pread(fd, id, sizeof(id), 0);
	close(fd);
	if (got != sizeof(id) || memcmp(id, "\177ELF", 4))
		return 0;
	return id[4] == 2;	/* EI_CLASS: ELFCLASS64 */
}

/* The "Seccomp:" mode of @pid's main thread (0: none), or -errno. */
static int seccomp_mode(pid_t pid)
{
	char path[64], line[256];
	int mode = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Seccomp: %d", &mode) == 1)
			break;
	fclose(f);
	return mode == -ENOENT ? 0 : mode;	/* no field: no seccomp in the kernel */
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/*
 * Wait for @pid's next ptrace stop, until @deadline (now_ms(); -1: none).
 * Return: 0 with *@st, or -1 with errno (ESRCH: it exited, ETIMEDOUT).
 */
static int wait_stop(pid_t pid, int *st, long deadline)
{
	const struct timespec tick = { .tv_nsec = 2 * 1000 * 1000 };
	pid_t r;

	for (;;) {
		r = waitpid(pid, st, __WALL | (deadline < 0 ? 0 : WNOHANG));
		if (r == pid) {
			if (WIFSTOPPED(*st))
				return 0;
			errno = ESRCH;	/* it exited */
			return -1;
		}
		if (r < 0 && errno != EINTR)
			return -1;
		if (deadline >= 0 && now_ms() >= deadline) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (deadline >= 0)
			nanosleep(&tick, NULL);
	}
}

/* The signal of a signal-delivery-stop, else 0 (event or syscall stops). */
static int stop_signal(int st)
{
	int sig = WSTOPSIG(st);

	return (st >> 16) || sig == SYSCALL_STOP ? 0 : sig;
}

struct injector {
	pid_t pid;
	uint64_t sc;				/* the syscall instruction */
	struct user_regs_struct saved;		/* the tracee's own registers */
};

/*
 * Stop the tracee where its registers may change (a PTRACE_INTERRUPT or
 * group-stop), delivering every signal met on the way, and save its
 * registers. Its registers must be its own. On a timeout the tracee was not
 * changed (the caller's exit detaches it).
 */
static int inj_stop(struct injector *in)
{
	long deadline = now_ms() + INJECT_STOP_TIMEOUT_MS;
	int st, sig;

	if (ptrace(PTRACE_INTERRUPT, in->pid, 0, 0))
		return -errno;
	for (;;) {
		if (wait_stop(in->pid, &st, deadline))
			return -errno;
		if ((st >> 16) == PTRACE_EVENT_STOP)
			break;
		/* a signal-delivery-stop: the signal goes through */
		sig = stop_signal(st);
		if (ptrace(PTRACE_CONT, in->pid, 0, sig))
			return -errno;
	}
	if (ptrace(PTRACE_GETREGS, in->pid, 0, &in->saved))
		return -errno;
	return 0;
}

/* Put the tracee's own registers back, resume it with @sig, stop it again. */
static int inj_deliver(struct injector *in, int sig)
{
	if (ptrace(PTRACE_SETREGS, in->pid, 0, &in->saved) ||
	    ptrace(PTRACE_CONT, in->pid, 0, sig))
		return -errno;
	return inj_stop(in);
}

/* Is @rax a syscall interrupted by a signal, to be made again? */
static bool restart_code(uint64_t rax)
{
	long r = (long)rax;

	return r <= -512 && r >= -516;	/* -ERESTARTSYS .. -ERESTART_RESTARTBLOCK */
}

/*
 * Make one syscall in the tracee, stopped with its own registers in
 * in->saved: *@result gets its return. The tracee is left stopped with its
 * own registers in place (perhaps new ones, after a signal's delivery).
 */
static int inj_call(struct injector *in, long nr, uint64_t a0, uint64_t a1, uint64_t a2,
		    long *result)
{
	struct user_regs_struct regs, got;
	bool entered;
	int st, sig, ret;

	for (;;) {
		regs = in->saved;
		regs.rip = in->sc;
		regs.rax = nr;
		regs.orig_rax = -1;	/* no restart of the tracee's own syscall now */
		regs.rdi = a0;
		regs.rsi = a1;
		regs.rdx = a2;
		entered = false;
		if (ptrace(PTRACE_SETREGS, in->pid, 0, &regs) ||
		    ptrace(PTRACE_SYSCALL, in->pid, 0, 0))
			return -errno;
		for (;;) {
			/* no time limit: it must stop again to get its registers back */
			if (wait_stop(in->pid, &st, -1) ||
			    ptrace(PTRACE_GETREGS, in->pid, 0, &got))
				return -errno;
			if (WSTOPSIG(st) == SYSCALL_STOP && !(st >> 16)) {
				if (!entered) {
					entered = true;
					if (ptrace(PTRACE_SYSCALL, in->pid, 0, 0))
						return -errno;
					continue;
				}
				/* syscall exit: nothing was dequeued meanwhile */
				if (restart_code(got.rax))
					break;	/* a signal interrupted it: deliver, retry */
				*result = (long)got.rax;
				if (ptrace(PTRACE_SETREGS, in->pid, 0, &in->saved))
					return -errno;
				return 0;
			}
			sig = stop_signal(st);
			if (entered || got.rip != in->sc)
				return -EPROTO;	/* cannot happen */
			if (sig) {
				/* before the call: deliver it on its own registers */
				ret = inj_deliver(in, sig);
				if (ret)
					return ret;
				break;
			}
			/* an event stop (interrupt, group-stop) before the call */
			if (ptrace(PTRACE_SYSCALL, in->pid, 0, 0))
				return -errno;
		}
		if (entered) {
			/* interrupted: its own registers back, the signal delivered */
			if (ptrace(PTRACE_SETREGS, in->pid, 0, &in->saved) ||
			    ptrace(PTRACE_CONT, in->pid, 0, 0))
				return -errno;
			ret = inj_stop(in);
			if (ret)
				return ret;
		}
	}
}

/* In the tracer child: 0 or -errno (with a message). */
static int inject_child(pid_t pid, uint64_t sc, const uint64_t *starts, const uint64_t *lens,
			int n, int advice, long *results)
{
	struct injector in = { .pid = pid, .sc = sc };
	long opts = PTRACE_O_TRACESYSGOOD;
	int i, ret, mode;

	mode = seccomp_mode(pid);
	if (mode < 0) {
		p_errno(-mode, "pid %d", pid);
		return mode;
	}
	if (mode)
		opts |= PTRACE_O_SUSPEND_SECCOMP;
	if (ptrace(PTRACE_SEIZE, pid, 0, opts)) {
		ret = -errno;
		if (mode && ret == -EPERM)
			p_err("pid %d runs under seccomp (mode %d): its filters could kill it for the injected madvise, and suspending them needs CAP_SYS_ADMIN and a tracer not under seccomp itself: not touched",
			      pid, mode);
		else
			p_errno(-ret, "ptrace(SEIZE, %d)", pid);
		return ret;
	}
	ret = inj_stop(&in);
	if (ret == -ETIMEDOUT) {
		p_err("pid %d: did not stop within %d ms (uninterruptible sleep?): not touched",
		      pid, INJECT_STOP_TIMEOUT_MS);
		return ret;
	}
	if (ret) {
		p_errno(-ret, "pid %d: stopping it", pid);
		return ret;
	}
	if (in.saved.cs != X86_64_USER_CS) {
		p_err("pid %d: runs 32-bit code (cs 0x%llx): not touched", pid,
		      (unsigned long long)in.saved.cs);
		ptrace(PTRACE_DETACH, pid, 0, 0);
		return -ENOEXEC;
	}
	for (i = 0; i < n; i++) {
		ret = inj_call(&in, SYS_madvise, starts[i], lens[i], advice, &results[i]);
		if (ret)	/* its own registers back, if it can still take them */
			ptrace(PTRACE_SETREGS, pid, 0, &in.saved);
		if (ret == -ETIMEDOUT) {
			p_err("pid %d: did not stop again within %d ms after a signal: left after %d of %d calls",
			      pid, INJECT_STOP_TIMEOUT_MS, i, n);
			return ret;
		}
		if (ret) {
			p_errno(-ret, "pid %d: injecting madvise", pid);
			return ret;
		}
	}
	ptrace(PTRACE_DETACH, pid, 0, 0);
	return 0;
}

/**
 * inject_madvise() - madvise() ranges inside another process
 * @pid: the process (its main thread runs the calls); 64-bit only
 * @starts: range starts
 * @lens: range lengths
 * @n: ranges
 * @advice: MADV_*
 * @results: out: each call's return (0 or -errno)
 *
 * Return: 0 when every call was made (see @results), else -errno (and a
 * message); the process is left as it was either way, its signals
 * delivered, its seccomp filters in force again.
 */
int inject_madvise(pid_t pid, const uint64_t *starts, const uint64_t *lens, int n,
		   int advice, long *results)
{
	uint64_t sc;
	int p[2], st, ret, elf;
	ssize_t len = (ssize_t)(n * sizeof(*results)), got = 0, r;
	pid_t child;

	elf = is_elf64(pid);
	if (elf < 0) {
		p_errno(-elf, "pid %d: reading its executable", pid);
		return elf;
	}
	if (!elf) {
		p_err("pid %d: not a 64-bit ELF process: not touched", pid);
		return -ENOEXEC;
	}
	sc = find_syscall_insn(pid);
	if (!sc) {
		p_err("pid %d: no syscall instruction found in its vDSO", pid);
		return -ENOENT;
	}
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	fflush(NULL);
	child = fork();
	if (child < 0) {
		ret = -errno;
		close(p[0]);
		close(p[1]);
		p_errno(-ret, "fork");
		return ret;
	}
	if (!child) {
		/* the tracer: its exit detaches the tracee, whatever happens */
		close(p[0]);
		ret = inject_child(pid, sc, starts, lens, n, advice, results);
		if (!ret && write(p[1], results, len) != len)
			ret = -EIO;
		_exit(ret ? (-ret & 0xff) : 0);
	}
	close(p[1]);
	while (got < len) {
		r = read(p[0], (char *)results + got, len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += r;
	}
	close(p[0]);
	while (waitpid(child, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(st))
		return p_err("injector for pid %d died", pid), -EIO;
	if (WEXITSTATUS(st))
		return -WEXITSTATUS(st);
	return got == len ? 0 : -EIO;
}

#else

int inject_madvise(pid_t pid, const uint64_t *starts, const uint64_t *lens, int n,
		   int advice, long *results)
{
	p_err("share apply: only on x86-64");
	return -ENOSYS;
}

#endif
