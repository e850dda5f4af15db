// SPDX-License-Identifier: GPL-2.0
// Least-connection family.  IPVS of Debian's 6.1 kernel rates a destination
// by activeconns * 256 + totalconns, i.e. 257 per active connection and 1
// per inactive one (see xvs_dest_conn_overhead()).
#include <gtest/gtest.h>

#include <cstdint>

#include "sched_harness.h"

using xvs_test::Service;

namespace {

TEST(ConnOverhead, CountsActive257InactiveOne)
{
	xvs_sched_dest d{};
	atomic_set(&d.activeconns, 3);
	atomic_set(&d.inactconns, 5);
	EXPECT_EQ(xvs_dest_conn_overhead(&d), 3u * 257u + 5u);
}

TEST(SchedLc, PicksLeastOverhead)
{
	Service svc(xvs_sched_lc, {{'A', 1}, {'B', 1}, {'C', 1}});
	svc.conns('A', 2, 0);	// 514
	svc.conns('B', 1, 5);	// 262
	svc.conns('C', 1, 3);	// 260
	EXPECT_EQ(svc.pick(), 'C');
	svc.conns('C', 1, 6);	// 263
	EXPECT_EQ(svc.pick(), 'B');
}

TEST(SchedLc, IgnoresWeightOtherThanZero)
{
	Service svc(xvs_sched_lc, {{'A', 100}, {'B', 1}});
	svc.conns('A', 0, 10);
	svc.conns('B', 0, 9);
	EXPECT_EQ(svc.pick(), 'B');
}

TEST(SchedLc, ActiveWeighs257Inactive)
{
	// 1 active (257) loses to 256 inactive (256); with the older formula
	// (256 per active, inactive only) this would be a tie, won by A.
	Service svc(xvs_sched_lc, {{'A', 1}, {'B', 1}});
	svc.conns('A', 1, 0);
	svc.conns('B', 0, 256);
	EXPECT_EQ(svc.pick(), 'B');
	svc.conns('B', 0, 257);	// tie now
	EXPECT_EQ(svc.pick(), 'A');
}

TEST(SchedLc, TieGoesToFirstInList)
{
	Service svc(xvs_sched_lc, {{'A', 1}, {'B', 1}, {'C', 1}});
	svc.conns('A', 0, 7);
	svc.conns('B', 0, 3);
	svc.conns('C', 0, 3);
	EXPECT_EQ(svc.pick(), 'B');
	svc.add('D', 1);	// newest, at the head, no connections
	EXPECT_EQ(svc.pick(), 'D');
}

TEST(SchedLc, SkipsOverloadedAndWeightZero)
{
	Service svc(xvs_sched_lc, {{'A', 1}, {'B', 0}, {'C', 1}});
	svc.conns('A', 0, 9);
	svc.conns('B', 0, 0);
	svc.conns('C', 0, 1);
	EXPECT_EQ(svc.pick(), 'C');
	svc.overload('C', true);
	EXPECT_EQ(svc.pick(), 'A');
	svc.overload('A', true);
	EXPECT_EQ(svc.pick(), '-');
}

TEST(SchedLc, EmptyAndNull)
{
	Service svc(xvs_sched_lc, {});
	EXPECT_EQ(svc.pick(), '-');
	EXPECT_EQ(svc.schedule(nullptr), nullptr);
	EXPECT_EQ(xvs_sched_lc.schedule(nullptr, svc.set(), nullptr), nullptr);
}

TEST(SchedWlc, PicksLeastOverheadPerWeight)
{
	Service svc(xvs_sched_wlc, {{'A', 1}, {'B', 2}});
	svc.conns('A', 1, 0);		// 257 / 1
	svc.conns('B', 1, 100);		// 357 / 2
	EXPECT_EQ(svc.pick(), 'B');
	svc.conns('B', 1, 300);		// 557 / 2 > 257
	EXPECT_EQ(svc.pick(), 'A');
}

TEST(SchedWlc, TieGoesToFirstInList)
{
	Service svc(xvs_sched_wlc, {{'A', 2}, {'B', 1}, {'C', 4}});
	svc.conns('A', 2, 0);		// 514 / 2 = 257
	svc.conns('B', 1, 0);		// 257 / 1 = 257
	svc.conns('C', 4, 0);		// 1028 / 4 = 257
	EXPECT_EQ(svc.pick(), 'A');
}

TEST(SchedWlc, FirstUsableIsInitialCandidate)
{
	Service svc(xvs_sched_wlc, {{'A', 0}, {'B', 3}, {'C', 1}});
	svc.conns('A', 0, 0);
	svc.conns('B', 0, 0);
	svc.conns('C', 0, 0);
	// A has weight 0; B is the first candidate; C ties at 0 and loses.
	EXPECT_EQ(svc.pick(), 'B');
	svc.overload('B', true);
	EXPECT_EQ(svc.pick(), 'C');
}

TEST(SchedWlc, WeightZeroAfterCandidateNeverWins)
{
	Service svc(xvs_sched_wlc, {{'A', 1}, {'B', 0}});
	svc.conns('A', 1000, 1000);
	svc.conns('B', 0, 0);
	EXPECT_EQ(svc.pick(), 'A');
}

// IPVS keeps overheads in an int and, after the first candidate, does not
// skip weight 0: a weight-0 destination whose overhead has wrapped negative
// (over 8.3 million active connections) wins, since 0 > negative.  Absurd
// numbers, but the decision must be the kernel's.
TEST(SchedWlc, WrappedOverheadCornerAsIpvs)
{
	Service svc(xvs_sched_wlc, {{'A', 1}, {'B', 0}});
	svc.conns('A', 0, 5);
	svc.conns('B', 8400000, 0);	// 8400000 * 257 > INT32_MAX
	ASSERT_LT(static_cast<int32_t>(xvs_dest_conn_overhead(&svc.dest('B'))), 0);
	EXPECT_EQ(svc.pick(), 'B');
}

// Products beyond 32 bits: A 51,400,000 / 100,000 = 514 against
// B 15,000,000 / 30,000 = 500 and 15,500,000 / 30,000 = 516.67.
TEST(SchedWlc, ComparesIn64Bits)
{
	Service svc(xvs_sched_wlc, {{'A', 100000}, {'B', 30000}});
	svc.conns('A', 200000, 0);
	svc.conns('B', 0, 15000000);

	const int64_t oh_a = 200000LL * 257, oh_b = 15000000;
	// The test only means something if 32-bit products would disagree.
	ASSERT_GT(oh_a * 30000, oh_b * 100000);
	ASSERT_LE(static_cast<int32_t>(static_cast<uint32_t>(oh_a * 30000)),
		  static_cast<int32_t>(static_cast<uint32_t>(oh_b * 100000)));
	EXPECT_EQ(svc.pick(), 'B');

	svc.conns('B', 0, 15500000);
	const int64_t oh_b2 = 15500000;
	ASSERT_LE(oh_a * 30000, oh_b2 * 100000);
	ASSERT_GT(static_cast<int32_t>(static_cast<uint32_t>(oh_a * 30000)),
		  static_cast<int32_t>(static_cast<uint32_t>(oh_b2 * 100000)));
	EXPECT_EQ(svc.pick(), 'A');
}

TEST(SchedWlc, AllUnusable)
{
	Service svc(xvs_sched_wlc, {{'A', 0}, {'B', 1}});
	svc.overload('B', true);
	EXPECT_EQ(svc.pick(), '-');
	Service empty(xvs_sched_wlc, {});
	EXPECT_EQ(empty.pick(), '-');
	EXPECT_EQ(empty.schedule(nullptr), nullptr);
}

TEST(Registry, BuiltinsByName)
{
	const char *const names[] = {"rr",  "wrr", "lc",  "wlc", "lblc",
				     "lblcr", "dh", "sh", "sed", "nq",
				     "fo",  "ovf", "mh",  "twos"};
	const unsigned int total = sizeof(names) / sizeof(names[0]);
	unsigned int n = 0;
	for (; xvs_core_scheds[n]; n++) {
		ASSERT_LT(n, total);
		EXPECT_STREQ(xvs_core_scheds[n]->name, names[n]);
		// Stateful schedulers must hear about every change.
		if (xvs_core_scheds[n]->state_size) {
			EXPECT_NE(xvs_core_scheds[n]->init, nullptr);
			EXPECT_NE(xvs_core_scheds[n]->dests_changed, nullptr);
		}
		EXPECT_NE(xvs_core_scheds[n]->schedule, nullptr);
		// Only the table-keeping schedulers need housekeeping.
		const bool tables = xvs_core_scheds[n] == &xvs_sched_lblc ||
				    xvs_core_scheds[n] == &xvs_sched_lblcr;
		EXPECT_EQ(xvs_core_scheds[n]->gc != nullptr, tables);
		EXPECT_EQ(xvs_core_scheds[n]->destroy != nullptr, tables);
		// Schedulers whose schedule() writes state are serialized.
		const bool writes = tables ||
				    xvs_core_scheds[n] == &xvs_sched_rr ||
				    xvs_core_scheds[n] == &xvs_sched_wrr;
		EXPECT_EQ(xvs_core_scheds[n]->serialized, writes);
		const bool stateless = !writes &&
				       xvs_core_scheds[n] != &xvs_sched_sh &&
				       xvs_core_scheds[n] != &xvs_sched_mh;
		EXPECT_EQ(xvs_core_scheds[n]->state_size == 0, stateless)
			<< names[n];
	}
	EXPECT_EQ(n, total);
}

} // namespace
