// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: persistence.
 *
 * A persistent service sends every connection of one client (its address
 * masked with the service's netmask, or cut to the IPv6 prefix length) to
 * the same real server for as long as the client keeps coming back within
 * the persistence timeout.  The choice is remembered in a template, an
 * entry of the connection table that carries no traffic:
 *  - its client end is the masked address with port 0;
 *  - its virtual end is the service address and port, with port 0 for a
 *    port-0 service and for FTP (whose data connections use other ports);
 *    for a firewall-mark service the protocol is IPPROTO_IP and the
 *    "address" is the mark, so one template covers every marked port;
 *  - each connection scheduled through it holds it (cp->control), so it
 *    outlives them; it is refreshed to the service's timeout whenever a
 *    connection is scheduled through it;
 *  - it counts in its real server's PersistConn, not in its connections.
 * A template whose real server left the service, or (with the sysctl
 * expire_quiescent_template, or for a packet of a protocol that
 * net.xvs.expire_stale_conn covers) has weight 0, is taken out of use at
 * the next lookup and the client is scheduled afresh.
 *
 * A service with a persistence engine (pe.h) narrows its templates down
 * further with data of the packet (SIP: the Call-ID); a packet from which
 * the engine can take no data is dropped, as IPVS drops it.
 */
#define pr_fmt(fmt) "xvs: " fmt

#include <linux/kernel.h>
#include <linux/in.h>
#include <net/ipv6.h>

#include "xvs.h"
#include "conn.h"
#include "persist.h"
#include "pe.h"
#include "schedule.h"

/* The client's network: what one template stands for. */
static void xvs_persist_client_net(const struct xvs_service *svc,
				   const union nf_inet_addr *caddr,
				   union nf_inet_addr *net)
{
	memset(net, 0, sizeof(*net));
	if (svc->af == AF_INET6)
		ipv6_addr_prefix(&net->in6, &caddr->in6,
				 (__force u32)READ_ONCE(svc->netmask));
	else
		net->ip = caddr->ip & READ_ONCE(svc->netmask);
}

/*
 * May the template still be used (and does it lead to @want, unless that
 * is NULL) by a packet of @protocol (0: none the stale switch covers)?  If
 * not, it is taken out of use here and the caller's reference is given
 * back without refreshing it.
 */
static bool xvs_persist_template_ok(struct xvs_net *xnet, struct xvs_conn *ct,
				    const struct xvs_dest *want, u8 protocol)
{
	struct xvs_dest *dest = ct->dest;
	bool quiesced_ok = !READ_ONCE(xnet->sysctl.expire_quiescent_template) &&
			   !(protocol && xvs_stale_covers(xnet, protocol));

	if (dest && (!want || dest == want) &&
	    (READ_ONCE(dest->sched.flags) & XVS_DEST_F_AVAILABLE) &&
	    (quiesced_ok || atomic_read(&dest->sched.weight)))
		return true;
	xvs_conn_template_invalidate(ct);
	__xvs_conn_put(ct);
	return false;
}

int xvs_persist_schedule(struct xvs_net *xnet, struct xvs_service *svc,
			 const struct sk_buff *skb, const struct xvs_pkt *pkt,
			 const struct xvs_sched_input *in,
			 struct xvs_conn **cpp)
{
	union nf_inet_addr cnet, mark_addr = {};
	struct xvs_conn_param tp = {
		.af = svc->af,
		.protocol = pkt->protocol,
		.caddr = &cnet,
		.cport = 0,
		.vaddr = &pkt->daddr,
		.vport = 0,
	};
	struct xvs_conn_param cpar = {
		.af = svc->af,
		.protocol = pkt->protocol,
		.caddr = &pkt->saddr,
		.cport = pkt->sport,
		.vaddr = &pkt->daddr,
		.vport = pkt->dport,
	};
	bool on_svc_port = pkt->dport == svc->port;
	char pe_buf[XVS_PE_DATA_MAX];
	unsigned int flags;
	struct xvs_dest *dest;
	struct xvs_conn *ct, *cp;
	__be16 dport;
	int err;

	xvs_persist_client_net(svc, &pkt->saddr, &cnet);
	if (on_svc_port) {
		/* FTP: one template for the control and data ports. */
		if (svc->port != XVS_FTP_PORT)
			tp.vport = pkt->dport;
	} else if (svc->fwmark) {
		/* Every port and address the mark groups. */
		mark_addr.ip = htonl(svc->fwmark);
		tp.protocol = IPPROTO_IP;
		tp.vaddr = &mark_addr;
	}
	/* else a port-0 service: one template for all ports of the VIP */

	tp.pe = rcu_dereference(svc->pe);
	if (tp.pe) {
		err = tp.pe->fill_param(&tp, skb, pkt, pe_buf);
		if (err)
			return err == -ENOENT ? -EINVAL : err;
	}

	ct = xvs_conn_template_get(xnet, &tp);
	if (ct && xvs_persist_template_ok(xnet, ct, NULL, pkt->protocol)) {
		dest = ct->dest;
	} else {
		dest = xvs_svc_schedule(svc, in);
		if (!dest)
			return -ENOENT;
		dport = (on_svc_port && svc->port != XVS_FTP_PORT) ?
			dest->port : 0;
		ct = xvs_conn_create(xnet, &tp, dest, dport,
				     IP_VS_CONN_F_TEMPLATE, skb->mark);
		if (!ct)
			return -ENOMEM;
		WRITE_ONCE(ct->timeout, READ_ONCE(svc->timeout));
	}

	/* Other ports than the service's keep theirs (port-0, fwmark). */
	dport = pkt->dport;
	if (on_svc_port && dest->port)
		dport = dest->port;
	flags = ((READ_ONCE(svc->flags) & IP_VS_SVC_F_ONEPACKET) &&
		 pkt->protocol == IPPROTO_UDP) ? IP_VS_CONN_F_ONE_PACKET : 0;

	cp = xvs_conn_create(xnet, &cpar, dest, dport, flags, skb->mark);
	if (!cp) {
		xvs_conn_put(ct);
		return -ENOMEM;
	}
	xvs_conn_control_add(cp, ct);
	/* Refreshes the template: the client was seen now. */
	xvs_conn_put(ct);
	*cpp = cp;
	return 0;
}

struct xvs_conn *xvs_persist_conn_out(struct xvs_net *xnet,
				      struct xvs_service *svc,
				      struct xvs_dest *dest,
				      const struct sk_buff *skb,
				      const struct xvs_pkt *pkt)
{
	/* The packet goes from the real server to the client. */
	union nf_inet_addr cnet;
	struct xvs_conn_param tp = {
		.af = svc->af,
		.protocol = pkt->protocol,
		.caddr = &cnet,
		.cport = 0,
		.vaddr = &svc->addr,
		.vport = svc->port,
		.daddr = &pkt->saddr,
	};
	struct xvs_conn_param cpar = {
		.af = svc->af,
		.protocol = pkt->protocol,
		.caddr = &pkt->daddr,
		.cport = pkt->dport,
		.vaddr = &svc->addr,
		.vport = svc->port,
		.daddr = &pkt->saddr,
	};
	char pe_buf[XVS_PE_DATA_MAX];
	struct xvs_conn *ct = NULL, *cp;
	unsigned int flags;

	/*
	 * A firewall-mark service has no one virtual address and port to
	 * show the client, and a port-0 service or destination cannot tell
	 * which of the services sharing the real server's address it is.
	 */
	if (svc->fwmark || !svc->port || !pkt->sport)
		return NULL;

	if (READ_ONCE(svc->flags) & IP_VS_SVC_F_PERSISTENT) {
		/* The client's network, as for requests from the client. */
		xvs_persist_client_net(svc, &pkt->daddr, &cnet);
		tp.pe = rcu_dereference(svc->pe);
		if (tp.pe && tp.pe->fill_param(&tp, skb, pkt, pe_buf))
			return NULL;
		ct = xvs_conn_template_get(xnet, &tp);
		/*
		 * Another real server's template gives way to this one's.
		 * The real server itself starts the call: its quiescence is no
		 * reason to move (0: no protocol for the stale switch).
		 */
		if (!ct || !xvs_persist_template_ok(xnet, ct, dest, 0)) {
			ct = xvs_conn_create(xnet, &tp, dest, pkt->sport,
					     IP_VS_CONN_F_TEMPLATE, 0);
			if (!ct)
				return NULL;
			WRITE_ONCE(ct->timeout, READ_ONCE(svc->timeout));
		}
	}

	flags = ((READ_ONCE(svc->flags) & IP_VS_SVC_F_ONEPACKET) &&
		 pkt->protocol == IPPROTO_UDP) ? IP_VS_CONN_F_ONE_PACKET : 0;
	cp = xvs_conn_create(xnet, &cpar, dest, pkt->sport, flags, 0);
	if (!cp) {
		if (ct)
			xvs_conn_put(ct);
		return NULL;
	}
	if (ct) {
		xvs_conn_control_add(cp, ct);
		/* Refreshes the template: the call was seen now. */
		xvs_conn_put(ct);
	}
	return cp;
}
