/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvmemd: shared declarations. main.c (event loop, period, decisions),
 * config.c (configuration file), qmp.c (QMP client per VM), hvsrc.c (hvmem
 * and host inputs), wscan_vm.c and wscan.c (the write scan: its glue, its
 * smaps and pagemap parsing), status.c (status socket, server and client).
 */
#ifndef HVMEMD_H
#define HVMEMD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/types.h>

#include "../../uapi/hvmem.h"
#include "policy.h"
#include "qmp_json.h"
#include "wscan.h"

#define HVMEMD_VERSION		"0.1.0"
#define HVMEMD_CONF		"/etc/hvmem/hvmemd.conf"
#define HVMEMD_SOCK		"/run/hvmemd.sock"
#define HVMEMD_NAME_LEN		64
#define HVMEMD_PATH_LEN		108	/* sun_path */
#define HVMEMD_QOM_LEN		256

/* Logging: syslog priorities; "<N>" prefixes under systemd, else timestamps. */
#define LOG_E	3
#define LOG_W	4
#define LOG_N	5
#define LOG_I	6
#define LOG_D	7
void hd_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
extern int hd_verbose;

/* Global settings ([global]); see README.md "Configuration". */
struct hd_global {
	uint64_t budget_mib;
	double idle_tax;
	double period_s;
	double hysteresis_pct;
	uint64_t max_step_mib;
	double swapin_storm_pages_s;
	double headroom_pct;
	double curve_margin_pct;
	uint64_t host_min_available_mib;
	double psi_some_avg10_max;
	double write_scan_s;		/* 0: off */
	char status_socket[HVMEMD_PATH_LEN];
};

/* One [vm NAME] section. */
struct hd_vmconf {
	char name[HVMEMD_NAME_LEN];
	char qmp[HVMEMD_PATH_LEN];
	char balloon[HVMEMD_QOM_LEN];	/* QOM path, "" to search */
	pid_t pid;			/* 0: from QMP */
	double shares;
	uint64_t min_mib, max_mib;	/* max 0: the VM's base memory */
};

struct hd_config {
	struct hd_global g;
	struct hd_vmconf *vms;
	size_t nvms;
};

/* 0, or -1 with a message "file:line: what" in @err. */
int config_load(const char *path, struct hd_config *c, char *err, size_t errlen);
void config_free(struct hd_config *c);

/* An epoll registrant: main.c dispatches on @kind. */
enum hd_ev_kind { EV_SIGNAL, EV_TICK, EV_DECIDE, EV_STATUS, EV_QMP };
struct hd_ev {
	enum hd_ev_kind kind;
	void *obj;
};

enum hd_vm_state { VM_DOWN, VM_SETUP, VM_READY };

/* Commands in flight, by reply id. */
enum hd_cmd {
	CMD_CAPS, CMD_MEMSIZE, CMD_CPUS, CMD_LIST_PERIPH, CMD_LIST_ANON, CMD_SETPOLL,
	CMD_STATS, CMD_QBALLOON, CMD_BALLOON,
};
#define HD_PEND_MAX	16
#define HD_OUT_MAX	8192

/* Where an input of a VM stands, for status. */
#define SRC_LEN		96

struct hd;

struct hd_vm {
	struct hd_vmconf c;
	struct hd *hd;
	struct hd_ev ev;
	int fd;
	enum hd_vm_state state;
	struct qmp_framer fr;
	char obuf[HD_OUT_MAX];
	size_t outlen;
	bool want_out;
	uint64_t next_id;
	struct { uint64_t id; enum hd_cmd kind; uint64_t period; } pend[HD_PEND_MAX];
	int npend;
	int setup_pending;
	int awaiting;		/* period replies still due */
	int silent_periods;	/* periods that ended with replies due */
	bool malformed;		/* a malformed reply this period */
	int bad_lines;		/* malformed lines this period */
	int rx_lines;		/* lines received this period */
	uint64_t malformed_count;	/* malformed lines, in all */
	double malformed_logged;	/* when one was last logged */
	double retry_at;

	/* discovery */
	char balloon[HVMEMD_QOM_LEN];
	bool no_balloon;
	pid_t pid, peer_pid;
	uint64_t base_mib;

	/* hvmem */
	uint32_t hv_id;
	bool hv_ours;
	int mrc_fd;
	uint64_t mrc_refs;
	double mrc_t;		/* refs at the start of the rate's window, when */
	bool mrc_rate_ok;	/* curve.refs_per_s is from a whole window */
	struct pol_curve curve;
	bool have_curve;
	struct hvmem_cache_vm cache;
	bool have_cache;
	/*
	 * swap-ins the host saw: gets from the VM's hvmem swap devices, per
	 * second between two samples (fresh each period, while the guest's
	 * own statistics can be minutes old under load)
	 */
	uint64_t gets_prev, puts_prev;
	double gets_t;
	double host_swapin_rate, host_swapout_rate;	/* gets/s, puts/s */
	bool have_host_swapin;

	/*
	 * write scan (wscan_vm.c): the QEMU process's pagemap and clear_refs,
	 * its guest RAM mappings, and what the last scan found
	 */
	struct {
		pid_t pid;		/* whose files these are */
		int pm_fd, cr_fd;
		struct wscan_range r[WSCAN_RANGES_MAX];
		unsigned int nr;
		uint64_t pages;		/* in r */
		uint64_t thp_pages;	/* of those, in huge pages (smaps) */
		double maps_t;		/* when r was read */
		double at;		/* the last scan (clear) */
		double retry_at;	/* after a failed open: not before */
		bool armed;		/* cleared: the next scan sees writes */
		uint64_t written;	/* pages the last scan found written */
		double written_s;	/* over that many seconds */
		double scan_ms;		/* what the last scan took */
		uint64_t fed;		/* pages fed to the curve, in all */
	} ws;
	char src_writes[SRC_LEN];

	/* measurements */
	struct qmp_gstats gs;
	bool gs_fresh;
	/*
	 * the guest's last-update and when (hd_now()) it last changed: a
	 * guest that stops updating (frozen, or its balloon driver stuck)
	 * keeps its old counters, and its swap-in rate is then unknown
	 */
	uint64_t gs_seen_update;
	double gs_seen_t;
	uint64_t swapin_prev, swapin_t_prev, swapout_prev;
	double swapin_rate, swapout_rate;
	bool have_swapin, have_swapout;
	uint64_t actual_bytes;
	uint64_t actual_prev_mib;	/* actual at the last decision */
	double actual_prev_t;
	/*
	 * what the guest's kernel keeps outside its total: actual - total,
	 * learned at a stats update when actual had not moved since the
	 * previous one (kept_update, kept_actual: that update and its actual)
	 */
	uint64_t kept_mib, kept_update, kept_actual;
	bool have_kept;
	bool actual_fresh, actual_known;

	/* decisions */
	uint64_t prev_desired;
	bool have_prev;
	bool scheduled;		/* part of the last decision */
	struct pol_vm_out out;
	uint64_t last_target;
	char last_reason[POL_REASON_LEN];
	char src_stats[SRC_LEN], src_curve[SRC_LEN], src_cache[SRC_LEN], note[SRC_LEN];
	double decided_at;
};

/* The daemon's state (main.c). */
struct hd {
	struct hd_config cfg;
	const char *cfg_path;
	struct hd_vm **vms;
	size_t nvms;
	int epfd, sigfd, tickfd, decidefd, statusfd;
	struct hd_ev ev_sig, ev_tick, ev_decide, ev_status;
	bool no_hvmem, dry_run;
	int hvfd;
	char hv_note[SRC_LEN];
	int ws_supported;		/* soft-dirty: 0 not probed, 1 yes, -1 no */
	char ws_note[SRC_LEN];		/* why not */
	uint64_t *ws_buf;		/* HVMEM_MRC_FEED_MAX page numbers */
	bool decide_armed;
	uint64_t periods;
	double started, reloaded;
	/* host */
	uint64_t host_avail_mib;
	bool have_host_avail;
	double psi_some10, psi_full10;
	bool have_psi;
	struct pol_result res;
	bool host_pressure;
	char status_path[HVMEMD_PATH_LEN];
};

double hd_now(void);	/* CLOCK_MONOTONIC seconds */

/* qmp.c */
void qmp_connect(struct hd *d, struct hd_vm *vm);
void qmp_drop(struct hd *d, struct hd_vm *vm, const char *why);
void qmp_event(struct hd *d, struct hd_vm *vm, uint32_t events);
void qmp_period(struct hd *d, struct hd_vm *vm);	/* send the period's queries */
void qmp_balloon(struct hd *d, struct hd_vm *vm, uint64_t mib);
/* after this period's guest-stats and query-balloon replies: learn kept_mib */
void qmp_learn_kept(struct hd_vm *vm);
/* main.c: a period reply arrived (decide early when none is due) */
void hd_reply_done(struct hd *d);

/* wscan_vm.c */
void wscan_vm_scan(struct hd *d, struct hd_vm *vm);	/* scan and clear, when due */
void wscan_vm_close(struct hd_vm *vm);			/* close its files */

/* hvsrc.c */
void hv_tick(struct hd *d);			/* open /dev/hvmem if it appeared */
void hv_vm_sample(struct hd *d, struct hd_vm *vm);	/* bind, curve, cache */
void hv_vm_release(struct hd *d, struct hd_vm *vm);	/* unbind if ours, close */
void host_sample(struct hd *d);
pid_t pid_of_thread(pid_t tid);

/* status.c */
int status_listen(struct hd *d, const char *path);
void status_close(struct hd *d);
void status_accept(struct hd *d);
int status_client(const char *path, bool json);

#endif /* HVMEMD_H */
