// SPDX-License-Identifier: GPL-2.0
/*
 * hvmem_failnth: the operations of /dev/hvmem, each with valid arguments on
 * the context's two VMs and pool: VM bind (by pid and by KVM fd), unbind and
 * list; the cache's pools, pages and per-VM settings (a put that fails must
 * not leave a key's old page); MRC contexts; the share scanner.
 */
#include "failnth.h"

/* ---- core ---- */

static int bind_pid_setup(struct ctx *c)
{
	c->a.bind = (struct hvmem_vm_bind){ .size = sizeof(c->a.bind),
		.flags = HVMEM_BIND_BY_PID, .kvm_fd = -1, .pid = c->sleeper };
	return 0;
}

static int bind_kvm_setup(struct ctx *c)
{
	if (!c->have_kvm)
		return -ENOENT;
	c->a.bind = (struct hvmem_vm_bind){ .size = sizeof(c->a.bind),
		.flags = HVMEM_BIND_BY_KVM_FD, .kvm_fd = c->kvm.vm };
	return 0;
}

static int bind_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_VM_BIND);
}

static void bind_undo(struct ctx *c)
{
	hvmem_unbind(c->dev, c->a.bind.id);
}

static int unbind_setup(struct ctx *c)
{
	__u32 id = 0;
	int ret = hvmem_bind_pid(c->dev, c->sleeper, &id);

	c->a.unbind = (struct hvmem_vm_unbind){ .size = sizeof(c->a.unbind), .id = id };
	return ret;
}

static int unbind_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_VM_UNBIND);
}

static void unbind_teardown(struct ctx *c)
{
	hvmem_unbind(c->dev, c->a.unbind.id);
}

static int list_setup(struct ctx *c)
{
	c->a.list = (struct hvmem_vm_list){ .size = sizeof(c->a.list),
		.entry_size = sizeof(c->infos[0]) + 8, .count = 32,
		.entries = (uintptr_t)c->infos };
	return 0;
}

static int list_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_VM_LIST);
}

/* ---- cache ---- */

static int pc_setup(struct ctx *c)
{
	c->a.pc = (struct hvmem_cache_pool_create){ .size = sizeof(c->a.pc), .vm_id = c->vm };
	return 0;
}

static int pc_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_CACHE_POOL_CREATE);
}

static void pc_undo(struct ctx *c)
{
	struct hvmem_cache_pool_destroy d = { .size = sizeof(d), .pool_id = c->a.pc.pool_id };

	ioctl(c->dev, HVMEM_IOC_CACHE_POOL_DESTROY, &d);
}

static int pd_setup(struct ctx *c)
{
	__u32 pool = 0;
	int ret = hvmem_pool_create(c->dev, c->vm, 0, &pool);

	c->a.pd = (struct hvmem_cache_pool_destroy){ .size = sizeof(c->a.pd), .pool_id = pool };
	return ret;
}

static int pd_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_CACHE_POOL_DESTROY);
}

static void pd_teardown(struct ctx *c)
{
	ioctl(c->dev, HVMEM_IOC_CACHE_POOL_DESTROY, &c->a.pd);
}

static void io_args(struct ctx *c, uint8_t *buf)
{
	unsigned int i;

	for (i = 0; i < NPG; i++)
		c->pages[i] = (struct hvmem_cache_page){ .oid = 7, .index = i };
	c->a.io = (struct hvmem_cache_io){ .size = sizeof(c->a.io), .pool_id = c->pool,
		.count = NPG, .pages = (uintptr_t)c->pages, .buf = (uintptr_t)buf,
		.page_size = c->pg, .entry_size = sizeof(c->pages[0]) };
}

/* Old pages under keys (7, 0..15), then a put of new ones under injection. */
static int put_setup(struct ctx *c)
{
	int ret;

	io_args(c, c->old);
	ret = call(c, HVMEM_IOC_CACHE_PUT);
	io_args(c, c->new);
	return ret;
}

static int put_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_CACHE_PUT);
}

/* After the put, succeeded or not, no key may give its old page back. */
static int put_verify(struct ctx *c, int ret)
{
	unsigned int i, stale = 0;

	io_args(c, c->got);
	memset(c->got, 0x5a, NPG * c->pg);
	if (call(c, HVMEM_IOC_CACHE_GET))
		return 0;
	for (i = 0; i < NPG; i++) {
		if (c->pages[i].result)
			continue;
		if (!memcmp(c->got + i * c->pg, c->old + i * c->pg, c->pg) &&
		    memcmp(c->old + i * c->pg, c->new + i * c->pg, c->pg))
			stale++;
		else if (memcmp(c->got + i * c->pg, c->new + i * c->pg, c->pg))
			stale += 1000;
	}
	if (stale)
		printf("# failnth: cache_put: %u keys returned their old page, %u a wrong one (put returned %d)\n",
		       stale % 1000, stale / 1000, ret);
	return stale ? -1 : 0;
}

static void flush_obj(struct ctx *c)
{
	struct hvmem_cache_flush_object f = { .size = sizeof(f), .pool_id = c->pool, .oid = 7 };

	ioctl(c->dev, HVMEM_IOC_CACHE_FLUSH_OBJECT, &f);
}

static int get_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_CACHE_GET);
}

static int get_setup(struct ctx *c)
{
	int ret;

	io_args(c, c->new);
	ret = call(c, HVMEM_IOC_CACHE_PUT);
	io_args(c, c->got);
	return ret;
}

/* Every hit returns the page put under its key. */
static int get_verify(struct ctx *c, int ret)
{
	unsigned int i;

	for (i = 0; i < NPG && i < c->a.io.done; i++)
		if (!c->pages[i].result &&
		    memcmp(c->got + i * c->pg, c->new + i * c->pg, c->pg)) {
			printf("# failnth: cache_get: page %u is not the one put\n", i);
			return -1;
		}
	return 0;
}

static int flush_setup(struct ctx *c)
{
	int ret = get_setup(c);

	c->a.io.buf = 0;
	return ret;
}

static int flush_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_CACHE_FLUSH);
}

static int fo_setup(struct ctx *c)
{
	int ret = get_setup(c);

	c->a.fo = (struct hvmem_cache_flush_object){ .size = sizeof(c->a.fo),
		.pool_id = c->pool, .oid = 7 };
	return ret;
}

static int fo_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_CACHE_FLUSH_OBJECT);
}

static int cvm_setup(struct ctx *c)
{
	c->a.cvm = (struct hvmem_cache_vm){ .size = sizeof(c->a.cvm), .vm_id = c->vm2,
		.shares = 500, .cap = 100 };
	return 0;
}

static int cvm_set_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_CACHE_VM_SET);
}

static void cvm_undo(struct ctx *c)
{
	struct hvmem_cache_vm v = { .size = sizeof(v), .vm_id = c->vm2, .shares = 1000 };

	ioctl(c->dev, HVMEM_IOC_CACHE_VM_SET, &v);
}

static int cvm_stats_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_CACHE_VM_STATS);
}

static int cs_setup(struct ctx *c)
{
	c->a.cs = (struct hvmem_cache_stats){ .size = sizeof(c->a.cs) };
	return 0;
}

static int cs_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_CACHE_STATS);
}

/* ---- mrc ---- */

static int mo_priv_setup(struct ctx *c)
{
	c->a.mo = (struct hvmem_mrc_open){ .size = sizeof(c->a.mo),
		.flags = HVMEM_MRC_OPEN_PRIVATE, .s_max = 512, .near = 16 };
	return 0;
}

static int mo_vm_setup(struct ctx *c)
{
	c->a.mo = (struct hvmem_mrc_open){ .size = sizeof(c->a.mo), .vm_id = c->vm };
	if (ioctl(c->dev, HVMEM_IOC_MRC_OPEN, &c->a.mo))
		return -errno;
	close(c->a.mo.fd);
	c->a.mo.fd = 0;
	return 0;
}

static int mo_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_MRC_OPEN);
}

static void mo_undo(struct ctx *c)
{
	close(c->a.mo.fd);
}

static int mrc_fd_setup(struct ctx *c)
{
	if (c->mrc_fd < 0) {
		struct hvmem_mrc_open o = { .size = sizeof(o), .flags = HVMEM_MRC_OPEN_PRIVATE,
					    .s_max = 256, .near = 8 };

		if (ioctl(c->dev, HVMEM_IOC_MRC_OPEN, &o))
			return -errno;
		c->mrc_fd = o.fd;
	}
	return 0;
}

static int mf_setup(struct ctx *c)
{
	unsigned int i;

	for (i = 0; i < 1024; i++)
		c->feed[i] = (i * 2654435761U) % 3000;
	c->a.mf = (struct hvmem_mrc_feed){ .size = sizeof(c->a.mf), .count = 1024,
		.pages = (uintptr_t)c->feed };
	return mrc_fd_setup(c);
}

static int mf_run(struct ctx *c)
{
	return ioctl(c->mrc_fd, HVMEM_IOC_MRC_FEED, &c->a) ? -errno : 0;
}

static int mq_setup(struct ctx *c)
{
	unsigned int i;

	for (i = 0; i < 64; i++)
		c->sizes[i] = i * 32;
	c->a.mq = (struct hvmem_mrc_query){ .size = sizeof(c->a.mq), .count = 64,
		.sizes = (uintptr_t)c->sizes, .ratios = (uintptr_t)c->ratios };
	return mrc_fd_setup(c);
}

static int mq_run(struct ctx *c)
{
	return ioctl(c->mrc_fd, HVMEM_IOC_MRC_QUERY, &c->a) ? -errno : 0;
}

static int mr_setup(struct ctx *c)
{
	c->a.mr = (struct hvmem_mrc_reset){ .size = sizeof(c->a.mr) };
	return mrc_fd_setup(c);
}

static int mr_run(struct ctx *c)
{
	return ioctl(c->mrc_fd, HVMEM_IOC_MRC_RESET, &c->a) ? -errno : 0;
}

/* ---- share ---- */

static int ss_setup(struct ctx *c)
{
	c->a.ss = (struct hvmem_share_scan){ .size = sizeof(c->a.ss), .vm_id = c->vm };
	return 0;
}

static int ss_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_SHARE_SCAN);
}

static int st_setup(struct ctx *c)
{
	c->a.st = (struct hvmem_share_stats){ .size = sizeof(c->a.st), .vm_id = c->vm };
	return 0;
}

static int st_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_SHARE_STATS);
}

static int sr_setup(struct ctx *c)
{
	c->a.sr = (struct hvmem_share_regions){ .size = sizeof(c->a.sr), .vm_id = c->vm,
		.count = 64, .entry_size = sizeof(c->regions[0]),
		.regions = (uintptr_t)c->regions };
	return 0;
}

static int sr_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_SHARE_REGIONS);
}

static int sv_setup(struct ctx *c)
{
	c->a.sv = (struct hvmem_share_vm){ .size = sizeof(c->a.sv), .vm_id = c->vm2,
		.flags = HVMEM_SHARE_VM_CROSS };
	return 0;
}

static int sv_run(struct ctx *c)
{
	return call(c, HVMEM_IOC_SHARE_VM_SET);
}

static void sv_undo(struct ctx *c)
{
	struct hvmem_share_vm v = { .size = sizeof(v), .vm_id = c->vm2 };

	ioctl(c->dev, HVMEM_IOC_SHARE_VM_SET, &v);
}

const struct op failnth_ioctl_ops[] = {
	{ "bind_pid", bind_pid_setup, bind_run, bind_undo },
	{ "bind_kvm", bind_kvm_setup, bind_run, bind_undo },
	{ "unbind", unbind_setup, unbind_run, NULL, unbind_teardown },
	{ "vm_list", list_setup, list_run },
	{ "pool_create", pc_setup, pc_run, pc_undo },
	{ "pool_destroy", pd_setup, pd_run, NULL, pd_teardown },
	{ "cache_put", put_setup, put_run, NULL, flush_obj, put_verify, true },
	{ "cache_get", get_setup, get_run, NULL, flush_obj, get_verify },
	{ "cache_flush", flush_setup, flush_run, NULL, flush_obj },
	{ "cache_flush_object", fo_setup, fo_run, NULL, flush_obj },
	{ "cache_vm_set", cvm_setup, cvm_set_run, cvm_undo },
	{ "cache_vm_stats", cvm_setup, cvm_stats_run },
	{ "cache_stats", cs_setup, cs_run },
	{ "mrc_open_private", mo_priv_setup, mo_run, mo_undo },
	{ "mrc_open_vm", mo_vm_setup, mo_run, mo_undo },
	{ "mrc_feed", mf_setup, mf_run },
	{ "mrc_query", mq_setup, mq_run },
	{ "mrc_reset", mr_setup, mr_run },
	{ "share_scan", ss_setup, ss_run },
	{ "share_stats", st_setup, st_run },
	{ "share_regions", sr_setup, sr_run },
	{ "share_vm_set", sv_setup, sv_run, sv_undo },
};
const unsigned int failnth_nr_ioctl_ops = ARRAY_SIZE(failnth_ioctl_ops);
