// SPDX-License-Identifier: GPL-2.0
/*
 * Source hashing scheduler ("sh"), with the decisions of IPVS.
 *
 * A table of 256 buckets is dealt out to the destinations in list order,
 * each taking as many consecutive buckets as its weight (at least one),
 * round and round until all are dealt; it is dealt again whenever a
 * destination is added, removed or edited.  The client address folded to
 * 32 bits, plus with the sh-port flag (IP_VS_SVC_F_SCHED2) the client
 * port, picks a bucket through hash_32().  A destination that is
 * overloaded or of weight zero yields nothing, unless the sh-fallback flag
 * (IP_VS_SVC_F_SCHED1) is set: then further buckets are tried, at offsets
 * from the first one as IPVS walks them, until a usable destination turns
 * up, an empty bucket is met, or all offsets were tried.
 *
 * The table holds destination pointers written by ->dests_changed() while
 * ->schedule() reads them without a lock, as IPVS does under RCU; each
 * bucket is read and written whole.
 */
#include "xvs_shim.h"
#include "xvs_sched.h"

#define XVS_SH_TAB_BITS		8
#define XVS_SH_TAB_SIZE		(1U << XVS_SH_TAB_BITS)
#define XVS_SH_TAB_MASK		(XVS_SH_TAB_SIZE - 1)

#define XVS_SH_FALLBACK		XVS_SVC_F_SCHED1
#define XVS_SH_PORT		XVS_SVC_F_SCHED2

struct xvs_sh_state {
	struct xvs_sched_dest *bucket[XVS_SH_TAB_SIZE];
};

static void xvs_sh_deal(struct xvs_sh_state *sh, const struct xvs_dest_set *set)
{
	unsigned int count = set ? set->count : 0;
	unsigned int i, next = 0;
	int dealt = 0;

	for (i = 0; i < XVS_SH_TAB_SIZE; i++) {
		struct xvs_sched_dest *d = count ? set->dest[next] : NULL;

		xvs_write_once(sh->bucket[i], d);
		if (!d) {
			/* Defensive: a hole in the set moves on at once. */
			if (count)
				next = (next + 1) % count;
			continue;
		}
		/* Weight w takes w buckets in a row; zero or less takes one. */
		if (++dealt >= xvs_atomic_read(&d->weight)) {
			next = (next + 1) % count;
			dealt = 0;
		}
	}
}

static void xvs_sh_init(void *state, const struct xvs_dest_set *set)
{
	xvs_sh_deal(state, set);
}

static void xvs_sh_dests_changed(void *state, const struct xvs_dest_set *set,
				 const struct xvs_dest_change *change)
{
	xvs_sh_deal(state, set);
}

static bool xvs_sh_unavailable(const struct xvs_sched_dest *d)
{
	return xvs_atomic_read(&d->weight) <= 0 ||
	       (xvs_read_once(d->flags) & XVS_DEST_F_OVERLOAD);
}

static unsigned int xvs_sh_bucket(u32 key, unsigned int offset)
{
	return (offset + xvs_hash_32(key, XVS_SH_TAB_BITS)) & XVS_SH_TAB_MASK;
}

static struct xvs_sched_dest *xvs_sh_schedule(void *state,
					      const struct xvs_dest_set *set,
					      const struct xvs_sched_input *in)
{
	struct xvs_sh_state *sh = state;
	struct xvs_sched_dest *d;
	unsigned int first, offset;
	u32 flags, key;

	if (!set || !set->count || !in || !in->saddr)
		return NULL;
	flags = in->svc_flags;
	key = xvs_sched_addr_fold(in->af, in->saddr);
	if (flags & XVS_SH_PORT)
		key += xvs_sched_client_port(in);

	first = xvs_sh_bucket(key, 0);
	d = xvs_read_once(sh->bucket[first]);
	if (!d)
		return NULL;
	if (!xvs_sh_unavailable(d))
		return d;
	if (!(flags & XVS_SH_FALLBACK))
		return NULL;

	for (offset = 0; offset < XVS_SH_TAB_SIZE; offset++) {
		unsigned int b = xvs_sh_bucket(key, (offset + first) &
						    XVS_SH_TAB_MASK);

		d = xvs_read_once(sh->bucket[b]);
		if (!d)
			return NULL;
		if (!xvs_sh_unavailable(d))
			return d;
	}
	return NULL;
}

const struct xvs_sched_ops xvs_sched_sh = {
	.name		= "sh",
	.state_size	= sizeof(struct xvs_sh_state),
	.serialized	= false,
	.init		= xvs_sh_init,
	.dests_changed	= xvs_sh_dests_changed,
	.schedule	= xvs_sh_schedule,
};
