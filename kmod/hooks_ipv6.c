// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: IPv6 packet parsing for the hooks.
 *
 * An IPv6 packet may carry extension headers between the fixed header and
 * the transport header; ipv6_find_hdr() walks them.  Fragments are
 * reassembled before our hooks when IPv6 defragmentation is active in the
 * netns; otherwise only a first fragment carries the ports, and later
 * ones are left alone.  ICMPv6 errors quote the offending packet the same
 * way, so the quoted header chain is walked too.
 */
#define pr_fmt(fmt) "xvs: " fmt

#include <linux/kernel.h>
#include <linux/skbuff.h>
#include <linux/ipv6.h>
#include <linux/icmpv6.h>
#include <net/ipv6.h>

#include "xvs.h"
#include "proto.h"
#include "xmit.h"
#include "hooks_ipv6.h"

bool xvs_parse_ipv6(const struct sk_buff *skb, struct xvs_pkt *pkt)
{
	const struct ipv6hdr *iph = ipv6_hdr(skb);
	unsigned int thoff = 0;
	unsigned short fragoff = 0;
	int flags = 0;
	int protocol;

	memset(pkt, 0, sizeof(*pkt));
	protocol = ipv6_find_hdr(skb, &thoff, -1, &fragoff, &flags);
	if (protocol < 0 || fragoff)
		return false;
	pkt->af = AF_INET6;
	pkt->protocol = protocol;
	pkt->thoff = thoff;
	pkt->saddr.in6 = iph->saddr;
	pkt->daddr.in6 = iph->daddr;
	pkt->ipv6_frag = flags & IP6_FH_F_FRAG;
	return true;
}

int xvs_icmp6_parse(const struct sk_buff *skb, const struct xvs_pkt *pkt,
		    struct xvs_icmp *ic, bool *related)
{
	struct icmp6hdr icmp_buf;
	const struct icmp6hdr *icmph;
	struct ipv6hdr ip_buf;
	const struct ipv6hdr *cih;
	__be16 port_buf[2];
	const __be16 *ports;
	unsigned int cthoff;
	unsigned short fragoff = 0;
	int protocol;

	*related = true;
	icmph = skb_header_pointer(skb, pkt->thoff, sizeof(icmp_buf),
				   &icmp_buf);
	if (!icmph)
		return -1;
	/* Informational messages (echo, neighbour discovery) quote nothing. */
	if (icmph->icmp6_type & ICMPV6_INFOMSG_MASK) {
		*related = false;
		return 0;
	}
	/* Error messages are never fragmented: this one is forged. */
	if (pkt->ipv6_frag)
		return -1;

	memset(ic, 0, sizeof(*ic));
	ic->toff = pkt->thoff;
	ic->ctoff = pkt->thoff + sizeof(struct icmp6hdr);
	cih = skb_header_pointer(skb, ic->ctoff, sizeof(ip_buf), &ip_buf);
	if (!cih || cih->version != 6)
		return 0;
	/* A non-zero start offset makes ipv6_find_hdr() parse from there. */
	cthoff = ic->ctoff;
	protocol = ipv6_find_hdr(skb, &cthoff, -1, &fragoff, NULL);
	if (protocol < 0 || !xvs_proto_get(protocol))
		return 0;
	/* Only a first fragment quotes the transport header. */
	if (fragoff)
		return 0;
	ic->cthoff = cthoff;
	ic->inner.af = AF_INET6;
	ic->inner.protocol = protocol;
	ic->inner.thoff = cthoff;
	ic->inner.saddr.in6 = cih->saddr;
	ic->inner.daddr.in6 = cih->daddr;
	ports = skb_header_pointer(skb, cthoff, sizeof(port_buf), port_buf);
	if (!ports)
		return 0;
	ic->inner.sport = ports[0];
	ic->inner.dport = ports[1];
	ic->has_ports = true;
	return 1;
}

void xvs_icmp6_port_unreach(struct sk_buff *skb)
{
	/* icmpv6_send() finds the netns through a device. */
	if (!skb->dev)
		skb->dev = dev_net(skb_dst(skb)->dev)->loopback_dev;
	icmpv6_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH, 0);
}
