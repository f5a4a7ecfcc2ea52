/* SPDX-License-Identifier: GPL-2.0 */
/* Tracepoints of hvmem_share.ko: events/hvmem_share/ in tracefs. */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM hvmem_share

#if !defined(_HVMEM_SHARE_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _HVMEM_SHARE_TRACE_H

#include <linux/tracepoint.h>

/* A scan of one VM ended: @ret 0 (installed) or the error. */
TRACE_EVENT(hvmem_share_scan,
	TP_PROTO(u32 vm, int ret, u64 pages, u64 regions, u64 thp_regions, u64 ns),
	TP_ARGS(vm, ret, pages, regions, thp_regions, ns),
	TP_STRUCT__entry(
		__field(u32, vm)
		__field(int, ret)
		__field(u64, pages)
		__field(u64, regions)
		__field(u64, thp_regions)
		__field(u64, ns)
	),
	TP_fast_assign(
		__entry->vm = vm;
		__entry->ret = ret;
		__entry->pages = pages;
		__entry->regions = regions;
		__entry->thp_regions = thp_regions;
		__entry->ns = ns;
	),
	TP_printk("vm=%u ret=%d pages=%llu regions=%llu thp_regions=%llu ns=%llu",
		  __entry->vm, __entry->ret, __entry->pages, __entry->regions,
		  __entry->thp_regions, __entry->ns)
);

/* The estimates were recomputed over every VM's last scan. */
TRACE_EVENT(hvmem_share_estimate,
	TP_PROTO(u64 pages, u64 small, u64 split, u64 policy, u64 policy_regions),
	TP_ARGS(pages, small, split, policy, policy_regions),
	TP_STRUCT__entry(
		__field(u64, pages)
		__field(u64, small)
		__field(u64, split)
		__field(u64, policy)
		__field(u64, policy_regions)
	),
	TP_fast_assign(
		__entry->pages = pages;
		__entry->small = small;
		__entry->split = split;
		__entry->policy = policy;
		__entry->policy_regions = policy_regions;
	),
	TP_printk("pages=%llu reclaim_small=%llu reclaim_split=%llu reclaim_policy=%llu policy_regions=%llu",
		  __entry->pages, __entry->small, __entry->split, __entry->policy,
		  __entry->policy_regions)
);

#endif /* _HVMEM_SHARE_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE share_trace
#include <trace/define_trace.h>
