/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The userspace side of <hvmem/compat.h>: the few kernel types, allocation
 * calls and macros that pure core files use, mapped onto libc so the same
 * sources build into the host unit tests and into hvmemctl. Include
 * <hvmem/compat.h>, never this file.
 */
#ifndef _HVMEM_COMPAT_USER_H
#define _HVMEM_COMPAT_USER_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
typedef unsigned int gfp_t;

#define GFP_KERNEL	0u
#define GFP_NOWAIT	0u
#define __GFP_NOWARN	0u
#define __GFP_ZERO	1u

static inline void *kmalloc(size_t n, gfp_t gfp)
{
	return (gfp & __GFP_ZERO) ? calloc(1, n ? n : 1) : malloc(n ? n : 1);
}

static inline void *kzalloc(size_t n, gfp_t gfp)
{
	(void)gfp;
	return calloc(1, n ? n : 1);
}

static inline void *kcalloc(size_t n, size_t size, gfp_t gfp)
{
	(void)gfp;
	return calloc(n ? n : 1, size ? size : 1);
}

static inline void *kmalloc_array(size_t n, size_t size, gfp_t gfp)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return kmalloc(n * size, gfp);
}

#define kvmalloc(n, gfp)		kmalloc(n, gfp)
#define kvzalloc(n, gfp)		kzalloc(n, gfp)
#define kvcalloc(n, size, gfp)		kcalloc(n, size, gfp)
#define kvmalloc_array(n, size, gfp)	kmalloc_array(n, size, gfp)
#define kfree(p)			free((void *)(p))
#define kvfree(p)			free((void *)(p))
#define vfree(p)			free((void *)(p))

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#ifndef __always_inline
#define __always_inline	inline __attribute__((always_inline))
#endif
#define __maybe_unused	__attribute__((unused))
#define fallthrough	__attribute__((fallthrough))

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define BIT(n)			(1UL << (n))
#define BIT_ULL(n)		(1ULL << (n))
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define round_up(x, y)		((((x) - 1) | ((__typeof__(x))((y) - 1))) + 1)
#define min(a, b)		((a) < (b) ? (a) : (b))
#define max(a, b)		((a) > (b) ? (a) : (b))
#define min_t(t, a, b)		((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max_t(t, a, b)		((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#define clamp(v, lo, hi)	min(max(v, lo), hi)
#define WARN_ON(c)		({ int __c = !!(c); if (__c) fprintf(stderr, "WARN_ON(%s) %s:%d\n", #c, __FILE__, __LINE__); __c; })
#define WARN_ON_ONCE(c)		WARN_ON(c)
#define BUILD_BUG_ON(c)		_Static_assert(!(c), #c)
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

static inline u64 div64_u64(u64 a, u64 b) { return a / b; }
static inline u64 div_u64(u64 a, u32 b) { return a / b; }
static inline int fls64(u64 x) { return x ? 64 - __builtin_clzll(x) : 0; }
static inline int ilog2_u64(u64 x) { return fls64(x) - 1; }

/* the few atomics a core file uses (the kernel's have the same semantics) */
typedef struct { int counter; } atomic_t;
#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define atomic_read(v)		READ_ONCE((v)->counter)
#define atomic_set(v, i)	WRITE_ONCE((v)->counter, (i))
#define atomic_inc(v)		((void)__atomic_add_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST))
#define atomic_dec_return(v)	__atomic_sub_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST)
static inline bool atomic_try_cmpxchg(atomic_t *v, int *old, int new)
{
	return __atomic_compare_exchange_n(&v->counter, old, new, false,
					   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

#define check_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)
#define check_mul_overflow(a, b, d)	__builtin_mul_overflow(a, b, d)

#define EXPORT_SYMBOL(s)
#define EXPORT_SYMBOL_GPL(s)
#define EXPORT_SYMBOL_IF_KUNIT(s)
#define VISIBLE_IF_KUNIT

/* SipHash-2-4 of three words, as the kernel's siphash_3u64() (lib/siphash.c). */
typedef struct {
	u64 key[2];
} siphash_key_t;

static inline u64 hvmem_rol64(u64 w, unsigned int s)
{
	return (w << s) | (w >> (64 - s));
}

#define HVMEM_SIPROUND(v0, v1, v2, v3) do { \
	v0 += v1; v1 = hvmem_rol64(v1, 13); v1 ^= v0; v0 = hvmem_rol64(v0, 32); \
	v2 += v3; v3 = hvmem_rol64(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = hvmem_rol64(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = hvmem_rol64(v1, 17); v1 ^= v2; v2 = hvmem_rol64(v2, 32); \
} while (0)

static inline u64 siphash_3u64(u64 first, u64 second, u64 third, const siphash_key_t *key)
{
	u64 v0 = 0x736f6d6570736575ULL ^ key->key[0];
	u64 v1 = 0x646f72616e646f6dULL ^ key->key[1];
	u64 v2 = 0x6c7967656e657261ULL ^ key->key[0];
	u64 v3 = 0x7465646279746573ULL ^ key->key[1];
	u64 m[4] = { first, second, third, 24ULL << 56 };
	int i;

	for (i = 0; i < 4; i++) {
		v3 ^= m[i];
		HVMEM_SIPROUND(v0, v1, v2, v3);
		HVMEM_SIPROUND(v0, v1, v2, v3);
		v0 ^= m[i];
	}
	v2 ^= 0xff;
	for (i = 0; i < 4; i++)
		HVMEM_SIPROUND(v0, v1, v2, v3);
	return (v0 ^ v1) ^ (v2 ^ v3);
}

#endif /* _HVMEM_COMPAT_USER_H */
