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
 * refused beyond 24 per bucket on average.  The table and its housekeeping
 * are lblcr's too (lblc_table.c).
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
#include "lblc_table.h"

struct xvs_lblc_entry {
	struct xvs_lblc_node node;
	struct xvs_sched_dest *dest;
};

static struct xvs_lblc_entry *xvs_lblc_of(struct xvs_lblc_node *node)
{
	return xvs_lblc_entry(node, struct xvs_lblc_entry, node);
}

static void xvs_lblc_release(struct xvs_lblc_node *node)
{
	xvs_free(xvs_lblc_of(node));
}

static void xvs_lblc_init(void *state, const struct xvs_dest_set *set)
{
	xvs_lblc_table_init(state);
}

static void xvs_lblc_destroy(void *state)
{
	xvs_lblc_table_destroy(state, xvs_lblc_release);
}

static void xvs_lblc_dests_changed(void *state, const struct xvs_dest_set *set,
				   const struct xvs_dest_change *change)
{
	struct xvs_lblc_table *t = state;
	struct xvs_sched_dest *gone = NULL;
	unsigned int i;

	if (change && change->kind != XVS_DEST_REMOVED)
		return;
	if (change)
		gone = change->dest;
	/* Without the removed one named, drop whatever left the set. */
	for (i = 0; i < XVS_LBLC_TAB_SIZE; i++) {
		struct xvs_lblc_node **pp = &t->bucket[i];

		while (*pp) {
			struct xvs_sched_dest *d = xvs_lblc_of(*pp)->dest;

			if (gone ? d == gone : !xvs_lblc_in_set(set, d))
				xvs_lblc_table_unlink(t, pp, xvs_lblc_release);
			else
				pp = &(*pp)->next;
		}
	}
}

/* Map @addr to @dest, replacing another mapping; may fail silently. */
static void xvs_lblc_map(struct xvs_lblc_table *t, u16 af, const u32 *addr,
			 struct xvs_sched_dest *dest, unsigned long now)
{
	struct xvs_lblc_node **pp = xvs_lblc_table_find(t, af, addr);
	struct xvs_lblc_entry *en;

	if (pp) {
		if (xvs_lblc_of(*pp)->dest == dest)
			return;
		xvs_lblc_table_unlink(t, pp, xvs_lblc_release);
	}
	if (xvs_lblc_table_full(t))
		return;
	en = xvs_zalloc(sizeof(*en), false);
	if (!en)
		return;
	en->dest = dest;
	xvs_lblc_table_insert(t, &en->node, af, addr, now);
}

static struct xvs_sched_dest *xvs_lblc_schedule(void *state,
						const struct xvs_dest_set *set,
						const struct xvs_sched_input *in)
{
	struct xvs_lblc_table *t = state;
	unsigned long now = xvs_jiffies();
	struct xvs_lblc_node **pp;
	struct xvs_sched_dest *dest;

	if (!set || !in || !in->daddr)
		return NULL;
	pp = xvs_lblc_table_find(t, in->af, in->daddr);
	if (pp) {
		(*pp)->lastuse = now;
		dest = xvs_lblc_of(*pp)->dest;
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

static void xvs_lblc_gc(void *state, const struct xvs_sched_knobs *knobs)
{
	xvs_lblc_table_gc(state, knobs ? knobs->lblc_expiration :
					 XVS_LBLC_EXPIRATION,
			  xvs_lblc_release);
}

const struct xvs_sched_ops xvs_sched_lblc = {
	.name		= "lblc",
	.state_size	= sizeof(struct xvs_lblc_table),
	.serialized	= true,
	.init		= xvs_lblc_init,
	.dests_changed	= xvs_lblc_dests_changed,
	.schedule	= xvs_lblc_schedule,
	.gc		= xvs_lblc_gc,
	.destroy	= xvs_lblc_destroy,
};
