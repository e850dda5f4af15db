// SPDX-License-Identifier: GPL-2.0
/*
 * Shortest expected delay scheduler ("sed"), with the decisions of IPVS.
 *
 * A new connection to a destination with n active connections is expected
 * to wait (n + 1) / weight: the destination minimising it wins.  Inactive
 * connections do not count.  The choice, ties and weight-zero corners
 * included, is xvs_sched_least's.  It keeps no state.
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
	return xvs_sched_least(set, xvs_sed_overhead);
}

const struct xvs_sched_ops xvs_sched_sed = {
	.name		= "sed",
	.state_size	= 0,
	.serialized	= false,
	.schedule	= xvs_sed_schedule,
};
