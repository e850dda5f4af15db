// SPDX-License-Identifier: GPL-2.0
// Weighted round-robin: every expectation below was derived by stepping
// through IPVS's ip_vs_wrr_schedule() / ip_vs_wrr_dest_changed() by hand
// (cw, mw, di and the cursor written down after each pick), not by running
// the implementation under test.
#include <gtest/gtest.h>

#include "sched_harness.h"

using xvs_test::Service;

namespace {

// The textbook interleaving "ABCABCABA" is not what IPVS does: it sweeps
// with a falling required weight, cw = 4, 3, 2, 1:
//   cw 4: A        cw 3: A B        cw 2: A B C        cw 1: A B C
TEST(SchedWrr, ClassicWeightsFollowIpvsSweeps)
{
	Service svc(xvs_sched_wrr, {{'A', 4}, {'B', 3}, {'C', 2}});
	EXPECT_EQ(svc.picks(9), "AABABCABC");
	EXPECT_EQ(svc.picks(18), "AABABCABCAABABCABC");
}

TEST(SchedWrr, ListOrderDecidesWithinASweep)
{
	// Same weights, list C B A (as after adding A, B, C in that order).
	Service svc(xvs_sched_wrr, {{'C', 2}, {'B', 3}, {'A', 4}});
	EXPECT_EQ(svc.picks(9), "ABACBACBA");
}

// gcd 2: di = 2, mw = 6 - 1 = 5, sweeps at cw = 5, 3, 1 give the same
// sequence as weights 3:2:1.
TEST(SchedWrr, CommonDivisorSteps)
{
	Service even(xvs_sched_wrr, {{'A', 6}, {'B', 4}, {'C', 2}});
	Service unit(xvs_sched_wrr, {{'A', 3}, {'B', 2}, {'C', 1}});
	EXPECT_EQ(even.picks(12), "AABABCAABABC");
	EXPECT_EQ(unit.picks(12), "AABABCAABABC");
}

TEST(SchedWrr, EqualWeightsIsRoundRobin)
{
	Service svc(xvs_sched_wrr, {{'A', 5}, {'B', 5}, {'C', 5}});
	EXPECT_EQ(svc.picks(6), "ABCABC");
}

TEST(SchedWrr, WeightZeroNeverPicked)
{
	// di = 1, mw = 2: cw 2: A; cw 1: A C
	Service svc(xvs_sched_wrr, {{'A', 2}, {'B', 0}, {'C', 1}});
	EXPECT_EQ(svc.picks(6), "AACAAC");
}

// After A A B the state is cw = 3, cursor on B.  Setting B to 1 keeps
// di = 1, mw = 4, so cw stays 3 and the cursor goes back to the head:
//   cw 3: A | cw 2: A C | cw 1: A B C | cw 4: A | cw 3: A | cw 2: A C | ...
TEST(SchedWrr, WeightUpdateMidSequenceRestartsAtHead)
{
	Service svc(xvs_sched_wrr, {{'A', 4}, {'B', 3}, {'C', 2}});
	EXPECT_EQ(svc.picks(3), "AAB");
	svc.set_weight('B', 1);
	EXPECT_EQ(svc.picks(13), "AACABCAAACABC");
}

// [A 6, B 2]: di 2, mw 5.  After A A the state is cw = 3, cursor on A.
// B becomes 3: di 3, mw 4; cw 3 <= mw and di > 1, so cw moves onto the new
// grid: (3 / 3) * 3 + 1 = 4.  Then: cw 4: A | cw 1: A B | cw 4: A | ...
// (Without the move, cw 3 would admit B right away.)
TEST(SchedWrr, WeightUpdateRealignsCurrentWeight)
{
	Service svc(xvs_sched_wrr, {{'A', 6}, {'B', 2}});
	EXPECT_EQ(svc.picks(2), "AA");
	svc.set_weight('B', 3);
	EXPECT_EQ(svc.picks(6), "AABAAB");
}

// [A 4, B 2]: di 2, mw 3; after A, cw = 3.  Adding C 6 at the head:
// di 2, mw 5, cw (3 / 2) * 2 + 1 = 3, cursor at the head:
//   cw 3: C A | cw 1: C A B | cw 5: C | cw 3: C A | cw 1: C A B
TEST(SchedWrr, AddMidSequence)
{
	Service svc(xvs_sched_wrr, {{'A', 4}, {'B', 2}});
	EXPECT_EQ(svc.pick(), 'A');
	svc.add('C', 6);
	EXPECT_EQ(svc.picks(11), "CACABCCACAB");
}

// After A A B (cw 3) removing A leaves [B 3, C 2]: di 1, mw 3, cw 3:
//   cw 3: B | cw 2: B C | cw 1: B C | cw 3: B
TEST(SchedWrr, RemoveMidSequence)
{
	Service svc(xvs_sched_wrr, {{'A', 4}, {'B', 3}, {'C', 2}});
	EXPECT_EQ(svc.picks(3), "AAB");
	svc.remove('A');
	EXPECT_EQ(svc.picks(6), "BBCBCB");
}

// Larger weight removed: mw drops below cw, so cw restarts at the new mw.
TEST(SchedWrr, RemoveMaxWeightResetsCurrentWeight)
{
	// [A 8, B 2]: di 2, mw 7; after A, cw 7.  Removing A: di 2, mw 1,
	// cw 7 > mw so cw = 1: B only.
	Service svc(xvs_sched_wrr, {{'A', 8}, {'B', 2}});
	EXPECT_EQ(svc.pick(), 'A');
	svc.remove('A');
	EXPECT_EQ(svc.picks(3), "BBB");
}

TEST(SchedWrr, OverloadedSkippedWhileOthersServe)
{
	Service svc(xvs_sched_wrr, {{'A', 4}, {'B', 3}, {'C', 2}});
	EXPECT_EQ(svc.picks(3), "AAB");		// cw 3, cursor on B
	svc.overload('A', true);
	svc.overload('B', true);
	// C < 3 ends the sweep; cw 2 finds C.  Afterwards C alone serves.
	EXPECT_EQ(svc.picks(4), "CCCC");
}

// All overloaded with the cursor mid-list: sweeps at cw 2 and 1 fail, the
// cycle restarts after a full last pass, and IPVS parks the cursor on the
// head with cw = mw: once they recover the cycle starts over.
TEST(SchedWrr, AllOverloadedParksAtHead)
{
	Service svc(xvs_sched_wrr, {{'A', 4}, {'B', 3}, {'C', 2}});
	EXPECT_EQ(svc.picks(3), "AAB");
	svc.overload_all(true);
	EXPECT_EQ(svc.picks(2), "--");
	svc.overload_all(false);
	EXPECT_EQ(svc.picks(9), "AABABCABC");
}

// mw == di: after a restart the very next sweep is the last pass, which
// stops at the last pick; the cursor then stays on it.
TEST(SchedWrr, AllOverloadedStopsAtLastPick)
{
	Service svc(xvs_sched_wrr, {{'A', 1}, {'B', 1}, {'C', 1}});
	EXPECT_EQ(svc.pick(), 'A');
	svc.overload_all(true);
	EXPECT_EQ(svc.pick(), '-');
	svc.overload_all(false);
	EXPECT_EQ(svc.picks(3), "BCA");
}

// In that last pass the last pick itself is still eligible.
TEST(SchedWrr, LastPickAloneUsableIsPickedAgain)
{
	Service svc(xvs_sched_wrr, {{'A', 1}, {'B', 1}, {'C', 1}});
	EXPECT_EQ(svc.picks(2), "AB");
	svc.overload('A', true);
	svc.overload('C', true);
	EXPECT_EQ(svc.picks(3), "BBB");
}

TEST(SchedWrr, AllWeightsZeroThenOneComesBack)
{
	Service svc(xvs_sched_wrr, {{'A', 0}, {'B', 0}});
	EXPECT_EQ(svc.picks(2), "--");
	svc.set_weight('B', 2);		// cw was 0: restart at mw = 2
	EXPECT_EQ(svc.picks(2), "BB");

	// di 1 this time, so only the restart rule lifts cw off 0 (a cw of
	// 0 would admit A's weight 0).
	Service one(xvs_sched_wrr, {{'A', 0}, {'B', 0}});
	EXPECT_EQ(one.pick(), '-');
	one.set_weight('B', 1);
	EXPECT_EQ(one.picks(2), "BB");
}

TEST(SchedWrr, EmptySetThenAdd)
{
	Service svc(xvs_sched_wrr, {});
	EXPECT_EQ(svc.pick(), '-');
	EXPECT_EQ(svc.schedule(nullptr), nullptr);
	svc.add('A', 3);
	EXPECT_EQ(svc.picks(2), "AA");
	// [B 1, A 3]: di 1, mw 3; cw 1 is kept (non-zero, within mw):
	//   cw 1: B A | cw 3: A | cw 2: A | cw 1: B A
	svc.add('B', 1);
	EXPECT_EQ(svc.picks(6), "BAAABA");
	svc.remove('A');
	svc.remove('B');
	EXPECT_EQ(svc.pick(), '-');
}

TEST(SchedWrr, CursorBeyondSmallerSetDoesNotCrash)
{
	Service svc(xvs_sched_wrr, {{'A', 1}, {'B', 1}, {'C', 1}});
	EXPECT_EQ(svc.picks(3), "ABC");

	alignas(xvs_dest_set) unsigned char
		buf[sizeof(xvs_dest_set) + sizeof(xvs_sched_dest *)] = {};
	auto *small = reinterpret_cast<xvs_dest_set *>(buf);
	small->count = 1;
	small->dest[0] = &svc.dest('C');
	EXPECT_EQ(svc.name_of(svc.schedule(small)), 'C');
	small->dest[0] = nullptr;
	EXPECT_EQ(svc.schedule(small), nullptr);
}

} // namespace
