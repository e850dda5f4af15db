// xvs-nltest's default mode: malformed and invalid requests, each with the
// errno the kernel's ip_vs answers it with, and the state checked unchanged
// after every refused one.
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

#include "nltest.hpp"
#include "xvs/error.hpp"

namespace nltest {

namespace {

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

} // namespace

int run_bad_input(Ipvs &ipvs, const std::string &only, bool verbose)
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

void list_bad_input()
{
	for (const Case &c : build_cases())
		std::cout << c.name << " " << errno_name(c.want) << "\n";
}

} // namespace nltest
