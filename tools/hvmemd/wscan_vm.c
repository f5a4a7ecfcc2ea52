// SPDX-License-Identifier: GPL-2.0
/*
 * hvmemd write scan, the glue (the parsing is in wscan.c): every
 * write_scan_s, the pages of the QEMU process's guest RAM that have
 * soft-dirty set were written by the guest (or QEMU) since the last scan;
 * they go to the VM's curve, in address order, and soft-dirty is cleared
 * for the whole process (/proc/PID/clear_refs "4"). Clearing
 * write-protects the process's pages and, through the MMU notifier, drops
 * KVM's mappings of them, so each page's next write faults once through
 * the host's page tables and sets soft-dirty again: no instruction is
 * emulated, unlike KVM write tracking. See README.md "Write scan".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hvmemd.h"

#define WSCAN_CHUNK	4096	/* pagemap entries per read */
#define WSCAN_MAPS_S	60	/* re-read smaps at most this often */

void wscan_vm_close(struct hd_vm *vm)
{
	if (vm->ws.pm_fd >= 0)
		close(vm->ws.pm_fd);
	if (vm->ws.cr_fd >= 0)
		close(vm->ws.cr_fd);
	vm->ws.pm_fd = vm->ws.cr_fd = -1;
	vm->ws.pid = 0;
	vm->ws.nr = 0;
	vm->ws.maps_t = 0;
	vm->ws.at = 0;
	vm->ws.armed = false;
	vm->ws.written_s = 0;
}

static int wscan_open(struct hd_vm *vm)
{
	long psz = sysconf(_SC_PAGESIZE);
	char path[64];
	unsigned int i;
	FILE *f;
	int ret;

	if (vm->ws.pid != vm->pid) {
		wscan_vm_close(vm);
		vm->ws.pid = vm->pid;
	}
	if (vm->ws.pm_fd < 0) {
		snprintf(path, sizeof(path), "/proc/%d/pagemap", vm->pid);
		vm->ws.pm_fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (vm->ws.pm_fd >= 0 && vm->ws.cr_fd < 0) {
		snprintf(path, sizeof(path), "/proc/%d/clear_refs", vm->pid);
		vm->ws.cr_fd = open(path, O_WRONLY | O_CLOEXEC);
	}
	if (vm->ws.pm_fd < 0 || vm->ws.cr_fd < 0) {
		snprintf(vm->src_writes, sizeof(vm->src_writes), "%s: %s", path, strerror(errno));
		wscan_vm_close(vm);
		return -1;
	}
	if (vm->ws.nr && hd_now() < vm->ws.maps_t + WSCAN_MAPS_S)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/smaps", vm->pid);
	f = fopen(path, "re");
	if (!f) {
		snprintf(vm->src_writes, sizeof(vm->src_writes), "%s: %s", path, strerror(errno));
		return -1;
	}
	ret = wscan_parse_smaps(f, vm->ws.r, &vm->ws.nr);
	fclose(f);
	if (ret && ret != -E2BIG) {
		snprintf(vm->src_writes, sizeof(vm->src_writes), "%s: %s", path, strerror(-ret));
		vm->ws.nr = 0;
		return -1;
	}
	if (!vm->ws.nr) {
		snprintf(vm->src_writes, sizeof(vm->src_writes),
			 "no guest RAM mappings (VmFlags dc) in /proc/%d/smaps", vm->pid);
		return -1;
	}
	vm->ws.pages = 0;
	vm->ws.thp_pages = 0;
	for (i = 0; i < vm->ws.nr; i++) {
		vm->ws.pages += (vm->ws.r[i].end - vm->ws.r[i].start) / psz;
		vm->ws.thp_pages += vm->ws.r[i].thp_kib * 1024 / psz;
	}
	if (ret == -E2BIG && !vm->ws.maps_t)
		hd_log(LOG_W, "vm %s: more than %u guest RAM mappings: the first are scanned",
		       vm->c.name, WSCAN_RANGES_MAX);
	vm->ws.maps_t = hd_now();
	return 0;
}

/* Feed @n pages to the VM's curve, if it has one. */
static void wscan_feed(struct hd_vm *vm, uint64_t *pages, size_t n)
{
	struct hvmem_mrc_feed f = { .size = sizeof(f), .count = (uint32_t)n,
				    .pages = (uintptr_t)pages };

	if (!n || vm->mrc_fd < 0)
		return;
	if (ioctl(vm->mrc_fd, HVMEM_IOC_MRC_FEED, &f))
		hd_log(LOG_D, "vm %s: MRC_FEED: %s", vm->c.name, strerror(errno));
	else
		vm->ws.fed += f.count;
}

/* Read the ranges' pagemap: pages written since the last clear. */
static int wscan_read(struct hd *d, struct hd_vm *vm, uint64_t *written)
{
	static uint64_t pm[WSCAN_CHUNK];
	long psz = sysconf(_SC_PAGESIZE);
	size_t nbuf = 0;
	unsigned int i;

	*written = 0;
	for (i = 0; i < vm->ws.nr; i++) {
		uint64_t pg = vm->ws.r[i].start / psz, end = vm->ws.r[i].end / psz;

		while (pg < end) {
			size_t cnt = end - pg < WSCAN_CHUNK ? end - pg : WSCAN_CHUNK, k;
			ssize_t got = pread(vm->ws.pm_fd, pm, cnt * 8, (off_t)pg * 8);

			if (got < 0 || (size_t)got != cnt * 8) {
				snprintf(vm->src_writes, sizeof(vm->src_writes), "pagemap: %s",
					 got < 0 ? strerror(errno) : "short read");
				return -1;
			}
			if (nbuf + cnt > HVMEM_MRC_FEED_MAX) {
				wscan_feed(vm, d->ws_buf, nbuf);
				nbuf = 0;
			}
			k = wscan_dirty(pm, cnt, pg, d->ws_buf + nbuf);
			nbuf += k;
			*written += k;
			pg += cnt;
		}
	}
	wscan_feed(vm, d->ws_buf, nbuf);
	return 0;
}

void wscan_vm_scan(struct hd *d, struct hd_vm *vm)
{
	double now = hd_now(), t0, ms;
	uint64_t written = 0;

	if (!(d->cfg.g.write_scan_s > 0)) {
		snprintf(vm->src_writes, sizeof(vm->src_writes), "off (write_scan_s 0)");
		wscan_vm_close(vm);
		return;
	}
	if ((vm->ws.at && now < vm->ws.at + d->cfg.g.write_scan_s - 0.01) ||
	    now < vm->ws.retry_at)
		return;
	if (!d->ws_supported) {
		d->ws_supported = wscan_probe(d->ws_note, sizeof(d->ws_note));
		if (d->ws_supported > 0) {
			d->ws_buf = malloc(HVMEM_MRC_FEED_MAX * sizeof(*d->ws_buf));
			if (!d->ws_buf) {
				snprintf(d->ws_note, sizeof(d->ws_note), "out of memory");
				d->ws_supported = 0;	/* retried */
			}
		}
		if (d->ws_supported <= 0)
			hd_log(LOG_W, "write scan: %s", d->ws_note);
	}
	if (d->ws_supported <= 0) {
		snprintf(vm->src_writes, sizeof(vm->src_writes), "%s", d->ws_note);
		return;
	}
	if (vm->mrc_fd < 0) {
		/* what a scan costs the guest buys nothing without a curve */
		snprintf(vm->src_writes, sizeof(vm->src_writes), "off: no curve to feed");
		wscan_vm_close(vm);
		return;
	}
	if (!vm->pid) {
		snprintf(vm->src_writes, sizeof(vm->src_writes), "QEMU pid unknown");
		return;
	}
	t0 = hd_now();
	if (wscan_open(vm)) {
		/* no files or no guest RAM found: not before the next interval */
		vm->ws.retry_at = t0 + d->cfg.g.write_scan_s;
		return;
	}
	if (vm->ws.armed && wscan_read(d, vm, &written)) {
		wscan_vm_close(vm);
		return;
	}
	if (write(vm->ws.cr_fd, "4", 1) != 1) {
		snprintf(vm->src_writes, sizeof(vm->src_writes), "clear_refs: %s", strerror(errno));
		wscan_vm_close(vm);
		return;
	}
	ms = (hd_now() - t0) * 1000;
	if (vm->ws.armed) {
		vm->ws.written = written;
		vm->ws.written_s = t0 - vm->ws.at;
		vm->ws.scan_ms = ms;
		snprintf(vm->src_writes, sizeof(vm->src_writes),
			 "ok (%llu of %llu written in %.0f s, scan %.1f ms, %llu in THP)",
			 (unsigned long long)written, (unsigned long long)vm->ws.pages,
			 vm->ws.written_s, ms, (unsigned long long)vm->ws.thp_pages);
		hd_log(LOG_D, "vm %s: write scan: %llu of %llu pages written in %.2f s, scan %.1f ms",
		       vm->c.name, (unsigned long long)written, (unsigned long long)vm->ws.pages,
		       vm->ws.written_s, ms);
	} else {
		snprintf(vm->src_writes, sizeof(vm->src_writes), "first clear done (%.1f ms)", ms);
	}
	vm->ws.at = t0;
	vm->ws.armed = true;
}
