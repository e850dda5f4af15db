// Unit tests of the IPVS attribute encoding owned by libxvsnl: messages are
// built in memory, inspected byte by byte where the wire format matters, and
// decoded back.  No socket, no kernel.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <cstring>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "xvs/codec.hpp"
#include "xvs/error.hpp"
#include "xvs/netlink.hpp"
#include "xvs/types.hpp"
#include "xvs_genl.h"

using namespace xvs;
using codec::Detail;

namespace {

constexpr int kFakeFamily = 0x42;

Message new_msg(std::uint8_t cmd = IPVS_CMD_NEW_SERVICE)
{
	return Message::genl(kFakeFamily, cmd, IPVS_GENL_VERSION, 0);
}

// Copies the message as a receiver would see it and returns its top level.
Reply as_reply(const Message &m)
{
	return Reply(m.bytes());
}

Service sample_v4()
{
	Service s;
	s.af = AF_INET;
	s.protocol = IPPROTO_UDP;
	s.addr = Address::parse("192.0.2.10");
	s.port = 5353;
	s.sched_name = "wrr";
	s.flags = IP_VS_SVC_F_PERSISTENT | IP_VS_SVC_F_ONEPACKET;
	s.flags_mask = IP_VS_SVC_F_PERSISTENT | IP_VS_SVC_F_ONEPACKET;
	s.timeout = 300;
	s.netmask = htonl(0xffffff00);
	return s;
}

Service sample_v6()
{
	Service s;
	s.af = AF_INET6;
	s.protocol = IPPROTO_TCP;
	s.addr = Address::parse("2001:db8::1");
	s.port = 443;
	s.sched_name = "mh";
	s.pe_name = "sip";
	s.flags = IP_VS_SVC_F_SCHED1;
	s.netmask = 64;
	return s;
}

Stats32 sample_stats32()
{
	return {1, 2, 3, 0x100000000ull, 5, 6, 7, 8, 9, 10};
}

Stats64 sample_stats64()
{
	return {0x1000000001ull, 2, 3, 0x100000000ull, 5, 6, 7, 8, 9,
		0xffffffffffffffffull};
}

const nlattr *service_nest(const Reply &r)
{
	return r.attrs(IPVS_CMD_ATTR_MAX)[IPVS_CMD_ATTR_SERVICE];
}

} // namespace

TEST(Address, ParseAndFormat)
{
	Address a = Address::parse("10.1.2.3");
	EXPECT_EQ(a.af, AF_INET);
	EXPECT_EQ(a.bytes[0], 10);
	EXPECT_EQ(a.bytes[3], 3);
	EXPECT_EQ(a.str(), "10.1.2.3");
	EXPECT_EQ(Address::v4(0x0a010203), a);

	Address b = Address::parse("2001:db8::ff");
	EXPECT_EQ(b.af, AF_INET6);
	EXPECT_EQ(b.bytes[15], 0xff);
	EXPECT_EQ(b.str(), "2001:db8::ff");

	try {
		Address::parse("10.1.2");
		FAIL() << "no exception";
	} catch (const Error &e) {
		EXPECT_EQ(e.code(), EINVAL);
	}
}

TEST(Message, GenlHeaderAndRequestFlag)
{
	Message m = Message::genl(kFakeFamily, IPVS_CMD_FLUSH, 1, NLM_F_DUMP);
	auto b = m.bytes();
	ASSERT_EQ(b.size(), NLMSG_HDRLEN + GENL_HDRLEN);
	const nlmsghdr *h = m.header();
	EXPECT_EQ(h->nlmsg_type, kFakeFamily);
	EXPECT_EQ(h->nlmsg_flags & NLM_F_DUMP, NLM_F_DUMP);
	EXPECT_TRUE(h->nlmsg_flags & NLM_F_REQUEST);
	Reply r(b);
	EXPECT_EQ(r.cmd(), IPVS_CMD_FLUSH);
}

TEST(Wire, ServiceKeyLayout)
{
	Service s = sample_v4();
	Message m = new_msg();
	codec::put_service(m, s, Detail::Key);
	Reply r = as_reply(m);
	auto t = parse_nested(service_nest(r), IPVS_SVC_ATTR_MAX);

	ASSERT_TRUE(t[IPVS_SVC_ATTR_AF]);
	EXPECT_EQ(attr::size(t[IPVS_SVC_ATTR_AF]), 2u);
	EXPECT_EQ(attr::u16(t[IPVS_SVC_ATTR_AF]), AF_INET);
	EXPECT_EQ(attr::u16(t[IPVS_SVC_ATTR_PROTOCOL]), IPPROTO_UDP);

	// The address is a 16-byte union nf_inet_addr, v4 in the first four.
	auto addr = attr::bytes(t[IPVS_SVC_ATTR_ADDR]);
	ASSERT_EQ(addr.size(), 16u);
	EXPECT_EQ(addr[0], 192);
	EXPECT_EQ(addr[3], 10);
	for (std::size_t i = 4; i < 16; i++)
		EXPECT_EQ(addr[i], 0) << i;

	// Port: two bytes, network order.
	auto port = attr::bytes(t[IPVS_SVC_ATTR_PORT]);
	ASSERT_EQ(port.size(), 2u);
	EXPECT_EQ(port[0], 5353 >> 8);
	EXPECT_EQ(port[1], 5353 & 0xff);

	// A key carries nothing else.
	EXPECT_FALSE(t[IPVS_SVC_ATTR_SCHED_NAME]);
	EXPECT_FALSE(t[IPVS_SVC_ATTR_FLAGS]);
	EXPECT_FALSE(t[IPVS_SVC_ATTR_FWMARK]);
}

TEST(Wire, ServiceFullLayout)
{
	Service s = sample_v4();
	Message m = new_msg();
	codec::put_service(m, s, Detail::Full);
	Reply r = as_reply(m);
	auto t = parse_nested(service_nest(r), IPVS_SVC_ATTR_MAX);

	auto sched = attr::bytes(t[IPVS_SVC_ATTR_SCHED_NAME]);
	ASSERT_EQ(sched.size(), 4u);		// "wrr" + NUL
	EXPECT_EQ(sched[3], 0);
	EXPECT_EQ(std::memcmp(sched.data(), "wrr", 3), 0);

	auto flags = attr::bytes(t[IPVS_SVC_ATTR_FLAGS]);
	ASSERT_EQ(flags.size(), sizeof(ip_vs_flags));
	ip_vs_flags f;
	std::memcpy(&f, flags.data(), sizeof(f));
	EXPECT_EQ(f.flags, s.flags);
	EXPECT_EQ(f.mask, s.flags_mask);

	EXPECT_EQ(attr::u32(t[IPVS_SVC_ATTR_TIMEOUT]), 300u);
	auto mask = attr::bytes(t[IPVS_SVC_ATTR_NETMASK]);
	ASSERT_EQ(mask.size(), 4u);
	const std::uint8_t want[4] = {255, 255, 255, 0};
	EXPECT_EQ(std::memcmp(mask.data(), want, 4), 0);
	EXPECT_FALSE(t[IPVS_SVC_ATTR_PE_NAME]);
	EXPECT_FALSE(t[IPVS_SVC_ATTR_STATS]);
}

TEST(Wire, FwmarkServiceHasNoAddress)
{
	Service s;
	s.fwmark = 7;
	s.sched_name = "rr";
	Message m = new_msg();
	codec::put_service(m, s, Detail::Full);
	Reply r = as_reply(m);
	auto t = parse_nested(service_nest(r), IPVS_SVC_ATTR_MAX);
	EXPECT_EQ(attr::u32(t[IPVS_SVC_ATTR_FWMARK]), 7u);
	EXPECT_FALSE(t[IPVS_SVC_ATTR_ADDR]);
	EXPECT_FALSE(t[IPVS_SVC_ATTR_PORT]);
	EXPECT_FALSE(t[IPVS_SVC_ATTR_PROTOCOL]);

	Service back = codec::decode_service(service_nest(r));
	EXPECT_EQ(back.fwmark, 7u);
	EXPECT_EQ(back.protocol, 0);
	EXPECT_EQ(back.sched_name, "rr");
	EXPECT_EQ(back.key_str(), "FWM 7");
}

TEST(RoundTrip, ServiceFullV4AndV6)
{
	for (const Service &s : {sample_v4(), sample_v6()}) {
		Message m = new_msg();
		codec::put_service(m, s, Detail::Full);
		Service back = codec::decode_service(service_nest(as_reply(m)));
		EXPECT_EQ(back, s) << s.key_str();
	}
}

TEST(RoundTrip, ServiceDumpWithStats)
{
	Service s = sample_v6();
	s.stats = sample_stats32();
	s.stats64 = sample_stats64();
	Message m = new_msg();
	codec::put_service(m, s, Detail::Dump);
	Service back = codec::decode_service(service_nest(as_reply(m)));
	EXPECT_EQ(back, s);
	EXPECT_EQ(back.counters().outbps, 0xffffffffffffffffull);

	Service no64 = s;
	no64.stats64.reset();
	EXPECT_EQ(no64.counters().inbytes, 0x100000000ull);
	EXPECT_EQ(no64.counters().conns, 1u);
}

TEST(RoundTrip, DestinationWithTunnel)
{
	Destination d;
	d.addr = Address::parse("2001:db8::7");
	d.port = 8443;
	d.fwd_method = IP_VS_CONN_F_TUNNEL;
	d.weight = 250;
	d.u_threshold = 1000;
	d.l_threshold = 10;
	d.tun_type = IP_VS_CONN_F_TUNNEL_TYPE_GUE;
	d.tun_port = 6080;
	d.tun_flags = IP_VS_TUNNEL_ENCAP_FLAG_CSUM;
	d.active_conns = 3;
	d.inact_conns = 4;
	d.persist_conns = 5;
	d.stats = sample_stats32();
	d.stats64 = sample_stats64();

	Message m = new_msg(IPVS_CMD_NEW_DEST);
	codec::put_dest(m, d, Detail::Dump);
	Reply r = as_reply(m);
	const nlattr *nest = r.attrs(IPVS_CMD_ATTR_MAX)[IPVS_CMD_ATTR_DEST];
	auto t = parse_nested(nest, IPVS_DEST_ATTR_MAX);
	auto tp = attr::bytes(t[IPVS_DEST_ATTR_TUN_PORT]);
	ASSERT_EQ(tp.size(), 2u);
	EXPECT_EQ(tp[0], 6080 >> 8);		// network order
	EXPECT_EQ(attr::bytes(t[IPVS_DEST_ATTR_TUN_TYPE]).size(), 1u);
	EXPECT_EQ(attr::u16(t[IPVS_DEST_ATTR_ADDR_FAMILY]), AF_INET6);

	Destination back = codec::decode_dest(nest, AF_INET);
	EXPECT_EQ(back, d);
}

TEST(RoundTrip, DestinationRequestOmitsCounters)
{
	Destination d;
	d.addr = Address::parse("10.0.0.2");
	d.port = 80;
	d.weight = -1;			// encodes as u32 0xffffffff
	d.active_conns = 9;
	Message m = new_msg(IPVS_CMD_NEW_DEST);
	codec::put_dest(m, d, Detail::Full);
	Reply r = as_reply(m);
	const nlattr *nest = r.attrs(IPVS_CMD_ATTR_MAX)[IPVS_CMD_ATTR_DEST];
	auto t = parse_nested(nest, IPVS_DEST_ATTR_MAX);
	EXPECT_EQ(attr::u32(t[IPVS_DEST_ATTR_WEIGHT]), 0xffffffffu);
	EXPECT_FALSE(t[IPVS_DEST_ATTR_ACTIVE_CONNS]);
	EXPECT_FALSE(t[IPVS_DEST_ATTR_TUN_TYPE]);
	EXPECT_FALSE(t[IPVS_DEST_ATTR_STATS]);
	Destination back = codec::decode_dest(nest, AF_INET);
	EXPECT_EQ(back.weight, -1);
	EXPECT_EQ(back.active_conns, 0u);
	EXPECT_EQ(back.addr, d.addr);
}

TEST(RoundTrip, DestinationKeyUsesFallbackFamily)
{
	// Old kernels send no IPVS_DEST_ATTR_ADDR_FAMILY.
	Destination d;
	d.addr = Address::parse("10.9.8.7");
	d.addr.af = 0;
	d.port = 1;
	Message m = new_msg(IPVS_CMD_DEL_DEST);
	codec::put_dest(m, d, Detail::Key);
	Reply r = as_reply(m);
	const nlattr *nest = r.attrs(IPVS_CMD_ATTR_MAX)[IPVS_CMD_ATTR_DEST];
	EXPECT_FALSE(parse_nested(nest, IPVS_DEST_ATTR_MAX)
			     [IPVS_DEST_ATTR_ADDR_FAMILY]);
	Destination back = codec::decode_dest(nest, AF_INET);
	EXPECT_EQ(back.addr, Address::parse("10.9.8.7"));
}

TEST(RoundTrip, DaemonV4AndV6)
{
	Daemon a;
	a.state = IP_VS_STATE_BACKUP;
	a.mcast_ifn = "eth0";
	a.syncid = 9;
	a.sync_maxlen = 1472;
	a.mcast_group = Address::parse("239.1.2.3");
	a.mcast_port = 8848;
	a.mcast_ttl = 2;
	Daemon b = a;
	b.mcast_group = Address::parse("ff02::1:2");
	Daemon c;			// only the mandatory attributes
	c.mcast_ifn = "lo";
	for (const Daemon &d : {a, b, c}) {
		Message m = new_msg(IPVS_CMD_NEW_DAEMON);
		codec::put_daemon(m, d);
		Reply r = as_reply(m);
		EXPECT_EQ(codec::decode_daemon(
				  r.attrs(IPVS_CMD_ATTR_MAX)[IPVS_CMD_ATTR_DAEMON]),
			  d);
	}
}

TEST(RoundTrip, TimeoutsAndInfo)
{
	Timeouts t{900, 120, 300};
	Message m = new_msg(IPVS_CMD_SET_CONFIG);
	codec::put_timeouts(m, t);
	EXPECT_EQ(codec::decode_timeouts(as_reply(m).attrs(IPVS_CMD_ATTR_MAX)), t);

	Info info{0x010201, 4096};
	Message mi = new_msg(IPVS_CMD_SET_INFO);
	codec::put_info(mi, info);
	Info back = codec::decode_info(as_reply(mi).attrs(IPVS_INFO_ATTR_MAX));
	EXPECT_EQ(back, info);
	EXPECT_EQ(back.version_str(), "1.2.1");
}

TEST(Decode, KernelStyleStatsWithPadding)
{
	// The kernel inserts IPVS_STATS_ATTR_PAD before 64-bit values to
	// align them; the decoder must skip it.
	Message m = new_msg();
	{
		auto svc = m.nest(IPVS_CMD_ATTR_SERVICE);
		m.put_u16(IPVS_SVC_ATTR_AF, AF_INET);
		m.put_u32(IPVS_SVC_ATTR_FWMARK, 1);
		auto st = m.nest(IPVS_SVC_ATTR_STATS64);
		m.put(IPVS_STATS_ATTR_PAD, nullptr, 0);
		m.put_u64(IPVS_STATS_ATTR_CONNS, 77);
		m.put(IPVS_STATS_ATTR_PAD, nullptr, 0);
		m.put_u64(IPVS_STATS_ATTR_INBYTES, 1ull << 40);
	}
	Service s = codec::decode_service(service_nest(as_reply(m)));
	ASSERT_TRUE(s.stats64);
	EXPECT_EQ(s.stats64->conns, 77u);
	EXPECT_EQ(s.stats64->inbytes, 1ull << 40);
	EXPECT_EQ(s.stats64->outpkts, 0u);
	EXPECT_FALSE(s.stats);
	EXPECT_EQ(s.netmask, 0xffffffffu);	// absent: family default
}

TEST(Decode, FourByteAddressAccepted)
{
	Message m = new_msg();
	{
		auto svc = m.nest(IPVS_CMD_ATTR_SERVICE);
		m.put_u16(IPVS_SVC_ATTR_AF, AF_INET);
		m.put_u16(IPVS_SVC_ATTR_PROTOCOL, IPPROTO_TCP);
		const std::uint8_t a[4] = {10, 0, 0, 1};
		m.put(IPVS_SVC_ATTR_ADDR, a, 4);
		m.put_be16(IPVS_SVC_ATTR_PORT, 80);
	}
	Service s = codec::decode_service(service_nest(as_reply(m)));
	EXPECT_EQ(s.addr, Address::parse("10.0.0.1"));
	EXPECT_EQ(s.key_str(), "TCP 10.0.0.1:80");
}

TEST(Decode, ShortAttributesAreProtocolErrors)
{
	auto expect_eproto = [](auto fn) {
		try {
			fn();
			ADD_FAILURE() << "no exception";
		} catch (const Error &e) {
			EXPECT_EQ(e.code(), EPROTO) << e.what();
		}
	};
	// AF of one byte.
	{
		Message m = new_msg();
		{
			auto svc = m.nest(IPVS_CMD_ATTR_SERVICE);
			m.put_u8(IPVS_SVC_ATTR_AF, AF_INET);
			m.put_u32(IPVS_SVC_ATTR_FWMARK, 1);
		}
		Reply r = as_reply(m);
		expect_eproto([&] { codec::decode_service(service_nest(r)); });
	}
	// IPv6 service with a 4-byte address.
	{
		Message m = new_msg();
		{
			auto svc = m.nest(IPVS_CMD_ATTR_SERVICE);
			m.put_u16(IPVS_SVC_ATTR_AF, AF_INET6);
			m.put_u16(IPVS_SVC_ATTR_PROTOCOL, IPPROTO_TCP);
			m.put_u32(IPVS_SVC_ATTR_ADDR, 0);
			m.put_be16(IPVS_SVC_ATTR_PORT, 80);
		}
		Reply r = as_reply(m);
		expect_eproto([&] { codec::decode_service(service_nest(r)); });
	}
	// Service without family, and missing nest.
	{
		Message m = new_msg();
		{
			auto svc = m.nest(IPVS_CMD_ATTR_SERVICE);
			m.put_u32(IPVS_SVC_ATTR_FWMARK, 1);
		}
		Reply r = as_reply(m);
		expect_eproto([&] { codec::decode_service(service_nest(r)); });
		expect_eproto([&] { codec::decode_service(nullptr); });
	}
	// Short flags struct and a 1-byte port in a destination.
	{
		Message m = new_msg();
		{
			auto svc = m.nest(IPVS_CMD_ATTR_SERVICE);
			m.put_u16(IPVS_SVC_ATTR_AF, AF_INET);
			m.put_u32(IPVS_SVC_ATTR_FWMARK, 1);
			m.put_u32(IPVS_SVC_ATTR_FLAGS, 1);
		}
		Reply r = as_reply(m);
		expect_eproto([&] { codec::decode_service(service_nest(r)); });
	}
	{
		Message m = new_msg();
		{
			auto d = m.nest(IPVS_CMD_ATTR_DEST);
			m.put_u32(IPVS_DEST_ATTR_ADDR, 0x0100000a);
			m.put_u8(IPVS_DEST_ATTR_PORT, 80);
		}
		Reply r = as_reply(m);
		expect_eproto([&] {
			codec::decode_dest(r.attrs(IPVS_CMD_ATTR_MAX)[IPVS_CMD_ATTR_DEST],
					   AF_INET);
		});
	}
	// Info without its attributes.
	{
		Message m = new_msg(IPVS_CMD_SET_INFO);
		Reply r = as_reply(m);
		expect_eproto([&] {
			codec::decode_info(r.attrs(IPVS_INFO_ATTR_MAX));
		});
	}
}

TEST(Attrs, MalformedTailIsIgnoredAndLastDuplicateWins)
{
	Message m = new_msg();
	m.put_u32(IPVS_CMD_ATTR_TIMEOUT_TCP, 1);
	m.put_u32(IPVS_CMD_ATTR_TIMEOUT_TCP, 2);
	m.put_u32(200, 3);			// above maxtype: skipped
	// A header claiming 64 bytes with only 4 present.
	const std::uint16_t bogus[2] = {64, IPVS_CMD_ATTR_TIMEOUT_UDP};
	m.append(bogus, sizeof(bogus));
	AttrTable t = as_reply(m).attrs(IPVS_CMD_ATTR_MAX);
	ASSERT_EQ(t.size(), IPVS_CMD_ATTR_MAX + 1u);
	EXPECT_EQ(attr::u32(t[IPVS_CMD_ATTR_TIMEOUT_TCP]), 2u);
	EXPECT_FALSE(t[IPVS_CMD_ATTR_TIMEOUT_UDP]);
}

TEST(Message, AppendAddsRawAlignedBytes)
{
	Message m = new_msg();
	std::size_t before = m.bytes().size();
	const std::uint8_t junk[3] = {1, 2, 3};
	m.append(junk, sizeof(junk));
	auto b = m.bytes();
	EXPECT_EQ(b.size(), before + 4);	// padded to 4
	EXPECT_EQ(b[before], 1);
	EXPECT_EQ(b[before + 2], 3);
}

TEST(Message, NestGuardClosesNest)
{
	Message m = new_msg();
	{
		auto n = m.nest(IPVS_CMD_ATTR_DEST);
		m.put_u32(IPVS_DEST_ATTR_WEIGHT, 5);
	}
	m.put_u32(IPVS_CMD_ATTR_TIMEOUT_UDP, 6);
	Reply r = as_reply(m);
	auto top = r.attrs(IPVS_CMD_ATTR_MAX);
	ASSERT_TRUE(top[IPVS_CMD_ATTR_DEST]);
	EXPECT_EQ(attr::size(top[IPVS_CMD_ATTR_DEST]), 8u);
	EXPECT_EQ(attr::u32(top[IPVS_CMD_ATTR_TIMEOUT_UDP]), 6u);
}

TEST(Message, OverflowThrowsEmsgsize)
{
	Message m(256);
	std::string big(1000, 'x');
	try {
		m.put(1, big.data(), big.size());
		FAIL() << "no exception";
	} catch (const Error &e) {
		EXPECT_EQ(e.code(), EMSGSIZE);
	}
}

TEST(ErrorModel, CarriesCodeAndExtack)
{
	Error e(EINVAL, "kernel: Invalid argument", "missing attribute");
	EXPECT_EQ(e.code(), EINVAL);
	EXPECT_EQ(e.extack(), "missing attribute");
	EXPECT_STREQ(e.what(), "kernel: Invalid argument: missing attribute");
	EXPECT_EQ(errno_name(EINVAL), "EINVAL");
	EXPECT_EQ(errno_name(0), "OK");
}

// xvs's own per-service timeouts: in the service nest, only the given ones,
// numbered clear of IPVS's so a stock parser (up to IPVS_SVC_ATTR_MAX)
// skips them.
TEST(Wire, ServiceTimeoutsOnlyWhenGiven)
{
	Service s = sample_v4();
	s.conn_timeouts.udp = 7;
	s.conn_timeouts.tcp_fin = 0;		// given: "the global value"
	Message m = new_msg();
	codec::put_service(m, s, Detail::Full);
	Reply r = as_reply(m);
	auto t = parse_nested(service_nest(r), XVS_SVC_ATTR_TIMEOUT_MAX);
	ASSERT_TRUE(t[XVS_SVC_ATTR_TIMEOUT_UDP]);
	EXPECT_EQ(attr::size(t[XVS_SVC_ATTR_TIMEOUT_UDP]), 4u);
	EXPECT_EQ(attr::u32(t[XVS_SVC_ATTR_TIMEOUT_UDP]), 7u);
	ASSERT_TRUE(t[XVS_SVC_ATTR_TIMEOUT_TCP_FIN]);
	EXPECT_EQ(attr::u32(t[XVS_SVC_ATTR_TIMEOUT_TCP_FIN]), 0u);
	EXPECT_FALSE(t[XVS_SVC_ATTR_TIMEOUT_TCP]);
	EXPECT_GT(XVS_SVC_ATTR_TIMEOUT_TCP, IPVS_SVC_ATTR_MAX);

	Service back = codec::decode_service(service_nest(r));
	EXPECT_EQ(back.conn_timeouts.udp, std::optional<std::uint32_t>(7));
	EXPECT_EQ(back.conn_timeouts.tcp_fin, std::optional<std::uint32_t>(0));
	EXPECT_FALSE(back.conn_timeouts.tcp);
	EXPECT_TRUE(back.conn_timeouts.any());
}

TEST(Wire, ServiceTimeoutsNotInKey)
{
	Service s = sample_v4();
	s.conn_timeouts.tcp = 33;
	Message m = new_msg();
	codec::put_service(m, s, Detail::Key);
	auto t = parse_nested(service_nest(as_reply(m)),
			      XVS_SVC_ATTR_TIMEOUT_MAX);
	EXPECT_FALSE(t[XVS_SVC_ATTR_TIMEOUT_TCP]);
}

TEST(RoundTrip, ServiceWithoutTimeoutsHasNone)
{
	Service s = sample_v4();
	Message m = new_msg();
	codec::put_service(m, s, Detail::Dump);
	Service back = codec::decode_service(service_nest(as_reply(m)));
	EXPECT_EQ(back.conn_timeouts, ServiceTimeouts{});
	EXPECT_FALSE(back.conn_timeouts.any());
}

TEST(RoundTrip, ServiceTimeoutShortAttributeRejected)
{
	// A u32 attribute of two bytes is malformed: EPROTO, not garbage.
	Message m = new_msg();
	{
		auto n = m.nest(IPVS_CMD_ATTR_SERVICE);
		m.put_u16(IPVS_SVC_ATTR_AF, AF_INET);
		m.put_u32(IPVS_SVC_ATTR_FWMARK, 3);
		m.put_u16(XVS_SVC_ATTR_TIMEOUT_UDP, 7);
	}
	Reply r = as_reply(m);
	try {
		codec::decode_service(service_nest(r));
		ADD_FAILURE() << "short attribute accepted";
	} catch (const Error &e) {
		EXPECT_EQ(e.code(), EPROTO);
	}
}
