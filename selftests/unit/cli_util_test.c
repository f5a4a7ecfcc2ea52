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

/*
 * A child named @name (prctl), asleep in read() until *@wfd is closed;
 * true once /proc/PID/comm shows the name and the child sleeps (state S
 * and our pid as its parent, by proc_stat_field()).
 */
static bool named_child(const char *name, pid_t *child, int *wfd)
{
	char want[32], comm[32], path[64], buf[32];
	int p[2];
	char c;

	if (pipe(p))
		return false;
	*child = fork();
	if (*child < 0)
		return false;
	if (!*child) {
		close(p[1]);
		if (prctl(PR_SET_NAME, name))
			_exit(2);
		_exit(read(p[0], &c, 1) == 0 ? 0 : 1);	/* until the parent closes */
	}
	close(p[0]);
	*wfd = p[1];
	snprintf(want, sizeof(want), "%s\n", name);
	snprintf(path, sizeof(path), "/proc/%d/comm", *child);
	for (int i = 0; i < 500; i++, usleep(10000)) {
		FILE *f = fopen(path, "r");
		size_t n = f ? fread(comm, 1, sizeof(comm) - 1, f) : 0;

		if (f)
			fclose(f);
		comm[n] = '\0';
		if (strcmp(comm, want) || proc_stat_field(*child, 3, buf, sizeof(buf)) ||
		    strcmp(buf, "S") || proc_stat_field(*child, 4, buf, sizeof(buf)) ||
		    atoi(buf) != getpid())
			continue;
		return true;
	}
	return false;
}

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
	int wfd = -1, status;
	pid_t child = -1;
	bool named = named_child("x) 1 2 (y) z", &child, &wfd);

	ASSERT_LT(0, child);
	EXPECT_TRUE(named);	/* state S and our pid, read past the comm */
	/* start times: the child's is not before ours */
	ASSERT_EQ(0, proc_stat_field(getpid(), 22, before, sizeof(before)));
	ASSERT_EQ(0, proc_stat_field(child, 22, buf, sizeof(buf)));
	EXPECT_LE(strtoull(before, NULL, 10), strtoull(buf, NULL, 10));
	close(wfd);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_EQ(0, status);
	/* reaped: no such process */
	EXPECT_EQ(-ENOENT, proc_stat_field(child, 3, buf, sizeof(buf)));
}

/* A newline in comm (printed unescaped) must not end the line early. */
TEST(comm_with_newline)
{
	char buf[32];
	int wfd = -1, status;
	pid_t child = -1;
	bool named = named_child("a) Z 7\n", &child, &wfd);

	ASSERT_LT(0, child);
	EXPECT_TRUE(named);	/* state S and our pid, not "Z" and "7" */
	EXPECT_EQ(0, proc_stat_field(child, 22, buf, sizeof(buf)));
	close(wfd);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_EQ(0, status);
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
