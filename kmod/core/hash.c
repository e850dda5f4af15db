// SPDX-License-Identifier: GPL-2.0
/*
 * Connection key hashing.  SipHash with a per-netns random key keeps remote
 * clients from steering their connections into a few buckets.
 */
#include "xvs_shim.h"
#include "xvs_hash.h"

/*
 * The whole struct is hashed, so it must have no padding: its bytes are
 * all set by xvs_conn_key_init().  20 bytes cost SipHash two compression
 * rounds plus the final one.
 */
_Static_assert(sizeof(struct xvs_conn_key) == 20,
	       "struct xvs_conn_key must have no padding");

u32 xvs_conn_key_hash(const struct xvs_conn_key *k, const siphash_key_t *secret)
{
	return (u32)siphash(k, sizeof(*k), secret);
}
