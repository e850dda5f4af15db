// Unit tests of the config-change event codec of libxvsnl: event messages
// are built in memory in the layout xvs.ko sends (kmod/uapi/xvs_genl.h,
// objects nested as in the GET replies) and decoded.  No socket, no kernel.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <set>
#include <string>

#include "xvs/codec.hpp"
#include "xvs/error.hpp"
#include "xvs/events.hpp"
#include "xvs/netlink.hpp"
#include "xvs/types.hpp"

#include "xvs_genl.h"

using namespace xvs;
using codec::Detail;

namespace {

constexpr int kFakeFamily = 0x42;
constexpr std::uint32_t kPort = 0x1234abcd;

// An event message with its kind and the requester's port, as the kernel
// starts it; the caller adds the objects.
Message event_msg(std::uint32_t kind, std::uint8_t cmd = XVS_CMD_EVENT)
{
	Message m = Message::genl(kFakeFamily, cmd, IPVS_GENL_VERSION, 0);
	m.put_u32(XVS_CMD_ATTR_EVENT_KIND, kind);
	m.put_u32(XVS_CMD_ATTR_EVENT_PORTID, kPort);
	return m;
}

Event decode(const Message &m)
{
	return codec::decode_event(Reply(m.bytes()));
}

int decode_errno(const Message &m)
{
	try {
		decode(m);
	} catch (const Error &e) {
		return e.code();
	}
	return 0;
}

Service dumped_service()
{
	Service s;
	s.af = AF_INET;
	s.protocol = IPPROTO_TCP;
	s.addr = Address::parse("10.0.0.1");
	s.port = 80;
	s.sched_name = "wrr";
	s.flags = IP_VS_SVC_F_PERSISTENT;
	s.timeout = 600;
	s.netmask = htonl(0xffffff00);
	s.stats = Stats32{7, 8, 9, 10, 11, 1, 2, 3, 4, 5};
	s.stats64 = Stats64::widen(*s.stats);
	return s;
}

Destination dumped_dest()
{
	Destination d;
	d.addr = Address::parse("192.168.10.2");
	d.port = 8080;
	d.fwd_method = IP_VS_CONN_F_DROUTE;
	d.weight = 3;
	d.u_threshold = 100;
	d.l_threshold = 5;
	d.tun_type = 0;
	d.tun_port = 0;
	d.tun_flags = 0;
	d.active_conns = 1;
	d.inact_conns = 2;
	d.persist_conns = 3;
	d.stats = Stats32{};
	d.stats64 = Stats64{};
	return d;
}

} // namespace

TEST(EventCodec, ServiceEventsCarryTheDumpedService)
{
	for (auto kind : {XVS_EVENT_SERVICE_NEW, XVS_EVENT_SERVICE_EDIT,
			  XVS_EVENT_SERVICE_DEL}) {
		Message m = event_msg(kind);
		codec::put_service(m, dumped_service(), Detail::Dump);
		Event ev = decode(m);
		EXPECT_EQ(static_cast<int>(ev.kind), kind);
		EXPECT_EQ(ev.portid, kPort);
		ASSERT_TRUE(ev.service);
		EXPECT_EQ(*ev.service, dumped_service());
		EXPECT_FALSE(ev.dest);
		EXPECT_FALSE(ev.daemon);
	}
}

TEST(EventCodec, FwmarkAndIpv6Services)
{
	Service fwm;
	fwm.af = AF_INET6;
	fwm.fwmark = 7;
	fwm.sched_name = "sh";
	fwm.netmask = 128;
	Message m = event_msg(XVS_EVENT_SERVICE_NEW);
	codec::put_service(m, fwm, Detail::Full);
	Event ev = decode(m);
	ASSERT_TRUE(ev.service);
	EXPECT_EQ(ev.service->fwmark, 7u);
	EXPECT_EQ(ev.service->af, AF_INET6);
	EXPECT_EQ(ev.service->key_str(), fwm.key_str());
}

TEST(EventCodec, DestEventsCarryServiceAndDest)
{
	for (auto kind : {XVS_EVENT_DEST_NEW, XVS_EVENT_DEST_EDIT,
			  XVS_EVENT_DEST_DEL}) {
		Message m = event_msg(kind);
		codec::put_service(m, dumped_service(), Detail::Dump);
		codec::put_dest(m, dumped_dest(), Detail::Dump);
		Event ev = decode(m);
		EXPECT_EQ(static_cast<int>(ev.kind), kind);
		ASSERT_TRUE(ev.service);
		ASSERT_TRUE(ev.dest);
		EXPECT_EQ(*ev.dest, dumped_dest());
		EXPECT_EQ(ev.service->key_str(), "TCP 10.0.0.1:80");
	}
}

TEST(EventCodec, DestWithoutFamilyTakesTheServiceFamily)
{
	Service s = dumped_service();
	s.af = AF_INET6;
	s.addr = Address::parse("2001:db8::1");
	s.netmask = 128;
	// As kernels before IPVS_DEST_ATTR_ADDR_FAMILY nest it: the 16-byte
	// address and the port only.
	Message m = event_msg(XVS_EVENT_DEST_DEL);
	codec::put_service(m, s, Detail::Full);
	{
		auto n = m.nest(IPVS_CMD_ATTR_DEST);
		Address a = Address::parse("2001:db8::2");
		m.put(IPVS_DEST_ATTR_ADDR, a.bytes.data(), a.bytes.size());
		m.put_be16(IPVS_DEST_ATTR_PORT, 80);
	}
	Event ev = decode(m);
	ASSERT_TRUE(ev.dest);
	EXPECT_EQ(ev.dest->addr, Address::parse("2001:db8::2"));
	EXPECT_EQ(ev.dest->port, 80);
}

TEST(EventCodec, DaemonEvents)
{
	Daemon d;
	d.state = IP_VS_STATE_BACKUP;
	d.mcast_ifn = "eth1";
	d.syncid = 4;
	d.sync_maxlen = 1472;
	d.mcast_group = Address::parse("224.0.0.81");
	d.mcast_port = 8848;
	d.mcast_ttl = 1;
	for (auto kind : {XVS_EVENT_DAEMON_NEW, XVS_EVENT_DAEMON_DEL}) {
		Message m = event_msg(kind);
		codec::put_daemon(m, d);
		Event ev = decode(m);
		EXPECT_EQ(static_cast<int>(ev.kind), kind);
		ASSERT_TRUE(ev.daemon);
		EXPECT_EQ(*ev.daemon, d);
		EXPECT_FALSE(ev.service);
	}
}

TEST(EventCodec, FlushCarriesNoObject)
{
	Event ev = decode(event_msg(XVS_EVENT_SERVICE_FLUSH));
	EXPECT_EQ(ev.kind, EventKind::ServiceFlush);
	EXPECT_EQ(ev.portid, kPort);
	EXPECT_FALSE(ev.service || ev.dest || ev.daemon);
}

TEST(EventCodec, PortIsOptional)
{
	Message m = Message::genl(kFakeFamily, XVS_CMD_EVENT,
				  IPVS_GENL_VERSION, 0);
	m.put_u32(XVS_CMD_ATTR_EVENT_KIND, XVS_EVENT_SERVICE_FLUSH);
	EXPECT_EQ(decode(m).portid, 0u);
}

TEST(EventCodec, MalformedEventsAreProtocolErrors)
{
	// Another command of the family: a dump reply is not an event.
	Message other = event_msg(XVS_EVENT_SERVICE_FLUSH,
				  IPVS_CMD_NEW_SERVICE);
	EXPECT_EQ(decode_errno(other), EPROTO);

	// No kind.
	Message nokind = Message::genl(kFakeFamily, XVS_CMD_EVENT,
				       IPVS_GENL_VERSION, 0);
	codec::put_service(nokind, dumped_service(), Detail::Dump);
	EXPECT_EQ(decode_errno(nokind), EPROTO);

	// Kinds outside the enum, at both ends.
	EXPECT_EQ(decode_errno(event_msg(0)), EPROTO);
	EXPECT_EQ(decode_errno(event_msg(XVS_EVENT_KIND_MAX + 1)), EPROTO);

	// A kind attribute too short for a u32.
	Message shortkind = Message::genl(kFakeFamily, XVS_CMD_EVENT,
					  IPVS_GENL_VERSION, 0);
	shortkind.put_u16(XVS_CMD_ATTR_EVENT_KIND, XVS_EVENT_SERVICE_FLUSH);
	EXPECT_EQ(decode_errno(shortkind), EPROTO);

	// Objects the kind needs are missing.
	EXPECT_EQ(decode_errno(event_msg(XVS_EVENT_SERVICE_NEW)), EPROTO);
	Message nodest = event_msg(XVS_EVENT_DEST_NEW);
	codec::put_service(nodest, dumped_service(), Detail::Dump);
	EXPECT_EQ(decode_errno(nodest), EPROTO);
	Message nosvc = event_msg(XVS_EVENT_DEST_DEL);
	codec::put_dest(nosvc, dumped_dest(), Detail::Dump);
	EXPECT_EQ(decode_errno(nosvc), EPROTO);
	EXPECT_EQ(decode_errno(event_msg(XVS_EVENT_DAEMON_DEL)), EPROTO);

	// A service nest whose family attribute is one byte.
	Message badsvc = event_msg(XVS_EVENT_SERVICE_EDIT);
	{
		auto n = badsvc.nest(IPVS_CMD_ATTR_SERVICE);
		badsvc.put_u8(IPVS_SVC_ATTR_AF, AF_INET);
	}
	EXPECT_EQ(decode_errno(badsvc), EPROTO);
}

TEST(EventCodec, KindNamesAreDistinctAndStable)
{
	std::set<std::string> names;
	for (std::uint32_t k = XVS_EVENT_SERVICE_NEW; k <= XVS_EVENT_KIND_MAX;
	     k++) {
		std::string n(event_kind_name(static_cast<EventKind>(k)));
		EXPECT_NE(n, "unknown") << k;
		names.insert(n);
	}
	EXPECT_EQ(names.size(), std::size_t{XVS_EVENT_KIND_MAX});
	// xvsadm --watch prints these; scripts match on them.
	EXPECT_EQ(event_kind_name(EventKind::ServiceNew), "service-new");
	EXPECT_EQ(event_kind_name(EventKind::DestEdit), "dest-edit");
	EXPECT_EQ(event_kind_name(EventKind::DaemonDel), "daemon-del");
	EXPECT_EQ(event_kind_name(EventKind::ServiceFlush), "service-flush");
}
