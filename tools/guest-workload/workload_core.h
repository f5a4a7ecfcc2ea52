/* SPDX-License-Identifier: GPL-2.0 */
/*
 * workload_core.h - page contents of the guest workload (hvmem_workload):
 * every page's bytes are a function of (seed, page index, generation, kind),
 * so any page can be regenerated and compared. Plain userspace C, no libc
 * beyond string functions; tested on the host by
 * selftests/unit/workload_core_test.c.
 */
#ifndef HVMEM_WORKLOAD_CORE_H
#define HVMEM_WORKLOAD_CORE_H

#include <stddef.h>
#include <stdint.h>

#define WL_PAGE		4096u
/* duplicate pages take one of this many contents (per seed and generation) */
#define WL_DUP_CLASSES	8u

enum wl_kind { WL_ZERO, WL_DUP, WL_TEXT, WL_RANDOM, WL_NKINDS };

/* percentages of each kind; they sum to 100 */
struct wl_mix {
	unsigned int pct[WL_NKINDS];
};

extern const char *const wl_kind_name[WL_NKINDS];

/* the 64-bit finaliser of splitmix64: a bijective mixer */
uint64_t wl_mix64(uint64_t x);
/*
 * wl_parse_mix - parse "zero:Z,dup:D,compressible:C,random:R" (any order,
 * missing kinds are 0, "text" is an alias of "compressible"); the sum must
 * be 100. Returns 0, or -1 on bad input (mix untouched).
 */
int wl_parse_mix(const char *s, struct wl_mix *mix);
/* the kind of page @idx: depends on (seed, idx) only, never on the generation */
enum wl_kind wl_kind_of(const struct wl_mix *mix, uint64_t seed, uint64_t idx);
/* write page @idx's content for generation @gen into @page (WL_PAGE bytes) */
void wl_fill_page(void *page, uint64_t seed, uint64_t idx, uint32_t gen, enum wl_kind kind);
/*
 * wl_verify_page - compare @page with the content wl_fill_page() gives;
 * @scratch is WL_PAGE bytes. Returns -1 when equal, else the offset of the
 * first differing byte.
 */
long wl_verify_page(const void *page, uint64_t seed, uint64_t idx, uint32_t gen,
		    enum wl_kind kind, void *scratch);
/* a 64-bit checksum of a page (for digests comparable across runs/guests) */
uint64_t wl_page_hash(const void *page);

#endif
