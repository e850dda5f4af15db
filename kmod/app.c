// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: application helper framework - binding helpers to connections,
 * payload rewriting and TCP sequence translation for the NAT path.
 *
 * A rewrite that makes a segment longer or shorter shifts every later
 * byte of that direction: the receiver must see sequence numbers that
 * count the rewritten stream, and its acknowledgements must be turned
 * back into numbers of the original stream before the sender sees them.
 * Each direction keeps the shift in effect since its last resized
 * segment (delta) and the one before it (previous_delta), so that
 * retransmissions of older data keep their old translation.
 */
#define pr_fmt(fmt) "xvs: " fmt

#include <linux/kernel.h>
#include <linux/skbuff.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/ipv6.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/tcp.h>

#include "xvs.h"
#include "conn.h"
#include "app.h"
#include "nfct.h"

void xvs_app_bind_conn(struct xvs_conn *cp)
{
	/* Only NAT connections are translated, of either family. */
	if (cp->protocol != IPPROTO_TCP ||
	    (cp->af != AF_INET && cp->af != AF_INET6) ||
	    (cp->flags & IP_VS_CONN_F_TEMPLATE) ||
	    (cp->flags & IP_VS_CONN_F_FWD_MASK) != IP_VS_CONN_F_MASQ)
		return;
	if (xvs_ftp_port(cp->vport)) {
		struct xvs_conn_ext *ext = xvs_conn_ext_need(cp);

		/* Without memory the control connection is not translated. */
		if (ext)
			WRITE_ONCE(ext->app, &xvs_app_ftp);
		/*
		 * As IPVS's FTP helper: the control connection keeps its
		 * conntrack entry whatever net.ipv4.vs.conntrack says (not
		 * yet hashed, so no lock).
		 */
		cp->flags |= IP_VS_CONN_F_NFCT;
	}
}

/* A resized segment starting at (original) seq changed the size by diff. */
static void xvs_seq_resized(struct xvs_conn *cp, struct xvs_seq *vseq,
			    unsigned int flag, u32 seq, int diff)
{
	spin_lock_bh(&cp->lock);
	if (xvs_seq_record(vseq, cp->flags & flag, seq, diff))
		WRITE_ONCE(cp->flags, cp->flags | flag);
	spin_unlock_bh(&cp->lock);
}

/* Replaces a 32-bit header word, keeping the TCP checksum right. */
static void xvs_tcp_set_word(struct sk_buff *skb, struct tcphdr *th,
			     __be32 *word, u32 value)
{
	__be32 nv = htonl(value);

	if (*word == nv)
		return;
	inet_proto_csum_replace4(&th->check, skb, *word, nv, false);
	*word = nv;
}

/*
 * Translates seq (with 'own') and ack_seq (with 'peer') of a segment and
 * gives its original sequence number.  false: the header is unreadable.
 */
static bool xvs_app_fix_seq(struct xvs_conn *cp, struct sk_buff *skb,
			    const struct xvs_pkt *pkt,
			    const struct xvs_seq *own, unsigned int own_flag,
			    const struct xvs_seq *peer, unsigned int peer_flag,
			    u32 *orig_seq)
{
	struct tcphdr *th;
	struct xvs_seq own_now, peer_now;
	unsigned int flags;

	if (skb_ensure_writable(skb, pkt->thoff + sizeof(*th)))
		return false;
	th = (struct tcphdr *)(skb->data + pkt->thoff);
	*orig_seq = ntohl(th->seq);

	spin_lock_bh(&cp->lock);
	flags = cp->flags;
	own_now = *own;
	peer_now = *peer;
	spin_unlock_bh(&cp->lock);

	if ((flags & own_flag) && (own_now.delta || own_now.previous_delta))
		xvs_tcp_set_word(skb, th, &th->seq,
				 xvs_seq_translate(&own_now, *orig_seq));
	if (th->ack && (flags & peer_flag) &&
	    (peer_now.delta || peer_now.previous_delta))
		xvs_tcp_set_word(skb, th, &th->ack_seq,
				 xvs_seq_ack_back(&peer_now, ntohl(th->ack_seq)));
	/* A receive checksum over the old words is no longer valid. */
	if (skb->ip_summed == CHECKSUM_COMPLETE)
		skb->ip_summed = CHECKSUM_NONE;
	return true;
}

/*
 * The TCP checksum of the segment at pkt->thoff to the end, with the
 * pseudo header of the packet's current addresses: 0 when a received
 * segment is intact, the value to store when th->check is 0.
 */
static __sum16 xvs_app_tcp_csum(struct sk_buff *skb, const struct xvs_pkt *pkt)
{
	unsigned int len = skb->len - pkt->thoff;
	__wsum sum = skb_checksum(skb, pkt->thoff, len, 0);

	if (pkt->af == AF_INET6)
		return csum_ipv6_magic(&ipv6_hdr(skb)->saddr,
				       &ipv6_hdr(skb)->daddr, len, IPPROTO_TCP,
				       sum);
	return csum_tcpudp_magic(ip_hdr(skb)->saddr, ip_hdr(skb)->daddr, len,
				 IPPROTO_TCP, sum);
}

/* The TCP checksum of a packet we are about to read and maybe rewrite. */
static bool xvs_app_csum_ok(struct sk_buff *skb, const struct xvs_pkt *pkt)
{
	if (skb->ip_summed == CHECKSUM_PARTIAL || skb_csum_unnecessary(skb))
		return true;
	return !xvs_app_tcp_csum(skb, pkt);
}

/* Offset of the TCP payload, or 0 when the segment carries none. */
static unsigned int xvs_app_payload(const struct sk_buff *skb,
				    const struct xvs_pkt *pkt)
{
	const struct tcphdr *th = (const struct tcphdr *)(skb->data +
							  pkt->thoff);
	unsigned int doff = th->doff * 4;

	if (doff < sizeof(*th) || pkt->thoff + doff >= skb->len)
		return 0;
	return pkt->thoff + doff;
}

static bool xvs_app_pkt(struct xvs_conn *cp, struct sk_buff *skb,
			const struct xvs_pkt *pkt, bool in)
{
	struct xvs_conn_ext *ext = xvs_conn_ext(cp);	/* it has an app */
	const struct xvs_app_ops *app = ext->app;
	struct xvs_seq *own = in ? &ext->in_seq : &ext->out_seq;
	struct xvs_seq *peer = in ? &ext->out_seq : &ext->in_seq;
	unsigned int own_flag = in ? IP_VS_CONN_F_IN_SEQ : IP_VS_CONN_F_OUT_SEQ;
	unsigned int peer_flag = in ? IP_VS_CONN_F_OUT_SEQ : IP_VS_CONN_F_IN_SEQ;
	u32 seq;
	int diff = 0;

	if ((pkt->af != AF_INET && pkt->af != AF_INET6) ||
	    pkt->protocol != IPPROTO_TCP)
		return true;
	if (!xvs_app_fix_seq(cp, skb, pkt, own, own_flag, peer, peer_flag,
			     &seq))
		return false;

	/* Only established sessions carry commands worth looking at. */
	if (READ_ONCE(cp->state) != XVS_TCP_S_ESTABLISHED)
		return true;
	if (pkt->thoff + sizeof(struct tcphdr) >= skb->len)
		return true;
	/* The helpers read the payload as one piece. */
	if (skb_ensure_writable(skb, skb->len))
		return false;
	if (!xvs_app_payload(skb, pkt))
		return true;
	/* Never read (or re-checksum) a corrupted segment. */
	if (!xvs_app_csum_ok(skb, pkt))
		return false;

	if (in ? !app->pkt_in(cp, skb, pkt, &diff) :
		 !app->pkt_out(cp, skb, pkt, &diff))
		return false;
	if (diff) {
		xvs_seq_resized(cp, own, own_flag, seq, diff);
		xvs_nfct_resized(skb, cp);
	}
	return true;
}

bool xvs_app_pkt_in(struct xvs_conn *cp, struct sk_buff *skb,
		    const struct xvs_pkt *pkt)
{
	return xvs_app_pkt(cp, skb, pkt, true);
}

bool xvs_app_pkt_out(struct xvs_conn *cp, struct sk_buff *skb,
		     const struct xvs_pkt *pkt)
{
	return xvs_app_pkt(cp, skb, pkt, false);
}

bool xvs_app_mangle(struct sk_buff *skb, const struct xvs_pkt *pkt,
		    unsigned int off, unsigned int len,
		    const char *rep, unsigned int rep_len)
{
	unsigned int tail_len, net_len;
	struct tcphdr *th;

	if (off < pkt->thoff + sizeof(*th) || off > skb->len ||
	    len > skb->len - off || skb_is_nonlinear(skb))
		return false;
	/* A packet for segmentation offload cannot change its layout. */
	if (skb_is_gso(skb))
		return false;
	if (rep_len > len) {
		unsigned int grow = rep_len - len;

		if (skb->len - skb_network_offset(skb) + grow > 65535)
			return false;
		if (skb_tailroom(skb) < grow &&
		    pskb_expand_head(skb, 0, grow - skb_tailroom(skb),
				     GFP_ATOMIC))
			return false;
	}
	tail_len = skb->len - off - len;
	memmove(skb->data + off + rep_len, skb->data + off + len, tail_len);
	memcpy(skb->data + off, rep, rep_len);
	if (rep_len > len)
		skb_put(skb, rep_len - len);
	else if (rep_len < len)
		skb_trim(skb, skb->len - (len - rep_len));

	net_len = skb->len - skb_network_offset(skb);
	if (pkt->af == AF_INET6) {
		/* Extension headers before TCP count in the payload length. */
		ipv6_hdr(skb)->payload_len =
			htons(net_len - sizeof(struct ipv6hdr));
	} else {
		ip_hdr(skb)->tot_len = htons(net_len);
		ip_send_check(ip_hdr(skb));
	}

	/* The whole segment is summed here; the device adds nothing. */
	th = (struct tcphdr *)(skb->data + pkt->thoff);
	th->check = 0;
	th->check = xvs_app_tcp_csum(skb, pkt);
	skb->ip_summed = CHECKSUM_NONE;
	return true;
}
