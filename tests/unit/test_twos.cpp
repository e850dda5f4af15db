// SPDX-License-Identifier: GPL-2.0
// twos, worked out by hand from IPVS's ip_vs_twos_schedule(): two draws r
// in [0, W] (W the sum of the usable weights); walking the list, each
// usable destination subtracts its weight and a draw chooses the first one
// where it drops to zero or below.  The second choice replaces the first
// only if w2 * oh1 > w1 * oh2.  The draws come from a scripted source.
#include <gtest/gtest.h>

#include <deque>
#include <vector>

#include "sched_harness.h"

using xvs_test::Service;

namespace {

class TwosTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		draws_.clear();
		ceils_.clear();
		xvs_host_random_below = &TwosTest::scripted;
	}
	void TearDown() override { xvs_host_random_below = nullptr; }

	static u32 scripted(u32 ceil)
	{
		ceils_.push_back(ceil);
		if (draws_.empty())
			throw std::logic_error("no draw scripted");
		u32 r = draws_.front();
		draws_.pop_front();
		return r;
	}

	static char pick(Service &svc, u32 r1, u32 r2)
	{
		draws_ = {r1, r2};
		char c = svc.pick();
		EXPECT_TRUE(draws_.empty());
		return c;
	}

	static std::deque<u32> draws_;
	static std::vector<u32> ceils_;
};

std::deque<u32> TwosTest::draws_;
std::vector<u32> TwosTest::ceils_;

// [A 1, B 2, C 3]: W = 6, draws in [0, 6]: 0 and 1 choose A, 2 and 3 B,
// 4 to 6 C.
TEST_F(TwosTest, DrawsMapToWeightedRanges)
{
	Service svc(xvs_sched_twos, {{'A', 1}, {'B', 2}, {'C', 3}});
	// All idle: overheads 0, so the first draw always stands.
	EXPECT_EQ(pick(svc, 0, 6), 'A');
	EXPECT_EQ(ceils_, (std::vector<u32>{7, 7}));
	EXPECT_EQ(pick(svc, 1, 0), 'A');
	EXPECT_EQ(pick(svc, 2, 0), 'B');
	EXPECT_EQ(pick(svc, 3, 0), 'B');
	EXPECT_EQ(pick(svc, 4, 0), 'C');
	EXPECT_EQ(pick(svc, 6, 0), 'C');
}

TEST_F(TwosTest, LessLoadedOfTheTwo)
{
	Service svc(xvs_sched_twos, {{'A', 1}, {'B', 2}, {'C', 3}});
	svc.conns('A', 1, 0);	// 257
	svc.conns('C', 2, 0);	// 514
	// A then C: 3 * 257 = 771 > 1 * 514: C.
	EXPECT_EQ(pick(svc, 0, 5), 'C');
	// C then A: 1 * 514 > 3 * 257 is false: C stays.
	EXPECT_EQ(pick(svc, 5, 0), 'C');
	svc.conns('C', 3, 0);	// 771: 771 > 771 is false, the first stands
	EXPECT_EQ(pick(svc, 0, 5), 'A');
	svc.conns('C', 3, 1);	// 772: 3 * 257 > 772 is false the other way
	EXPECT_EQ(pick(svc, 5, 0), 'A');
	// Both draws on one destination.
	EXPECT_EQ(pick(svc, 4, 6), 'C');
}

// Overloaded and weight-0 destinations neither count in W nor get chosen.
TEST_F(TwosTest, SkipsUnusable)
{
	Service svc(xvs_sched_twos, {{'A', 1}, {'B', 0}, {'C', 3}, {'D', 2}});
	svc.overload('C', true);
	// W = 3: 0..1 A, 2..3 D.
	EXPECT_EQ(pick(svc, 1, 1), 'A');
	EXPECT_EQ(ceils_.back(), 4u);
	EXPECT_EQ(pick(svc, 2, 3), 'D');
	svc.overload('A', true);
	svc.overload('D', true);
	draws_.clear();
	EXPECT_EQ(svc.pick(), '-');	// no draw is made
	EXPECT_EQ(ceils_.size(), 4u);
}

TEST_F(TwosTest, EmptyAndNull)
{
	Service svc(xvs_sched_twos, {});
	EXPECT_EQ(svc.pick(), '-');
	EXPECT_EQ(svc.schedule(nullptr), nullptr);
	EXPECT_TRUE(ceils_.empty());
}

} // namespace
