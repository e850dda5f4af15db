/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xvs: what becomes of a packet's conntrack entry (net.ipv4.vs.conntrack).
 *
 * A connection without IP_VS_CONN_F_NFCT detaches every packet it forwards
 * or translates from conntrack.  One with it (made while conntrack=1, or
 * an FTP control connection and the data connections it announces) keeps
 * the entry: for NAT the new entry learns that the replies come from the
 * real server, so that stateful filtering on the director sees one flow,
 * and the entry goes when the connection expires.
 */
#ifndef XVS_NFCT_H
#define XVS_NFCT_H

#include <linux/netfilter.h>
#include <linux/skbuff.h>

struct xvs_conn;
struct xvs_net;

/* Module load and unload (main.c). */
void xvs_nfct_init(void);
void xvs_nfct_exit(void);

/*
 * The packet of connection cp is handed on (forwarded, translated or
 * passed to a local real server): detach it from conntrack, or for an NFCT
 * connection give a new NAT entry its reply tuple.  from_client: the packet
 * goes from the client to the real server.
 */
void xvs_conn_nfct(struct sk_buff *skb, struct xvs_conn *cp, bool from_client);

/*
 * A tunnelled packet leaves with its own headers: an NFCT connection's
 * entry is confirmed first, as the local stack would have.  NF_ACCEPT, or
 * the verdict of a failed confirmation.
 */
unsigned int xvs_nfct_tunnel_out(struct sk_buff *skb, struct xvs_conn *cp);

/*
 * The connection ended: its conntrack entry (client to virtual service)
 * goes too, for NFCT connections.
 */
void xvs_nfct_conn_gone(struct xvs_conn *cp);

/*
 * A new connection replaces cp on the same client tuple.  If the packet
 * carries cp's old, confirmed conntrack entry, that entry is deleted and
 * the packet tracked afresh (IPVS drops the packet instead and waits for
 * the client to retransmit).  cp keeps no claim on the new entry.
 */
void xvs_nfct_reuse(struct sk_buff *skb, struct xvs_conn *cp,
		    const struct nf_hook_state *state);

/*
 * A helper changed the payload size of a tracked TCP connection and
 * translates its sequence numbers itself: conntrack must not judge its
 * windows.
 */
void xvs_nfct_resized(struct sk_buff *skb, struct xvs_conn *cp);

/*
 * The FTP helper announced data connection 'data' of control connection
 * 'ctl' (passive mode): conntrack expects it, and its entry will be
 * RELATED to the control connection's, replies from the real server.
 */
void xvs_nfct_expect(struct sk_buff *skb, struct xvs_conn *ctl,
		     struct xvs_conn *data);

/* A namespace goes (after .pre_exit): our expectations in it go first. */
void xvs_nfct_net_exit(struct xvs_net *xnet);

#endif /* XVS_NFCT_H */
