// SPDX-License-Identifier: GPL-2.0
/*
 * Overflow-connection scheduler ("ovf"), with the decisions of IPVS: the
 * destination of highest weight among those that are not overloaded, not
 * of weight zero and have no more active connections than their weight;
 * among equal weights the first in list order.  So traffic spills over to
 * the next weight once the active connections exceed the weight.  It
 * keeps no state.
 */
#include "xvs_shim.h"
#include "xvs_sched.h"

static struct xvs_sched_dest *xvs_ovf_schedule(void *state,
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
		if (w == 0 || xvs_atomic_read(&d->activeconns) > w)
			continue;
		if (!best || w > best_weight) {
			best = d;
			best_weight = w;
		}
	}
	return best;
}

const struct xvs_sched_ops xvs_sched_ovf = {
	.name		= "ovf",
	.state_size	= 0,
	.serialized	= false,
	.schedule	= xvs_ovf_schedule,
};
