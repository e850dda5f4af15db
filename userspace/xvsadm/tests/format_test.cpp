// Listing formats: number abbreviation, --exact, columns, IPv6, sorting,
// save format, daemons, connections, JSON.
#include "cli.hpp"
#include "format.hpp"
#include "json.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <cstring>
#include <linux/ip_vs.h>

using namespace xvsadm;

namespace {

xvs::Service tcp(const char *addr, std::uint16_t port, const char *sched = "rr")
{
	xvs::Service s;
	s.af = std::strchr(addr, ':') ? AF_INET6 : AF_INET;
	s.protocol = IPPROTO_TCP;
	s.addr = xvs::Address::parse(addr);
	s.port = port;
	s.sched_name = sched;
	s.netmask = xvs::Service::default_netmask(s.af);
	s.flags = IP_VS_SVC_F_HASHED;
	return s;
}

xvs::Destination dest(const char *addr, std::uint16_t port,
		      std::uint32_t method = IP_VS_CONN_F_MASQ, int weight = 1)
{
	xvs::Destination d;
	d.addr = xvs::Address::parse(addr);
	d.port = port;
	d.fwd_method = method;
	d.weight = weight;
	d.tun_type = 0;
	d.tun_port = 0;
	d.tun_flags = 0;
	return d;
}

} // namespace

TEST(Format, LargeNumberAbbreviation)
{
	EXPECT_EQ(fmt::largenum(0, 0), "        0");
	EXPECT_EQ(fmt::largenum(99999999, 0), " 99999999");
	EXPECT_EQ(fmt::largenum(100000000, 0), "  100000K");
	EXPECT_EQ(fmt::largenum(999999999, 0), "  999999K");
	EXPECT_EQ(fmt::largenum(1000000000, 0), "    1000M");
	EXPECT_EQ(fmt::largenum(99999999999ULL, 0), "   99999M");
	EXPECT_EQ(fmt::largenum(100000000000ULL, 0), "     100G");
	EXPECT_EQ(fmt::largenum(99999999999999ULL, 0), "   99999G");
	EXPECT_EQ(fmt::largenum(100000000000000ULL, 0), "     100T");
	EXPECT_EQ(fmt::largenum(18446744073709551615ULL, 0), "18446744T");
}

TEST(Format, LargeNumberExact)
{
	EXPECT_EQ(fmt::largenum(5, FMT_EXACT), "        5");
	EXPECT_EQ(fmt::largenum(12345678, FMT_EXACT), " 12345678");
	EXPECT_EQ(fmt::largenum(123456789, FMT_EXACT), " 123456789");
	EXPECT_EQ(fmt::largenum(18446744073709551615ULL, FMT_EXACT),
		  " 18446744073709551615");
}

TEST(Format, HeaderAndTitles)
{
	EXPECT_EQ(fmt::version_header({0x010201, 4096}),
		  "IP Virtual Server version 1.2.1 (size=4096)\n");
	EXPECT_EQ(fmt::title(0),
		  "Prot LocalAddress:Port Scheduler Flags\n"
		  "  -> RemoteAddress:Port           Forward Weight ActiveConn "
		  "InActConn\n");
	EXPECT_EQ(fmt::title(FMT_STATS),
		  "Prot LocalAddress:Port               Conns   InPkts  OutPkts  "
		  "InBytes OutBytes\n  -> RemoteAddress:Port\n");
	EXPECT_EQ(fmt::title(FMT_RULE), "");
}

TEST(Format, PlainServiceAndDests)
{
	xvs::Service s = tcp("10.0.0.1", 80);
	auto d1 = dest("10.0.1.2", 8080, IP_VS_CONN_F_MASQ, 3);
	d1.active_conns = 4;
	d1.inact_conns = 5;
	auto d2 = dest("10.0.1.1", 80, IP_VS_CONN_F_DROUTE, 1);
	EXPECT_EQ(fmt::service_entry(s, {d1, d2}, FMT_NUMERIC),
		  "TCP  10.0.0.1:80 rr\n"
		  "  -> 10.0.1.1:80                  Route   1      0          0         \n"
		  "  -> 10.0.1.2:8080                Masq    3      4          5         \n");
	// --nosort keeps the kernel's order
	EXPECT_EQ(fmt::service_entry(s, {d1, d2}, FMT_NUMERIC | FMT_NOSORT)
			  .find("10.0.1.2"), 25u);
}

TEST(Format, PersistenceMaskPeOps)
{
	xvs::Service s = tcp("10.0.0.1", 0, "wlc");
	s.flags |= IP_VS_SVC_F_PERSISTENT;
	s.timeout = 300;
	in_addr m;
	inet_aton("255.255.255.0", &m);
	s.netmask = m.s_addr;
	s.pe_name = "sip";
	EXPECT_EQ(fmt::service_entry(s, {}, FMT_NUMERIC),
		  "TCP  10.0.0.1:0 wlc persistent 300 mask 255.255.255.0 pe sip\n");
	EXPECT_EQ(fmt::service_entry(s, {}, FMT_NUMERIC | FMT_RULE),
		  "-A -t 10.0.0.1:0 -s wlc -p 300 -M 255.255.255.0 --pe sip\n");
	xvs::Service u = tcp("10.0.0.1", 53, "lc");
	u.protocol = IPPROTO_UDP;
	u.flags |= IP_VS_SVC_F_ONEPACKET;
	EXPECT_EQ(fmt::service_entry(u, {}, FMT_NUMERIC), "UDP  10.0.0.1:53 lc ops\n");
	EXPECT_EQ(fmt::service_entry(u, {}, FMT_NUMERIC | FMT_RULE),
		  "-A -u 10.0.0.1:53 -s lc -o\n");
}

TEST(Format, SchedFlags)
{
	xvs::Service s = tcp("10.0.0.1", 80, "sh");
	s.flags |= IP_VS_SVC_F_SCHED1 | IP_VS_SVC_F_SCHED2;
	EXPECT_EQ(fmt::service_entry(s, {}, FMT_NUMERIC),
		  "TCP  10.0.0.1:80 sh (sh-fallback,sh-port)\n");
	EXPECT_EQ(fmt::service_entry(s, {}, FMT_NUMERIC | FMT_RULE),
		  "-A -t 10.0.0.1:80 -s sh -b sh-fallback,sh-port\n");
	// flag-3 means nothing to sh: ipvsadm prints empty parentheses
	s.flags = IP_VS_SVC_F_SCHED3;
	EXPECT_EQ(fmt::service_entry(s, {}, FMT_NUMERIC),
		  "TCP  10.0.0.1:80 sh ()\n");
}

TEST(Format, Ipv6AndFwmark)
{
	xvs::Service s = tcp("2001:db8::1", 443, "lc");
	s.flags |= IP_VS_SVC_F_PERSISTENT;
	s.timeout = 600;
	s.netmask = 64;
	auto d = dest("2001:db8::10", 443);
	EXPECT_EQ(fmt::service_entry(s, {d}, FMT_NUMERIC),
		  "TCP  [2001:db8::1]:443 lc persistent 600 mask 64\n"
		  "  -> [2001:db8::10]:443           Masq    1      0          0         \n");
	EXPECT_EQ(fmt::service_entry(s, {d}, FMT_NUMERIC | FMT_RULE),
		  "-A -t [2001:db8::1]:443 -s lc -p 600 -M 64\n"
		  "-a -t [2001:db8::1]:443 -r [2001:db8::10]:443 -m -w 1\n");
	xvs::Service f;
	f.af = AF_INET6;
	f.fwmark = 4294967295u;
	f.protocol = 0;
	f.sched_name = "rr";
	f.netmask = 128;
	EXPECT_EQ(fmt::service_entry(f, {}, FMT_NUMERIC), "FWM  -1 IPv6 rr\n");
	EXPECT_EQ(fmt::service_entry(f, {}, FMT_RULE), "-A -f -1 -6 -s rr\n");
}

TEST(Format, TruncationOfLongV4Names)
{
	// 33 columns for the service, 28 for a destination (not for IPv6).
	xvs::Service s = tcp("255.255.255.255", 65535);
	auto d = dest("255.255.255.254", 65535);
	std::string out = fmt::service_entry(s, {d}, FMT_NUMERIC | FMT_STATS);
	EXPECT_EQ(out.substr(0, 33), "TCP  255.255.255.255:65535       ");
	EXPECT_EQ(out.find("  -> 255.255.255.254:65535      "), out.find('\n') + 1);
}

TEST(Format, StatsAndRates)
{
	xvs::Service s = tcp("10.0.0.1", 80);
	xvs::Stats64 st{1, 2, 3, 4000000000ULL, 5, 6, 7, 8, 9, 10};
	s.stats64 = st;
	auto d = dest("10.0.1.1", 80);
	// destination counters show the low 32 bits, as ipvsadm decodes them
	d.stats64 = xvs::Stats64{0x100000001ULL, 2, 3, 0x100000000ULL, 5,
				 0x100000006ULL, 7, 8, 9, 10};
	const std::string pad33 = std::string(33 - 16, ' ');
	const std::string pad28 = std::string(28 - 11, ' ');
	EXPECT_EQ(fmt::service_entry(s, {d}, FMT_NUMERIC | FMT_STATS),
		  "TCP  10.0.0.1:80" + pad33 + "        1        2        3"
		  "    4000M        5\n"
		  "  -> 10.0.1.1:80" + pad28 + "        1        2        3"
		  "    4294M        5\n");
	EXPECT_EQ(fmt::service_entry(s, {d}, FMT_NUMERIC | FMT_STATS | FMT_EXACT),
		  "TCP  10.0.0.1:80" + pad33 + "        1        2        3"
		  " 4000000000        5\n"
		  "  -> 10.0.1.1:80" + pad28 + "        1        2        3"
		  " 4294967296        5\n");
	// destination rates: three fixed 8-wide columns, then two numbers
	EXPECT_EQ(fmt::service_entry(s, {d}, FMT_NUMERIC | FMT_RATE),
		  "TCP  10.0.0.1:80" + pad33 + "        6        7        8"
		  "        9       10\n"
		  "  -> 10.0.1.1:80" + pad28 + "        6        7        8"
		  "        9       10\n");
}

TEST(Format, ThresholdsPersistTunInfo)
{
	xvs::Service s = tcp("10.0.0.1", 80);
	auto d = dest("10.0.1.1", 80, IP_VS_CONN_F_TUNNEL, 2);
	d.u_threshold = 100;
	d.l_threshold = 50;
	d.persist_conns = 7;
	d.tun_type = IP_VS_CONN_F_TUNNEL_TYPE_GUE;
	d.tun_port = 6080;
	d.tun_flags = IP_VS_TUNNEL_ENCAP_FLAG_CSUM;
	std::string t = fmt::service_entry(s, {d}, FMT_NUMERIC | FMT_THRESHOLDS);
	EXPECT_NE(t.find("  -> 10.0.1.1:80                  100        50         0          0         \n"),
		  std::string::npos);
	std::string p = fmt::service_entry(s, {d}, FMT_NUMERIC | FMT_PERSISTENTCONN);
	EXPECT_NE(p.find("  -> 10.0.1.1:80                  2         7           0          0         \n"),
		  std::string::npos);
	std::string ti = fmt::service_entry(s, {d}, FMT_NUMERIC | FMT_TUN_INFO);
	EXPECT_NE(ti.find("  -> 10.0.1.1:80                  Tunnel  gue:6080:+c   2      0          0         \n"),
		  std::string::npos);
	std::string r = fmt::service_entry(s, {d}, FMT_NUMERIC | FMT_RULE);
	EXPECT_NE(r.find("-a -t 10.0.0.1:80 -r 10.0.1.1:80 -i -w 2 --tun-type gue --tun-port 6080 --tun-csum\n"),
		  std::string::npos);
	auto m = dest("10.0.1.3", 80);
	std::string ti2 = fmt::service_entry(s, {m}, FMT_NUMERIC | FMT_TUN_INFO);
	EXPECT_NE(ti2.find("Masq    n/a           1"), std::string::npos);
}

TEST(Format, ServiceSortOrderWrapsLikeIpvsadm)
{
	// ipvsadm compares addresses by int subtraction: 10.x sorts after
	// 200.x because the difference wraps around.
	std::vector<xvs::Service> v{tcp("10.0.0.1", 80), tcp("200.0.0.1", 80),
				    tcp("100.0.0.1", 80), tcp("10.0.0.1", 22)};
	fmt::sort_services(v);
	std::vector<std::string> got;
	for (auto &s : v)
		got.push_back(s.addr.str() + ":" + std::to_string(s.port));
	EXPECT_EQ(got, (std::vector<std::string>{"200.0.0.1:80", "10.0.0.1:22",
						  "10.0.0.1:80", "100.0.0.1:80"}));
}

TEST(Format, FwmarkServicesSortFirstByMark)
{
	xvs::Service f1, f2;
	f1.fwmark = 2;
	f2.fwmark = 1;
	f1.protocol = f2.protocol = 0;
	std::vector<xvs::Service> v{tcp("10.0.0.1", 80), f1, f2};
	fmt::sort_services(v);
	EXPECT_EQ(v[0].fwmark, 0u);
	EXPECT_EQ(v[1].fwmark, 1u);
	EXPECT_EQ(v[2].fwmark, 2u);
}

TEST(Format, TimeoutAndDaemons)
{
	EXPECT_EQ(fmt::timeout_line({900, 120, 300}),
		  "Timeout (tcp tcpfin udp): 900 120 300\n");
	xvs::Daemon m;
	m.state = IP_VS_STATE_MASTER;
	m.mcast_ifn = "eth0";
	m.syncid = 7;
	m.sync_maxlen = 1200;
	m.mcast_group = xvs::Address::parse("224.0.0.99");
	m.mcast_port = 9000;
	m.mcast_ttl = 2;
	xvs::Daemon b;
	b.state = IP_VS_STATE_BACKUP;
	b.mcast_ifn = "lo";
	b.syncid = 8;
	EXPECT_EQ(fmt::daemon_lines({m, b}),
		  "master sync daemon (mcast=eth0, syncid=7, maxlen=1200, "
		  "group=224.0.0.99, port=9000, ttl=2)\n"
		  "backup sync daemon (mcast=lo, syncid=8)\n");
	EXPECT_EQ(fmt::daemon_lines({}), "");
}

TEST(Format, Connections)
{
	EXPECT_EQ(fmt::conn_title(0),
		  "IPVS connection entries\n"
		  "pro expire state       source             virtual            "
		  "destination\n");
	EXPECT_EQ(fmt::conn_line("TCP 51393AFE 9C1E 51393664 0050 C0A80001 0050 "
				 "TIME_WAIT         119\n", FMT_NUMERIC),
		  "TCP 01:59  TIME_WAIT   81.57.58.254:39966 81.57.54.100:80    "
		  "192.168.0.1:80\n");
	EXPECT_EQ(fmt::conn_line("UDP 2001:0db8:0000:0000:0000:0000:0000:0001 0035 "
				 "2001:0db8:0000:0000:0000:0000:0000:0002 0035 "
				 "2001:0db8:0000:0000:0000:0000:0000:0003 0035 "
				 "UDP 300\n", FMT_NUMERIC),
		  "UDP 05:00  UDP         [2001:db8::1]:53   [2001:db8::2]:53   "
		  "[2001:db8::3]:53\n");
}

TEST(Format, JsonDocument)
{
	json::Snapshot snap;
	snap.info = {0x010201, 4096};
	snap.timeouts = {900, 120, 300};
	xvs::Service s = tcp("10.0.0.1", 80);
	s.stats64 = xvs::Stats64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	snap.services.push_back(s);
	snap.dests.push_back({dest("10.0.1.1", 8080, IP_VS_CONN_F_MASQ, 3)});
	std::string j = json::render(snap, true);
	EXPECT_NE(j.find("\"version\": \"1.2.1\""), std::string::npos);
	EXPECT_NE(j.find("\"protocol\": \"TCP\""), std::string::npos);
	EXPECT_NE(j.find("\"address\": \"10.0.0.1\""), std::string::npos);
	EXPECT_NE(j.find("\"forward\": \"masq\""), std::string::npos);
	EXPECT_NE(j.find("\"weight\": 3"), std::string::npos);
	EXPECT_NE(j.find("\"inbytes\": 4"), std::string::npos);
	EXPECT_NE(j.find("\"outbps\": 10"), std::string::npos);
	EXPECT_EQ(j.back(), '\n');
	EXPECT_EQ(json::quote("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
}

// xvs's own per-service timeouts: options in the save format only, so the
// plain listing stays the stock tool's.
TEST(Format, ServiceTimeoutsInSaveFormatOnly)
{
	xvs::Service s = tcp("10.0.0.1", 80, "rr");
	const std::string plain = fmt::service_entry(s, {}, FMT_NUMERIC);
	s.conn_timeouts.tcp = 33;
	s.conn_timeouts.tcp_fin = 11;
	s.conn_timeouts.udp = 0;	// the global value: not written
	EXPECT_EQ(fmt::service_entry(s, {}, FMT_NUMERIC), plain);
	EXPECT_EQ(fmt::service_entry(s, {}, FMT_NUMERIC | FMT_RULE),
		  "-A -t 10.0.0.1:80 -s rr --timeout-tcp 33 "
		  "--timeout-tcpfin 11\n");
	xvs::Service u = tcp("10.0.0.1", 53, "lc");
	u.protocol = IPPROTO_UDP;
	u.flags |= IP_VS_SVC_F_ONEPACKET;
	u.conn_timeouts.udp = 5;
	EXPECT_EQ(fmt::service_entry(u, {}, FMT_NUMERIC | FMT_RULE),
		  "-A -u 10.0.0.1:53 -s lc -o --timeout-udp 5\n");
	// What -S writes, -R reads back.
	Command c = parse_command({"ipvsadm", "-A", "-u", "10.0.0.1:53", "-s",
				   "lc", "-o", "--timeout-udp", "5"});
	EXPECT_EQ(c.svc.conn_timeouts.udp, std::optional<std::uint32_t>(5));
}
