// SPDX-License-Identifier: GPL-2.0
// sed, nq, fo and ovf: expectations worked out by hand from IPVS's
// ip_vs_sed_schedule(), ip_vs_nq_schedule(), ip_vs_fo_schedule() and
// ip_vs_ovf_schedule().  sed and nq rate a destination by (active + 1) /
// weight, ignoring inactive connections; fo and ovf by weight alone.
#include <gtest/gtest.h>

#include "sched_harness.h"

using xvs_test::Service;

namespace {

TEST(SchedSed, LeastExpectedDelay)
{
	// A (0+1)/1 = 1, B (2+1)/3 = 1, C (0+1)/2 = 0.5
	Service svc(xvs_sched_sed, {{'A', 1}, {'B', 3}, {'C', 2}});
	svc.conns('A', 0, 0);
	svc.conns('B', 2, 0);
	svc.conns('C', 0, 0);
	EXPECT_EQ(svc.pick(), 'C');
	svc.conns('C', 1, 0);	// 2/2 = 1: three-way tie, the first wins
	EXPECT_EQ(svc.pick(), 'A');
	svc.conns('A', 1, 0);	// 2/1: B and C tie at 1, B first
	EXPECT_EQ(svc.pick(), 'B');
}

TEST(SchedSed, InactiveConnectionsDoNotCount)
{
	// lc would take B (1 inactive against 100); sed sees two idle
	// destinations of equal weight and takes the first.
	Service svc(xvs_sched_sed, {{'A', 1}, {'B', 1}});
	svc.conns('A', 0, 100);
	svc.conns('B', 0, 1);
	EXPECT_EQ(svc.pick(), 'A');
}

TEST(SchedSed, IdleHeavierWins)
{
	// Both idle: 1/1 against 1/4.  nq would take A (first idle).
	Service svc(xvs_sched_sed, {{'A', 1}, {'B', 4}});
	EXPECT_EQ(svc.pick(), 'B');
}

TEST(SchedSed, WeightZeroAndOverload)
{
	Service svc(xvs_sched_sed, {{'A', 0}, {'B', 1}, {'C', 0}});
	svc.conns('B', 5, 0);
	// A is skipped as first candidate; C (weight 0) can never be
	// strictly better: 6 * 0 > 1 * 1 is false.
	EXPECT_EQ(svc.pick(), 'B');
	svc.overload('B', true);
	EXPECT_EQ(svc.pick(), '-');
	Service empty(xvs_sched_sed, {});
	EXPECT_EQ(empty.pick(), '-');
	EXPECT_EQ(empty.schedule(nullptr), nullptr);
}

TEST(SchedNq, FirstIdleWinsWhateverItsWeight)
{
	Service svc(xvs_sched_nq, {{'A', 1}, {'B', 100}, {'C', 1}, {'D', 1}});
	svc.conns('A', 3, 0);
	svc.conns('B', 2, 0);
	svc.conns('C', 0, 50);	// inactive only: idle
	svc.conns('D', 0, 0);
	EXPECT_EQ(svc.pick(), 'C');
}

TEST(SchedNq, WithoutIdleAsSed)
{
	// A (1+1)/1 = 2, B (1+1)/2 = 1, C (3+1)/4 = 1: B first of the tie.
	Service svc(xvs_sched_nq, {{'A', 1}, {'B', 2}, {'C', 4}});
	svc.conns('A', 1, 0);
	svc.conns('B', 1, 0);
	svc.conns('C', 3, 0);
	EXPECT_EQ(svc.pick(), 'B');
	svc.conns('C', 2, 0);	// 3/4 < 1
	EXPECT_EQ(svc.pick(), 'C');
}

TEST(SchedNq, SkipsOverloadedAndWeightZeroEvenIfIdle)
{
	Service svc(xvs_sched_nq, {{'A', 1}, {'B', 0}, {'C', 1}, {'D', 1}});
	svc.conns('A', 0, 0);
	svc.conns('B', 0, 0);
	svc.conns('C', 4, 0);
	svc.conns('D', 2, 0);
	svc.overload('A', true);
	EXPECT_EQ(svc.pick(), 'D');	// A overloaded, B weight 0
	svc.overload('D', true);
	EXPECT_EQ(svc.pick(), 'C');
	svc.overload('C', true);
	EXPECT_EQ(svc.pick(), '-');
}

TEST(SchedFo, HighestWeightFirstInList)
{
	Service svc(xvs_sched_fo, {{'A', 2}, {'B', 5}, {'C', 5}, {'D', 0}});
	svc.conns('B', 1000, 1000);	// load plays no part
	EXPECT_EQ(svc.picks(3), "BBB");
	svc.overload('B', true);
	EXPECT_EQ(svc.pick(), 'C');
	svc.overload('C', true);
	EXPECT_EQ(svc.pick(), 'A');
	svc.set_weight('A', 0);
	EXPECT_EQ(svc.pick(), '-');	// D has weight 0 too
	svc.overload('B', false);
	EXPECT_EQ(svc.pick(), 'B');
}

TEST(SchedFo, EmptyAndNull)
{
	Service svc(xvs_sched_fo, {});
	EXPECT_EQ(svc.pick(), '-');
	EXPECT_EQ(svc.schedule(nullptr), nullptr);
}

TEST(SchedOvf, SpillsOverWhenActiveExceedsWeight)
{
	Service svc(xvs_sched_ovf, {{'A', 2}, {'B', 3}, {'C', 3}});
	svc.conns('A', 1, 0);
	svc.conns('B', 3, 0);	// 3 active, weight 3: not exceeded
	svc.conns('C', 0, 0);
	EXPECT_EQ(svc.pick(), 'B');
	svc.conns('B', 4, 0);
	EXPECT_EQ(svc.pick(), 'C');
	svc.conns('C', 4, 99);	// inactive ones do not count
	EXPECT_EQ(svc.pick(), 'A');
	svc.conns('A', 3, 0);
	EXPECT_EQ(svc.pick(), '-');
}

TEST(SchedOvf, SkipsWeightZeroAndOverloaded)
{
	Service svc(xvs_sched_ovf, {{'A', 0}, {'B', 1}, {'C', 4}});
	svc.overload('C', true);
	EXPECT_EQ(svc.pick(), 'B');
	svc.overload('B', true);
	EXPECT_EQ(svc.pick(), '-');
}

} // namespace
