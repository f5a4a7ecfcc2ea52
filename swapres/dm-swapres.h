/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dm-swapres: glue shared by the reservation target, the thin target and
 * sysfs. Locking: swapres_mutex (global) protects the reservation list,
 * each reservation's VM list and sysfs objects; a reservation's spinlock
 * protects its pure core (struct swapres_res and the VMs' swapres_vm) and
 * is taken on the I/O path. Order: swapres_mutex, then resv->lock.
 */
#ifndef _DM_SWAPRES_H
#define _DM_SWAPRES_H

#include <linux/device-mapper.h>
#include <linux/kobject.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>

#include "swapres_core.h"

#define DM_MSG_PREFIX "swapres"

#define SWAPRES_PAGE_SECTORS	(1 << (SWAPRES_PAGE_SHIFT - SECTOR_SHIFT))

/**
 * struct swapres_resv - one reservation (a swapres-resv target)
 * @node: in swapres_resvs
 * @kref: the target and every thin VM on it hold one
 * @devt: the reservation's own dm device, how thin tables find it
 * @name: dm device name at creation (sysfs directory name)
 * @backing_devt: backing block device
 * @start: first sector of the reservation on the backing device
 * @block_sectors: sectors per block
 * @block_shift: log2(@block_sectors)
 * @table_overcommit: "overcommit" was given in the table
 * @live: a swapres-resv table owns it. When that table goes (a reload with
 *	another target) while thin VMs still hold blocks, the reservation
 *	stays on swapres_resvs with @live false, so that no new table can
 *	hand its blocks out again, until its last VM goes.
 * @lock: protects @core and the VMs' cores
 * @core: the pure reservation
 * @vms: struct swapres_thin_vm list
 * @kobj: sysfs directory, NULL if sysfs is unavailable
 * @vms_kobj: sysfs "vms" directory
 */
struct swapres_resv {
	struct list_head node;
	struct kref kref;
	dev_t devt;
	char name[DM_NAME_LEN];
	dev_t backing_devt;
	sector_t start;
	u32 block_sectors;
	u32 block_shift;
	bool table_overcommit;
	bool live;
	spinlock_t lock;	/* protects core and the VMs' cores */
	struct swapres_res core;
	struct list_head vms;
	struct kobject *kobj;
	struct kobject *vms_kobj;
};

/**
 * struct swapres_thin_vm - one VM's thin space, shared by the tables of one
 * dm device across a table reload
 * @node: in resv->vms
 * @users: tables using it (under swapres_mutex)
 * @md: the dm device owning it
 * @resv: reservation (holds a reference)
 * @name: VM name
 * @pool_name: sub-pool name, "" for the root pool
 * @core: the pure thin map
 * @kobj: sysfs directory under resv->vms_kobj, or NULL
 */
struct swapres_thin_vm {
	struct list_head node;
	unsigned int users;
	struct mapped_device *md;
	struct swapres_resv *resv;
	char name[SWAPRES_NAME_LEN];
	char pool_name[SWAPRES_NAME_LEN];
	struct swapres_vm core;
	struct kobject *kobj;
};

extern struct mutex swapres_mutex;
extern struct list_head swapres_resvs;

void swapres_resv_put(struct swapres_resv *resv);
void swapres_resv_unlink(struct swapres_resv *resv);

int swapres_thin_register(void);
void swapres_thin_unregister(void);

int swapres_sysfs_init(void);
void swapres_sysfs_exit(void);
void swapres_sysfs_add_resv(struct swapres_resv *resv);
void swapres_sysfs_del_resv(struct swapres_resv *resv);
void swapres_sysfs_add_vm(struct swapres_thin_vm *vm);
void swapres_sysfs_del_vm(struct swapres_thin_vm *vm);

#endif /* _DM_SWAPRES_H */
