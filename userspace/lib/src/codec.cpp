// Encoding and decoding of the IPVS attribute sets (linux/ip_vs.h).
#include "xvs/codec.hpp"
#include "xvs/error.hpp"

#include "xvs_genl.h"

#include <cstring>

#include <arpa/inet.h>
#include <netlink/attr.h>

namespace xvs::codec {

namespace {

// Addresses travel as the kernel's union nf_inet_addr: 16 bytes, an IPv4
// address in the first four.
void put_addr(Message &msg, int type, const Address &a)
{
	std::array<std::uint8_t, 16> raw{};
	if (a.af == AF_INET6)
		raw = a.bytes;
	else
		std::memcpy(raw.data(), a.bytes.data(), 4);
	msg.put(type, raw.data(), raw.size());
}

Address get_addr(const nlattr *a, std::uint16_t af)
{
	auto b = attr::bytes(a);
	Address out;
	out.af = af;
	std::size_t need = af == AF_INET6 ? 16 : 4;
	if (b.size() < need)
		throw Error(EPROTO, "address attribute of " +
			    std::to_string(b.size()) + " bytes for family " +
			    std::to_string(af));
	std::memcpy(out.bytes.data(), b.data(), need);
	return out;
}

} // namespace

void put_stats(Message &msg, int type, const Stats32 &s)
{
	auto n = msg.nest(type);
	msg.put_u32(IPVS_STATS_ATTR_CONNS, s.conns);
	msg.put_u32(IPVS_STATS_ATTR_INPKTS, s.inpkts);
	msg.put_u32(IPVS_STATS_ATTR_OUTPKTS, s.outpkts);
	msg.put_u64(IPVS_STATS_ATTR_INBYTES, s.inbytes);
	msg.put_u64(IPVS_STATS_ATTR_OUTBYTES, s.outbytes);
	msg.put_u32(IPVS_STATS_ATTR_CPS, s.cps);
	msg.put_u32(IPVS_STATS_ATTR_INPPS, s.inpps);
	msg.put_u32(IPVS_STATS_ATTR_OUTPPS, s.outpps);
	msg.put_u32(IPVS_STATS_ATTR_INBPS, s.inbps);
	msg.put_u32(IPVS_STATS_ATTR_OUTBPS, s.outbps);
}

void put_stats64(Message &msg, int type, const Stats64 &s)
{
	auto n = msg.nest(type);
	msg.put_u64(IPVS_STATS_ATTR_CONNS, s.conns);
	msg.put_u64(IPVS_STATS_ATTR_INPKTS, s.inpkts);
	msg.put_u64(IPVS_STATS_ATTR_OUTPKTS, s.outpkts);
	msg.put_u64(IPVS_STATS_ATTR_INBYTES, s.inbytes);
	msg.put_u64(IPVS_STATS_ATTR_OUTBYTES, s.outbytes);
	msg.put_u64(IPVS_STATS_ATTR_CPS, s.cps);
	msg.put_u64(IPVS_STATS_ATTR_INPPS, s.inpps);
	msg.put_u64(IPVS_STATS_ATTR_OUTPPS, s.outpps);
	msg.put_u64(IPVS_STATS_ATTR_INBPS, s.inbps);
	msg.put_u64(IPVS_STATS_ATTR_OUTBPS, s.outbps);
}

// xvs's own attributes, in the service nest: only the ones given.
void put_service_timeouts(Message &msg, const ServiceTimeouts &t)
{
	if (t.tcp)
		msg.put_u32(XVS_SVC_ATTR_TIMEOUT_TCP, *t.tcp);
	if (t.tcp_fin)
		msg.put_u32(XVS_SVC_ATTR_TIMEOUT_TCP_FIN, *t.tcp_fin);
	if (t.udp)
		msg.put_u32(XVS_SVC_ATTR_TIMEOUT_UDP, *t.udp);
}

ServiceTimeouts decode_service_timeouts(const nlattr *nest)
{
	auto t = parse_nested(nest, XVS_SVC_ATTR_TIMEOUT_MAX);
	ServiceTimeouts out;
	auto get = [&](int type) -> std::optional<std::uint32_t> {
		if (!t[type])
			return std::nullopt;
		return attr::u32(t[type]);
	};
	out.tcp = get(XVS_SVC_ATTR_TIMEOUT_TCP);
	out.tcp_fin = get(XVS_SVC_ATTR_TIMEOUT_TCP_FIN);
	out.udp = get(XVS_SVC_ATTR_TIMEOUT_UDP);
	return out;
}

void put_service(Message &msg, const Service &svc, Detail detail)
{
	auto n = msg.nest(IPVS_CMD_ATTR_SERVICE);
	msg.put_u16(IPVS_SVC_ATTR_AF, svc.af);
	if (svc.fwmark) {
		msg.put_u32(IPVS_SVC_ATTR_FWMARK, svc.fwmark);
	} else {
		msg.put_u16(IPVS_SVC_ATTR_PROTOCOL, svc.protocol);
		Address a = svc.addr;
		a.af = svc.af;
		put_addr(msg, IPVS_SVC_ATTR_ADDR, a);
		msg.put_be16(IPVS_SVC_ATTR_PORT, svc.port);
	}
	if (detail == Detail::Key)
		return;

	ip_vs_flags flags{svc.flags, svc.flags_mask};
	msg.put_string(IPVS_SVC_ATTR_SCHED_NAME, svc.sched_name);
	if (!svc.pe_name.empty())
		msg.put_string(IPVS_SVC_ATTR_PE_NAME, svc.pe_name);
	msg.put(IPVS_SVC_ATTR_FLAGS, &flags, sizeof(flags));
	msg.put_u32(IPVS_SVC_ATTR_TIMEOUT, svc.timeout);
	msg.put_u32(IPVS_SVC_ATTR_NETMASK, svc.netmask);
	put_service_timeouts(msg, svc.conn_timeouts);
	if (detail != Detail::Dump)
		return;
	if (svc.stats)
		put_stats(msg, IPVS_SVC_ATTR_STATS, *svc.stats);
	if (svc.stats64)
		put_stats64(msg, IPVS_SVC_ATTR_STATS64, *svc.stats64);
}

void put_dest(Message &msg, const Destination &d, Detail detail)
{
	auto n = msg.nest(IPVS_CMD_ATTR_DEST);
	put_addr(msg, IPVS_DEST_ATTR_ADDR, d.addr);
	msg.put_be16(IPVS_DEST_ATTR_PORT, d.port);
	if (d.addr.af)
		msg.put_u16(IPVS_DEST_ATTR_ADDR_FAMILY, d.addr.af);
	if (detail == Detail::Key)
		return;

	msg.put_u32(IPVS_DEST_ATTR_FWD_METHOD, d.fwd_method);
	msg.put_u32(IPVS_DEST_ATTR_WEIGHT, static_cast<std::uint32_t>(d.weight));
	msg.put_u32(IPVS_DEST_ATTR_U_THRESH, d.u_threshold);
	msg.put_u32(IPVS_DEST_ATTR_L_THRESH, d.l_threshold);
	if (d.tun_type)
		msg.put_u8(IPVS_DEST_ATTR_TUN_TYPE, *d.tun_type);
	if (d.tun_port)
		msg.put_be16(IPVS_DEST_ATTR_TUN_PORT, *d.tun_port);
	if (d.tun_flags)
		msg.put_u16(IPVS_DEST_ATTR_TUN_FLAGS, *d.tun_flags);
	if (detail != Detail::Dump)
		return;
	msg.put_u32(IPVS_DEST_ATTR_ACTIVE_CONNS, d.active_conns);
	msg.put_u32(IPVS_DEST_ATTR_INACT_CONNS, d.inact_conns);
	msg.put_u32(IPVS_DEST_ATTR_PERSIST_CONNS, d.persist_conns);
	if (d.stats)
		put_stats(msg, IPVS_DEST_ATTR_STATS, *d.stats);
	if (d.stats64)
		put_stats64(msg, IPVS_DEST_ATTR_STATS64, *d.stats64);
}

void put_daemon(Message &msg, const Daemon &d)
{
	auto n = msg.nest(IPVS_CMD_ATTR_DAEMON);
	msg.put_u32(IPVS_DAEMON_ATTR_STATE, d.state);
	msg.put_string(IPVS_DAEMON_ATTR_MCAST_IFN, d.mcast_ifn);
	msg.put_u32(IPVS_DAEMON_ATTR_SYNC_ID, d.syncid);
	if (d.sync_maxlen)
		msg.put_u16(IPVS_DAEMON_ATTR_SYNC_MAXLEN, *d.sync_maxlen);
	if (d.mcast_group) {
		if (d.mcast_group->af == AF_INET6)
			msg.put(IPVS_DAEMON_ATTR_MCAST_GROUP6,
				d.mcast_group->bytes.data(), 16);
		else
			msg.put(IPVS_DAEMON_ATTR_MCAST_GROUP,
				d.mcast_group->bytes.data(), 4);
	}
	if (d.mcast_port)
		msg.put_u16(IPVS_DAEMON_ATTR_MCAST_PORT, *d.mcast_port);
	if (d.mcast_ttl)
		msg.put_u8(IPVS_DAEMON_ATTR_MCAST_TTL, *d.mcast_ttl);
}

void put_daemon_state(Message &msg, std::uint32_t state)
{
	auto n = msg.nest(IPVS_CMD_ATTR_DAEMON);
	msg.put_u32(IPVS_DAEMON_ATTR_STATE, state);
}

void put_timeouts(Message &msg, const Timeouts &t)
{
	msg.put_u32(IPVS_CMD_ATTR_TIMEOUT_TCP, t.tcp);
	msg.put_u32(IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, t.tcp_fin);
	msg.put_u32(IPVS_CMD_ATTR_TIMEOUT_UDP, t.udp);
}

void put_info(Message &msg, const Info &info)
{
	msg.put_u32(IPVS_INFO_ATTR_VERSION, info.version);
	msg.put_u32(IPVS_INFO_ATTR_CONN_TAB_SIZE, info.conn_tab_size);
}

Stats32 decode_stats(const nlattr *nest)
{
	auto t = parse_nested(nest, IPVS_STATS_ATTR_MAX);
	auto u32 = [&](int i) { return t[i] ? attr::u32(t[i]) : 0u; };
	auto u64 = [&](int i) { return t[i] ? attr::u64(t[i]) : 0ull; };
	Stats32 s;
	s.conns = u32(IPVS_STATS_ATTR_CONNS);
	s.inpkts = u32(IPVS_STATS_ATTR_INPKTS);
	s.outpkts = u32(IPVS_STATS_ATTR_OUTPKTS);
	s.inbytes = u64(IPVS_STATS_ATTR_INBYTES);
	s.outbytes = u64(IPVS_STATS_ATTR_OUTBYTES);
	s.cps = u32(IPVS_STATS_ATTR_CPS);
	s.inpps = u32(IPVS_STATS_ATTR_INPPS);
	s.outpps = u32(IPVS_STATS_ATTR_OUTPPS);
	s.inbps = u32(IPVS_STATS_ATTR_INBPS);
	s.outbps = u32(IPVS_STATS_ATTR_OUTBPS);
	return s;
}

Stats64 decode_stats64(const nlattr *nest)
{
	auto t = parse_nested(nest, IPVS_STATS_ATTR_MAX);
	auto u64 = [&](int i) { return t[i] ? attr::u64(t[i]) : 0ull; };
	Stats64 s;
	s.conns = u64(IPVS_STATS_ATTR_CONNS);
	s.inpkts = u64(IPVS_STATS_ATTR_INPKTS);
	s.outpkts = u64(IPVS_STATS_ATTR_OUTPKTS);
	s.inbytes = u64(IPVS_STATS_ATTR_INBYTES);
	s.outbytes = u64(IPVS_STATS_ATTR_OUTBYTES);
	s.cps = u64(IPVS_STATS_ATTR_CPS);
	s.inpps = u64(IPVS_STATS_ATTR_INPPS);
	s.outpps = u64(IPVS_STATS_ATTR_OUTPPS);
	s.inbps = u64(IPVS_STATS_ATTR_INBPS);
	s.outbps = u64(IPVS_STATS_ATTR_OUTBPS);
	return s;
}

Service decode_service(const nlattr *nest)
{
	if (!nest)
		throw Error(EPROTO, "reply without a service attribute");
	auto t = parse_nested(nest, IPVS_SVC_ATTR_MAX);
	if (!t[IPVS_SVC_ATTR_AF])
		throw Error(EPROTO, "service without address family");

	Service s;
	s.af = attr::u16(t[IPVS_SVC_ATTR_AF]);
	s.addr.af = s.af;
	if (t[IPVS_SVC_ATTR_FWMARK]) {
		s.fwmark = attr::u32(t[IPVS_SVC_ATTR_FWMARK]);
		s.protocol = 0;
		s.addr = Address{};
		s.addr.af = s.af;
	} else {
		if (!t[IPVS_SVC_ATTR_PROTOCOL] || !t[IPVS_SVC_ATTR_ADDR] ||
		    !t[IPVS_SVC_ATTR_PORT])
			throw Error(EPROTO, "service without fwmark nor "
				    "protocol/address/port");
		s.protocol = attr::u16(t[IPVS_SVC_ATTR_PROTOCOL]);
		s.addr = get_addr(t[IPVS_SVC_ATTR_ADDR], s.af);
		s.port = attr::be16(t[IPVS_SVC_ATTR_PORT]);
	}
	if (t[IPVS_SVC_ATTR_SCHED_NAME])
		s.sched_name = attr::str(t[IPVS_SVC_ATTR_SCHED_NAME]);
	else
		s.sched_name.clear();
	if (t[IPVS_SVC_ATTR_PE_NAME])
		s.pe_name = attr::str(t[IPVS_SVC_ATTR_PE_NAME]);
	if (t[IPVS_SVC_ATTR_FLAGS]) {
		auto b = attr::bytes(t[IPVS_SVC_ATTR_FLAGS]);
		if (b.size() < sizeof(ip_vs_flags))
			throw Error(EPROTO, "short service flags");
		ip_vs_flags f;
		std::memcpy(&f, b.data(), sizeof(f));
		s.flags = f.flags;
		s.flags_mask = f.mask;
	}
	if (t[IPVS_SVC_ATTR_TIMEOUT])
		s.timeout = attr::u32(t[IPVS_SVC_ATTR_TIMEOUT]);
	if (t[IPVS_SVC_ATTR_NETMASK])
		s.netmask = attr::u32(t[IPVS_SVC_ATTR_NETMASK]);
	else
		s.netmask = Service::default_netmask(s.af);
	if (t[IPVS_SVC_ATTR_STATS])
		s.stats = decode_stats(t[IPVS_SVC_ATTR_STATS]);
	if (t[IPVS_SVC_ATTR_STATS64])
		s.stats64 = decode_stats64(t[IPVS_SVC_ATTR_STATS64]);
	s.conn_timeouts = decode_service_timeouts(nest);
	return s;
}

Destination decode_dest(const nlattr *nest, std::uint16_t fallback_af)
{
	if (!nest)
		throw Error(EPROTO, "reply without a destination attribute");
	auto t = parse_nested(nest, IPVS_DEST_ATTR_MAX);
	if (!t[IPVS_DEST_ATTR_ADDR] || !t[IPVS_DEST_ATTR_PORT])
		throw Error(EPROTO, "destination without address or port");

	Destination d;
	std::uint16_t af = t[IPVS_DEST_ATTR_ADDR_FAMILY] ?
			   attr::u16(t[IPVS_DEST_ATTR_ADDR_FAMILY]) : fallback_af;
	d.addr = get_addr(t[IPVS_DEST_ATTR_ADDR], af);
	d.port = attr::be16(t[IPVS_DEST_ATTR_PORT]);
	auto u32 = [&](int i) { return t[i] ? attr::u32(t[i]) : 0u; };
	d.fwd_method = u32(IPVS_DEST_ATTR_FWD_METHOD) & IP_VS_CONN_F_FWD_MASK;
	d.weight = static_cast<std::int32_t>(u32(IPVS_DEST_ATTR_WEIGHT));
	d.u_threshold = u32(IPVS_DEST_ATTR_U_THRESH);
	d.l_threshold = u32(IPVS_DEST_ATTR_L_THRESH);
	d.active_conns = u32(IPVS_DEST_ATTR_ACTIVE_CONNS);
	d.inact_conns = u32(IPVS_DEST_ATTR_INACT_CONNS);
	d.persist_conns = u32(IPVS_DEST_ATTR_PERSIST_CONNS);
	if (t[IPVS_DEST_ATTR_TUN_TYPE])
		d.tun_type = attr::u8(t[IPVS_DEST_ATTR_TUN_TYPE]);
	if (t[IPVS_DEST_ATTR_TUN_PORT])
		d.tun_port = attr::be16(t[IPVS_DEST_ATTR_TUN_PORT]);
	if (t[IPVS_DEST_ATTR_TUN_FLAGS])
		d.tun_flags = attr::u16(t[IPVS_DEST_ATTR_TUN_FLAGS]);
	if (t[IPVS_DEST_ATTR_STATS])
		d.stats = decode_stats(t[IPVS_DEST_ATTR_STATS]);
	if (t[IPVS_DEST_ATTR_STATS64])
		d.stats64 = decode_stats64(t[IPVS_DEST_ATTR_STATS64]);
	return d;
}

Daemon decode_daemon(const nlattr *nest)
{
	if (!nest)
		throw Error(EPROTO, "reply without a daemon attribute");
	auto t = parse_nested(nest, IPVS_DAEMON_ATTR_MAX);
	Daemon d;
	if (t[IPVS_DAEMON_ATTR_STATE])
		d.state = attr::u32(t[IPVS_DAEMON_ATTR_STATE]);
	if (t[IPVS_DAEMON_ATTR_MCAST_IFN])
		d.mcast_ifn = attr::str(t[IPVS_DAEMON_ATTR_MCAST_IFN]);
	if (t[IPVS_DAEMON_ATTR_SYNC_ID])
		d.syncid = attr::u32(t[IPVS_DAEMON_ATTR_SYNC_ID]);
	if (t[IPVS_DAEMON_ATTR_SYNC_MAXLEN])
		d.sync_maxlen = attr::u16(t[IPVS_DAEMON_ATTR_SYNC_MAXLEN]);
	if (t[IPVS_DAEMON_ATTR_MCAST_GROUP6])
		d.mcast_group = get_addr(t[IPVS_DAEMON_ATTR_MCAST_GROUP6],
					 AF_INET6);
	else if (t[IPVS_DAEMON_ATTR_MCAST_GROUP])
		d.mcast_group = get_addr(t[IPVS_DAEMON_ATTR_MCAST_GROUP],
					 AF_INET);
	if (t[IPVS_DAEMON_ATTR_MCAST_PORT])
		d.mcast_port = attr::u16(t[IPVS_DAEMON_ATTR_MCAST_PORT]);
	if (t[IPVS_DAEMON_ATTR_MCAST_TTL])
		d.mcast_ttl = attr::u8(t[IPVS_DAEMON_ATTR_MCAST_TTL]);
	return d;
}

Timeouts decode_timeouts(const AttrTable &top)
{
	Timeouts t;
	auto get = [&](int i) {
		return i < static_cast<int>(top.size()) && top[i] ?
		       attr::u32(top[i]) : 0u;
	};
	t.tcp = get(IPVS_CMD_ATTR_TIMEOUT_TCP);
	t.tcp_fin = get(IPVS_CMD_ATTR_TIMEOUT_TCP_FIN);
	t.udp = get(IPVS_CMD_ATTR_TIMEOUT_UDP);
	return t;
}

Info decode_info(const AttrTable &top)
{
	if (top.size() <= IPVS_INFO_ATTR_CONN_TAB_SIZE ||
	    !top[IPVS_INFO_ATTR_VERSION] || !top[IPVS_INFO_ATTR_CONN_TAB_SIZE])
		throw Error(EPROTO, "info reply without version or table size");
	return {attr::u32(top[IPVS_INFO_ATTR_VERSION]),
		attr::u32(top[IPVS_INFO_ATTR_CONN_TAB_SIZE])};
}

} // namespace xvs::codec
