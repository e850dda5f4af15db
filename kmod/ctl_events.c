// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: config-change events, the multicast group "xvs_events" of the IPVS
 * generic netlink family (see uapi/xvs_genl.h for the message layout).
 * ctl_genl.c announces each change it applied; tools and xvsd subscribe
 * instead of polling the dumps.
 */
#define pr_fmt(fmt) "xvs: " fmt

#include <linux/kernel.h>
#include <net/genetlink.h>

#include "xvs.h"
#include "xvs_ctl.h"
#include "uapi/xvs_genl.h"

/*
 * Events describe the configuration, which only administrators may read
 * (every IPVS command needs CAP_NET_ADMIN): genl_bind refuses others.
 */
const struct genl_multicast_group xvs_genl_mcgrps[XVS_GENL_N_MCGRPS] = {
	[XVS_GENL_MCGRP_EVENTS_IDX] = {
		.name = XVS_GENL_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

static bool xvs_event_wanted(struct xvs_net *xnet)
{
	return genl_has_listeners(&xvs_genl_family, xnet->net,
				  XVS_GENL_MCGRP_EVENTS_IDX);
}

/* Listeners learn that they missed an event and must read everything. */
static void xvs_event_lost(struct xvs_net *xnet)
{
	netlink_set_err(xnet->net->genl_sock, 0,
			xvs_genl_family.mcgrp_offset + XVS_GENL_MCGRP_EVENTS_IDX,
			ENOBUFS);
}

static struct sk_buff *xvs_event_start(struct xvs_net *xnet, u32 kind,
				       u32 portid, void **hdr)
{
	struct sk_buff *skb;

	if (!xvs_event_wanted(xnet))
		return NULL;
	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!skb)
		goto lost;
	*hdr = genlmsg_put(skb, 0, 0, &xvs_genl_family, 0, XVS_CMD_EVENT);
	if (!*hdr ||
	    nla_put_u32(skb, XVS_CMD_ATTR_EVENT_KIND, kind) ||
	    nla_put_u32(skb, XVS_CMD_ATTR_EVENT_PORTID, portid)) {
		nlmsg_free(skb);
		goto lost;
	}
	return skb;
lost:
	xvs_event_lost(xnet);
	return NULL;
}

static struct sk_buff *xvs_event_finish(struct xvs_net *xnet,
					struct sk_buff *skb, void *hdr,
					int err)
{
	if (err) {
		nlmsg_free(skb);
		xvs_event_lost(xnet);
		return NULL;
	}
	genlmsg_end(skb, hdr);
	return skb;
}

struct sk_buff *xvs_event_build_svc(struct xvs_net *xnet, u32 kind,
				    u32 portid, struct xvs_service *svc,
				    struct xvs_dest *dest)
{
	struct sk_buff *skb;
	void *hdr;
	int err = 0;

	lockdep_assert_held(&xnet->mutex);
	skb = xvs_event_start(xnet, kind, portid, &hdr);
	if (!skb)
		return NULL;
	if (svc)
		err = xvs_fill_service(skb, svc);
	if (!err && dest)
		err = xvs_fill_dest(skb, dest);
	return xvs_event_finish(xnet, skb, hdr, err);
}

struct sk_buff *xvs_event_build_daemon(struct xvs_net *xnet, u32 kind,
				       u32 portid, u32 state,
				       const struct xvs_sync_cfg *c)
{
	struct sk_buff *skb;
	void *hdr;

	skb = xvs_event_start(xnet, kind, portid, &hdr);
	if (!skb)
		return NULL;
	return xvs_event_finish(xnet, skb, hdr, xvs_fill_daemon(skb, state, c));
}

void xvs_event_send(struct xvs_net *xnet, struct sk_buff *skb)
{
	if (!skb)
		return;
	/* -ESRCH: the last listener left meanwhile; nobody to tell. */
	genlmsg_multicast_netns(&xvs_genl_family, xnet->net, skb, 0,
				XVS_GENL_MCGRP_EVENTS_IDX, GFP_KERNEL);
}

void xvs_event_discard(struct sk_buff *skb)
{
	nlmsg_free(skb);
}

void xvs_event_svc(struct xvs_net *xnet, u32 kind, u32 portid,
		   struct xvs_service *svc, struct xvs_dest *dest)
{
	xvs_event_send(xnet, xvs_event_build_svc(xnet, kind, portid, svc,
						 dest));
}
