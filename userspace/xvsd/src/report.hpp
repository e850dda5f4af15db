// xvsd: what `xvsd status` prints and what the Prometheus endpoint serves.
#pragma once

#include <cstdint>
#include <string>

#include "director.hpp"

namespace xvsd {

struct HaStatus {
	bool enabled = false;			// false: no ha.cf, no failover
	std::string node, peer;
	bool holding = false;
	std::string peer_state;
	bool peer_holding = false;
	bool auto_failback = true;
	std::uint64_t takeovers = 0;
	std::uint64_t rejected = 0;
	std::string resources;			// "ha1 211.58.250.6 ldirectord"
};

std::string status_text(const HaStatus &ha, const DirectorSnapshot &d, const std::string &config);
std::string metrics_text(const HaStatus &ha, const DirectorSnapshot &d);

} // namespace xvsd
