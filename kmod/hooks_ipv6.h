/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xvs: the IPv6 parts of the packet path (hooks_ipv6.c) that the
 * family-independent hooks (hooks.c) call.
 */
#ifndef XVS_HOOKS_IPV6_H
#define XVS_HOOKS_IPV6_H

#include <linux/skbuff.h>

#include "proto.h"
#include "xmit.h"

/*
 * Fills 'pkt' from the IPv6 header and the extension headers after it.
 * false: the packet is none of ours to look at (malformed header chain,
 * or a fragment other than the first, which has no transport header).
 */
bool xvs_parse_ipv6(const struct sk_buff *skb, struct xvs_pkt *pkt);

/*
 * Parses an ICMPv6 packet that may be an error about one of our
 * connections.  Same results as its IPv4 twin in hooks.c: 1 when 'ic'
 * describes the quoted TCP/UDP packet, 0 to let the packet pass, -1 to
 * drop it; *related false when it is no error message at all.
 */
int xvs_icmp6_parse(const struct sk_buff *skb, const struct xvs_pkt *pkt,
		    struct xvs_icmp *ic, bool *related);

/* Tells an IPv6 client that no real server takes its packet. */
void xvs_icmp6_port_unreach(struct sk_buff *skb);

/*
 * Has nf_defrag_ipv6 reassemble the namespace's IPv6 fragments before our
 * hooks, as IPVS does from its first IPv6 service or destination on (and
 * never stops).  A kernel without nf_defrag_ipv6 leaves them as they come.
 * Caller holds xnet->mutex.
 */
int xvs_ipv6_defrag_enable(struct xvs_net *xnet);
/* At module unload: lets go of nf_defrag_ipv6's module. */
void xvs_ipv6_defrag_put(void);

#endif /* XVS_HOOKS_IPV6_H */
