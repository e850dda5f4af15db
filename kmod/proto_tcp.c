// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: TCP glue - which segments open connections, state tracking through
 * the core's transition table, and NAT of ports with checksum fix-up.
 * Also the checksum helpers TCP and UDP share.
 */
#include <linux/kernel.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/ip.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>

#include "xvs.h"
#include "conn.h"
#include "proto.h"

void xvs_l4_csum_nat(struct sk_buff *skb, __sum16 *check,
		     __be32 old_addr, __be32 new_addr,
		     __be16 old_port, __be16 new_port)
{
	if (skb->ip_summed == CHECKSUM_PARTIAL) {
		/* Pseudo header only, kept uncomplemented for the device. */
		*check = ~csum_fold(csum_add(csum_sub(csum_unfold(*check),
						      (__force __wsum)old_addr),
					     (__force __wsum)new_addr));
		return;
	}
	csum_replace4(check, old_addr, new_addr);
	csum_replace2(check, old_port, new_port);
	/*
	 * A receive checksum over the old bytes no longer matches; as IPVS,
	 * let the final receiver verify the patched sum itself.
	 */
	if (skb->ip_summed == CHECKSUM_COMPLETE)
		skb->ip_summed = CHECKSUM_NONE;
}

__sum16 xvs_l4_csum_full(struct sk_buff *skb, unsigned int thoff,
			 __be32 saddr, __be32 daddr, u8 protocol)
{
	unsigned int len = skb->len - thoff;

	return csum_tcpudp_magic(saddr, daddr, len, protocol,
				 skb_checksum(skb, thoff, len, 0));
}

void xvs_l4_csum_nat_af(struct sk_buff *skb, __sum16 *check, u16 af,
			const union nf_inet_addr *old_addr,
			const union nf_inet_addr *new_addr,
			__be16 old_port, __be16 new_port)
{
	if (af != AF_INET6) {
		xvs_l4_csum_nat(skb, check, old_addr->ip, new_addr->ip,
				old_port, new_port);
		return;
	}
	/* As above: with CHECKSUM_PARTIAL only the pseudo header counts. */
	inet_proto_csum_replace16(check, skb, old_addr->ip6, new_addr->ip6,
				  true);
	if (skb->ip_summed == CHECKSUM_PARTIAL)
		return;
	inet_proto_csum_replace2(check, skb, old_port, new_port, false);
	if (skb->ip_summed == CHECKSUM_COMPLETE)
		skb->ip_summed = CHECKSUM_NONE;
}

__sum16 xvs_l4_csum_full_af(struct sk_buff *skb, unsigned int thoff, u16 af,
			    const union nf_inet_addr *saddr,
			    const union nf_inet_addr *daddr, u8 protocol)
{
	unsigned int len = skb->len - thoff;

	if (af != AF_INET6)
		return xvs_l4_csum_full(skb, thoff, saddr->ip, daddr->ip,
					protocol);
	return csum_ipv6_magic(&saddr->in6, &daddr->in6, len, protocol,
			       skb_checksum(skb, thoff, len, 0));
}

static const struct tcphdr *tcp_header(const struct sk_buff *skb,
				       const struct xvs_pkt *pkt,
				       struct tcphdr *buf)
{
	return skb_header_pointer(skb, pkt->thoff, sizeof(*buf), buf);
}

static enum xvs_sched_verdict tcp_sched_check(struct xvs_net *xnet,
					      const struct sk_buff *skb,
					      const struct xvs_pkt *pkt)
{
	struct tcphdr buf;
	const struct tcphdr *th = tcp_header(skb, pkt, &buf);

	if (!th)
		return XVS_SCHED_DROP;
	/*
	 * Only a SYN opens a connection (any segment with sloppy_tcp), never
	 * a RST.  SYN+ACK is allowed, as IPVS does for active FTP.
	 */
	if (th->rst || !(READ_ONCE(xnet->sysctl.sloppy_tcp) || th->syn))
		return XVS_SCHED_ACCEPT;
	return XVS_SCHED_GO;
}

static bool tcp_is_new_conn(const struct sk_buff *skb,
			    const struct xvs_pkt *pkt)
{
	struct tcphdr buf;
	const struct tcphdr *th = tcp_header(skb, pkt, &buf);

	return th && th->syn;
}

static bool tcp_conn_reusable(const struct xvs_conn *cp, int reuse_mode)
{
	unsigned int state = READ_ONCE(cp->state);

	return state == XVS_TCP_S_TIME_WAIT || state == XVS_TCP_S_CLOSE ||
	       ((reuse_mode & 2) && state == XVS_TCP_S_FIN_WAIT &&
		(READ_ONCE(cp->flags) & IP_VS_CONN_F_NOOUTPUT));
}

static void tcp_state_transition(struct xvs_conn *cp, enum xvs_dir dir,
				 const struct sk_buff *skb,
				 const struct xvs_pkt *pkt)
{
	struct xvs_net *xnet = cp->xnet;
	enum xvs_tcp_table table = XVS_TCP_TABLE_NORMAL;
	struct tcphdr buf;
	const struct tcphdr *th = tcp_header(skb, pkt, &buf);
	unsigned int flags = 0, next;

	if (!th)
		return;
	if (th->syn)
		flags |= XVS_TCP_FLAG_SYN;
	if (th->fin)
		flags |= XVS_TCP_FLAG_FIN;
	if (th->ack)
		flags |= XVS_TCP_FLAG_ACK;
	if (th->rst)
		flags |= XVS_TCP_FLAG_RST;
	/* Levels 2 and 3 of the secure_tcp defense use the strict table. */
	if (READ_ONCE(xnet->sysctl.secure_tcp) >= 2)
		table = XVS_TCP_TABLE_SECURE;

	spin_lock_bh(&cp->lock);
	/*
	 * Until a reply is seen (never, for methods that bypass us on the
	 * way back) client packets follow the input-only column.
	 */
	if (cp->flags & IP_VS_CONN_F_NOOUTPUT) {
		if (dir == XVS_DIR_OUTPUT)
			WRITE_ONCE(cp->flags,
				   cp->flags & ~IP_VS_CONN_F_NOOUTPUT);
		else
			dir = XVS_DIR_INPUT_ONLY;
	}
	next = xvs_tcp_transition(table, cp->state, dir, flags);
	xvs_conn_set_state(cp, next, xnet->tcp_timeout);
	spin_unlock_bh(&cp->lock);
}

/* Makes the TCP header writable; NULL when the segment is truncated. */
static struct tcphdr *tcp_writable_header(struct sk_buff *skb,
					  const struct xvs_pkt *pkt)
{
	if (skb_ensure_writable(skb, pkt->thoff + sizeof(struct tcphdr)))
		return NULL;
	return (struct tcphdr *)(skb->data + pkt->thoff);
}

/* Reply from the real server: the source becomes the virtual service. */
static bool tcp_snat(struct sk_buff *skb, const struct xvs_conn *cp,
		     const struct xvs_pkt *pkt)
{
	struct tcphdr *th = tcp_writable_header(skb, pkt);

	if (!th)
		return false;
	th->source = cp->vport;
	xvs_l4_csum_nat_af(skb, &th->check, cp->af, &cp->daddr, &cp->vaddr,
			   cp->dport, cp->vport);
	return true;
}

/* Request from the client: the destination becomes the real server. */
static bool tcp_dnat(struct sk_buff *skb, const struct xvs_conn *cp,
		     const struct xvs_pkt *pkt)
{
	struct tcphdr *th = tcp_writable_header(skb, pkt);

	if (!th)
		return false;
	th->dest = cp->dport;
	xvs_l4_csum_nat_af(skb, &th->check, cp->af, &cp->vaddr, &cp->daddr,
			   cp->vport, cp->dport);
	return true;
}

const struct xvs_proto_ops xvs_proto_tcp_ops = {
	.protocol = IPPROTO_TCP,
	.sched_check = tcp_sched_check,
	.is_new_conn = tcp_is_new_conn,
	.conn_reusable = tcp_conn_reusable,
	.state_transition = tcp_state_transition,
	.state_name = xvs_tcp_state_name,
	.snat = tcp_snat,
	.dnat = tcp_dnat,
};
