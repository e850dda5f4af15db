// SPDX-License-Identifier: GPL-2.0
/*
 * Shortest expected delay scheduler ("sed"), with the decisions of IPVS.
 *
 * A new connection to a destination with n active connections is expected
 * to wait (n + 1) / weight: the destination minimising it wins.  Inactive
 * connections do not count.  The first destination neither overloaded nor
 * of weight zero is the initial candidate; after it only overloaded ones
 * are skipped, and a later one replaces the candidate only if strictly
 * better, so ties go to the first in list order.  Loads are compared by
 * cross-multiplying in 64 bits.  It keeps no state.
 */
#include "xvs_shim.h"
#include "xvs_sched.h"

/* IPVS keeps this in an int. */
static s64 xvs_sed_overhead(const struct xvs_sched_dest *d)
{
	return (s32)((u32)xvs_atomic_read(&d->activeconns) + 1);
}

static struct xvs_sched_dest *xvs_sed_schedule(void *state,
					       const struct xvs_dest_set *set,
					       const struct xvs_sched_input *in)
{
	struct xvs_sched_dest *least = NULL;
	s64 least_oh = 0;
	unsigned int i;

	if (!set)
		return NULL;
	for (i = 0; i < set->count; i++) {
		struct xvs_sched_dest *d = set->dest[i];

		if (d && xvs_dest_usable(d)) {
			least = d;
			least_oh = xvs_sed_overhead(d);
			break;
		}
	}
	if (!least)
		return NULL;

	for (i++; i < set->count; i++) {
		struct xvs_sched_dest *d = set->dest[i];
		s64 oh;

		if (!d || (xvs_read_once(d->flags) & XVS_DEST_F_OVERLOAD))
			continue;
		oh = xvs_sed_overhead(d);
		if (least_oh * xvs_atomic_read(&d->weight) >
		    oh * xvs_atomic_read(&least->weight)) {
			least = d;
			least_oh = oh;
		}
	}
	return least;
}

const struct xvs_sched_ops xvs_sched_sed = {
	.name		= "sed",
	.state_size	= 0,
	.serialized	= false,
	.schedule	= xvs_sed_schedule,
};
