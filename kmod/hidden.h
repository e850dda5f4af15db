/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xvs: "hidden" interfaces without a kernel patch (hidden.c).
 *
 * The ARP decision is a pure function of facts the hooks gather, so that it
 * can be tested on its own (KUnit).
 */
#ifndef XVS_HIDDEN_H
#define XVS_HIDDEN_H

#include <linux/types.h>

struct xvs_net;

/* What the ARP hook does with one ARP packet. */
enum xvs_hidden_verdict {
	XVS_HIDDEN_ACCEPT,	/* let it through unchanged */
	XVS_HIDDEN_DROP,	/* incoming: do not answer it (drop the request) */
	XVS_HIDDEN_RESOURCE,	/* outgoing: replace the sender address */
};

/*
 * The facts about one ARP packet of IPv4 over a hardware with addresses.
 *
 * @outgoing:	  the packet leaves through @dev_ifindex (NF_ARP_OUT); else
 *		  it arrived on it (NF_ARP_IN)
 * @op:		  ARP opcode, host order (ARPOP_REQUEST, ARPOP_REPLY...)
 * @unicast_to_us: incoming only: sent to our own hardware address
 *		  (PACKET_HOST), not broadcast
 * @dev_ifindex:  the device the packet arrives on or leaves through
 * @owner_ifindex: the device that holds the address in question as a local
 *		  address (incoming: the target IP, outgoing: the sender
 *		  IP); 0 when it is not a local address
 * @all_hidden:	  conf/all/hidden of the namespace
 * @owner_hidden: conf/<owner>/hidden of the owning device
 * @gratuitous:	  outgoing only: the sender IP is the target IP (an
 *		  announcement of the address rather than a question)
 */
struct xvs_hidden_arp {
	bool outgoing;
	u16 op;
	bool unicast_to_us;
	int dev_ifindex;
	int owner_ifindex;
	bool all_hidden;
	bool owner_hidden;
	bool gratuitous;
};

/*
 * The decision, as the "hidden" kernel patch takes it: an address is hidden
 * from a device when it belongs to another device and both all/hidden and
 * that device's hidden are set.  Broadcast ARP requests for a hidden address
 * go unanswered (unicast ones, from hosts that know us, are answered); an
 * outgoing ARP request never names a hidden address as its sender: it is
 * given another sender (XVS_HIDDEN_RESOURCE), or dropped when it only
 * announces the hidden address.  Everything else is accepted.
 */
enum xvs_hidden_verdict xvs_hidden_arp_verdict(const struct xvs_hidden_arp *a);

int xvs_hidden_net_init(struct xvs_net *xnet);
void xvs_hidden_net_exit(struct xvs_net *xnet);

#endif /* XVS_HIDDEN_H */
