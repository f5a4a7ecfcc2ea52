// SPDX-License-Identifier: GPL-2.0
/*
 * hvmemctl sched: the memory scheduler daemon (hvmemd).
 *
 *   hvmemctl [-j] sched status [-s SOCKET] [-j]
 *
 * Asks a running hvmemd over its status socket (SOCKET, else $HVMEMD_SOCKET,
 * else /run/hvmemd.sock) and prints its answer: per VM the target, the
 * balloon's actual size, the active estimate, shares, rho (shares per MiB
 * with idle tax), the curve's knee and the last decision with its reason.
 * The protocol: one request line, "status" or "status json"; the daemon
 * answers and closes the connection.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "hvmemctl.h"

#define HVMEMD_SOCK_DEFAULT	"/run/hvmemd.sock"

static int do_status(int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	const char *path = getenv("HVMEMD_SOCKET");
	char buf[4096];
	ssize_t n;
	int i, fd;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json"))
			json_output = true;
		else if ((!strcmp(argv[i], "-s") || !strcmp(argv[i], "--socket")) && i + 1 < argc)
			path = argv[++i];
		else
			return p_err("usage: hvmemctl sched status [-s SOCKET] [-j]");
	}
	if (!path || !*path)
		path = HVMEMD_SOCK_DEFAULT;
	if (strlen(path) >= sizeof(a.sun_path))
		return p_err("%s: socket path too long", path);
	memcpy(a.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return p_errno(errno, "socket");
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		int err = errno;

		close(fd);
		if (err == ENOENT || err == ECONNREFUSED)
			return p_err("%s: %s (is hvmemd running?)", path, strerror(err));
		return p_errno(err, "%s", path);
	}
	if (send(fd, json_output ? "status json\n" : "status\n",
		 json_output ? 12 : 7, MSG_NOSIGNAL) < 0) {
		int err = errno;

		close(fd);
		return p_errno(err, "%s", path);
	}
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			break;
	if (n < 0) {
		int err = errno;

		close(fd);
		return p_errno(err, "%s", path);
	}
	close(fd);
	return fflush(stdout) ? 1 : 0;
}

static const struct hvmemctl_cmd sched_cmds[] = {
	{ "status", do_status, "[-s SOCKET] [-j]" },
	{ NULL },
};

const struct hvmemctl_object hvmemctl_sched_object = {
	"sched", sched_cmds, "the memory scheduler daemon hvmemd: targets and decisions",
};
