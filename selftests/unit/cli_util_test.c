// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of hvmemctl's /proc/PID/stat reader, proc_stat_field()
 * (tools/hvmemctl/util.c), which the CLI and the share selftests use.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "../../tools/hvmemctl/hvmemctl.h"
#include "kselftest_harness.h"

bool json_output;	/* the CLI's -j switch, read by util.c's error helpers */

TEST(own_fields)
{
	char buf[32];

	ASSERT_EQ(0, proc_stat_field(getpid(), 3, buf, sizeof(buf)));
	EXPECT_STREQ("R", buf);				/* reading its own stat */
	ASSERT_EQ(0, proc_stat_field(getpid(), 4, buf, sizeof(buf)));
	EXPECT_EQ(getppid(), atoi(buf));
	ASSERT_EQ(0, proc_stat_field(getpid(), 5, buf, sizeof(buf)));
	EXPECT_EQ(getpgrp(), atoi(buf));
}

/* A comm holding ") " must not shift the fields after it. */
TEST(comm_with_parens_and_blanks)
{
	char buf[32], before[32];
	int p[2], status;
	pid_t child;
	char c;

	ASSERT_EQ(0, pipe(p));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		close(p[1]);
		prctl(PR_SET_NAME, "x) 1 2 (y) z");
		/* blocks until the parent closes its end */
		_exit(read(p[0], &c, 1) == 0 ? 0 : 1);
	}
	close(p[0]);
	ASSERT_EQ(0, proc_stat_field(child, 22, before, sizeof(before)));
	/* wait until the child took its name and sleeps in read() */
	for (int i = 0; i < 500; i++) {
		char comm[32] = "";
		char path[64];
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/comm", child);
		f = fopen(path, "r");
		if (f) {
			if (!fgets(comm, sizeof(comm), f))
				comm[0] = '\0';
			fclose(f);
		}
		if (!strcmp(comm, "x) 1 2 (y) z\n") &&
		    !proc_stat_field(child, 3, buf, sizeof(buf)) && !strcmp(buf, "S"))
			break;
		usleep(10000);
	}
	ASSERT_EQ(0, proc_stat_field(child, 3, buf, sizeof(buf)));
	EXPECT_STREQ("S", buf);
	ASSERT_EQ(0, proc_stat_field(child, 4, buf, sizeof(buf)));
	EXPECT_EQ(getpid(), atoi(buf));
	/* the start time does not change with the name */
	ASSERT_EQ(0, proc_stat_field(child, 22, buf, sizeof(buf)));
	EXPECT_STREQ(before, buf);
	close(p[1]);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_EQ(0, status);
	/* reaped: no such process */
	EXPECT_EQ(-ENOENT, proc_stat_field(child, 3, buf, sizeof(buf)));
}

TEST(bad_requests)
{
	char buf[32];

	EXPECT_EQ(-EINVAL, proc_stat_field(getpid(), 2, buf, sizeof(buf)));	/* comm */
	EXPECT_EQ(-EINVAL, proc_stat_field(getpid(), 3, buf, 0));
	EXPECT_EQ(-EIO, proc_stat_field(getpid(), 500, buf, sizeof(buf)));	/* no such field */
	EXPECT_EQ(-EIO, proc_stat_field(getpid(), 4, buf, 1));			/* does not fit */
	EXPECT_EQ(-ENOENT, proc_stat_field(-1, 3, buf, sizeof(buf)));
}

TEST_HARNESS_MAIN
