// SPDX-License-Identifier: GPL-2.0
// The Call-ID finder of the SIP persistence engine (kmod/core/pe_sip.c),
// built with ASan and UBSan: every message is parsed from a buffer of
// exactly its bytes, so a read past the end fails the test.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

extern "C" {
#include "xvs_pe_sip.h"
}

namespace {

std::optional<std::string> CallId(const std::string &msg)
{
	std::vector<char> buf(msg.begin(), msg.end());
	size_t off = 0, len = 0;

	if (!xvs_sip_callid(buf.data(), buf.size(), &off, &len))
		return std::nullopt;
	EXPECT_LE(off + len, msg.size());
	return msg.substr(off, len);
}

const std::string kInvite = "INVITE sip:bob@example.com SIP/2.0\r\n"
			    "Via: SIP/2.0/UDP 10.0.0.1:5060\r\n";

TEST(SipCallId, RequestAndReply)
{
	EXPECT_EQ(CallId(kInvite + "Call-ID: a84b4c76e66710@pc33.example.com\r\n"
			 "CSeq: 1 INVITE\r\n\r\n"),
		  "a84b4c76e66710@pc33.example.com");
	EXPECT_EQ(CallId("SIP/2.0 200 OK\r\nCall-ID: reply-1\r\n\r\n"), "reply-1");
}

TEST(SipCallId, CaseAndCompactForm)
{
	EXPECT_EQ(CallId(kInvite + "call-id: x1\r\n"), "x1");
	EXPECT_EQ(CallId(kInvite + "CALL-ID: x2\r\n"), "x2");
	EXPECT_EQ(CallId(kInvite + "i: x3\r\n"), "x3");
	EXPECT_EQ(CallId(kInvite + "I:x4\r\n"), "x4");
	// A longer header name starting with "i" is not the compact form.
	EXPECT_EQ(CallId(kInvite + "In-Reply-To: no\r\ni: yes\r\n"), "yes");
	EXPECT_EQ(CallId(kInvite + "Call-IDx: no\r\n"), std::nullopt);
}

TEST(SipCallId, WhitespaceAndContinuation)
{
	EXPECT_EQ(CallId(kInvite + "Call-ID \t:\t  abc\r\n"), "abc");
	EXPECT_EQ(CallId(kInvite + "Call-ID:\r\n   folded\r\n"), "folded");
	EXPECT_EQ(CallId(kInvite + "Call-ID\r\n :lf\n"), "lf");
	// A line break that is not a continuation ends the header.
	EXPECT_EQ(CallId(kInvite + "Call-ID:\r\nnext\r\n"), std::nullopt);
	// Headers are recognised at the start of a line only.
	EXPECT_EQ(CallId(kInvite + "X: Call-ID: inner\r\n"), std::nullopt);
	EXPECT_EQ(CallId(kInvite + " Call-ID: cont\r\n"), std::nullopt);
	// Never in the first line.
	EXPECT_EQ(CallId("Call-ID: first\r\n"), std::nullopt);
}

TEST(SipCallId, LineTerminators)
{
	EXPECT_EQ(CallId("OPTIONS sip:a SIP/2.0\nCall-ID: lf-only\n"), "lf-only");
	EXPECT_EQ(CallId("OPTIONS sip:a SIP/2.0\rCall-ID: cr-only\r"), "cr-only");
	// The value must be followed by a line terminator.
	EXPECT_EQ(CallId(kInvite + "Call-ID: cut"), std::nullopt);
	EXPECT_EQ(CallId(kInvite + "Call-ID: x y\r\n"), std::nullopt);
	EXPECT_EQ(CallId(kInvite + "Call-ID: x;y\r\n"), std::nullopt);
}

TEST(SipCallId, ValueSyntax)
{
	EXPECT_EQ(CallId(kInvite + "Call-ID: !%'()*+-./:<>?[\\]_`{}~\"z\r\n"),
		  "!%'()*+-./:<>?[\\]_`{}~\"z");
	EXPECT_EQ(CallId(kInvite + "Call-ID: a@b\r\n"), "a@b");
	// "@" needs a host part; a second "@" ends the value.
	EXPECT_EQ(CallId(kInvite + "Call-ID: a@\r\n"), std::nullopt);
	EXPECT_EQ(CallId(kInvite + "Call-ID: a@b@c\r\n"), std::nullopt);
	// Latin-1 letters count as letters, as in the kernel's ctype.
	EXPECT_EQ(CallId(kInvite + "Call-ID: \xe9t\xe9\r\n"), "\xe9t\xe9");
	EXPECT_EQ(CallId(kInvite + "Call-ID: a\xd7\r\n"), std::nullopt);
}

TEST(SipCallId, UnparsableValueSearchesOn)
{
	// The search restarts the bad value's offset further on.
	EXPECT_EQ(CallId(kInvite + "Call-ID: @\r\nCall-ID: second\r\n"), "second");
	EXPECT_EQ(CallId(kInvite + "Call-ID: @\r\n"), std::nullopt);
	// A second restart starts past the next header already.
	std::string two_bad = "M\r\ni: @\r\ni: @\r\ni: ok\r\n";
	EXPECT_EQ(CallId(two_bad), std::nullopt);
}

TEST(SipCallId, LengthLimit)
{
	std::string max(XVS_PE_DATA_MAXLEN, 'c');

	EXPECT_EQ(CallId(kInvite + "Call-ID: " + max + "\r\n"), max);
	EXPECT_EQ(CallId(kInvite + "Call-ID: " + max + "c\r\n"), std::nullopt);
}

TEST(SipCallId, EmptyAndTruncated)
{
	EXPECT_EQ(CallId(""), std::nullopt);
	EXPECT_EQ(CallId("\r\n"), std::nullopt);
	EXPECT_EQ(CallId("\r\ni"), std::nullopt);
	EXPECT_EQ(CallId("\r\nCall-ID"), std::nullopt);
	EXPECT_EQ(CallId("\r\nCall-ID:"), std::nullopt);
	EXPECT_EQ(CallId("\r\nCall-ID: "), std::nullopt);
	EXPECT_EQ(CallId("\r\nCall-ID:\r\n"), std::nullopt);
	// Every prefix of a valid message parses or fails without reading past.
	std::string msg = kInvite + "Call-ID:\r\n\tab@cd\r\n";
	for (size_t n = 0; n <= msg.size(); n++)
		CallId(msg.substr(0, n));
	EXPECT_EQ(CallId(msg), "ab@cd");
}

} // namespace
