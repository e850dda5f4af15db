/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xvs: connection entries.
 *
 * A connection is found from both directions through one key, its client
 * end (see core/xvs_hash.h); the full tuple is compared afterwards.  The
 * table holds one reference while the entry is hashed; packet handlers take
 * another for the time they use it and re-arm the expiry timer when they
 * give it back, so a connection expires 'timeout' after its last packet.
 */
#ifndef XVS_CONN_H
#define XVS_CONN_H

#include <linux/rhashtable.h>
#include <linux/timer.h>
#include <linux/spinlock.h>
#include <linux/refcount.h>
#include <net/dst.h>

#include "xvs.h"
#include "proto.h"
#include "xmit.h"

#include "core/xvs_app.h"	/* struct xvs_seq */

struct xvs_app_ops;
struct xvs_pe_ops;

struct xvs_conn {
	struct rhlist_head node;	/* in the netns table, by key */
	struct xvs_conn_key key;	/* client end */
	struct xvs_net *xnet;

	u16 af;
	u8 protocol;
	__be16 cport;
	__be16 vport;
	__be16 dport;
	union nf_inet_addr caddr;	/* client */
	union nf_inet_addr vaddr;	/* virtual service */
	union nf_inet_addr daddr;	/* real server */
	u32 fwmark;

	spinlock_t lock;		/* state, timeout, flag changes */
	unsigned int flags;		/* IP_VS_CONN_F_* */
	u16 state;			/* protocol state, core enums */
	unsigned int timeout;		/* jiffies, for the next re-arm */
	refcount_t refcnt;
	struct timer_list timer;
	atomic_t in_pkts;
	/* Connection synchronisation (sync.c): the state last sent and
	 * when to send again (low two bits: retries).
	 */
	u16 old_state;
	unsigned long sync_endtime;

	struct xvs_dest *dest;		/* holds a reference; may be NULL */
	/*
	 * The persistence template this connection was scheduled through
	 * (persist.c); holds a reference, so the template outlives it.
	 */
	struct xvs_conn *control;
	const struct xvs_proto_ops *pp;
	const struct xvs_xmit_ops *xmit;	/* NULL: method unsupported */
	/* Route to the real server, owned by the forwarding method. */
	struct dst_entry __rcu *dst_cache;
	/* Our source address on that route (tunnels), set with dst_cache. */
	union nf_inet_addr dst_saddr;
	/* IPv6: the route's validity cookie for dst->ops->check(). */
	u32 dst_cookie;

	/*
	 * Application helper (app.c) bound at creation, or NULL; its state
	 * and the sequence translation below are under 'lock'.
	 */
	const struct xvs_app_ops *app;
	unsigned long app_data;
	struct xvs_seq in_seq;		/* client -> server segments */
	struct xvs_seq out_seq;		/* server -> client segments */

	/*
	 * Persistence engine data of a template (pe.h): the engine (its
	 * module held) and a copy of the data, out of line.  Set at
	 * creation, freed with the entry.
	 */
	const struct xvs_pe_ops *pe;
	char *pe_data;
	u8 pe_data_len;

	struct rcu_head rcu;
};

static inline unsigned int xvs_conn_fwd_method(const struct xvs_conn *cp)
{
	return READ_ONCE(cp->flags) & IP_VS_CONN_F_FWD_MASK;
}

/*
 * Where the connection's packets are routed: its real server, or for a
 * bypass entry (no real server, daddr 0 as IPVS shows it) the address the
 * client asked for, which is the entry's virtual address.
 */
static inline const union nf_inet_addr *xvs_conn_route_addr(const struct xvs_conn *cp)
{
	return xvs_conn_fwd_method(cp) == IP_VS_CONN_F_BYPASS ? &cp->vaddr :
								 &cp->daddr;
}

/* Lookups; caller holds rcu_read_lock(); a hit comes with a reference. */
struct xvs_conn *xvs_conn_in_get(struct xvs_net *xnet,
				 const struct xvs_pkt *pkt);
struct xvs_conn *xvs_conn_out_get(struct xvs_net *xnet,
				  const struct xvs_pkt *pkt);

/*
 * Creates a connection client->vaddr:vport bound to dest (a reference is
 * taken) and hashes it.  Returns it with a reference for the caller, or
 * NULL when out of memory or when dest is going away.
 */
struct xvs_conn *xvs_conn_new(struct xvs_net *xnet,
			      const struct xvs_pkt *pkt,
			      const union nf_inet_addr *vaddr, __be16 vport,
			      struct xvs_dest *dest, unsigned int flags,
			      u32 fwmark);

/* The identity of a connection or template to create or look up. */
struct xvs_conn_param {
	u16 af;
	u8 protocol;			/* IPPROTO_IP: fwmark template */
	const union nf_inet_addr *caddr;
	__be16 cport;
	const union nf_inet_addr *vaddr;	/* the fwmark for IPPROTO_IP */
	__be16 vport;
	/* Real server address; NULL: the destination's (app helpers). */
	const union nf_inet_addr *daddr;
	/*
	 * Templates of a service with a persistence engine: the engine and
	 * its data (pe_data_len 0: none).  Creation copies the data.
	 */
	const struct xvs_pe_ops *pe;
	const char *pe_data;
	u8 pe_data_len;
};

/*
 * xvs_conn_new() for any identity: connections and persistence templates
 * (IP_VS_CONN_F_TEMPLATE in flags).  A template's timer starts with the
 * caller's xvs_conn_put().  @dest may be NULL only for the sync backup
 * (IP_VS_CONN_F_SYNC: the entry then forwards with the method in @flags
 * until xvs_conn_bind_synced() binds it) and for bypass entries
 * (IP_VS_CONN_F_BYPASS, @p->daddr the zero address).
 */
struct xvs_conn *xvs_conn_create(struct xvs_net *xnet,
				 const struct xvs_conn_param *p,
				 struct xvs_dest *dest, __be16 dport,
				 unsigned int flags, u32 fwmark);

/*
 * Binds a synced entry made without a destination to @dest (which now
 * exists); a no-op if it is bound already.  Caller holds a reference.
 */
void xvs_conn_bind_synced(struct xvs_conn *cp, struct xvs_dest *dest);

/* The template of @p with a reference, or NULL; caller holds RCU. */
struct xvs_conn *xvs_conn_template_get(struct xvs_net *xnet,
				       const struct xvs_conn_param *p);

/*
 * Makes @cp controlled by the template @ct: @ct stays while @cp exists.
 * Caller holds references on both.
 */
void xvs_conn_control_add(struct xvs_conn *cp, struct xvs_conn *ct);

/*
 * Takes a template out of service: later lookups miss it; it stays
 * listed (ports 65535) until it expires.  Does not drop any reference.
 */
void xvs_conn_template_invalidate(struct xvs_conn *ct);

/* Template states, as /proc/net/ip_vs_conn names them. */
#define XVS_CTPL_S_NONE		0
#define XVS_CTPL_S_ASSURED	1

/*
 * The connection proved to work (TCP established, UDP answered): its
 * template, if any, is marked assured, as IPVS shows it.
 */
static inline void xvs_conn_assure_template(struct xvs_conn *cp)
{
	struct xvs_conn *ct = cp->control;

	/* An FTP control connection controls its data connections too. */
	if (ct && (READ_ONCE(ct->flags) & IP_VS_CONN_F_TEMPLATE) &&
	    READ_ONCE(ct->state) != XVS_CTPL_S_ASSURED)
		WRITE_ONCE(ct->state, XVS_CTPL_S_ASSURED);
}

/* Gives back a reference and re-arms the expiry timer. */
void xvs_conn_put(struct xvs_conn *cp);
/* Gives back a reference without touching the timer. */
static inline void __xvs_conn_put(struct xvs_conn *cp)
{
	/* Our updates to the entry must be visible before it can expire. */
	smp_mb__before_atomic();
	refcount_dec(&cp->refcnt);
}

/*
 * Drops the routes through 'dev' that connections cached, so that they
 * do not keep a device that goes away; the next packet looks its route
 * up again.  Process context.
 */
void xvs_conn_drop_routes(struct xvs_net *xnet, const struct net_device *dev);

/* Makes the connection expire at once (caller holds a ref or RCU). */
void xvs_conn_expire_now(struct xvs_conn *cp);

/*
 * Protocol state change with IPVS's active/inactive accounting; caller
 * holds cp->lock.  Sets the timeout of the new state from 'timeouts'.
 */
void xvs_conn_set_state(struct xvs_conn *cp, unsigned int new_state,
			const unsigned int *timeouts);

#endif /* XVS_CONN_H */
