// xvsd: the ldirectord.cf configuration (virtual services, real servers and
// their health checks), parsed as ldirectord reads it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "xvs/types.hpp"

namespace xvsd {

using Millis = std::chrono::milliseconds;

enum class Forward { Gate, Masq, Ipip };
enum class CheckType { Connect, Negotiate, Ping, External, Off, On };
enum class CheckService { None, Http, Https, Smtp, Pop, Imap, Ftp, Dns };

const char *forward_name(Forward f);
const char *check_type_name(CheckType t);
const char *check_service_name(CheckService s);
std::uint32_t forward_ipvs_flag(Forward f);

struct Endpoint {
	xvs::Address addr;
	std::uint16_t port = 0;
	std::string str() const;		// "10.0.0.1:80", "[2001:db8::1]:80"
	auto operator<=>(const Endpoint &) const = default;
};

struct RealServer {
	Endpoint ep;
	Forward fwd = Forward::Gate;
	int weight = 1;
	std::string request;			// per-real override, empty: virtual's
	std::string receive;
	int line = 0;
};

struct Fallback {
	Endpoint ep;
	Forward fwd = Forward::Masq;
};

// Settings that exist globally and per virtual service.
struct CheckTiming {
	Millis checkinterval{5000};
	Millis checktimeout{5000};
	Millis negotiatetimeout{30000};
	unsigned failurecount = 1;
	bool quiescent = false;
	std::optional<Fallback> fallback;
};

struct VirtualService {
	int line = 0;
	std::uint32_t fwmark = 0;		// non-zero: a firewall-mark service
	Endpoint ep;
	std::uint16_t protocol = IPPROTO_TCP;
	std::string scheduler = "wrr";
	std::optional<std::uint32_t> persistent;	// seconds
	std::optional<std::string> netmask;
	CheckType checktype = CheckType::Negotiate;
	CheckService service = CheckService::None;
	std::uint16_t checkport = 0;		// 0: the real server's port
	std::string request;
	std::string receive;
	std::string virtualhost;
	std::string httpmethod = "GET";
	int http_status = 0;			// 0: any 2xx or 3xx answer
	std::string login, passwd;
	std::string checkcommand;
	CheckTiming timing;
	std::vector<RealServer> reals;
	// announce=: the prefix xvsd announces over BGP for this service
	// ("10.0.0.1/32"), empty: none.  With bgp= set it defaults to the
	// virtual address as a host route; announce=no keeps it out.
	std::string announce;
	int announce_line = 0;			// where announce= was, 0: default

	std::string key_str() const;		// "211.58.250.6:80" or "fwmark 7"
	xvs::Service to_ipvs() const;
};

struct LdConfig {
	std::string path;
	CheckTiming timing;			// the global values
	bool autoreload = false;
	std::string logfile;
	// expirestale=: the value xvsd gives xvs.ko's net.xvs.expire_stale_conn
	// (0 no, 1 udp, 2 all); unset: the switch is left as it is.
	std::optional<int> expire_stale;
	// bgp=: the AS of the FRR bgpd on this host ("router bgp AS") under
	// which xvsd announces the virtual services' prefixes while they
	// have a live real server; unset: xvsd announces nothing.
	std::optional<std::uint32_t> bgp_as;
	std::vector<VirtualService> virtuals;
};

// Parses ldirectord.cf text; throws xvs::Error(EINVAL) naming FILE:LINE.
LdConfig parse_ldirectord(const std::string &text, const std::string &file = "ldirectord.cf");
LdConfig load_ldirectord(const std::string &path);

// "10.0.0.0/24", "2001:db8::1/128": a network prefix without host bits, as
// `network` under FRR's `router bgp` takes it; false (and why) otherwise.
// `out` gets the canonical form.
bool parse_prefix(const std::string &text, std::string &out, bool &v6, std::string &why);

// "10.0.0.1:80", "[::1]:80", "host:http"; false when malformed.
bool parse_endpoint(const std::string &text, Endpoint &out, std::string &why);

} // namespace xvsd
