# SPDX-License-Identifier: GPL-2.0
#
# hvmem top-level Makefile.
#
#   make              modules (W=1) + hvmemctl + selftests
#   make check        every test: host unit tests, build, VM selftests, KUnit
#   make demo         boot a VM, load hvmem, bind a tiny KVM VM, show status
#   make unit         host unit tests of the pure cores, hvmemd against fake QMP
#   make checkpatch   checkpatch.pl --strict over the kernel sources
#   make KDIR=...     build the modules against another kernel tree

TOP	:= $(CURDIR)
KDIR	?= $(shell bash -c '. $(TOP)/scripts/lib.sh && hvmem_default_kdir')
W	?= 1
BUILD	:= $(TOP)/build
JOBS	?= $(shell nproc)

.PHONY: all modules tools selftests ksft-headers unit check demo checkpatch clean

all: modules tools selftests

modules:
	@test -n "$(KDIR)" || { echo "no kernel headers: run scripts/setup or pass KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(TOP) W=$(W) -j$(JOBS) modules

tools:
	$(MAKE) -C tools/hvmemctl O=$(BUILD)/tools
	$(MAKE) -C tools/hvmemd O=$(BUILD)/tools
	@mkdir -p $(BUILD)/tools
	$(CC) -O2 -Wall -Wextra -o $(BUILD)/tools/kvm-tiny-vmm tools/kvm-tiny/kvm_tiny_vmm.c
	$(CC) -static -O2 -Wall -Wextra -o $(BUILD)/tools/hvmem-workload \
		tools/guest-workload/hvmem_workload.c tools/guest-workload/workload_core.c

ksft-headers:
	@scripts/ksft-headers $(BUILD)/ksft

selftests: ksft-headers
	$(MAKE) -C selftests O=$(BUILD)/selftests KSFT=$(BUILD)/ksft
	@scripts/build-kernel-ksm-tests $(BUILD)/kernel-ksm-tests

unit: ksft-headers
	$(MAKE) -C selftests/unit O=$(BUILD)/unit KSFT=$(BUILD)/ksft run
	$(MAKE) -C tools/hvmemd O=$(BUILD)/unit KSFT=$(BUILD)/ksft unit

check:
	scripts/check

demo:
	scripts/demo

checkpatch:
	scripts/checkpatch

clean:
	$(if $(KDIR),$(MAKE) -C $(KDIR) M=$(TOP) clean)
	rm -rf $(BUILD)
