// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: the route of an IPv6 packet to its connection's real server, shared
 * by every forwarding method: the IPv6 twin of xvs_xmit_route4().
 *
 * The route is cached with the connection together with the cookie that
 * tells whether the IPv6 FIB changed under it, and our source address on
 * it (for tunnels).  The packet itself (an IPv4 one in a tunnel of an IPv4
 * service to an IPv6 real server) passes xvs_xmit_fits() for its family.
 */
#define pr_fmt(fmt) "xvs: " fmt

#include <linux/kernel.h>
#include <linux/skbuff.h>
#include <linux/ipv6.h>
#include <linux/icmpv6.h>
#include <linux/netdevice.h>
#include <net/ipv6.h>
#include <net/ip6_route.h>
#include <net/addrconf.h>
#include <net/dst.h>

#include "xvs.h"
#include "conn.h"
#include "xmit.h"
#include "drop.h"

/* The connection's route, if still valid; used without a reference. */
static struct rt6_info *xvs_rt6_cached(struct xvs_conn *cp,
				       struct in6_addr *saddr)
{
	struct dst_entry *dst = rcu_dereference(cp->dst_cache);

	if (!dst)
		return NULL;
	if (dst->obsolete &&
	    !dst->ops->check(dst, READ_ONCE(cp->dst_cookie)))
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

int xvs_xmit_route6(struct xvs_conn *cp, struct sk_buff *skb,
		    unsigned int mode, unsigned int tun_hlen,
		    struct in6_addr *saddr)
{
	struct net *net = cp->xnet->net;
	struct in6_addr src = {};
	struct rt6_info *rt;
	bool noref = true;
	int mtu;

	rt = xvs_rt6_cached(cp, &src);
	if (!rt) {
		rt = xvs_rt6_lookup(net, &xvs_conn_route_addr(cp)->in6, mode,
				    saddr, &src);
		if (!rt) {
			/* dst_link_failure() finds the netns via skb->dev. */
			if (!skb->dev)
				skb->dev = skb_dst(skb)->dev;
			dst_link_failure(skb);
			xvs_drop_count(cp->xnet, XVS_DROP_NO_ROUTE);
			return -1;
		}
		/* The cache keeps its own reference; ours goes with the skb. */
		xvs_rt6_cache(cp, rt, &src);
		noref = false;
	}

	if (!xvs_xmit_mode_ok(skb, cp->af, mode,
			      xvs_dst_is_local6(&rt->dst))) {
		xvs_drop_count(cp->xnet, XVS_DROP_ROUTE_MODE);
		goto err_put;
	}
	if (xvs_dst_is_local6(&rt->dst)) {
		/* To the local stack on the route it already has. */
		if (!noref)
			dst_release(&rt->dst);
		return 1;
	}

	mtu = dst_mtu(&rt->dst);
	if (mode & XVS_RTM_TUNNEL) {
		mtu -= sizeof(struct ipv6hdr) + tun_hlen;
		if (mtu < IPV6_MIN_MTU) {
			xvs_drop_count(cp->xnet, XVS_DROP_MTU);
			goto err_put;
		}
	}
	/* It counts its drops. */
	if (!xvs_xmit_fits(cp->xnet, skb, cp->af, mode, mtu))
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
		dst_release(&rt->dst);
	return -1;
}
