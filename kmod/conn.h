/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xvs: connection entries.
 *
 * A connection is found from both directions through one key, its client
 * end (see core/xvs_hash.h); the full tuple is compared afterwards.  The
 * table holds one reference while the entry is hashed; packet handlers take
 * another for the time they use it and, when they give it back, push its
 * due time ('expires') to 'timeout' after now, so a connection expires
 * 'timeout' after its last packet.
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

/*
 * What few entries need, out of line so that every entry stays small:
 * an application helper's state and sequence translation (FTP control
 * connections, synced entries carrying a translation) or a persistence
 * engine's data (the templates of its services).  Allocated on first
 * need, published with a release store, freed with the entry.
 */
struct xvs_conn_ext {
	/* Application helper (app.c) or NULL; state and seqs under cp->lock. */
	const struct xvs_app_ops *app;
	unsigned long app_data;
	struct xvs_seq in_seq;		/* client -> server segments */
	struct xvs_seq out_seq;		/* server -> client segments */
	/* Persistence engine (its module held) and its data, or none. */
	const struct xvs_pe_ops *pe;
	u8 pe_data_len;
	char pe_data[];
};

/*
 * An entry is 240 bytes (x86-64, no lock debugging) and its cache is not
 * cache-line aligned: 17 entries to a page.  Fields read for every packet
 * come first.
 */
struct xvs_conn {
	struct rhlist_head node;	/* in the netns table, by key */
	/*
	 * The client end is the table key, held once: these fields are laid
	 * out as struct xvs_conn_key (core/xvs_hash.h), IPv4 addresses
	 * zero-padded.  A template with engine data has a digest of the
	 * data in cport (xvs_conn_shown_cport() gives the port it shows).
	 */
	union {
		struct xvs_conn_key key;
		struct {
			union nf_inet_addr caddr;	/* client */
			__be16 cport;
			u8 protocol;
			u8 af;
		};
	};
	__be16 vport;
	__be16 dport;
	struct xvs_net *xnet;
	union nf_inet_addr vaddr;	/* virtual service */
	union nf_inet_addr daddr;	/* real server */
	u32 fwmark;

	spinlock_t lock;		/* state, timeout, flag changes */
	unsigned int flags;		/* IP_VS_CONN_F_* */
	unsigned int timeout;		/* jiffies, for the next re-arm */
	refcount_t refcnt;
	atomic_t in_pkts;
	u16 state;			/* protocol state, core enums */
	/* Connection synchronisation (sync.c): the state last sent and
	 * when to send again (low two bits: retries).
	 */
	u16 old_state;
	/* IPv6: the route's validity cookie for dst->ops->check(). */
	u32 dst_cookie;
	struct timer_list timer;
	unsigned long sync_endtime;

	struct xvs_dest *dest;		/* holds a reference; may be NULL */
	/*
	 * The persistence template this connection was scheduled through
	 * (persist.c); holds a reference, so the template outlives it.
	 */
	struct xvs_conn *control;
	const struct xvs_proto_ops *pp;
	/*
	 * When the entry is due: its last packet's time plus the timeout
	 * (what IPVS keeps in its timer).  Packets only move this stamp; the
	 * timer, pending at or before it, re-arms itself for the rest when
	 * it fires, and is moved only to an earlier time (conn.c).
	 */
	unsigned long expires;
	/* Route to the real server, owned by the forwarding method. */
	struct dst_entry __rcu *dst_cache;
	/* Our source address on that route (tunnels), set with dst_cache. */
	union nf_inet_addr dst_saddr;

	struct xvs_conn_ext *ext;	/* or NULL */
	struct rcu_head rcu;
};

static_assert(offsetof(struct xvs_conn, caddr) ==
	      offsetof(struct xvs_conn, key) +
	      offsetof(struct xvs_conn_key, caddr));
static_assert(offsetof(struct xvs_conn, cport) ==
	      offsetof(struct xvs_conn, key) +
	      offsetof(struct xvs_conn_key, cport));
static_assert(offsetof(struct xvs_conn, protocol) ==
	      offsetof(struct xvs_conn, key) +
	      offsetof(struct xvs_conn_key, protocol));
static_assert(offsetof(struct xvs_conn, af) ==
	      offsetof(struct xvs_conn, key) +
	      offsetof(struct xvs_conn_key, af));
static_assert(sizeof(struct xvs_conn_key) == sizeof(union nf_inet_addr) + 4);

/* The extension, or NULL; for packet handlers (no lock needed). */
static inline struct xvs_conn_ext *xvs_conn_ext(const struct xvs_conn *cp)
{
	/* Pairs with the release in xvs_conn_ext_need(). */
	return smp_load_acquire(&cp->ext);
}

/*
 * The extension, made if missing (GFP_ATOMIC); NULL when out of memory.
 * Caller holds cp->lock or owns the entry before it is hashed.
 */
struct xvs_conn_ext *xvs_conn_ext_need(struct xvs_conn *cp);

static inline const struct xvs_app_ops *xvs_conn_app(const struct xvs_conn *cp)
{
	const struct xvs_conn_ext *ext = xvs_conn_ext(cp);

	return ext ? READ_ONCE(ext->app) : NULL;
}

/* Engine data of a template: its length, 0 for none. */
static inline unsigned int xvs_conn_pe_data_len(const struct xvs_conn *cp)
{
	const struct xvs_conn_ext *ext = xvs_conn_ext(cp);

	return ext ? ext->pe_data_len : 0;
}

/* The client port the entry shows (/proc, sync): see cport above. */
static inline __be16 xvs_conn_shown_cport(const struct xvs_conn *cp)
{
	return xvs_conn_pe_data_len(cp) ? 0 : READ_ONCE(cp->cport);
}

static inline unsigned int xvs_conn_fwd_method(const struct xvs_conn *cp)
{
	return READ_ONCE(cp->flags) & IP_VS_CONN_F_FWD_MASK;
}

/* The methods of a forwarding method (IP_VS_CONN_F_*); NULL: unsupported. */
static inline const struct xvs_xmit_ops *xvs_conn_xmit_ops(unsigned int method)
{
	switch (method) {
	case IP_VS_CONN_F_MASQ:
		return &xvs_xmit_nat;
	case IP_VS_CONN_F_DROUTE:
		return &xvs_xmit_dr;
	case IP_VS_CONN_F_TUNNEL:
		return &xvs_xmit_tun;
	case IP_VS_CONN_F_LOCALNODE:
		return &xvs_xmit_local;
	case IP_VS_CONN_F_BYPASS:
		return &xvs_xmit_bypass;
	default:
		/* Not implemented yet: packets continue unchanged. */
		return NULL;
	}
}

/* How the connection's packets are sent, from its method; NULL: unchanged. */
static inline const struct xvs_xmit_ops *xvs_conn_xmit(const struct xvs_conn *cp)
{
	return xvs_conn_xmit_ops(xvs_conn_fwd_method(cp));
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
