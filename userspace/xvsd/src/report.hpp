// xvsd: what `xvsd status` prints and what the Prometheus endpoint serves.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "director.hpp"

namespace xvsd {

struct HaLinkStatus {
	std::string name;		// interface or serial device
	bool up = false;
	std::uint64_t packets = 0;
	long long heard_ms_ago = -1;	// -1: never heard
	bool serial = false;
	bool open = false;		// serial: the device is open
	std::string error;		// serial: why it is not
	std::uint64_t discarded_bytes = 0, reopens = 0;
};

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
	std::vector<HaLinkStatus> links;	// the peer's packets, per link
};

std::string status_text(const HaStatus &ha, const DirectorSnapshot &d, const std::string &config);
std::string metrics_text(const HaStatus &ha, const DirectorSnapshot &d);
// xvs.ko's drop counters (the text of /proc/net/xvs_drops, "reason count"
// lines) as xvs_drops_total{reason="..."}; "" for no counters (ip_vs).
std::string drop_metrics_text(const std::string &proc_text);

} // namespace xvsd
