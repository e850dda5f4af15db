// Several resource groups between two nodes (seed 003's two directors,
// each the home of its own VIP): both active at once, each takes the
// other's group when it dies and gives it back when it returns.  Injected
// clock, every packet through encode/decode.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>

#include "daemon.hpp"
#include "ha_cf.hpp"
#include "ha_groups.hpp"

using namespace xvsd;
using namespace std::chrono_literals;

namespace {

AuthKeys crc_keys()
{
	AuthKeys k;
	k.active = 1;
	AuthKey key;
	key.index = 1;
	key.method = AuthKey::Method::Crc;
	k.keys.push_back(key);
	return k;
}

// ippvs0 is the home of group 0 (203.1.1.10), ippvs1 of group 1 (.11).
struct Pair {
	AuthKeys keys = crc_keys();
	SteadyTime now{std::chrono::seconds(1000)};
	std::unique_ptr<HaGroups> node[2];
	bool up[2] = {false, false};
	bool failback = true;
	std::uint64_t gen = 11;
	bool cut = false;			// the link loses every packet
	int both_held[2] = {0, 0};		// steps where both held group g
	std::vector<std::string> log[2];

	void start(int i)
	{
		HaParams p;
		p.self = i ? "ippvs1" : "ippvs0";
		p.peer = i ? "ippvs0" : "ippvs1";
		p.auto_failback = failback;
		p.keepalive = 500ms;
		p.deadtime = 3000ms;
		p.warntime = 1500ms;
		p.initdead = 6000ms;
		node[i] = std::make_unique<HaGroups>(p, std::vector<bool>{i == 0, i == 1},
						     std::vector<std::string>{"203.1.1.10", "203.1.1.11"},
						     gen++, now);
		up[i] = true;
	}
	void apply(int i, const HaGroups::Actions &a)
	{
		for (auto &l : a.log)
			log[i].push_back(l);
		if (a.send_now)
			send(i);
	}
	void send(int i)
	{
		std::string wire = encode_packet(node[i]->next_packet(), keys);
		node[i]->sent(now);
		int j = 1 - i;
		if (!up[j] || cut)
			return;
		std::string why;
		auto p = decode_packet(wire, keys, why);
		ASSERT_TRUE(p) << why;
		apply(j, node[j]->receive(*p, now));
	}
	void step()
	{
		now += 100ms;
		for (int i = 0; i < 2; i++) {
			if (!up[i])
				continue;
			apply(i, node[i]->tick(now));
			if (node[i]->packet_due(now))
				send(i);
		}
		for (int g = 0; g < 2; g++)
			if (holds(0, g) && holds(1, g))
				both_held[g]++;
	}
	void run(std::chrono::milliseconds d)
	{
		for (auto t = 0ms; t < d; t += 100ms)
			step();
	}
	bool holds(int i, int g) const { return up[i] && node[i]->holding(g); }
	std::chrono::milliseconds until(const std::function<bool()> &cond,
					std::chrono::milliseconds limit = 30s)
	{
		for (auto t = 0ms; t <= limit; t += 100ms) {
			if (cond())
				return t;
			step();
		}
		return -1ms;
	}
	int count(int i, const std::string &text) const
	{
		int n = 0;
		for (auto &l : log[i])
			n += l.find(text) != std::string::npos;
		return n;
	}
};

} // namespace

TEST(HbPacket, OneHoldingFlagPerGroup)
{
	AuthKeys keys = crc_keys();
	HbPacket p;
	p.node = "ippvs0";
	p.gen = 3;
	p.seq = 9;
	p.holding = false;
	p.also = {true, false};
	std::string wire = encode_packet(p, keys);
	EXPECT_NE(wire.find("\nhold=010\n"), std::string::npos) << wire;
	std::string why;
	auto q = decode_packet(wire, keys, why);
	ASSERT_TRUE(q) << why;
	EXPECT_FALSE(q->holding);
	EXPECT_EQ(q->also, (std::vector<bool>{true, false}));
	// one group: the packet is what it always was
	p.holding = true;
	p.also.clear();
	wire = encode_packet(p, keys);
	EXPECT_NE(wire.find("\nhold=1\n"), std::string::npos);
	q = decode_packet(wire, keys, why);
	ASSERT_TRUE(q) << why;
	EXPECT_TRUE(q->holding);
	EXPECT_TRUE(q->also.empty());
	// anything but 0 and 1 is malformed (signed correctly or not)
	std::string bad = wire;
	bad.replace(bad.find("hold=1"), 6, "hold=2");
	EXPECT_FALSE(decode_packet(bad, keys, why));
}

TEST(HaGroups, EachDirectorHoldsItsOwnGroup)
{
	Pair c;
	c.start(0);
	c.start(1);
	auto t = c.until([&] { return c.holds(0, 0) && c.holds(1, 1); });
	ASSERT_GE(t.count(), 0);
	c.run(10s);
	EXPECT_TRUE(c.holds(0, 0));
	EXPECT_FALSE(c.holds(0, 1));
	EXPECT_TRUE(c.holds(1, 1));
	EXPECT_FALSE(c.holds(1, 0));
	EXPECT_EQ(c.both_held[0], 0);
	EXPECT_EQ(c.both_held[1], 0);
	EXPECT_TRUE(c.node[0]->peer_holding(1));
	EXPECT_FALSE(c.node[0]->peer_holding(0));
	// the peer's status is logged once, not once per group
	EXPECT_EQ(c.count(0, "node ippvs1: status up"), 1);
	EXPECT_EQ(c.count(0, "acquiring resource group 203.1.1.10: home node and auto_failback on"), 1);
	EXPECT_EQ(c.count(0, "acquiring resource group 203.1.1.11"), 0);
}

TEST(HaGroups, CrashOfOneTheOtherTakesBothAndGivesBack)
{
	Pair c;
	c.start(0);
	c.start(1);
	c.run(8s);
	ASSERT_TRUE(c.holds(0, 0) && c.holds(1, 1));
	c.up[0] = false;			// ippvs0 crashes
	auto t = c.until([&] { return c.holds(1, 0); });
	EXPECT_GE(t.count(), 2000);
	EXPECT_LE(t.count(), 3600);
	EXPECT_TRUE(c.holds(1, 1));		// kept its own all along
	EXPECT_EQ(c.count(1, "node ippvs0 is dead: no heartbeat"), 1);
	EXPECT_EQ(c.count(1, "acquiring resource group 203.1.1.10: node ippvs0 is dead"), 1);
	EXPECT_EQ(c.node[1]->takeovers(), 2u);	// its own at start, then ippvs0's
	// ippvs0 comes back (a new incarnation): each gets its own group back
	c.start(0);
	t = c.until([&] { return c.holds(0, 0) && !c.holds(1, 0); });
	ASSERT_GE(t.count(), 0);
	c.run(5s);
	EXPECT_TRUE(c.holds(0, 0));
	EXPECT_FALSE(c.holds(0, 1));
	EXPECT_TRUE(c.holds(1, 1));
	EXPECT_FALSE(c.holds(1, 0));
	EXPECT_EQ(c.both_held[0], 0);		// handed over, never held twice
	EXPECT_EQ(c.both_held[1], 0);
}

TEST(HaGroups, GracefulStopHandsTheGroupOverAtOnce)
{
	Pair c;
	c.start(0);
	c.start(1);
	c.run(8s);
	auto a = c.node[1]->shutdown();
	EXPECT_EQ(a.release, (std::vector<std::size_t>{1}));
	c.apply(1, a);				// sends "leaving"
	c.up[1] = false;
	EXPECT_TRUE(c.holds(0, 1));		// on the leaving packet itself
	EXPECT_TRUE(c.holds(0, 0));
	c.start(1);
	auto t = c.until([&] { return c.holds(1, 1) && !c.holds(0, 1); });
	ASSERT_GE(t.count(), 0);
	EXPECT_TRUE(c.holds(0, 0));
	EXPECT_EQ(c.both_held[1], 0);
}

TEST(HaGroups, HealedPartitionEachHomeKeepsItsGroup)
{
	Pair c;
	c.start(0);
	c.start(1);
	c.run(8s);
	// the link fails, both run on: each takes the other's group too
	c.cut = true;
	c.run(5s);
	EXPECT_TRUE(c.holds(0, 0) && c.holds(0, 1));
	EXPECT_TRUE(c.holds(1, 0) && c.holds(1, 1));
	// it heals: each group stays with its home node only
	c.cut = false;
	auto t = c.until([&] { return !c.holds(0, 1) && !c.holds(1, 0); }, 5s);
	EXPECT_GE(t.count(), 0);
	EXPECT_TRUE(c.holds(0, 0));
	EXPECT_TRUE(c.holds(1, 1));
	EXPECT_EQ(c.count(0, "releasing resource group 203.1.1.11"), 1);
	EXPECT_EQ(c.count(1, "releasing resource group 203.1.1.10"), 1);
}

TEST(HaGroups, OneGroupIsTheSingleStateMachine)
{
	HaParams p;
	p.self = "ha1";
	p.peer = "ha2";
	p.initdead = 1000ms;
	SteadyTime t0{std::chrono::seconds(5)};
	HaGroups g(p, {true}, {"211.58.250.6"}, 1, t0);
	auto a = g.tick(t0 + 1500ms);
	ASSERT_EQ(a.acquire, (std::vector<std::size_t>{0}));
	// with one group the messages are heartbeat's own words
	bool plain = false;
	for (auto &l : a.log)
		plain |= l.rfind("acquiring the resource group: node ha2 is dead", 0) == 0;
	EXPECT_TRUE(plain);
	HbPacket pk = g.next_packet();
	EXPECT_TRUE(pk.holding);
	EXPECT_TRUE(pk.also.empty());
}

namespace {

// A configuration directory of two directors with the given haresources.
struct HaDir {
	std::string dir;
	explicit HaDir(const std::string &haresources)
	{
		char tmpl[] = "/tmp/xvsd-groups-XXXXXX";
		dir = ::mkdtemp(tmpl);
		write("ldirectord.cf", "virtual=203.1.1.10:8080\n\treal=10.1.1.1:8080 masq\n");
		write("ha.cf", "keepalive 1\ndeadtime 4\nbcast eth0\nnode ippvs0\nnode ippvs1\n");
		write("authkeys", "auth 1\n1 crc\n");
		::chmod((dir + "/authkeys").c_str(), 0600);
		write("haresources", haresources);
	}
	~HaDir() { std::filesystem::remove_all(dir); }
	void write(const std::string &name, const std::string &text)
	{
		std::ofstream(dir + "/" + name) << text;
	}
	int check(const std::string &node)
	{
		Options o;
		o.ha_dir = dir;
		o.config = dir + "/ldirectord.cf";
		o.node = node;
		return check_config(o);
	}
};

} // namespace

TEST(HaGroups, ConfigurationOfSeveralGroups)
{
	HaDir ok("ippvs0 IPaddr::203.1.1.10/24/eth0 IPaddr::10.1.1.254/24/eth1\n"
		 "ippvs1 IPaddr::203.1.1.11/24/eth0 IPaddr::10.1.1.253/24/eth1\n");
	EXPECT_EQ(ok.check("ippvs0"), 0);
	EXPECT_EQ(ok.check("ippvs1"), 0);
	// an address in two groups: releasing one would take it from the other
	HaDir twice("ippvs0 IPaddr::203.1.1.10/24/eth0\n"
		    "ippvs1 IPaddr::203.1.1.11/24/eth0 IPaddr::203.1.1.10/24/eth0\n");
	EXPECT_EQ(twice.check("ippvs0"), 1);
	// every group's home node must be one of the two
	HaDir stranger("ippvs0 IPaddr::203.1.1.10/24/eth0\nippvs2 IPaddr::203.1.1.11/24/eth0\n");
	EXPECT_EQ(stranger.check("ippvs0"), 1);
}
