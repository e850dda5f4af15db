// SPDX-License-Identifier: GPL-2.0
/*
 * xvs-ftp: a minimal FTP server and client for the FTP helper scenario
 * (tests/qemu/lvs-ftp.sh).  Busybox has an FTP client that only does
 * passive mode and no server in the static Debian build, so both ends
 * live here, with every data connection mode the helper must translate.
 *
 *   xvs-ftp server PORT DIR
 *	Serves DIR (flat, no subdirectories) on PORT, IPv4 and IPv6, one
 *	process per session: USER PASS TYPE NOOP PASV EPSV PORT EPRT RETR
 *	STOR QUIT and "SITE REPLY <text>", which answers <text> verbatim (to
 *	send the helper malformed answers).  Active data connections come
 *	from the port below the control port (20 for 21) of the control
 *	connection's local address.  PASV and PORT are IPv4 only; EPRT takes
 *	|1| (IPv4) or |2| (IPv6), the control connection's family.
 *
 *   xvs-ftp client HOST PORT OP...
 *	One control connection to HOST (IPv4 or IPv6), then each OP in turn:
 *	  MODE:get:REMOTE:LOCAL  MODE:put:LOCAL:REMOTE   (MODE: pasv epsv
 *	  port eprt) - prints the 227/229 answer of passive modes and the
 *	  EPRT command sent;
 *	  raw:LINE - sends LINE, prints the answer.
 *	Exits 0 when every OP succeeded, 1 at the first failure.
 *
 * Every wait is bounded (10 s) so that a broken translation fails fast.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define IO_TIMEOUT_S	10
#define LINE_MAX_LEN	1024

static const char *prog = "xvs-ftp";

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static bool write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* A buffered line reader over a socket; lines end with LF (CR dropped). */
struct reader {
	int fd;
	char buf[4096];
	size_t len;
};

static bool read_line(struct reader *r, char *line, size_t size)
{
	for (;;) {
		char *nl = memchr(r->buf, '\n', r->len);

		if (nl) {
			size_t n = (size_t)(nl - r->buf);
			size_t keep = n;

			if (keep && r->buf[keep - 1] == '\r')
				keep--;
			if (keep >= size)
				keep = size - 1;
			memcpy(line, r->buf, keep);
			line[keep] = '\0';
			memmove(r->buf, nl + 1, r->len - n - 1);
			r->len -= n + 1;
			return true;
		}
		if (r->len == sizeof(r->buf))
			return false;
		ssize_t got = read(r->fd, r->buf + r->len, sizeof(r->buf) - r->len);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return false;
		r->len += (size_t)got;
	}
}

/* An IPv4 or IPv6 address. */
struct ip_addr {
	int af;
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
};

/* The socket address of addr:port; returns its length. */
static socklen_t to_sockaddr(const struct ip_addr *addr, unsigned short port,
			     struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *sa6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *sa4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (addr->af == AF_INET6) {
		sa6->sin6_family = AF_INET6;
		sa6->sin6_addr = addr->v6;
		sa6->sin6_port = htons(port);
		return sizeof(*sa6);
	}
	sa4->sin_family = AF_INET;
	sa4->sin_addr = addr->v4;
	sa4->sin_port = htons(port);
	return sizeof(*sa4);
}

/* The address of a socket address; IPv4-mapped IPv6 counts as IPv4. */
static unsigned short from_sockaddr(const struct sockaddr_storage *ss,
				    struct ip_addr *addr)
{
	const struct sockaddr_in6 *sa6 = (const void *)ss;
	const struct sockaddr_in *sa4 = (const void *)ss;

	if (ss->ss_family == AF_INET6) {
		if (IN6_IS_ADDR_V4MAPPED(&sa6->sin6_addr)) {
			addr->af = AF_INET;
			memcpy(&addr->v4, sa6->sin6_addr.s6_addr + 12, 4);
		} else {
			addr->af = AF_INET6;
			addr->v6 = sa6->sin6_addr;
		}
		return ntohs(sa6->sin6_port);
	}
	addr->af = AF_INET;
	addr->v4 = sa4->sin_addr;
	return ntohs(sa4->sin_port);
}

static bool parse_addr(const char *text, struct ip_addr *addr)
{
	if (inet_pton(AF_INET, text, &addr->v4) == 1) {
		addr->af = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, text, &addr->v6) == 1) {
		addr->af = AF_INET6;
		return true;
	}
	return false;
}

/* The address as text, in a static buffer. */
static const char *addr_text(const struct ip_addr *addr)
{
	static char buf[INET6_ADDRSTRLEN];

	return inet_ntop(addr->af, &addr->v4, buf, sizeof(buf)) ? buf : "?";
}

/* A listener on addr:port; the IPv6 wildcard takes IPv4 too. */
static int listen_on(const struct ip_addr *addr, unsigned short port)
{
	struct sockaddr_storage ss;
	socklen_t len = to_sockaddr(addr, port, &ss);
	int one = 1, zero = 0;
	int fd = socket(addr->af, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (addr->af == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 4)) {
		close(fd);
		return -1;
	}
	return fd;
}

static unsigned short local_port(int fd, struct ip_addr *addr)
{
	struct sockaddr_storage ss;
	struct ip_addr unused;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return 0;
	return from_sockaddr(&ss, addr ? addr : &unused);
}

static int accept_timeout(int lfd)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	int fd;

	if (poll(&p, 1, IO_TIMEOUT_S * 1000) != 1)
		return -1;
	fd = accept(lfd, NULL, NULL);
	if (fd >= 0)
		set_timeouts(fd);
	return fd;
}

/* Connects to addr:port, from src:sport when src is given. */
static int connect_to(const struct ip_addr *addr, unsigned short port,
		      const struct ip_addr *src, unsigned short sport)
{
	struct sockaddr_storage sa;
	socklen_t sa_len = to_sockaddr(addr, port, &sa);
	int fd;

	if (src && src->af != addr->af) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	fd = socket(addr->af, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	set_timeouts(fd);
	if (src) {
		struct sockaddr_storage la;
		socklen_t la_len = to_sockaddr(src, sport, &la);
		int one = 1;

		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&la, la_len)) {
			close(fd);
			return -1;
		}
	}
	if (connect(fd, (struct sockaddr *)&sa, sa_len)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Copies everything from 'in' to 'out' until end of file. */
static bool copy_fd(int in, int out)
{
	char buf[16384];

	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return false;
		if (n == 0)
			return true;
		if (!write_all(out, buf, (size_t)n))
			return false;
	}
}

/* "h1,h2,h3,h4,p1,p2" */
static bool parse_tuple(const char *s, struct ip_addr *addr,
			unsigned short *port)
{
	unsigned int v[6];
	char tail;

	if (sscanf(s, "%u,%u,%u,%u,%u,%u%c", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &tail) < 6)
		return false;
	for (int i = 0; i < 6; i++)
		if (v[i] > 255)
			return false;
	addr->af = AF_INET;
	addr->v4.s_addr = htonl(v[0] << 24 | v[1] << 16 | v[2] << 8 | v[3]);
	*port = (unsigned short)(v[4] << 8 | v[5]);
	return true;
}

/* "|1|a.b.c.d|port|" or "|2|ipv6|port|" (any delimiter) */
static bool parse_eprt(const char *s, struct ip_addr *addr,
		       unsigned short *port)
{
	char d = s[0], host[64];
	const char *p = s + 1, *q;
	unsigned long v;
	char *end;

	if (!d || (p[0] != '1' && p[0] != '2') || p[1] != d)
		return false;
	addr->af = p[0] == '1' ? AF_INET : AF_INET6;
	p += 2;
	q = strchr(p, d);
	if (!q || (size_t)(q - p) >= sizeof(host))
		return false;
	memcpy(host, p, (size_t)(q - p));
	host[q - p] = '\0';
	if (inet_pton(addr->af, host, &addr->v4) != 1)
		return false;
	v = strtoul(q + 1, &end, 10);
	if (end == q + 1 || *end != d || !v || v > 65535)
		return false;
	*port = (unsigned short)v;
	return true;
}

/* ---- server ------------------------------------------------------------ */

struct session {
	int ctl;
	struct reader rd;
	const char *dir;
	struct ip_addr local;	/* our end of the control connection */
	unsigned short local_port;
	int pasv_fd;		/* passive listener, or -1 */
	bool have_port;		/* active target set */
	struct ip_addr port_addr;
	unsigned short port_port;
};

static void reply(struct session *s, const char *fmt, ...)
{
	char buf[LINE_MAX_LEN + 8];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 2, fmt, ap);
	va_end(ap);
	if (n < 0)
		exit(1);
	if ((size_t)n > sizeof(buf) - 3)
		n = (int)sizeof(buf) - 3;
	memcpy(buf + n, "\r\n", 2);
	if (!write_all(s->ctl, buf, (size_t)n + 2))
		exit(1);
}

static void close_pasv(struct session *s)
{
	if (s->pasv_fd >= 0)
		close(s->pasv_fd);
	s->pasv_fd = -1;
}

static int open_data(struct session *s)
{
	int fd = -1;

	if (s->pasv_fd >= 0) {
		fd = accept_timeout(s->pasv_fd);
		close_pasv(s);
	} else if (s->have_port) {
		fd = connect_to(&s->port_addr, s->port_port, &s->local,
				s->local_port - 1);
		s->have_port = false;
	}
	return fd;
}

/* Name of a file in the served directory; NULL when it is not a plain name. */
static char *file_path(struct session *s, const char *name)
{
	char *path;

	if (!*name || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return NULL;
	if (asprintf(&path, "%s/%s", s->dir, name) < 0)
		return NULL;
	return path;
}

static void transfer(struct session *s, const char *name, bool store)
{
	char *path = file_path(s, name);
	int file, data;
	bool ok;

	if (!path) {
		reply(s, "553 bad file name");
		return;
	}
	file = store ? open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644) :
		       open(path, O_RDONLY);
	free(path);
	if (file < 0) {
		reply(s, "550 %s", strerror(errno));
		return;
	}
	if (s->pasv_fd < 0 && !s->have_port) {
		close(file);
		reply(s, "425 use PASV, EPSV, PORT or EPRT first");
		return;
	}
	reply(s, "150 opening data connection");
	data = open_data(s);
	if (data < 0) {
		close(file);
		reply(s, "425 cannot open data connection");
		return;
	}
	ok = store ? copy_fd(data, file) : copy_fd(file, data);
	close(data);
	if (close(file))
		ok = false;
	reply(s, ok ? "226 transfer complete" : "451 transfer failed");
}

static void serve_session(int ctl, const char *dir)
{
	struct session s = { .ctl = ctl, .rd = { .fd = ctl }, .dir = dir,
			     .pasv_fd = -1 };
	char line[LINE_MAX_LEN];

	set_timeouts(ctl);
	/* Idle sessions end after a while; the scenario never waits that long. */
	{
		struct timeval tv = { .tv_sec = 120 };

		setsockopt(ctl, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	s.local_port = local_port(ctl, &s.local);
	reply(&s, "220 xvs-ftp ready");
	while (read_line(&s.rd, line, sizeof(line))) {
		char *arg = strchr(line, ' ');

		if (arg)
			*arg++ = '\0';
		else
			arg = line + strlen(line);

		if (!strcasecmp(line, "USER")) {
			reply(&s, "331 any password will do");
		} else if (!strcasecmp(line, "PASS")) {
			reply(&s, "230 logged in");
		} else if (!strcasecmp(line, "TYPE") || !strcasecmp(line, "NOOP")) {
			reply(&s, "200 ok");
		} else if (!strcasecmp(line, "PASV") || !strcasecmp(line, "EPSV")) {
			bool ext = !strcasecmp(line, "EPSV");
			unsigned short port;
			unsigned char *a = (unsigned char *)&s.local.v4.s_addr;

			close_pasv(&s);
			s.have_port = false;
			if (!ext && s.local.af != AF_INET) {
				reply(&s, "522 PASV is IPv4 only, use EPSV");
				continue;
			}
			s.pasv_fd = listen_on(&s.local, 0);
			port = s.pasv_fd >= 0 ? local_port(s.pasv_fd, NULL) : 0;
			if (!port)
				reply(&s, "425 cannot listen");
			else if (ext)
				reply(&s, "229 Entering Extended Passive Mode (|||%u|)",
				      port);
			else
				reply(&s, "227 Entering Passive Mode (%u,%u,%u,%u,%u,%u).",
				      a[0], a[1], a[2], a[3], port >> 8, port & 0xff);
		} else if (!strcasecmp(line, "PORT") || !strcasecmp(line, "EPRT")) {
			bool ok = !strcasecmp(line, "PORT") ?
				parse_tuple(arg, &s.port_addr, &s.port_port) :
				parse_eprt(arg, &s.port_addr, &s.port_port);

			close_pasv(&s);
			s.have_port = ok && s.port_port &&
				      s.port_addr.af == s.local.af;
			reply(&s, s.have_port ? "200 ok" : "501 bad address");
		} else if (!strcasecmp(line, "RETR") || !strcasecmp(line, "STOR")) {
			transfer(&s, arg, !strcasecmp(line, "STOR"));
		} else if (!strcasecmp(line, "SITE") &&
			   !strncasecmp(arg, "REPLY ", 6)) {
			reply(&s, "%s", arg + 6);
		} else if (!strcasecmp(line, "QUIT")) {
			reply(&s, "221 bye");
			break;
		} else {
			reply(&s, "502 not implemented");
		}
	}
	close_pasv(&s);
	close(ctl);
}

static int run_server(const char *port, const char *dir)
{
	struct ip_addr any = { .af = AF_INET6, .v6 = IN6ADDR_ANY_INIT };
	int lfd = listen_on(&any, (unsigned short)atoi(port));

	if (lfd < 0) {
		/* a kernel without IPv6: IPv4 only */
		any = (struct ip_addr){ .af = AF_INET };
		lfd = listen_on(&any, (unsigned short)atoi(port));
	}

	if (lfd < 0)
		die("cannot listen on port %s: %s", port, strerror(errno));
	signal(SIGCHLD, SIG_IGN);	/* no zombies */
	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0) {
			if (errno == EINTR)
				continue;
			die("accept: %s", strerror(errno));
		}
		switch (fork()) {
		case 0:
			close(lfd);
			serve_session(fd, dir);
			_exit(0);
		case -1:
			fprintf(stderr, "%s: fork: %s\n", prog, strerror(errno));
			break;
		}
		close(fd);
	}
}

/* ---- client ------------------------------------------------------------ */

struct client {
	int ctl;
	struct reader rd;
	struct ip_addr server;		/* where the control connection goes */
	struct ip_addr local;
	char last[LINE_MAX_LEN];	/* last reply line */
};

/* Reads a (possibly multi-line) reply; returns its code, -1 on failure. */
static int get_reply(struct client *c)
{
	char line[LINE_MAX_LEN];

	for (;;) {
		if (!read_line(&c->rd, line, sizeof(line)))
			return -1;
		/* "123-" continues, "123 " ends; anything else is text. */
		if (strlen(line) >= 4 && line[0] >= '1' && line[0] <= '5' &&
		    line[3] == ' ') {
			strcpy(c->last, line);
			return atoi(line);
		}
	}
}

static int command(struct client *c, const char *fmt, ...)
{
	char buf[LINE_MAX_LEN + 8];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 2, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n > sizeof(buf) - 3)
		return -1;
	memcpy(buf + n, "\r\n", 2);
	if (!write_all(c->ctl, buf, (size_t)n + 2))
		return -1;
	return get_reply(c);
}

/* Sets up the data connection of one transfer; returns the fd or -1. */
static int client_data(struct client *c, const char *mode, const char *cmd,
		       const char *arg)
{
	struct ip_addr addr;
	unsigned short port;
	int lfd = -1, fd = -1, code;

	if (!strcmp(mode, "pasv") || !strcmp(mode, "epsv")) {
		bool ext = !strcmp(mode, "epsv");
		const char *p;

		code = command(c, ext ? "EPSV" : "PASV");
		printf("%s-reply: %s\n", mode, c->last);
		fflush(stdout);
		if (code != (ext ? 229 : 227))
			return -1;
		p = strchr(c->last, '(');
		if (!p)
			return -1;
		if (ext) {
			addr = c->server;
			if (sscanf(p, "(|||%hu|)", &port) != 1)
				return -1;
		} else if (!parse_tuple(p + 1, &addr, &port)) {
			return -1;
		}
		fd = connect_to(&addr, port, NULL, 0);
		if (fd < 0) {
			fprintf(stderr, "%s: data connection to %s port %u: %s\n",
				prog, addr_text(&addr), port, strerror(errno));
			return -1;
		}
		code = command(c, "%s %s", cmd, arg);
		if (code != 150) {
			close(fd);
			return -1;
		}
		return fd;
	}

	lfd = listen_on(&c->local, 0);
	port = lfd >= 0 ? local_port(lfd, NULL) : 0;
	if (!port)
		return -1;
	if (!strcmp(mode, "port") && c->local.af != AF_INET) {
		fprintf(stderr, "%s: PORT is IPv4 only\n", prog);
		close(lfd);
		return -1;
	} else if (!strcmp(mode, "port")) {
		unsigned char *a = (unsigned char *)&c->local.v4.s_addr;

		code = command(c, "PORT %u,%u,%u,%u,%u,%u", a[0], a[1], a[2],
			       a[3], port >> 8, port & 0xff);
	} else if (!strcmp(mode, "eprt")) {
		printf("eprt-command: EPRT |%d|%s|%u|\n",
		       c->local.af == AF_INET6 ? 2 : 1, addr_text(&c->local),
		       port);
		fflush(stdout);
		code = command(c, "EPRT |%d|%s|%u|",
			       c->local.af == AF_INET6 ? 2 : 1,
			       addr_text(&c->local), port);
	} else {
		fprintf(stderr, "%s: unknown mode %s\n", prog, mode);
		close(lfd);
		return -1;
	}
	if (code != 200 || command(c, "%s %s", cmd, arg) != 150) {
		close(lfd);
		return -1;
	}
	fd = accept_timeout(lfd);
	close(lfd);
	if (fd < 0)
		fprintf(stderr, "%s: no active data connection arrived\n", prog);
	return fd;
}

static bool client_op(struct client *c, char *op)
{
	char *mode = strtok(op, ":"), *dir, *a, *b;
	int data, file;
	bool ok;

	if (!mode)
		return false;
	if (!strcmp(mode, "raw")) {
		int code = command(c, "%s", op + 4);

		printf("raw-reply: %s\n", code > 0 ? c->last : "(none)");
		fflush(stdout);
		return code > 0;
	}
	dir = strtok(NULL, ":");
	a = strtok(NULL, ":");
	b = strtok(NULL, "");
	if (!dir || !a || !b)
		return false;
	if (!strcmp(dir, "get")) {
		file = open(b, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (file < 0)
			return false;
		data = client_data(c, mode, "RETR", a);
		ok = data >= 0 && copy_fd(data, file);
	} else if (!strcmp(dir, "put")) {
		file = open(a, O_RDONLY);
		if (file < 0)
			return false;
		data = client_data(c, mode, "STOR", b);
		ok = data >= 0 && copy_fd(file, data);
	} else {
		return false;
	}
	if (data >= 0)
		close(data);
	if (close(file))
		ok = false;
	/* The server's verdict on the transfer. */
	if (data >= 0 && get_reply(c) != 226)
		ok = false;
	return ok;
}

static int run_client(const char *host, const char *port, int nops,
		      char **ops)
{
	struct client c = { 0 };

	if (!parse_addr(host, &c.server))
		die("bad address %s", host);
	c.ctl = connect_to(&c.server, (unsigned short)atoi(port), NULL, 0);
	if (c.ctl < 0)
		die("cannot connect to %s:%s: %s", host, port, strerror(errno));
	c.rd.fd = c.ctl;
	local_port(c.ctl, &c.local);
	if (get_reply(&c) != 220 || command(&c, "USER ftp") != 331 ||
	    command(&c, "PASS ftp") != 230 || command(&c, "TYPE I") != 200)
		die("login failed (last reply: %s)", c.last);
	for (int i = 0; i < nops; i++) {
		char *op = strdup(ops[i]);

		if (!op || !client_op(&c, op))
			die("%s failed (last reply: %s)", ops[i], c.last);
		free(op);
	}
	if (command(&c, "QUIT") != 221)
		die("QUIT failed (last reply: %s)", c.last);
	close(c.ctl);
	return 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc == 4 && !strcmp(argv[1], "server"))
		return run_server(argv[2], argv[3]);
	if (argc >= 4 && !strcmp(argv[1], "client"))
		return run_client(argv[2], argv[3], argc - 4, argv + 4);
	fprintf(stderr, "usage: %s server PORT DIR\n"
		"       %s client HOST PORT OP...\n", prog, prog);
	return 2;
}
