// SPDX-License-Identifier: GPL-2.0
/*
 * xvs-pktfuzz: a deterministic packet fuzzer for the balancer
 * (tests/qemu/packet-fuzz.sh).
 *
 *   xvs-pktfuzz [-s SEED] [-n COUNT] [-k] [-a POOL4] [-A POOL6]
 *		 [-d DIR4] [-D DIR6] [-x ADDR/PORT]...
 *		 -c|-r NAME=NETNS,DEV,MAC... TARGET...
 *
 * Links: -c (client side) and -r (realserver side) open a packet socket
 * on DEV of the network namespace NETNS (/run/netns/NETNS) and send
 * Ethernet frames to MAC (the director's interface on that link), so
 * every field of every header is ours: lengths, checksums, options.
 *
 * TARGET is LINK/PROTO/ADDR/PORT (PROTO tcp, udp or sctp; ADDR IPv4 or
 * IPv6).  On a client link it is a virtual service: packets go from the
 * client pool (8 addresses from POOL4 or POOL6, counting up, ports
 * 41000-41003) to ADDR:PORT.  On a realserver link it is the realserver's
 * own address and port: packets go from there to the client pool, as the
 * answers of a NAT realserver do.
 *
 * COUNT times (default 1000) a target and a kind of packet are drawn from
 * the seeded generator (default seed 1; the same arguments give the same
 * stream): valid packets of the protocol (connections open, evolve and
 * close: TCP SYN, ACK, data, FIN, RST; SCTP INIT, COOKIE-ECHO, DATA,
 * SHUTDOWN, ABORT; UDP), TCP flag soup and bad data offsets, SCTP chunk
 * soup, bad transport checksums, cut transport headers, wrong or extreme
 * length fields (UDP length, IP total length, IPv6 payload length, IHL),
 * IPv4 options (valid, unknown, bad lengths and pointers), IPv6 extension
 * header chains (hop-by-hop, destination options, routing, atomic
 * fragment, unknown, misplaced, cut), fragments (tiny, out of order,
 * overlapping, duplicated, with a hole, beyond 64 KiB), ICMP and ICMPv6
 * errors quoting the packets of existing connections, truncated or
 * garbage inner headers, nested errors, and (with -d/-D, from a realserver
 * link) errors about the director's tunnel packets (IPIP, IPv6-in-IPv6,
 * GRE) to the director's address DIR4/DIR6.
 *
 * -k (cleanup) sends instead, for every client target and every pool
 * tuple (and every -x ADDR/PORT of the target's family), a TCP ACK then a
 * RST, or an SCTP ABORT: every balancer entry of the pool moves to a
 * short-lived closing state (ip_vs' state tables: ACK takes SYN_RECV and
 * LAST_ACK on, RST closes the rest).
 *
 * Prints "sent N" and the count of each kind.  Exit status 0 when every
 * frame was sent, 1 otherwise, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_LINKS	8
#define MAX_TARGETS	64
#define POOL_ADDRS	8
#define POOL_PORTS	4
#define POOL_PORT0	41000
#define FRAME_MAX	1514
#define IP_MAX		(FRAME_MAX - 14)

enum { P_TCP = 6, P_UDP = 17, P_SCTP = 132, P_ICMP = 1, P_ICMP6 = 58 };

struct addr {
	int v6;
	uint8_t a[16];
};

struct link {
	char name[32];
	int client;
	int fd;
	int ifindex;
	uint8_t dmac[6], smac[6];
};

struct target {
	struct link *l;
	int proto;
	struct addr addr;
	uint16_t port;
};

static struct link links[MAX_LINKS];
static int nlinks;
static struct target targets[MAX_TARGETS];
static int ntargets;
static struct addr pool4, pool6, dir4, dir6;
static int have_pool4, have_pool6, have_dir4, have_dir6;
static struct addr extra_addr[32];
static uint16_t extra_port[32];
static int nextra;
static long nsent, nerr;

static void usage(void)
{
	fprintf(stderr,
		"usage: xvs-pktfuzz [-s SEED] [-n COUNT] [-k] [-a POOL4] [-A POOL6]\n"
		"                   [-d DIR4] [-D DIR6] [-x ADDR/PORT]...\n"
		"                   -c|-r NAME=NETNS,DEV,MAC... LINK/PROTO/ADDR/PORT...\n");
	exit(2);
}

/* ---- the generator -------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd64(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t rnd(uint32_t n)
{
	return n ? (uint32_t)(rnd64() % n) : 0;
}

/* true with probability @pct percent */
static int chance(int pct)
{
	return (int)rnd(100) < pct;
}

static void rnd_bytes(uint8_t *p, size_t n)
{
	while (n--)
		*p++ = (uint8_t)rnd64();
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* ---- checksums ------------------------------------------------------------ */

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* the transport checksum of @len bytes at @l4 with the pseudo header */
static uint16_t l4_csum(const struct addr *s, const struct addr *d,
			int proto, const uint8_t *l4, size_t len)
{
	uint32_t sum = 0;
	uint8_t tail[4];

	sum = csum_add(sum, s->a, s->v6 ? 16 : 4);
	sum = csum_add(sum, d->a, d->v6 ? 16 : 4);
	put16(tail, s->v6 ? 0 : (uint16_t)proto);
	put16(tail + 2, (uint16_t)len);
	sum = csum_add(sum, tail, 4);
	if (s->v6) {
		put32(tail, (uint32_t)proto);
		sum = csum_add(sum, tail, 4);
		put32(tail, (uint32_t)len >> 16);
		sum = csum_add(sum, tail, 4);
	}
	return csum_fold(csum_add(sum, l4, len));
}

static uint32_t crc32c_table[256];

static void crc32c_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
		crc32c_table[i] = c;
	}
}

/* SCTP's CRC32c over the packet at @p, stored in its checksum field */
static void sctp_csum(uint8_t *p, size_t len)
{
	uint32_t crc = ~0u;

	memset(p + 8, 0, 4);
	for (size_t i = 0; i < len; i++)
		crc = crc32c_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	crc = ~crc;
	p[8] = crc & 0xff;
	p[9] = (crc >> 8) & 0xff;
	p[10] = (crc >> 16) & 0xff;
	p[11] = crc >> 24;
}

/* ---- transport headers ---------------------------------------------------- */

/* what a transport builder is asked for */
enum l4mode { L4_VALID, L4_SOUP };

/*
 * The packet's sequence numbers follow the tuple, so a connection's later
 * packets are plausible for it.
 */
static uint32_t tuple_seq(uint16_t sport, uint16_t dport)
{
	return 0x10000000u + (uint32_t)sport * 7919u + dport;
}

#define TH_FIN	0x01
#define TH_SYN	0x02
#define TH_RST	0x04
#define TH_PSH	0x08
#define TH_ACK	0x10
#define TH_URG	0x20

static size_t build_tcp(uint8_t *p, enum l4mode mode, int rs_side,
			uint16_t sport, uint16_t dport)
{
	static const uint8_t soup[] = {
		TH_SYN | TH_FIN, TH_SYN | TH_RST, TH_RST, 0, 0xff, TH_FIN,
		TH_URG | TH_PSH | TH_FIN, TH_SYN | TH_FIN | TH_RST | TH_ACK,
		TH_SYN | TH_ACK | TH_FIN, TH_RST | TH_FIN, 0xc2, TH_URG,
	};
	size_t hl = 20, len;
	uint8_t flags;

	memset(p, 0, 60);
	put16(p, sport);
	put16(p + 2, dport);
	put32(p + 4, tuple_seq(sport, dport) + (chance(70) ? rnd(3) : (uint32_t)rnd64()));
	put32(p + 8, tuple_seq(dport, sport) + (chance(70) ? 1 : (uint32_t)rnd64()));
	put16(p + 14, chance(90) ? 29200 : (uint16_t)rnd(3));
	if (mode == L4_VALID) {
		uint32_t k = rnd(100);

		if (rs_side)
			flags = k < 30 ? TH_SYN | TH_ACK : k < 55 ? TH_ACK :
				k < 70 ? TH_ACK | TH_PSH : k < 85 ? TH_FIN | TH_ACK :
				k < 95 ? TH_RST : TH_SYN;
		else
			flags = k < 35 ? TH_SYN : k < 60 ? TH_ACK :
				k < 75 ? TH_ACK | TH_PSH : k < 85 ? TH_FIN | TH_ACK :
				k < 92 ? TH_RST : k < 96 ? TH_RST | TH_ACK :
				TH_SYN | TH_ACK;
		if (flags & TH_SYN) {
			/* MSS 1460, NOP NOP SACK-permitted */
			static const uint8_t opt[] = { 2, 4, 5, 180, 1, 1, 4, 2 };

			memcpy(p + 20, opt, sizeof(opt));
			hl = 28;
		}
		p[12] = (uint8_t)(hl / 4) << 4;
		p[13] = flags;
		len = hl;
		if (flags & TH_PSH) {
			size_t n = 1 + rnd(200);

			rnd_bytes(p + hl, n);
			len += n;
		}
		return len;
	}
	/* soup: odd flags, data offsets, options and urgent pointers */
	flags = chance(50) ? soup[rnd(sizeof(soup))] : (uint8_t)rnd64();
	p[13] = flags;
	p[12] = (uint8_t)(chance(60) ? 5 + rnd(11) : rnd(16)) << 4;
	if (chance(20))
		p[12] |= (uint8_t)rnd(16);	/* reserved bits, AE */
	hl = (size_t)(p[12] >> 4) * 4;
	if (hl > 20) {
		/* options: kinds of all sorts, lengths 0, 1, beyond the header */
		for (size_t o = 20; o < hl;) {
			uint8_t kind = chance(50) ? (uint8_t)rnd(9) : (uint8_t)rnd64();

			p[o++] = kind;
			if (o < hl)
				p[o++] = (uint8_t)(chance(50) ? rnd(12) : rnd64());
		}
	}
	if (chance(30))
		put16(p + 18, (uint16_t)rnd64());
	len = hl < 20 ? 20 : hl;
	if (chance(40)) {
		size_t n = rnd(300);

		rnd_bytes(p + len, n);
		len += n;
	}
	return len;
}

static size_t build_udp(uint8_t *p, enum l4mode mode, uint16_t sport,
			uint16_t dport)
{
	size_t n = chance(10) ? 0 : 1 + rnd(mode == L4_SOUP ? 1200 : 300);

	put16(p, sport);
	put16(p + 2, dport);
	put16(p + 4, (uint16_t)(8 + n));
	put16(p + 6, 0);
	rnd_bytes(p + 8, n);
	return 8 + n;
}

enum {
	SC_DATA = 0, SC_INIT = 1, SC_INIT_ACK = 2, SC_SACK = 3, SC_HB = 4,
	SC_ABORT = 6, SC_SHUTDOWN = 7, SC_SHUTDOWN_ACK = 8, SC_ERROR = 9,
	SC_COOKIE_ECHO = 10, SC_COOKIE_ACK = 11, SC_SHUTDOWN_COMPLETE = 14,
};

/* one well-formed chunk of @type at @p; returns its padded length */
static size_t sctp_chunk(uint8_t *p, uint8_t type, uint32_t tag)
{
	size_t len = 4;

	memset(p, 0, 64);
	p[0] = type;
	switch (type) {
	case SC_INIT:
	case SC_INIT_ACK:
		put32(p + 4, tag);
		put32(p + 8, 65536);
		put16(p + 12, 10);
		put16(p + 14, 10);
		put32(p + 16, tag ^ 0x5a5a);
		len = 20;
		if (type == SC_INIT_ACK) {
			/* a state cookie parameter */
			put16(p + 20, 7);
			put16(p + 22, 12);
			rnd_bytes(p + 24, 8);
			len = 32;
		}
		break;
	case SC_DATA:
		p[1] = 3;		/* B and E: a whole message */
		put32(p + 4, tag ^ 0x5a5a);
		put16(p + 8, 0);
		put16(p + 10, 0);
		put32(p + 12, 51);
		rnd_bytes(p + 16, 13);
		len = 29;
		break;
	case SC_COOKIE_ECHO:
		rnd_bytes(p + 4, 16);
		len = 20;
		break;
	case SC_SHUTDOWN:
	case SC_SACK:
		put32(p + 4, tag ^ 0x5a5a);
		len = type == SC_SACK ? 16 : 8;
		break;
	case SC_HB:
		put16(p + 4, 1);
		put16(p + 6, 8);
		rnd_bytes(p + 8, 4);
		len = 12;
		break;
	}
	put16(p + 2, (uint16_t)len);
	return (len + 3) & ~(size_t)3;
}

static size_t build_sctp(uint8_t *p, enum l4mode mode, int rs_side,
			 uint16_t sport, uint16_t dport)
{
	uint32_t tag = tuple_seq(sport, dport);
	size_t len = 12;
	uint8_t type;

	put16(p, sport);
	put16(p + 2, dport);
	if (mode == L4_VALID) {
		uint32_t k = rnd(100);

		if (rs_side)
			type = k < 30 ? SC_INIT_ACK : k < 50 ? SC_COOKIE_ACK :
				k < 70 ? SC_DATA : k < 80 ? SC_SACK :
				k < 88 ? SC_SHUTDOWN_ACK : k < 95 ? SC_ABORT :
				SC_HB;
		else
			type = k < 35 ? SC_INIT : k < 55 ? SC_COOKIE_ECHO :
				k < 72 ? SC_DATA : k < 80 ? SC_SACK :
				k < 86 ? SC_SHUTDOWN : k < 90 ? SC_SHUTDOWN_COMPLETE :
				k < 96 ? SC_ABORT : SC_HB;
		/* INIT goes with tag 0, everything else the peer's tag */
		put32(p + 4, type == SC_INIT ? 0 : tag);
		len += sctp_chunk(p + len, type, tag);
		if (type == SC_COOKIE_ECHO && chance(50))
			len += sctp_chunk(p + len, SC_DATA, tag);
	} else {
		int n = 1 + (int)rnd(4);

		put32(p + 4, chance(50) ? tag : (uint32_t)rnd64());
		for (int i = 0; i < n && len < 400; i++) {
			size_t clen;

			type = chance(60) ? (uint8_t)rnd(16) : (uint8_t)rnd64();
			clen = sctp_chunk(p + len, type, tag);
			p[len + 1] = (uint8_t)rnd64();	/* flags */
			switch (rnd(6)) {
			case 0:
				put16(p + len + 2, (uint16_t)rnd(4));
				break;
			case 1:
				put16(p + len + 2, (uint16_t)rnd64());
				break;
			case 2:
				put16(p + len + 2, (uint16_t)(clen + 1 + rnd(7)));
				break;
			}
			len += clen;
		}
		if (chance(15))
			len = 12 + rnd(4);	/* a header with a cut chunk */
	}
	sctp_csum(p, len);
	return len;
}

/* The transport header and payload; mode VALID has a right checksum. */
static size_t build_l4(uint8_t *p, int proto, enum l4mode mode, int rs_side,
		       const struct addr *s, const struct addr *d,
		       uint16_t sport, uint16_t dport)
{
	size_t len;

	switch (proto) {
	case P_TCP:
		len = build_tcp(p, mode, rs_side, sport, dport);
		put16(p + 16, l4_csum(s, d, proto, p, len));
		return len;
	case P_UDP:
		len = build_udp(p, mode, sport, dport);
		put16(p + 6, l4_csum(s, d, proto, p, len));
		if (!p[6] && !p[7])
			p[6] = p[7] = 0xff;
		return len;
	default:
		return build_sctp(p, mode, rs_side, sport, dport);
	}
}

/* flips a bit of the transport checksum */
static void break_csum(uint8_t *p, int proto, size_t len)
{
	size_t off = proto == P_TCP ? 16 : proto == P_UDP ? 6 : 8;

	if (off + 2 <= len)
		p[off + rnd(2)] ^= (uint8_t)(1 << rnd(8));
}

/* ---- network headers --------------------------------------------------------- */

/* IPv4 options: a well-formed one, or a broken one */
static size_t ip4_options(uint8_t *o)
{
	size_t n = 0;

	switch (rnd(9)) {
	case 0:		/* NOPs and an end of list */
		n = 4 * (1 + rnd(3));
		memset(o, 1, n);
		o[n - 1] = 0;
		break;
	case 1:		/* record route, room for 3, pointer right */
		o[0] = 7; o[1] = 15; o[2] = 4;
		memset(o + 3, 0, 13);
		n = 16;
		break;
	case 2:		/* timestamp */
		o[0] = 68; o[1] = 12; o[2] = 5; o[3] = 0;
		memset(o + 4, 0, 8);
		n = 12;
		break;
	case 3:		/* router alert */
		o[0] = 148; o[1] = 4; o[2] = 0; o[3] = 0;
		n = 4;
		break;
	case 4:		/* loose source route through the destination */
		o[0] = 131; o[1] = 7; o[2] = 4;
		rnd_bytes(o + 3, 4);
		o[7] = 0;
		n = 8;
		break;
	case 5:		/* length 0, 1, past the header */
		o[0] = (uint8_t)rnd64();
		o[1] = (uint8_t)(rnd(2) ? rnd(2) : 40 + rnd(100));
		n = 4;
		memset(o + 2, 1, 2);
		break;
	case 6:		/* record route with a bad pointer */
		o[0] = 7; o[1] = 11; o[2] = (uint8_t)rnd64();
		memset(o + 3, 0, 9);
		n = 12;
		break;
	default:	/* garbage */
		n = 4 * (1 + rnd(10));
		rnd_bytes(o, n);
		break;
	}
	return n;
}

/*
 * An IPv4 header at @p for @plen bytes of payload, with options drawn by
 * ip4_options() when @options; returns its length.
 */
static size_t ip4_header(uint8_t *p, const struct addr *s, const struct addr *d,
			 int proto, size_t plen, uint16_t frag, uint16_t id,
			 int options)
{
	size_t hl = 20;

	if (options)
		hl += ip4_options(p + 20);
	if (hl > 60)
		hl = 60;
	p[0] = 0x40 | (uint8_t)(hl / 4);
	p[1] = 0;
	put16(p + 2, (uint16_t)(hl + plen));
	put16(p + 4, id);
	put16(p + 6, frag);
	p[8] = 64;
	p[9] = (uint8_t)proto;
	put16(p + 10, 0);
	memcpy(p + 12, s->a, 4);
	memcpy(p + 16, d->a, 4);
	put16(p + 10, csum_fold(csum_add(0, p, hl)));
	return hl;
}

/* re-checksums an IPv4 header after a change */
static void ip4_recsum(uint8_t *p)
{
	size_t hl = (size_t)(p[0] & 15) * 4;

	if (hl < 20)
		hl = 20;
	put16(p + 10, 0);
	put16(p + 10, csum_fold(csum_add(0, p, hl)));
}

/*
 * A chain of IPv6 extension headers at @p ending in @proto; sets *@first
 * to the chain's first next header value.  Returns its length.
 */
static size_t ip6_exthdrs(uint8_t *p, int proto, uint8_t *first, int odd)
{
	int n = 1 + (int)rnd(3), i;
	size_t len = 0;
	uint8_t *prev_nh = first;

	for (i = 0; i < n; i++) {
		uint8_t type, *h = p + len;
		size_t hl = 8 * (1 + rnd(2));

		switch (rnd(6)) {
		case 0: type = i == 0 || odd ? 0 : 60; break;	/* hop-by-hop */
		case 1: case 2: type = 60; break;		/* dest opts */
		case 3: type = 43; break;			/* routing */
		case 4: type = 44; hl = 8; break;		/* fragment */
		default: type = odd ? (uint8_t)rnd64() : 60; break;
		}
		*prev_nh = type;
		prev_nh = h;
		memset(h, 0, hl);
		h[1] = (uint8_t)(hl / 8 - 1);
		if (type == 44) {
			/* an atomic fragment: offset 0, no more */
			put32(h + 4, (uint32_t)rnd64());
		} else if (type == 43) {
			h[2] = (uint8_t)(odd ? rnd(5) : rnd(2) ? 0 : 4);
			h[3] = 0;	/* segments left 0: ignored */
			if (odd)
				h[3] = (uint8_t)rnd(3);
		} else if (type == 0 || type == 60) {
			/* options: PadN, router alert, unknown (skip or drop) */
			size_t o = 2;

			while (o < hl) {
				size_t room = hl - o;

				if (room >= 4 && chance(30)) {
					h[o] = type == 0 && chance(50) ? 5 :
						(uint8_t)(rnd(2) ? 0x1e : 0x3e);
					if (odd && chance(30))
						h[o] = (uint8_t)rnd64();
					h[o + 1] = 2;
					o += 4;
				} else if (room >= 2) {
					h[o] = 1;	/* PadN */
					h[o + 1] = (uint8_t)(room - 2);
					if (odd && chance(20))
						h[o + 1] = (uint8_t)rnd64();
					o = hl;
				} else {
					h[o++] = 0;	/* Pad1 */
				}
			}
		} else {
			rnd_bytes(h + 2, hl - 2);
		}
		if (odd && chance(15))
			h[1] = (uint8_t)rnd64();	/* length past the packet */
		len += hl;
	}
	*prev_nh = (uint8_t)proto;
	return len;
}

static size_t ip6_header(uint8_t *p, const struct addr *s, const struct addr *d,
			 uint8_t nh, size_t plen)
{
	put32(p, 6u << 28);
	put16(p + 4, (uint16_t)plen);
	p[6] = nh;
	p[7] = 64;
	memcpy(p + 8, s->a, 16);
	memcpy(p + 24, d->a, 16);
	return 40;
}

/* ---- sending ----------------------------------------------------------------- */

static void send_ip(struct link *l, const uint8_t *ip, size_t len)
{
	uint8_t f[FRAME_MAX + 64];
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = l->ifindex,
		.sll_halen = 6,
	};

	if (len > IP_MAX)
		len = IP_MAX;
	memcpy(f, l->dmac, 6);
	memcpy(f + 6, l->smac, 6);
	put16(f + 12, (ip[0] >> 4) == 6 ? ETH_P_IPV6 : ETH_P_IP);
	if (len && (ip[0] >> 4) != 4 && (ip[0] >> 4) != 6)
		put16(f + 12, chance(50) ? ETH_P_IPV6 : ETH_P_IP);
	memcpy(f + 14, ip, len);
	memcpy(sll.sll_addr, l->dmac, 6);
	/* (frames below the Ethernet minimum are padded on the wire) */
	if (sendto(l->fd, f, 14 + len, 0, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		nerr++;
	else
		nsent++;
}

/* ---- the kinds of packets -------------------------------------------------------- */

enum kind {
	K_VALID, K_SOUP, K_BADSUM, K_TRUNC, K_LENGTHS, K_IPOPT, K_EXTHDR,
	K_FRAG, K_ICMP, K_ICMP_GARBAGE, K_ICMP_TUNNEL, K_NKINDS
};

static const char *const kind_names[K_NKINDS] = {
	"valid", "soup", "badsum", "trunc", "lengths", "ipopt", "exthdr",
	"frag", "icmp", "icmp-garbage", "icmp-tunnel",
};

/* weights in percent */
static const int kind_weight[K_NKINDS] = {
	30, 12, 6, 6, 6, 5, 6, 10, 9, 7, 3,
};

static long kind_count[K_NKINDS];

static void pool_addr(struct addr *a, int v6, uint32_t i)
{
	*a = v6 ? pool6 : pool4;
	a->a[v6 ? 15 : 3] += (uint8_t)i;
}

/* a tuple of the target: source and destination as the link sends them */
struct tuple {
	struct addr s, d;
	uint16_t sport, dport;
};

static void target_tuple(const struct target *t, struct tuple *u,
			 uint32_t ai, uint32_t pi)
{
	struct addr c;

	pool_addr(&c, t->addr.v6, ai);
	if (t->l->client) {
		u->s = c;
		u->d = t->addr;
		u->sport = (uint16_t)(POOL_PORT0 + pi);
		u->dport = t->port;
	} else {
		u->s = t->addr;
		u->d = c;
		u->sport = t->port;
		u->dport = (uint16_t)(POOL_PORT0 + pi);
	}
}

/* an IP packet of @proto carrying @l4, sent whole over @l */
static void send_l4(struct link *l, const struct tuple *u, int proto,
		    const uint8_t *l4, size_t len)
{
	uint8_t ip[IP_MAX + 64];
	size_t hl;

	if (len > IP_MAX - 40)
		len = IP_MAX - 40;
	if (u->s.v6)
		hl = ip6_header(ip, &u->s, &u->d, (uint8_t)proto, len);
	else
		hl = ip4_header(ip, &u->s, &u->d, proto, len, 0x4000,
				(uint16_t)rnd64(), 0);
	memcpy(ip + hl, l4, len);
	send_ip(l, ip, hl + len);
}

/* lengths: the packet as built, then a length field made wrong */
static void send_lengths(struct link *l, const struct tuple *u, int proto,
			 uint8_t *l4, size_t len)
{
	uint8_t ip[IP_MAX + 64];
	size_t hl, sendlen;
	uint16_t v;

	switch (rnd(3)) {
	case 0:		/* the transport's own length fields */
		if (proto == P_UDP) {
			static const uint16_t lens[] = { 0, 1, 7, 9, 65535 };

			v = rnd(2) ? lens[rnd(5)] : (uint16_t)(len + 1 + rnd(100));
			put16(l4 + 4, v);
			if (chance(50))
				put16(l4 + 6, l4_csum(&u->s, &u->d, proto, l4, len));
		} else if (proto == P_SCTP && len >= 16) {
			put16(l4 + 14, (uint16_t)(rnd(2) ? rnd(4) : rnd64()));
			sctp_csum(l4, len);
		} else if (proto == P_TCP) {
			l4[12] = (uint8_t)(15 << 4);	/* 60-byte header */
			put16(l4 + 16, 0);
			put16(l4 + 16, l4_csum(&u->s, &u->d, proto, l4, len));
		}
		send_l4(l, u, proto, l4, len);
		return;
	case 1:		/* the IP length: 0, short, long, huge */
		if (u->s.v6) {
			hl = ip6_header(ip, &u->s, &u->d, (uint8_t)proto, len);
			v = rnd(3) == 0 ? 0 : rnd(2) ? (uint16_t)(len + 1 + rnd(64)) :
				(uint16_t)rnd(len + 1);
			put16(ip + 4, v);
		} else {
			hl = ip4_header(ip, &u->s, &u->d, proto, len, 0,
					(uint16_t)rnd64(), 0);
			v = rnd(3) == 0 ? (uint16_t)rnd(20) : rnd(2) ?
				(uint16_t)(hl + len + 1 + rnd(64)) :
				(uint16_t)(20 + rnd(len + 1));
			if (chance(20))
				v = 65535;
			put16(ip + 2, v);
			ip4_recsum(ip);
		}
		break;
	default:	/* IPv4: the IHL, the version, a bad header checksum */
		if (u->s.v6) {
			hl = ip6_header(ip, &u->s, &u->d, (uint8_t)proto, len);
			if (rnd(2))
				ip[0] = (uint8_t)(rnd(16) << 4);
			else
				ip[7] = (uint8_t)rnd(2);	/* hop limit 0, 1 */
		} else {
			hl = ip4_header(ip, &u->s, &u->d, proto, len, 0,
					(uint16_t)rnd64(), 0);
			switch (rnd(4)) {
			case 0: ip[0] = 0x40 | (uint8_t)rnd(16); break;
			case 1: ip[0] = (uint8_t)(rnd(16) << 4) | 5; break;
			case 2: ip[8] = (uint8_t)rnd(2); break;	/* TTL 0, 1 */
			default: ip[6] |= 0x80; break;		/* evil bit */
			}
			ip4_recsum(ip);
			if (chance(30))
				ip[10] ^= 0x40;
		}
		break;
	}
	memcpy(ip + hl, l4, len);
	sendlen = hl + len;
	if (chance(30)) {	/* trailing garbage beyond the IP length */
		size_t n = rnd(40);

		rnd_bytes(ip + sendlen, n);
		sendlen += n;
	}
	send_ip(l, ip, sendlen);
}

static void send_ipopt(struct link *l, const struct tuple *u, int proto,
		       const uint8_t *l4, size_t len)
{
	uint8_t ip[IP_MAX + 64];
	size_t hl;

	if (u->s.v6) {
		uint8_t nh;

		hl = ip6_exthdrs(ip + 40, proto, &nh, 0);
		ip6_header(ip, &u->s, &u->d, nh, hl + len);
		hl += 40;
	} else {
		hl = ip4_header(ip, &u->s, &u->d, proto, len, 0,
				(uint16_t)rnd64(), 1);
	}
	memcpy(ip + hl, l4, len);
	send_ip(l, ip, hl + len);
}

static void send_exthdr(struct link *l, const struct tuple *u, int proto,
			const uint8_t *l4, size_t len)
{
	uint8_t ip[IP_MAX + 64];
	size_t hl;
	uint8_t nh;

	if (!u->s.v6) {
		send_ipopt(l, u, proto, l4, len);
		return;
	}
	hl = ip6_exthdrs(ip + 40, proto, &nh, 1);
	if (chance(10))
		nh = 59;	/* no next header, with data after it */
	ip6_header(ip, &u->s, &u->d, nh, hl + len);
	memcpy(ip + 40 + hl, l4, len);
	send_ip(l, ip, 40 + hl + len);
}

/*
 * @l4 in fragments: tiny first ones, out of order, overlapping, duplicated,
 * with a hole, or ending beyond 64 KiB
 */
static void send_frags(struct link *l, const struct tuple *u, int proto,
		       const uint8_t *l4, size_t len)
{
	struct { size_t off, len; int more; } fr[12];
	uint8_t ip[IP_MAX + 64];
	uint32_t id = (uint32_t)rnd64();
	size_t off = 0;
	int n = 0, i, order[12];
	int hole = chance(12), overlap = chance(15), dup = chance(10);
	int tiny = chance(25), huge = chance(6);

	/* pieces: multiples of 8 but the last one */
	while (off < len && n < 10) {
		size_t piece = tiny && n == 0 ? 8 : 8 * (1 + rnd(40));

		if (piece >= len - off)
			piece = len - off;
		fr[n].off = off;
		fr[n].len = piece;
		fr[n].more = 1;
		off += piece;
		n++;
	}
	if (!n)
		return;
	fr[n - 1].len += len - off;
	fr[n - 1].more = 0;
	if (overlap && n < 12) {
		fr[n] = fr[rnd(n)];
		fr[n].off = fr[n].off >= 8 ? fr[n].off - 8 : fr[n].off + 8;
		if (fr[n].off + fr[n].len > len)
			fr[n].len = len - fr[n].off;
		fr[n].more = fr[n].off + fr[n].len < len;
		n++;
	}
	if (dup && n < 12) {
		fr[n] = fr[rnd(n)];
		n++;
	}
	for (i = 0; i < n; i++)
		order[i] = i;
	if (chance(40)) {	/* out of order */
		for (i = n - 1; i > 0; i--) {
			int j = (int)rnd(i + 1), t = order[i];

			order[i] = order[j];
			order[j] = t;
		}
	}
	for (i = 0; i < n; i++) {
		size_t o = fr[order[i]].off, fl = fr[order[i]].len, hl, src;
		int more = fr[order[i]].more;

		if (hole && order[i] == n / 2 && n > 1)
			continue;
		if (huge && !more)
			o = 65528 - (rnd(2) ? 0 : 8);
		if (u->s.v6) {
			uint8_t *fh = ip + 40;

			ip6_header(ip, &u->s, &u->d, 44, 8 + fl);
			fh[0] = (uint8_t)proto;
			fh[1] = 0;
			put16(fh + 2, (uint16_t)((o & ~7u) | (more ? 1 : 0)));
			put32(fh + 4, id);
			hl = 48;
		} else {
			hl = ip4_header(ip, &u->s, &u->d, proto, fl,
					(uint16_t)((more ? 0x2000 : 0) | (o / 8 & 0x1fff)),
					(uint16_t)id, 0);
		}
		src = o < len ? o : 0;
		if (src + fl > len)
			fl = len - src;
		memcpy(ip + hl, l4 + src, fl);
		if (u->s.v6)
			put16(ip + 4, (uint16_t)(8 + fl));
		else {
			put16(ip + 2, (uint16_t)(hl + fl));
			ip4_recsum(ip);
		}
		send_ip(l, ip, hl + fl);
	}
}

/*
 * An ICMP(v6) message (mostly errors, of types drawn here) from @s to @d
 * quoting @inner (@ilen bytes, an IP packet); with @garbage its type or
 * checksum may be wrong.
 */
static void send_icmp(struct link *l, const struct addr *s, const struct addr *d,
		      const uint8_t *inner, size_t ilen, int garbage)
{
	static const uint16_t mtus[] = { 0, 68, 576, 1000, 1280, 1500, 65535 };
	uint8_t ip[IP_MAX + 64], *ic;
	size_t hl = s->v6 ? 40 : 20, len;

	ic = ip + hl;
	memset(ic, 0, 8);
	if (s->v6) {
		static const uint8_t types[] = { 1, 1, 1, 2, 2, 3, 4, 128, 129, 135 };

		ic[0] = types[rnd(sizeof(types))];
		ic[1] = (uint8_t)(ic[0] == 1 ? rnd(7) : rnd(3));
		if (ic[0] == 2)
			put32(ic + 4, chance(70) ? mtus[rnd(7)] : (uint32_t)rnd64());
		if (ic[0] == 4)
			put32(ic + 4, rnd(2) ? rnd(48) : (uint32_t)rnd64());
	} else {
		static const uint8_t types[] = { 3, 3, 3, 3, 11, 12, 4, 5, 0, 8 };

		ic[0] = types[rnd(sizeof(types))];
		ic[1] = (uint8_t)(ic[0] == 3 ? rnd(16) : rnd(2));
		if (ic[0] == 3 && chance(40)) {
			ic[1] = 4;	/* fragmentation needed */
			put16(ic + 6, chance(70) ? mtus[rnd(7)] : (uint16_t)rnd64());
		}
		if (ic[0] == 12)
			ic[4] = (uint8_t)rnd(40);
	}
	if (garbage && chance(10))
		ic[0] = (uint8_t)rnd64();
	if (ilen > IP_MAX - hl - 8)
		ilen = IP_MAX - hl - 8;
	memcpy(ic + 8, inner, ilen);
	len = 8 + ilen;
	if (s->v6) {
		ip6_header(ip, s, d, P_ICMP6, len);
		put16(ic + 2, l4_csum(s, d, P_ICMP6, ic, len));
	} else {
		ip4_header(ip, s, d, P_ICMP, len, 0, (uint16_t)rnd64(), 0);
		put16(ic + 2, csum_fold(csum_add(0, ic, len)));
	}
	if (garbage && chance(10))
		ic[2] ^= 1;
	send_ip(l, ip, hl + len);
}

/*
 * The inner packet of an error about @u: the packet @u's destination would
 * have sent to its source (the answer of a connection), as much of it as
 * an error quotes.
 */
static size_t quoted_packet(uint8_t *q, const struct tuple *u, int proto,
			    int rs_side, int garbage)
{
	uint8_t l4[IP_MAX];
	size_t hl, len;

	len = build_l4(l4, proto, L4_VALID, !rs_side, &u->d, &u->s,
		       u->dport, u->sport);
	if (u->s.v6) {
		uint8_t nh = (uint8_t)proto;

		hl = 40;
		if (garbage && chance(25))
			hl += ip6_exthdrs(q + 40, proto, &nh, 1);
		ip6_header(q, &u->d, &u->s, nh, hl - 40 + len);
	} else {
		hl = ip4_header(q, &u->d, &u->s, proto, len, 0,
				(uint16_t)rnd64(), garbage && chance(20));
	}
	memcpy(q + hl, l4, len);
	len += hl;
	if (!garbage)
		return chance(50) ? hl + 8 : len;
	switch (rnd(8)) {
	case 0:		/* cut anywhere, even inside the IP header */
		return rnd(hl + 8);
	case 1:		/* a fragment that is not the first */
		if (!u->s.v6) {
			put16(q + 6, (uint16_t)(1 + rnd(100)));
			ip4_recsum(q);
		}
		break;
	case 2:		/* another protocol, or an ICMP error in an error */
		if (rnd(2)) {
			q[u->s.v6 ? 6 : 9] = u->s.v6 ? P_ICMP6 : P_ICMP;
			q[hl] = u->s.v6 ? 1 : 3;
		} else {
			q[u->s.v6 ? 6 : 9] = (uint8_t)rnd64();
		}
		if (!u->s.v6)
			ip4_recsum(q);
		break;
	case 3:		/* a wrong IHL or version */
		q[0] = (uint8_t)rnd64();
		break;
	case 4:		/* garbage after the IP header */
		rnd_bytes(q + hl, len - hl);
		break;
	case 5:		/* all garbage */
		rnd_bytes(q, len);
		break;
	case 6:		/* lengths */
		put16(q + (u->s.v6 ? 4 : 2), (uint16_t)rnd64());
		break;
	default:	/* a quoted source that is not the tuple's */
		q[u->s.v6 ? 23 : 15] ^= (uint8_t)(1 + rnd(255));
		break;
	}
	return chance(50) ? hl + 8 : len;
}

static const struct target *other_target(int v6, int client)
{
	int n = 0, i, k;

	for (i = 0; i < ntargets; i++)
		n += targets[i].addr.v6 == v6 && targets[i].l->client == client;
	if (!n)
		return NULL;
	k = (int)rnd(n);
	for (i = 0; i < ntargets; i++)
		if (targets[i].addr.v6 == v6 && targets[i].l->client == client && !k--)
			return &targets[i];
	return NULL;
}

/*
 * From a realserver link: an error to the director about one of its
 * tunnel packets (outer: director -> realserver, IPIP, IPv6-in-IPv6 or
 * GRE; inner: a pool client -> a virtual service).
 */
static int send_icmp_tunnel(const struct target *t)
{
	const struct target *v = other_target(t->addr.v6, 1);
	const struct addr *dir = t->addr.v6 ? &dir6 : &dir4;
	uint8_t q[IP_MAX], l4[IP_MAX];
	struct tuple u;
	size_t ohl, ihl, len, glen = 0;
	int outer;

	if (!v || !(t->addr.v6 ? have_dir6 : have_dir4))
		return 0;
	target_tuple(v, &u, rnd(POOL_ADDRS), rnd(POOL_PORTS));
	len = build_l4(l4, v->proto, L4_VALID, 0, &u.s, &u.d, u.sport, u.dport);
	outer = rnd(3) == 0 ? 47 : t->addr.v6 ? 41 : 4;
	if (chance(20))
		outer = (int)rnd(256);
	ohl = t->addr.v6 ? 40 : 20;
	if (outer == 47) {
		memset(q + ohl, 0, 8);
		put16(q + ohl + 2, t->addr.v6 ? ETH_P_IPV6 : ETH_P_IP);
		glen = 4;
		if (chance(40)) {
			q[ohl] = 0x80;	/* with a checksum */
			glen = 8;
		}
	}
	if (t->addr.v6) {
		ip6_header(q + ohl + glen, &u.s, &u.d, (uint8_t)v->proto, len);
		ihl = 40;
		ip6_header(q, dir, &t->addr, (uint8_t)outer, glen + ihl + len);
	} else {
		ihl = ip4_header(q + ohl + glen, &u.s, &u.d, v->proto, len, 0,
				 (uint16_t)rnd64(), 0);
		ip4_header(q, dir, &t->addr, outer, glen + ihl + len, 0x4000,
			   (uint16_t)rnd64(), 0);
	}
	memcpy(q + ohl + glen + ihl, l4, len);
	len += ohl + glen + ihl;
	switch (rnd(4)) {
	case 0:
		len = rnd(len + 1);
		break;
	case 1:
		len = ohl + glen + ihl + 8;
		break;
	}
	send_icmp(t->l, &t->addr, dir, q, len, chance(20));
	return 1;
}

static void send_one(const struct target *t)
{
	int rs_side = !t->l->client, proto = t->proto;
	uint8_t l4[IP_MAX + 64], q[IP_MAX];
	uint32_t w = rnd(100), acc = 0;
	enum kind k = K_VALID;
	struct tuple u;
	size_t len;

	for (int i = 0; i < K_NKINDS; i++) {
		acc += (uint32_t)kind_weight[i];
		if (w < acc) {
			k = (enum kind)i;
			break;
		}
	}
	target_tuple(t, &u, rnd(POOL_ADDRS), rnd(POOL_PORTS));
	switch (k) {
	case K_VALID:
	case K_SOUP:
	case K_BADSUM:
	case K_TRUNC:
		len = build_l4(l4, proto, k == K_SOUP ? L4_SOUP : L4_VALID,
			       rs_side, &u.s, &u.d, u.sport, u.dport);
		if (k == K_BADSUM)
			break_csum(l4, proto, len);
		if (k == K_TRUNC) {
			size_t min = proto == P_UDP ? 8 : proto == P_SCTP ? 16 : 20;

			len = rnd(min);
			if (chance(50))
				len = rnd(len + 1);
		}
		send_l4(t->l, &u, proto, l4, len);
		break;
	case K_LENGTHS:
		len = build_l4(l4, proto, L4_VALID, rs_side, &u.s, &u.d,
			       u.sport, u.dport);
		send_lengths(t->l, &u, proto, l4, len);
		break;
	case K_IPOPT:
	case K_EXTHDR:
		len = build_l4(l4, proto, chance(70) ? L4_VALID : L4_SOUP,
			       rs_side, &u.s, &u.d, u.sport, u.dport);
		if (k == K_IPOPT)
			send_ipopt(t->l, &u, proto, l4, len);
		else
			send_exthdr(t->l, &u, proto, l4, len);
		break;
	case K_FRAG:
		len = build_l4(l4, proto, chance(70) ? L4_VALID : L4_SOUP,
			       rs_side, &u.s, &u.d, u.sport, u.dport);
		if (len < 64 && chance(70)) {
			/* more to cut: data after the header, checksum again */
			size_t n = 64 + rnd(1200);

			if (proto == P_SCTP) {
				len += sctp_chunk(l4 + len, SC_DATA, 0);
				sctp_csum(l4, len);
			} else {
				rnd_bytes(l4 + len, n);
				len += n;
				if (proto == P_UDP)
					put16(l4 + 4, (uint16_t)len);
				put16(l4 + (proto == P_TCP ? 16 : 6), 0);
				put16(l4 + (proto == P_TCP ? 16 : 6),
				      l4_csum(&u.s, &u.d, proto, l4, len));
			}
		}
		send_frags(t->l, &u, proto, l4, len);
		break;
	case K_ICMP_TUNNEL:
		if (rs_side && send_icmp_tunnel(t))
			break;
		k = K_ICMP_GARBAGE;
		/* fall through */
	case K_ICMP:
	case K_ICMP_GARBAGE:
		len = quoted_packet(q, &u, proto, rs_side, k == K_ICMP_GARBAGE);
		send_icmp(t->l, &u.s, &u.d, q, len, k == K_ICMP_GARBAGE);
		break;
	default:
		break;
	}
	kind_count[k]++;
}

/* cleanup: ACK then RST (TCP) or ABORT (SCTP) for every tuple */
static void cleanup_tuple(const struct target *t, const struct tuple *u)
{
	uint8_t l4[64];

	if (t->proto == P_TCP) {
		static const uint8_t flags[] = { TH_ACK, TH_RST };

		for (int i = 0; i < 2; i++) {
			memset(l4, 0, 20);
			put16(l4, u->sport);
			put16(l4 + 2, u->dport);
			put32(l4 + 4, tuple_seq(u->sport, u->dport) + 1);
			put32(l4 + 8, flags[i] == TH_ACK ? tuple_seq(u->dport, u->sport) + 1 : 0);
			l4[12] = 5 << 4;
			l4[13] = flags[i];
			put16(l4 + 14, flags[i] == TH_ACK ? 29200 : 0);
			put16(l4 + 16, l4_csum(&u->s, &u->d, P_TCP, l4, 20));
			send_l4(t->l, u, P_TCP, l4, 20);
		}
	} else if (t->proto == P_SCTP) {
		memset(l4, 0, 16);
		put16(l4, u->sport);
		put16(l4 + 2, u->dport);
		put32(l4 + 4, tuple_seq(u->sport, u->dport));
		l4[12] = SC_ABORT;
		l4[13] = 1;	/* T: the tag is the sender's own */
		put16(l4 + 14, 4);
		sctp_csum(l4, 16);
		send_l4(t->l, u, P_SCTP, l4, 16);
	}
}

static void cleanup(void)
{
	for (int i = 0; i < ntargets; i++) {
		const struct target *t = &targets[i];
		struct tuple u;

		if (!t->l->client)
			continue;
		for (uint32_t a = 0; a < POOL_ADDRS; a++)
			for (uint32_t p = 0; p < POOL_PORTS; p++) {
				target_tuple(t, &u, a, p);
				cleanup_tuple(t, &u);
			}
		for (int x = 0; x < nextra; x++) {
			if (extra_addr[x].v6 != t->addr.v6)
				continue;
			target_tuple(t, &u, 0, 0);
			u.s = extra_addr[x];
			u.sport = extra_port[x];
			cleanup_tuple(t, &u);
		}
	}
}

/* ---- arguments ------------------------------------------------------------------ */

static int parse_addr(const char *s, struct addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->a) == 1)
		return 0;
	a->v6 = 1;
	return inet_pton(AF_INET6, s, a->a) == 1 ? 0 : -1;
}

static void open_link(const char *spec, int client)
{
	char buf[256], *eq, *ns, *dev, *mac, path[300];
	struct link *l = &links[nlinks];
	struct ifreq ifr;
	int nsfd;

	if (nlinks == MAX_LINKS || strlen(spec) >= sizeof(buf))
		usage();
	strcpy(buf, spec);
	eq = strchr(buf, '=');
	if (!eq)
		usage();
	*eq = '\0';
	ns = strtok(eq + 1, ",");
	dev = strtok(NULL, ",");
	mac = strtok(NULL, ",");
	if (!ns || !dev || !mac || strlen(buf) >= sizeof(l->name) ||
	    strlen(dev) >= IFNAMSIZ ||
	    sscanf(mac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &l->dmac[0], &l->dmac[1],
		   &l->dmac[2], &l->dmac[3], &l->dmac[4], &l->dmac[5]) != 6)
		usage();
	strcpy(l->name, buf);
	l->client = client;
	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	nsfd = open(path, O_RDONLY);
	if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0) {
		fprintf(stderr, "xvs-pktfuzz: netns %s: %s\n", ns, strerror(errno));
		exit(1);
	}
	close(nsfd);
	l->fd = socket(AF_PACKET, SOCK_RAW, 0);
	l->ifindex = (int)if_nametoindex(dev);
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, dev);
	if (l->fd < 0 || !l->ifindex || ioctl(l->fd, SIOCGIFHWADDR, &ifr) < 0) {
		fprintf(stderr, "xvs-pktfuzz: %s in %s: %s\n", dev, ns, strerror(errno));
		exit(1);
	}
	memcpy(l->smac, ifr.ifr_hwaddr.sa_data, 6);
	nlinks++;
}

static void parse_target(const char *spec)
{
	char buf[256], *link, *proto, *addr, *port, *end;
	struct target *t = &targets[ntargets];
	long p;
	int i;

	if (ntargets == MAX_TARGETS || strlen(spec) >= sizeof(buf))
		usage();
	strcpy(buf, spec);
	link = strtok(buf, "/");
	proto = strtok(NULL, "/");
	addr = strtok(NULL, "/");
	port = strtok(NULL, "/");
	if (!link || !proto || !addr || !port)
		usage();
	for (i = 0; i < nlinks && strcmp(links[i].name, link); i++)
		;
	if (i == nlinks) {
		fprintf(stderr, "xvs-pktfuzz: no link '%s'\n", link);
		exit(2);
	}
	t->l = &links[i];
	t->proto = !strcmp(proto, "tcp") ? P_TCP : !strcmp(proto, "udp") ? P_UDP :
		   !strcmp(proto, "sctp") ? P_SCTP : 0;
	p = strtol(port, &end, 10);
	if (!t->proto || parse_addr(addr, &t->addr) || *end || p < 1 || p > 65535)
		usage();
	if (t->addr.v6 ? !have_pool6 : !have_pool4) {
		fprintf(stderr, "xvs-pktfuzz: %s: no client pool of its family\n", spec);
		exit(2);
	}
	t->port = (uint16_t)p;
	ntargets++;
}

int main(int argc, char **argv)
{
	unsigned long long seed = 1;
	long count = 1000, i;
	int opt, clean = 0;
	char *slash;

	while ((opt = getopt(argc, argv, "s:n:ka:A:d:D:x:c:r:")) != -1) {
		switch (opt) {
		case 's': seed = strtoull(optarg, NULL, 10); break;
		case 'n': count = atol(optarg); break;
		case 'k': clean = 1; break;
		case 'a':
			if (parse_addr(optarg, &pool4) || pool4.v6)
				usage();
			have_pool4 = 1;
			break;
		case 'A':
			if (parse_addr(optarg, &pool6) || !pool6.v6)
				usage();
			have_pool6 = 1;
			break;
		case 'd':
			if (parse_addr(optarg, &dir4) || dir4.v6)
				usage();
			have_dir4 = 1;
			break;
		case 'D':
			if (parse_addr(optarg, &dir6) || !dir6.v6)
				usage();
			have_dir6 = 1;
			break;
		case 'x':
			slash = strrchr(optarg, '/');
			if (!slash || nextra == 32)
				usage();
			*slash = '\0';
			if (parse_addr(optarg, &extra_addr[nextra]))
				usage();
			extra_port[nextra++] = (uint16_t)atoi(slash + 1);
			break;
		case 'c':
		case 'r':
			open_link(optarg, opt == 'c');
			break;
		default:
			usage();
		}
	}
	for (; optind < argc; optind++)
		parse_target(argv[optind]);
	if (!ntargets || count < 0)
		usage();
	crc32c_init();
	rng_state = seed;
	if (clean) {
		cleanup();
		printf("sent %ld (cleanup)\n", nsent);
		return nerr ? 1 : 0;
	}
	for (i = 0; i < count; i++)
		send_one(&targets[rnd(ntargets)]);
	printf("sent %ld:", nsent);
	for (i = 0; i < K_NKINDS; i++)
		printf(" %s %ld", kind_names[i], kind_count[i]);
	printf("\n");
	if (nerr)
		fprintf(stderr, "xvs-pktfuzz: %ld frames not sent\n", nerr);
	return nerr ? 1 : 0;
}
