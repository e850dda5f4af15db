// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: NAT (masquerading) forwarding.
 *
 * Requests to the virtual service get the real server as destination and
 * are routed to it from here, like forwarded packets (TTL decremented, MTU
 * enforced).  Replies, which the real servers route back through us, get
 * the virtual service as source in the out hooks and then continue on
 * their normal path.
 */
#define pr_fmt(fmt) "xvs: " fmt

#include <linux/kernel.h>
#include <linux/skbuff.h>
#include <linux/ip.h>
#include <linux/icmp.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/icmpv6.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/dst.h>
#include <net/ipv6.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>

#include "xvs.h"
#include "conn.h"
#include "xmit.h"
#include "nfct.h"
#include "drop.h"
#include "app.h"

/*
 * Rewrites an ICMP error about a connection's packet: the outer and the
 * quoted headers, then the whole ICMP checksum.  'to_client': an error from
 * a real server about a request, else one from the client about a reply.
 * The caller made the quoted headers writable.
 */
static bool xvs_nat_icmp(struct sk_buff *skb, const struct xvs_conn *cp,
			 const struct xvs_icmp *ic, bool to_client)
{
	struct iphdr *iph = ip_hdr(skb);
	struct icmphdr *icmph = (struct icmphdr *)(skb->data + ic->toff);
	struct iphdr *cih = (struct iphdr *)(skb->data + ic->ctoff);

	/* The header length was read before the copy; check it again. */
	if (cih->ihl * 4 != ic->cthoff - ic->ctoff)
		return false;
	if (to_client) {
		iph->saddr = cp->vaddr.ip;
		cih->daddr = cp->vaddr.ip;
	} else {
		iph->daddr = cp->daddr.ip;
		cih->saddr = cp->daddr.ip;
	}
	ip_send_check(iph);
	ip_send_check(cih);
	if (ic->has_ports) {
		__be16 *ports = (__be16 *)(skb->data + ic->cthoff);

		if (to_client)
			ports[1] = cp->vport;
		else
			ports[0] = cp->dport;
	}
	icmph->checksum = 0;
	icmph->checksum = csum_fold(skb_checksum(skb, ic->toff,
						 skb->len - ic->toff, 0));
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	return true;
}

/*
 * The same for ICMPv6, whose checksum also covers a pseudo header with
 * the outer addresses.
 */
static bool xvs_nat_icmp6(struct sk_buff *skb, const struct xvs_conn *cp,
			  const struct xvs_icmp *ic, bool to_client)
{
	struct ipv6hdr *iph = ipv6_hdr(skb);
	struct icmp6hdr *icmph = (struct icmp6hdr *)(skb->data + ic->toff);
	struct ipv6hdr *cih = (struct ipv6hdr *)(skb->data + ic->ctoff);
	unsigned int len = skb->len - ic->toff;

	if (to_client) {
		iph->saddr = cp->vaddr.in6;
		cih->daddr = cp->vaddr.in6;
	} else {
		iph->daddr = cp->daddr.in6;
		cih->saddr = cp->daddr.in6;
	}
	if (ic->has_ports) {
		__be16 *ports = (__be16 *)(skb->data + ic->cthoff);

		if (to_client)
			ports[1] = cp->vport;
		else
			ports[0] = cp->dport;
	}
	icmph->icmp6_cksum = 0;
	icmph->icmp6_cksum = csum_ipv6_magic(&iph->saddr, &iph->daddr, len,
					     IPPROTO_ICMPV6,
					     skb_checksum(skb, ic->toff, len, 0));
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	return true;
}

static bool xvs_nat_addr_eq(u16 af, const union nf_inet_addr *a,
			    const union nf_inet_addr *b)
{
	if (af == AF_INET6)
		return ipv6_addr_equal(&a->in6, &b->in6);
	return a->ip == b->ip;
}

/* Is 'local' delivery to a loopback real server from outside? */
static bool xvs_nat_bad_loopback(const struct xvs_conn *cp, bool was_input)
{
	if (!was_input)
		return false;
	if (cp->af == AF_INET6)
		return ipv6_addr_type(&cp->daddr.in6) & IPV6_ADDR_LOOPBACK;
	return ipv4_is_loopback(cp->daddr.ip);
}

/*
 * Was the packet received from outside, rather than sent by this host?
 * The fast path's packets were, and have no input route yet.
 */
static bool xvs_nat_was_input(const struct xvs_conn *cp,
			      const struct sk_buff *skb)
{
	if (cp->af == AF_INET6)
		return skb->dev && !(skb->dev->flags & IFF_LOOPBACK);
	return !skb_dst(skb) || rt_is_input_route(skb_rtable(skb));
}

/*
 * Routes a request to its real server (xvs_xmit_route()'s results): a local
 * one only where @local_ok, and there also packets addressed elsewhere.
 */
static int xvs_nat_route(struct xvs_conn *cp, struct sk_buff *skb,
			 bool local_ok)
{
	return xvs_xmit_route(cp, skb, cp->af, XVS_RTM_NON_LOCAL |
			      (local_ok ? XVS_RTM_LOCAL | XVS_RTM_RDR : 0),
			      0, NULL);
}

/* Hands the translated request on: to the local stack or out. */
static unsigned int xvs_nat_send(struct sk_buff *skb, struct xvs_conn *cp,
				 int local, bool fast)
{
	if (!local)
		return xvs_xmit_send(skb, cp, fast);
	/*
	 * An early-demuxed socket belongs to the old destination, unless the
	 * translated packet still goes to the very same local address/port.
	 */
	if ((cp->vport != cp->dport ||
	     !xvs_nat_addr_eq(cp->af, &cp->vaddr, &cp->daddr)) && skb->dev)
		skb_orphan(skb);
	return xvs_xmit_to_local(skb, cp);
}

static unsigned int xvs_nat_xmit(struct sk_buff *skb, struct xvs_conn *cp,
				 const struct xvs_proto_ops *pp,
				 struct xvs_pkt *pkt)
{
	bool was_input = xvs_nat_was_input(cp, skb);
	struct xvs_net *xnet = cp->xnet;
	int local;

	local = xvs_nat_route(cp, skb, true);
	if (local < 0)
		goto drop;	/* counted by the route function */
	/* Traffic from outside must not be sent to our loopback. */
	if (local && xvs_nat_bad_loopback(cp, was_input))
		return xvs_drop_skb(xnet, skb, XVS_DROP_ROUTE_MODE);

	if (skb_ensure_writable(skb, cp->af == AF_INET6 ?
				sizeof(struct ipv6hdr) : sizeof(struct iphdr)))
		return xvs_drop_skb(xnet, skb, XVS_DROP_NO_MEM);
	if (skb_cow(skb, skb_dst(skb)->dev->hard_header_len))
		return xvs_drop_skb(xnet, skb, XVS_DROP_NO_MEM);
	/* Application helper (FTP): may rewrite the payload first. */
	if (unlikely(xvs_conn_app(cp)) && !xvs_app_pkt_in(cp, skb, pkt))
		return xvs_drop_skb(xnet, skb, XVS_DROP_MANGLE);
	if (!pp->dnat(skb, cp, pkt))
		return xvs_drop_skb(xnet, skb, XVS_DROP_MANGLE);
	if (cp->af == AF_INET6) {
		ipv6_hdr(skb)->daddr = cp->daddr.in6;
	} else {
		ip_hdr(skb)->daddr = cp->daddr.ip;
		ip_send_check(ip_hdr(skb));
	}
	return xvs_nat_send(skb, cp, local, pkt->fast);

drop:
	kfree_skb(skb);
	return NF_STOLEN;
}

static unsigned int xvs_nat_icmp_xmit(struct sk_buff *skb,
				      struct xvs_conn *cp,
				      const struct xvs_icmp *ic,
				      unsigned int hooknum)
{
	bool was_input = xvs_nat_was_input(cp, skb);
	struct xvs_net *xnet = cp->xnet;
	unsigned int wlen;
	int local;

	/* From FORWARD a local real server cannot be reached. */
	local = xvs_nat_route(cp, skb, hooknum != NF_INET_FORWARD);
	if (local < 0)
		goto drop;	/* counted by the route function */
	if (local && xvs_nat_bad_loopback(cp, was_input))
		return xvs_drop_skb(xnet, skb, XVS_DROP_ROUTE_MODE);

	wlen = ic->cthoff + (ic->has_ports ? 2 * sizeof(__be16) : 0);
	if (skb_ensure_writable(skb, wlen))
		return xvs_drop_skb(xnet, skb, XVS_DROP_NO_MEM);
	if (skb_cow(skb, skb_dst(skb)->dev->hard_header_len))
		return xvs_drop_skb(xnet, skb, XVS_DROP_NO_MEM);
	if (cp->af == AF_INET6 ? !xvs_nat_icmp6(skb, cp, ic, false) :
				 !xvs_nat_icmp(skb, cp, ic, false))
		return xvs_drop_skb(xnet, skb, XVS_DROP_MANGLE);
	return xvs_nat_send(skb, cp, local, false);

drop:
	kfree_skb(skb);
	return NF_STOLEN;
}

/*
 * With a new source the reply may need another route (policy routing by
 * source); recompute it as for a locally sent packet.  Replies to local
 * clients (LOCAL_IN) keep theirs.
 */
static bool xvs_nat_reroute(struct xvs_net *xnet, u16 af, struct sk_buff *skb,
			    unsigned int hooknum)
{
	if (af == AF_INET6) {
		const struct net_device *dev = skb_dst(skb)->dev;

		return !READ_ONCE(xnet->sysctl.snat_reroute) ||
		       hooknum == NF_INET_LOCAL_IN ||
		       !dev || (dev->flags & IFF_LOOPBACK) ||
		       !ip6_route_me_harder(xnet->net, skb->sk, skb);
	}
	return !READ_ONCE(xnet->sysctl.snat_reroute) ||
	       hooknum == NF_INET_LOCAL_IN ||
	       (skb_rtable(skb)->rt_flags & RTCF_LOCAL) ||
	       !ip_route_me_harder(xnet->net, skb->sk, skb, RTN_LOCAL);
}

/* ->reply() and ->icmp_reply() drop: count it, the hook frees the skb. */
static bool xvs_nat_reply_drop(struct xvs_net *xnet,
			       enum xvs_drop_reason reason)
{
	xvs_drop_count(xnet, reason);
	return false;
}

static bool xvs_nat_reply(struct sk_buff *skb, struct xvs_conn *cp,
			  const struct xvs_proto_ops *pp, struct xvs_pkt *pkt,
			  unsigned int hooknum)
{
	struct xvs_net *xnet = cp->xnet;

	if (skb_ensure_writable(skb, pkt->thoff))
		return xvs_nat_reply_drop(xnet, XVS_DROP_NO_MEM);
	if (unlikely(xvs_conn_app(cp)) && !xvs_app_pkt_out(cp, skb, pkt))
		return xvs_nat_reply_drop(xnet, XVS_DROP_MANGLE);
	if (!pp->snat(skb, cp, pkt))
		return xvs_nat_reply_drop(xnet, XVS_DROP_MANGLE);
	if (cp->af == AF_INET6) {
		ipv6_hdr(skb)->saddr = cp->vaddr.in6;
	} else {
		ip_hdr(skb)->saddr = cp->vaddr.ip;
		ip_send_check(ip_hdr(skb));
	}
	if (!xvs_nat_reroute(xnet, cp->af, skb, hooknum))
		return xvs_nat_reply_drop(xnet, XVS_DROP_NO_ROUTE);
	return true;
}

static bool xvs_nat_icmp_reply(struct sk_buff *skb, struct xvs_conn *cp,
			       const struct xvs_icmp *ic, unsigned int hooknum)
{
	unsigned int wlen;

	wlen = ic->cthoff + (ic->has_ports ? 2 * sizeof(__be16) : 0);
	if (skb_ensure_writable(skb, wlen))
		return xvs_nat_reply_drop(cp->xnet, XVS_DROP_NO_MEM);
	if (cp->af == AF_INET6 ? !xvs_nat_icmp6(skb, cp, ic, true) :
				 !xvs_nat_icmp(skb, cp, ic, true))
		return xvs_nat_reply_drop(cp->xnet, XVS_DROP_MANGLE);
	if (!xvs_nat_reroute(cp->xnet, cp->af, skb, hooknum))
		return xvs_nat_reply_drop(cp->xnet, XVS_DROP_NO_ROUTE);
	return true;
}

const struct xvs_xmit_ops xvs_xmit_nat = {
	.fwd_method = IP_VS_CONN_F_MASQ,
	.xmit = xvs_nat_xmit,
	.reply = xvs_nat_reply,
	.icmp_xmit = xvs_nat_icmp_xmit,
	.icmp_reply = xvs_nat_icmp_reply,
};
