// SPDX-License-Identifier: GPL-2.0
/*
 * Weighted least-connection scheduler ("wlc"), with the decisions of IPVS:
 * the destination of least overhead / weight, the overhead being 256 times
 * the active connections plus all of them (xvs_dest_conn_overhead).  The
 * choice, ties and weight-zero corners included, is xvs_sched_least's.
 * It keeps no state.
 */
#include "xvs_shim.h"
#include "xvs_sched.h"

static struct xvs_sched_dest *xvs_wlc_schedule(void *state,
					       const struct xvs_dest_set *set,
					       const struct xvs_sched_input *in)
{
	return xvs_sched_weighted_least(set);
}

const struct xvs_sched_ops xvs_sched_wlc = {
	.name		= "wlc",
	.state_size	= 0,
	.serialized	= false,
	.schedule	= xvs_wlc_schedule,
};
