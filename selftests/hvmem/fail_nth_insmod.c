// SPDX-License-Identifier: GPL-2.0
/*
 * fail_nth_insmod N MODULE.ko: load MODULE.ko with the Nth fault-injection
 * point of this thread's finit_module() call failing (/proc/thread-self/
 * fail-nth, CONFIG_FAULT_INJECTION with failslab/fail_page_alloc armed).
 * Only the load itself counts: the file is opened first.
 *
 * Prints "loaded USED" when the module loaded with no fault injected (N
 * beyond the load's USED fault points), "loaded-despite-fault" when a fault was
 * injected and the load still succeeded (a fallback path), or "failed
 * ERRNO" (the name) when the load failed. Exit 0, or 2 on a usage or
 * setup error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char buf[32] = "";
	int fd, nth, ret, err;
	ssize_t n;

	if (argc != 3 || atoi(argv[1]) <= 0) {
		fprintf(stderr, "usage: %s N MODULE.ko\n", argv[0]);
		return 2;
	}
	fd = open(argv[2], O_RDONLY | O_CLOEXEC);
	nth = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (fd < 0 || nth < 0) {
		perror("open");
		return 2;
	}
	if (write(nth, argv[1], strlen(argv[1])) < 0) {
		perror("fail-nth");
		return 2;
	}
	ret = syscall(SYS_finit_module, fd, "", 0);
	err = errno;
	/* what is left of the count: 0 once the fault was injected */
	n = pread(nth, buf, sizeof(buf) - 1, 0);
	if (write(nth, "0", 1) < 0 || n <= 0) {
		perror("fail-nth");
		return 2;
	}
	if (ret)
		printf("failed %s\n", strerrorname_np(err) ?: "?");
	else if (atoi(buf))
		printf("loaded %d\n", atoi(argv[1]) - atoi(buf));
	else
		printf("loaded-despite-fault\n");
	return 0;
}
