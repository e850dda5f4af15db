#include "ha_groups.hpp"

#include <algorithm>

namespace xvsd {

HaGroups::HaGroups(const HaParams &base, const std::vector<bool> &homes,
		   std::vector<std::string> labels, std::uint64_t gen, SteadyTime start)
	: labels_(std::move(labels))
{
	for (bool home : homes) {
		HaParams p = base;
		p.home = home;
		nodes_.push_back(std::make_unique<HaNode>(p, gen, start));
	}
	labels_.resize(nodes_.size());
}

// The state machines' messages: about the group ("acquiring the resource
// group: ...") they name it when there are several; about the peer they
// are the same text from every machine, and logged once.
void HaGroups::merge(std::size_t g, HaNode::Actions a, Actions &out) const
{
	for (auto &l : a.log) {
		if (nodes_.size() > 1 && !labels_[g].empty()) {
			static const std::string generic = "the resource group";
			auto at = l.find(generic);
			if (at != std::string::npos)
				l.replace(at, generic.size(), "resource group " + labels_[g]);
		}
		if (std::find(out.log.begin(), out.log.end(), l) == out.log.end())
			out.log.push_back(l);
	}
	if (a.acquire)
		out.acquire.push_back(g);
	if (a.release)
		out.release.push_back(g);
	if (a.reannounce)
		out.reannounce.push_back(g);
	out.send_now = out.send_now || a.send_now;
}

HaGroups::Actions HaGroups::receive(const HbPacket &p, SteadyTime now)
{
	Actions out;
	for (std::size_t g = 0; g < nodes_.size(); g++) {
		// each machine sees the packet with its own group's flag (a
		// peer with fewer groups holds none of the others)
		HbPacket q = p;
		q.holding = g == 0 ? p.holding : g - 1 < p.also.size() && p.also[g - 1];
		q.also.clear();
		merge(g, nodes_[g]->receive(q, now), out);
	}
	return out;
}

HaGroups::Actions HaGroups::tick(SteadyTime now)
{
	Actions out;
	for (std::size_t g = 0; g < nodes_.size(); g++)
		merge(g, nodes_[g]->tick(now), out);
	return out;
}

HaGroups::Actions HaGroups::shutdown()
{
	Actions out;
	for (std::size_t g = 0; g < nodes_.size(); g++)
		merge(g, nodes_[g]->shutdown(), out);
	return out;
}

HbPacket HaGroups::next_packet()
{
	// every machine numbers the packets alike (the peer's machines each
	// check the sequence); the first one's packet carries them all
	HbPacket p = nodes_[0]->next_packet();
	for (std::size_t g = 1; g < nodes_.size(); g++)
		p.also.push_back(nodes_[g]->next_packet().holding);
	return p;
}

void HaGroups::sent(SteadyTime now)
{
	for (auto &n : nodes_)
		n->sent(now);
}

bool HaGroups::holding_any() const
{
	return std::any_of(nodes_.begin(), nodes_.end(), [](auto &n) { return n->holding(); });
}

bool HaGroups::peer_holding_any() const
{
	return std::any_of(nodes_.begin(), nodes_.end(), [](auto &n) { return n->peer_holding(); });
}

std::uint64_t HaGroups::takeovers() const
{
	std::uint64_t t = 0;
	for (auto &n : nodes_)
		t += n->takeovers();
	return t;
}

} // namespace xvsd
