// SPDX-License-Identifier: GPL-2.0
/*
 * The exclusive cache's key map (pure core; see cache_index.h).
 *
 * Three hash tables share one node type. Pool ids count up from 1 and skip
 * ids in use on wrap-around, so an id is not handed out again until 2^32
 * pools later: a client holding a destroyed pool's id finds nothing rather
 * than another VM's pages.
 */
#include "cache_index.h"

#define HC_INDEX_BITS	8

static u64 hc_pool_hash(const struct hc_index *ix, u32 id)
{
	return hc_hash3(&ix->key, id, 0, 0);
}

static u64 hc_obj_hash(const struct hc_index *ix, u32 pool_id, u64 oid)
{
	return hc_hash3(&ix->key, pool_id, oid, 0x6f626a);
}

static u64 hc_entry_hash(const struct hc_index *ix, u32 pool_id, u64 oid, u64 index)
{
	return hc_hash3(&ix->key, pool_id, oid, index);
}

/**
 * hc_index_init() - set up an empty key map
 * @ix: the map
 *
 * Return: 0 or -ENOMEM.
 */
int hc_index_init(struct hc_index *ix)
{
	memset(ix, 0, sizeof(*ix));
	ix->next_pool_id = 1;
	if (hc_htab_init(&ix->pools, HC_HTAB_MIN_BITS) ||
	    hc_htab_init(&ix->objs, HC_INDEX_BITS) ||
	    hc_htab_init(&ix->entries, HC_INDEX_BITS)) {
		hc_index_destroy(ix);
		return -ENOMEM;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hc_index_init);

/**
 * hc_index_set_key() - key the map's hashes
 * @ix: the map, still empty
 * @key: a secret (random) key
 *
 * Return: 0, or -EBUSY when the map holds anything (its nodes were hashed
 * with the old key).
 */
int hc_index_set_key(struct hc_index *ix, const siphash_key_t *key)
{
	if (ix->pools.count || ix->objs.count || ix->entries.count)
		return -EBUSY;
	ix->key = *key;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hc_index_set_key);

/**
 * hc_index_destroy() - free an empty key map
 * @ix: the map; every pool must have been removed
 */
void hc_index_destroy(struct hc_index *ix)
{
	WARN_ON_ONCE(ix->pools.count || ix->objs.count || ix->entries.count);
	hc_htab_destroy(&ix->pools);
	hc_htab_destroy(&ix->objs);
	hc_htab_destroy(&ix->entries);
}
EXPORT_SYMBOL_IF_KUNIT(hc_index_destroy);

/**
 * hc_index_pool() - look up a pool
 * @ix: the map
 * @id: pool id
 *
 * Return: the pool or NULL.
 */
struct hc_pool *hc_index_pool(const struct hc_index *ix, u32 id)
{
	u64 h = hc_pool_hash(ix, id);
	struct hc_hnode *n;

	for (n = hc_htab_chain(&ix->pools, h); n; n = n->next) {
		struct hc_pool *p = container_of(n, struct hc_pool, hn);

		if (n->hash == h && p->id == id)
			return p;
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(hc_index_pool);

/**
 * hc_index_add_pool() - give a pool an id and insert it
 * @ix: the map
 * @pool: the pool, with @acct set; its lists are initialised here
 *
 * Return: 0, or -ENOSPC when every id is in use.
 */
int hc_index_add_pool(struct hc_index *ix, struct hc_pool *pool)
{
	u64 tries;

	for (tries = 0; tries <= 0xffffffffULL; tries++) {
		u32 id = ix->next_pool_id++;

		if (!ix->next_pool_id)
			ix->next_pool_id = 1;
		if (!id || hc_index_pool(ix, id))
			continue;
		pool->id = id;
		pool->pages = 0;
		hc_link_init(&pool->objs);
		hc_htab_add(&ix->pools, &pool->hn, hc_pool_hash(ix, id));
		return 0;
	}
	return -ENOSPC;
}
EXPORT_SYMBOL_IF_KUNIT(hc_index_add_pool);

/**
 * hc_index_del_pool() - remove an empty pool
 * @ix: the map
 * @pool: a pool in @ix without entries
 */
void hc_index_del_pool(struct hc_index *ix, struct hc_pool *pool)
{
	WARN_ON_ONCE(!hc_link_empty(&pool->objs));
	hc_htab_del(&ix->pools, &pool->hn);
}
EXPORT_SYMBOL_IF_KUNIT(hc_index_del_pool);

/**
 * hc_index_obj() - look up an object
 * @ix: the map
 * @pool_id: pool id
 * @oid: object id
 *
 * Return: the object (it has at least one entry) or NULL.
 */
struct hc_obj *hc_index_obj(const struct hc_index *ix, u32 pool_id, u64 oid)
{
	u64 h = hc_obj_hash(ix, pool_id, oid);
	struct hc_hnode *n;

	for (n = hc_htab_chain(&ix->objs, h); n; n = n->next) {
		struct hc_obj *o = container_of(n, struct hc_obj, hn);

		if (n->hash == h && o->oid == oid && o->pool->id == pool_id)
			return o;
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(hc_index_obj);

/**
 * hc_index_entry() - look up an entry
 * @ix: the map
 * @pool_id: pool id
 * @oid: object id
 * @index: page index
 *
 * Return: the entry or NULL.
 */
struct hc_entry *hc_index_entry(const struct hc_index *ix, u32 pool_id, u64 oid, u64 index)
{
	u64 h = hc_entry_hash(ix, pool_id, oid, index);
	struct hc_hnode *n;

	for (n = hc_htab_chain(&ix->entries, h); n; n = n->next) {
		struct hc_entry *e = container_of(n, struct hc_entry, hn);

		if (n->hash == h && e->index == index && e->obj->oid == oid &&
		    e->obj->pool->id == pool_id)
			return e;
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(hc_index_entry);

/**
 * hc_index_add_entry() - insert an entry under a key not in the map
 * @ix: the map
 * @pool: the pool (in @ix)
 * @oid: object id
 * @index: page index
 * @e: the entry; its @obj and @index are set here
 *
 * Return: 0 or -ENOMEM (a new object could not be allocated).
 */
int hc_index_add_entry(struct hc_index *ix, struct hc_pool *pool, u64 oid, u64 index,
		       struct hc_entry *e)
{
	struct hc_obj *o = hc_index_obj(ix, pool->id, oid);

	if (!o) {
		o = kzalloc(sizeof(*o), GFP_KERNEL);
		if (!o)
			return -ENOMEM;
		o->pool = pool;
		o->oid = oid;
		hc_link_init(&o->pages);
		hc_link_add_tail(&o->pool_node, &pool->objs);
		hc_htab_add(&ix->objs, &o->hn, hc_obj_hash(ix, pool->id, oid));
		ix->nr_objs++;
	}
	e->obj = o;
	e->index = index;
	hc_link_add_tail(&e->obj_node, &o->pages);
	o->nr_pages++;
	pool->pages++;
	hc_htab_add(&ix->entries, &e->hn, hc_entry_hash(ix, pool->id, oid, index));
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hc_index_add_entry);

/**
 * hc_index_del_entry() - remove an entry; frees its object when it was the last
 * @ix: the map
 * @e: an entry in @ix; its @obj is cleared
 */
void hc_index_del_entry(struct hc_index *ix, struct hc_entry *e)
{
	struct hc_obj *o = e->obj;

	hc_htab_del(&ix->entries, &e->hn);
	hc_link_del(&e->obj_node);
	e->obj = NULL;
	o->pool->pages--;
	if (--o->nr_pages)
		return;
	hc_htab_del(&ix->objs, &o->hn);
	hc_link_del(&o->pool_node);
	ix->nr_objs--;
	kfree(o);
}
EXPORT_SYMBOL_IF_KUNIT(hc_index_del_entry);
