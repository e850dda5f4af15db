// The line formats of `xvsadm --watch` (documented in xvsadm(8)).
#include <gtest/gtest.h>

#include <arpa/inet.h>

#include "json.hpp"
#include "watch.hpp"

using namespace xvs;

namespace {

Event svc_event(EventKind kind)
{
	Event ev;
	ev.kind = kind;
	ev.portid = 4242;
	Service s;
	s.addr = Address::parse("10.0.0.1");
	s.port = 80;
	s.sched_name = "wrr";
	s.flags = IP_VS_SVC_F_PERSISTENT;
	s.timeout = 600;
	s.netmask = htonl(0xffffff00);
	ev.service = s;
	return ev;
}

} // namespace

TEST(WatchText, ServiceDestDaemonAndFlush)
{
	EXPECT_EQ(xvsadm::watch::render_text(svc_event(EventKind::ServiceEdit)),
		  "service-edit TCP 10.0.0.1:80 scheduler wrr persistent 600 "
		  "netmask 255.255.255.0\n");

	Event d = svc_event(EventKind::DestNew);
	d.service->flags = 0;
	Destination dest;
	dest.addr = Address::parse("2001:db8::2");
	dest.port = 8080;
	dest.fwd_method = IP_VS_CONN_F_DROUTE;
	dest.weight = 3;
	dest.u_threshold = 10;
	d.dest = dest;
	EXPECT_EQ(xvsadm::watch::render_text(d),
		  "dest-new TCP 10.0.0.1:80 scheduler wrr -> [2001:db8::2]:8080 "
		  "route weight 3 u_threshold 10 l_threshold 0\n");

	Event dm;
	dm.kind = EventKind::DaemonNew;
	Daemon daemon;
	daemon.mcast_ifn = "eth0";
	daemon.syncid = 7;
	daemon.sync_maxlen = 1472;
	daemon.mcast_group = Address::parse("224.0.0.81");
	daemon.mcast_port = 8848;
	daemon.mcast_ttl = 1;
	dm.daemon = daemon;
	EXPECT_EQ(xvsadm::watch::render_text(dm),
		  "daemon-new master mcast_interface eth0 syncid 7 "
		  "sync_maxlen 1472 mcast_group 224.0.0.81 mcast_port 8848 "
		  "mcast_ttl 1\n");

	Event fl;
	fl.kind = EventKind::ServiceFlush;
	EXPECT_EQ(xvsadm::watch::render_text(fl), "service-flush\n");
}

TEST(WatchJson, OneLineWithTheListingObjects)
{
	Event ev = svc_event(EventKind::ServiceDel);
	std::string j = xvsadm::json::render_event(ev);
	EXPECT_EQ(j.find('\n'), j.size() - 1) << j;
	EXPECT_EQ(j.rfind("{\"format\": \"xvsadm-event-1\", \"event\": "
			  "\"service-del\", \"portid\": 4242, \"service\": "
			  "{\"family\": \"inet\", \"fwmark\": null, "
			  "\"protocol\": \"TCP\", \"address\": \"10.0.0.1\", "
			  "\"port\": 80, \"scheduler\": \"wrr\", ", 0),
		  0u) << j;
	EXPECT_NE(j.find("\"persistent\": true, \"timeout\": 600, "
			 "\"netmask\": \"255.255.255.0\""),
		  std::string::npos) << j;
	EXPECT_EQ(j.find("destination"), std::string::npos) << j;

	Event fl;
	fl.kind = EventKind::ServiceFlush;
	EXPECT_EQ(xvsadm::json::render_event(fl),
		  "{\"format\": \"xvsadm-event-1\", \"event\": "
		  "\"service-flush\", \"portid\": 0}\n");
}
