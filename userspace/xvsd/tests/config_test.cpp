// Configuration parsers: the seed-004 files as printed, and malformed
// variants whose errors must name the offending line.
#include <gtest/gtest.h>

#include <string>

#include "ha_cf.hpp"
#include "ldirectord_cf.hpp"
#include "text.hpp"
#include "xvs/error.hpp"

using namespace xvsd;

static std::string data(const std::string &name)
{
	return read_file(std::string(XVSD_TEST_DATA) + "/" + name);
}

// The error message of parsing `text`, "" when it parsed.
template <typename Fn>
static std::string error_of(Fn fn)
{
	try {
		fn();
	} catch (const xvs::Error &e) {
		EXPECT_EQ(e.code(), EINVAL);
		return e.what();
	}
	return "";
}

TEST(Ldirectord, Seed004AsPrinted)
{
	LdConfig c = parse_ldirectord(data("seed004-ldirectord.cf"));
	// timeout=3 is the old name of checktimeout
	EXPECT_EQ(c.timing.checktimeout.count(), 3000);
	EXPECT_EQ(c.timing.checkinterval.count(), 1000);
	ASSERT_TRUE(c.timing.fallback);
	EXPECT_EQ(c.timing.fallback->ep.str(), "127.0.0.1:80");
	ASSERT_EQ(c.virtuals.size(), 1u);
	const VirtualService &v = c.virtuals[0];
	EXPECT_EQ(v.key_str(), "211.58.250.6:80");
	EXPECT_EQ(v.line, 4);
	ASSERT_EQ(v.reals.size(), 2u);
	EXPECT_EQ(v.reals[0].ep.str(), "211.58.250.25:80");
	EXPECT_EQ(v.reals[0].fwd, Forward::Gate);
	EXPECT_EQ(v.reals[0].weight, 1);
	EXPECT_EQ(v.reals[1].ep.str(), "211.58.250.27:80");
	// the unindented section keys still belong to the virtual service
	EXPECT_EQ(v.service, CheckService::Http);
	EXPECT_EQ(v.request, "index.html");
	EXPECT_EQ(v.receive, "Test Page");
	EXPECT_EQ(v.scheduler, "rr");
	EXPECT_EQ(v.protocol, IPPROTO_TCP);
	EXPECT_EQ(v.checktype, CheckType::Negotiate);
	// global values reach the section
	EXPECT_EQ(v.timing.checktimeout.count(), 3000);
	EXPECT_EQ(v.timing.checkinterval.count(), 1000);
	ASSERT_TRUE(v.timing.fallback);
	EXPECT_FALSE(v.timing.quiescent);
	xvs::Service s = v.to_ipvs();
	EXPECT_EQ(s.addr.str(), "211.58.250.6");
	EXPECT_EQ(s.port, 80);
	EXPECT_EQ(s.sched_name, "rr");
	EXPECT_EQ(s.flags, 0u);
}

TEST(Ldirectord, FullSyntax)
{
	const char *text =
		"# global\n"
		"checktimeout=2\n"
		"negotiatetimeout=7\n"
		"checkinterval=500ms\n"
		"failurecount=3\n"
		"quiescent=yes\n"
		"autoreload=yes\n"
		"\n"
		"virtual=10.0.0.1:443\n"
		"\treal=192.168.0.1:443 masq 5\n"
		"\treal=192.168.0.2:443 ipip 0 \"/alt\", \"other\"\n"
		"\tservice=https\n"
		"\tvirtualhost=www.example.com\n"
		"\thttpstatus=204\n"
		"\tscheduler=wlc\n"
		"\tpersistent=300\n"
		"\tnetmask=255.255.255.0\n"
		"\tquiescent=no\n"
		"\tfailurecount=2\n"
		"\tfallback=127.0.0.1:443 gate\n"
		"virtual=7\n"
		"\treal=192.168.0.9:25 gate\n"
		"\tservice=smtp\n"
		"\tcheckport=25\n"
		"virtual=10.0.0.1:53\n"
		"\tprotocol=udp\n"
		"\treal=192.168.0.3:53 gate\n"
		"\tchecktype=external\n"
		"\tcheckcommand=/bin/true\n"
		"virtual=10.0.0.1:8080\n"
		"\treal=192.168.0.4:8080 gate\n"
		"\tchecktype=ping\n";
	LdConfig c = parse_ldirectord(text);
	EXPECT_TRUE(c.autoreload);
	ASSERT_EQ(c.virtuals.size(), 4u);
	auto &a = c.virtuals[0];
	EXPECT_EQ(a.service, CheckService::Https);
	EXPECT_EQ(a.reals[0].fwd, Forward::Masq);
	EXPECT_EQ(a.reals[0].weight, 5);
	EXPECT_EQ(a.reals[1].fwd, Forward::Ipip);
	EXPECT_EQ(a.reals[1].weight, 0);
	EXPECT_EQ(a.reals[1].request, "/alt");
	EXPECT_EQ(a.reals[1].receive, "other");
	EXPECT_EQ(a.virtualhost, "www.example.com");
	EXPECT_EQ(a.http_status, 204);
	EXPECT_EQ(a.timing.checkinterval.count(), 500);
	EXPECT_EQ(a.timing.negotiatetimeout.count(), 7000);
	EXPECT_EQ(a.timing.failurecount, 2u);
	EXPECT_FALSE(a.timing.quiescent);
	EXPECT_EQ(a.timing.fallback->fwd, Forward::Gate);
	xvs::Service s = a.to_ipvs();
	EXPECT_EQ(s.flags, static_cast<std::uint32_t>(IP_VS_SVC_F_PERSISTENT));
	EXPECT_EQ(s.timeout, 300u);
	EXPECT_EQ(s.netmask, htonl(0xffffff00u));
	auto &f = c.virtuals[1];
	EXPECT_EQ(f.fwmark, 7u);
	EXPECT_EQ(f.key_str(), "fwmark 7");
	EXPECT_EQ(f.service, CheckService::Smtp);
	EXPECT_EQ(f.checkport, 25);
	EXPECT_TRUE(f.timing.quiescent);	// global
	EXPECT_EQ(f.timing.failurecount, 3u);
	EXPECT_EQ(c.virtuals[2].protocol, IPPROTO_UDP);
	EXPECT_EQ(c.virtuals[2].service, CheckService::Dns);	// from port 53
	EXPECT_EQ(c.virtuals[2].checktype, CheckType::External);
	EXPECT_EQ(c.virtuals[3].checktype, CheckType::Ping);
	EXPECT_EQ(c.virtuals[3].service, CheckService::None);
}

TEST(Ldirectord, MalformedNamesTheLine)
{
	struct Case {
		const char *text;
		const char *error;
	} cases[] = {
		{"checkinterval=1\nvirtual=10.0.0.1:80\n\treal=10.0.0.300:80 gate\n",
		 "x.cf:3: bad real server: unknown address '10.0.0.300'"},
		{"virtual=10.0.0.1:80\n\treal=10.0.0.2:80 route\n",
		 "x.cf:2: bad forwarding method 'route' (gate, masq or ipip)"},
		{"real=10.0.0.2:80 gate\n", "x.cf:1: real= outside a virtual section"},
		{"\n\nbogus=1\n", "x.cf:3: unknown setting 'bogus'"},
		{"virtual=10.0.0.1:80\n\tchecktype=magic\n", "x.cf:2: unsupported checktype 'magic'"},
		{"checkinterval=abc\n", "x.cf:1: bad checkinterval 'abc' (seconds, > 0)"},
		{"virtual=10.0.0.1\n", "x.cf:1: bad virtual: expected address:port, got '10.0.0.1'"},
		{"virtual=10.0.0.1:80\nvirtual=10.0.0.1:80\n",
		 "x.cf:2: virtual 10.0.0.1:80 defined twice (line 1)"},
		{"virtual=10.0.0.1:80\n\treal=10.0.0.2:80 gate\n\treal=10.0.0.2:80 gate\n",
		 "x.cf:3: real server 10.0.0.2:80 listed twice"},
		{"virtual=10.0.0.1:80\n\tchecktype=external\n",
		 "x.cf:1: checktype=external needs checkcommand="},
		{"virtual=10.0.0.1:80\n\treal=10.0.0.2:80 gate 70000\n",
		 "x.cf:2: bad real server weight '70000'"},
		{"virtual=10.0.0.1:80\n\tfailurecount=0\n",
		 "x.cf:2: bad failurecount '0' (a number >= 1)"},
		{"no equals sign\n", "x.cf:1: expected key=value, got 'no equals sign'"},
		{"virtual=10.0.0.1:80\n\tlogfile=/tmp/x\n",
		 "x.cf:2: logfile= is a global setting, not valid in a virtual section"},
	};
	for (auto &c : cases)
		EXPECT_EQ(error_of([&] { parse_ldirectord(c.text, "x.cf"); }), c.error) << c.text;
}

TEST(HaCf, Seed004AsPrinted)
{
	HaConfig c = parse_ha_cf(data("seed004-ha.cf"));
	EXPECT_EQ(c.keepalive.count(), 3000);
	EXPECT_EQ(c.deadtime.count(), 9000);
	EXPECT_EQ(c.initdead.count(), 18000);	// default: twice deadtime
	EXPECT_EQ(c.udpport, 694);
	EXPECT_EQ(c.logfile, "/var/log/ha-log");
	EXPECT_EQ(c.debugfile, "/var/log/ha-debug");
	ASSERT_EQ(c.serial.size(), 1u);
	EXPECT_EQ(c.serial[0], "/dev/ttyS0");
	EXPECT_EQ(c.baud, 19200u);
	ASSERT_EQ(c.nodes.size(), 2u);
	EXPECT_EQ(c.nodes[0], "ha1.wowlinux.com");
	EXPECT_EQ(c.nodes[1], "ha2.wowlinux.com");
	EXPECT_TRUE(c.auto_failback);
	EXPECT_TRUE(c.links.empty());
}

TEST(HaCf, Links)
{
	HaConfig c = parse_ha_cf("keepalive 500ms\ndeadtime 2\nwarntime 1\ninitdead 4\nudpport 1694\n"
				 "bcast eth0 eth1\nucast eth0 10.0.0.2\nmcast eth0 225.0.0.1 694 1 0\n"
				 "auto_failback off\nnode a b\ngarp_count 3\ngarp_interval 100ms\n"
				 "metrics 127.0.0.1:9680\n");
	EXPECT_EQ(c.keepalive.count(), 500);
	EXPECT_EQ(c.warntime.count(), 1000);
	EXPECT_EQ(c.udpport, 1694);
	ASSERT_EQ(c.links.size(), 4u);
	EXPECT_EQ(c.links[1].iface, "eth1");
	EXPECT_EQ(c.links[2].kind, HaLink::Kind::Ucast);
	EXPECT_EQ(c.links[2].addr.str(), "10.0.0.2");
	EXPECT_EQ(c.links[3].kind, HaLink::Kind::Mcast);
	EXPECT_EQ(c.links[3].port, 694);
	EXPECT_FALSE(c.auto_failback);
	EXPECT_EQ(c.garp_count, 3u);
	EXPECT_EQ(c.garp_interval.count(), 100);
	EXPECT_EQ(c.metrics, "127.0.0.1:9680");
	// the old spelling
	EXPECT_FALSE(parse_ha_cf("nice_failback on\n").auto_failback);
}

TEST(HaCf, MalformedNamesTheLine)
{
	EXPECT_EQ(error_of([] { parse_ha_cf("keepalive 1\ndeadtime x\n", "ha.cf"); }),
		  "ha.cf:2: bad deadtime 'x' (seconds or Nms, > 0)");
	EXPECT_EQ(error_of([] { parse_ha_cf("\nmcast eth0 10.0.0.1 694 1 0\n", "ha.cf"); }),
		  "ha.cf:2: mcast group '10.0.0.1' is not an IPv4 multicast address");
	EXPECT_EQ(error_of([] { parse_ha_cf("ucast eth0\n", "ha.cf"); }),
		  "ha.cf:1: ucast needs: interface peer-address");
	EXPECT_EQ(error_of([] { parse_ha_cf("crm yes\n", "ha.cf"); }),
		  "ha.cf:1: unknown directive 'crm'");
	EXPECT_EQ(error_of([] { parse_ha_cf("auto_failback maybe\n", "ha.cf"); }),
		  "ha.cf:1: bad auto_failback 'maybe' (on, off or legacy)");
}

TEST(HaCf, SerialAndBaud)
{
	HaConfig c = parse_ha_cf("serial /dev/ttyS0 /dev/ttyS1\nbaud 115200\nnode a b\n");
	ASSERT_EQ(c.serial.size(), 2u);
	EXPECT_EQ(c.serial[1], "/dev/ttyS1");
	EXPECT_EQ(c.baud, 115200u);
	// heartbeat's default speed
	EXPECT_EQ(parse_ha_cf("serial /dev/ttyS0\n").baud, 19200u);
	EXPECT_EQ(error_of([] { parse_ha_cf("baud 19201\n", "ha.cf"); }),
		  "ha.cf:1: bad baud '19201' (300, 600, 1200, 2400, 4800, 9600, 19200, 38400, "
		  "57600, 115200, 230400)");
	EXPECT_EQ(error_of([] { parse_ha_cf("\nbaud fast\n", "ha.cf"); }),
		  "ha.cf:2: bad baud 'fast' (300, 600, 1200, 2400, 4800, 9600, 19200, 38400, "
		  "57600, 115200, 230400)");
	EXPECT_EQ(error_of([] { parse_ha_cf("baud 9600 8N1\n", "ha.cf"); }),
		  "ha.cf:1: baud takes one value");
	EXPECT_EQ(error_of([] { parse_ha_cf("serial\n", "ha.cf"); }),
		  "ha.cf:1: serial needs a device");
	EXPECT_EQ(error_of([] { parse_ha_cf("serial ttyS0\n", "ha.cf"); }),
		  "ha.cf:1: bad serial device 'ttyS0' (an absolute path, /dev/ttyS0)");
	EXPECT_EQ(error_of([] { parse_ha_cf("serial /dev/ttyS0\nserial /dev/ttyS0\n", "ha.cf"); }),
		  "ha.cf:2: serial device '/dev/ttyS0' named twice");
}

TEST(Haresources, Seed004AsPrinted)
{
	// The slide elides the rest of the file with "..." lines; as printed
	// the file is therefore not valid, and the error says where.
	EXPECT_EQ(error_of([] { parse_haresources(data("seed004-haresources"), "haresources"); }),
		  "haresources:1: node '...' has no resources");
	// Its one real line, as printed (including the "ldirectrod" typo,
	// which is an external resource script of that name).
	std::string text = data("seed004-haresources");
	std::string line = text.substr(text.find("ha1"), text.find('\n', text.find("ha1")) - text.find("ha1"));
	auto groups = parse_haresources(line + "\n");
	ASSERT_EQ(groups.size(), 1u);
	EXPECT_EQ(groups[0].home, "ha1.wowlinux.com");
	ASSERT_EQ(groups[0].resources.size(), 2u);
	EXPECT_EQ(groups[0].resources[0].kind, HaResource::Kind::Address);
	EXPECT_EQ(groups[0].resources[0].addr.str(), "211.58.250.6");
	EXPECT_EQ(groups[0].resources[0].prefix, -1);
	EXPECT_EQ(groups[0].resources[1].kind, HaResource::Kind::Script);
	EXPECT_EQ(groups[0].resources[1].name, "ldirectrod");
}

TEST(Haresources, Forms)
{
	auto g = parse_haresources("# comment\nha1 IPaddr::10.0.0.6/25/eth0 \\\n   ldirectord::ldirectord.cf "
				   "httpd\n");
	ASSERT_EQ(g.size(), 1u);
	EXPECT_EQ(g[0].line, 2);
	ASSERT_EQ(g[0].resources.size(), 3u);
	EXPECT_EQ(g[0].resources[0].prefix, 25);
	EXPECT_EQ(g[0].resources[0].iface, "eth0");
	EXPECT_EQ(g[0].resources[1].kind, HaResource::Kind::Ipvs);
	EXPECT_EQ(g[0].resources[1].args.at(0), "ldirectord.cf");
	EXPECT_EQ(g[0].resources[2].kind, HaResource::Kind::Script);
	EXPECT_EQ(error_of([] { parse_haresources("\nha1 10.0.0.6/40\n", "hr"); }),
		  "hr:2: bad prefix length in '10.0.0.6/40'");
	EXPECT_EQ(error_of([] { parse_haresources("ha1 IPaddr::x\n", "hr"); }),
		  "hr:1: bad address resource 'IPaddr::x'");
}

TEST(Authkeys, Seed004AsPrinted)
{
	AuthKeys k = parse_authkeys(data("seed004-authkeys"));
	EXPECT_EQ(k.active, 1u);
	ASSERT_EQ(k.keys.size(), 1u);
	EXPECT_EQ(k.keys[0].method, AuthKey::Method::Crc);
}

TEST(Authkeys, MethodsAndErrors)
{
	AuthKeys k = parse_authkeys("auth 4\n1 crc\n2 sha1 ultramonkey\n3 md5 Hello!\n4 sha256 long secret\n");
	EXPECT_EQ(k.active, 4u);
	EXPECT_EQ(k.find(2)->secret, "ultramonkey");
	EXPECT_EQ(k.find(3)->method, AuthKey::Method::Md5);
	EXPECT_EQ(k.find(4)->secret, "long secret");
	EXPECT_EQ(error_of([] { parse_authkeys("auth 1\n1 rot13 x\n", "ak"); }),
		  "ak:2: unknown auth method 'rot13' (crc, md5, sha1, sha256)");
	EXPECT_EQ(error_of([] { parse_authkeys("auth 2\n1 crc\n", "ak"); }),
		  "ak:1: auth 2 names a key that is not defined");
	EXPECT_EQ(error_of([] { parse_authkeys("1 crc\n", "ak"); }), "ak:0: no 'auth N' line");
	EXPECT_EQ(error_of([] { parse_authkeys("auth 1\n1 sha1\n", "ak"); }),
		  "ak:2: sha1 needs a secret");
}

// expirestale= (xvs.ko's net.xvs.expire_stale_conn): global only, three
// values by name or number; unset leaves the switch alone.
TEST(Ldirectord, ExpireStale)
{
	EXPECT_FALSE(parse_ldirectord("virtual=10.0.0.1:53\n\tprotocol=udp\n").expire_stale);
	struct Case {
		const char *value;
		int mode;
	} cases[] = {
		{"no", 0}, {"0", 0}, {"udp", 1}, {"UDP", 1}, {"1", 1}, {"all", 2}, {"2", 2},
		{"\"udp\"", 1},
	};
	for (auto &c : cases) {
		LdConfig cfg = parse_ldirectord(std::string("expirestale=") + c.value +
						"\nvirtual=10.0.0.1:53\n\tprotocol=udp\n"
						"\treal=192.168.0.1:53 masq\n");
		ASSERT_TRUE(cfg.expire_stale) << c.value;
		EXPECT_EQ(*cfg.expire_stale, c.mode) << c.value;
	}
	// after the sections too, as any global setting
	LdConfig late = parse_ldirectord("virtual=10.0.0.1:53\n\tprotocol=udp\nexpirestale=all\n");
	ASSERT_TRUE(late.expire_stale);
	EXPECT_EQ(*late.expire_stale, 2);

	EXPECT_EQ(error_of([] { parse_ldirectord("expirestale=tcp\n", "x.cf"); }),
		  "x.cf:1: bad expirestale 'tcp' (no, udp or all)");
	EXPECT_EQ(error_of([] { parse_ldirectord("expirestale=3\n", "x.cf"); }),
		  "x.cf:1: bad expirestale '3' (no, udp or all)");
	EXPECT_EQ(error_of([] {
		parse_ldirectord("virtual=10.0.0.1:53\n\texpirestale=udp\n", "x.cf");
	}), "x.cf:2: expirestale= is a global setting, not valid in a virtual section");
}
