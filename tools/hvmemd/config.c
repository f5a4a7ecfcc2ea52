// SPDX-License-Identifier: GPL-2.0
/*
 * hvmemd configuration file: INI-like, "[global]" and "[vm NAME]"
 * sections of "key = value" lines; '#' and ';' start comments. Every key is
 * documented in README.md "Configuration" and hvmemd.conf.example.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvmemd.h"

static void set_defaults(struct hd_global *g)
{
	memset(g, 0, sizeof(*g));
	g->idle_tax = 0.75;
	g->period_s = 5;
	g->hysteresis_pct = 5;
	g->max_step_mib = 256;
	g->swapin_storm_pages_s = 1000;
	g->headroom_pct = 10;
	g->curve_margin_pct = 10;
	g->host_min_available_mib = 256;
	g->psi_some_avg10_max = 20;
	g->write_scan_s = 180;
	snprintf(g->status_socket, sizeof(g->status_socket), "%s", HVMEMD_SOCK);
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		e--;
	*e = '\0';
	return s;
}

static int num(const char *v, double lo, double hi, double *out)
{
	char *end;
	double x;

	errno = 0;
	x = strtod(v, &end);
	if (errno || end == v || *end || !isfinite(x) || x < lo || x > hi)
		return -1;
	*out = x;
	return 0;
}

static int u64v(const char *v, uint64_t hi, uint64_t *out)
{
	unsigned long long x;
	char *end;

	if (*v == '-' || !*v)
		return -1;
	errno = 0;
	x = strtoull(v, &end, 10);
	if (errno || *end || x > hi)
		return -1;
	*out = x;
	return 0;
}

static int str(const char *v, char *dst, size_t len)
{
	if (strlen(v) >= len)
		return -1;
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

#define MIB_MAX	(1ULL << 40)	/* 1 EiB in MiB: a sanity bound */

static int global_key(struct hd_global *g, const char *k, const char *v)
{
	if (!strcmp(k, "budget_mib"))
		return u64v(v, MIB_MAX, &g->budget_mib);
	if (!strcmp(k, "idle_tax"))
		return num(v, 0, 0.99, &g->idle_tax);
	if (!strcmp(k, "period_s"))
		return num(v, 0.1, 3600, &g->period_s);
	if (!strcmp(k, "hysteresis_pct"))
		return num(v, 0, 100, &g->hysteresis_pct);
	if (!strcmp(k, "max_step_mib"))
		return u64v(v, MIB_MAX, &g->max_step_mib);
	if (!strcmp(k, "swapin_storm_pages_s"))
		return num(v, 0, 1e12, &g->swapin_storm_pages_s);
	if (!strcmp(k, "headroom_pct"))
		return num(v, 0, 1000, &g->headroom_pct);
	if (!strcmp(k, "curve_margin_pct"))
		return num(v, 0, 1000, &g->curve_margin_pct);
	if (!strcmp(k, "host_min_available_mib"))
		return u64v(v, MIB_MAX, &g->host_min_available_mib);
	if (!strcmp(k, "psi_some_avg10_max"))
		return num(v, 0, 100, &g->psi_some_avg10_max);
	if (!strcmp(k, "write_scan_s"))
		return num(v, 0, 3600, &g->write_scan_s);
	if (!strcmp(k, "status_socket"))
		return str(v, g->status_socket, sizeof(g->status_socket));
	return -2;
}

static int vm_key(struct hd_vmconf *c, const char *k, const char *v)
{
	uint64_t x;

	if (!strcmp(k, "qmp"))
		return str(v, c->qmp, sizeof(c->qmp));
	if (!strcmp(k, "balloon"))
		return str(v, c->balloon, sizeof(c->balloon));
	if (!strcmp(k, "pid")) {
		if (u64v(v, 0x7fffffff, &x) || !x)
			return -1;
		c->pid = (pid_t)x;
		return 0;
	}
	if (!strcmp(k, "shares"))
		return num(v, 1, 1e9, &c->shares);
	if (!strcmp(k, "min_mib"))
		return u64v(v, MIB_MAX, &c->min_mib);
	if (!strcmp(k, "max_mib"))
		return u64v(v, MIB_MAX, &c->max_mib);
	return -2;
}

static int fail(char *err, size_t len, const char *path, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int fail(char *err, size_t len, const char *path, unsigned int line, const char *fmt, ...)
{
	int n = snprintf(err, len, "%s:%u: ", path, line);
	va_list ap;

	if (n >= 0 && (size_t)n < len) {
		va_start(ap, fmt);
		vsnprintf(err + n, len - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int config_load(const char *path, struct hd_config *c, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	struct hd_vmconf *cur = NULL;
	bool in_global = false;
	unsigned int line = 0;
	char buf[1024];
	size_t i, j;

	memset(c, 0, sizeof(*c));
	set_defaults(&c->g);
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(buf, sizeof(buf), f)) {
		char *s, *eq, *k, *v;
		int ret;

		line++;
		if (!strchr(buf, '\n') && !feof(f)) {
			fail(err, errlen, path, line, "line too long");
			goto bad;
		}
		s = trim(buf);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *e = strchr(s, ']');

			if (!e || e[1]) {
				fail(err, errlen, path, line, "bad section header");
				goto bad;
			}
			*e = '\0';
			s = trim(s + 1);
			if (!strcmp(s, "global")) {
				in_global = true;
				cur = NULL;
				continue;
			}
			if (strncmp(s, "vm", 2) || (s[2] != ' ' && s[2] != '\t')) {
				fail(err, errlen, path, line, "unknown section [%s]", s);
				goto bad;
			}
			s = trim(s + 2);
			if (!*s || strlen(s) >= HVMEMD_NAME_LEN || strpbrk(s, " \t\"\\")) {
				fail(err, errlen, path, line, "bad VM name '%s'", s);
				goto bad;
			}
			for (i = 0; i < c->nvms; i++)
				if (!strcmp(c->vms[i].name, s)) {
					fail(err, errlen, path, line, "VM '%s' defined twice", s);
					goto bad;
				}
			cur = realloc(c->vms, (c->nvms + 1) * sizeof(*cur));
			if (!cur) {
				fail(err, errlen, path, line, "out of memory");
				goto bad;
			}
			c->vms = cur;
			cur = &c->vms[c->nvms++];
			memset(cur, 0, sizeof(*cur));
			snprintf(cur->name, sizeof(cur->name), "%s", s);
			cur->shares = 1000;
			in_global = false;
			continue;
		}
		eq = strchr(s, '=');
		if (!eq) {
			fail(err, errlen, path, line, "expected key = value");
			goto bad;
		}
		*eq = '\0';
		k = trim(s);
		v = trim(eq + 1);
		if (in_global) {
			ret = global_key(&c->g, k, v);
		} else if (cur) {
			ret = vm_key(cur, k, v);
		} else {
			fail(err, errlen, path, line, "key '%s' outside a section", k);
			goto bad;
		}
		if (ret == -2) {
			fail(err, errlen, path, line, "unknown key '%s'", k);
			goto bad;
		}
		if (ret) {
			fail(err, errlen, path, line, "bad value '%s' for %s", v, k);
			goto bad;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		goto bad;
	}
	fclose(f);
	f = NULL;
	if (!c->g.budget_mib) {
		snprintf(err, errlen, "%s: [global] budget_mib is required", path);
		goto bad;
	}
	for (i = 0; i < c->nvms; i++) {
		struct hd_vmconf *v = &c->vms[i];

		if (!v->qmp[0]) {
			snprintf(err, errlen, "%s: [vm %s]: qmp = PATH is required", path, v->name);
			goto bad;
		}
		if (v->max_mib && v->min_mib > v->max_mib) {
			snprintf(err, errlen, "%s: [vm %s]: min_mib > max_mib", path, v->name);
			goto bad;
		}
		for (j = 0; j < i; j++)
			if (!strcmp(c->vms[j].qmp, v->qmp)) {
				snprintf(err, errlen, "%s: [vm %s]: same qmp socket as [vm %s]",
					 path, v->name, c->vms[j].name);
				goto bad;
			}
	}
	return 0;
bad:
	if (f)
		fclose(f);
	config_free(c);
	return -1;
}

void config_free(struct hd_config *c)
{
	free(c->vms);
	c->vms = NULL;
	c->nvms = 0;
}
