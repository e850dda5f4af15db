// SPDX-License-Identifier: GPL-2.0
/*
 * Destination hashing scheduler ("dh"), with the decisions of IPVS.
 *
 * The packet's destination address, folded to 32 bits, picks one of 256
 * buckets with the kernel's multiplicative hash_32().  IPVS deals the
 * buckets out to the destinations in list order, one each, round and
 * round, and redeals whenever a destination is added or removed (weights
 * play no part).  Bucket b therefore always holds destination b mod n of
 * the current list, which is computed here instead of stored.  A bucket
 * whose destination is unavailable, overloaded or of weight zero yields
 * no destination: dh has no fallback.
 */
#include "xvs_shim.h"
#include "xvs_sched.h"

#define XVS_DH_TAB_BITS		8

static struct xvs_sched_dest *xvs_dh_schedule(void *state,
					      const struct xvs_dest_set *set,
					      const struct xvs_sched_input *in)
{
	struct xvs_sched_dest *d;
	unsigned int bucket;

	if (!set || !set->count || !in || !in->daddr)
		return NULL;
	bucket = xvs_hash_32(xvs_sched_addr_fold(in->af, in->daddr),
			     XVS_DH_TAB_BITS);
	d = set->dest[bucket % set->count];
	if (!d || !(xvs_read_once(d->flags) & XVS_DEST_F_AVAILABLE) ||
	    !xvs_dest_usable(d))
		return NULL;
	return d;
}

const struct xvs_sched_ops xvs_sched_dh = {
	.name		= "dh",
	.state_size	= 0,
	.serialized	= false,
	.schedule	= xvs_dh_schedule,
};
