// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: the packets' conntrack entries (see nfct.h).
 *
 * nf_conntrack's functions are looked up rather than linked, so that
 * xvs.ko loads (insmod) without nf_conntrack; without it no packet carries
 * an entry and there is nothing to do.  They are taken when xvs loads if
 * nf_conntrack is there, else as soon as nf_conntrack loads; from then on
 * nf_conntrack stays until xvs goes, as it would for the kernel's IPVS,
 * which links it.
 */
#define pr_fmt(fmt) "xvs: " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/tcp.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_zones.h>

#include "xvs.h"
#include "conn.h"
#include "nfct.h"

static struct {
	typeof(&nf_conntrack_alter_reply) alter_reply;
	typeof(&nf_conntrack_find_get) find_get;
	typeof(&nf_ct_delete) delete;
	typeof(&__nf_conntrack_confirm) confirm;
	typeof(&nf_conntrack_in) track;
	typeof(&nf_ct_expect_alloc) expect_alloc;
	typeof(&nf_ct_expect_init) expect_init;
	typeof(&nf_ct_expect_related_report) expect_add;
	typeof(&nf_ct_expect_put) expect_put;
	typeof(&nf_ct_expect_iterate_net) expect_flush;
} xvs_ct_fns;

/* Set (release) once every function above is there. */
static bool xvs_ct_ready;
static DEFINE_MUTEX(xvs_ct_mutex);

static bool xvs_ct_usable(void)
{
	/* Pairs with the release in xvs_ct_get_fns(): the pointers are set. */
	return smp_load_acquire(&xvs_ct_ready);
}

static void xvs_ct_put_fns(void)
{
	if (xvs_ct_fns.alter_reply)
		symbol_put(nf_conntrack_alter_reply);
	if (xvs_ct_fns.find_get)
		symbol_put(nf_conntrack_find_get);
	if (xvs_ct_fns.delete)
		symbol_put(nf_ct_delete);
	if (xvs_ct_fns.confirm)
		symbol_put(__nf_conntrack_confirm);
	if (xvs_ct_fns.track)
		symbol_put(nf_conntrack_in);
	if (xvs_ct_fns.expect_alloc)
		symbol_put(nf_ct_expect_alloc);
	if (xvs_ct_fns.expect_init)
		symbol_put(nf_ct_expect_init);
	if (xvs_ct_fns.expect_add)
		symbol_put(nf_ct_expect_related_report);
	if (xvs_ct_fns.expect_put)
		symbol_put(nf_ct_expect_put);
	if (xvs_ct_fns.expect_flush)
		symbol_put(nf_ct_expect_iterate_net);
	memset(&xvs_ct_fns, 0, sizeof(xvs_ct_fns));
}

static void xvs_ct_get_fns(void)
{
	mutex_lock(&xvs_ct_mutex);
	if (!xvs_ct_ready) {
		xvs_ct_fns.alter_reply = symbol_get(nf_conntrack_alter_reply);
		xvs_ct_fns.find_get = symbol_get(nf_conntrack_find_get);
		xvs_ct_fns.delete = symbol_get(nf_ct_delete);
		xvs_ct_fns.confirm = symbol_get(__nf_conntrack_confirm);
		xvs_ct_fns.track = symbol_get(nf_conntrack_in);
		xvs_ct_fns.expect_alloc = symbol_get(nf_ct_expect_alloc);
		xvs_ct_fns.expect_init = symbol_get(nf_ct_expect_init);
		xvs_ct_fns.expect_add = symbol_get(nf_ct_expect_related_report);
		xvs_ct_fns.expect_put = symbol_get(nf_ct_expect_put);
		xvs_ct_fns.expect_flush = symbol_get(nf_ct_expect_iterate_net);
		if (xvs_ct_fns.alter_reply && xvs_ct_fns.find_get &&
		    xvs_ct_fns.delete && xvs_ct_fns.confirm &&
		    xvs_ct_fns.track && xvs_ct_fns.expect_alloc &&
		    xvs_ct_fns.expect_init && xvs_ct_fns.expect_add &&
		    xvs_ct_fns.expect_put && xvs_ct_fns.expect_flush)
			/* Packets see the pointers before the flag. */
			smp_store_release(&xvs_ct_ready, true);
		else
			xvs_ct_put_fns();
	}
	mutex_unlock(&xvs_ct_mutex);
}

static int xvs_ct_module_event(struct notifier_block *nb,
			       unsigned long state, void *data)
{
	const struct module *mod = data;

	if (state == MODULE_STATE_LIVE && !strcmp(mod->name, "nf_conntrack"))
		xvs_ct_get_fns();
	return NOTIFY_DONE;
}

static struct notifier_block xvs_ct_module_nb = {
	.notifier_call = xvs_ct_module_event,
};

void xvs_nfct_init(void)
{
	/* Registered first: a load in between is seen by one or the other. */
	register_module_notifier(&xvs_ct_module_nb);
	xvs_ct_get_fns();
}

void xvs_nfct_exit(void)
{
	unregister_module_notifier(&xvs_ct_module_nb);
	mutex_lock(&xvs_ct_mutex);
	if (xvs_ct_ready) {
		xvs_ct_ready = false;
		xvs_ct_put_fns();
	}
	mutex_unlock(&xvs_ct_mutex);
}

/* The packet no longer matches what conntrack saw: leave it untracked. */
static void xvs_skb_untrack(struct sk_buff *skb)
{
	struct nf_conntrack *nfct = skb_nfct(skb);

	if (nfct) {
		nf_conntrack_put(nfct);
		skb_set_nfct(skb, IP_CT_UNTRACKED);
	}
}

static bool xvs_ct_has_ports(const struct nf_conntrack_tuple *t)
{
	return t->dst.protonum != IPPROTO_ICMP &&
	       t->dst.protonum != IPPROTO_ICMPV6;
}

void xvs_conn_nfct(struct sk_buff *skb, struct xvs_conn *cp, bool from_client)
{
	unsigned int flags = READ_ONCE(cp->flags);
	struct nf_conntrack_tuple reply;
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;

	if (!(flags & IP_VS_CONN_F_NFCT) || !xvs_ct_usable()) {
		xvs_skb_untrack(skb);
		return;
	}
	/*
	 * Only NAT changes who answers, and only an entry not yet in the
	 * table (the first packet of its flow) may change its reply tuple.
	 * A one-packet connection expects no reply.
	 */
	if ((flags & IP_VS_CONN_F_FWD_MASK) != IP_VS_CONN_F_MASQ ||
	    (flags & IP_VS_CONN_F_ONE_PACKET))
		return;
	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || nf_ct_is_confirmed(ct) || nf_ct_is_dying(ct) ||
	    CTINFO2DIR(ctinfo) != IP_CT_DIR_ORIGINAL)
		return;

	/* The original direction stays client to virtual service. */
	reply = ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	if (from_client) {
		reply.src.u3 = cp->daddr;
		if (xvs_ct_has_ports(&reply))
			reply.src.u.all = cp->dport;
	} else {
		/* A real server's packet opened it (active FTP data). */
		reply.dst.u3 = cp->vaddr;
		if (xvs_ct_has_ports(&reply))
			reply.dst.u.all = cp->vport;
	}
	xvs_ct_fns.alter_reply(ct, &reply);
}

unsigned int xvs_nfct_tunnel_out(struct sk_buff *skb, struct xvs_conn *cp)
{
	struct nf_conn *ct = (struct nf_conn *)skb_nfct(skb);

	if (!(READ_ONCE(cp->flags) & IP_VS_CONN_F_NFCT) || !ct ||
	    nf_ct_is_confirmed(ct) || !xvs_ct_usable())
		return NF_ACCEPT;
	return xvs_ct_fns.confirm(skb);
}

void xvs_nfct_conn_gone(struct xvs_conn *cp)
{
	struct nf_conntrack_zone zone;
	struct nf_conntrack_tuple tuple = {};
	struct nf_conntrack_tuple_hash *h;
	struct nf_conn *ct;

	if ((cp->flags & (IP_VS_CONN_F_NFCT | IP_VS_CONN_F_ONE_PACKET)) !=
	    IP_VS_CONN_F_NFCT || !cp->cport || !xvs_ct_usable())
		return;
	/* conntrack's pernet data may be gone already in a dying netns. */
	if (READ_ONCE(cp->xnet->exiting))
		return;

	tuple.src.l3num = cp->af;
	tuple.src.u3 = cp->caddr;
	tuple.src.u.all = cp->cport;
	tuple.dst.u3 = cp->vaddr;
	tuple.dst.u.all = cp->vport;
	tuple.dst.protonum = cp->protocol;
	tuple.dst.dir = IP_CT_DIR_ORIGINAL;
	nf_ct_zone_init(&zone, NF_CT_DEFAULT_ZONE_ID, NF_CT_DEFAULT_ZONE_DIR, 0);

	h = xvs_ct_fns.find_get(cp->xnet->net, &zone, &tuple);
	if (!h)
		return;
	ct = nf_ct_tuplehash_to_ctrack(h);
	xvs_ct_fns.delete(ct, 0, 0);
	/* (nf_ct_put() would link nf_conntrack) */
	nf_conntrack_put(&ct->ct_general);
}

void xvs_nfct_reuse(struct sk_buff *skb, struct xvs_conn *cp,
		    const struct nf_hook_state *state)
{
	enum ip_conntrack_info ctinfo;
	struct nf_hook_state pre;
	struct nf_conn *ct;

	if (!(READ_ONCE(cp->flags) & IP_VS_CONN_F_NFCT))
		return;
	/* Its expiry must not delete the entry the new connection uses. */
	spin_lock_bh(&cp->lock);
	WRITE_ONCE(cp->flags, cp->flags & ~IP_VS_CONN_F_NFCT);
	spin_unlock_bh(&cp->lock);

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || !nf_ct_is_confirmed(ct) || !xvs_ct_usable())
		return;
	/*
	 * The old entry still sends replies to the old real server.  Track
	 * the packet again once it is gone, as it was tracked on arrival.
	 */
	xvs_ct_fns.delete(ct, 0, 0);
	nf_reset_ct(skb);
	pre = *state;
	pre.hook = NF_INET_PRE_ROUTING;
	xvs_ct_fns.track(skb, &pre);
}

void xvs_nfct_resized(struct sk_buff *skb, struct xvs_conn *cp)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	if (!ct || !(READ_ONCE(cp->flags) & IP_VS_CONN_F_NFCT) ||
	    nf_ct_protonum(ct) != IPPROTO_TCP)
		return;
	/*
	 * IPVS has conntrack translate the sequence numbers (seqadj, via
	 * nf_nat); ours does it itself, which conntrack's window tracking
	 * cannot know: let it accept what it cannot follow.
	 */
	spin_lock_bh(&ct->lock);
	ct->proto.tcp.seen[IP_CT_DIR_ORIGINAL].flags |= IP_CT_TCP_FLAG_BE_LIBERAL;
	ct->proto.tcp.seen[IP_CT_DIR_REPLY].flags |= IP_CT_TCP_FLAG_BE_LIBERAL;
	spin_unlock_bh(&ct->lock);
}

/*
 * conntrack made the entry of a data connection we expected (client to
 * virtual service): its replies will come from the real server.
 */
static void xvs_nfct_expected(struct nf_conn *ct,
			      struct nf_conntrack_expect *exp)
{
	const struct nf_conntrack_tuple *orig =
		&ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	struct nf_conntrack_tuple reply;
	struct xvs_pkt q = {};
	struct xvs_conn *cp;

	q.af = orig->src.l3num;
	q.protocol = orig->dst.protonum;
	q.saddr = orig->src.u3;
	q.sport = orig->src.u.all;
	q.daddr = orig->dst.u3;
	q.dport = orig->dst.u.all;
	cp = xvs_conn_in_get(xvs_net(nf_ct_net(ct)), &q);
	if (!cp)
		return;
	if (xvs_conn_fwd_method(cp) == IP_VS_CONN_F_MASQ) {
		reply = ct->tuplehash[IP_CT_DIR_REPLY].tuple;
		reply.src.u3 = cp->daddr;
		reply.src.u.all = cp->dport;
		xvs_ct_fns.alter_reply(ct, &reply);
	}
	__xvs_conn_put(cp);
}

void xvs_nfct_expect(struct sk_buff *skb, struct xvs_conn *ctl,
		     struct xvs_conn *data)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conntrack_expect *exp;
	struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	if (!ct || !(READ_ONCE(ctl->flags) & IP_VS_CONN_F_NFCT) ||
	    !xvs_ct_usable() || READ_ONCE(ctl->xnet->exiting))
		return;
	exp = xvs_ct_fns.expect_alloc(ct);
	if (!exp)
		return;
	/* From the client, any port, to the announced virtual port. */
	xvs_ct_fns.expect_init(exp, NF_CT_EXPECT_CLASS_DEFAULT, nf_ct_l3num(ct),
			       &data->caddr, &data->vaddr, data->protocol,
			       NULL, &data->vport);
	exp->expectfn = xvs_nfct_expected;
	/*
	 * Refused unless the control connection's entry has a conntrack
	 * helper (an "nft ct helper" rule), as for IPVS.
	 */
	xvs_ct_fns.expect_add(exp, 0, 0, 0);
	xvs_ct_fns.expect_put(exp);
}

static bool xvs_nfct_is_ours(struct nf_conntrack_expect *exp, void *data)
{
	return exp->expectfn == xvs_nfct_expected;
}

void xvs_nfct_net_exit(struct xvs_net *xnet)
{
	if (!xvs_ct_usable())
		return;
	/*
	 * No new expectation since .pre_exit (exiting, then a grace period);
	 * one being fulfilled now is done after the next one.
	 */
	xvs_ct_fns.expect_flush(xnet->net, xvs_nfct_is_ours, NULL, 0, 0);
	synchronize_net();
}
