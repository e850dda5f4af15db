#include "names.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <cstring>

namespace xvsadm::names {

namespace {

const char *proto_db_name(std::uint16_t proto)
{
	switch (proto) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_SCTP: return "sctp";
	default: return nullptr;
	}
}

} // namespace

std::optional<std::uint32_t> host_to_ipv4(const std::string &name)
{
	const hostent *h = gethostbyname(name.c_str());
	if (!h || h->h_addrtype != AF_INET ||
	    h->h_length != static_cast<int>(sizeof(in_addr)))
		return std::nullopt;
	std::uint32_t a;
	std::memcpy(&a, h->h_addr_list[0], sizeof(a));
	return a;
}

std::optional<std::uint16_t> service_to_port(const std::string &name,
					     std::uint16_t proto)
{
	const char *db = proto_db_name(proto);
	if (!db)
		return std::nullopt;
	const servent *s = getservbyname(name.c_str(), db);
	if (!s)
		return std::nullopt;
	return ntohs(static_cast<std::uint16_t>(s->s_port));
}

std::string addr_to_numeric(int af, const void *addr)
{
	char buf[INET6_ADDRSTRLEN];
	if (!inet_ntop(af, addr, buf, sizeof(buf)))
		return {};
	return buf;
}

std::string addr_to_anyname(int af, const void *addr)
{
	const hostent *h = gethostbyaddr(addr, af == AF_INET ?
					 sizeof(in_addr) : sizeof(in6_addr), af);
	if (h)
		return h->h_name;
	return addr_to_numeric(af, addr);
}

std::string port_to_anyname(std::uint16_t port, std::uint16_t proto)
{
	if (const char *db = proto_db_name(proto)) {
		if (const servent *s = getservbyport(htons(port), db))
			return s->s_name;
	}
	return std::to_string(port);
}

std::string addrport(int af, const void *addr, std::uint16_t port,
		     std::uint16_t proto, bool numeric)
{
	// ipvsadm treats every family but AF_INET as needing brackets.
	const bool v4 = af == AF_INET;
	std::string out = v4 ? "" : "[";
	if (numeric) {
		std::string a = addr_to_numeric(af, addr);
		out += a.empty() ? "(null)" : a;	// printf("%s", NULL)
	} else {
		out += addr_to_anyname(af, addr);
	}
	if (!v4)
		out += "]";
	out += ":";
	out += numeric ? std::to_string(port) : port_to_anyname(port, proto);
	if (out.size() > 59)
		out.resize(59);
	return out;
}

} // namespace xvsadm::names
