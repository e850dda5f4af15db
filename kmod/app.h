/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xvs: application helpers, for protocols that carry addresses in their
 * payload (FTP).  A helper is bound to the NAT connections of its TCP
 * ports when they are created; the NAT path then shows it every segment
 * of such a connection before translating it, and the helper may rewrite
 * the payload and create the connections it announces.  When a rewrite
 * changes the payload size, the sequence numbers of that direction (and
 * the acknowledgements coming back) are translated from then on.
 */
#ifndef XVS_APP_H
#define XVS_APP_H

#include <linux/skbuff.h>

#include "proto.h"

struct xvs_conn;

struct xvs_app_ops {
	const char *name;
	/*
	 * A segment with payload of a bound connection, client to server
	 * (pkt_in) or server to client (pkt_out), before NAT: the packet is
	 * linear and writable, its sequence numbers already translated.
	 * Sets *diff to the payload size change.  false: drop the packet.
	 */
	bool (*pkt_in)(struct xvs_conn *cp, struct sk_buff *skb,
		       const struct xvs_pkt *pkt, int *diff);
	bool (*pkt_out)(struct xvs_conn *cp, struct sk_buff *skb,
			const struct xvs_pkt *pkt, int *diff);
};

/* Binds the helper of the connection's port, if any (conn.c, creation). */
void xvs_app_bind_conn(struct xvs_conn *cp);

/*
 * Called by the NAT path for connections with cp->app, before the
 * addresses are translated.  false: drop the packet.
 */
bool xvs_app_pkt_in(struct xvs_conn *cp, struct sk_buff *skb,
		    const struct xvs_pkt *pkt);
bool xvs_app_pkt_out(struct xvs_conn *cp, struct sk_buff *skb,
		     const struct xvs_pkt *pkt);

/*
 * For helpers: replaces 'len' bytes at offset 'off' (from skb->data) of
 * the linear TCP packet (IPv4 or IPv6) by 'rep', fixing the IP length and
 * the TCP checksum.  Pointers into the packet are invalid afterwards.
 */
bool xvs_app_mangle(struct sk_buff *skb, const struct xvs_pkt *pkt,
		    unsigned int off, unsigned int len,
		    const char *rep, unsigned int rep_len);

/* The FTP helper (app_ftp.c). */
extern const struct xvs_app_ops xvs_app_ftp;
/* Is this (network order) port one of the FTP control ports? */
bool xvs_ftp_port(__be16 port);

#endif /* XVS_APP_H */
