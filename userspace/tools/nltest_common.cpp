// xvs-nltest: the shared parts (nltest.hpp).
#include "nltest.hpp"

#include <arpa/inet.h>
#include <linux/ip_vs.h>

#include <sstream>

#include "xvs/error.hpp"

namespace nltest {

Bytes u8(std::uint8_t v) { return le(v); }
Bytes u16(std::uint16_t v) { return le(v); }
Bytes u32(std::uint32_t v) { return le(v); }
Bytes be16(std::uint16_t v) { return le<std::uint16_t>(htons(v)); }
Bytes strz(const std::string &s)
{
	Bytes b(s.begin(), s.end());
	b.push_back(0);
	return b;
}
Bytes str_nonul(const std::string &s) { return Bytes(s.begin(), s.end()); }
Bytes addr16(const char *text)
{
	Address a = Address::parse(text);
	return Bytes(a.bytes.begin(), a.bytes.end());
}
Bytes flags(std::uint32_t f, std::uint32_t mask)
{
	ip_vs_flags v{f, mask};
	Bytes b(sizeof(v));
	std::memcpy(b.data(), &v, sizeof(v));
	return b;
}

void put_set(Message &m, int nest_type, const AttrSet &set)
{
	auto n = m.nest(nest_type);
	for (const auto &[type, data] : set)
		m.put(type, data.data(), data.size());
}

/* The baseline configuration every case starts from. */

Service svc_tcp()
{
	Service s;
	s.protocol = IPPROTO_TCP;
	s.addr = Address::parse("10.0.0.1");
	s.port = 80;
	s.sched_name = "rr";
	return s;
}

Service svc_udp()
{
	Service s = svc_tcp();
	s.protocol = IPPROTO_UDP;
	s.port = 53;
	return s;
}

Service svc_fwm()
{
	Service s;
	s.fwmark = 7;
	s.sched_name = "rr";
	return s;
}

Service svc_v6()
{
	Service s;
	s.af = AF_INET6;
	s.protocol = IPPROTO_TCP;
	s.addr = Address::parse("2001:db8::1");
	s.port = 443;
	s.sched_name = "rr";
	s.netmask = 128;
	return s;
}

Destination dest(const char *addr, std::uint16_t port, std::uint32_t fwd,
		 int weight)
{
	Destination d;
	d.addr = Address::parse(addr);
	d.port = port;
	d.fwd_method = fwd;
	d.weight = weight;
	return d;
}

Destination dest_tcp() { return dest("10.0.1.1", 80, IP_VS_CONN_F_MASQ, 1); }
Destination dest_fwm() { return dest("10.0.1.2", 0, IP_VS_CONN_F_DROUTE, 2); }
Destination dest_v6() { return dest("2001:db8::2", 443, IP_VS_CONN_F_MASQ, 1); }

void setup_baseline(Ipvs &ipvs)
{
	ipvs.flush();
	ipvs.add_service(svc_tcp());
	ipvs.add_service(svc_udp());
	ipvs.add_service(svc_fwm());
	ipvs.add_service(svc_v6());
	ipvs.add_dest(svc_tcp(), dest_tcp());
	ipvs.add_dest(svc_fwm(), dest_fwm());
	ipvs.add_dest(svc_v6(), dest_v6());
}

// Text rendering of everything a request could change, stats left out
// (they may move on their own).
std::string snapshot(Ipvs &ipvs)
{
	std::vector<std::string> lines;
	for (const Service &s : ipvs.services()) {
		std::ostringstream o;
		o << "svc af=" << s.af << " " << s.key_str()
		  << " sched=" << s.sched_name << " pe=" << s.pe_name
		  << " flags=" << std::hex << s.flags << std::dec
		  << " timeout=" << s.timeout << " netmask=" << s.netmask;
		std::vector<std::string> ds;
		for (const Destination &d : ipvs.dests(s)) {
			std::ostringstream od;
			od << "\n  dest af=" << d.addr.af << " " << d.key_str()
			   << " fwd=" << d.fwd_method << " w=" << d.weight
			   << " u=" << d.u_threshold << " l=" << d.l_threshold
			   << " tun=" << int(d.tun_type.value_or(255)) << "/"
			   << d.tun_port.value_or(0) << "/"
			   << d.tun_flags.value_or(0);
			ds.push_back(od.str());
		}
		std::sort(ds.begin(), ds.end());
		for (auto &d : ds)
			o << d;
		lines.push_back(o.str());
	}
	std::sort(lines.begin(), lines.end());
	std::ostringstream out;
	for (auto &l : lines)
		out << l << "\n";
	Timeouts t = ipvs.timeouts();
	out << "timeouts " << t.tcp << " " << t.tcp_fin << " " << t.udp << "\n";
	for (const Daemon &d : ipvs.daemons())
		out << "daemon " << d.state << " " << d.mcast_ifn << " "
		    << d.syncid << "\n";
	return out.str();
}

/* Request builders. */

AttrSet key_attrs(const Service &s)
{
	AttrSet a;
	a[IPVS_SVC_ATTR_AF] = u16(s.af);
	if (s.fwmark) {
		a[IPVS_SVC_ATTR_FWMARK] = u32(s.fwmark);
	} else {
		a[IPVS_SVC_ATTR_PROTOCOL] = u16(s.protocol);
		a[IPVS_SVC_ATTR_ADDR] = Bytes(s.addr.bytes.begin(),
					      s.addr.bytes.end());
		a[IPVS_SVC_ATTR_PORT] = be16(s.port);
	}
	return a;
}

AttrSet full_attrs(const Service &s)
{
	AttrSet a = key_attrs(s);
	a[IPVS_SVC_ATTR_SCHED_NAME] = strz(s.sched_name);
	a[IPVS_SVC_ATTR_FLAGS] = flags(s.flags, ~0u);
	a[IPVS_SVC_ATTR_TIMEOUT] = u32(s.timeout);
	a[IPVS_SVC_ATTR_NETMASK] = u32(s.netmask);
	return a;
}

// A service that is not in the baseline.
Service svc_new()
{
	Service s = svc_tcp();
	s.addr = Address::parse("10.0.0.99");
	s.port = 8080;
	return s;
}

AttrSet dest_key_attrs(const Destination &d)
{
	AttrSet a;
	a[IPVS_DEST_ATTR_ADDR] = Bytes(d.addr.bytes.begin(), d.addr.bytes.end());
	a[IPVS_DEST_ATTR_PORT] = be16(d.port);
	a[IPVS_DEST_ATTR_ADDR_FAMILY] = u16(d.addr.af);
	return a;
}

AttrSet dest_full_attrs(const Destination &d)
{
	AttrSet a = dest_key_attrs(d);
	a[IPVS_DEST_ATTR_FWD_METHOD] = u32(d.fwd_method);
	a[IPVS_DEST_ATTR_WEIGHT] = u32(static_cast<std::uint32_t>(d.weight));
	a[IPVS_DEST_ATTR_U_THRESH] = u32(d.u_threshold);
	a[IPVS_DEST_ATTR_L_THRESH] = u32(d.l_threshold);
	return a;
}

// A destination that is not in the baseline.
Destination dest_new() { return dest("10.0.1.50", 80, IP_VS_CONN_F_MASQ, 1); }

// Runs a request and returns 0 or the errno it failed with.
int run(Ipvs &ipvs, Message &m, std::string *extack)
{
	try {
		ipvs.execute(m);
		return 0;
	} catch (const Error &e) {
		if (extack)
			*extack = e.extack();
		return e.code();
	}
}

} // namespace nltest
