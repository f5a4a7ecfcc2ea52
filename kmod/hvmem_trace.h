/* SPDX-License-Identifier: GPL-2.0 */
/* Tracepoints of hvmem.ko: events/hvmem/ in tracefs. */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM hvmem

#if !defined(_HVMEM_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _HVMEM_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(hvmem_vm_bind,
	TP_PROTO(u32 id, bool kvm, pid_t pid),
	TP_ARGS(id, kvm, pid),
	TP_STRUCT__entry(
		__field(u32, id)
		__field(bool, kvm)
		__field(pid_t, pid)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->kvm = kvm;
		__entry->pid = pid;
	),
	TP_printk("vm=%u kvm=%d pid=%d", __entry->id, __entry->kvm, __entry->pid)
);

TRACE_EVENT(hvmem_vm_unbind,
	TP_PROTO(u32 id, bool exited),
	TP_ARGS(id, exited),
	TP_STRUCT__entry(
		__field(u32, id)
		__field(bool, exited)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->exited = exited;
	),
	TP_printk("vm=%u exited=%d", __entry->id, __entry->exited)
);

DECLARE_EVENT_CLASS(hvmem_cache_io,
	TP_PROTO(u32 pool, u64 oid, u64 index, u64 gen, int ret),
	TP_ARGS(pool, oid, index, gen, ret),
	TP_STRUCT__entry(
		__field(u32, pool)
		__field(int, ret)
		__field(u64, oid)
		__field(u64, index)
		__field(u64, gen)
	),
	TP_fast_assign(
		__entry->pool = pool;
		__entry->ret = ret;
		__entry->oid = oid;
		__entry->index = index;
		__entry->gen = gen;
	),
	TP_printk("pool=%u oid=%llu index=%llu gen=%llu ret=%d", __entry->pool,
		  __entry->oid, __entry->index, __entry->gen, __entry->ret)
);

DEFINE_EVENT(hvmem_cache_io, hvmem_cache_put,
	TP_PROTO(u32 pool, u64 oid, u64 index, u64 gen, int ret),
	TP_ARGS(pool, oid, index, gen, ret)
);

DEFINE_EVENT(hvmem_cache_io, hvmem_cache_get,
	TP_PROTO(u32 pool, u64 oid, u64 index, u64 gen, int ret),
	TP_ARGS(pool, oid, index, gen, ret)
);

TRACE_EVENT(hvmem_cache_evict,
	TP_PROTO(u32 vm, u32 pool, u64 oid, u64 index),
	TP_ARGS(vm, pool, oid, index),
	TP_STRUCT__entry(
		__field(u32, vm)
		__field(u32, pool)
		__field(u64, oid)
		__field(u64, index)
	),
	TP_fast_assign(
		__entry->vm = vm;
		__entry->pool = pool;
		__entry->oid = oid;
		__entry->index = index;
	),
	TP_printk("vm=%u pool=%u oid=%llu index=%llu", __entry->vm, __entry->pool,
		  __entry->oid, __entry->index)
);

#endif /* _HVMEM_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE hvmem_trace
#include <trace/define_trace.h>
