// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: the SIP persistence engine (ipvsadm --pe sip).
 *
 * A SIP service is persistent per call: the template stands for the
 * client's network, the service and the Call-ID of the SIP message, so
 * every datagram of one call reaches the same real server while calls
 * spread.  As in IPVS only UDP is understood; a datagram of a persistent
 * SIP service that is not UDP or has no usable Call-ID is dropped.
 */
#define pr_fmt(fmt) "xvs: " fmt

#include <linux/kernel.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <net/ipv6.h>

#include "xvs.h"
#include "conn.h"
#include "pe.h"
#include "persist.h"
#include "core/xvs_pe_sip.h"

static_assert(XVS_PE_DATA_MAXLEN == IP_VS_PEDATA_MAXLEN);

/*
 * The Call-ID of a non-linear datagram is searched in a copy; a Call-ID
 * lies within the first bytes of a message in practice, but the search
 * must see what IPVS sees (the whole datagram), so the copy is whole.
 */
static int xvs_sip_fill_param(struct xvs_conn_param *p,
			      const struct sk_buff *skb,
			      const struct xvs_pkt *pkt, char *buf)
{
	unsigned int dataoff = pkt->thoff + sizeof(struct udphdr);
	size_t off, len, datalen;
	const char *data;
	char *copy = NULL;
	bool found;

	if (pkt->protocol != IPPROTO_UDP || dataoff >= skb->len)
		return -EINVAL;
	datalen = skb->len - dataoff;
	if (skb_headlen(skb) >= skb->len) {
		data = skb->data + dataoff;
	} else {
		copy = kmalloc(datalen, GFP_ATOMIC);
		if (!copy)
			return -ENOMEM;
		if (skb_copy_bits(skb, dataoff, copy, datalen)) {
			kfree(copy);
			return -EINVAL;
		}
		data = copy;
	}

	found = xvs_sip_callid(data, datalen, &off, &len);
	if (found)
		memcpy(buf, data + off, len);
	kfree(copy);
	if (!found)
		return -EINVAL;
	p->pe_data = buf;
	p->pe_data_len = len;
	return 0;
}

static bool xvs_sip_ct_match(const struct xvs_conn_param *p,
			     const struct xvs_conn *ct)
{
	/* The caller compared family, client net, service and the engine. */
	const struct xvs_conn_ext *ext = xvs_conn_ext(ct);

	return ext->pe_data_len == p->pe_data_len &&
	       !memcmp(ext->pe_data, p->pe_data, p->pe_data_len);
}

static int xvs_sip_show_pe_data(const struct xvs_conn *cp, char *buf)
{
	const struct xvs_conn_ext *ext = xvs_conn_ext(cp);

	memcpy(buf, ext->pe_data, ext->pe_data_len);
	return ext->pe_data_len;
}

/* A SIP server behind us calls a client (BYE, re-INVITE...): UDP only. */
static struct xvs_conn *xvs_sip_conn_out(struct xvs_net *xnet,
					 struct xvs_service *svc,
					 struct xvs_dest *dest,
					 const struct sk_buff *skb,
					 const struct xvs_pkt *pkt)
{
	if (pkt->protocol != IPPROTO_UDP)
		return NULL;
	return xvs_persist_conn_out(xnet, svc, dest, skb, pkt);
}

const struct xvs_pe_ops xvs_pe_sip = {
	.name = "sip",
	.fill_param = xvs_sip_fill_param,
	.ct_match = xvs_sip_ct_match,
	.show_pe_data = xvs_sip_show_pe_data,
	.conn_out = xvs_sip_conn_out,
};
