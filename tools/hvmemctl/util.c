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

static void vp_err(int err, const char *fmt, va_list ap)
{
	fputs("hvmemctl: ", stderr);
	vfprintf(stderr, fmt, ap);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
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

int hvmem_open(void)
{
	int fd = open("/dev/" HVMEM_DEVICE_NAME, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		int err = errno;

		if (err == ENOENT)
			p_err("/dev/hvmem: %s (is hvmem.ko loaded? try: modprobe hvmem)",
			      strerror(err));
		else
			p_errno(err, "/dev/hvmem");
		errno = err;
	}
	return fd;
}

int hvmem_ioctl(int fd, unsigned long req, void *arg, const char *what)
{
	if (ioctl(fd, req, arg) == 0)
		return 0;
	int err = errno;

	if (err == EPERM)
		p_err("%s: %s (needs CAP_SYS_ADMIN%s)", what, strerror(err),
		      access(HVMEM_SYSFS "/enabled", F_OK) == 0 ?
		      ", or hvmem is disabled in " HVMEM_SYSFS "/enabled" : "");
	else if (err == ENOTTY)
		p_err("%s: %s (the loaded hvmem.ko does not know this command)",
		      what, strerror(err));
	else
		p_errno(err, "%s", what);
	errno = err;
	return -1;
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
