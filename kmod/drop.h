/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xvs: why packets are dropped.  Every drop in the hooks and the
 * forwarding methods names its reason; the per-netns, per-CPU counters are
 * read in /proc/net/xvs_drops (xvsadm --drops), and with
 * net.xvs.debug_level >= XVS_DROP_DBG_LEVEL each drop logs a rate-limited
 * debug line.  Counting costs one this_cpu_inc on the drop path only.
 */
#ifndef XVS_DROP_H
#define XVS_DROP_H

#include <linux/netfilter.h>
#include <linux/percpu.h>

#include "xvs.h"

enum xvs_drop_reason {
	XVS_DROP_BAD_HEADER,	/* truncated or malformed headers */
	XVS_DROP_CSUM,		/* bad checksum of an ICMP error */
	XVS_DROP_DEFENSE,	/* drop_packet refused a new connection */
	XVS_DROP_NO_DEST,	/* no usable destination: refused */
	XVS_DROP_DEST_GONE,	/* the connection's destination removed */
	XVS_DROP_NAT_NO_CONN,	/* nat_icmp_send: real server, no entry */
	XVS_DROP_NO_MEM,	/* entry or skb allocation, copy-on-write */
	XVS_DROP_PE,		/* persistence engine: e.g. no Call-ID */
	XVS_DROP_NO_ROUTE,	/* no route to the real server or client */
	XVS_DROP_ROUTE_MODE,	/* route not allowed: loopback, local */
	XVS_DROP_TTL,		/* TTL or hop limit exceeded */
	XVS_DROP_MTU,		/* fragmentation needed, packet too big */
	XVS_DROP_MANGLE,	/* address, port or payload rewrite */
	XVS_DROP_TUNNEL,	/* encapsulation failed */
	XVS_DROP_CONNTRACK,	/* conntrack refused the tunnelled packet */
	XVS_DROP_MAX
};

/* net.xvs.debug_level from which drops are logged (IPVS: IP_VS_DBG_RL). */
#define XVS_DROP_DBG_LEVEL	1

struct xvs_drop_stats {
	u64 cnt[XVS_DROP_MAX];
};

void __xvs_drop_log(struct xvs_net *xnet, enum xvs_drop_reason reason);

/* Counts a drop whose skb the caller frees (or has freed). */
static inline void xvs_drop_count(struct xvs_net *xnet,
				  enum xvs_drop_reason reason)
{
	this_cpu_inc(xnet->drops->cnt[reason]);
	if (unlikely(READ_ONCE(xnet->sysctl.debug_level) >= XVS_DROP_DBG_LEVEL))
		__xvs_drop_log(xnet, reason);
}

/* Counts a drop; returns NF_DROP: `return xvs_drop(xnet, reason);` */
static inline unsigned int xvs_drop(struct xvs_net *xnet,
				    enum xvs_drop_reason reason)
{
	xvs_drop_count(xnet, reason);
	return NF_DROP;
}

/* Counts a drop in a forwarding method, frees the skb: NF_STOLEN. */
static inline unsigned int xvs_drop_skb(struct xvs_net *xnet,
					struct sk_buff *skb,
					enum xvs_drop_reason reason)
{
	xvs_drop_count(xnet, reason);
	kfree_skb(skb);
	return NF_STOLEN;
}

int xvs_drop_net_init(struct xvs_net *xnet);
void xvs_drop_net_exit(struct xvs_net *xnet);

#endif /* XVS_DROP_H */
