/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xvs: kernel-side transport protocol glue.
 *
 * The hooks parse the IP header into struct xvs_pkt and then hand every
 * transport-specific decision to the protocol's ops: may this packet open a
 * connection, does it start a new one on an old tuple, how does it move the
 * connection state, and how are ports and checksums rewritten for NAT.
 */
#ifndef XVS_PROTO_KERN_H
#define XVS_PROTO_KERN_H

#include <linux/skbuff.h>
#include <linux/netfilter.h>

#include "xvs.h"

struct xvs_conn;

/* What the hooks learned from the network header of one packet. */
struct xvs_pkt {
	u16 af;
	u8 protocol;
	unsigned int thoff;		/* offset of the transport header */
	union nf_inet_addr saddr;
	union nf_inet_addr daddr;
	__be16 sport;			/* valid when the ports were readable */
	__be16 dport;
	bool ipv6_frag;			/* IPv6: came with a fragment header */
	/*
	 * Forwarded by the fast path (fast_path.c): it has no input route
	 * and leaves without the OUTPUT chain.
	 */
	bool fast;
};

/* Outcome of a protocol's check before scheduling a new connection. */
enum xvs_sched_verdict {
	XVS_SCHED_GO,		/* look for a service and schedule */
	XVS_SCHED_ACCEPT,	/* not a connection opener: let it pass */
	XVS_SCHED_DROP,		/* unreadable header: drop */
};

struct xvs_proto_ops {
	u8 protocol;

	/*
	 * Optional: the tuple under which a packet finds its connection when
	 * it is not the packet's own (AH and ESP follow the IKE connection
	 * between the same hosts).  Without it the packet's ports are used.
	 */
	void (*lookup_key)(const struct xvs_pkt *pkt, struct xvs_pkt *key);

	enum xvs_sched_verdict (*sched_check)(struct xvs_net *xnet,
					      const struct sk_buff *skb,
					      const struct xvs_pkt *pkt);
	/* A packet that starts a new connection on the same tuple. */
	bool (*is_new_conn)(const struct sk_buff *skb,
			    const struct xvs_pkt *pkt);
	/* May an old connection be replaced by such a packet? */
	bool (*conn_reusable)(const struct xvs_conn *cp, int reuse_mode);
	void (*state_transition)(struct xvs_conn *cp, enum xvs_dir dir,
				 const struct sk_buff *skb,
				 const struct xvs_pkt *pkt);
	const char *(*state_name)(unsigned int state);
	/* Rewrite ports and fix the checksum; false: drop the packet. */
	bool (*snat)(struct sk_buff *skb, const struct xvs_conn *cp,
		     const struct xvs_pkt *pkt);
	bool (*dnat)(struct sk_buff *skb, const struct xvs_conn *cp,
		     const struct xvs_pkt *pkt);
};

/*
 * Checksum helpers shared by TCP and UDP.  The transport checksum covers a
 * pseudo header holding both addresses, so NAT changes it twice: once for
 * the address, once for the port.  With CHECKSUM_PARTIAL the field holds
 * only the folded pseudo-header sum (the device adds the rest, ports
 * included), so only the address part changes, and not inverted.
 */
void xvs_l4_csum_nat(struct sk_buff *skb, __sum16 *check,
		     __be32 old_addr, __be32 new_addr,
		     __be16 old_port, __be16 new_port);
/* Full recomputation for an IPv4 transport header at thoff. */
__sum16 xvs_l4_csum_full(struct sk_buff *skb, unsigned int thoff,
			 __be32 saddr, __be32 daddr, u8 protocol);
/* The same two for addresses of either family. */
void xvs_l4_csum_nat_af(struct sk_buff *skb, __sum16 *check, u16 af,
			const union nf_inet_addr *old_addr,
			const union nf_inet_addr *new_addr,
			__be16 old_port, __be16 new_port);
__sum16 xvs_l4_csum_full_af(struct sk_buff *skb, unsigned int thoff, u16 af,
			    const union nf_inet_addr *saddr,
			    const union nf_inet_addr *daddr, u8 protocol);

extern const struct xvs_proto_ops xvs_proto_tcp_ops;
extern const struct xvs_proto_ops xvs_proto_udp_ops;
extern const struct xvs_proto_ops xvs_proto_sctp_ops;
extern const struct xvs_proto_ops xvs_proto_ah_ops;
extern const struct xvs_proto_ops xvs_proto_esp_ops;

static inline const struct xvs_proto_ops *xvs_proto_get(u8 protocol)
{
	switch (protocol) {
	case IPPROTO_TCP:
		return &xvs_proto_tcp_ops;
	case IPPROTO_UDP:
		return &xvs_proto_udp_ops;
	case IPPROTO_SCTP:
		return &xvs_proto_sctp_ops;
	case IPPROTO_AH:
		return &xvs_proto_ah_ops;
	case IPPROTO_ESP:
		return &xvs_proto_esp_ops;
	default:
		return NULL;
	}
}

#endif /* XVS_PROTO_KERN_H */
