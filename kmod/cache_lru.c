// SPDX-License-Identifier: GPL-2.0
/*
 * The exclusive cache's eviction order (pure core; see cache_lru.h).
 *
 * Accounts live on one list; choosing a victim scans the accounts that
 * hold pages, which is cheap next to a page copy for the few hundred VMs a
 * host runs.
 */
#include "cache_lru.h"

#define HC_AGE_MAX	0xffffffffULL

/**
 * hc_lru_init() - set up without accounts
 * @l: the LRU state
 */
void hc_lru_init(struct hc_lru *l)
{
	hc_link_init(&l->accts);
	l->nr_accts = 0;
	l->tick = 0;
}
EXPORT_SYMBOL_IF_KUNIT(hc_lru_init);

/**
 * hc_lru_acct() - look up a VM's account
 * @l: the LRU state
 * @vm_id: the VM
 *
 * Return: the account or NULL.
 */
struct hc_acct *hc_lru_acct(const struct hc_lru *l, u32 vm_id)
{
	struct hc_link *n;

	for (n = l->accts.next; n != &l->accts; n = n->next) {
		struct hc_acct *a = container_of(n, struct hc_acct, node);

		if (a->vm_id == vm_id)
			return a;
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(hc_lru_acct);

/**
 * hc_lru_acct_get() - look up a VM's account, creating it if needed
 * @l: the LRU state
 * @vm_id: the VM
 *
 * A new account has HC_SHARES_DEFAULT shares and no cap.
 *
 * Return: the account, or NULL when memory is short.
 */
struct hc_acct *hc_lru_acct_get(struct hc_lru *l, u32 vm_id)
{
	struct hc_acct *a = hc_lru_acct(l, vm_id);

	if (a)
		return a;
	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return NULL;
	a->vm_id = vm_id;
	a->shares = HC_SHARES_DEFAULT;
	hc_link_init(&a->lru);
	hc_link_init(&a->pools);
	hc_link_add_tail(&a->node, &l->accts);
	l->nr_accts++;
	return a;
}
EXPORT_SYMBOL_IF_KUNIT(hc_lru_acct_get);

/**
 * hc_lru_acct_free() - remove and free an account without pages or pools
 * @l: the LRU state
 * @a: the account
 */
void hc_lru_acct_free(struct hc_lru *l, struct hc_acct *a)
{
	WARN_ON_ONCE(a->pages || !hc_link_empty(&a->lru) || !hc_link_empty(&a->pools));
	hc_link_del(&a->node);
	l->nr_accts--;
	kfree(a);
}
EXPORT_SYMBOL_IF_KUNIT(hc_lru_acct_free);

/**
 * hc_lru_add() - make an entry its VM's newest
 * @l: the LRU state
 * @a: the entry's account
 * @e: the entry, not on any LRU list; its @tick is set here
 */
void hc_lru_add(struct hc_lru *l, struct hc_acct *a, struct hc_entry *e)
{
	e->tick = ++l->tick;
	hc_link_add_tail(&e->lru, &a->lru);
	a->pages++;
}
EXPORT_SYMBOL_IF_KUNIT(hc_lru_add);

/**
 * hc_lru_del() - take an entry off its VM's list
 * @a: the entry's account
 * @e: the entry
 */
void hc_lru_del(struct hc_acct *a, struct hc_entry *e)
{
	hc_link_del(&e->lru);
	a->pages--;
}
EXPORT_SYMBOL_IF_KUNIT(hc_lru_del);

/**
 * hc_lru_oldest() - a VM's least recently inserted entry
 * @a: the account
 *
 * Return: the entry, or NULL when the VM holds none.
 */
struct hc_entry *hc_lru_oldest(const struct hc_acct *a)
{
	if (hc_link_empty(&a->lru))
		return NULL;
	return container_of(a->lru.next, struct hc_entry, lru);
}
EXPORT_SYMBOL_IF_KUNIT(hc_lru_oldest);

/**
 * hc_lru_score() - how strongly a VM is due to lose its oldest entry
 * @l: the LRU state
 * @a: the account
 *
 * Return: age(oldest) / shares, scaled, +1; 0 when the VM holds no entry.
 */
u64 hc_lru_score(const struct hc_lru *l, const struct hc_acct *a)
{
	struct hc_entry *e = hc_lru_oldest(a);
	u64 age;

	if (!e)
		return 0;
	age = min_t(u64, l->tick - e->tick + 1, HC_AGE_MAX);
	/* age < 2^32, HC_SHARES_MAX < 2^20: no overflow */
	return div64_u64(age * HC_SHARES_MAX, a->shares ? a->shares : 1) + 1;
}
EXPORT_SYMBOL_IF_KUNIT(hc_lru_score);

/**
 * hc_lru_victim() - the account to evict from next
 * @l: the LRU state
 *
 * Return: the account with the highest hc_lru_score(), ties to the older
 * oldest entry; NULL when no VM holds an entry.
 */
struct hc_acct *hc_lru_victim(const struct hc_lru *l)
{
	struct hc_acct *best = NULL;
	u64 best_score = 0, best_tick = 0;
	struct hc_link *n;

	for (n = l->accts.next; n != &l->accts; n = n->next) {
		struct hc_acct *a = container_of(n, struct hc_acct, node);
		u64 s = hc_lru_score(l, a);

		if (!s)
			continue;
		if (s > best_score ||
		    (s == best_score && hc_lru_oldest(a)->tick < best_tick)) {
			best = a;
			best_score = s;
			best_tick = hc_lru_oldest(a)->tick;
		}
	}
	return best;
}
EXPORT_SYMBOL_IF_KUNIT(hc_lru_victim);
