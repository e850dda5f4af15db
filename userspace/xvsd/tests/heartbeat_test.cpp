// The heartbeat protocol and the failover state machine, driven by an
// injected clock over a simulated link that can lose packets.
#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include "heartbeat.hpp"

using namespace xvsd;
using namespace std::chrono_literals;

namespace {

AuthKeys keys_with(AuthKey::Method m, const std::string &secret)
{
	AuthKeys k;
	k.active = 1;
	AuthKey key;
	key.index = 1;
	key.method = m;
	key.secret = secret;
	k.keys.push_back(key);
	return k;
}

HaParams params(const std::string &self, const std::string &peer, bool home, bool failback)
{
	HaParams p;
	p.self = self;
	p.peer = peer;
	p.home = home;
	p.auto_failback = failback;
	p.keepalive = 1000ms;
	p.deadtime = 4000ms;
	p.warntime = 2000ms;
	p.initdead = 8000ms;
	return p;
}

// Two nodes, ha1 (home) and ha2, on one simulated link.  Every packet
// goes through encode/decode with the configured keys.
struct Cluster {
	AuthKeys keys = keys_with(AuthKey::Method::Sha256, "s3cret");
	SteadyTime now{std::chrono::seconds(1000)};
	std::unique_ptr<HaNode> node[2];
	bool up[2] = {false, false};
	bool failback = true;
	// drop(from, to): true loses the packet
	std::function<bool(int, int)> drop = [](int, int) { return false; };
	int both_held = 0;			// steps where both held the group
	int acquisitions[2] = {0, 0};
	int releases[2] = {0, 0};
	std::vector<std::string> log[2];
	std::uint64_t gen = 1;

	void start(int i)
	{
		node[i] = std::make_unique<HaNode>(
			params(i ? "ha2" : "ha1", i ? "ha1" : "ha2", i == 0, failback), gen++, now);
		up[i] = true;
	}
	void apply(int i, const HaNode::Actions &a)
	{
		acquisitions[i] += a.acquire;
		releases[i] += a.release;
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
		if (!up[j] || drop(i, j))
			return;
		std::string why;
		auto p = decode_packet(wire, keys, why);
		ASSERT_TRUE(p) << why;
		apply(j, node[j]->receive(*p, now));
	}
	void stop_hard(int i) { up[i] = false; }
	void stop_graceful(int i)
	{
		apply(i, node[i]->shutdown());
		up[i] = false;
	}
	void step(std::chrono::milliseconds dt = 100ms)
	{
		now += dt;
		for (int i = 0; i < 2; i++) {
			if (!up[i])
				continue;
			apply(i, node[i]->tick(now));
			if (node[i]->packet_due(now))
				send(i);
		}
		if (holds(0) && holds(1))
			both_held++;
	}
	void run(std::chrono::milliseconds d)
	{
		for (auto t = 0ms; t < d; t += 100ms)
			step();
	}
	bool holds(int i) const { return up[i] && node[i]->holding(); }
	// Steps until `cond`; returns the time it took, or -1 ms.
	std::chrono::milliseconds until(const std::function<bool()> &cond,
					std::chrono::milliseconds limit = 60s)
	{
		for (auto t = 0ms; t <= limit; t += 100ms) {
			if (cond())
				return t;
			step();
		}
		return -1ms;
	}
};

} // namespace

TEST(HbPacket, RoundTripAndAuthentication)
{
	AuthKeys keys = keys_with(AuthKey::Method::Sha1, "ultramonkey");
	HbPacket p;
	p.node = "ha1.wowlinux.com";
	p.gen = 42;
	p.seq = 7;
	p.holding = true;
	std::string wire = encode_packet(p, keys);
	std::string why;
	auto q = decode_packet(wire, keys, why);
	ASSERT_TRUE(q) << why;
	EXPECT_EQ(q->node, p.node);
	EXPECT_EQ(q->gen, 42u);
	EXPECT_EQ(q->seq, 7u);
	EXPECT_TRUE(q->holding);
	EXPECT_FALSE(q->leaving);

	// a changed field fails the digest
	std::string forged = wire;
	forged.replace(forged.find("hold=1"), 6, "hold=0");
	EXPECT_FALSE(decode_packet(forged, keys, why));
	EXPECT_NE(why.find("authentication failed"), std::string::npos);
	// another secret, another method, an unknown key index
	EXPECT_FALSE(decode_packet(wire, keys_with(AuthKey::Method::Sha1, "other"), why));
	EXPECT_FALSE(decode_packet(wire, keys_with(AuthKey::Method::Md5, "ultramonkey"), why));
	AuthKeys k2 = keys;
	k2.keys[0].index = 2;
	k2.active = 2;
	EXPECT_FALSE(decode_packet(wire, k2, why));
	EXPECT_EQ(why, "unknown auth key 1");
	// garbage
	EXPECT_FALSE(decode_packet("", keys, why));
	EXPECT_FALSE(decode_packet(">>>\nt=status\n<<<\n", keys, why));
	EXPECT_FALSE(decode_packet(wire.substr(0, wire.size() - 2), keys, why));
}

TEST(HbPacket, EveryMethodSignsAndVerifies)
{
	for (auto m : {AuthKey::Method::Crc, AuthKey::Method::Md5, AuthKey::Method::Sha1,
		       AuthKey::Method::Sha256}) {
		AuthKeys keys = keys_with(m, m == AuthKey::Method::Crc ? "" : "k");
		HbPacket p;
		p.node = "a";
		p.gen = 1;
		p.seq = 1;
		std::string why;
		EXPECT_TRUE(decode_packet(encode_packet(p, keys), keys, why)) << why;
	}
}

TEST(HaNode, StartupHomeNodeTakesTheGroup)
{
	Cluster c;
	c.start(0);
	c.start(1);
	auto t = c.until([&] { return c.holds(0); });
	ASSERT_GE(t.count(), 0);
	c.run(20s);
	EXPECT_TRUE(c.holds(0));
	EXPECT_FALSE(c.holds(1));
	EXPECT_EQ(c.both_held, 0);
	EXPECT_EQ(c.node[1]->peer_state(), PeerState::Up);
}

TEST(HaNode, LoneNodeWaitsInitdead)
{
	Cluster c;
	c.start(1);
	c.run(7s);
	EXPECT_FALSE(c.holds(1));	// initdead is 8 s
	c.run(2s);
	EXPECT_TRUE(c.holds(1));
	EXPECT_EQ(c.node[1]->peer_state(), PeerState::Dead);
}

TEST(HaNode, MasterCrashTakeoverAfterDeadtime)
{
	Cluster c;
	c.start(0);
	c.start(1);
	c.run(10s);
	ASSERT_TRUE(c.holds(0));
	c.stop_hard(0);
	auto t = c.until([&] { return c.holds(1); });
	// declared dead after deadtime (4 s) of silence since the last packet
	EXPECT_GE(t.count(), 3000);
	EXPECT_LE(t.count(), 5100);
	EXPECT_EQ(c.node[1]->takeovers(), 1u);
	bool logged = false;
	for (auto &l : c.log[1])
		logged |= l.find("node ha1 is dead") != std::string::npos;
	EXPECT_TRUE(logged);
}

TEST(HaNode, GracefulStopTakeoverIsImmediate)
{
	Cluster c;
	c.start(0);
	c.start(1);
	c.run(10s);
	c.stop_graceful(0);
	EXPECT_TRUE(c.holds(1));	// on the "leaving" packet itself
	EXPECT_EQ(c.releases[0], 1);
}

TEST(HaNode, AutoFailbackReturnsToHomeWithoutOverlap)
{
	Cluster c;
	c.start(0);
	c.start(1);
	c.run(10s);
	c.stop_graceful(0);
	c.run(5s);
	ASSERT_TRUE(c.holds(1));
	c.start(0);
	auto t = c.until([&] { return c.holds(0); });
	ASSERT_GE(t.count(), 0);
	EXPECT_LE(t.count(), 2000);	// within a keepalive or two, not initdead
	c.run(10s);
	EXPECT_TRUE(c.holds(0));
	EXPECT_FALSE(c.holds(1));
	EXPECT_EQ(c.both_held, 0);
	EXPECT_EQ(c.releases[1], 1);
}

TEST(HaNode, NoAutoFailbackKeepsTheGroup)
{
	Cluster c;
	c.failback = false;
	c.start(0);
	c.start(1);
	c.run(10s);
	ASSERT_TRUE(c.holds(0));
	c.stop_graceful(0);
	c.run(5s);
	c.start(0);
	c.run(20s);
	EXPECT_TRUE(c.holds(1));
	EXPECT_FALSE(c.holds(0));
	EXPECT_EQ(c.both_held, 0);
}

TEST(HaNode, ShortPacketLossDoesNotFlap)
{
	Cluster c;
	c.start(0);
	c.start(1);
	c.run(10s);
	ASSERT_TRUE(c.holds(0));
	// lose everything for 3 s of every 6 s (deadtime is 4 s), for a
	// simulated ten minutes: warnings, but never a takeover
	SteadyTime base = c.now;
	c.drop = [&](int, int) {
		auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(c.now - base).count();
		return ms % 6000 < 3000;
	};
	c.run(600s);
	EXPECT_TRUE(c.holds(0));
	EXPECT_FALSE(c.holds(1));
	EXPECT_EQ(c.node[1]->takeovers(), 0u);
	EXPECT_EQ(c.both_held, 0);
	bool warned = false;
	for (auto &l : c.log[1])
		warned |= l.find("late heartbeat") != std::string::npos;
	EXPECT_TRUE(warned);
}

TEST(HaNode, PartitionLongerThanDeadtimeHealsToOneHolder)
{
	Cluster c;
	c.start(0);
	c.start(1);
	c.run(10s);
	c.drop = [](int, int) { return true; };
	c.run(6s);
	EXPECT_TRUE(c.holds(0));
	EXPECT_TRUE(c.holds(1));	// split brain while partitioned
	c.drop = [](int, int) { return false; };
	c.both_held = 0;
	auto t = c.until([&] { return !c.holds(1); });
	ASSERT_GE(t.count(), 0);
	EXPECT_LE(t.count(), 1500);
	c.run(10s);
	EXPECT_TRUE(c.holds(0));
	EXPECT_FALSE(c.holds(1));
}

TEST(HaNode, ReplaysAndStrangersAreIgnored)
{
	HaNode n(params("ha2", "ha1", false, true), 9, SteadyTime{});
	HbPacket p;
	p.node = "ha1";
	p.gen = 5;
	p.seq = 10;
	p.holding = true;
	SteadyTime t{std::chrono::seconds(1)};
	n.receive(p, t);
	EXPECT_EQ(n.peer_state(), PeerState::Up);
	EXPECT_TRUE(n.peer_holding());
	// the same sequence number again, and an older one: replays
	p.holding = false;
	n.receive(p, t + 1s);
	p.seq = 9;
	n.receive(p, t + 1s);
	EXPECT_TRUE(n.peer_holding());
	EXPECT_EQ(n.rejected(), 2u);
	p.node = "intruder";
	p.seq = 11;
	n.receive(p, t + 1s);
	EXPECT_EQ(n.rejected(), 3u);
	EXPECT_TRUE(n.peer_holding());
}

TEST(HaNode, HealedPartitionReannouncesOnce)
{
	HaNode n(params("ha1", "ha2", true, true), 3, SteadyTime{});
	SteadyTime t{std::chrono::seconds(100)};
	auto a = n.tick(t);	// initdead passed, peer never heard: take it
	EXPECT_TRUE(a.acquire);
	HbPacket p;
	p.node = "ha2";
	p.gen = 8;
	p.seq = 1;
	p.holding = true;
	a = n.receive(p, t + 1s);
	EXPECT_TRUE(n.holding());
	EXPECT_TRUE(a.reannounce);
	p.seq = 2;
	a = n.receive(p, t + 2s);
	EXPECT_FALSE(a.reannounce);	// once per conflict
	p.seq = 3;
	p.holding = false;
	n.receive(p, t + 3s);
	p.seq = 4;
	p.holding = true;
	a = n.receive(p, t + 4s);
	EXPECT_TRUE(a.reannounce);	// a new conflict
}

TEST(HaNode, PeerBackFromDeadMakesTheHolderReannounce)
{
	HaNode n(params("ha1", "ha2", true, true), 3, SteadyTime{});
	SteadyTime t{std::chrono::seconds(100)};
	HbPacket p;
	p.node = "ha2";
	p.gen = 8;
	p.seq = 1;
	n.receive(p, t);
	EXPECT_TRUE(n.holding());
	auto a = n.tick(t + 5s);	// deadtime 4 s
	EXPECT_EQ(n.peer_state(), PeerState::Dead);
	EXPECT_FALSE(a.reannounce);
	p.seq = 2;			// back, not holding (already released)
	a = n.receive(p, t + 6s);
	EXPECT_TRUE(a.reannounce);
	EXPECT_TRUE(n.holding());
}

TEST(HbPacket, FullRangeGenerationNumbers)
{
	AuthKeys keys = keys_with(AuthKey::Method::Crc, "");
	HbPacket p;
	p.node = "n";
	p.gen = 18446744073709551615ull;	// 20 digits
	p.seq = 18446744073709551614ull;
	std::string why;
	auto q = decode_packet(encode_packet(p, keys), keys, why);
	ASSERT_TRUE(q) << why;
	EXPECT_EQ(q->gen, p.gen);
	EXPECT_EQ(q->seq, p.seq);
}
