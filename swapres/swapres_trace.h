/* SPDX-License-Identifier: GPL-2.0 */
/* Tracepoints of dm-swapres.ko: events/dm_swapres/ in tracefs. */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM dm_swapres

#if !defined(_SWAPRES_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _SWAPRES_TRACE_H

#include <linux/tracepoint.h>

/* A first write took block @pblock of reservation @resv for @vm's @page. */
TRACE_EVENT(swapres_alloc,
	TP_PROTO(const char *resv, const char *vm, u64 page, u32 pblock,
		 u32 vm_allocated, u32 free),
	TP_ARGS(resv, vm, page, pblock, vm_allocated, free),
	TP_STRUCT__entry(
		__string(resv, resv)
		__string(vm, vm)
		__field(u64, page)
		__field(u32, pblock)
		__field(u32, vm_allocated)
		__field(u32, free)
	),
	TP_fast_assign(
		__assign_str(resv);
		__assign_str(vm);
		__entry->page = page;
		__entry->pblock = pblock;
		__entry->vm_allocated = vm_allocated;
		__entry->free = free;
	),
	TP_printk("resv=%s vm=%s page=%llu pblock=%u vm_allocated=%u free=%u",
		  __get_str(resv), __get_str(vm), __entry->page, __entry->pblock,
		  __entry->vm_allocated, __entry->free)
);

/* A write to @vm's @page was refused: no block for it (-ENOSPC). */
TRACE_EVENT(swapres_enospc,
	TP_PROTO(const char *resv, const char *vm, u64 page, u32 vm_allocated,
		 u32 vm_max, u32 free),
	TP_ARGS(resv, vm, page, vm_allocated, vm_max, free),
	TP_STRUCT__entry(
		__string(resv, resv)
		__string(vm, vm)
		__field(u64, page)
		__field(u32, vm_allocated)
		__field(u32, vm_max)
		__field(u32, free)
	),
	TP_fast_assign(
		__assign_str(resv);
		__assign_str(vm);
		__entry->page = page;
		__entry->vm_allocated = vm_allocated;
		__entry->vm_max = vm_max;
		__entry->free = free;
	),
	TP_printk("resv=%s vm=%s page=%llu vm_allocated=%u vm_max=%u free=%u",
		  __get_str(resv), __get_str(vm), __entry->page, __entry->vm_allocated,
		  __entry->vm_max, __entry->free)
);

/*
 * A discard of @nr pages from @first gave @freed blocks back at once; the
 * reservation has @deferred blocks waiting for their I/O to end.
 */
TRACE_EVENT(swapres_discard,
	TP_PROTO(const char *resv, const char *vm, u64 first, u64 nr, u32 freed,
		 u32 deferred),
	TP_ARGS(resv, vm, first, nr, freed, deferred),
	TP_STRUCT__entry(
		__string(resv, resv)
		__string(vm, vm)
		__field(u64, first)
		__field(u64, nr)
		__field(u32, freed)
		__field(u32, deferred)
	),
	TP_fast_assign(
		__assign_str(resv);
		__assign_str(vm);
		__entry->first = first;
		__entry->nr = nr;
		__entry->freed = freed;
		__entry->deferred = deferred;
	),
	TP_printk("resv=%s vm=%s first=%llu nr=%llu freed=%u deferred=%u",
		  __get_str(resv), __get_str(vm), __entry->first, __entry->nr,
		  __entry->freed, __entry->deferred)
);

/* The last I/O to @pblock, unmapped by a discard meanwhile, freed it. */
TRACE_EVENT(swapres_deferred_free,
	TP_PROTO(const char *resv, const char *vm, u32 pblock),
	TP_ARGS(resv, vm, pblock),
	TP_STRUCT__entry(
		__string(resv, resv)
		__string(vm, vm)
		__field(u32, pblock)
	),
	TP_fast_assign(
		__assign_str(resv);
		__assign_str(vm);
		__entry->pblock = pblock;
	),
	TP_printk("resv=%s vm=%s pblock=%u", __get_str(resv), __get_str(vm),
		  __entry->pblock)
);

/* @vm's device went away and gave @freed blocks back. */
TRACE_EVENT(swapres_vm_remove,
	TP_PROTO(const char *resv, const char *vm, u64 freed),
	TP_ARGS(resv, vm, freed),
	TP_STRUCT__entry(
		__string(resv, resv)
		__string(vm, vm)
		__field(u64, freed)
	),
	TP_fast_assign(
		__assign_str(resv);
		__assign_str(vm);
		__entry->freed = freed;
	),
	TP_printk("resv=%s vm=%s freed=%llu", __get_str(resv), __get_str(vm),
		  __entry->freed)
);

#endif /* _SWAPRES_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE swapres_trace
#include <trace/define_trace.h>
