// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: netfilter hooks, the packet path.
 *
 * Same hook points and priorities as IPVS for IPv4:
 *  - LOCAL_IN, after filtering: requests to a virtual service are
 *    scheduled or matched to their connection and forwarded ("in");
 *    just before that, replies for local clients are un-NATed ("out");
 *  - LOCAL_OUT: the same two for clients on this host;
 *  - FORWARD: replies of NAT real servers routed through us ("out"), and
 *    just before, ICMP errors about our replies routed through us.
 * ICMP errors (unreachable, source quench, time exceeded) that quote a
 * packet of a connection follow that connection, translated for NAT.
 * Packets we made or rewrote carry skb->ipvs_property and pass untouched.
 *
 * IPv6 uses the same hooks at the same places (with IPv6's priorities);
 * only header parsing (hooks_ipv6.c) and the ICMPv6 errors differ
 * (unreachable, packet too big, time exceeded, parameter problem).
 */
#define pr_fmt(fmt) "xvs: " fmt

#include <linux/kernel.h>
#include <linux/skbuff.h>
#include <linux/ip.h>
#include <linux/icmp.h>
#include <linux/tcp.h>
#include <linux/sctp.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/ip.h>
#include <net/icmp.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/inet_sock.h>
#include <net/sock.h>

#include "xvs.h"
#include "conn.h"
#include "proto.h"
#include "xmit.h"
#include "nfct.h"
#include "persist.h"
#include "pe.h"
#include "hooks_ipv6.h"
#include "sync.h"
#include "drop.h"
#include "schedule.h"
#include "hooks.h"
#include "fast_path.h"

/*
 * Anything to do in this netns?  The hooks are only registered while it
 * has services (xvs_hooks_enable), so that is known; with backup_only set
 * they leave packets alone while a sync backup runs.
 */
static inline bool xvs_active(struct xvs_net *xnet)
{
	return !xvs_sync_backup_only(xnet);
}

/*
 * The out hook at LOCAL_IN only finds replies to clients on this host
 * (and, with nat_icmp_send, refuses real servers' packets of no
 * connection).  Until a connection of a local client exists, requests
 * there need no reply lookup.  Set for good once one is scheduled from
 * LOCAL_OUT; the sync backup sets it for the entries it makes.
 */
static inline void xvs_note_local_client(struct xvs_net *xnet,
					 unsigned int hooknum)
{
	if (hooknum == NF_INET_LOCAL_OUT && !READ_ONCE(xnet->local_clients))
		WRITE_ONCE(xnet->local_clients, true);
}

static inline bool xvs_out_lookup_needed(struct xvs_net *xnet,
					 unsigned int hooknum)
{
	return hooknum != NF_INET_LOCAL_IN || READ_ONCE(xnet->local_clients) ||
	       READ_ONCE(xnet->sysctl.nat_icmp_send);
}

/* Raw sockets that asked for no defragmentation are left alone. */
static inline bool xvs_sk_nodefrag(const struct sk_buff *skb,
				   unsigned int hooknum)
{
	struct sock *sk = skb_to_full_sk(skb);

	return sk && hooknum == NF_INET_LOCAL_OUT &&
	       sk->sk_family == PF_INET && inet_sk(sk)->nodefrag;
}

/* Parses the network header of a packet of family 'pf'; false: skip it. */
static __always_inline bool xvs_parse(u8 pf, const struct sk_buff *skb,
				      struct xvs_pkt *pkt)
{
	if (pf == NFPROTO_IPV6)
		return xvs_parse_ipv6(skb, pkt);
	xvs_parse_ipv4(skb, pkt);
	return true;
}

static inline u8 xvs_icmp_protocol(u16 af)
{
	return af == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
}

/* IPv4 fragments are gathered by us; IPv6 ones by nf_defrag_ipv6. */
static inline bool xvs_is_ipv4_frag(const struct sk_buff *skb,
				    const struct xvs_pkt *pkt)
{
	return pkt->af == AF_INET && ip_is_fragment(ip_hdr(skb));
}

static __always_inline bool xvs_pkt_ports(const struct sk_buff *skb,
					  struct xvs_pkt *pkt)
{
	__be16 buf[2];
	const __be16 *ports;

	ports = skb_header_pointer(skb, pkt->thoff, sizeof(buf), buf);
	if (!ports)
		return false;
	pkt->sport = ports[0];
	pkt->dport = ports[1];
	return true;
}

/*
 * The connection of a packet, with a reference: by its own ports, or by
 * the tuple its protocol names (AH/ESP).  'in': the packet comes from the
 * client side.
 */
static __always_inline struct xvs_conn *
xvs_pkt_conn_get(struct xvs_net *xnet, const struct sk_buff *skb,
		 const struct xvs_proto_ops *pp, struct xvs_pkt *pkt, bool in)
{
	struct xvs_pkt key;

	if (pp->lookup_key) {
		pp->lookup_key(pkt, &key);
		pkt = &key;
	} else if (!xvs_pkt_ports(skb, pkt)) {
		return NULL;
	}
	return in ? xvs_conn_in_get(xnet, pkt) : xvs_conn_out_get(xnet, pkt);
}

/* ---- statistics -------------------------------------------------------- */

static inline void xvs_count(struct xvs_stats *s, bool in, unsigned int len)
{
	struct xvs_cpu_stats *c = this_cpu_ptr(s->cpu);

	u64_stats_update_begin(&c->syncp);
	if (in) {
		c->cnt.inpkts++;
		c->cnt.inbytes += len;
	} else {
		c->cnt.outpkts++;
		c->cnt.outbytes += len;
	}
	u64_stats_update_end(&c->syncp);
}

/* Counted for destination, its service and the netns, as IPVS does. */
static void xvs_traffic_stats(struct xvs_conn *cp, const struct sk_buff *skb,
			      bool in)
{
	struct xvs_dest *dest = cp->dest;
	struct xvs_service *svc;

	if (!dest || !(READ_ONCE(dest->sched.flags) & XVS_DEST_F_AVAILABLE))
		return;
	local_bh_disable();
	xvs_count(&dest->stats, in, skb->len);
	svc = rcu_dereference(dest->svc);
	if (svc)
		xvs_count(&svc->stats, in, skb->len);
	xvs_count(&cp->xnet->tot_stats, in, skb->len);
	local_bh_enable();
}

static int xvs_gather_frags(struct net *net, struct sk_buff *skb,
			    unsigned int hooknum)
{
	u32 user;
	int err;

	if (hooknum == NF_INET_LOCAL_IN)
		user = IP_DEFRAG_VS_IN;
	else if (hooknum == NF_INET_FORWARD)
		user = IP_DEFRAG_VS_FWD;
	else
		user = IP_DEFRAG_VS_OUT;
	local_bh_disable();
	err = ip_defrag(net, skb, user);
	local_bh_enable();
	if (!err)
		ip_send_check(ip_hdr(skb));
	return err;
}

/* ---- related ICMP errors ---------------------------------------------- */

/*
 * Parses an ICMP error that may concern one of our connections.  Returns
 * 1 when 'ic' describes the quoted TCP/UDP packet, 0 when the packet is no
 * such error or looks wrong (let it pass), -1 when even the ICMP header is
 * missing (drop, as IPVS).
 */
static int xvs_icmp_parse4(const struct sk_buff *skb,
			   const struct xvs_pkt *pkt,
			   struct xvs_icmp *ic, bool *related)
{
	struct icmphdr icmp_buf;
	const struct icmphdr *icmph;
	struct iphdr ip_buf;
	const struct iphdr *cih;
	__be16 port_buf[2];
	const __be16 *ports;

	*related = true;
	icmph = skb_header_pointer(skb, pkt->thoff, sizeof(icmp_buf),
				   &icmp_buf);
	if (!icmph)
		return -1;
	/* Only errors quote a packet of ours. */
	if (icmph->type != ICMP_DEST_UNREACH &&
	    icmph->type != ICMP_SOURCE_QUENCH &&
	    icmph->type != ICMP_TIME_EXCEEDED) {
		*related = false;
		return 0;
	}

	memset(ic, 0, sizeof(*ic));
	ic->toff = pkt->thoff;
	ic->ctoff = pkt->thoff + sizeof(struct icmphdr);
	cih = skb_header_pointer(skb, ic->ctoff, sizeof(ip_buf), &ip_buf);
	if (!cih || cih->version != 4 || cih->ihl < 5)
		return 0;
	if (!xvs_proto_get(cih->protocol))
		return 0;
	/* Only a first fragment quotes the transport header. */
	if (cih->frag_off & htons(IP_OFFSET))
		return 0;
	ic->cthoff = ic->ctoff + cih->ihl * 4;
	ic->inner.af = AF_INET;
	ic->inner.protocol = cih->protocol;
	ic->inner.thoff = ic->cthoff;
	ic->inner.saddr.ip = cih->saddr;
	ic->inner.daddr.ip = cih->daddr;
	ports = skb_header_pointer(skb, ic->cthoff, sizeof(port_buf),
				   port_buf);
	if (!ports)
		return 0;
	ic->inner.sport = ports[0];
	ic->inner.dport = ports[1];
	ic->has_ports = true;
	return 1;
}

static int xvs_icmp_parse(const struct sk_buff *skb, const struct xvs_pkt *pkt,
			  struct xvs_icmp *ic, bool *related)
{
	if (pkt->af == AF_INET6)
		return xvs_icmp6_parse(skb, pkt, ic, related);
	return xvs_icmp_parse4(skb, pkt, ic, related);
}

static bool xvs_icmp_csum_ok(struct sk_buff *skb, unsigned int toff, u16 af)
{
	/* Verified already, or made here. */
	if (skb_csum_unnecessary(skb) || !skb->dev)
		return true;
	return !nf_checksum(skb, NF_INET_LOCAL_IN, toff,
			    xvs_icmp_protocol(af), af);
}

/*
 * ICMP error from the client side (or from a router on the way to it)
 * about a reply we sent: goes to the real server, translated.
 */
static unsigned int xvs_in_icmp(struct xvs_net *xnet, struct sk_buff *skb,
				struct xvs_pkt *pkt, unsigned int hooknum,
				bool *related)
{
	const struct xvs_xmit_ops *xmit;
	struct xvs_pkt rev;
	struct xvs_icmp ic;
	struct xvs_conn *cp;
	unsigned int verdict;
	bool new_cp = false;
	int ret;

	*related = true;
	if (xvs_is_ipv4_frag(skb, pkt)) {
		if (xvs_gather_frags(xnet->net, skb, hooknum))
			return NF_STOLEN;
		xvs_parse_ipv4(skb, pkt);
	}
	ret = xvs_icmp_parse(skb, pkt, &ic, related);
	if (ret < 0)
		return xvs_drop(xnet, XVS_DROP_BAD_HEADER);
	if (!ret)
		return NF_ACCEPT;

	/* The quoted reply went from the VIP to the client. */
	xvs_pkt_reverse(&ic.inner, &rev);
	cp = xvs_conn_in_get(xnet, &rev);
	if (!cp) {
		/*
		 * schedule_icmp: a reply no entry knows (one-packet
		 * scheduling, a director that took over) gets its connection
		 * now, so that the error reaches a real server.
		 */
		const struct xvs_proto_ops *pp = xvs_proto_get(rev.protocol);

		if (!ic.has_ports || !pp ||
		    !READ_ONCE(xnet->sysctl.schedule_icmp))
			return NF_ACCEPT;
		verdict = xvs_schedule(xnet, skb, pp, &rev, true, &cp);
		if (!cp)
			return verdict;
		xvs_note_local_client(xnet, hooknum);
		new_cp = true;
	}

	if (xvs_conn_fwd_method(cp) == IP_VS_CONN_F_MASQ &&
	    !xvs_icmp_csum_ok(skb, ic.toff, pkt->af)) {
		verdict = xvs_drop(xnet, XVS_DROP_CSUM);
		goto out;
	}

	xvs_traffic_stats(cp, skb, true);
	xmit = xvs_conn_xmit(cp);
	if (xvs_conn_fwd_method(cp) == IP_VS_CONN_F_MASQ && xmit &&
	    xmit->icmp_xmit) {
		verdict = xmit->icmp_xmit(skb, cp, &ic, hooknum);
	} else {
		verdict = xmit ? xmit->xmit(skb, cp, cp->pp, &ic.inner) :
				 NF_ACCEPT;
		atomic_inc(&cp->in_pkts);
	}
out:
	if (new_cp)
		xvs_conn_put(cp);
	else
		__xvs_conn_put(cp);
	return verdict;
}

/*
 * ICMP error from a real server (or a router near it) about a request we
 * forwarded: goes to the client with the virtual service as source.
 */
static unsigned int xvs_out_icmp(struct xvs_net *xnet, struct sk_buff *skb,
				 struct xvs_pkt *pkt, unsigned int hooknum,
				 bool *related)
{
	struct xvs_pkt rev;
	struct xvs_icmp ic;
	struct xvs_conn *cp;
	unsigned int verdict = NF_DROP;
	int ret;

	*related = true;
	if (xvs_is_ipv4_frag(skb, pkt)) {
		if (xvs_gather_frags(xnet->net, skb, hooknum))
			return NF_STOLEN;
		xvs_parse_ipv4(skb, pkt);
	}
	ret = xvs_icmp_parse(skb, pkt, &ic, related);
	if (ret < 0)
		return xvs_drop(xnet, XVS_DROP_BAD_HEADER);
	if (!ret)
		return NF_ACCEPT;

	/* The quoted request went from the client to the real server. */
	xvs_pkt_reverse(&ic.inner, &rev);
	cp = xvs_conn_out_get(xnet, &rev);
	if (!cp)
		return NF_ACCEPT;

	if (xvs_conn_fwd_method(cp) == IP_VS_CONN_F_MASQ) {
		if (!xvs_icmp_csum_ok(skb, ic.toff, pkt->af)) {
			xvs_drop_count(xnet, XVS_DROP_CSUM);
			goto out;
		}
		/* ->icmp_reply() counts its drops. */
		if (xvs_xmit_nat.icmp_reply &&
		    !xvs_xmit_nat.icmp_reply(skb, cp, &ic, hooknum))
			goto out;
	}
	xvs_traffic_stats(cp, skb, false);
	skb->ipvs_property = 1;
	xvs_conn_nfct(skb, cp, false);
	verdict = NF_ACCEPT;
out:
	__xvs_conn_put(cp);
	return verdict;
}

/*
 * A packet of no connection from a NAT real server of a service whose
 * persistence engine knows such requests (SIP: a BYE, a re-INVITE): the
 * engine may open the connection for it, client to real server, so that
 * the packet leaves with the virtual address and the client's answers
 * reach this real server.  As in IPVS, only for packets routed through
 * us or sent by this host, not for those addressed to it (LOCAL_IN).
 */
static struct xvs_conn *xvs_rs_conn_out(struct xvs_net *xnet,
					const struct sk_buff *skb,
					struct xvs_pkt *pkt,
					unsigned int hooknum)
{
	const struct xvs_pe_ops *pe;
	struct xvs_service *svc;
	struct xvs_dest *dest;
	struct xvs_conn *cp;

	if (hooknum == NF_INET_LOCAL_IN || !xvs_pkt_ports(skb, pkt))
		return NULL;
	/* The first real server at the source wins, engine or not. */
	dest = xvs_rs_find(xnet, pkt->af, pkt->protocol, &pkt->saddr,
			   pkt->sport);
	if (!dest)
		return NULL;
	svc = rcu_dereference(dest->svc);
	if (!svc)
		return NULL;
	pe = rcu_dereference(svc->pe);
	if (!pe || !pe->conn_out)
		return NULL;
	cp = pe->conn_out(xnet, svc, dest, skb, pkt);
	if (cp)
		xvs_new_conn_stats(cp, svc);
	return cp;
}

/* A TCP reset or an SCTP abort: ends what it is about, needs no answer. */
static bool xvs_is_reset(const struct sk_buff *skb, const struct xvs_pkt *pkt)
{
	struct sctp_chunkhdr chunk_buf;
	const struct sctp_chunkhdr *chunk;
	struct tcphdr tcp_buf;
	const struct tcphdr *th;

	if (pkt->protocol == IPPROTO_TCP) {
		th = skb_header_pointer(skb, pkt->thoff, sizeof(tcp_buf),
					&tcp_buf);
		return th && th->rst;
	}
	if (pkt->protocol == IPPROTO_SCTP) {
		chunk = skb_header_pointer(skb,
					   pkt->thoff + sizeof(struct sctphdr),
					   sizeof(chunk_buf), &chunk_buf);
		return chunk && chunk->type == SCTP_CID_ABORT;
	}
	return false;
}

/*
 * nat_icmp_send, as IPVS: a TCP, UDP or SCTP packet from a NAT real
 * server's address and port that matches no connection is refused, the
 * server getting a port unreachable.  A TCP reset or SCTP abort, which
 * wants no answer, passes; so does everything while the sysctl is 0
 * (the default).
 */
static unsigned int xvs_out_no_conn(struct xvs_net *xnet, struct sk_buff *skb,
				    struct xvs_pkt *pkt)
{
	if (likely(!READ_ONCE(xnet->sysctl.nat_icmp_send)))
		return NF_ACCEPT;
	if (pkt->protocol != IPPROTO_TCP && pkt->protocol != IPPROTO_UDP &&
	    pkt->protocol != IPPROTO_SCTP)
		return NF_ACCEPT;
	if (!xvs_pkt_ports(skb, pkt))
		return NF_ACCEPT;
	if (!xvs_rs_find(xnet, pkt->af, pkt->protocol, &pkt->saddr,
			 pkt->sport))
		return NF_ACCEPT;
	if (xvs_is_reset(skb, pkt))
		return NF_ACCEPT;
	return xvs_refuse(xnet, skb, pkt->af, XVS_DROP_NAT_NO_CONN);
}

unsigned int xvs_in_forward(struct xvs_net *xnet, struct sk_buff *skb,
			    struct xvs_conn *cp,
			    const struct xvs_proto_ops *pp,
			    struct xvs_pkt *pkt)
{
	const struct xvs_xmit_ops *xmit;
	unsigned int verdict;

	xvs_traffic_stats(cp, skb, true);
	pp->state_transition(cp, XVS_DIR_INPUT, skb, pkt);
	xmit = xvs_conn_xmit(cp);
	if (xmit)
		verdict = xmit->xmit(skb, cp, pp, pkt);
	else
		verdict = NF_ACCEPT;
	/* The skb may be gone now.  Counts it; a sync master may send cp. */
	xvs_sync_in_packet(xnet, cp);
	xvs_conn_put(cp);
	return verdict;
}

unsigned int xvs_out_deliver(struct xvs_net *xnet, struct sk_buff *skb,
			     struct xvs_conn *cp,
			     const struct xvs_proto_ops *pp,
			     struct xvs_pkt *pkt, unsigned int hooknum)
{
	/* ->reply() counts its drops. */
	if (xvs_conn_fwd_method(cp) == IP_VS_CONN_F_MASQ && xvs_xmit_nat.reply &&
	    !xvs_xmit_nat.reply(skb, cp, pp, pkt, hooknum)) {
		xvs_conn_put(cp);
		kfree_skb(skb);
		return NF_STOLEN;
	}

	xvs_traffic_stats(cp, skb, false);
	pp->state_transition(cp, XVS_DIR_OUTPUT, skb, pkt);
	skb->ipvs_property = 1;
	xvs_conn_nfct(skb, cp, false);
	xvs_conn_put(cp);
	return NF_ACCEPT;
}

/* ---- the hooks ---------------------------------------------------------- */

static unsigned int xvs_in_hook(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	struct xvs_net *xnet = xvs_net(state->net);
	const struct xvs_proto_ops *pp;
	struct xvs_conn *cp = NULL;
	struct xvs_pkt pkt;
	unsigned int verdict;

	if (skb->ipvs_property)
		return NF_ACCEPT;
	/* Remote clients: only packets for us.  No route: no netns. */
	if ((skb->pkt_type != PACKET_HOST &&
	     state->hook != NF_INET_LOCAL_OUT) || !skb_dst(skb))
		return NF_ACCEPT;
	if (!xvs_active(xnet))
		return NF_ACCEPT;
	if (xvs_sk_nodefrag(skb, state->hook))
		return NF_ACCEPT;

	if (!xvs_parse(state->pf, skb, &pkt))
		return NF_ACCEPT;
	if (unlikely(pkt.protocol == xvs_icmp_protocol(pkt.af))) {
		bool related;

		verdict = xvs_in_icmp(xnet, skb, &pkt, state->hook, &related);
		if (related)
			return verdict;
	}
	pp = xvs_proto_get(pkt.protocol);
	if (!pp) {
		/* Seen again only if tunnelled to us: skip it then. */
		if (READ_ONCE(xnet->sysctl.ignore_tunneled))
			skb->ipvs_property = 1;
		return NF_ACCEPT;
	}

	cp = xvs_pkt_conn_get(xnet, skb, pp, &pkt, true);

	/* A new connection on the tuple of an old one that is ending. */
	if (cp && pp->is_new_conn(skb, &pkt)) {
		int reuse_mode = READ_ONCE(xnet->sysctl.conn_reuse_mode);
		bool resched = false;

		if (unlikely(READ_ONCE(xnet->sysctl.expire_nodest_conn)) &&
		    cp->dest && !atomic_read(&cp->dest->sched.weight))
			resched = true;
		/* Never one that persistence (its template) controls. */
		else if (reuse_mode && !cp->control &&
			 pp->conn_reusable(cp, reuse_mode))
			resched = true;
		if (resched) {
			xvs_nfct_reuse(skb, cp, state);
			xvs_conn_expire_now(cp);
			__xvs_conn_put(cp);
			cp = NULL;
		}
	}

	/*
	 * net.xvs.expire_stale_conn: the entry of a removed or quiesced real
	 * server gives way to a new one (the sweep had not reached it yet,
	 * or a packet kept it alive meanwhile).
	 */
	if (cp && unlikely(READ_ONCE(xnet->sysctl.expire_stale_conn)) &&
	    cp->dest && xvs_dest_stale(cp->dest) &&
	    xvs_stale_covers(xnet, cp->protocol)) {
		xvs_nfct_reuse(skb, cp, state);
		xvs_conn_expire_now(cp);
		__xvs_conn_put(cp);
		cp = NULL;
	}

	/* The real server of this connection was removed. */
	if (cp && cp->dest &&
	    !(READ_ONCE(cp->dest->sched.flags) & XVS_DEST_F_AVAILABLE)) {
		if (READ_ONCE(xnet->sysctl.expire_nodest_conn)) {
			xvs_nfct_reuse(skb, cp, state);
			xvs_conn_expire_now(cp);
			__xvs_conn_put(cp);
			cp = NULL;
		} else {
			__xvs_conn_put(cp);
			return xvs_drop(xnet, XVS_DROP_DEST_GONE);
		}
	}

	if (!cp) {
		verdict = xvs_schedule(xnet, skb, pp, &pkt, false, &cp);
		if (!cp)
			return verdict;
		xvs_note_local_client(xnet, state->hook);
	}

	return xvs_in_forward(xnet, skb, cp, pp, &pkt);
}

static unsigned int xvs_out_hook(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	struct xvs_net *xnet = xvs_net(state->net);
	const struct xvs_proto_ops *pp;
	struct xvs_conn *cp;
	struct xvs_pkt pkt;

	if (skb->ipvs_property)
		return NF_ACCEPT;
	if (xvs_sk_nodefrag(skb, state->hook))
		return NF_ACCEPT;
	if (!skb_dst(skb))
		return NF_ACCEPT;
	if (!xvs_active(xnet))
		return NF_ACCEPT;

	if (!xvs_parse(state->pf, skb, &pkt))
		return NF_ACCEPT;
	if (unlikely(pkt.protocol == xvs_icmp_protocol(pkt.af))) {
		bool related;
		unsigned int verdict;

		verdict = xvs_out_icmp(xnet, skb, &pkt, state->hook, &related);
		if (related)
			return verdict;
	}
	pp = xvs_proto_get(pkt.protocol);
	if (!pp || !xvs_out_lookup_needed(xnet, state->hook))
		return NF_ACCEPT;

	/* The ports are in the first fragment only: reassemble. */
	if (unlikely(xvs_is_ipv4_frag(skb, &pkt))) {
		if (xvs_gather_frags(state->net, skb, state->hook))
			return NF_STOLEN;
		xvs_parse_ipv4(skb, &pkt);
	}

	cp = xvs_pkt_conn_get(xnet, skb, pp, &pkt, false);
	/* Only UDP: replies to a TCP or SCTP connection the real server
	 * opened would come back to an ephemeral port no service knows.
	 */
	if (!cp && unlikely(atomic_read(&xnet->conn_out_counter)) &&
	    pkt.protocol == IPPROTO_UDP)
		cp = xvs_rs_conn_out(xnet, skb, &pkt, state->hook);
	if (!cp)
		return xvs_out_no_conn(xnet, skb, &pkt);

	return xvs_out_deliver(xnet, skb, cp, pp, &pkt, state->hook);
}

/*
 * ICMP errors about our replies that are routed through us instead of to
 * us (with fwmark services the virtual address need not be local): handle
 * them as in LOCAL_IN, before the out hook sees them.
 */
static unsigned int xvs_forward_icmp_hook(void *priv, struct sk_buff *skb,
					  const struct nf_hook_state *state)
{
	struct xvs_net *xnet = xvs_net(state->net);
	struct xvs_pkt pkt;
	bool related;

	if (!xvs_active(xnet))
		return NF_ACCEPT;
	if (state->pf == NFPROTO_IPV4 &&
	    ip_hdr(skb)->protocol != IPPROTO_ICMP)
		return NF_ACCEPT;
	if (!xvs_parse(state->pf, skb, &pkt) ||
	    pkt.protocol != xvs_icmp_protocol(pkt.af))
		return NF_ACCEPT;
	return xvs_in_icmp(xnet, skb, &pkt, state->hook, &related);
}

static const struct nf_hook_ops xvs_hook_ops[] = {
	/* Replies to local clients, before the request hook below. */
	{
		.hook = xvs_out_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = NF_IP_PRI_NAT_SRC - 2,
	},
	/* Requests from remote clients, after packet filtering. */
	{
		.hook = xvs_in_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = NF_IP_PRI_NAT_SRC - 1,
	},
	/* Replies of local real servers, before the request hook below. */
	{
		.hook = xvs_out_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP_PRI_NAT_DST + 1,
	},
	/* Requests from local clients, after mangle. */
	{
		.hook = xvs_in_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP_PRI_NAT_DST + 2,
	},
	/* ICMP errors for clients' networks, before the out hook. */
	{
		.hook = xvs_forward_icmp_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_FORWARD,
		.priority = 99,
	},
	/* Replies of NAT real servers routed through us. */
	{
		.hook = xvs_out_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_FORWARD,
		.priority = 100,
	},
	/* The same six for IPv6. */
	{
		.hook = xvs_out_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = NF_IP6_PRI_NAT_SRC - 2,
	},
	{
		.hook = xvs_in_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = NF_IP6_PRI_NAT_SRC - 1,
	},
	{
		.hook = xvs_out_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP6_PRI_NAT_DST + 1,
	},
	{
		.hook = xvs_in_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP6_PRI_NAT_DST + 2,
	},
	{
		.hook = xvs_forward_icmp_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_FORWARD,
		.priority = 99,
	},
	{
		.hook = xvs_out_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_FORWARD,
		.priority = 100,
	},
};

/*
 * Connections cache their route to the real server, and a route holds its
 * device.  A device going down (or away with its netns, whose devices go
 * before our per-netns exit runs) must not wait for our connections to
 * expire: drop those routes now, as IPVS does for its destinations.
 */
static int xvs_dev_event(struct notifier_block *nb, unsigned long event,
			 void *ptr)
{
	struct xvs_net *xnet = container_of(nb, struct xvs_net, dev_notifier);
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	if (event == NETDEV_DOWN || event == NETDEV_UNREGISTER)
		xvs_conn_drop_routes(xnet, dev);
	xvs_fast_path_dev_event(xnet, dev, event);
	return NOTIFY_DONE;
}

/*
 * The hooks are in a namespace's netfilter chains only while it has
 * services, as IPVS's are: a namespace that balances nothing pays nothing
 * per packet.  Both families' hooks go in with the first service of
 * either (a service may have destinations of the other family).  Under
 * xnet->mutex: svc.c calls these when the count of services leaves or
 * reaches zero.
 */
int xvs_hooks_enable(struct xvs_net *xnet)
{
	int err;

	lockdep_assert_held(&xnet->mutex);
	if (xnet->hooks_enabled)
		return 0;
	err = nf_register_net_hooks(xnet->net, xvs_hook_ops,
				    ARRAY_SIZE(xvs_hook_ops));
	if (err)
		return err;
	xnet->hooks_enabled = true;
	/*
	 * The fast path only serves what the hooks would.  Without it (it
	 * logs why) every packet takes the normal path: no reason to refuse
	 * the service.
	 */
	xvs_fast_path_sync(xnet);
	return 0;
}

/* No packet is in a hook of ours when this returns (synchronize_net). */
void xvs_hooks_disable(struct xvs_net *xnet)
{
	if (!xnet->hooks_enabled)
		return;
	xnet->hooks_enabled = false;
	xvs_fast_path_sync(xnet);
	nf_unregister_net_hooks(xnet->net, xvs_hook_ops,
				ARRAY_SIZE(xvs_hook_ops));
}

int xvs_hooks_net_init(struct xvs_net *xnet)
{
	xnet->hooks_enabled = false;
	xnet->dev_notifier.notifier_call = xvs_dev_event;
	return register_netdevice_notifier_net(xnet->net, &xnet->dev_notifier);
}

void xvs_hooks_net_exit(struct xvs_net *xnet)
{
	/* Services go later (main.c); no packet may reach them meanwhile. */
	mutex_lock(&xnet->mutex);
	xvs_hooks_disable(xnet);
	mutex_unlock(&xnet->mutex);
	unregister_netdevice_notifier_net(xnet->net, &xnet->dev_notifier);
}
