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
 * way).  Both ends of a tunnel use the service's address family.
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
 * GUE header (and the UDP header before it) for an IPv4 payload.  With the
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

/* An IPv6 request in an IPv6 header (GUE or GRE in between, if so set). */
static unsigned int xvs_tun_xmit6(struct sk_buff *skb, struct xvs_conn *cp)
{
	struct xvs_dest *dest = READ_ONCE(cp->dest);
	struct net *net = cp->xnet->net;
	u8 next_protocol = IPPROTO_IPV6;
	struct in6_addr saddr;
	struct ipv6hdr *iph;
	struct sk_buff *nskb;
	unsigned int headroom;
	struct xvs_tun t;
	u8 dsfield, hop_limit;
	int local;

	if (dest && dest->af != AF_INET6)
		goto drop;
	xvs_tun_setup(&t, dest, skb);

	local = xvs_xmit_route6(cp, skb, XVS_RTM_LOCAL | XVS_RTM_NON_LOCAL |
				XVS_RTM_TUNNEL, t.hlen, &saddr);
	if (local < 0)
		goto drop;
	if (local) {
		skb->ipvs_property = 1;
		xvs_skb_untrack(skb);
		return NF_ACCEPT;
	}

	/* A socket found by early demux belongs to this host. */
	if (skb->dev)
		skb_orphan(skb);

	headroom = LL_RESERVED_SPACE(skb_dst(skb)->dev) +
		   sizeof(struct ipv6hdr) + t.hlen;
	nskb = xvs_tun_headroom(skb, headroom);
	if (!nskb)
		goto drop;
	skb = nskb;

	dsfield = ipv6_get_dsfield(ipv6_hdr(skb));
	dsfield = INET_ECN_encapsulate(dsfield, dsfield);
	hop_limit = ipv6_hdr(skb)->hop_limit;

	if (iptunnel_handle_offloads(skb, xvs_tun_gso_type(&t, AF_INET6)))
		goto drop;
	skb->transport_header = skb->network_header;
	skb_set_inner_ipproto(skb, next_protocol);
	skb_set_inner_mac_header(skb, skb_inner_network_offset(skb));

	if (t.type == IP_VS_CONN_F_TUNNEL_TYPE_GUE) {
		if (xvs_tun_push_gue(net, skb, &t, &next_protocol))
			goto drop;
		/* IPv6 allows a zero UDP checksum only for tunnels (RFC 6935). */
		udp6_set_csum(!(t.flags & (IP_VS_TUNNEL_ENCAP_FLAG_CSUM |
					   IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM)),
			      skb, &saddr, &cp->daddr.in6, skb->len);
	} else if (t.type == IP_VS_CONN_F_TUNNEL_TYPE_GRE) {
		gre_build_header(skb, t.hlen,
				 (t.flags & IP_VS_TUNNEL_ENCAP_FLAG_CSUM) ?
				 TUNNEL_CSUM : 0, htons(ETH_P_IPV6), 0, 0);
		next_protocol = IPPROTO_GRE;
	}

	skb_push(skb, sizeof(struct ipv6hdr));
	skb_reset_network_header(skb);
	memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
	iph = ipv6_hdr(skb);
	ip6_flow_hdr(iph, dsfield, 0);
	/* ip6_local_out() sets the final payload length. */
	iph->payload_len = 0;
	iph->nexthdr = next_protocol;
	iph->hop_limit = hop_limit;
	iph->saddr = saddr;
	iph->daddr = cp->daddr.in6;

	/* The MTU was enforced above. */
	skb->ignore_df = 1;
	skb->ipvs_property = 1;
	nf_reset_ct(skb);
	skb_forward_csum(skb);
	if (skb->dev)
		skb_clear_tstamp(skb);
	ip6_local_out(net, skb->sk, skb);
	return NF_STOLEN;

drop:
	kfree_skb(skb);
	return NF_STOLEN;
}

static unsigned int xvs_tun_xmit(struct sk_buff *skb, struct xvs_conn *cp,
				 const struct xvs_proto_ops *pp,
				 struct xvs_pkt *pkt)
{
	struct xvs_dest *dest = READ_ONCE(cp->dest);
	struct xvs_net *xnet = cp->xnet;
	struct net *net = xnet->net;
	u8 next_protocol = IPPROTO_IPIP;
	struct net_device *tdev;
	unsigned int headroom;
	struct iphdr *old_iph;
	struct iphdr *iph;
	struct xvs_tun t;
	__be32 saddr = 0;
	__be16 df = 0;
	u8 dsfield, ttl;
	int local;

	if (cp->af == AF_INET6)
		return xvs_tun_xmit6(skb, cp);
	/* Tunnels between address families are not supported. */
	if (dest && dest->af != AF_INET)
		goto drop;
	xvs_tun_setup(&t, dest, skb);

	local = xvs_xmit_route4(cp, skb, XVS_RTM_LOCAL | XVS_RTM_NON_LOCAL |
				XVS_RTM_CONNECT | XVS_RTM_TUNNEL, t.hlen,
				&saddr);
	if (local < 0)
		goto drop;
	if (local) {
		skb->ipvs_property = 1;
		xvs_skb_untrack(skb);
		return NF_ACCEPT;
	}

	/* A socket found by early demux belongs to this host. */
	if (skb->dev)
		skb_orphan(skb);

	tdev = skb_dst(skb)->dev;
	headroom = LL_RESERVED_SPACE(tdev) + sizeof(struct iphdr) + t.hlen;
	if (skb_headroom(skb) < headroom || skb_cloned(skb)) {
		struct sk_buff *nskb = skb_realloc_headroom(skb, headroom);

		if (!nskb)
			goto drop;
		if (skb->sk)
			skb_set_owner_w(nskb, skb->sk);
		consume_skb(skb);
		skb = nskb;
	}

	/* The inner header is final now (its TTL changed). */
	old_iph = ip_hdr(skb);
	ip_send_check(old_iph);
	if (READ_ONCE(xnet->sysctl.pmtu_disc))
		df = old_iph->frag_off & htons(IP_DF);
	dsfield = INET_ECN_encapsulate(ipv4_get_dsfield(old_iph),
				       ipv4_get_dsfield(old_iph));
	ttl = old_iph->ttl;

	if (iptunnel_handle_offloads(skb, xvs_tun_gso_type(&t, AF_INET)))
		goto drop;
	skb->transport_header = skb->network_header;
	skb_set_inner_ipproto(skb, next_protocol);
	skb_set_inner_mac_header(skb, skb_inner_network_offset(skb));

	if (t.type == IP_VS_CONN_F_TUNNEL_TYPE_GUE) {
		if (xvs_tun_push_gue(net, skb, &t, &next_protocol))
			goto drop;
		/* nocsum: zero UDP checksum; csum and remcsum: a real one. */
		udp_set_csum(!(t.flags & (IP_VS_TUNNEL_ENCAP_FLAG_CSUM |
					  IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM)),
			     skb, saddr, cp->daddr.ip, skb->len);
	} else if (t.type == IP_VS_CONN_F_TUNNEL_TYPE_GRE) {
		gre_build_header(skb, t.hlen,
				 (t.flags & IP_VS_TUNNEL_ENCAP_FLAG_CSUM) ?
				 TUNNEL_CSUM : 0, htons(ETH_P_IP), 0, 0);
		next_protocol = IPPROTO_GRE;
	}

	skb_push(skb, sizeof(struct iphdr));
	skb_reset_network_header(skb);
	memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	iph = ip_hdr(skb);
	iph->version = 4;
	iph->ihl = sizeof(struct iphdr) >> 2;
	iph->frag_off = df;
	iph->protocol = next_protocol;
	iph->tos = dsfield;
	iph->daddr = cp->daddr.ip;
	iph->saddr = saddr;
	iph->ttl = ttl;
	ip_select_ident(net, skb, NULL);

	/* The MTU was enforced above; without DF we fragment, silently. */
	skb->ignore_df = 1;
	skb->ipvs_property = 1;
	nf_reset_ct(skb);
	skb_forward_csum(skb);
	if (skb->dev)
		skb_clear_tstamp(skb);
	ip_local_out(net, skb->sk, skb);
	return NF_STOLEN;

drop:
	kfree_skb(skb);
	return NF_STOLEN;
}

const struct xvs_xmit_ops xvs_xmit_tun = {
	.fwd_method = IP_VS_CONN_F_TUNNEL,
	.xmit = xvs_tun_xmit,
};
