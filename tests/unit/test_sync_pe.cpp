// SPDX-License-Identifier: GPL-2.0
// Persistence engine options of version 1 sync messages (IPVS_OPT_PE_DATA,
// IPVS_OPT_PE_NAME): the bytes IPVS puts on the wire for a SIP template,
// round trips, and the entries IPVS's backup refuses.
#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "xvs_sync_msg.h"
}

namespace {

using Bytes = std::vector<uint8_t>;

unsigned int num_states(u8 protocol)
{
	return protocol == 17 ? 1 : 0;
}

// What apply() saw; the option data are copied while they are valid.
struct Seen {
	u32 flags = 0;
	std::string pe_data, pe_name;
	bool has_pe = false;
};

bool collect(void *ctx, const xvs_sync_entry *e)
{
	auto *v = static_cast<std::vector<Seen> *>(ctx);
	Seen s;
	s.flags = e->flags;
	if (e->pe_data_len) {
		s.has_pe = true;
		s.pe_data.assign(reinterpret_cast<const char *>(e->pe_data), e->pe_data_len);
		s.pe_name.assign(reinterpret_cast<const char *>(e->pe_name), e->pe_name_len);
	} else {
		EXPECT_EQ(e->pe_name_len, 0u);
	}
	v->push_back(s);
	return true;
}

xvs_sync_rx_stats parse(const Bytes &msg, std::vector<Seen> &seen)
{
	xvs_sync_rx_stats st{};
	auto *buf = new uint8_t[msg.size()];
	std::memcpy(buf, msg.data(), msg.size());
	xvs_sync_parse(buf, msg.size(), 0, num_states, collect, &seen, &st);
	delete[] buf;
	return st;
}

// A SIP template of 10.0.0.9 to 10.0.0.1:5060, at 192.168.1.2:5060.  The
// entry points at @callid, which must outlive it.
xvs_sync_entry sip_template(const std::string &callid)
{
	xvs_sync_entry e{};
	e.af = XVS_SYNC_AF_INET;
	e.protocol = 17;
	e.flags = XVS_SYNC_F_TEMPLATE | XVS_SYNC_F_MASQ;
	e.caddr[0] = htonl(0x0a000009);
	e.vaddr[0] = htonl(0x0a000001);
	e.daddr[0] = htonl(0xc0a80102);
	e.vport = htons(5060);
	e.dport = htons(5060);
	e.timeout = 60;
	e.pe_data = reinterpret_cast<const u8 *>(callid.data());
	e.pe_data_len = static_cast<u8>(callid.size());
	e.pe_name = reinterpret_cast<const u8 *>("sip");
	e.pe_name_len = 3;
	return e;
}

// String literals live as long as the test.
xvs_sync_entry sip_template(const char *callid)
{
	static std::vector<std::string> keep;

	keep.reserve(64);
	keep.emplace_back(callid);
	return sip_template(keep.back());
}

Bytes build(const std::vector<xvs_sync_entry> &entries)
{
	Bytes m(XVS_SYNC_HDR_V1_LEN);
	for (const auto &e : entries) {
		size_t off = (m.size() + 3) & ~size_t{3};
		m.resize(off + xvs_sync_entry_len(1, &e));
		xvs_sync_entry_put(m.data() + off, 1, &e);
	}
	xvs_sync_hdr_put(m.data(), 1, 1, static_cast<u8>(entries.size()),
			 static_cast<unsigned int>(m.size()));
	return m;
}

TEST(SyncPe, WireLayoutAsIpvs)
{
	const std::string callid = "abc@host";
	auto e = sip_template(callid);
	Bytes m = build({e});

	// 36-byte IPv4 entry, then {2, len, data} and {3, 3, "sip"}
	ASSERT_EQ(xvs_sync_entry_len(1, &e), 36u + 2 + 8 + 2 + 3);
	ASSERT_EQ(m.size(), 8u + 51);
	EXPECT_EQ(m[8 + 2], 0);
	EXPECT_EQ(m[8 + 3], 51);
	const uint8_t *o = m.data() + 8 + 36;
	EXPECT_EQ(o[0], XVS_SYNC_OPT_PE_DATA);
	EXPECT_EQ(o[1], 8);
	EXPECT_EQ(std::string(reinterpret_cast<const char *>(o + 2), 8), callid);
	EXPECT_EQ(o[10], XVS_SYNC_OPT_PE_NAME);
	EXPECT_EQ(o[11], 3);
	EXPECT_EQ(std::string(reinterpret_cast<const char *>(o + 12), 3), "sip");
	// Version 0 has no options: the data are not sent.
	EXPECT_EQ(xvs_sync_entry_len(0, &e), 24u);
}

TEST(SyncPe, RoundTripWithSeqDataAndSeveralEntries)
{
	const std::string a = "call-a", b(255, 'b');
	auto ea = sip_template(a), eb = sip_template(b);
	eb.flags |= 0x0200;	// sequence data before the engine options
	for (int i = 0; i < 6; i++)
		eb.seq[i] = static_cast<u32>(i + 1);
	auto plain = sip_template("");
	plain.pe_name_len = 0;

	std::vector<Seen> seen;
	auto st = parse(build({ea, eb, plain}), seen);
	EXPECT_EQ(st.conns, 3u);
	EXPECT_EQ(st.dropped, 0u);
	ASSERT_EQ(seen.size(), 3u);
	EXPECT_EQ(seen[0].pe_data, a);
	EXPECT_EQ(seen[0].pe_name, "sip");
	EXPECT_EQ(seen[1].pe_data, b);
	EXPECT_EQ(seen[1].pe_name, "sip");
	EXPECT_FALSE(seen[2].has_pe);
}

TEST(SyncPe, DataWithoutNameIsDropped)
{
	auto e = sip_template("lonely");
	e.pe_name_len = 0;
	auto good = sip_template("good");
	std::vector<Seen> seen;
	auto st = parse(build({e, good}), seen);
	EXPECT_EQ(st.conns, 1u);
	EXPECT_EQ(st.dropped, 1u);
	ASSERT_EQ(seen.size(), 1u);
	EXPECT_EQ(seen[0].pe_data, "good");
}

TEST(SyncPe, NameWithoutDataIsIgnored)
{
	auto e = sip_template("x");
	Bytes m = build({e});
	// Turn the PE_DATA option into an unknown optional one.
	m[8 + 36] = 0x40 | 9;
	std::vector<Seen> seen;
	auto st = parse(m, seen);
	EXPECT_EQ(st.conns, 1u);
	ASSERT_EQ(seen.size(), 1u);
	EXPECT_FALSE(seen[0].has_pe);
}

TEST(SyncPe, BadOptionsBreakTheDatagram)
{
	auto e = sip_template("twice");
	Bytes m = build({e, e});
	// The name option repeated as data: the option is there twice.
	Bytes twice = m;
	twice[8 + 36 + 7] = XVS_SYNC_OPT_PE_DATA;
	std::vector<Seen> seen;
	auto st = parse(twice, seen);
	EXPECT_EQ(st.conns, 0u);
	EXPECT_EQ(st.dropped, 2u);
	// A name longer than IP_VS_PENAME_MAXLEN.
	std::string longname(17, 'n');
	auto l = sip_template("x");
	l.pe_name = reinterpret_cast<const u8 *>(longname.data());
	l.pe_name_len = 17;
	seen.clear();
	st = parse(build({l}), seen);
	EXPECT_EQ(st.conns, 0u);
	EXPECT_EQ(st.dropped, 1u);
	// Every truncation is refused without reading past the end.
	Bytes full = build({sip_template("truncate-me")});
	for (size_t n = XVS_SYNC_HDR_V1_LEN; n < full.size(); n++) {
		Bytes t(full.begin(), full.begin() + static_cast<long>(n));
		t[2] = static_cast<uint8_t>(n >> 8);
		t[3] = static_cast<uint8_t>(n);
		seen.clear();
		parse(t, seen);
		EXPECT_TRUE(seen.empty()) << n;
	}
}

} // namespace
