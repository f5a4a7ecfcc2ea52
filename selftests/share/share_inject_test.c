// SPDX-License-Identifier: GPL-2.0
/*
 * `hvmemctl share apply` runs madvise() inside the VM process with ptrace
 * (tools/hvmemctl/inject.c, linked in here). The process must not notice:
 * signals sent to it during the injection reach its handler, a SIGSTOP
 * meanwhile leaves it stopped, a thread that does not stop (D state) is left
 * alone after a timeout, a 32-bit process is refused, and a process under a
 * seccomp filter that kills on madvise survives (filters suspended) or is
 * refused untouched when the filters cannot be suspended.
 */
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
/* the CLI's injector (inject_madvise) and proc_stat_field(), linked in */
#include "../../tools/hvmemctl/hvmemctl.h"

/* hvmemctl's -j switch, read by the error helpers the injector links with */
bool json_output;

/* shared between the test, its target and its injector */
struct shared {
	volatile long sigs;		/* SIGUSR1s the target's handler saw */
	volatile long bad_pid;		/* ... with a wrong si_pid */
	volatile pid_t sender;
	volatile pid_t vfork_child;
	volatile long after_vfork;
	volatile long ready;
	volatile long stop;		/* the injector starts no further session */
};

static struct shared *sh;
static unsigned char *page;	/* one private page, same address in the target */

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	if (si->si_pid != sh->sender)
		sh->bad_pid++;
	sh->sigs++;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* The state letter of /proc/PID/stat, or 0. */
static char proc_state(pid_t pid)
{
	char state[2];

	return proc_stat_field(pid, 3, state, sizeof(state)) ? 0 : state[0];
}

/* The exec of share_target32 went through: the process took its name. */
static bool runs_target32(pid_t pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = 0;
	fclose(f);
	return !strcmp(comm, "share_target32\n");
}

enum target_kind { T_PAUSE, T_VFORK, T_SECCOMP };

/* A target: a SIGUSR1 counter; blocked in pause() (like a VMM in ppoll). */
static pid_t spawn_target(enum target_kind kind)
{
	struct sigaction sa = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO | SA_RESTART };
	pid_t pid;

	memset(page, 0x5a, 4096);
	pid = fork();
	if (pid)
		return pid;
	sigaction(SIGUSR1, &sa, NULL);
	if (kind == T_SECCOMP) {
		struct sock_filter f[] = {
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_madvise, 0, 1),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		};
		struct sock_fprog prog = { .len = 4, .filter = f };

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
			_exit(2);
	}
	if (kind == T_VFORK) {
		sh->ready = 1;
		/* the parent waits in D state (killable) until the child exits */
		if (!vfork()) {
			sh->vfork_child = syscall(__NR_getpid);
			for (;;)
				syscall(__NR_pause);
		}
		sh->after_vfork = 1;
	}
	sh->ready = 1;
	for (;;)
		pause();
}

static void reap(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

static bool wait_ready(void)
{
	long t0 = now_ms();

	while (!sh->ready && now_ms() - t0 < 5000)
		usleep(1000);
	return sh->ready;
}

/*
 * Injector process: @sessions injections of @n madvise(@advice) on the page
 * each (a signal's handler runs when a session ends), fewer if the test sets
 * sh->stop; exits 0 on success, else errno.
 */
static pid_t spawn_injector_sessions(pid_t target, int n, int advice, int sessions)
{
	uint64_t *starts, *lens;
	long *res;
	pid_t pid;
	int i, ret;

	pid = fork();
	if (pid)
		return pid;
	starts = calloc(n, sizeof(*starts));
	lens = calloc(n, sizeof(*lens));
	res = calloc(n, sizeof(*res));
	if (!starts || !lens || !res)
		_exit(ENOMEM);
	for (i = 0; i < n; i++) {
		starts[i] = (uintptr_t)page;
		lens[i] = 4096;
		res[i] = 1;
	}
	while (sessions-- && !sh->stop) {
		ret = inject_madvise(target, starts, lens, n, advice, res);
		if (ret)
			_exit(-ret);
		for (i = 0; i < n; i++)
			if (res[i])
				_exit(200);
	}
	_exit(0);
}

static pid_t spawn_injector(pid_t target, int n, int advice)
{
	return spawn_injector_sessions(target, n, advice, 1);
}

/* The injector's exit status (errno or 0), -1 if it did not exit by itself */
static int injector_status(pid_t pid, int timeout_ms)
{
	long t0 = now_ms();
	int st;

	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (now_ms() - t0 > timeout_ms) {
			reap(pid);
			return -1;
		}
		usleep(2000);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

FIXTURE(inject) {
	pid_t target, injector;
};

FIXTURE_SETUP(inject)
{
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	sh->sender = getpid();
	self->target = -1;
	self->injector = -1;
}

FIXTURE_TEARDOWN(inject)
{
	reap(self->injector);
	if (sh->vfork_child > 0)
		kill(sh->vfork_child, SIGKILL);
	reap(self->target);
	munmap(sh, sizeof(*sh));
	munmap(page, 4096);
}

/*
 * Signals sent while calls are being injected all reach the handler, with
 * their sender's pid. The target runs its own code only between injections
 * (a signal met during one is delivered, its handler frame set up, and the
 * handler runs once the injection ends), so each signal is waited for up to
 * a session's length before the next (a swallowed one never arrives).
 */
TEST_F_TIMEOUT(inject, signals_reach_the_target, 600)
{
	long sent = 0, t;
	int st;

	self->target = spawn_target(T_PAUSE);
	ASSERT_GT(self->target, 0);
	ASSERT_TRUE(wait_ready());
	self->injector = spawn_injector_sessions(self->target, 300, MADV_NORMAL, 100);
	ASSERT_GT(self->injector, 0);
	usleep(20 * 1000);
	while (waitpid(self->injector, &st, WNOHANG) == 0 && sent < 200) {
		ASSERT_EQ(0, kill(self->target, SIGUSR1));
		sent++;
		for (t = now_ms(); sh->sigs < sent && now_ms() - t < 30000;)
			usleep(200);
		ASSERT_EQ(sent, sh->sigs) TH_LOG("signal %ld swallowed", sent);
		usleep(sent % 4 * 1000);
	}
	TH_LOG("%ld signals sent during the injections", sent);
	EXPECT_GE(sent, 5);
	if (sent < 200) {
		self->injector = -1;
		ASSERT_TRUE(WIFEXITED(st));
		EXPECT_EQ(0, WEXITSTATUS(st));
	} else {
		/* enough: the injector ends its session (slow under KASAN) */
		sh->stop = 1;
		EXPECT_EQ(0, injector_status(self->injector, 200000));
		self->injector = -1;
	}
	EXPECT_EQ(0, sh->bad_pid);
	/*
	 * Left running, and still handling signals: back in pause() ('S')
	 * within moments of the detach, never stopped or traced ('T', 't').
	 */
	for (t = now_ms(); proc_state(self->target) != 'S' && now_ms() - t < 5000;)
		usleep(1000);
	EXPECT_EQ('S', proc_state(self->target));
	ASSERT_EQ(0, kill(self->target, SIGUSR1));
	for (t = now_ms(); sh->sigs <= sent && now_ms() - t < 5000;)
		usleep(1000);
	EXPECT_EQ(sent + 1, sh->sigs);
}

/* A SIGSTOP during the injection: the calls complete, the target stays stopped. */
TEST_F_TIMEOUT(inject, group_stop_is_kept, 120)
{
	long t;

	self->target = spawn_target(T_PAUSE);
	ASSERT_GT(self->target, 0);
	ASSERT_TRUE(wait_ready());
	self->injector = spawn_injector(self->target, 3000, MADV_NORMAL);
	ASSERT_GT(self->injector, 0);
	usleep(50 * 1000);
	ASSERT_EQ(0, kill(self->target, SIGSTOP));
	EXPECT_EQ(0, injector_status(self->injector, 60000));
	self->injector = -1;
	for (t = now_ms(); proc_state(self->target) != 'T' && now_ms() - t < 3000;)
		usleep(1000);
	EXPECT_EQ('T', proc_state(self->target));
	ASSERT_EQ(0, kill(self->target, SIGCONT));
	for (t = now_ms(); proc_state(self->target) != 'S' && now_ms() - t < 3000;)
		usleep(1000);
	EXPECT_EQ('S', proc_state(self->target));
	ASSERT_EQ(0, kill(self->target, SIGUSR1));
	for (t = now_ms(); !sh->sigs && now_ms() - t < 3000;)
		usleep(1000);
	EXPECT_EQ(1, sh->sigs);
}

/* A main thread in D state: the injection gives up, the target is not left stopped. */
TEST_F_TIMEOUT(inject, d_state_times_out, 60)
{
	long t0, t;

	self->target = spawn_target(T_VFORK);
	ASSERT_GT(self->target, 0);
	ASSERT_TRUE(wait_ready());
	for (t = now_ms(); (!sh->vfork_child || proc_state(self->target) != 'D') &&
	     now_ms() - t < 3000;)
		usleep(1000);
	ASSERT_EQ('D', proc_state(self->target));
	t0 = now_ms();
	self->injector = spawn_injector(self->target, 1, MADV_NORMAL);
	ASSERT_GT(self->injector, 0);
	EXPECT_EQ(ETIMEDOUT, injector_status(self->injector, 30000));
	self->injector = -1;
	TH_LOG("gave up after %ld ms", now_ms() - t0);
	EXPECT_LT(now_ms() - t0, 15000);
	/* the vfork child goes: the target runs on, not stopped by a stale trap */
	kill(sh->vfork_child, SIGKILL);
	for (t = now_ms(); !sh->after_vfork && now_ms() - t < 3000;)
		usleep(1000);
	EXPECT_EQ(1, sh->after_vfork);
	usleep(100 * 1000);
	EXPECT_EQ('S', proc_state(self->target));
}

/* A 32-bit process (selftests/share/share_target32) is refused, untouched. */
TEST_F(inject, refuses_32bit)
{
	char path[4096], *slash;
	ssize_t n;
	long t;
	int st;

	n = readlink("/proc/self/exe", path, sizeof(path) - 32);
	ASSERT_GT(n, 0);
	path[n] = 0;
	slash = strrchr(path, '/');
	strcpy(slash + 1, "share_target32");
	if (access(path, X_OK))
		SKIP(return, "no 32-bit target (gcc -m32 -nostdlib could not build it)");
	self->target = fork();
	if (!self->target) {
		execl(path, path, NULL);
		_exit(errno == ENOEXEC ? 127 : 126);
	}
	/*
	 * Until it sleeps in the 32-bit program or has exited (exec refused):
	 * a fork and exec under KASAN and TCG on a loaded host can take
	 * seconds, so no short fixed wait decides which.
	 */
	for (t = now_ms(); now_ms() - t < 30000; usleep(1000)) {
		if (waitpid(self->target, &st, WNOHANG) == self->target) {
			self->target = -1;
			if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
				SKIP(return,
				     "this kernel cannot run 32-bit programs (no IA32_EMULATION)");
			ASSERT_TRUE(0) TH_LOG("the 32-bit target died: status %#x", st);
		}
		if (proc_state(self->target) == 'S' && runs_target32(self->target))
			break;
	}
	ASSERT_TRUE(proc_state(self->target) == 'S' && runs_target32(self->target))
		TH_LOG("share_target32 not asleep after 30 s: state %c", proc_state(self->target));
	self->injector = spawn_injector(self->target, 1, MADV_NORMAL);
	EXPECT_EQ(ENOEXEC, injector_status(self->injector, 30000));
	self->injector = -1;
	EXPECT_EQ('S', proc_state(self->target));
}

/* The kernel has seccomp filters that can kill the process (SECCOMP_FILTER). */
static bool have_seccomp_filter(void)
{
	/* a NULL program: EFAULT with filters, EINVAL (or ENOSYS) without */
	return syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, NULL) && errno == EFAULT;
}

/* A seccomp filter that kills on madvise: suspended for the injection. */
TEST_F(inject, seccomp_filter_suspended)
{
	unsigned char back[16];
	char path[64];
	int fd;

	if (!have_seccomp_filter())
		SKIP(return, "this kernel has no seccomp filters (CONFIG_SECCOMP_FILTER)");
	self->target = spawn_target(T_SECCOMP);
	ASSERT_GT(self->target, 0);
	ASSERT_TRUE(wait_ready());
	self->injector = spawn_injector(self->target, 1, MADV_DONTNEED);
	EXPECT_EQ(0, injector_status(self->injector, 30000));
	self->injector = -1;
	usleep(50 * 1000);
	EXPECT_EQ('S', proc_state(self->target));
	/* the call was made: the target's page was dropped, reads zeros */
	snprintf(path, sizeof(path), "/proc/%d/mem", self->target);
	fd = open(path, O_RDONLY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(sizeof(back), pread(fd, back, sizeof(back), (uintptr_t)page));
	close(fd);
	EXPECT_EQ(0, back[0]);
	EXPECT_EQ(0, back[15]);
}

/* Without CAP_SYS_ADMIN the filters cannot be suspended: refused, untouched. */
TEST_F(inject, seccomp_refused_without_cap_sys_admin)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {};
	int st;

	if (!have_seccomp_filter())
		SKIP(return, "this kernel has no seccomp filters (CONFIG_SECCOMP_FILTER)");
	self->target = spawn_target(T_SECCOMP);
	ASSERT_GT(self->target, 0);
	ASSERT_TRUE(wait_ready());
	self->injector = fork();
	if (!self->injector) {
		uint64_t start = (uintptr_t)page, len = 4096;
		long res = 1;

		/* keep CAP_SYS_PTRACE only */
		d[0].effective = d[0].permitted = 1u << CAP_SYS_PTRACE;
		if (syscall(__NR_capset, &h, d))
			_exit(100);
		_exit(-inject_madvise(self->target, &start, &len, 1, MADV_DONTNEED, &res));
	}
	ASSERT_EQ(self->injector, waitpid(self->injector, &st, 0));
	self->injector = -1;
	ASSERT_TRUE(WIFEXITED(st));
	if (WEXITSTATUS(st) == 100)
		SKIP(return, "cannot drop capabilities");
	EXPECT_EQ(EPERM, WEXITSTATUS(st));
	usleep(50 * 1000);
	EXPECT_EQ('S', proc_state(self->target));
}

TEST_HARNESS_MAIN
