/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exclusive cache's key map (pure core): pool id -> pool, (pool id,
 * object id) -> object, (pool id, object id, index) -> entry, with each
 * pool listing its objects and each object its entries, so that flushing an
 * object or destroying a pool visits only what it holds.
 */
#ifndef _HVMEM_CACHE_INDEX_H
#define _HVMEM_CACHE_INDEX_H

#include "cache_types.h"

/**
 * struct hc_index - the key map
 * @pools: pools by id
 * @objs: objects by (pool id, object id)
 * @entries: entries by (pool id, object id, index)
 * @key: key of the hashes of all three (hc_index_set_key(); zero until then)
 * @next_pool_id: next pool id to try
 * @nr_objs: objects in @objs
 */
struct hc_index {
	struct hc_htab pools;
	struct hc_htab objs;
	struct hc_htab entries;
	siphash_key_t key;
	u32 next_pool_id;
	u64 nr_objs;
};

int hc_index_init(struct hc_index *ix);
void hc_index_destroy(struct hc_index *ix);
int hc_index_set_key(struct hc_index *ix, const siphash_key_t *key);
int hc_index_add_pool(struct hc_index *ix, struct hc_pool *pool);
void hc_index_del_pool(struct hc_index *ix, struct hc_pool *pool);
struct hc_pool *hc_index_pool(const struct hc_index *ix, u32 id);
struct hc_obj *hc_index_obj(const struct hc_index *ix, u32 pool_id, u64 oid);
struct hc_entry *hc_index_entry(const struct hc_index *ix, u32 pool_id, u64 oid, u64 index);
int hc_index_add_entry(struct hc_index *ix, struct hc_pool *pool, u64 oid, u64 index,
		       struct hc_entry *e);
void hc_index_del_entry(struct hc_index *ix, struct hc_entry *e);

#endif /* _HVMEM_CACHE_INDEX_H */
