// Unit tests of the one-request listing of libxvsnl: XVS_CMD_GET_ALL dumps
// are built in memory in the layout xvs.ko sends (kmod/uapi/xvs_genl.h: a
// service's message, then one message per destination carrying the
// service's key) and decoded.  No socket, no kernel.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <string>
#include <vector>

#include "xvs/codec.hpp"
#include "xvs/error.hpp"
#include "xvs/listing.hpp"
#include "xvs/netlink.hpp"
#include "xvs/types.hpp"

#include "xvs_genl.h"

using namespace xvs;
using codec::Detail;

namespace {

constexpr int kFakeFamily = 0x42;

// A dump part as the kernel starts it: NLM_F_MULTI, the reply command.
Message part(std::uint8_t cmd)
{
	Message m = Message::genl(kFakeFamily, cmd, IPVS_GENL_VERSION, 0);
	m.header()->nlmsg_flags = NLM_F_MULTI;
	return m;
}

Message service_msg(const Service &s)
{
	Message m = part(IPVS_CMD_NEW_SERVICE);
	codec::put_service(m, s, Detail::Dump);
	return m;
}

Message dest_msg(const Service &s, const Destination &d)
{
	Message m = part(IPVS_CMD_NEW_DEST);
	codec::put_service(m, s, Detail::Key);
	codec::put_dest(m, d, Detail::Dump);
	return m;
}

Service tcp_service(std::uint32_t host_addr, std::uint16_t port)
{
	Service s;
	s.addr = Address::v4(host_addr);
	s.port = port;
	s.sched_name = "wrr";
	s.netmask = htonl(0xffffffff);
	s.stats = Stats32{7, 8, 9, 10, 11, 1, 2, 3, 4, 5};
	s.stats64 = Stats64::widen(*s.stats);
	return s;
}

Service fwmark_v6_service(std::uint32_t mark)
{
	Service s;
	s.af = AF_INET6;
	s.protocol = 0;
	s.addr = Address{};
	s.addr.af = AF_INET6;
	s.fwmark = mark;
	s.sched_name = "sh";
	s.netmask = 128;
	s.stats = Stats32{};
	s.stats64 = Stats64{};
	return s;
}

Destination dest(const char *addr, std::uint16_t port, std::int32_t weight)
{
	Destination d;
	d.addr = Address::parse(addr);
	d.port = port;
	d.fwd_method = IP_VS_CONN_F_MASQ;
	d.weight = weight;
	d.tun_type = 0;
	d.tun_port = 0;
	d.tun_flags = 0;
	d.active_conns = 4;
	d.inact_conns = 5;
	d.stats = Stats32{};
	d.stats64 = Stats64{};
	return d;
}

std::vector<Reply> replies(const std::vector<Message> &msgs)
{
	std::vector<Reply> out;
	for (const Message &m : msgs)
		out.emplace_back(m.bytes());
	return out;
}

int decode_errno(const std::vector<Message> &msgs)
{
	try {
		codec::decode_all(replies(msgs));
	} catch (const Error &e) {
		return e.code();
	}
	return 0;
}

} // namespace

TEST(Listing, EmptyDumpIsAnEmptyTable)
{
	EXPECT_TRUE(codec::decode_all({}).empty());
}

TEST(Listing, DestinationsGoToTheirServiceInOrder)
{
	Service a = tcp_service(0x0a000001, 80);
	Service empty = tcp_service(0x0a000002, 443);
	Service b = fwmark_v6_service(9);
	std::vector<Destination> da = {dest("192.168.0.1", 80, 1),
				       dest("192.168.0.3", 80, 3),
				       dest("192.168.0.2", 80, 2)};
	std::vector<Destination> db = {dest("2001:db8::1", 0, 5)};

	std::vector<Message> msgs;
	msgs.push_back(service_msg(a));
	for (const auto &d : da)
		msgs.push_back(dest_msg(a, d));
	msgs.push_back(service_msg(empty));
	msgs.push_back(service_msg(b));
	msgs.push_back(dest_msg(b, db[0]));

	auto table = codec::decode_all(replies(msgs));
	ASSERT_EQ(table.size(), 3u);
	EXPECT_EQ(table[0], (ServiceDests{a, da}));
	EXPECT_EQ(table[1], (ServiceDests{empty, {}}));
	EXPECT_EQ(table[2], (ServiceDests{b, db}));
}

TEST(Listing, DestinationFamilyDefaultsToTheService)
{
	// Without IPVS_DEST_ATTR_ADDR_FAMILY the dest takes the service's.
	Service s = fwmark_v6_service(3);
	Message m = part(IPVS_CMD_NEW_DEST);
	codec::put_service(m, s, Detail::Key);
	{
		auto nest = m.nest(IPVS_CMD_ATTR_DEST);
		in6_addr a{};
		a.s6_addr[15] = 1;
		m.put(IPVS_DEST_ATTR_ADDR, &a, sizeof(a));
		m.put_be16(IPVS_DEST_ATTR_PORT, 0);
		nest.end();
	}
	std::vector<Message> msgs;
	msgs.push_back(service_msg(s));
	msgs.push_back(std::move(m));
	auto table = codec::decode_all(replies(msgs));
	ASSERT_EQ(table.size(), 1u);
	ASSERT_EQ(table[0].dests.size(), 1u);
	EXPECT_EQ(table[0].dests[0].addr, Address::parse("::1"));
}

TEST(Listing, ThousandsOfServices)
{
	std::vector<Message> msgs;
	for (std::uint16_t i = 0; i < 1000; i++) {
		Service s = tcp_service(0x0a000000 + i, 80);
		msgs.push_back(service_msg(s));
		for (int j = 1; j <= 4; j++)
			msgs.push_back(dest_msg(
				s, dest(("192.168.1." + std::to_string(j)).c_str(),
					8000 + i, j)));
	}
	auto table = codec::decode_all(replies(msgs));
	ASSERT_EQ(table.size(), 1000u);
	for (std::uint16_t i = 0; i < 1000; i++) {
		EXPECT_EQ(table[i].service.addr, Address::v4(0x0a000000 + i));
		ASSERT_EQ(table[i].dests.size(), 4u);
		EXPECT_EQ(table[i].dests[3].weight, 4);
		EXPECT_EQ(table[i].dests[0].port, 8000 + i);
	}
}

TEST(Listing, InterruptedDumpMustBeReadAgain)
{
	Service s = tcp_service(0x0a000001, 80);
	for (int at = 0; at < 2; at++) {
		std::vector<Message> msgs;
		msgs.push_back(service_msg(s));
		msgs.push_back(dest_msg(s, dest("192.168.0.1", 80, 1)));
		msgs[at].header()->nlmsg_flags |= NLM_F_DUMP_INTR;
		EXPECT_EQ(decode_errno(msgs), EAGAIN) << "flag on message " << at;
	}
}

TEST(Listing, DestinationOutOfPlaceIsRefused)
{
	Service a = tcp_service(0x0a000001, 80);
	Service b = tcp_service(0x0a000001, 81);
	std::vector<Message> first;
	first.push_back(dest_msg(a, dest("192.168.0.1", 80, 1)));
	EXPECT_EQ(decode_errno(first), EPROTO);

	std::vector<Message> other;
	other.push_back(service_msg(a));
	other.push_back(dest_msg(b, dest("192.168.0.1", 80, 1)));
	EXPECT_EQ(decode_errno(other), EPROTO);
}

TEST(Listing, MalformedMessagesAreRefused)
{
	Service s = tcp_service(0x0a000001, 80);

	std::vector<Message> no_dest;
	no_dest.push_back(service_msg(s));
	no_dest.push_back(part(IPVS_CMD_NEW_DEST));
	codec::put_service(no_dest.back(), s, Detail::Key);
	EXPECT_EQ(decode_errno(no_dest), EPROTO);

	std::vector<Message> no_service;
	no_service.push_back(part(IPVS_CMD_NEW_SERVICE));
	EXPECT_EQ(decode_errno(no_service), EPROTO);

	std::vector<Message> other_cmd;
	other_cmd.push_back(part(IPVS_CMD_NEW_DAEMON));
	codec::put_service(other_cmd.back(), s, Detail::Key);
	EXPECT_EQ(decode_errno(other_cmd), EPROTO);

	// A service nest too short for its address family.
	std::vector<Message> short_af;
	short_af.push_back(part(IPVS_CMD_NEW_SERVICE));
	{
		auto nest = short_af.back().nest(IPVS_CMD_ATTR_SERVICE);
		short_af.back().put_u8(IPVS_SVC_ATTR_AF, 2);
		nest.end();
	}
	EXPECT_EQ(decode_errno(short_af), EPROTO);
}

TEST(Listing, CommandIsClearOfIpvs)
{
	static_assert(XVS_CMD_GET_ALL > IPVS_CMD_FLUSH);
	EXPECT_NE(XVS_CMD_GET_ALL, XVS_CMD_EVENT);
}
