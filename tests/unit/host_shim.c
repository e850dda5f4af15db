// SPDX-License-Identifier: GPL-2.0
/*
 * Host side of kmod/core/xvs_shim.h: the two kernel library functions the
 * core calls, written from their public specifications.
 *
 * siphash(): SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast
 * short-input PRF", 2012) with a 128-bit key given as two 64-bit words,
 * the message read as little-endian 64-bit words, exactly as the kernel's
 * siphash() does, so host and module hash alike.
 *
 * xvs_hsiphash(): what hsiphash() is on a 64-bit kernel, SipHash-1-3 (one
 * compression round per word, three finalisation rounds) with the same
 * key layout, truncated to its low 32 bits.
 *
 * Besides, the test hooks of the shim: clock, randomness, allocation.
 */
#include <stdlib.h>

#include "xvs_shim.h"

static inline u64 rotl64(u64 x, unsigned int b)
{
	return (x << b) | (x >> (64 - b));
}

/* Little-endian load of up to 8 bytes, independent of host byte order. */
static inline u64 load_le(const u8 *p, size_t n)
{
	u64 v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v |= (u64)p[i] << (8 * i);
	return v;
}

struct sip_state {
	u64 v0, v1, v2, v3;
};

static inline void sip_round(struct sip_state *s)
{
	s->v0 += s->v1;
	s->v1 = rotl64(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = rotl64(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = rotl64(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = rotl64(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = rotl64(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = rotl64(s->v2, 32);
}

/*
 * SipHash-c-d: @crounds compression rounds per message word, @drounds
 * finalisation rounds.
 */
static u64 sip_hash(const void *data, size_t len, u64 k0, u64 k1,
		    int crounds, int drounds)
{
	const u8 *p = data;
	size_t full = len & ~(size_t)7;
	struct sip_state s;
	size_t off;
	u64 last;
	int r;

	/* Initialisation constants of the spec: "somepseudorandomlygeneratedbytes" */
	s.v0 = k0 ^ 0x736f6d6570736575ULL;
	s.v1 = k1 ^ 0x646f72616e646f6dULL;
	s.v2 = k0 ^ 0x6c7967656e657261ULL;
	s.v3 = k1 ^ 0x7465646279746573ULL;

	/* Final word: the remaining 0..7 bytes, length mod 256 on top. */
	last = load_le(p + full, len - full) | ((u64)(len & 0xff) << 56);
	for (off = 0; off <= full; off += 8) {
		u64 m = off < full ? load_le(p + off, 8) : last;

		s.v3 ^= m;
		for (r = 0; r < crounds; r++)
			sip_round(&s);
		s.v0 ^= m;
	}

	s.v2 ^= 0xff;
	for (r = 0; r < drounds; r++)
		sip_round(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

u64 siphash(const void *data, size_t len, const siphash_key_t *key)
{
	return sip_hash(data, len, key->key[0], key->key[1], 2, 4);
}

u32 xvs_hsiphash(const void *data, size_t len,
		 const struct xvs_hsiphash_key *key)
{
	return (u32)sip_hash(data, len, key->k.key[0], key->k.key[1], 1, 3);
}

unsigned long xvs_host_jiffies;

u32 (*xvs_host_random_below)(u32 ceil);

/* Default randomness: a xorshift generator, never used where it matters. */
u32 xvs_random_u32_below(u32 ceil)
{
	static u32 x = 2463534242u;

	if (xvs_host_random_below)
		return xvs_host_random_below(ceil);
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return ceil ? (u32)(((u64)x * ceil) >> 32) : 0;
}

long xvs_host_live_allocs;

void *xvs_zalloc(size_t size, bool may_sleep)
{
	void *p = calloc(1, size ? size : 1);

	if (p)
		__atomic_add_fetch(&xvs_host_live_allocs, 1, __ATOMIC_RELAXED);
	return p;
}

void xvs_free(const void *p)
{
	if (!p)
		return;
	__atomic_sub_fetch(&xvs_host_live_allocs, 1, __ATOMIC_RELAXED);
	free((void *)p);
}

unsigned long gcd(unsigned long a, unsigned long b)
{
	while (b) {
		unsigned long r = a % b;

		a = b;
		b = r;
	}
	return a;
}
