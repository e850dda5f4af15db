// SPDX-License-Identifier: GPL-2.0
/*
 * Never queue scheduler ("nq"), with the decisions of IPVS.
 *
 * The first destination in list order without active connections (and
 * neither overloaded nor of weight zero) is taken at once, whatever its
 * weight.  Failing that, as sed: the least (active + 1) / weight, ties to
 * the first in list order.  Unlike sed, weight zero is skipped all along,
 * which is why nq keeps a loop of its own instead of xvs_sched_least.
 * It keeps no state.
 */
#include "xvs_shim.h"
#include "xvs_sched.h"

static struct xvs_sched_dest *xvs_nq_schedule(void *state,
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
		int active;
		s64 oh;

		/* IPVS skips exactly weight 0 here. */
		if (!d || (xvs_read_once(d->flags) & XVS_DEST_F_OVERLOAD) ||
		    xvs_atomic_read(&d->weight) == 0)
			continue;
		active = xvs_atomic_read(&d->activeconns);
		if (active == 0)
			return d;	/* idle: no one would queue */
		oh = (s32)((u32)active + 1);
		if (!least || least_oh * xvs_atomic_read(&d->weight) >
			      oh * xvs_atomic_read(&least->weight)) {
			least = d;
			least_oh = oh;
		}
	}
	return least;
}

const struct xvs_sched_ops xvs_sched_nq = {
	.name		= "nq",
	.state_size	= 0,
	.serialized	= false,
	.schedule	= xvs_nq_schedule,
};
