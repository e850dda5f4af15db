// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: bypass forwarding (the cache_bypass sysctl).
 *
 * A firewall-mark service of a transparent cache cluster receives packets
 * for any address; when none of its caches is available and cache_bypass
 * is on, the connection is not refused but bypasses the cluster: its
 * packets are routed, unchanged but for the hop count, to the address the
 * client sent them to.  Replies from there do not need us.
 */
#define pr_fmt(fmt) "xvs: " fmt

#include <linux/kernel.h>
#include <linux/skbuff.h>
#include <linux/netfilter.h>

#include "xvs.h"
#include "conn.h"
#include "xmit.h"

static unsigned int xvs_bypass_xmit(struct sk_buff *skb, struct xvs_conn *cp,
				    const struct xvs_proto_ops *pp,
				    struct xvs_pkt *pkt)
{
	int routed;

	/* Only somewhere else: a local destination would have no service. */
	routed = xvs_xmit_route(cp, skb, cp->af, XVS_RTM_NON_LOCAL, 0, NULL);
	if (routed) {
		/* Counted by the route function. */
		kfree_skb(skb);
		return NF_STOLEN;
	}
	return xvs_xmit_send(skb, cp, pkt->fast);
}

const struct xvs_xmit_ops xvs_xmit_bypass = {
	.fwd_method = IP_VS_CONN_F_BYPASS,
	.xmit = xvs_bypass_xmit,
};
