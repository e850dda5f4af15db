// xvsadm as ippfvsadm: the command line of ippfvs 0.5's admin tool (the
// 1998 port-forwarding virtual server of Linux 2.0, seed 003), translated
// into the ipvsadm commands xvsadm runs.  Active only when the program is
// invoked as "ippfvsadm" (a symlink to xvsadm).
//
//   ippfvsadm -A -t|-u l.l.l.l:lport -R r.r.r.r[:rport] [-w weight]
//   ippfvsadm -D -t|-u l.l.l.l:lport [-R r.r.r.r[:rport]]
//   ippfvsadm -C
//   ippfvsadm -L [-n]
//
// ippfvs had no separate virtual service: a virtual address:port was the
// list of real servers forwarded to, NAT (masquerading) only, weighted
// round robin.  So -A creates the IPVS service (wrr) with its first real
// server, and -D -R removes the service with its last one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace xvsadm::ippfvs {

enum class Action { Add, Delete, Clear, List };

struct Request {
	Action action = Action::List;
	char proto = 't';		// 't' or 'u'
	std::string service;		// "l.l.l.l:lport" (normalised)
	std::string real;		// "r.r.r.r:rport", empty: none given
	unsigned weight = 1;
	bool numeric = false;		// -L -n
};

// Parses an ippfvsadm command line (args[0] is the program name).  Throws
// xvsadm::Exit (status 2, message on stderr) on anything it does not
// accept, and Exit (status 0, usage on stdout) for -h.
Request parse(const std::vector<std::string> &args);

// What the kernel table holds for the request's service.
struct Current {
	bool service_exists = false;
	std::size_t dests = 0;		// its destinations
	bool real_is_dest = false;	// the request's real server is one
};

// The ipvsadm command lines (without the program name) that carry out
// `r` on a table in state `cur`, in order.
std::vector<std::vector<std::string>> plan(const Request &r, const Current &cur);

// "ipvsadm -a -t 203.1.1.10:8080 -r 10.1.1.1:8080 -m -w 1"
std::string show(const std::vector<std::string> &line);

// The usage text of ippfvsadm mode.
std::string usage();

// Entry point when invoked as ippfvsadm; returns the exit status.
int main(const std::vector<std::string> &args);

} // namespace xvsadm::ippfvs
