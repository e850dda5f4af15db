// xvsd: the heartbeat protocol between two directors and the state machine
// that decides which one holds the resource group.  No sockets and no
// clock here: packets come in as text, time is passed in, decisions come
// out as Actions; so tests drive it with an injected clock and lossy links.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ha_cf.hpp"

namespace xvsd {

using SteadyTime = std::chrono::steady_clock::time_point;

struct HbPacket {
	std::string node;
	std::uint64_t gen = 0;		// incarnation: changes on every start
	std::uint64_t seq = 0;
	bool leaving = false;		// the sender is shutting down
	bool holding = false;		// the sender holds the resource group
	// With several resource groups (haresources lines): whether the
	// sender holds the second, third... ("holding" is the first's).
	std::vector<bool> also;
};

// Text packet, signed with the active key of `keys`.
std::string encode_packet(const HbPacket &p, const AuthKeys &keys);
// Parses and authenticates; nullopt with `why` set when the packet is
// malformed or fails authentication.
std::optional<HbPacket> decode_packet(std::string_view text, const AuthKeys &keys,
				      std::string &why);

struct HaParams {
	std::string self;
	std::string peer;
	bool home = false;		// self is the group's preferred node
	bool auto_failback = true;
	std::chrono::milliseconds keepalive{2000}, deadtime{30000}, warntime{10000},
		initdead{30000};
};

enum class PeerState { Unknown, Up, Dead, Left };
const char *peer_state_name(PeerState s);

class HaNode {
public:
	struct Actions {
		bool acquire = false;
		bool release = false;
		bool send_now = false;		// announce a change at once
		bool reannounce = false;	// repeat the gratuitous ARPs
		std::vector<std::string> log;	// what happened and why
	};

	HaNode(HaParams params, std::uint64_t gen, SteadyTime start);

	// A packet that passed authentication.
	Actions receive(const HbPacket &p, SteadyTime now);
	// Periodic evaluation: deadtime, warntime, initdead.
	Actions tick(SteadyTime now);
	// The next status packet (advances the sequence number).
	HbPacket next_packet();
	bool packet_due(SteadyTime now) const;
	void sent(SteadyTime now) { last_sent_ = now; }
	// Graceful stop: release the group and announce leaving.
	Actions shutdown();

	bool holding() const { return holding_; }
	PeerState peer_state() const { return peer_; }
	bool peer_holding() const { return peer_holding_; }
	std::uint64_t takeovers() const { return takeovers_; }
	std::uint64_t rejected() const { return rejected_; }
	void count_rejected() { rejected_++; }
	const HaParams &params() const { return p_; }

private:
	void decide(SteadyTime now, Actions &a);

	HaParams p_;
	std::uint64_t gen_;
	std::uint64_t seq_ = 0;
	SteadyTime start_;
	SteadyTime last_sent_{};
	bool holding_ = false;
	bool leaving_ = false;
	bool decided_ = false;		// initdead passed or the peer was heard
	PeerState peer_ = PeerState::Unknown;
	bool peer_holding_ = false;
	std::uint64_t peer_gen_ = 0, peer_seq_ = 0;
	SteadyTime peer_heard_{};
	bool warned_late_ = false;
	bool conflict_seen_ = false;	// both held at the last decision
	std::uint64_t takeovers_ = 0;
	std::uint64_t rejected_ = 0;
};

// The links the peer's packets come in on (interfaces, serial devices).
// A link is up while it carried an authenticated packet from the peer
// within deadtime; the peer is alive while any link is (HaNode hears every
// new packet, whichever link brought it first).  Every link carries a copy
// of each packet: the copies after the first are not replays.
class LinkMonitor {
public:
	enum class Verdict {
		New,		// for HaNode::receive
		Copy,		// another link brought it first
		Replay,		// this link carried it, or a newer one, before
	};
	struct Link {
		std::string name;
		bool up = false;
		bool heard_ever = false;
		SteadyTime heard{};
		std::uint64_t packets = 0;
		std::uint64_t gen = 0, seq = 0;	// the newest packet on this link
	};

	LinkMonitor(std::string peer, std::chrono::milliseconds deadtime,
		    const std::vector<std::string> &links = {});

	// An authenticated packet from the peer came in on `link`.
	Verdict heard(const std::string &link, const HbPacket &p, SteadyTime now,
		      std::vector<std::string> &log);
	// Links silent for longer than deadtime are dead.
	void tick(SteadyTime now, std::vector<std::string> &log);
	const std::vector<Link> &links() const { return links_; }

private:
	Link &find(const std::string &name);

	std::string peer_;
	std::chrono::milliseconds deadtime_;
	std::vector<Link> links_;
	std::uint64_t gen_ = 0, seq_ = 0;	// the newest packet on any link
	bool any_ = false;
};

} // namespace xvsd
