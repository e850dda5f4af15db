// SPDX-License-Identifier: GPL-2.0
// The FTP helper's parser and the TCP sequence translation of resized
// payloads (kmod/core/ftp.c, kmod/core/xvs_app.h).
#include <arpa/inet.h>
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
xvs_ftp_req Request(const std::string &text, xvs_ftp_endpoint *ep = nullptr,
		    xvs_ftp_family family = XVS_FTP_IPV4)
{
	std::vector<char> buf(text.begin(), text.end());
	xvs_ftp_endpoint dummy{};

	return xvs_ftp_parse_request(buf.data(), buf.size(), family,
				     ep ? ep : &dummy);
}

bool Answer(const std::string &text, xvs_ftp_req mode,
	    xvs_ftp_endpoint *ep = nullptr,
	    xvs_ftp_family family = XVS_FTP_IPV4)
{
	std::vector<char> buf(text.begin(), text.end());
	xvs_ftp_endpoint dummy{};

	return xvs_ftp_parse_answer(buf.data(), buf.size(), mode, family,
				    ep ? ep : &dummy);
}

// On an IPv6 control connection.
xvs_ftp_req Request6(const std::string &text, xvs_ftp_endpoint *ep = nullptr)
{
	return Request(text, ep, XVS_FTP_IPV6);
}

bool Answer6(const std::string &text, xvs_ftp_endpoint *ep = nullptr)
{
	return Answer(text, XVS_FTP_REQ_EPSV, ep, XVS_FTP_IPV6);
}

// The IPv6 address of an endpoint, in the canonical text form (RFC 5952).
std::string Addr6(const xvs_ftp_endpoint &ep)
{
	char text[INET6_ADDRSTRLEN];

	if (!inet_ntop(AF_INET6, ep.addr, text, sizeof(text)))
		return "?";
	return text;
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
		     "EPRT |1|1.2.3.4:|4000|\r\n",
		     "EPRT |1|01.2.3.4 |4000|\r\n",
		     "EPRT 515.2.3.455\r\n",	// a digit delimiter never works
		     "EPRT \x7f" "1\x7f" "1.2.3.4\x7f" "4000\x7f\r\n",
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

// ---- IPv6 control connections -----------------------------------------------

TEST(FtpRequest6, PassiveModes)
{
	EXPECT_EQ(Request6("EPSV\r\n"), XVS_FTP_REQ_EPSV);
	EXPECT_EQ(Request6("epsv 2\r\n"), XVS_FTP_REQ_EPSV);
	EXPECT_EQ(Request6("NOOP\r\nEPSV 2\r\n"), XVS_FTP_REQ_EPSV);
	// PASV and "EPSV 1" ask for IPv4: not served on IPv6 (as IPVS)
	EXPECT_EQ(Request6("PASV\r\n"), XVS_FTP_REQ_NONE);
	EXPECT_EQ(Request6("EPSV 1\r\n"), XVS_FTP_REQ_NONE);
	EXPECT_EQ(Request6("EPSV ALL\r\n"), XVS_FTP_REQ_NONE);
	EXPECT_EQ(Request6("EPSV 2"), XVS_FTP_REQ_NONE);
	EXPECT_EQ(Request6("EPSV 2 \r\n"), XVS_FTP_REQ_NONE);
	// and on IPv4, "EPSV 2" is not
	EXPECT_EQ(Request("EPSV 2\r\n"), XVS_FTP_REQ_NONE);
	// a PASV before an EPSV in one segment does not stop the search
	EXPECT_EQ(Request6("PASV\r\nEPSV\r\n"), XVS_FTP_REQ_EPSV);
}

TEST(FtpRequest6, Eprt)
{
	xvs_ftp_endpoint ep{};
	std::string cmd = "EPRT |2|2001:db8:a::254|40000|\r\n";

	ASSERT_EQ(Request6(cmd, &ep), XVS_FTP_REQ_PORT);
	EXPECT_EQ(Addr6(ep), "2001:db8:a::254");
	EXPECT_EQ(ep.port, 40000);
	EXPECT_TRUE(ep.has_addr);
	EXPECT_EQ(cmd.substr(ep.start, ep.end - ep.start),
		  "|2|2001:db8:a::254|40000|");

	struct {
		const char *text;
		const char *addr;
	} ok[] = {
		{ "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8" },
		{ "::", "::" },
		{ "::1", "::1" },
		{ "1::", "1::" },
		{ "1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0" },
		{ "::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8" },
		{ "1:2:3::6:7:8", "1:2:3::6:7:8" },
		{ "FE80::ABcd", "fe80::abcd" },
		{ "::ffff:81.57.54.254", "::ffff:81.57.54.254" },
		{ "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304" },
		{ "1:2:3:4:5::1.2.3.4", "1:2:3:4:5:0:102:304" },
		{ "::1.2.3.4", "::1.2.3.4" },
		// as in6_pton: leading zeros in groups and octets
		{ "00000000ffff::1", "ffff::1" },
		{ "::ffff:001.002.003.004", "::ffff:1.2.3.4" },
	};
	for (const auto &c : ok) {
		std::string text = std::string("EPRT |2|") + c.text + "|21|\r\n";

		ep = {};
		EXPECT_EQ(Request6(text, &ep), XVS_FTP_REQ_PORT) << text;
		EXPECT_EQ(Addr6(ep), c.addr) << text;
		EXPECT_EQ(ep.port, 21) << text;
		EXPECT_EQ(ep.end, text.size() - 2) << text;
	}

	// any printable delimiter, even one that is a hex letter
	ASSERT_EQ(Request6("EPRT !2!fe80::1!21!\r\n", &ep), XVS_FTP_REQ_PORT);
	EXPECT_EQ(Addr6(ep), "fe80::1");
	ASSERT_EQ(Request6("EPRT f2f::1f21f\r\n", &ep), XVS_FTP_REQ_PORT);
	EXPECT_EQ(Addr6(ep), "::1");
	EXPECT_EQ(ep.port, 21);
	// the arguments start after the first run of spaces (as IPVS)
	ASSERT_EQ(Request6("EPRTX  |2|::1|21|\r\n", &ep), XVS_FTP_REQ_PORT);
}

TEST(FtpRequest6, EprtMalformed)
{
	for (const char *bad : {
		     // another family, or PORT, on an IPv6 control connection
		     "EPRT |1|81.57.54.254|4000|\r\n",
		     "PORT 81,57,54,254,15,160\r\n",
		     "EPRT |3|::1|4000|\r\n",
		     "EPRT |||4000|\r\n",
		     // not an IPv6 address
		     "EPRT |2||4000|\r\n",
		     "EPRT |2|:|4000|\r\n",
		     "EPRT |2|:::|4000|\r\n",
		     "EPRT |2|:1::2|4000|\r\n",
		     "EPRT |2|1::2:|4000|\r\n",
		     "EPRT |2|1::2::3|4000|\r\n",
		     "EPRT |2|1:2:3:4:5:6:7|4000|\r\n",
		     "EPRT |2|1:2:3:4:5:6:7:8:9|4000|\r\n",
		     "EPRT |2|1:2:3:4:5:6:7:8::|4000|\r\n",
		     "EPRT |2|::1:2:3:4:5:6:7:8|4000|\r\n",
		     "EPRT |2|1:2:3:4::5:6:7:8|4000|\r\n",
		     "EPRT |2|12345::1|4000|\r\n",
		     "EPRT |2|10000::1|4000|\r\n",
		     "EPRT |2|g::1|4000|\r\n",
		     "EPRT |2|::1 |4000|\r\n",
		     "EPRT |2|[::1]|4000|\r\n",
		     "EPRT |2|fe80::1%eth0|4000|\r\n",
		     "EPRT |2|1.2.3.4|4000|\r\n",
		     "EPRT |2|::1.2.3|4000|\r\n",
		     "EPRT |2|::1.2.3.4.5|4000|\r\n",
		     "EPRT |2|::1.2.3.256|4000|\r\n",
		     "EPRT |2|::1.2.3.4:1|4000|\r\n",
		     "EPRT |2|::a.2.3.4|4000|\r\n",
		     "EPRT |2|1:2:3:4:5:6:7:1.2.3.4|4000|\r\n",
		     "EPRT |2|1:2:3:4:5:6::1.2.3.4|4000|\r\n",
		     "EPRT |2|1:2:3:4:5:1.2.3.4|4000|\r\n",
		     // the port
		     "EPRT |2|::1|0|\r\n",
		     "EPRT |2|::1|65536|\r\n",
		     "EPRT |2|::1||\r\n",
		     "EPRT |2|::1|4000\r\n",
		     "EPRT |2|::1|-1|\r\n",
		     // the delimiter: printable, not space, one throughout
		     "EPRT \x7f" "2\x7f" "::1\x7f" "4000\x7f\r\n",
		     "EPRT |2!::1!4000!\r\n",
		     "EPRT |2|::1!4000|\r\n",
		     "EPRT :2:::1:4000:\r\n",
		     "EPRT 121::1121\r\n",
		     "EPRT a2a::a:1a21a\r\n",
		     "EPRT |2|",
		     "EPRT |2",
		     "EPRT",
	     })
		EXPECT_EQ(Request6(bad), XVS_FTP_REQ_NONE) << bad;
	// a NUL byte inside the address
	std::string nul = "EPRT |2|::1|4000|\r\n";

	nul[10] = '\0';
	EXPECT_EQ(Request6(nul), XVS_FTP_REQ_NONE);
}

TEST(FtpAnswer6, Epsv)
{
	xvs_ftp_endpoint ep{};
	std::string a = "229 Entering Extended Passive Mode (|||40000|)\r\n";

	ASSERT_TRUE(Answer6(a, &ep));
	EXPECT_FALSE(ep.has_addr);
	EXPECT_EQ(ep.port, 40000);
	EXPECT_EQ(a.substr(ep.start, ep.end - ep.start), "|||40000|");

	a = "229 Entering Extended Passive Mode (|2|2001:db8:b::1|4000|)\r\n";
	ASSERT_TRUE(Answer6(a, &ep));
	EXPECT_TRUE(ep.has_addr);
	EXPECT_EQ(Addr6(ep), "2001:db8:b::1");
	EXPECT_EQ(ep.port, 4000);
	EXPECT_EQ(a.substr(ep.start, ep.end - ep.start),
		  "|2|2001:db8:b::1|4000|");

	// no 227 on IPv6
	EXPECT_FALSE(Answer("227 Entering Passive Mode (192,168,0,1,156,64)\r\n",
			    XVS_FTP_REQ_PASV, nullptr, XVS_FTP_IPV6));
	for (const char *bad : {
		     "229 Entering Extended Passive Mode (|1|192.168.0.1|4000|)\r\n",
		     "229 Entering Extended Passive Mode (|2|2001:db8:b::1:|4000|)\r\n",
		     "229 Entering Extended Passive Mode (|2|2001:db8:b::1|0|)\r\n",
		     "229 Entering Extended Passive Mode (|2||4000|)\r\n",
		     "229 Entering Extended Passive Mode (|||4000)\r\n",
		     "229 Entering Extended Passive Mode (|2|::1|4000",
	     })
		EXPECT_FALSE(Answer6(bad)) << bad;
	// and an IPv6 address on IPv4
	EXPECT_FALSE(Answer("229 x (|2|::1|4000|)\r\n", XVS_FTP_REQ_EPSV));
}

// Every truncation of valid IPv6 text is parsed within its bounds; one
// that ends before the closing delimiter is rejected.
TEST(FtpParser6, Truncations)
{
	const std::string req = "EPRT |2|2001:db8:a::ffff:81.57.54.254|4000|\r\n";
	const std::string epsv = "229 Passive (|2|2001:db8:b::1|40000|)\r\n";

	for (size_t n = 0; n < req.size(); n++)
		EXPECT_EQ(Request6(req.substr(0, n)) == XVS_FTP_REQ_PORT,
			  n >= req.find("|\r") + 1) << n;
	for (size_t n = 0; n < epsv.size(); n++)
		EXPECT_EQ(Answer6(epsv.substr(0, n)), n > epsv.find("|)")) << n;
}

// Random bytes around and inside valid text: never a read out of bounds
// (sanitizers, exact-size buffers), and an accepted endpoint lies inside.
TEST(FtpParser6, RandomBytes)
{
	const std::string alphabet = "|2:1.aF0 9\r\n!(";
	uint32_t x = 12345;

	for (int i = 0; i < 20000; i++) {
		std::string text = i % 2 ? "EPRT " : "229 (";
		size_t len;

		x = x * 1103515245u + 12345u;
		len = (x >> 16) % 40;
		for (size_t j = 0; j < len; j++) {
			x = x * 1103515245u + 12345u;
			text += alphabet[(x >> 16) % alphabet.size()];
		}
		xvs_ftp_endpoint ep{};
		bool ok = i % 2 ? Request6(text, &ep) == XVS_FTP_REQ_PORT :
				  Answer6(text, &ep);

		if (ok) {
			EXPECT_LE(ep.start, ep.end) << text;
			EXPECT_LE(ep.end, text.size()) << text;
			EXPECT_EQ(text[ep.end - 1], text[ep.start]) << text;
		}
	}
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
