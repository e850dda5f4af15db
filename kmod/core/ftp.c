// SPDX-License-Identifier: GPL-2.0
/*
 * FTP text parsing for the FTP helper.  The text is a TCP payload: not
 * NUL-terminated, of any content; every read is bounded by 'end'.
 *
 * What is accepted follows IPVS's helper, so that both balancers create
 * the same connections for the same commands: the six-number tuple of
 * PORT and 227 allows empty numbers and ends at any other character (or a
 * sixth comma), the arguments start after the first run of separators,
 * and the 227 tuple may start at its first digit without "(".  Addresses
 * in EPRT and 229 text are read as the kernel's in4_pton()/in6_pton()
 * read them, and must be of the control connection's family.
 */
#include "xvs_shim.h"
#include "xvs_app.h"

static inline bool ftp_isdigit(char c)
{
	return c >= '0' && c <= '9';
}

static inline char ftp_upper(char c)
{
	return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

/* Does [s, end) start with 'word' (upper case), ignoring case? */
static bool ftp_starts_with(const char *s, const char *end, const char *word)
{
	for (; *word; word++, s++)
		if (s == end || ftp_upper(*s) != *word)
			return false;
	return true;
}

/*
 * The arguments of "<word>..." at s: after the first run of 'sep'
 * characters, or from the first digit when 'digit_starts'.
 */
static const char *ftp_args(const char *s, const char *end, const char *word,
			    char sep, bool digit_starts)
{
	bool in_sep = false;

	if (!ftp_starts_with(s, end, word))
		return NULL;
	for (s += strlen(word); s < end; s++) {
		if (in_sep) {
			if (*s != sep)
				return s;
		} else if (digit_starts && ftp_isdigit(*s)) {
			return s;
		} else if (*s == sep) {
			in_sep = true;
		}
	}
	return NULL;
}

/* "h1,h2,h3,h4,p1,p2" */
static const char *ftp_tuple(const char *s, const char *end,
			     struct xvs_ftp_endpoint *ep)
{
	u8 v[6] = { 0 };
	int i = 0;

	for (;; s++) {
		if (s == end)
			return NULL;	/* the tuple must be terminated */
		if (ftp_isdigit(*s)) {
			unsigned int val = v[i] * 10u + (unsigned int)(*s - '0');

			if (val > 255)
				return NULL;
			v[i] = (u8)val;
		} else if (*s == ',' && i < 5) {
			i++;
		} else {
			break;
		}
	}
	if (i != 5)
		return NULL;
	memcpy(ep->addr, v, 4);
	ep->port = (u16)(v[4] << 8 | v[5]);
	ep->has_addr = true;
	return s;
}

/* The value of a hexadecimal digit, or -1. */
static int ftp_hexval(char c)
{
	if (ftp_isdigit(c))
		return c - '0';
	c = ftp_upper(c);
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * A dotted quad ended by 'delim', as the kernel's in4_pton() reads it:
 * four decimal numbers up to 255 (leading zeros allowed).  The delimiter
 * ends the address wherever it appears, even as a digit.  Returns the
 * position of the delimiter, or NULL.
 */
static const char *ftp_dotted_quad(const char *s, const char *end, char delim,
				   u8 addr[4])
{
	unsigned int val = 0;
	int parts = 0;
	bool digits = false;

	for (; s < end; s++) {
		if (*s != delim && ftp_isdigit(*s)) {
			val = val * 10 + (unsigned int)(*s - '0');
			if (val > 255)
				return NULL;
			digits = true;
			continue;
		}
		if (!digits || (*s != '.' && *s != delim))
			return NULL;
		addr[parts++] = (u8)val;
		val = 0;
		digits = false;
		if (*s == delim)
			return parts == 4 ? s : NULL;
		if (parts == 4)
			return NULL;
	}
	return NULL;
}

#define FTP_IPV6_GROUPS	8

/*
 * An IPv6 address ended by 'delim', as the kernel's in6_pton() reads it:
 * groups of hex digits (value up to ffff, any number of leading zeros)
 * separated by ':'; at most one "::", standing for one or more zero
 * groups; a dotted quad may replace the last two groups.  Without "::"
 * exactly eight groups, with it at most seven.  The delimiter ends the
 * address wherever it appears, even where it could belong to it.
 * Returns the position of the delimiter, or NULL.
 */
static const char *ftp_ipv6(const char *s, const char *end, char delim,
			    u8 addr[16])
{
	u16 groups[FTP_IPV6_GROUPS];
	int n = 0, gap = -1, max = FTP_IPV6_GROUPS, i, j;

	if (s < end && *s != delim && *s == ':') {
		if (end - s < 2 || s[1] == delim || s[1] != ':')
			return NULL;
		gap = 0;
		max = FTP_IPV6_GROUPS - 1;
		s += 2;
		if (s < end && *s == delim)
			goto done;
	}
	for (;;) {
		const char *group = s;
		unsigned int val = 0;
		int hex;

		for (; s < end && *s != delim && (hex = ftp_hexval(*s)) >= 0;
		     s++) {
			if (val >= 0x1000)
				return NULL;
			val = val << 4 | (unsigned int)hex;
		}
		if (s == group || s == end)
			return NULL;
		if (*s == '.' && *s != delim) {
			u8 quad[4];

			/* The quad re-reads the group's digits in decimal. */
			if (n + 2 > max)
				return NULL;
			s = ftp_dotted_quad(group, end, delim, quad);
			if (!s)
				return NULL;
			groups[n++] = (u16)(quad[0] << 8 | quad[1]);
			groups[n++] = (u16)(quad[2] << 8 | quad[3]);
			break;
		}
		if (n == max)
			return NULL;
		groups[n++] = (u16)val;
		if (*s == delim)
			break;
		if (*s != ':')
			return NULL;
		s++;
		if (s < end && *s != delim && *s == ':') {
			if (gap >= 0)
				return NULL;
			gap = n;
			max = FTP_IPV6_GROUPS - 1;
			if (n > max)
				return NULL;
			s++;
			if (s < end && *s == delim)
				break;
		}
	}
done:
	if (gap < 0 && n != FTP_IPV6_GROUPS)
		return NULL;
	/* Groups after the gap go to the end, zeros in between. */
	memset(addr, 0, 16);
	for (i = 0; i < n; i++) {
		j = (gap >= 0 && i >= gap) ? FTP_IPV6_GROUPS - (n - i) : i;
		addr[2 * j] = (u8)(groups[i] >> 8);
		addr[2 * j + 1] = (u8)groups[i];
	}
	return s;
}

/*
 * The RFC 2428 form "<d><family><d><address><d><port><d>", the address
 * of 'family' only, or with 'no_addr_ok' (229 answers) "<d><d><d>port<d>".
 * <d> is any printable character but space.
 */
static const char *ftp_extended(const char *s, const char *end,
				enum xvs_ftp_family family, bool no_addr_ok,
				struct xvs_ftp_endpoint *ep)
{
	unsigned int port = 0;
	bool digits = false;
	char d;

	if (s == end)
		return NULL;
	d = *s++;
	if (d < 33 || d > 126 || s == end)
		return NULL;
	if (*s == d) {
		if (!no_addr_ok || ++s == end || *s != d)
			return NULL;
		s++;
		ep->has_addr = false;
	} else {
		if (*s != (char)('0' + family) || ++s == end || *s != d ||
		    ++s == end)
			return NULL;
		memset(ep->addr, 0, sizeof(ep->addr));
		if (family == XVS_FTP_IPV6)
			s = ftp_ipv6(s, end, d, ep->addr);
		else
			s = ftp_dotted_quad(s, end, d, ep->addr);
		if (!s)
			return NULL;
		s++;
		ep->has_addr = true;
	}
	for (; s < end && ftp_isdigit(*s); s++) {
		port = port * 10 + (unsigned int)(*s - '0');
		if (port > 65535)
			return NULL;
		digits = true;
	}
	if (!digits || !port || s == end || *s != d)
		return NULL;
	ep->port = (u16)port;
	return s + 1;
}

enum xvs_ftp_req xvs_ftp_parse_request(const char *data, size_t len,
				       enum xvs_ftp_family family,
				       struct xvs_ftp_endpoint *ep)
{
	const char *end = data + len, *s, *args = NULL, *stop = NULL;

	/* Passive mode requests anywhere in the segment. */
	for (s = data; end - s >= 6; s++) {
		if (family == XVS_FTP_IPV4 &&
		    ftp_starts_with(s, end, "PASV\r\n"))
			return XVS_FTP_REQ_PASV;
		if (ftp_starts_with(s, end, "EPSV") &&
		    (s[4] == ' ' || s[4] == '\r')) {
			/*
			 * "EPSV <n>" asks for an address of family n: only
			 * the control connection's own is served; "ALL": no.
			 */
			if (s[4] == ' ' &&
			    (end - s < 7 || s[6] != '\r' ||
			     s[5] != (char)('0' + family)))
				return XVS_FTP_REQ_NONE;
			return XVS_FTP_REQ_EPSV;
		}
	}

	/* PORT names an IPv4 address only; EPRT must name the same family. */
	if (family == XVS_FTP_IPV4) {
		args = ftp_args(data, end, "PORT", ' ', true);
		if (args)
			stop = ftp_tuple(args, end, ep);
	}
	if (!args) {
		args = ftp_args(data, end, "EPRT", ' ', false);
		if (args)
			stop = ftp_extended(args, end, family, false, ep);
	}
	if (!stop)
		return XVS_FTP_REQ_NONE;
	ep->start = (size_t)(args - data);
	ep->end = (size_t)(stop - data);
	return XVS_FTP_REQ_PORT;
}

bool xvs_ftp_parse_answer(const char *data, size_t len, enum xvs_ftp_req mode,
			  enum xvs_ftp_family family,
			  struct xvs_ftp_endpoint *ep)
{
	const char *end = data + len, *args, *stop;

	if (mode == XVS_FTP_REQ_PASV && family == XVS_FTP_IPV4) {
		args = ftp_args(data, end, "227 ", '(', true);
		stop = args ? ftp_tuple(args, end, ep) : NULL;
	} else if (mode == XVS_FTP_REQ_EPSV) {
		args = ftp_args(data, end, "229 ", '(', false);
		stop = args ? ftp_extended(args, end, family, true, ep) : NULL;
	} else {
		return false;
	}
	if (!stop)
		return false;
	ep->start = (size_t)(args - data);
	ep->end = (size_t)(stop - data);
	return true;
}

/* Decimal digits of v at buf; returns the count. */
static size_t ftp_put_uint(char *buf, unsigned int v)
{
	char tmp[10];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

size_t xvs_ftp_format_answer(char *buf, enum xvs_ftp_req mode,
			     const u8 addr[4], u16 port)
{
	size_t n = 0;
	int i;

	if (mode == XVS_FTP_REQ_EPSV) {
		memcpy(buf, "|||", 3);
		n = 3 + ftp_put_uint(buf + 3, port);
		buf[n++] = '|';
		return n;
	}
	for (i = 0; i < 4; i++) {
		n += ftp_put_uint(buf + n, addr[i]);
		buf[n++] = ',';
	}
	n += ftp_put_uint(buf + n, port >> 8);
	buf[n++] = ',';
	n += ftp_put_uint(buf + n, port & 0xff);
	return n;
}
