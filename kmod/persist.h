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

/*
 * A request a NAT real server starts towards a client (pe.h, conn_out):
 * makes the connection client <-> virtual service <-> @dest that the
 * packet @pkt (from @dest's address and port to the client) opens, and for
 * a persistent service first the client's template (with the engine's
 * data), so that the client's answers reach @dest.  Returns the
 * connection with a reference, or NULL (the packet then passes as it is):
 * firewall-mark and port-0 services, no engine data, no memory.  Caller
 * holds rcu_read_lock().
 */
struct xvs_conn *xvs_persist_conn_out(struct xvs_net *xnet,
				      struct xvs_service *svc,
				      struct xvs_dest *dest,
				      const struct sk_buff *skb,
				      const struct xvs_pkt *pkt);

#endif /* XVS_PERSIST_H */
