// SPDX-License-Identifier: GPL-2.0
/*
 * workload_core.c - deterministic page contents for hvmem_workload (see
 * workload_core.h).
 *
 * zero:         all zero bytes (whatever the generation)
 * dup:          one of WL_DUP_CLASSES contents chosen by (seed, idx); the
 *               content depends on (seed, class, generation) only, so pages
 *               of one class are identical, also across two guests that use
 *               the same seed
 * compressible: text from a small word list (about 3-4x with lz4/zstd)
 * random:       a splitmix64 stream, incompressible
 */
#include <string.h>
#include "workload_core.h"

const char *const wl_kind_name[WL_NKINDS] = {
	[WL_ZERO] = "zero", [WL_DUP] = "dup",
	[WL_TEXT] = "compressible", [WL_RANDOM] = "random",
};

uint64_t wl_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static uint64_t next(uint64_t *s)
{
	*s += 0x9e3779b97f4a7c15ULL;
	return wl_mix64(*s);
}

int wl_parse_mix(const char *s, struct wl_mix *mix)
{
	struct wl_mix m = { { 0 } };
	unsigned int sum = 0;
	char seen[WL_NKINDS] = { 0 };

	while (*s) {
		const char *colon = strchr(s, ':');
		unsigned long v = 0;
		size_t len;
		int k, digits = 0;

		if (!colon)
			return -1;
		len = (size_t)(colon - s);
		for (k = 0; k < WL_NKINDS; k++)
			if (strlen(wl_kind_name[k]) == len && !strncmp(s, wl_kind_name[k], len))
				break;
		if (k == WL_NKINDS && len == 4 && !strncmp(s, "text", 4))
			k = WL_TEXT;
		if (k == WL_NKINDS || seen[k])
			return -1;
		seen[k] = 1;
		for (s = colon + 1; *s >= '0' && *s <= '9'; s++, digits++) {
			v = v * 10 + (unsigned long)(*s - '0');
			if (v > 100)
				return -1;
		}
		if (!digits || (*s && *s != ','))
			return -1;
		if (*s == ',' && !s[1])
			return -1;
		if (*s)
			s++;
		m.pct[k] = (unsigned int)v;
		sum += (unsigned int)v;
	}
	if (sum != 100)
		return -1;
	*mix = m;
	return 0;
}

enum wl_kind wl_kind_of(const struct wl_mix *mix, uint64_t seed, uint64_t idx)
{
	unsigned int r = (unsigned int)(wl_mix64(seed * 0x2545f4914f6cdd1dULL ^ wl_mix64(idx)) % 100);
	unsigned int acc = 0;
	int k;

	for (k = 0; k < WL_NKINDS; k++) {
		acc += mix->pct[k];
		if (r < acc)
			return (enum wl_kind)k;
	}
	return WL_RANDOM;	/* not reached with a mix that sums to 100 */
}

static const char *const words[] = {
	"the", "guest", "page", "swap", "memory", "host", "cache", "balloon",
	"reserve", "block", "device", "kernel", "virtual", "machine", "of",
	"and", "to", "a", "is", "in", "exclusive", "write", "read", "evict",
	"discard", "zero", "thin", "pool", "miss", "rate", "curve", "share",
};

static void fill_text(unsigned char *p, uint64_t st)
{
	size_t off = 0, col = 0;

	while (off < WL_PAGE) {
		uint64_t r = next(&st);
		const char *w = words[r % (sizeof(words) / sizeof(words[0]))];
		size_t n = strlen(w);

		while (*w && off < WL_PAGE)
			p[off++] = (unsigned char)*w++;
		col += n;
		if (off < WL_PAGE)
			p[off++] = col > 64 ? '\n' : ' ';
		if (col > 64)
			col = 0;
	}
}

static void fill_random(unsigned char *p, uint64_t st)
{
	size_t i;

	for (i = 0; i < WL_PAGE; i += 8) {
		uint64_t r = next(&st);

		memcpy(p + i, &r, 8);
	}
}

void wl_fill_page(void *page, uint64_t seed, uint64_t idx, uint32_t gen, enum wl_kind kind)
{
	uint64_t st;

	switch (kind) {
	case WL_ZERO:
		memset(page, 0, WL_PAGE);
		return;
	case WL_DUP:
		/* (seed, class, gen) only: identical across pages and guests */
		st = wl_mix64(seed ^ 0xd0d0d0d0ULL) ^
		     wl_mix64(((uint64_t)gen << 32) | (wl_mix64(seed + idx) % WL_DUP_CLASSES));
		fill_random(page, st);
		return;
	case WL_TEXT:
		st = wl_mix64(seed ^ 0x7e7e7e7eULL) ^ wl_mix64(idx) ^ wl_mix64((uint64_t)gen + 0x100);
		fill_text(page, st);
		return;
	default:
		st = wl_mix64(seed) ^ wl_mix64(idx ^ 0x5555555555555555ULL) ^
		     wl_mix64((uint64_t)gen + 0x200);
		fill_random(page, st);
		return;
	}
}

long wl_verify_page(const void *page, uint64_t seed, uint64_t idx, uint32_t gen,
		    enum wl_kind kind, void *scratch)
{
	const unsigned char *a = page, *b = scratch;
	size_t i;

	wl_fill_page(scratch, seed, idx, gen, kind);
	if (!memcmp(page, scratch, WL_PAGE))
		return -1;
	for (i = 0; i < WL_PAGE; i++)
		if (a[i] != b[i])
			break;
	return (long)i;
}

uint64_t wl_page_hash(const void *page)
{
	const unsigned char *p = page;
	uint64_t h = 0x8f1bbcdcULL, w;
	size_t i;

	for (i = 0; i < WL_PAGE; i += 8) {
		memcpy(&w, p + i, 8);
		h = wl_mix64(h ^ w) + i;
	}
	return h;
}
