// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: UDP glue - every datagram to a service may open a connection, the
 * single state only refreshes the timeout, NAT of ports with checksum
 * fix-up.
 */
#include <linux/kernel.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/checksum.h>

#include "xvs.h"
#include "conn.h"
#include "proto.h"

static enum xvs_sched_verdict udp_sched_check(struct xvs_net *xnet,
					      const struct sk_buff *skb,
					      const struct xvs_pkt *pkt)
{
	struct udphdr buf;

	if (!skb_header_pointer(skb, pkt->thoff, sizeof(buf), &buf))
		return XVS_SCHED_DROP;
	return XVS_SCHED_GO;
}

static bool udp_is_new_conn(const struct sk_buff *skb,
			    const struct xvs_pkt *pkt)
{
	return false;
}

static bool udp_conn_reusable(const struct xvs_conn *cp, int reuse_mode)
{
	return false;
}

static void udp_state_transition(struct xvs_conn *cp, enum xvs_dir dir,
				 const struct sk_buff *skb,
				 const struct xvs_pkt *pkt)
{
	spin_lock_bh(&cp->lock);
	xvs_conn_set_state(cp, XVS_UDP_S_NORMAL, cp->xnet->udp_timeout);
	spin_unlock_bh(&cp->lock);
	/* An answer from the real server: the template is worth keeping. */
	if (dir == XVS_DIR_OUTPUT)
		xvs_conn_assure_template(cp);
}

/*
 * Rewrites one port and one address.  A datagram sent without checksum
 * gets a full one computed, as IPVS does (the zero result is sent as
 * all-ones so it does not read as "no checksum").
 */
static bool udp_nat(struct sk_buff *skb, const struct xvs_pkt *pkt,
		    unsigned int port_off, __be16 new_port, u16 af,
		    const union nf_inet_addr *old_addr,
		    const union nf_inet_addr *new_addr,
		    const union nf_inet_addr *final_saddr,
		    const union nf_inet_addr *final_daddr)
{
	struct udphdr *uh;
	__be16 *port, old_port;

	if (skb_ensure_writable(skb, pkt->thoff + sizeof(*uh)))
		return false;
	uh = (struct udphdr *)(skb->data + pkt->thoff);
	port = (__be16 *)((u8 *)uh + port_off);
	old_port = *port;
	*port = new_port;

	if (skb->ip_summed == CHECKSUM_PARTIAL || uh->check) {
		xvs_l4_csum_nat_af(skb, &uh->check, af, old_addr, new_addr,
				   old_port, new_port);
		return true;
	}
	uh->check = xvs_l4_csum_full_af(skb, pkt->thoff, af, final_saddr,
					final_daddr, IPPROTO_UDP);
	if (!uh->check)
		uh->check = CSUM_MANGLED_0;
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	return true;
}

static bool udp_snat(struct sk_buff *skb, const struct xvs_conn *cp,
		     const struct xvs_pkt *pkt)
{
	return udp_nat(skb, pkt, offsetof(struct udphdr, source),
		       cp->vport, cp->af, &cp->daddr, &cp->vaddr,
		       &cp->vaddr, &cp->caddr);
}

static bool udp_dnat(struct sk_buff *skb, const struct xvs_conn *cp,
		     const struct xvs_pkt *pkt)
{
	return udp_nat(skb, pkt, offsetof(struct udphdr, dest),
		       cp->dport, cp->af, &cp->vaddr, &cp->daddr,
		       &cp->caddr, &cp->daddr);
}

const struct xvs_proto_ops xvs_proto_udp_ops = {
	.protocol = IPPROTO_UDP,
	.sched_check = udp_sched_check,
	.is_new_conn = udp_is_new_conn,
	.conn_reusable = udp_conn_reusable,
	.state_transition = udp_state_transition,
	.state_name = xvs_udp_state_name,
	.snat = udp_snat,
	.dnat = udp_dnat,
};
