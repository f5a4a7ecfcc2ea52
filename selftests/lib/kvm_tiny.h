/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny real KVM VM for tests (kvm selftests style): 128 KiB of guest
 * memory and one vCPU in 16-bit real mode running code that writes one byte
 * into each of 16 guest pages (0x10000 + i * 4096) and halts.
 */
#ifndef HVMEM_KVM_TINY_H
#define HVMEM_KVM_TINY_H

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define KVM_TINY_MEM		0x20000
#define KVM_TINY_CODE		0x1000
#define KVM_TINY_PAGES		16
#define KVM_TINY_DATA		0x10000
#define KVM_TINY_MARK		0xab

struct kvm_tiny {
	int kvm, vm, vcpu;
	uint8_t *mem;
	struct kvm_run *run;
};

/*
 *	mov cx, 16
 *	mov ax, 0x1000
 * 1:	mov ds, ax
 *	mov byte [0], 0xab
 *	add ax, 0x100		; next 4 KiB page
 *	dec cx
 *	jnz 1b
 *	hlt
 */
static const uint8_t kvm_tiny_code[] = {
	0xb9, 0x10, 0x00, 0xb8, 0x00, 0x10, 0x8e, 0xd8, 0xc6, 0x06, 0x00, 0x00,
	KVM_TINY_MARK, 0x05, 0x00, 0x01, 0x49, 0x75, 0xf3, 0xf4,
};

static inline void kvm_tiny_close(struct kvm_tiny *t)
{
	if (t->run && t->run != MAP_FAILED)
		munmap(t->run, (size_t)ioctl(t->kvm, KVM_GET_VCPU_MMAP_SIZE, 0));
	if (t->mem && t->mem != MAP_FAILED)
		munmap(t->mem, KVM_TINY_MEM);
	if (t->vcpu >= 0)
		close(t->vcpu);
	if (t->vm >= 0)
		close(t->vm);
	if (t->kvm >= 0)
		close(t->kvm);
	memset(t, 0, sizeof(*t));
	t->kvm = t->vm = t->vcpu = -1;
}

/* Create the VM (not run yet). 0, or -errno; -ENOENT when there is no /dev/kvm. */
static inline int kvm_tiny_create(struct kvm_tiny *t)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = KVM_TINY_MEM,
	};
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int ret, sz;

	memset(t, 0, sizeof(*t));
	t->vm = t->vcpu = -1;
	t->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (t->kvm < 0)
		return -errno;
	t->vm = ioctl(t->kvm, KVM_CREATE_VM, 0);
	if (t->vm < 0)
		goto err;
	t->mem = mmap(NULL, KVM_TINY_MEM, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (t->mem == MAP_FAILED)
		goto err;
	memcpy(t->mem + KVM_TINY_CODE, kvm_tiny_code, sizeof(kvm_tiny_code));
	region.userspace_addr = (uint64_t)(unsigned long)t->mem;
	if (ioctl(t->vm, KVM_SET_USER_MEMORY_REGION, &region))
		goto err;
	t->vcpu = ioctl(t->vm, KVM_CREATE_VCPU, 0);
	if (t->vcpu < 0)
		goto err;
	sz = ioctl(t->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (sz <= 0)
		goto err;
	t->run = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED, t->vcpu, 0);
	if (t->run == MAP_FAILED)
		goto err;
	if (ioctl(t->vcpu, KVM_GET_SREGS, &sregs))
		goto err;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	sregs.ds.base = 0;
	sregs.ds.selector = 0;
	if (ioctl(t->vcpu, KVM_SET_SREGS, &sregs))
		goto err;
	memset(&regs, 0, sizeof(regs));
	regs.rip = KVM_TINY_CODE;
	regs.rflags = 2;
	if (ioctl(t->vcpu, KVM_SET_REGS, &regs))
		goto err;
	return 0;
err:
	ret = -errno;
	kvm_tiny_close(t);
	return ret ? ret : -EIO;
}

/* Run until HLT; true when the guest halted having marked all its pages. */
static inline bool kvm_tiny_run(struct kvm_tiny *t)
{
	int i;

	if (ioctl(t->vcpu, KVM_RUN, 0) || t->run->exit_reason != KVM_EXIT_HLT)
		return false;
	for (i = 0; i < KVM_TINY_PAGES; i++)
		if (t->mem[KVM_TINY_DATA + i * 4096] != KVM_TINY_MARK)
			return false;
	return true;
}

#endif /* HVMEM_KVM_TINY_H */
