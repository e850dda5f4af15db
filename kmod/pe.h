/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xvs: persistence engines (ipvsadm --pe NAME).
 *
 * A persistence engine refines what a persistence template stands for:
 * beside the client's network and the service, the template carries data
 * the engine takes from the packet (for SIP, the Call-ID), and a template
 * only serves packets with the same data.  The engine is bound to a
 * service; the templates it made keep a pointer to it and a copy of their
 * data, in the entry's out-of-line extension (struct xvs_conn_ext).
 */
#ifndef XVS_PE_H
#define XVS_PE_H

#include <linux/list.h>
#include <linux/skbuff.h>

#include "xvs.h"
#include "proto.h"

struct xvs_conn;
struct xvs_conn_param;
struct module;

struct xvs_pe_ops {
	const char *name;		/* shorter than IP_VS_PENAME_MAXLEN */
	/* NULL for xvs's own engines, else THIS_MODULE of the engine's */
	struct module *owner;
	struct list_head list;		/* registry (pe.c); engines in modules */
	/*
	 * Sets p->pe_data and p->pe_data_len from the packet, which
	 * opens a new connection of a persistent service.  The data may
	 * point into @buf (XVS_PE_DATA_MAX bytes, the caller's) or into the
	 * packet, and is valid while both are.  Returns 0, or -errno: the
	 * packet is then dropped, as IPVS drops it.
	 */
	int (*fill_param)(struct xvs_conn_param *p, const struct sk_buff *skb,
			  const struct xvs_pkt *pkt, char *buf);
	/*
	 * Is @ct, a template of this engine with the same family, client
	 * network, protocol and virtual address and port as @p (conn.c
	 * compared those), the template of @p's data?
	 */
	bool (*ct_match)(const struct xvs_conn_param *p,
			 const struct xvs_conn *ct);
	/*
	 * Writes the data as /proc/net/ip_vs_conn shows them into @buf
	 * (IP_VS_PEDATA_MAXLEN bytes); returns their length.
	 */
	int (*show_pe_data)(const struct xvs_conn *cp, char *buf);
	/*
	 * Optional.  @pkt (ports set) left the NAT real server @dest of
	 * @svc and belongs to no connection: the real server starts a
	 * request.  Returns the connection made for it, the other way round
	 * (the packet's destination is the client), with a reference, or
	 * NULL to let the packet pass as it is.  Caller holds RCU.
	 */
	struct xvs_conn *(*conn_out)(struct xvs_net *xnet,
				     struct xvs_service *svc,
				     struct xvs_dest *dest,
				     const struct sk_buff *skb,
				     const struct xvs_pkt *pkt);
};

/* Size of the buffer fill_param may use. */
#define XVS_PE_DATA_MAX		IP_VS_PEDATA_MAXLEN

/*
 * The engine of that name with a reference (on its module), or NULL.
 * Any context (the sync receiver uses it too).
 */
const struct xvs_pe_ops *xvs_pe_get(const char *name);
/* Another reference on an engine already held (NULL: nothing). */
void xvs_pe_hold(const struct xvs_pe_ops *pe);
/* Any context; NULL: nothing. */
void xvs_pe_put(const struct xvs_pe_ops *pe);

/*
 * Exported (GPL) for engines in other modules.  Services and templates
 * using an engine hold its module, so unregistering (from the module's
 * exit) never races with a user; a grace period must still pass before
 * the ops go away.
 */
int xvs_register_pe(struct xvs_pe_ops *pe);
int xvs_unregister_pe(struct xvs_pe_ops *pe);

/* The SIP engine (pe_sip.c), built in. */
extern const struct xvs_pe_ops xvs_pe_sip;

#endif /* XVS_PE_H */
