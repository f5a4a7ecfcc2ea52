/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hvmem - memory-overcommit machinery for KVM hosts: userspace ABI.
 *
 * All ioctls are issued on /dev/hvmem. Conventions (see
 * Documentation/driver-api/ioctl.rst):
 *
 * - Every argument struct starts with a __u32 @size, set by the caller to
 *   sizeof() the struct it was compiled against, and a __u32 @flags. The
 *   kernel copies the struct with copy_struct_from_user(): a larger struct
 *   from a newer caller is accepted when its extra bytes are zero (else
 *   -E2BIG), an older, smaller one is zero-extended. A @size below the first
 *   published version of the struct gives -EINVAL.
 * - Unknown @flags bits give -EINVAL. Reserved fields must be zero (-EINVAL).
 * - Pointers are passed as __u64 (u64_to_user_ptr() in the kernel); a bad
 *   pointer gives -EFAULT.
 * - The size encoded in the ioctl number is that of the first version of the
 *   struct; the kernel dispatches on type and number, and trusts @size.
 * - Unknown commands give -ENOTTY. Control commands need CAP_SYS_ADMIN
 *   (-EPERM otherwise); HVMEM_IOC_GET_VERSION is open to every caller that can
 *   open the device.
 * - Output is written back for min(@size, sizeof(struct)) bytes.
 * - Each struct's first published size is HVMEM_<STRUCT>_SIZE_VER0 (as
 *   CLONE_ARGS_SIZE_VER0 for clone3()). A caller built against an older
 *   header passes that size; later versions only append fields.
 * - Arrays of structs are passed with an @entry_size (the stride): the size
 *   of one element as the caller knows it, at least the element's
 *   *_SIZE_VER0 and at most 4096 (-EINVAL otherwise). Elements the kernel
 *   reads follow the copy_struct_from_user() rules one by one: a shorter
 *   element is zero-extended, a longer one must be zero past what the
 *   kernel knows (-E2BIG). Elements the kernel writes get min(@entry_size,
 *   sizeof) bytes, and the rest of each element, up to @entry_size, is
 *   zero-filled (as perf_event_attr and bpf_prog_info do).
 * - Every module that serves commands has a HVMEM_FEATURE_* bit, set in
 *   struct hvmem_version.features while it is loaded, and its HVMEM_CAP_*
 *   capabilities, answered through HVMEM_IOC_CHECK_EXTENSION.
 *
 * Command numbers: 0x00-0x0f core, 0x10-0x2f exclusive cache, 0x30-0x3f
 * miss-rate curves, 0x40-0x4f sharing, 0x50-0x5f swap devices.
 */
#ifndef _UAPI_LINUX_HVMEM_H
#define _UAPI_LINUX_HVMEM_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#define HVMEM_DEVICE_NAME	"hvmem"

#define HVMEM_VERSION_MAJOR	0
#define HVMEM_VERSION_MINOR	2
#define HVMEM_VERSION_PATCH	0

#define HVMEM_IOCTL_MAGIC	0xBA

/*
 * Bits of struct hvmem_version.features: the modules loaded now. Bit N
 * belongs to one module; its capabilities are HVMEM_CAP(N, 0 .. 0xffff).
 */
#define HVMEM_FEATURE_VM_REGISTRY_BIT	0	/* hvmem.ko: VM registry */
#define HVMEM_FEATURE_CACHE_BIT		1	/* hvmem.ko: exclusive cache */
#define HVMEM_FEATURE_MRC_BIT		2	/* hvmem_mrc.ko */
#define HVMEM_FEATURE_SHARE_BIT		3	/* hvmem_share.ko */
#define HVMEM_FEATURE_VSWAP_BIT		4	/* hvmem_vswap.ko (swap devices) */
#define HVMEM_FEATURE_SWAPRES_BIT	5	/* dm-swapres.ko */

#define HVMEM_FEATURE_VM_REGISTRY	_BITULL(HVMEM_FEATURE_VM_REGISTRY_BIT)
#define HVMEM_FEATURE_CACHE		_BITULL(HVMEM_FEATURE_CACHE_BIT)
#define HVMEM_FEATURE_MRC		_BITULL(HVMEM_FEATURE_MRC_BIT)
#define HVMEM_FEATURE_SHARE		_BITULL(HVMEM_FEATURE_SHARE_BIT)
#define HVMEM_FEATURE_VSWAP		_BITULL(HVMEM_FEATURE_VSWAP_BIT)
#define HVMEM_FEATURE_SWAPRES		_BITULL(HVMEM_FEATURE_SWAPRES_BIT)

/**
 * struct hvmem_version - HVMEM_IOC_GET_VERSION argument
 * @size: sizeof(struct hvmem_version) as known to the caller
 * @flags: must be 0
 * @major: ABI major version; a change breaks callers
 * @minor: ABI minor version; additions only
 * @patch: implementation patch level
 * @reserved: must be 0
 * @features: HVMEM_FEATURE_* bits of what this kernel provides
 */
struct hvmem_version {
	__u32 size;
	__u32 flags;
	__u32 major;
	__u32 minor;
	__u32 patch;
	__u32 reserved;
	__u64 features;
};

#define HVMEM_VERSION_SIZE_VER0		32

/* struct hvmem_vm_bind.flags: exactly one HVMEM_BIND_BY_* bit */
#define HVMEM_BIND_BY_KVM_FD	_BITUL(0)
#define HVMEM_BIND_BY_PID	_BITUL(1)
#define HVMEM_BIND_FLAGS	(HVMEM_BIND_BY_KVM_FD | HVMEM_BIND_BY_PID)

/**
 * struct hvmem_vm_bind - HVMEM_IOC_VM_BIND argument
 * @size: sizeof(struct hvmem_vm_bind) as known to the caller
 * @flags: HVMEM_BIND_BY_KVM_FD or HVMEM_BIND_BY_PID
 * @kvm_fd: with HVMEM_BIND_BY_KVM_FD, a KVM VM file descriptor of the
 *	caller (from KVM_CREATE_VM); must be -1 otherwise
 * @pid: with HVMEM_BIND_BY_PID, a process id in the caller's pid
 *	namespace; must be 0 otherwise
 * @id: out: the VM id, never 0; ids are handed out cyclically (1..INT_MAX)
 *	and one is not reused before its last binding's teardown is over and
 *	the whole range has been used once
 * @reserved: must be 0
 *
 * A VM is the address space (mm) of a process, optionally with the KVM VM
 * that maps it. The binding lives until HVMEM_IOC_VM_UNBIND, until the
 * address space is torn down (the process exits; an MMU notifier sees
 * it), or until the module is unloaded, whichever comes first. Binding the
 * same KVM VM, or the same process by pid, twice gives -EEXIST.
 */
struct hvmem_vm_bind {
	__u32 size;
	__u32 flags;
	__s32 kvm_fd;
	__s32 pid;
	__u32 id;
	__u32 reserved;
};

#define HVMEM_VM_BIND_SIZE_VER0		24

/**
 * struct hvmem_vm_unbind - HVMEM_IOC_VM_UNBIND argument
 * @size: sizeof(struct hvmem_vm_unbind) as known to the caller
 * @flags: must be 0
 * @id: the VM id from HVMEM_IOC_VM_BIND; -ENOENT if not bound
 * @reserved: must be 0
 */
struct hvmem_vm_unbind {
	__u32 size;
	__u32 flags;
	__u32 id;
	__u32 reserved;
};

#define HVMEM_VM_UNBIND_SIZE_VER0	16

/* struct hvmem_vm_info.flags */
#define HVMEM_VM_KVM		_BITUL(0)	/* bound by a KVM VM fd */
#define HVMEM_VM_DYING		_BITUL(1)	/* address space torn down */

#define HVMEM_COMM_LEN		16

/**
 * struct hvmem_vm_info - one entry of the HVMEM_IOC_VM_LIST output
 * @id: VM id
 * @flags: HVMEM_VM_* bits
 * @pid: process id of the VM's owner in the caller's pid namespace, or 0
 *	when it is not visible there
 * @reserved: 0
 * @bind_time_ns: CLOCK_BOOTTIME of the bind, in ns
 * @comm: the owner's command name at bind time, NUL-terminated
 */
struct hvmem_vm_info {
	__u32 id;
	__u32 flags;
	__s32 pid;
	__u32 reserved;
	__u64 bind_time_ns;
	char comm[HVMEM_COMM_LEN];
};

#define HVMEM_VM_INFO_SIZE_VER0		40

/**
 * struct hvmem_vm_list - HVMEM_IOC_VM_LIST argument
 * @size: sizeof(struct hvmem_vm_list) as known to the caller
 * @flags: must be 0
 * @entry_size: sizeof(struct hvmem_vm_info) as known to the caller
 *	(HVMEM_VM_INFO_SIZE_VER0 .. 4096); entries are written at that
 *	stride, each truncated or zero-padded to it
 * @count: in: room in @entries, in entries; out: entries written
 * @total: out: VMs bound when the list was taken (may exceed @count)
 * @reserved: must be 0
 * @entries: user pointer to @count entries; may be 0 when @count is 0
 */
struct hvmem_vm_list {
	__u32 size;
	__u32 flags;
	__u32 entry_size;
	__u32 count;
	__u32 total;
	__u32 reserved;
	__u64 entries;
};

#define HVMEM_VM_LIST_SIZE_VER0		32

/*
 * Capabilities: HVMEM_CAP(feature bit, number). Number 0 of a feature is
 * the feature itself (1 while its module is loaded); the others are the
 * module's limits and options, answered by that module.
 */
#define HVMEM_CAP(bit, n)		(((__u32)(bit) << 16) | (__u32)(n))
#define HVMEM_CAP_FEATURE_BIT(cap)	((cap) >> 16)

#define HVMEM_CAP_VM_REGISTRY		HVMEM_CAP(HVMEM_FEATURE_VM_REGISTRY_BIT, 0)
#define HVMEM_CAP_VM_MAX		HVMEM_CAP(HVMEM_FEATURE_VM_REGISTRY_BIT, 1)
#define HVMEM_CAP_CACHE			HVMEM_CAP(HVMEM_FEATURE_CACHE_BIT, 0)
#define HVMEM_CAP_CACHE_BATCH_MAX	HVMEM_CAP(HVMEM_FEATURE_CACHE_BIT, 1)
#define HVMEM_CAP_CACHE_PAGE_SIZE	HVMEM_CAP(HVMEM_FEATURE_CACHE_BIT, 2)
#define HVMEM_CAP_MRC			HVMEM_CAP(HVMEM_FEATURE_MRC_BIT, 0)
#define HVMEM_CAP_MRC_FEED_MAX		HVMEM_CAP(HVMEM_FEATURE_MRC_BIT, 1)
#define HVMEM_CAP_MRC_QUERY_MAX		HVMEM_CAP(HVMEM_FEATURE_MRC_BIT, 2)
#define HVMEM_CAP_MRC_SMAX_MAX		HVMEM_CAP(HVMEM_FEATURE_MRC_BIT, 3)
#define HVMEM_CAP_SHARE			HVMEM_CAP(HVMEM_FEATURE_SHARE_BIT, 0)
#define HVMEM_CAP_SHARE_REGIONS_MAX	HVMEM_CAP(HVMEM_FEATURE_SHARE_BIT, 1)
#define HVMEM_CAP_VSWAP			HVMEM_CAP(HVMEM_FEATURE_VSWAP_BIT, 0)
#define HVMEM_CAP_SWAPRES		HVMEM_CAP(HVMEM_FEATURE_SWAPRES_BIT, 0)

/**
 * struct hvmem_check_extension - HVMEM_IOC_CHECK_EXTENSION argument
 * @size: sizeof(struct hvmem_check_extension) as known to the caller
 * @flags: must be 0
 * @cap: a HVMEM_CAP_* number
 * @reserved: must be 0
 * @value: out: 0 when the capability is unknown or its module is not
 *	loaded; else what the HVMEM_CAP_* says (1 for a feature, a limit
 *	for a *_MAX)
 *
 * Like KVM_CHECK_EXTENSION: an unknown capability is not an error. The
 * module owning the capability's feature bit answers. Open to every caller
 * that can open the device.
 */
struct hvmem_check_extension {
	__u32 size;
	__u32 flags;
	__u32 cap;
	__u32 reserved;
	__u64 value;
};

#define HVMEM_CHECK_EXTENSION_SIZE_VER0	24

/* Core commands: 0x00-0x0f */
#define HVMEM_IOC_GET_VERSION	_IOWR(HVMEM_IOCTL_MAGIC, 0x00, struct hvmem_version)
#define HVMEM_IOC_VM_BIND	_IOWR(HVMEM_IOCTL_MAGIC, 0x01, struct hvmem_vm_bind)
#define HVMEM_IOC_VM_UNBIND	_IOW(HVMEM_IOCTL_MAGIC, 0x02, struct hvmem_vm_unbind)
#define HVMEM_IOC_VM_LIST	_IOWR(HVMEM_IOCTL_MAGIC, 0x03, struct hvmem_vm_list)
#define HVMEM_IOC_CHECK_EXTENSION \
	_IOWR(HVMEM_IOCTL_MAGIC, 0x04, struct hvmem_check_extension)

/* Exclusive cache: 0x10-0x2f */

/*
 * A second-chance cache of pages shared by every bound VM, in tmem style:
 * pools (owned by a VM, destroyed when it is unbound) of objects of pages,
 * a key being (pool, object id, index). Exclusive: a get that hits returns
 * the page and removes it; a put over a key replaces its page. Ephemeral:
 * the cache may drop any page at any time, but never returns a page other
 * than the last one put under the key. Every put gets a generation number;
 * a get may name the generation it expects. Pages are PAGE_SIZE bytes of
 * the kernel (HVMEM_IOC_CACHE_STATS tells it). Every cache command needs
 * CAP_SYS_ADMIN, the data commands too: a VMM acting for its VM is
 * privileged for now.
 */

/* Most pages per HVMEM_IOC_CACHE_PUT/GET/FLUSH call. */
#define HVMEM_CACHE_BATCH_MAX		512U

/* struct hvmem_cache_pool_create.flags */
#define HVMEM_CACHE_POOL_NO_DEDUP	_BITUL(0)	/* store identical pages apart */
#define HVMEM_CACHE_POOL_FLAGS		HVMEM_CACHE_POOL_NO_DEDUP

/**
 * struct hvmem_cache_pool_create - HVMEM_IOC_CACHE_POOL_CREATE argument
 * @size: sizeof(struct hvmem_cache_pool_create) as known to the caller
 * @flags: HVMEM_CACHE_POOL_* bits
 * @vm_id: the owning VM (-ENOENT if not bound)
 * @pool_id: out: the pool id, never 0, not reused while the module is
 *	loaded (until 2^32 pools were created)
 *
 * Identical pages of the pools of one VM are stored once unless the pool
 * has HVMEM_CACHE_POOL_NO_DEDUP; across VMs only when
 * /sys/kernel/mm/hvmem/cache/dedup_cross_vm is 1.
 */
struct hvmem_cache_pool_create {
	__u32 size;
	__u32 flags;
	__u32 vm_id;
	__u32 pool_id;
};

#define HVMEM_CACHE_POOL_CREATE_SIZE_VER0	16

/**
 * struct hvmem_cache_pool_destroy - HVMEM_IOC_CACHE_POOL_DESTROY argument
 * @size: sizeof(struct hvmem_cache_pool_destroy) as known to the caller
 * @flags: must be 0
 * @pool_id: the pool (-ENXIO if it does not exist)
 * @reserved: must be 0
 *
 * Drops the pool and its pages.
 */
struct hvmem_cache_pool_destroy {
	__u32 size;
	__u32 flags;
	__u32 pool_id;
	__u32 reserved;
};

#define HVMEM_CACHE_POOL_DESTROY_SIZE_VER0	16

/**
 * struct hvmem_cache_page - one page of a batched cache command
 * @oid: in: object id
 * @index: in: page index within the object
 * @gen: PUT: out: the generation of the new entry. GET: in: the generation
 *	expected (0 for any); out: the generation returned. FLUSH: unused
 * @result: out: 0, or a negative errno for this page: -ENOENT (GET,
 *	FLUSH: no page), -ESTALE (GET: the page is of another generation; it
 *	stays), -ENOSPC (PUT: reserve is 0), -ENOMEM, -EFAULT (this page's
 *	data could not be copied; a GET's page is then lost), -ENXIO (the
 *	pool is gone)
 * @reserved: must be 0
 */
struct hvmem_cache_page {
	__u64 oid;
	__u64 index;
	__u64 gen;
	__s32 result;
	__u32 reserved;
};

/* Size of one struct hvmem_cache_page element (not of a cache page). */
#define HVMEM_CACHE_PAGE_SIZE_VER0	32

/**
 * struct hvmem_cache_io - HVMEM_IOC_CACHE_PUT, _GET and _FLUSH argument
 * @size: sizeof(struct hvmem_cache_io) as known to the caller
 * @flags: must be 0
 * @pool_id: the pool (-ENXIO if it does not exist)
 * @count: pages at @pages (1 .. HVMEM_CACHE_BATCH_MAX, else -EINVAL)
 * @pages: user pointer to @count struct hvmem_cache_page, @entry_size
 *	bytes apart
 * @buf: user pointer to @count pages of data: PUT reads them, GET writes
 *	them (a page whose GET missed is left alone); must be 0 for FLUSH
 * @page_size: the caller's idea of the page size: must be the kernel's
 *	(-EINVAL otherwise)
 * @done: out: pages processed (each has its @result)
 * @entry_size: sizeof(struct hvmem_cache_page) as known to the caller
 *	(HVMEM_CACHE_PAGE_SIZE_VER0 .. 4096)
 * @reserved: must be 0
 *
 * The pages are processed in order. The call returns 0 once every page has
 * its result, or an errno for the whole call: bad arguments (nothing
 * done), -ENOMEM before the first page (nothing stored), or -EFAULT /
 * -ENXIO from a page (the batch stops after it; its result, those before
 * it and @done are written as far as possible). A PUT that fails with
 * -ENOMEM, or stops at a page, leaves no page under the keys it did not
 * store, as any failed put of one page does: a later GET never returns an
 * older page.
 */
struct hvmem_cache_io {
	__u32 size;
	__u32 flags;
	__u32 pool_id;
	__u32 count;
	__u64 pages;
	__u64 buf;
	__u32 page_size;
	__u32 done;
	__u32 entry_size;
	__u32 reserved;
};

#define HVMEM_CACHE_IO_SIZE_VER0	48

/**
 * struct hvmem_cache_flush_object - HVMEM_IOC_CACHE_FLUSH_OBJECT argument
 * @size: sizeof(struct hvmem_cache_flush_object) as known to the caller
 * @flags: must be 0
 * @pool_id: the pool (-ENXIO if it does not exist)
 * @reserved: must be 0
 * @oid: the object
 * @flushed: out: pages dropped
 */
struct hvmem_cache_flush_object {
	__u32 size;
	__u32 flags;
	__u32 pool_id;
	__u32 reserved;
	__u64 oid;
	__u64 flushed;
};

#define HVMEM_CACHE_FLUSH_OBJECT_SIZE_VER0	32

/* Most shares of a VM; the default is 1000. */
#define HVMEM_CACHE_SHARES_MAX		1000000U

/**
 * struct hvmem_cache_vm - HVMEM_IOC_CACHE_VM_SET and _VM_STATS argument
 * @size: sizeof(struct hvmem_cache_vm) as known to the caller
 * @flags: must be 0
 * @vm_id: the VM (-ENOENT if not bound; for VM_STATS also when it never
 *	used the cache)
 * @shares: VM_SET: in, VM_STATS: out: eviction weight (1 ..
 *	HVMEM_CACHE_SHARES_MAX); under pressure the VMs' footprints tend to
 *	be in proportion to their shares
 * @cap: VM_SET: in, VM_STATS: out: most pages the VM may hold, 0 for no
 *	cap; a VM above a new cap loses its oldest pages at once
 * @pages: out: pages the VM holds
 * @pools: out: pools the VM owns
 * @reserved: must be 0
 * @puts: out: put requests
 * @gets: out: get requests
 * @hits: out: gets that returned a page
 * @misses: out: gets that did not
 * @evictions: out: pages the cache dropped
 * @flushes: out: pages flushed, replaced or dropped with a pool
 * @dedup_hits: out: puts stored by sharing an identical page
 * @zero_puts: out: puts of all-zero pages (stored without memory)
 */
struct hvmem_cache_vm {
	__u32 size;
	__u32 flags;
	__u32 vm_id;
	__u32 shares;
	__u64 cap;
	__u64 pages;
	__u32 pools;
	__u32 reserved;
	__u64 puts;
	__u64 gets;
	__u64 hits;
	__u64 misses;
	__u64 evictions;
	__u64 flushes;
	__u64 dedup_hits;
	__u64 zero_puts;
};

#define HVMEM_CACHE_VM_SIZE_VER0	104

/**
 * struct hvmem_cache_stats - HVMEM_IOC_CACHE_STATS argument
 * @size: sizeof(struct hvmem_cache_stats) as known to the caller
 * @flags: must be 0
 * @page_size: out: bytes per cache page (the kernel's PAGE_SIZE)
 * @reserved: must be 0
 * @reserve_pages: out: pages reserved for the cache
 * @used_pages: out: reserved pages holding data
 * @entries: out: pages stored (shared and zero pages count once each)
 * @zero_pages: out: stored pages of zeros (no memory)
 * @dedup_saved_pages: out: stored pages sharing another's memory
 * @puts: out: put requests
 * @gets: out: get requests
 * @hits: out: gets that returned a page
 * @misses: out: gets that did not
 * @evictions: out: pages the cache dropped
 * @flushes: out: pages flushed, replaced or dropped with a pool
 */
struct hvmem_cache_stats {
	__u32 size;
	__u32 flags;
	__u32 page_size;
	__u32 reserved;
	__u64 reserve_pages;
	__u64 used_pages;
	__u64 entries;
	__u64 zero_pages;
	__u64 dedup_saved_pages;
	__u64 puts;
	__u64 gets;
	__u64 hits;
	__u64 misses;
	__u64 evictions;
	__u64 flushes;
};

#define HVMEM_CACHE_STATS_SIZE_VER0	104

#define HVMEM_IOC_CACHE_POOL_CREATE \
	_IOWR(HVMEM_IOCTL_MAGIC, 0x10, struct hvmem_cache_pool_create)
#define HVMEM_IOC_CACHE_POOL_DESTROY \
	_IOW(HVMEM_IOCTL_MAGIC, 0x11, struct hvmem_cache_pool_destroy)
#define HVMEM_IOC_CACHE_PUT		_IOWR(HVMEM_IOCTL_MAGIC, 0x12, struct hvmem_cache_io)
#define HVMEM_IOC_CACHE_GET		_IOWR(HVMEM_IOCTL_MAGIC, 0x13, struct hvmem_cache_io)
#define HVMEM_IOC_CACHE_FLUSH		_IOWR(HVMEM_IOCTL_MAGIC, 0x14, struct hvmem_cache_io)
#define HVMEM_IOC_CACHE_FLUSH_OBJECT \
	_IOWR(HVMEM_IOCTL_MAGIC, 0x15, struct hvmem_cache_flush_object)
#define HVMEM_IOC_CACHE_VM_SET		_IOW(HVMEM_IOCTL_MAGIC, 0x16, struct hvmem_cache_vm)
#define HVMEM_IOC_CACHE_VM_STATS	_IOWR(HVMEM_IOCTL_MAGIC, 0x17, struct hvmem_cache_vm)
#define HVMEM_IOC_CACHE_STATS		_IOWR(HVMEM_IOCTL_MAGIC, 0x18, struct hvmem_cache_stats)

/* Miss-rate curves: 0x30-0x3f */

/* Sampling threshold of rate 1 (every page); rate = threshold / this. */
#define HVMEM_MRC_RATE_ONE	0x100000000ULL
/* Miss ratios are in parts per HVMEM_MRC_RATIO_ONE. */
#define HVMEM_MRC_RATIO_ONE	1000000000U
/* Largest s_max of a context. */
#define HVMEM_MRC_SMAX_MAX	0x100000U
/* Largest exact near stack of a context. */
#define HVMEM_MRC_NEAR_MAX	16384U
/* Most pages per HVMEM_IOC_MRC_FEED, most sizes per HVMEM_IOC_MRC_QUERY. */
#define HVMEM_MRC_FEED_MAX	0x10000U
#define HVMEM_MRC_QUERY_MAX	4096U

/* struct hvmem_mrc_open.flags */
#define HVMEM_MRC_OPEN_PRIVATE	_BITUL(0)	/* a new context fed only by its fd */
#define HVMEM_MRC_OPEN_FLAGS	HVMEM_MRC_OPEN_PRIVATE

/**
 * struct hvmem_mrc_open - HVMEM_IOC_MRC_OPEN argument (on /dev/hvmem)
 * @size: sizeof(struct hvmem_mrc_open) as known to the caller
 * @flags: 0 to open the context of VM @vm_id, or HVMEM_MRC_OPEN_PRIVATE
 *	to create a context that only HVMEM_IOC_MRC_FEED on the returned fd
 *	feeds (replay of a trace, userspace tracers)
 * @vm_id: the VM (without HVMEM_MRC_OPEN_PRIVATE; -ENOENT if not bound,
 *	-ENODATA if its curve is disabled); must be 0 otherwise
 * @s_max: with HVMEM_MRC_OPEN_PRIVATE: most pages in the sample (1 ..
 *	HVMEM_MRC_SMAX_MAX), 0 for the sysfs default; must be 0 otherwise
 * @threshold: with HVMEM_MRC_OPEN_PRIVATE: initial sampling threshold (1
 *	.. HVMEM_MRC_RATE_ONE), 0 for the sysfs default; must be 0 otherwise
 * @fd: out: a file descriptor (O_CLOEXEC) of the context, for
 *	HVMEM_IOC_MRC_FEED, HVMEM_IOC_MRC_QUERY and HVMEM_IOC_MRC_RESET. It
 *	stays valid after the VM is unbound (the curve then stops changing).
 * @near: with HVMEM_MRC_OPEN_PRIVATE: pages of the exact near stack (0 ..
 *	HVMEM_MRC_NEAR_MAX, 0 for none): references within that many distinct
 *	pages get exact distances, which makes the curve exact up to @near
 *	pages; must be 0 otherwise (a VM's context uses the sysfs default)
 *
 * Needs CAP_SYS_ADMIN. A private context's memory (all of it allocated
 * here) is bounded by @s_max and @near: about 48 bytes per sample page,
 * 44 per near page, plus 76 KiB.
 */
struct hvmem_mrc_open {
	__u32 size;
	__u32 flags;
	__u32 vm_id;
	__u32 s_max;
	__u64 threshold;
	__s32 fd;
	__u32 near;
};

#define HVMEM_MRC_OPEN_SIZE_VER0	32

/**
 * struct hvmem_mrc_feed - HVMEM_IOC_MRC_FEED argument (on a context fd)
 * @size: sizeof(struct hvmem_mrc_feed) as known to the caller
 * @flags: must be 0
 * @count: in: page numbers at @pages (at most HVMEM_MRC_FEED_MAX, else
 *	-E2BIG); out: pages recorded
 * @reserved: must be 0
 * @pages: user pointer to @count __u64 page numbers, in reference order
 *
 * Records references to pages. The numbers only need to be stable per
 * page: KVM write tracking records guest frame numbers, the exclusive
 * cache its own page ids, hvmemd's write scan the QEMU process's virtual
 * page numbers (address / page size).
 * Errors: -EINVAL (@flags or @reserved set), -E2BIG, -EFAULT, -ENOMEM, and
 * -ENODEV once the context's VM was unbound (HVMEM_MRC_DETACHED): its curve
 * can still be queried, not fed.
 */
struct hvmem_mrc_feed {
	__u32 size;
	__u32 flags;
	__u32 count;
	__u32 reserved;
	__u64 pages;
};

#define HVMEM_MRC_FEED_SIZE_VER0	24

/* struct hvmem_mrc_query.state */
#define HVMEM_MRC_EXACT		_BITUL(0)	/* every page sampled so far */
#define HVMEM_MRC_PRIVATE	_BITUL(1)	/* context not attached to a VM */
#define HVMEM_MRC_DETACHED	_BITUL(2)	/* its VM was unbound */

/**
 * struct hvmem_mrc_query - HVMEM_IOC_MRC_QUERY argument (on a context fd)
 * @size: sizeof(struct hvmem_mrc_query) as known to the caller
 * @flags: must be 0
 * @count: cache sizes at @sizes and miss ratios at @ratios (at most
 *	HVMEM_MRC_QUERY_MAX, else -E2BIG); may be 0
 * @s_max: out: most pages in the sample
 * @sizes: user pointer to @count __u64 LRU cache sizes, in pages
 * @ratios: user pointer to @count __u32: out: estimated miss ratio of an
 *	LRU cache of each size, in parts per HVMEM_MRC_RATIO_ONE
 * @refs: out: references recorded
 * @sampled: out: references to sampled pages
 * @unique: out: estimated distinct pages referenced
 * @threshold: out: current sampling threshold (lowered as the sample fills)
 * @bytes: out: memory held by the context
 * @vm_id: out: the VM of the context, 0 for a private one
 * @state: out: HVMEM_MRC_* bits
 */
struct hvmem_mrc_query {
	__u32 size;
	__u32 flags;
	__u32 count;
	__u32 s_max;
	__u64 sizes;
	__u64 ratios;
	__u64 refs;
	__u64 sampled;
	__u64 unique;
	__u64 threshold;
	__u64 bytes;
	__u32 vm_id;
	__u32 state;
};

#define HVMEM_MRC_QUERY_SIZE_VER0	80

/**
 * struct hvmem_mrc_reset - HVMEM_IOC_MRC_RESET argument (on a context fd)
 * @size: sizeof(struct hvmem_mrc_reset) as known to the caller
 * @flags: must be 0
 *
 * Forgets every reference; the parameters stay. Needs CAP_SYS_ADMIN.
 */
struct hvmem_mrc_reset {
	__u32 size;
	__u32 flags;
};

#define HVMEM_MRC_RESET_SIZE_VER0	8

#define HVMEM_IOC_MRC_OPEN	_IOWR(HVMEM_IOCTL_MAGIC, 0x30, struct hvmem_mrc_open)
#define HVMEM_IOC_MRC_FEED	_IOWR(HVMEM_IOCTL_MAGIC, 0x31, struct hvmem_mrc_feed)
#define HVMEM_IOC_MRC_QUERY	_IOWR(HVMEM_IOCTL_MAGIC, 0x32, struct hvmem_mrc_query)
#define HVMEM_IOC_MRC_RESET	_IOW(HVMEM_IOCTL_MAGIC, 0x33, struct hvmem_mrc_reset)

/*
 * Sharing inside large pages (hvmem_share.ko, ksm-ext/): commands 0x40 - 0x4f.
 * Every command needs CAP_SYS_ADMIN.
 */

/* struct hvmem_share_scan.flags */
#define HVMEM_SHARE_SCAN_ALL	_BITUL(0)	/* every bound VM; vm_id must be 0 */
#define HVMEM_SHARE_SCAN_FLAGS	HVMEM_SHARE_SCAN_ALL

/**
 * struct hvmem_share_scan - HVMEM_IOC_SHARE_SCAN argument
 * @size: sizeof(struct hvmem_share_scan) as known to the caller
 * @flags: HVMEM_SHARE_SCAN_* bits
 * @vm_id: the VM to scan (-ENOENT if not bound), 0 with SCAN_ALL
 * @reserved: must be 0
 * @pages: out: present anonymous pages hashed
 * @elapsed_ns: out: time the scan took (rate limits included)
 *
 * Reads every present anonymous page of the VM's process (pages are not
 * faulted in), hashes it, and replaces the VM's previous scan; then the
 * estimates (HVMEM_IOC_SHARE_STATS) are recomputed over the last scan of
 * every VM. Blocks for the scan, at the sysfs rate limits; a fatal signal
 * stops it (-EINTR, the previous scan stays). Only one scan runs at a time.
 */
struct hvmem_share_scan {
	__u32 size;
	__u32 flags;
	__u32 vm_id;
	__u32 reserved;
	__u64 pages;
	__u64 elapsed_ns;
};

#define HVMEM_SHARE_SCAN_SIZE_VER0	32

/**
 * struct hvmem_share_stats - HVMEM_IOC_SHARE_STATS argument
 * @size: sizeof(struct hvmem_share_stats) as known to the caller
 * @flags: must be 0
 * @vm_id: the VM, or 0 for the sum over every VM
 * @cross_vm: out: the VM's pages count as sharable with other VMs' in
 *	this estimate (HVMEM_SHARE_VM_CROSS; 0 or 1)
 * @pages: out: pages in the last scan(s)
 * @dup_pages: out: non-zero pages that have an identical page (within the
 *	VM, or in another VM when both have HVMEM_SHARE_VM_CROSS)
 * @zero_pages: out: pages of zeros
 * @regions: out: 2 MiB regions with a scanned page
 * @thp_regions: out: of which backed by a huge page
 * @policy_regions: out: of which the split policy would split (at least
 *	split_threshold sharable subpages)
 * @reclaim_small: out: pages merging would reclaim outside huge pages
 * @reclaim_split: out: extra pages if every huge page were split
 * @reclaim_policy: out: extra pages if only the policy's huge pages were
 * @scans: out: scans done (of this VM, or of all)
 * @progress: out: pages read so far by the scan running now, 0 if none
 * @progress_total: out: pages of address space that scan covers
 */
struct hvmem_share_stats {
	__u32 size;
	__u32 flags;
	__u32 vm_id;
	__u32 cross_vm;
	__u64 pages;
	__u64 dup_pages;
	__u64 zero_pages;
	__u64 regions;
	__u64 thp_regions;
	__u64 policy_regions;
	__u64 reclaim_small;
	__u64 reclaim_split;
	__u64 reclaim_policy;
	__u64 scans;
	__u64 progress;
	__u64 progress_total;
};

#define HVMEM_SHARE_STATS_SIZE_VER0	112

/* struct hvmem_share_region.flags */
#define HVMEM_SHARE_REGION_THP		_BITUL(0)	/* backed by a huge page */
#define HVMEM_SHARE_REGION_POLICY	_BITUL(1)	/* the policy would split it */

/**
 * struct hvmem_share_region - one 2 MiB region of a VM's memory
 * @start: its first virtual address in the VM's process
 * @present: pages scanned in it (at most 512)
 * @dup: non-zero pages with an identical page
 * @zero: pages of zeros
 * @flags: HVMEM_SHARE_REGION_* bits
 * @reserved: 0 (room for later fields)
 */
struct hvmem_share_region {
	__u64 start;
	__u16 present;
	__u16 dup;
	__u16 zero;
	__u16 flags;
	__u64 reserved[2];
};

#define HVMEM_SHARE_REGION_SIZE_VER0	32

#define HVMEM_SHARE_REGIONS_MAX		65536U

/**
 * struct hvmem_share_regions - HVMEM_IOC_SHARE_REGIONS argument
 * @size: sizeof(struct hvmem_share_regions) as known to the caller
 * @flags: must be 0
 * @vm_id: the VM (-ENOENT if not bound, -ENODATA if never scanned)
 * @count: in: entries at @regions (at most HVMEM_SHARE_REGIONS_MAX, else
 *	-E2BIG); out: entries written
 * @total: out: regions in the VM's last scan
 * @entry_size: sizeof(struct hvmem_share_region) as known to the caller
 *	(HVMEM_SHARE_REGION_SIZE_VER0 .. 4096): the stride of @regions
 * @regions: user pointer to @count struct hvmem_share_region: out: the
 *	regions with the most sharable (dup + zero) subpages, most first
 */
struct hvmem_share_regions {
	__u32 size;
	__u32 flags;
	__u32 vm_id;
	__u32 count;
	__u32 total;
	__u32 entry_size;
	__u64 regions;
};

#define HVMEM_SHARE_REGIONS_SIZE_VER0	32

/* struct hvmem_share_vm.flags */
#define HVMEM_SHARE_VM_CROSS	_BITUL(0)	/* may share with other VMs */
#define HVMEM_SHARE_VM_FLAGS	HVMEM_SHARE_VM_CROSS

/**
 * struct hvmem_share_vm - HVMEM_IOC_SHARE_VM_SET argument
 * @size: sizeof(struct hvmem_share_vm) as known to the caller
 * @flags: HVMEM_SHARE_VM_* bits: the VM's settings, replacing the old ones
 * @vm_id: the VM (-ENOENT if not bound)
 * @reserved: must be 0
 *
 * HVMEM_SHARE_VM_CROSS is a scope of the estimate, not of KSM: with it, the
 * VM's pages that equal another such VM's count as sharable in
 * HVMEM_IOC_SHARE_STATS; without it (the default for a new VM, as merging
 * across VMs opens a timing side channel between them, CVE-2015-2877) only
 * duplicates within the VM count. Actual merging is done by KSM, which
 * merges identical pages of every area advised MADV_MERGEABLE on the
 * host, whatever VM they belong to: two VMs' pages stay apart only when
 * one of them is not advised at all (QEMU -machine mem-merge=off, libvirt
 * <memoryBacking><nosharepages/>, no "hvmemctl share apply" on it).
 */
struct hvmem_share_vm {
	__u32 size;
	__u32 flags;
	__u32 vm_id;
	__u32 reserved;
};

#define HVMEM_SHARE_VM_SIZE_VER0	16

#define HVMEM_IOC_SHARE_SCAN	_IOWR(HVMEM_IOCTL_MAGIC, 0x40, struct hvmem_share_scan)
#define HVMEM_IOC_SHARE_STATS	_IOWR(HVMEM_IOCTL_MAGIC, 0x41, struct hvmem_share_stats)
#define HVMEM_IOC_SHARE_REGIONS	_IOWR(HVMEM_IOCTL_MAGIC, 0x42, struct hvmem_share_regions)
#define HVMEM_IOC_SHARE_VM_SET	_IOW(HVMEM_IOCTL_MAGIC, 0x43, struct hvmem_share_vm)

/* Swap devices (hvmem_vswap.ko): 0x50-0x5f */

/* Block size of a swap device: its logical and physical block size. */
#define HVMEM_VSWAP_BLOCK_SIZE		4096U
/* Longest backing device path, with its NUL */
#define HVMEM_VSWAP_PATH_MAX		256U

/**
 * struct hvmem_vswap_create - HVMEM_IOC_VSWAP_CREATE argument
 * @size: sizeof(struct hvmem_vswap_create) as known to the caller
 * @flags: must be 0
 * @vm_id: the VM whose cache pages hold the device's blocks (-ENOENT if
 *	not bound)
 * @dev_id: out: N of /dev/hvswapN
 * @bytes: device size, a non-zero multiple of HVMEM_VSWAP_BLOCK_SIZE
 *	(-EINVAL otherwise)
 * @backing: user pointer to the NUL-terminated path of a block device
 *	(shorter than HVMEM_VSWAP_PATH_MAX), or 0 for none. The device is
 *	opened exclusively for reading and writing: -EROFS when it is read
 *	only, -ENOSPC when it is smaller than @bytes, -EINVAL when its
 *	logical block size exceeds HVMEM_VSWAP_BLOCK_SIZE or it is a swap
 *	device itself, the open's errno (-ENOENT, -EBUSY, ...) otherwise
 *
 * Creates /dev/hvswapN, a block device whose blocks live in the exclusive
 * cache, in a pool of @vm_id. Reads do not take a block out of the cache; a
 * block leaves it when it is overwritten, discarded, written with zeros,
 * freed by swap (when the device is a host swap device), or evicted.
 * Without a backing device the cache never evicts the device's blocks: a
 * write that does not fit (the VM's cap, or a reserve full of blocks that
 * cannot be evicted) fails with an I/O error. With one, the cache evicts
 * them by its share-weighted LRU, and each evicted block is written to the
 * backing device before its memory is let go; later reads of it come from
 * there. When the VM is unbound, every I/O of the device fails: destroy it.
 */
struct hvmem_vswap_create {
	__u32 size;
	__u32 flags;
	__u32 vm_id;
	__u32 dev_id;
	__u64 bytes;
	__u64 backing;
};

#define HVMEM_VSWAP_CREATE_SIZE_VER0	32

/**
 * struct hvmem_vswap_destroy - HVMEM_IOC_VSWAP_DESTROY argument
 * @size: sizeof(struct hvmem_vswap_destroy) as known to the caller
 * @flags: must be 0
 * @dev_id: N of /dev/hvswapN (-ENOENT if there is none)
 * @reserved: must be 0
 *
 * Removes the device and drops its blocks from the cache. -EBUSY while the
 * device is open (mounted, a swap device, held by QEMU, ...).
 */
struct hvmem_vswap_destroy {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 reserved;
};

#define HVMEM_VSWAP_DESTROY_SIZE_VER0	16

/* struct hvmem_vswap_info.flags */
#define HVMEM_VSWAP_BACKED	_BITUL(0)	/* has a backing device */
#define HVMEM_VSWAP_DEAD	_BITUL(1)	/* its VM was unbound: I/O fails */

/**
 * struct hvmem_vswap_info - one entry of the HVMEM_IOC_VSWAP_LIST output
 * @dev_id: N of /dev/hvswapN
 * @flags: HVMEM_VSWAP_* bits
 * @vm_id: the VM
 * @pool_id: the device's cache pool
 * @bytes: device size
 * @backing_dev: the backing device's dev_t (new_encode_dev()), 0 for none
 * @reserved: 0
 * @stored: blocks in the cache now (zero and shared blocks count once each)
 * @zero: writes of all-zero blocks (stored without memory)
 * @deduplicated: writes stored by sharing an identical page
 * @evicted: blocks the cache evicted (each written back first)
 * @written_back: blocks written to the backing device (evicted, or written
 *	there directly when the cache had no room)
 * @backing_reads: reads served from the backing device
 * @failed: failed I/O: writes that did not fit without a backing device,
 *	backing I/O errors (a failed writeback keeps the block in the cache),
 *	I/O after the VM was unbound
 * @reads: blocks read
 * @writes: blocks written
 * @discarded: blocks discarded or written with zeros by a discard or
 *	write-zeroes request
 * @freed: swap slots freed by the host's swap (swap_slot_free_notify)
 */
struct hvmem_vswap_info {
	__u32 dev_id;
	__u32 flags;
	__u32 vm_id;
	__u32 pool_id;
	__u64 bytes;
	__u32 backing_dev;
	__u32 reserved;
	__u64 stored;
	__u64 zero;
	__u64 deduplicated;
	__u64 evicted;
	__u64 written_back;
	__u64 backing_reads;
	__u64 failed;
	__u64 reads;
	__u64 writes;
	__u64 discarded;
	__u64 freed;
};

#define HVMEM_VSWAP_INFO_SIZE_VER0	120

/**
 * struct hvmem_vswap_list - HVMEM_IOC_VSWAP_LIST argument
 * @size: sizeof(struct hvmem_vswap_list) as known to the caller
 * @flags: must be 0
 * @entry_size: sizeof(struct hvmem_vswap_info) as known to the caller (at
 *	least HVMEM_VSWAP_INFO_SIZE_VER0); entries are written at that
 *	stride, each truncated or zero-padded to it
 * @count: in: room in @entries, in entries; out: entries written
 * @total: out: devices when the list was taken (may exceed @count)
 * @reserved: must be 0
 * @entries: user pointer to @count entries; may be 0 when @count is 0
 *
 * Devices are listed by increasing @dev_id.
 */
struct hvmem_vswap_list {
	__u32 size;
	__u32 flags;
	__u32 entry_size;
	__u32 count;
	__u32 total;
	__u32 reserved;
	__u64 entries;
};

#define HVMEM_VSWAP_LIST_SIZE_VER0	32

#define HVMEM_IOC_VSWAP_CREATE	_IOWR(HVMEM_IOCTL_MAGIC, 0x50, struct hvmem_vswap_create)
#define HVMEM_IOC_VSWAP_DESTROY	_IOW(HVMEM_IOCTL_MAGIC, 0x51, struct hvmem_vswap_destroy)
#define HVMEM_IOC_VSWAP_LIST	_IOWR(HVMEM_IOCTL_MAGIC, 0x52, struct hvmem_vswap_list)

#endif /* _UAPI_LINUX_HVMEM_H */
