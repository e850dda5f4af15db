// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: virtual services and their destinations.
 *
 * Writers (the netlink front end) hold xvs_net->mutex; the packet path
 * finds services and destinations under rcu_read_lock() alone.  Each
 * service shows its schedulers an immutable array of its destinations
 * (struct xvs_dest_set); a change builds a new array, publishes it and
 * frees the old one after a grace period.
 *
 * A destination removed from its service is not freed at once: like IPVS
 * we keep it in a per-netns trash while connections use it, and a while
 * after, so that adding it back to the same service revives it with its
 * connection counters and statistics.  The trash holds one reference; the
 * expiry timer frees a destination once it has been idle long enough.
 */
#define pr_fmt(fmt) "xvs: " fmt

#include <linux/kernel.h>
#include <linux/hash.h>
#include <linux/jhash.h>
#include <linux/slab.h>
#include <linux/inetdevice.h>
#include <linux/ipv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ip6_route.h>
#include <net/route.h>
#include <net/addrconf.h>

#include "xvs.h"
#include "hooks_ipv6.h"
#include "xvs_ctl.h"
#include "pe.h"

#define XVS_SVC_TAB_MASK	(XVS_SVC_TAB_SIZE - 1)

/* The published destination array plus what freeing it needs. */
struct xvs_dest_set_rcu {
	struct rcu_head rcu;
	struct xvs_dest_set set;	/* last: ends in a flexible array */
};

static bool xvs_addr_equal(u16 af, const union nf_inet_addr *a,
			   const union nf_inet_addr *b)
{
	if (af == AF_INET6)
		return ipv6_addr_equal(&a->in6, &b->in6);
	return a->ip == b->ip;
}

static void xvs_addr_copy(u16 af, union nf_inet_addr *dst,
			  const union nf_inet_addr *src)
{
	if (af == AF_INET6)
		dst->in6 = src->in6;
	else
		dst->ip = src->ip;
}

/* An address folded to 32 bits, for the hash tables of this file. */
static __be32 xvs_addr_fold(u16 af, const union nf_inet_addr *addr)
{
	if (af == AF_INET6)
		return addr->ip6[0] ^ addr->ip6[1] ^ addr->ip6[2] ^
		       addr->ip6[3];
	return addr->ip;
}

bool xvs_af_valid(u16 af)
{
	return af == AF_INET || (af == AF_INET6 && ipv6_mod_enabled());
}

/*
 * Bucket of a service.  This is IPVS's function (less its per-netns term,
 * which only permutes buckets), so listings come out in IPVS's order.
 */
static unsigned int xvs_svc_hashkey(u16 af, u16 protocol,
				    const union nf_inet_addr *addr, __be16 port)
{
	unsigned int porth = ntohs(port);

	return (protocol ^ ntohl(xvs_addr_fold(af, addr)) ^ (porth >> XVS_SVC_TAB_BITS) ^ porth) &
	       XVS_SVC_TAB_MASK;
}

static unsigned int xvs_svc_fwm_hashkey(u32 fwmark)
{
	return fwmark & XVS_SVC_TAB_MASK;
}

/* ---- lookups (RCU) ------------------------------------------------------ */

static struct xvs_service *xvs_svc_find_addr(struct xvs_net *xnet, u16 af,
					     u16 protocol,
					     const union nf_inet_addr *addr,
					     __be16 port)
{
	unsigned int h = xvs_svc_hashkey(af, protocol, addr, port);
	struct xvs_service *svc;

	hlist_for_each_entry_rcu(svc, &xnet->svc_table[h], s_list,
				 lockdep_is_held(&xnet->mutex)) {
		if (svc->af == af && svc->port == port &&
		    svc->protocol == protocol &&
		    xvs_addr_equal(af, &svc->addr, addr))
			return svc;
	}
	return NULL;
}

static struct xvs_service *xvs_svc_find_fwm(struct xvs_net *xnet, u16 af,
					    u32 fwmark)
{
	unsigned int h = xvs_svc_fwm_hashkey(fwmark);
	struct xvs_service *svc;

	hlist_for_each_entry_rcu(svc, &xnet->fwm_table[h], s_list,
				 lockdep_is_held(&xnet->mutex)) {
		if (svc->fwmark == fwmark && svc->af == af)
			return svc;
	}
	return NULL;
}

struct xvs_service *xvs_svc_lookup(struct xvs_net *xnet, u16 af, u16 protocol,
				   const union nf_inet_addr *addr, __be16 port)
{
	struct xvs_service *svc;

	svc = xvs_svc_find_addr(xnet, af, protocol, addr, port);

	/*
	 * As IPVS: with an FTP service on the address, a TCP packet to the
	 * FTP data port or to an unprivileged port may belong to it.
	 */
	if (!svc && protocol == IPPROTO_TCP &&
	    atomic_read(&xnet->ftpsvc_counter) &&
	    (port == XVS_FTP_DATA_PORT ||
	     !inet_port_requires_bind_service(xnet->net, ntohs(port))))
		svc = xvs_svc_find_addr(xnet, af, protocol, addr, XVS_FTP_PORT);

	/* A service on port 0 catches every port of its address. */
	if (!svc && atomic_read(&xnet->nullsvc_counter))
		svc = xvs_svc_find_addr(xnet, af, protocol, addr, 0);
	return svc;
}

struct xvs_service *xvs_svc_lookup_fwmark(struct xvs_net *xnet, u16 af,
					  u32 fwmark)
{
	return xvs_svc_find_fwm(xnet, af, fwmark);
}

/* Exact match, as the control commands address services. */
struct xvs_service *xvs_svc_find(struct xvs_net *xnet, u16 af, u16 protocol,
				 const union nf_inet_addr *addr, __be16 port,
				 u32 fwmark)
{
	struct xvs_service *svc;

	rcu_read_lock();
	if (fwmark)
		svc = xvs_svc_find_fwm(xnet, af, fwmark);
	else
		svc = xvs_svc_find_addr(xnet, af, protocol, addr, port);
	rcu_read_unlock();
	return svc;
}

struct xvs_dest *xvs_dest_find(struct xvs_service *svc, u16 af,
			       const union nf_inet_addr *addr, __be16 port)
{
	struct xvs_dest *dest;

	list_for_each_entry(dest, &svc->destinations, n_list) {
		if (dest->af == af && dest->port == port &&
		    xvs_addr_equal(af, &dest->addr, addr))
			return dest;
	}
	return NULL;
}

/* ---- real-server table ------------------------------------------------- */

/* IPVS's bucket function for its real-server table. */
static unsigned int xvs_rs_hashkey(u16 af, const union nf_inet_addr *addr,
				   __be16 port)
{
	unsigned int porth = ntohs(port);

	return (ntohl(xvs_addr_fold(af, addr)) ^ (porth >> XVS_RS_TAB_BITS) ^ porth) &
	       (XVS_RS_TAB_SIZE - 1);
}

/*
 * Enters @dest in the table under the port its packets come from, as
 * IPVS: a NAT server by its own port, a GUE tunnel by the tunnel port,
 * IPIP and GRE by 0; direct routing and unknown tunnels stay out.
 */
static void xvs_rs_hash(struct xvs_net *xnet, struct xvs_dest *dest)
{
	__be16 port;

	lockdep_assert_held(&xnet->mutex);
	if (!hlist_unhashed(&dest->rs_node))
		return;
	switch (dest->conn_flags & IP_VS_CONN_F_FWD_MASK) {
	case IP_VS_CONN_F_MASQ:
		port = dest->port;
		break;
	case IP_VS_CONN_F_TUNNEL:
		if (dest->tun_type == IP_VS_CONN_F_TUNNEL_TYPE_GUE)
			port = dest->tun_port;
		else if (dest->tun_type == IP_VS_CONN_F_TUNNEL_TYPE_IPIP ||
			 dest->tun_type == IP_VS_CONN_F_TUNNEL_TYPE_GRE)
			port = 0;
		else
			return;
		break;
	default:
		return;
	}
	hlist_add_head_rcu(&dest->rs_node,
			   &xnet->rs_table[xvs_rs_hashkey(dest->af, &dest->addr,
							  port)]);
}

static void xvs_rs_unhash(struct xvs_net *xnet, struct xvs_dest *dest)
{
	lockdep_assert_held(&xnet->mutex);
	/* (init: the node reads unhashed for the next xvs_rs_hash) */
	hlist_del_init_rcu(&dest->rs_node);
}

struct xvs_dest *xvs_rs_find(struct xvs_net *xnet, u16 af, u16 protocol,
			     const union nf_inet_addr *addr, __be16 port)
{
	unsigned int h = xvs_rs_hashkey(af, addr, port);
	struct xvs_dest *dest;

	hlist_for_each_entry_rcu(dest, &xnet->rs_table[h], rs_node) {
		if (dest->port == port && dest->af == af &&
		    xvs_addr_equal(af, &dest->addr, addr) &&
		    (dest->protocol == protocol || dest->vfwmark) &&
		    (READ_ONCE(dest->conn_flags) & IP_VS_CONN_F_FWD_MASK) ==
		    IP_VS_CONN_F_MASQ)
			return dest;
	}
	return NULL;
}

/* ---- real servers that start requests (packet path) ------------------- */

static bool xvs_pe_has_conn_out(const struct xvs_pe_ops *pe)
{
	return pe && pe->conn_out;
}

/*
 * Keeps the count of services whose engine has ->conn_out in step with
 * the engine of a service going from @old_pe to @pe (NULL: none); under
 * the mutex.  The out hook reads it first, so real servers' packets
 * without a connection cost no table lookup while no engine needs it.
 */
static void xvs_svc_conn_out_update(struct xvs_service *svc,
				    const struct xvs_pe_ops *old_pe,
				    const struct xvs_pe_ops *pe)
{
	struct xvs_net *xnet = svc->xnet;
	bool was = xvs_pe_has_conn_out(old_pe), is = xvs_pe_has_conn_out(pe);

	if (is && !was)
		atomic_inc(&xnet->conn_out_counter);
	else if (was && !is)
		atomic_dec(&xnet->conn_out_counter);
}

/* ---- destination sets ----------------------------------------------------- */

static struct xvs_dest_set_rcu *xvs_dest_set_alloc(u16 af, unsigned int count)
{
	struct xvs_dest_set_rcu *s;

	s = kzalloc(struct_size(s, set.dest, count), GFP_KERNEL);
	if (s) {
		s->set.count = count;
		s->set.af = af;
	}
	return s;
}

static struct xvs_dest_set *xvs_svc_set(struct xvs_service *svc)
{
	return rcu_dereference_protected(svc->dest_set,
					 lockdep_is_held(&svc->xnet->mutex));
}

static struct xvs_sched_inst *xvs_svc_inst(struct xvs_service *svc)
{
	return rcu_dereference_protected(svc->sched_inst,
					 lockdep_is_held(&svc->xnet->mutex));
}

static void xvs_dest_set_free(struct xvs_dest_set *set)
{
	if (set)
		kfree_rcu(container_of(set, struct xvs_dest_set_rcu, set), rcu);
}

/*
 * Publish @ns (filled here from the destination list) and tell the
 * scheduler what changed.  @ns is NULL for an in-place update.
 */
static void xvs_svc_publish(struct xvs_service *svc, struct xvs_dest_set_rcu *ns,
			    enum xvs_dest_change_kind kind, unsigned int index,
			    struct xvs_dest *changed)
{
	struct xvs_sched_inst *inst = xvs_svc_inst(svc);
	struct xvs_dest_set *old = xvs_svc_set(svc);
	struct xvs_dest_change change = {
		.kind = kind,
		.index = index,
		.dest = &changed->sched,
	};
	struct xvs_dest *dest;
	unsigned int i = 0;

	if (ns) {
		list_for_each_entry(dest, &svc->destinations, n_list) {
			if (WARN_ON_ONCE(i >= ns->set.count))
				break;
			ns->set.dest[i++] = &dest->sched;
		}
		ns->set.count = i;
	}

	if (inst && inst->ops->serialized)
		spin_lock_bh(&svc->sched_lock);
	if (ns)
		rcu_assign_pointer(svc->dest_set, &ns->set);
	if (inst && inst->ops->dests_changed)
		inst->ops->dests_changed(inst->state, ns ? &ns->set : old,
					 &change);
	if (inst && inst->ops->serialized)
		spin_unlock_bh(&svc->sched_lock);

	if (ns)
		xvs_dest_set_free(old);
}

/* ---- destination life cycle --------------------------------------------- */

static void xvs_dest_free_rcu(struct rcu_head *head)
{
	struct xvs_dest *dest = container_of(head, struct xvs_dest, rcu);

	xvs_stats_free(&dest->stats);
	kfree(dest);
}

void xvs_dest_put(struct xvs_dest *dest)
{
	/* Only reaches zero after the trash let go (netns exit). */
	if (refcount_dec_and_test(&dest->refcnt))
		call_rcu(&dest->rcu, xvs_dest_free_rcu);
}

static void xvs_dest_set_flags(struct xvs_dest *dest, unsigned int set,
			       unsigned int clear)
{
	WRITE_ONCE(dest->sched.flags, (dest->sched.flags & ~clear) | set);
}

/* Caller holds dest->overload_lock. */
static void __xvs_dest_update_overload(struct xvs_dest *dest, int mode)
{
	u32 upper = READ_ONCE(dest->sched.u_threshold);
	u32 lower, conns;

	if (!upper)
		goto clear;
	lower = READ_ONCE(dest->l_threshold_eff);
	conns = atomic_read(&dest->sched.activeconns) +
		atomic_read(&dest->sched.inactconns);
	/*
	 * Set at the upper threshold; clear below the lower one; in
	 * between, keep the state unless the caller knows the direction.
	 */
	if (conns >= (mode > 0 ? lower : upper)) {
		xvs_dest_set_flags(dest, XVS_DEST_F_OVERLOAD, 0);
		return;
	}
	if (conns >= (mode < 0 ? upper : lower))
		return;
clear:
	xvs_dest_set_flags(dest, 0, XVS_DEST_F_OVERLOAD);
}

void xvs_dest_update_overload(struct xvs_dest *dest, int mode)
{
	spin_lock_bh(&dest->overload_lock);
	__xvs_dest_update_overload(dest, mode);
	spin_unlock_bh(&dest->overload_lock);
}

static void xvs_dest_trash_expire(struct timer_list *t)
{
	struct xvs_net *xnet = from_timer(xnet, t, dest_trash_timer);
	struct xvs_dest *dest, *next;
	unsigned long now = jiffies;

	spin_lock(&xnet->dest_trash_lock);
	list_for_each_entry_safe(dest, next, &xnet->dest_trash, t_list) {
		if (refcount_read(&dest->refcnt) > 1)
			continue;
		if (!dest->idle_start) {
			dest->idle_start = max(1UL, now);
			continue;
		}
		if (time_before(now, dest->idle_start + XVS_DEST_TRASH_PERIOD))
			continue;
		/* No packet may still be scheduling to it from an old set. */
		if (!poll_state_synchronize_rcu(dest->trash_rcu))
			continue;
		/* Lose the race to a connection taking a new reference. */
		if (!refcount_dec_if_one(&dest->refcnt))
			continue;
		list_del(&dest->t_list);
		hlist_del(&dest->t_hnode);
		call_rcu(&dest->rcu, xvs_dest_free_rcu);
	}
	if (!list_empty(&xnet->dest_trash))
		mod_timer(&xnet->dest_trash_timer,
			  jiffies + (XVS_DEST_TRASH_PERIOD >> 1));
	spin_unlock(&xnet->dest_trash_lock);
}

static struct hlist_head *xvs_trash_bucket(struct xvs_net *xnet, u16 af,
					   const union nf_inet_addr *addr,
					   __be16 port)
{
	u32 fold = (__force u32)xvs_addr_fold(af, addr);

	return &xnet->dest_trash_hash[hash_32(jhash_2words(fold,
			(__force u32)port, af), XVS_DEST_TRASH_HASH_BITS)];
}

/* A destination of an earlier incarnation of this service, if any. */
static struct xvs_dest *xvs_trash_take(struct xvs_service *svc, u16 af,
				       const union nf_inet_addr *addr,
				       __be16 port)
{
	struct xvs_net *xnet = svc->xnet;
	struct xvs_dest *dest, *found = NULL;

	spin_lock_bh(&xnet->dest_trash_lock);
	hlist_for_each_entry(dest, xvs_trash_bucket(xnet, af, addr, port),
			     t_hnode) {
		if (dest->af == af && dest->port == port &&
		    xvs_addr_equal(af, &dest->addr, addr) &&
		    dest->vfwmark == svc->fwmark &&
		    dest->protocol == svc->protocol &&
		    (svc->fwmark ||
		     (xvs_addr_equal(svc->af, &dest->vaddr, &svc->addr) &&
		      dest->vport == svc->port))) {
			list_del_init(&dest->t_list);
			hlist_del_init(&dest->t_hnode);
			found = dest;
			break;
		}
	}
	spin_unlock_bh(&xnet->dest_trash_lock);
	return found;
}

/* Unlinked destination into the trash, which keeps its reference. */
static void xvs_dest_retire(struct xvs_net *xnet, struct xvs_dest *dest,
			    bool cleanup)
{
	xvs_rs_unhash(xnet, dest);
	xvs_est_del(xnet, &dest->stats);
	rcu_assign_pointer(dest->svc, NULL);

	spin_lock_bh(&xnet->dest_trash_lock);
	if (list_empty(&xnet->dest_trash) && !cleanup)
		mod_timer(&xnet->dest_trash_timer,
			  jiffies + (XVS_DEST_TRASH_PERIOD >> 1));
	list_add(&dest->t_list, &xnet->dest_trash);
	hlist_add_head(&dest->t_hnode,
		       xvs_trash_bucket(xnet, dest->af, &dest->addr, dest->port));
	dest->idle_start = 0;
	dest->trash_rcu = get_state_synchronize_rcu();
	spin_unlock_bh(&xnet->dest_trash_lock);
}

static void xvs_dest_unlink(struct xvs_service *svc, struct xvs_dest *dest)
{
	spin_lock_bh(&dest->overload_lock);
	xvs_dest_set_flags(dest, 0, XVS_DEST_F_AVAILABLE);
	spin_unlock_bh(&dest->overload_lock);
	list_del_rcu(&dest->n_list);
	svc->num_dests--;
	if (dest->af != svc->af)
		svc->xnet->mixed_address_family_dests--;
}

/* Apply @conf to @dest; for a new link (@add) also put it on the list. */
static void xvs_dest_apply(struct xvs_service *svc, struct xvs_dest *dest,
			   const struct xvs_dest_conf *conf, bool add)
{
	struct xvs_net *xnet = svc->xnet;
	unsigned int conn_flags;

	if (add && conf->af != svc->af)
		xnet->mixed_address_family_dests++;

	/* Quiescing (weight 0) keeps the last real weight, as IPVS does. */
	if (add || conf->weight)
		atomic_set(&dest->sched.last_weight, conf->weight);
	atomic_set(&dest->sched.weight, conf->weight);

	conn_flags = (conf->conn_flags & IP_VS_CONN_F_DEST_MASK) |
		     IP_VS_CONN_F_INACTIVE;
	/* Only NAT sees the replies of its connections. */
	if ((conn_flags & IP_VS_CONN_F_FWD_MASK) != IP_VS_CONN_F_MASQ)
		conn_flags |= IP_VS_CONN_F_NOOUTPUT;

	/* Another method or tunnel: the table key may change. */
	if ((conn_flags & IP_VS_CONN_F_FWD_MASK) !=
	    (dest->conn_flags & IP_VS_CONN_F_FWD_MASK) ||
	    conf->tun_type != dest->tun_type ||
	    conf->tun_port != dest->tun_port)
		xvs_rs_unhash(xnet, dest);

	WRITE_ONCE(dest->tun_type, conf->tun_type);
	WRITE_ONCE(dest->tun_port, conf->tun_port);
	WRITE_ONCE(dest->tun_flags, conf->tun_flags);
	WRITE_ONCE(dest->conn_flags, conn_flags);
	xvs_rs_hash(xnet, dest);

	/* Revived for a new incarnation of the service: start afresh. */
	if (dest->svc_id && dest->svc_id != svc->id)
		xvs_stats_zero(&dest->stats);
	dest->svc_id = svc->id;
	dest->vfwmark_af = svc->af;
	rcu_assign_pointer(dest->svc, svc);

	spin_lock_bh(&dest->overload_lock);
	xvs_dest_set_flags(dest, XVS_DEST_F_AVAILABLE, 0);
	if (dest->sched.u_threshold != conf->u_threshold ||
	    dest->sched.l_threshold != conf->l_threshold) {
		WRITE_ONCE(dest->sched.u_threshold, conf->u_threshold);
		WRITE_ONCE(dest->sched.l_threshold, conf->l_threshold);
		/* Without a lower threshold IPVS uses 3/4 of the upper one. */
		WRITE_ONCE(dest->l_threshold_eff,
			   conf->l_threshold ? :
			   conf->u_threshold - (conf->u_threshold >> 2));
		__xvs_dest_update_overload(dest, 0);
	}
	spin_unlock_bh(&dest->overload_lock);

	dest->af = conf->af;

	if (add) {
		xvs_est_add(xnet, &dest->stats);
		list_add_rcu(&dest->n_list, &svc->destinations);
		svc->num_dests++;
	}
}

/* IPVS accepts only unicast or local addresses for real servers. */
static bool xvs_dest_addr_ok(struct net *net, u16 af,
			     const union nf_inet_addr *addr)
{
	struct flowi6 fl6 = {};
	struct dst_entry *dst;
	bool local;
	int type;

	if (af != AF_INET6) {
		type = inet_addr_type(net, addr->ip);
		return type == RTN_LOCAL || type == RTN_UNICAST;
	}

	type = ipv6_addr_type(&addr->in6);
	if ((type & IPV6_ADDR_UNICAST) && !(type & IPV6_ADDR_LINKLOCAL))
		return true;
	/* Unless it is one of our own addresses. */
	fl6.daddr = addr->in6;
	dst = ip6_route_output(net, NULL, &fl6);
	local = !dst->error && dst->dev && (dst->dev->flags & IFF_LOOPBACK);
	dst_release(dst);
	return local;
}

static struct xvs_dest *xvs_dest_new(struct xvs_service *svc,
				     const struct xvs_dest_conf *conf)
{
	struct xvs_dest *dest;

	dest = kzalloc(sizeof(*dest), GFP_KERNEL);
	if (!dest)
		return NULL;
	if (xvs_stats_init(&dest->stats)) {
		kfree(dest);
		return NULL;
	}
	dest->af = conf->af;
	xvs_addr_copy(conf->af, &dest->addr, &conf->addr);
	dest->port = conf->port;
	/* The identity schedulers hash: 4 words, IPv4 in the first. */
	memcpy(dest->sched.addr, &dest->addr, sizeof(dest->sched.addr));
	dest->sched.port = conf->port;
	dest->protocol = svc->protocol;
	dest->vaddr = svc->addr;
	dest->vport = svc->port;
	dest->vfwmark = svc->fwmark;
	refcount_set(&dest->refcnt, 1);
	spin_lock_init(&dest->overload_lock);
	INIT_LIST_HEAD(&dest->t_list);
	return dest;
}

/* The checks IPVS makes on a destination before adding or editing it. */
static int xvs_dest_conf_check(const struct xvs_dest_conf *conf,
			       struct netlink_ext_ack *extack)
{
	if (conf->weight < 0) {
		NL_SET_ERR_MSG(extack, "destination weight is negative");
		return -ERANGE;
	}
	if (conf->l_threshold > conf->u_threshold) {
		NL_SET_ERR_MSG(extack,
			       "lower threshold is higher than upper threshold");
		return -ERANGE;
	}
	if (conf->u_threshold > INT_MAX) {
		NL_SET_ERR_MSG(extack, "upper threshold is above INT_MAX");
		return -EINVAL;
	}
	if (conf->tun_type == IP_VS_CONN_F_TUNNEL_TYPE_GUE && !conf->tun_port) {
		NL_SET_ERR_MSG(extack, "GUE tunnel needs a tunnel port");
		return -EINVAL;
	}
	return 0;
}

int xvs_dest_add(struct xvs_service *svc, const struct xvs_dest_conf *conf,
		 struct netlink_ext_ack *extack)
{
	struct xvs_dest_set_rcu *ns;
	struct xvs_dest *dest;
	int err;

	err = xvs_dest_conf_check(conf, extack);
	if (err)
		return err;

	if (xvs_dest_find(svc, conf->af, &conf->addr, conf->port)) {
		NL_SET_ERR_MSG(extack, "destination already exists");
		return -EEXIST;
	}

	/* Everything that can fail comes before any change. */
	ns = xvs_dest_set_alloc(svc->af, svc->num_dests + 1);
	if (!ns)
		return -ENOMEM;

	dest = xvs_trash_take(svc, conf->af, &conf->addr, conf->port);
	if (!dest) {
		if (!xvs_dest_addr_ok(svc->xnet->net, conf->af, &conf->addr)) {
			NL_SET_ERR_MSG(extack,
				       "destination address is neither unicast nor local");
			kfree(ns);
			return -EINVAL;
		}
		if (conf->af == AF_INET6) {
			err = xvs_ipv6_defrag_enable(svc->xnet);
			if (err) {
				kfree(ns);
				return err;
			}
		}
		dest = xvs_dest_new(svc, conf);
		if (!dest) {
			kfree(ns);
			return -ENOMEM;
		}
	}

	xvs_dest_apply(svc, dest, conf, true);
	xvs_svc_publish(svc, ns, XVS_DEST_ADDED, 0, dest);
	/* Back from the trash at weight 0: its old entries are stale. */
	if (!conf->weight)
		xvs_conn_expire_stale(svc->xnet);
	return 0;
}

int xvs_dest_edit(struct xvs_service *svc, const struct xvs_dest_conf *conf,
		  struct netlink_ext_ack *extack)
{
	struct xvs_dest *dest;
	int err;

	err = xvs_dest_conf_check(conf, extack);
	if (err)
		return err;

	dest = xvs_dest_find(svc, conf->af, &conf->addr, conf->port);
	if (!dest) {
		NL_SET_ERR_MSG(extack, "destination does not exist");
		return -ENOENT;
	}
	xvs_dest_apply(svc, dest, conf, false);
	xvs_svc_publish(svc, NULL, XVS_DEST_UPDATED, 0, dest);
	/* Quiesced (a health checker's weight 0): entries are stale. */
	if (!conf->weight)
		xvs_conn_expire_stale(svc->xnet);
	return 0;
}

int xvs_dest_del(struct xvs_service *svc, const struct xvs_dest_conf *conf,
		 struct netlink_ext_ack *extack)
{
	struct xvs_dest_set_rcu *ns;
	struct xvs_dest *dest, *d;
	unsigned int index = 0;

	dest = xvs_dest_find(svc, conf->af, &conf->addr, conf->port);
	if (!dest) {
		NL_SET_ERR_MSG(extack, "destination does not exist");
		return -ENOENT;
	}
	list_for_each_entry(d, &svc->destinations, n_list) {
		if (d == dest)
			break;
		index++;
	}

	ns = xvs_dest_set_alloc(svc->af, svc->num_dests - 1);
	if (!ns)
		return -ENOMEM;

	xvs_dest_unlink(svc, dest);
	xvs_svc_publish(svc, ns, XVS_DEST_REMOVED, index, dest);
	xvs_dest_retire(svc->xnet, dest, false);
	xvs_conn_expire_stale(svc->xnet);
	return 0;
}

/* ---- services ------------------------------------------------------------- */

static void xvs_svc_free_rcu(struct rcu_head *head)
{
	struct xvs_service *svc = container_of(head, struct xvs_service, rcu);
	struct xvs_dest_set *set = rcu_dereference_protected(svc->dest_set, 1);

	kfree(container_of(set, struct xvs_dest_set_rcu, set));
	xvs_stats_free(&svc->stats);
	kfree(svc);
}

static void xvs_svc_count(struct xvs_net *xnet, __be16 port, int delta)
{
	if (port == XVS_FTP_PORT)
		atomic_add(delta, &xnet->ftpsvc_counter);
	else if (!port)
		atomic_add(delta, &xnet->nullsvc_counter);
}

/* Scheduler named in @conf with a reference, NULL for "none". */
static int xvs_conf_sched(const struct xvs_svc_conf *conf,
			  const struct xvs_sched_ops **ops,
			  struct netlink_ext_ack *extack)
{
	*ops = NULL;
	if (!strcmp(conf->sched_name, "none"))
		return 0;
	*ops = xvs_sched_get(conf->sched_name);
	if (!*ops) {
		NL_SET_ERR_MSG(extack, "unknown scheduler");
		return -ENOENT;
	}
	return 0;
}

/*
 * The checks after the scheduler, in IPVS's order.  *pe: the persistence
 * engine named in @conf with a reference, NULL for none.
 */
static int xvs_conf_check(const struct xvs_svc_conf *conf,
			  const struct xvs_pe_ops **pe,
			  struct netlink_ext_ack *extack)
{
	*pe = NULL;
	if (conf->pe_name && *conf->pe_name) {
		*pe = xvs_pe_get(conf->pe_name);
		if (!*pe) {
			NL_SET_ERR_MSG(extack, "unknown persistence engine");
			return -ENOENT;
		}
	}
	if (conf->af == AF_INET6) {
		u32 plen = (__force u32)conf->netmask;

		if (plen < 1 || plen > 128) {
			NL_SET_ERR_MSG(extack,
				       "IPv6 prefix length must be 1 to 128");
			xvs_pe_put(*pe);
			*pe = NULL;
			return -EINVAL;
		}
	}
	return 0;
}

int xvs_svc_add(struct xvs_net *xnet, const struct xvs_svc_conf *conf,
		struct netlink_ext_ack *extack)
{
	const struct xvs_sched_ops *ops;
	const struct xvs_pe_ops *pe = NULL;
	struct xvs_dest_set_rcu *ns = NULL;
	struct xvs_sched_inst *inst = NULL;
	struct xvs_service *svc;
	unsigned int h;
	int err;

	err = xvs_conf_sched(conf, &ops, extack);
	if (err)
		return err;
	err = xvs_conf_check(conf, &pe, extack);
	if (err)
		goto err_put;
	if (conf->af == AF_INET6) {
		err = xvs_ipv6_defrag_enable(xnet);
		if (err)
			goto err_put;
	}
	err = xvs_hooks_enable(xnet);
	if (err)
		goto err_put;

	err = -ENOMEM;
	svc = kzalloc(sizeof(*svc), GFP_KERNEL);
	if (!svc)
		goto err_hooks;
	if (xvs_stats_init(&svc->stats))
		goto err_svc;
	ns = xvs_dest_set_alloc(conf->af, 0);
	if (!ns)
		goto err_stats;

	refcount_set(&svc->refcnt, 1);
	svc->xnet = xnet;
	svc->af = conf->af;
	svc->protocol = conf->protocol;
	xvs_addr_copy(conf->af, &svc->addr, &conf->addr);
	svc->port = conf->port;
	svc->fwmark = conf->fwmark;
	svc->flags = conf->flags & ~IP_VS_SVC_F_HASHED;
	svc->timeout = conf->timeout * HZ;
	svc->netmask = conf->netmask;
	INIT_LIST_HEAD(&svc->destinations);
	spin_lock_init(&svc->sched_lock);
	/* Last to fail: its ->gc() timer may need the fields above. */
	if (ops) {
		inst = xvs_sched_inst_new(ops, svc, &ns->set);
		if (!inst)
			goto err_set;
	}
	svc->sched = ops;
	RCU_INIT_POINTER(svc->pe, pe);
	RCU_INIT_POINTER(svc->sched_inst, inst);
	RCU_INIT_POINTER(svc->dest_set, &ns->set);
	svc->id = ++xnet->next_svc_id;

	xvs_svc_count(xnet, svc->port, 1);
	xvs_est_add(xnet, &svc->stats);
	xnet->num_services++;

	svc->flags |= IP_VS_SVC_F_HASHED;
	if (svc->fwmark) {
		h = xvs_svc_fwm_hashkey(svc->fwmark);
		hlist_add_head_rcu(&svc->s_list, &xnet->fwm_table[h]);
	} else {
		h = xvs_svc_hashkey(svc->af, svc->protocol, &svc->addr,
				    svc->port);
		hlist_add_head_rcu(&svc->s_list, &xnet->svc_table[h]);
	}
	xvs_svc_conn_out_update(svc, NULL, pe);
	return 0;

err_set:
	kfree(ns);
err_stats:
	xvs_stats_free(&svc->stats);
err_svc:
	kfree(svc);
err_hooks:
	if (!xnet->num_services)
		xvs_hooks_disable(xnet);
err_put:
	xvs_pe_put(pe);
	xvs_sched_put(ops);
	return err;
}

int xvs_svc_edit(struct xvs_service *svc, const struct xvs_svc_conf *conf,
		 struct netlink_ext_ack *extack)
{
	const struct xvs_sched_ops *ops, *old_ops = svc->sched;
	struct xvs_sched_inst *inst = NULL, *old_inst;
	const struct xvs_pe_ops *pe, *old_pe;
	int err;

	err = xvs_conf_sched(conf, &ops, extack);
	if (err)
		return err;
	err = xvs_conf_check(conf, &pe, extack);
	if (err) {
		xvs_sched_put(ops);
		return err;
	}

	if (ops != old_ops) {
		/* The new scheduler starts from the current set. */
		if (ops) {
			inst = xvs_sched_inst_new(ops, svc, xvs_svc_set(svc));
			if (!inst) {
				xvs_pe_put(pe);
				xvs_sched_put(ops);
				return -ENOMEM;
			}
		}
		old_inst = xvs_svc_inst(svc);
		spin_lock_bh(&svc->sched_lock);
		rcu_assign_pointer(svc->sched_inst, inst);
		spin_unlock_bh(&svc->sched_lock);
		WRITE_ONCE(svc->sched, ops);
		xvs_sched_inst_retire(old_inst);
	}
	/* Either the reference of the old binding or the extra one. */
	xvs_sched_put(old_ops == ops ? ops : old_ops);

	/* No engine named: the service has none any more, as in IPVS. */
	old_pe = rcu_dereference_protected(svc->pe,
					   lockdep_is_held(&svc->xnet->mutex));
	rcu_assign_pointer(svc->pe, pe);
	xvs_svc_conn_out_update(svc, old_pe, pe);
	xvs_pe_put(old_pe);

	WRITE_ONCE(svc->flags, conf->flags | IP_VS_SVC_F_HASHED);
	WRITE_ONCE(svc->timeout, conf->timeout * HZ);
	WRITE_ONCE(svc->netmask, conf->netmask);
	return 0;
}

static void __xvs_svc_del(struct xvs_service *svc, bool cleanup)
{
	struct xvs_net *xnet = svc->xnet;
	const struct xvs_pe_ops *pe;
	struct xvs_sched_inst *inst;
	struct xvs_dest *dest, *next;

	hlist_del_rcu(&svc->s_list);
	svc->flags &= ~IP_VS_SVC_F_HASHED;
	xnet->num_services--;

	xvs_est_del(xnet, &svc->stats);

	/* Packets still holding the service find no scheduler, as in IPVS. */
	inst = xvs_svc_inst(svc);
	spin_lock_bh(&svc->sched_lock);
	RCU_INIT_POINTER(svc->sched_inst, NULL);
	spin_unlock_bh(&svc->sched_lock);
	xvs_sched_inst_retire(inst);
	xvs_sched_put(svc->sched);
	WRITE_ONCE(svc->sched, NULL);
	/* Packets in flight may still read svc->pe: it stays set. */
	pe = rcu_dereference_protected(svc->pe, lockdep_is_held(&xnet->mutex));
	xvs_svc_conn_out_update(svc, pe, NULL);
	xvs_pe_put(pe);

	list_for_each_entry_safe(dest, next, &svc->destinations, n_list) {
		xvs_dest_unlink(svc, dest);
		xvs_dest_retire(xnet, dest, cleanup);
	}

	xvs_svc_count(xnet, svc->port, -1);
	call_rcu(&svc->rcu, xvs_svc_free_rcu);
	if (!xnet->num_services)
		xvs_hooks_disable(xnet);
}

void xvs_svc_del(struct xvs_service *svc)
{
	struct xvs_net *xnet = svc->xnet;
	bool had_dests = !list_empty(&svc->destinations);

	__xvs_svc_del(svc, false);
	if (had_dests)
		xvs_conn_expire_stale(xnet);
}

static void __xvs_svc_flush(struct xvs_net *xnet, bool cleanup)
{
	struct xvs_service *svc;
	struct hlist_node *n;
	unsigned int i;

	for (i = 0; i < XVS_SVC_TAB_SIZE; i++)
		hlist_for_each_entry_safe(svc, n, &xnet->svc_table[i], s_list)
			__xvs_svc_del(svc, cleanup);
	for (i = 0; i < XVS_SVC_TAB_SIZE; i++)
		hlist_for_each_entry_safe(svc, n, &xnet->fwm_table[i], s_list)
			__xvs_svc_del(svc, cleanup);
}

void xvs_svc_flush(struct xvs_net *xnet)
{
	__xvs_svc_flush(xnet, false);
	/* Every destination went to the trash. */
	xvs_conn_expire_stale(xnet);
}

void xvs_svc_zero(struct xvs_service *svc)
{
	struct xvs_dest *dest;

	list_for_each_entry(dest, &svc->destinations, n_list)
		xvs_stats_zero(&dest->stats);
	xvs_stats_zero(&svc->stats);
}

void xvs_svc_zero_all(struct xvs_net *xnet)
{
	struct xvs_service *svc;
	unsigned int i;

	for (i = 0; i < XVS_SVC_TAB_SIZE; i++)
		hlist_for_each_entry(svc, &xnet->svc_table[i], s_list)
			xvs_svc_zero(svc);
	for (i = 0; i < XVS_SVC_TAB_SIZE; i++)
		hlist_for_each_entry(svc, &xnet->fwm_table[i], s_list)
			xvs_svc_zero(svc);
	xvs_stats_zero(&xnet->tot_stats);
}

/* ---- per netns -------------------------------------------------------------- */

int xvs_svc_net_init(struct xvs_net *xnet)
{
	unsigned int i;

	for (i = 0; i < XVS_SVC_TAB_SIZE; i++) {
		INIT_HLIST_HEAD(&xnet->svc_table[i]);
		INIT_HLIST_HEAD(&xnet->fwm_table[i]);
	}
	xnet->num_services = 0;
	atomic_set(&xnet->ftpsvc_counter, 0);
	atomic_set(&xnet->nullsvc_counter, 0);
	xnet->mixed_address_family_dests = 0;
	xnet->next_svc_id = 0;
	INIT_LIST_HEAD(&xnet->dest_trash);
	for (i = 0; i < XVS_DEST_TRASH_HASH_SIZE; i++)
		INIT_HLIST_HEAD(&xnet->dest_trash_hash[i]);
	spin_lock_init(&xnet->dest_trash_lock);
	timer_setup(&xnet->dest_trash_timer, xvs_dest_trash_expire, 0);
	return 0;
}

void xvs_svc_net_exit(struct xvs_net *xnet)
{
	struct xvs_dest *dest, *next;

	mutex_lock(&xnet->mutex);
	__xvs_svc_flush(xnet, true);
	mutex_unlock(&xnet->mutex);

	del_timer_sync(&xnet->dest_trash_timer);
	/*
	 * Let connections freed by RCU callbacks drop their references
	 * first, so no destination is left to an RCU callback queued after
	 * the module's final rcu_barrier().
	 */
	rcu_barrier();
	/* Destinations still used by connections go with their last one. */
	list_for_each_entry_safe(dest, next, &xnet->dest_trash, t_list) {
		list_del_init(&dest->t_list);
		hlist_del_init(&dest->t_hnode);
		xvs_dest_put(dest);
	}
}
