// SPDX-License-Identifier: GPL-2.0
/*
 * hvmemd: the QMP client of one VM. Non-blocking unix socket in the event
 * loop; commands carry numeric ids and replies are routed by id, so events
 * may come between replies. Setup after the greeting: qmp_capabilities,
 * then (as needed) query-memory-size-summary (max), query-cpus-fast (pid),
 * qom-list of /machine/peripheral and /machine/peripheral-anon (balloon
 * device), qom-set guest-stats-polling-interval. Each period: qom-get
 * guest-stats and query-balloon. A socket that fails is dropped (retried
 * next period); a malformed message marks the VM skipped for the period.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "hvmemd.h"

/* Malformed lines in a period after which the connection is dropped. */
#define QMP_MALFORMED_MAX	64

static const char *const cmd_names[] = {
	[CMD_CAPS] = "qmp_capabilities", [CMD_MEMSIZE] = "query-memory-size-summary",
	[CMD_CPUS] = "query-cpus-fast", [CMD_LIST_PERIPH] = "qom-list",
	[CMD_LIST_ANON] = "qom-list", [CMD_SETPOLL] = "qom-set",
	[CMD_STATS] = "qom-get", [CMD_QBALLOON] = "query-balloon", [CMD_BALLOON] = "balloon",
};

static void set_epoll(struct hd *d, struct hd_vm *vm)
{
	struct epoll_event e = { .events = EPOLLIN | (vm->outlen ? EPOLLOUT : 0),
				 .data.ptr = &vm->ev };

	epoll_ctl(d->epfd, EPOLL_CTL_MOD, vm->fd, &e);
}

static void flush(struct hd *d, struct hd_vm *vm)
{
	while (vm->outlen) {
		ssize_t n = send(vm->fd, vm->obuf, vm->outlen, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			qmp_drop(d, vm, strerror(errno));
			return;
		}
		memmove(vm->obuf, vm->obuf + n, vm->outlen - (size_t)n);
		vm->outlen -= (size_t)n;
	}
	if ((vm->outlen != 0) != vm->want_out) {
		vm->want_out = vm->outlen != 0;
		set_epoll(d, vm);
	}
}

/* Send "execute" @kind with the JSON object text @args (or NULL). */
static int send_cmd(struct hd *d, struct hd_vm *vm, enum hd_cmd kind, const char *args)
{
	char buf[1024];
	int n;

	if (vm->fd < 0)
		return -1;
	if (vm->npend == HD_PEND_MAX) {
		qmp_drop(d, vm, "too many unanswered commands");
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "{\"execute\": \"%s\"%s%s, \"id\": %llu}\r\n",
		     cmd_names[kind], args ? ", \"arguments\": " : "", args ? args : "",
		     (unsigned long long)vm->next_id);
	if (n < 0 || (size_t)n >= sizeof(buf) || vm->outlen + (size_t)n > sizeof(vm->obuf)) {
		qmp_drop(d, vm, "output buffer full");
		return -1;
	}
	memcpy(vm->obuf + vm->outlen, buf, (size_t)n);
	vm->outlen += (size_t)n;
	vm->pend[vm->npend].id = vm->next_id++;
	vm->pend[vm->npend].kind = kind;
	vm->pend[vm->npend].period = d->periods;
	vm->npend++;
	flush(d, vm);
	return vm->fd < 0 ? -1 : 0;
}

static int send_path_cmd(struct hd *d, struct hd_vm *vm, enum hd_cmd kind, const char *path,
			 const char *extra)
{
	char q[2 * HVMEMD_QOM_LEN], args[3 * HVMEMD_QOM_LEN];

	if (!json_quote(q, sizeof(q), path))
		return -1;
	snprintf(args, sizeof(args), "{\"path\": %s%s}", q, extra);
	return send_cmd(d, vm, kind, args);
}

void qmp_drop(struct hd *d, struct hd_vm *vm, const char *why)
{
	if (vm->fd >= 0) {
		epoll_ctl(d->epfd, EPOLL_CTL_DEL, vm->fd, NULL);
		close(vm->fd);
		hd_log(LOG_W, "vm %s: dropped: %s; retrying every period", vm->c.name, why);
	}
	vm->fd = -1;
	vm->state = VM_DOWN;
	vm->outlen = 0;
	vm->want_out = false;
	vm->npend = 0;
	vm->awaiting = 0;
	vm->setup_pending = 0;
	vm->silent_periods = 0;
	vm->gs_fresh = vm->actual_fresh = false;
	/* rates and what its kernel keeps: learned anew from the next QEMU */
	vm->have_swapin = vm->have_swapout = false;
	vm->swapin_t_prev = 0;
	vm->gs_seen_update = 0;
	vm->gs_seen_t = 0;
	vm->have_kept = false;
	vm->kept_update = 0;
	vm->actual_prev_t = 0;
	vm->no_balloon = false;
	vm->scheduled = false;
	qmp_framer_reset(&vm->fr);
	vm->retry_at = hd_now() + d->cfg.g.period_s;
	snprintf(vm->note, sizeof(vm->note), "down: %s", why);
	/* the QEMU may come back as another process: forget its binding */
	hv_vm_release(d, vm);
	vm->pid = vm->peer_pid = 0;
	hd_reply_done(d);
}

void qmp_connect(struct hd *d, struct hd_vm *vm)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct epoll_event e = { .events = EPOLLIN };
	struct ucred cr;
	socklen_t crl = sizeof(cr);
	int fd;

	vm->retry_at = hd_now() + d->cfg.g.period_s;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(vm->note, sizeof(vm->note), "down: socket: %s", strerror(errno));
		return;
	}
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", vm->c.qmp);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		if (strncmp(vm->note, "down: connect", 13))
			hd_log(LOG_W, "vm %s: connect %s: %s", vm->c.name, vm->c.qmp, strerror(errno));
		snprintf(vm->note, sizeof(vm->note), "down: connect: %s", strerror(errno));
		close(fd);
		return;
	}
	vm->fd = fd;
	vm->ev.kind = EV_QMP;
	vm->ev.obj = vm;
	e.data.ptr = &vm->ev;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &e)) {
		close(fd);
		vm->fd = -1;
		return;
	}
	vm->state = VM_SETUP;
	vm->next_id = 1;
	vm->npend = 0;
	vm->malformed = false;
	vm->peer_pid = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crl) ? 0 : cr.pid;
	snprintf(vm->note, sizeof(vm->note), "connecting: waiting for the QMP greeting");
	hd_log(LOG_I, "vm %s: connected to %s", vm->c.name, vm->c.qmp);
}

static void setup_done(struct hd *d, struct hd_vm *vm)
{
	if (--vm->setup_pending > 0)
		return;
	if (!vm->pid) {
		vm->pid = vm->c.pid ? vm->c.pid : vm->peer_pid;
		if (vm->pid)
			hd_log(LOG_I, "vm %s: QEMU pid %d (%s)", vm->c.name, vm->pid,
			       vm->c.pid ? "config" : "SO_PEERCRED");
	}
	if (vm->no_balloon)
		snprintf(vm->note, sizeof(vm->note), "no virtio-balloon device: not scheduled");
	else
		vm->note[0] = '\0';
	vm->state = VM_READY;
	vm->silent_periods = 0;
	hd_log(LOG_I, "vm %s: ready (balloon %s, pid %d, max %llu MiB)", vm->c.name,
	       vm->balloon[0] ? vm->balloon : "none", vm->pid,
	       (unsigned long long)(vm->c.max_mib ? vm->c.max_mib : vm->base_mib));
}

/* The guest-stats-polling-interval hvmemd sets: its period, whole seconds, at least 1. */
static int poll_interval_s(const struct hd *d)
{
	return d->cfg.g.period_s < 1 ? 1 : (int)(d->cfg.g.period_s + 0.5);
}

/* Have the balloon device at vm->balloon poll the guest's stats every period. */
static void send_setpoll(struct hd *d, struct hd_vm *vm)
{
	char extra[64];

	snprintf(extra, sizeof(extra), ", \"property\": \"guest-stats-polling-interval\", \"value\": %d",
		 poll_interval_s(d));
	if (send_path_cmd(d, vm, CMD_SETPOLL, vm->balloon, extra) == 0)
		vm->setup_pending++;
}

static void after_caps(struct hd *d, struct hd_vm *vm)
{
	vm->setup_pending = 1;	/* released below, after the queries are sent */
	if (!vm->c.max_mib && send_cmd(d, vm, CMD_MEMSIZE, NULL) == 0)
		vm->setup_pending++;
	if (!vm->c.pid && vm->fd >= 0 && send_cmd(d, vm, CMD_CPUS, NULL) == 0)
		vm->setup_pending++;
	if (vm->fd < 0)
		return;
	if (vm->c.balloon[0]) {
		snprintf(vm->balloon, sizeof(vm->balloon), "%s", vm->c.balloon);
	} else {
		vm->balloon[0] = '\0';
		if (send_path_cmd(d, vm, CMD_LIST_PERIPH, "/machine/peripheral", "") == 0)
			vm->setup_pending++;
	}
	if (vm->fd < 0)
		return;
	if (vm->balloon[0])
		send_setpoll(d, vm);
	if (vm->fd >= 0)
		setup_done(d, vm);
}

/* A qom-list reply: the first child whose type is child<virtio-balloon...>. */
static bool find_balloon(struct hd_vm *vm, const struct json_doc *doc,
			 const struct json_node *ret, const char *base)
{
	const struct json_node *e;

	if (!ret || ret->type != JSON_ARR)
		return false;
	for (e = json_first(doc, ret); e; e = json_next(doc, e)) {
		const char *name = json_str(json_get(doc, e, "name"));
		const char *type = json_str(json_get(doc, e, "type"));

		if (name && type && !strncmp(type, "child<virtio-balloon", 20)) {
			snprintf(vm->balloon, sizeof(vm->balloon), "%s/%s", base, name);
			return true;
		}
	}
	return false;
}

/*
 * What the guest's kernel keeps outside its total (image, memmap, reserved
 * pages): actual - total at a stats update, taken only when actual had not
 * moved since the previous update. While the balloon moves, the guest's
 * total lags or leads the actual QEMU reports, by up to the move. Called
 * once both of the period's replies are in (guest-stats, query-balloon),
 * so that actual is the one QEMU reported after the update.
 */
void qmp_learn_kept(struct hd_vm *vm)
{
	uint64_t actual = vm->actual_bytes >> 20, total = vm->gs.v[GS_TOTAL] >> 20;

	if (!vm->gs_fresh || !vm->actual_fresh || vm->gs.last_update == vm->kept_update)
		return;
	if (vm->kept_update && actual == vm->kept_actual && actual >= total) {
		if (!vm->have_kept || vm->kept_mib != actual - total)
			hd_log(LOG_D, "vm %s: its kernel keeps %llu MiB (actual %llu, total %llu)",
			       vm->c.name, (unsigned long long)(actual - total),
			       (unsigned long long)actual, (unsigned long long)total);
		vm->kept_mib = actual - total;
		vm->have_kept = true;
	}
	vm->kept_update = vm->gs.last_update;
	vm->kept_actual = actual;
}

/*
 * Whether the guest's statistics have stopped: the same last-update for 10
 * periods and at least 5 polling intervals (the interval is the period,
 * at least 1 s). Its counters then say nothing about now: the swap rates
 * it gave are dropped (the host's view, or none, decides), the rest is
 * kept as its last known state, and the source says so.
 */
static bool gstats_stale(const struct hd *d, struct hd_vm *vm)
{
	double now = hd_now(), period = d->cfg.g.period_s;
	double poll = poll_interval_s(d);
	double stale_s = 10 * period > 5 * poll ? 10 * period : 5 * poll;

	if (vm->gs.last_update != vm->gs_seen_update || !vm->gs_seen_t) {
		vm->gs_seen_update = vm->gs.last_update;
		vm->gs_seen_t = now;
		return false;
	}
	if (now - vm->gs_seen_t <= stale_s)
		return false;
	vm->have_swapin = vm->have_swapout = false;
	snprintf(vm->src_stats, sizeof(vm->src_stats),
		 "stale: the guest has not updated them for %.0f s", now - vm->gs_seen_t);
	return true;
}

/* Logged at most once a minute per VM, with the count since. */
static void malformed(struct hd *d, struct hd_vm *vm, const char *what)
{
	double now = hd_now();

	vm->malformed_count++;
	if (!vm->malformed_logged || now - vm->malformed_logged >= 60) {
		hd_log(LOG_W, "vm %s: malformed QMP reply (%s): skipped this period (%llu malformed so far)",
		       vm->c.name, what, (unsigned long long)vm->malformed_count);
		vm->malformed_logged = now;
	}
	vm->malformed = true;
}

static void on_reply(struct hd *d, struct hd_vm *vm, enum hd_cmd kind, uint64_t period,
		     const struct json_doc *doc, const struct qmp_msg *m)
{
	bool err = m->kind == QMP_ERROR;
	uint64_t v;

	if (err && kind != CMD_LIST_PERIPH && kind != CMD_LIST_ANON)
		hd_log(kind == CMD_STATS || kind == CMD_QBALLOON ? LOG_D : LOG_W,
		       "vm %s: %s: %s: %s", vm->c.name, cmd_names[kind], m->err_class, m->err_desc);
	switch (kind) {
	case CMD_CAPS:
		if (err)
			qmp_drop(d, vm, "qmp_capabilities refused");
		else
			after_caps(d, vm);
		return;
	case CMD_MEMSIZE:
		if (!err && json_u64(json_get(doc, m->ret, "base-memory"), &v))
			vm->base_mib = v >> 20;
		setup_done(d, vm);
		return;
	case CMD_CPUS: {
		const struct json_node *e = err ? NULL : json_first(doc, m->ret);

		if (e && json_u64(json_get(doc, e, "thread-id"), &v) && v && v < 0x7fffffff) {
			pid_t p = pid_of_thread((pid_t)v);

			if (p > 0) {
				vm->pid = p;
				hd_log(LOG_I, "vm %s: QEMU pid %d (from vCPU thread %llu)",
				       vm->c.name, p, (unsigned long long)v);
			}
		}
		setup_done(d, vm);
		return;
	}
	case CMD_LIST_PERIPH:
	case CMD_LIST_ANON:
		if (!err && find_balloon(vm, doc, m->ret, kind == CMD_LIST_PERIPH ?
					 "/machine/peripheral" : "/machine/peripheral-anon")) {
			hd_log(LOG_I, "vm %s: balloon device %s", vm->c.name, vm->balloon);
			send_setpoll(d, vm);
		} else if (kind == CMD_LIST_PERIPH) {
			if (send_path_cmd(d, vm, CMD_LIST_ANON, "/machine/peripheral-anon", "") == 0)
				vm->setup_pending++;
		} else {
			vm->no_balloon = true;
			hd_log(LOG_W, "vm %s: no virtio-balloon device found (set balloon = QOM path)",
			       vm->c.name);
		}
		if (vm->fd >= 0)
			setup_done(d, vm);
		return;
	case CMD_SETPOLL:
		if (err)
			snprintf(vm->src_stats, sizeof(vm->src_stats),
				 "polling not enabled: %.60s", m->err_desc);
		setup_done(d, vm);
		return;
	case CMD_STATS:
		if (err) {
			snprintf(vm->src_stats, sizeof(vm->src_stats), "error: %.70s", m->err_desc);
		} else if (qmp_gstats_decode(doc, m->ret, &vm->gs)) {
			malformed(d, vm, "guest-stats");
		} else if (!vm->gs.last_update) {
			snprintf(vm->src_stats, sizeof(vm->src_stats), "no guest stats yet");
		} else if (!(vm->gs.have & (1u << GS_TOTAL)) ||
			   !(vm->gs.have & (1u << GS_AVAILABLE))) {
			snprintf(vm->src_stats, sizeof(vm->src_stats),
				 "guest reports no total/available memory");
		} else {
			vm->gs_fresh = true;
			snprintf(vm->src_stats, sizeof(vm->src_stats), "ok");
			if (gstats_stale(d, vm))
				break;
			if (vm->gs.have & (1u << GS_SWAP_IN)) {
				uint64_t now = vm->gs.last_update, in = vm->gs.v[GS_SWAP_IN];
				/* swap-out: same update, 0 when the guest leaves it out */
				uint64_t out = (vm->gs.have & (1u << GS_SWAP_OUT)) ?
					       vm->gs.v[GS_SWAP_OUT] : 0;

				if (vm->swapin_t_prev && now > vm->swapin_t_prev &&
				    in >= vm->swapin_prev) {
					vm->swapin_rate = (double)(in - vm->swapin_prev) / 4096.0 /
							  (double)(now - vm->swapin_t_prev);
					vm->have_swapin = true;
					vm->have_swapout = (vm->gs.have & (1u << GS_SWAP_OUT)) &&
							   out >= vm->swapout_prev;
					vm->swapout_rate = vm->have_swapout ?
						(double)(out - vm->swapout_prev) / 4096.0 /
						(double)(now - vm->swapin_t_prev) : 0;
				}
				if (now != vm->swapin_t_prev) {
					vm->swapin_prev = in;
					vm->swapout_prev = out;
					vm->swapin_t_prev = now;
				}
			}
		}
		break;
	case CMD_QBALLOON:
		if (err) {
			if (strstr(m->err_desc, "balloon") && !vm->no_balloon) {
				vm->no_balloon = true;
				snprintf(vm->note, sizeof(vm->note), "no active balloon: %.60s",
					 m->err_desc);
			}
		} else if (json_u64(json_get(doc, m->ret, "actual"), &v)) {
			vm->actual_bytes = v;
			vm->actual_fresh = vm->actual_known = true;
			vm->no_balloon = false;
		} else {
			malformed(d, vm, "query-balloon without actual");
		}
		break;
	case CMD_BALLOON:
		return;
	}
	/* a reply of this period's queries (a late one only updates the values) */
	if (period == d->periods && vm->awaiting > 0 && --vm->awaiting == 0)
		hd_reply_done(d);
}

static int on_line(void *arg, const char *s, size_t len)
{
	struct hd_vm *vm = arg;
	struct json_doc doc;
	struct qmp_msg m;
	int i, ret;

	vm->rx_lines++;
	if (!s) {
		malformed(vm->hd, vm, "line too long");
		return 0;
	}
	ret = json_parse(&doc, s, len);
	if (ret || qmp_classify(&doc, &m)) {
		malformed(vm->hd, vm, ret ? "not JSON" : "not a QMP message");
		json_free(&doc);
		return ++vm->bad_lines > QMP_MALFORMED_MAX ? -EPROTO : 0;
	}
	switch (m.kind) {
	case QMP_GREETING:
		if (vm->state == VM_SETUP && vm->next_id == 1)
			send_cmd(vm->hd, vm, CMD_CAPS, NULL);
		break;
	case QMP_EVENT:
		if (!strcmp(m.event, "BALLOON_CHANGE")) {
			uint64_t v;

			if (json_u64(json_get(&doc, m.data, "actual"), &v)) {
				vm->actual_bytes = v;
				vm->actual_known = true;
			}
		}
		hd_log(LOG_D, "vm %s: event %s", vm->c.name, m.event);
		break;
	case QMP_RETURN:
	case QMP_ERROR:
		for (i = 0; i < vm->npend; i++)
			if (m.id >= 0 && vm->pend[i].id == (uint64_t)m.id)
				break;
		if (i == vm->npend) {
			if (m.kind == QMP_ERROR && m.id < 0)
				hd_log(LOG_W, "vm %s: QMP error: %s", vm->c.name, m.err_desc);
			else
				malformed(vm->hd, vm, "reply to no command");
			break;
		}
		{
			enum hd_cmd kind = vm->pend[i].kind;
			uint64_t period = vm->pend[i].period;

			memmove(&vm->pend[i], &vm->pend[i + 1],
				(size_t)(vm->npend - i - 1) * sizeof(vm->pend[0]));
			vm->npend--;
			on_reply(vm->hd, vm, kind, period, &doc, &m);
		}
		break;
	}
	json_free(&doc);
	return vm->fd < 0 ? -EPIPE : 0;
}

void qmp_event(struct hd *d, struct hd_vm *vm, uint32_t events)
{
	char buf[16384];
	int rounds;

	if (events & EPOLLOUT)
		flush(d, vm);
	if (vm->fd < 0)
		return;
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	for (rounds = 0; rounds < 64 && vm->fd >= 0; rounds++) {
		ssize_t n = recv(vm->fd, buf, sizeof(buf), MSG_DONTWAIT);
		int ret;

		if (n == 0) {
			qmp_drop(d, vm, "connection closed");
			return;
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			qmp_drop(d, vm, strerror(errno));
			return;
		}
		ret = qmp_framer_feed(&vm->fr, buf, (size_t)n, on_line, vm);
		if (ret == -ENOMEM) {
			qmp_drop(d, vm, "out of memory");
			return;
		}
		if (ret == -EPROTO) {
			qmp_drop(d, vm, "too many malformed messages");
			return;
		}
		if (ret)
			return;	/* dropped meanwhile */
	}
}

void qmp_period(struct hd *d, struct hd_vm *vm)
{
	int i;

	if (vm->state != VM_READY || vm->fd < 0)
		return;
	if (vm->awaiting && !vm->rx_lines) {
		if (++vm->silent_periods >= 3) {
			qmp_drop(d, vm, "no reply for 3 periods");
			return;
		}
	} else {
		vm->silent_periods = 0;
	}
	/* forget queries unanswered for two periods (their reply was lost) */
	for (i = 0; i < vm->npend; ) {
		if ((vm->pend[i].kind == CMD_STATS || vm->pend[i].kind == CMD_QBALLOON ||
		     vm->pend[i].kind == CMD_BALLOON) && vm->pend[i].period + 2 <= d->periods) {
			memmove(&vm->pend[i], &vm->pend[i + 1],
				(size_t)(vm->npend - i - 1) * sizeof(vm->pend[0]));
			vm->npend--;
		} else {
			i++;
		}
	}
	vm->malformed = false;
	vm->bad_lines = 0;
	vm->rx_lines = 0;
	vm->gs_fresh = vm->actual_fresh = false;
	vm->awaiting = 0;
	if (vm->balloon[0]) {
		char extra[64] = ", \"property\": \"guest-stats\"";

		if (send_path_cmd(d, vm, CMD_STATS, vm->balloon, extra) == 0)
			vm->awaiting++;
		else if (vm->fd < 0)
			return;
	} else {
		snprintf(vm->src_stats, sizeof(vm->src_stats), "no balloon device");
	}
	if (send_cmd(d, vm, CMD_QBALLOON, NULL) == 0)
		vm->awaiting++;
}

void qmp_balloon(struct hd *d, struct hd_vm *vm, uint64_t mib)
{
	char args[64];

	snprintf(args, sizeof(args), "{\"value\": %llu}", (unsigned long long)(mib << 20));
	send_cmd(d, vm, CMD_BALLOON, args);
}
