/* SPDX-License-Identifier: GPL-2.0 */
/* hvmemctl mrc: a miss-rate curve, shared by mrc.c (show) and mrc_replay.c (replay). */
#ifndef HVMEMCTL_MRC_CURVE_H
#define HVMEMCTL_MRC_CURVE_H

#include <stdint.h>

struct mrc_curve {
	uint64_t *sizes;
	uint32_t *ratios;
	uint32_t n;
	uint64_t refs, sampled, unique, threshold, bytes;
	uint32_t s_max, state;
};

/* --sizes a,b,c into @c's sizes (malloc'ed); 0 or 1 (printed). */
int mrc_parse_sizes(const char *s, struct mrc_curve *c);
/* 64 log-spaced sizes in [1, 1.1 * @unique] into @c; 0 or 1 (printed). */
int mrc_default_sizes(struct mrc_curve *c, uint64_t unique);
/* Open a context of hvmem_mrc (a VM's curve, or a private one); its fd or -1 (printed). */
int mrc_open_ctx(uint32_t flags, uint32_t vm_id, uint32_t s_max, uint64_t threshold,
		 uint32_t near);
/* Read context @cfd's curve at @c's sizes (default ones if none); 0 or 1 (printed). */
int mrc_query_curve(int cfd, struct mrc_curve *c);
/* Print @c, with -j as JSON; @vm_id: its VM (sources listed with -j), 0 for a replay. */
void mrc_print_curve(const struct mrc_curve *c, const char *mode, double ns, double ns_u,
		     uint32_t vm_id);

#endif /* HVMEMCTL_MRC_CURVE_H */
