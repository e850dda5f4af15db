// xvsd: the health checks of real servers (ldirectord's check types).
// Each check is a blocking call bounded by its timeout; the scheduler runs
// the due ones in parallel.
#pragma once

#include <chrono>
#include <string>

#include "ldirectord_cf.hpp"

namespace xvsd {

struct CheckResult {
	bool ok = false;
	std::string detail;			// why it failed, or what passed
	std::chrono::milliseconds latency{0};
};

// Runs the check configured for `vs` against real server `rs`.
CheckResult run_check(const VirtualService &vs, const RealServer &rs);

} // namespace xvsd
