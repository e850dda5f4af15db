// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: XVS_CMD_GET_ALL, every service and all its destinations in one dump
 * (the message layout is in uapi/xvs_genl.h).  Stock IPVS lists a table
 * with one GET_DEST dump per service; at 10,000 services that is 10,001
 * requests, each taking the control-plane mutex.
 */
#define pr_fmt(fmt) "xvs: " fmt

#include <linux/kernel.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "xvs.h"
#include "xvs_ctl.h"
#include "uapi/xvs_genl.h"

/* What identifies the service, nested as IPVS_CMD_ATTR_SERVICE. */
static int xvs_fill_service_key(struct sk_buff *skb, struct xvs_service *svc)
{
	struct nlattr *nest = nla_nest_start_noflag(skb, IPVS_CMD_ATTR_SERVICE);

	if (!nest)
		return -EMSGSIZE;
	if (xvs_put_service_key(skb, svc)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* One multipart message; @dest NULL: the service's own message. */
static int xvs_dump_all_msg(struct sk_buff *skb, struct netlink_callback *cb,
			    struct xvs_service *svc, struct xvs_dest *dest)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &xvs_genl_family, NLM_F_MULTI,
			  dest ? IPVS_CMD_NEW_DEST : IPVS_CMD_NEW_SERVICE);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	if (dest ? xvs_fill_service_key(skb, svc) || xvs_fill_dest(skb, dest) :
		   xvs_fill_service(skb, svc)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * The rest of one service's messages from message @done on (0: the
 * service's, k > 0: its k-th destination).  Returns how many of its
 * messages have been sent when the buffer filled up, or -1 when all were.
 */
static long xvs_dump_all_service(struct sk_buff *skb,
				 struct netlink_callback *cb,
				 struct xvs_service *svc, unsigned long done)
{
	struct xvs_dest *dest;
	unsigned long i = 1;

	if (!done) {
		if (xvs_dump_all_msg(skb, cb, svc, NULL))
			return 0;
		done = 1;
	}
	list_for_each_entry(dest, &svc->destinations, n_list) {
		if (i++ < done)
			continue;
		if (xvs_dump_all_msg(skb, cb, svc, dest))
			return done;
		done++;
	}
	return -1;
}

/*
 * cb->args[0]: services finished, in table order; cb->args[1]: messages
 * of the next one already sent.  The mutex is dropped between the parts,
 * so cb->seq carries the configuration's generation and a change in
 * between marks the following messages NLM_F_DUMP_INTR.
 */
int xvs_genl_dump_all(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct xvs_net *xnet = xvs_net(sock_net(skb->sk));
	struct hlist_head *tables[] = { xnet->svc_table, xnet->fwm_table };
	unsigned long idx = 0;
	struct xvs_service *svc;
	unsigned int t, i;
	long sent;

	mutex_lock(&xnet->mutex);
	/* 0 would switch the check off: the generation counts from 1 here. */
	cb->seq = xnet->cfg_gen + 1;
	for (t = 0; t < ARRAY_SIZE(tables); t++) {
		for (i = 0; i < XVS_SVC_TAB_SIZE; i++) {
			hlist_for_each_entry(svc, &tables[t][i], s_list) {
				if (idx++ < cb->args[0])
					continue;
				sent = xvs_dump_all_service(skb, cb, svc,
							    cb->args[1]);
				if (sent >= 0) {
					cb->args[1] = sent;
					goto out;
				}
				cb->args[0] = idx;
				cb->args[1] = 0;
			}
		}
	}
out:
	mutex_unlock(&xnet->mutex);
	return skb->len;
}
