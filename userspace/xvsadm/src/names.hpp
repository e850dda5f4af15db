// xvsadm: host and service name lookups, done with the same C library calls
// ipvsadm makes (gethostbyname/gethostbyaddr, getservbyname/getservbyport),
// so that names resolve, and fail to resolve, exactly as they do for it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace xvsadm::names {

// IPv4 address of a host name (first address only), network order.
std::optional<std::uint32_t> host_to_ipv4(const std::string &name);
// Port (host order) of a service name for protocol `proto` (TCP, UDP or
// SCTP); nothing for another protocol or an unknown name.
std::optional<std::uint16_t> service_to_port(const std::string &name,
					     std::uint16_t proto);
// Host name of an address, or its numeric form.
std::string addr_to_anyname(int af, const void *addr);
// Service name of a port, or the number.
std::string port_to_anyname(std::uint16_t port, std::uint16_t proto);
// Numeric text of an address ("" when af is unknown).
std::string addr_to_numeric(int af, const void *addr);

// "host:port", "[v6host]:port" with names unless `numeric`; cut to 59
// characters as ipvsadm's fixed buffer cuts it.
std::string addrport(int af, const void *addr, std::uint16_t port,
		     std::uint16_t proto, bool numeric);

} // namespace xvsadm::names
