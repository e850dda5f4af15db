// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: IPv6 packet parsing for the hooks.
 *
 * An IPv6 packet may carry extension headers between the fixed header and
 * the transport header; ipv6_find_hdr() walks them.  Fragments are
 * reassembled before our hooks by nf_defrag_ipv6, which the first IPv6
 * service or destination turns on for the netns (as IPVS does); without
 * it (a kernel lacking the module) only a first fragment carries the
 * ports, and later ones are left alone.  ICMPv6 errors quote the offending packet the same
 * way, so the quoted header chain is walked too.
 */
#define pr_fmt(fmt) "xvs: " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/skbuff.h>
#include <linux/ipv6.h>
#include <linux/icmpv6.h>
#include <net/ipv6.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>

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

/*
 * nf_defrag_ipv6_enable() is looked up when first needed rather than
 * linked: xvs.ko then loads (insmod) without nf_defrag_ipv6, which an
 * IPv4-only user never needs; once found, its module stays pinned until
 * ours goes, since namespaces keep using it.
 */
static DEFINE_MUTEX(xvs_defrag6_mutex);
static int (*xvs_defrag6_enable_fn)(struct net *net);

int xvs_ipv6_defrag_enable(struct xvs_net *xnet)
{
	int (*enable)(struct net *net);
	int err;

	lockdep_assert_held(&xnet->mutex);
	if (xnet->ipv6_defrag)
		return 0;
	mutex_lock(&xvs_defrag6_mutex);
	if (!xvs_defrag6_enable_fn)
		xvs_defrag6_enable_fn = symbol_request(nf_defrag_ipv6_enable);
	enable = xvs_defrag6_enable_fn;
	mutex_unlock(&xvs_defrag6_mutex);
	if (!enable)
		return 0;
	err = enable(xnet->net);
	if (!err)
		xnet->ipv6_defrag = true;
	return err;
}

void xvs_ipv6_defrag_put(void)
{
	if (xvs_defrag6_enable_fn)
		symbol_put(nf_defrag_ipv6_enable);
}
