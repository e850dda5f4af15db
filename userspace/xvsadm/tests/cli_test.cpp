// Front end: parsing and validation, with no kernel involved.
#include "cli.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/ip_vs.h>

#include <cstring>
#include <string>
#include <vector>

using namespace xvsadm;

namespace {

Command parse(std::vector<std::string> args)
{
	args.insert(args.begin(), "ipvsadm");
	return parse_command(args);
}

// The Exit a command line is rejected with (fails the test if accepted).
Exit rejected(std::vector<std::string> args)
{
	args.insert(args.begin(), "ipvsadm");
	try {
		parse_command(args);
	} catch (const Exit &e) {
		return e;
	}
	ADD_FAILURE() << "accepted: " << args[1];
	return {};
}

std::string v4(const std::array<std::uint8_t, 16> &a)
{
	char b[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, a.data(), b, sizeof(b));
	return b;
}

} // namespace

TEST(Cli, AddServiceDefaults)
{
	Command c = parse({"-A", "-t", "10.0.0.1:80"});
	EXPECT_EQ(c.cmd, Cmd::Add);
	EXPECT_EQ(c.svc.af, AF_INET);
	EXPECT_EQ(c.svc.protocol, IPPROTO_TCP);
	EXPECT_EQ(v4(c.svc.addr), "10.0.0.1");
	EXPECT_EQ(c.svc.port, 80);
	EXPECT_EQ(c.svc.sched_name, "wlc");
	EXPECT_EQ(c.svc.netmask, 0xffffffffu);
	EXPECT_EQ(c.svc.flags, 0u);
}

TEST(Cli, PersistenceAndMask)
{
	Command c = parse({"-A", "-t", "10.0.0.1:0", "-p", "-M", "255.255.255.0"});
	EXPECT_EQ(c.svc.flags & IP_VS_SVC_F_PERSISTENT, IP_VS_SVC_F_PERSISTENT);
	EXPECT_EQ(c.svc.timeout, 360u);	// libipvs: 6 minutes
	in_addr m;
	inet_aton("255.255.255.0", &m);
	EXPECT_EQ(c.svc.netmask, m.s_addr);
	c = parse({"-A", "-t", "10.0.0.1:0", "--persistent=45"});
	EXPECT_EQ(c.svc.timeout, 45u);
}

TEST(Cli, Ipv6ServiceAndFwmark)
{
	Command c = parse({"-A", "-t", "[2001:db8::1]:443", "-p", "-M", "64"});
	EXPECT_EQ(c.svc.af, AF_INET6);
	EXPECT_EQ(c.svc.port, 443);
	EXPECT_EQ(c.svc.netmask, 64u);
	c = parse({"-A", "-f", "9", "-6", "-s", "rr"});
	EXPECT_EQ(c.svc.fwmark, 9u);
	EXPECT_EQ(c.svc.af, AF_INET6);
	EXPECT_EQ(c.svc.netmask, 128u);
	Exit e = rejected({"-A", "-6", "-f", "9"});
	EXPECT_EQ(e.code, 2);
	EXPECT_EQ(e.err, "-6 used before -f\n\n");
}

TEST(Cli, BracketedIpv4LosesPort)
{
	// ipvsadm drops the port of a bracketed IPv4 address.
	Command c = parse({"-A", "-t", "[10.0.0.3]:80", "-p"});
	EXPECT_EQ(v4(c.svc.addr), "10.0.0.3");
	EXPECT_EQ(c.svc.port, 0);
}

TEST(Cli, RealServerDefaultsAndPortRules)
{
	Command c = parse({"-a", "-t", "10.0.0.1:80", "-r", "10.0.1.1:8080"});
	EXPECT_EQ(c.cmd, Cmd::AddDest);
	EXPECT_EQ(c.dest.conn_flags, unsigned(IP_VS_CONN_F_DROUTE));
	EXPECT_EQ(c.dest.port, 80);	// direct routing keeps the port
	EXPECT_EQ(c.dest.weight, 1);
	c = parse({"-a", "-t", "10.0.0.1:80", "-r", "10.0.1.1:8080", "-m"});
	EXPECT_EQ(c.dest.port, 8080);
	c = parse({"-a", "-t", "10.0.0.1:80", "-r", "10.0.1.1", "-m"});
	EXPECT_EQ(c.dest.port, 80);
	c = parse({"-a", "-f", "3", "-r", "10.0.1.1:99", "-g"});
	EXPECT_EQ(c.dest.port, 99);	// fwmark: no forcing
}

TEST(Cli, NamesResolveThroughLibc)
{
	Command c = parse({"-A", "-t", "localhost:http"});
	EXPECT_EQ(v4(c.svc.addr), "127.0.0.1");
	EXPECT_EQ(c.svc.port, 80);
	Exit e = rejected({"-A", "-t", "10.0.0.1:nosuchservice-xyz"});
	EXPECT_EQ(e.err, "illegal virtual server address[:port] specified\n");
}

TEST(Cli, CommandOptionTable)
{
	EXPECT_EQ(rejected({"-A"}).err,
		  "You need to supply the 'service-address' option for the "
		  "'add-service' command\n");
	EXPECT_EQ(rejected({"-D", "-t", "1.2.3.4:80", "-s", "rr"}).err,
		  "Illegal 'scheduler' option with the 'delete-service' "
		  "command\n");
	EXPECT_EQ(rejected({"-L", "-c", "--timeout"}).err,
		  "The option 'timeout' conflicts with the 'connection' option "
		  "in the 'list' command\n");
	EXPECT_EQ(rejected({"-a", "-t", "1.2.3.4:80"}).err,
		  "You need to supply the 'real-server' option for the "
		  "'add-server' command\n");
	EXPECT_EQ(rejected({"-L", "--stats", "--stats"}).err,
		  "multiple 'stats' options specified\n");
	EXPECT_EQ(rejected({"-L", "-c", "--stats"}).err,
		  "options conflicts in the list command\n");
}

TEST(Cli, TunnelRules)
{
	EXPECT_EQ(rejected({"-a", "-t", "1.2.3.4:80", "-r", "5.6.7.8", "-m",
			    "--tun-type", "gue"}).err,
		  "Tunnel options conflict with forward method\n");
	EXPECT_EQ(rejected({"-a", "-t", "1.2.3.4:80", "-r", "5.6.7.8", "-i",
			    "--tun-type", "gue"}).err,
		  "You need to supply the 'tun-port' option for the 'gue' "
		  "tunnel type\n");
	EXPECT_EQ(rejected({"-a", "-t", "1.2.3.4:80", "-r", "5.6.7.8", "-i",
			    "--tun-type", "gre", "--tun-csum",
			    "--tun-nocsum"}).err,
		  "The option 'tun-csum' conflicts with the 'tun-nocsum' option "
		  "in the 'gre' tunnel type\n");
	Command c = parse({"-a", "-t", "1.2.3.4:80", "-r", "5.6.7.8", "-i",
			   "--tun-type", "gue", "--tun-port", "6080",
			   "--tun-remcsum"});
	EXPECT_EQ(c.dest.tun_type, IP_VS_CONN_F_TUNNEL_TYPE_GUE);
	EXPECT_EQ(c.dest.tun_port, 6080);
	EXPECT_EQ(c.dest.tun_flags, IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM);
}

TEST(Cli, ValueRanges)
{
	EXPECT_EQ(rejected({"-a", "-t", "1.2.3.4:80", "-r", "5.6.7.8", "-w",
			    "2147483648"}).err, "illegal weight specified\n");
	EXPECT_EQ(parse({"-a", "-t", "1.2.3.4:80", "-r", "5.6.7.8", "-w",
			 "65536"}).dest.weight, 65536);
	EXPECT_EQ(rejected({"-A", "-f", "0"}).err,
		  "invalid fwmark value `0' specified\n");
	EXPECT_EQ(parse({"-A", "-f", "4294967295"}).svc.fwmark, 4294967295u);
	EXPECT_EQ(rejected({"-A", "-t", "1.2.3.4:80", "-p", "2678401"}).err,
		  "invalid timeout value `2678401' specified\n");
	EXPECT_EQ(rejected({"--set", "1", "2"}).err,
		  "--set option requires 3 timeout values\n");
	Command c = parse({"--set", "10", "20", "30"});
	EXPECT_EQ(c.timeouts.tcp, 10u);
	EXPECT_EQ(c.timeouts.tcp_fin, 20u);
	EXPECT_EQ(c.timeouts.udp, 30u);
	EXPECT_EQ(rejected({"--set", "1", "2", "3", "4"}).err,
		  "unexpected argument 4\n");
}

TEST(Cli, SchedFlags)
{
	Command c = parse({"-A", "-t", "1.2.3.4:80", "-s", "sh", "-b",
			   "sh-port,sh-fallback"});
	EXPECT_EQ(c.svc.flags & (IP_VS_SVC_F_SCHED1 | IP_VS_SVC_F_SCHED2),
		  unsigned(IP_VS_SVC_F_SCHED1 | IP_VS_SVC_F_SCHED2));
	EXPECT_EQ(rejected({"-A", "-t", "1.2.3.4:80", "-b", "sh-port"}).err,
		  "incompatible scheduler flag `sh-port'\n");
	EXPECT_EQ(rejected({"-A", "-t", "1.2.3.4:80", "-b", "x,flag-1"}).err,
		  "invalid scheduler flag `x'\n");
	// flags are checked before the command/option table
	EXPECT_EQ(rejected({"-L", "-b", "bogus"}).err,
		  "invalid scheduler flag `bogus'\n");
}

TEST(Cli, PoptErrorsAndHelp)
{
	Exit e = rejected({"--bogus"});
	EXPECT_EQ(e.code, 255);
	EXPECT_EQ(e.err, "Try `ipvsadm -h' or 'ipvsadm --help' for more "
			 "information.\n");
	e = rejected({"-L", "--bogus"});
	EXPECT_EQ(e.code, 255);
	EXPECT_TRUE(e.soft);
	EXPECT_EQ(e.err, "--bogus: unknown option\n");
	e = rejected({"-A", "-t"});
	EXPECT_EQ(e.err, "-t: missing argument\n");
	e = rejected({"-L", "-A"});
	EXPECT_EQ(e.code, 2);
	EXPECT_EQ(e.err, "invalid option `-A'\n");
	e = rejected({"-h"});
	EXPECT_EQ(e.code, 0);
	EXPECT_EQ(e.out.rfind(version_text(), 0), 0u);
	EXPECT_NE(e.out.find("  ipvsadm -A|E virtual-service"), std::string::npos);
	e = rejected({"-v"});
	EXPECT_EQ(e.out, "ipvsadm v1.31 2019/12/24 (compiled with popt and "
			 "IPVS v1.2.1)\n");
}

TEST(Cli, DaemonOptions)
{
	Command c = parse({"--start-daemon", "backup", "--syncid", "9",
			   "--mcast-group", "ff02::1", "--mcast-port", "7000",
			   "--mcast-ttl", "4", "--sync-maxlen", "1000"});
	EXPECT_EQ(c.daemon.state, unsigned(IP_VS_STATE_BACKUP));
	EXPECT_EQ(c.daemon.mcast_ifn, "eth0");
	EXPECT_EQ(c.daemon.syncid, 9u);
	EXPECT_EQ(c.daemon.mcast_af, AF_INET6);
	EXPECT_EQ(c.daemon.mcast_port, 7000);
	EXPECT_EQ(c.daemon.mcast_ttl, 4);
	EXPECT_EQ(c.daemon.sync_maxlen, 1000);
	EXPECT_EQ(rejected({"--start-daemon", "x"}).err,
		  "illegal start-daemon parameter specified\n");
	EXPECT_EQ(rejected({"--stop-daemon", "x"}).err,
		  "illegal start_daemon specified\n");
	EXPECT_EQ(rejected({"--start-daemon", "master", "--mcast-group",
			    "10.0.0.1"}).err,
		  "invalid IPv4 mcast-group `10.0.0.1'\n");
}

TEST(Cli, JsonFormatOnlyWithList)
{
	EXPECT_EQ(parse({"-L", "--format", "json"}).output_format, "json");
	EXPECT_EQ(rejected({"-A", "-t", "1.2.3.4:80", "--format", "json"}).err,
		  "Illegal 'format' option with the 'add-service' command\n");
	EXPECT_EQ(rejected({"-L", "--format", "xml"}).err,
		  "unknown output format `xml'\n");
}

// xvsadm extension: a service's own connection timeouts.
TEST(Cli, ServiceTimeouts)
{
	Command c = parse({"-A", "-u", "10.0.0.1:53", "--timeout-udp", "5",
			   "--timeout-tcp", "0", "--timeout-tcpfin", "2678400"});
	EXPECT_EQ(c.svc.conn_timeouts.udp, std::optional<std::uint32_t>(5));
	// 0 is given, and means "the global value".
	EXPECT_EQ(c.svc.conn_timeouts.tcp, std::optional<std::uint32_t>(0));
	EXPECT_EQ(c.svc.conn_timeouts.tcp_fin,
		  std::optional<std::uint32_t>(2678400));

	c = parse({"-E", "-t", "10.0.0.1:80", "-s", "rr", "--timeout-tcp",
		   "33"});
	EXPECT_EQ(c.cmd, Cmd::Edit);
	EXPECT_EQ(c.svc.conn_timeouts.tcp, std::optional<std::uint32_t>(33));
	// Not given: nullopt, so an edit leaves them as they are.
	EXPECT_FALSE(c.svc.conn_timeouts.udp);
	EXPECT_FALSE(c.svc.conn_timeouts.tcp_fin);

	c = parse({"-A", "-t", "10.0.0.1:80"});
	EXPECT_EQ(c.svc.conn_timeouts, SvcTimeoutSpec{});
}

TEST(Cli, ServiceTimeoutsBadValues)
{
	const std::string tail = " specified (seconds, 0 to 2678400; 0: the "
				 "global --set value)\n";
	for (const char *bad : {"-1", "abc", "2678401", "1.5", "", "5x",
				"99999999999999999999"})
		EXPECT_EQ(rejected({"-A", "-u", "10.0.0.1:53", "--timeout-udp",
				    bad}).err,
			  std::string("invalid timeout-udp value `") + bad +
				  "'" + tail)
			<< bad;
	EXPECT_EQ(rejected({"-E", "-t", "10.0.0.1:80", "--timeout-tcpfin",
			    "-5"}).err,
		  "invalid timeout-tcpfin value `-5'" + tail);
	EXPECT_EQ(rejected({"-A", "-u", "10.0.0.1:53", "--timeout-udp", "1",
			    "--timeout-udp", "2"}).err,
		  "multiple 'timeout-udp' options specified\n");
	EXPECT_EQ(rejected({"-a", "-u", "10.0.0.1:53", "-r", "10.0.0.2",
			    "--timeout-udp", "1"}).err,
		  "Illegal 'timeout-udp' option with the 'add-server' "
		  "command\n");
	EXPECT_EQ(rejected({"-L", "-n", "--timeout-tcp", "1"}).err,
		  "Illegal 'timeout-tcp' option with the 'list' command\n");
}
