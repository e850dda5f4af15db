/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Portable parts of the application helpers (kmod/app.c, app_ftp.c):
 * TCP sequence translation after payload size changes, and the FTP
 * command and answer parser (core/ftp.c).  No kernel headers: the host
 * unit tests exercise them on arbitrary bytes.
 */
#ifndef XVS_APP_CORE_H
#define XVS_APP_CORE_H

#include "xvs_shim.h"

/* ---- sequence translation ---------------------------------------------- */

/*
 * One direction of a connection whose payload a helper resized: segments
 * after init_seq (the original sequence number of the last resized one)
 * move by delta, older ones (retransmissions) by previous_delta.
 */
struct xvs_seq {
	u32 init_seq;
	s32 delta;
	s32 previous_delta;
};

/* a after b, modulo 2^32 (as the kernel's after()) */
static inline bool xvs_seq_after(u32 a, u32 b)
{
	return (s32)(b - a) < 0;
}

/* The sequence number an original segment carries after the rewrites. */
static inline u32 xvs_seq_translate(const struct xvs_seq *vs, u32 seq)
{
	return seq + (u32)(xvs_seq_after(seq, vs->init_seq) ?
			   vs->delta : vs->previous_delta);
}

/*
 * An acknowledgement of the rewritten stream in numbers of the original
 * one.  Bytes up to the end of the last resized segment (init_seq + delta
 * in rewritten numbers) were shifted by the older delta.
 */
static inline u32 xvs_seq_ack_back(const struct xvs_seq *vs, u32 ack)
{
	return ack - (u32)(xvs_seq_after(ack, vs->init_seq + (u32)vs->delta) ?
			   vs->delta : vs->previous_delta);
}

/*
 * The segment starting at original 'seq' was resized by 'diff'.  'used':
 * an earlier resize was recorded.  Only a newer segment moves the
 * boundary; a retransmission of the resized one does not add its diff
 * again.  Returns true when recorded.
 */
static inline bool xvs_seq_record(struct xvs_seq *vs, bool used, u32 seq,
				  int diff)
{
	if (used && !xvs_seq_after(seq, vs->init_seq))
		return false;
	vs->previous_delta = vs->delta;
	vs->delta += diff;
	vs->init_seq = seq;
	return true;
}

/* ---- FTP --------------------------------------------------------------- */

/*
 * The address family of the control connection, numbered as RFC 2428
 * numbers it in EPRT and EPSV ("net-prt"): 1 IPv4, 2 IPv6.
 */
enum xvs_ftp_family {
	XVS_FTP_IPV4 = 1,
	XVS_FTP_IPV6 = 2,
};

/* What a client's segment asks for. */
enum xvs_ftp_req {
	XVS_FTP_REQ_NONE,	/* nothing the helper acts on */
	XVS_FTP_REQ_PASV,	/* PASV (IPv4 only): a 227 answer follows */
	XVS_FTP_REQ_EPSV,	/* EPSV or "EPSV <family>": a 229 answer follows */
	XVS_FTP_REQ_PORT,	/* PORT (IPv4) or EPRT: the endpoint to connect to */
};

/* An address and port named in FTP text. */
struct xvs_ftp_endpoint {
	u8 addr[16];		/* network byte order; IPv4 in the first 4 */
	u16 port;		/* host byte order */
	bool has_addr;		/* false: a 229 answer naming only a port */
	size_t start;		/* where the text naming it starts ... */
	size_t end;		/* ... and ends (exclusive) */
};

/*
 * Classifies a client segment of 'len' bytes (not NUL-terminated) of a
 * control connection of 'family', as IPVS's FTP helper does: "PASV\r\n"
 * (IPv4) or "EPSV\r"/"EPSV <family>\r" anywhere in it, else a PORT (IPv4)
 * or EPRT command of the same family at its start.
 */
enum xvs_ftp_req xvs_ftp_parse_request(const char *data, size_t len,
				       enum xvs_ftp_family family,
				       struct xvs_ftp_endpoint *ep);

/*
 * A server segment after a request 'mode' (PASV or EPSV): true when it
 * starts with a well-formed 227 (resp. 229) answer, described by *ep.  A
 * 229 answer naming an address must name one of 'family'.
 */
bool xvs_ftp_parse_answer(const char *data, size_t len, enum xvs_ftp_req mode,
			  enum xvs_ftp_family family,
			  struct xvs_ftp_endpoint *ep);

/*
 * The text that replaces ep->start..ep->end of an answer to 'mode' so
 * that it names addr:port: "h1,h2,h3,h4,p1,p2" (227) or "|||port|" (229).
 * Returns its length; buf holds XVS_FTP_ANSWER_MAX bytes (no NUL added).
 */
#define XVS_FTP_ANSWER_MAX	32
size_t xvs_ftp_format_answer(char *buf, enum xvs_ftp_req mode,
			     const u8 addr[4], u16 port);

#endif /* XVS_APP_CORE_H */
