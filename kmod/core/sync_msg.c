// SPDX-License-Identifier: GPL-2.0
/*
 * xvs core: encoding and parsing of connection synchronisation messages
 * (see xvs_sync_msg.h for the layout).  Fields are read and written byte
 * by byte, so neither the host's byte order nor alignment matters, and the
 * parser never looks outside the datagram it was given.
 */
#include "xvs_sync_msg.h"

static inline u16 get_be16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static inline u32 get_be32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static inline void put_be16(u8 *p, u16 v)
{
	p[0] = (u8)(v >> 8);
	p[1] = (u8)v;
}

static inline void put_be32(u8 *p, u32 v)
{
	p[0] = (u8)(v >> 24);
	p[1] = (u8)(v >> 16);
	p[2] = (u8)(v >> 8);
	p[3] = (u8)v;
}

/* Values already in network order are copied as they are. */
static inline void put_raw(u8 *p, const void *v, size_t n)
{
	memcpy(p, v, n);
}

static inline void get_raw(void *v, const u8 *p, size_t n)
{
	memcpy(v, p, n);
}

static bool has_seq(const struct xvs_sync_entry *e)
{
	return e->flags & XVS_SYNC_F_SEQ_MASK;
}

/* As IPVS: the engine's name goes only with its data. */
static unsigned int pe_opts_len(const struct xvs_sync_entry *e)
{
	if (!e->pe_data_len)
		return 0;
	return 2 + e->pe_data_len + (e->pe_name_len ? 2 + e->pe_name_len : 0);
}

unsigned int xvs_sync_entry_len(u8 version, const struct xvs_sync_entry *e)
{
	if (!version)
		return XVS_SYNC_CONN_V0_LEN +
		       (has_seq(e) ? XVS_SYNC_SEQ_OPTS_LEN : 0);
	return (e->af == XVS_SYNC_AF_INET6 ? XVS_SYNC_CONN_V1_IN6_LEN :
					     XVS_SYNC_CONN_V1_IN4_LEN) +
	       (has_seq(e) ? 2 + XVS_SYNC_SEQ_OPTS_LEN : 0) + pe_opts_len(e);
}

void xvs_sync_entry_put(u8 *p, u8 version, const struct xvs_sync_entry *e)
{
	u32 flags = e->flags & ~XVS_SYNC_F_HASHED;
	unsigned int alen = e->af == XVS_SYNC_AF_INET6 ? 16 : 4, i;
	u8 *o;

	if (!version) {
		p[0] = 0;
		p[1] = e->protocol;
		put_raw(p + 2, &e->cport, 2);
		put_raw(p + 4, &e->vport, 2);
		put_raw(p + 6, &e->dport, 2);
		put_raw(p + 8, e->caddr, 4);
		put_raw(p + 12, e->vaddr, 4);
		put_raw(p + 16, e->daddr, 4);
		put_be16(p + 20, (u16)flags);
		put_be16(p + 22, e->state);
		if (has_seq(e))
			put_raw(p + XVS_SYNC_CONN_V0_LEN, e->seq, sizeof(e->seq));
		return;
	}
	p[0] = e->af == XVS_SYNC_AF_INET6 ? XVS_SYNC_TYPE_INET6 : 0;
	p[1] = e->protocol;
	/* Entry version 0 in the top bits, then the size. */
	put_be16(p + 2, (u16)(xvs_sync_entry_len(1, e) & XVS_SYNC_SIZE_MASK));
	put_be32(p + 4, flags);
	put_be16(p + 8, e->state);
	put_raw(p + 10, &e->cport, 2);
	put_raw(p + 12, &e->vport, 2);
	put_raw(p + 14, &e->dport, 2);
	put_be32(p + 16, e->fwmark);
	put_be32(p + 20, e->timeout);
	put_raw(p + 24, e->caddr, alen);
	put_raw(p + 24 + alen, e->vaddr, alen);
	put_raw(p + 24 + 2 * alen, e->daddr, alen);
	o = p + 24 + 3 * alen;
	if (has_seq(e)) {
		o[0] = XVS_SYNC_OPT_SEQ_DATA;
		o[1] = XVS_SYNC_SEQ_OPTS_LEN;
		for (i = 0; i < 6; i++)
			put_be32(o + 2 + 4 * i, e->seq[i]);
		o += 2 + XVS_SYNC_SEQ_OPTS_LEN;
	}
	if (!e->pe_data_len)
		return;
	o[0] = XVS_SYNC_OPT_PE_DATA;
	o[1] = e->pe_data_len;
	put_raw(o + 2, e->pe_data, e->pe_data_len);
	o += 2 + e->pe_data_len;
	if (!e->pe_name_len)
		return;
	o[0] = XVS_SYNC_OPT_PE_NAME;
	o[1] = e->pe_name_len;
	put_raw(o + 2, e->pe_name, e->pe_name_len);
}

void xvs_sync_hdr_put(u8 *msg, u8 version, u8 syncid, u8 nr_conns,
		      unsigned int len)
{
	if (version) {
		msg[0] = 0;		/* where v0 has nr_conns: v0 skips it */
		msg[1] = syncid;
		put_be16(msg + 2, (u16)len);
		msg[4] = nr_conns;
		msg[5] = XVS_SYNC_PROTO_VER;
		msg[6] = 0;
		msg[7] = 0;
	} else {
		msg[0] = nr_conns;
		msg[1] = syncid;
		put_be16(msg + 2, (u16)len);
	}
}

bool xvs_sync_entry_check(struct xvs_sync_entry *e,
			  unsigned int (*num_states)(u8 protocol))
{
	u32 flags = e->flags;

	/* Templates are found by client port: never without one. */
	if ((flags & XVS_SYNC_F_NO_CPORT) && (flags & XVS_SYNC_F_TEMPLATE))
		return false;
	if (flags & XVS_SYNC_F_ONE_PACKET)
		return false;
	e->flags = (flags & XVS_SYNC_F_BACKUP_MASK) | XVS_SYNC_F_SYNC;
	if (e->flags & XVS_SYNC_F_TEMPLATE)
		return e->state < XVS_SYNC_CTPL_S_LAST;
	return e->state < num_states(e->protocol);
}

/* A version 0 datagram: entries until nr_conns or the first bad one. */
static void parse_v0(const u8 *buf, size_t len,
		     unsigned int (*num_states)(u8 protocol),
		     bool (*apply)(void *ctx, const struct xvs_sync_entry *e),
		     void *ctx, struct xvs_sync_rx_stats *st)
{
	unsigned int nr = buf[0], i;
	size_t off = XVS_SYNC_HDR_V0_LEN;

	for (i = 0; i < nr; i++) {
		const u8 *p = buf + off;
		struct xvs_sync_entry e;

		if (len - off < XVS_SYNC_CONN_V0_LEN)
			goto truncated;
		memset(&e, 0, sizeof(e));
		e.flags = get_be16(p + 20);
		off += XVS_SYNC_CONN_V0_LEN;
		if (e.flags & XVS_SYNC_F_SEQ_MASK) {
			/* Sequence data follows, in the sender's byte order. */
			if (len - off < XVS_SYNC_SEQ_OPTS_LEN)
				goto truncated;
			get_raw(e.seq, buf + off, sizeof(e.seq));
			off += XVS_SYNC_SEQ_OPTS_LEN;
		}
		e.af = XVS_SYNC_AF_INET;
		e.protocol = p[1];
		get_raw(&e.cport, p + 2, 2);
		get_raw(&e.vport, p + 4, 2);
		get_raw(&e.dport, p + 6, 2);
		get_raw(e.caddr, p + 8, 4);
		get_raw(e.vaddr, p + 12, 4);
		get_raw(e.daddr, p + 16, 4);
		e.state = get_be16(p + 22);
		if (xvs_sync_entry_check(&e, num_states) && apply(ctx, &e))
			st->conns++;
		else
			st->dropped++;
	}
	return;

truncated:
	st->dropped += nr - i;
}

/*
 * One version 1 entry of @size bytes at @p.  Returns 1 when @e is to be
 * applied, 0 to skip only this entry, -1 when the datagram is broken.
 */
static int parse_v1_entry(const u8 *p, unsigned int size,
			  struct xvs_sync_entry *e)
{
	const u8 *end = p + size, *o;
	unsigned int seen = 0, alen, i;
	bool skip = false;

	if (p[0] & XVS_SYNC_TYPE_INET6) {
		if (size < XVS_SYNC_CONN_V1_IN6_LEN)
			return -1;
		e->af = XVS_SYNC_AF_INET6;
		alen = 16;
	} else if (!p[0]) {
		if (size < XVS_SYNC_CONN_V1_IN4_LEN)
			return -1;
		e->af = XVS_SYNC_AF_INET;
		alen = 4;
	} else {
		return -1;
	}
	e->protocol = p[1];
	e->flags = get_be32(p + 4);
	e->state = get_be16(p + 8);
	get_raw(&e->cport, p + 10, 2);
	get_raw(&e->vport, p + 12, 2);
	get_raw(&e->dport, p + 14, 2);
	e->fwmark = get_be32(p + 16);
	e->timeout = get_be32(p + 20);
	get_raw(e->caddr, p + 24, alen);
	get_raw(e->vaddr, p + 24 + alen, alen);
	get_raw(e->daddr, p + 24 + 2 * alen, alen);

	/* Options: type, length (not 0), data. */
	for (o = p + 24 + 3 * alen; o < end;) {
		unsigned int type, olen, bit;

		if (end - o < 2)
			return -1;
		type = o[0];
		olen = o[1];
		o += 2;
		if (!olen || (size_t)(end - o) < olen)
			return -1;
		switch (type & ~XVS_SYNC_OPT_F_OPTIONAL) {
		case XVS_SYNC_OPT_SEQ_DATA:
			if (olen != XVS_SYNC_SEQ_OPTS_LEN)
				return -1;
			for (i = 0; i < 6; i++)
				e->seq[i] = get_be32(o + 4 * i);
			break;
		case XVS_SYNC_OPT_PE_DATA:
			if (olen > XVS_SYNC_PEDATA_MAXLEN)
				return -1;
			e->pe_data = o;
			e->pe_data_len = (u8)olen;
			break;
		case XVS_SYNC_OPT_PE_NAME:
			if (olen > XVS_SYNC_PENAME_MAXLEN)
				return -1;
			e->pe_name = o;
			e->pe_name_len = (u8)olen;
			break;
		default:
			if (!(type & XVS_SYNC_OPT_F_OPTIONAL))
				skip = true;
			o += olen;
			continue;
		}
		/* Each known option at most once. */
		bit = 1u << (type & ~XVS_SYNC_OPT_F_OPTIONAL);
		if (seen & bit)
			return -1;
		seen |= bit;
		o += olen;
	}
	/*
	 * Engine data without the engine's name is useless: as IPVS, the
	 * entry is dropped (a name without data is ignored).
	 */
	if (skip || (e->pe_data_len && !e->pe_name_len))
		return 0;
	if (!e->pe_data_len) {
		e->pe_name = NULL;
		e->pe_name_len = 0;
	}
	return 1;
}

static void parse_v1(const u8 *buf, size_t len,
		     unsigned int (*num_states)(u8 protocol),
		     bool (*apply)(void *ctx, const struct xvs_sync_entry *e),
		     void *ctx, struct xvs_sync_rx_stats *st)
{
	unsigned int nr = buf[4], i;
	size_t off = XVS_SYNC_HDR_V1_LEN;

	for (i = 0; i < nr; i++) {
		struct xvs_sync_entry e;
		unsigned int ver_size, size;
		int rc;

		if (off > len || len - off < XVS_SYNC_CONN_V1_IN4_LEN)
			goto broken;
		ver_size = get_be16(buf + off + 2);
		size = ver_size & XVS_SYNC_SIZE_MASK;
		if (ver_size >> XVS_SYNC_VER_SHIFT || len - off < size)
			goto broken;
		memset(&e, 0, sizeof(e));
		rc = parse_v1_entry(buf + off, size, &e);
		if (rc < 0)
			goto broken;
		if (rc && xvs_sync_entry_check(&e, num_states) && apply(ctx, &e))
			st->conns++;
		else
			st->dropped++;
		/* The next entry starts on a 4-byte boundary. */
		off += (size + 3) & ~3u;
	}
	return;

broken:
	st->dropped += nr - i;
}

void xvs_sync_parse(const u8 *buf, size_t len, u32 syncid,
		    unsigned int (*num_states)(u8 protocol),
		    bool (*apply)(void *ctx, const struct xvs_sync_entry *e),
		    void *ctx, struct xvs_sync_rx_stats *st)
{
	if (len < XVS_SYNC_HDR_V0_LEN || get_be16(buf + 2) != len) {
		st->dropped++;
		return;
	}
	/* A backup with syncid 0 takes every master's messages. */
	if (syncid && buf[1] != syncid) {
		st->dropped++;
		return;
	}
	st->msgs++;
	if (len >= XVS_SYNC_HDR_V1_LEN && !buf[0] &&
	    buf[5] == XVS_SYNC_PROTO_VER && !buf[6] && !buf[7])
		parse_v1(buf, len, num_states, apply, ctx, st);
	else
		parse_v0(buf, len, num_states, apply, ctx, st);
}
