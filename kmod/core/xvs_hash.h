/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Connection hashing of the portable core.  A connection is found from
 * either direction by its client end: requests carry it as source, NAT
 * replies as destination.  So one key, (af, protocol, client address,
 * client port), hashed with a per-netns secret SipHash key, serves both
 * lookups; the full tuple is compared afterwards.
 */
#ifndef XVS_HASH_H
#define XVS_HASH_H

#include "xvs_shim.h"

struct xvs_conn_key {
	u32 caddr[4];		/* network order; IPv4 in [0], rest zero */
	__be16 cport;
	u8 protocol;
	u8 af;
};

static inline void xvs_conn_key_init(struct xvs_conn_key *k, u16 af,
				     u8 protocol, const u32 *caddr,
				     __be16 cport)
{
	memset(k, 0, sizeof(*k));
	k->af = (u8)af;
	k->protocol = protocol;
	k->cport = cport;
	memcpy(k->caddr, caddr, af == 2 /* AF_INET */ ? 4 : 16);
}

u32 xvs_conn_key_hash(const struct xvs_conn_key *k, const siphash_key_t *secret);

#endif /* XVS_HASH_H */
