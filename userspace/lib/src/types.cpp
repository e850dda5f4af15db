#include "xvs/types.hpp"
#include "xvs/error.hpp"

#include <arpa/inet.h>
#include <cstring>

namespace xvs {

Address Address::parse(std::string_view text)
{
	std::string s(text);
	Address a;
	if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
		a.af = AF_INET;
		return a;
	}
	if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
		a.af = AF_INET6;
		return a;
	}
	throw Error(EINVAL, "not an IPv4 or IPv6 address: " + s);
}

Address Address::v4(std::uint32_t host_order)
{
	Address a;
	a.af = AF_INET;
	std::uint32_t be = htonl(host_order);
	std::memcpy(a.bytes.data(), &be, sizeof(be));
	return a;
}

std::string Address::str() const
{
	char buf[INET6_ADDRSTRLEN];
	if (af != AF_INET && af != AF_INET6)
		return "af" + std::to_string(af) + "?";
	if (!inet_ntop(af, bytes.data(), buf, sizeof(buf)))
		return "?";
	return buf;
}

Stats64 Stats64::widen(const Stats32 &s)
{
	return {s.conns, s.inpkts, s.outpkts, s.inbytes, s.outbytes,
		s.cps, s.inpps, s.outpps, s.inbps, s.outbps};
}

std::uint32_t Service::default_netmask(std::uint16_t af)
{
	return af == AF_INET6 ? 128 : 0xffffffffu;
}

Stats64 Service::counters() const
{
	if (stats64)
		return *stats64;
	return stats ? Stats64::widen(*stats) : Stats64{};
}

Stats64 Destination::counters() const
{
	if (stats64)
		return *stats64;
	return stats ? Stats64::widen(*stats) : Stats64{};
}

static std::string proto_name(std::uint16_t p)
{
	switch (p) {
	case IPPROTO_TCP: return "TCP";
	case IPPROTO_UDP: return "UDP";
	case IPPROTO_SCTP: return "SCTP";
	default: return "proto" + std::to_string(p);
	}
}

static std::string host_port(const Address &a, std::uint16_t port)
{
	if (a.af == AF_INET6)
		return "[" + a.str() + "]:" + std::to_string(port);
	return a.str() + ":" + std::to_string(port);
}

std::string Service::key_str() const
{
	if (fwmark)
		return std::string("FWM ") + std::to_string(fwmark) +
		       (af == AF_INET6 ? " IPv6" : "");
	return proto_name(protocol) + " " + host_port(addr, port);
}

bool Service::same_key(const Service &o) const
{
	if (af != o.af || fwmark != o.fwmark)
		return false;
	if (fwmark)
		return true;
	return protocol == o.protocol && addr == o.addr && port == o.port;
}

std::string Destination::key_str() const
{
	return host_port(addr, port);
}

std::string Info::version_str() const
{
	return std::to_string((version >> 16) & 0xff) + "." +
	       std::to_string((version >> 8) & 0xff) + "." +
	       std::to_string(version & 0xff);
}

} // namespace xvs
