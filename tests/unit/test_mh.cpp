// SPDX-License-Identifier: GPL-2.0
// Maglev hashing (mh).  IPVS 6.1 keys hsiphash() with two constants, so its
// tables are reproducible.  Anchors computed independently of the code
// under test (a separate SipHash-1-3, checked against the kernel's
// hsiphash self-test vectors), for the harness identities 10.0.0.<name>:80:
// with IPVS's table size for CONFIG_IP_VS_MH_TAB_INDEX=12 (Debian's): 4093
//   A: offset 3450, skip 2791    B: offset 4008, skip 708
//   C: offset 1684, skip 1861
// and client slots (address + port hashed with the first key, mod 4093):
//   192.168.0.1 -> 1278   192.168.0.2 -> 1806   10.1.2.3 -> 1263
//   10.1.2.3 port 1000 -> 3425
// Slot shares follow from the population rounds: each destination claims
// its weight / gcd (scaled below 64, at least 1) slots per round.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "sched_harness.h"

using xvs_test::Service;

namespace {

constexpr unsigned int kSize = XVS_SCHED_MH_TAB_SIZE;

std::map<char, unsigned int> shares(Service &svc)
{
	std::map<char, unsigned int> n;
	for (unsigned int i = 0; i < kSize; i++)
		n[svc.name_of(xvs_sched_mh_slot(svc.state(), i))]++;
	return n;
}

std::string slots(Service &svc)
{
	std::string s(kSize, '-');
	for (unsigned int i = 0; i < kSize; i++)
		s[i] = svc.name_of(xvs_sched_mh_slot(svc.state(), i));
	return s;
}

char mh_pick(Service &svc, const char *saddr, u16 sport = 0)
{
	svc.from(saddr, sport);
	return svc.pick();
}

TEST(XvsHsiphash, KernelSelfTestVectors)
{
	// lib/test_siphash.c, 64-bit: key 00..0f, message 00 01 .. (len - 1)
	const xvs_hsiphash_key key = {{{0x0706050403020100ULL,
				       0x0f0e0d0c0b0a0908ULL}}};
	const struct {
		size_t len;
		u32 expect;
	} vec[] = {{0, 0x050fc4dcU}, {1, 0x7d57ca93U}, {4, 0x88d38328U},
		   {7, 0x9bb11140U}, {8, 0x8d299a8eU}, {15, 0x2a519956U},
		   {63, 0xb7bbb3a8U}};
	unsigned char msg[64];
	for (unsigned int i = 0; i < sizeof(msg); i++)
		msg[i] = static_cast<unsigned char>(i);
	for (const auto &v : vec)
		EXPECT_EQ(xvs_hsiphash(msg, v.len, &key), v.expect) << v.len;
}

TEST(SchedMh, TableSizeAndFirstClaims)
{
	EXPECT_EQ(kSize, 4093u);
	EXPECT_GE(xvs_sched_mh.state_size, kSize * sizeof(void *));
	EXPECT_EQ(xvs_sched_mh_slot(nullptr, kSize), nullptr);

	Service svc(xvs_sched_mh, {{'A', 1}, {'B', 1}, {'C', 1}});
	// Round 1: each takes its offset.
	EXPECT_EQ(svc.name_of(xvs_sched_mh_slot(svc.state(), 3450)), 'A');
	EXPECT_EQ(svc.name_of(xvs_sched_mh_slot(svc.state(), 4008)), 'B');
	EXPECT_EQ(svc.name_of(xvs_sched_mh_slot(svc.state(), 1684)), 'C');
	// Round 2: offset + skip (mod 4093), all still free.
	EXPECT_EQ(svc.name_of(xvs_sched_mh_slot(svc.state(), 2148)), 'A');
	EXPECT_EQ(svc.name_of(xvs_sched_mh_slot(svc.state(), 623)), 'B');
	EXPECT_EQ(svc.name_of(xvs_sched_mh_slot(svc.state(), 3545)), 'C');
	// 4093 = 3 * 1364 + 1: the first in the list gets the odd one.
	auto n = shares(svc);
	EXPECT_EQ(n['A'], 1365u);
	EXPECT_EQ(n['B'], 1364u);
	EXPECT_EQ(n['C'], 1364u);
	EXPECT_EQ(n['-'], 0u);
}

TEST(SchedMh, ClientGoesToItsSlot)
{
	Service svc(xvs_sched_mh, {{'A', 1}, {'B', 1}, {'C', 1}});
	auto owner = [&](unsigned int slot) {
		return svc.name_of(xvs_sched_mh_slot(svc.state(), slot));
	};
	EXPECT_EQ(mh_pick(svc, "192.168.0.1"), owner(1278));
	EXPECT_EQ(mh_pick(svc, "192.168.0.2"), owner(1806));
	EXPECT_EQ(mh_pick(svc, "10.1.2.3", 1000), owner(1263));	// no mh-port
	svc.input().svc_flags = XVS_SVC_F_SCHED2;	// mh-port
	EXPECT_EQ(mh_pick(svc, "10.1.2.3", 1000), owner(3425));
	EXPECT_EQ(mh_pick(svc, "10.1.2.3", 0), owner(1263));
	svc.input().protocol = 1;	// ICMP: no port
	EXPECT_EQ(mh_pick(svc, "10.1.2.3", 1000), owner(1263));
}

TEST(SchedMh, SharesFollowWeights)
{
	{
		// 3 per round, A first: 1364 rounds and one more for A.
		Service svc(xvs_sched_mh, {{'A', 1}, {'B', 2}});
		auto n = shares(svc);
		EXPECT_EQ(n['A'], 1365u);
		EXPECT_EQ(n['B'], 2728u);
	}
	{
		// gcd 100: the same turns as 1 : 2.
		Service svc(xvs_sched_mh, {{'A', 100}, {'B', 200}});
		auto n = shares(svc);
		EXPECT_EQ(n['A'], 1365u);
		EXPECT_EQ(n['B'], 2728u);
	}
	{
		// 1000 / 1 needs 10 bits: shifted by 4, B takes 62 per round
		// and A (1 >> 4 = 0) still 1: 63 per round, 64 rounds, then
		// A one more and B the last 60.
		Service svc(xvs_sched_mh, {{'A', 1}, {'B', 1000}});
		auto n = shares(svc);
		EXPECT_EQ(n['A'], 65u);
		EXPECT_EQ(n['B'], 4028u);
	}
}

TEST(SchedMh, AddedWithWeightZeroGetsNoSlot)
{
	Service svc(xvs_sched_mh, {{'A', 1}, {'B', 0}, {'C', 1}});
	auto n = shares(svc);
	EXPECT_EQ(n['A'], 2047u);
	EXPECT_EQ(n['B'], 0u);
	EXPECT_EQ(n['C'], 2046u);
	Service none(xvs_sched_mh, {{'A', 0}});
	EXPECT_EQ(shares(none)['-'], kSize);
	EXPECT_EQ(mh_pick(none, "192.168.0.1"), '-');
}

// Weight 0 on an existing destination keeps its last weight: the table
// does not move, but the destination is no longer picked.
TEST(SchedMh, QuiescedKeepsSlotsFallbackMovesOn)
{
	Service svc(xvs_sched_mh, {{'A', 1}, {'B', 1}, {'C', 1}});
	const std::string before = slots(svc);
	svc.from("192.168.0.1");
	const char home = svc.pick();
	ASSERT_NE(home, '-');

	svc.set_weight(home, 0);
	EXPECT_EQ(slots(svc), before);
	EXPECT_EQ(svc.pick(), '-');

	svc.input().svc_flags = XVS_SVC_F_SCHED1;	// mh-fallback
	const char other = svc.pick();
	EXPECT_NE(other, '-');
	EXPECT_NE(other, home);
	EXPECT_EQ(svc.pick(), other);	// deterministic

	svc.set_weight(home, 1);
	EXPECT_EQ(svc.pick(), home);
	svc.overload(home, true);
	EXPECT_EQ(svc.pick(), other);
	svc.overload_all(true);
	EXPECT_EQ(svc.pick(), '-');
}

// Without last_weight maintained (0) mh uses the current weight.
TEST(SchedMh, LastWeightZeroMeansCurrentWeight)
{
	Service svc(xvs_sched_mh, {{'A', 1}, {'B', 2}});
	atomic_set(&svc.dest('A').last_weight, 0);
	atomic_set(&svc.dest('B').last_weight, 0);
	svc.add('C', 0);	// C A B: C claims nothing, A 1, B 2 per round
	auto n = shares(svc);
	EXPECT_EQ(n['A'], 1365u);
	EXPECT_EQ(n['B'], 2728u);
	EXPECT_EQ(n['C'], 0u);
}

TEST(SchedMh, MinimalDisruption)
{
	Service svc(xvs_sched_mh,
		    {{'A', 1}, {'B', 1}, {'C', 1}, {'D', 1}, {'E', 1}});
	const std::string before = slots(svc);
	svc.remove('C');
	const std::string after = slots(svc);
	unsigned int kept = 0, others = 0;
	for (unsigned int i = 0; i < kSize; i++) {
		if (before[i] == 'C') {
			EXPECT_NE(after[i], 'C');
			continue;
		}
		others++;
		kept += before[i] == after[i];
	}
	// Slots of the remaining four overwhelmingly stay put (Maglev's
	// minimal disruption; well under 1% move).
	EXPECT_GT(kept, others - others / 100);

	// Adding it back restores most of the table.
	svc.add('C', 1);
	const std::string again = slots(svc);
	unsigned int same = 0;
	for (unsigned int i = 0; i < kSize; i++)
		same += again[i] == before[i];
	EXPECT_GT(same, kSize - kSize / 100);
}

TEST(SchedMh, Ipv6AndEmpty)
{
	Service svc(xvs_sched_mh, {{'A', 1}, {'B', 1}}, XVS_AF_INET6);
	svc.set_ident('A', "2001:db8::a", 80);
	svc.set_ident('B', "2001:db8::b", 80);
	svc.set_weight('A', 1);	// rebuild with the new identities
	svc.from("2001:db8:1::1", 0);
	const char d = svc.pick();
	EXPECT_NE(d, '-');
	EXPECT_EQ(svc.pick(), d);
	svc.remove('A');
	svc.remove('B');
	EXPECT_EQ(svc.pick(), '-');
	EXPECT_EQ(shares(svc)['-'], kSize);
	EXPECT_EQ(svc.schedule(nullptr), nullptr);
}

} // namespace
