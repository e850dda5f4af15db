// SPDX-License-Identifier: GPL-2.0
/*
 * xvs-pkt: the packet tools of the QEMU scenarios (stress, fragments,
 * scheduler comparisons), one binary with subcommands:
 *
 *   get [-s SRC] [-p SPORT] [-u PATH] [-c] DST DPORT
 *	one HTTP/1.0 request over TCP from SRC:SPORT (defaults: the kernel's
 *	choice); prints the second word of the first "realserver " line of
 *	the answer (the realserver's name), or with -c the number of body
 *	bytes received; ERR when the connection or the answer fails (10 s).
 *   syn [-r] [-b BASE] DST DPORT COUNT
 *	COUNT TCP SYNs from COUNT different sources (BASE, default
 *	10.0.0.1, counting up; source ports counting up from 1024), through
 *	a raw socket; with -r each is followed by the RST that closes it.
 *   bad DST DPORT
 *	malformed and unusual packets to DST: truncated TCP/UDP/ICMP
 *	headers, bad data offsets, unknown protocols, tiny and overlapping
 *	fragments, a fragment chain with a hole.  Prints how many it sent.
 *   udp [-s SRC] [-p SPORT] [-t SECONDS] DST DPORT SIZE
 *	one UDP datagram of SIZE bytes (fragmented by the kernel when larger
 *	than the path MTU); waits for the echo and prints "ok N" when the
 *	same N bytes came back (after the "realserver NAME\n" tag of a named
 *	echo server, then printed as "NAME N"), else ERR.
 *   udpecho [-b ADDR] PORT [NAME]
 *	a UDP echo server (runs until killed), bound to ADDR (default: any);
 *	with NAME each answer starts with the line "realserver NAME".
 *   icmperr [-6] [-T TYPE] [-C CODE] PROTO VIP VPORT CLIENT CPORT
 *	one ICMP (with -6 ICMPv6) error to VIP, sent through a raw socket
 *	from the address routing picks, quoting the start of a packet
 *	VIP:VPORT -> CLIENT:CPORT of PROTO (tcp, udp or sctp): its IP(v6)
 *	header and the first 8 bytes of its transport header.  TYPE and
 *	CODE default to port unreachable (3/3, ICMPv6 1/4).
 *
 * Exit status 0 on success, 1 on a failure it reports, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static void usage(void)
{
	fprintf(stderr,
		"usage: xvs-pkt get [-s SRC] [-p SPORT] [-u PATH] [-c] DST DPORT\n"
		"       xvs-pkt syn [-r] [-b BASE] DST DPORT COUNT\n"
		"       xvs-pkt bad DST DPORT\n"
		"       xvs-pkt udp [-s SRC] [-p SPORT] [-t SECONDS] DST DPORT SIZE\n"
		"       xvs-pkt udpecho [-b ADDR] PORT [NAME]\n"
		"       xvs-pkt icmperr [-6] [-T TYPE] [-C CODE] PROTO VIP VPORT CLIENT CPORT\n");
	exit(2);
}

static struct in_addr parse_addr(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1) {
		fprintf(stderr, "xvs-pkt: bad IPv4 address '%s'\n", s);
		exit(2);
	}
	return a;
}

static long parse_num(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < lo || v > hi) {
		fprintf(stderr, "xvs-pkt: bad number '%s' (%ld..%ld)\n", s, lo, hi);
		exit(2);
	}
	return v;
}

static void set_timeouts(int fd, int seconds)
{
	struct timeval tv = { .tv_sec = seconds };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* Binds @fd to @src:@sport when either is given. */
static int bind_source(int fd, const char *src, int sport)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int one = 1;

	if (!src && !sport)
		return 0;
	if (src)
		sa.sin_addr = parse_addr(src);
	sa.sin_port = htons(sport);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	return bind(fd, (struct sockaddr *)&sa, sizeof(sa));
}

/* ---- get ------------------------------------------------------------------ */

static int cmd_get(int argc, char **argv)
{
	const char *src = NULL, *path = "/";
	int sport = 0, count = 0, opt, fd;
	struct sockaddr_in dst = { .sin_family = AF_INET };
	static char buf[1 << 20];
	size_t len = 0;
	char req[512];
	ssize_t n;

	while ((opt = getopt(argc, argv, "s:p:u:c")) != -1) {
		switch (opt) {
		case 's': src = optarg; break;
		case 'p': sport = parse_num(optarg, 1, 65535); break;
		case 'u': path = optarg; break;
		case 'c': count = 1; break;
		default: usage();
		}
	}
	if (argc - optind != 2 || strlen(path) > 400)
		usage();
	dst.sin_addr = parse_addr(argv[optind]);
	dst.sin_port = htons(parse_num(argv[optind + 1], 1, 65535));

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || bind_source(fd, src, sport) < 0)
		goto err;
	set_timeouts(fd, 10);
	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0)
		goto err;
	snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\n\r\n", path);
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req))
		goto err;
	/*
	 * Close our side first, as HTTP/1.0 clients may: we then hold the
	 * TIME_WAIT, and a FIN the server retransmits on a slow host is
	 * acknowledged.  Closed second, we would answer it with a reset,
	 * which moves the balancer's entry to CLOSE (10 s) and out of the
	 * connection counts the schedulers read, at a time only the host's
	 * load decides.
	 */
	if (shutdown(fd, SHUT_WR) < 0)
		goto err;
	while (len < sizeof(buf) - 1 &&
	       (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	if (n < 0 && len < sizeof(buf) - 1)
		goto err;
	close(fd);
	buf[len] = '\0';
	if (count) {
		char *body = strstr(buf, "\r\n\r\n");

		if (!body || strncmp(buf, "HTTP/1.", 7))
			goto err_closed;
		printf("%zu\n", len - (size_t)(body + 4 - buf));
		return 0;
	}
	for (char *line = buf; line; line = strchr(line, '\n')) {
		char name[64];

		if (*line == '\n')
			line++;
		if (sscanf(line, "realserver %63s", name) == 1) {
			printf("%s\n", name);
			return 0;
		}
	}
	goto err_closed;
err:
	if (fd >= 0)
		close(fd);
err_closed:
	printf("ERR\n");
	return 1;
}

/* ---- raw packets ------------------------------------------------------------ */

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

/* Transport checksum over the IPv4 pseudo header and @len bytes. */
static uint16_t l4_csum(uint32_t saddr, uint32_t daddr, uint8_t proto,
			const void *l4, size_t len)
{
	uint8_t pseudo[12];
	uint32_t sum;

	memcpy(pseudo, &saddr, 4);
	memcpy(pseudo + 4, &daddr, 4);
	pseudo[8] = 0;
	pseudo[9] = proto;
	pseudo[10] = len >> 8;
	pseudo[11] = len & 0xff;
	sum = csum_add(0, pseudo, sizeof(pseudo));
	return htons(csum_fold(csum_add(sum, l4, len)));
}

struct raw {
	int fd;
	struct sockaddr_in dst;
	long sent;
};

static void raw_open(struct raw *r, struct in_addr dst)
{
	int one = 1;

	r->fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (r->fd < 0 ||
	    setsockopt(r->fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)) < 0) {
		perror("xvs-pkt: raw socket");
		exit(1);
	}
	memset(&r->dst, 0, sizeof(r->dst));
	r->dst.sin_family = AF_INET;
	r->dst.sin_addr = dst;
	r->sent = 0;
}

/*
 * Sends an IPv4 packet: header fields as given, @payload after a 20-byte
 * header; tot_len is the real length unless @tot_len is non-zero.
 */
static void raw_send(struct raw *r, uint32_t saddr, uint8_t proto,
		     uint16_t id, uint16_t frag, const void *payload,
		     size_t len, uint16_t tot_len)
{
	uint8_t pkt[2048];
	struct iphdr *ip = (struct iphdr *)pkt;

	if (len > sizeof(pkt) - sizeof(*ip))
		return;
	memset(ip, 0, sizeof(*ip));
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = proto;
	ip->id = htons(id);
	ip->frag_off = htons(frag);
	ip->saddr = saddr;
	ip->daddr = r->dst.sin_addr.s_addr;
	ip->tot_len = htons(tot_len ? tot_len : sizeof(*ip) + len);
	memcpy(pkt + sizeof(*ip), payload, len);
	/* (the kernel fills in the header checksum of IP_HDRINCL packets) */
	if (sendto(r->fd, pkt, sizeof(*ip) + len, 0,
		   (struct sockaddr *)&r->dst, sizeof(r->dst)) >= 0)
		r->sent++;
}

struct tcp_hdr {
	uint16_t source, dest;
	uint32_t seq, ack_seq;
	uint8_t doff_res;		/* data offset in the high nibble */
	uint8_t flags;
	uint16_t window, check, urg_ptr;
};

#define TH_FIN	0x01
#define TH_SYN	0x02
#define TH_RST	0x04
#define TH_ACK	0x10

static void send_tcp(struct raw *r, uint32_t saddr, uint16_t sport,
		     uint16_t dport, uint32_t seq, uint8_t flags)
{
	struct tcp_hdr th = {
		.source = htons(sport),
		.dest = htons(dport),
		.seq = htonl(seq),
		.doff_res = 5 << 4,
		.flags = flags,
		.window = htons(8192),
	};

	th.check = l4_csum(saddr, r->dst.sin_addr.s_addr, IPPROTO_TCP,
			   &th, sizeof(th));
	raw_send(r, saddr, IPPROTO_TCP, (uint16_t)seq, 0, &th, sizeof(th), 0);
}

static int cmd_syn(int argc, char **argv)
{
	struct in_addr base = { .s_addr = htonl(0x0a000001) };
	int rst = 0, opt;
	long count, i;
	uint16_t dport;
	struct raw r;

	while ((opt = getopt(argc, argv, "rb:")) != -1) {
		switch (opt) {
		case 'r': rst = 1; break;
		case 'b': base = parse_addr(optarg); break;
		default: usage();
		}
	}
	if (argc - optind != 3)
		usage();
	raw_open(&r, parse_addr(argv[optind]));
	dport = parse_num(argv[optind + 1], 1, 65535);
	count = parse_num(argv[optind + 2], 1, 10000000);
	for (i = 0; i < count; i++) {
		uint32_t saddr = htonl(ntohl(base.s_addr) + (uint32_t)i);
		uint16_t sport = 1024 + (uint16_t)(i % 60000);
		uint32_t seq = 0x10000000u + (uint32_t)i * 7919u;

		send_tcp(&r, saddr, sport, dport, seq, TH_SYN);
		if (rst)
			send_tcp(&r, saddr, sport, dport, seq + 1, TH_RST);
	}
	printf("sent %ld\n", r.sent);
	return r.sent ? 0 : 1;
}

static int cmd_bad(int argc, char **argv)
{
	uint8_t buf[1500];
	struct tcp_hdr th;
	uint32_t saddr;
	uint16_t dport;
	struct raw r;
	int proto, i;

	if (argc != 3)
		usage();
	raw_open(&r, parse_addr(argv[1]));
	dport = parse_num(argv[2], 1, 65535);
	/* a source of the client's own subnet would do; any works here */
	saddr = htonl(0x0a630001);	/* 10.99.0.1 */
	memset(buf, 0xa5, sizeof(buf));

	/* Transport headers cut short, for TCP, UDP, ICMP, SCTP. */
	for (proto = 0; proto < 4; proto++) {
		static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP,
						  IPPROTO_ICMP, 132 };
		for (i = 0; i < 20; i++)
			raw_send(&r, saddr, protos[proto], 100 + i, 0, buf, i, 0);
	}
	/* TCP with data offsets below 5 and beyond the packet. */
	for (i = 0; i < 16; i++) {
		memset(&th, 0, sizeof(th));
		th.source = htons(40000 + i);
		th.dest = htons(dport);
		th.doff_res = (uint8_t)(i << 4);
		th.flags = TH_SYN;
		raw_send(&r, saddr, IPPROTO_TCP, 200 + i, 0, &th, sizeof(th), 0);
	}
	/* A well-formed SYN header for the fragment cases below. */
	memset(&th, 0, sizeof(th));
	th.source = htons(41000);
	th.dest = htons(dport);
	th.doff_res = 5 << 4;
	th.flags = TH_SYN;
	/* Unknown and unusual protocols, with and without payload. */
	for (proto = 0; proto < 256; proto++) {
		if (proto == IPPROTO_TCP || proto == IPPROTO_UDP)
			continue;
		raw_send(&r, saddr, proto, 400 + proto, 0, buf, proto % 64, 0);
	}
	/* A first fragment shorter than a TCP header, then the rest. */
	memcpy(buf, &th, sizeof(th));
	raw_send(&r, saddr, IPPROTO_TCP, 1000, IP_MF, buf, 8, 0);
	raw_send(&r, saddr, IPPROTO_TCP, 1000, 1, buf + 8, 12, 0);
	/* Overlapping fragments. */
	raw_send(&r, saddr, IPPROTO_UDP, 1001, IP_MF, buf, 64, 0);
	raw_send(&r, saddr, IPPROTO_UDP, 1001, 4, buf, 64, 0);
	/* A chain with a hole: never completes, must expire. */
	raw_send(&r, saddr, IPPROTO_UDP, 1002, IP_MF, buf, 64, 0);
	raw_send(&r, saddr, IPPROTO_UDP, 1002, 16, buf, 64, 0);
	/* A lone last fragment, and a fragment reaching past 64 KiB. */
	raw_send(&r, saddr, IPPROTO_UDP, 1003, 100, buf, 64, 0);
	raw_send(&r, saddr, IPPROTO_UDP, 1004, IP_MF | 8189, buf, 64, 0);
	raw_send(&r, saddr, IPPROTO_UDP, 1004, 8190, buf, 64, 0);
	/* Fragments of an unknown protocol. */
	raw_send(&r, saddr, 253, 1005, IP_MF, buf, 64, 0);
	raw_send(&r, saddr, 253, 1005, 8, buf, 64, 0);
	printf("sent %ld\n", r.sent);
	return r.sent ? 0 : 1;
}

/* ---- UDP ------------------------------------------------------------------ */

static int cmd_udp(int argc, char **argv)
{
	const char *src = NULL;
	struct sockaddr_in dst = { .sin_family = AF_INET };
	static uint8_t out[65535], in[65536];
	int seconds = 3, sport = 0, opt, fd = -1, i;
	char name[64] = "ok";
	size_t skip = 0;
	long size;
	ssize_t n;

	while ((opt = getopt(argc, argv, "s:p:t:")) != -1) {
		switch (opt) {
		case 's': src = optarg; break;
		case 'p': sport = parse_num(optarg, 1, 65535); break;
		case 't': seconds = parse_num(optarg, 1, 60); break;
		default: usage();
		}
	}
	if (argc - optind != 3)
		usage();
	dst.sin_addr = parse_addr(argv[optind]);
	dst.sin_port = htons(parse_num(argv[optind + 1], 1, 65535));
	size = parse_num(argv[optind + 2], 1, 65507);
	for (i = 0; i < size; i++)
		out[i] = (uint8_t)(i * 31 + 7);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind_source(fd, src, sport) < 0 ||
	    connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0)
		goto err;
	set_timeouts(fd, seconds);
	if (send(fd, out, size, 0) != size)
		goto err;
	n = recv(fd, in, sizeof(in) - 1, 0);
	if (n < 0)
		goto err;
	in[n] = '\0';
	if (!strncmp((char *)in, "realserver ", 11)) {
		char *nl = strchr((char *)in, '\n');

		if (!nl || sscanf((char *)in, "realserver %63s", name) != 1)
			goto err;
		skip = (size_t)(nl + 1 - (char *)in);
	}
	if ((size_t)n - skip != (size_t)size || memcmp(in + skip, out, size))
		goto err;
	printf("%s %ld\n", name, size);
	close(fd);
	return 0;
err:
	printf("ERR\n");
	if (fd >= 0)
		close(fd);
	return 1;
}

static int cmd_udpecho(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	static uint8_t buf[65536 + 80];
	size_t tag = 0;
	socklen_t slen;
	int fd, opt;

	while ((opt = getopt(argc, argv, "b:")) != -1) {
		if (opt != 'b')
			usage();
		sa.sin_addr = parse_addr(optarg);
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc != 2 && argc != 3)
		usage();
	if (argc == 3) {
		if (strlen(argv[2]) > 60)
			usage();
		tag = (size_t)sprintf((char *)buf, "realserver %s\n", argv[2]);
	}
	sa.sin_port = htons(parse_num(argv[1], 1, 65535));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("xvs-pkt: udpecho");
		return 1;
	}
	for (;;) {
		ssize_t n;

		slen = sizeof(sa);
		n = recvfrom(fd, buf + tag, 65536, 0, (struct sockaddr *)&sa, &slen);
		if (n >= 0 && (size_t)n + tag <= 65507)
			sendto(fd, buf, (size_t)n + tag, 0, (struct sockaddr *)&sa, slen);
	}
}

/* ---- icmperr ---------------------------------------------------------------- */

/*
 * The 8 bytes of the quoted transport header: the ports, then what the
 * protocol has there (UDP length and no checksum, a TCP sequence number,
 * an SCTP verification tag).
 */
static void quote_l4(uint8_t *l4, int proto, uint16_t vport, uint16_t cport)
{
	uint16_t sport = htons(vport), dport = htons(cport);
	uint32_t word = htonl(0x1c0ffee1);

	memcpy(l4, &sport, 2);
	memcpy(l4 + 2, &dport, 2);
	if (proto == IPPROTO_UDP)
		word = htonl(64u << 16);	/* length 64, checksum 0 */
	memcpy(l4 + 4, &word, 4);
}

static int quote_proto(const char *name)
{
	if (!strcmp(name, "tcp"))
		return IPPROTO_TCP;
	if (!strcmp(name, "udp"))
		return IPPROTO_UDP;
	if (!strcmp(name, "sctp"))
		return IPPROTO_SCTP;
	fprintf(stderr, "xvs-pkt: bad protocol '%s' (tcp, udp, sctp)\n", name);
	exit(2);
}

static int icmperr4(int type, int code, int proto, const char *vip,
		    uint16_t vport, const char *client, uint16_t cport)
{
	struct sockaddr_in dst = { .sin_family = AF_INET };
	uint8_t pkt[8 + 20 + 8];
	struct iphdr *quoted = (struct iphdr *)(pkt + 8);
	struct icmphdr *icmp = (struct icmphdr *)pkt;
	uint16_t check;
	int fd;

	dst.sin_addr = parse_addr(vip);
	memset(pkt, 0, sizeof(pkt));
	icmp->type = type;
	icmp->code = code;
	quoted->version = 4;
	quoted->ihl = 5;
	quoted->ttl = 64;
	quoted->protocol = proto;
	quoted->id = htons(0x4242);
	quoted->tot_len = htons(20 + 64);
	quoted->saddr = dst.sin_addr.s_addr;
	quoted->daddr = parse_addr(client).s_addr;
	/* the quoted header's own checksum, as its sender computed it */
	quoted->check = htons(csum_fold(csum_add(0, quoted, 20)));
	quote_l4(pkt + 8 + 20, proto, vport, cport);
	/* a raw ICMP socket leaves the ICMP checksum to the sender */
	check = htons(csum_fold(csum_add(0, pkt, sizeof(pkt))));
	memcpy(&icmp->checksum, &check, 2);
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (fd < 0) {
		perror("xvs-pkt: raw ICMP socket");
		return 1;
	}
	if (sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&dst,
		   sizeof(dst)) != (ssize_t)sizeof(pkt)) {
		perror("xvs-pkt: sendto");
		close(fd);
		return 1;
	}
	close(fd);
	printf("sent 1\n");
	return 0;
}

static int icmperr6(int type, int code, int proto, const char *vip,
		    uint16_t vport, const char *client, uint16_t cport)
{
	struct sockaddr_in6 dst = { .sin6_family = AF_INET6 };
	uint8_t pkt[8 + 40 + 8];
	struct ip6_hdr *quoted = (struct ip6_hdr *)(pkt + 8);
	int fd;

	memset(pkt, 0, sizeof(pkt));
	if (inet_pton(AF_INET6, vip, &dst.sin6_addr) != 1 ||
	    inet_pton(AF_INET6, client, &quoted->ip6_dst) != 1) {
		fprintf(stderr, "xvs-pkt: bad IPv6 address\n");
		return 2;
	}
	pkt[0] = type;
	pkt[1] = code;
	quoted->ip6_flow = htonl(6u << 28);
	quoted->ip6_plen = htons(64);
	quoted->ip6_nxt = proto;
	quoted->ip6_hlim = 64;
	quoted->ip6_src = dst.sin6_addr;
	quote_l4(pkt + 8 + 40, proto, vport, cport);
	/* (the kernel computes the checksum of every ICMPv6 raw packet) */
	fd = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	if (fd < 0) {
		perror("xvs-pkt: raw ICMPv6 socket");
		return 1;
	}
	if (sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&dst,
		   sizeof(dst)) != (ssize_t)sizeof(pkt)) {
		perror("xvs-pkt: sendto");
		close(fd);
		return 1;
	}
	close(fd);
	printf("sent 1\n");
	return 0;
}

static int cmd_icmperr(int argc, char **argv)
{
	int v6 = 0, type = -1, code = -1, proto, opt;
	uint16_t vport, cport;

	while ((opt = getopt(argc, argv, "6T:C:")) != -1) {
		switch (opt) {
		case '6': v6 = 1; break;
		case 'T': type = parse_num(optarg, 0, 255); break;
		case 'C': code = parse_num(optarg, 0, 255); break;
		default: usage();
		}
	}
	if (argc - optind != 5)
		usage();
	proto = quote_proto(argv[optind]);
	vport = parse_num(argv[optind + 2], 1, 65535);
	cport = parse_num(argv[optind + 4], 1, 65535);
	if (type < 0)
		type = v6 ? ICMP6_DST_UNREACH : ICMP_DEST_UNREACH;
	if (code < 0)
		code = v6 ? ICMP6_DST_UNREACH_NOPORT : ICMP_PORT_UNREACH;
	if (v6)
		return icmperr6(type, code, proto, argv[optind + 1], vport,
				argv[optind + 3], cport);
	return icmperr4(type, code, proto, argv[optind + 1], vport,
			argv[optind + 3], cport);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "get"))
		return cmd_get(argc - 1, argv + 1);
	if (!strcmp(argv[1], "syn"))
		return cmd_syn(argc - 1, argv + 1);
	if (!strcmp(argv[1], "bad"))
		return cmd_bad(argc - 1, argv + 1);
	if (!strcmp(argv[1], "udp"))
		return cmd_udp(argc - 1, argv + 1);
	if (!strcmp(argv[1], "udpecho"))
		return cmd_udpecho(argc - 1, argv + 1);
	if (!strcmp(argv[1], "icmperr"))
		return cmd_icmperr(argc - 1, argv + 1);
	usage();
	return 2;
}
