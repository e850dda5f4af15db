/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xvs: the ends of the packet path shared by the netfilter hooks (hooks.c)
 * and the fast path (fast_path.c), so that a packet counts, changes its
 * connection's state and reaches the sync daemon the same way on both.
 */
#ifndef XVS_HOOKS_H
#define XVS_HOOKS_H

#include <linux/skbuff.h>
#include <linux/ip.h>

#include "xvs.h"
#include "proto.h"

struct xvs_conn;

/* The packet of an IPv4 header that is validated and linear. */
static __always_inline void xvs_parse_ipv4(const struct sk_buff *skb,
					   struct xvs_pkt *pkt)
{
	const struct iphdr *iph = ip_hdr(skb);

	memset(pkt, 0, sizeof(*pkt));
	pkt->af = AF_INET;
	pkt->protocol = iph->protocol;
	pkt->thoff = skb_network_offset(skb) + iph->ihl * 4;
	pkt->saddr.ip = iph->saddr;
	pkt->daddr.ip = iph->daddr;
}

/*
 * A request of connection @cp (the caller's reference, given up here):
 * counted, its state moved, forwarded by the connection's method and seen
 * by the sync master.  Returns the method's verdict.
 */
unsigned int xvs_in_forward(struct xvs_net *xnet, struct sk_buff *skb,
			    struct xvs_conn *cp,
			    const struct xvs_proto_ops *pp,
			    struct xvs_pkt *pkt);

/*
 * A reply of @cp (reference given up here): NAT-translated for a NAT
 * connection, counted, its state moved, marked as ours.  NF_ACCEPT: it
 * continues; NF_STOLEN: it was dropped (counted) and freed.
 */
unsigned int xvs_out_deliver(struct xvs_net *xnet, struct sk_buff *skb,
			     struct xvs_conn *cp,
			     const struct xvs_proto_ops *pp,
			     struct xvs_pkt *pkt, unsigned int hooknum);

#endif /* XVS_HOOKS_H */
