// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the VM registry's bookkeeping (registry.c): ids, duplicate
 * refusal, references, the max_vms limit and listing. Entries carry fake,
 * never-dereferenced mm/kvm pointers; no address space is bound.
 */
#include <kunit/test.h>
#include <linux/module.h>

#include "hvmem_internal.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

static unsigned long fake_cookie[4];
#define FAKE_MM(i)	((struct mm_struct *)&fake_cookie[i])
#define FAKE_KVM(i)	((struct kvm *)&fake_cookie[(i) + 2])

/*
 * Undo a fake VM whatever state its test left it in (an assert may have
 * ended the test early): out of the registry, id freed, fake pointers
 * forgotten, the last reference dropped. Tests balance their own extra
 * references; this drops the one from hvmem_vm_alloc() (the registry's).
 */
static void fake_vm_cleanup(void *data)
{
	struct hvmem_vm *vm = data;

	if (hvmem_registry_remove(vm))
		hvmem_registry_release_id(vm);
	vm->mm = NULL;
	vm->kvm = NULL;
	hvmem_vm_put(vm);
}

static struct hvmem_vm *fake_vm(struct kunit *test, int mm, int kvm)
{
	struct hvmem_vm *vm = hvmem_vm_alloc();

	KUNIT_ASSERT_NOT_NULL(test, vm);
	vm->mm = FAKE_MM(mm);
	vm->kvm = kvm >= 0 ? FAKE_KVM(kvm) : NULL;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, fake_vm_cleanup, vm), 0);
	return vm;
}

/* Unbind as vm.c's teardown does: remove, then free the id. */
static void fake_vm_remove(struct kunit *test, struct hvmem_vm *vm)
{
	KUNIT_EXPECT_TRUE(test, hvmem_registry_remove(vm));
	hvmem_registry_release_id(vm);
}

static void registry_ids_and_lookup(struct kunit *test)
{
	u32 before = hvmem_registry_count();
	struct hvmem_vm *a = fake_vm(test, 0, -1), *b = fake_vm(test, 1, -1), *got;

	KUNIT_ASSERT_EQ(test, hvmem_registry_add(a), 0);
	KUNIT_ASSERT_EQ(test, hvmem_registry_add(b), 0);
	KUNIT_EXPECT_NE(test, a->id, 0u);
	KUNIT_EXPECT_NE(test, b->id, 0u);
	KUNIT_EXPECT_NE(test, a->id, b->id);
	KUNIT_EXPECT_EQ(test, hvmem_registry_count(), before + 2);

	got = hvmem_vm_get(b->id);
	KUNIT_EXPECT_PTR_EQ(test, got, b);
	KUNIT_EXPECT_EQ(test, kref_read(&b->kref), 2u);
	hvmem_vm_put(got);
	KUNIT_EXPECT_EQ(test, kref_read(&b->kref), 1u);
	KUNIT_EXPECT_FALSE(test, hvmem_vm_is_dying(b));

	fake_vm_remove(test, a);
	fake_vm_remove(test, b);
	KUNIT_EXPECT_EQ(test, hvmem_registry_count(), before);
}

static void registry_remove_once(struct kunit *test)
{
	struct hvmem_vm *a = fake_vm(test, 0, -1);
	u32 id;

	KUNIT_ASSERT_EQ(test, hvmem_registry_add(a), 0);
	id = a->id;
	kref_get(&a->kref);			/* as a concurrent unbinder would */
	KUNIT_EXPECT_TRUE(test, hvmem_registry_remove(a));
	KUNIT_EXPECT_FALSE(test, hvmem_registry_remove(a));
	KUNIT_EXPECT_TRUE(test, hvmem_vm_is_dying(a));
	KUNIT_EXPECT_NULL(test, hvmem_vm_get(id));
	hvmem_registry_release_id(a);
	hvmem_vm_put(a);			/* the unbinder's reference */
}

/*
 * A new VM never gets the id of an unbound one: not while its teardown
 * runs (the UNBIND event may still be reaching sibling modules, which key
 * their state by id), nor after it.
 */
static void registry_ids_not_reused(struct kunit *test)
{
	struct hvmem_vm *a = fake_vm(test, 0, -1), *b = fake_vm(test, 1, -1);
	struct hvmem_vm *c = fake_vm(test, 0, -1);
	u32 id;

	KUNIT_ASSERT_EQ(test, hvmem_registry_add(a), 0);
	id = a->id;
	KUNIT_ASSERT_TRUE(test, hvmem_registry_remove(a));
	/* a's teardown is in progress: its id is reserved */
	KUNIT_ASSERT_EQ(test, hvmem_registry_add(b), 0);
	KUNIT_EXPECT_NE(test, b->id, id);
	KUNIT_EXPECT_NULL(test, hvmem_vm_get(id));
	hvmem_registry_release_id(a);
	/* and not handed out again after it */
	KUNIT_ASSERT_EQ(test, hvmem_registry_add(c), 0);
	KUNIT_EXPECT_NE(test, c->id, id);
	KUNIT_EXPECT_NE(test, c->id, b->id);
	fake_vm_remove(test, b);
	fake_vm_remove(test, c);
}

static void registry_refuses_duplicates(struct kunit *test)
{
	struct hvmem_vm *a = fake_vm(test, 0, 0), *dup = fake_vm(test, 0, 0);
	struct hvmem_vm *other_kvm = fake_vm(test, 0, 1), *by_pid = fake_vm(test, 0, -1);

	KUNIT_ASSERT_EQ(test, hvmem_registry_add(a), 0);
	KUNIT_EXPECT_EQ(test, hvmem_registry_add(dup), -EEXIST);
	/* Two KVM VMs in one process, and the process itself, are distinct. */
	KUNIT_EXPECT_EQ(test, hvmem_registry_add(other_kvm), 0);
	KUNIT_EXPECT_EQ(test, hvmem_registry_add(by_pid), 0);
	KUNIT_EXPECT_FALSE(test, hvmem_registry_remove(dup));	/* never added */

	fake_vm_remove(test, a);
	fake_vm_remove(test, other_kvm);
	fake_vm_remove(test, by_pid);
}

static void registry_max_vms(struct kunit *test)
{
	unsigned int saved = hvmem_max_vms;
	u32 before = hvmem_registry_count();
	struct hvmem_vm *a = fake_vm(test, 0, -1), *b = fake_vm(test, 1, -1);

	hvmem_max_vms = before + 1;
	KUNIT_EXPECT_EQ(test, hvmem_registry_add(a), 0);
	KUNIT_EXPECT_EQ(test, hvmem_registry_add(b), -ENOSPC);
	hvmem_max_vms = saved;
	KUNIT_EXPECT_EQ(test, hvmem_registry_add(b), 0);
	fake_vm_remove(test, a);
	fake_vm_remove(test, b);
}

static void registry_snapshot_lists_in_id_order(struct kunit *test)
{
	u32 before = hvmem_registry_count(), total, n, i;
	struct hvmem_vm *vms[3];
	struct hvmem_vm_info *out;

	for (i = 0; i < 3; i++) {
		vms[i] = fake_vm(test, i % 2, i == 2 ? 0 : -1);
		snprintf(vms[i]->comm, sizeof(vms[i]->comm), "vm%u", i);
		KUNIT_ASSERT_EQ(test, hvmem_registry_add(vms[i]), 0);
	}
	set_bit(HVMEM_VM_S_DYING, &vms[1]->state);

	out = kunit_kcalloc(test, before + 3, sizeof(*out), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, out);
	n = hvmem_registry_snapshot(out, before + 3, &total);
	KUNIT_EXPECT_EQ(test, n, before + 3);
	KUNIT_EXPECT_EQ(test, total, before + 3);
	for (i = 1; i < n; i++)
		KUNIT_EXPECT_LT(test, out[i - 1].id, out[i].id);
	for (i = 0; i < n; i++) {
		if (out[i].id == vms[1]->id)
			KUNIT_EXPECT_EQ(test, out[i].flags, (u32)HVMEM_VM_DYING);
		if (out[i].id == vms[2]->id) {
			KUNIT_EXPECT_EQ(test, out[i].flags, (u32)HVMEM_VM_KVM);
			KUNIT_EXPECT_STREQ(test, out[i].comm, "vm2");
		}
	}
	/* Room for one: one written, the total still told. */
	KUNIT_EXPECT_EQ(test, hvmem_registry_snapshot(out, 1, &total), 1u);
	KUNIT_EXPECT_EQ(test, total, before + 3);
	KUNIT_EXPECT_EQ(test, hvmem_registry_snapshot(NULL, 0, &total), 0u);

	for (i = 0; i < 3; i++)
		fake_vm_remove(test, vms[i]);
}

static struct kunit_case hvmem_registry_cases[] = {
	KUNIT_CASE(registry_ids_and_lookup),
	KUNIT_CASE(registry_remove_once),
	KUNIT_CASE(registry_ids_not_reused),
	KUNIT_CASE(registry_refuses_duplicates),
	KUNIT_CASE(registry_max_vms),
	KUNIT_CASE(registry_snapshot_lists_in_id_order),
	{}
};

static struct kunit_suite hvmem_registry_suite = {
	.name = "hvmem_registry",
	.test_cases = hvmem_registry_cases,
};

kunit_test_suite(hvmem_registry_suite);

MODULE_DESCRIPTION("KUnit tests for hvmem's VM registry and ioctl arguments");
MODULE_LICENSE("GPL");
