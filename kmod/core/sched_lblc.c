// SPDX-License-Identifier: GPL-2.0
/*
 * Locality-based least-connection scheduler ("lblc"), with the decisions
 * of IPVS.
 *
 * Each service keeps a table mapping a packet's destination address (the
 * object a cache cluster serves) to the destination last chosen for it.
 * An address keeps its destination while that one is available, of
 * non-zero weight and not overloaded in lblc's sense: more active
 * connections than its weight while some destination of the service has
 * fewer than half its weight active.  Otherwise a destination is chosen as
 * wlc chooses, and the address is mapped to it.
 *
 * Housekeeping, due every minute (->gc), follows IPVS: every thirtieth
 * call, or when the table has grown beyond 16 entries per bucket, entries
 * idle longer than lblc_expiration (every thirtieth call) or six minutes
 * (oversized table, until enough are gone) are dropped.  New entries are
 * refused beyond 24 per bucket on average.
 *
 * Entries point at destinations.  IPVS pins a removed destination until
 * its entries go; here they are dropped when ->dests_changed() reports the
 * removal.  The next packet for such an address is scheduled afresh in
 * both cases; only a destination re-added before that packet would have
 * kept the address in IPVS.
 *
 * The table is changed by ->schedule(), so the scheduler is serialized.
 */
#include "xvs_shim.h"
#include "xvs_sched.h"

#define XVS_LBLC_TAB_BITS	10
#define XVS_LBLC_TAB_SIZE	(1U << XVS_LBLC_TAB_BITS)
#define XVS_LBLC_TAB_MASK	(XVS_LBLC_TAB_SIZE - 1)
#define XVS_LBLC_MAX_SIZE	((int)XVS_LBLC_TAB_SIZE * 16)
#define XVS_LBLC_ENTRY_TIMEOUT	(6 * 60 * XVS_HZ)
#define XVS_LBLC_EXPIRATION	(24 * 60 * 60 * XVS_HZ)
#define XVS_LBLC_FULL_EVERY	30	/* gc calls between full checks */

struct xvs_lblc_entry {
	struct xvs_lblc_entry *next;
	struct xvs_sched_dest *dest;
	unsigned long lastuse;		/* jiffies */
	u32 addr[4];			/* as xvs_sched_input.daddr */
};

struct xvs_lblc_state {
	struct xvs_lblc_entry *bucket[XVS_LBLC_TAB_SIZE];
	int entries;
	unsigned int rover;		/* last bucket swept */
	unsigned int counter;		/* gc calls since the last full check */
};

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

static struct xvs_lblc_entry **xvs_lblc_find(struct xvs_lblc_state *t,
					     u16 af, const u32 *addr)
{
	struct xvs_lblc_entry **pp = &t->bucket[xvs_lblc_hashkey(af, addr)];

	for (; *pp; pp = &(*pp)->next)
		if (xvs_lblc_addr_equal(af, (*pp)->addr, addr))
			return pp;
	return NULL;
}

static void xvs_lblc_unlink(struct xvs_lblc_state *t,
			    struct xvs_lblc_entry **pp)
{
	struct xvs_lblc_entry *en = *pp;

	*pp = en->next;
	t->entries--;
	xvs_free(en);
}

static void xvs_lblc_init(void *state, const struct xvs_dest_set *set)
{
	struct xvs_lblc_state *t = state;

	memset(t, 0, sizeof(*t));
	t->counter = 1;
}

static void xvs_lblc_destroy(void *state)
{
	struct xvs_lblc_state *t = state;
	unsigned int i;

	for (i = 0; i < XVS_LBLC_TAB_SIZE; i++)
		while (t->bucket[i])
			xvs_lblc_unlink(t, &t->bucket[i]);
}

static bool xvs_lblc_in_set(const struct xvs_dest_set *set,
			    const struct xvs_sched_dest *d)
{
	unsigned int i;

	for (i = 0; set && i < set->count; i++)
		if (set->dest[i] == d)
			return true;
	return false;
}

static void xvs_lblc_dests_changed(void *state, const struct xvs_dest_set *set,
				   const struct xvs_dest_change *change)
{
	struct xvs_lblc_state *t = state;
	struct xvs_sched_dest *gone = NULL;
	unsigned int i;

	if (change && change->kind != XVS_DEST_REMOVED)
		return;
	if (change)
		gone = change->dest;
	/* Without the removed one named, drop whatever left the set. */
	for (i = 0; i < XVS_LBLC_TAB_SIZE; i++) {
		struct xvs_lblc_entry **pp = &t->bucket[i];

		while (*pp) {
			if (gone ? (*pp)->dest == gone :
				   !xvs_lblc_in_set(set, (*pp)->dest))
				xvs_lblc_unlink(t, pp);
			else
				pp = &(*pp)->next;
		}
	}
}

/*
 * lblc's own overload rule: more active connections than its weight while
 * another destination (any, itself included) is below half its weight.
 */
static bool xvs_lblc_overloaded(const struct xvs_sched_dest *dest,
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

/* Map @addr to @dest, replacing another mapping; may fail silently. */
static void xvs_lblc_map(struct xvs_lblc_state *t, u16 af, const u32 *addr,
			 struct xvs_sched_dest *dest, unsigned long now)
{
	struct xvs_lblc_entry **pp = xvs_lblc_find(t, af, addr);
	struct xvs_lblc_entry *en;
	unsigned int h;

	if (pp) {
		if ((*pp)->dest == dest)
			return;
		xvs_lblc_unlink(t, pp);
	}
	if (t->entries >= XVS_LBLC_MAX_SIZE * 3 / 2)
		return;
	en = xvs_zalloc(sizeof(*en), false);
	if (!en)
		return;
	memcpy(en->addr, addr, af == XVS_AF_INET6 ? 16 : 4);
	en->dest = dest;
	en->lastuse = now;
	h = xvs_lblc_hashkey(af, addr);
	en->next = t->bucket[h];
	t->bucket[h] = en;
	t->entries++;
}

static struct xvs_sched_dest *xvs_lblc_schedule(void *state,
						const struct xvs_dest_set *set,
						const struct xvs_sched_input *in)
{
	struct xvs_lblc_state *t = state;
	unsigned long now = xvs_jiffies();
	struct xvs_lblc_entry **pp;
	struct xvs_sched_dest *dest;

	if (!set || !in || !in->daddr)
		return NULL;
	pp = xvs_lblc_find(t, in->af, in->daddr);
	if (pp) {
		(*pp)->lastuse = now;
		dest = (*pp)->dest;
		if ((xvs_read_once(dest->flags) & XVS_DEST_F_AVAILABLE) &&
		    xvs_atomic_read(&dest->weight) > 0 &&
		    !xvs_lblc_overloaded(dest, set))
			return dest;
	}

	dest = xvs_sched_weighted_least(set);
	if (dest)
		xvs_lblc_map(t, in->af, in->daddr, dest, now);
	return dest;
}

/* Drop entries idle for @timeout; stop after a bucket once @goal is met. */
static void xvs_lblc_sweep(struct xvs_lblc_state *t, unsigned long now,
			   long timeout, int goal)
{
	unsigned int i, j = t->rover;

	for (i = 0; i < XVS_LBLC_TAB_SIZE; i++) {
		struct xvs_lblc_entry **pp;

		j = (j + 1) & XVS_LBLC_TAB_MASK;
		pp = &t->bucket[j];
		while (*pp) {
			if (xvs_time_before(now, (*pp)->lastuse + timeout)) {
				pp = &(*pp)->next;
				continue;
			}
			xvs_lblc_unlink(t, pp);
			goal--;
		}
		if (goal <= 0)
			break;
	}
	t->rover = j;
}

static void xvs_lblc_gc(void *state, const struct xvs_sched_knobs *knobs)
{
	struct xvs_lblc_state *t = state;
	unsigned long now = xvs_jiffies();
	int goal;

	if (t->counter % XVS_LBLC_FULL_EVERY == 0) {
		/* A goal never reached: sweep the whole table. */
		xvs_lblc_sweep(t, now, knobs ? knobs->lblc_expiration :
					       XVS_LBLC_EXPIRATION, 1 << 30);
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
	xvs_lblc_sweep(t, now, XVS_LBLC_ENTRY_TIMEOUT, goal);
}

const struct xvs_sched_ops xvs_sched_lblc = {
	.name		= "lblc",
	.state_size	= sizeof(struct xvs_lblc_state),
	.serialized	= true,
	.init		= xvs_lblc_init,
	.dests_changed	= xvs_lblc_dests_changed,
	.schedule	= xvs_lblc_schedule,
	.gc		= xvs_lblc_gc,
	.destroy	= xvs_lblc_destroy,
};
