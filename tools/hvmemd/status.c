// SPDX-License-Identifier: GPL-2.0
/*
 * hvmemd status socket. A client connects, writes one line, "status" or
 * "status json", and reads the answer until the daemon closes the
 * connection. `hvmemd --status [-j]` and `hvmemctl sched status [-j]` are
 * such clients. The socket is created mode 0660.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "hvmemd.h"

struct sbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = b->cap ? b->cap * 2 : 4096;

		while (cap < b->len + (size_t)n + 1)
			cap *= 2;
		char *s = realloc(b->s, cap);

		if (!s) {
			b->oom = true;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
}

/* A JSON string literal of @s (escaped), appended. */
static void sb_jstr(struct sbuf *b, const char *s)
{
	char q[3 * 256 * 2];

	if (json_quote(q, sizeof(q), s))
		sb_printf(b, "%s", q);
	else
		sb_printf(b, "\"\"");
}

static const char *state_name(const struct hd_vm *vm)
{
	if (vm->state == VM_DOWN)
		return "down";
	if (vm->state == VM_SETUP)
		return "connecting";
	return vm->no_balloon ? "no-balloon" : "ready";
}

static void jnum(struct sbuf *b, const char *k, double v, bool known)
{
	if (known && v == floor(v) && fabs(v) < 9e15)
		sb_printf(b, "\"%s\": %.0f, ", k, v);	/* counters stay exact */
	else if (known && isfinite(v))
		sb_printf(b, "\"%s\": %.6g, ", k, v);
	else
		sb_printf(b, "\"%s\": null, ", k);
}

static void status_json(struct hd *d, struct sbuf *b)
{
	const struct hd_global *g = &d->cfg.g;
	double now = hd_now();
	size_t i;

	sb_printf(b, "{\"version\": \"%s\", \"config\": ", HVMEMD_VERSION);
	sb_jstr(b, d->cfg_path);
	sb_printf(b, ", \"uptime_s\": %.0f, \"periods\": %llu, \"hvmem\": ", now - d->started,
		  (unsigned long long)d->periods);
	sb_jstr(b, d->hv_note);
	sb_printf(b, ", \"budget_mib\": %llu, \"idle_tax\": %g, \"period_s\": %g, "
		  "\"hysteresis_pct\": %g, \"headroom_pct\": %g, \"max_step_mib\": %llu, "
		  "\"sum_target_mib\": %llu, \"sum_min_mib\": %llu, \"sum_desired_mib\": %llu, "
		  "\"contended\": %s, \"infeasible\": %s, \"host_pressure\": %s, ",
		  (unsigned long long)g->budget_mib, g->idle_tax, g->period_s, g->hysteresis_pct,
		  g->headroom_pct, (unsigned long long)g->max_step_mib,
		  (unsigned long long)d->res.sum_target_mib, (unsigned long long)d->res.sum_min_mib,
		  (unsigned long long)d->res.sum_desired_mib, d->res.contended ? "true" : "false",
		  d->res.infeasible ? "true" : "false", d->host_pressure ? "true" : "false");
	jnum(b, "host_available_mib", (double)d->host_avail_mib, d->have_host_avail);
	jnum(b, "psi_some_avg10", d->psi_some10, d->have_psi);
	sb_printf(b, "\"vms\": [");
	for (i = 0; i < d->nvms; i++) {
		const struct hd_vm *vm = d->vms[i];
		const struct pol_vm_out *o = &vm->out;

		sb_printf(b, "%s{\"name\": ", i ? ", " : "");
		sb_jstr(b, vm->c.name);
		sb_printf(b, ", \"state\": \"%s\", \"qmp\": ", state_name(vm));
		sb_jstr(b, vm->c.qmp);
		sb_printf(b, ", \"note\": ");
		sb_jstr(b, vm->note);
		sb_printf(b, ", \"pid\": %d, \"hvmem_id\": %u, \"shares\": %g, \"min_mib\": %llu, "
			  "\"max_mib\": %llu, \"scheduled\": %s, ", vm->pid, vm->hv_id, vm->c.shares,
			  (unsigned long long)vm->c.min_mib,
			  (unsigned long long)(vm->c.max_mib ? vm->c.max_mib : vm->base_mib),
			  vm->scheduled ? "true" : "false");
		jnum(b, "actual_mib", (double)(vm->actual_bytes >> 20), vm->actual_known);
		jnum(b, "target_mib", (double)o->target_mib, vm->decided_at > 0);
		jnum(b, "desired_mib", (double)o->desired_mib, vm->decided_at > 0);
		jnum(b, "command_mib", (double)o->command_mib, vm->decided_at > 0);
		jnum(b, "active_mib", (double)o->active_mib, vm->decided_at > 0);
		jnum(b, "active_fraction", o->f, vm->decided_at > 0);
		jnum(b, "rho", o->rho, vm->decided_at > 0 && o->rho < 1e300);
		jnum(b, "knee_mib", (double)o->knee_mib, vm->have_curve);
		jnum(b, "guest_total_mib", (double)(vm->gs.v[GS_TOTAL] >> 20),
		     vm->gs.have & (1u << GS_TOTAL));
		jnum(b, "guest_available_mib", (double)(vm->gs.v[GS_AVAILABLE] >> 20),
		     vm->gs.have & (1u << GS_AVAILABLE));
		jnum(b, "guest_free_mib", (double)(vm->gs.v[GS_FREE] >> 20),
		     vm->gs.have & (1u << GS_FREE));
		jnum(b, "guest_caches_mib", (double)(vm->gs.v[GS_CACHES] >> 20),
		     vm->gs.have & (1u << GS_CACHES));
		jnum(b, "guest_kernel_mib", (double)vm->kept_mib, vm->have_kept);
		jnum(b, "guest_major_faults", (double)vm->gs.v[GS_MAJOR_FAULTS],
		     vm->gs.have & (1u << GS_MAJOR_FAULTS));
		jnum(b, "swapin_pages_s", vm->swapin_rate, vm->have_swapin);
		jnum(b, "host_swapin_pages_s", vm->host_swapin_rate, vm->have_host_swapin);
		jnum(b, "swapout_pages_s", vm->swapout_rate, vm->have_swapout);
		jnum(b, "host_swapout_pages_s", vm->host_swapout_rate, vm->have_host_swapin);
		jnum(b, "qmp_malformed", (double)vm->malformed_count, true);
		jnum(b, "cache_pages", (double)vm->cache.pages, vm->have_cache);
		jnum(b, "cache_hits", (double)vm->cache.hits, vm->have_cache);
		jnum(b, "cache_misses", (double)vm->cache.misses, vm->have_cache);
		jnum(b, "written_pages", (double)vm->ws.written, vm->ws.written_s > 0);
		jnum(b, "written_interval_s", vm->ws.written_s, vm->ws.written_s > 0);
		jnum(b, "write_scan_ms", vm->ws.scan_ms, vm->ws.written_s > 0);
		jnum(b, "write_scan_fed", (double)vm->ws.fed, true);
		jnum(b, "write_scan_thp_pages", (double)vm->ws.thp_pages, vm->ws.nr > 0);
		sb_printf(b, "\"sources\": {\"guest_stats\": ");
		sb_jstr(b, vm->src_stats);
		sb_printf(b, ", \"curve\": ");
		sb_jstr(b, vm->src_curve);
		sb_printf(b, ", \"cache\": ");
		sb_jstr(b, vm->src_cache);
		sb_printf(b, ", \"writes\": ");
		sb_jstr(b, vm->src_writes);
		sb_printf(b, "}, \"last_decision\": {\"age_s\": ");
		if (vm->decided_at > 0)
			sb_printf(b, "%.1f", now - vm->decided_at);
		else
			sb_printf(b, "null");
		sb_printf(b, ", \"reason\": ");
		sb_jstr(b, vm->last_reason);
		sb_printf(b, "}}");
	}
	sb_printf(b, "]}\n");
}

static void fmt_mib(char *buf, size_t len, uint64_t v, bool known)
{
	if (known)
		snprintf(buf, len, "%llu", (unsigned long long)v);
	else
		snprintf(buf, len, "-");
}

static void status_text(struct hd *d, struct sbuf *b)
{
	const struct hd_global *g = &d->cfg.g;
	size_t i;

	sb_printf(b, "hvmemd %s, %llu periods, config %s, hvmem %s\n", HVMEMD_VERSION,
		  (unsigned long long)d->periods, d->cfg_path, d->hv_note);
	sb_printf(b, "budget %llu MiB, targets %llu MiB (mins %llu, desired %llu)%s%s, idle tax %g, period %gs\n",
		  (unsigned long long)g->budget_mib, (unsigned long long)d->res.sum_target_mib,
		  (unsigned long long)d->res.sum_min_mib, (unsigned long long)d->res.sum_desired_mib,
		  d->res.contended ? ", contended" : "", d->res.infeasible ? ", INFEASIBLE" : "",
		  g->idle_tax, g->period_s);
	if (d->have_host_avail)
		sb_printf(b, "host MemAvailable %llu MiB", (unsigned long long)d->host_avail_mib);
	if (d->have_psi)
		sb_printf(b, ", memory PSI some avg10 %.2f", d->psi_some10);
	sb_printf(b, "%s\n", d->host_pressure ? " (pressure: no growth)" : "");
	sb_printf(b, "%-12s %-10s %7s %7s %7s %7s %7s %8s %7s %7s\n", "VM", "STATE", "TARGET",
		  "ACTUAL", "ACTIVE", "SHARES", "MIN", "RHO", "KNEE", "MAX");
	for (i = 0; i < d->nvms; i++) {
		const struct hd_vm *vm = d->vms[i];
		bool dec = vm->decided_at > 0;
		char t[24], a[24], ac[24], k[24], rho[24];

		fmt_mib(t, sizeof(t), vm->out.target_mib, dec);
		fmt_mib(a, sizeof(a), vm->actual_bytes >> 20, vm->actual_known);
		fmt_mib(ac, sizeof(ac), vm->out.active_mib, dec);
		fmt_mib(k, sizeof(k), vm->out.knee_mib, vm->have_curve);
		if (dec && vm->out.rho < 1e300)
			snprintf(rho, sizeof(rho), "%.4g", vm->out.rho);
		else
			snprintf(rho, sizeof(rho), "-");
		sb_printf(b, "%-12s %-10s %7s %7s %7s %7g %7llu %8s %7s %7llu\n", vm->c.name,
			  state_name(vm), t, a, ac, vm->c.shares, (unsigned long long)vm->c.min_mib,
			  rho, k, (unsigned long long)(vm->c.max_mib ? vm->c.max_mib : vm->base_mib));
		if (vm->note[0])
			sb_printf(b, "    note: %s\n", vm->note);
		sb_printf(b, "    inputs: guest stats %s; curve %s; cache %s; writes %s\n",
			  vm->src_stats[0] ? vm->src_stats : "-", vm->src_curve[0] ? vm->src_curve : "-",
			  vm->src_cache[0] ? vm->src_cache : "-",
			  vm->src_writes[0] ? vm->src_writes : "-");
		if (dec)
			sb_printf(b, "    last decision (%.0fs ago): %s\n", hd_now() - vm->decided_at,
				  vm->last_reason);
	}
}

int status_listen(struct hd *d, const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct epoll_event e = { .events = EPOLLIN, .data.ptr = &d->ev_status };
	struct stat st;
	int fd;

	if (strlen(path) >= sizeof(a.sun_path)) {
		hd_log(LOG_E, "status socket path too long: %s", path);
		return -1;
	}
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* a stale socket of a dead hvmemd: nobody accepts on it any more */
	if (!lstat(path, &st) && S_ISSOCK(st.st_mode)) {
		int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (probe >= 0 && connect(probe, (struct sockaddr *)&a, sizeof(a)) == 0) {
			close(probe);
			close(fd);
			hd_log(LOG_E, "%s: another hvmemd is running", path);
			return -1;
		}
		if (probe >= 0)
			close(probe);
		unlink(path);
	}
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || chmod(path, 0660) || listen(fd, 8) ||
	    epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &e)) {
		hd_log(LOG_E, "status socket %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	d->statusfd = fd;
	snprintf(d->status_path, sizeof(d->status_path), "%s", path);
	return 0;
}

void status_close(struct hd *d)
{
	if (d->statusfd < 0)
		return;
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, d->statusfd, NULL);
	close(d->statusfd);
	d->statusfd = -1;
	unlink(d->status_path);
}

/* Serve one client; its reads and writes time out after a second. */
void status_accept(struct hd *d)
{
	struct timeval tv = { .tv_sec = 1 };
	struct sbuf b = { };
	char req[64];
	size_t got = 0, off = 0;
	int c = accept4(d->statusfd, NULL, NULL, SOCK_CLOEXEC);

	if (c < 0)
		return;
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (got < sizeof(req) - 1) {
		ssize_t n = recv(c, req + got, sizeof(req) - 1 - got, 0);

		if (n <= 0)
			break;
		got += (size_t)n;
		if (memchr(req, '\n', got))
			break;
	}
	req[got] = '\0';
	req[strcspn(req, "\r\n")] = '\0';
	if (!strcmp(req, "status json"))
		status_json(d, &b);
	else if (!strcmp(req, "status"))
		status_text(d, &b);
	else
		sb_printf(&b, "error: unknown request (want \"status\" or \"status json\")\n");
	while (!b.oom && off < b.len) {
		ssize_t n = send(c, b.s + off, b.len - off, MSG_NOSIGNAL);

		if (n <= 0)
			break;
		off += (size_t)n;
	}
	free(b.s);
	close(c);
}

int status_client(const char *path, bool json)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	const char *req = json ? "status json\n" : "status\n";
	char buf[4096];
	ssize_t n;
	int fd;

	if (strlen(path) >= sizeof(a.sun_path)) {
		fprintf(stderr, "hvmemd: %s: path too long\n", path);
		return 1;
	}
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		fprintf(stderr, "hvmemd: %s: %s (is hvmemd running?)\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) < 0) {
		fprintf(stderr, "hvmemd: %s: %s\n", path, strerror(errno));
		close(fd);
		return 1;
	}
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			break;
	close(fd);
	return n < 0 ? 1 : 0;
}
