/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xvs: forwarding methods.  Each method (NAT here; DR and tunnelling can
 * follow as their own files) is one struct xvs_xmit_ops; a connection is
 * bound to the ops of its destination's method when it is created.
 */
#ifndef XVS_XMIT_H
#define XVS_XMIT_H

#include <linux/skbuff.h>

#include "xvs.h"
#include "proto.h"

struct xvs_conn;

/*
 * An ICMP error about one of a connection's packets, as the hooks parsed
 * it: the error quotes the IP header and first transport bytes of the
 * packet it is about.
 */
struct xvs_icmp {
	unsigned int toff;		/* ICMP header */
	unsigned int ctoff;		/* quoted IP header */
	unsigned int cthoff;		/* quoted transport header */
	bool has_ports;			/* quoted TCP/UDP ports present */
	struct xvs_pkt inner;		/* the quoted packet */
};

struct xvs_xmit_ops {
	unsigned int fwd_method;	/* IP_VS_CONN_F_MASQ etc. */
	/*
	 * Forwards a client-to-server packet.  Returns a netfilter verdict:
	 * NF_STOLEN when the skb was sent or freed, NF_ACCEPT when it
	 * continues (e.g. to a local real server), never NF_DROP with the
	 * skb freed.
	 */
	unsigned int (*xmit)(struct sk_buff *skb, struct xvs_conn *cp,
			     const struct xvs_proto_ops *pp,
			     struct xvs_pkt *pkt);
	/*
	 * Rewrites a server-to-client packet seen in the out hooks; NULL
	 * when replies do not pass through us.  false: drop the packet.
	 */
	bool (*reply)(struct sk_buff *skb, struct xvs_conn *cp,
		      const struct xvs_proto_ops *pp, struct xvs_pkt *pkt,
		      unsigned int hooknum);
	/*
	 * An ICMP error from the client side about a reply: forwards it to
	 * the real server.  Same verdict rules as ->xmit.  NULL: the error
	 * is forwarded with ->xmit.
	 */
	unsigned int (*icmp_xmit)(struct sk_buff *skb, struct xvs_conn *cp,
				  const struct xvs_icmp *ic,
				  unsigned int hooknum);
	/*
	 * An ICMP error from a real server about a request: rewrites it for
	 * the client like ->reply.  false: drop it.
	 */
	bool (*icmp_reply)(struct sk_buff *skb, struct xvs_conn *cp,
			   const struct xvs_icmp *ic, unsigned int hooknum);
};

extern const struct xvs_xmit_ops xvs_xmit_nat;

/* Marks the skb as handled by us and detaches it from conntrack. */
void xvs_skb_untrack(struct sk_buff *skb);

#endif /* XVS_XMIT_H */
