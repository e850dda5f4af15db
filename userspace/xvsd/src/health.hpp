// xvsd: the per-real-server health state machine (failurecount, restore on
// the first passing check) and the table it implies (quiescent weight 0,
// fallback server when every real server is down).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ldirectord_cf.hpp"
#include "xvs/types.hpp"

namespace xvsd {

enum class RsState { Unknown, Up, Down };
const char *rs_state_name(RsState s);

struct RsHealth {
	RsState state = RsState::Unknown;
	unsigned failures = 0;			// consecutive failed checks
	std::uint64_t checks = 0, failed = 0;
	std::string detail;			// last check's outcome
	std::chrono::milliseconds latency{0};
	std::chrono::steady_clock::time_point next_check{};
};

// Identifies a real server across reloads: virtual key + real endpoint.
using RsKey = std::pair<std::string, std::string>;

class HealthBook {
public:
	struct Transition {
		RsState from, to;
		std::string message;		// "Real server ... is down: ..."
	};
	// Records one check result; returns the transition it caused, if any.
	std::optional<Transition> record(const VirtualService &vs, const RealServer &rs, bool ok,
					 const std::string &detail, std::chrono::milliseconds latency);
	RsHealth &at(const VirtualService &vs, const RealServer &rs);
	const RsHealth *find(const VirtualService &vs, const RealServer &rs) const;
	// Drops servers that are no longer configured.
	void prune(const LdConfig &cfg);

private:
	std::map<RsKey, RsHealth> map_;
};

struct DesiredDest {
	xvs::Destination dest;
	bool fallback = false;
};

struct DesiredService {
	xvs::Service svc;
	std::string key;			// VirtualService::key_str()
	std::vector<DesiredDest> dests;
};

// The table the configuration and the health states call for.
std::vector<DesiredService> desired_table(const LdConfig &cfg, const HealthBook &book);

} // namespace xvsd
