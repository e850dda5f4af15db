// SPDX-License-Identifier: GPL-2.0
/*
 * Maglev hashing scheduler ("mh"), with the decisions of IPVS (after
 * Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load
 * Balancer", NSDI 2016, section 3.4).
 *
 * A lookup table of a prime number of slots, 4093 as IPVS builds it with
 * the default CONFIG_IP_VS_MH_TAB_INDEX (12, Debian's), is populated from
 * per-destination preference lists: destination i prefers slots
 * offset_i, offset_i + skip_i, offset_i + 2 skip_i, ... (mod the table
 * size), offset and skip being keyed hashes of its address and port.  Destinations take turns in list order, each claiming its next
 * free preferred slot, as many per turn as its weight divided by the gcd of
 * the weights (shifted down so the largest fits in 6 bits, and at least one
 * for any non-zero weight), until every slot is claimed.  The weight used is
 * the last non-zero one set, so a destination quiesced with weight 0 keeps
 * its slots (and so the table does not move) but is not picked.  Most
 * slots keep their destination when one is added or removed.
 *
 * A packet's client address folded to 32 bits (plus its port with the
 * mh-port flag, IP_VS_SVC_F_SCHED2) is hashed to a slot.  A destination
 * overloaded or of weight zero yields nothing unless mh-fallback
 * (IP_VS_SVC_F_SCHED1) is set: then the key is rehashed with offsets
 * added, as IPVS walks them, until a usable destination turns up, an
 * empty slot is met or all offsets were tried.
 *
 * The hashes are hsiphash() with the two fixed keys IPVS 6.1 uses (its
 * "secret" is a constant), so tables come out slot for slot as in IPVS.
 *
 * The table lives in the per-service state (about 32 KiB); it is
 * rewritten in place by ->dests_changed() while ->schedule() reads it
 * without a lock, as IPVS does under RCU.
 */
#include "xvs_shim.h"
#include "xvs_sched.h"

#define XVS_MH_TAB_SIZE		XVS_SCHED_MH_TAB_SIZE
#define XVS_MH_TURN_BITS	6	/* weights scaled to fit these bits */

#define XVS_MH_FALLBACK		XVS_SVC_F_SCHED1
#define XVS_MH_PORT		XVS_SVC_F_SCHED2

struct xvs_mh_state {
	struct xvs_hsiphash_key key1;	/* slot of a client; offset of a dest */
	struct xvs_hsiphash_key key2;	/* skip of a dest */
	struct xvs_sched_dest *slot[XVS_MH_TAB_SIZE];
};

/* Population progress of one destination. */
struct xvs_mh_walk {
	u32 pos;	/* next preferred slot to try */
	u32 skip;
	int turns;	/* slots claimed per turn */
};

static u32 xvs_mh_hash(u32 fold, u16 port, u32 offset,
		       const struct xvs_hsiphash_key *key)
{
	u32 v = offset + port + fold;

	return xvs_hsiphash(&v, sizeof(v), key);
}

static int xvs_mh_fls(unsigned int x)
{
	int n = 0;

	while (x) {
		n++;
		x >>= 1;
	}
	return n;
}

/* See struct xvs_sched_dest: IPVS keeps the last non-zero weight. */
static int xvs_mh_weight(const struct xvs_sched_dest *d)
{
	int w = xvs_atomic_read(&d->weight);

	return w ? w : xvs_atomic_read(&d->last_weight);
}

static void xvs_mh_clear(struct xvs_mh_state *mh)
{
	unsigned int i;

	for (i = 0; i < XVS_MH_TAB_SIZE; i++)
		xvs_write_once(mh->slot[i], NULL);
}

static void xvs_mh_populate(struct xvs_mh_state *mh,
			    const struct xvs_dest_set *set)
{
	unsigned int count = set ? set->count : 0;
	unsigned int i, claimed, taken_words;
	struct xvs_mh_walk *walk;
	int g = 0, max = 0, shift;
	u16 af;
	u32 *taken;

	if (count > XVS_MH_TAB_SIZE)
		return;	/* IPVS refuses the change; the table stays */
	for (i = 0; i < count; i++) {
		int w;

		if (!set->dest[i])
			return;	/* malformed set: keep the table */
		w = xvs_mh_weight(set->dest[i]);
		if (w > 0) {
			g = g ? (int)gcd((unsigned long)w, (unsigned long)g) : w;
			if (w > max)
				max = w;
		}
	}
	if (g < 1) {
		/* No destination with a weight: nothing to pick. */
		xvs_mh_clear(mh);
		return;
	}
	shift = xvs_mh_fls((unsigned int)(max / g)) - XVS_MH_TURN_BITS;
	if (shift < 0)
		shift = 0;

	/* On failure the table stays as it was, as in IPVS. */
	taken_words = (XVS_MH_TAB_SIZE + 31) / 32;
	walk = xvs_zalloc(count * sizeof(*walk) +
			  taken_words * sizeof(*taken), true);
	if (!walk)
		return;
	taken = (u32 *)(walk + count);

	/*
	 * A destination's address is folded by the service's family; with
	 * IPv4 addresses zero-padded the IPv6 fold gives the same value.
	 */
	af = set->af == XVS_AF_INET ? XVS_AF_INET : XVS_AF_INET6;
	for (i = 0; i < count; i++) {
		const struct xvs_sched_dest *d = set->dest[i];
		u32 fold = xvs_sched_addr_fold(af, d->addr);
		u16 port = xvs_ntohs(d->port);
		int w = xvs_mh_weight(d);
		int turns = (w / g) >> shift;

		walk[i].pos = xvs_mh_hash(fold, port, 0, &mh->key1) %
			      XVS_MH_TAB_SIZE;
		walk[i].skip = xvs_mh_hash(fold, port, 0, &mh->key2) %
			       (XVS_MH_TAB_SIZE - 1) + 1;
		walk[i].turns = turns ? turns : (w != 0);
	}

	/* Rounds over the list until every slot is claimed. */
	claimed = 0;
	while (claimed < XVS_MH_TAB_SIZE) {
		for (i = 0; i < count && claimed < XVS_MH_TAB_SIZE; i++) {
			struct xvs_mh_walk *wk = &walk[i];
			int turn;

			/* A weight below 1 claims nothing. */
			for (turn = 0; turn < wk->turns &&
			     claimed < XVS_MH_TAB_SIZE; turn++) {
				u32 c = wk->pos;

				while (taken[c / 32] & (1U << (c % 32))) {
					c += wk->skip;
					if (c >= XVS_MH_TAB_SIZE)
						c -= XVS_MH_TAB_SIZE;
				}
				wk->pos = c;
				taken[c / 32] |= 1U << (c % 32);
				if (xvs_read_once(mh->slot[c]) != set->dest[i])
					xvs_write_once(mh->slot[c],
						       set->dest[i]);
				claimed++;
			}
		}
	}
	xvs_free(walk);
}

static void xvs_mh_init(void *state, const struct xvs_dest_set *set)
{
	struct xvs_mh_state *mh = state;

	/* IPVS's keys (see generate_hash_secret() there). */
	mh->key1.k.key[0] = 2654435761UL;
	mh->key1.k.key[1] = 2654435761UL;
	mh->key2.k.key[0] = 2654446892UL;
	mh->key2.k.key[1] = 2654446892UL;
	xvs_mh_clear(mh);
	xvs_mh_populate(mh, set);
}

static void xvs_mh_dests_changed(void *state, const struct xvs_dest_set *set,
				 const struct xvs_dest_change *change)
{
	xvs_mh_populate(state, set);
}

static bool xvs_mh_unavailable(const struct xvs_sched_dest *d)
{
	return xvs_atomic_read(&d->weight) <= 0 ||
	       (xvs_read_once(d->flags) & XVS_DEST_F_OVERLOAD);
}

static struct xvs_sched_dest *xvs_mh_schedule(void *state,
					      const struct xvs_dest_set *set,
					      const struct xvs_sched_input *in)
{
	struct xvs_mh_state *mh = state;
	struct xvs_sched_dest *d;
	unsigned int first, offset;
	u16 port = 0;
	u32 fold;

	if (!set || !set->count || !in || !in->saddr)
		return NULL;
	fold = xvs_sched_addr_fold(in->af, in->saddr);
	if (in->svc_flags & XVS_MH_PORT)
		port = xvs_sched_client_port(in);

	first = xvs_mh_hash(fold, port, 0, &mh->key1) % XVS_MH_TAB_SIZE;
	d = xvs_read_once(mh->slot[first]);
	if (!d)
		return NULL;
	if (!xvs_mh_unavailable(d))
		return d;
	if (!(in->svc_flags & XVS_MH_FALLBACK))
		return NULL;

	for (offset = 0; offset < XVS_MH_TAB_SIZE; offset++) {
		u32 roffset = (offset + first) % XVS_MH_TAB_SIZE;
		unsigned int s = xvs_mh_hash(fold, port, roffset, &mh->key1) %
				 XVS_MH_TAB_SIZE;

		d = xvs_read_once(mh->slot[s]);
		if (!d)
			return NULL;
		if (!xvs_mh_unavailable(d))
			return d;
	}
	return NULL;
}

struct xvs_sched_dest *xvs_sched_mh_slot(const void *state, unsigned int i)
{
	const struct xvs_mh_state *mh = state;

	return i < XVS_MH_TAB_SIZE ? xvs_read_once(mh->slot[i]) : NULL;
}

const struct xvs_sched_ops xvs_sched_mh = {
	.name		= "mh",
	.state_size	= sizeof(struct xvs_mh_state),
	.serialized	= false,
	.init		= xvs_mh_init,
	.dests_changed	= xvs_mh_dests_changed,
	.schedule	= xvs_mh_schedule,
};
