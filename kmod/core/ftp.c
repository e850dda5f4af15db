// SPDX-License-Identifier: GPL-2.0
/*
 * FTP text parsing for the FTP helper.  The text is a TCP payload: not
 * NUL-terminated, of any content; every read is bounded by 'end'.
 *
 * What is accepted follows IPVS's helper, so that both balancers create
 * the same connections for the same commands: the six-number tuple of
 * PORT and 227 allows empty numbers and ends at any other character (or a
 * sixth comma), the arguments start after the first run of separators,
 * and the 227 tuple may start at its first digit without "(".
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

/* A dotted quad ended by 'delim', as the kernel's in4_pton() reads it. */
static const char *ftp_dotted_quad(const char *s, const char *end, char delim,
				   u8 addr[4])
{
	unsigned int val = 0;
	int parts = 0;
	bool digits = false;

	for (; s < end; s++) {
		if (ftp_isdigit(*s)) {
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

/*
 * The RFC 2428 form "<d>1<d>a.b.c.d<d>port<d>" (IPv4 only), or with
 * 'no_addr_ok' (229 answers) "<d><d><d>port<d>".  <d> is any printable
 * character but space.
 */
static const char *ftp_extended(const char *s, const char *end,
				bool no_addr_ok, struct xvs_ftp_endpoint *ep)
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
		if (*s != '1' || ++s == end || *s != d || ++s == end)
			return NULL;
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
				       struct xvs_ftp_endpoint *ep)
{
	const char *end = data + len, *s, *args, *stop;

	/* Passive mode requests anywhere in the segment. */
	for (s = data; end - s >= 6; s++) {
		if (ftp_starts_with(s, end, "PASV\r\n"))
			return XVS_FTP_REQ_PASV;
		if (ftp_starts_with(s, end, "EPSV") &&
		    (s[4] == ' ' || s[4] == '\r')) {
			/* "EPSV 1" asks for IPv4; "EPSV 2" or "ALL": no. */
			if (s[4] == ' ' &&
			    (end - s < 7 || s[5] != '1' || s[6] != '\r'))
				return XVS_FTP_REQ_NONE;
			return XVS_FTP_REQ_EPSV;
		}
	}

	args = ftp_args(data, end, "PORT", ' ', true);
	if (args) {
		stop = ftp_tuple(args, end, ep);
	} else {
		args = ftp_args(data, end, "EPRT", ' ', false);
		stop = args ? ftp_extended(args, end, false, ep) : NULL;
	}
	if (!stop)
		return XVS_FTP_REQ_NONE;
	ep->start = (size_t)(args - data);
	ep->end = (size_t)(stop - data);
	return XVS_FTP_REQ_PORT;
}

bool xvs_ftp_parse_answer(const char *data, size_t len, enum xvs_ftp_req mode,
			  struct xvs_ftp_endpoint *ep)
{
	const char *end = data + len, *args, *stop;

	if (mode == XVS_FTP_REQ_PASV) {
		args = ftp_args(data, end, "227 ", '(', true);
		stop = args ? ftp_tuple(args, end, ep) : NULL;
	} else if (mode == XVS_FTP_REQ_EPSV) {
		args = ftp_args(data, end, "229 ", '(', false);
		stop = args ? ftp_extended(args, end, true, ep) : NULL;
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
