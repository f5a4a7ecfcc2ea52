/* SPDX-License-Identifier: GPL-2.0 */
/* Tracepoints of hvmem_vswap.ko: events/hvmem_vswap/ in tracefs. */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM hvmem_vswap

#if !defined(_VSWAP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _VSWAP_TRACE_H

#include <linux/tracepoint.h>

/* One block of device hvswap@dev: @block, with a result or detail @arg. */
DECLARE_EVENT_CLASS(vswap_block,
	TP_PROTO(u32 dev, u64 block, int arg),
	TP_ARGS(dev, block, arg),
	TP_STRUCT__entry(
		__field(u32, dev)
		__field(u64, block)
		__field(int, arg)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->block = block;
		__entry->arg = arg;
	),
	TP_printk("dev=hvswap%u block=%llu arg=%d", __entry->dev, __entry->block, __entry->arg)
);

/* A write stored the block in a page of its own (arg 0). */
DEFINE_EVENT(vswap_block, vswap_store,
	TP_PROTO(u32 dev, u64 block, int arg), TP_ARGS(dev, block, arg));
/* A write of zeros: stored without memory (arg 0). */
DEFINE_EVENT(vswap_block, vswap_zero,
	TP_PROTO(u32 dev, u64 block, int arg), TP_ARGS(dev, block, arg));
/* A write shared an identical page (arg 0). */
DEFINE_EVENT(vswap_block, vswap_dedup,
	TP_PROTO(u32 dev, u64 block, int arg), TP_ARGS(dev, block, arg));
/* The cache evicted the block (arg 1: a zero block, nothing to write). */
DEFINE_EVENT(vswap_block, vswap_evict,
	TP_PROTO(u32 dev, u64 block, int arg), TP_ARGS(dev, block, arg));
/* The block went to the backing device (arg 0: evicted, 1: the cache had no room). */
DEFINE_EVENT(vswap_block, vswap_writeback,
	TP_PROTO(u32 dev, u64 block, int arg), TP_ARGS(dev, block, arg));
/* A read of the block was served from the backing device (arg 0). */
DEFINE_EVENT(vswap_block, vswap_backing_read,
	TP_PROTO(u32 dev, u64 block, int arg), TP_ARGS(dev, block, arg));
/* The swap slot of the block was freed: it left the cache (arg 0). */
DEFINE_EVENT(vswap_block, vswap_free,
	TP_PROTO(u32 dev, u64 block, int arg), TP_ARGS(dev, block, arg));

/* A request on @block failed: @op (REQ_OP_*), @err (a negative errno). */
TRACE_EVENT(vswap_fail,
	TP_PROTO(u32 dev, u64 block, unsigned int op, int err),
	TP_ARGS(dev, block, op, err),
	TP_STRUCT__entry(
		__field(u32, dev)
		__field(u64, block)
		__field(unsigned int, op)
		__field(int, err)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->block = block;
		__entry->op = op;
		__entry->err = err;
	),
	TP_printk("dev=hvswap%u block=%llu op=%u err=%d", __entry->dev, __entry->block,
		  __entry->op, __entry->err)
);

/* A discard or write-zeroes request dropped @count blocks from @block on. */
TRACE_EVENT(vswap_discard,
	TP_PROTO(u32 dev, u64 block, u64 count, unsigned int op),
	TP_ARGS(dev, block, count, op),
	TP_STRUCT__entry(
		__field(u32, dev)
		__field(u64, block)
		__field(u64, count)
		__field(unsigned int, op)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->block = block;
		__entry->count = count;
		__entry->op = op;
	),
	TP_printk("dev=hvswap%u block=%llu count=%llu op=%u", __entry->dev, __entry->block,
		  __entry->count, __entry->op)
);

#endif /* _VSWAP_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE vswap_trace
#include <trace/define_trace.h>
