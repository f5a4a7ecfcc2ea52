#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dm-swapres tracepoints (events/dm_swapres/): a first write's block, a
# rewrite (no event), a write refused at the VM's max, a discard, and the
# removal of the device, each with the fields the state implies. Prints TAP.
. "$(dirname "$0")/swapres_lib.sh"

sr_load_modules
if ! sr_trace_on; then
	echo "1..0 # SKIP no tracefs or no dm_swapres events"
	exit $KSFT_SKIP
fi
trap 'sr_trace_off; sr_cleanup' EXIT
sr_backing 16
R=srt_trres
# 4096 blocks of 4 KiB; the VM may hold 4
sr_check "reservation" sr_create $R "0 32768 swapres-resv $sr_loop 0 8"
sr_check "thin device" sr_create srt_trvm "0 32768 swapres /dev/mapper/$R tvm 4"
sr_trace_on

sr_write_pages srt_trvm 3 1
sr_check "first write: swapres_alloc" sr_eq "$(sr_trace swapres_alloc)" \
	"swapres_alloc: resv=$R vm=tvm page=3 pblock=0 vm_allocated=1 free=4095"
sr_write_pages srt_trvm 3 1
sr_check "rewrite: no event" sr_eq "$(sr_trace swapres_alloc | wc -l)" 1
sr_write_pages srt_trvm 0 3
sr_check "three more blocks" sr_eq "$(sr_trace swapres_alloc | tail -n 1)" \
	"swapres_alloc: resv=$R vm=tvm page=2 pblock=3 vm_allocated=4 free=4092"
sr_check "write beyond the VM's max refused" \
	bash -c "! dd if=/dev/zero of=/dev/mapper/srt_trvm bs=4k seek=4 count=1 oflag=direct conv=notrunc status=none 2>/dev/null"
sr_check "refusal: swapres_enospc" sr_eq "$(sr_trace swapres_enospc)" \
	"swapres_enospc: resv=$R vm=tvm page=4 vm_allocated=4 vm_max=4 free=4092"
blkdiscard -o 0 -l $((2 * 4096)) /dev/mapper/srt_trvm
sr_check "discard: swapres_discard" sr_eq "$(sr_trace swapres_discard)" \
	"swapres_discard: resv=$R vm=tvm first=0 nr=2 freed=2 deferred=0"
sr_check "device removed" sr_remove srt_trvm
sr_check "removal: swapres_vm_remove" sr_eq "$(sr_trace swapres_vm_remove)" \
	"swapres_vm_remove: resv=$R vm=tvm freed=2"
sr_check "no deferred frees without I/O in flight" \
	sr_eq "$(sr_trace swapres_deferred_free | wc -l)" 0
sr_trace_off
sr_cleanup
sr_check "no kernel warning" bash -c "! klog_new | grep -q 'WARNING:.*swapres'"
sr_done
