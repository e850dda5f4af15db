/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xvs: persistent services (ipvsadm -p): connection templates.
 */
#ifndef XVS_PERSIST_H
#define XVS_PERSIST_H

#include <linux/skbuff.h>

#include "xvs.h"
#include "proto.h"

struct xvs_conn;

/*
 * Schedules a new connection of a persistent service through the client's
 * template, creating the template when there is none (or it may not be
 * used any more).  On success *cpp is the new connection, with a
 * reference.  -ENOENT: no destination available (tell the client);
 * -ENOMEM: drop the packet.  Caller holds rcu_read_lock().
 */
int xvs_persist_schedule(struct xvs_net *xnet, struct xvs_service *svc,
			 const struct sk_buff *skb, const struct xvs_pkt *pkt,
			 const struct xvs_sched_input *in,
			 struct xvs_conn **cpp);

#endif /* XVS_PERSIST_H */
