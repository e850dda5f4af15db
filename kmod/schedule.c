// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: a new connection.  A packet that belongs to no connection finds its
 * service (firewall mark first, as IPVS), passes the memory-pressure
 * defense, and gets a destination from the service's scheduler or, for a
 * persistent service, from the client's template (persist.c); the entry is
 * made and counted.  Where no destination can take it, it is bypassed
 * (cache_bypass), let through, or refused with a port unreachable, as IPVS
 * does.  The hooks (hooks.c) call xvs_schedule() and forward what it made.
 */
#define pr_fmt(fmt) "xvs: " fmt

#include <linux/kernel.h>
#include <linux/skbuff.h>
#include <linux/icmp.h>
#include <linux/netdevice.h>
#include <net/icmp.h>
#include <net/ipv6.h>
#include <net/route.h>

#include "xvs.h"
#include "conn.h"
#include "proto.h"
#include "persist.h"
#include "hooks_ipv6.h"
#include "drop.h"
#include "schedule.h"

/* ---- the service's scheduler -------------------------------------------- */

struct xvs_dest *xvs_svc_schedule(struct xvs_service *svc,
				  const struct xvs_sched_input *pkt)
{
	struct xvs_sched_inst *inst = rcu_dereference(svc->sched_inst);
	struct xvs_sched_dest *picked = NULL;
	struct xvs_sched_input in_copy, *in = &in_copy;

	if (!inst)
		return NULL;

	/* What the service contributes: its flags, now, and the knobs. */
	in_copy = *pkt;
	in_copy.svc_flags = READ_ONCE(svc->flags);
	in_copy.knobs = &svc->xnet->sched_knobs;

	if (!inst->ops->serialized) {
		picked = inst->ops->schedule(inst->state,
					     rcu_dereference(svc->dest_set), in);
	} else {
		/*
		 * The instance and the set are both re-read under the lock,
		 * where the control plane changes them, so the scheduler
		 * always sees the set its state was last told about.
		 */
		spin_lock_bh(&svc->sched_lock);
		inst = rcu_dereference(svc->sched_inst);
		if (inst)
			picked = inst->ops->schedule(inst->state,
						     rcu_dereference(svc->dest_set),
						     in);
		spin_unlock_bh(&svc->sched_lock);
	}
	return picked ? container_of(picked, struct xvs_dest, sched) : NULL;
}

/* ---- counters ------------------------------------------------------------- */

static inline void xvs_conn_count(struct xvs_stats *s)
{
	struct xvs_cpu_stats *c = this_cpu_ptr(s->cpu);

	u64_stats_update_begin(&c->syncp);
	c->cnt.conns++;
	u64_stats_update_end(&c->syncp);
}

void xvs_new_conn_stats(struct xvs_conn *cp, struct xvs_service *svc)
{
	local_bh_disable();
	xvs_conn_count(&cp->dest->stats);
	xvs_conn_count(&svc->stats);
	xvs_conn_count(&cp->xnet->tot_stats);
	local_bh_enable();
}

/* ---- a packet without a connection ---------------------------------------- */

static struct xvs_service *xvs_service_find(struct xvs_net *xnet,
					    const struct sk_buff *skb,
					    const struct xvs_pkt *pkt)
{
	struct xvs_service *svc = NULL;

	if (skb->mark)
		svc = xvs_svc_lookup_fwmark(xnet, pkt->af, skb->mark);
	if (!svc)
		svc = xvs_svc_lookup(xnet, pkt->af, pkt->protocol,
				     &pkt->daddr, pkt->dport);
	return svc;
}

/*
 * No destination for a service packet: as IPVS, tell the client with a
 * port unreachable (even for TCP, we cannot send a RST from here), except
 * for other ports that only reached us through an FTP service.
 */
static bool xvs_addr_is_unicast(struct net *net, u16 af,
				const union nf_inet_addr *addr)
{
	if (af == AF_INET6)
		return ipv6_addr_type(&addr->in6) & IPV6_ADDR_UNICAST;
	return inet_addr_type(net, addr->ip) == RTN_UNICAST;
}

/*
 * cache_bypass: a firewall-mark service with no server to take a packet for
 * another host lets it through to that host, in a bypass entry.
 */
static struct xvs_conn *xvs_bypass_conn(struct xvs_net *xnet,
					struct xvs_service *svc,
					struct sk_buff *skb,
					const struct xvs_pkt *pkt)
{
	static const union nf_inet_addr none;
	struct xvs_conn_param p = {
		.af = svc->af,
		.protocol = pkt->protocol,
		.caddr = &pkt->saddr,
		.cport = pkt->sport,
		.vaddr = &pkt->daddr,
		.vport = pkt->dport,
		.daddr = &none,
	};
	unsigned int flags = IP_VS_CONN_F_BYPASS;

	if (!READ_ONCE(xnet->sysctl.cache_bypass) || !svc->fwmark ||
	    !xvs_addr_is_unicast(xnet->net, svc->af, &pkt->daddr))
		return NULL;
	if ((READ_ONCE(svc->flags) & IP_VS_SVC_F_ONEPACKET) &&
	    pkt->protocol == IPPROTO_UDP)
		flags |= IP_VS_CONN_F_ONE_PACKET;
	return xvs_conn_create(xnet, &p, NULL, 0, flags, skb->mark);
}

unsigned int xvs_refuse(struct xvs_net *xnet, struct sk_buff *skb,
			       u16 af, enum xvs_drop_reason reason)
{
	if (af == AF_INET6)
		xvs_icmp6_port_unreach(skb);
	else
		icmp_send(skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
	return xvs_drop(xnet, reason);
}

/*
 * The service cannot take the packet: bypass it (cache_bypass, *cpp set),
 * let it pass, or refuse it with a port-unreachable error.
 */
static unsigned int xvs_leave(struct xvs_net *xnet, struct xvs_service *svc,
			      struct sk_buff *skb, const struct xvs_pkt *pkt,
			      struct xvs_conn **cpp)
{
	*cpp = xvs_bypass_conn(xnet, svc, skb, pkt);
	if (*cpp)
		return NF_ACCEPT;
	if (svc->port == XVS_FTP_PORT && pkt->dport != XVS_FTP_PORT)
		return NF_ACCEPT;
	return xvs_refuse(xnet, skb, pkt->af, XVS_DROP_NO_DEST);
}

/*
 * drop_packet: under memory pressure one new connection in drop_rate is
 * refused, as IPVS does; the countdown is shared by all CPUs.
 */
static bool xvs_todrop(struct xvs_net *xnet)
{
	int rate = READ_ONCE(xnet->drop_rate);

	if (!rate)
		return false;
	if (atomic_dec_return(&xnet->drop_counter) > 0)
		return false;
	atomic_set(&xnet->drop_counter, rate);
	return true;
}

unsigned int xvs_schedule(struct xvs_net *xnet, struct sk_buff *skb,
			  const struct xvs_proto_ops *pp, struct xvs_pkt *pkt,
			  bool icmp, struct xvs_conn **cpp)
{
	struct xvs_sched_input in;
	struct xvs_service *svc;
	struct xvs_dest *dest;
	struct xvs_conn *cp;
	unsigned int flags;
	enum xvs_sched_verdict check;

	/*
	 * A quoted packet is scheduled whatever its flags (the error may
	 * concern any segment); without ports (AH/ESP) it opens nothing.
	 */
	if (icmp)
		check = pp->lookup_key ? XVS_SCHED_ACCEPT : XVS_SCHED_GO;
	else
		check = pp->sched_check(xnet, skb, pkt);
	switch (check) {
	case XVS_SCHED_DROP:
		return xvs_drop(xnet, XVS_DROP_BAD_HEADER);
	case XVS_SCHED_ACCEPT:
		return NF_ACCEPT;
	case XVS_SCHED_GO:
		break;
	}
	/* The transport header (or the quoted ports) was read: ports are set. */
	svc = xvs_service_find(xnet, skb, pkt);
	if (!svc)
		return NF_ACCEPT;
	if (xvs_todrop(xnet))
		return xvs_drop(xnet, XVS_DROP_DEFENSE);

	/* Active FTP data from a real server is never scheduled. */
	if (pkt->sport == XVS_FTP_DATA_PORT)
		return NF_ACCEPT;

	/* A local real server's reply to an existing connection. */
	if (!skb->dev || (skb->dev->flags & IFF_LOOPBACK)) {
		struct xvs_pkt rev;

		xvs_pkt_reverse(pkt, &rev);
		cp = xvs_conn_in_get(xnet, &rev);
		if (cp) {
			__xvs_conn_put(cp);
			return NF_ACCEPT;
		}
	}

	in.af = pkt->af;
	in.protocol = pkt->protocol;
	in.saddr = pkt->saddr.all;
	in.daddr = pkt->daddr.all;
	in.sport = pkt->sport;
	in.dport = pkt->dport;
	/*
	 * IPVS hands its schedulers the quoted header as it stands, so the
	 * ones keyed by destination (dh, lblc, lblcr) see the client there.
	 */
	if (icmp)
		in.daddr = pkt->saddr.all;

	if (READ_ONCE(svc->flags) & IP_VS_SVC_F_PERSISTENT) {
		int err = xvs_persist_schedule(xnet, svc, skb, pkt, &in, &cp);

		if (err == -ENOENT)
			return xvs_leave(xnet, svc, skb, pkt, cpp);
		if (err)
			return xvs_drop(xnet, err == -ENOMEM ? XVS_DROP_NO_MEM :
					XVS_DROP_PE);
		xvs_new_conn_stats(cp, svc);
		*cpp = cp;
		return NF_ACCEPT;
	}

	/*
	 * Without persistence one service port serves one port; a port-0
	 * service only makes sense persistent.
	 */
	if (!svc->fwmark && pkt->dport != svc->port) {
		if (!svc->port)
			net_err_ratelimited("schedule: port zero only supported in persistent services, check your ipvs configuration\n");
		return xvs_leave(xnet, svc, skb, pkt, cpp);
	}

	dest = xvs_svc_schedule(svc, &in);
	if (!dest)
		return xvs_leave(xnet, svc, skb, pkt, cpp);

	flags = ((svc->flags & IP_VS_SVC_F_ONEPACKET) &&
		 pkt->protocol == IPPROTO_UDP) ? IP_VS_CONN_F_ONE_PACKET : 0;
	cp = xvs_conn_new(xnet, pkt, &pkt->daddr, pkt->dport, dest, flags,
			  skb->mark);
	if (!cp)
		return xvs_drop(xnet, XVS_DROP_NO_MEM);
	xvs_new_conn_stats(cp, svc);
	*cpp = cp;
	return NF_ACCEPT;
}
