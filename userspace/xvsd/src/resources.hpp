// xvsd: the resource group a director holds while active: virtual IP
// addresses (added with rtnetlink and announced with gratuitous ARP on a
// raw AF_PACKET socket), the IPVS table, and external resource scripts.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "ha_cf.hpp"
#include "log.hpp"

namespace xvsd {

// Where an address resource lives once resolved.
struct BoundAddress {
	xvs::Address addr;
	int prefix = 32;
	std::string iface;
};

// Finds the interface holding the subnet of `r` (when not given) and the
// prefix length; throws xvs::Error(ENODEV) when no interface fits.
BoundAddress bind_address(const HaResource &r);
// Adds or removes an IPv4 address; adding an existing one is not an error.
// Returns false when there was nothing to do.
bool change_address(bool add, const BoundAddress &a);
// One gratuitous ARP request and reply for `a` on its interface.
void send_garp(const BoundAddress &a);

// xvs.ko's switch that expires the connection entries of removed and
// quiesced real servers at once (ldirectord.cf expirestale=).
inline constexpr const char *kExpireStalePath = "/proc/sys/net/xvs/expire_stale_conn";
// Writes `mode` (0, 1, 2) to `path`; returns "" or why it could not (the
// kernel's ip_vs has no such switch: the file does not exist).
std::string set_expire_stale(int mode, const std::string &path = kExpireStalePath);
// "0 (no)", "1 (udp)", "2 (all)"
std::string expire_stale_name(int mode);

class ResourceManager {
public:
	using Clock = std::chrono::steady_clock;

	ResourceManager(Logger &log, HaResourceGroup group, std::string resource_dir,
			unsigned garp_count, std::chrono::milliseconds garp_interval,
			std::function<void(bool)> ipvs_switch);

	void acquire(Clock::time_point now);
	void release();
	// Queues another round of gratuitous ARPs for the held addresses.
	void announce(Clock::time_point now);
	// Sends the gratuitous ARPs that are due.
	void tick(Clock::time_point now);
	bool held() const { return held_; }
	const HaResourceGroup &group() const { return group_; }
	std::string describe() const;		// "ha1 211.58.250.6 ldirectord"

private:
	void script(const HaResource &r, const char *action);

	struct Garp {
		BoundAddress addr;
		unsigned left;
		Clock::time_point next;
	};

	Logger &log_;
	HaResourceGroup group_;
	std::string resource_dir_;
	unsigned garp_count_;
	std::chrono::milliseconds garp_interval_;
	std::function<void(bool)> ipvs_switch_;
	std::vector<Garp> garps_;
	bool held_ = false;
};

} // namespace xvsd
