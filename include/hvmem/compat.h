/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a pure core file (an algorithm with no kernel glue) may use.
 *
 * Core files (sampled LRU, reuse-distance tree, reservation map, cache index,
 * ...) include this header instead of kernel headers, so the same source
 * builds into a module and into a userspace unit test. In the kernel it
 * maps to the real headers; in userspace it provides the few equivalents.
 */
#ifndef _HVMEM_COMPAT_H
#define _HVMEM_COMPAT_H

#ifdef __KERNEL__

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/vmalloc.h>
#include <kunit/visibility.h>

#else /* userspace */

#include "compat_user.h"

#endif /* __KERNEL__ */

#endif /* _HVMEM_COMPAT_H */
