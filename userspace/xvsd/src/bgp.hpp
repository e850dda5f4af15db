// xvsd: announcing the virtual services over BGP through the FRR bgpd of
// the director (ldirectord.cf bgp= and announce=).  A director behind an
// ECMP router announces a VIP while it can serve it, so the router sends
// it flows only then: xvsd adds `network PREFIX` under `router bgp AS` with
// vtysh when the service has a live real server, removes it when none is
// left, when the director gives up the IPVS table and when xvsd stops.
// bgpd itself (its neighbours, timers) stays the user's configuration.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "health.hpp"
#include "ldirectord_cf.hpp"
#include "log.hpp"

namespace xvsd {

// prefix -> is IPv6 (the address family it is configured under)
using PrefixSet = std::map<std::string, bool>;

// The prefixes the health states call for: a virtual service's announce
// prefix while one of its real servers is up with a weight above 0 (the
// fallback server does not count: it is a sorry server, the other
// directors may still have real ones).  A prefix that several services
// announce (one VIP, several ports) only while each of them has one, since
// the router cannot send a director a VIP's flows for one port only.
PrefixSet wanted_prefixes(const LdConfig &cfg, const HealthBook &book);

// The vtysh command line that adds (or removes) `network PREFIX` under
// `router bgp AS`.
std::vector<std::string> vtysh_argv(std::uint32_t as, const std::string &prefix, bool v6,
				    bool add);

// Runs ARGV (argv[0] found in PATH) with a 10 s limit; "" when it exited 0
// and printed no FRR error ("% ..."), else why not.
std::string run_vtysh(const std::vector<std::string> &argv);

class BgpAnnouncer {
public:
	using Runner = std::function<std::string(const std::vector<std::string> &argv)>;

	explicit BgpAnnouncer(Logger &log, Runner run = run_vtysh)
		: log_(log), run_(std::move(run))
	{
	}

	// Brings bgpd's announcements to `want` under `as` (none: withdraw
	// everything).  A command that fails is retried at the next update;
	// a prefix whose withdrawal failed still counts as announced.
	void update(std::optional<std::uint32_t> as, const PrefixSet &want, const std::string &why);
	void withdraw_all(const std::string &why) { update(std::nullopt, {}, why); }

	// Adds every announced prefix again (`network` is idempotent): a
	// bgpd that restarted lost what xvsd had added to its running
	// configuration.
	void reassert();

	const PrefixSet &announced() const { return announced_; }

private:
	bool run(std::uint32_t as, const std::string &prefix, bool v6, bool add);

	Logger &log_;
	Runner run_;
	std::uint32_t as_ = 0;			// of what announced_ holds
	PrefixSet announced_;
	std::string last_error_;
};

} // namespace xvsd
