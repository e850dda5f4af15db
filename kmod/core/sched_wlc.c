// SPDX-License-Identifier: GPL-2.0
/*
 * Weighted least-connection scheduler ("wlc"), with the decisions of IPVS:
 * the destination of least overhead / weight.  To avoid division, the load
 * of two destinations is compared by cross-multiplying in 64 bits:
 * oh1 * w2 > oh2 * w1.  The first destination neither overloaded nor of
 * weight zero is the initial candidate; after it, IPVS skips only
 * overloaded destinations, and a later one replaces the candidate only if
 * strictly less loaded, so ties go to the first in list order.  A later
 * destination of weight zero therefore never wins, as its side of the
 * comparison is zero, unless the candidate's overhead has wrapped negative;
 * that corner is kept exactly as IPVS has it.  It keeps no state.
 */
#include "xvs_shim.h"
#include "xvs_sched.h"

static bool xvs_wlc_overloaded(const struct xvs_sched_dest *d)
{
	return xvs_read_once(d->flags) & XVS_DEST_F_OVERLOAD;
}

/* IPVS keeps the overhead in an int: reinterpret the 32 bits as signed. */
static s64 xvs_wlc_overhead(const struct xvs_sched_dest *d)
{
	return (s64)(s32)xvs_dest_conn_overhead(d);
}

static struct xvs_sched_dest *xvs_wlc_schedule(void *state,
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

		if (d && !xvs_wlc_overloaded(d) &&
		    xvs_atomic_read(&d->weight) > 0) {
			least = d;
			least_oh = xvs_wlc_overhead(d);
			break;
		}
	}
	if (!least)
		return NULL;

	for (i++; i < set->count; i++) {
		struct xvs_sched_dest *d = set->dest[i];
		s64 oh;

		if (!d || xvs_wlc_overloaded(d))
			continue;
		oh = xvs_wlc_overhead(d);
		if (least_oh * xvs_atomic_read(&d->weight) >
		    oh * xvs_atomic_read(&least->weight)) {
			least = d;
			least_oh = oh;
		}
	}
	return least;
}

const struct xvs_sched_ops xvs_sched_wlc = {
	.name		= "wlc",
	.state_size	= 0,
	.serialized	= false,
	.schedule	= xvs_wlc_schedule,
};
