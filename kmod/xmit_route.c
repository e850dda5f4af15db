// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: the route of a request to its real server, shared by every
 * forwarding method, as IPVS's __ip_vs_get_out_rt() serves them all.
 *
 * One call, xvs_xmit_route(), finds the route (kept with the connection
 * while it stays valid, so most packets need no lookup), decides by the
 * method's XVS_RTM_* mode whether the packet may go there (local or
 * remote), and gives it forwarding semantics: one hop less, the route's
 * MTU (less a tunnel's headers) enforced with the family's error.  The
 * methods then send the packet with xvs_xmit_send() (NAT, direct routing,
 * bypass: the packet leaves as it is) or wrap it (tunnels), or hand it to
 * the local stack with xvs_xmit_to_local().
 *
 * Cached routes are used without a reference (skb_dst_set_noref): the
 * hooks run under RCU and dst_release() frees after a grace period.  An
 * IPv6 route is cached with the cookie that tells whether the FIB changed
 * under it.  Both keep our source address on the route, which tunnels
 * need for their outer header.
 */
#define pr_fmt(fmt) "xvs: " fmt

#include <linux/kernel.h>
#include <linux/skbuff.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/icmp.h>
#include <net/route.h>
#include <net/ip6_route.h>
#include <net/addrconf.h>
#include <net/dst.h>

#include "xvs.h"
#include "conn.h"
#include "xmit.h"
#include "nfct.h"
#include "drop.h"

/* IPv6 routes to our own addresses go through the loopback device. */
static bool xvs_dst_is_local6(const struct dst_entry *dst)
{
	return dst->dev && (dst->dev->flags & IFF_LOOPBACK);
}

/* Is the packet over the MTU?  GSO packets are checked per segment. */
static bool xvs_xmit_exceeds_mtu(const struct sk_buff *skb, unsigned int mtu)
{
	if (skb->len <= mtu)
		return false;
	if (skb_is_gso(skb) && skb_gso_validate_network_len(skb, mtu))
		return false;
	return true;
}

/*
 * Forwarding semantics: the packet of family @af loses one hop (TTL or hop
 * limit).  false: it had none left (the sender was told with a
 * time-exceeded error) or the header could not be made writable.
 */
static bool xvs_xmit_dec_ttl(struct net *net, struct sk_buff *skb, u16 af)
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

/*
 * Is @dst, the connection's cached route, still valid?  An IPv6 route is
 * judged with the cookie cached with it.
 */
static bool xvs_dst_valid(const struct xvs_conn *cp, struct dst_entry *dst)
{
	u32 cookie = dst->ops->family == AF_INET6 ? READ_ONCE(cp->dst_cookie) : 0;

	return !dst->obsolete || dst->ops->check(dst, cookie);
}

/* The connection's route, if still valid; used without a reference. */
static struct rtable *xvs_rt_cached(struct xvs_conn *cp, __be32 *saddr)
{
	struct dst_entry *dst = rcu_dereference(cp->dst_cache);

	if (!dst || !xvs_dst_valid(cp, dst))
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

/*
 * May a packet of family @af (the connection's; a tunnel's outer header
 * may be of the other) go local (@to_local) or remote as @mode allows?
 */
static bool xvs_xmit_mode_ok(const struct sk_buff *skb, u16 af,
			     unsigned int mode, bool to_local)
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

/*
 * The packet of family @af about to leave on a route of MTU @mtu (less the
 * tunnel headers in XVS_RTM_TUNNEL mode) loses one hop; a local sender
 * learns a tunnel's smaller MTU; a packet too big is refused with its
 * family's error.  false: drop it (counted).
 */
static bool xvs_xmit_fits(struct xvs_net *xnet, struct sk_buff *skb,
			  u16 af, unsigned int mode, int mtu)
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

/*
 * The route to an IPv4 real server: the connection's, or a new one that the
 * connection then keeps.  *noref: the route is the cached one (no reference
 * of ours); else the reference is ours.  NULL: no route.
 */
static struct dst_entry *xvs_route4(struct xvs_conn *cp, unsigned int mode,
				    __be32 *saddr, bool *noref)
{
	struct rtable *rt;

	rt = xvs_rt_cached(cp, saddr);
	*noref = rt != NULL;
	if (rt)
		return &rt->dst;
	rt = xvs_rt_lookup(cp->xnet->net, xvs_conn_route_addr(cp)->ip, mode,
			   saddr);
	if (!rt)
		return NULL;
	xvs_rt_cache(cp, rt, *saddr);
	return &rt->dst;
}

/* The connection's route, if still valid; used without a reference. */
static struct rt6_info *xvs_rt6_cached(struct xvs_conn *cp,
				       struct in6_addr *saddr)
{
	struct dst_entry *dst = rcu_dereference(cp->dst_cache);

	if (!dst || !xvs_dst_valid(cp, dst))
		return NULL;
	if (saddr)
		*saddr = cp->dst_saddr.in6;
	return (struct rt6_info *)dst;
}

static void xvs_rt6_cache(struct xvs_conn *cp, struct rt6_info *rt,
			  const struct in6_addr *saddr)
{
	struct dst_entry *old;

	/* A route through a device going down is not worth keeping. */
	if (rt->dst.dev && !netif_running(rt->dst.dev))
		return;
	cp->dst_saddr.in6 = *saddr;
	WRITE_ONCE(cp->dst_cookie, rt6_get_cookie(rt));
	dst_hold(&rt->dst);
	/* xchg() orders the stores above before the route is visible. */
	old = unrcu_pointer(xchg(&cp->dst_cache, RCU_INITIALIZER(&rt->dst)));
	dst_release(old);
}

/*
 * Output route to daddr.  With need_saddr our source address on it is
 * chosen too (tunnels need one); no such address fails the lookup.
 */
static struct rt6_info *xvs_rt6_lookup(struct net *net,
				       const struct in6_addr *daddr,
				       unsigned int mode, bool need_saddr,
				       struct in6_addr *saddr)
{
	struct flowi6 fl6;
	struct dst_entry *dst;

	memset(&fl6, 0, sizeof(fl6));
	fl6.daddr = *daddr;
	if (mode & XVS_RTM_KNOWN_NH)
		fl6.flowi6_flags = FLOWI_FLAG_KNOWN_NH;
	dst = ip6_route_output(net, NULL, &fl6);
	if (dst->error)
		goto err;
	if (need_saddr && ipv6_addr_any(&fl6.saddr) &&
	    ipv6_dev_get_saddr(net, ip6_dst_idev(dst)->dev, &fl6.daddr, 0,
			       &fl6.saddr) < 0)
		goto err;
	*saddr = fl6.saddr;
	return (struct rt6_info *)dst;

err:
	dst_release(dst);
	return NULL;
}

/* The same for an IPv6 real server; @need_saddr: tunnels need a source. */
static struct dst_entry *xvs_route6(struct xvs_conn *cp, unsigned int mode,
				    bool need_saddr, struct in6_addr *saddr,
				    bool *noref)
{
	struct rt6_info *rt;

	rt = xvs_rt6_cached(cp, saddr);
	*noref = rt != NULL;
	if (rt)
		return &rt->dst;
	rt = xvs_rt6_lookup(cp->xnet->net, &xvs_conn_route_addr(cp)->in6,
			    mode, need_saddr, saddr);
	if (!rt)
		return NULL;
	xvs_rt6_cache(cp, rt, saddr);
	return &rt->dst;
}

struct dst_entry *xvs_xmit_cached_remote(struct xvs_conn *cp)
{
	struct dst_entry *dst = rcu_dereference(cp->dst_cache);
	bool local;

	if (!dst || !xvs_dst_valid(cp, dst))
		return NULL;
	/* Its family, not the entry's: a tunnel's may be the other one. */
	if (dst->ops->family == AF_INET6)
		local = xvs_dst_is_local6(dst);
	else
		local = ((struct rtable *)dst)->rt_flags & RTCF_LOCAL;
	return local ? NULL : dst;
}

/*
 * The packet itself (an IPv4 one in a tunnel of an IPv4 service to an IPv6
 * real server, say) is judged by xvs_xmit_mode_ok() and xvs_xmit_fits()
 * for its own family, the route by @out_af.
 */
int xvs_xmit_route(struct xvs_conn *cp, struct sk_buff *skb, u16 out_af,
		   unsigned int mode, unsigned int tun_hlen,
		   union nf_inet_addr *saddr)
{
	struct xvs_net *xnet = cp->xnet;
	union nf_inet_addr src = {};
	struct dst_entry *dst;
	bool noref, local;
	int mtu;

	if (out_af == AF_INET6) {
		dst = xvs_route6(cp, mode, saddr, &src.in6, &noref);
		local = dst && xvs_dst_is_local6(dst);
	} else {
		dst = xvs_route4(cp, mode, &src.ip, &noref);
		local = dst && (((struct rtable *)dst)->rt_flags & RTCF_LOCAL);
	}
	if (!dst) {
		/* dst_link_failure() finds the netns via skb->dev. */
		if (!skb->dev)
			skb->dev = skb_dst(skb)->dev;
		dst_link_failure(skb);
		xvs_drop_count(xnet, XVS_DROP_NO_ROUTE);
		return -1;
	}

	if (!xvs_xmit_mode_ok(skb, cp->af, mode, local)) {
		xvs_drop_count(xnet, XVS_DROP_ROUTE_MODE);
		goto err_put;
	}
	if (local) {
		/* To the local stack on the route it already has. */
		if (!noref)
			dst_release(dst);
		return 1;
	}

	mtu = dst_mtu(dst);
	if (mode & XVS_RTM_TUNNEL) {
		bool v6 = out_af == AF_INET6;

		/* What the tunnel's headers leave for the packet. */
		mtu -= (v6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr)) +
		       tun_hlen;
		if (mtu < (v6 ? IPV6_MIN_MTU : 68)) {
			xvs_drop_count(xnet, XVS_DROP_MTU);
			goto err_put;
		}
	}
	/* It counts its drops. */
	if (!xvs_xmit_fits(xnet, skb, cp->af, mode, mtu))
		goto err_put;

	skb_dst_drop(skb);
	if (noref)
		skb_dst_set_noref(skb, dst);
	else
		skb_dst_set(skb, dst);
	if (saddr)
		*saddr = src;
	return 0;

err_put:
	if (!noref)
		dst_release(dst);
	return -1;
}

unsigned int xvs_xmit_to_local(struct sk_buff *skb, struct xvs_conn *cp)
{
	skb->ipvs_property = 1;
	xvs_conn_nfct(skb, cp, true);
	return NF_ACCEPT;
}

unsigned int xvs_xmit_send(struct sk_buff *skb, struct xvs_conn *cp,
			   bool fast)
{
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
	if (fast)
		dst_output(cp->xnet->net, NULL, skb);
	else
		NF_HOOK(cp->af == AF_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4,
			NF_INET_LOCAL_OUT, cp->xnet->net, NULL, skb,
			NULL, skb_dst(skb)->dev, dst_output);
	return NF_STOLEN;
}

void xvs_xmit_local_out(struct net *net, struct sk_buff *skb, u16 af,
			bool fast)
{
	if (!fast) {
		if (af == AF_INET6)
			ip6_local_out(net, skb->sk, skb);
		else
			ip_local_out(net, skb->sk, skb);
		return;
	}
	/* What __ip_local_out() and __ip6_local_out() do before the hook. */
	if (af == AF_INET6) {
		unsigned int len = skb->len - sizeof(struct ipv6hdr);

		ipv6_hdr(skb)->payload_len = len > IPV6_MAXPLEN ? 0 : htons(len);
		IP6CB(skb)->nhoff = offsetof(struct ipv6hdr, nexthdr);
		skb->protocol = htons(ETH_P_IPV6);
	} else {
		ip_hdr(skb)->tot_len = htons(skb->len);
		ip_send_check(ip_hdr(skb));
		skb->protocol = htons(ETH_P_IP);
	}
	dst_output(net, skb->sk, skb);
}
