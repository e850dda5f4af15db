/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The wire format of IPVS's connection synchronisation (portable core):
 * encoding of entries into messages and the parser of received datagrams.
 *
 * A message is a header and entries.  Version 0 (sync_version=0, IPv4
 * only): a 4-byte header {nr_conns, syncid, size} and 24-byte entries
 * {reserved, protocol, cport, vport, dport, caddr, vaddr, daddr, flags(16),
 * state}, each followed by 24 bytes of TCP sequence data when its flags
 * have SEQ bits.  Version 1: an 8-byte header {0, syncid, size, nr_conns,
 * version=1, spare} and entries {type, protocol, ver_size, flags(32),
 * state, cport, vport, dport, fwmark, timeout (s), caddr, vaddr, daddr}
 * (36 bytes for IPv4, 72 for IPv6) followed by options {type, length,
 * data}, each entry starting on a 4-byte boundary.  All fields are in
 * network order; 'size' counts the whole datagram.
 */
#ifndef XVS_SYNC_MSG_H
#define XVS_SYNC_MSG_H

#include "xvs_shim.h"

#define XVS_SYNC_AF_INET	2	/* the values of AF_INET, AF_INET6 */
#define XVS_SYNC_AF_INET6	10

#define XVS_SYNC_HDR_V0_LEN	4
#define XVS_SYNC_HDR_V1_LEN	8
#define XVS_SYNC_CONN_V0_LEN	24
#define XVS_SYNC_SEQ_OPTS_LEN	24	/* in and out sequence data */
#define XVS_SYNC_CONN_V1_IN4_LEN	36
#define XVS_SYNC_CONN_V1_IN6_LEN	72

#define XVS_SYNC_PROTO_VER	1	/* version field of v1 headers */
#define XVS_SYNC_TYPE_INET6	0x01	/* v1 entry type bit */
#define XVS_SYNC_VER_SHIFT	12	/* ver_size: entry version on top */
#define XVS_SYNC_SIZE_MASK	0x0fff

/*
 * Option types of version 1 entries.  A type with XVS_SYNC_OPT_F_OPTIONAL
 * may be skipped by a receiver that does not know it; an unknown type
 * without it makes the receiver skip the whole entry.
 */
#define XVS_SYNC_OPT_SEQ_DATA	1
#define XVS_SYNC_OPT_PE_DATA	2
#define XVS_SYNC_OPT_PE_NAME	3
#define XVS_SYNC_OPT_F_OPTIONAL	(1 << 6)
#define XVS_SYNC_PEDATA_MAXLEN	255	/* IP_VS_PEDATA_MAXLEN */
#define XVS_SYNC_PENAME_MAXLEN	16	/* IP_VS_PENAME_MAXLEN */

/* Connection flags (IP_VS_CONN_F_* of <linux/ip_vs.h>) the format uses. */
#define XVS_SYNC_F_FWD_MASK	0x0007
#define XVS_SYNC_F_MASQ		0x0000
#define XVS_SYNC_F_HASHED	0x0040
#define XVS_SYNC_F_NOOUTPUT	0x0080
#define XVS_SYNC_F_INACTIVE	0x0100
#define XVS_SYNC_F_SEQ_MASK	0x0600
#define XVS_SYNC_F_NO_CPORT	0x0800
#define XVS_SYNC_F_TEMPLATE	0x1000
#define XVS_SYNC_F_ONE_PACKET	0x2000
#define XVS_SYNC_F_SYNC		0x0020
/* What a backup takes from a message (IP_VS_CONN_F_BACKUP_MASK). */
#define XVS_SYNC_F_BACKUP_MASK	(XVS_SYNC_F_FWD_MASK | XVS_SYNC_F_NOOUTPUT | \
				 XVS_SYNC_F_INACTIVE | XVS_SYNC_F_SEQ_MASK | \
				 XVS_SYNC_F_NO_CPORT | XVS_SYNC_F_TEMPLATE)

/* Template states (IP_VS_CTPL_S_*). */
#define XVS_SYNC_CTPL_S_LAST	2

/* One connection or template, as sent or received. */
struct xvs_sync_entry {
	u16 af;				/* XVS_SYNC_AF_* */
	u8 protocol;
	u32 flags;			/* IP_VS_CONN_F_* */
	u16 state;
	/* Ports and addresses in network order, IPv4 in addr[0]. */
	u16 cport, vport, dport;
	u32 caddr[4], vaddr[4], daddr[4];
	u32 fwmark;
	u32 timeout;			/* seconds; 0 in version 0 */
	/*
	 * TCP sequence translation of an application helper (FTP): for
	 * client->server then server->client segments, init_seq, delta and
	 * previous_delta.  Sent when the flags have SEQ bits.
	 */
	u32 seq[6];
	/*
	 * Persistence engine data of a template (version 1 only): sent as
	 * the PE_DATA and PE_NAME options when pe_data_len is not 0.  Not
	 * owned: received ones point into the datagram, valid during apply.
	 */
	const u8 *pe_data;
	const u8 *pe_name;		/* not NUL-terminated */
	u8 pe_data_len;
	u8 pe_name_len;
};

/* ---- sending ------------------------------------------------------------ */

static inline unsigned int xvs_sync_hdr_len(u8 version)
{
	return version ? XVS_SYNC_HDR_V1_LEN : XVS_SYNC_HDR_V0_LEN;
}

/*
 * Bytes of @e in a message of @version: the entry, and its sequence data
 * when its flags have SEQ bits (version 1: as the SEQ_DATA option), then
 * in version 1 its persistence engine data and name options.
 */
unsigned int xvs_sync_entry_len(u8 version, const struct xvs_sync_entry *e);

/*
 * Writes @e at @p (xvs_sync_entry_len() bytes); HASHED is not sent.  As
 * IPVS, version 1 sends the sequence numbers in network order, version 0
 * as they are in memory (a version 0 backup runs on the same kind of CPU).
 */
void xvs_sync_entry_put(u8 *p, u8 version, const struct xvs_sync_entry *e);

/* Writes the header of a message of @len bytes with @nr_conns entries. */
void xvs_sync_hdr_put(u8 *msg, u8 version, u8 syncid, u8 nr_conns,
		      unsigned int len);

/* ---- receiving ---------------------------------------------------------- */

/*
 * Checks the flags and state of a received entry as IPVS does and turns
 * the flags into what a backup keeps (+ SYNC).  @num_states(protocol)
 * gives the number of states of a protocol, 0 if unsupported.
 */
bool xvs_sync_entry_check(struct xvs_sync_entry *e,
			  unsigned int (*num_states)(u8 protocol));

struct xvs_sync_rx_stats {
	unsigned long msgs;		/* accepted datagrams */
	unsigned long conns;		/* entries applied */
	unsigned long dropped;		/* datagrams and entries dropped */
};

/*
 * Parses one datagram and calls @apply for every well-formed entry whose
 * flags and state pass xvs_sync_entry_check(); @apply returns false when
 * it could not use the entry (counted as dropped).  A datagram with the
 * wrong size or syncid (unless @syncid is 0) is dropped whole; after an
 * undecodable entry the rest of the datagram is.  Reads only buf[0..len).
 */
void xvs_sync_parse(const u8 *buf, size_t len, u32 syncid,
		    unsigned int (*num_states)(u8 protocol),
		    bool (*apply)(void *ctx, const struct xvs_sync_entry *e),
		    void *ctx, struct xvs_sync_rx_stats *st);

#endif /* XVS_SYNC_MSG_H */
