#include "heartbeat.hpp"

#include <charconv>

#include "auth.hpp"
#include "text.hpp"

namespace xvsd {

// Packet layout, one "key=value" per line:
//   >>>  t=status  node=NAME  gen=N  seq=N  st=up|leaving  hold=0|1
//   auth=INDEX DIGEST  <<<
// With several resource groups "hold" has one digit per group, in
// haresources order ("hold=10": the first held, the second not).
// The digest covers every byte before the "auth=" line.
std::string encode_packet(const HbPacket &p, const AuthKeys &keys)
{
	std::string body = ">>>\nt=status\nnode=" + p.node + "\ngen=" + std::to_string(p.gen) +
			   "\nseq=" + std::to_string(p.seq) + "\nst=" +
			   (p.leaving ? "leaving" : "up") + "\nhold=" + (p.holding ? "1" : "0");
	for (bool h : p.also)
		body += h ? '1' : '0';
	body += "\n";
	const AuthKey *k = keys.find(keys.active);
	return body + "auth=" + std::to_string(k->index) + " " + sign(*k, body) + "\n<<<\n";
}

std::optional<HbPacket> decode_packet(std::string_view text, const AuthKeys &keys,
				      std::string &why)
{
	if (text.size() > 4096 || !text.starts_with(">>>\n") || !text.ends_with("\n<<<\n")) {
		why = "malformed packet";
		return std::nullopt;
	}
	auto auth_at = text.rfind("\nauth=");
	if (auth_at == std::string_view::npos) {
		why = "unsigned packet";
		return std::nullopt;
	}
	std::string_view body = text.substr(0, auth_at + 1);
	std::string_view auth = text.substr(auth_at + 6, text.size() - 5 - (auth_at + 6));
	auto sp = auth.find(' ');
	unsigned long idx;
	if (sp == std::string_view::npos || !parse_uint(auth.substr(0, sp), 1, 15, idx)) {
		why = "malformed auth line";
		return std::nullopt;
	}
	const AuthKey *k = keys.find(static_cast<unsigned>(idx));
	if (!k) {
		why = "unknown auth key " + std::to_string(idx);
		return std::nullopt;
	}
	if (!verify(*k, body, auth.substr(sp + 1))) {
		why = "authentication failed (key " + std::to_string(idx) + ", " +
		      auth_method_name(k->method) + ")";
		return std::nullopt;
	}
	HbPacket p;
	bool have_node = false, have_gen = false, have_seq = false, have_type = false;
	std::size_t pos = 4;
	while (pos < body.size()) {
		auto nl = body.find('\n', pos);
		std::string_view l = body.substr(pos, nl - pos);
		pos = nl + 1;
		auto eq = l.find('=');
		if (eq == std::string_view::npos) {
			why = "malformed field";
			return std::nullopt;
		}
		auto key = l.substr(0, eq), val = l.substr(eq + 1);
		unsigned long long n = 0;
		auto num = [&](std::string_view v) {
			auto r = std::from_chars(v.data(), v.data() + v.size(), n);
			return !v.empty() && r.ec == std::errc() && r.ptr == v.data() + v.size();
		};
		if (key == "t") {
			have_type = val == "status";
		} else if (key == "node") {
			if (val.empty() || val.size() > 255)
				break;
			p.node = val;
			have_node = true;
		} else if (key == "gen") {
			have_gen = num(val);
			p.gen = n;
		} else if (key == "seq") {
			have_seq = num(val);
			p.seq = n;
		} else if (key == "st") {
			p.leaving = val == "leaving";
		} else if (key == "hold") {
			if (val.empty() || val.size() > 64 ||
			    val.find_first_not_of("01") != std::string_view::npos) {
				why = "malformed field";
				return std::nullopt;
			}
			p.holding = val[0] == '1';
			p.also.clear();
			for (char c : val.substr(1))
				p.also.push_back(c == '1');
		}
	}
	if (!have_type || !have_node || !have_gen || !have_seq) {
		why = "packet lacks a field";
		return std::nullopt;
	}
	return p;
}

const char *peer_state_name(PeerState s)
{
	switch (s) {
	case PeerState::Unknown: return "unknown";
	case PeerState::Up: return "up";
	case PeerState::Dead: return "dead";
	case PeerState::Left: return "left";
	}
	return "?";
}

HaNode::HaNode(HaParams params, std::uint64_t gen, SteadyTime start)
	: p_(std::move(params)), gen_(gen), start_(start)
{
}

static long long ms(std::chrono::steady_clock::duration d)
{
	return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

HaNode::Actions HaNode::receive(const HbPacket &pk, SteadyTime now)
{
	Actions a;
	if (leaving_)
		return a;
	if (pk.node != p_.peer) {
		rejected_++;
		a.log.push_back("ignoring a packet from unknown node " + pk.node);
		return a;
	}
	if (pk.gen == peer_gen_ && pk.seq <= peer_seq_ && peer_ != PeerState::Unknown) {
		rejected_++;	// a duplicate or a replay
		return a;
	}
	if (pk.gen != peer_gen_ && peer_gen_ != 0)
		a.log.push_back("node " + pk.node + " restarted (generation " +
				std::to_string(pk.gen) + ")");
	PeerState peer_before = peer_;
	peer_gen_ = pk.gen;
	peer_seq_ = pk.seq;
	bool was_holding = peer_holding_;
	peer_holding_ = pk.holding;
	if (pk.leaving) {
		if (peer_ != PeerState::Left)
			a.log.push_back("node " + pk.node + " is shutting down");
		peer_ = PeerState::Left;
		peer_holding_ = false;
	} else {
		if (peer_ != PeerState::Up)
			a.log.push_back("node " + pk.node + ": status up" +
					(peer_ == PeerState::Dead ? " (it was dead)" : ""));
		else if (warned_late_)
			a.log.push_back("heartbeat from " + pk.node + " is back after " +
					std::to_string(ms(now - peer_heard_)) + " ms");
		peer_ = PeerState::Up;
	}
	warned_late_ = false;
	peer_heard_ = now;
	if (was_holding != peer_holding_)
		a.log.push_back("node " + pk.node + (peer_holding_ ? " holds" : " released") +
				" the resource group");
	decided_ = true;
	bool was_dead = peer_before == PeerState::Dead;
	decide(now, a);
	// the peer may have taken the addresses while it thought us dead
	if (was_dead && peer_ == PeerState::Up && holding_ && !a.acquire && !a.reannounce) {
		a.reannounce = true;
		a.log.push_back("node " + pk.node + " is back: announcing the addresses again");
	}
	return a;
}

HaNode::Actions HaNode::tick(SteadyTime now)
{
	Actions a;
	if (leaving_)
		return a;
	if (peer_ == PeerState::Up) {
		auto silent = now - peer_heard_;
		if (silent > p_.deadtime) {
			peer_ = PeerState::Dead;
			peer_holding_ = false;
			a.log.push_back("node " + p_.peer + " is dead: no heartbeat for " +
					std::to_string(ms(silent)) + " ms (deadtime " +
					std::to_string(p_.deadtime.count()) + " ms)");
		} else if (silent > p_.warntime && !warned_late_) {
			warned_late_ = true;
			a.log.push_back("WARN: late heartbeat from " + p_.peer + ": " +
					std::to_string(ms(silent)) + " ms (warntime " +
					std::to_string(p_.warntime.count()) + " ms)");
		}
	}
	if (!decided_ && now - start_ >= p_.initdead) {
		decided_ = true;
		if (peer_ == PeerState::Unknown) {
			peer_ = PeerState::Dead;
			a.log.push_back("node " + p_.peer + " not heard within initdead (" +
					std::to_string(p_.initdead.count()) + " ms): assuming it is dead");
		}
	}
	decide(now, a);
	return a;
}

// Who holds the group:
//  - peer dead or gone: we do;
//  - peer up, auto_failback on: the home node, once the other released it;
//  - peer up, auto_failback off: whoever holds it keeps it; if nobody does,
//    the home node takes it;
//  - both hold (a healed partition): the home node keeps it.
void HaNode::decide(SteadyTime now, Actions &a)
{
	(void)now;
	if (!decided_)
		return;
	bool want = holding_;
	std::string why;
	bool conflict = peer_ == PeerState::Up && holding_ && peer_holding_;
	bool first_conflict = conflict && !conflict_seen_;
	conflict_seen_ = conflict;
	if (peer_ != PeerState::Up) {
		want = true;
		why = "node " + p_.peer + (peer_ == PeerState::Left ? " left the cluster" : " is dead");
	} else if (holding_ && peer_holding_) {
		want = p_.home;
		why = "both nodes hold the resource group; the home node keeps it";
		// the peer announced the addresses too: claim them back
		if (want && first_conflict) {
			a.reannounce = true;
			a.send_now = true;
			a.log.push_back("both nodes hold the resource group: keeping it (home node)");
		}
	} else if (p_.auto_failback) {
		if (p_.home) {
			want = holding_ || !peer_holding_;
			why = "home node and auto_failback on";
		} else {
			want = false;
			why = "the home node " + p_.peer + " is up and auto_failback is on";
		}
	} else {
		if (!holding_)
			want = !peer_holding_ && p_.home;
		why = holding_ ? "auto_failback off: keeping the group" :
		      "nobody holds the group and this is its home node";
	}
	if (want && !holding_) {
		holding_ = true;
		takeovers_++;
		a.acquire = true;
		a.send_now = true;
		a.log.push_back("acquiring the resource group: " + why);
	} else if (!want && holding_) {
		holding_ = false;
		a.release = true;
		a.send_now = true;
		a.log.push_back("releasing the resource group: " + why);
	}
}

bool HaNode::packet_due(SteadyTime now) const
{
	return last_sent_ == SteadyTime{} || now - last_sent_ >= p_.keepalive;
}

HbPacket HaNode::next_packet()
{
	HbPacket p;
	p.node = p_.self;
	p.gen = gen_;
	p.seq = ++seq_;
	p.leaving = leaving_;
	p.holding = holding_;
	return p;
}

HaNode::Actions HaNode::shutdown()
{
	Actions a;
	if (holding_) {
		holding_ = false;
		a.release = true;
		a.log.push_back("releasing the resource group: shutting down");
	}
	leaving_ = true;
	a.send_now = true;
	return a;
}

LinkMonitor::LinkMonitor(std::string peer, std::chrono::milliseconds deadtime,
			 const std::vector<std::string> &links)
	: peer_(std::move(peer)), deadtime_(deadtime)
{
	for (auto &l : links)
		find(l);
}

LinkMonitor::Link &LinkMonitor::find(const std::string &name)
{
	for (auto &l : links_)
		if (l.name == name)
			return l;
	Link l;
	l.name = name;
	links_.push_back(l);
	return links_.back();
}

LinkMonitor::Verdict LinkMonitor::heard(const std::string &link, const HbPacket &p, SteadyTime now,
					std::vector<std::string> &log)
{
	Link &l = find(link);
	if (l.heard_ever && p.gen == l.gen && p.seq <= l.seq)
		return Verdict::Replay;
	l.gen = p.gen;
	l.seq = p.seq;
	l.packets++;
	l.heard = now;
	l.heard_ever = true;
	if (!l.up) {
		l.up = true;
		log.push_back("link " + l.name + " to " + peer_ + " is up");
	}
	if (any_ && p.gen == gen_ && p.seq <= seq_)
		return Verdict::Copy;
	any_ = true;
	gen_ = p.gen;
	seq_ = p.seq;
	return Verdict::New;
}

void LinkMonitor::tick(SteadyTime now, std::vector<std::string> &log)
{
	for (auto &l : links_)
		if (l.up && now - l.heard > deadtime_) {
			l.up = false;
			log.push_back("link " + l.name + " to " + peer_ + " is dead: no heartbeat for " +
				      std::to_string(ms(now - l.heard)) + " ms (deadtime " +
				      std::to_string(deadtime_.count()) + " ms)");
		}
}

} // namespace xvsd
