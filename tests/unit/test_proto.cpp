// SPDX-License-Identifier: GPL-2.0
// TCP and UDP connection states, as IPVS names, times and moves them.
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <utility>

extern "C" {
#include "xvs_proto.h"
}

namespace {

constexpr unsigned int SYN = XVS_TCP_FLAG_SYN;
constexpr unsigned int FIN = XVS_TCP_FLAG_FIN;
constexpr unsigned int ACK = XVS_TCP_FLAG_ACK;
constexpr unsigned int RST = XVS_TCP_FLAG_RST;

constexpr xvs_dir IN = XVS_DIR_INPUT;
constexpr xvs_dir OUT = XVS_DIR_OUTPUT;
constexpr xvs_dir IN_ONLY = XVS_DIR_INPUT_ONLY;

struct Packet {
	xvs_dir dir;
	unsigned int flags;
};

// Feeds packets to a new connection (state NONE) and returns the state
// names it goes through, space separated.
std::string walk(std::initializer_list<Packet> packets,
		 xvs_tcp_table table = XVS_TCP_TABLE_NORMAL)
{
	xvs_tcp_state s = XVS_TCP_S_NONE;
	std::string trace;
	for (const Packet &p : packets) {
		s = xvs_tcp_transition(table, s, p.dir, p.flags);
		if (!trace.empty())
			trace += ' ';
		trace += xvs_tcp_state_name(s);
	}
	return trace;
}

TEST(TcpStates, NatHandshakeAndClientClose)
{
	EXPECT_EQ(walk({{IN, SYN}, {OUT, SYN | ACK}, {IN, ACK},
			{IN, ACK}, {OUT, ACK},
			{IN, FIN | ACK}, {OUT, ACK}, {OUT, FIN | ACK},
			{IN, ACK}}),
		  "SYN_RECV SYN_RECV ESTABLISHED ESTABLISHED ESTABLISHED "
		  "CLOSE_WAIT CLOSE_WAIT TIME_WAIT TIME_WAIT");
}

TEST(TcpStates, NatHandshakeAndServerClose)
{
	EXPECT_EQ(walk({{IN, SYN}, {OUT, SYN | ACK}, {IN, ACK},
			{OUT, FIN | ACK}, {IN, ACK}, {IN, FIN | ACK},
			{OUT, ACK}}),
		  "SYN_RECV SYN_RECV ESTABLISHED "
		  "FIN_WAIT FIN_WAIT TIME_WAIT TIME_WAIT");
}

TEST(TcpStates, ResetFromEitherSide)
{
	EXPECT_EQ(walk({{IN, SYN}, {OUT, SYN | ACK}, {IN, ACK}, {IN, RST}}),
		  "SYN_RECV SYN_RECV ESTABLISHED CLOSE");
	EXPECT_EQ(walk({{IN, SYN}, {OUT, SYN | ACK}, {IN, ACK},
			{OUT, RST | ACK}}),
		  "SYN_RECV SYN_RECV ESTABLISHED CLOSE");
	// Server refuses: RST to a SYN.
	EXPECT_EQ(walk({{IN, SYN}, {OUT, RST | ACK}}), "SYN_RECV CLOSE");
	// A client RST during the handshake leaves SYN_RECV alone.
	EXPECT_EQ(walk({{IN, SYN}, {IN, RST}}), "SYN_RECV SYN_RECV");
	// In TIME_WAIT an output RST changes nothing, an input one closes.
	EXPECT_EQ(xvs_tcp_next_state(XVS_TCP_S_TIME_WAIT, OUT, RST),
		  XVS_TCP_S_TIME_WAIT);
	EXPECT_EQ(xvs_tcp_next_state(XVS_TCP_S_TIME_WAIT, IN, RST),
		  XVS_TCP_S_CLOSE);
}

// DR / TUN: the director sees the client side only.
TEST(TcpStates, DirectRoutingInputOnly)
{
	EXPECT_EQ(walk({{IN_ONLY, SYN}, {IN_ONLY, ACK}, {IN_ONLY, ACK},
			{IN_ONLY, FIN | ACK}, {IN_ONLY, ACK}}),
		  "SYN_RECV ESTABLISHED ESTABLISHED FIN_WAIT FIN_WAIT");
	// The same FIN on a NAT connection means the client closes first.
	EXPECT_EQ(xvs_tcp_next_state(XVS_TCP_S_ESTABLISHED, IN, FIN),
		  XVS_TCP_S_CLOSE_WAIT);
	EXPECT_EQ(xvs_tcp_next_state(XVS_TCP_S_ESTABLISHED, IN_ONLY, FIN),
		  XVS_TCP_S_FIN_WAIT);
	// Input-only RST in SYNACK closes; on input it goes back to SYN_RECV.
	EXPECT_EQ(xvs_tcp_next_state(XVS_TCP_S_SYNACK, IN_ONLY, RST),
		  XVS_TCP_S_CLOSE);
	EXPECT_EQ(xvs_tcp_next_state(XVS_TCP_S_SYNACK, IN, RST),
		  XVS_TCP_S_SYN_RECV);
	EXPECT_EQ(walk({{IN_ONLY, SYN}, {IN_ONLY, RST}}), "SYN_RECV SYN_RECV");
}

TEST(TcpStates, SynOnClosedConnectionReopens)
{
	EXPECT_EQ(xvs_tcp_next_state(XVS_TCP_S_TIME_WAIT, IN, SYN),
		  XVS_TCP_S_SYN_RECV);
	EXPECT_EQ(xvs_tcp_next_state(XVS_TCP_S_CLOSE, IN, SYN),
		  XVS_TCP_S_SYN_RECV);
	EXPECT_EQ(xvs_tcp_next_state(XVS_TCP_S_NONE, OUT, SYN),
		  XVS_TCP_S_SYN_SENT);
	EXPECT_EQ(xvs_tcp_next_state(XVS_TCP_S_LISTEN, OUT, ACK),
		  XVS_TCP_S_ESTABLISHED);
}

TEST(TcpStates, FlagPrecedenceRstSynFinAck)
{
	const xvs_tcp_state es = XVS_TCP_S_ESTABLISHED;
	// RST beats everything.
	EXPECT_EQ(xvs_tcp_next_state(es, IN, RST | SYN | FIN | ACK),
		  XVS_TCP_S_CLOSE);
	// SYN beats FIN and ACK: ESTABLISHED + SYN stays ESTABLISHED,
	// where FIN would give CLOSE_WAIT.
	EXPECT_EQ(xvs_tcp_next_state(es, IN, SYN | FIN | ACK), es);
	// FIN beats ACK.
	EXPECT_EQ(xvs_tcp_next_state(es, IN, FIN | ACK), XVS_TCP_S_CLOSE_WAIT);
	EXPECT_EQ(xvs_tcp_next_state(es, IN, ACK), es);
	// None of the four: IPVS closes the connection.
	EXPECT_EQ(xvs_tcp_next_state(es, IN, 0), XVS_TCP_S_CLOSE);
	EXPECT_EQ(xvs_tcp_next_state(XVS_TCP_S_SYN_RECV, OUT, 0x10),
		  XVS_TCP_S_CLOSE);
}

TEST(TcpStates, BadInputClosesInsteadOfCrashing)
{
	EXPECT_EQ(xvs_tcp_next_state(static_cast<xvs_tcp_state>(XVS_TCP_S_LAST),
				     IN, ACK),
		  XVS_TCP_S_CLOSE);
	EXPECT_EQ(xvs_tcp_next_state(static_cast<xvs_tcp_state>(-1), IN, ACK),
		  XVS_TCP_S_CLOSE);
	EXPECT_EQ(xvs_tcp_next_state(XVS_TCP_S_NONE, static_cast<xvs_dir>(3),
				     ACK),
		  XVS_TCP_S_CLOSE);
	EXPECT_EQ(xvs_tcp_transition(static_cast<xvs_tcp_table>(2),
				     XVS_TCP_S_NONE, IN, ACK),
		  XVS_TCP_S_CLOSE);
}

TEST(TcpStates, EveryResultIsAValidState)
{
	for (int table = 0; table <= XVS_TCP_TABLE_SECURE; table++)
		for (int s = 0; s < XVS_TCP_S_LAST; s++)
			for (int d = 0; d <= XVS_DIR_INPUT_ONLY; d++)
				for (unsigned int f = 0; f < 16; f++) {
					xvs_tcp_state n = xvs_tcp_transition(
						static_cast<xvs_tcp_table>(table),
						static_cast<xvs_tcp_state>(s),
						static_cast<xvs_dir>(d), f);
					EXPECT_LT(static_cast<int>(n),
						  XVS_TCP_S_LAST);
					EXPECT_NE(n, XVS_TCP_S_NONE);
				}
}

TEST(TcpStates, SecureTableHoldsHalfOpenConnections)
{
	const auto sec = XVS_TCP_TABLE_SECURE;
	// A DR SYN flood leaves entries in SYNACK, not SYN_RECV.
	EXPECT_EQ(walk({{IN_ONLY, SYN}}, sec), "SYNACK");
	EXPECT_EQ(walk({{IN_ONLY, SYN}}), "SYN_RECV");
	// NAT: the client's ACK does not establish until the server's
	// SYN+ACK has been seen.
	EXPECT_EQ(walk({{IN, SYN}, {IN, ACK}}, sec), "SYN_RECV SYN_RECV");
	EXPECT_EQ(walk({{IN, SYN}, {IN, ACK}}), "SYN_RECV ESTABLISHED");
	EXPECT_EQ(walk({{IN, SYN}, {OUT, SYN | ACK}, {IN, ACK}, {IN, ACK}},
		       sec),
		  "SYN_RECV SYNACK SYNACK SYNACK");
	EXPECT_EQ(walk({{IN, SYN}, {OUT, SYN | ACK}, {OUT, ACK}}, sec),
		  "SYN_RECV SYNACK ESTABLISHED");
	// Outside the handshake both tables agree.
	EXPECT_EQ(xvs_tcp_transition(sec, XVS_TCP_S_ESTABLISHED, IN, FIN),
		  XVS_TCP_S_CLOSE_WAIT);
}

TEST(TcpStates, NamesAndDefaultTimeouts)
{
	const std::pair<const char *, unsigned int> expect[XVS_TCP_S_LAST] = {
		{"NONE", 2},		{"ESTABLISHED", 900},
		{"SYN_SENT", 120},	{"SYN_RECV", 60},
		{"FIN_WAIT", 120},	{"TIME_WAIT", 120},
		{"CLOSE", 10},		{"CLOSE_WAIT", 60},
		{"LAST_ACK", 30},	{"LISTEN", 120},
		{"SYNACK", 120},
	};
	for (unsigned int s = 0; s < XVS_TCP_S_LAST; s++) {
		EXPECT_STREQ(xvs_tcp_state_name(s), expect[s].first) << s;
		EXPECT_EQ(xvs_tcp_default_timeout[s], expect[s].second) << s;
	}
	EXPECT_STREQ(xvs_tcp_state_name(XVS_TCP_S_LAST), "ERR!");
	EXPECT_STREQ(xvs_tcp_state_name(~0u), "ERR!");
}

TEST(TcpStates, ActiveStates)
{
	for (unsigned int s = 0; s < XVS_TCP_S_LAST; s++) {
		bool active = s == XVS_TCP_S_ESTABLISHED ||
			      s == XVS_TCP_S_SYN_SENT ||
			      s == XVS_TCP_S_SYN_RECV ||
			      s == XVS_TCP_S_SYNACK;
		EXPECT_EQ(xvs_tcp_state_active(s), active)
			<< xvs_tcp_state_name(s);
	}
	EXPECT_FALSE(xvs_tcp_state_active(XVS_TCP_S_LAST));
}

TEST(UdpStates, OneStateFiveMinutes)
{
	EXPECT_EQ(XVS_UDP_S_LAST, 1);
	EXPECT_STREQ(xvs_udp_state_name(XVS_UDP_S_NORMAL), "UDP");
	EXPECT_EQ(xvs_udp_default_timeout[XVS_UDP_S_NORMAL], 300u);
	EXPECT_STREQ(xvs_udp_state_name(XVS_UDP_S_LAST), "ERR!");
	EXPECT_STREQ(xvs_udp_state_name(12345), "ERR!");
}

} // namespace
