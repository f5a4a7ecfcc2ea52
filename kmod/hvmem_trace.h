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

#endif /* _HVMEM_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE hvmem_trace
#include <trace/define_trace.h>
