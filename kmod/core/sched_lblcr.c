// SPDX-License-Identifier: GPL-2.0
/*
 * Locality-based least-connection with replication scheduler ("lblcr"),
 * with the decisions of IPVS.
 *
 * Each service keeps a table mapping a packet's destination address to a
 * set of destinations serving it, newest member first.  A packet goes to
 * the member of least overhead / weight (skipping overloaded, unavailable
 * and weight-zero members; ties to the newest).  If there is none, or it
 * is overloaded in lblc's sense (more active connections than its weight
 * while some destination of the service is below half its weight), a
 * destination is chosen as wlc chooses and joins the set.  A set of more
 * than one member that has not changed for lblcr_expiration loses its
 * most loaded member (per weight; ties to the newest) when next used.
 *
 * Housekeeping (->gc, every minute) and the limits on the table are
 * lblc's: both use lblc_table.c.  Members that are removed from the service leave their sets when
 * ->dests_changed() reports it; IPVS keeps them (unused, as they are
 * unavailable) until they are the most loaded member of an expiring set
 * or their entry goes.
 *
 * The table is changed by ->schedule(), so the scheduler is serialized.
 */
#include "xvs_shim.h"
#include "xvs_sched.h"
#include "lblc_table.h"

struct xvs_lblcr_member {
	struct xvs_lblcr_member *next;
	struct xvs_sched_dest *dest;
};

struct xvs_lblcr_entry {
	struct xvs_lblc_node node;
	struct xvs_lblcr_member *members;	/* newest first */
	unsigned int size;
	unsigned long lastmod;		/* jiffies: members last changed */
};

static struct xvs_lblcr_entry *xvs_lblcr_of(struct xvs_lblc_node *node)
{
	return xvs_lblc_entry(node, struct xvs_lblcr_entry, node);
}

/* ---- member sets ---------------------------------------------------- */

/* Add @dest at the head unless (with @check) it is a member already. */
static void xvs_lblcr_join(struct xvs_lblcr_entry *en,
			   struct xvs_sched_dest *dest, bool check,
			   unsigned long now)
{
	struct xvs_lblcr_member *m;

	if (check)
		for (m = en->members; m; m = m->next)
			if (m->dest == dest)
				return;
	m = xvs_zalloc(sizeof(*m), false);
	if (!m)
		return;
	m->dest = dest;
	m->next = en->members;
	en->members = m;
	en->size++;
	en->lastmod = now;
}

static void xvs_lblcr_unjoin(struct xvs_lblcr_entry *en,
			     struct xvs_lblcr_member **pp)
{
	struct xvs_lblcr_member *m = *pp;

	*pp = m->next;
	en->size--;
	xvs_free(m);
}

/* Remove @dest, a change of the set as of @now. */
static void xvs_lblcr_leave(struct xvs_lblcr_entry *en,
			    const struct xvs_sched_dest *dest,
			    unsigned long now)
{
	struct xvs_lblcr_member **pp;

	for (pp = &en->members; *pp; pp = &(*pp)->next) {
		if ((*pp)->dest == dest) {
			xvs_lblcr_unjoin(en, pp);
			en->lastmod = now;
			return;
		}
	}
}

static bool xvs_lblcr_available(const struct xvs_sched_dest *d)
{
	return xvs_read_once(d->flags) & XVS_DEST_F_AVAILABLE;
}

/* Member of least overhead / weight, as IPVS picks it; NULL if none. */
static struct xvs_sched_dest *xvs_lblcr_least(const struct xvs_lblcr_entry *en)
{
	const struct xvs_lblcr_member *m;
	struct xvs_sched_dest *least = NULL;
	s64 least_oh = 0;

	for (m = en->members; m; m = m->next) {
		struct xvs_sched_dest *d = m->dest;

		if (xvs_dest_usable(d) && xvs_lblcr_available(d)) {
			least = d;
			least_oh = (s32)xvs_dest_conn_overhead(d);
			break;
		}
	}
	if (!least)
		return NULL;
	for (m = m->next; m; m = m->next) {
		struct xvs_sched_dest *d = m->dest;
		s64 oh;

		if (xvs_read_once(d->flags) & XVS_DEST_F_OVERLOAD)
			continue;
		oh = (s32)xvs_dest_conn_overhead(d);
		if (least_oh * xvs_atomic_read(&d->weight) >
		    oh * xvs_atomic_read(&least->weight) &&
		    xvs_lblcr_available(d)) {
			least = d;
			least_oh = oh;
		}
	}
	return least;
}

/*
 * Member of most overhead / weight among those of positive weight; IPVS
 * looks at neither the overload nor the availability flag here.
 */
static struct xvs_sched_dest *xvs_lblcr_most(const struct xvs_lblcr_entry *en)
{
	const struct xvs_lblcr_member *m;
	struct xvs_sched_dest *most = NULL;
	s64 most_oh = 0;

	for (m = en->members; m; m = m->next) {
		if (xvs_atomic_read(&m->dest->weight) > 0) {
			most = m->dest;
			most_oh = (s32)xvs_dest_conn_overhead(most);
			break;
		}
	}
	if (!most)
		return NULL;
	for (m = m->next; m; m = m->next) {
		struct xvs_sched_dest *d = m->dest;
		s64 oh = (s32)xvs_dest_conn_overhead(d);
		int w = xvs_atomic_read(&d->weight);

		if (most_oh * w < oh * xvs_atomic_read(&most->weight) && w > 0) {
			most = d;
			most_oh = oh;
		}
	}
	return most;
}

/* ---- the table -------------------------------------------------------- */

static void xvs_lblcr_release(struct xvs_lblc_node *node)
{
	struct xvs_lblcr_entry *en = xvs_lblcr_of(node);

	while (en->members) {
		struct xvs_lblcr_member *m = en->members;

		en->members = m->next;
		xvs_free(m);
	}
	xvs_free(en);
}

/* A new entry for @addr with @dest as its only member; may fail silently. */
static void xvs_lblcr_add(struct xvs_lblc_table *t, u16 af, const u32 *addr,
			  struct xvs_sched_dest *dest, unsigned long now)
{
	struct xvs_lblcr_entry *en;

	if (xvs_lblc_table_full(t))
		return;
	en = xvs_zalloc(sizeof(*en), false);
	if (!en)
		return;
	/* As IPVS, the entry stays even if its first member cannot join. */
	xvs_lblcr_join(en, dest, false, now);
	xvs_lblc_table_insert(t, &en->node, af, addr, now);
}

static void xvs_lblcr_init(void *state, const struct xvs_dest_set *set)
{
	xvs_lblc_table_init(state);
}

static void xvs_lblcr_destroy(void *state)
{
	xvs_lblc_table_destroy(state, xvs_lblcr_release);
}

static void xvs_lblcr_dests_changed(void *state, const struct xvs_dest_set *set,
				    const struct xvs_dest_change *change)
{
	struct xvs_lblc_table *t = state;
	unsigned int i;

	if (change && change->kind != XVS_DEST_REMOVED)
		return;
	for (i = 0; i < XVS_LBLC_TAB_SIZE; i++) {
		struct xvs_lblc_node *node;

		for (node = t->bucket[i]; node; node = node->next) {
			struct xvs_lblcr_entry *en = xvs_lblcr_of(node);
			struct xvs_lblcr_member **pp = &en->members;

			while (*pp) {
				struct xvs_sched_dest *d = (*pp)->dest;
				bool gone = change && change->dest ?
					    d == change->dest :
					    !xvs_lblc_in_set(set, d);

				/*
				 * Not a change IPVS would make: lastmod is
				 * left alone.
				 */
				if (gone)
					xvs_lblcr_unjoin(en, pp);
				else
					pp = &(*pp)->next;
			}
		}
	}
}

static int xvs_lblcr_expiration(const struct xvs_sched_knobs *knobs)
{
	return knobs ? knobs->lblcr_expiration : XVS_LBLC_EXPIRATION;
}

static struct xvs_sched_dest *xvs_lblcr_schedule(void *state,
						 const struct xvs_dest_set *set,
						 const struct xvs_sched_input *in)
{
	struct xvs_lblc_table *t = state;
	unsigned long now = xvs_jiffies();
	struct xvs_lblc_node **pp;
	struct xvs_lblcr_entry *en;
	struct xvs_sched_dest *dest;

	if (!set || !in || !in->daddr)
		return NULL;
	pp = xvs_lblc_table_find(t, in->af, in->daddr);
	if (!pp) {
		dest = xvs_sched_weighted_least(set);
		if (dest)
			xvs_lblcr_add(t, in->af, in->daddr, dest, now);
		return dest;
	}

	en = xvs_lblcr_of(*pp);
	en->node.lastuse = now;
	dest = xvs_lblcr_least(en);

	/* A set unchanged for long sheds its most loaded member. */
	if (en->size > 1 &&
	    xvs_time_after(now, en->lastmod +
				xvs_lblcr_expiration(in->knobs))) {
		struct xvs_sched_dest *most = xvs_lblcr_most(en);

		if (most)
			xvs_lblcr_leave(en, most, now);
	}

	/* Even if it just left the set, as in IPVS. */
	if (dest && !xvs_lblc_overloaded(dest, set))
		return dest;

	dest = xvs_sched_weighted_least(set);
	if (dest)
		xvs_lblcr_join(en, dest, true, now);
	return dest;
}

static void xvs_lblcr_gc(void *state, const struct xvs_sched_knobs *knobs)
{
	xvs_lblc_table_gc(state, xvs_lblcr_expiration(knobs), xvs_lblcr_release);
}

const struct xvs_sched_ops xvs_sched_lblcr = {
	.name		= "lblcr",
	.state_size	= sizeof(struct xvs_lblc_table),
	.serialized	= true,
	.init		= xvs_lblcr_init,
	.dests_changed	= xvs_lblcr_dests_changed,
	.schedule	= xvs_lblcr_schedule,
	.gc		= xvs_lblcr_gc,
	.destroy	= xvs_lblcr_destroy,
};
