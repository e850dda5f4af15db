// SPDX-License-Identifier: GPL-2.0
/*
 * Weighted round-robin scheduler ("wrr"), with the decisions of IPVS.
 *
 * The scheduler sweeps the destination list repeatedly.  Each sweep has a
 * required weight cw and picks, in list order, the destinations weighing at
 * least cw.  di is the greatest common divisor of the positive weights, so
 * every weight is a multiple of di; cw runs over mw, mw - di, mw - 2 di, ...
 * down to 1, where mw = (largest weight) - (di - 1).  A threshold of
 * k * di + 1 admits the same destinations as (k + 1) * di, so a destination
 * of weight w is picked w / di times per cycle.  When cw would drop to zero
 * or below, the cycle starts over at mw.
 *
 * As in IPVS, the cursor restarts from the list head whenever the set of
 * destinations or a weight changes, and cw is brought back onto the grid of
 * the new di.  'next' is the index at which the following scan starts: 0
 * for the list head, i + 1 after destination i was picked.
 */
#include "xvs_shim.h"
#include "xvs_sched.h"

struct xvs_wrr_state {
	unsigned int next;	/* 0: list head; i + 1: dest i picked last */
	int cw;			/* weight required in the current sweep */
	int mw;			/* required weight of the first sweep */
	int di;			/* step between sweeps: gcd of the weights */
};

/* Greatest common divisor of the positive weights; 1 if there are none. */
static int xvs_wrr_gcd_weight(const struct xvs_dest_set *set)
{
	unsigned int i;
	int g = 0;

	for (i = 0; i < set->count; i++) {
		int w;

		if (!set->dest[i])
			continue;
		w = xvs_atomic_read(&set->dest[i]->weight);
		if (w <= 0)
			continue;
		g = g ? (int)gcd((unsigned long)w, (unsigned long)g) : w;
	}
	return g ? g : 1;
}

/* Largest weight, 0 if there is no positive one. */
static int xvs_wrr_max_weight(const struct xvs_dest_set *set)
{
	unsigned int i;
	int max = 0;

	for (i = 0; i < set->count; i++) {
		int w;

		if (!set->dest[i])
			continue;
		w = xvs_atomic_read(&set->dest[i]->weight);
		if (w > max)
			max = w;
	}
	return max;
}

static void xvs_wrr_recompute(struct xvs_wrr_state *wrr,
			      const struct xvs_dest_set *set)
{
	if (set) {
		wrr->di = xvs_wrr_gcd_weight(set);
		wrr->mw = xvs_wrr_max_weight(set) - (wrr->di - 1);
	} else {
		wrr->di = 1;
		wrr->mw = 0;
	}
}

static void xvs_wrr_init(void *state, const struct xvs_dest_set *set)
{
	struct xvs_wrr_state *wrr = state;

	wrr->next = 0;
	xvs_wrr_recompute(wrr, set);
	wrr->cw = wrr->mw;
}

static void xvs_wrr_dests_changed(void *state, const struct xvs_dest_set *set,
				  const struct xvs_dest_change *change)
{
	struct xvs_wrr_state *wrr = state;

	/* Whatever changed, IPVS restarts the scan at the head. */
	wrr->next = 0;
	xvs_wrr_recompute(wrr, set);
	/*
	 * Keep the sweep in progress when it is still meaningful, moved onto
	 * the grid of the new step; otherwise start the cycle over.
	 */
	if (wrr->cw > wrr->mw || !wrr->cw)
		wrr->cw = wrr->mw;
	else if (wrr->di > 1)
		wrr->cw = (wrr->cw / wrr->di) * wrr->di + 1;
}

static bool xvs_wrr_fits(const struct xvs_sched_dest *d, int cw)
{
	return d && !(xvs_read_once(d->flags) & XVS_DEST_F_OVERLOAD) &&
	       xvs_atomic_read(&d->weight) >= cw;
}

/*
 * A pick continues the sweep after the last pick.  When a sweep ends, cw is
 * lowered and the next sweep starts from the head.  The search gives up
 * (all usable destinations overloaded) once every destination has been
 * tried at the lowest weight, di: either in one sweep from the head, or, if
 * the search began in mid-list, in the tail of the first sweep plus a last
 * sweep from the head up to and including the destination picked last.
 */
static struct xvs_sched_dest *xvs_wrr_schedule(void *state,
					       const struct xvs_dest_set *set,
					       const struct xvs_sched_input *in)
{
	struct xvs_wrr_state *wrr = state;
	bool last_pass = false, restarted = false;
	unsigned int count, last, start, stop, i;

	if (!set || wrr->mw <= 0 || wrr->di <= 0)
		return NULL;
	count = set->count;
	last = wrr->next <= count ? wrr->next : 0;
	start = last;
	stop = count;		/* no stop index until the last pass */

	for (;;) {
		for (i = start; i < count; i++) {
			if (xvs_wrr_fits(set->dest[i], wrr->cw))
				goto found;
			if (i == stop) {
				/* Back at the last pick: the cursor stays. */
				wrr->next = i + 1;
				return NULL;
			}
		}
		/* End of a sweep: the next one starts at the head. */
		start = 0;
		wrr->cw -= wrr->di;
		if (wrr->cw <= 0) {
			wrr->cw = wrr->mw;
			if (last_pass || !last) {
				/* All tried at the lowest weight; IPVS parks
				 * the cursor on the head.
				 */
				wrr->next = 0;
				return NULL;
			}
			restarted = true;
		}
		last_pass = wrr->cw <= wrr->di;
		/*
		 * The first sweep at the lowest weight began after the last
		 * pick; this one need only cover the head up to it.
		 */
		if (last_pass && restarted && last)
			stop = last - 1;
	}

found:
	wrr->next = i + 1;
	return set->dest[i];
}

const struct xvs_sched_ops xvs_sched_wrr = {
	.name		= "wrr",
	.state_size	= sizeof(struct xvs_wrr_state),
	.serialized	= true,
	.init		= xvs_wrr_init,
	.dests_changed	= xvs_wrr_dests_changed,
	.schedule	= xvs_wrr_schedule,
};
