// SPDX-License-Identifier: GPL-2.0
// SipHash-2-4 of the host shim against the published test vectors, and the
// connection key hash (SipHash-1-3, as hsiphash()).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

extern "C" {
#include "xvs_hash.h"
}

namespace {

// Key 00 01 .. 0f as the two little-endian words the kernel API takes.
const siphash_key_t kVectorKey = {{0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL}};

// SipHash-2-4 outputs for the messages 00, 00 01, .. 00 01 .. 3e (lengths
// 0 to 63) under kVectorKey, from the reference implementation's vectors.
const uint64_t kVectors[64] = {
	0x726fdb47dd0e0e31ULL, 0x74f839c593dc67fdULL, 0x0d6c8009d9a94f5aULL,
	0x85676696d7fb7e2dULL, 0xcf2794e0277187b7ULL, 0x18765564cd99a68dULL,
	0xcbc9466e58fee3ceULL, 0xab0200f58b01d137ULL, 0x93f5f5799a932462ULL,
	0x9e0082df0ba9e4b0ULL, 0x7a5dbbc594ddb9f3ULL, 0xf4b32f46226bada7ULL,
	0x751e8fbc860ee5fbULL, 0x14ea5627c0843d90ULL, 0xf723ca908e7af2eeULL,
	0xa129ca6149be45e5ULL, 0x3f2acc7f57c29bdbULL, 0x699ae9f52cbe4794ULL,
	0x4bc1b3f0968dd39cULL, 0xbb6dc91da77961bdULL, 0xbed65cf21aa2ee98ULL,
	0xd0f2cbb02e3b67c7ULL, 0x93536795e3a33e88ULL, 0xa80c038ccd5ccec8ULL,
	0xb8ad50c6f649af94ULL, 0xbce192de8a85b8eaULL, 0x17d835b85bbb15f3ULL,
	0x2f2e6163076bcfadULL, 0xde4daaaca71dc9a5ULL, 0xa6a2506687956571ULL,
	0xad87a3535c49ef28ULL, 0x32d892fad841c342ULL, 0x7127512f72f27cceULL,
	0xa7f32346f95978e3ULL, 0x12e0b01abb051238ULL, 0x15e034d40fa197aeULL,
	0x314dffbe0815a3b4ULL, 0x027990f029623981ULL, 0xcadcd4e59ef40c4dULL,
	0x9abfd8766a33735cULL, 0x0e3ea96b5304a7d0ULL, 0xad0c42d6fc585992ULL,
	0x187306c89bc215a9ULL, 0xd4a60abcf3792b95ULL, 0xf935451de4f21df2ULL,
	0xa9538f0419755787ULL, 0xdb9acddff56ca510ULL, 0xd06c98cd5c0975ebULL,
	0xe612a3cb9ecba951ULL, 0xc766e62cfcadaf96ULL, 0xee64435a9752fe72ULL,
	0xa192d576b245165aULL, 0x0a8787bf8ecb74b2ULL, 0x81b3e73d20b49b6fULL,
	0x7fa8220ba3b2eceaULL, 0x245731c13ca42499ULL, 0xb78dbfaf3a8d83bdULL,
	0xea1ad565322a1a0bULL, 0x60e61c23a3795013ULL, 0x6606d7e446282b93ULL,
	0x6ca4ecb15c5f91e1ULL, 0x9f626da15c9625f3ULL, 0xe51b38608ef25f57ULL,
	0x958a324ceb064572ULL,
};

std::array<uint8_t, 64> counting_bytes()
{
	std::array<uint8_t, 64> m{};
	for (unsigned int i = 0; i < m.size(); i++)
		m[i] = static_cast<uint8_t>(i);
	return m;
}

// The example of the SipHash paper (appendix A): 15-byte message.
TEST(SipHash, PaperExample)
{
	auto m = counting_bytes();
	EXPECT_EQ(siphash(m.data(), 15, &kVectorKey), 0xa129ca6149be45e5ULL);
}

TEST(SipHash, ReferenceVectorsAllLengths)
{
	auto m = counting_bytes();
	for (unsigned int len = 0; len < 64; len++)
		EXPECT_EQ(siphash(m.data(), len, &kVectorKey), kVectors[len])
			<< "length " << len;
}

TEST(SipHash, UnalignedInput)
{
	alignas(8) uint8_t buf[80];
	for (unsigned int off = 1; off < 8; off++) {
		for (unsigned int i = 0; i < 64; i++)
			buf[off + i] = static_cast<uint8_t>(i);
		EXPECT_EQ(siphash(buf + off, 37, &kVectorKey), kVectors[37]);
	}
}

TEST(Gcd, Basics)
{
	EXPECT_EQ(gcd(12, 18), 6ul);
	EXPECT_EQ(gcd(7, 5), 1ul);
	EXPECT_EQ(gcd(0, 9), 9ul);
	EXPECT_EQ(gcd(9, 0), 9ul);
	EXPECT_EQ(gcd(100000, 30000), 10000ul);
}

constexpr uint16_t kAfInet = 2;
constexpr uint16_t kAfInet6 = 10;
constexpr uint8_t kTcp = 6;
constexpr uint8_t kUdp = 17;

const siphash_key_t kSecret = {{0x0123456789abcdefULL, 0xfedcba9876543210ULL}};

xvs_conn_key v4_key(uint32_t addr, uint16_t port, uint8_t proto = kTcp)
{
	uint32_t words[4] = {addr, 0, 0, 0};
	xvs_conn_key k;
	xvs_conn_key_init(&k, kAfInet, proto, words, port);
	return k;
}

TEST(ConnKey, LayoutHasNoPadding)
{
	EXPECT_EQ(sizeof(xvs_conn_key), 20u);
}

// The key's 20 bytes are hashed with SipHash-1-3, the low 32 bits kept:
// what hsiphash() of a 64-bit kernel gives (the shim's xvs_hsiphash(),
// checked against the kernel's own vectors in test_mh.cpp).  The counting
// message 00 .. 13 laid out in the struct, then keys of every family.
TEST(ConnKey, HashIsHsiphashOverTheKey)
{
	auto m = counting_bytes();
	xvs_conn_key k;
	static_assert(sizeof(k) == 20);
	std::memcpy(&k, m.data(), sizeof(k));
	const xvs_hsiphash_key hkey = {{{kVectorKey.key[0], kVectorKey.key[1]}}};
	EXPECT_EQ(xvs_conn_key_hash(&k, &kVectorKey),
		  xvs_hsiphash(&k, sizeof(k), &hkey));

	const xvs_hsiphash_key hsecret = {{{kSecret.key[0], kSecret.key[1]}}};
	uint32_t v6[4] = {0x000080fe, 0, 0x11111111, 0x22222222};
	xvs_conn_key_init(&k, kAfInet6, kTcp, v6, 443);
	EXPECT_EQ(xvs_conn_key_hash(&k, &kSecret),
		  xvs_hsiphash(&k, sizeof(k), &hsecret));
	k = v4_key(0x0a000001, 12345, kUdp);
	EXPECT_EQ(xvs_conn_key_hash(&k, &kSecret),
		  xvs_hsiphash(&k, sizeof(k), &hsecret));
}

TEST(ConnKey, InitClearsUnusedWordsForIpv4)
{
	uint32_t dirty[4] = {0x0100000a, 0xdeadbeef, 0xdeadbeef, 0xdeadbeef};
	xvs_conn_key a, b;
	std::memset(&a, 0xff, sizeof(a));
	xvs_conn_key_init(&a, kAfInet, kTcp, dirty, 0x5000);
	b = v4_key(0x0100000a, 0x5000);
	EXPECT_EQ(std::memcmp(&a, &b, sizeof(a)), 0);
	EXPECT_EQ(a.caddr[1], 0u);
	EXPECT_EQ(xvs_conn_key_hash(&a, &kSecret), xvs_conn_key_hash(&b, &kSecret));
}

TEST(ConnKey, Deterministic)
{
	xvs_conn_key k1 = v4_key(0x0a000001, 12345);
	xvs_conn_key k2 = v4_key(0x0a000001, 12345);
	EXPECT_EQ(xvs_conn_key_hash(&k1, &kSecret), xvs_conn_key_hash(&k2, &kSecret));
	EXPECT_EQ(xvs_conn_key_hash(&k1, &kSecret), xvs_conn_key_hash(&k1, &kSecret));
}

TEST(ConnKey, EveryFieldMatters)
{
	const xvs_conn_key base = v4_key(0x0a000001, 12345);
	const uint32_t h = xvs_conn_key_hash(&base, &kSecret);

	xvs_conn_key k = v4_key(0x0a000002, 12345);
	EXPECT_NE(xvs_conn_key_hash(&k, &kSecret), h);
	k = v4_key(0x0a000001, 12346);
	EXPECT_NE(xvs_conn_key_hash(&k, &kSecret), h);
	k = v4_key(0x0a000001, 12345, kUdp);
	EXPECT_NE(xvs_conn_key_hash(&k, &kSecret), h);

	// Same 16 address bytes, other family.
	uint32_t words[4] = {0x0a000001, 0, 0, 0};
	xvs_conn_key_init(&k, kAfInet6, kTcp, words, 12345);
	EXPECT_NE(xvs_conn_key_hash(&k, &kSecret), h);

	// Every single bit of an IPv6 address.
	uint32_t v6[4] = {0x000080fe, 0, 0x11111111, 0x22222222};
	xvs_conn_key_init(&k, kAfInet6, kTcp, v6, 443);
	const uint32_t h6 = xvs_conn_key_hash(&k, &kSecret);
	for (unsigned int bit = 0; bit < 128; bit++) {
		uint32_t flipped[4];
		std::memcpy(flipped, v6, sizeof(v6));
		flipped[bit / 32] ^= 1u << (bit % 32);
		xvs_conn_key f;
		xvs_conn_key_init(&f, kAfInet6, kTcp, flipped, 443);
		EXPECT_NE(xvs_conn_key_hash(&f, &kSecret), h6) << "bit " << bit;
	}

	// Another secret, another hash.
	const siphash_key_t other = {{kSecret.key[0] ^ 1, kSecret.key[1]}};
	EXPECT_NE(xvs_conn_key_hash(&base, &other), h);
}

// Many clients from one /16 and consecutive ports: the buckets of a
// 4096-entry table must fill evenly (chi-square well inside its spread).
TEST(ConnKey, SpreadsOverBuckets)
{
	constexpr unsigned int kBuckets = 4096;
	constexpr unsigned int kKeys = 64 * kBuckets;
	std::vector<unsigned int> load(kBuckets, 0);
	std::vector<uint32_t> hashes;
	hashes.reserve(kKeys);

	for (unsigned int i = 0; i < kKeys; i++) {
		// 1024 hosts 10.1.x.y, 256 ports each, both in network order.
		uint32_t host = i / 256;
		uint32_t addr = 0x0000010a | (host & 0xff) << 24 |
				(host >> 8) << 16;
		uint16_t port = static_cast<uint16_t>(
			__builtin_bswap16(static_cast<uint16_t>(40000 + i % 256)));
		xvs_conn_key k = v4_key(addr, port);
		uint32_t h = xvs_conn_key_hash(&k, &kSecret);
		load[h & (kBuckets - 1)]++;
		hashes.push_back(h);
	}

	const double expected = static_cast<double>(kKeys) / kBuckets;
	double chi2 = 0;
	for (unsigned int n : load)
		chi2 += (n - expected) * (n - expected) / expected;
	// kBuckets - 1 degrees of freedom: mean 4095, sd about 90.5.
	EXPECT_LT(chi2, 4095 + 6 * 90.5) << "chi-square " << chi2;
	EXPECT_GT(chi2, 4095 - 6 * 90.5) << "suspiciously even: " << chi2;
	EXPECT_LT(*std::max_element(load.begin(), load.end()), 2 * expected);
	EXPECT_GT(*std::min_element(load.begin(), load.end()), expected / 4);
	// 32-bit hashes of 262144 keys: expect about 8 collisions.
	std::sort(hashes.begin(), hashes.end());
	auto distinct = std::unique(hashes.begin(), hashes.end()) - hashes.begin();
	EXPECT_GT(distinct, kKeys - 64);
}

} // namespace
