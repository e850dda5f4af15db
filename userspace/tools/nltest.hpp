// xvs-nltest: what its three modes share (nltest.cpp has the overview):
// attribute bytes, the baseline configuration every case starts from and
// its snapshot, request builders.
#pragma once

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "xvs/ipvs.hpp"

namespace nltest {

using namespace xvs;

using Bytes = std::vector<std::uint8_t>;
// Attributes of one nest, by type, as raw payload bytes: a valid request is
// built from a map, and a bad one by erasing or replacing entries.
using AttrSet = std::map<int, Bytes>;

// "No answer at all" is reported by the library as ETIMEDOUT.
constexpr int kNoReply = ETIMEDOUT;

template <typename T> Bytes le(T v)
{
	Bytes b(sizeof(T));
	std::memcpy(b.data(), &v, sizeof(T));
	return b;
}
Bytes u8(std::uint8_t v);
Bytes u16(std::uint16_t v);
Bytes u32(std::uint32_t v);
Bytes be16(std::uint16_t v);
Bytes strz(const std::string &s);	// with its NUL
Bytes str_nonul(const std::string &s);
Bytes addr16(const char *text);
Bytes flags(std::uint32_t f, std::uint32_t mask);
// A nest of `nest_type` holding `set`.
void put_set(Message &m, int nest_type, const AttrSet &set);

// The baseline configuration every case starts from: three services with
// a destination each (TCP, fwmark, IPv6) and an empty UDP service.
Service svc_tcp();
Service svc_udp();
Service svc_fwm();
Service svc_v6();
Destination dest(const char *addr, std::uint16_t port, std::uint32_t fwd,
		 int weight);
Destination dest_tcp();
Destination dest_fwm();
Destination dest_v6();
void setup_baseline(Ipvs &ipvs);
// Everything a request could change, as text: services, destinations,
// timeouts, daemons.
std::string snapshot(Ipvs &ipvs);

// Attribute sets of valid requests.
AttrSet key_attrs(const Service &s);
AttrSet full_attrs(const Service &s);
AttrSet dest_key_attrs(const Destination &d);
AttrSet dest_full_attrs(const Destination &d);
// A service and a destination that are not in the baseline.
Service svc_new();
Destination dest_new();

// Runs a request and returns 0 or the errno it failed with.
int run(Ipvs &ipvs, Message &m, std::string *extack);

// The modes.  Each lists its cases as "NAME ERRNO" lines (--list) and runs
// them, printing one line per case; 0 when all passed.
void list_bad_input();		// nltest_badinput.cpp
int run_bad_input(Ipvs &ipvs, const std::string &only, bool verbose);
void list_api();		// nltest_api.cpp
int run_api(Ipvs &ipvs);
void list_unprivileged();	// nltest_perm.cpp
int run_unprivileged(Ipvs &ipvs);

} // namespace nltest
