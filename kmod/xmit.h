/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xvs: forwarding methods: NAT (xmit_nat.c), direct routing and local node
 * (xmit_dr.c), tunnelling (xmit_tun.c), bypass (xmit_bypass.c), all routed
 * and sent by one layer (xmit_route.c).  Each method is one struct
 * xvs_xmit_ops; a connection is bound to the ops of its destination's
 * method when it is created.
 */
#ifndef XVS_XMIT_H
#define XVS_XMIT_H

#include <linux/skbuff.h>
#include <linux/netdevice.h>
#include <net/dst.h>

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
extern const struct xvs_xmit_ops xvs_xmit_dr;
extern const struct xvs_xmit_ops xvs_xmit_tun;
extern const struct xvs_xmit_ops xvs_xmit_local;
extern const struct xvs_xmit_ops xvs_xmit_bypass;

/* Routing modes of xvs_xmit_route(): what a method allows (xmit_route.c). */
#define XVS_RTM_LOCAL		0x01	/* the real server may be local */
#define XVS_RTM_NON_LOCAL	0x02	/* ... or remote */
#define XVS_RTM_RDR		0x04	/* remote packets may go local */
#define XVS_RTM_CONNECT		0x08	/* IPv4: bound to our source */
#define XVS_RTM_KNOWN_NH	0x10	/* real server as next hop only */
#define XVS_RTM_TUNNEL		0x20	/* encapsulated: MTU minus headers */

/*
 * Routes a request to the connection's real server over family @out_af
 * (the connection's, or for a tunnel its real server's), as @mode allows:
 * the route is cached with the connection; the packet loses one hop and
 * must fit the route's MTU, less @tun_hlen bytes of tunnel headers after
 * the outer IP header in XVS_RTM_TUNNEL mode (IPv4: refused only with DF,
 * with pmtu_disc off never in a tunnel, never for an ICMP error; IPv6:
 * always, and a tunnel's MTU may not fall below 1280).  Returns 1 when the
 * real server is local (the skb keeps its route), 0 when the skb now
 * carries the route to it, -1 when it must be dropped (counted; an ICMP
 * error may have been sent).  *saddr (optional) gets our source address on
 * that route.
 */
int xvs_xmit_route(struct xvs_conn *cp, struct sk_buff *skb, u16 out_af,
		   unsigned int mode, unsigned int tun_hlen,
		   union nf_inet_addr *saddr);

/*
 * The route @cp cached to its real server, if it is still valid and leads
 * away from this host (what xvs_xmit_route() will use without a lookup);
 * NULL otherwise.  Caller holds RCU.
 */
struct dst_entry *xvs_xmit_cached_remote(struct xvs_conn *cp);

/*
 * Sends a request that xvs_xmit_route() gave its route, as it is now (a
 * NAT request translated, a direct-routed one as the client sent it),
 * through the OUTPUT chain, or straight to the route's output when @fast
 * (the fast path's packets skip the inet chains).  Returns NF_STOLEN.
 */
unsigned int xvs_xmit_send(struct sk_buff *skb, struct xvs_conn *cp,
			   bool fast);

/*
 * Sends a packet we built (a tunnel's outer header of family @af) as
 * ip_local_out() and ip6_local_out() do; without the OUTPUT chain when
 * @fast.
 */
void xvs_xmit_local_out(struct net *net, struct sk_buff *skb, u16 af,
			bool fast);

/*
 * The bytes a tunnel adds before a request of @cp (outer IP header and
 * the GUE or GRE header of the destination's tunnel type): what the fast
 * path keeps free of the route's MTU (xmit_tun.c).
 */
unsigned int xvs_tun_overhead(const struct xvs_conn *cp,
			      const struct sk_buff *skb);

/*
 * The request continues to the local stack (a local real server), marked
 * as ours.  Returns NF_ACCEPT.
 */
unsigned int xvs_xmit_to_local(struct sk_buff *skb, struct xvs_conn *cp);

#endif /* XVS_XMIT_H */
