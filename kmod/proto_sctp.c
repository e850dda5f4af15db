// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: SCTP glue - which packets open connections (INIT, or any chunk but
 * ABORT with sloppy_sctp), state tracking through the core's transition
 * table, and NAT of ports with the CRC32c checksum recomputed.
 *
 * SCTP's checksum covers only the SCTP packet, not the IP addresses, so
 * rewriting an address alone leaves it valid; only a port change needs a
 * new CRC.  The software CRC32c of the kernel library (vmlinux) is used,
 * so the module needs neither libcrc32c nor the sctp module.
 */
#include <linux/kernel.h>
#include <linux/skbuff.h>
#include <linux/sctp.h>
#include <linux/crc32.h>
#include <linux/netdevice.h>
#include <net/dst.h>

#include "xvs.h"
#include "conn.h"
#include "proto.h"

/* The first chunk header of a packet, or NULL when the packet is short. */
static const struct sctp_chunkhdr *sctp_first_chunk(const struct sk_buff *skb,
						    const struct xvs_pkt *pkt,
						    struct sctp_chunkhdr *buf)
{
	return skb_header_pointer(skb, pkt->thoff + sizeof(struct sctphdr),
				  sizeof(*buf), buf);
}

static enum xvs_sched_verdict sctp_sched_check(struct xvs_net *xnet,
					       const struct sk_buff *skb,
					       const struct xvs_pkt *pkt)
{
	struct sctp_chunkhdr buf;
	const struct sctp_chunkhdr *ch;
	struct sctphdr sh_buf;

	if (!skb_header_pointer(skb, pkt->thoff, sizeof(sh_buf), &sh_buf))
		return XVS_SCHED_DROP;
	ch = sctp_first_chunk(skb, pkt, &buf);
	if (!ch)
		return XVS_SCHED_DROP;
	/*
	 * Only an INIT opens an association (anything with sloppy_sctp, so
	 * that a director taking over established associations can pick
	 * them up), and never an ABORT.
	 */
	if (ch->type == SCTP_CID_ABORT ||
	    !(READ_ONCE(xnet->sysctl.sloppy_sctp) ||
	      ch->type == SCTP_CID_INIT))
		return XVS_SCHED_ACCEPT;
	return XVS_SCHED_GO;
}

static bool sctp_is_new_conn(const struct sk_buff *skb,
			     const struct xvs_pkt *pkt)
{
	struct sctp_chunkhdr buf;
	const struct sctp_chunkhdr *ch = sctp_first_chunk(skb, pkt, &buf);

	return ch && ch->type == SCTP_CID_INIT;
}

/* A closed association may be replaced by a new INIT on the same ports. */
static bool sctp_conn_reusable(const struct xvs_conn *cp, int reuse_mode)
{
	return READ_ONCE(cp->state) == XVS_SCTP_S_CLOSED;
}

/* The event a packet means, from its first chunk and maybe the second. */
static enum xvs_sctp_event sctp_packet_event(const struct sk_buff *skb,
					     const struct xvs_pkt *pkt,
					     bool *ok)
{
	unsigned int off = pkt->thoff + sizeof(struct sctphdr);
	struct sctp_chunkhdr buf, buf2;
	const struct sctp_chunkhdr *ch, *next = NULL;
	unsigned int len;

	ch = skb_header_pointer(skb, off, sizeof(buf), &buf);
	*ok = ch != NULL;
	if (!ch)
		return XVS_SCTP_EV_DATA;
	/* Only the cookie chunks matter with a chunk bundled behind them. */
	if (ch->type == SCTP_CID_COOKIE_ECHO ||
	    ch->type == SCTP_CID_COOKIE_ACK) {
		len = ntohs(ch->length);
		if (len >= sizeof(buf))
			next = skb_header_pointer(skb, off + ALIGN(len, 4),
						  sizeof(buf2), &buf2);
	}
	return xvs_sctp_packet_event(ch->type, next != NULL,
				     next ? next->type : 0);
}

static void sctp_state_transition(struct xvs_conn *cp, enum xvs_dir dir,
				  const struct sk_buff *skb,
				  const struct xvs_pkt *pkt)
{
	enum xvs_sctp_event event;
	unsigned int next;
	bool ok;

	event = sctp_packet_event(skb, pkt, &ok);
	if (!ok)
		return;

	spin_lock_bh(&cp->lock);
	/* As for TCP: client packets follow the input-only column until a
	 * reply shows that the server's packets pass through us.
	 */
	if (cp->flags & IP_VS_CONN_F_NOOUTPUT) {
		if (dir == XVS_DIR_OUTPUT)
			WRITE_ONCE(cp->flags,
				   cp->flags & ~IP_VS_CONN_F_NOOUTPUT);
		else
			dir = XVS_DIR_INPUT_ONLY;
	}
	next = xvs_sctp_next_state(cp->state, dir, event);
	xvs_conn_set_state(cp, next, cp->xnet->sctp_timeout);
	spin_unlock_bh(&cp->lock);
}

/* CRC32c over skb data, fragments included, for __skb_checksum(). */
static __wsum sctp_crc_update(const void *buf, int len, __wsum crc)
{
	return (__force __wsum)__crc32c_le((__force u32)crc, buf, len);
}

static __wsum sctp_crc_combine(__wsum crc, __wsum crc2, int offset, int len)
{
	return (__force __wsum)__crc32c_le_combine((__force u32)crc,
						   (__force u32)crc2, len);
}

static const struct skb_checksum_ops sctp_crc_ops = {
	.update = sctp_crc_update,
	.combine = sctp_crc_combine,
};

/*
 * Recomputes the checksum of the SCTP packet at thoff (writable) and marks
 * it verified: with CHECKSUM_PARTIAL (a local sender relying on offload,
 * csum_not_inet set) the device would otherwise be asked for a checksum
 * the packet now already has.
 */
static void sctp_fill_csum(struct sk_buff *skb, unsigned int thoff)
{
	struct sctphdr *sh = (struct sctphdr *)(skb->data + thoff);
	u32 crc;

	sh->checksum = 0;
	crc = (__force u32)__skb_checksum(skb, thoff, skb->len - thoff,
					  (__force __wsum)~0U, &sctp_crc_ops);
	sh->checksum = cpu_to_le32(~crc);
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	skb->csum_not_inet = 0;
}

static struct sctphdr *sctp_writable_header(struct sk_buff *skb,
					    const struct xvs_pkt *pkt)
{
	if (skb_ensure_writable(skb, pkt->thoff + sizeof(struct sctphdr)))
		return NULL;
	return (struct sctphdr *)(skb->data + pkt->thoff);
}

/* Reply from the real server: the source port becomes the service's. */
static bool sctp_snat(struct sk_buff *skb, const struct xvs_conn *cp,
		      const struct xvs_pkt *pkt)
{
	struct sctphdr *sh = sctp_writable_header(skb, pkt);

	if (!sh)
		return false;
	if (sh->source != cp->vport || skb->ip_summed == CHECKSUM_PARTIAL) {
		sh->source = cp->vport;
		/* GSO segments get their checksums when they are cut. */
		if (!skb_is_gso(skb))
			sctp_fill_csum(skb, pkt->thoff);
	} else {
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	}
	return true;
}

/*
 * Request from the client: the destination port becomes the real
 * server's.  A local client's packet with the checksum left to offload
 * keeps it so when the outgoing device can compute CRC32c itself.
 */
static bool sctp_dnat(struct sk_buff *skb, const struct xvs_conn *cp,
		      const struct xvs_pkt *pkt)
{
	struct sctphdr *sh = sctp_writable_header(skb, pkt);
	struct dst_entry *dst = skb_dst(skb);
	bool partial = skb->ip_summed == CHECKSUM_PARTIAL;

	if (!sh)
		return false;
	if (sh->dest != cp->dport ||
	    (partial && !(dst && (dst->dev->features & NETIF_F_SCTP_CRC)))) {
		sh->dest = cp->dport;
		if (!skb_is_gso(skb))
			sctp_fill_csum(skb, pkt->thoff);
	} else if (!partial) {
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	}
	return true;
}

const struct xvs_proto_ops xvs_proto_sctp_ops = {
	.protocol = IPPROTO_SCTP,
	.sched_check = sctp_sched_check,
	.is_new_conn = sctp_is_new_conn,
	.conn_reusable = sctp_conn_reusable,
	.state_transition = sctp_state_transition,
	.state_name = xvs_sctp_state_name,
	.snat = sctp_snat,
	.dnat = sctp_dnat,
};
