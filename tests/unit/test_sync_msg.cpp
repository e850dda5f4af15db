// SPDX-License-Identifier: GPL-2.0
// The connection synchronisation wire format: encoding against datagrams
// recorded from the kernel's IPVS, round trips of both versions, and a
// parser that drops (and counts) truncated or garbled datagrams without
// reading outside them (this binary runs under ASan and UBSan).
#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

extern "C" {
#include "xvs_sync_msg.h"
}

namespace {

using Bytes = std::vector<uint8_t>;

Bytes from_hex(const std::string &hex)
{
	Bytes b;
	for (size_t i = 0; i + 1 < hex.size(); i += 2)
		b.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
	return b;
}

unsigned int num_states(u8 protocol)
{
	switch (protocol) {
	case 6:
		return 11;	// TCP: NONE .. SYNACK
	case 17:
		return 1;
	default:
		return 0;
	}
}

struct Collected {
	std::vector<xvs_sync_entry> entries;
	bool accept = true;
};

bool collect(void *ctx, const xvs_sync_entry *e)
{
	auto *c = static_cast<Collected *>(ctx);
	c->entries.push_back(*e);
	return c->accept;
}

xvs_sync_rx_stats parse(const Bytes &msg, uint32_t syncid, Collected &c)
{
	xvs_sync_rx_stats st{};
	// An exact-size heap copy, so that ASan sees any read past the end.
	auto *buf = new uint8_t[msg.size() ? msg.size() : 1];
	if (!msg.empty())
		std::memcpy(buf, msg.data(), msg.size());
	xvs_sync_parse(buf, msg.size(), syncid, num_states, collect, &c, &st);
	delete[] buf;
	return st;
}

u32 ip4(const char *s)
{
	in_addr a{};
	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

u16 port(unsigned int p)
{
	return htons(static_cast<uint16_t>(p));
}

xvs_sync_entry tcp4(const char *c, unsigned int cp, const char *v, unsigned int vp,
		    const char *d, unsigned int dp, u32 flags, u16 state, u32 timeout)
{
	xvs_sync_entry e{};
	e.af = XVS_SYNC_AF_INET;
	e.protocol = 6;
	e.caddr[0] = ip4(c);
	e.vaddr[0] = ip4(v);
	e.daddr[0] = ip4(d);
	e.cport = port(cp);
	e.vport = port(vp);
	e.dport = port(dp);
	e.flags = flags;
	e.state = state;
	e.timeout = timeout;
	return e;
}

// Builds a message of the entries the way the module does.
Bytes build(u8 version, u8 syncid, const std::vector<xvs_sync_entry> &entries)
{
	Bytes m(xvs_sync_hdr_len(version));
	for (const auto &e : entries) {
		size_t off = m.size();
		if (version)
			off = (off + 3) & ~size_t{3};
		m.resize(off + xvs_sync_entry_len(version, &e));
		xvs_sync_entry_put(m.data() + off, version, &e);
	}
	xvs_sync_hdr_put(m.data(), version, syncid, static_cast<u8>(entries.size()),
			 static_cast<unsigned int>(m.size()));
	return m;
}

// DR connection (NOOUTPUT, method 3) and its persistence template.
constexpr u32 DR = 0x0003 | XVS_SYNC_F_NOOUTPUT;

// A version 0 datagram of the kernel's IPVS (6.1, sync_version=0):
// connection 192.168.0.254:58888 -> 192.168.0.1:9000 -> .200:9000
// ESTABLISHED, then the client's template (ASSURED, inactive).
const char *const IPVS_V0 =
	"020500340006e60823282328c0a800fec0a80001c0a800c800830001"
	"0006000023282328c0a800fec0a80001c0a800c811830001";

// The first two entries of a version 1 datagram of the kernel's IPVS: the
// template (NONE, then ASSURED), timeout 300 s, syncid 5, header rewritten
// for two entries.
const char *const IPVS_V1 =
	"0005005002010000"
	"000600240000118300000000232823280000000000000"
	"12cc0a800fec0a80001c0a800c8"
	"00060024000011830001000023282328000000000000012cc0a800fec0a80001c0a800c8";

TEST(SyncMsg, EncodesVersion0LikeIpvs)
{
	auto conn = tcp4("192.168.0.254", 58888, "192.168.0.1", 9000, "192.168.0.200",
			 9000, DR | XVS_SYNC_F_HASHED, 1, 900);
	auto tpl = tcp4("192.168.0.254", 0, "192.168.0.1", 9000, "192.168.0.200", 9000,
			DR | XVS_SYNC_F_TEMPLATE | XVS_SYNC_F_INACTIVE, 1, 300);
	EXPECT_EQ(build(0, 5, {conn, tpl}), from_hex(IPVS_V0));
}

TEST(SyncMsg, EncodesVersion1LikeIpvs)
{
	auto t0 = tcp4("192.168.0.254", 0, "192.168.0.1", 9000, "192.168.0.200", 9000,
		       DR | XVS_SYNC_F_TEMPLATE | XVS_SYNC_F_INACTIVE, 0, 300);
	auto t1 = t0;
	t1.state = 1;
	EXPECT_EQ(build(1, 5, {t0, t1}), from_hex(IPVS_V1));
}

// An FTP control connection through NAT whose PASV answer was rewritten:
// its sequence data travels with it.  Version 1 puts it in a SEQ_DATA
// option (type 1, length 24, six 32-bit numbers in network order) after
// the addresses, counted in the entry size (36 + 26 = 62) and padded to
// the next 4-byte boundary before the next entry.
TEST(SyncMsg, Version1CarriesSequenceData)
{
	auto ftp = tcp4("10.0.0.1", 40000, "10.0.0.100", 21, "10.0.1.1", 21,
			XVS_SYNC_F_SEQ_MASK & 0x0200, 1, 900);
	for (u32 i = 0; i < 6; i++)
		ftp.seq[i] = 0x01020300u + i;
	ftp.seq[1] = static_cast<u32>(-3);	// a negative delta
	auto next = tcp4("10.0.0.2", 40001, "10.0.0.100", 21, "10.0.1.1", 21, 0, 1, 900);
	Bytes m = build(1, 4, {ftp, next});
	ASSERT_EQ(m.size(), 8u + 64u + 36u);
	EXPECT_EQ(m[8 + 2], 0);
	EXPECT_EQ(m[8 + 3], 62);
	const Bytes opt = from_hex("0118" "01020300" "fffffffd" "01020302"
				   "01020303" "01020304" "01020305");
	EXPECT_EQ(Bytes(m.begin() + 8 + 36, m.begin() + 8 + 62), opt);

	Collected c;
	auto st = parse(m, 4, c);
	EXPECT_EQ(st.conns, 2u);
	EXPECT_EQ(st.dropped, 0u);
	ASSERT_EQ(c.entries.size(), 2u);
	EXPECT_EQ(c.entries[0].flags & XVS_SYNC_F_SEQ_MASK, 0x0200u);
	EXPECT_EQ(std::memcmp(c.entries[0].seq, ftp.seq, sizeof(ftp.seq)), 0);
	EXPECT_EQ(c.entries[1].cport, port(40001));
	for (u32 v : c.entries[1].seq)
		EXPECT_EQ(v, 0u);
}

// Version 0 appends the 24 bytes as the sender holds them in memory.
TEST(SyncMsg, Version0CarriesSequenceData)
{
	auto ftp = tcp4("10.0.0.1", 40000, "10.0.0.100", 21, "10.0.1.1", 21,
			0x0600, 1, 0);
	for (u32 i = 0; i < 6; i++)
		ftp.seq[i] = 1000u * (i + 1);
	Bytes m = build(0, 4, {ftp, ftp});
	ASSERT_EQ(m.size(), 4u + 2u * 48u);
	EXPECT_EQ(std::memcmp(m.data() + 4 + 24, ftp.seq, 24), 0);
	Collected c;
	auto st = parse(m, 4, c);
	EXPECT_EQ(st.conns, 2u);
	ASSERT_EQ(c.entries.size(), 2u);
	EXPECT_EQ(std::memcmp(c.entries[1].seq, ftp.seq, sizeof(ftp.seq)), 0);
	// A truncated sequence block drops that entry, not more.
	m.resize(m.size() - 1);
	xvs_sync_hdr_put(m.data(), 0, 4, 2, static_cast<unsigned int>(m.size()));
	Collected t;
	auto st2 = parse(m, 4, t);
	EXPECT_EQ(st2.conns, 1u);
	EXPECT_EQ(st2.dropped, 1u);
}

TEST(SyncMsg, ParsesIpvsVersion0)
{
	Collected c;
	auto st = parse(from_hex(IPVS_V0), 5, c);
	EXPECT_EQ(st.msgs, 1u);
	EXPECT_EQ(st.conns, 2u);
	EXPECT_EQ(st.dropped, 0u);
	ASSERT_EQ(c.entries.size(), 2u);
	const auto &e = c.entries[0];
	EXPECT_EQ(e.af, XVS_SYNC_AF_INET);
	EXPECT_EQ(e.protocol, 6);
	EXPECT_EQ(e.cport, port(58888));
	EXPECT_EQ(e.vport, port(9000));
	EXPECT_EQ(e.daddr[0], ip4("192.168.0.200"));
	EXPECT_EQ(e.state, 1);
	EXPECT_EQ(e.timeout, 0u);	// version 0 has none
	EXPECT_EQ(e.flags, DR | XVS_SYNC_F_SYNC);
	EXPECT_EQ(c.entries[1].flags,
		  DR | XVS_SYNC_F_TEMPLATE | XVS_SYNC_F_INACTIVE | XVS_SYNC_F_SYNC);
}

TEST(SyncMsg, Version1RoundTripBothFamiliesWithPadding)
{
	auto a = tcp4("10.0.0.1", 1234, "10.0.0.100", 80, "10.0.1.1", 8080,
		      0x0000, 1, 900);
	a.fwmark = 77;
	xvs_sync_entry b{};
	b.af = XVS_SYNC_AF_INET6;
	b.protocol = 17;
	inet_pton(AF_INET6, "2001:db8::1", b.caddr);
	inet_pton(AF_INET6, "2001:db8::100", b.vaddr);
	inet_pton(AF_INET6, "2001:db8:1::1", b.daddr);
	b.cport = port(5353);
	b.vport = port(53);
	b.dport = port(53);
	b.flags = XVS_SYNC_F_INACTIVE | 0x0002;
	b.timeout = 300;
	// An unknown optional option of 3 bytes makes the first entry 41
	// bytes long: the second starts after 3 bytes of padding.
	Bytes m = build(1, 9, {a});
	m.insert(m.end(), {XVS_SYNC_OPT_F_OPTIONAL | 9, 3, 1, 2, 3});
	m[8 + 2] = 0;
	m[8 + 3] = 41;
	m.insert(m.end(), {0, 0, 0});
	size_t off = m.size();
	m.resize(off + XVS_SYNC_CONN_V1_IN6_LEN);
	xvs_sync_entry_put(m.data() + off, 1, &b);
	xvs_sync_hdr_put(m.data(), 1, 9, 2, static_cast<unsigned int>(m.size()));

	Collected c;
	auto st = parse(m, 9, c);
	EXPECT_EQ(st.conns, 2u);
	EXPECT_EQ(st.dropped, 0u);
	ASSERT_EQ(c.entries.size(), 2u);
	EXPECT_EQ(c.entries[0].fwmark, 77u);
	EXPECT_EQ(c.entries[0].timeout, 900u);
	EXPECT_EQ(c.entries[0].dport, port(8080));
	EXPECT_EQ(std::memcmp(c.entries[1].daddr, b.daddr, 16), 0);
	EXPECT_EQ(c.entries[1].af, XVS_SYNC_AF_INET6);
	EXPECT_EQ(c.entries[1].flags, b.flags | XVS_SYNC_F_SYNC);
}

TEST(SyncMsg, SequenceDataFramesTheNextEntry)
{
	// v0: 24 bytes of sequence data after an entry with SEQ bits are its
	// own, the next entry follows them
	auto a = tcp4("10.0.0.1", 1, "10.0.0.2", 21, "10.0.0.3", 21, 0, 1, 0);
	Bytes m = build(0, 1, {a});
	m[4 + 20] = 0x06;	// IN_SEQ | OUT_SEQ
	m.resize(m.size() + XVS_SYNC_SEQ_OPTS_LEN, 0xee);
	auto b = a;
	b.cport = port(2);
	m.resize(m.size() + XVS_SYNC_CONN_V0_LEN);
	xvs_sync_entry_put(m.data() + m.size() - XVS_SYNC_CONN_V0_LEN, 0, &b);
	xvs_sync_hdr_put(m.data(), 0, 1, 2, static_cast<unsigned int>(m.size()));
	Collected c;
	auto st = parse(m, 0, c);
	EXPECT_EQ(st.conns, 2u);
	ASSERT_EQ(c.entries.size(), 2u);
	EXPECT_EQ(c.entries[1].cport, port(2));
	EXPECT_EQ(c.entries[0].flags & XVS_SYNC_F_SEQ_MASK, XVS_SYNC_F_SEQ_MASK);
	EXPECT_EQ(c.entries[0].seq[5], 0xeeeeeeeeu);

	// v1: a SEQ_DATA option of the right size is accepted, once
	Bytes v = build(1, 1, {a});
	v.insert(v.end(), {XVS_SYNC_OPT_SEQ_DATA, XVS_SYNC_SEQ_OPTS_LEN});
	v.resize(v.size() + XVS_SYNC_SEQ_OPTS_LEN, 0x11);
	v[8 + 3] = static_cast<u8>(v.size() - 8);
	xvs_sync_hdr_put(v.data(), 1, 1, 1, static_cast<unsigned int>(v.size()));
	Collected c1;
	EXPECT_EQ(parse(v, 1, c1).conns, 1u);
	ASSERT_EQ(c1.entries.size(), 1u);
	EXPECT_EQ(c1.entries[0].seq[0], 0x11111111u);
}

TEST(SyncMsg, DropsWhatIpvsDrops)
{
	auto good = tcp4("10.0.0.1", 1, "10.0.0.2", 80, "10.0.0.3", 80, 0, 1, 60);
	auto one_packet = good;
	one_packet.flags |= XVS_SYNC_F_ONE_PACKET;
	auto bad_state = good;
	bad_state.state = 11;
	auto bad_proto = good;
	bad_proto.protocol = 99;
	auto tpl_no_cport = good;
	tpl_no_cport.flags |= XVS_SYNC_F_TEMPLATE | XVS_SYNC_F_NO_CPORT;
	auto tpl_bad_state = good;
	tpl_bad_state.flags |= XVS_SYNC_F_TEMPLATE;
	tpl_bad_state.state = 2;
	Collected c;
	auto st = parse(build(1, 3, {one_packet, bad_state, bad_proto, tpl_no_cport,
				     tpl_bad_state, good}), 3, c);
	EXPECT_EQ(st.conns, 1u);
	EXPECT_EQ(st.dropped, 5u);
	ASSERT_EQ(c.entries.size(), 1u);
	EXPECT_EQ(c.entries[0].cport, port(1));

	// another syncid, a size that disagrees, too short: whole datagram
	Collected d;
	Bytes m = build(1, 3, {good});
	EXPECT_EQ(parse(m, 4, d).dropped, 1u);
	m.push_back(0);
	EXPECT_EQ(parse(m, 3, d).dropped, 1u);
	EXPECT_EQ(parse(Bytes{0, 3, 0}, 3, d).dropped, 1u);
	EXPECT_TRUE(d.entries.empty());

	// the backup could not use it (no such destination): counted
	Collected n;
	n.accept = false;
	auto s2 = parse(build(1, 3, {good}), 0, n);
	EXPECT_EQ(s2.conns, 0u);
	EXPECT_EQ(s2.dropped, 1u);

	// persistence engine data and name: both entries used (the data are
	// checked in test_sync_pe.cpp)
	Bytes pe = build(1, 3, {good});
	pe.insert(pe.end(), {XVS_SYNC_OPT_PE_DATA, 2, 'a', 'b', XVS_SYNC_OPT_PE_NAME,
			     3, 's', 'i', 'p', 0, 0, 0});
	pe[8 + 3] = static_cast<u8>(36 + 9);
	size_t off = pe.size();
	pe.resize(off + 36);
	xvs_sync_entry_put(pe.data() + off, 1, &good);
	xvs_sync_hdr_put(pe.data(), 1, 3, 2, static_cast<unsigned int>(pe.size()));
	Collected p;
	auto s3 = parse(pe, 3, p);
	EXPECT_EQ(s3.conns, 2u);
	EXPECT_EQ(s3.dropped, 0u);
	ASSERT_EQ(p.entries.size(), 2u);
	EXPECT_EQ(p.entries[0].pe_data_len, 2u);
	EXPECT_EQ(p.entries[0].pe_name_len, 3u);
	EXPECT_EQ(p.entries[1].pe_data_len, 0u);
}

TEST(SyncMsg, BrokenEntriesStopTheDatagram)
{
	auto e = tcp4("10.0.0.1", 1, "10.0.0.2", 80, "10.0.0.3", 80, 0, 1, 60);
	Bytes m = build(1, 3, {e, e, e});
	// second entry: size past the end, unknown entry version, unknown family
	for (auto [at, val] : std::vector<std::pair<size_t, u8>>{
		     {8 + 36 + 2, 0x0f}, {8 + 36 + 2, 0x10}, {8 + 36, 0x02}}) {
		Bytes b = m;
		b[at] = val;
		Collected c;
		auto st = parse(b, 3, c);
		EXPECT_EQ(st.conns, 1u) << at;
		EXPECT_EQ(st.dropped, 2u) << at;
	}
	Collected c;
	Bytes more = m;
	more[4] = 200;	// nr_conns beyond the data
	auto st = parse(more, 3, c);
	EXPECT_EQ(st.conns, 3u);
	EXPECT_EQ(st.dropped, 197u);
}

TEST(SyncMsg, TruncatedAndGarbledNeverReadOutside)
{
	std::vector<Bytes> seeds = {from_hex(IPVS_V0), from_hex(IPVS_V1)};
	xvs_sync_entry six{};
	six.af = XVS_SYNC_AF_INET6;
	six.protocol = 6;
	seeds.push_back(build(1, 0, {six, six}));

	std::mt19937 rng(12345);
	for (const auto &seed : seeds) {
		for (size_t cut = 0; cut <= seed.size(); cut++) {
			Bytes b(seed.begin(), seed.begin() + static_cast<long>(cut));
			// with the size field both stale and matching
			Collected c;
			parse(b, 0, c);
			if (cut >= 4) {
				b[2] = static_cast<u8>(cut >> 8);
				b[3] = static_cast<u8>(cut);
				parse(b, 0, c);
			}
		}
		for (int round = 0; round < 20000; round++) {
			Bytes b = seed;
			int flips = 1 + static_cast<int>(rng() % 4);
			for (int i = 0; i < flips; i++)
				b[rng() % b.size()] ^= static_cast<u8>(1 + rng() % 255);
			if (rng() % 2) {
				b[2] = static_cast<u8>(b.size() >> 8);
				b[3] = static_cast<u8>(b.size());
			}
			Collected c;
			auto st = parse(b, 0, c);
			unsigned int nr = b[0] ? b[0] : b[4];
			EXPECT_LE(st.conns + st.dropped, nr + 1u);
			EXPECT_EQ(st.conns, c.entries.size());
		}
	}
}

}  // namespace
