/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xvs: scheduling a new connection (schedule.c).
 */
#ifndef XVS_SCHEDULE_H
#define XVS_SCHEDULE_H

#include <linux/skbuff.h>

#include "xvs.h"
#include "proto.h"
#include "drop.h"

struct xvs_conn;

/*
 * A packet that belongs to no connection: create one if it opens one for a
 * service.  Returns the verdict; *cpp is then the new connection (with a
 * reference) or NULL.  @icmp: @pkt is the packet an ICMP error quotes,
 * seen from the client (schedule_icmp).  Caller holds rcu_read_lock().
 */
unsigned int xvs_schedule(struct xvs_net *xnet, struct sk_buff *skb,
			  const struct xvs_proto_ops *pp, struct xvs_pkt *pkt,
			  bool icmp, struct xvs_conn **cpp);

/* Picks a destination for a new connection; caller holds rcu_read_lock(). */
struct xvs_dest *xvs_svc_schedule(struct xvs_service *svc,
				  const struct xvs_sched_input *in);

/* A new connection @cp of @svc, counted for its destination, @svc, netns. */
void xvs_new_conn_stats(struct xvs_conn *cp, struct xvs_service *svc);

/* Answers @skb with a port unreachable of its family; it is dropped. */
unsigned int xvs_refuse(struct xvs_net *xnet, struct sk_buff *skb, u16 af,
			enum xvs_drop_reason reason);

/* The quoted packet seen from the other end: source and dest swapped. */
static inline void xvs_pkt_reverse(const struct xvs_pkt *pkt, struct xvs_pkt *rev)
{
	*rev = *pkt;
	rev->saddr = pkt->daddr;
	rev->daddr = pkt->saddr;
	rev->sport = pkt->dport;
	rev->dport = pkt->sport;
}

#endif
