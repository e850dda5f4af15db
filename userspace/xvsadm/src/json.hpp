// xvsadm: the JSON listing (-L --format json), a stable document for
// scripts and monitoring.  The schema is documented in xvsadm(8); fields
// are only ever added, never renamed or removed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "xvs/events.hpp"
#include "xvs/types.hpp"

namespace xvsadm::json {

// One entry of /proc/net/ip_vs_conn.
struct Conn {
	std::string protocol;
	xvs::Address client, virt, dest;
	std::uint16_t cport = 0, vport = 0, dport = 0;
	std::string state;
	unsigned expires = 0;
	std::string pe_name, pe_data;
};

struct Snapshot {
	xvs::Info info;
	std::vector<xvs::Service> services;
	std::vector<std::vector<xvs::Destination>> dests;	// per service
	xvs::Timeouts timeouts;
	std::vector<xvs::Daemon> daemons;
	bool have_conns = false;
	std::vector<Conn> conns;
};

std::optional<Conn> parse_conn_line(const char *line);
// The document, ending with a newline.
std::string render(const Snapshot &snap, bool numeric);
// One config-change event (xvsadm --watch --format json) on one line,
// ending with a newline; its objects are those of the listing.
std::string render_event(const xvs::Event &ev);
// A JSON string literal.
std::string quote(const std::string &s);

} // namespace xvsadm::json
