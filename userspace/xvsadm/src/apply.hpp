// xvsadm apply: make the kernel's table equal to a declarative description.
//
//   xvsadm apply [--dry-run] FILE|-
//
// FILE is either the -S (ipvsadm-save) format or the JSON document of
// `xvsadm -L --format json`.  Every line/object is validated with the same
// rules as the command line before anything is sent; then the smallest set
// of changes (delete, add, edit of services and destinations) is computed
// against the current table and sent in batches over one netlink socket.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <vector>

#include "xvs/ipvs.hpp"
#include "xvs/types.hpp"

namespace xvsadm {

namespace apply {

struct DesiredService {
	xvs::Service svc;
	std::vector<xvs::Destination> dests;
	int line = 0;
};

struct Table {
	std::vector<DesiredService> services;
};

// An invalid description: names the line (1-based) it was found on.
struct ParseError {
	int line;
	std::string message;
};

// Either format, detected from the first non-blank character ('{' = JSON)
// (apply_read.cpp).
Table parse(const std::string &text);
Table parse_rules(const std::string &text);
Table parse_json(const std::string &text);

using Change = xvs::TableChange;
using Kind = xvs::TableChange::Kind;

// What identifies a service and a destination (IPv4 addresses compare
// by their 4 bytes).
struct SvcKey {
	std::uint16_t af;
	std::uint32_t fwmark;
	std::uint16_t protocol;
	std::array<std::uint8_t, 16> addr;
	std::uint16_t port;
	auto operator<=>(const SvcKey &) const = default;
};
struct DestKey {
	std::uint16_t af;
	std::array<std::uint8_t, 16> addr;
	std::uint16_t port;
	auto operator<=>(const DestKey &) const = default;
};
SvcKey key_of(const xvs::Service &s);
DestKey key_of(const xvs::Destination &d);

// The current table: services and, index for index, their destinations.
struct Current {
	std::vector<xvs::Service> services;
	std::vector<std::vector<xvs::Destination>> dests;
};

// Changes turning `cur` into `want`: destination and service deletions
// first, then service additions and edits, then destination additions and
// edits.  Empty when the table already matches.
std::vector<Change> diff(const Table &want, const Current &cur);

// One change as an ipvsadm command line ("-a -t 10.0.0.1:80 -r ...").
std::string describe(const Change &c);

// Reads the current table.
Current read_current(xvs::Ipvs &ipvs);

// Sends the changes (Ipvs::apply_changes: many requests per datagram);
// returns the failures as "change: message" lines (empty when all were
// accepted).
std::vector<std::string> execute(xvs::Ipvs &ipvs,
				 const std::vector<Change> &changes);

} // namespace apply

// Entry point of `xvsadm apply ...`; returns the exit status.
int apply_main(const std::vector<std::string> &args);

} // namespace xvsadm
