// xvsd: the ldirectord role.  A thread runs the due health checks in
// parallel, feeds the HealthBook, and -- while the IPVS table is enabled
// (always without failover; on the active node with it) -- reconciles the
// kernel table with the desired one.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bgp.hpp"
#include "health.hpp"
#include "ldirectord_cf.hpp"
#include "log.hpp"
#include "reconciler.hpp"

namespace xvsd {

struct RealSnapshot {
	std::string real;
	RsState state = RsState::Unknown;
	int weight = -1;			// in the kernel table, -1: absent
	bool fallback = false;
	double latency_s = 0;
	std::uint64_t checks = 0, failed = 0;
	std::string detail;
	std::uint32_t active = 0, inactive = 0;
};

struct VirtualSnapshot {
	std::string key;
	std::string scheduler;
	bool installed = false;
	std::uint64_t conns = 0;
	std::vector<RealSnapshot> reals;
};

struct DirectorSnapshot {
	bool enabled = false;
	std::string error;			// last kernel error, empty: none
	std::vector<VirtualSnapshot> virtuals;
	std::vector<std::string> announced;	// BGP prefixes bgpd announces
};

class Director {
public:
	// `bgp` runs the vtysh commands of the BGP announcements (tests give
	// their own)
	Director(Logger &log, LdConfig cfg, std::unique_ptr<Table> table,
		 BgpAnnouncer::Runner bgp = run_vtysh);
	Director(const Director &) = delete;
	Director &operator=(const Director &) = delete;
	~Director();

	void start();
	// Stops the thread and withdraws the BGP announcements; removes the
	// managed table when `clean`.
	void stop(bool clean);
	void set_enabled(bool on);
	// How long a clean stop waits between withdrawing its BGP
	// announcements and removing the IPVS table (tests shorten it).
	void set_bgp_drain(std::chrono::milliseconds d) { bgp_drain_ = d; }
	void set_config(LdConfig cfg);
	// Runs a round now: the kernel table changed behind xvsd's back.
	void refresh();
	DirectorSnapshot snapshot() const;

	// One synchronous pass: due checks, reconcile, snapshot (tests, and
	// the thread's body).
	void round();

private:
	void loop();

	Logger &log_;
	std::unique_ptr<Table> table_;
	Reconciler rec_;
	HealthBook book_;
	BgpAnnouncer bgp_;

	mutable std::mutex mu_;
	std::condition_variable cv_;
	std::shared_ptr<const LdConfig> cfg_;
	bool enabled_ = false;
	bool stop_ = false;
	bool wake_ = false;
	DirectorSnapshot snap_;
	std::string last_error_;
	std::thread thread_;
	std::chrono::steady_clock::time_point bgp_asserted_;	// last reassert
	std::chrono::milliseconds bgp_drain_{2000};
};

} // namespace xvsd
