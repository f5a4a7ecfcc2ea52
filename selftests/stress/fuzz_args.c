// SPDX-License-Identifier: GPL-2.0
/*
 * hvmem_fuzz: what to pass. The argument struct of a command, filled with
 * mostly plausible values (live VM and pool ids, pids of the sleepers, user
 * pointers into the data arena: valid, NULL, unmapped, read-only, straddling
 * the guard page), then broken (sizes, flags, reserved fields, the encoded
 * command itself).
 */
#include "fuzz.h"

void remember(__u32 *set, unsigned int *n, __u32 v)
{
	if (!v)
		return;
	if (*n < MAX_IDS)
		set[(*n)++] = v;
	else
		set[rng_below(&rng, MAX_IDS)] = v;
}

/* A VM id: mostly a live one, else an interesting number. */
__u32 pick_id(__u32 *set, unsigned int n)
{
	if (n && rng_below(&rng, 5))
		return set[rng_below(&rng, n)];
	return (__u32)rng_interesting(&rng);
}

static __s32 pick_pid(void)
{
	switch (rng_below(&rng, 6)) {
	case 0:
		return (__s32)rng_interesting(&rng);
	case 1:
		return getpid();
	default:
		return nr_sleepers ? sleepers[rng_below(&rng, nr_sleepers)] : getpid();
	}
}

/* A user pointer to @n bytes of the data arena (valid, NULL, unmapped, ...). */
static __u64 data_ptr(size_t n)
{
	enum ptr_kind k = rng_ptr_kind(&rng);

	if (k == PTR_VALID && n < data.len && rng_one_in(&rng, 2))	/* anywhere inside */
		return (uintptr_t)(data.rw + rng_below(&rng, (data.len - n) / 8 + 1) * 8);
	return (uintptr_t)arena_ptr(&data, &rng, n, k);
}

static __u32 pick_count(__u32 max)
{
	switch (rng_below(&rng, 16)) {	/* big batches are slow under KASAN: mostly small ones */
	case 0:
		return (__u32)rng_interesting(&rng);
	case 1:
		return max;
	default:
		return (__u32)rng_below(&rng, max < 64 ? max + 1 : 64);
	}
}

/* Fill @a (the argument struct of @c) with mostly plausible values. */
void fill(const struct cmd *c, void *a)
{
	long pg = sysconf(_SC_PAGESIZE);

	memset(a, 0, 256);
	*(__u32 *)a = c->size;
	switch (c->kind) {
	case K_BIND: {
		struct hvmem_vm_bind *b = a;

		if (nr_kvm && rng_one_in(&rng, 4)) {
			b->flags = HVMEM_BIND_BY_KVM_FD;
			b->kvm_fd = kvms[rng_below(&rng, nr_kvm)].vm;
		} else {
			b->flags = HVMEM_BIND_BY_PID;
			b->kvm_fd = -1;
			b->pid = pick_pid();
		}
		break;
	}
	case K_UNBIND:
		((struct hvmem_vm_unbind *)a)->id = pick_id(ids, nr_ids);
		break;
	case K_LIST: {
		struct hvmem_vm_list *l = a;

		l->entry_size = sizeof(struct hvmem_vm_info) + 8 * rng_below(&rng, 3);
		l->count = pick_count(64);
		l->entries = data_ptr((size_t)l->count * l->entry_size);
		break;
	}
	case K_POOL_CREATE: {
		struct hvmem_cache_pool_create *p = a;

		p->flags = rng_below(&rng, 2) * HVMEM_CACHE_POOL_NO_DEDUP;
		p->vm_id = pick_id(ids, nr_ids);
		break;
	}
	case K_POOL_DESTROY:
		((struct hvmem_cache_pool_destroy *)a)->pool_id = pick_id(pools, nr_pools);
		break;
	case K_IO: {
		struct hvmem_cache_io *io = a;
		struct hvmem_cache_page *pages;
		unsigned int i, n;

		io->pool_id = pick_id(pools, nr_pools);
		io->count = pick_count(HVMEM_CACHE_BATCH_MAX);
		io->page_size = rng_one_in(&rng, 16) ? (__u32)rng_interesting(&rng) : pg;
		io->entry_size = rng_one_in(&rng, 16) ? (__u32)rng_interesting(&rng) :
			sizeof(struct hvmem_cache_page);
		n = io->count <= HVMEM_CACHE_BATCH_MAX ? io->count : 0;
		/* the page array sits at the start of the data arena */
		pages = (void *)data.rw;
		for (i = 0; i < n; i++) {
			pages[i].oid = rng_below(&rng, 4);
			pages[i].index = rng_one_in(&rng, 8) ? rng_interesting(&rng) :
							       rng_below(&rng, 64);
			pages[i].gen = rng_one_in(&rng, 4) ? rng_below(&rng, 1000) : 0;
			pages[i].result = 0;
			pages[i].reserved = rng_one_in(&rng, 64);
		}
		io->pages = rng_below(&rng, 4) ? (uintptr_t)pages :
			    data_ptr((size_t)n * sizeof(*pages));
		if (c->req != HVMEM_IOC_CACHE_FLUSH || rng_one_in(&rng, 8))
			io->buf = data_ptr((size_t)n * pg);
		break;
	}
	case K_FLUSH_OBJ: {
		struct hvmem_cache_flush_object *f = a;

		f->pool_id = pick_id(pools, nr_pools);
		f->oid = rng_below(&rng, 4);
		break;
	}
	case K_CVM: {
		struct hvmem_cache_vm *v = a;

		v->vm_id = pick_id(ids, nr_ids);
		v->shares = rng_below(&rng, 2) ? 1 + rng_below(&rng, 2000) :
						 (__u32)rng_interesting(&rng);
		v->cap = rng_below(&rng, 2) ? rng_below(&rng, 256) : rng_interesting(&rng);
		break;
	}
	case K_MRC_OPEN: {
		struct hvmem_mrc_open *o = a;

		if (rng_below(&rng, 2)) {
			o->flags = HVMEM_MRC_OPEN_PRIVATE;
			o->s_max = rng_below(&rng, 2) ? rng_below(&rng, 4096) :
							(__u32)rng_interesting(&rng);
			o->threshold = rng_below(&rng, 2) ? 0 : rng_interesting(&rng);
			o->near = rng_below(&rng, 2) ? rng_below(&rng, 64) :
						       (__u32)rng_interesting(&rng);
		} else {
			o->vm_id = pick_id(ids, nr_ids);
		}
		break;
	}
	case K_SHARE_SCAN: {
		struct hvmem_share_scan *s = a;

		if (rng_one_in(&rng, 8))
			s->flags = HVMEM_SHARE_SCAN_ALL;
		else
			s->vm_id = pick_id(ids, nr_ids);
		break;
	}
	case K_SHARE_STATS:
		((struct hvmem_share_stats *)a)->vm_id =
			rng_one_in(&rng, 4) ? 0 : pick_id(ids, nr_ids);
		break;
	case K_SHARE_REGIONS: {
		struct hvmem_share_regions *r = a;

		r->vm_id = pick_id(ids, nr_ids);
		r->count = pick_count(HVMEM_SHARE_REGIONS_MAX);
		r->entry_size = rng_one_in(&rng, 16) ? (__u32)rng_interesting(&rng) :
			sizeof(struct hvmem_share_region);
		r->regions = data_ptr((size_t)(r->count & 0xffff) *
				      sizeof(struct hvmem_share_region));
		break;
	}
	case K_SHARE_VM: {
		struct hvmem_share_vm *v = a;

		v->vm_id = pick_id(ids, nr_ids);
		v->flags = rng_below(&rng, 2);
		break;
	}
	case K_MRC_FEED: {
		struct hvmem_mrc_feed *f = a;
		__u64 *p = (void *)(data.rw + data.len / 2);
		unsigned int i;

		f->count = pick_count(HVMEM_MRC_FEED_MAX);
		for (i = 0; i < (f->count < 4096 ? f->count : 4096); i++)
			p[i] = rng_below(&rng, 8) ? rng_below(&rng, 2048) : rng_next(&rng);
		f->pages = rng_below(&rng, 3) ? (uintptr_t)p : data_ptr((size_t)f->count * 8);
		break;
	}
	case K_MRC_QUERY: {
		struct hvmem_mrc_query *q = a;
		__u64 *s = (void *)(data.rw + data.len / 4);
		unsigned int i;

		q->count = pick_count(HVMEM_MRC_QUERY_MAX);
		for (i = 0; i < (q->count < 4096 ? q->count : 4096); i++)
			s[i] = rng_below(&rng, 2) ? i * 16 : rng_interesting(&rng);
		q->sizes = rng_below(&rng, 3) ? (uintptr_t)s : data_ptr((size_t)q->count * 8);
		q->ratios = data_ptr((size_t)q->count * 4);
		break;
	}
	default:
		break;
	}
}

/* Break the struct: sizes, flags, reserved fields, random words. */
unsigned int mutate(const struct cmd *c, void *a)
{
	unsigned int size = c->size, i, n;
	__u32 *w = a;

	if (rng_one_in(&rng, 6)) {
		static const __u32 sizes[] = { 0, 4, 8, 12, 16, 4095, 4096, 4097,
					       0x7fffffff, 0xffffffff };

		w[0] = rng_below(&rng, 2) ? sizes[rng_below(&rng, 10)] :
					    (__u32)(c->size + 8 * rng_below(&rng, 4)) - 8;
		size = w[0] > c->size && w[0] <= 256 ? w[0] : c->size;
		if (size > c->size && rng_one_in(&rng, 2))	/* non-zero tail: -E2BIG */
			((__u8 *)a)[size - 1 - rng_below(&rng, size - c->size)] = 1;
	}
	if (rng_one_in(&rng, 8))
		w[1] = (__u32)rng_interesting(&rng);
	n = rng_one_in(&rng, 4) ? 1 + rng_below(&rng, 3) : 0;
	for (i = 0; i < n; i++) {
		unsigned int off = rng_below(&rng, c->size / 4);

		if (off >= 2)
			w[off] = (__u32)rng_interesting(&rng);
	}
	return size;
}

unsigned long mutate_cmd(const struct cmd *c)
{
	unsigned long req = c->req;

	if (c->kind == K_RANDOM) {
		unsigned int nr = rng_below(&rng, 4) ? rng_below(&rng, 0x60) : rng_below(&rng, 256);
		unsigned int dir = rng_below(&rng, 4);

		return _IOC(dir, rng_one_in(&rng, 16) ? rng_below(&rng, 256) : HVMEM_IOCTL_MAGIC,
			    nr, rng_below(&rng, 2) ? 64 : rng_below(&rng, 0x4000));
	}
	if (rng_one_in(&rng, 16))	/* another direction */
		req = (req & ~(_IOC_DIRMASK << _IOC_DIRSHIFT)) |
		      ((unsigned long)rng_below(&rng, 4) << _IOC_DIRSHIFT);
	if (rng_one_in(&rng, 16))	/* another encoded size */
		req = (req & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT)) |
		      (rng_below(&rng, 0x4000) << _IOC_SIZESHIFT);
	return req;
}

