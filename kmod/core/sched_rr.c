// SPDX-License-Identifier: GPL-2.0
/*
 * Round-robin scheduler ("rr").
 *
 * IPVS keeps a cursor on its destination list: the list head before the
 * first pick, then the destination picked last.  Here the list is an array,
 * so the cursor is kept as 'next', the index at which the following scan
 * starts: 0 stands for the list head, i + 1 for "destination i was picked
 * last".  A scan walks from the cursor to the end of the list and then, if
 * the cursor was not at the head, wraps around up to and including the
 * last pick, so that it alone can be picked again.
 */
#include "xvs_shim.h"
#include "xvs_sched.h"

struct xvs_rr_state {
	unsigned int next;	/* 0: list head; i + 1: dest i picked last */
};

static void xvs_rr_init(void *state, const struct xvs_dest_set *set)
{
	struct xvs_rr_state *rr = state;

	rr->next = 0;
}

static void xvs_rr_dests_changed(void *state, const struct xvs_dest_set *set,
				 const struct xvs_dest_change *change)
{
	struct xvs_rr_state *rr = state;
	unsigned int count = set ? set->count : 0;

	if (!change) {
		rr->next = 0;
		return;
	}
	switch (change->kind) {
	case XVS_DEST_ADDED:
		/*
		 * The new destination enters at the head; the cursor stays on
		 * the destination it was on, now one further down.  A cursor
		 * on the head stays there, so the newcomer goes next.
		 */
		if (rr->next)
			rr->next++;
		break;
	case XVS_DEST_REMOVED:
		/*
		 * Entries behind the removed one move up.  If the cursor was
		 * on the removed destination, IPVS steps it back to the
		 * previous entry (or the head): the same arithmetic.
		 */
		if (rr->next > change->index)
			rr->next--;
		break;
	case XVS_DEST_UPDATED:
		/* Weights only matter as zero / non-zero, read per pick. */
		break;
	default:
		rr->next = 0;
		break;
	}
	if (rr->next > count)
		rr->next = 0;
}

static bool xvs_rr_usable(const struct xvs_sched_dest *d)
{
	return d && xvs_dest_usable(d);
}

static struct xvs_sched_dest *xvs_rr_schedule(void *state,
					      const struct xvs_dest_set *set,
					      const struct xvs_sched_input *in)
{
	struct xvs_rr_state *rr = state;
	unsigned int count, start, i;

	if (!set)
		return NULL;
	count = set->count;
	start = rr->next <= count ? rr->next : 0;

	for (i = start; i < count; i++)
		if (xvs_rr_usable(set->dest[i]))
			goto found;
	/* Wrap around, up to and including the last pick. */
	for (i = 0; i < start; i++)
		if (xvs_rr_usable(set->dest[i]))
			goto found;
	/* Nothing available: the cursor stays where it was. */
	return NULL;

found:
	rr->next = i + 1;
	return set->dest[i];
}

const struct xvs_sched_ops xvs_sched_rr = {
	.name		= "rr",
	.state_size	= sizeof(struct xvs_rr_state),
	.serialized	= true,
	.init		= xvs_rr_init,
	.dests_changed	= xvs_rr_dests_changed,
	.schedule	= xvs_rr_schedule,
};
