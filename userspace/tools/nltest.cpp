// xvs-nltest: sends malformed and invalid IPVS generic netlink requests to
// whatever implements the "IPVS" family in the current network namespace
// (the kernel's ip_vs or xvs.ko) and checks that each one gets the answer
// the kernel's ip_vs gives -- the errno values below were recorded by
// running this program against ip_vs of Linux 6.1 -- and that a refused
// request leaves services, destinations, timeouts and sync daemons as they
// were.
//
//   xvs-nltest [--list] [--only SUBSTRING] [--verbose]
//   xvs-nltest --unprivileged      (as root: forks a child that drops to
//                                   uid/gid 65534 and expects EPERM)
//   xvs-nltest --api               (valid requests through every call of
//                                   the library, checked by reading back)
//
// One line per case:  CASE <name> got=<ERRNO> want=<ERRNO> PASS|FAIL [why]
// Exit status: 0 when every case passed, 1 otherwise, 2 on setup failure.

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "xvs/error.hpp"
#include "xvs/ipvs.hpp"

using namespace xvs;

namespace {

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

struct Case {
	std::string name;
	int want;	// errno the kernel's ip_vs answers with; 0 = accepted
	// Sends the request; returns 0 or errno.
	std::function<int(Ipvs &, std::string *)> send;
	// For accepted requests that do change state: undoes the change
	// (the snapshot must then be back to the baseline).
	std::function<void(Ipvs &)> cleanup = {};
};

// A request for `cmd` with a SERVICE nest, an optional DEST nest and
// optional raw top-level extras.
Case svc_case(std::string name, int want, std::uint8_t cmd,
	      std::optional<AttrSet> svc, std::optional<AttrSet> dst = {},
	      std::function<void(Ipvs &)> cleanup = {})
{
	return {std::move(name), want,
		[cmd, svc, dst](Ipvs &ipvs, std::string *ext) {
			Message m = ipvs.request(cmd);
			if (svc)
				put_set(m, IPVS_CMD_ATTR_SERVICE, *svc);
			if (dst)
				put_set(m, IPVS_CMD_ATTR_DEST, *dst);
			return run(ipvs, m, ext);
		},
		std::move(cleanup)};
}

Case msg_case(std::string name, int want,
	      std::function<void(Ipvs &, Message &)> build, std::uint8_t cmd,
	      std::uint16_t nlflags = 0,
	      std::function<void(Ipvs &)> cleanup = {})
{
	return {std::move(name), want,
		[cmd, nlflags, build](Ipvs &ipvs, std::string *ext) {
			Message m = ipvs.request(cmd, nlflags);
			build(ipvs, m);
			return run(ipvs, m, ext);
		},
		std::move(cleanup)};
}

// Sends `bytes` verbatim on the socket (header fields as given).
int send_bytes(Ipvs &ipvs, Bytes bytes, std::uint32_t seq, std::string *ext)
{
	// Some of these get no answer at all: do not wait long for it.
	ipvs.socket().set_timeout_ms(1000);
	int rc = 0;
	try {
		ipvs.socket().transact_bytes(bytes, seq);
	} catch (const Error &e) {
		if (ext)
			*ext = e.extack();
		rc = e.code();
	}
	ipvs.socket().set_timeout_ms(10000);
	return rc;
}

Bytes nl_header(Ipvs &ipvs, std::uint32_t len, std::uint32_t seq,
		std::uint8_t cmd, bool with_genl)
{
	Bytes b(NLMSG_HDRLEN + (with_genl ? GENL_HDRLEN : 0), 0);
	nlmsghdr h{};
	h.nlmsg_len = len;
	h.nlmsg_type = static_cast<std::uint16_t>(ipvs.family());
	h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	h.nlmsg_seq = seq;
	h.nlmsg_pid = ipvs.socket().port();
	std::memcpy(b.data(), &h, sizeof(h));
	if (with_genl) {
		genlmsghdr g{};
		g.cmd = cmd;
		g.version = IPVS_GENL_VERSION;
		std::memcpy(b.data() + NLMSG_HDRLEN, &g, sizeof(g));
	}
	return b;
}

void del_svc(Ipvs &ipvs, const Service &s) { ipvs.del_service(s); }

std::vector<Case> build_cases()
{
	std::vector<Case> c;
	const Service tcp = svc_tcp(), fwm = svc_fwm(), v6 = svc_v6();
	const Service nsvc = svc_new();
	const AttrSet new_full = full_attrs(nsvc);
	auto without = [](AttrSet a, int type) { a.erase(type); return a; };
	auto with = [](AttrSet a, int type, Bytes v) {
		a[type] = std::move(v);
		return a;
	};

	/* Generic netlink level: commands and headers. */
	c.push_back(msg_case("cmd_unknown_99", EOPNOTSUPP,
			     [](Ipvs &, Message &) {}, 99));
	c.push_back({"cmd_unknown_99_reserved_set", EINVAL,
		     [](Ipvs &ipvs, std::string *ext) {
			     try {
				     ipvs.raw(99, {}, 0, 1);
				     return 0;
			     } catch (const Error &e) {
				     *ext = e.extack();
				     return e.code();
			     }
		     }});
	c.push_back(msg_case("cmd_unspec_0", EOPNOTSUPP,
			     [](Ipvs &, Message &) {}, IPVS_CMD_UNSPEC));
	c.push_back(msg_case("cmd_set_info_14", EOPNOTSUPP,
			     [](Ipvs &, Message &) {}, IPVS_CMD_SET_INFO));
	c.push_back(msg_case("get_dest_not_dump", EOPNOTSUPP,
			     [tcp](Ipvs &, Message &m) {
				     codec::put_service(m, tcp, codec::Detail::Key);
			     }, IPVS_CMD_GET_DEST));
	c.push_back(msg_case("get_daemon_not_dump", EOPNOTSUPP,
			     [](Ipvs &, Message &) {}, IPVS_CMD_GET_DAEMON));
	c.push_back(msg_case("new_service_as_dump", EOPNOTSUPP,
			     [nsvc](Ipvs &, Message &m) {
				     codec::put_service(m, nsvc, codec::Detail::Full);
			     }, IPVS_CMD_NEW_SERVICE, NLM_F_DUMP));
	c.push_back(msg_case("flush_as_dump", EOPNOTSUPP,
			     [](Ipvs &, Message &) {}, IPVS_CMD_FLUSH, NLM_F_DUMP));

	/* Top-level attributes. */
	c.push_back(msg_case("get_info_garbage_attr_200", 0,
			     [](Ipvs &, Message &m) { m.put_u32(200, 1); },
			     IPVS_CMD_GET_INFO));
	c.push_back(msg_case("new_service_only_garbage_attrs", EINVAL,
			     [](Ipvs &, Message &m) {
				     m.put_u32(200, 1);
				     m.put_u32(IPVS_CMD_ATTR_TIMEOUT_UDP + 1, 5);
			     }, IPVS_CMD_NEW_SERVICE));
	c.push_back(msg_case("new_service_garbage_attr_type_0", 0,
			     [nsvc](Ipvs &, Message &m) {
				     m.put_u32(0, 0xdeadbeef);
				     codec::put_service(m, nsvc, codec::Detail::Full);
			     }, IPVS_CMD_NEW_SERVICE, 0,
			     [nsvc](Ipvs &ipvs) { del_svc(ipvs, nsvc); }));
	c.push_back(msg_case("new_service_service_attr_not_nested", ERANGE,
			     [](Ipvs &, Message &m) {
				     m.put_u16(IPVS_CMD_ATTR_SERVICE, AF_INET);
			     }, IPVS_CMD_NEW_SERVICE));
	c.push_back(msg_case("set_config_timeout_2_bytes", ERANGE,
			     [](Ipvs &, Message &m) {
				     m.put_u16(IPVS_CMD_ATTR_TIMEOUT_TCP, 100);
			     }, IPVS_CMD_SET_CONFIG));
	c.push_back(msg_case("set_config_timeout_negative", EINVAL,
			     [](Ipvs &, Message &m) {
				     m.put_u32(IPVS_CMD_ATTR_TIMEOUT_UDP, 0xffffffffu);
			     }, IPVS_CMD_SET_CONFIG));
	c.push_back(msg_case("set_config_timeout_int_max", EINVAL,
			     [](Ipvs &, Message &m) {
				     m.put_u32(IPVS_CMD_ATTR_TIMEOUT_TCP, 0x7fffffffu);
			     }, IPVS_CMD_SET_CONFIG));
	c.push_back(msg_case("set_config_fin_timeout_int_max", EINVAL,
			     [](Ipvs &, Message &m) {
				     m.put_u32(IPVS_CMD_ATTR_TIMEOUT_TCP_FIN,
					       0x7fffffffu);
			     }, IPVS_CMD_SET_CONFIG));

	/* NEW_SERVICE: missing pieces. */
	c.push_back(svc_case("new_service_no_service_attr", EINVAL,
			     IPVS_CMD_NEW_SERVICE, std::nullopt));
	c.push_back(svc_case("new_service_empty_nest", EINVAL,
			     IPVS_CMD_NEW_SERVICE, AttrSet{}));
	for (auto [type, name] : std::vector<std::pair<int, const char *>>{
		     {IPVS_SVC_ATTR_AF, "af"},
		     {IPVS_SVC_ATTR_PROTOCOL, "protocol"},
		     {IPVS_SVC_ATTR_ADDR, "addr"},
		     {IPVS_SVC_ATTR_PORT, "port"},
		     {IPVS_SVC_ATTR_SCHED_NAME, "sched_name"},
		     {IPVS_SVC_ATTR_FLAGS, "flags"},
		     {IPVS_SVC_ATTR_TIMEOUT, "timeout"},
		     {IPVS_SVC_ATTR_NETMASK, "netmask"}})
		c.push_back(svc_case(std::string("new_service_missing_") + name,
				     EINVAL, IPVS_CMD_NEW_SERVICE,
				     without(new_full, type)));

	/* NEW_SERVICE: bad lengths and encodings. */
	c.push_back(svc_case("new_service_af_1_byte", EINVAL,
			     IPVS_CMD_NEW_SERVICE,
			     with(new_full, IPVS_SVC_ATTR_AF, u8(AF_INET))));
	c.push_back(svc_case("new_service_port_1_byte", EINVAL,
			     IPVS_CMD_NEW_SERVICE,
			     with(new_full, IPVS_SVC_ATTR_PORT, u8(80))));
	c.push_back(svc_case("new_service_protocol_1_byte", EINVAL,
			     IPVS_CMD_NEW_SERVICE,
			     with(new_full, IPVS_SVC_ATTR_PROTOCOL, u8(6))));
	c.push_back(svc_case("new_service_addr_17_bytes", EINVAL,
			     IPVS_CMD_NEW_SERVICE,
			     with(new_full, IPVS_SVC_ATTR_ADDR, Bytes(17, 10))));
	c.push_back(svc_case("new_service_fwmark_2_bytes", EINVAL,
			     IPVS_CMD_NEW_SERVICE,
			     with(full_attrs(svc_fwm()), IPVS_SVC_ATTR_FWMARK,
				  u16(99))));
	c.push_back(svc_case("new_service_flags_9_bytes", EINVAL,
			     IPVS_CMD_NEW_SERVICE,
			     with(new_full, IPVS_SVC_ATTR_FLAGS, Bytes(9, 0))));
	c.push_back(svc_case("new_service_timeout_2_bytes", EINVAL,
			     IPVS_CMD_NEW_SERVICE,
			     with(new_full, IPVS_SVC_ATTR_TIMEOUT, u16(5))));
	c.push_back(svc_case("new_service_sched_name_overlong", EINVAL,
			     IPVS_CMD_NEW_SERVICE,
			     with(new_full, IPVS_SVC_ATTR_SCHED_NAME,
				  strz("abcdefghijklmnop"))));
	c.push_back(svc_case("new_service_sched_name_unterminated", EINVAL,
			     IPVS_CMD_NEW_SERVICE,
			     with(new_full, IPVS_SVC_ATTR_SCHED_NAME,
				  str_nonul("rr"))));
	c.push_back(svc_case("new_service_pe_name_overlong", EINVAL,
			     IPVS_CMD_NEW_SERVICE,
			     with(new_full, IPVS_SVC_ATTR_PE_NAME,
				  strz("abcdefghijklmnopq"))));
	c.push_back(svc_case("new_service_pe_name_unterminated", EINVAL,
			     IPVS_CMD_NEW_SERVICE,
			     with(new_full, IPVS_SVC_ATTR_PE_NAME,
				  str_nonul("sip"))));

	// A short address is zero-filled by ip_vs: 10.0 -> 10.0.0.0.
	c.push_back(svc_case("new_service_addr_2_bytes_accepted", 0,
			     IPVS_CMD_NEW_SERVICE,
			     with(new_full, IPVS_SVC_ATTR_ADDR, Bytes{10, 0}),
			     std::nullopt, [nsvc](Ipvs &ipvs) {
				     Service s = nsvc;
				     s.addr = Address::parse("10.0.0.0");
				     del_svc(ipvs, s);
			     }));

	/* NEW_SERVICE: values out of range. */
	c.push_back(svc_case("new_service_af_99", EAFNOSUPPORT,
			     IPVS_CMD_NEW_SERVICE,
			     with(new_full, IPVS_SVC_ATTR_AF, u16(99))));
	c.push_back(svc_case("new_service_af_0", EAFNOSUPPORT,
			     IPVS_CMD_NEW_SERVICE,
			     with(new_full, IPVS_SVC_ATTR_AF, u16(0))));
	c.push_back(svc_case("new_service_unknown_scheduler", ENOENT,
			     IPVS_CMD_NEW_SERVICE,
			     with(new_full, IPVS_SVC_ATTR_SCHED_NAME,
				  strz("nosuchsched"))));
	c.push_back(svc_case("new_service_empty_scheduler_name", ENOENT,
			     IPVS_CMD_NEW_SERVICE,
			     with(new_full, IPVS_SVC_ATTR_SCHED_NAME, strz(""))));
	c.push_back(svc_case("new_service_unknown_pe", ENOENT,
			     IPVS_CMD_NEW_SERVICE,
			     with(new_full, IPVS_SVC_ATTR_PE_NAME,
				  strz("nosuchpe"))));
	{
		Service s6 = v6;
		s6.addr = Address::parse("2001:db8::99");
		AttrSet a6 = full_attrs(s6);
		c.push_back(svc_case("new_service_v6_netmask_0", EINVAL,
				     IPVS_CMD_NEW_SERVICE,
				     with(a6, IPVS_SVC_ATTR_NETMASK, u32(0))));
		c.push_back(svc_case("new_service_v6_netmask_129", EINVAL,
				     IPVS_CMD_NEW_SERVICE,
				     with(a6, IPVS_SVC_ATTR_NETMASK, u32(129))));
	}
	// ip_vs does not range-check the protocol over netlink: accepted.
	c.push_back(svc_case("new_service_protocol_0_accepted", 0,
			     IPVS_CMD_NEW_SERVICE,
			     with(new_full, IPVS_SVC_ATTR_PROTOCOL, u16(0)),
			     std::nullopt, [nsvc](Ipvs &ipvs) {
				     Service s = nsvc;
				     s.protocol = 0;
				     del_svc(ipvs, s);
			     }));

	/* Service existence. */
	c.push_back(svc_case("new_service_duplicate", EEXIST,
			     IPVS_CMD_NEW_SERVICE, full_attrs(tcp)));
	c.push_back(svc_case("new_service_duplicate_fwmark", EEXIST,
			     IPVS_CMD_NEW_SERVICE, full_attrs(fwm)));
	c.push_back(svc_case("new_service_duplicate_v6", EEXIST,
			     IPVS_CMD_NEW_SERVICE, full_attrs(v6)));
	c.push_back(svc_case("set_service_missing", ESRCH,
			     IPVS_CMD_SET_SERVICE, new_full));
	c.push_back(svc_case("del_service_missing", ESRCH,
			     IPVS_CMD_DEL_SERVICE, key_attrs(nsvc)));
	c.push_back(svc_case("del_service_missing_fwmark", ESRCH,
			     IPVS_CMD_DEL_SERVICE, key_attrs([] {
				     Service s = svc_fwm();
				     s.fwmark = 8;
				     return s;
			     }())));
	c.push_back(svc_case("del_service_wrong_af", ESRCH,
			     IPVS_CMD_DEL_SERVICE,
			     with(key_attrs(fwm), IPVS_SVC_ATTR_AF,
				  u16(AF_INET6))));
	c.push_back(svc_case("get_service_missing", ESRCH,
			     IPVS_CMD_GET_SERVICE, key_attrs(nsvc)));
	c.push_back(svc_case("get_service_no_service_attr", EINVAL,
			     IPVS_CMD_GET_SERVICE, std::nullopt));
	c.push_back(svc_case("zero_service_missing", ESRCH, IPVS_CMD_ZERO,
			     key_attrs(nsvc)));
	c.push_back(svc_case("del_service_no_service_attr", EINVAL,
			     IPVS_CMD_DEL_SERVICE, std::nullopt));
	c.push_back(svc_case("del_service_missing_port", EINVAL,
			     IPVS_CMD_DEL_SERVICE,
			     without(key_attrs(tcp), IPVS_SVC_ATTR_PORT)));
	c.push_back(svc_case("set_service_missing_sched_name", EINVAL,
			     IPVS_CMD_SET_SERVICE,
			     without(full_attrs(tcp), IPVS_SVC_ATTR_SCHED_NAME)));
	c.push_back(svc_case("set_service_unknown_scheduler", ENOENT,
			     IPVS_CMD_SET_SERVICE,
			     with(full_attrs(tcp), IPVS_SVC_ATTR_SCHED_NAME,
				  strz("nosuchsched"))));
	c.push_back(svc_case("set_service_v6_netmask_200", EINVAL,
			     IPVS_CMD_SET_SERVICE,
			     with(full_attrs(v6), IPVS_SVC_ATTR_NETMASK,
				  u32(200))));

	/* Destinations. */
	const AttrSet dnew = dest_full_attrs(dest_new());
	c.push_back(svc_case("new_dest_missing_service", ESRCH,
			     IPVS_CMD_NEW_DEST, key_attrs(nsvc), dnew));
	c.push_back(svc_case("new_dest_no_dest_attr", EINVAL,
			     IPVS_CMD_NEW_DEST, key_attrs(tcp)));
	c.push_back(svc_case("new_dest_no_service_attr", EINVAL,
			     IPVS_CMD_NEW_DEST, std::nullopt, dnew));
	c.push_back(svc_case("new_dest_empty_nest", EINVAL,
			     IPVS_CMD_NEW_DEST, key_attrs(tcp), AttrSet{}));
	for (auto [type, name] : std::vector<std::pair<int, const char *>>{
		     {IPVS_DEST_ATTR_ADDR, "addr"},
		     {IPVS_DEST_ATTR_PORT, "port"},
		     {IPVS_DEST_ATTR_FWD_METHOD, "fwd_method"},
		     {IPVS_DEST_ATTR_WEIGHT, "weight"},
		     {IPVS_DEST_ATTR_U_THRESH, "u_threshold"},
		     {IPVS_DEST_ATTR_L_THRESH, "l_threshold"}})
		c.push_back(svc_case(std::string("new_dest_missing_") + name,
				     EINVAL, IPVS_CMD_NEW_DEST, key_attrs(tcp),
				     without(dnew, type)));
	c.push_back(svc_case("new_dest_port_1_byte", EINVAL, IPVS_CMD_NEW_DEST,
			     key_attrs(tcp),
			     with(dnew, IPVS_DEST_ATTR_PORT, u8(80))));
	c.push_back(svc_case("new_dest_addr_20_bytes", EINVAL,
			     IPVS_CMD_NEW_DEST, key_attrs(tcp),
			     with(dnew, IPVS_DEST_ATTR_ADDR, Bytes(20, 10))));
	c.push_back(svc_case("new_dest_weight_2_bytes", EINVAL,
			     IPVS_CMD_NEW_DEST, key_attrs(tcp),
			     with(dnew, IPVS_DEST_ATTR_WEIGHT, u16(1))));
	// Longer-than-needed integers only draw a kernel warning under the
	// non-strict validation IPVS uses: accepted.
	c.push_back(svc_case("new_dest_tun_type_2_bytes_accepted", 0,
			     IPVS_CMD_NEW_DEST, key_attrs(tcp),
			     with(dnew, IPVS_DEST_ATTR_TUN_TYPE, u16(0)),
			     [tcp](Ipvs &ipvs) { ipvs.del_dest(tcp, dest_new()); }));
	c.push_back(svc_case("new_dest_weight_negative", ERANGE,
			     IPVS_CMD_NEW_DEST, key_attrs(tcp),
			     with(dnew, IPVS_DEST_ATTR_WEIGHT, u32(0xffffffffu))));
	c.push_back(svc_case("new_dest_weight_too_big", ERANGE,
			     IPVS_CMD_NEW_DEST, key_attrs(tcp),
			     with(dnew, IPVS_DEST_ATTR_WEIGHT, u32(0x80000000u))));
	c.push_back(svc_case("new_dest_l_thresh_above_u_thresh", ERANGE,
			     IPVS_CMD_NEW_DEST, key_attrs(tcp),
			     with(with(dnew, IPVS_DEST_ATTR_U_THRESH, u32(10)),
				  IPVS_DEST_ATTR_L_THRESH, u32(20))));
	c.push_back(svc_case("new_dest_u_thresh_above_int_max", EINVAL,
			     IPVS_CMD_NEW_DEST, key_attrs(tcp),
			     with(dnew, IPVS_DEST_ATTR_U_THRESH, u32(0x80000000u))));
	c.push_back(svc_case("new_dest_gue_tunnel_port_0", EINVAL,
			     IPVS_CMD_NEW_DEST, key_attrs(tcp),
			     with(with(dnew, IPVS_DEST_ATTR_FWD_METHOD,
				       u32(IP_VS_CONN_F_TUNNEL)),
				  IPVS_DEST_ATTR_TUN_TYPE,
				  u8(IP_VS_CONN_F_TUNNEL_TYPE_GUE))));
	c.push_back(svc_case("new_dest_addr_zero", EINVAL, IPVS_CMD_NEW_DEST,
			     key_attrs(tcp),
			     with(dnew, IPVS_DEST_ATTR_ADDR, addr16("0.0.0.0"))));
	c.push_back(svc_case("new_dest_addr_multicast", EINVAL,
			     IPVS_CMD_NEW_DEST, key_attrs(tcp),
			     with(dnew, IPVS_DEST_ATTR_ADDR, addr16("224.0.0.1"))));
	c.push_back(svc_case("new_dest_addr_broadcast", EINVAL,
			     IPVS_CMD_NEW_DEST, key_attrs(tcp),
			     with(dnew, IPVS_DEST_ATTR_ADDR,
				  addr16("255.255.255.255"))));
	{
		AttrSet d6 = dest_full_attrs(dest("fe80::1", 443,
						   IP_VS_CONN_F_MASQ, 1));
		c.push_back(svc_case("new_dest_v6_link_local", EINVAL,
				     IPVS_CMD_NEW_DEST, key_attrs(v6), d6));
		AttrSet m6 = dest_full_attrs(dest("ff02::1", 443,
						   IP_VS_CONN_F_MASQ, 1));
		c.push_back(svc_case("new_dest_v6_multicast", EINVAL,
				     IPVS_CMD_NEW_DEST, key_attrs(v6), m6));
	}
	c.push_back(svc_case("new_dest_af_99", EAFNOSUPPORT, IPVS_CMD_NEW_DEST,
			     key_attrs(tcp),
			     with(dnew, IPVS_DEST_ATTR_ADDR_FAMILY, u16(99))));
	// An IPv6 real server behind an IPv4 service needs tunnelling.
	c.push_back(svc_case("new_dest_af_mismatch_masq", EINVAL,
			     IPVS_CMD_NEW_DEST, key_attrs(tcp),
			     dest_full_attrs(dest("2001:db8::50", 80,
						  IP_VS_CONN_F_MASQ, 1))));
	c.push_back(svc_case("new_dest_af_mismatch_droute", EINVAL,
			     IPVS_CMD_NEW_DEST, key_attrs(v6),
			     dest_full_attrs(dest("10.0.1.60", 443,
						  IP_VS_CONN_F_DROUTE, 1))));
	c.push_back(svc_case("new_dest_duplicate", EEXIST, IPVS_CMD_NEW_DEST,
			     key_attrs(tcp), dest_full_attrs(dest_tcp())));
	c.push_back(svc_case("new_dest_duplicate_v6", EEXIST, IPVS_CMD_NEW_DEST,
			     key_attrs(v6), dest_full_attrs(dest_v6())));
	c.push_back(svc_case("set_dest_missing_service", ESRCH,
			     IPVS_CMD_SET_DEST, key_attrs(nsvc), dnew));
	c.push_back(svc_case("set_dest_missing_dest", ENOENT, IPVS_CMD_SET_DEST,
			     key_attrs(tcp), dnew));
	c.push_back(svc_case("set_dest_weight_negative", ERANGE,
			     IPVS_CMD_SET_DEST, key_attrs(tcp),
			     with(dest_full_attrs(dest_tcp()),
				  IPVS_DEST_ATTR_WEIGHT, u32(0xfffffff0u))));
	c.push_back(svc_case("set_dest_missing_weight", EINVAL,
			     IPVS_CMD_SET_DEST, key_attrs(tcp),
			     without(dest_full_attrs(dest_tcp()),
				     IPVS_DEST_ATTR_WEIGHT)));
	c.push_back(svc_case("del_dest_missing_service", ESRCH,
			     IPVS_CMD_DEL_DEST, key_attrs(nsvc),
			     dest_key_attrs(dest_tcp())));
	c.push_back(svc_case("del_dest_missing_dest", ENOENT, IPVS_CMD_DEL_DEST,
			     key_attrs(tcp), dest_key_attrs(dest_new())));
	c.push_back(svc_case("del_dest_wrong_port", ENOENT, IPVS_CMD_DEL_DEST,
			     key_attrs(tcp),
			     with(dest_key_attrs(dest_tcp()), IPVS_DEST_ATTR_PORT,
				  be16(81))));
	c.push_back(svc_case("del_dest_missing_port", EINVAL,
			     IPVS_CMD_DEL_DEST, key_attrs(tcp),
			     without(dest_key_attrs(dest_tcp()),
				     IPVS_DEST_ATTR_PORT)));
	c.push_back(svc_case("del_dest_no_dest_attr", EINVAL,
			     IPVS_CMD_DEL_DEST, key_attrs(tcp)));
	// ip_vs accepts any forwarding method or tunnel type value.
	c.push_back(svc_case("new_dest_fwd_method_7_accepted", 0,
			     IPVS_CMD_NEW_DEST, key_attrs(tcp),
			     with(dnew, IPVS_DEST_ATTR_FWD_METHOD, u32(7)),
			     [tcp](Ipvs &ipvs) { ipvs.del_dest(tcp, dest_new()); }));
	c.push_back(svc_case("new_dest_tun_type_200_accepted", 0,
			     IPVS_CMD_NEW_DEST, key_attrs(tcp),
			     with(with(dnew, IPVS_DEST_ATTR_FWD_METHOD,
				       u32(IP_VS_CONN_F_TUNNEL)),
				  IPVS_DEST_ATTR_TUN_TYPE, u8(200)),
			     [tcp](Ipvs &ipvs) { ipvs.del_dest(tcp, dest_new()); }));

	/* Dumps that find nothing succeed with no entries. */
	c.push_back({"get_dest_dump_missing_service", 0,
		     [nsvc](Ipvs &ipvs, std::string *) {
			     auto d = ipvs.dests(nsvc);
			     return d.empty() ? 0 : EEXIST;
		     }});
	c.push_back(msg_case("get_dest_dump_no_service_attr", 0,
			     [](Ipvs &, Message &) {}, IPVS_CMD_GET_DEST,
			     NLM_F_DUMP));

	/* Sync daemon requests that must not start anything. */
	c.push_back(msg_case("new_daemon_no_daemon_attr", EINVAL,
			     [](Ipvs &, Message &) {}, IPVS_CMD_NEW_DAEMON));
	c.push_back(msg_case("new_daemon_missing_ifn", EINVAL,
			     [](Ipvs &, Message &m) {
				     auto n = m.nest(IPVS_CMD_ATTR_DAEMON);
				     m.put_u32(IPVS_DAEMON_ATTR_STATE,
					       IP_VS_STATE_MASTER);
				     m.put_u32(IPVS_DAEMON_ATTR_SYNC_ID, 1);
			     }, IPVS_CMD_NEW_DAEMON));
	c.push_back(msg_case("new_daemon_ifn_overlong", EINVAL,
			     [](Ipvs &, Message &m) {
				     auto n = m.nest(IPVS_CMD_ATTR_DAEMON);
				     m.put_u32(IPVS_DAEMON_ATTR_STATE,
					       IP_VS_STATE_MASTER);
				     m.put_string(IPVS_DAEMON_ATTR_MCAST_IFN,
						  "abcdefghijklmnopqrst");
				     m.put_u32(IPVS_DAEMON_ATTR_SYNC_ID, 1);
			     }, IPVS_CMD_NEW_DAEMON));
	c.push_back(msg_case("new_daemon_group_not_multicast", EINVAL,
			     [](Ipvs &, Message &m) {
				     auto n = m.nest(IPVS_CMD_ATTR_DAEMON);
				     m.put_u32(IPVS_DAEMON_ATTR_STATE,
					       IP_VS_STATE_MASTER);
				     m.put_string(IPVS_DAEMON_ATTR_MCAST_IFN, "lo");
				     m.put_u32(IPVS_DAEMON_ATTR_SYNC_ID, 1);
				     m.put_u32(IPVS_DAEMON_ATTR_MCAST_GROUP,
					       htonl(0x0a000001));
			     }, IPVS_CMD_NEW_DAEMON));
	c.push_back(msg_case("new_daemon_unknown_ifn", ENODEV,
			     [](Ipvs &, Message &m) {
				     auto n = m.nest(IPVS_CMD_ATTR_DAEMON);
				     m.put_u32(IPVS_DAEMON_ATTR_STATE,
					       IP_VS_STATE_MASTER);
				     m.put_string(IPVS_DAEMON_ATTR_MCAST_IFN,
						  "nosuch0");
				     m.put_u32(IPVS_DAEMON_ATTR_SYNC_ID, 1);
			     }, IPVS_CMD_NEW_DAEMON));
	c.push_back(msg_case("del_daemon_missing_state", EINVAL,
			     [](Ipvs &, Message &m) {
				     auto n = m.nest(IPVS_CMD_ATTR_DAEMON);
				     m.put_u32(IPVS_DAEMON_ATTR_SYNC_ID, 1);
			     }, IPVS_CMD_DEL_DAEMON));
	c.push_back(msg_case("del_daemon_not_running", ESRCH,
			     [](Ipvs &, Message &m) {
				     codec::put_daemon_state(m, IP_VS_STATE_BACKUP);
			     }, IPVS_CMD_DEL_DAEMON));

	/* Raw socket level: truncated and inconsistent messages. */
	c.push_back({"raw_shorter_than_nlmsghdr", kNoReply,
		     [](Ipvs &ipvs, std::string *ext) {
			     std::uint32_t seq = ipvs.socket().next_seq();
			     Bytes b = nl_header(ipvs, 8, seq, 0, false);
			     b.resize(8);
			     return send_bytes(ipvs, b, seq, ext);
		     }});
	c.push_back({"raw_nlmsg_len_beyond_datagram", kNoReply,
		     [](Ipvs &ipvs, std::string *ext) {
			     std::uint32_t seq = ipvs.socket().next_seq();
			     Bytes b = nl_header(ipvs, 64, seq, IPVS_CMD_FLUSH,
						 true);
			     return send_bytes(ipvs, b, seq, ext);
		     }});
	c.push_back({"raw_nlmsg_len_below_header", kNoReply,
		     [](Ipvs &ipvs, std::string *ext) {
			     std::uint32_t seq = ipvs.socket().next_seq();
			     Bytes b = nl_header(ipvs, 8, seq, IPVS_CMD_FLUSH,
						 true);
			     return send_bytes(ipvs, b, seq, ext);
		     }});
	c.push_back({"raw_no_genl_header", EINVAL,
		     [](Ipvs &ipvs, std::string *ext) {
			     std::uint32_t seq = ipvs.socket().next_seq();
			     Bytes b = nl_header(ipvs, NLMSG_HDRLEN, seq, 0,
						 false);
			     return send_bytes(ipvs, b, seq, ext);
		     }});
	c.push_back({"raw_half_genl_header", EINVAL,
		     [](Ipvs &ipvs, std::string *ext) {
			     std::uint32_t seq = ipvs.socket().next_seq();
			     Bytes b = nl_header(ipvs, NLMSG_HDRLEN + 2, seq,
						 IPVS_CMD_FLUSH, true);
			     b.resize(NLMSG_HDRLEN + 4);
			     return send_bytes(ipvs, b, seq, ext);
		     }});
	// An attribute claiming more bytes than the message holds: the
	// top-level parse stops there, so the service is missing.
	c.push_back(msg_case("raw_attr_len_past_message_end", EINVAL,
			     [](Ipvs &, Message &m) {
				     const std::uint16_t a[2] = {
					     200, IPVS_CMD_ATTR_SERVICE};
				     m.append(a, sizeof(a));
			     }, IPVS_CMD_NEW_SERVICE));
	c.push_back(msg_case("raw_attr_len_below_header", EINVAL,
			     [](Ipvs &, Message &m) {
				     const std::uint16_t a[2] = {
					     2, IPVS_CMD_ATTR_SERVICE};
				     m.append(a, sizeof(a));
			     }, IPVS_CMD_NEW_SERVICE));
	c.push_back(msg_case("raw_nested_attr_len_past_nest", EINVAL,
			     [](Ipvs &, Message &m) {
				     auto n = m.nest(IPVS_CMD_ATTR_SERVICE);
				     const std::uint16_t a[4] = {
					     6, IPVS_SVC_ATTR_AF, AF_INET, 0};
				     m.append(a, sizeof(a));
				     const std::uint16_t bad[2] = {
					     40, IPVS_SVC_ATTR_FWMARK};
				     m.append(bad, sizeof(bad));
			     }, IPVS_CMD_NEW_SERVICE));
	c.push_back(msg_case("raw_trailing_garbage_after_attrs", 0,
			     [](Ipvs &, Message &m) {
				     m.put_u32(200, 1);
				     const std::uint8_t junk[3] = {1, 2, 3};
				     m.append(junk, sizeof(junk));
			     }, IPVS_CMD_GET_INFO));
	return c;
}

int run_cases(Ipvs &ipvs, const std::string &only, bool verbose)
{
	int failed = 0, passed = 0;
	setup_baseline(ipvs);
	const std::string base = snapshot(ipvs);
	if (verbose)
		std::cout << "# baseline:\n" << base;

	for (const Case &tc : build_cases()) {
		if (!only.empty() && tc.name.find(only) == std::string::npos)
			continue;
		std::string ext, why;
		int got;
		try {
			got = tc.send(ipvs, &ext);
		} catch (const Error &e) {
			got = -1;
			why = std::string("local error: ") + e.what();
		}
		if (got != tc.want && why.empty())
			why = "wrong errno";
		if (tc.cleanup && got == 0) {
			try {
				tc.cleanup(ipvs);
			} catch (const Error &e) {
				why = std::string("cleanup failed: ") + e.what();
			}
		}
		std::string now;
		try {
			now = snapshot(ipvs);
		} catch (const Error &e) {
			now = std::string("snapshot failed: ") + e.what();
		}
		if (now != base) {
			if (why.empty())
				why = "tables changed";
			if (verbose)
				std::cout << "# after " << tc.name << ":\n" << now;
			setup_baseline(ipvs);
		}
		bool ok = why.empty();
		std::cout << "CASE " << tc.name << " got=" << errno_name(got)
			  << " want=" << errno_name(tc.want) << " "
			  << (ok ? "PASS" : "FAIL");
		if (!ok)
			std::cout << " " << why;
		if (verbose && !ext.empty())
			std::cout << " extack=\"" << ext << "\"";
		std::cout << "\n" << std::flush;
		(ok ? passed : failed)++;
	}
	ipvs.flush();
	std::cout << "SUMMARY pass=" << passed << " fail=" << failed << "\n";
	return failed ? 1 : 0;
}

/* --api: positive round trips of every library call. */

// Each step returns an empty string or what was wrong.
struct ApiStep {
	std::string name;
	std::function<std::string(Ipvs &)> run;
};

template <typename T>
std::string expect_eq(const char *what, const T &got, const T &want)
{
	if (got == want)
		return {};
	std::ostringstream o;
	o << what << ": got " << got << " want " << want;
	return o.str();
}

Service api_svc()
{
	Service s;
	s.protocol = IPPROTO_TCP;
	s.addr = Address::parse("192.0.2.1");
	s.port = 443;
	s.sched_name = "rr";
	s.flags = IP_VS_SVC_F_PERSISTENT;
	s.timeout = 600;
	s.netmask = htonl(0xffffff00);
	return s;
}

Destination api_dest()
{
	Destination d = dest("2001:db8::10", 8443, IP_VS_CONN_F_TUNNEL, 3);
	d.u_threshold = 100;
	d.l_threshold = 10;
	d.tun_type = IP_VS_CONN_F_TUNNEL_TYPE_GUE;
	d.tun_port = 6080;
	d.tun_flags = IP_VS_TUNNEL_ENCAP_FLAG_CSUM;
	return d;
}

std::vector<ApiStep> api_steps()
{
	std::vector<ApiStep> v;
	v.push_back({"api_info", [](Ipvs &ipvs) {
		Info i = ipvs.info();
		std::string e = expect_eq("version", i.version,
					  std::uint32_t{IP_VS_VERSION_CODE});
		if (e.empty() && i.conn_tab_size == 0)
			e = "conn_tab_size is 0";
		return e;
	}});
	v.push_back({"api_flush_empty", [](Ipvs &ipvs) {
		ipvs.flush();
		return expect_eq("services", ipvs.services().size(), std::size_t{0});
	}});
	v.push_back({"api_add_service_get_back", [](Ipvs &ipvs) {
		Service want = api_svc();
		ipvs.add_service(want);
		Service got = ipvs.service(want);
		std::string e;
		if (!got.same_key(want))
			e = "key " + got.key_str();
		if (e.empty())
			e = expect_eq("sched", got.sched_name, want.sched_name);
		if (e.empty())
			e = expect_eq("flags", got.flags & ~IP_VS_SVC_F_HASHED,
				      want.flags);
		if (e.empty())
			e = expect_eq("timeout", got.timeout, want.timeout);
		if (e.empty())
			e = expect_eq("netmask", got.netmask, want.netmask);
		if (e.empty() && !(got.stats && got.stats64))
			e = "no stats nests";
		return e;
	}});
	v.push_back({"api_services_dump", [](Ipvs &ipvs) {
		auto all = ipvs.services();
		if (all.size() != 1 || !all[0].same_key(api_svc()))
			return std::string("dump does not hold exactly the service");
		return std::string();
	}});
	v.push_back({"api_edit_service", [](Ipvs &ipvs) {
		Service s = api_svc();
		s.sched_name = "wlc";
		s.flags = 0;
		s.timeout = 0;
		ipvs.edit_service(s);
		Service got = ipvs.service(s);
		std::string e = expect_eq("sched", got.sched_name,
					  std::string("wlc"));
		if (e.empty())
			e = expect_eq("flags", got.flags & ~IP_VS_SVC_F_HASHED, 0u);
		return e;
	}});
	v.push_back({"api_add_dest_tunnel_mixed_af", [](Ipvs &ipvs) {
		ipvs.add_dest(api_svc(), api_dest());
		auto ds = ipvs.dests(api_svc());
		if (ds.size() != 1)
			return "dests: " + std::to_string(ds.size());
		Destination got = ds[0], want = api_dest();
		std::string e = expect_eq("addr", got.addr.str(), want.addr.str());
		if (e.empty())
			e = expect_eq("port", got.port, want.port);
		if (e.empty())
			e = expect_eq("fwd", got.fwd_method, want.fwd_method);
		if (e.empty())
			e = expect_eq("weight", got.weight, want.weight);
		if (e.empty())
			e = expect_eq("u_threshold", got.u_threshold, 100u);
		if (e.empty())
			e = expect_eq("l_threshold", got.l_threshold, 10u);
		if (e.empty())
			e = expect_eq("tun_type", int(got.tun_type.value_or(255)),
				      int(IP_VS_CONN_F_TUNNEL_TYPE_GUE));
		if (e.empty())
			e = expect_eq("tun_port", got.tun_port.value_or(0),
				      std::uint16_t{6080});
		if (e.empty())
			e = expect_eq("tun_flags", got.tun_flags.value_or(0),
				      std::uint16_t{IP_VS_TUNNEL_ENCAP_FLAG_CSUM});
		if (e.empty() && !(got.stats && got.stats64))
			e = "no stats nests";
		return e;
	}});
	v.push_back({"api_edit_dest", [](Ipvs &ipvs) {
		Destination d = api_dest();
		d.weight = 0;
		d.u_threshold = 0;
		d.l_threshold = 0;
		ipvs.edit_dest(api_svc(), d);
		auto ds = ipvs.dests(api_svc());
		if (ds.size() != 1)
			return "dests: " + std::to_string(ds.size());
		std::string e = expect_eq("weight", ds[0].weight, 0);
		if (e.empty())
			e = expect_eq("u_threshold", ds[0].u_threshold, 0u);
		return e;
	}});
	v.push_back({"api_zero", [](Ipvs &ipvs) {
		ipvs.zero(api_svc());
		ipvs.zero();
		return expect_eq("conns", ipvs.service(api_svc()).counters().conns,
				 std::uint64_t{0});
	}});
	v.push_back({"api_timeouts_round_trip", [](Ipvs &ipvs) {
		Timeouts old = ipvs.timeouts();
		ipvs.set_timeouts({1000, 60, 200});
		Timeouts got = ipvs.timeouts();
		// 0 leaves a value unchanged
		ipvs.set_timeouts({0, 0, 0});
		Timeouts same = ipvs.timeouts();
		ipvs.set_timeouts(old);
		std::string e = expect_eq("tcp", got.tcp, 1000u);
		if (e.empty())
			e = expect_eq("tcp_fin", got.tcp_fin, 60u);
		if (e.empty())
			e = expect_eq("udp", got.udp, 200u);
		if (e.empty() && !(same == got))
			e = "zero timeouts changed the values";
		if (e.empty() && !(ipvs.timeouts() == old))
			e = "timeouts not restored";
		return e;
	}});
	v.push_back({"api_daemons_none", [](Ipvs &ipvs) {
		return expect_eq("daemons", ipvs.daemons().size(), std::size_t{0});
	}});
	v.push_back({"api_del_dest", [](Ipvs &ipvs) {
		ipvs.del_dest(api_svc(), api_dest());
		return expect_eq("dests", ipvs.dests(api_svc()).size(),
				 std::size_t{0});
	}});
	v.push_back({"api_del_service", [](Ipvs &ipvs) {
		ipvs.del_service(api_svc());
		try {
			ipvs.service(api_svc());
		} catch (const Error &e) {
			return expect_eq("errno", e.code(), ESRCH);
		}
		return std::string("service still there");
	}});
	v.push_back({"api_fwmark_v6_service", [](Ipvs &ipvs) {
		Service s;
		s.af = AF_INET6;
		s.fwmark = 42;
		s.sched_name = "rr";
		s.netmask = 64;
		ipvs.add_service(s);
		auto all = ipvs.services();
		ipvs.flush();
		if (all.size() != 1)
			return "services: " + std::to_string(all.size());
		std::string e = expect_eq("fwmark", all[0].fwmark, 42u);
		if (e.empty())
			e = expect_eq("af", all[0].af, std::uint16_t{AF_INET6});
		if (e.empty())
			e = expect_eq("netmask", all[0].netmask, 64u);
		return e;
	}});
	// Dumps larger than one datagram: the multipart loop must gather
	// every part.
	v.push_back({"api_dump_multipart", [](Ipvs &ipvs) {
		constexpr std::uint32_t kServices = 300, kDests = 200;
		ipvs.flush();
		for (std::uint32_t i = 1; i <= kServices; i++) {
			Service s;
			s.fwmark = i;
			s.sched_name = "rr";
			ipvs.add_service(s);
		}
		Service first;
		first.fwmark = 1;
		for (std::uint32_t i = 0; i < kDests; i++)
			ipvs.add_dest(first, dest(("10.1." + std::to_string(i / 250) +
						   "." + std::to_string(i % 250 + 1))
							  .c_str(), 80, IP_VS_CONN_F_DROUTE, 1));
		auto all = ipvs.services();
		auto ds = ipvs.dests(first);
		ipvs.flush();
		std::vector<std::uint32_t> marks;
		for (const Service &s : all)
			marks.push_back(s.fwmark);
		std::sort(marks.begin(), marks.end());
		for (std::uint32_t i = 0; i < marks.size(); i++)
			if (marks[i] != i + 1)
				return "fwmark " + std::to_string(i + 1) + " missing";
		std::string e = expect_eq("services", all.size(),
					  std::size_t{kServices});
		if (e.empty())
			e = expect_eq("dests", ds.size(), std::size_t{kDests});
		return e;
	}});
	return v;
}

int run_api(Ipvs &ipvs)
{
	int failed = 0, passed = 0;
	for (const ApiStep &st : api_steps()) {
		std::string why;
		int got = 0;
		try {
			why = st.run(ipvs);
		} catch (const Error &e) {
			got = e.code();
			why = e.what();
		}
		bool ok = why.empty();
		std::cout << "CASE " << st.name << " got=" << errno_name(got)
			  << " want=OK " << (ok ? "PASS" : "FAIL " + why) << "\n";
		(ok ? passed : failed)++;
	}
	try {
		ipvs.flush();
	} catch (const Error &) {
	}
	std::cout << "SUMMARY pass=" << passed << " fail=" << failed << "\n";
	return failed ? 1 : 0;
}

/* --unprivileged */

struct PermCase {
	std::string name;
	std::uint8_t cmd;
	std::uint16_t nlflags;
	int want;
};

std::vector<PermCase> perm_cases()
{
	std::vector<PermCase> v;
	const char *names[] = {"unspec", "new_service", "set_service",
			       "del_service", "get_service", "new_dest",
			       "set_dest", "del_dest", "get_dest",
			       "new_daemon", "del_daemon", "get_daemon",
			       "set_config", "get_config", "set_info",
			       "get_info", "zero", "flush"};
	for (int cmd = IPVS_CMD_NEW_SERVICE; cmd <= IPVS_CMD_MAX; cmd++) {
		// SET_INFO has no handler: the command lookup fails before
		// the permission check.
		int want = cmd == IPVS_CMD_SET_INFO ? EOPNOTSUPP : EPERM;
		v.push_back({std::string("unpriv_") + names[cmd],
			     static_cast<std::uint8_t>(cmd), 0, want});
	}
	v.push_back({"unpriv_get_service_dump", IPVS_CMD_GET_SERVICE,
		     NLM_F_DUMP, EPERM});
	v.push_back({"unpriv_get_dest_dump", IPVS_CMD_GET_DEST, NLM_F_DUMP,
		     EPERM});
	v.push_back({"unpriv_get_daemon_dump", IPVS_CMD_GET_DAEMON, NLM_F_DUMP,
		     EPERM});
	v.push_back({"unpriv_unknown_cmd_99", 99, 0, EOPNOTSUPP});
	return v;
}

// Runs in the child after dropping privileges.  Requests carry valid
// payloads so that only the permission check can refuse them.
int unprivileged_child()
{
	if (setgroups(0, nullptr) || setgid(65534) || setuid(65534)) {
		std::perror("dropping privileges");
		return 2;
	}
	if (geteuid() != 65534 || setuid(0) == 0) {
		std::cerr << "privileges were not dropped\n";
		return 2;
	}
	int failed = 0;
	try {
		Ipvs ipvs;	// family lookup itself is unprivileged
		for (const PermCase &pc : perm_cases()) {
			Message m = ipvs.request(pc.cmd, pc.nlflags);
			switch (pc.cmd) {
			case IPVS_CMD_NEW_SERVICE:
			case IPVS_CMD_SET_SERVICE:
				codec::put_service(m, svc_new(), codec::Detail::Full);
				break;
			case IPVS_CMD_NEW_DEST:
			case IPVS_CMD_SET_DEST:
				codec::put_service(m, svc_tcp(), codec::Detail::Key);
				codec::put_dest(m, dest_new(), codec::Detail::Full);
				break;
			case IPVS_CMD_DEL_DEST:
				codec::put_service(m, svc_tcp(), codec::Detail::Key);
				codec::put_dest(m, dest_tcp(), codec::Detail::Key);
				break;
			case IPVS_CMD_DEL_SERVICE:
			case IPVS_CMD_GET_SERVICE:
			case IPVS_CMD_GET_DEST:
			case IPVS_CMD_ZERO:
				codec::put_service(m, svc_tcp(), codec::Detail::Key);
				break;
			case IPVS_CMD_SET_CONFIG:
				codec::put_timeouts(m, {1, 2, 3});
				break;
			case IPVS_CMD_DEL_DAEMON:
				codec::put_daemon_state(m, IP_VS_STATE_MASTER);
				break;
			default:
				break;
			}
			std::string ext;
			int got = run(ipvs, m, &ext);
			bool ok = got == pc.want;
			std::cout << "CASE " << pc.name << " got="
				  << errno_name(got) << " want="
				  << errno_name(pc.want) << " "
				  << (ok ? "PASS" : "FAIL wrong errno") << "\n";
			failed += !ok;
		}
	} catch (const Error &e) {
		std::cerr << "unprivileged child: " << e.what() << "\n";
		return 2;
	}
	std::cout << std::flush;
	return failed ? 1 : 0;
}

int run_unprivileged(Ipvs &ipvs)
{
	setup_baseline(ipvs);
	const std::string base = snapshot(ipvs);
	std::cout << std::flush;
	pid_t pid = fork();
	if (pid < 0) {
		std::perror("fork");
		return 2;
	}
	if (pid == 0)
		_exit(unprivileged_child());
	int status = 0;
	if (waitpid(pid, &status, 0) < 0) {
		std::perror("waitpid");
		return 2;
	}
	int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 2;
	bool same = snapshot(ipvs) == base;
	std::cout << "CASE unpriv_tables_unchanged got=OK want=OK "
		  << (same ? "PASS" : "FAIL tables changed") << "\n";
	ipvs.flush();
	if (rc == 2)
		return 2;
	std::cout << "SUMMARY child_exit=" << rc << " tables="
		  << (same ? "same" : "changed") << "\n";
	return rc || !same ? 1 : 0;
}

} // namespace

int main(int argc, char **argv)
{
	bool unprivileged = false, verbose = false, list = false, api = false;
	std::string only;
	for (int i = 1; i < argc; i++) {
		std::string a = argv[i];
		if (a == "--unprivileged")
			unprivileged = true;
		else if (a == "--api")
			api = true;
		else if (a == "--verbose" || a == "-v")
			verbose = true;
		else if (a == "--list")
			list = true;
		else if (a == "--only" && i + 1 < argc)
			only = argv[++i];
		else {
			std::cerr << "usage: " << argv[0]
				  << " [--unprivileged | --api] [--verbose] [--list]"
				     " [--only SUBSTRING]\n";
			return 2;
		}
	}
	if (list) {
		for (const Case &c : build_cases())
			std::cout << c.name << " " << errno_name(c.want) << "\n";
		for (const PermCase &p : perm_cases())
			std::cout << p.name << " " << errno_name(p.want) << "\n";
		for (const ApiStep &st : api_steps())
			std::cout << st.name << " OK\n";
		return 0;
	}
	try {
		Ipvs ipvs;
		if (verbose) {
			Info info = ipvs.info();
			std::cout << "# IPVS " << info.version_str()
				  << " conn_tab_size=" << info.conn_tab_size
				  << " family=" << ipvs.family() << "\n";
		}
		if (api)
			return run_api(ipvs);
		return unprivileged ? run_unprivileged(ipvs)
				    : run_cases(ipvs, only, verbose);
	} catch (const Error &e) {
		std::cerr << "xvs-nltest: setup failed: " << e.what() << " ("
			  << errno_name(e.code()) << ")\n";
		return 2;
	}
}
