// xvsd: the daemon.  The main thread runs the heartbeat protocol, the
// resources, the control socket, the metrics endpoint and configuration
// reloads; the Director's thread runs the health checks and the IPVS table.
#pragma once

#include <string>

namespace xvsd {

struct Options {
	std::string config;		// ldirectord.cf; empty: the usual places
	std::string ha_dir = "/etc/ha.d";
	bool failover = true;		// false: ignore ha.cf even if present
	std::string node;		// empty: uname -n
	std::string socket = "/run/xvsd.sock";
	std::string metrics;		// overrides ha.cf's "metrics"
	std::string logfile;
};

// Returns the process exit status.
int run_daemon(const Options &opt);
// Parses every configuration file; prints what is wrong.  Exit status.
int check_config(const Options &opt);
// The ldirectord.cf path the options select.
std::string config_path(const Options &opt);

} // namespace xvsd
