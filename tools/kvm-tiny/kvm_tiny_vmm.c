// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-tiny-vmm - the smallest VMM: creates a KVM VM with 128 KiB of memory,
 * runs a real-mode guest that writes 16 pages and halts, prints "ready" and
 * its KVM VM fd, then keeps the VM until killed. Used by the demo and tests.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../../selftests/lib/kvm_tiny.h"

int main(void)
{
	struct kvm_tiny t;
	int ret = kvm_tiny_create(&t);

	if (ret) {
		fprintf(stderr, "kvm-tiny-vmm: creating a KVM VM: %s\n", strerror(-ret));
		return 1;
	}
	if (!kvm_tiny_run(&t)) {
		fprintf(stderr, "kvm-tiny-vmm: the guest did not run to HLT\n");
		return 1;
	}
	printf("ready vm_fd=%d guest_pages_written=%d\n", t.vm, KVM_TINY_PAGES);
	fflush(stdout);
	for (;;)
		pause();
}
