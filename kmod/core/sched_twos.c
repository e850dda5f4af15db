// SPDX-License-Identifier: GPL-2.0
/*
 * Power of two choices scheduler ("twos"), with the decisions of IPVS.
 *
 * Two destinations are drawn at random, each with probability about
 * proportional to its weight, and the less loaded of the two (overhead /
 * weight) gets the connection; on a tie the first draw.  Only destinations
 * neither overloaded nor of weight zero take part.
 *
 * IPVS draws r in [0, W] where W is the sum of the weights, and walks the
 * list subtracting each weight until r drops to zero or below, so the
 * first destination has one extra chance.  Both draws come from the
 * shim's xvs_random_u32_below().  Its arithmetic is IPVS's int arithmetic.
 * It keeps no state.
 */
#include "xvs_shim.h"
#include "xvs_sched.h"

/* int multiplication that wraps, as the kernel's does. */
static int xvs_twos_mul(int a, int b)
{
	return (int)((unsigned int)a * (unsigned int)b);
}

static struct xvs_sched_dest *xvs_twos_schedule(void *state,
						const struct xvs_dest_set *set,
						const struct xvs_sched_input *in)
{
	struct xvs_sched_dest *choice1 = NULL, *choice2 = NULL;
	int weight1 = -1, weight2 = -1, overhead1 = 0, overhead2 = 0;
	int rweight1, rweight2;
	unsigned int total = 0;
	unsigned int i;

	if (!set)
		return NULL;
	for (i = 0; i < set->count; i++) {
		struct xvs_sched_dest *d = set->dest[i];

		if (d && xvs_dest_usable(d)) {
			total += (unsigned int)xvs_atomic_read(&d->weight);
			choice1 = d;	/* the last one, should a draw miss */
		}
	}
	if (!choice1)
		return NULL;

	/* Draws in [0, total], both ends included. */
	total += 1;
	rweight1 = (int)xvs_random_u32_below(total);
	rweight2 = (int)xvs_random_u32_below(total);

	for (i = 0; i < set->count; i++) {
		struct xvs_sched_dest *d = set->dest[i];
		int w;

		if (!d || (xvs_read_once(d->flags) & XVS_DEST_F_OVERLOAD))
			continue;
		w = xvs_atomic_read(&d->weight);
		if (w <= 0)
			continue;
		rweight1 -= w;
		rweight2 -= w;
		if (rweight1 <= 0 && weight1 == -1) {
			choice1 = d;
			weight1 = w;
			overhead1 = (int)xvs_dest_conn_overhead(d);
		}
		if (rweight2 <= 0 && weight2 == -1) {
			choice2 = d;
			weight2 = w;
			overhead2 = (int)xvs_dest_conn_overhead(d);
		}
		if (weight1 != -1 && weight2 != -1)
			break;
	}

	if (choice2 && xvs_twos_mul(weight2, overhead1) >
		       xvs_twos_mul(weight1, overhead2))
		choice1 = choice2;
	return choice1;
}

const struct xvs_sched_ops xvs_sched_twos = {
	.name		= "twos",
	.state_size	= 0,
	.serialized	= false,
	.schedule	= xvs_twos_schedule,
};
