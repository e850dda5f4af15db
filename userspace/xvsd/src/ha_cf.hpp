// xvsd: heartbeat's configuration files: ha.cf (the cluster and its
// links), haresources (who owns which resources) and authkeys (how packets
// are signed).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "xvs/types.hpp"

namespace xvsd {

using Millis = std::chrono::milliseconds;

struct HaLink {
	enum class Kind { Ucast, Bcast, Mcast } kind = Kind::Ucast;
	std::string iface;
	xvs::Address addr;		// ucast: the peer; mcast: the group
	std::uint16_t port = 0;		// mcast: its own port; else udpport
	unsigned ttl = 1;
	bool loop = false;
};

struct HaConfig {
	std::string path;
	Millis keepalive{2000};
	Millis deadtime{30000};
	Millis warntime{10000};
	Millis initdead{30000};		// heartbeat: at least twice deadtime
	std::uint16_t udpport = 694;
	std::vector<HaLink> links;
	std::vector<std::string> nodes;
	bool auto_failback = true;
	std::string logfile, debugfile;
	std::vector<std::string> serial;	// serial links: their devices
	unsigned baud = 19200;			// of every serial link
	// xvsd extensions
	unsigned garp_count = 5;
	Millis garp_interval{200};
	std::string metrics;		// "127.0.0.1:9680", empty: off
};

struct HaResource {
	enum class Kind { Address, Ipvs, Script } kind = Kind::Script;
	std::string text;		// as written
	// Address
	xvs::Address addr;
	int prefix = -1;		// -1: from the interface holding the subnet
	std::string iface;		// empty: the interface holding the subnet
	// Script: NAME and its "::"-separated arguments
	std::string name;
	std::vector<std::string> args;
};

struct HaResourceGroup {
	int line = 0;
	std::string home;		// the preferred node
	std::vector<HaResource> resources;
};

struct AuthKey {
	unsigned index = 0;
	enum class Method { Crc, Md5, Sha1, Sha256 } method = Method::Crc;
	std::string secret;
};

struct AuthKeys {
	unsigned active = 0;		// the "auth N" key signs what we send
	std::vector<AuthKey> keys;
	const AuthKey *find(unsigned idx) const;
};

const char *auth_method_name(AuthKey::Method m);

HaConfig parse_ha_cf(const std::string &text, const std::string &file = "ha.cf");
std::vector<HaResourceGroup> parse_haresources(const std::string &text,
					       const std::string &file = "haresources");
AuthKeys parse_authkeys(const std::string &text, const std::string &file = "authkeys");

} // namespace xvsd
