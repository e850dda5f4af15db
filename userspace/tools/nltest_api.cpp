// xvs-nltest --api: valid requests through every call of the library,
// checked by reading the result back.
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

} // namespace

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

void list_api()
{
	for (const ApiStep &st : api_steps())
		std::cout << st.name << " OK\n";
}

} // namespace nltest
