// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: AH and ESP glue.  IPsec packets carry no ports and are never
 * scheduled on their own: a client first negotiates its SAs with IKE over
 * UDP port 500, which a UDP service (usually persistent) balances like any
 * datagram.  AH and ESP packets then follow the connection of that IKE
 * exchange between the same two hosts, so both end up on the same real
 * server.  Nothing in them is rewritten but the IP addresses (NAT), and
 * they do not change the state or the timeout of the IKE connection.
 */
#include <linux/kernel.h>
#include <linux/skbuff.h>

#include "xvs.h"
#include "conn.h"
#include "proto.h"

#define XVS_ISAKMP_PORT		htons(500)

/* Packets of a connection find it as if they were IKE datagrams. */
static void ah_esp_lookup_key(const struct xvs_pkt *pkt, struct xvs_pkt *key)
{
	*key = *pkt;
	key->protocol = IPPROTO_UDP;
	key->sport = XVS_ISAKMP_PORT;
	key->dport = XVS_ISAKMP_PORT;
}

/* Related traffic only: without an IKE connection it passes untouched. */
static enum xvs_sched_verdict ah_esp_sched_check(struct xvs_net *xnet,
						 const struct sk_buff *skb,
						 const struct xvs_pkt *pkt)
{
	return XVS_SCHED_ACCEPT;
}

static bool ah_esp_is_new_conn(const struct sk_buff *skb,
			       const struct xvs_pkt *pkt)
{
	return false;
}

static bool ah_esp_conn_reusable(const struct xvs_conn *cp, int reuse_mode)
{
	return false;
}

static void ah_esp_state_transition(struct xvs_conn *cp, enum xvs_dir dir,
				    const struct sk_buff *skb,
				    const struct xvs_pkt *pkt)
{
}

/* The connection is a UDP one: its state names are UDP's. */
static const char *ah_esp_state_name(unsigned int state)
{
	return xvs_udp_state_name(state);
}

/* No ports, and the integrity checks are end to end: nothing to do. */
static bool ah_esp_nat(struct sk_buff *skb, const struct xvs_conn *cp,
		       const struct xvs_pkt *pkt)
{
	return true;
}

const struct xvs_proto_ops xvs_proto_ah_ops = {
	.protocol = IPPROTO_AH,
	.lookup_key = ah_esp_lookup_key,
	.sched_check = ah_esp_sched_check,
	.is_new_conn = ah_esp_is_new_conn,
	.conn_reusable = ah_esp_conn_reusable,
	.state_transition = ah_esp_state_transition,
	.state_name = ah_esp_state_name,
	.snat = ah_esp_nat,
	.dnat = ah_esp_nat,
};

const struct xvs_proto_ops xvs_proto_esp_ops = {
	.protocol = IPPROTO_ESP,
	.lookup_key = ah_esp_lookup_key,
	.sched_check = ah_esp_sched_check,
	.is_new_conn = ah_esp_is_new_conn,
	.conn_reusable = ah_esp_conn_reusable,
	.state_transition = ah_esp_state_transition,
	.state_name = ah_esp_state_name,
	.snat = ah_esp_nat,
	.dnat = ah_esp_nat,
};
