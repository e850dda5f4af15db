// SPDX-License-Identifier: GPL-2.0
/*
 * xvs-sctp: SCTP client and server for the balancing labs (one-to-one
 * style sockets, SOCK_STREAM/IPPROTO_SCTP; libc only, no libsctp).
 *
 *   server [-b ADDR] [-6] PORT NAME
 *	listens on PORT (on ADDR only with -b, which keeps the association
 *	single-homed; IPv6 with -6 or an IPv6 ADDR) and answers each
 *	association's first message with "NAME PEER\n", PEER being the
 *	client address it sees; then waits for the client to close.  Runs
 *	until killed; one process per association.
 *   client [-t SECONDS] [-H SECONDS] HOST PORT
 *	opens an association to HOST:PORT, sends "hello\n", prints the
 *	answer line, keeps the association for -H seconds (default 0) and
 *	closes it (SHUTDOWN).  -t bounds the wait for the answer (default 5).
 *   chunk [-s SPORT] DST DPORT TYPE
 *	sends one SCTP packet (raw socket, correct CRC32c) from SPORT
 *	(default 40000) to DST:DPORT whose only chunk is TYPE: init,
 *	heartbeat, data or abort (a well-formed chunk of that type, with
 *	made-up tags and TSNs); nothing is awaited.
 *   sniff [-t SECONDS] IFACE
 *	for SECONDS (default 10), or until SIGTERM, checks the CRC32c of
 *	every SCTP-in-IPv4 packet IFACE receives (not those it sends: a
 *	local sender may leave the CRC to offload) and prints "ok N bad M".
 *
 * Exit status 0 on success, 1 on a failure it reports, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <time.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef IPPROTO_SCTP
#define IPPROTO_SCTP 132
#endif

static int usage(void)
{
	fprintf(stderr,
		"usage: xvs-sctp server [-b ADDR] [-6] PORT NAME\n"
		"       xvs-sctp client [-t SECONDS] [-H SECONDS] HOST PORT\n"
		"       xvs-sctp chunk [-s SPORT] DST DPORT init|heartbeat|data|abort\n"
		"       xvs-sctp sniff [-t SECONDS] IFACE\n");
	return 2;
}

static int parse_port(const char *s, unsigned short *port)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v <= 0 || v > 65535)
		return -1;
	*port = (unsigned short)v;
	return 0;
}

/* ADDR (IPv4 or IPv6, NULL: the wildcard of 'family') and port. */
static int make_addr(const char *addr, int family, unsigned short port,
		     struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (addr && inet_pton(AF_INET, addr, &sin->sin_addr) == 1)
		family = AF_INET;
	else if (addr && inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1)
		family = AF_INET6;
	else if (addr)
		return -1;
	if (family == AF_INET6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		if (!addr)
			sin6->sin6_addr = in6addr_any;
		*len = sizeof(*sin6);
	} else {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		if (!addr)
			sin->sin_addr.s_addr = htonl(INADDR_ANY);
		*len = sizeof(*sin);
	}
	return 0;
}

static void addr_text(const struct sockaddr_storage *ss, char *buf,
		      size_t len)
{
	const void *a = ss->ss_family == AF_INET6 ?
		(const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr :
		(const void *)&((const struct sockaddr_in *)ss)->sin_addr;

	if (!inet_ntop(ss->ss_family, a, buf, len))
		snprintf(buf, len, "?");
}

/* One association: answer the first message, then wait for the close. */
static void serve(int fd, const char *name)
{
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	char buf[512], peer_text[INET6_ADDRSTRLEN], answer[600];
	ssize_t n;
	int len;

	if (getpeername(fd, (struct sockaddr *)&peer, &plen) < 0)
		snprintf(peer_text, sizeof(peer_text), "?");
	else
		addr_text(&peer, peer_text, sizeof(peer_text));
	n = recv(fd, buf, sizeof(buf), 0);
	if (n <= 0)
		return;
	len = snprintf(answer, sizeof(answer), "%s %s\n", name, peer_text);
	if (send(fd, answer, (size_t)len, 0) != len)
		return;
	/* Let the client shut the association down. */
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
		;
}

static int run_server(int argc, char **argv)
{
	const char *bind_addr = NULL;
	struct sockaddr_storage ss;
	socklen_t len;
	unsigned short port;
	int family = AF_INET, opt, fd, one = 1;

	while ((opt = getopt(argc, argv, "b:6")) != -1) {
		switch (opt) {
		case 'b':
			bind_addr = optarg;
			break;
		case '6':
			family = AF_INET6;
			break;
		default:
			return usage();
		}
	}
	if (argc - optind != 2 || parse_port(argv[optind], &port))
		return usage();
	if (make_addr(bind_addr, family, port, &ss, &len)) {
		fprintf(stderr, "xvs-sctp: bad address %s\n", bind_addr);
		return 2;
	}
	fd = socket(ss.ss_family, SOCK_STREAM, IPPROTO_SCTP);
	if (fd < 0) {
		perror("xvs-sctp: socket");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 64) < 0) {
		perror("xvs-sctp: bind/listen");
		return 1;
	}
	/* Children are not waited for. */
	signal(SIGCHLD, SIG_IGN);
	for (;;) {
		int c = accept(fd, NULL, NULL);
		pid_t pid;

		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			perror("xvs-sctp: accept");
			return 1;
		}
		pid = fork();
		if (pid == 0) {
			close(fd);
			serve(c, argv[optind + 1]);
			close(c);
			_exit(0);
		}
		if (pid < 0)
			perror("xvs-sctp: fork");
		close(c);
	}
}

static int run_client(int argc, char **argv)
{
	struct sockaddr_storage ss;
	struct timeval tv = { .tv_sec = 5 };
	socklen_t len;
	unsigned short port;
	unsigned int hold = 0;
	char buf[600];
	ssize_t n;
	size_t got = 0;
	int opt, fd;

	while ((opt = getopt(argc, argv, "t:H:")) != -1) {
		switch (opt) {
		case 't':
			tv.tv_sec = atoi(optarg);
			break;
		case 'H':
			hold = (unsigned int)atoi(optarg);
			break;
		default:
			return usage();
		}
	}
	if (argc - optind != 2 || parse_port(argv[optind + 1], &port) ||
	    tv.tv_sec <= 0)
		return usage();
	if (make_addr(argv[optind], AF_INET, port, &ss, &len)) {
		fprintf(stderr, "xvs-sctp: bad address %s\n", argv[optind]);
		return 2;
	}
	/* The whole exchange is bounded, the connect included. */
	alarm((unsigned int)tv.tv_sec + hold + 5);
	fd = socket(ss.ss_family, SOCK_STREAM, IPPROTO_SCTP);
	if (fd < 0) {
		perror("xvs-sctp: socket");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
		perror("xvs-sctp: connect");
		return 1;
	}
	if (send(fd, "hello\n", 6, 0) != 6) {
		perror("xvs-sctp: send");
		return 1;
	}
	/* One message is expected, but take what comes up to the newline. */
	while (got < sizeof(buf) - 1) {
		n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
		if (memchr(buf, '\n', got))
			break;
	}
	if (!got) {
		fprintf(stderr, "xvs-sctp: no answer\n");
		return 1;
	}
	buf[got] = '\0';
	fputs(buf, stdout);
	if (buf[got - 1] != '\n')
		putchar('\n');
	fflush(stdout);
	if (hold)
		sleep(hold);
	close(fd);
	return 0;
}

/* CRC32c (Castagnoli, reflected polynomial 0x82f63b78), bitwise. */
static uint32_t crc32c(uint32_t crc, const unsigned char *p, size_t len)
{
	int k;

	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82f63b78U & -(crc & 1));
	}
	return crc;
}

/* 1: SCTP packet with a good CRC, 0: bad CRC, -1: not SCTP/IPv4. */
static int sctp_crc_ok(unsigned char *pkt, size_t len)
{
	size_t ihl, off;
	uint32_t stored, crc;

	if (len < 20 || (pkt[0] >> 4) != 4 || pkt[9] != IPPROTO_SCTP)
		return -1;
	/* Only whole first fragments hold a whole SCTP packet. */
	if ((pkt[6] & 0x3f) || pkt[7])
		return -1;
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	if (len > (size_t)((pkt[2] << 8) | pkt[3]))
		len = (size_t)((pkt[2] << 8) | pkt[3]);
	if (ihl < 20 || len < ihl + 12)
		return -1;
	off = ihl + 8;
	stored = (uint32_t)pkt[off] | (uint32_t)pkt[off + 1] << 8 |
		 (uint32_t)pkt[off + 2] << 16 | (uint32_t)pkt[off + 3] << 24;
	memset(pkt + off, 0, 4);
	crc = ~crc32c(~0U, pkt + ihl, len - ihl);
	return crc == stored;
}

static void put16(unsigned char *p, unsigned int v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static void put32(unsigned char *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* Writes the chunk TYPE at p; returns its length (padded), 0: unknown. */
static size_t make_chunk(unsigned char *p, const char *type)
{
	memset(p, 0, 32);
	if (!strcmp(type, "init")) {
		p[0] = 1;
		put16(p + 2, 20);
		put32(p + 4, 0x1234567);	/* initiate tag */
		put32(p + 8, 65536);		/* a_rwnd */
		put16(p + 12, 10);		/* outbound streams */
		put16(p + 14, 10);		/* inbound streams */
		put32(p + 16, 1000);		/* initial TSN */
		return 20;
	}
	if (!strcmp(type, "heartbeat")) {
		p[0] = 4;
		put16(p + 2, 12);
		put16(p + 4, 1);		/* heartbeat info */
		put16(p + 6, 8);
		put32(p + 8, 0xcafe);
		return 12;
	}
	if (!strcmp(type, "data")) {
		p[0] = 0;
		p[1] = 3;			/* beginning and end */
		put16(p + 2, 20);
		put32(p + 4, 1000);		/* TSN */
		memcpy(p + 16, "abcd", 4);
		return 20;
	}
	if (!strcmp(type, "abort")) {
		p[0] = 6;
		put16(p + 2, 4);
		return 4;
	}
	return 0;
}

static int run_chunk(int argc, char **argv)
{
	struct sockaddr_storage ss;
	unsigned char pkt[64];
	unsigned short sport = 40000, dport;
	socklen_t len;
	size_t clen;
	uint32_t crc;
	int opt, fd;

	while ((opt = getopt(argc, argv, "s:")) != -1) {
		switch (opt) {
		case 's':
			if (parse_port(optarg, &sport))
				return usage();
			break;
		default:
			return usage();
		}
	}
	if (argc - optind != 3 || parse_port(argv[optind + 1], &dport))
		return usage();
	if (make_addr(argv[optind], AF_INET, 0, &ss, &len) ||
	    ss.ss_family != AF_INET) {
		fprintf(stderr, "xvs-sctp: bad IPv4 address %s\n", argv[optind]);
		return 2;
	}
	clen = make_chunk(pkt + 12, argv[optind + 2]);
	if (!clen)
		return usage();
	put16(pkt, sport);
	put16(pkt + 2, dport);
	/* The verification tag of an INIT is 0; others: any made-up one. */
	put32(pkt + 4, pkt[12] == 1 ? 0 : 0x7654321);
	memset(pkt + 8, 0, 4);
	crc = ~crc32c(~0U, pkt, 12 + clen);
	pkt[8] = (unsigned char)crc;
	pkt[9] = (unsigned char)(crc >> 8);
	pkt[10] = (unsigned char)(crc >> 16);
	pkt[11] = (unsigned char)(crc >> 24);
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_SCTP);
	if (fd < 0) {
		perror("xvs-sctp: raw socket");
		return 1;
	}
	if (sendto(fd, pkt, 12 + clen, 0, (struct sockaddr *)&ss, len) < 0) {
		perror("xvs-sctp: sendto");
		return 1;
	}
	return 0;
}

static volatile sig_atomic_t sniff_stop;

static void on_term(int sig)
{
	(void)sig;
	sniff_stop = 1;
}

static int run_sniff(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_term };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	unsigned char buf[65536];
	unsigned long ok = 0, bad = 0;
	int opt, fd, seconds = 10;
	time_t end;

	while ((opt = getopt(argc, argv, "t:")) != -1) {
		switch (opt) {
		case 't':
			seconds = atoi(optarg);
			break;
		default:
			return usage();
		}
	}
	if (argc - optind != 1 || seconds <= 0)
		return usage();
	sll.sll_protocol = htons(ETH_P_IP);
	sll.sll_ifindex = (int)if_nametoindex(argv[optind]);
	if (!sll.sll_ifindex) {
		fprintf(stderr, "xvs-sctp: no interface %s\n", argv[optind]);
		return 1;
	}
	fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		perror("xvs-sctp: packet socket");
		return 1;
	}
	/* No SA_RESTART: SIGTERM interrupts the poll. */
	sigaction(SIGTERM, &sa, NULL);
	end = time(NULL) + seconds;
	while (!sniff_stop) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct sockaddr_ll from;
		socklen_t flen = sizeof(from);
		time_t now = time(NULL);
		ssize_t n;
		int r;

		if (now >= end)
			break;
		if (poll(&pfd, 1, (int)(end - now) * 1000) <= 0)
			continue;
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
			     &flen);
		if (n <= 0 || from.sll_pkttype == PACKET_OUTGOING)
			continue;
		r = sctp_crc_ok(buf, (size_t)n);
		if (r == 1)
			ok++;
		else if (r == 0)
			bad++;
	}
	printf("ok %lu bad %lu\n", ok, bad);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "server"))
		return run_server(argc - 1, argv + 1);
	if (!strcmp(argv[1], "client"))
		return run_client(argc - 1, argv + 1);
	if (!strcmp(argv[1], "chunk"))
		return run_chunk(argc - 1, argv + 1);
	if (!strcmp(argv[1], "sniff"))
		return run_sniff(argc - 1, argv + 1);
	return usage();
}
