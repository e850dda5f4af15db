// SPDX-License-Identifier: GPL-2.0
/*
 * Least-connection scheduler ("lc"), with the decisions of IPVS: the
 * destination of least overhead (see xvs_dest_conn_overhead()) among those
 * neither overloaded nor of weight zero; on a tie the one first in list
 * order, that is the newest, wins.  It keeps no state.
 */
#include "xvs_shim.h"
#include "xvs_sched.h"

static struct xvs_sched_dest *xvs_lc_schedule(void *state,
					      const struct xvs_dest_set *set,
					      const struct xvs_sched_input *in)
{
	struct xvs_sched_dest *least = NULL;
	unsigned int least_oh = 0;
	unsigned int i;

	if (!set)
		return NULL;
	for (i = 0; i < set->count; i++) {
		struct xvs_sched_dest *d = set->dest[i];
		unsigned int oh;

		/*
		 * IPVS skips exactly weight 0 here (the control plane never
		 * stores a negative weight).
		 */
		if (!d || (xvs_read_once(d->flags) & XVS_DEST_F_OVERLOAD) ||
		    xvs_atomic_read(&d->weight) == 0)
			continue;
		oh = xvs_dest_conn_overhead(d);
		if (!least || oh < least_oh) {
			least = d;
			least_oh = oh;
		}
	}
	return least;
}

const struct xvs_sched_ops xvs_sched_lc = {
	.name		= "lc",
	.state_size	= 0,
	.serialized	= false,
	.schedule	= xvs_lc_schedule,
};
