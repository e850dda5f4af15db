// SPDX-License-Identifier: GPL-2.0
// dh and sh.  IPVS hashes the folded address (plus, for sh-port, the port)
// with hash_32(v, 8) = (v * 0x61C88647 mod 2^32) >> 24.  The buckets used
// below were computed from that formula alone:
//   192.168.0.1 -> 192    192.168.0.2 -> 34    192.168.0.3 -> 131
//   10.1.2.3    -> 2      172.16.5.9  -> 115
//   2001:db8::1 -> 63     2001:db8::2 -> 160   (XOR of the four words)
//   10.1.2.3 + port 1000 -> 249, 1001 -> 91, 1002 -> 189, 1003 -> 31
// dh deals bucket b to destination b mod n of the list; sh deals weight w
// consecutive buckets to each destination (one for weight <= 0), round and
// round, so bucket b goes to pattern[b mod sum].
#include <gtest/gtest.h>

#include "sched_harness.h"

using xvs_test::Service;

namespace {

char dh_pick(Service &svc, const char *daddr)
{
	svc.to(daddr, 80);
	return svc.pick();
}

TEST(SchedDh, BucketModuloListLength)
{
	Service svc(xvs_sched_dh, {{'A', 1}, {'B', 1}, {'C', 1}});
	svc.from("10.9.9.9", 4000);	// the source plays no part
	EXPECT_EQ(dh_pick(svc, "192.168.0.1"), 'A');	// 192 % 3 = 0
	EXPECT_EQ(dh_pick(svc, "192.168.0.2"), 'B');	// 34 % 3 = 1
	EXPECT_EQ(dh_pick(svc, "192.168.0.3"), 'C');	// 131 % 3 = 2
	EXPECT_EQ(dh_pick(svc, "10.1.2.3"), 'C');	// 2
	EXPECT_EQ(dh_pick(svc, "172.16.5.9"), 'B');	// 115 % 3 = 1
	svc.from("10.8.8.8", 5000);
	EXPECT_EQ(dh_pick(svc, "192.168.0.1"), 'A');
}

TEST(SchedDh, WeightsDoNotMatterButZeroBlocks)
{
	Service svc(xvs_sched_dh, {{'A', 1}, {'B', 50}, {'C', 1}});
	EXPECT_EQ(dh_pick(svc, "192.168.0.1"), 'A');
	EXPECT_EQ(dh_pick(svc, "192.168.0.2"), 'B');
	// No fallback: the bucket's destination or nothing.
	svc.set_weight('B', 0);
	EXPECT_EQ(dh_pick(svc, "192.168.0.2"), '-');
	EXPECT_EQ(dh_pick(svc, "192.168.0.1"), 'A');
	svc.overload('C', true);
	EXPECT_EQ(dh_pick(svc, "192.168.0.3"), '-');
}

TEST(SchedDh, RedealtOnAddAndRemove)
{
	Service svc(xvs_sched_dh, {{'A', 1}, {'B', 1}, {'C', 1}});
	svc.add('D', 1);	// D A B C
	EXPECT_EQ(dh_pick(svc, "192.168.0.1"), 'D');	// 192 % 4 = 0
	EXPECT_EQ(dh_pick(svc, "192.168.0.2"), 'B');	// 34 % 4 = 2
	EXPECT_EQ(dh_pick(svc, "192.168.0.3"), 'C');	// 131 % 4 = 3
	EXPECT_EQ(dh_pick(svc, "10.1.2.3"), 'B');	// 2
	svc.remove('D');
	svc.remove('B');	// A C
	EXPECT_EQ(dh_pick(svc, "192.168.0.1"), 'A');	// 192 % 2 = 0
	EXPECT_EQ(dh_pick(svc, "192.168.0.2"), 'A');	// 34 % 2 = 0
	EXPECT_EQ(dh_pick(svc, "192.168.0.3"), 'C');	// 131 % 2 = 1
	svc.remove('A');
	svc.remove('C');
	EXPECT_EQ(dh_pick(svc, "192.168.0.3"), '-');
}

TEST(SchedDh, Ipv6FoldsFourWords)
{
	Service svc(xvs_sched_dh, {{'A', 1}, {'B', 1}, {'C', 1}}, XVS_AF_INET6);
	svc.from("2001:db8::99", 1);
	EXPECT_EQ(dh_pick(svc, "2001:db8::1"), 'A');	// 63 % 3 = 0
	EXPECT_EQ(dh_pick(svc, "2001:db8::2"), 'B');	// 160 % 3 = 1
}

char sh_pick(Service &svc, const char *saddr, u16 sport = 0)
{
	svc.from(saddr, sport);
	return svc.pick();
}

// [A 1, B 2, C 1]: buckets follow A B B C.
TEST(SchedSh, WeightedDeal)
{
	Service svc(xvs_sched_sh, {{'A', 1}, {'B', 2}, {'C', 1}});
	svc.to("10.0.0.100", 80);
	EXPECT_EQ(sh_pick(svc, "192.168.0.1"), 'A');	// 192 % 4 = 0
	EXPECT_EQ(sh_pick(svc, "192.168.0.2"), 'B');	// 34 % 4 = 2
	EXPECT_EQ(sh_pick(svc, "10.1.2.3"), 'B');	// 2
	// Without sh-port the port is not hashed.
	EXPECT_EQ(sh_pick(svc, "10.1.2.3", 1001), 'B');
	EXPECT_EQ(sh_pick(svc, "10.1.2.3", 1003), 'B');
}

// An update redeals: [A 1, B 2, C 3] follows A B B C C C.
TEST(SchedSh, RedealtOnWeightChange)
{
	Service svc(xvs_sched_sh, {{'A', 1}, {'B', 2}, {'C', 1}});
	svc.set_weight('C', 3);
	EXPECT_EQ(sh_pick(svc, "192.168.0.1"), 'A');	// 192 % 6 = 0
	EXPECT_EQ(sh_pick(svc, "192.168.0.2"), 'C');	// 34 % 6 = 4
	EXPECT_EQ(sh_pick(svc, "10.1.2.3"), 'B');	// 2
	// A weight beyond the table takes every bucket.
	svc.set_weight('A', 300);
	EXPECT_EQ(sh_pick(svc, "192.168.0.2"), 'A');
	EXPECT_EQ(sh_pick(svc, "10.1.2.3"), 'A');
}

TEST(SchedSh, PortFlag)
{
	Service svc(xvs_sched_sh, {{'A', 1}, {'B', 2}, {'C', 1}});
	svc.input().svc_flags = XVS_SVC_F_SCHED2;	// sh-port
	EXPECT_EQ(sh_pick(svc, "10.1.2.3", 1000), 'B');	// 249 % 4 = 1
	EXPECT_EQ(sh_pick(svc, "10.1.2.3", 1001), 'C');	// 91 % 4 = 3
	EXPECT_EQ(sh_pick(svc, "10.1.2.3", 1002), 'B');	// 189 % 4 = 1
	EXPECT_EQ(sh_pick(svc, "10.1.2.3", 1003), 'C');	// 31 % 4 = 3
	EXPECT_EQ(sh_pick(svc, "10.1.2.3", 0), 'B');	// 2
	// Protocols without ports hash port 0.
	svc.input().protocol = 1;	// ICMP
	EXPECT_EQ(sh_pick(svc, "10.1.2.3", 1001), 'B');
	svc.input().protocol = 132;	// SCTP has ports
	EXPECT_EQ(sh_pick(svc, "10.1.2.3", 1001), 'C');
}

// Fallback walks bucket (2 * first + offset) mod 256, offset = 0, 1, ...
TEST(SchedSh, FallbackWhenUnavailable)
{
	Service svc(xvs_sched_sh, {{'A', 1}, {'B', 2}, {'C', 1}});
	svc.overload('B', true);
	EXPECT_EQ(sh_pick(svc, "10.1.2.3"), '-');	// bucket 2: B
	svc.input().svc_flags = XVS_SVC_F_SCHED1;	// sh-fallback
	EXPECT_EQ(sh_pick(svc, "10.1.2.3"), 'A');	// bucket 4
	EXPECT_EQ(sh_pick(svc, "192.168.0.1"), 'A');	// available anyway
	svc.overload('B', false);
	svc.set_weight('A', 0);
	// 192.168.0.1: bucket 192 (A); then 128 (A), 129 (B).
	EXPECT_EQ(sh_pick(svc, "192.168.0.1"), 'B');
	svc.input().svc_flags = 0;
	EXPECT_EQ(sh_pick(svc, "192.168.0.1"), '-');
	svc.input().svc_flags = XVS_SVC_F_SCHED1;
	svc.overload_all(true);
	EXPECT_EQ(sh_pick(svc, "192.168.0.1"), '-');
}

// Weight 0 still takes one bucket: [A 0, B 1] follows A B.
TEST(SchedSh, WeightZeroTakesOneBucket)
{
	Service svc(xvs_sched_sh, {{'A', 0}, {'B', 1}});
	EXPECT_EQ(sh_pick(svc, "192.168.0.2"), '-');	// 34 % 2 = 0: A
	EXPECT_EQ(sh_pick(svc, "192.168.0.3"), 'B');	// 131 % 2 = 1
	svc.input().svc_flags = XVS_SVC_F_SCHED1;
	// 34: 68 (A), 69 (B)
	EXPECT_EQ(sh_pick(svc, "192.168.0.2"), 'B');
}

TEST(SchedSh, EmptyAndRemoved)
{
	Service svc(xvs_sched_sh, {});
	EXPECT_EQ(sh_pick(svc, "192.168.0.1"), '-');
	svc.add('A', 1);
	EXPECT_EQ(sh_pick(svc, "192.168.0.1"), 'A');
	svc.remove('A');
	EXPECT_EQ(sh_pick(svc, "192.168.0.1"), '-');
	EXPECT_EQ(svc.schedule(nullptr), nullptr);
	EXPECT_EQ(xvs_sched_sh.schedule(svc.state(), svc.set(), nullptr),
		  nullptr);
}

} // namespace
