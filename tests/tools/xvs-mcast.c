// SPDX-License-Identifier: GPL-2.0
/*
 * xvs-mcast: records and replays the multicast datagrams of IPVS's
 * connection synchronisation, so that one director's messages can be fed
 * to another (the kernel's ip_vs and xvs cannot be loaded together).
 *
 *   record [-t SECONDS] [-n COUNT] IFACE GROUP PORT FILE
 *	joins GROUP (IPv4 or IPv6) on IFACE, listens on PORT (sharing it
 *	with a backup daemon) and appends each datagram to FILE as a 4-byte
 *	big-endian length and the bytes; stops after COUNT datagrams or
 *	SECONDS (default 10).  Prints the number recorded.
 *   replay [-g] IFACE GROUP PORT FILE
 *	sends the datagrams of FILE, in order, to GROUP:PORT out of IFACE
 *	(TTL 1, 50 ms apart).  With -g each datagram is preceded by broken
 *	copies of it: truncated at several lengths, with a wrong size field,
 *	a wrong version or syncid, bytes flipped and an entry size pointing
 *	past the end.  Prints the number of datagrams sent.
 *   dump FILE
 *	prints the datagrams of FILE in hex, one per line.
 *
 * Exit status 0 on success, 1 on a failure it reports, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_DGRAM 65536

struct group_addr {
	int family;
	struct sockaddr_storage ss;
	socklen_t len;
};

static int usage(void)
{
	fprintf(stderr,
		"usage: xvs-mcast record [-t SECONDS] [-n COUNT] IFACE GROUP PORT FILE\n"
		"       xvs-mcast replay [-g] IFACE GROUP PORT FILE\n"
		"       xvs-mcast dump FILE\n");
	return 2;
}

static int parse_group(const char *group, const char *port,
		       struct group_addr *g)
{
	char *end;
	long p = strtol(port, &end, 10);

	if (*end || p <= 0 || p > 65535) {
		fprintf(stderr, "bad port %s\n", port);
		return -1;
	}
	memset(g, 0, sizeof(*g));
	struct sockaddr_in *sin = (struct sockaddr_in *)&g->ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&g->ss;

	if (inet_pton(AF_INET, group, &sin->sin_addr) == 1) {
		g->family = AF_INET;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)p);
		g->len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, group, &sin6->sin6_addr) == 1) {
		g->family = AF_INET6;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)p);
		g->len = sizeof(*sin6);
	} else {
		fprintf(stderr, "bad group address %s\n", group);
		return -1;
	}
	return 0;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmd_record(int argc, char **argv)
{
	double seconds = 10;
	long count = -1;
	int opt;

	while ((opt = getopt(argc, argv, "t:n:")) != -1) {
		switch (opt) {
		case 't':
			seconds = atof(optarg);
			break;
		case 'n':
			count = atol(optarg);
			break;
		default:
			return usage();
		}
	}
	if (argc - optind != 4)
		return usage();
	const char *ifname = argv[optind], *file = argv[optind + 3];
	struct group_addr g;

	if (parse_group(argv[optind + 1], argv[optind + 2], &g))
		return 2;
	unsigned int ifindex = if_nametoindex(ifname);

	if (!ifindex) {
		fprintf(stderr, "no interface %s\n", ifname);
		return 1;
	}
	int fd = socket(g.family, SOCK_DGRAM, 0), one = 1;

	if (fd < 0) {
		perror("socket");
		return 1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
		       strlen(ifname) + 1) ||
	    bind(fd, (struct sockaddr *)&g.ss, g.len)) {
		perror("record: socket setup");
		return 1;
	}
	int rc;

	if (g.family == AF_INET) {
		struct ip_mreqn mreq = { .imr_ifindex = (int)ifindex };

		mreq.imr_multiaddr = ((struct sockaddr_in *)&g.ss)->sin_addr;
		rc = setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq,
				sizeof(mreq));
	} else {
		struct ipv6_mreq mreq = { .ipv6mr_interface = ifindex };

		mreq.ipv6mr_multiaddr = ((struct sockaddr_in6 *)&g.ss)->sin6_addr;
		rc = setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mreq,
				sizeof(mreq));
	}
	if (rc) {
		perror("record: join group");
		return 1;
	}
	FILE *out = fopen(file, "wb");

	if (!out) {
		perror(file);
		return 1;
	}
	static unsigned char buf[MAX_DGRAM];
	double deadline = now_seconds() + seconds;
	long n = 0;

	while (count < 0 || n < count) {
		double left = deadline - now_seconds();

		if (left <= 0)
			break;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (poll(&pfd, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		ssize_t len = recv(fd, buf, sizeof(buf), 0);

		if (len < 0) {
			if (errno == EINTR)
				continue;
			perror("recv");
			return 1;
		}
		unsigned char hdr[4] = { (unsigned char)(len >> 24),
					 (unsigned char)(len >> 16),
					 (unsigned char)(len >> 8),
					 (unsigned char)len };

		if (fwrite(hdr, 4, 1, out) != 1 ||
		    (len && fwrite(buf, (size_t)len, 1, out) != 1)) {
			perror(file);
			return 1;
		}
		fflush(out);
		n++;
	}
	if (fclose(out)) {
		perror(file);
		return 1;
	}
	printf("%ld\n", n);
	return 0;
}

/* Reads the next datagram of f into buf; 1 done, 0 end of file, -1 error. */
static int read_record(FILE *f, unsigned char *buf, size_t *len)
{
	unsigned char hdr[4];
	size_t got = fread(hdr, 1, 4, f);

	if (got == 0)
		return 0;
	if (got != 4)
		return -1;
	*len = (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 |
	       (size_t)hdr[2] << 8 | hdr[3];
	if (*len > MAX_DGRAM || (*len && fread(buf, *len, 1, f) != 1))
		return -1;
	return 1;
}

static long sent;

static int send_one(int fd, const struct group_addr *g,
		    const unsigned char *buf, size_t len)
{
	if (sendto(fd, buf, len, 0, (const struct sockaddr *)&g->ss,
		   g->len) < 0) {
		perror("sendto");
		return -1;
	}
	sent++;
	usleep(50000);
	return 0;
}

/* Broken copies of one sync message (either version). */
static int send_garbled(int fd, const struct group_addr *g,
			const unsigned char *orig, size_t len)
{
	static unsigned char buf[MAX_DGRAM];
	size_t cut;
	unsigned int i;

	/* Truncated, the size field still claiming the full length. */
	for (cut = 1; cut < len; cut += (len / 5) | 1)
		if (send_one(fd, g, orig, cut))
			return -1;
	/* Truncated, with a size field that agrees. */
	for (cut = 4; cut + 1 < len; cut += (len / 4) | 1) {
		memcpy(buf, orig, cut);
		buf[2] = (unsigned char)(cut >> 8);
		buf[3] = (unsigned char)cut;
		if (send_one(fd, g, buf, cut))
			return -1;
	}
	if (len < 8)
		return 0;
	/* Size field off by one in both directions. */
	memcpy(buf, orig, len);
	buf[3]++;
	if (send_one(fd, g, buf, len))
		return -1;
	memcpy(buf, orig, len);
	buf[3]--;
	if (send_one(fd, g, buf, len))
		return -1;
	/* Another syncid. */
	memcpy(buf, orig, len);
	buf[1] ^= 0x80;
	if (send_one(fd, g, buf, len))
		return -1;
	/* Many more entries than present. */
	memcpy(buf, orig, len);
	buf[orig[0] ? 0 : 4] = 0xff;
	if (send_one(fd, g, buf, len))
		return -1;
	/* The first entry's size (v1) running past the end, then too short. */
	if (!orig[0] && len >= 12) {
		memcpy(buf, orig, len);
		buf[10] = 0x0f;
		buf[11] = 0xff;
		if (send_one(fd, g, buf, len))
			return -1;
		memcpy(buf, orig, len);
		buf[10] = 0;
		buf[11] = 4;
		if (send_one(fd, g, buf, len))
			return -1;
		/* unknown entry version, unknown family type */
		memcpy(buf, orig, len);
		buf[10] |= 0x30;
		if (send_one(fd, g, buf, len))
			return -1;
		memcpy(buf, orig, len);
		buf[8] = 0x7e;
		if (send_one(fd, g, buf, len))
			return -1;
	}
	/* Flipped bytes beyond the header (deterministic). */
	srand(1);
	for (i = 0; i < 16; i++) {
		memcpy(buf, orig, len);
		buf[8 + (size_t)rand() % (len - 8)] ^= (unsigned char)(1 + rand() % 255);
		buf[8 + (size_t)rand() % (len - 8)] ^= (unsigned char)(1 + rand() % 255);
		if (send_one(fd, g, buf, len))
			return -1;
	}
	return 0;
}

static int cmd_replay(int argc, char **argv)
{
	int garble = 0, opt;

	while ((opt = getopt(argc, argv, "g")) != -1) {
		if (opt != 'g')
			return usage();
		garble = 1;
	}
	if (argc - optind != 4)
		return usage();
	const char *ifname = argv[optind], *file = argv[optind + 3];
	struct group_addr g;

	if (parse_group(argv[optind + 1], argv[optind + 2], &g))
		return 2;
	unsigned int ifindex = if_nametoindex(ifname);

	if (!ifindex) {
		fprintf(stderr, "no interface %s\n", ifname);
		return 1;
	}
	int fd = socket(g.family, SOCK_DGRAM, 0), ttl = 1, rc;

	if (fd < 0) {
		perror("socket");
		return 1;
	}
	if (g.family == AF_INET) {
		struct ip_mreqn mreq = { .imr_ifindex = (int)ifindex };

		rc = setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mreq,
				sizeof(mreq)) ||
		     setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl,
				sizeof(ttl));
	} else {
		int idx = (int)ifindex;

		rc = setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &idx,
				sizeof(idx)) ||
		     setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl,
				sizeof(ttl));
	}
	if (rc) {
		perror("replay: socket setup");
		return 1;
	}
	FILE *in = fopen(file, "rb");

	if (!in) {
		perror(file);
		return 1;
	}
	static unsigned char buf[MAX_DGRAM];
	size_t len;

	while ((rc = read_record(in, buf, &len)) == 1) {
		if (garble && send_garbled(fd, &g, buf, len))
			return 1;
		if (send_one(fd, &g, buf, len))
			return 1;
	}
	if (rc < 0) {
		fprintf(stderr, "%s: truncated record\n", file);
		return 1;
	}
	fclose(in);
	printf("%ld\n", sent);
	return 0;
}

static int cmd_dump(int argc, char **argv)
{
	if (argc != 2)
		return usage();
	FILE *in = fopen(argv[1], "rb");

	if (!in) {
		perror(argv[1]);
		return 1;
	}
	static unsigned char buf[MAX_DGRAM];
	size_t len, i;
	int rc;

	while ((rc = read_record(in, buf, &len)) == 1) {
		for (i = 0; i < len; i++)
			printf("%02x", buf[i]);
		printf("\n");
	}
	fclose(in);
	if (rc < 0) {
		fprintf(stderr, "%s: truncated record\n", argv[1]);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "record"))
		return cmd_record(argc - 1, argv + 1);
	if (!strcmp(argv[1], "replay"))
		return cmd_replay(argc - 1, argv + 1);
	if (!strcmp(argv[1], "dump"))
		return cmd_dump(argc - 1, argv + 1);
	return usage();
}
