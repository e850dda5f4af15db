/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only place the portable core touches its environment.  Inside the
 * module it maps onto kernel headers; on the host (unit tests, benchmarks)
 * it maps onto libc and compiler builtins.  Core files include this header
 * and nothing else from outside kmod/core/.
 */
#ifndef XVS_SHIM_H
#define XVS_SHIM_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/compiler.h>
#include <linux/siphash.h>
#include <linux/string.h>
#include <linux/kernel.h>
#include <linux/gcd.h>

#include <linux/hash.h>
#include <linux/jiffies.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <asm/byteorder.h>

#define xvs_read_once(x)	READ_ONCE(x)
#define xvs_write_once(x, v)	WRITE_ONCE(x, v)
#define xvs_atomic_read(a)	atomic_read(a)
#define xvs_always_inline	__always_inline

#define xvs_ntohl(x)		be32_to_cpu((__force __be32)(x))
#define xvs_ntohs(x)		be16_to_cpu(x)

/* Multiplicative hash of <linux/hash.h>, as IPVS's hashing schedulers use. */
#define xvs_hash_32(val, bits)	hash_32(val, bits)

/* hsiphash() of <linux/siphash.h> (SipHash-1-3 on 64-bit kernels). */
struct xvs_hsiphash_key {
	hsiphash_key_t k;
};

static inline u32 xvs_hsiphash(const void *data, size_t len,
			       const struct xvs_hsiphash_key *key)
{
	return hsiphash(data, len, &key->k);
}

/* The scheduler clock: jiffies, XVS_HZ per second. */
#define XVS_HZ			HZ
#define xvs_jiffies()		jiffies
#define xvs_time_before(a, b)	time_before(a, b)
#define xvs_time_after(a, b)	time_after(a, b)

/* Uniform in [0, ceil), ceil > 0; not for secrets. */
#define xvs_random_u32_below(ceil)	get_random_u32_below(ceil)

/*
 * Memory for scheduler state.  @may_sleep false (GFP_ATOMIC) wherever the
 * caller may be in softirq context or under a spinlock: ->schedule(), ->gc()
 * and the callbacks of a ->serialized scheduler.
 */
static inline void *xvs_zalloc(size_t size, bool may_sleep)
{
	return kzalloc(size, may_sleep ? GFP_KERNEL : GFP_ATOMIC);
}

static inline void xvs_free(const void *p)
{
	kfree(p);
}

#else /* host */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;
typedef uint16_t __be16;
typedef uint32_t __be32;

typedef struct {
	int counter;
} atomic_t;

static inline int xvs_host_atomic_read(const atomic_t *a)
{
	return __atomic_load_n(&a->counter, __ATOMIC_RELAXED);
}

static inline void atomic_set(atomic_t *a, int v)
{
	__atomic_store_n(&a->counter, v, __ATOMIC_RELAXED);
}

static inline void atomic_inc(atomic_t *a)
{
	__atomic_add_fetch(&a->counter, 1, __ATOMIC_RELAXED);
}

static inline void atomic_dec(atomic_t *a)
{
	__atomic_sub_fetch(&a->counter, 1, __ATOMIC_RELAXED);
}

#define xvs_read_once(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define xvs_write_once(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define xvs_atomic_read(a)	xvs_host_atomic_read(a)

#define xvs_always_inline	inline __attribute__((__always_inline__))

#ifndef likely
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#endif

/* SipHash-2-4 with a 128-bit key: the same contract as <linux/siphash.h>. */
typedef struct {
	u64 key[2];
} siphash_key_t;

u64 siphash(const void *data, size_t len, const siphash_key_t *key);

unsigned long gcd(unsigned long a, unsigned long b);

#define xvs_ntohl(x)		__builtin_bswap32(x)
#define xvs_ntohs(x)		__builtin_bswap16(x)
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "host build assumes a little-endian host"
#endif

static inline u32 xvs_hash_32(u32 val, unsigned int bits)
{
	return (val * 0x61C88647u) >> (32 - bits);
}

/*
 * hsiphash() as a 64-bit kernel computes it: SipHash-1-3 with a key of two
 * 64-bit words, truncated to 32 bits.
 */
struct xvs_hsiphash_key {
	struct {
		u64 key[2];
	} k;
};

u32 xvs_hsiphash(const void *data, size_t len,
		 const struct xvs_hsiphash_key *key);

/* Test clock: host code sets xvs_host_jiffies. */
#define XVS_HZ			250
extern unsigned long xvs_host_jiffies;
#define xvs_jiffies()		xvs_read_once(xvs_host_jiffies)
#define xvs_time_before(a, b)	((long)((a) - (b)) < 0)
#define xvs_time_after(a, b)	xvs_time_before(b, a)

/* Test randomness: xvs_host_random_below, when set, replaces the default. */
extern u32 (*xvs_host_random_below)(u32 ceil);
u32 xvs_random_u32_below(u32 ceil);

/* calloc/free, counted so tests can check that state is released. */
extern long xvs_host_live_allocs;
void *xvs_zalloc(size_t size, bool may_sleep);
void xvs_free(const void *p);

#endif /* __KERNEL__ */

#endif /* XVS_SHIM_H */
