// SPDX-License-Identifier: GPL-2.0
/*
 * The address table of lblc and lblcr (see lblc_table.h).
 *
 * Housekeeping follows IPVS: a sweep walks the buckets from the one after
 * the last it visited (the rover), so trimming an oversized table spreads
 * over the whole table across calls; a full check is a sweep whose goal
 * is never reached.
 */
#include "xvs_shim.h"
#include "xvs_sched.h"
#include "lblc_table.h"

static unsigned int xvs_lblc_hashkey(u16 af, const u32 *addr)
{
	return xvs_hash_32(xvs_sched_addr_fold(af, addr), XVS_LBLC_TAB_BITS);
}

static bool xvs_lblc_addr_equal(u16 af, const u32 *a, const u32 *b)
{
	if (af == XVS_AF_INET6)
		return !memcmp(a, b, 16);
	return a[0] == b[0];
}

void xvs_lblc_table_init(struct xvs_lblc_table *t)
{
	memset(t, 0, sizeof(*t));
	t->counter = 1;
}

void xvs_lblc_table_destroy(struct xvs_lblc_table *t,
			    xvs_lblc_release_t release)
{
	unsigned int i;

	for (i = 0; i < XVS_LBLC_TAB_SIZE; i++)
		while (t->bucket[i])
			xvs_lblc_table_unlink(t, &t->bucket[i], release);
}

struct xvs_lblc_node **xvs_lblc_table_find(struct xvs_lblc_table *t,
					   u16 af, const u32 *addr)
{
	struct xvs_lblc_node **pp = &t->bucket[xvs_lblc_hashkey(af, addr)];

	for (; *pp; pp = &(*pp)->next)
		if (xvs_lblc_addr_equal(af, (*pp)->addr, addr))
			return pp;
	return NULL;
}

bool xvs_lblc_table_full(const struct xvs_lblc_table *t)
{
	return t->entries >= XVS_LBLC_MAX_SIZE * 3 / 2;
}

void xvs_lblc_table_insert(struct xvs_lblc_table *t, struct xvs_lblc_node *node,
			   u16 af, const u32 *addr, unsigned long now)
{
	unsigned int h = xvs_lblc_hashkey(af, addr);

	memset(node->addr, 0, sizeof(node->addr));
	memcpy(node->addr, addr, af == XVS_AF_INET6 ? 16 : 4);
	node->lastuse = now;
	node->next = t->bucket[h];
	t->bucket[h] = node;
	t->entries++;
}

void xvs_lblc_table_unlink(struct xvs_lblc_table *t, struct xvs_lblc_node **pp,
			   xvs_lblc_release_t release)
{
	struct xvs_lblc_node *node = *pp;

	*pp = node->next;
	t->entries--;
	release(node);
}

/* Drop entries idle for @timeout; stop after a bucket once @goal is met. */
static void xvs_lblc_sweep(struct xvs_lblc_table *t, unsigned long now,
			   long timeout, int goal, xvs_lblc_release_t release)
{
	unsigned int i, j = t->rover;

	for (i = 0; i < XVS_LBLC_TAB_SIZE; i++) {
		struct xvs_lblc_node **pp;

		j = (j + 1) & XVS_LBLC_TAB_MASK;
		pp = &t->bucket[j];
		while (*pp) {
			if (xvs_time_before(now, (*pp)->lastuse + timeout)) {
				pp = &(*pp)->next;
				continue;
			}
			xvs_lblc_table_unlink(t, pp, release);
			goal--;
		}
		if (goal <= 0)
			break;
	}
	t->rover = j;
}

void xvs_lblc_table_gc(struct xvs_lblc_table *t, long expiration,
		       xvs_lblc_release_t release)
{
	unsigned long now = xvs_jiffies();
	int goal;

	if (t->counter % XVS_LBLC_FULL_EVERY == 0) {
		xvs_lblc_sweep(t, now, expiration, 1 << 30, release);
		t->counter = 1;
		return;
	}
	if (t->entries <= XVS_LBLC_MAX_SIZE) {
		t->counter++;
		return;
	}
	goal = (t->entries - XVS_LBLC_MAX_SIZE) * 4 / 3;
	if (goal > XVS_LBLC_MAX_SIZE / 2)
		goal = XVS_LBLC_MAX_SIZE / 2;
	xvs_lblc_sweep(t, now, XVS_LBLC_ENTRY_TIMEOUT, goal, release);
}

bool xvs_lblc_overloaded(const struct xvs_sched_dest *dest,
			 const struct xvs_dest_set *set)
{
	unsigned int i;

	if (xvs_atomic_read(&dest->activeconns) <=
	    xvs_atomic_read(&dest->weight))
		return false;
	for (i = 0; i < set->count; i++) {
		const struct xvs_sched_dest *d = set->dest[i];

		if (d && xvs_atomic_read(&d->activeconns) * 2 <
			 xvs_atomic_read(&d->weight))
			return true;
	}
	return false;
}

bool xvs_lblc_in_set(const struct xvs_dest_set *set,
		     const struct xvs_sched_dest *d)
{
	unsigned int i;

	for (i = 0; set && i < set->count; i++)
		if (set->dest[i] == d)
			return true;
	return false;
}
