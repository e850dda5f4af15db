/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Connection hashing of the portable core.  A connection is found from
 * either direction by its client end: requests carry it as source, NAT
 * replies as destination.  So one key, (af, protocol, client address,
 * client port), hashed with a secret key, serves both lookups; the full
 * tuple is compared afterwards.
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

/*
 * The whole struct is hashed, so it must have no padding: its bytes are
 * all set by xvs_conn_key_init().
 */
#ifdef __cplusplus
static_assert(sizeof(struct xvs_conn_key) == 20,
	      "struct xvs_conn_key must have no padding");
#else
_Static_assert(sizeof(struct xvs_conn_key) == 20,
	       "struct xvs_conn_key must have no padding");
#endif

static xvs_always_inline void xvs_conn_key_init(struct xvs_conn_key *k,
						 u16 af, u8 protocol,
						 const u32 *caddr,
						 __be16 cport)
{
	k->caddr[0] = caddr[0];
	if (af == 2 /* AF_INET */) {
		k->caddr[1] = 0;
		k->caddr[2] = 0;
		k->caddr[3] = 0;
	} else {
		k->caddr[1] = caddr[1];
		k->caddr[2] = caddr[2];
		k->caddr[3] = caddr[3];
	}
	k->cport = cport;
	k->protocol = protocol;
	k->af = (u8)af;
}

static xvs_always_inline u64 xvs_rol64(u64 x, unsigned int b)
{
	return (x << b) | (x >> (64 - b));
}

struct xvs_sip_state {
	u64 v0, v1, v2, v3;
};

static xvs_always_inline void xvs_sip_round(struct xvs_sip_state *s)
{
	s->v0 += s->v1;
	s->v1 = xvs_rol64(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = xvs_rol64(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = xvs_rol64(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = xvs_rol64(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = xvs_rol64(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = xvs_rol64(s->v2, 32);
}

/* One message word, one compression round (SipHash-1-x). */
static xvs_always_inline void xvs_sip_word(struct xvs_sip_state *s, u64 m)
{
	s->v3 ^= m;
	xvs_sip_round(s);
	s->v0 ^= m;
}

/*
 * The key's hash: SipHash-1-3 of its 20 bytes with the 128-bit @secret,
 * low 32 bits; on a little-endian 64-bit machine that is exactly
 * hsiphash(k, 20, secret), the kernel's hash for hashtables.  It is
 * written out for the fixed length so that it inlines into the lookup:
 * three message words, six rounds, no loop and no call, where siphash()
 * took ten rounds out of line.  The words are read as the struct's fields,
 * so the hash is the same on every machine of one byte order.
 */
static xvs_always_inline u32
xvs_conn_key_hash(const struct xvs_conn_key *k, const siphash_key_t *secret)
{
	struct xvs_sip_state s = {
		.v0 = secret->key[0] ^ 0x736f6d6570736575ULL,
		.v1 = secret->key[1] ^ 0x646f72616e646f6dULL,
		.v2 = secret->key[0] ^ 0x6c7967656e657261ULL,
		.v3 = secret->key[1] ^ 0x7465646279746573ULL,
	};

	xvs_sip_word(&s, (u64)k->caddr[0] | (u64)k->caddr[1] << 32);
	xvs_sip_word(&s, (u64)k->caddr[2] | (u64)k->caddr[3] << 32);
	/* the last four bytes, the length (20) in the top byte */
	xvs_sip_word(&s, (u64)(u16)k->cport | (u64)k->protocol << 16 |
			 (u64)k->af << 24 | 20ULL << 56);
	s.v2 ^= 0xff;
	xvs_sip_round(&s);
	xvs_sip_round(&s);
	xvs_sip_round(&s);
	return (u32)(s.v0 ^ s.v1 ^ s.v2 ^ s.v3);
}

#endif /* XVS_HASH_H */
