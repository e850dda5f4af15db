// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: tunnelling.  The request is wrapped, unchanged, in a new IPv4 header
 * from us to the real server: plain IP-in-IP, or with a GUE (UDP) or GRE
 * header in between as the destination's tunnel type says.  The real
 * server unwraps it, owns the virtual address and replies directly.
 *
 * The outer header copies the inner TTL (already decremented), DS field
 * (ECN as RFC 6040's full functionality) and, with pmtu_disc, DF; the
 * route MTU less the tunnel headers is enforced before wrapping.
 *
 * IPv6 services wrap their requests in an IPv6 header the same way (hop
 * limit and traffic class copied; no DF, IPv6 is never fragmented on the
 * way).  The outer header is of the real server's family, which may be
 * the other one (IPv4 in IPv6, IPv6 in IPv4), as IPVS allows for tunnels.
 */
#define pr_fmt(fmt) "xvs: " fmt

#include <linux/kernel.h>
#include <linux/skbuff.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/netfilter.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ip6_route.h>
#include <net/ip6_checksum.h>
#include <net/route.h>
#include <net/dst.h>
#include <net/udp.h>
#include <net/gue.h>
#include <net/gre.h>
#include <net/ip_tunnels.h>
#include <net/inet_ecn.h>

#include "xvs.h"
#include "conn.h"
#include "xmit.h"
#include "nfct.h"
#include "drop.h"

/* What one packet needs from its destination's tunnel settings. */
struct xvs_tun {
	u16 type;		/* IP_VS_CONN_F_TUNNEL_TYPE_* */
	u16 flags;		/* IP_VS_TUNNEL_ENCAP_FLAG_* */
	__be16 port;		/* GUE: UDP destination port */
	bool remcsum;		/* GUE: remote checksum offload option */
	unsigned int hlen;	/* headers between outer IP and inner packet */
};

/*
 * @dest NULL: a connection the sync backup made before our destination
 * existed; as IPVS, it tunnels with plain IPIP until it is bound.
 */
static void xvs_tun_setup(struct xvs_tun *t, const struct xvs_dest *dest,
			  const struct sk_buff *skb)
{
	memset(t, 0, sizeof(*t));
	if (!dest) {
		t->type = IP_VS_CONN_F_TUNNEL_TYPE_IPIP;
		return;
	}
	t->type = READ_ONCE(dest->tun_type);
	t->flags = READ_ONCE(dest->tun_flags);
	t->port = READ_ONCE(dest->tun_port);

	switch (t->type) {
	case IP_VS_CONN_F_TUNNEL_TYPE_GUE:
		/* Remote checksum only helps a checksum left to offload. */
		t->remcsum = (t->flags & IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM) &&
			     skb->ip_summed == CHECKSUM_PARTIAL;
		t->hlen = sizeof(struct udphdr) + sizeof(struct guehdr);
		if (t->remcsum)
			t->hlen += GUE_LEN_PRIV + GUE_PLEN_REMCSUM;
		break;
	case IP_VS_CONN_F_TUNNEL_TYPE_GRE:
		t->hlen = gre_calc_hlen((t->flags &
					 IP_VS_TUNNEL_ENCAP_FLAG_CSUM) ?
					TUNNEL_CSUM : 0);
		break;
	default:
		t->type = IP_VS_CONN_F_TUNNEL_TYPE_IPIP;
		break;
	}
}

unsigned int xvs_tun_overhead(const struct xvs_conn *cp,
			      const struct sk_buff *skb)
{
	const struct xvs_dest *dest = READ_ONCE(cp->dest);
	u16 out_af = dest ? dest->af : cp->af;
	struct xvs_tun t;

	xvs_tun_setup(&t, dest, skb);
	return t.hlen + (out_af == AF_INET6 ? sizeof(struct ipv6hdr) :
					      sizeof(struct iphdr));
}

static int xvs_tun_gso_type(const struct xvs_tun *t, u16 af)
{
	int gso = af == AF_INET6 ? SKB_GSO_IPXIP6 : SKB_GSO_IPXIP4;

	if (t->type == IP_VS_CONN_F_TUNNEL_TYPE_GUE) {
		gso |= (t->flags & (IP_VS_TUNNEL_ENCAP_FLAG_CSUM |
				    IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM)) ?
		       SKB_GSO_UDP_TUNNEL_CSUM : SKB_GSO_UDP_TUNNEL;
		if (t->remcsum)
			gso |= SKB_GSO_TUNNEL_REMCSUM;
	} else if (t->type == IP_VS_CONN_F_TUNNEL_TYPE_GRE) {
		gso |= (t->flags & IP_VS_TUNNEL_ENCAP_FLAG_CSUM) ?
		       SKB_GSO_GRE_CSUM : SKB_GSO_GRE;
	}
	return gso;
}

/*
 * GUE header (and the UDP header before it) before the request.  With the
 * remote checksum option the receiver completes the inner checksum from
 * the offsets we give it, so no outer checksum work is needed for it.
 */
static int xvs_tun_push_gue(struct net *net, struct sk_buff *skb,
			    const struct xvs_tun *t, u8 *next_protocol)
{
	size_t optlen = t->remcsum ? GUE_LEN_PRIV + GUE_PLEN_REMCSUM : 0;
	size_t hdrlen = sizeof(struct guehdr) + optlen;
	__be16 sport = udp_flow_src_port(net, skb, 0, 0, false);
	struct guehdr *gueh;
	struct udphdr *uh;

	gueh = skb_push(skb, hdrlen);
	gueh->control = 0;
	gueh->version = 0;
	gueh->hlen = optlen >> 2;
	gueh->flags = 0;
	gueh->proto_ctype = *next_protocol;

	if (t->remcsum) {
		__be32 *pflags = (__be32 *)(gueh + 1);
		__be16 *offsets = (__be16 *)((u8 *)pflags + GUE_LEN_PRIV);
		int start = skb_checksum_start_offset(skb);

		/* The offsets count from the end of the GUE header. */
		if (start < (int)hdrlen)
			return -EINVAL;
		start -= hdrlen;
		gueh->flags |= GUE_FLAG_PRIV;
		*pflags = GUE_PFLAG_REMCSUM;
		offsets[0] = htons(start);
		offsets[1] = htons(start + skb->csum_offset);
		if (!skb_is_gso(skb)) {
			skb->ip_summed = CHECKSUM_NONE;
			skb->encapsulation = 0;
		}
	}

	uh = skb_push(skb, sizeof(*uh));
	skb_reset_transport_header(skb);
	uh->source = sport;
	uh->dest = t->port;
	uh->len = htons(skb->len);
	uh->check = 0;
	*next_protocol = IPPROTO_UDP;
	return 0;
}

/* Makes room for the outer headers; the skb may be replaced. */
static struct sk_buff *xvs_tun_headroom(struct sk_buff *skb,
					unsigned int headroom)
{
	struct sk_buff *nskb;

	if (skb_headroom(skb) >= headroom && !skb_cloned(skb))
		return skb;
	nskb = skb_realloc_headroom(skb, headroom);
	if (!nskb)
		return NULL;
	if (skb->sk)
		skb_set_owner_w(nskb, skb->sk);
	consume_skb(skb);
	return nskb;
}

/*
 * What the outer header takes from the request (of family @af, its TTL
 * already decremented): TTL, DS field with ECN encapsulated, DF (IPv4
 * requests with pmtu_disc only: an IPv6 request's path never fragments
 * it, so its outer IPv4 header may be fragmented), and the protocol that
 * says what follows the tunnel headers.
 */
struct xvs_tun_inner {
	u8 ttl;
	u8 dsfield;
	__be16 df;
	u8 protocol;		/* IPPROTO_IPIP or IPPROTO_IPV6 */
	__be16 ethertype;	/* for GRE */
};

static void xvs_tun_inner_of(struct xvs_net *xnet, struct sk_buff *skb,
			     u16 af, struct xvs_tun_inner *in)
{
	u8 ds;

	if (af == AF_INET6) {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);

		ds = ipv6_get_dsfield(ip6h);
		in->ttl = ip6h->hop_limit;
		in->df = 0;
		in->protocol = IPPROTO_IPV6;
		in->ethertype = htons(ETH_P_IPV6);
	} else {
		struct iphdr *iph = ip_hdr(skb);

		/* The inner header is final now (its TTL changed). */
		ip_send_check(iph);
		ds = ipv4_get_dsfield(iph);
		in->ttl = iph->ttl;
		in->df = READ_ONCE(xnet->sysctl.pmtu_disc) ?
			 iph->frag_off & htons(IP_DF) : 0;
		in->protocol = IPPROTO_IPIP;
		in->ethertype = htons(ETH_P_IP);
	}
	in->dsfield = INET_ECN_encapsulate(ds, ds);
}

/*
 * Wraps the request in an outer header of the real server's family (the
 * service's, or the other one: IPv4 in IPv6 and IPv6 in IPv4 as IPVS
 * allows for tunnels), with the GUE or GRE header of its tunnel type in
 * between.
 */
static unsigned int xvs_tun_xmit(struct sk_buff *skb, struct xvs_conn *cp,
				 const struct xvs_proto_ops *pp,
				 struct xvs_pkt *pkt)
{
	struct xvs_dest *dest = READ_ONCE(cp->dest);
	struct xvs_net *xnet = cp->xnet;
	u16 out_af = dest ? dest->af : cp->af;
	union nf_inet_addr saddr = {};
	unsigned int outer_len;
	struct sk_buff *nskb;
	struct xvs_tun_inner in;
	u8 next_protocol;
	struct xvs_tun t;
	int local;

	xvs_tun_setup(&t, dest, skb);
	outer_len = out_af == AF_INET6 ? sizeof(struct ipv6hdr) :
					 sizeof(struct iphdr);
	local = xvs_xmit_route(cp, skb, out_af, XVS_RTM_LOCAL |
			       XVS_RTM_NON_LOCAL | XVS_RTM_CONNECT |
			       XVS_RTM_TUNNEL, t.hlen, &saddr);
	if (local < 0)
		goto drop;	/* counted by the route function */
	if (local) {
		/* Ours is the real server: no tunnel, if the family fits. */
		if (out_af != cp->af)
			return xvs_drop_skb(xnet, skb, XVS_DROP_ROUTE_MODE);
		return xvs_xmit_to_local(skb, cp);
	}

	/* A socket found by early demux belongs to this host. */
	if (skb->dev)
		skb_orphan(skb);

	nskb = xvs_tun_headroom(skb, LL_RESERVED_SPACE(skb_dst(skb)->dev) +
				outer_len + t.hlen);
	if (!nskb)
		return xvs_drop_skb(xnet, skb, XVS_DROP_NO_MEM);
	skb = nskb;

	xvs_tun_inner_of(xnet, skb, cp->af, &in);
	next_protocol = in.protocol;
	if (iptunnel_handle_offloads(skb, xvs_tun_gso_type(&t, out_af)))
		return xvs_drop_skb(xnet, skb, XVS_DROP_TUNNEL);
	skb->transport_header = skb->network_header;
	skb_set_inner_ipproto(skb, next_protocol);
	skb_set_inner_mac_header(skb, skb_inner_network_offset(skb));

	if (t.type == IP_VS_CONN_F_TUNNEL_TYPE_GUE) {
		bool nocsum = !(t.flags & (IP_VS_TUNNEL_ENCAP_FLAG_CSUM |
					   IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM));

		if (xvs_tun_push_gue(xnet->net, skb, &t, &next_protocol))
			return xvs_drop_skb(xnet, skb, XVS_DROP_TUNNEL);
		/* nocsum: a zero UDP checksum (IPv6: RFC 6935's tunnels). */
		if (out_af == AF_INET6)
			udp6_set_csum(nocsum, skb, &saddr.in6, &cp->daddr.in6,
				      skb->len);
		else
			udp_set_csum(nocsum, skb, saddr.ip, cp->daddr.ip,
				     skb->len);
	} else if (t.type == IP_VS_CONN_F_TUNNEL_TYPE_GRE) {
		gre_build_header(skb, t.hlen,
				 (t.flags & IP_VS_TUNNEL_ENCAP_FLAG_CSUM) ?
				 TUNNEL_CSUM : 0, in.ethertype, 0, 0);
		next_protocol = IPPROTO_GRE;
	}

	skb_push(skb, outer_len);
	skb_reset_network_header(skb);
	if (out_af == AF_INET6) {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);

		memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
		ip6_flow_hdr(ip6h, in.dsfield, 0);
		/* ip6_local_out() sets the final payload length. */
		ip6h->payload_len = 0;
		ip6h->nexthdr = next_protocol;
		ip6h->hop_limit = in.ttl;
		ip6h->saddr = saddr.in6;
		ip6h->daddr = cp->daddr.in6;
	} else {
		struct iphdr *iph = ip_hdr(skb);

		memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
		iph->version = 4;
		iph->ihl = sizeof(struct iphdr) >> 2;
		iph->frag_off = in.df;
		iph->protocol = next_protocol;
		iph->tos = in.dsfield;
		iph->daddr = cp->daddr.ip;
		iph->saddr = saddr.ip;
		iph->ttl = in.ttl;
		ip_select_ident(xnet->net, skb, NULL);
	}

	/* The MTU was enforced above; without DF we fragment, silently. */
	skb->ignore_df = 1;
	skb->ipvs_property = 1;
	/* An entry kept (NFCT) is confirmed, as the stack would have. */
	if (xvs_nfct_tunnel_out(skb, cp) != NF_ACCEPT)
		return xvs_drop_skb(xnet, skb, XVS_DROP_CONNTRACK);
	nf_reset_ct(skb);
	skb_forward_csum(skb);
	if (skb->dev)
		skb_clear_tstamp(skb);
	xvs_xmit_local_out(xnet->net, skb, out_af, pkt->fast);
	return NF_STOLEN;

drop:
	kfree_skb(skb);
	return NF_STOLEN;
}

const struct xvs_xmit_ops xvs_xmit_tun = {
	.fwd_method = IP_VS_CONN_F_TUNNEL,
	.xmit = xvs_tun_xmit,
};
