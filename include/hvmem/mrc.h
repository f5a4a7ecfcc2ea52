/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvmem_mrc.ko's in-kernel API: the entry point of in-kernel access sources
 * of the per-VM miss-rate curves.
 *
 * The exclusive cache's get/put stream is meant to feed it (every guest
 * miss beyond its memory is a reference, as in Lu & Shen, ATC'07). The
 * cache lives in hvmem.ko, which hvmem_mrc.ko depends on, so it cannot
 * call this directly: it should offer an observer registration that
 * hvmem_mrc.ko fills with hvmem_mrc_record(). Until the cache exists,
 * HVMEM_IOC_MRC_FEED is the only source.
 */
#ifndef _HVMEM_MRC_H
#define _HVMEM_MRC_H

#include <linux/types.h>

void hvmem_mrc_record(u32 vm_id, const u64 *gfns, unsigned int n);

#endif /* _HVMEM_MRC_H */
