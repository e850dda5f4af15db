/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xvs: forwarding methods: NAT (xmit_nat.c), direct routing and local node
 * (xmit_dr.c), tunnelling (xmit_tun.c), bypass (xmit_bypass.c).  Each method is one struct
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

/* Routing modes of xvs_xmit_route4() (xmit_dr.c). */
#define XVS_RTM_LOCAL		0x01	/* the real server may be local */
#define XVS_RTM_NON_LOCAL	0x02	/* ... or remote */
#define XVS_RTM_RDR		0x04	/* remote packets may go local */
#define XVS_RTM_CONNECT		0x08	/* route bound to our source */
#define XVS_RTM_KNOWN_NH	0x10	/* real server as next hop only */
#define XVS_RTM_TUNNEL		0x20	/* encapsulated: MTU minus headers */

/*
 * Routes a request to the connection's real server (route cached with the
 * connection), decrements the TTL and enforces the MTU, less 'tun_hlen'
 * bytes of tunnel headers after the outer IP header in XVS_RTM_TUNNEL
 * mode.  Returns 1 when the real server is local (the skb keeps its
 * route), 0 when the skb now carries the route to it, -1 when it must be
 * dropped.  *saddr (optional) gets our source address on that route.
 */
int xvs_xmit_route4(struct xvs_conn *cp, struct sk_buff *skb,
		    unsigned int mode, unsigned int tun_hlen, __be32 *saddr);

/*
 * xvs_xmit_route4() for an IPv6 real server (xmit_route6.c): same modes
 * and results; the MTU is enforced with packet-too-big errors, and in
 * XVS_RTM_TUNNEL mode it may not fall below IPv6's minimum of 1280.
 */
int xvs_xmit_route6(struct xvs_conn *cp, struct sk_buff *skb,
		    unsigned int mode, unsigned int tun_hlen,
		    struct in6_addr *saddr);

/* IPv6 routes to our own addresses go through the loopback device. */
static inline bool xvs_dst_is_local6(const struct dst_entry *dst)
{
	return dst->dev && (dst->dev->flags & IFF_LOOPBACK);
}

/*
 * May a packet of family @af (the connection's; a tunnel's outer header
 * may be of the other) switch between local and remote delivery as
 * XVS_RTM_* @mode allows?  @to_local: its new route ends here.
 */
bool xvs_xmit_mode_ok(const struct sk_buff *skb, u16 af, unsigned int mode,
		      bool to_local);

/*
 * A packet of family @af about to leave on a route of MTU @mtu (less the
 * tunnel headers in XVS_RTM_TUNNEL mode) loses one hop; a local sender
 * learns a tunnel's smaller MTU; a packet too big for it is refused with
 * its family's error (IPv4: only with DF, and with pmtu_disc off never in
 * a tunnel; IPv6: always).  false: drop it.
 */
bool xvs_xmit_fits(struct xvs_net *xnet, struct sk_buff *skb, u16 af,
		   unsigned int mode, int mtu);

/*
 * Forwarding semantics (xmit_dr.c): the packet of family 'af' loses one
 * hop (TTL or hop limit).  false: it had none left (the sender was told
 * with a time-exceeded error) or the header could not be made writable;
 * drop it.
 */
bool xvs_xmit_dec_ttl(struct net *net, struct sk_buff *skb, u16 af);

/* Is the packet over the MTU?  GSO packets are checked per segment. */
bool xvs_xmit_exceeds_mtu(const struct sk_buff *skb, unsigned int mtu);

/*
 * Sends a packet that xvs_xmit_route4/6() gave its route, unchanged but
 * for the hop count (direct routing, bypass).  Returns NF_STOLEN.
 */
unsigned int xvs_xmit_send_unchanged(struct sk_buff *skb,
				     struct xvs_conn *cp);

#endif /* XVS_XMIT_H */
