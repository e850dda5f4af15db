// SPDX-License-Identifier: GPL-2.0
/*
 * Weighted failover scheduler ("fo"), with the decisions of IPVS: all new
 * connections go to the destination of highest weight that is not
 * overloaded; among equal weights the first in list order.  Weight zero
 * never wins.  It keeps no state.
 */
#include "xvs_shim.h"
#include "xvs_sched.h"

static struct xvs_sched_dest *xvs_fo_schedule(void *state,
					      const struct xvs_dest_set *set,
					      const struct xvs_sched_input *in)
{
	struct xvs_sched_dest *best = NULL;
	int best_weight = 0;
	unsigned int i;

	if (!set)
		return NULL;
	for (i = 0; i < set->count; i++) {
		struct xvs_sched_dest *d = set->dest[i];
		int w;

		if (!d || (xvs_read_once(d->flags) & XVS_DEST_F_OVERLOAD))
			continue;
		w = xvs_atomic_read(&d->weight);
		if (w > best_weight) {
			best = d;
			best_weight = w;
		}
	}
	return best;
}

const struct xvs_sched_ops xvs_sched_fo = {
	.name		= "fo",
	.state_size	= 0,
	.serialized	= false,
	.schedule	= xvs_fo_schedule,
};
