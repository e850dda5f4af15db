// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: direct routing and local node forwarding.
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
#include <linux/netfilter.h>

#include "xvs.h"
#include "conn.h"
#include "xmit.h"

static unsigned int xvs_dr_xmit(struct sk_buff *skb, struct xvs_conn *cp,
				const struct xvs_proto_ops *pp,
				struct xvs_pkt *pkt)
{
	int local;

	local = xvs_xmit_route(cp, skb, cp->af, XVS_RTM_LOCAL |
			       XVS_RTM_NON_LOCAL | XVS_RTM_KNOWN_NH, 0, NULL);
	/* Counted by the route function. */
	if (local < 0) {
		kfree_skb(skb);
		return NF_STOLEN;
	}
	if (local)
		return xvs_xmit_to_local(skb, cp);
	return xvs_xmit_send(skb, cp, pkt->fast);
}

const struct xvs_xmit_ops xvs_xmit_dr = {
	.fwd_method = IP_VS_CONN_F_DROUTE,
	.xmit = xvs_dr_xmit,
};

static unsigned int xvs_local_xmit(struct sk_buff *skb, struct xvs_conn *cp,
				   const struct xvs_proto_ops *pp,
				   struct xvs_pkt *pkt)
{
	return xvs_xmit_to_local(skb, cp);
}

const struct xvs_xmit_ops xvs_xmit_local = {
	.fwd_method = IP_VS_CONN_F_LOCALNODE,
	.xmit = xvs_local_xmit,
};
