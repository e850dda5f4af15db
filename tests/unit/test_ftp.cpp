// SPDX-License-Identifier: GPL-2.0
// The FTP helper's parser and the TCP sequence translation of resized
// payloads (kmod/core/ftp.c, kmod/core/xvs_app.h).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "xvs_app.h"
}

namespace {

// Each call parses a copy of exactly the text's bytes, so a read past the
// end would leave the buffer (and show under sanitizers).
xvs_ftp_req Request(const std::string &text, xvs_ftp_endpoint *ep = nullptr)
{
	std::vector<char> buf(text.begin(), text.end());
	xvs_ftp_endpoint dummy{};

	return xvs_ftp_parse_request(buf.data(), buf.size(), ep ? ep : &dummy);
}

bool Answer(const std::string &text, xvs_ftp_req mode,
	    xvs_ftp_endpoint *ep = nullptr)
{
	std::vector<char> buf(text.begin(), text.end());
	xvs_ftp_endpoint dummy{};

	return xvs_ftp_parse_answer(buf.data(), buf.size(), mode,
				    ep ? ep : &dummy);
}

std::string Addr(const xvs_ftp_endpoint &ep)
{
	return std::to_string(ep.addr[0]) + "." + std::to_string(ep.addr[1]) +
	       "." + std::to_string(ep.addr[2]) + "." +
	       std::to_string(ep.addr[3]);
}

TEST(FtpRequest, PassiveModeAnywhereInTheSegment)
{
	EXPECT_EQ(Request("PASV\r\n"), XVS_FTP_REQ_PASV);
	EXPECT_EQ(Request("pasv\r\n"), XVS_FTP_REQ_PASV);
	EXPECT_EQ(Request("NOOP\r\nPASV\r\n"), XVS_FTP_REQ_PASV);
	EXPECT_EQ(Request("PASV"), XVS_FTP_REQ_NONE);
	EXPECT_EQ(Request("PASV\r"), XVS_FTP_REQ_NONE);
	EXPECT_EQ(Request("EPSV\r\n"), XVS_FTP_REQ_EPSV);
	EXPECT_EQ(Request("EPSV 1\r\n"), XVS_FTP_REQ_EPSV);
	EXPECT_EQ(Request("EPSV 2\r\n"), XVS_FTP_REQ_NONE);
	EXPECT_EQ(Request("EPSV ALL\r\n"), XVS_FTP_REQ_NONE);
	EXPECT_EQ(Request("EPSVX\r\n"), XVS_FTP_REQ_NONE);
	EXPECT_EQ(Request(""), XVS_FTP_REQ_NONE);
}

TEST(FtpRequest, Port)
{
	xvs_ftp_endpoint ep{};
	std::string cmd = "PORT 81,57,54,254,4,1\r\n";

	ASSERT_EQ(Request(cmd, &ep), XVS_FTP_REQ_PORT);
	EXPECT_EQ(Addr(ep), "81.57.54.254");
	EXPECT_EQ(ep.port, 4 * 256 + 1);
	EXPECT_TRUE(ep.has_addr);
	EXPECT_EQ(cmd.substr(ep.start, ep.end - ep.start), "81,57,54,254,4,1");

	ASSERT_EQ(Request("port   10,0,0,1,0,21\r\n", &ep), XVS_FTP_REQ_PORT);
	EXPECT_EQ(Addr(ep), "10.0.0.1");
	EXPECT_EQ(ep.port, 21);
}

TEST(FtpRequest, PortMalformed)
{
	for (const char *bad : {
		     "PORT 1,2,3,4,5\r\n",
		     "PORT 1,2,3,4,256,1\r\n",
		     "PORT 1,2,3,999,5,6\r\n",
		     "PORT 1,2,3,4,5,6",	// unterminated
		     "PORT a,b,c,d,e,f\r\n",
		     "PORT\r\n",
		     "PORT ",
		     "XPORT 1,2,3,4,5,6\r\n",
		     " PORT 1,2,3,4,5,6\r\n",
	     })
		EXPECT_EQ(Request(bad), XVS_FTP_REQ_NONE) << bad;
}

// As lenient as IPVS: both balancers must create the same connections.
TEST(FtpRequest, PortAcceptedLikeIpvs)
{
	xvs_ftp_endpoint ep{};

	ASSERT_EQ(Request("PORT 1,2,3,4,5,6,7\r\n", &ep), XVS_FTP_REQ_PORT);
	EXPECT_EQ(ep.port, 5 * 256 + 6);
	ASSERT_EQ(Request("PORT 1,2,3,4,,6\r\n", &ep), XVS_FTP_REQ_PORT);
	EXPECT_EQ(ep.port, 6);
	ASSERT_EQ(Request("PORT 0001,2,3,4,5,6\r\n", &ep), XVS_FTP_REQ_PORT);
	EXPECT_EQ(Addr(ep), "1.2.3.4");
}

TEST(FtpRequest, Eprt)
{
	xvs_ftp_endpoint ep{};
	std::string cmd = "EPRT |1|81.57.54.254|4000|\r\n";

	ASSERT_EQ(Request(cmd, &ep), XVS_FTP_REQ_PORT);
	EXPECT_EQ(Addr(ep), "81.57.54.254");
	EXPECT_EQ(ep.port, 4000);
	EXPECT_EQ(cmd.substr(ep.start, ep.end - ep.start), "|1|81.57.54.254|4000|");

	ASSERT_EQ(Request("eprt !1!10.1.2.3!65535!\r\n", &ep), XVS_FTP_REQ_PORT);
	EXPECT_EQ(Addr(ep), "10.1.2.3");
	EXPECT_EQ(ep.port, 65535);
}

TEST(FtpRequest, EprtMalformed)
{
	for (const char *bad : {
		     "EPRT |2|::1|4000|\r\n",
		     "EPRT |1|1.2.3|4000|\r\n",
		     "EPRT |1|1.2.3.4.5|4000|\r\n",
		     "EPRT |1|1..3.4|4000|\r\n",
		     "EPRT |1|1.2.3.256|4000|\r\n",
		     "EPRT |1|1.2.3.4|0|\r\n",
		     "EPRT |1|1.2.3.4|65536|\r\n",
		     "EPRT |1|1.2.3.4||\r\n",
		     "EPRT |1|1.2.3.4|4000\r\n",
		     "EPRT |||4000|\r\n",	// only answers may omit the address
		     "EPRT  \r\n",
		     "EPRT",
	     })
		EXPECT_EQ(Request(bad), XVS_FTP_REQ_NONE) << bad;
}

TEST(FtpAnswer, Pasv)
{
	xvs_ftp_endpoint ep{};
	std::string a = "227 Entering Passive Mode (192,168,0,1,156,64).\r\n";

	ASSERT_TRUE(Answer(a, XVS_FTP_REQ_PASV, &ep));
	EXPECT_EQ(Addr(ep), "192.168.0.1");
	EXPECT_EQ(ep.port, 40000);
	EXPECT_EQ(a.substr(ep.start, ep.end - ep.start), "192,168,0,1,156,64");

	// "(" is optional
	ASSERT_TRUE(Answer("227 =192,168,0,1,0,20\r\n", XVS_FTP_REQ_PASV, &ep));
	EXPECT_EQ(ep.port, 20);
	// another mode's answer is not looked at
	EXPECT_FALSE(Answer(a, XVS_FTP_REQ_EPSV));
	EXPECT_FALSE(Answer(a, XVS_FTP_REQ_NONE));
	EXPECT_FALSE(Answer(a, XVS_FTP_REQ_PORT));
}

TEST(FtpAnswer, PasvMalformed)
{
	for (const char *bad : {
		     "227 Entering Passive Mode (192,168,0,1,999,1)\r\n",
		     "227 Entering Passive Mode (192,168,0 PASV\r\n",
		     "227 Entering Passive Mode ()\r\n",
		     "227 Entering Passive Mode (192,168,0,1,156,64",
		     "228 Entering Passive Mode (192,168,0,1,156,64)\r\n",
		     "227(192,168,0,1,156,64)\r\n",
		     "227 ",
		     "",
	     })
		EXPECT_FALSE(Answer(bad, XVS_FTP_REQ_PASV)) << bad;
}

TEST(FtpAnswer, Epsv)
{
	xvs_ftp_endpoint ep{};
	std::string a = "229 Entering Extended Passive Mode (|||40000|)\r\n";

	ASSERT_TRUE(Answer(a, XVS_FTP_REQ_EPSV, &ep));
	EXPECT_FALSE(ep.has_addr);
	EXPECT_EQ(ep.port, 40000);
	EXPECT_EQ(a.substr(ep.start, ep.end - ep.start), "|||40000|");

	ASSERT_TRUE(Answer("229 ok (|1|10.0.0.1|21|)\r\n", XVS_FTP_REQ_EPSV, &ep));
	EXPECT_TRUE(ep.has_addr);
	EXPECT_EQ(Addr(ep), "10.0.0.1");
	EXPECT_EQ(ep.port, 21);
	EXPECT_FALSE(Answer(a, XVS_FTP_REQ_PASV));
}

TEST(FtpAnswer, EpsvMalformed)
{
	for (const char *bad : {
		     "229 Entering Extended Passive Mode (|||99999|)\r\n",
		     "229 Entering Extended Passive Mode (|||0|)\r\n",
		     "229 Entering Extended Passive Mode (|2|::1|4000|)\r\n",
		     "229 Entering Extended Passive Mode (||| EPSV\r\n",
		     "229 Entering Extended Passive Mode (||4000|)\r\n",
		     "229 Entering Extended Passive Mode 40000\r\n",
		     "229 (|||40000",
	     })
		EXPECT_FALSE(Answer(bad, XVS_FTP_REQ_EPSV)) << bad;
}

// Every truncation of valid text is parsed within its bounds; a prefix
// that ends before the closing character is rejected.
TEST(FtpParser, Truncations)
{
	const std::string req = "EPRT |1|81.57.54.254|4000|\r\n";
	const std::string port = "PORT 81,57,54,254,4,1\r\n";
	const std::string pasv = "227 Entering Passive Mode (192,168,0,1,156,64).\r\n";
	const std::string epsv = "229 Entering Extended Passive Mode (|||40000|)\r\n";

	for (size_t n = 0; n < req.size(); n++)
		EXPECT_EQ(Request(req.substr(0, n)) == XVS_FTP_REQ_PORT,
			  n >= req.find("|\r")+ 1) << n;
	for (size_t n = 0; n < port.size(); n++)
		EXPECT_EQ(Request(port.substr(0, n)) == XVS_FTP_REQ_PORT,
			  n > port.find('\r')) << n;
	for (size_t n = 0; n < pasv.size(); n++)
		EXPECT_EQ(Answer(pasv.substr(0, n), XVS_FTP_REQ_PASV),
			  n > pasv.find(')')) << n;
	for (size_t n = 0; n < epsv.size(); n++)
		EXPECT_EQ(Answer(epsv.substr(0, n), XVS_FTP_REQ_EPSV),
			  n > epsv.find("|)")) << n;
}

TEST(FtpAnswer, Format)
{
	char buf[XVS_FTP_ANSWER_MAX];
	const u8 vip[4] = { 81, 57, 54, 100 };
	const u8 max[4] = { 255, 255, 255, 255 };
	size_t n;

	n = xvs_ftp_format_answer(buf, XVS_FTP_REQ_PASV, vip, 40000);
	EXPECT_EQ(std::string(buf, n), "81,57,54,100,156,64");
	n = xvs_ftp_format_answer(buf, XVS_FTP_REQ_PASV, max, 65535);
	EXPECT_EQ(std::string(buf, n), "255,255,255,255,255,255");
	n = xvs_ftp_format_answer(buf, XVS_FTP_REQ_PASV, vip, 0);
	EXPECT_EQ(std::string(buf, n), "81,57,54,100,0,0");
	n = xvs_ftp_format_answer(buf, XVS_FTP_REQ_EPSV, vip, 21);
	EXPECT_EQ(std::string(buf, n), "|||21|");
}

TEST(Seq, TranslationAfterResizes)
{
	xvs_seq s{};

	// Segment at 1000 grew by one byte: later data moves by one.
	ASSERT_TRUE(xvs_seq_record(&s, false, 1000, 1));
	EXPECT_EQ(xvs_seq_translate(&s, 1001), 1002u);
	EXPECT_EQ(xvs_seq_translate(&s, 1000), 1000u);	// the segment itself
	EXPECT_EQ(xvs_seq_translate(&s, 900), 900u);
	// Acks of the rewritten stream past the resized segment move back.
	EXPECT_EQ(xvs_seq_ack_back(&s, 1002), 1001u);
	EXPECT_EQ(xvs_seq_ack_back(&s, 1001), 1001u);

	// A retransmission of the resized segment does not count twice.
	EXPECT_FALSE(xvs_seq_record(&s, true, 1000, 1));
	EXPECT_FALSE(xvs_seq_record(&s, true, 900, 1));
	EXPECT_EQ(s.delta, 1);

	// A second one shrinks by 3: retransmissions between keep +1.
	ASSERT_TRUE(xvs_seq_record(&s, true, 2000, -3));
	EXPECT_EQ(s.delta, -2);
	EXPECT_EQ(s.previous_delta, 1);
	EXPECT_EQ(xvs_seq_translate(&s, 1500), 1501u);
	EXPECT_EQ(xvs_seq_translate(&s, 2100), 2098u);
	EXPECT_EQ(xvs_seq_ack_back(&s, 2098), 2100u);
	EXPECT_EQ(xvs_seq_ack_back(&s, 1501), 1500u);
}

TEST(Seq, Wraparound)
{
	xvs_seq s{};

	ASSERT_TRUE(xvs_seq_record(&s, false, 0xfffffff0u, 2));
	EXPECT_EQ(xvs_seq_translate(&s, 0xfffffffeu), 0u);
	EXPECT_EQ(xvs_seq_translate(&s, 5), 7u);
	EXPECT_EQ(xvs_seq_ack_back(&s, 7), 5u);
	EXPECT_TRUE(xvs_seq_after(5, 0xfffffff0u));
	EXPECT_FALSE(xvs_seq_after(0xfffffff0u, 5));
}

}  // namespace
