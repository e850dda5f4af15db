// xvs userspace: typed views of the IPVS generic netlink objects.
//
// Byte order convention: every field is in host order except where a comment
// says otherwise.  Ports are host order here and big-endian on the wire.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/ip_vs.h>

namespace xvs {

struct Address {
	std::uint16_t af = 0;			// AF_INET, AF_INET6, 0 = unset
	std::array<std::uint8_t, 16> bytes{};	// network order; v4 uses 4

	// Parses "10.0.0.1" or "2001:db8::1"; Error(EINVAL) otherwise.
	static Address parse(std::string_view text);
	static Address v4(std::uint32_t host_order);
	std::string str() const;
	bool is_v6() const { return af == AF_INET6; }

	auto operator<=>(const Address &) const = default;
};

// Counters as the kernel reports them in IPVS_*_ATTR_STATS: packet and
// connection counters and rates are 32-bit, byte counters 64-bit.
struct Stats32 {
	std::uint32_t conns = 0, inpkts = 0, outpkts = 0;
	std::uint64_t inbytes = 0, outbytes = 0;
	std::uint32_t cps = 0, inpps = 0, outpps = 0, inbps = 0, outbps = 0;
	auto operator<=>(const Stats32 &) const = default;
};

// Counters as reported in IPVS_*_ATTR_STATS64: all 64-bit.
struct Stats64 {
	std::uint64_t conns = 0, inpkts = 0, outpkts = 0;
	std::uint64_t inbytes = 0, outbytes = 0;
	std::uint64_t cps = 0, inpps = 0, outpps = 0, inbps = 0, outbps = 0;
	auto operator<=>(const Stats64 &) const = default;

	static Stats64 widen(const Stats32 &s);
};

// xvs's own per-service connection timeouts (kmod/uapi/xvs_genl.h), in
// seconds; each replaces the global --set value for the service's
// connections in that state, 0 meaning "the global value".  In a request
// nullopt sends nothing: a new service has none, an edit keeps the service's
// value.  From a reply nullopt means none (the kernel sends only non-zero
// ones; stock IPVS sends none).
struct ServiceTimeouts {
	std::optional<std::uint32_t> tcp;	// TCP ESTABLISHED
	std::optional<std::uint32_t> tcp_fin;	// TCP FIN_WAIT
	std::optional<std::uint32_t> udp;	// UDP
	// Whether any is set to a non-zero value.
	bool any() const
	{
		return tcp.value_or(0) || tcp_fin.value_or(0) || udp.value_or(0);
	}
	bool operator==(const ServiceTimeouts &) const = default;
};

struct Service {
	// Identity: af plus either fwmark (non-zero) or protocol/addr/port.
	std::uint16_t af = AF_INET;
	std::uint16_t protocol = IPPROTO_TCP;
	Address addr;
	std::uint16_t port = 0;
	std::uint32_t fwmark = 0;

	// Settings.
	std::string sched_name = "wlc";
	std::string pe_name;			// empty: no persistence engine
	std::uint32_t flags = 0;		// IP_VS_SVC_F_*
	std::uint32_t flags_mask = ~0u;		// which flags a request sets
	std::uint32_t timeout = 0;		// persistence timeout, seconds
	// The IPVS_SVC_ATTR_NETMASK value as a native u32: for AF_INET the
	// mask in network byte order (0xffffffff = /32), for AF_INET6 the
	// prefix length (1..128).  See default_netmask().
	std::uint32_t netmask = 0xffffffffu;
	ServiceTimeouts conn_timeouts;		// xvs's own, see above

	// Filled from replies only.
	std::optional<Stats32> stats;
	std::optional<Stats64> stats64;

	static std::uint32_t default_netmask(std::uint16_t af);
	// Best available counters (64-bit if the kernel sent them).
	Stats64 counters() const;
	// "TCP 10.0.0.1:80", "FWM 7", "UDP [2001:db8::1]:53".
	std::string key_str() const;
	bool same_key(const Service &o) const;

	bool operator==(const Service &) const = default;
};

struct Destination {
	Address addr;				// addr.af is the dest family
	std::uint16_t port = 0;
	std::uint32_t fwd_method = IP_VS_CONN_F_MASQ;	// IP_VS_CONN_F_FWD_MASK
	std::int32_t weight = 1;
	std::uint32_t u_threshold = 0;
	std::uint32_t l_threshold = 0;
	std::optional<std::uint8_t> tun_type;	// IP_VS_CONN_F_TUNNEL_TYPE_*
	std::optional<std::uint16_t> tun_port;	// host order
	std::optional<std::uint16_t> tun_flags;	// IP_VS_TUNNEL_ENCAP_FLAG_*

	// Filled from replies only.
	std::uint32_t active_conns = 0;
	std::uint32_t inact_conns = 0;
	std::uint32_t persist_conns = 0;
	std::optional<Stats32> stats;
	std::optional<Stats64> stats64;

	Stats64 counters() const;
	std::string key_str() const;

	bool operator==(const Destination &) const = default;
};

struct Daemon {
	std::uint32_t state = IP_VS_STATE_MASTER;	// IP_VS_STATE_*
	std::string mcast_ifn;
	std::uint32_t syncid = 0;
	std::optional<std::uint16_t> sync_maxlen;
	std::optional<Address> mcast_group;	// v4 or v6 group
	std::optional<std::uint16_t> mcast_port;	// host order
	std::optional<std::uint8_t> mcast_ttl;

	bool operator==(const Daemon &) const = default;
};

// Connection timeouts in seconds; 0 in a set request leaves a value as is.
struct Timeouts {
	std::uint32_t tcp = 0;
	std::uint32_t tcp_fin = 0;
	std::uint32_t udp = 0;
	bool operator==(const Timeouts &) const = default;
};

struct Info {
	std::uint32_t version = 0;		// 0x010201 = 1.2.1
	std::uint32_t conn_tab_size = 0;
	std::string version_str() const;
	bool operator==(const Info &) const = default;
};

} // namespace xvs
