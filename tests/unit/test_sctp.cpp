// SPDX-License-Identifier: GPL-2.0
// SCTP association states, as IPVS names, times and moves them.
#include <gtest/gtest.h>

#include <array>
#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

extern "C" {
#include "xvs_proto.h"
}

namespace {

constexpr xvs_dir IN = XVS_DIR_INPUT;
constexpr xvs_dir OUT = XVS_DIR_OUTPUT;
constexpr xvs_dir IN_ONLY = XVS_DIR_INPUT_ONLY;

// Two-letter state codes, in state order, as the expected rows use them.
const std::array<std::string, XVS_SCTP_S_LAST> kCodes = {
	"NO", "I1", "IN", "CS", "CR", "CW", "CO",
	"CE", "ES", "SS", "SR", "SA", "RJ", "CL",
};

xvs_sctp_state from_code(const std::string &code)
{
	for (unsigned int i = 0; i < kCodes.size(); i++)
		if (kCodes[i] == code)
			return static_cast<xvs_sctp_state>(i);
	ADD_FAILURE() << "bad code " << code;
	return XVS_SCTP_S_LAST;
}

struct Row {
	xvs_dir dir;
	xvs_sctp_event event;
	const char *next;	// next state for each current state, in order
};

// The IPVS transition table of Linux 6.1, one row per direction and event.
const Row kTable[] = {
	// IN
	{IN, XVS_SCTP_EV_DATA, "ES I1 IN CS CR CW CO CE ES SS SR SA RJ CL"},
	{IN, XVS_SCTP_EV_INIT, "I1 IN IN CS CR CW CO CE ES SS SR SA IN IN"},
	{IN, XVS_SCTP_EV_INIT_ACK, "CW CW CW CS CR CO CO CE ES SS SR SA RJ CL"},
	{IN, XVS_SCTP_EV_COOKIE_ECHO, "CR IN IN CR CR CW CO CE ES SS SR SA RJ CL"},
	{IN, XVS_SCTP_EV_COOKIE_ACK, "ES I1 IN CS CR CW CO ES ES SS SR SA RJ CL"},
	{IN, XVS_SCTP_EV_SHUTDOWN, "SR I1 IN CS CR CW CO CE SR SS SR SA RJ CL"},
	{IN, XVS_SCTP_EV_SHUTDOWN_ACK, "CL IN IN CS CR CW CO CE ES CL SR CL RJ CL"},
	{IN, XVS_SCTP_EV_SHUTDOWN_COMPLETE, "CL CL CL CS CR CW CO CE ES SS SR CL RJ CL"},
	{IN, XVS_SCTP_EV_ERROR, "CL I1 IN CS CR CW CO CL ES SS SR SA RJ CL"},
	{IN, XVS_SCTP_EV_ABORT, "CL CL CL CL CL RJ CL CL CL CL CL CL CL CL"},
	// OUT
	{OUT, XVS_SCTP_EV_DATA, "ES I1 IN CS CR CW CO CE ES SS SR SA RJ CL"},
	{OUT, XVS_SCTP_EV_INIT, "CW CW CW CW CW CW CW CW ES CW CW CW CW CW"},
	{OUT, XVS_SCTP_EV_INIT_ACK, "CS CS CS CS CR CW CO CE ES SS SR SA RJ CL"},
	{OUT, XVS_SCTP_EV_COOKIE_ECHO, "CE CE CE CE CE CE CE CE ES SS SR SA RJ CL"},
	{OUT, XVS_SCTP_EV_COOKIE_ACK, "ES ES ES ES ES ES ES ES ES SS SR SA RJ CL"},
	{OUT, XVS_SCTP_EV_SHUTDOWN, "SS SS SS SS SS SS SS SS SS SS SR SA RJ CL"},
	{OUT, XVS_SCTP_EV_SHUTDOWN_ACK, "SA SA SA SA SA CW CO CE ES SA SA SA RJ CL"},
	{OUT, XVS_SCTP_EV_SHUTDOWN_COMPLETE, "CL I1 IN CS CR CW CO CE ES SS SR SA RJ CL"},
	{OUT, XVS_SCTP_EV_ERROR, "CL CL CL CL CL CW CO CE ES SS SR SA RJ CL"},
	{OUT, XVS_SCTP_EV_ABORT, "CL RJ CL CL CL CL CL CL CL CL CL CL CL CL"},
	// IN_ONLY
	{IN_ONLY, XVS_SCTP_EV_DATA, "ES I1 IN CS CR ES CO CE ES SS SR SA RJ CL"},
	{IN_ONLY, XVS_SCTP_EV_INIT, "I1 IN IN IN IN IN CO CE ES SS SR SA IN IN"},
	{IN_ONLY, XVS_SCTP_EV_INIT_ACK, "CE CE CE CE CE CE CO CE ES SS SR SA RJ CL"},
	{IN_ONLY, XVS_SCTP_EV_COOKIE_ECHO, "ES ES ES ES ES ES CO CE ES SS SR SA RJ CL"},
	{IN_ONLY, XVS_SCTP_EV_COOKIE_ACK, "ES I1 IN ES ES CW ES ES ES SS SR SA RJ CL"},
	{IN_ONLY, XVS_SCTP_EV_SHUTDOWN, "SR I1 IN CS CR CW CO CE SR SS SR SA RJ CL"},
	{IN_ONLY, XVS_SCTP_EV_SHUTDOWN_ACK, "CL IN IN CS CR CW CO CE CL CL SR CL RJ CL"},
	{IN_ONLY, XVS_SCTP_EV_SHUTDOWN_COMPLETE, "CL CL CL CL CL CW CO CE ES SS CL CL RJ CL"},
	{IN_ONLY, XVS_SCTP_EV_ERROR, "CL I1 IN CS CR CW CO CE ES SS SR SA RJ CL"},
	{IN_ONLY, XVS_SCTP_EV_ABORT, "CL CL CL CL CL RJ CL CL CL CL CL CL CL CL"},
};

TEST(SctpState, EveryTransitionMatchesIpvs)
{
	ASSERT_EQ(std::size(kTable), 3u * XVS_SCTP_EV_LAST);
	for (const Row &row : kTable) {
		std::istringstream codes(row.next);
		std::string code;
		unsigned int state = 0;

		while (codes >> code) {
			ASSERT_LT(state, XVS_SCTP_S_LAST);
			EXPECT_EQ(xvs_sctp_next_state(
					  static_cast<xvs_sctp_state>(state),
					  row.dir, row.event),
				  from_code(code))
				<< "dir " << row.dir << " event " << row.event
				<< " state " << kCodes[state];
			state++;
		}
		EXPECT_EQ(state, static_cast<unsigned int>(XVS_SCTP_S_LAST));
	}
}

TEST(SctpState, OutOfRangeClosesTheConnection)
{
	EXPECT_EQ(xvs_sctp_next_state(XVS_SCTP_S_LAST, IN, XVS_SCTP_EV_DATA),
		  XVS_SCTP_S_CLOSED);
	EXPECT_EQ(xvs_sctp_next_state(XVS_SCTP_S_NONE,
				      static_cast<xvs_dir>(7),
				      XVS_SCTP_EV_INIT),
		  XVS_SCTP_S_CLOSED);
	EXPECT_EQ(xvs_sctp_next_state(XVS_SCTP_S_ESTABLISHED, IN,
				      XVS_SCTP_EV_LAST),
		  XVS_SCTP_S_CLOSED);
}

TEST(SctpEvent, ChunkTypes)
{
	struct {
		unsigned int type;
		xvs_sctp_event event;
	} const cases[] = {
		{XVS_SCTP_CID_DATA, XVS_SCTP_EV_DATA},
		{XVS_SCTP_CID_INIT, XVS_SCTP_EV_INIT},
		{XVS_SCTP_CID_INIT_ACK, XVS_SCTP_EV_INIT_ACK},
		{XVS_SCTP_CID_SACK, XVS_SCTP_EV_DATA},
		{XVS_SCTP_CID_HEARTBEAT, XVS_SCTP_EV_DATA},
		{XVS_SCTP_CID_HEARTBEAT_ACK, XVS_SCTP_EV_DATA},
		{XVS_SCTP_CID_ABORT, XVS_SCTP_EV_ABORT},
		{XVS_SCTP_CID_SHUTDOWN, XVS_SCTP_EV_SHUTDOWN},
		{XVS_SCTP_CID_SHUTDOWN_ACK, XVS_SCTP_EV_SHUTDOWN_ACK},
		{XVS_SCTP_CID_ERROR, XVS_SCTP_EV_ERROR},
		{XVS_SCTP_CID_COOKIE_ECHO, XVS_SCTP_EV_COOKIE_ECHO},
		{XVS_SCTP_CID_COOKIE_ACK, XVS_SCTP_EV_COOKIE_ACK},
		{XVS_SCTP_CID_ECN_ECNE, XVS_SCTP_EV_DATA},
		{XVS_SCTP_CID_ECN_CWR, XVS_SCTP_EV_DATA},
		{XVS_SCTP_CID_SHUTDOWN_COMPLETE, XVS_SCTP_EV_SHUTDOWN_COMPLETE},
		// Newer chunks (AUTH 15, ASCONF 0xc1, FORWARD-TSN 0xc0...).
		{15, XVS_SCTP_EV_DATA},
		{0x80, XVS_SCTP_EV_DATA},
		{0xc1, XVS_SCTP_EV_DATA},
		{255, XVS_SCTP_EV_DATA},
	};
	for (const auto &c : cases)
		EXPECT_EQ(xvs_sctp_packet_event(c.type, false, 0), c.event)
			<< "chunk type " << c.type;
}

TEST(SctpEvent, AbortBundledAfterCookieChunks)
{
	EXPECT_EQ(xvs_sctp_packet_event(XVS_SCTP_CID_COOKIE_ECHO, true,
					XVS_SCTP_CID_ABORT),
		  XVS_SCTP_EV_ABORT);
	EXPECT_EQ(xvs_sctp_packet_event(XVS_SCTP_CID_COOKIE_ACK, true,
					XVS_SCTP_CID_ABORT),
		  XVS_SCTP_EV_ABORT);
	// Only behind the cookie chunks, and only an ABORT.
	EXPECT_EQ(xvs_sctp_packet_event(XVS_SCTP_CID_SACK, true,
					XVS_SCTP_CID_ABORT),
		  XVS_SCTP_EV_DATA);
	EXPECT_EQ(xvs_sctp_packet_event(XVS_SCTP_CID_COOKIE_ECHO, true,
					XVS_SCTP_CID_DATA),
		  XVS_SCTP_EV_COOKIE_ECHO);
	EXPECT_EQ(xvs_sctp_packet_event(XVS_SCTP_CID_COOKIE_ACK, false,
					XVS_SCTP_CID_ABORT),
		  XVS_SCTP_EV_COOKIE_ACK);
}

struct Packet {
	xvs_dir dir;
	unsigned int chunk;
};

// Feeds packets (one chunk each) to a new connection and returns the
// state names it goes through, space separated.
std::string walk(std::initializer_list<Packet> packets)
{
	xvs_sctp_state s = XVS_SCTP_S_NONE;
	std::string trace;

	for (const Packet &p : packets) {
		s = xvs_sctp_next_state(s, p.dir,
					xvs_sctp_packet_event(p.chunk, false, 0));
		if (!trace.empty())
			trace += ' ';
		trace += xvs_sctp_state_name(s);
	}
	return trace;
}

TEST(SctpWalk, NatAssociationSetupAndShutdown)
{
	EXPECT_EQ(walk({{IN, XVS_SCTP_CID_INIT},
			{OUT, XVS_SCTP_CID_INIT_ACK},
			{IN, XVS_SCTP_CID_COOKIE_ECHO},
			{OUT, XVS_SCTP_CID_COOKIE_ACK},
			{IN, XVS_SCTP_CID_DATA},
			{OUT, XVS_SCTP_CID_SACK},
			{IN, XVS_SCTP_CID_SHUTDOWN},
			{OUT, XVS_SCTP_CID_SHUTDOWN_ACK},
			{IN, XVS_SCTP_CID_SHUTDOWN_COMPLETE}}),
		  "INIT1 C-SENT C-REPLIED ESTABLISHED ESTABLISHED ESTABLISHED "
		  "S-RECEIVED S-ACK-SENT CLOSED");
}

TEST(SctpWalk, ServerClosesFirst)
{
	EXPECT_EQ(walk({{IN, XVS_SCTP_CID_INIT},
			{OUT, XVS_SCTP_CID_INIT_ACK},
			{IN, XVS_SCTP_CID_COOKIE_ECHO},
			{OUT, XVS_SCTP_CID_COOKIE_ACK},
			{OUT, XVS_SCTP_CID_SHUTDOWN},
			{IN, XVS_SCTP_CID_SHUTDOWN_ACK}}),
		  "INIT1 C-SENT C-REPLIED ESTABLISHED S-SENT CLOSED");
}

TEST(SctpWalk, DirectRoutingSeesOnlyTheClient)
{
	EXPECT_EQ(walk({{IN_ONLY, XVS_SCTP_CID_INIT},
			{IN_ONLY, XVS_SCTP_CID_COOKIE_ECHO},
			{IN_ONLY, XVS_SCTP_CID_DATA},
			{IN_ONLY, XVS_SCTP_CID_SHUTDOWN},
			{IN_ONLY, XVS_SCTP_CID_SHUTDOWN_COMPLETE}}),
		  "INIT1 ESTABLISHED ESTABLISHED S-RECEIVED CLOSED");
	// The client's SHUTDOWN-ACK ends a server-initiated shutdown.
	EXPECT_EQ(walk({{IN_ONLY, XVS_SCTP_CID_INIT},
			{IN_ONLY, XVS_SCTP_CID_COOKIE_ECHO},
			{IN_ONLY, XVS_SCTP_CID_SHUTDOWN_ACK}}),
		  "INIT1 ESTABLISHED CLOSED");
}

TEST(SctpWalk, RetransmittedAndRejectedInit)
{
	EXPECT_EQ(walk({{IN, XVS_SCTP_CID_INIT},
			{IN, XVS_SCTP_CID_INIT},
			{IN, XVS_SCTP_CID_INIT}}),
		  "INIT1 INIT INIT");
	EXPECT_EQ(walk({{IN, XVS_SCTP_CID_INIT},
			{OUT, XVS_SCTP_CID_ABORT},
			{IN, XVS_SCTP_CID_INIT}}),
		  "INIT1 REJECTED INIT");
}

TEST(SctpWalk, ServerOpensTheAssociation)
{
	EXPECT_EQ(walk({{OUT, XVS_SCTP_CID_INIT},
			{IN, XVS_SCTP_CID_INIT_ACK},
			{OUT, XVS_SCTP_CID_COOKIE_ECHO},
			{IN, XVS_SCTP_CID_COOKIE_ACK}}),
		  "C-WAIT COOKIE C-ECHOED ESTABLISHED");
}

TEST(SctpState, NamesAsIpvsPrintsThem)
{
	const std::vector<std::string> names = {
		"NONE", "INIT1", "INIT", "C-SENT", "C-REPLIED", "C-WAIT",
		"COOKIE", "C-ECHOED", "ESTABLISHED", "S-SENT", "S-RECEIVED",
		"S-ACK-SENT", "REJECTED", "CLOSED",
	};
	ASSERT_EQ(names.size(), static_cast<size_t>(XVS_SCTP_S_LAST));
	for (unsigned int i = 0; i < names.size(); i++)
		EXPECT_EQ(xvs_sctp_state_name(i), names[i]);
	EXPECT_STREQ(xvs_sctp_state_name(XVS_SCTP_S_LAST), "ERR!");
	EXPECT_STREQ(xvs_sctp_state_name(1000), "ERR!");
}

TEST(SctpState, DefaultTimeouts)
{
	const unsigned int expected[XVS_SCTP_S_LAST] = {
		2, 4, 61, 61, 61, 61, 61, 61, 900, 61, 61, 61, 4, 61,
	};
	for (unsigned int i = 0; i < XVS_SCTP_S_LAST; i++)
		EXPECT_EQ(xvs_sctp_default_timeout[i], expected[i])
			<< xvs_sctp_state_name(i);
}

TEST(SctpState, OnlyEstablishedIsActive)
{
	for (unsigned int i = 0; i < XVS_SCTP_S_LAST; i++)
		EXPECT_EQ(xvs_sctp_state_active(i),
			  i == XVS_SCTP_S_ESTABLISHED)
			<< xvs_sctp_state_name(i);
}

} // namespace
