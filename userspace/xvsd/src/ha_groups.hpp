// xvsd: several resource groups (haresources lines) between the same two
// nodes.  Each group has its own failover state machine (an HaNode whose
// home is the group's preferred node), so both directors can be active at
// once, each with its own group, and either takes the other's when it
// dies.  They share one heartbeat: one packet carries every group's
// "holding" flag, and what all the state machines say about the peer
// (status up, dead, late) is logged once.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "heartbeat.hpp"

namespace xvsd {

class HaGroups {
public:
	struct Actions {
		std::vector<std::size_t> acquire, release, reannounce;	// group indexes
		bool send_now = false;
		std::vector<std::string> log;
	};

	// `base` without `home`; homes[i]: this node is group i's preferred
	// node; labels[i] names group i in the log (used when there are
	// several groups: "resource group 203.1.1.11").
	HaGroups(const HaParams &base, const std::vector<bool> &homes,
		 std::vector<std::string> labels, std::uint64_t gen, SteadyTime start);

	Actions receive(const HbPacket &p, SteadyTime now);
	Actions tick(SteadyTime now);
	Actions shutdown();
	HbPacket next_packet();
	bool packet_due(SteadyTime now) const { return nodes_[0]->packet_due(now); }
	void sent(SteadyTime now);

	std::size_t size() const { return nodes_.size(); }
	bool holding(std::size_t g) const { return nodes_[g]->holding(); }
	bool peer_holding(std::size_t g) const { return nodes_[g]->peer_holding(); }
	bool holding_any() const;
	bool peer_holding_any() const;
	PeerState peer_state() const { return nodes_[0]->peer_state(); }
	std::uint64_t takeovers() const;
	std::uint64_t rejected() const { return nodes_[0]->rejected(); }
	void count_rejected() { nodes_[0]->count_rejected(); }

private:
	void merge(std::size_t g, HaNode::Actions a, Actions &out) const;

	std::vector<std::unique_ptr<HaNode>> nodes_;
	std::vector<std::string> labels_;
};

} // namespace xvsd
