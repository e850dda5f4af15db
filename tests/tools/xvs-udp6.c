// SPDX-License-Identifier: GPL-2.0
/*
 * xvs-udp6: UDP over IPv6 (or IPv4) for the QEMU scenarios; busybox's nc
 * speaks no UDP.
 *
 *   serve PORT NAME
 *	answers every datagram to PORT (any address, both families) with
 *	"realserver NAME\n", to its sender, from the address it was sent to
 *	(a virtual address for direct routing and tunnels); runs until killed.
 *   ask [-p SPORT] [-t SECONDS] [-s SIZE] ADDR PORT
 *	sends one datagram ("hello\n", or SIZE bytes: over the path MTU the
 *	kernel sends it in fragments) from a connected socket (source port
 *	SPORT, else the kernel's choice) and prints the NAME of the answer,
 *	"refused"
 *	when an ICMP(v6) port unreachable came back for the socket's own
 *	addresses and ports, or ERR after SECONDS (default 3) of silence.
 *
 * Exit status 0 when it printed a name, 1 otherwise, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void usage(void)
{
	fprintf(stderr, "usage: xvs-udp6 serve PORT NAME\n"
			"       xvs-udp6 ask [-p SPORT] [-t SECONDS] [-s SIZE] ADDR PORT\n");
	exit(2);
}

static int parse_port(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < 0 || v > 65535)
		usage();
	return (int)v;
}

/*
 * The destination address of a received datagram, turned into the source
 * address of the answer (any interface: the route decides).
 */
static void answer_from(struct msghdr *msg)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo *pi = (void *)CMSG_DATA(c);

			pi->ipi6_ifindex = 0;
		} else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo *pi = (void *)CMSG_DATA(c);

			pi->ipi_spec_dst = pi->ipi_addr;
			pi->ipi_ifindex = 0;
		}
	}
}

static int serve(int port, const char *name)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	char buf[2048], answer[256];
	int fd, off = 0, on = 1, len;

	len = snprintf(answer, sizeof(answer), "realserver %s\n", name);
	if (len < 0 || len >= (int)sizeof(answer))
		usage();
	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd < 0 || setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off,
				 sizeof(off)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on)) ||
	    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on))) {
		perror("xvs-udp6: socket");
		return 1;
	}
	sin6.sin6_port = htons(port);
	if (bind(fd, (struct sockaddr *)&sin6, sizeof(sin6))) {
		perror("xvs-udp6: bind");
		return 1;
	}
	for (;;) {
		struct sockaddr_storage from;
		union {
			char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
				 CMSG_SPACE(sizeof(struct in_pktinfo))];
			struct cmsghdr align;
		} control;
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr msg = {
			.msg_name = &from, .msg_namelen = sizeof(from),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = control.buf,
			.msg_controllen = sizeof(control.buf),
		};

		if (recvmsg(fd, &msg, 0) < 0) {
			if (errno == EINTR)
				continue;
			perror("xvs-udp6: recvmsg");
			return 1;
		}
		answer_from(&msg);
		iov.iov_base = answer;
		iov.iov_len = len;
		sendmsg(fd, &msg, 0);
	}
}

static int ask(const char *addr, const char *port, int sport, int secs,
	       size_t size)
{
	static char payload[65000];
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *ai;
	struct pollfd pfd;
	char buf[512], name[256];
	ssize_t n;
	int fd;

	if (getaddrinfo(addr, port, &hints, &ai)) {
		fprintf(stderr, "xvs-udp6: bad address %s port %s\n", addr, port);
		return 2;
	}
	fd = socket(ai->ai_family, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("xvs-udp6: socket");
		return 1;
	}
	if (sport) {
		struct sockaddr_storage local;

		memset(&local, 0, sizeof(local));
		local.ss_family = ai->ai_family;
		if (ai->ai_family == AF_INET6)
			((struct sockaddr_in6 *)&local)->sin6_port = htons(sport);
		else
			((struct sockaddr_in *)&local)->sin_port = htons(sport);
		if (bind(fd, (struct sockaddr *)&local, ai->ai_addrlen)) {
			perror("xvs-udp6: bind");
			return 1;
		}
	}
	memset(payload, 'x', size);
	memcpy(payload, "hello\n", 6);
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) ||
	    send(fd, payload, size, 0) != (ssize_t)size) {
		perror("xvs-udp6: send");
		return 1;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, secs * 1000) <= 0) {
		puts("ERR");
		return 1;
	}
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	if (n < 0) {
		puts(errno == ECONNREFUSED ? "refused" : "ERR");
		return 1;
	}
	buf[n] = 0;
	if (sscanf(buf, "realserver %255s", name) != 1) {
		puts("ERR");
		return 1;
	}
	puts(name);
	return 0;
}

int main(int argc, char **argv)
{
	int sport = 0, secs = 3, c;
	size_t size = 6;

	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "serve")) {
		if (argc != 4)
			usage();
		return serve(parse_port(argv[2]), argv[3]);
	}
	if (strcmp(argv[1], "ask"))
		usage();
	optind = 2;
	while ((c = getopt(argc, argv, "p:t:s:")) != -1) {
		if (c == 'p') {
			sport = parse_port(optarg);
		} else if (c == 't') {
			secs = parse_port(optarg);
		} else if (c == 's') {
			/* at least the greeting, at most what one datagram takes */
			size = strtoul(optarg, NULL, 10);
			if (size < 6 || size > 65000)
				usage();
		} else {
			usage();
		}
	}
	if (argc - optind != 2)
		usage();
	parse_port(argv[optind + 1]);
	return ask(argv[optind], argv[optind + 1], sport, secs, size);
}
