#include "health.hpp"

#include <set>

namespace xvsd {

const char *rs_state_name(RsState s)
{
	switch (s) {
	case RsState::Unknown: return "unknown";
	case RsState::Up: return "up";
	case RsState::Down: return "down";
	}
	return "?";
}

static RsKey key_of(const VirtualService &vs, const RealServer &rs)
{
	return {vs.key_str(), rs.ep.str()};
}

RsHealth &HealthBook::at(const VirtualService &vs, const RealServer &rs)
{
	return map_[key_of(vs, rs)];
}

const RsHealth *HealthBook::find(const VirtualService &vs, const RealServer &rs) const
{
	auto it = map_.find(key_of(vs, rs));
	return it == map_.end() ? nullptr : &it->second;
}

std::optional<HealthBook::Transition> HealthBook::record(const VirtualService &vs,
							 const RealServer &rs, bool ok,
							 const std::string &detail,
							 std::chrono::milliseconds latency)
{
	RsHealth &h = at(vs, rs);
	h.checks++;
	h.detail = detail;
	h.latency = latency;
	RsState before = h.state;
	if (ok) {
		h.failures = 0;
		h.state = RsState::Up;
	} else {
		h.failed++;
		h.failures++;
		// a server never seen up is down at its first failure; one that
		// was up gets failurecount chances
		if (h.state == RsState::Unknown || h.failures >= vs.timing.failurecount)
			h.state = RsState::Down;
	}
	if (h.state == before)
		return std::nullopt;
	Transition t{before, h.state, {}};
	t.message = "Real server " + rs.ep.str() + " of " + vs.key_str() + " is " +
		    rs_state_name(h.state) + ": " + detail;
	if (!ok && vs.timing.failurecount > 1)
		t.message += " (" + std::to_string(h.failures) + " consecutive failures)";
	return t;
}

void HealthBook::prune(const LdConfig &cfg)
{
	std::set<RsKey> keep;
	for (auto &vs : cfg.virtuals)
		for (auto &rs : vs.reals)
			keep.insert(key_of(vs, rs));
	for (auto it = map_.begin(); it != map_.end();) {
		if (keep.count(it->first))
			++it;
		else
			it = map_.erase(it);
	}
}

std::vector<DesiredService> desired_table(const LdConfig &cfg, const HealthBook &book)
{
	std::vector<DesiredService> out;
	for (auto &vs : cfg.virtuals) {
		DesiredService d;
		d.svc = vs.to_ipvs();
		d.key = vs.key_str();
		bool any_up = false;
		for (auto &rs : vs.reals) {
			const RsHealth *h = book.find(vs, rs);
			bool up = h && h->state == RsState::Up;
			if (!up && !vs.timing.quiescent)
				continue;
			DesiredDest dd;
			dd.dest.addr = rs.ep.addr;
			dd.dest.port = rs.ep.port;
			dd.dest.fwd_method = forward_ipvs_flag(rs.fwd);
			dd.dest.weight = up ? rs.weight : 0;
			if (up && rs.weight > 0)
				any_up = true;
			d.dests.push_back(dd);
		}
		if (!any_up && vs.timing.fallback) {
			const Fallback &f = *vs.timing.fallback;
			bool dup = false;
			for (auto &dd : d.dests)
				if (dd.dest.addr == f.ep.addr && dd.dest.port == f.ep.port)
					dup = true;
			if (!dup) {
				DesiredDest dd;
				dd.dest.addr = f.ep.addr;
				dd.dest.port = f.ep.port;
				dd.dest.fwd_method = forward_ipvs_flag(f.fwd);
				dd.dest.weight = 1;
				dd.fallback = true;
				d.dests.push_back(dd);
			}
		}
		out.push_back(std::move(d));
	}
	return out;
}

} // namespace xvsd
