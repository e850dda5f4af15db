// SPDX-License-Identifier: GPL-2.0
// lblc and lblcr, worked out by hand from IPVS's ip_vs_lblc.c and
// ip_vs_lblcr.c.  Fresh choices are wlc's (overhead 257 per active plus 1
// per inactive connection, per weight).  lblc's overload rule: a
// destination with more active connections than its weight is abandoned
// if some destination of the service has fewer than half its weight.
// The table's memory is observed through the host shim's allocation count:
// one allocation per lblc entry, per lblcr entry and per lblcr member.
#include <gtest/gtest.h>

#include <cstdio>

#include "sched_harness.h"

using xvs_test::Service;

namespace {

constexpr unsigned long kT0 = 1000;

class LblcTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		xvs_host_jiffies = kT0;
		baseline_ = xvs_host_live_allocs;
	}
	void TearDown() override
	{
		// Every Service is gone: its destroy() freed everything.
		EXPECT_EQ(xvs_host_live_allocs, baseline_);
	}
	long allocs() const { return xvs_host_live_allocs - baseline_; }

	static char pick_to(Service &svc, const char *daddr)
	{
		svc.to(daddr, 80);
		return svc.pick();
	}

	static void gc_times(Service &svc, int n, const xvs_sched_knobs *k)
	{
		for (int i = 0; i < n; i++)
			svc.gc(k);
	}

	long baseline_ = 0;
};

TEST_F(LblcTest, LblcSticksWhileNotOverloaded)
{
	Service svc(xvs_sched_lblc, {{'A', 1}, {'B', 1}});
	svc.from("192.168.7.7", 3333);
	EXPECT_EQ(pick_to(svc, "10.10.0.1"), 'A');	// wlc: tie, first
	EXPECT_EQ(allocs(), 1);
	svc.conns('A', 1, 50);	// wlc would take B now
	EXPECT_EQ(pick_to(svc, "10.10.0.1"), 'A');	// 1 active, weight 1
	EXPECT_EQ(pick_to(svc, "10.10.0.2"), 'B');	// fresh: wlc
	EXPECT_EQ(pick_to(svc, "10.10.0.1"), 'A');
	EXPECT_EQ(allocs(), 2);
}

TEST_F(LblcTest, LblcOverloadRule)
{
	Service svc(xvs_sched_lblc, {{'A', 1}, {'B', 4}});
	EXPECT_EQ(pick_to(svc, "10.10.0.1"), 'A');
	// A: 2 active > weight 1, but nobody is below half its weight
	// (B: 2 * 2 = 4, not < 4): A stays.
	svc.conns('A', 2, 0);
	svc.conns('B', 2, 0);
	EXPECT_EQ(pick_to(svc, "10.10.0.1"), 'A');
	// B at 1 active is below half: A is abandoned for wlc's choice,
	// B (257 / 4 against 514 / 1).
	svc.conns('B', 1, 0);
	EXPECT_EQ(pick_to(svc, "10.10.0.1"), 'B');
	EXPECT_EQ(allocs(), 1);		// the entry was replaced
	// Now B: 10 active > 4, and A (0 active) is below half of 1.
	svc.conns('A', 0, 0);
	svc.conns('B', 10, 0);
	EXPECT_EQ(pick_to(svc, "10.10.0.1"), 'A');
	// Over its weight, but the rule needs someone below half: B's
	// 5 * 2 = 10 is not < 4, A's own 2 * 2 = 4 is not < 1.
	svc.conns('A', 2, 0);
	svc.conns('B', 5, 0);
	EXPECT_EQ(pick_to(svc, "10.10.0.1"), 'A');
}

// IPVS's lblc does not look at the threshold OVERLOAD flag of a cached
// destination (only fresh choices skip it); lblcr's member choice does.
TEST_F(LblcTest, ThresholdOverloadFlag)
{
	Service lblc(xvs_sched_lblc, {{'A', 1}, {'B', 1}});
	EXPECT_EQ(pick_to(lblc, "10.10.0.1"), 'A');
	lblc.overload('A', true);
	EXPECT_EQ(pick_to(lblc, "10.10.0.1"), 'A');
	EXPECT_EQ(pick_to(lblc, "10.10.0.2"), 'B');

	Service lblcr(xvs_sched_lblcr, {{'A', 1}, {'B', 1}});
	EXPECT_EQ(pick_to(lblcr, "10.10.0.1"), 'A');
	lblcr.overload('A', true);
	EXPECT_EQ(pick_to(lblcr, "10.10.0.1"), 'B');	// joins: {B, A}
	lblcr.overload('A', false);
	lblcr.conns('B', 1, 0);
	EXPECT_EQ(pick_to(lblcr, "10.10.0.1"), 'A');	// the lighter member
}

TEST_F(LblcTest, LblcWeightZeroAndRemovalReassign)
{
	Service svc(xvs_sched_lblc, {{'A', 1}, {'B', 1}, {'C', 1}});
	EXPECT_EQ(pick_to(svc, "10.10.0.1"), 'A');
	svc.conns('A', 0, 1);
	EXPECT_EQ(pick_to(svc, "10.10.0.2"), 'B');	// 0 beats A's 1
	svc.conns('B', 0, 2);
	// Weight 0: X is reassigned; wlc skips A as first candidate, B
	// (2) loses to C (0).
	svc.set_weight('A', 0);
	EXPECT_EQ(pick_to(svc, "10.10.0.1"), 'C');
	EXPECT_EQ(allocs(), 2);
	// Removed: its entries go with it, the address is scheduled anew.
	svc.remove('B');
	EXPECT_EQ(allocs(), 1);
	EXPECT_EQ(pick_to(svc, "10.10.0.2"), 'C');
	svc.set_weight('A', 1);
	svc.conns('C', 0, 5);
	EXPECT_EQ(pick_to(svc, "10.10.0.2"), 'C');	// sticks
	// Removal not naming the destination: found by the set.
	svc.remove('C', false);
	EXPECT_EQ(allocs(), 0);
	EXPECT_EQ(pick_to(svc, "10.10.0.2"), 'A');
	svc.remove('A');
	EXPECT_EQ(pick_to(svc, "10.10.0.2"), '-');
	EXPECT_EQ(allocs(), 0);
}

// Full expiration check on every thirtieth gc call; lblc_expiration from
// the knobs, 24 hours without them.
TEST_F(LblcTest, LblcExpiry)
{
	const xvs_sched_knobs knobs{100, 12345};
	Service svc(xvs_sched_lblc, {{'A', 1}, {'B', 1}});
	EXPECT_EQ(pick_to(svc, "10.10.0.1"), 'A');	// lastuse 1000
	svc.conns('A', 1, 0);

	xvs_host_jiffies = kT0 + 99;
	gc_times(svc, 29, &knobs);
	EXPECT_EQ(allocs(), 1);
	svc.gc(&knobs);			// 30th: full check, 1099 < 1100
	EXPECT_EQ(allocs(), 1);

	xvs_host_jiffies = kT0 + 100;
	gc_times(svc, 30, nullptr);	// 24 hours: kept
	EXPECT_EQ(allocs(), 1);
	gc_times(svc, 29, &knobs);	// not yet a full check
	EXPECT_EQ(allocs(), 1);
	svc.gc(&knobs);
	EXPECT_EQ(allocs(), 0);
	EXPECT_EQ(pick_to(svc, "10.10.0.1"), 'B');	// wlc afresh

	// A use refreshes the entry.
	xvs_host_jiffies = kT0 + 24L * 3600 * XVS_HZ;
	gc_times(svc, 30, nullptr);
	EXPECT_EQ(allocs(), 1);
	xvs_host_jiffies = kT0 + 100 + 24L * 3600 * XVS_HZ;
	gc_times(svc, 30, nullptr);
	EXPECT_EQ(allocs(), 0);
}

// Beyond 16 entries per bucket, each gc call drops entries idle for six
// minutes, (entries - 16384) * 4 / 3 of them, finishing the last bucket.
TEST_F(LblcTest, LblcOversizedTableShrinks)
{
	Service svc(xvs_sched_lblc, {{'A', 1}});
	char addr[32];
	for (int i = 0; i < 20000; i++) {
		std::snprintf(addr, sizeof(addr), "10.%d.%d.%d", i >> 16,
			      (i >> 8) & 255, i & 255);
		ASSERT_EQ(pick_to(svc, addr), 'A');
	}
	ASSERT_EQ(allocs(), 20000);
	xvs_host_jiffies = kT0 + 6 * 60 * XVS_HZ - 1;
	svc.gc();
	EXPECT_EQ(allocs(), 20000);
	xvs_host_jiffies = kT0 + 6 * 60 * XVS_HZ;
	svc.gc();
	const long goal = (20000 - 16384) * 4 / 3;	// 4821
	EXPECT_LE(allocs(), 20000 - goal);
	EXPECT_GT(allocs(), 20000 - goal - 100);	// one bucket's worth
}

// New entries are refused beyond 24576 (1.5 times 16 per bucket); the
// packets are still scheduled.
TEST_F(LblcTest, LblcTableCap)
{
	Service svc(xvs_sched_lblc, {{'A', 1}});
	char addr[32];
	for (int i = 0; i < 24600; i++) {
		std::snprintf(addr, sizeof(addr), "10.%d.%d.%d", i >> 16,
			      (i >> 8) & 255, i & 255);
		ASSERT_EQ(pick_to(svc, addr), 'A');
	}
	EXPECT_EQ(allocs(), 24576);
}

TEST_F(LblcTest, LblcIpv6)
{
	Service svc(xvs_sched_lblc, {{'A', 1}, {'B', 1}}, XVS_AF_INET6);
	EXPECT_EQ(pick_to(svc, "2001:db8::1"), 'A');
	svc.conns('A', 1, 0);
	EXPECT_EQ(pick_to(svc, "2001:db8::1"), 'A');
	EXPECT_EQ(pick_to(svc, "2001:db8::2"), 'B');
	// Same 32-bit fold (the XOR of the words), different address.
	EXPECT_EQ(pick_to(svc, "2001:db8:0:1::1:0:1"), 'B');
	EXPECT_EQ(allocs(), 3);
	EXPECT_EQ(svc.schedule(nullptr), nullptr);
}

TEST_F(LblcTest, LblcrGrowsAndUsesLeastLoadedMember)
{
	Service svc(xvs_sched_lblcr, {{'A', 1}, {'B', 4}});
	EXPECT_EQ(pick_to(svc, "10.10.0.1"), 'A');	// set {A}
	EXPECT_EQ(allocs(), 2);				// entry + member
	// A over its weight while B is below half: wlc adds B, {B, A}.
	svc.conns('A', 2, 0);
	svc.conns('B', 1, 0);
	EXPECT_EQ(pick_to(svc, "10.10.0.1"), 'B');
	EXPECT_EQ(allocs(), 3);
	// Least loaded member: B 257 / 4 against A 514 / 1.
	EXPECT_EQ(pick_to(svc, "10.10.0.1"), 'B');
	// B 2056 / 4 against A 0 / 1: A, not overloaded.
	svc.conns('A', 0, 0);
	svc.conns('B', 8, 0);
	EXPECT_EQ(pick_to(svc, "10.10.0.1"), 'A');
	// Tie (A 257 / 1, B 1028 / 4): the newest member, B.
	svc.conns('A', 1, 0);
	svc.conns('B', 4, 0);
	EXPECT_EQ(pick_to(svc, "10.10.0.1"), 'B');
	EXPECT_EQ(allocs(), 3);
}

TEST_F(LblcTest, LblcrExpiredSetShedsMostLoaded)
{
	const xvs_sched_knobs knobs{12345, 100};
	Service svc(xvs_sched_lblcr, {{'A', 1}, {'B', 4}});
	EXPECT_EQ(pick_to(svc, "10.10.0.1"), 'A');
	svc.conns('A', 2, 0);
	svc.conns('B', 1, 0);
	EXPECT_EQ(pick_to(svc, "10.10.0.1"), 'B');	// {B, A}, lastmod 1000

	svc.conns('A', 3, 0);	// 771 / 1
	svc.conns('B', 2, 0);	// 514 / 4
	svc.input().knobs = &knobs;
	xvs_host_jiffies = kT0 + 100;	// not after lastmod + 100
	EXPECT_EQ(pick_to(svc, "10.10.0.1"), 'B');
	EXPECT_EQ(allocs(), 3);
	svc.input().knobs = nullptr;	// 24 hours
	xvs_host_jiffies = kT0 + 101;
	EXPECT_EQ(pick_to(svc, "10.10.0.1"), 'B');
	EXPECT_EQ(allocs(), 3);
	svc.input().knobs = &knobs;
	EXPECT_EQ(pick_to(svc, "10.10.0.1"), 'B');	// A, most loaded, left
	EXPECT_EQ(allocs(), 2);
	// With A in the set this would go to A (0 active); now {B}.
	svc.conns('A', 0, 0);
	EXPECT_EQ(pick_to(svc, "10.10.0.1"), 'B');
	// A single member is never shed.
	xvs_host_jiffies = kT0 + 1000;
	EXPECT_EQ(pick_to(svc, "10.10.0.1"), 'B');
	EXPECT_EQ(allocs(), 2);
}

TEST_F(LblcTest, LblcrUnusableMembersAndRemoval)
{
	Service svc(xvs_sched_lblcr, {{'A', 1}, {'B', 1}, {'C', 1}});
	EXPECT_EQ(pick_to(svc, "10.10.0.1"), 'A');	// {A}
	svc.conns('A', 0, 3);
	svc.set_weight('A', 0);		// no usable member: wlc, B
	EXPECT_EQ(pick_to(svc, "10.10.0.1"), 'B');	// {B, A}
	EXPECT_EQ(allocs(), 3);
	svc.overload('B', true);	// wlc: C
	EXPECT_EQ(pick_to(svc, "10.10.0.1"), 'C');	// {C, B, A}
	EXPECT_EQ(allocs(), 4);
	svc.overload('B', false);
	svc.remove('C');		// leaves the set: {B, A}
	EXPECT_EQ(allocs(), 3);
	svc.remove('A', false);		// found by the set: {B}
	EXPECT_EQ(allocs(), 2);
	EXPECT_EQ(pick_to(svc, "10.10.0.1"), 'B');
	svc.remove('B');		// the entry stays, empty
	EXPECT_EQ(allocs(), 1);
	EXPECT_EQ(pick_to(svc, "10.10.0.1"), '-');
	svc.add('D', 1);
	EXPECT_EQ(pick_to(svc, "10.10.0.1"), 'D');	// joins the entry
	EXPECT_EQ(allocs(), 2);
}

TEST_F(LblcTest, LblcrEntryExpiry)
{
	const xvs_sched_knobs knobs{12345, 100};
	Service svc(xvs_sched_lblcr, {{'A', 1}, {'B', 1}});
	EXPECT_EQ(pick_to(svc, "10.10.0.1"), 'A');
	EXPECT_EQ(pick_to(svc, "10.10.0.2"), 'A');
	xvs_host_jiffies = kT0 + 50;
	EXPECT_EQ(pick_to(svc, "10.10.0.2"), 'A');	// lastuse 1050
	xvs_host_jiffies = kT0 + 100;
	gc_times(svc, 30, &knobs);	// drops 10.10.0.1 only
	EXPECT_EQ(allocs(), 2);
	svc.conns('A', 1, 0);
	EXPECT_EQ(pick_to(svc, "10.10.0.1"), 'B');	// afresh
	EXPECT_EQ(pick_to(svc, "10.10.0.2"), 'A');	// kept
}

} // namespace
