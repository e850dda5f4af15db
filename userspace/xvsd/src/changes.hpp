// xvsd: notices changes made to the IPVS table behind its back.  With
// xvs.ko it subscribes to the module's config-change events; a change
// another process made (or lost events) makes the Director run a round at
// once, which re-reads the table, puts the managed services back as they
// should be and refreshes the view the status and metrics are served from.
// Without events (ip_vs) the Director's periodic rounds do it, later.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "log.hpp"
#include "xvs/events.hpp"

namespace xvsd {

// True when `ev` was caused by a socket other than xvsd's own table socket,
// whose netlink port is `own_port` (0: none open, so not xvsd's).
bool foreign_change(const xvs::Event &ev, std::uint32_t own_port);
// "dest-del TCP 10.0.0.1:80 -> 10.0.0.2:80" for the log.
std::string describe_change(const xvs::Event &ev);

class ChangeWatcher {
public:
	// `own_port` gives the port of xvsd's table socket now; `changed` runs
	// on the caller's thread for each batch with a foreign change.
	ChangeWatcher(Logger &log, std::function<std::uint32_t()> own_port,
		      std::function<void()> changed);

	// Subscribes unless subscribed; a failure is logged once.  The module
	// may come later: the caller retries now and then.
	void subscribe();
	bool subscribed() const { return sub_ != nullptr; }
	// For poll(); -1 when not subscribed.
	int fd() const;
	// Reads every event that arrived, without blocking.
	void read_events();

private:
	Logger &log_;
	std::function<std::uint32_t()> own_port_;
	std::function<void()> changed_;
	std::unique_ptr<xvs::EventSubscriber> sub_;
	std::string last_error_;
};

} // namespace xvsd
