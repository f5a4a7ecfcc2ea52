// SPDX-License-Identifier: GPL-2.0
/*
 * hvmemd inputs besides QMP: hvmem (/dev/hvmem: bind the QEMU process by
 * pid, its miss-rate curve from hvmem_mrc, its exclusive-cache counters)
 * and the host (/proc/meminfo MemAvailable, /proc/pressure/memory). Each
 * source may be missing; what is missing is noted for status.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hvmemd.h"

#define MRC_SYSFS	"/sys/kernel/mm/hvmem/mrc/vms"

void hv_tick(struct hd *d)
{
	char note[SRC_LEN];
	int fd;

	if (d->no_hvmem) {
		snprintf(d->hv_note, sizeof(d->hv_note), "off (--no-hvmem)");
		return;
	}
	if (d->hvfd >= 0)
		return;
	fd = open("/dev/" HVMEM_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(note, sizeof(note), "unavailable: /dev/hvmem: %s", strerror(errno));
		if (strcmp(note, d->hv_note))
			hd_log(LOG_W, "hvmem %s: curve and cache inputs off", note);
		snprintf(d->hv_note, sizeof(d->hv_note), "%s", note);
		return;
	}
	d->hvfd = fd;
	snprintf(d->hv_note, sizeof(d->hv_note), "ok");
	hd_log(LOG_I, "hvmem: /dev/hvmem opened");
}

static void hv_lost(struct hd *d, int err)
{
	size_t i;

	/* ENODEV/ENXIO: the module went away under us */
	hd_log(LOG_W, "hvmem: %s: closing /dev/hvmem", strerror(err));
	close(d->hvfd);
	d->hvfd = -1;
	for (i = 0; i < d->nvms; i++) {
		struct hd_vm *vm = d->vms[i];

		if (vm->mrc_fd >= 0)
			close(vm->mrc_fd);
		vm->mrc_fd = -1;
		vm->hv_id = 0;
		vm->hv_ours = false;
		vm->gets_t = 0;
		vm->have_curve = vm->have_cache = vm->have_host_swapin = false;
	}
}

/* The id of the VM bound for process @pid, or 0. */
static uint32_t find_bound(int fd, pid_t pid)
{
	struct hvmem_vm_info e[256];
	struct hvmem_vm_list l = { .size = sizeof(l), .entry_size = sizeof(e[0]),
				   .count = 256, .entries = (uintptr_t)e };
	uint32_t i;

	if (ioctl(fd, HVMEM_IOC_VM_LIST, &l))
		return 0;
	for (i = 0; i < l.count && i < 256; i++)
		if (e[i].pid == pid && !(e[i].flags & HVMEM_VM_DYING))
			return e[i].id;
	return 0;
}

static void bind_vm(struct hd *d, struct hd_vm *vm)
{
	struct hvmem_vm_bind b = { .size = sizeof(b), .flags = HVMEM_BIND_BY_PID,
				   .kvm_fd = -1, .pid = vm->pid };

	if (!ioctl(d->hvfd, HVMEM_IOC_VM_BIND, &b)) {
		vm->hv_id = b.id;
		vm->hv_ours = true;
		hd_log(LOG_I, "vm %s: bound to hvmem as vm %u (pid %d)", vm->c.name, b.id, vm->pid);
		return;
	}
	if (errno == EEXIST) {
		vm->hv_id = find_bound(d->hvfd, vm->pid);
		vm->hv_ours = false;
		if (vm->hv_id)
			hd_log(LOG_I, "vm %s: already bound to hvmem as vm %u", vm->c.name, vm->hv_id);
		return;
	}
	snprintf(vm->src_curve, sizeof(vm->src_curve), "bind pid %d: %s", vm->pid, strerror(errno));
	if (errno == ENODEV || errno == ENXIO)
		hv_lost(d, errno);
}

static int curve_open(struct hd *d, struct hd_vm *vm)
{
	struct hvmem_mrc_open o = { .size = sizeof(o), .vm_id = vm->hv_id };
	char path[128];
	int fd;

	if (!ioctl(d->hvfd, HVMEM_IOC_MRC_OPEN, &o))
		return o.fd;
	if (errno == ENOTTY) {
		snprintf(vm->src_curve, sizeof(vm->src_curve), "hvmem_mrc not loaded");
		return -1;
	}
	if (errno != ENODATA) {
		snprintf(vm->src_curve, sizeof(vm->src_curve), "MRC_OPEN: %s", strerror(errno));
		return -1;
	}
	/* no curve yet: turn it on */
	snprintf(path, sizeof(path), MRC_SYSFS "/%u/enabled", vm->hv_id);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "1", 1) != 1) {
		snprintf(vm->src_curve, sizeof(vm->src_curve), "enable curve: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	hd_log(LOG_I, "vm %s: miss-rate curve enabled", vm->c.name);
	if (!ioctl(d->hvfd, HVMEM_IOC_MRC_OPEN, &o))
		return o.fd;
	snprintf(vm->src_curve, sizeof(vm->src_curve), "MRC_OPEN: %s", strerror(errno));
	return -1;
}

/*
 * Seconds over which a curve's reference rate is taken: a period, or the
 * write scan's interval once the scan has fed this curve.
 */
static double curve_window(const struct hd *d, const struct hd_vm *vm)
{
	return d->cfg.g.write_scan_s > 0 && vm->ws.fed ? d->cfg.g.write_scan_s : 0;
}

static void curve_query(struct hd *d, struct hd_vm *vm, uint64_t max_mib)
{
	uint64_t sizes[POL_CURVE_MAX];
	uint32_t ratios[POL_CURVE_MAX];
	struct hvmem_mrc_query q = { .size = sizeof(q), .count = POL_CURVE_MAX,
				     .sizes = (uintptr_t)sizes, .ratios = (uintptr_t)ratios };
	long psz = sysconf(_SC_PAGESIZE);
	uint64_t max_pages = max_mib * (1048576 / (uint64_t)psz);
	double now = hd_now();
	unsigned int i;

	vm->have_curve = false;
	for (i = 0; i < POL_CURVE_MAX; i++)
		sizes[i] = max_pages * (i + 1) / POL_CURVE_MAX;
	if (ioctl(vm->mrc_fd, HVMEM_IOC_MRC_QUERY, &q)) {
		snprintf(vm->src_curve, sizeof(vm->src_curve), "MRC_QUERY: %s", strerror(errno));
		close(vm->mrc_fd);
		vm->mrc_fd = -1;
		return;
	}
	if (q.state & HVMEM_MRC_DETACHED) {
		snprintf(vm->src_curve, sizeof(vm->src_curve), "curve detached (VM unbound)");
		close(vm->mrc_fd);
		vm->mrc_fd = -1;
		vm->hv_id = 0;
		vm->hv_ours = false;
		vm->gets_t = 0;
		return;
	}
	if (!vm->mrc_t || q.refs < vm->mrc_refs || now <= vm->mrc_t) {
		vm->mrc_refs = q.refs;
		vm->mrc_t = now;
		vm->mrc_rate_ok = false;
		snprintf(vm->src_curve, sizeof(vm->src_curve), "warming up (%llu refs)",
			 (unsigned long long)q.refs);
		return;
	}
	/*
	 * references per second: the write scan feeds its pages in one burst
	 * per write_scan_s, so once it has fed this curve the rate is taken
	 * over that long (over a period, it would be 0 in most and a burst in
	 * one); the last window's rate holds in between
	 */
	if (now - vm->mrc_t >= curve_window(d, vm) - 0.01) {
		vm->curve.refs_per_s = (double)(q.refs - vm->mrc_refs) / (now - vm->mrc_t);
		vm->mrc_refs = q.refs;
		vm->mrc_t = now;
		vm->mrc_rate_ok = true;
	} else if (!vm->mrc_rate_ok) {
		snprintf(vm->src_curve, sizeof(vm->src_curve),
			 "warming up (%llu refs; a rate over %.0f s)", (unsigned long long)q.refs,
			 curve_window(d, vm));
		return;
	}
	if (!q.refs) {
		snprintf(vm->src_curve, sizeof(vm->src_curve), "no references yet");
		return;
	}
	vm->curve.n = POL_CURVE_MAX;
	for (i = 0; i < POL_CURVE_MAX; i++) {
		vm->curve.size_mib[i] = (double)sizes[i] * (double)psz / 1048576.0;
		vm->curve.ratio[i] = (double)ratios[i] / HVMEM_MRC_RATIO_ONE;
	}
	vm->have_curve = true;
	snprintf(vm->src_curve, sizeof(vm->src_curve), "ok (%llu refs, %.0f/s)",
		 (unsigned long long)q.refs, vm->curve.refs_per_s);
}

void hv_vm_sample(struct hd *d, struct hd_vm *vm)
{
	uint64_t max = vm->c.max_mib ? vm->c.max_mib : vm->base_mib;

	vm->have_curve = vm->have_cache = vm->have_host_swapin = false;
	if (d->hvfd < 0) {
		snprintf(vm->src_curve, sizeof(vm->src_curve), "hvmem %.80s", d->hv_note);
		snprintf(vm->src_cache, sizeof(vm->src_cache), "hvmem %.80s", d->hv_note);
		return;
	}
	if (!vm->pid) {
		snprintf(vm->src_curve, sizeof(vm->src_curve), "QEMU pid unknown");
		snprintf(vm->src_cache, sizeof(vm->src_cache), "QEMU pid unknown");
		return;
	}
	if (!vm->hv_id)
		bind_vm(d, vm);
	if (!vm->hv_id || d->hvfd < 0)
		return;
	if (vm->mrc_fd < 0)
		vm->mrc_fd = curve_open(d, vm);
	if (vm->mrc_fd >= 0 && max)
		curve_query(d, vm, max);
	if (!vm->hv_id)
		return;
	memset(&vm->cache, 0, sizeof(vm->cache));
	vm->cache.size = sizeof(vm->cache);
	vm->cache.vm_id = vm->hv_id;
	if (!ioctl(d->hvfd, HVMEM_IOC_CACHE_VM_STATS, &vm->cache)) {
		double now = hd_now();

		vm->have_cache = true;
		snprintf(vm->src_cache, sizeof(vm->src_cache), "ok");
		vm->have_host_swapin = vm->gets_t && now > vm->gets_t &&
				       vm->cache.gets >= vm->gets_prev &&
				       vm->cache.puts >= vm->puts_prev;
		if (vm->have_host_swapin) {
			vm->host_swapin_rate = (double)(vm->cache.gets - vm->gets_prev) /
					       (now - vm->gets_t);
			vm->host_swapout_rate = (double)(vm->cache.puts - vm->puts_prev) /
						(now - vm->gets_t);
		}
		vm->gets_prev = vm->cache.gets;
		vm->puts_prev = vm->cache.puts;
		vm->gets_t = now;
	} else {
		snprintf(vm->src_cache, sizeof(vm->src_cache), "%s",
			 errno == ENOENT ? "no cache use" : strerror(errno));
	}
}

void hv_vm_release(struct hd *d, struct hd_vm *vm)
{
	wscan_vm_close(vm);
	if (vm->mrc_fd >= 0)
		close(vm->mrc_fd);
	vm->mrc_fd = -1;
	vm->mrc_t = 0;
	vm->mrc_rate_ok = false;
	vm->gets_t = 0;
	vm->src_writes[0] = '\0';
	vm->have_curve = vm->have_cache = vm->have_host_swapin = false;
	if (vm->hv_id && vm->hv_ours && d->hvfd >= 0) {
		struct hvmem_vm_unbind u = { .size = sizeof(u), .id = vm->hv_id };

		if (ioctl(d->hvfd, HVMEM_IOC_VM_UNBIND, &u) && errno != ENOENT)
			hd_log(LOG_W, "vm %s: unbind hvmem vm %u: %s", vm->c.name, vm->hv_id,
			       strerror(errno));
		else
			hd_log(LOG_I, "vm %s: unbound hvmem vm %u", vm->c.name, vm->hv_id);
	}
	vm->hv_id = 0;
	vm->hv_ours = false;
}

pid_t pid_of_thread(pid_t tid)
{
	char path[64], line[128];
	pid_t pid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &pid) == 1)
			break;
	fclose(f);
	return pid;
}

void host_sample(struct hd *d)
{
	char line[256];
	FILE *f;

	d->have_host_avail = d->have_psi = false;
	f = fopen("/proc/meminfo", "re");
	if (f) {
		unsigned long long kb;

		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) {
				d->host_avail_mib = kb >> 10;
				d->have_host_avail = true;
				break;
			}
		fclose(f);
	}
	f = fopen("/proc/pressure/memory", "re");
	if (f) {
		double a;

		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "some avg10=%lf", &a) == 1) {
				d->psi_some10 = a;
				d->have_psi = true;
			} else if (sscanf(line, "full avg10=%lf", &a) == 1) {
				d->psi_full10 = a;
			}
		}
		fclose(f);
	}
}
