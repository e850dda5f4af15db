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
 * Housekeeping (->gc, every minute) and the limits on the table are as in
 * lblc.  Members that are removed from the service leave their sets when
 * ->dests_changed() reports it; IPVS keeps them (unused, as they are
 * unavailable) until they are the most loaded member of an expiring set
 * or their entry goes.
 *
 * The table is changed by ->schedule(), so the scheduler is serialized.
 */
#include "xvs_shim.h"
#include "xvs_sched.h"

#define XVS_LBLCR_TAB_BITS	10
#define XVS_LBLCR_TAB_SIZE	(1U << XVS_LBLCR_TAB_BITS)
#define XVS_LBLCR_TAB_MASK	(XVS_LBLCR_TAB_SIZE - 1)
#define XVS_LBLCR_MAX_SIZE	((int)XVS_LBLCR_TAB_SIZE * 16)
#define XVS_LBLCR_ENTRY_TIMEOUT	(6 * 60 * XVS_HZ)
#define XVS_LBLCR_EXPIRATION	(24 * 60 * 60 * XVS_HZ)
#define XVS_LBLCR_FULL_EVERY	30	/* gc calls between full checks */

struct xvs_lblcr_member {
	struct xvs_lblcr_member *next;
	struct xvs_sched_dest *dest;
};

struct xvs_lblcr_entry {
	struct xvs_lblcr_entry *next;
	struct xvs_lblcr_member *members;	/* newest first */
	unsigned int size;
	unsigned long lastmod;		/* jiffies: members last changed */
	unsigned long lastuse;		/* jiffies */
	u32 addr[4];			/* as xvs_sched_input.daddr */
};

struct xvs_lblcr_state {
	struct xvs_lblcr_entry *bucket[XVS_LBLCR_TAB_SIZE];
	int entries;
	unsigned int rover;		/* last bucket swept */
	unsigned int counter;		/* gc calls since the last full check */
};

static unsigned int xvs_lblcr_hashkey(u16 af, const u32 *addr)
{
	return xvs_hash_32(xvs_sched_addr_fold(af, addr), XVS_LBLCR_TAB_BITS);
}

static bool xvs_lblcr_addr_equal(u16 af, const u32 *a, const u32 *b)
{
	if (af == XVS_AF_INET6)
		return !memcmp(a, b, 16);
	return a[0] == b[0];
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

static struct xvs_lblcr_entry *xvs_lblcr_find(struct xvs_lblcr_state *t,
					      u16 af, const u32 *addr)
{
	struct xvs_lblcr_entry *en = t->bucket[xvs_lblcr_hashkey(af, addr)];

	for (; en; en = en->next)
		if (xvs_lblcr_addr_equal(af, en->addr, addr))
			return en;
	return NULL;
}

static void xvs_lblcr_unlink(struct xvs_lblcr_state *t,
			     struct xvs_lblcr_entry **pp)
{
	struct xvs_lblcr_entry *en = *pp;

	*pp = en->next;
	t->entries--;
	while (en->members) {
		struct xvs_lblcr_member *m = en->members;

		en->members = m->next;
		xvs_free(m);
	}
	xvs_free(en);
}

/* A new entry for @addr with @dest as its only member; may fail silently. */
static void xvs_lblcr_add(struct xvs_lblcr_state *t, u16 af, const u32 *addr,
			  struct xvs_sched_dest *dest, unsigned long now)
{
	struct xvs_lblcr_entry *en;
	unsigned int h;

	if (t->entries >= XVS_LBLCR_MAX_SIZE * 3 / 2)
		return;
	en = xvs_zalloc(sizeof(*en), false);
	if (!en)
		return;
	memcpy(en->addr, addr, af == XVS_AF_INET6 ? 16 : 4);
	en->lastuse = now;
	/* As IPVS, the entry stays even if its first member cannot join. */
	xvs_lblcr_join(en, dest, false, now);
	h = xvs_lblcr_hashkey(af, addr);
	en->next = t->bucket[h];
	t->bucket[h] = en;
	t->entries++;
}

static void xvs_lblcr_init(void *state, const struct xvs_dest_set *set)
{
	struct xvs_lblcr_state *t = state;

	memset(t, 0, sizeof(*t));
	t->counter = 1;
}

static void xvs_lblcr_destroy(void *state)
{
	struct xvs_lblcr_state *t = state;
	unsigned int i;

	for (i = 0; i < XVS_LBLCR_TAB_SIZE; i++)
		while (t->bucket[i])
			xvs_lblcr_unlink(t, &t->bucket[i]);
}

static bool xvs_lblcr_in_set(const struct xvs_dest_set *set,
			     const struct xvs_sched_dest *d)
{
	unsigned int i;

	for (i = 0; set && i < set->count; i++)
		if (set->dest[i] == d)
			return true;
	return false;
}

static void xvs_lblcr_dests_changed(void *state, const struct xvs_dest_set *set,
				    const struct xvs_dest_change *change)
{
	struct xvs_lblcr_state *t = state;
	unsigned int i;

	if (change && change->kind != XVS_DEST_REMOVED)
		return;
	for (i = 0; i < XVS_LBLCR_TAB_SIZE; i++) {
		struct xvs_lblcr_entry *en;

		for (en = t->bucket[i]; en; en = en->next) {
			struct xvs_lblcr_member **pp = &en->members;

			while (*pp) {
				struct xvs_sched_dest *d = (*pp)->dest;
				bool gone = change && change->dest ?
					    d == change->dest :
					    !xvs_lblcr_in_set(set, d);

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

/* As lblc's rule; see the top of the file. */
static bool xvs_lblcr_overloaded(const struct xvs_sched_dest *dest,
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

static int xvs_lblcr_expiration(const struct xvs_sched_knobs *knobs)
{
	return knobs ? knobs->lblcr_expiration : XVS_LBLCR_EXPIRATION;
}

static struct xvs_sched_dest *xvs_lblcr_schedule(void *state,
						 const struct xvs_dest_set *set,
						 const struct xvs_sched_input *in)
{
	struct xvs_lblcr_state *t = state;
	unsigned long now = xvs_jiffies();
	struct xvs_lblcr_entry *en;
	struct xvs_sched_dest *dest;

	if (!set || !in || !in->daddr)
		return NULL;
	en = xvs_lblcr_find(t, in->af, in->daddr);
	if (!en) {
		dest = xvs_sched_weighted_least(set);
		if (dest)
			xvs_lblcr_add(t, in->af, in->daddr, dest, now);
		return dest;
	}

	en->lastuse = now;
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
	if (dest && !xvs_lblcr_overloaded(dest, set))
		return dest;

	dest = xvs_sched_weighted_least(set);
	if (dest)
		xvs_lblcr_join(en, dest, true, now);
	return dest;
}

/* Drop entries idle for @timeout; stop after a bucket once @goal is met. */
static void xvs_lblcr_sweep(struct xvs_lblcr_state *t, unsigned long now,
			    long timeout, int goal)
{
	unsigned int i, j = t->rover;

	for (i = 0; i < XVS_LBLCR_TAB_SIZE; i++) {
		struct xvs_lblcr_entry **pp;

		j = (j + 1) & XVS_LBLCR_TAB_MASK;
		pp = &t->bucket[j];
		while (*pp) {
			if (xvs_time_before(now, (*pp)->lastuse + timeout)) {
				pp = &(*pp)->next;
				continue;
			}
			xvs_lblcr_unlink(t, pp);
			goal--;
		}
		if (goal <= 0)
			break;
	}
	t->rover = j;
}

static void xvs_lblcr_gc(void *state, const struct xvs_sched_knobs *knobs)
{
	struct xvs_lblcr_state *t = state;
	unsigned long now = xvs_jiffies();
	int goal;

	if (t->counter % XVS_LBLCR_FULL_EVERY == 0) {
		/* A goal never reached: sweep the whole table. */
		xvs_lblcr_sweep(t, now, xvs_lblcr_expiration(knobs), 1 << 30);
		t->counter = 1;
		return;
	}
	if (t->entries <= XVS_LBLCR_MAX_SIZE) {
		t->counter++;
		return;
	}
	goal = (t->entries - XVS_LBLCR_MAX_SIZE) * 4 / 3;
	if (goal > XVS_LBLCR_MAX_SIZE / 2)
		goal = XVS_LBLCR_MAX_SIZE / 2;
	xvs_lblcr_sweep(t, now, XVS_LBLCR_ENTRY_TIMEOUT, goal);
}

const struct xvs_sched_ops xvs_sched_lblcr = {
	.name		= "lblcr",
	.state_size	= sizeof(struct xvs_lblcr_state),
	.serialized	= true,
	.init		= xvs_lblcr_init,
	.dests_changed	= xvs_lblcr_dests_changed,
	.schedule	= xvs_lblcr_schedule,
	.gc		= xvs_lblcr_gc,
	.destroy	= xvs_lblcr_destroy,
};
