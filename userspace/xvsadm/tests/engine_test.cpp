// The kernel-driving layer's pure parts: error wording and the encoding of
// command-line specs into library objects.
#include "cli.hpp"
#include "engine.hpp"

#include <gtest/gtest.h>
#include <linux/ip_vs.h>

#include <cerrno>

using namespace xvsadm;

TEST(Engine, ErrorWordingDependsOnTheCall)
{
	EXPECT_EQ(ipvs_strerror(Op::AddService, EEXIST), "Service already exists");
	EXPECT_EQ(ipvs_strerror(Op::AddService, ENOENT),
		  "Scheduler or persistence engine not found");
	EXPECT_EQ(ipvs_strerror(Op::DelService, ESRCH), "No such service");
	EXPECT_EQ(ipvs_strerror(Op::AddDest, ESRCH), "Service not defined");
	EXPECT_EQ(ipvs_strerror(Op::AddDest, EEXIST), "Destination already exists");
	EXPECT_EQ(ipvs_strerror(Op::DelDest, ENOENT), "No such destination");
	EXPECT_EQ(ipvs_strerror(Op::StartDaemon, EEXIST), "Daemon has already run");
	EXPECT_EQ(ipvs_strerror(Op::StopDaemon, ESRCH), "No daemon is running");
	// the same errno elsewhere falls back to the generic table or strerror
	EXPECT_EQ(ipvs_strerror(Op::AddService, ESRCH), "No such process");
	EXPECT_EQ(ipvs_strerror(Op::Init, ENOENT), "No such file or directory");
	EXPECT_EQ(ipvs_strerror(Op::AddDest, EINVAL),
		  "Invalid operation.  Possibly wrong module version, address "
		  "not unicast, ...");
	EXPECT_EQ(ipvs_strerror(Op::Init, EPERM),
		  "Permission denied (you must be root)");
	EXPECT_EQ(ipvs_strerror(Op::GetService, EAFNOSUPPORT),
		  "Operation not supported with specified address family");
	EXPECT_EQ(ipvs_strerror(Op::UpdateDest, ENODEV), "No such device");
}

TEST(Engine, SpecsEncodeAsIpvsadmSendsThem)
{
	std::vector<std::string> argv{"ipvsadm", "-a", "-t", "10.0.0.1:80", "-r",
				      "10.0.1.1:8080", "-m", "-w", "5", "-x", "9"};
	Command c = parse_command(argv);
	xvs::Service s = to_service(c.svc);
	EXPECT_EQ(s.af, AF_INET);
	EXPECT_EQ(s.addr.str(), "10.0.0.1");
	EXPECT_EQ(s.port, 80);
	EXPECT_EQ(s.flags_mask, ~0u);
	xvs::Destination d = to_dest(c.dest);
	EXPECT_EQ(d.addr.str(), "10.0.1.1");
	EXPECT_EQ(d.port, 8080);
	EXPECT_EQ(d.fwd_method, unsigned(IP_VS_CONN_F_MASQ));
	EXPECT_EQ(d.weight, 5);
	EXPECT_EQ(d.u_threshold, 9u);
	// ipvsadm always sends the tunnel attributes
	ASSERT_TRUE(d.tun_type && d.tun_port && d.tun_flags);
	EXPECT_EQ(*d.tun_type, 0);

	argv = {"ipvsadm", "--start-daemon", "master", "--mcast-group",
		"224.0.0.99", "--mcast-port", "9000"};
	xvs::Daemon dm = to_daemon(parse_command(argv).daemon);
	EXPECT_EQ(dm.mcast_ifn, "eth0");
	ASSERT_TRUE(dm.mcast_group.has_value());
	EXPECT_EQ(dm.mcast_group->str(), "224.0.0.99");
	EXPECT_EQ(dm.mcast_port.value_or(0), 9000);
	EXPECT_FALSE(dm.mcast_ttl.has_value());
	EXPECT_FALSE(dm.sync_maxlen.has_value());
}
