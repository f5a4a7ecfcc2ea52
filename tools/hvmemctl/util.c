// SPDX-License-Identifier: GPL-2.0
/* hvmemctl: error printing, device access, sysfs and number parsing. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hvmemctl.h"

/*
 * One error message: "hvmemctl: <what>[: strerror]" on stderr or, with -j,
 * {"error": "<what>[: strerror]", "errno": N} on stdout. Only the first error
 * of a run becomes the JSON document; later ones go to stderr.
 */
static void vp_err(int err, const char *fmt, va_list ap)
{
	static bool json_done;
	char msg[1024];
	int n;

	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (err && n >= 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(err));
	if (json_output && !json_done) {
		json_done = true;
		jw_error(msg, err);
		return;
	}
	fprintf(stderr, "hvmemctl: %s\n", msg);
}

int p_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vp_err(0, fmt, ap);
	va_end(ap);
	return 1;
}

int p_errno(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vp_err(err, fmt, ap);
	va_end(ap);
	return 1;
}

/*
 * A warning: "hvmemctl: warning: <what>: strerror" on stderr, also with -j
 * (the JSON document on stdout stays the command's result).
 */
void p_warn_errno(int err, const char *fmt, ...)
{
	va_list ap;

	fputs("hvmemctl: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
}

int hvmem_open(void)
{
	int fd = open("/dev/" HVMEM_DEVICE_NAME, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		int err = errno;

		if (err == ENOENT)
			p_errno(err, "/dev/hvmem: hvmem.ko is not loaded (try: modprobe hvmem)");
		else
			p_errno(err, "/dev/hvmem");
		errno = err;
	}
	return fd;
}

/* The module serving command @req of /dev/hvmem. */
static const char *cmd_module(unsigned long req)
{
	unsigned int nr = _IOC_NR(req);

	if (nr >= 0x30 && nr <= 0x3f)
		return "hvmem_mrc";
	if (nr >= 0x40 && nr <= 0x4f)
		return "hvmem_share";
	if (nr >= 0x50 && nr <= 0x5f)
		return "hvmem_vswap";
	return "hvmem";
}

bool module_loaded(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return access(path, F_OK) == 0;
}

/* Print why an ioctl failed, with a hint where one helps; returns 1. */
static int ioctl_err(int err, unsigned long req, const char *what)
{
	const char *mod = cmd_module(req);
	char enabled[8] = "";

	switch (err) {
	case EPERM:
		if (geteuid() != 0)
			return p_errno(err, "%s: needs CAP_SYS_ADMIN (try: run as root)", what);
		if (!sysfs_read(HVMEM_SYSFS "/enabled", enabled, sizeof(enabled)) &&
		    !strcmp(enabled, "0"))
			return p_errno(err, "%s: hvmem is disabled (try: echo 1 > %s/enabled)",
				       what, HVMEM_SYSFS);
		return p_errno(err, "%s: needs CAP_SYS_ADMIN", what);
	case ENOTTY:
		if (!module_loaded(mod))
			return p_errno(err, "%s: %s.ko is not loaded (try: modprobe %s)", what,
				       mod, mod);
		break;
	}
	return p_errno(err, "%s", what);
}

int hvmem_ioctl(int fd, unsigned long req, void *arg, const char *what)
{
	int err;

	if (ioctl(fd, req, arg) == 0)
		return 0;
	err = errno;
	ioctl_err(err, req, what);
	errno = err;
	return -1;
}

int hvmem_vm_err(int err, unsigned long req, const char *what, uint32_t vm_id)
{
	if (err == ENOENT)
		p_errno(err, "no VM %u is bound (see: hvmemctl vm list)", vm_id);
	else
		ioctl_err(err, req, what);
	errno = err;
	return -1;
}

int hvmem_vm_ioctl(int fd, unsigned long req, void *arg, const char *what, uint32_t vm_id)
{
	if (ioctl(fd, req, arg) == 0)
		return 0;
	return hvmem_vm_err(errno, req, what, vm_id);
}

int sysfs_read(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f)) {
		int err = ferror(f) ? -EIO : -ENODATA;

		fclose(f);
		return err;
	}
	fclose(f);
	n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

int sysfs_read_u64(const char *path, uint64_t *val)
{
	char buf[64], *end;
	int ret = sysfs_read(path, buf, sizeof(buf));

	if (ret)
		return ret;
	errno = 0;
	*val = strtoull(buf, &end, 0);
	return (errno || end == buf) ? -EINVAL : 0;
}

/*
 * Field @field of /proc/@pid/stat (numbered as in proc(5); 3, the state,
 * or later) into @buf, NUL-terminated. Field 2, comm, may hold blanks, ')'
 * and newlines, unescaped: the whole file is read and the fields after
 * comm are counted from its last ')'. Prints nothing.
 * Return: 0; -ENOENT if there is no such process; -EIO if the line has no
 * such field or it does not fit @len; another -errno if unreadable.
 */
int proc_stat_field(pid_t pid, unsigned int field, char *buf, size_t len)
{
	char path[64], line[4096], *p;
	unsigned int i;
	ssize_t got;
	size_t n;
	int fd;

	if (field < 3 || !len)
		return -EINVAL;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* one read: the kernel makes the whole line at once (well under 4 KiB) */
	got = read(fd, line, sizeof(line) - 1);
	if (got < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	close(fd);
	line[got] = '\0';
	p = strrchr(line, ')');
	/* p is at the end of field 2; each step goes to the blank before field i + 1 */
	for (i = 2; p && i < field; i++)
		p = strchr(p + 1, ' ');
	if (!p)
		return -EIO;
	n = strcspn(++p, " \n");
	if (!n || n >= len)
		return -EIO;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return 0;
}

int parse_u64(const char *s, uint64_t *val, const char *what)
{
	char *end;

	errno = 0;
	if (!s || !*s || *s == '-')
		goto bad;
	*val = strtoull(s, &end, 0);
	if (errno || *end)
		goto bad;
	return 0;
bad:
	p_err("bad %s '%s': expected a non-negative number", what, s ? s : "");
	return -1;
}

int parse_u32(const char *s, uint32_t *val, const char *what)
{
	uint64_t v;

	if (parse_u64(s, &v, what))
		return -1;
	if (v > UINT32_MAX) {
		p_err("bad %s '%s': too large", what, s);
		return -1;
	}
	*val = (uint32_t)v;
	return 0;
}
