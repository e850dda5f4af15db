// xvsadm: the text formats of ipvsadm 1.31 listings (-L, -S, -c, --timeout,
// --daemon), as pure functions of the typed kernel objects.  Byte-exact:
// column widths, truncations, number abbreviation, sort order and the
// quirks of ipvsadm's own decoding are reproduced (see format.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "xvs/listing.hpp"
#include "xvs/types.hpp"

namespace xvsadm::fmt {

// A number in a stats/rate column: 9 wide, abbreviated with K/M/G/T past
// 8 digits, or exact with FMT_EXACT.
std::string largenum(std::uint64_t v, unsigned format);

// "IP Virtual Server version 1.2.1 (size=4096)\n"
std::string version_header(const xvs::Info &info);
// Column titles for `format` ("" for -S).
std::string title(unsigned format);

// The counters ipvsadm shows for a destination.  ipvsadm 1.31 decodes the
// 64-bit statistics of destinations with 32-bit reads for every counter but
// the byte counts, so those show the low 32 bits; this does the same.
xvs::Stats64 dest_counters(const xvs::Destination &d);

// ipvsadm's service and destination orders (qsort with its comparators,
// including their wrap-around arithmetic).
void sort_services(std::vector<xvs::Service> &svcs);
// The same order for a listing (its destinations stay as they are).
void sort_services(std::vector<xvs::ServiceDests> &table);
void sort_dests(std::vector<xvs::Destination> &dests);

// One service with its destinations (sorted here unless FMT_NOSORT).
std::string service_entry(const xvs::Service &svc,
			  std::vector<xvs::Destination> dests,
			  unsigned format);

// "Timeout (tcp tcpfin udp): 900 120 300\n"
std::string timeout_line(const xvs::Timeouts &t);
// --daemon lines for the daemons in the order the kernel reported them.
std::string daemon_lines(const std::vector<xvs::Daemon> &daemons);

// -c: title and one line of /proc/net/ip_vs_conn.
std::string conn_title(unsigned format);
std::string conn_line(const char *proc_line, unsigned format);

} // namespace xvsadm::fmt
