// SPDX-License-Identifier: GPL-2.0
/*
 * xvs-load: the load generator and the cheap servers of `make bench`
 * (tests/bench/guest.sh), one binary with subcommands.  Every client
 * subcommand prints one line of "key=value" words on stdout.
 *
 *   server PORT
 *	TCP server (runs until killed): a connection whose first byte is
 *	'B' is a bulk upload (read to the end, then answer the byte count);
 *	any other request gets a 64-byte answer and the server closes.
 *   crr -d DST[,DST...]:PORT [-w WORKERS] [-s SRC -n NSRC] [-t SECS] [-r RATE]
 *	connect / request / reply / close in a loop, WORKERS threads, worker
 *	i bound to source address SRC+(i mod NSRC) and cycling over the
 *	destinations.  With -r the workers together open RATE connections
 *	per second (paced; the latency mode) and the connect times give p50
 *	and p99.  Prints conns, errors, rate, p50_us, p99_us.
 *   bulk -d DST:PORT [-t SECS] [-s SRC]
 *	one TCP upload for SECS seconds; prints bytes and mbit/s.
 *   udp -d DST[,DST...]:PORT [-w WORKERS] [-s SRC -n NSRC] [-t SECS] [-l LEN]
 *	small UDP datagrams as fast as possible (sendmmsg, one socket per
 *	worker); prints sent and the send rate.
 *   udpsink PORT [-t MAXSECS]
 *	counts UDP datagrams on PORT; ends 2 s after the last one (or after
 *	MAXSECS) and prints recv.
 *   syn -d DST:PORT -b BASE -c COUNT [-p PORTS] [-w WORKERS] [-a|-u]
 *	COUNT TCP SYNs from distinct (address, port) pairs: PORTS source
 *	ports (default 50000, from 10000) per address, addresses counting up
 *	from BASE; raw sockets, sendmmsg batches, WORKERS threads sending
 *	disjoint shares.  -a: each SYN followed by its ACK (an ESTABLISHED
 *	entry); -u: an empty UDP datagram instead.  Prints sent (packets)
 *	and the rate.
 *
 * Exit status 0 on success, 1 on a failure it reports, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_DST		16
#define MAX_WORKERS	256
#define REPLY_LEN	64

static void usage(void)
{
	fprintf(stderr,
		"usage: xvs-load server PORT\n"
		"       xvs-load crr -d DST[,DST...]:PORT [-w N] [-s SRC -n NSRC] [-t SECS] [-r RATE]\n"
		"       xvs-load bulk -d DST:PORT [-t SECS] [-s SRC]\n"
		"       xvs-load udp -d DST[,DST...]:PORT [-w N] [-s SRC -n NSRC] [-t SECS] [-l LEN]\n"
		"       xvs-load udpsink PORT [-t MAXSECS]\n"
		"       xvs-load syn -d DST:PORT -b BASE -c COUNT [-p PORTS] [-w N] [-a|-u]\n");
	exit(2);
}

static long parse_num(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < lo || v > hi) {
		fprintf(stderr, "xvs-load: bad number '%s' (%ld..%ld)\n", s, lo, hi);
		exit(2);
	}
	return v;
}

static struct in_addr parse_addr(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1) {
		fprintf(stderr, "xvs-load: bad IPv4 address '%s'\n", s);
		exit(2);
	}
	return a;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Options the client subcommands share. */
struct opts {
	struct sockaddr_in dst[MAX_DST];
	int ndst;
	int workers;
	struct in_addr src;
	int have_src;
	int nsrc;
	double secs;
	double rate;
	int len;
	struct in_addr base;
	long count;
	int ports;
	int fill;	/* syn: 's' SYN, 'a' SYN and ACK, 'u' UDP */
};

/* "A[,B...]:PORT" */
static void parse_dsts(struct opts *o, const char *arg)
{
	char buf[1024], *colon, *tok, *save;
	long port;

	if (strlen(arg) >= sizeof(buf))
		usage();
	strcpy(buf, arg);
	colon = strrchr(buf, ':');
	if (!colon)
		usage();
	*colon = 0;
	port = parse_num(colon + 1, 1, 65535);
	o->ndst = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (o->ndst == MAX_DST)
			usage();
		memset(&o->dst[o->ndst], 0, sizeof(o->dst[0]));
		o->dst[o->ndst].sin_family = AF_INET;
		o->dst[o->ndst].sin_port = htons((uint16_t)port);
		o->dst[o->ndst].sin_addr = parse_addr(tok);
		o->ndst++;
	}
	if (!o->ndst)
		usage();
}

static void parse_opts(struct opts *o, int argc, char **argv)
{
	int opt;

	memset(o, 0, sizeof(*o));
	o->workers = 1;
	o->nsrc = 1;
	o->secs = 5;
	o->len = 64;
	o->ports = 50000;
	o->fill = 's';
	while ((opt = getopt(argc, argv, "d:w:s:n:t:r:l:b:c:p:au")) != -1) {
		switch (opt) {
		case 'd': parse_dsts(o, optarg); break;
		case 'w': o->workers = parse_num(optarg, 1, MAX_WORKERS); break;
		case 's': o->src = parse_addr(optarg); o->have_src = 1; break;
		case 'n': o->nsrc = parse_num(optarg, 1, 65536); break;
		case 't': o->secs = parse_num(optarg, 1, 86400); break;
		case 'r': o->rate = parse_num(optarg, 1, 10000000); break;
		case 'l': o->len = parse_num(optarg, 1, 1400); break;
		case 'b': o->base = parse_addr(optarg); break;
		case 'c': o->count = parse_num(optarg, 1, 100000000); break;
		case 'p': o->ports = parse_num(optarg, 1, 55000); break;
		case 'a': o->fill = 'a'; break;
		case 'u': o->fill = 'u'; break;
		default: usage();
		}
	}
	if (optind != argc || !o->ndst)
		usage();
}

/* The source address of worker @i, or none (port 0, any address). */
static int bind_src(int fd, const struct opts *o, int i)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };

	if (!o->have_src)
		return 0;
	sa.sin_addr.s_addr = htonl(ntohl(o->src.s_addr) + (uint32_t)(i % o->nsrc));
	return bind(fd, (struct sockaddr *)&sa, sizeof(sa));
}

static void set_timeouts(int fd, int seconds)
{
	struct timeval tv = { .tv_sec = seconds };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* --- server ---------------------------------------------------------- */

/* a bulk upload: @arg packs the socket and the bytes already read */
static void *serve_bulk(void *arg)
{
	uintptr_t packed = (uintptr_t)arg;
	int fd = (int)(packed & 0xffffffff);
	long long total = (long long)(packed >> 32);
	char buf[65536], reply[32];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	n = snprintf(reply, sizeof(reply), "%lld\n", total);
	if (write(fd, reply, (size_t)n) < 0)
		total = -1;
	close(fd);
	return NULL;
}

static void *serve_loop(void *arg)
{
	int lfd = (int)(intptr_t)arg;
	char buf[512], reply[REPLY_LEN];
	pthread_attr_t attr;
	pthread_t th;

	memset(reply, 'r', sizeof(reply));
	reply[REPLY_LEN - 1] = '\n';
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (;;) {
		int fd = accept(lfd, NULL, NULL);
		ssize_t n;

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE)
				usleep(1000);
			continue;
		}
		set_timeouts(fd, 10);
		n = read(fd, buf, sizeof(buf));
		if (n > 0 && buf[0] == 'B') {
			uintptr_t packed = (uintptr_t)n << 32 | (uint32_t)fd;

			if (pthread_create(&th, &attr, serve_bulk, (void *)packed))
				close(fd);
			continue;
		}
		if (n > 0 && write(fd, reply, sizeof(reply)) < 0)
			n = -1;
		close(fd);
	}
	return NULL;
}

static int cmd_server(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	pthread_t th[2];
	int fd, one = 1, i;

	if (argc != 2)
		usage();
	sa.sin_port = htons((uint16_t)parse_num(argv[1], 1, 65535));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4096)) {
		perror("xvs-load server");
		return 1;
	}
	/* two accepting threads: the VM has two vCPUs */
	for (i = 0; i < 2; i++)
		if (pthread_create(&th[i], NULL, serve_loop, (void *)(intptr_t)fd)) {
			perror("xvs-load server: thread");
			return 1;
		}
	pthread_join(th[0], NULL);
	return 0;
}

/* --- crr and latency ------------------------------------------------- */

/* One client thread of crr, udp or syn. */
struct worker {
	const struct opts *o;
	int idx;
	double start, end;
	long first, last;	/* syn: the packets [first, last) of this thread */
	long count, errors;	/* connections (crr) or packets sent (udp, syn) */
	uint32_t *lat_us;	/* connect times (paced mode) */
	long nlat, maxlat;
	pthread_t th;
};

/*
 * Runs fn in one thread for each of w[0..n) (which the caller prepared),
 * waits for them and adds up their counts.  false: a thread did not start
 * (those that did are waited for).
 */
static bool run_workers(const char *cmd, struct worker *w, long n,
			void *(*fn)(void *), long *count, long *errors)
{
	long i, started;
	int err;

	*count = 0;
	*errors = 0;
	for (started = 0; started < n; started++) {
		err = pthread_create(&w[started].th, NULL, fn, &w[started]);
		if (err) {
			fprintf(stderr, "xvs-load %s: thread: %s\n", cmd, strerror(err));
			break;
		}
	}
	for (i = 0; i < started; i++) {
		pthread_join(w[i].th, NULL);
		*count += w[i].count;
		*errors += w[i].errors;
	}
	return started == n;
}

static int one_crr(const struct opts *o, struct worker *w, int di, double *connect_us)
{
	char req[] = "GET\n", buf[REPLY_LEN * 2];
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	double t0, t1;
	ssize_t n, got = 0;
	int fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	set_timeouts(fd, 5);
	if (bind_src(fd, o, w->idx)) {
		close(fd);
		return -1;
	}
	t0 = now_s();
	if (connect(fd, (struct sockaddr *)&o->dst[di], sizeof(o->dst[di]))) {
		close(fd);
		return -1;
	}
	t1 = now_s();
	*connect_us = (t1 - t0) * 1e6;
	if (write(fd, req, sizeof(req) - 1) != (ssize_t)sizeof(req) - 1) {
		close(fd);
		return -1;
	}
	while (got < REPLY_LEN && (n = read(fd, buf, sizeof(buf))) > 0)
		got += n;
	/*
	 * The server closed first (its side keeps TIME_WAIT); an abortive
	 * close here keeps the client's ports free for reuse.
	 */
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
	return got >= REPLY_LEN ? 0 : -1;
}

static void *crr_worker(void *arg)
{
	struct worker *w = arg;
	const struct opts *o = w->o;
	double per = o->rate > 0 ? o->workers / o->rate : 0;
	double next = w->start + (per > 0 ? per * w->idx / o->workers : 0);
	double us;
	long i = 0;

	for (;;) {
		double t = now_s();

		if (t >= w->end)
			break;
		if (per > 0) {
			if (next > t) {
				struct timespec ts;
				double d = next - t;

				ts.tv_sec = (time_t)d;
				ts.tv_nsec = (long)((d - ts.tv_sec) * 1e9);
				nanosleep(&ts, NULL);
				if (now_s() >= w->end)
					break;
			}
			next += per;
		}
		if (one_crr(o, w, (int)((w->idx + i) % o->ndst), &us) == 0) {
			w->count++;
			if (per > 0 && w->nlat < w->maxlat)
				w->lat_us[w->nlat++] = (uint32_t)us;
		} else {
			w->errors++;
		}
		i++;
	}
	return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int cmd_crr(int argc, char **argv)
{
	static struct worker w[MAX_WORKERS];
	struct opts o;
	long conns = 0, errors = 0, nlat = 0, i, j;
	uint32_t *all = NULL;
	double start, secs;

	parse_opts(&o, argc, argv);
	start = now_s();
	for (i = 0; i < o.workers; i++) {
		w[i].o = &o;
		w[i].idx = (int)i;
		w[i].start = start;
		w[i].end = start + o.secs;
		if (o.rate > 0) {
			w[i].maxlat = (long)(o.rate * o.secs / o.workers) + 16;
			w[i].lat_us = calloc((size_t)w[i].maxlat, sizeof(uint32_t));
			if (!w[i].lat_us) {
				perror("xvs-load crr");
				return 1;
			}
		}
	}
	if (!run_workers("crr", w, o.workers, crr_worker, &conns, &errors))
		return 1;
	for (i = 0; i < o.workers; i++)
		nlat += w[i].nlat;
	secs = now_s() - start;
	printf("conns=%ld errors=%ld secs=%.2f rate=%.1f", conns, errors, secs, conns / secs);
	if (o.rate > 0 && nlat > 0) {
		all = malloc((size_t)nlat * sizeof(uint32_t));
		if (!all) {
			perror("xvs-load crr");
			return 1;
		}
		for (i = 0, j = 0; i < o.workers; i++) {
			memcpy(all + j, w[i].lat_us, (size_t)w[i].nlat * sizeof(uint32_t));
			j += w[i].nlat;
		}
		qsort(all, (size_t)nlat, sizeof(uint32_t), cmp_u32);
		printf(" p50_us=%u p99_us=%u", all[nlat / 2], all[(nlat * 99) / 100]);
		free(all);
	}
	printf("\n");
	return conns > 0 ? 0 : 1;
}

/* --- bulk ------------------------------------------------------------ */

static int cmd_bulk(int argc, char **argv)
{
	static char buf[65536];
	struct opts o;
	long long sent = 0;
	double start, secs;
	char reply[64];
	ssize_t n;
	int fd;

	parse_opts(&o, argc, argv);
	memset(buf, 'x', sizeof(buf));
	buf[0] = 'B';
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || bind_src(fd, &o, 0)) {
		perror("xvs-load bulk");
		return 1;
	}
	set_timeouts(fd, 10);
	if (connect(fd, (struct sockaddr *)&o.dst[0], sizeof(o.dst[0]))) {
		perror("xvs-load bulk: connect");
		return 1;
	}
	start = now_s();
	while (now_s() - start < o.secs) {
		n = write(fd, buf, sizeof(buf));
		if (n <= 0) {
			perror("xvs-load bulk: write");
			return 1;
		}
		sent += n;
		buf[0] = 'x';
	}
	shutdown(fd, SHUT_WR);
	n = read(fd, reply, sizeof(reply) - 1);
	secs = now_s() - start;
	reply[n > 0 ? n : 0] = 0;
	close(fd);
	if (n <= 0 || atoll(reply) != sent) {
		fprintf(stderr, "xvs-load bulk: sent %lld, server counted '%s'\n", sent, reply);
		return 1;
	}
	printf("bytes=%lld secs=%.2f mbps=%.1f\n", sent, secs, sent * 8 / secs / 1e6);
	return 0;
}

/* --- udp ------------------------------------------------------------- */

#define BATCH 32

static void *udp_worker(void *arg)
{
	struct worker *w = arg;
	const struct opts *o = w->o;
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	char payload[1400];
	int fd, i, n;

	memset(payload, 'u', sizeof(payload));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind_src(fd, o, w->idx)) {
		w->errors++;
		return NULL;
	}
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = payload;
		iov[i].iov_len = (size_t)o->len;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = (void *)&o->dst[(w->idx + i) % o->ndst];
		msgs[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_in);
	}
	while (now_s() < w->end) {
		n = sendmmsg(fd, msgs, BATCH, 0);
		if (n > 0)
			w->count += n;
		else
			w->errors++;
	}
	close(fd);
	return NULL;
}

static int cmd_udp(int argc, char **argv)
{
	static struct worker w[MAX_WORKERS];
	struct opts o;
	long sent = 0, errors = 0, i;
	double start, secs;

	parse_opts(&o, argc, argv);
	start = now_s();
	for (i = 0; i < o.workers; i++) {
		w[i].o = &o;
		w[i].idx = (int)i;
		w[i].end = start + o.secs;
	}
	if (!run_workers("udp", w, o.workers, udp_worker, &sent, &errors))
		return 1;
	secs = now_s() - start;
	printf("sent=%ld errors=%ld secs=%.2f pps=%.1f\n", sent, errors, secs, sent / secs);
	return sent > 0 ? 0 : 1;
}

static int cmd_udpsink(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	static char bufs[BATCH][2048];
	long recv_total = 0, maxsecs = 600;
	double start, last = 0;
	int fd, i, n, rcvbuf = 4 << 20;

	if (argc == 4 && !strcmp(argv[2], "-t"))
		maxsecs = parse_num(argv[3], 1, 86400);
	else if (argc != 2)
		usage();
	sa.sin_port = htons((uint16_t)parse_num(argv[1], 1, 65535));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("xvs-load udpsink");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof(bufs[i]);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	/* (line-buffered: the guest script waits for "ready") */
	printf("ready\n");
	fflush(stdout);
	start = now_s();
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		double t = now_s();

		if (t - start > maxsecs || (last > 0 && t - last > 2))
			break;
		if (poll(&p, 1, 200) <= 0)
			continue;
		n = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
		if (n > 0) {
			recv_total += n;
			last = now_s();
		}
	}
	printf("recv=%ld\n", recv_total);
	return 0;
}

/* --- syn ------------------------------------------------------------- */

struct syn_pkt {
	struct iphdr ip;
	union {
		struct tcphdr th;
		struct udphdr uh;
	};
};

static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

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

/*
 * One packet of the fill: a TCP SYN (@kind 0), the client's ACK that
 * follows it (1), or an empty UDP datagram (2).
 */
static size_t syn_fill(struct syn_pkt *p, int kind, uint32_t saddr, uint32_t daddr,
		       uint16_t sport, uint16_t dport, uint32_t seq)
{
	size_t l4 = kind == 2 ? sizeof(p->uh) : sizeof(p->th);
	uint8_t pseudo[12];
	uint32_t sum;

	memset(p, 0, sizeof(*p));
	p->ip.version = 4;
	p->ip.ihl = 5;
	p->ip.ttl = 64;
	p->ip.protocol = kind == 2 ? IPPROTO_UDP : IPPROTO_TCP;
	p->ip.saddr = saddr;
	p->ip.daddr = daddr;
	p->ip.tot_len = htons((uint16_t)(sizeof(p->ip) + l4));
	if (kind == 2) {
		p->uh.source = htons(sport);
		p->uh.dest = htons(dport);
		p->uh.len = htons((uint16_t)l4);
	} else {
		p->th.source = htons(sport);
		p->th.dest = htons(dport);
		p->th.seq = htonl(kind ? seq + 1 : seq);
		p->th.doff = 5;
		p->th.syn = !kind;
		p->th.ack = kind;
		p->th.ack_seq = htonl(kind ? 1 : 0);
		p->th.window = htons(8192);
	}
	memcpy(pseudo, &saddr, 4);
	memcpy(pseudo + 4, &daddr, 4);
	pseudo[8] = 0;
	pseudo[9] = p->ip.protocol;
	pseudo[10] = 0;
	pseudo[11] = (uint8_t)l4;
	sum = csum_add(csum_add(0, pseudo, sizeof(pseudo)), &p->th, l4);
	if (kind == 2)
		p->uh.check = htons(csum_fold(sum));
	else
		p->th.check = htons(csum_fold(sum));
	return sizeof(p->ip) + l4;
}

static void *syn_thread(void *arg)
{
	struct worker *w = arg;
	const struct opts *o = w->o;
	struct syn_pkt pkts[BATCH];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	long i = w->first;
	int fd, one = 1, k, n;

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one))) {
		perror("xvs-load syn: raw socket");
		w->errors = w->last - w->first;
		return NULL;
	}
	memset(msgs, 0, sizeof(msgs));
	while (i < w->last) {
		int batch = 0;

		for (k = 0; k + 1 < BATCH && i < w->last; i++) {
			uint32_t saddr = htonl(ntohl(o->base.s_addr) + (uint32_t)(i / o->ports));
			uint16_t sport = (uint16_t)(10000 + i % o->ports);
			uint32_t seq = 0x10000000u + (uint32_t)i * 7919u;
			int kind = o->fill == 'u' ? 2 : 0;

			/* with -a each SYN is followed by its ACK: two packets */
			do {
				iov[k].iov_len = syn_fill(&pkts[k], kind, saddr,
							  o->dst[0].sin_addr.s_addr, sport,
							  ntohs(o->dst[0].sin_port), seq);
				iov[k].iov_base = &pkts[k];
				msgs[k].msg_hdr.msg_iov = &iov[k];
				msgs[k].msg_hdr.msg_iovlen = 1;
				msgs[k].msg_hdr.msg_name = (void *)&o->dst[0];
				msgs[k].msg_hdr.msg_namelen = sizeof(o->dst[0]);
				k++;
				batch++;
			} while (o->fill == 'a' && kind++ == 0);
		}
		for (k = 0; k < batch;) {
			n = sendmmsg(fd, msgs + k, (unsigned int)(batch - k), 0);
			if (n > 0) {
				w->count += n;
				k += n;
			} else if (errno == ENOBUFS || errno == EAGAIN) {
				usleep(100);
			} else {
				w->errors++;
				k++;
			}
		}
	}
	close(fd);
	return NULL;
}

static int cmd_syn(int argc, char **argv)
{
	static struct worker w[MAX_WORKERS];
	struct opts o;
	long sent = 0, errors = 0, i;
	double start, secs;

	parse_opts(&o, argc, argv);
	if (!o.count || !o.base.s_addr)
		usage();
	start = now_s();
	for (i = 0; i < o.workers; i++) {
		w[i].o = &o;
		w[i].first = o.count * i / o.workers;
		w[i].last = o.count * (i + 1) / o.workers;
	}
	if (!run_workers("syn", w, o.workers, syn_thread, &sent, &errors))
		return 1;
	secs = now_s() - start;
	printf("sent=%ld errors=%ld secs=%.2f pps=%.1f\n", sent, errors, secs, sent / secs);
	return sent ? 0 : 1;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "server"))
		return cmd_server(argc - 1, argv + 1);
	if (!strcmp(argv[1], "crr"))
		return cmd_crr(argc - 1, argv + 1);
	if (!strcmp(argv[1], "bulk"))
		return cmd_bulk(argc - 1, argv + 1);
	if (!strcmp(argv[1], "udp"))
		return cmd_udp(argc - 1, argv + 1);
	if (!strcmp(argv[1], "udpsink"))
		return cmd_udpsink(argc - 1, argv + 1);
	if (!strcmp(argv[1], "syn"))
		return cmd_syn(argc - 1, argv + 1);
	usage();
	return 2;
}
