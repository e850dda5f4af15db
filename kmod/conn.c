// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: connection table, life cycle of connection entries and
 * /proc/net/ip_vs_conn{,_sync}.
 *
 * The table is a resizable rhltable per network namespace.  All entries of
 * one client end share a key, so duplicates are expected (one client
 * talking to several services, or an old entry about to expire next to its
 * replacement); lookups walk the duplicates and compare the full tuple.
 * Readers take no lock.  Writers are the packet path (insert) and the
 * expiry timer (remove); each entry is removed exactly once, by whoever
 * drops the table's reference.
 */
#define pr_fmt(fmt) "xvs: " fmt

#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/siphash.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/inet.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>

#include "xvs.h"
#include "conn.h"
#include "nfct.h"
#include "app.h"
#include "pe.h"
#include "svc_timeout.h"

/* Delay before retrying to expire an entry somebody still uses. */
#define XVS_CONN_BUSY_RETRY	(60 * HZ)
/* Lifetime of a fresh entry until its protocol sets a state timeout. */
#define XVS_CONN_INITIAL_TIMEOUT	(3 * HZ)

struct xvs_conn_table {
	struct rhltable rhlt;
	/*
	 * drop_entry's sweep (defense work only): where it stopped, and
	 * IPVS's per-packet-count countdowns of xvs_conn_drop_ok().
	 */
	struct rhashtable_iter drop_iter;
	bool drop_walking;
	s8 drop_countdown[9];
};

/*
 * The slab cache and the hash secret are shared by all namespaces.  The
 * cache lives while at least one namespace has a table, so that pending RCU
 * frees of the last namespace complete before it is destroyed.
 */
static DEFINE_MUTEX(xvs_conn_cache_mutex);
static struct kmem_cache *xvs_conn_cache;
static unsigned int xvs_conn_cache_users;
static siphash_key_t xvs_conn_secret __read_mostly;

/*
 * rhashtable gives a per-table seed that changes on rehash; mixing it into
 * the secret key keeps a rehash from reproducing the same collisions.
 */
static __always_inline u32 xvs_conn_rht_hash(const void *data, u32 len, u32 seed)
{
	siphash_key_t key = xvs_conn_secret;

	key.key[0] ^= seed;
	return xvs_conn_key_hash(data, &key);
}

static const struct rhashtable_params xvs_conn_rht_params = {
	.head_offset = offsetof(struct xvs_conn, node),
	.key_offset = offsetof(struct xvs_conn, key),
	.key_len = sizeof(struct xvs_conn_key),
	.hashfn = xvs_conn_rht_hash,
	.nelem_hint = 256,
	.automatic_shrinking = true,
};

static inline struct xvs_conn_table *xvs_conn_tab(struct xvs_net *xnet)
{
	return xnet->conn_tab;
}

static inline bool xvs_addr_eq(u16 af, const union nf_inet_addr *a,
			       const union nf_inet_addr *b)
{
	if (af == AF_INET)
		return a->ip == b->ip;
	return ipv6_addr_equal(&a->in6, &b->in6);
}

/* ---- lookups ------------------------------------------------------------ */

static struct rhlist_head *xvs_conn_bucket(struct xvs_net *xnet, u16 af,
					   u8 protocol,
					   const union nf_inet_addr *caddr,
					   __be16 cport)
{
	struct xvs_conn_table *tab = xvs_conn_tab(xnet);
	struct xvs_conn_key key;

	xvs_conn_key_init(&key, af, protocol, caddr->all, cport);
	return rhltable_lookup(&tab->rhlt, &key, xvs_conn_rht_params);
}

/*
 * An entry created without client port (an application helper expects a
 * connection from the client, from a port it does not know yet) gets the
 * port of the first packet and moves to the key of its full client end.
 * If the insert under the new key fails the entry stays unreachable and
 * expires; its removal then finds nothing to remove, which is harmless.
 */
static void xvs_conn_fill_cport(struct xvs_conn *cp, __be16 cport)
{
	struct xvs_conn_table *tab = xvs_conn_tab(cp->xnet);
	int err;

	spin_lock_bh(&cp->lock);
	if ((cp->flags & (IP_VS_CONN_F_NO_CPORT | IP_VS_CONN_F_HASHED)) ==
	    (IP_VS_CONN_F_NO_CPORT | IP_VS_CONN_F_HASHED)) {
		rhltable_remove(&tab->rhlt, &cp->node, xvs_conn_rht_params);
		WRITE_ONCE(cp->cport, cport);	/* the key's port */
		err = rhltable_insert(&tab->rhlt, &cp->node,
				      xvs_conn_rht_params);
		if (unlikely(err))
			net_warn_ratelimited("connection table insert failed: %d\n",
					     err);
		WRITE_ONCE(cp->flags, cp->flags & ~IP_VS_CONN_F_NO_CPORT);
		atomic_dec(&cp->xnet->conn_no_cport);
	}
	spin_unlock_bh(&cp->lock);
}

/* Packet from the client: source is the client, destination the VIP. */
struct xvs_conn *xvs_conn_in_get(struct xvs_net *xnet,
				 const struct xvs_pkt *pkt)
{
	struct rhlist_head *list, *pos;
	struct xvs_conn *cp;

	list = xvs_conn_bucket(xnet, pkt->af, pkt->protocol, &pkt->saddr,
			       pkt->sport);
	rhl_for_each_entry_rcu(cp, pos, list, node) {
		if (cp->vport == pkt->dport &&
		    xvs_addr_eq(pkt->af, &cp->vaddr, &pkt->daddr) &&
		    !(READ_ONCE(cp->flags) & IP_VS_CONN_F_TEMPLATE) &&
		    refcount_inc_not_zero(&cp->refcnt))
			return cp;
	}
	if (likely(!atomic_read(&xnet->conn_no_cport)) || !pkt->sport)
		return NULL;

	/* An expected connection whose client port is still unknown. */
	list = xvs_conn_bucket(xnet, pkt->af, pkt->protocol, &pkt->saddr, 0);
	rhl_for_each_entry_rcu(cp, pos, list, node) {
		if ((READ_ONCE(cp->flags) & IP_VS_CONN_F_NO_CPORT) &&
		    cp->vport == pkt->dport &&
		    xvs_addr_eq(pkt->af, &cp->vaddr, &pkt->daddr) &&
		    refcount_inc_not_zero(&cp->refcnt)) {
			xvs_conn_fill_cport(cp, pkt->sport);
			return cp;
		}
	}
	return NULL;
}

/*
 * Packet from a real server: destination is the client.  Only NAT real
 * servers answer from their own address; the others (direct routing,
 * tunnels) answer from the virtual service, and are matched by it when
 * their replies happen to pass through us, as IPVS does.
 */
struct xvs_conn *xvs_conn_out_get(struct xvs_net *xnet,
				  const struct xvs_pkt *pkt)
{
	struct rhlist_head *list, *pos;
	struct xvs_conn *cp;

	list = xvs_conn_bucket(xnet, pkt->af, pkt->protocol, &pkt->daddr,
			       pkt->dport);
	rhl_for_each_entry_rcu(cp, pos, list, node) {
		bool masq = (READ_ONCE(cp->flags) & IP_VS_CONN_F_FWD_MASK) ==
			    IP_VS_CONN_F_MASQ;

		if ((masq ? cp->dport : cp->vport) == pkt->sport &&
		    xvs_addr_eq(pkt->af, masq ? &cp->daddr : &cp->vaddr,
				&pkt->saddr) &&
		    !(READ_ONCE(cp->flags) & IP_VS_CONN_F_TEMPLATE) &&
		    refcount_inc_not_zero(&cp->refcnt))
			return cp;
	}
	return NULL;
}

/*
 * Templates live in the same table: their client end is the masked client
 * address with port 0, and their protocol is IPPROTO_IP for fwmark
 * services, whose "virtual address" is the mark.
 */
/*
 * A template with persistence engine data is keyed with a digest of the
 * data in place of the client port (always 0 in a template), so that the
 * many calls of one SIP proxy do not share one chain of the table.
 */
static __be16 xvs_conn_pe_key_port(const struct xvs_conn_param *p)
{
	return (__force __be16)(u16)siphash(p->pe_data, p->pe_data_len,
				       &xvs_conn_secret);
}

/*
 * Does template @ct serve a lookup with engine data @p (NULL: a lookup
 * without engine data, which finds only templates without)?
 */
static bool xvs_conn_pe_match(const struct xvs_conn *ct,
			      const struct xvs_conn_param *p)
{
	const struct xvs_conn_ext *ext = xvs_conn_ext(ct);

	if (!p)
		return !ext || !ext->pe_data_len;
	return ext && ext->pe == p->pe && p->pe->ct_match(p, ct);
}

/*
 * As IPVS, a template made by an engine serves only lookups of the same
 * engine and data; a lookup without engine data finds only templates
 * without it.
 */
struct xvs_conn *xvs_conn_template_get(struct xvs_net *xnet,
				       const struct xvs_conn_param *p)
{
	bool pe = p->pe && p->pe_data_len;
	struct rhlist_head *list, *pos;
	struct xvs_conn *cp;

	list = xvs_conn_bucket(xnet, p->af, p->protocol, p->caddr,
			       pe ? xvs_conn_pe_key_port(p) : p->cport);
	rhl_for_each_entry_rcu(cp, pos, list, node) {
		if ((READ_ONCE(cp->flags) & IP_VS_CONN_F_TEMPLATE) &&
		    READ_ONCE(cp->vport) == p->vport &&
		    xvs_addr_eq(p->protocol == IPPROTO_IP ? AF_INET6 : p->af,
				&cp->vaddr, p->vaddr) &&
		    xvs_conn_pe_match(cp, pe ? p : NULL) &&
		    refcount_inc_not_zero(&cp->refcnt))
			return cp;
	}
	return NULL;
}

void xvs_conn_control_add(struct xvs_conn *cp, struct xvs_conn *ct)
{
	refcount_inc(&ct->refcnt);
	cp->control = ct;
}

void xvs_conn_template_invalidate(struct xvs_conn *ct)
{
	spin_lock_bh(&ct->lock);
	/* Client end (the key) unchanged: only the ports lookups compare. */
	if ((ct->flags & IP_VS_CONN_F_HASHED) &&
	    ct->vport != htons(0xffff)) {
		WRITE_ONCE(ct->dport, htons(0xffff));
		WRITE_ONCE(ct->vport, htons(0xffff));
	}
	spin_unlock_bh(&ct->lock);
}

/* ---- destination binding ----------------------------------------------- */

static unsigned int xvs_dest_total_conns(const struct xvs_dest *dest)
{
	int n = atomic_read(&dest->sched.activeconns) +
		atomic_read(&dest->sched.inactconns);

	return n > 0 ? n : 0;
}

/* Takes a reference on dest; false when it is already being freed. */
static bool xvs_conn_bind_dest(struct xvs_conn *cp, struct xvs_dest *dest)
{
	unsigned int conn_flags;
	u32 upper;

	if (!refcount_inc_not_zero(&dest->refcnt))
		return false;

	/* The method, NOOUTPUT and INACTIVE come from the destination. */
	conn_flags = READ_ONCE(dest->conn_flags) | IP_VS_CONN_F_INACTIVE;
	/*
	 * A synced connection keeps the activity its master reported; the
	 * master's method it used while unbound gives way to ours.
	 */
	if (cp->flags & IP_VS_CONN_F_SYNC) {
		if (!(cp->flags & IP_VS_CONN_F_TEMPLATE))
			conn_flags &= ~IP_VS_CONN_F_INACTIVE;
		conn_flags |= cp->flags & ~(IP_VS_CONN_F_FWD_MASK |
					    IP_VS_CONN_F_NOOUTPUT);
	} else {
		conn_flags |= cp->flags;
	}
	if (cp->protocol != IPPROTO_UDP || (cp->flags & IP_VS_CONN_F_TEMPLATE))
		conn_flags &= ~IP_VS_CONN_F_ONE_PACKET;
	WRITE_ONCE(cp->flags, conn_flags);
	WRITE_ONCE(cp->dest, dest);

	/* A template counts as PersistConn, never as a connection. */
	if (cp->flags & IP_VS_CONN_F_TEMPLATE) {
		atomic_inc(&dest->sched.persistconns);
		return true;
	}

	if (cp->flags & IP_VS_CONN_F_INACTIVE)
		atomic_inc(&dest->sched.inactconns);
	else
		atomic_inc(&dest->sched.activeconns);
	/*
	 * The control plane owns the OVERLOAD decision; tell it when this
	 * connection reaches the upper threshold.  ">=" rather than IPVS's
	 * "==" because active and inactive are two counters here and a
	 * concurrent bind may step over the exact value.
	 */
	upper = READ_ONCE(dest->sched.u_threshold);
	if (upper && xvs_dest_total_conns(dest) >= upper &&
	    !(READ_ONCE(dest->sched.flags) & XVS_DEST_F_OVERLOAD))
		xvs_dest_update_overload(dest, 1);
	return true;
}

static void xvs_conn_unbind_dest(struct xvs_conn *cp)
{
	struct xvs_dest *dest = cp->dest;

	if (!dest)
		return;
	if (cp->flags & IP_VS_CONN_F_TEMPLATE) {
		atomic_dec(&dest->sched.persistconns);
		cp->dest = NULL;
		xvs_dest_put(dest);
		return;
	}
	if (cp->flags & IP_VS_CONN_F_INACTIVE)
		atomic_dec(&dest->sched.inactconns);
	else
		atomic_dec(&dest->sched.activeconns);

	/* Overload ends once the total falls below the lower threshold. */
	if ((READ_ONCE(dest->sched.flags) & XVS_DEST_F_OVERLOAD) &&
	    xvs_dest_total_conns(dest) < READ_ONCE(dest->l_threshold_eff))
		xvs_dest_update_overload(dest, -1);

	cp->dest = NULL;
	xvs_dest_put(dest);
}

void xvs_conn_set_state(struct xvs_conn *cp, unsigned int new_state,
			const unsigned int *timeouts)
{
	lockdep_assert_held(&cp->lock);

	if (new_state != cp->state && cp->dest) {
		struct xvs_dest *dest = cp->dest;
		bool active = cp->protocol == IPPROTO_SCTP ?
			      xvs_sctp_state_active(new_state) :
			      xvs_tcp_state_active(new_state);

		if (!(cp->flags & IP_VS_CONN_F_INACTIVE) && !active) {
			atomic_dec(&dest->sched.activeconns);
			atomic_inc(&dest->sched.inactconns);
			WRITE_ONCE(cp->flags, cp->flags | IP_VS_CONN_F_INACTIVE);
		} else if ((cp->flags & IP_VS_CONN_F_INACTIVE) && active) {
			atomic_inc(&dest->sched.activeconns);
			atomic_dec(&dest->sched.inactconns);
			WRITE_ONCE(cp->flags,
				   cp->flags & ~IP_VS_CONN_F_INACTIVE);
		}
	}
	if (new_state != cp->state &&
	    ((cp->protocol == IPPROTO_TCP &&
	      new_state == XVS_TCP_S_ESTABLISHED) ||
	     (cp->protocol == IPPROTO_SCTP &&
	      new_state == XVS_SCTP_S_ESTABLISHED)))
		xvs_conn_assure_template(cp);
	cp->state = new_state;
	cp->timeout = xvs_svc_state_timeout(cp, new_state) ?:
		      READ_ONCE(timeouts[new_state]);
}

/* ---- creation and expiry ----------------------------------------------- */

struct xvs_conn_ext *xvs_conn_ext_need(struct xvs_conn *cp)
{
	struct xvs_conn_ext *ext = cp->ext;

	if (ext)
		return ext;
	ext = kzalloc(sizeof(*ext), GFP_ATOMIC);
	if (ext) {
		/* Packet handlers read it without the lock: publish it filled. */
		smp_store_release(&cp->ext, ext);
	}
	return ext;
}

static void xvs_conn_free(struct xvs_conn *cp)
{
	if (cp->ext) {
		xvs_pe_put(cp->ext->pe);
		kfree(cp->ext);
	}
	kmem_cache_free(xvs_conn_cache, cp);
}

static void xvs_conn_free_rcu(struct rcu_head *head)
{
	xvs_conn_free(container_of(head, struct xvs_conn, rcu));
}

/*
 * Drops the table's reference and unhashes the entry if nobody else holds
 * one.  Returns true when the caller now owns the entry for freeing.
 */
static bool xvs_conn_unlink(struct xvs_conn *cp)
{
	struct xvs_conn_table *tab = xvs_conn_tab(cp->xnet);
	bool unlinked = false;

	if (cp->flags & IP_VS_CONN_F_ONE_PACKET)
		return refcount_dec_if_one(&cp->refcnt);

	spin_lock_bh(&cp->lock);
	if ((cp->flags & IP_VS_CONN_F_HASHED) &&
	    refcount_dec_if_one(&cp->refcnt)) {
		rhltable_remove(&tab->rhlt, &cp->node, xvs_conn_rht_params);
		WRITE_ONCE(cp->flags, cp->flags & ~IP_VS_CONN_F_HASHED);
		unlinked = true;
	}
	spin_unlock_bh(&cp->lock);
	return unlinked;
}

static void xvs_conn_expire(struct xvs_conn *cp)
{
	struct xvs_net *xnet = cp->xnet;

	if (xvs_conn_unlink(cp)) {
		struct xvs_conn *ct = cp->control;

		/* Nobody can re-arm it now: there are no references left. */
		del_timer(&cp->timer);
		dst_release(rcu_replace_pointer(cp->dst_cache, NULL, true));
		/* The template stays until its own timer says otherwise. */
		if (ct) {
			cp->control = NULL;
			__xvs_conn_put(ct);
		}
		xvs_conn_unbind_dest(cp);
		xvs_nfct_conn_gone(cp);
		atomic_dec(&xnet->conn_count);
		if (cp->flags & IP_VS_CONN_F_NO_CPORT)
			atomic_dec(&xnet->conn_no_cport);
		if (cp->flags & IP_VS_CONN_F_ONE_PACKET)
			/* Never hashed, so no reader can see it. */
			xvs_conn_free(cp);
		else
			call_rcu(&cp->rcu, xvs_conn_free_rcu);
		return;
	}
	/* A packet is using it; its put re-arms the timer with the state's
	 * timeout, this is only the fallback.  A template is busy while
	 * connections depend on it; as IPVS it then keeps this shorter
	 * timeout from now on, also when a new connection refreshes it.
	 */
	if (cp->flags & IP_VS_CONN_F_TEMPLATE)
		WRITE_ONCE(cp->timeout, XVS_CONN_BUSY_RETRY);
	WRITE_ONCE(cp->expires, jiffies + XVS_CONN_BUSY_RETRY);
	mod_timer(&cp->timer, jiffies + XVS_CONN_BUSY_RETRY);
}

/*
 * The timer is due at or before the entry: packets that came since it was
 * armed only pushed cp->expires, so it waits for the rest of the time then.
 */
static void xvs_conn_timer_fn(struct timer_list *t)
{
	struct xvs_conn *cp = from_timer(cp, t, timer);
	unsigned long expires = READ_ONCE(cp->expires);

	if (time_after(expires, jiffies)) {
		mod_timer(&cp->timer, expires);
		return;
	}
	xvs_conn_expire(cp);
}

/*
 * Gives a packet's reference back; the entry is now due 'timeout' from
 * now, as IPVS re-arms its timer here.  The stamp is written at most once
 * a jiffy, and the timer moved only when it is not pending or would fire
 * too late (a shorter timeout of a new state), so an ordinary packet
 * takes no timer lock.
 */
void xvs_conn_put(struct xvs_conn *cp)
{
	unsigned long expires;

	if (cp->flags & IP_VS_CONN_F_ONE_PACKET) {
		WRITE_ONCE(cp->expires, jiffies);
		if (refcount_read(&cp->refcnt) == 1 &&
		    !timer_pending(&cp->timer)) {
			xvs_conn_expire(cp);
			return;
		}
		mod_timer(&cp->timer, jiffies);
		__xvs_conn_put(cp);
		return;
	}
	expires = jiffies + READ_ONCE(cp->timeout);
	if (READ_ONCE(cp->expires) != expires)
		WRITE_ONCE(cp->expires, expires);
	if (!timer_pending(&cp->timer) ||
	    time_before(expires, READ_ONCE(cp->timer.expires)))
		mod_timer(&cp->timer, expires);
	__xvs_conn_put(cp);
}

void xvs_conn_expire_now(struct xvs_conn *cp)
{
	/* Due now; a timer running right now sees it and expires the entry. */
	WRITE_ONCE(cp->expires, jiffies);
	/*
	 * Only a pending timer is moved: once the expiry has deleted it,
	 * it must stay deleted.
	 */
	if (timer_pending(&cp->timer) &&
	    time_after(READ_ONCE(cp->timer.expires), jiffies))
		mod_timer_pending(&cp->timer, jiffies);
}

struct xvs_conn *xvs_conn_new(struct xvs_net *xnet,
			      const struct xvs_pkt *pkt,
			      const union nf_inet_addr *vaddr, __be16 vport,
			      struct xvs_dest *dest, unsigned int flags,
			      u32 fwmark)
{
	struct xvs_conn_param p = {
		.af = pkt->af,
		.protocol = pkt->protocol,
		.caddr = &pkt->saddr,
		.cport = pkt->sport,
		.vaddr = vaddr,
		.vport = vport,
	};

	return xvs_conn_create(xnet, &p, dest, dest->port ? dest->port : vport,
			       flags, fwmark);
}

struct xvs_conn *xvs_conn_create(struct xvs_net *xnet,
				 const struct xvs_conn_param *p,
				 struct xvs_dest *dest, __be16 dport,
				 unsigned int flags, u32 fwmark)
{
	struct xvs_conn_table *tab = xvs_conn_tab(xnet);
	struct xvs_conn *cp;
	int err;

	cp = kmem_cache_zalloc(xvs_conn_cache, GFP_ATOMIC);
	if (!cp)
		return NULL;

	cp->xnet = xnet;
	/* the client end, which is the key (see conn.h) */
	xvs_conn_key_init(&cp->key, p->af, p->protocol, p->caddr->all,
			  p->cport);
	cp->vaddr = *p->vaddr;
	cp->vport = p->vport;
	cp->daddr = p->daddr ? *p->daddr : dest->addr;
	cp->dport = dport;
	cp->fwmark = fwmark;
	cp->flags = flags & (IP_VS_CONN_F_ONE_PACKET | IP_VS_CONN_F_TEMPLATE |
			     IP_VS_CONN_F_NO_CPORT | IP_VS_CONN_F_SYNC);
	/*
	 * Made by the sync backup: active or not as the master said, and
	 * with the sequence translation it reported (set by the caller).
	 */
	if (flags & IP_VS_CONN_F_SYNC)
		cp->flags |= flags & (IP_VS_CONN_F_INACTIVE |
				      IP_VS_CONN_F_SEQ_MASK);
	/* Keeps the packets' conntrack entries (nfct.h). */
	if ((flags & IP_VS_CONN_F_NFCT) || READ_ONCE(xnet->sysctl.conntrack))
		cp->flags |= IP_VS_CONN_F_NFCT;
	spin_lock_init(&cp->lock);
	timer_setup(&cp->timer, xvs_conn_timer_fn, 0);
	cp->expires = jiffies;
	refcount_set(&cp->refcnt, 1);	/* the caller's */
	atomic_set(&cp->in_pkts, 0);
	cp->pp = xvs_proto_get(cp->protocol);
	cp->state = 0;
	cp->timeout = XVS_CONN_INITIAL_TIMEOUT;

	if (dest) {
		if (!xvs_conn_bind_dest(cp, dest)) {
			kmem_cache_free(xvs_conn_cache, cp);
			return NULL;
		}
	} else if ((flags & IP_VS_CONN_F_SYNC) ||
		   (flags & IP_VS_CONN_F_FWD_MASK) == IP_VS_CONN_F_BYPASS) {
		/*
		 * Synced: as its master forwarded it, until our destination
		 * exists.  Bypass: to where the client sent it.
		 */
		cp->flags |= flags & (IP_VS_CONN_F_FWD_MASK |
				      IP_VS_CONN_F_NOOUTPUT);
	} else {
		kmem_cache_free(xvs_conn_cache, cp);
		return NULL;
	}
	if ((flags & IP_VS_CONN_F_TEMPLATE) && p->pe && p->pe_data_len) {
		struct xvs_conn_ext *ext;

		ext = kzalloc(struct_size(ext, pe_data, p->pe_data_len),
			      GFP_ATOMIC);
		if (!ext) {
			xvs_conn_unbind_dest(cp);
			kmem_cache_free(xvs_conn_cache, cp);
			return NULL;
		}
		memcpy(ext->pe_data, p->pe_data, p->pe_data_len);
		ext->pe_data_len = p->pe_data_len;
		xvs_pe_hold(p->pe);
		ext->pe = p->pe;
		cp->ext = ext;
		cp->cport = xvs_conn_pe_key_port(p);
	}
	xvs_app_bind_conn(cp);
	atomic_inc(&xnet->conn_count);

	/* One-packet entries serve their packet and are never looked up. */
	if (cp->flags & IP_VS_CONN_F_ONE_PACKET)
		return cp;

	cp->flags |= IP_VS_CONN_F_HASHED;
	if (cp->flags & IP_VS_CONN_F_NO_CPORT)
		atomic_inc(&xnet->conn_no_cport);
	refcount_inc(&cp->refcnt);	/* the table's */
	err = rhltable_insert(&tab->rhlt, &cp->node, xvs_conn_rht_params);
	if (unlikely(err)) {
		net_warn_ratelimited("connection table insert failed: %d\n",
				     err);
		if (cp->flags & IP_VS_CONN_F_NO_CPORT)
			atomic_dec(&xnet->conn_no_cport);
		xvs_conn_unbind_dest(cp);
		atomic_dec(&xnet->conn_count);
		xvs_conn_free(cp);
		return NULL;
	}
	return cp;
}

void xvs_conn_bind_synced(struct xvs_conn *cp, struct xvs_dest *dest)
{
	spin_lock_bh(&cp->lock);
	if (!cp->dest && xvs_conn_bind_dest(cp, dest) && !xvs_conn_app(cp))
		xvs_app_bind_conn(cp);
	spin_unlock_bh(&cp->lock);
}

/* ---- memory-pressure defense (drop_entry) -------------------------------- */

/*
 * May an established entry (or one of a protocol without states) go?  As
 * IPVS: not before 60 s without a refresh, which leaves normal connections
 * time to get through; then, by the n (1..8) client packets it saw, one
 * entry in n; never with no packet or more than eight.
 */
static bool xvs_conn_drop_ok(struct xvs_conn_table *tab, struct xvs_conn *cp)
{
	int n;

	if (time_before(jiffies + READ_ONCE(cp->timeout),
			READ_ONCE(cp->expires) + 60 * HZ))
		return false;
	n = atomic_read(&cp->in_pkts);
	if (n <= 0 || n >= ARRAY_SIZE(tab->drop_countdown))
		return false;
	if (--tab->drop_countdown[n] > 0)
		return false;
	tab->drop_countdown[n] = n;
	return true;
}

/* A template of a one-packet service serves no later connection. */
static bool xvs_conn_one_packet_template(const struct xvs_conn *cp)
{
	const struct xvs_dest *dest = READ_ONCE(cp->dest);
	const struct xvs_service *svc = dest ? rcu_dereference(dest->svc) :
				      NULL;

	return svc && (READ_ONCE(svc->flags) & IP_VS_SVC_F_ONEPACKET);
}

static bool xvs_conn_drop_candidate(struct xvs_conn_table *tab,
				    struct xvs_conn *cp)
{
	unsigned int state = READ_ONCE(cp->state);

	/*
	 * Only the table holds it: no packet is using it and nothing
	 * depends on it (a template with connections, an FTP control
	 * connection with its data connection).
	 */
	if (refcount_read(&cp->refcnt) > 1)
		return false;
	if (cp->flags & IP_VS_CONN_F_TEMPLATE) {
		if (xvs_conn_one_packet_template(cp))
			return xvs_conn_drop_ok(tab, cp);
		return state != XVS_CTPL_S_ASSURED;
	}
	switch (cp->protocol) {
	case IPPROTO_TCP:
		if (state == XVS_TCP_S_SYN_RECV || state == XVS_TCP_S_SYNACK)
			return true;
		return state == XVS_TCP_S_ESTABLISHED &&
		       xvs_conn_drop_ok(tab, cp);
	case IPPROTO_SCTP:
		if (state == XVS_SCTP_S_INIT1 || state == XVS_SCTP_S_INIT)
			return true;
		return state == XVS_SCTP_S_ESTABLISHED &&
		       xvs_conn_drop_ok(tab, cp);
	default:
		return xvs_conn_drop_ok(tab, cp);
	}
}

void xvs_conn_drop_some(struct xvs_net *xnet)
{
	struct xvs_conn_table *tab = xvs_conn_tab(xnet);
	unsigned int budget, seen = 0;
	struct xvs_conn *cp;

	/*
	 * IPVS looks at 1/32 of its table each second, in random buckets;
	 * a walk that resumes where it stopped covers the same share and
	 * reaches every entry within 32 seconds.
	 */
	budget = max(atomic_read(&xnet->conn_count) / 32, 32);
	if (!tab->drop_walking) {
		rhashtable_walk_enter(&tab->rhlt.ht, &tab->drop_iter);
		tab->drop_walking = true;
	}
	rhashtable_walk_start(&tab->drop_iter);
	while (seen < budget) {
		cp = rhashtable_walk_next(&tab->drop_iter);
		if (!cp) {
			/* The end: the next sweep starts over. */
			rhashtable_walk_stop(&tab->drop_iter);
			rhashtable_walk_exit(&tab->drop_iter);
			tab->drop_walking = false;
			return;
		}
		if (IS_ERR(cp)) {
			if (PTR_ERR(cp) == -EAGAIN)
				continue;
			break;
		}
		if (xvs_conn_drop_candidate(tab, cp))
			xvs_conn_expire_now(cp);
		if (!(++seen % 1024)) {
			rhashtable_walk_stop(&tab->drop_iter);
			cond_resched();
			rhashtable_walk_start(&tab->drop_iter);
		}
	}
	rhashtable_walk_stop(&tab->drop_iter);
}

/* ---- stale entries (net.xvs.expire_stale_conn) --------------------------- */

/*
 * Expires a stale entry.  One only the table holds goes here and now, as a
 * flush takes entries (its control template, if any, loses that reference
 * at once); one a packet is using expires once that packet is done, unless
 * the packet's put re-arms it first, and then the next packet of its client
 * finds it stale (hooks.c) and is scheduled afresh.
 */
static void xvs_conn_expire_stale_one(struct xvs_conn *cp)
{
	if (refcount_read(&cp->refcnt) == 1 && del_timer(&cp->timer))
		xvs_conn_expire(cp);
	else
		xvs_conn_expire_now(cp);
}

/*
 * One walk over the table: the connections (@templates false) or the
 * templates (true) of the protocols the switch covers whose destination is
 * stale.  A template still controlling connections (of a protocol the
 * switch leaves alone) is only taken out of use; it stays listed, with
 * ports 65535, until its own timer and its last connection let it go.
 */
static void xvs_conn_stale_pass(struct xvs_net *xnet, bool templates)
{
	struct xvs_conn_table *tab = xvs_conn_tab(xnet);
	struct rhashtable_iter iter;
	unsigned int seen = 0;
	struct xvs_conn *cp;

	rhashtable_walk_enter(&tab->rhlt.ht, &iter);
	rhashtable_walk_start(&iter);
	while ((cp = rhashtable_walk_next(&iter)) != NULL) {
		struct xvs_dest *dest;

		if (IS_ERR(cp)) {
			if (PTR_ERR(cp) == -EAGAIN)
				continue;
			break;
		}
		dest = READ_ONCE(cp->dest);
		if (!!(READ_ONCE(cp->flags) & IP_VS_CONN_F_TEMPLATE) == templates &&
		    dest && xvs_dest_stale(dest) &&
		    xvs_stale_covers(xnet, cp->protocol)) {
			if (!templates) {
				xvs_conn_expire_stale_one(cp);
			} else {
				xvs_conn_template_invalidate(cp);
				if (refcount_read(&cp->refcnt) == 1)
					xvs_conn_expire_stale_one(cp);
			}
		}
		if (!(++seen % 1024)) {
			rhashtable_walk_stop(&iter);
			cond_resched();
			rhashtable_walk_start(&iter);
		}
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
}

void xvs_conn_expire_stale_sweep(struct xvs_net *xnet)
{
	if (!xvs_conn_tab(xnet) || !READ_ONCE(xnet->sysctl.expire_stale_conn))
		return;
	/* Connections first: they hold their templates. */
	xvs_conn_stale_pass(xnet, false);
	xvs_conn_stale_pass(xnet, true);
}

static void xvs_conn_stale_work(struct work_struct *work)
{
	xvs_conn_expire_stale_sweep(container_of(work, struct xvs_net,
						 stale_work));
}

void xvs_conn_expire_stale(struct xvs_net *xnet)
{
	/*
	 * Not in a namespace on its way out: its flush takes everything,
	 * and has cancelled the work.
	 */
	if (READ_ONCE(xnet->sysctl.expire_stale_conn) &&
	    !READ_ONCE(xnet->exiting))
		queue_work(system_long_wq, &xnet->stale_work);
}

/* ---- flushing ----------------------------------------------------------- */

void xvs_conn_drop_routes(struct xvs_net *xnet, const struct net_device *dev)
{
	struct xvs_conn_table *tab = xvs_conn_tab(xnet);
	struct rhashtable_iter iter;
	struct xvs_conn *cp;

	if (!tab)
		return;
	rhashtable_walk_enter(&tab->rhlt.ht, &iter);
	rhashtable_walk_start(&iter);
	while ((cp = rhashtable_walk_next(&iter)) != NULL) {
		struct dst_entry *dst;

		if (IS_ERR(cp)) {
			if (PTR_ERR(cp) == -EAGAIN)
				continue;
			break;
		}
		dst = rcu_dereference(cp->dst_cache);
		if (!dst || dst->dev != dev)
			continue;
		/* Packets may still use it without a reference: RCU frees. */
		dst = unrcu_pointer(xchg(&cp->dst_cache, NULL));
		dst_release(dst);
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
}

void xvs_conn_flush(struct xvs_net *xnet)
{
	struct xvs_conn_table *tab = xvs_conn_tab(xnet);
	struct rhashtable_iter iter;
	struct xvs_conn *cp;

	if (!tab)
		return;
	/* A sweep of stale entries must not walk along (nor come after). */
	cancel_work_sync(&xnet->stale_work);
	/*
	 * Callers make sure no packet can reach us any more, so every entry
	 * either has its timer pending (we take over its expiry) or is being
	 * expired right now by the timer on another CPU.  Repeat until the
	 * count shows that the last one is gone.
	 */
	for (;;) {
		rhashtable_walk_enter(&tab->rhlt.ht, &iter);
		rhashtable_walk_start(&iter);
		while ((cp = rhashtable_walk_next(&iter)) != NULL) {
			if (IS_ERR(cp)) {
				if (PTR_ERR(cp) == -EAGAIN)
					continue;
				break;
			}
			if (del_timer(&cp->timer))
				xvs_conn_expire(cp);
		}
		rhashtable_walk_stop(&iter);
		rhashtable_walk_exit(&iter);

		if (!atomic_read(&xnet->conn_count))
			break;
		msleep(20);
	}
}

/* ---- /proc/net/ip_vs_conn and ip_vs_conn_sync -------------------------- */

struct xvs_conn_seq {
	struct net *net;		/* referenced while the file is open */
	struct rhashtable_iter iter;
	struct xvs_conn_table *tab;
	loff_t cur_pos;			/* position of the iterator's entry */
};

static const char *xvs_conn_state_name(const struct xvs_conn *cp)
{
	/* Templates have their own states: only NONE here (no sync). */
	if (READ_ONCE(cp->flags) & IP_VS_CONN_F_TEMPLATE)
		return READ_ONCE(cp->state) == XVS_CTPL_S_ASSURED ? "ASSURED" :
		       "NONE";
	if (!cp->pp || !cp->pp->state_name)
		return cp->protocol == IPPROTO_IP ? "NONE" : "ERR!";
	return cp->pp->state_name(READ_ONCE(cp->state));
}

static void *xvs_conn_seq_advance(struct xvs_conn_seq *s)
{
	void *obj;

	do {
		obj = rhashtable_walk_next(&s->iter);
	} while (IS_ERR(obj) && PTR_ERR(obj) == -EAGAIN);
	return IS_ERR(obj) ? NULL : obj;
}

static void *xvs_conn_seq_start(struct seq_file *seq, loff_t *pos)
{
	struct xvs_conn_seq *s = seq->private;
	void *obj;
	loff_t i;

	if (*pos != s->cur_pos || *pos == 0) {
		/* Not where the iterator stands: walk again from the start. */
		rhashtable_walk_exit(&s->iter);
		rhashtable_walk_enter(&s->tab->rhlt.ht, &s->iter);
		s->cur_pos = 0;
	}
	rhashtable_walk_start(&s->iter);
	if (*pos == 0)
		return SEQ_START_TOKEN;
	if (s->cur_pos == *pos) {
		do {
			obj = rhashtable_walk_peek(&s->iter);
		} while (IS_ERR(obj) && PTR_ERR(obj) == -EAGAIN);
		return IS_ERR(obj) ? NULL : obj;
	}
	obj = NULL;
	for (i = 0; i < *pos; i++) {
		obj = xvs_conn_seq_advance(s);
		if (!obj)
			break;
	}
	s->cur_pos = *pos;
	return obj;
}

static void *xvs_conn_seq_next(struct seq_file *seq, void *v, loff_t *pos)
{
	struct xvs_conn_seq *s = seq->private;

	++*pos;
	s->cur_pos = *pos;
	return xvs_conn_seq_advance(s);
}

static void xvs_conn_seq_stop(struct seq_file *seq, void *v)
{
	struct xvs_conn_seq *s = seq->private;

	rhashtable_walk_stop(&s->iter);
}

static void xvs_conn_format_addr(char *buf, size_t len, u16 af,
				 const union nf_inet_addr *addr)
{
	if (af == AF_INET6)
		snprintf(buf, len, "%pI6", &addr->in6);
	else
		snprintf(buf, len, "%08X", ntohl(addr->ip));
}

static unsigned int xvs_conn_expires_secs(const struct xvs_conn *cp)
{
	return jiffies_delta_to_msecs(READ_ONCE(cp->expires) - jiffies) / 1000;
}

/* Columns common to both files, up to and including the state. */
static void xvs_conn_show_tuple(struct seq_file *seq,
				const struct xvs_conn *cp)
{
	char cbuf[INET6_ADDRSTRLEN + 1], vbuf[INET6_ADDRSTRLEN + 1];
	char dbuf[INET6_ADDRSTRLEN + 1], pbuf[16];
	u16 daf = cp->dest ? cp->dest->af : cp->af;

	xvs_conn_format_addr(cbuf, sizeof(cbuf), cp->af, &cp->caddr);
	xvs_conn_format_addr(vbuf, sizeof(vbuf), cp->af, &cp->vaddr);
	xvs_conn_format_addr(dbuf, sizeof(dbuf), daf, &cp->daddr);
	seq_printf(seq, "%-3s %s %04X %s %04X %s %04X %-11s",
		   xvs_proto_name(cp->protocol, pbuf, sizeof(pbuf)),
		   cbuf, ntohs(xvs_conn_shown_cport(cp)), vbuf, ntohs(cp->vport),
		   dbuf, ntohs(cp->dport), xvs_conn_state_name(cp));
}

static int xvs_conn_seq_show(struct seq_file *seq, void *v)
{
	const struct xvs_conn *cp = v;

	if (v == SEQ_START_TOKEN) {
		seq_puts(seq, "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n");
		return 0;
	}
	xvs_conn_show_tuple(seq, cp);
	seq_printf(seq, " %7u", xvs_conn_expires_secs(cp));
	/* Templates of a persistence engine: its name and their data. */
	if (xvs_conn_pe_data_len(cp)) {
		const struct xvs_pe_ops *pe = cp->ext->pe;
		char data[IP_VS_PEDATA_MAXLEN];
		int len = pe->show_pe_data(cp, data);

		seq_printf(seq, " %s ", pe->name);
		seq_write(seq, data, clamp(len, 0, IP_VS_PEDATA_MAXLEN));
	}
	seq_putc(seq, '\n');
	return 0;
}

static int xvs_conn_sync_seq_show(struct seq_file *seq, void *v)
{
	const struct xvs_conn *cp = v;

	if (v == SEQ_START_TOKEN) {
		seq_puts(seq, "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Origin Expires\n");
		return 0;
	}
	xvs_conn_show_tuple(seq, cp);
	seq_printf(seq, " %-6s %7u\n",
		   (READ_ONCE(cp->flags) & IP_VS_CONN_F_SYNC) ? "SYNC" : "LOCAL",
		   xvs_conn_expires_secs(cp));
	return 0;
}

static const struct seq_operations xvs_conn_seq_ops = {
	.start = xvs_conn_seq_start,
	.next = xvs_conn_seq_next,
	.stop = xvs_conn_seq_stop,
	.show = xvs_conn_seq_show,
};

static const struct seq_operations xvs_conn_sync_seq_ops = {
	.start = xvs_conn_seq_start,
	.next = xvs_conn_seq_next,
	.stop = xvs_conn_seq_stop,
	.show = xvs_conn_sync_seq_show,
};

static int xvs_conn_seq_open_ops(struct inode *inode, struct file *file,
				 const struct seq_operations *ops)
{
	struct xvs_net *xnet = pde_data(inode);
	struct xvs_conn_seq *s;
	struct net *net;

	/* A namespace on its way out has no connections to show. */
	net = maybe_get_net(xnet->net);
	if (!net)
		return -ENXIO;
	s = __seq_open_private(file, ops, sizeof(*s));
	if (!s) {
		put_net(net);
		return -ENOMEM;
	}
	s->net = net;
	s->tab = xvs_conn_tab(xnet);
	rhashtable_walk_enter(&s->tab->rhlt.ht, &s->iter);
	s->cur_pos = 0;
	return 0;
}

static int xvs_conn_seq_open(struct inode *inode, struct file *file)
{
	return xvs_conn_seq_open_ops(inode, file, &xvs_conn_seq_ops);
}

static int xvs_conn_sync_seq_open(struct inode *inode, struct file *file)
{
	return xvs_conn_seq_open_ops(inode, file, &xvs_conn_sync_seq_ops);
}

static int xvs_conn_seq_release(struct inode *inode, struct file *file)
{
	struct xvs_conn_seq *s = ((struct seq_file *)file->private_data)->private;

	rhashtable_walk_exit(&s->iter);
	put_net(s->net);
	return seq_release_private(inode, file);
}

static const struct proc_ops xvs_conn_proc_ops = {
	.proc_open = xvs_conn_seq_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = xvs_conn_seq_release,
};

static const struct proc_ops xvs_conn_sync_proc_ops = {
	.proc_open = xvs_conn_sync_seq_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = xvs_conn_seq_release,
};

/* ---- per namespace ------------------------------------------------------ */

static int xvs_conn_cache_get(void)
{
	int err = 0;

	mutex_lock(&xvs_conn_cache_mutex);
	if (!xvs_conn_cache_users) {
		get_random_bytes(&xvs_conn_secret, sizeof(xvs_conn_secret));
		xvs_conn_cache = kmem_cache_create("xvs_conn",
						   sizeof(struct xvs_conn), 0,
						   0, NULL);
		if (!xvs_conn_cache)
			err = -ENOMEM;
	}
	if (!err)
		xvs_conn_cache_users++;
	mutex_unlock(&xvs_conn_cache_mutex);
	return err;
}

static void xvs_conn_cache_put(void)
{
	mutex_lock(&xvs_conn_cache_mutex);
	if (!--xvs_conn_cache_users) {
		/* Entries freed with call_rcu must be back first. */
		rcu_barrier();
		kmem_cache_destroy(xvs_conn_cache);
		xvs_conn_cache = NULL;
	}
	mutex_unlock(&xvs_conn_cache_mutex);
}

int xvs_conn_net_init(struct xvs_net *xnet)
{
	struct xvs_conn_table *tab;
	unsigned int i;
	int err;

	for (i = 0; i < XVS_TCP_S_LAST; i++)
		xnet->tcp_timeout[i] = xvs_tcp_default_timeout[i] * HZ;
	for (i = 0; i < XVS_UDP_S_LAST; i++)
		xnet->udp_timeout[i] = xvs_udp_default_timeout[i] * HZ;
	for (i = 0; i < XVS_SCTP_S_LAST; i++)
		xnet->sctp_timeout[i] = xvs_sctp_default_timeout[i] * HZ;
	atomic_set(&xnet->conn_count, 0);
	INIT_WORK(&xnet->stale_work, xvs_conn_stale_work);

	err = xvs_conn_cache_get();
	if (err)
		return err;
	tab = kzalloc(sizeof(*tab), GFP_KERNEL);
	if (!tab) {
		err = -ENOMEM;
		goto err_cache;
	}
	err = rhltable_init(&tab->rhlt, &xvs_conn_rht_params);
	if (err)
		goto err_tab;
	xnet->conn_tab = tab;

	err = -ENOMEM;
	if (!proc_create_data("ip_vs_conn", 0, xnet->net->proc_net,
			      &xvs_conn_proc_ops, xnet))
		goto err_rht;
	if (!proc_create_data("ip_vs_conn_sync", 0, xnet->net->proc_net,
			      &xvs_conn_sync_proc_ops, xnet))
		goto err_proc;
	return 0;

err_proc:
	remove_proc_entry("ip_vs_conn", xnet->net->proc_net);
err_rht:
	xnet->conn_tab = NULL;
	rhltable_destroy(&tab->rhlt);
err_tab:
	kfree(tab);
err_cache:
	xvs_conn_cache_put();
	return err;
}

void xvs_conn_net_exit(struct xvs_net *xnet)
{
	struct xvs_conn_table *tab = xvs_conn_tab(xnet);

	/* Removing the files waits for readers and closes their walks. */
	remove_proc_entry("ip_vs_conn_sync", xnet->net->proc_net);
	remove_proc_entry("ip_vs_conn", xnet->net->proc_net);
	xvs_conn_flush(xnet);
	xnet->conn_tab = NULL;
	if (tab->drop_walking)
		rhashtable_walk_exit(&tab->drop_iter);
	rhltable_destroy(&tab->rhlt);
	kfree(tab);
	xvs_conn_cache_put();
}
