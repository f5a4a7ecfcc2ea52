// SPDX-License-Identifier: GPL-2.0
/*
 * hvmemd - the hvmem memory scheduler daemon.
 *
 *   hvmemd [-c FILE] [--no-hvmem] [--dry-run] [-v]     run (in the foreground)
 *   hvmemd --status [-j] [-s SOCKET | -c FILE]         print a running daemon's status
 *
 * One process, one epoll loop: a signalfd (SIGHUP reloads the
 * configuration, SIGTERM/SIGINT exit cleanly), a period timerfd that sends
 * each VM's queries, a decision timerfd (or the last reply) that runs the
 * policy and sends the balloon targets, the status socket and each VM's
 * QMP socket. See README.md.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "hvmemd.h"

int hd_verbose;
static bool log_prefix;	/* systemd: "<N>" priority prefixes */

void hd_log(int prio, const char *fmt, ...)
{
	static const char *const names[] = { "emerg", "alert", "crit", "error", "warning",
					     "notice", "info", "debug" };
	char ts[32];
	va_list ap;

	if (prio >= LOG_D && !hd_verbose)
		return;
	if (log_prefix) {
		fprintf(stderr, "<%d>", prio);
	} else {
		struct timespec t;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &t);
		localtime_r(&t.tv_sec, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ld hvmemd[%d]: %s: ", ts, t.tv_nsec / 1000000, getpid(),
			names[prio & 7]);
	}
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

double hd_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static void arm(int fd, double first, double every)
{
	struct itimerspec it = { };

	it.it_value.tv_sec = (time_t)first;
	it.it_value.tv_nsec = (long)((first - floor(first)) * 1e9);
	if (!it.it_value.tv_sec && !it.it_value.tv_nsec)
		it.it_value.tv_nsec = 1;
	it.it_interval.tv_sec = (time_t)every;
	it.it_interval.tv_nsec = (long)((every - floor(every)) * 1e9);
	timerfd_settime(fd, 0, &it, NULL);
}

static struct hd_vm *vm_new(struct hd *d, const struct hd_vmconf *c)
{
	struct hd_vm *vm = calloc(1, sizeof(*vm));

	if (!vm)
		return NULL;
	vm->c = *c;
	vm->hd = d;
	vm->fd = -1;
	vm->mrc_fd = -1;
	vm->ws.pm_fd = vm->ws.cr_fd = -1;
	vm->ev.kind = EV_QMP;
	vm->ev.obj = vm;
	snprintf(vm->note, sizeof(vm->note), "not connected yet");
	return vm;
}

static void vm_free(struct hd *d, struct hd_vm *vm)
{
	if (vm->fd >= 0) {
		epoll_ctl(d->epfd, EPOLL_CTL_DEL, vm->fd, NULL);
		close(vm->fd);
		vm->fd = -1;
	}
	hv_vm_release(d, vm);
	qmp_framer_reset(&vm->fr);
	free(vm);
}

/* The guest's rate or the host's, whichever is known and higher (0: none). */
static double higher_rate(bool have_guest, double guest, bool have_host, double host)
{
	double r = have_guest ? guest : 0;

	return have_host && host > r ? host : r;
}

/*
 * Run the policy over the VMs that answered QMP (and have a balloon) and
 * send the balloon commands. VMs with a malformed or missing reply are held.
 */
static void decide(struct hd *d)
{
	const struct hd_global *cg = &d->cfg.g;
	struct pol_global g = {
		.budget_mib = cg->budget_mib, .idle_tax = cg->idle_tax,
		.headroom_pct = cg->headroom_pct, .hysteresis_pct = cg->hysteresis_pct,
		.max_step_mib = cg->max_step_mib, .swapin_storm_pages_s = cg->swapin_storm_pages_s,
		.curve_margin_pct = cg->curve_margin_pct,
	};
	struct pol_vm_in *in = calloc(d->nvms + 1, sizeof(*in));
	struct pol_vm_out *out = calloc(d->nvms + 1, sizeof(*out));
	struct hd_vm **map = calloc(d->nvms + 1, sizeof(*map));
	size_t i, n = 0;

	d->decide_armed = false;
	{
		struct itimerspec off = { };

		timerfd_settime(d->decidefd, 0, &off, NULL);
	}
	if (!in || !out || !map) {
		hd_log(LOG_E, "decision skipped: out of memory");
		goto out;
	}
	d->host_pressure = (d->have_host_avail && d->host_avail_mib < cg->host_min_available_mib) ||
			   (d->have_psi && cg->psi_some_avg10_max > 0 &&
			    d->psi_some10 > cg->psi_some_avg10_max);
	g.host_pressure = d->host_pressure;
	for (i = 0; i < d->nvms; i++) {
		struct hd_vm *vm = d->vms[i];
		struct pol_vm_in *v = &in[n];
		uint64_t max = vm->c.max_mib ? vm->c.max_mib : vm->base_mib;
		bool pending;

		vm->scheduled = false;
		if (vm->state != VM_READY || vm->no_balloon)
			continue;
		if (!max) {
			snprintf(vm->note, sizeof(vm->note), "max unknown: set max_mib");
			continue;
		}
		v->shares = vm->c.shares;
		v->min_mib = vm->c.min_mib < max ? vm->c.min_mib : max;
		v->max_mib = max;
		if (vm->malformed || vm->awaiting)
			v->valid |= POL_HELD;
		if (vm->gs_fresh) {
			v->valid |= POL_HAVE_STATS;
			v->total_mib = vm->gs.v[GS_TOTAL] >> 20;
			v->avail_mib = vm->gs.v[GS_AVAILABLE] >> 20;
			v->free_mib = (vm->gs.have & (1u << GS_FREE)) ? vm->gs.v[GS_FREE] >> 20 : 0;
		}
		/*
		 * The guest's rate or the host's, whichever is higher. The
		 * host sees only the hvmem swap devices: while the guest has
		 * a counter but no rate yet, a host rate under the storm
		 * threshold leaves the rate pending (not shrunk).
		 */
		pending = vm->gs_fresh && (vm->gs.have & (1u << GS_SWAP_IN)) && !vm->have_swapin;
		if (vm->have_swapin || (vm->have_host_swapin &&
					(!pending || vm->host_swapin_rate > cg->swapin_storm_pages_s))) {
			v->valid |= POL_HAVE_SWAPIN;
			v->swapin_pages_s = higher_rate(vm->have_swapin, vm->swapin_rate,
							vm->have_host_swapin, vm->host_swapin_rate);
		} else if (pending) {
			v->valid |= POL_SWAPIN_PENDING;
		}
		/*
		 * Swap-out the balloon did not cause: the rate, less what the
		 * balloon took since the last decision (pages/s), if it took any.
		 */
		if ((vm->have_swapin || vm->have_host_swapin) && vm->actual_known) {
			double now = hd_now();
			double rate = higher_rate(vm->have_swapout, vm->swapout_rate,
						  vm->have_host_swapin, vm->host_swapout_rate);
			uint64_t actual = vm->actual_bytes >> 20;

			v->valid |= POL_HAVE_SWAPOUT;
			v->swapout_pages_s = pol_swapout_not_ballooned(rate, vm->actual_prev_mib, actual,
						vm->actual_prev_t ? now - vm->actual_prev_t : 0);
			vm->actual_prev_mib = actual;
			vm->actual_prev_t = now;
		}
		if (vm->actual_known) {
			v->valid |= POL_HAVE_ACTUAL;
			v->actual_mib = vm->actual_bytes >> 20;
		}
		qmp_learn_kept(vm);
		if (vm->have_kept) {
			v->valid |= POL_HAVE_KEPT;
			v->kept_mib = vm->kept_mib;
		}
		if (vm->have_prev) {
			v->valid |= POL_HAVE_PREV;
			v->prev_desired_mib = vm->prev_desired;
		}
		if (vm->have_curve) {
			v->valid |= POL_HAVE_CURVE;
			v->curve = vm->curve;
		}
		map[n++] = vm;
	}
	if (pol_decide(&g, in, out, n, &d->res)) {
		hd_log(LOG_E, "policy refused its inputs (bad configuration?)");
		goto out;
	}
	if (d->res.infeasible)
		hd_log(LOG_W, "infeasible: the VMs' mins (%llu MiB) exceed the budget (%llu MiB)",
		       (unsigned long long)d->res.sum_min_mib, (unsigned long long)g.budget_mib);
	for (i = 0; i < n; i++) {
		struct hd_vm *vm = map[i];
		struct pol_vm_out *o = &out[i];
		bool changed = !vm->decided_at || o->target_mib != vm->last_target;
		char actual[32] = "unknown";

		vm->scheduled = true;
		vm->out = *o;
		vm->decided_at = hd_now();
		if (!(in[i].valid & POL_HELD)) {
			vm->prev_desired = o->desired_mib;
			vm->have_prev = true;
		}
		if ((o->flags & POL_OUT_COMMAND) && !d->dry_run)
			qmp_balloon(d, vm, o->command_mib);
		if (in[i].valid & POL_HAVE_ACTUAL)
			snprintf(actual, sizeof(actual), "%llu MiB",
				 (unsigned long long)in[i].actual_mib);
		if (changed || (o->flags & (POL_OUT_COMMAND | POL_OUT_STORM)) ||
		    strcmp(o->reason, vm->last_reason))
			hd_log(LOG_N, "vm %s: target %llu MiB%s%s (actual %s, rho %.3g, f %.2f): %s",
			       vm->c.name, (unsigned long long)o->target_mib,
			       (o->flags & POL_OUT_COMMAND) ? ", balloon " : "",
			       (o->flags & POL_OUT_COMMAND) ? (d->dry_run ? "(dry run)" : "set") : "",
			       actual, o->rho, o->f, o->reason);
		vm->last_target = o->target_mib;
		snprintf(vm->last_reason, sizeof(vm->last_reason), "%s", o->reason);
	}
out:
	free(in);
	free(out);
	free(map);
}

void hd_reply_done(struct hd *d)
{
	size_t i;

	if (!d->decide_armed)
		return;
	for (i = 0; i < d->nvms; i++)
		if (d->vms[i]->state == VM_READY && d->vms[i]->awaiting)
			return;
	decide(d);
}

static void tick(struct hd *d)
{
	double now = hd_now();
	size_t i;

	d->periods++;
	d->decide_armed = false;	/* no early decision while the queries go out */
	host_sample(d);
	hv_tick(d);
	for (i = 0; i < d->nvms; i++) {
		struct hd_vm *vm = d->vms[i];

		if (vm->state == VM_SETUP && ++vm->silent_periods > 3)
			qmp_drop(d, vm, "QMP setup did not finish in 3 periods");
		if (vm->state == VM_DOWN && now >= vm->retry_at - 0.01)
			qmp_connect(d, vm);
		if (vm->state == VM_READY) {
			hv_vm_sample(d, vm);
			wscan_vm_scan(d, vm);
			qmp_period(d, vm);
		}
	}
	/* replies normally come in milliseconds; decide at the latest then */
	d->decide_armed = true;
	arm(d->decidefd, d->cfg.g.period_s / 2 < 1 ? d->cfg.g.period_s / 2 : 1, 0);
	hd_reply_done(d);
}

static void reload(struct hd *d)
{
	struct hd_config nc;
	struct hd_vm **nv;
	char err[256];
	size_t i, j, added = 0, removed = 0;

	if (config_load(d->cfg_path, &nc, err, sizeof(err))) {
		hd_log(LOG_E, "reload failed, keeping the old configuration: %s", err);
		return;
	}
	nv = calloc(nc.nvms + 1, sizeof(*nv));
	if (!nv) {
		hd_log(LOG_E, "reload failed: out of memory");
		config_free(&nc);
		return;
	}
	for (i = 0; i < nc.nvms; i++) {
		for (j = 0; j < d->nvms; j++)
			if (d->vms[j] && !strcmp(d->vms[j]->c.name, nc.vms[i].name) &&
			    !strcmp(d->vms[j]->c.qmp, nc.vms[i].qmp))
				break;
		if (j < d->nvms) {
			struct hd_vm *vm = d->vms[j];

			if (vm->c.pid != nc.vms[i].pid || strcmp(vm->c.balloon, nc.vms[i].balloon)) {
				vm->c = nc.vms[i];
				qmp_drop(d, vm, "pid or balloon changed in the configuration");
				vm->retry_at = 0;
			}
			vm->c = nc.vms[i];
			nv[i] = vm;
			d->vms[j] = NULL;
		} else {
			nv[i] = vm_new(d, &nc.vms[i]);
			if (!nv[i]) {
				hd_log(LOG_E, "reload: out of memory for vm %s", nc.vms[i].name);
				continue;
			}
			added++;
		}
	}
	for (j = 0; j < d->nvms; j++) {
		if (!d->vms[j])
			continue;
		hd_log(LOG_I, "vm %s: removed from the configuration", d->vms[j]->c.name);
		vm_free(d, d->vms[j]);
		removed++;
	}
	/* compact (a VM that could not be allocated is left out) */
	for (i = j = 0; i < nc.nvms; i++)
		if (nv[i])
			nv[j++] = nv[i];
	free(d->vms);
	d->vms = nv;
	d->nvms = j;
	if (strcmp(nc.g.status_socket, d->cfg.g.status_socket))
		hd_log(LOG_W, "reload: status_socket changes need a restart");
	snprintf(nc.g.status_socket, sizeof(nc.g.status_socket), "%s", d->cfg.g.status_socket);
	if (nc.g.period_s != d->cfg.g.period_s)
		arm(d->tickfd, nc.g.period_s, nc.g.period_s);
	config_free(&d->cfg);
	d->cfg = nc;
	d->reloaded = hd_now();
	hd_log(LOG_N, "reloaded %s: %zu VMs (%zu added, %zu removed), budget %llu MiB, idle tax %g",
	       d->cfg_path, d->nvms, added, removed, (unsigned long long)d->cfg.g.budget_mib,
	       d->cfg.g.idle_tax);
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: hvmemd [-c FILE] [--no-hvmem] [--dry-run] [-v]\n"
		   "       hvmemd --status [-j] [-s SOCKET | -c FILE]\n\n"
		   "  -c, --config FILE   configuration (default " HVMEMD_CONF ")\n"
		   "  -s, --socket PATH   status socket (default: the config's status_socket)\n"
		   "      --no-hvmem      do not use /dev/hvmem (no curves, no cache counters)\n"
		   "      --dry-run       decide and log, but set no balloon\n"
		   "      --status        print the status of the running daemon\n"
		   "  -j, --json          with --status: JSON\n"
		   "  -v, --verbose       debug messages\n"
		   "  -V, --version       print the version\n");
}

static int setup(struct hd *d, const char *sock)
{
	struct epoll_event e = { .events = EPOLLIN };
	sigset_t set;
	size_t i;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	d->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	d->tickfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->decidefd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (d->epfd < 0 || d->sigfd < 0 || d->tickfd < 0 || d->decidefd < 0) {
		hd_log(LOG_E, "setup: %s", strerror(errno));
		return -1;
	}
	d->ev_sig.kind = EV_SIGNAL;
	d->ev_tick.kind = EV_TICK;
	d->ev_decide.kind = EV_DECIDE;
	d->ev_status.kind = EV_STATUS;
	e.data.ptr = &d->ev_sig;
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->sigfd, &e);
	e.data.ptr = &d->ev_tick;
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->tickfd, &e);
	e.data.ptr = &d->ev_decide;
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->decidefd, &e);
	if (status_listen(d, sock))
		return -1;
	d->vms = calloc(d->cfg.nvms + 1, sizeof(*d->vms));
	if (!d->vms)
		return -1;
	for (i = 0; i < d->cfg.nvms; i++) {
		d->vms[i] = vm_new(d, &d->cfg.vms[i]);
		if (!d->vms[i])
			return -1;
		d->nvms++;
	}
	d->started = hd_now();
	arm(d->tickfd, 0, d->cfg.g.period_s);
	return 0;
}

static void shutdown_all(struct hd *d)
{
	size_t i;

	for (i = 0; i < d->nvms; i++)
		vm_free(d, d->vms[i]);
	free(d->vms);
	d->vms = NULL;
	d->nvms = 0;
	status_close(d);
	if (d->hvfd >= 0)
		close(d->hvfd);
	free(d->ws_buf);
	d->ws_buf = NULL;
	close(d->sigfd);
	close(d->tickfd);
	close(d->decidefd);
	close(d->epfd);
	config_free(&d->cfg);
}

static int run(struct hd *d)
{
	for (;;) {
		struct epoll_event evs[32];
		int n = epoll_wait(d->epfd, evs, 32, -1), i;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			hd_log(LOG_E, "epoll_wait: %s", strerror(errno));
			return 1;
		}
		for (i = 0; i < n; i++) {
			struct hd_ev *ev = evs[i].data.ptr;
			uint64_t ticks;

			switch (ev->kind) {
			case EV_SIGNAL: {
				struct signalfd_siginfo si;

				while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
					if (si.ssi_signo == SIGHUP) {
						hd_log(LOG_N, "SIGHUP: reloading %s", d->cfg_path);
						reload(d);
					} else {
						hd_log(LOG_N, "%s: exiting", strsignal((int)si.ssi_signo));
						return 0;
					}
				}
				/* the VM table may have changed: drop this batch */
				n = 0;
				break;
			}
			case EV_TICK:
				if (read(d->tickfd, &ticks, sizeof(ticks)) == sizeof(ticks))
					tick(d);
				break;
			case EV_DECIDE:
				if (read(d->decidefd, &ticks, sizeof(ticks)) == sizeof(ticks) &&
				    d->decide_armed)
					decide(d);
				break;
			case EV_STATUS:
				status_accept(d);
				break;
			case EV_QMP:
				qmp_event(d, ev->obj, evs[i].events);
				break;
			}
		}
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "no-hvmem", no_argument, NULL, 'H' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "status", no_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct hd d = { .cfg_path = HVMEMD_CONF, .hvfd = -1, .statusfd = -1 };
	const char *sock = NULL;
	bool status = false, json = false, cfg_given = false;
	char err[256];
	int c, ret;

	while ((c = getopt_long(argc, argv, "c:s:jvVh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			d.cfg_path = optarg;
			cfg_given = true;
			break;
		case 's':
			sock = optarg;
			break;
		case 'H':
			d.no_hvmem = true;
			break;
		case 'n':
			d.dry_run = true;
			break;
		case 'S':
			status = true;
			break;
		case 'j':
			json = true;
			break;
		case 'v':
			hd_verbose = 1;
			break;
		case 'V':
			printf("hvmemd %s\n", HVMEMD_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 1;
	}
	if (status) {
		if (!sock && cfg_given) {
			if (config_load(d.cfg_path, &d.cfg, err, sizeof(err))) {
				fprintf(stderr, "hvmemd: %s\n", err);
				return 1;
			}
			ret = status_client(d.cfg.g.status_socket, json);
			config_free(&d.cfg);
			return ret;
		}
		return status_client(sock ? sock : HVMEMD_SOCK, json);
	}
	log_prefix = getenv("JOURNAL_STREAM") != NULL;
	if (config_load(d.cfg_path, &d.cfg, err, sizeof(err))) {
		hd_log(LOG_E, "%s", err);
		return 1;
	}
	if (sock)
		snprintf(d.cfg.g.status_socket, sizeof(d.cfg.g.status_socket), "%s", sock);
	hd_log(LOG_N, "hvmemd %s: %s, %zu VMs, budget %llu MiB, idle tax %g, period %gs%s%s",
	       HVMEMD_VERSION, d.cfg_path, d.cfg.nvms, (unsigned long long)d.cfg.g.budget_mib,
	       d.cfg.g.idle_tax, d.cfg.g.period_s, d.no_hvmem ? ", without hvmem" : "",
	       d.dry_run ? ", dry run" : "");
	if (setup(&d, d.cfg.g.status_socket)) {
		shutdown_all(&d);
		return 1;
	}
	ret = run(&d);
	shutdown_all(&d);
	hd_log(LOG_I, "stopped");
	return ret;
}
