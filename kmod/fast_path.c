// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: the flow fast path.
 *
 * As nf_flowtable does for routed flows, the packets of an established
 * connection are forwarded from a netdev ingress hook on every device of
 * the namespace (loopback aside), before the IP receive path, routing and
 * the inet netfilter chains:
 *  - requests (NAT, direct routing, tunnels) on the route the connection
 *    cached when its first packets took the normal path;
 *  - replies of NAT real servers, routed by a FIB lookup as forwarding
 *    would, then translated as in the FORWARD hook.
 * The connection is counted, its state and timeout moved and the sync
 * daemon fed exactly as on the normal path (hooks.h): the packet only
 * skips the chains and the receive path around them.
 *
 * What the normal path would treat in any special way goes there: TCP
 * SYN, FIN, RST and segments without ACK, states other than established,
 * fragments, IP options and IPv6 extension headers, packets whose TTL or
 * hop limit ends here or that do not fit the route's MTU, GSO packets,
 * connections with conntrack, a persistence template, an application
 * helper or sequence offsets, one-packet scheduling, a destination that
 * is removed, quiesced or not yet bound, routes that are missing, local,
 * stale or redirect-worthy, bridge ports and other devices with an rx
 * handler, VLAN-tagged and non-host packets, and the whole namespace
 * while a sync backup has backup_only set.
 *
 * net.xvs.fast_path (0 by default; the module parameter fast_path sets
 * it for new namespaces) switches it per namespace: like a
 * flowtable it bypasses PREROUTING, INPUT, FORWARD and OUTPUT (and
 * conntrack, rp_filter on requests and the IP MIB's input counters) for
 * the packets it forwards.  /proc/net/xvs_fast_path counts them.
 */
#define pr_fmt(fmt) "xvs: " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/skbuff.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/if_vlan.h>
#include <linux/inetdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_netdev.h>
#include <linux/proc_fs.h>
#include <linux/rtnetlink.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/addrconf.h>
#include <net/route.h>
#include <net/ip6_route.h>
#include <net/ip6_fib.h>
#include <net/xfrm.h>

#include "xvs.h"
#include "conn.h"
#include "proto.h"
#include "xmit.h"
#include "drop.h"
#include "sync.h"
#include "hooks.h"
#include "fast_path.h"

/* Packets forwarded, per CPU. */
struct xvs_fast_stats {
	u64 requests;
	u64 replies;
};

/* The ingress hook of one device. */
struct xvs_fast_dev {
	struct list_head list;
	struct nf_hook_ops ops;
};

/*
 * net.xvs.fast_path of every namespace that is created from now on, and
 * of the initial one when the module loads: `modprobe xvs fast_path=1`
 * turns it on everywhere.
 */
static int xvs_fast_path_default;
module_param_named(fast_path, xvs_fast_path_default, int, 0644);
MODULE_PARM_DESC(fast_path, "net.xvs.fast_path of new network namespaces (0 or 1)");

/* After a user's netdev ingress chains at the usual priority 0. */
#define XVS_FAST_PRIORITY	10

/* ---- the packet ------------------------------------------------------ */

/*
 * TCP or UDP right after an IP header of @hlen bytes, in an IP packet of
 * @len bytes that the skb holds, the transport header in the linear part.
 */
static bool xvs_fast_l4_ok(const struct sk_buff *skb, u8 protocol,
			   unsigned int hlen, unsigned int len)
{
	unsigned int l4len;

	if (protocol == IPPROTO_TCP)
		l4len = sizeof(struct tcphdr);
	else if (protocol == IPPROTO_UDP)
		l4len = sizeof(struct udphdr);
	else
		return false;
	return len <= skb->len && len >= hlen + l4len &&
	       skb_headlen(skb) >= hlen + l4len;
}

/*
 * What the IP layer would have checked of an IPv4 header (ip_rcv_core()),
 * and what makes a packet ours to forward fast: no options, no fragment,
 * a hop left, a source that is no martian, TCP or UDP with the transport
 * header in the linear part.  *len: the packet's IP length.
 */
static bool xvs_fast_parse4(const struct sk_buff *skb, struct xvs_pkt *pkt,
			    unsigned int *len)
{
	const struct iphdr *iph;

	if (skb_headlen(skb) < sizeof(*iph))
		return false;
	iph = ip_hdr(skb);
	if (iph->version != 4 || iph->ihl != 5 || ip_is_fragment(iph) ||
	    iph->ttl <= 1)
		return false;
	*len = ntohs(iph->tot_len);
	if (!xvs_fast_l4_ok(skb, iph->protocol, sizeof(*iph), *len))
		return false;
	if (unlikely(ip_fast_csum(iph, iph->ihl)))
		return false;
	if (ipv4_is_multicast(iph->saddr) || ipv4_is_lbcast(iph->saddr) ||
	    ipv4_is_zeronet(iph->saddr) || ipv4_is_loopback(iph->saddr) ||
	    ipv4_is_multicast(iph->daddr) || ipv4_is_lbcast(iph->daddr))
		return false;
	if (!__in_dev_get_rcu(skb->dev))
		return false;
	xvs_parse_ipv4(skb, pkt);
	return true;
}

/* The same for IPv6 (ipv6_rcv()): no extension header at all. */
static bool xvs_fast_parse6(const struct sk_buff *skb, struct xvs_pkt *pkt,
			    unsigned int *len)
{
	const struct ipv6hdr *ip6h;
	struct inet6_dev *idev;
	int type;

	if (skb_headlen(skb) < sizeof(*ip6h))
		return false;
	ip6h = ipv6_hdr(skb);
	if (ip6h->version != 6 || ip6h->hop_limit <= 1)
		return false;
	/* A payload length of 0 announces a jumbogram: too short here. */
	*len = ntohs(ip6h->payload_len) + sizeof(*ip6h);
	if (!xvs_fast_l4_ok(skb, ip6h->nexthdr, sizeof(*ip6h), *len))
		return false;
	type = ipv6_addr_type(&ip6h->saddr);
	if (type == IPV6_ADDR_ANY ||
	    (type & (IPV6_ADDR_MULTICAST | IPV6_ADDR_LOOPBACK |
		     IPV6_ADDR_LINKLOCAL)) ||
	    ipv6_addr_is_multicast(&ip6h->daddr))
		return false;
	idev = __in6_dev_get(skb->dev);
	if (!idev || READ_ONCE(idev->cnf.disable_ipv6))
		return false;

	memset(pkt, 0, sizeof(*pkt));
	pkt->af = AF_INET6;
	pkt->protocol = ip6h->nexthdr;
	pkt->thoff = skb_network_offset(skb) + sizeof(*ip6h);
	pkt->saddr.in6 = ip6h->saddr;
	pkt->daddr.in6 = ip6h->daddr;
	return true;
}

/*
 * Ports, and for TCP the flags: only a segment with ACK and none of SYN,
 * FIN and RST keeps an established connection established (the state
 * machine then changes nothing but the timeout).
 */
static bool xvs_fast_ports(const struct sk_buff *skb, struct xvs_pkt *pkt)
{
	const struct tcphdr *th = (const void *)(skb->data + pkt->thoff);

	pkt->sport = th->source;
	pkt->dport = th->dest;
	if (pkt->protocol != IPPROTO_TCP)
		return true;
	return th->ack && !th->syn && !th->fin && !th->rst;
}

/*
 * May @cp's packets go fast, a request (@request) or a NAT reply?  The
 * normal path would do something else than count, refresh and forward
 * for any of these.
 */
static bool xvs_fast_conn_ok(const struct xvs_conn *cp, bool request)
{
	unsigned int flags = READ_ONCE(cp->flags);
	const struct xvs_dest *dest = READ_ONCE(cp->dest);

	if (flags & (IP_VS_CONN_F_TEMPLATE | IP_VS_CONN_F_NFCT |
		     IP_VS_CONN_F_ONE_PACKET | IP_VS_CONN_F_NO_CPORT))
		return false;
	switch (flags & IP_VS_CONN_F_FWD_MASK) {
	case IP_VS_CONN_F_MASQ:
		break;
	case IP_VS_CONN_F_DROUTE:
	case IP_VS_CONN_F_TUNNEL:
		if (!request)
			return false;
		break;
	default:
		return false;
	}
	/* Not bound yet (sync backup), removed or quiesced. */
	if (!dest || xvs_dest_stale(dest))
		return false;
	/* Application helpers, sequence offsets, engine data. */
	if (xvs_conn_ext(cp))
		return false;
	return cp->protocol != IPPROTO_TCP ||
	       READ_ONCE(cp->state) == XVS_TCP_S_ESTABLISHED;
}

/*
 * The skb to forward: the received one, or a clone when it is shared
 * (pktgen, taps), trimmed to the IP length, with the control block the IP
 * layer would have cleared.  NULL: leave the received one to the stack.
 * Nothing is committed until xvs_fast_commit().
 */
static struct sk_buff *xvs_fast_own(struct sk_buff *skb, unsigned int len)
{
	struct sk_buff *own = skb;

	if (skb_shared(skb)) {
		own = skb_clone(skb, GFP_ATOMIC);
		if (!own)
			return NULL;
	}
	if (pskb_trim_rcsum(own, len)) {
		if (own != skb)
			kfree_skb(own);
		return NULL;
	}
	memset(own->cb, 0, sizeof(own->cb));
	return own;
}

/* Back to the normal path: the received skb continues as it came. */
static unsigned int xvs_fast_abandon(struct sk_buff *skb, struct sk_buff *own,
				     struct xvs_conn *cp)
{
	if (own != skb)
		kfree_skb(own);
	else
		skb_dst_drop(skb);
	__xvs_conn_put(cp);
	return NF_ACCEPT;
}

/* From here on @own is forwarded; the hook's reference is given up. */
static void xvs_fast_commit(struct sk_buff *skb, struct sk_buff *own)
{
	if (own != skb)
		consume_skb(skb);
}

/*
 * The route @cp cached for its requests, if it is still valid and leads
 * away from this host; the packet (@len bytes) must fit it with the
 * tunnel's headers.
 */
static bool xvs_fast_route_ok(struct xvs_conn *cp, const struct sk_buff *skb,
			      unsigned int len)
{
	bool tunnel = xvs_conn_fwd_method(cp) == IP_VS_CONN_F_TUNNEL;
	struct dst_entry *dst = xvs_xmit_cached_remote(cp);

	if (!dst)
		return false;
	return len + (tunnel ? xvs_tun_overhead(cp, skb) : 0) <= dst_mtu(dst);
}

/* A request of @cp: to its real server on the cached route. */
static unsigned int xvs_fast_request(struct xvs_net *xnet, struct sk_buff *skb,
				     struct xvs_conn *cp, struct xvs_pkt *pkt,
				     unsigned int len)
{
	struct sk_buff *own;
	unsigned int verdict;

	if (!xvs_fast_conn_ok(cp, true) || !xvs_fast_route_ok(cp, skb, len)) {
		__xvs_conn_put(cp);
		return NF_ACCEPT;
	}
	own = xvs_fast_own(skb, len);
	if (!own) {
		__xvs_conn_put(cp);
		return NF_ACCEPT;
	}
	xvs_fast_commit(skb, own);
	this_cpu_inc(xnet->fast_stats->requests);
	pkt->fast = true;
	verdict = xvs_in_forward(xnet, own, cp, cp->pp, pkt);
	if (verdict == NF_ACCEPT) {
		/*
		 * The route became local under us (the cached one went stale
		 * meanwhile): the local stack receives the packet, marked as
		 * ours, from the backlog.
		 */
		if (own != skb) {
			netif_rx(own);
			return NF_STOLEN;
		}
		return NF_ACCEPT;
	}
	return NF_STOLEN;
}

/*
 * A NAT reply, IPv4, to be forwarded: routed as ip_rcv_finish() would,
 * checked as ip_forward() would, then one hop shorter.  false: it is not
 * for us to forward (only its route was set; nothing else changed).
 */
static bool xvs_fast_forward4(struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct rtable *rt;

	if (ip_route_input_noref(skb, iph->daddr, iph->saddr, iph->tos,
				 skb->dev))
		return false;
	rt = skb_rtable(skb);
	/* Forwarded unicast, not back out of its own device (redirect). */
	if (rt->rt_type != RTN_UNICAST ||
	    (rt->rt_flags & (RTCF_LOCAL | RTCF_DOREDIRECT)) ||
	    !xfrm4_policy_check(NULL, XFRM_POLICY_FWD, skb) ||
	    !xfrm4_route_forward(skb))
		return false;
	rt = skb_rtable(skb);
	if (skb->len > ip_dst_mtu_maybe_forward(&rt->dst, true) ||
	    skb_cow(skb, LL_RESERVED_SPACE(rt->dst.dev) + rt->dst.header_len))
		return false;
	skb_forward_csum(skb);
	ip_decrease_ttl(ip_hdr(skb));
	skb->priority = rt_tos2priority(ip_hdr(skb)->tos);
	return true;
}

/* The same for IPv6, as ip6_route_input() and ip6_forward() would. */
static bool xvs_fast_forward6(struct sk_buff *skb)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	struct net *net = dev_net(skb->dev);
	struct dst_entry *dst;
	struct flowi6 fl6;

	if (!READ_ONCE(net->ipv6.devconf_all->forwarding) ||
	    READ_ONCE(net->ipv6.devconf_all->proxy_ndp))
		return false;
	memset(&fl6, 0, sizeof(fl6));
	fl6.flowi6_iif = skb->dev->ifindex;
	fl6.daddr = ip6h->daddr;
	fl6.saddr = ip6h->saddr;
	fl6.flowlabel = ip6_flowinfo(ip6h);
	fl6.flowi6_mark = skb->mark;
	fl6.flowi6_proto = ip6h->nexthdr;
	dst = ip6_route_input_lookup(net, skb->dev, &fl6, skb,
				     RT6_LOOKUP_F_HAS_SADDR |
				     RT6_LOOKUP_F_DST_NOREF);
	skb_dst_set_noref(skb, dst);
	IP6CB(skb)->iif = skb->dev->ifindex;
	/* Forwarded unicast, not back out of its own device (redirect). */
	if (dst->error || (dst->dev->flags & IFF_LOOPBACK) ||
	    (((struct rt6_info *)dst)->rt6i_flags & (RTF_LOCAL | RTF_ANYCAST)) ||
	    dst->dev == skb->dev ||
	    !xfrm6_policy_check(NULL, XFRM_POLICY_FWD, skb) ||
	    !xfrm6_route_forward(skb))
		return false;
	dst = skb_dst(skb);
	if (skb->len > max_t(u32, ip6_dst_mtu_maybe_forward(dst, true),
			     IPV6_MIN_MTU) ||
	    skb_cow(skb, dst->dev->hard_header_len))
		return false;
	skb_forward_csum(skb);
	ipv6_hdr(skb)->hop_limit--;
	return true;
}

/*
 * A reply of a NAT connection: forwarded as the stack would, translated
 * as in the FORWARD hook, sent as ip_forward_finish() and
 * ip6_forward_finish() do.
 */
static unsigned int xvs_fast_reply(struct xvs_net *xnet, struct sk_buff *skb,
				   struct xvs_conn *cp, struct xvs_pkt *pkt,
				   unsigned int len)
{
	struct net *net = xnet->net;
	struct sk_buff *own;
	bool routed;

	if (!xvs_fast_conn_ok(cp, false)) {
		__xvs_conn_put(cp);
		return NF_ACCEPT;
	}
	own = xvs_fast_own(skb, len);
	if (!own) {
		__xvs_conn_put(cp);
		return NF_ACCEPT;
	}
	routed = pkt->af == AF_INET6 ? xvs_fast_forward6(own) :
				       xvs_fast_forward4(own);
	if (!routed)
		return xvs_fast_abandon(skb, own, cp);
	xvs_fast_commit(skb, own);

	this_cpu_inc(xnet->fast_stats->replies);
	pkt->fast = true;
	if (xvs_out_deliver(xnet, own, cp, cp->pp, pkt,
			    NF_INET_FORWARD) != NF_ACCEPT)
		return NF_STOLEN;
	/* The route may have changed with the source (snat_reroute). */
	if (pkt->af == AF_INET6) {
		struct inet6_dev *idev = ip6_dst_idev(skb_dst(own));

		__IP6_INC_STATS(net, idev, IPSTATS_MIB_OUTFORWDATAGRAMS);
		__IP6_ADD_STATS(net, idev, IPSTATS_MIB_OUTOCTETS, own->len);
	} else {
		__IP_INC_STATS(net, IPSTATS_MIB_OUTFORWDATAGRAMS);
		__IP_ADD_STATS(net, IPSTATS_MIB_OUTOCTETS, own->len);
	}
	skb_clear_tstamp(own);
	dst_output(net, NULL, own);
	return NF_STOLEN;
}

static unsigned int xvs_fast_hook(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	struct xvs_net *xnet = priv;
	struct xvs_conn *cp;
	struct xvs_pkt pkt;
	unsigned int len;
	bool parsed;

	/* Nothing to find: the common case of a namespace at rest. */
	if (!atomic_read(&xnet->conn_count))
		return NF_ACCEPT;
	if (skb->pkt_type != PACKET_HOST || skb->ipvs_property ||
	    skb_vlan_tag_present(skb) || skb_is_gso(skb) ||
	    rcu_access_pointer(skb->dev->rx_handler))
		return NF_ACCEPT;
	if (skb->protocol == htons(ETH_P_IP))
		parsed = xvs_fast_parse4(skb, &pkt, &len);
	else if (skb->protocol == htons(ETH_P_IPV6))
		parsed = xvs_fast_parse6(skb, &pkt, &len);
	else
		return NF_ACCEPT;
	if (!parsed || !xvs_fast_ports(skb, &pkt))
		return NF_ACCEPT;
	if (unlikely(xvs_sync_backup_only(xnet)))
		return NF_ACCEPT;

	cp = xvs_conn_in_get(xnet, &pkt);
	if (cp)
		return xvs_fast_request(xnet, skb, cp, &pkt, len);
	cp = xvs_conn_out_get(xnet, &pkt);
	if (!cp)
		return NF_ACCEPT;
	return xvs_fast_reply(xnet, skb, cp, &pkt, len);
}

/* ---- hooks on devices (RTNL) ------------------------------------------ */

static int xvs_fast_dev_add(struct xvs_net *xnet, struct net_device *dev)
{
	struct xvs_fast_dev *fd;
	int err;

	if (dev->flags & IFF_LOOPBACK)
		return 0;
	fd = kzalloc(sizeof(*fd), GFP_KERNEL);
	if (!fd)
		return -ENOMEM;
	fd->ops.hook = xvs_fast_hook;
	fd->ops.priv = xnet;
	fd->ops.pf = NFPROTO_NETDEV;
	fd->ops.hooknum = NF_NETDEV_INGRESS;
	fd->ops.priority = XVS_FAST_PRIORITY;
	fd->ops.dev = dev;
	err = nf_register_net_hook(xnet->net, &fd->ops);
	if (err) {
		kfree(fd);
		return err;
	}
	list_add(&fd->list, &xnet->fast_devs);
	return 0;
}

static void xvs_fast_dev_del(struct xvs_net *xnet, struct xvs_fast_dev *fd)
{
	nf_unregister_net_hook(xnet->net, &fd->ops);
	list_del(&fd->list);
	kfree(fd);
}

static void xvs_fast_off(struct xvs_net *xnet)
{
	struct xvs_fast_dev *fd, *next;

	ASSERT_RTNL();
	list_for_each_entry_safe(fd, next, &xnet->fast_devs, list)
		xvs_fast_dev_del(xnet, fd);
	xnet->fast_on = false;
}

static int xvs_fast_on(struct xvs_net *xnet)
{
	struct net_device *dev;
	int err;

	ASSERT_RTNL();
	xnet->fast_on = true;
	for_each_netdev(xnet->net, dev) {
		err = xvs_fast_dev_add(xnet, dev);
		if (err) {
			xvs_fast_off(xnet);
			return err;
		}
	}
	return 0;
}

int xvs_fast_path_sync(struct xvs_net *xnet)
{
	bool want;
	int err = 0;

	lockdep_assert_held(&xnet->mutex);
	want = xnet->hooks_enabled && READ_ONCE(xnet->sysctl.fast_path);
	rtnl_lock();
	if (want && !xnet->fast_on)
		err = xvs_fast_on(xnet);
	else if (!want && xnet->fast_on)
		xvs_fast_off(xnet);
	rtnl_unlock();
	if (err)
		pr_err("fast path: cannot hook the devices: %d\n", err);
	return err;
}

void xvs_fast_path_dev_event(struct xvs_net *xnet, struct net_device *dev,
			     unsigned long event)
{
	struct xvs_fast_dev *fd;

	ASSERT_RTNL();
	if (!xnet->fast_on)
		return;
	if (event == NETDEV_REGISTER) {
		/* Without its hook a device's packets take the normal path. */
		if (xvs_fast_dev_add(xnet, dev))
			pr_warn("fast path: cannot hook %s\n", dev->name);
		return;
	}
	if (event != NETDEV_UNREGISTER)
		return;
	list_for_each_entry(fd, &xnet->fast_devs, list) {
		if (fd->ops.dev == dev) {
			xvs_fast_dev_del(xnet, fd);
			return;
		}
	}
}

/* ---- namespace part: counters, /proc, sysctl --------------------------- */

static int xvs_fast_stats_show(struct seq_file *seq, void *v)
{
	struct xvs_net *xnet = xvs_net(seq_file_single_net(seq));
	u64 requests = 0, replies = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct xvs_fast_stats *s = per_cpu_ptr(xnet->fast_stats,
							     cpu);

		requests += READ_ONCE(s->requests);
		replies += READ_ONCE(s->replies);
	}
	seq_printf(seq, "requests %llu\nreplies %llu\n", requests, replies);
	return 0;
}

/* net.xvs.fast_path: 0 or 1; the hooks follow at once. */
static int xvs_fast_sysctl(struct ctl_table *table, int write, void *buffer,
			   size_t *lenp, loff_t *ppos)
{
	struct xvs_net *xnet = table->extra1;
	struct ctl_table tmp = *table;
	int val, old, err;

	mutex_lock(&xnet->mutex);
	old = xnet->sysctl.fast_path;
	val = old;
	tmp.data = &val;
	tmp.extra1 = SYSCTL_ZERO;
	tmp.extra2 = SYSCTL_ONE;
	err = proc_dointvec_minmax(&tmp, write, buffer, lenp, ppos);
	if (!err && write && val != old) {
		WRITE_ONCE(xnet->sysctl.fast_path, val);
		err = xvs_fast_path_sync(xnet);
		if (err)
			WRITE_ONCE(xnet->sysctl.fast_path, old);
	}
	mutex_unlock(&xnet->mutex);
	return err;
}

int xvs_fast_path_net_init(struct xvs_net *xnet)
{
	struct net *net = xnet->net;
	struct ctl_table *tbl;

	INIT_LIST_HEAD(&xnet->fast_devs);
	xnet->fast_on = false;
	xnet->sysctl.fast_path = !!READ_ONCE(xvs_fast_path_default);
	xnet->fast_stats = alloc_percpu(struct xvs_fast_stats);
	if (!xnet->fast_stats)
		return -ENOMEM;
	if (!proc_create_net_single("xvs_fast_path", 0444, net->proc_net,
				    xvs_fast_stats_show, NULL))
		goto err_proc;

	/* fast_path and the zeroed terminator */
	tbl = kcalloc(2, sizeof(*tbl), GFP_KERNEL);
	if (!tbl)
		goto err_tbl;
	tbl[0].procname = "fast_path";
	tbl[0].data = &xnet->sysctl.fast_path;
	tbl[0].maxlen = sizeof(int);
	tbl[0].mode = 0644;
	tbl[0].proc_handler = xvs_fast_sysctl;
	tbl[0].extra1 = xnet;
	xnet->fast_sysctl_hdr = register_net_sysctl(net, "net/xvs", tbl);
	if (!xnet->fast_sysctl_hdr)
		goto err_sysctl;
	xnet->fast_sysctl_tbl = tbl;
	return 0;

err_sysctl:
	kfree(tbl);
err_tbl:
	remove_proc_entry("xvs_fast_path", net->proc_net);
err_proc:
	free_percpu(xnet->fast_stats);
	return -ENOMEM;
}

/* The hooks' part went before (hooks.c): no device is hooked any more. */
void xvs_fast_path_net_exit(struct xvs_net *xnet)
{
	WARN_ON(!list_empty(&xnet->fast_devs));
	unregister_net_sysctl_table(xnet->fast_sysctl_hdr);
	kfree(xnet->fast_sysctl_tbl);
	remove_proc_entry("xvs_fast_path", xnet->net->proc_net);
	free_percpu(xnet->fast_stats);
}
