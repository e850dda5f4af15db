// SPDX-License-Identifier: GPL-2.0
// Round-robin: expectations derived by walking IPVS's ip_vs_rr_schedule()
// and ip_vs_rr_del_dest() by hand over the list in head-first order.
#include <gtest/gtest.h>

#include "sched_harness.h"

using xvs_test::Service;

namespace {

TEST(SchedRr, CyclesInListOrder)
{
	Service svc(xvs_sched_rr, {{'A', 1}, {'B', 1}, {'C', 1}});
	EXPECT_EQ(svc.picks(7), "ABCABCA");
}

TEST(SchedRr, WeightIsOnlyZeroOrNot)
{
	Service svc(xvs_sched_rr, {{'A', 5}, {'B', 1}, {'C', 100}});
	EXPECT_EQ(svc.picks(6), "ABCABC");
}

TEST(SchedRr, SkipsWeightZeroAndOverloaded)
{
	Service svc(xvs_sched_rr, {{'A', 1}, {'B', 0}, {'C', 1}, {'D', 1}});
	EXPECT_EQ(svc.picks(4), "ACDA");
	svc.overload('C', true);
	EXPECT_EQ(svc.picks(3), "DAD");
	svc.overload('C', false);
	EXPECT_EQ(svc.picks(3), "ACD");
}

TEST(SchedRr, AddedDestGoesAtHeadCursorStays)
{
	Service svc(xvs_sched_rr, {{'A', 1}, {'B', 1}, {'C', 1}});
	EXPECT_EQ(svc.picks(2), "AB");
	svc.add('D', 1);	// list D A B C, cursor still on B
	EXPECT_EQ(svc.picks(5), "CDABC");
}

TEST(SchedRr, AddedDestWithCursorAtHeadIsNext)
{
	Service svc(xvs_sched_rr, {{'A', 1}, {'B', 1}});
	svc.add('C', 1);	// list C A B, nothing picked yet
	EXPECT_EQ(svc.picks(4), "CABC");
}

TEST(SchedRr, AddedDestAfterWrapToLastEntry)
{
	Service svc(xvs_sched_rr, {{'A', 1}, {'B', 1}});
	EXPECT_EQ(svc.picks(2), "AB");	// cursor on the tail
	svc.add('C', 1);		// list C A B
	EXPECT_EQ(svc.picks(3), "CAB");
}

TEST(SchedRr, RemovingCursorDestStepsBack)
{
	Service svc(xvs_sched_rr, {{'A', 1}, {'B', 1}, {'C', 1}, {'D', 1}});
	EXPECT_EQ(svc.picks(2), "AB");
	svc.remove('B');	// cursor moves back to A
	EXPECT_EQ(svc.picks(4), "CDAC");
}

TEST(SchedRr, RemovingFirstDestUnderCursorGoesToHead)
{
	Service svc(xvs_sched_rr, {{'A', 1}, {'B', 1}, {'C', 1}});
	EXPECT_EQ(svc.pick(), 'A');
	svc.remove('A');	// cursor back to the head
	EXPECT_EQ(svc.picks(3), "BCB");
}

TEST(SchedRr, RemovingTailUnderCursorWraps)
{
	Service svc(xvs_sched_rr, {{'A', 1}, {'B', 1}, {'C', 1}});
	EXPECT_EQ(svc.picks(3), "ABC");
	svc.remove('C');	// cursor back to B
	EXPECT_EQ(svc.picks(3), "ABA");
}

TEST(SchedRr, RemovingBeforeCursorKeepsPosition)
{
	Service svc(xvs_sched_rr, {{'A', 1}, {'B', 1}, {'C', 1}, {'D', 1}});
	EXPECT_EQ(svc.picks(3), "ABC");
	svc.remove('A');
	EXPECT_EQ(svc.picks(4), "DBCD");
}

TEST(SchedRr, RemovingAfterCursorKeepsPosition)
{
	Service svc(xvs_sched_rr, {{'A', 1}, {'B', 1}, {'C', 1}, {'D', 1}});
	EXPECT_EQ(svc.pick(), 'A');
	svc.remove('C');
	EXPECT_EQ(svc.picks(4), "BDAB");
}

TEST(SchedRr, WeightSetToZeroMidSequence)
{
	Service svc(xvs_sched_rr, {{'A', 1}, {'B', 1}, {'C', 1}});
	EXPECT_EQ(svc.pick(), 'A');
	svc.set_weight('B', 0);
	EXPECT_EQ(svc.picks(3), "CAC");
	svc.set_weight('B', 3);
	EXPECT_EQ(svc.picks(3), "ABC");
}

TEST(SchedRr, LastPickAloneUsableIsPickedAgain)
{
	Service svc(xvs_sched_rr, {{'A', 1}, {'B', 1}, {'C', 1}});
	EXPECT_EQ(svc.picks(2), "AB");
	svc.overload('A', true);
	svc.overload('C', true);
	EXPECT_EQ(svc.picks(2), "BB");
}

TEST(SchedRr, NoneUsableReturnsNullAndKeepsCursor)
{
	Service svc(xvs_sched_rr, {{'A', 1}, {'B', 1}, {'C', 1}});
	EXPECT_EQ(svc.pick(), 'A');
	svc.overload_all(true);
	EXPECT_EQ(svc.picks(2), "--");
	svc.overload_all(false);
	EXPECT_EQ(svc.picks(3), "BCA");
}

TEST(SchedRr, AllWeightsZero)
{
	Service svc(xvs_sched_rr, {{'A', 0}, {'B', 0}});
	EXPECT_EQ(svc.picks(2), "--");
}

TEST(SchedRr, EmptyAndNullSets)
{
	Service svc(xvs_sched_rr, {});
	EXPECT_EQ(svc.pick(), '-');
	EXPECT_EQ(svc.schedule(nullptr), nullptr);
	svc.add('A', 1);
	EXPECT_EQ(svc.picks(2), "AA");
	svc.remove('A');
	EXPECT_EQ(svc.pick(), '-');
}

TEST(SchedRr, CursorBeyondSmallerSetDoesNotCrash)
{
	Service svc(xvs_sched_rr, {{'A', 1}, {'B', 1}, {'C', 1}, {'D', 1}});
	EXPECT_EQ(svc.picks(4), "ABCD");	// cursor on index 3

	// A caller breaking the contract hands a shorter set directly.
	alignas(xvs_dest_set) unsigned char
		buf[sizeof(xvs_dest_set) + sizeof(xvs_sched_dest *)] = {};
	auto *small = reinterpret_cast<xvs_dest_set *>(buf);
	small->count = 1;
	small->dest[0] = &svc.dest('B');
	EXPECT_EQ(svc.name_of(svc.schedule(small)), 'B');

	// NULL entries are skipped rather than dereferenced.
	small->dest[0] = nullptr;
	EXPECT_EQ(svc.schedule(small), nullptr);
}

TEST(SchedRr, UnknownChangeKindResetsToHead)
{
	Service svc(xvs_sched_rr, {{'A', 1}, {'B', 1}, {'C', 1}});
	EXPECT_EQ(svc.picks(2), "AB");
	xvs_dest_change bogus{static_cast<xvs_dest_change_kind>(42), 7, nullptr};
	xvs_sched_rr.dests_changed(svc.state(), svc.set(), &bogus);
	EXPECT_EQ(svc.pick(), 'A');
	xvs_sched_rr.dests_changed(svc.state(), svc.set(), nullptr);
	EXPECT_EQ(svc.pick(), 'A');
}

} // namespace
