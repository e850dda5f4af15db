// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: direct routing and local node forwarding, and the routing helper
 * that direct routing and tunnelling share.
 *
 * Direct routing leaves the packet as the client sent it (destination the
 * virtual address) and only hands it to the real server's link address:
 * the route to the real server is used as next hop.  The real server owns
 * the virtual address on a device that does not answer ARP for it and
 * replies to the client directly, so replies never pass through us.
 *
 * Local node: the real server is this host; the packet continues to the
 * local stack untouched.
 */
#define pr_fmt(fmt) "xvs: " fmt

#include <linux/kernel.h>
#include <linux/skbuff.h>
#include <linux/ip.h>
#include <linux/icmp.h>
#include <linux/udp.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/icmpv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/icmp.h>
#include <net/route.h>
#include <net/dst.h>
#include <net/gue.h>

#include "xvs.h"
#include "conn.h"
#include "xmit.h"
#include "nfct.h"
#include "drop.h"

bool xvs_xmit_exceeds_mtu(const struct sk_buff *skb, unsigned int mtu)
{
	if (skb->len <= mtu)
		return false;
	if (skb_is_gso(skb) && skb_gso_validate_network_len(skb, mtu))
		return false;
	return true;
}

bool xvs_xmit_dec_ttl(struct net *net, struct sk_buff *skb, u16 af)
{
	if (af == AF_INET6) {
		if (ipv6_hdr(skb)->hop_limit <= 1) {
			struct inet6_dev *idev = __in6_dev_get_safely(skb->dev);

			/* The error leaves from the device we would use. */
			skb->dev = skb_dst(skb)->dev;
			icmpv6_send(skb, ICMPV6_TIME_EXCEED,
				    ICMPV6_EXC_HOPLIMIT, 0);
			IP6_INC_STATS(net, idev, IPSTATS_MIB_INHDRERRORS);
			xvs_drop_count(xvs_net(net), XVS_DROP_TTL);
			return false;
		}
		/* A clone shares the header: change a copy. */
		if (skb_ensure_writable(skb, sizeof(struct ipv6hdr))) {
			xvs_drop_count(xvs_net(net), XVS_DROP_NO_MEM);
			return false;
		}
		ipv6_hdr(skb)->hop_limit--;
		return true;
	}
	if (ip_hdr(skb)->ttl <= 1) {
		IP_INC_STATS(net, IPSTATS_MIB_INHDRERRORS);
		icmp_send(skb, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
		xvs_drop_count(xvs_net(net), XVS_DROP_TTL);
		return false;
	}
	if (skb_ensure_writable(skb, sizeof(struct iphdr))) {
		xvs_drop_count(xvs_net(net), XVS_DROP_NO_MEM);
		return false;
	}
	ip_decrease_ttl(ip_hdr(skb));
	return true;
}

/* The connection's route, if still valid; used without a reference. */
static struct rtable *xvs_rt_cached(struct xvs_conn *cp, __be32 *saddr)
{
	struct dst_entry *dst = rcu_dereference(cp->dst_cache);

	if (!dst)
		return NULL;
	if (dst->obsolete && !dst->ops->check(dst, 0))
		return NULL;
	if (saddr)
		*saddr = READ_ONCE(cp->dst_saddr.ip);
	return (struct rtable *)dst;
}

static void xvs_rt_cache(struct xvs_conn *cp, struct rtable *rt, __be32 saddr)
{
	struct dst_entry *old;

	/* A route through a device going down is not worth keeping. */
	if (rt->dst.dev && !netif_running(rt->dst.dev))
		return;
	WRITE_ONCE(cp->dst_saddr.ip, saddr);
	dst_hold(&rt->dst);
	old = unrcu_pointer(xchg(&cp->dst_cache, RCU_INITIALIZER(&rt->dst)));
	dst_release(old);
}

/* Output route to daddr; with XVS_RTM_CONNECT bound to the source found. */
static struct rtable *xvs_rt_lookup(struct net *net, __be32 daddr,
				    unsigned int mode, __be32 *saddr)
{
	struct flowi4 fl4;
	struct rtable *rt;

	memset(&fl4, 0, sizeof(fl4));
	fl4.daddr = daddr;
	if (mode & XVS_RTM_KNOWN_NH)
		fl4.flowi4_flags = FLOWI_FLAG_KNOWN_NH;
	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt))
		return NULL;
	if ((mode & XVS_RTM_CONNECT) && fl4.saddr) {
		/* Look up again as a socket bound to that source would. */
		ip_rt_put(rt);
		flowi4_update_output(&fl4, 0, daddr, fl4.saddr);
		fl4.flowi4_flags = 0;
		rt = ip_route_output_key(net, &fl4);
		if (IS_ERR(rt))
			return NULL;
	}
	*saddr = fl4.saddr;
	return rt;
}

/* Is the packet's own route (it is of family @af) one to this host? */
static bool xvs_skb_for_us(const struct sk_buff *skb, u16 af)
{
	if (af == AF_INET6)
		return xvs_dst_is_local6(skb_dst(skb));
	return skb_rtable(skb)->rt_flags & RTCF_LOCAL;
}

bool xvs_xmit_mode_ok(const struct sk_buff *skb, u16 af, unsigned int mode,
		      bool to_local)
{
	if (to_local) {
		if (!(mode & XVS_RTM_LOCAL))
			return false;
		/* Without RDR only packets already for us may stay local. */
		return (mode & XVS_RTM_RDR) || xvs_skb_for_us(skb, af);
	}
	if (!(mode & XVS_RTM_NON_LOCAL))
		return false;
	/* A loopback source must not leave the host. */
	if (af == AF_INET6)
		return !((!skb->dev || (skb->dev->flags & IFF_LOOPBACK)) &&
			 (ipv6_addr_type(&ipv6_hdr(skb)->saddr) &
			  IPV6_ADDR_LOOPBACK));
	return !ipv4_is_loopback(ip_hdr(skb)->saddr);
}

/*
 * Over the MTU?  An IPv6 packet reassembled by netfilter is judged by its
 * largest fragment, as it leaves in those fragments again.
 */
static bool xvs_ipv6_too_big(const struct sk_buff *skb, unsigned int mtu)
{
	if (IP6CB(skb)->frag_max_size)
		return IP6CB(skb)->frag_max_size > mtu;
	return xvs_xmit_exceeds_mtu(skb, mtu);
}

bool xvs_xmit_fits(struct xvs_net *xnet, struct sk_buff *skb, u16 af,
		   unsigned int mode, int mtu)
{
	struct net *net = xnet->net;

	/* Forwarding semantics: the packet loses one hop. */
	if (!xvs_xmit_dec_ttl(net, skb, af))
		return false;
	if (mode & XVS_RTM_TUNNEL) {
		struct sock *sk = skb->sk;

		/* A local sender learns the smaller path MTU at once. */
		if (!skb->dev && sk && sk_fullsock(sk))
			skb_dst(skb)->ops->update_pmtu(skb_dst(skb), sk, NULL,
						       mtu, true);
	}
	if (af == AF_INET6) {
		/* IPv6 routers never fragment, whatever pmtu_disc says. */
		if (!xvs_ipv6_too_big(skb, mtu))
			return true;
		/* icmpv6_send() needs a device for its netns. */
		if (!skb->dev)
			skb->dev = net->loopback_dev;
		/* Errors we forward never cause errors themselves. */
		if (ipv6_hdr(skb)->nexthdr != IPPROTO_ICMPV6)
			icmpv6_send(skb, ICMPV6_PKT_TOOBIG, 0, mtu);
		xvs_drop_count(xnet, XVS_DROP_MTU);
		return false;
	}
	/* Without PMTU discovery the tunnel packet gets fragmented. */
	if ((mode & XVS_RTM_TUNNEL) && !READ_ONCE(xnet->sysctl.pmtu_disc))
		return true;
	if ((ip_hdr(skb)->frag_off & htons(IP_DF)) &&
	    xvs_xmit_exceeds_mtu(skb, mtu) &&
	    ip_hdr(skb)->protocol != IPPROTO_ICMP) {
		icmp_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, htonl(mtu));
		xvs_drop_count(xnet, XVS_DROP_MTU);
		return false;
	}
	return true;
}

int xvs_xmit_route4(struct xvs_conn *cp, struct sk_buff *skb,
		    unsigned int mode, unsigned int tun_hlen, __be32 *saddr)
{
	struct xvs_net *xnet = cp->xnet;
	struct net *net = xnet->net;
	__be32 src = 0;
	struct rtable *rt;
	bool noref = true;
	int mtu;

	rt = xvs_rt_cached(cp, &src);
	if (!rt) {
		rt = xvs_rt_lookup(net, xvs_conn_route_addr(cp)->ip, mode,
				   &src);
		if (!rt) {
			/* dst_link_failure() finds the netns via skb->dev. */
			if (!skb->dev)
				skb->dev = skb_dst(skb)->dev;
			dst_link_failure(skb);
			xvs_drop_count(xnet, XVS_DROP_NO_ROUTE);
			return -1;
		}
		/* The cache keeps its own reference; ours goes with the skb. */
		xvs_rt_cache(cp, rt, src);
		noref = false;
	}

	if (!xvs_xmit_mode_ok(skb, cp->af, mode, rt->rt_flags & RTCF_LOCAL)) {
		xvs_drop_count(xnet, XVS_DROP_ROUTE_MODE);
		goto err_put;
	}
	if (rt->rt_flags & RTCF_LOCAL) {
		/* To the local stack on the route it already has. */
		if (!noref)
			ip_rt_put(rt);
		return 1;
	}

	mtu = dst_mtu(&rt->dst);
	if (mode & XVS_RTM_TUNNEL) {
		mtu -= sizeof(struct iphdr) + tun_hlen;
		if (mtu < 68) {
			xvs_drop_count(xnet, XVS_DROP_MTU);
			goto err_put;
		}
	}
	/* It counts its drops. */
	if (!xvs_xmit_fits(xnet, skb, cp->af, mode, mtu))
		goto err_put;
	skb_dst_drop(skb);
	if (noref)
		skb_dst_set_noref(skb, &rt->dst);
	else
		skb_dst_set(skb, &rt->dst);
	if (saddr)
		*saddr = src;
	return 0;

err_put:
	if (!noref)
		ip_rt_put(rt);
	return -1;
}

/* The packet continues to the local stack, marked as ours. */
static unsigned int xvs_dr_cont_local(struct sk_buff *skb,
				      struct xvs_conn *cp)
{
	skb->ipvs_property = 1;
	xvs_conn_nfct(skb, cp, true);
	return NF_ACCEPT;
}

unsigned int xvs_xmit_send_unchanged(struct sk_buff *skb,
				     struct xvs_conn *cp)
{
	/* The TTL changed (IPv6 has no header checksum). */
	if (cp->af == AF_INET)
		ip_send_check(ip_hdr(skb));
	/* Oversized packets were refused before; do not fragment-bounce. */
	skb->ignore_df = 1;
	skb->ipvs_property = 1;
	xvs_conn_nfct(skb, cp, true);
	/* A socket found by early demux belongs to this host, not there. */
	if (skb->dev)
		skb_orphan(skb);
	skb_forward_csum(skb);
	if (skb->dev)
		skb_clear_tstamp(skb);
	NF_HOOK(cp->af == AF_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4,
		NF_INET_LOCAL_OUT, cp->xnet->net, NULL, skb,
		NULL, skb_dst(skb)->dev, dst_output);
	return NF_STOLEN;
}

static unsigned int xvs_dr_xmit(struct sk_buff *skb, struct xvs_conn *cp,
				const struct xvs_proto_ops *pp,
				struct xvs_pkt *pkt)
{
	const unsigned int mode = XVS_RTM_LOCAL | XVS_RTM_NON_LOCAL |
				  XVS_RTM_KNOWN_NH;
	int local;

	if (cp->af == AF_INET6)
		local = xvs_xmit_route6(cp, skb, mode, 0, NULL);
	else
		local = xvs_xmit_route4(cp, skb, mode, 0, NULL);
	/* Counted by the route function. */
	if (local < 0) {
		kfree_skb(skb);
		return NF_STOLEN;
	}
	if (local)
		return xvs_dr_cont_local(skb, cp);
	return xvs_xmit_send_unchanged(skb, cp);
}

const struct xvs_xmit_ops xvs_xmit_dr = {
	.fwd_method = IP_VS_CONN_F_DROUTE,
	.xmit = xvs_dr_xmit,
};

static unsigned int xvs_local_xmit(struct sk_buff *skb, struct xvs_conn *cp,
				   const struct xvs_proto_ops *pp,
				   struct xvs_pkt *pkt)
{
	return xvs_dr_cont_local(skb, cp);
}

const struct xvs_xmit_ops xvs_xmit_local = {
	.fwd_method = IP_VS_CONN_F_LOCALNODE,
	.xmit = xvs_local_xmit,
};
