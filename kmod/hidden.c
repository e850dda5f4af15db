// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: "hidden" interfaces on a kernel without the hidden patch.
 *
 * LVS realservers in DR and TUN mode hold the virtual IP on lo or tunl0 so
 * that they accept what the director forwards, while the LAN must keep
 * resolving the VIP to the director ("the ARP problem").  Old kernels solved
 * it with net.ipv4.conf.{all,IFACE}.hidden (patches/linux-6.1 brings it to
 * 6.1).  This file gives the same switch to an unpatched kernel, per network
 * namespace, as sysctls of xvs's own:
 *
 *	/proc/sys/net/xvs/conf/all/hidden
 *	/proc/sys/net/xvs/conf/default/hidden	(value of devices to come)
 *	/proc/sys/net/xvs/conf/<iface>/hidden
 *
 * An interface is hidden when both all/hidden and <iface>/hidden are 1.
 * (They live outside net/ipv4/vs on purpose: that directory must stay the
 * set ip_vs has, tests/qemu/output-compare.sh compares it byte for byte.)
 *
 * What a module can do, with two netfilter ARP hooks of each namespace:
 *  - NF_ARP_IN: a broadcast ARP request for an address of a hidden
 *    interface, arriving on another interface, is dropped before
 *    arp_process() sees it, so it gets no reply.  Requests sent to our own
 *    MAC (PACKET_HOST: hosts that know us already) pass, as with the patch.
 *    Unlike the patch, the dropped request does not refresh an existing
 *    neighbour entry of its sender either.
 *  - NF_ARP_OUT: an ARP request leaving through one interface whose sender
 *    address belongs to another, hidden, interface (the kernel takes the
 *    source of the packet that needs resolving, e.g. the VIP of a reply)
 *    gets the outgoing interface's own primary address as sender instead;
 *    failing that, what inet_select_addr() picks if it is not hidden too,
 *    else the request is dropped.  A gratuitous request (sender = target)
 *    for a hidden address is dropped.
 *  - Source address selection (the patch's third part: inet_select_addr()
 *    skips hidden interfaces when it falls back to other devices' addresses)
 *    has no hook: the choice is made inside the routing code, and rewriting
 *    the source of packets afterwards would break the sockets that own
 *    them.  That fallback only happens when the outgoing interface has no
 *    address of a suitable scope; a realserver whose LAN interface holds its
 *    RIP is not affected.  Where it matters, give the route an explicit
 *    source (`ip route ... src RIP`).
 *
 * The decision itself is xvs_hidden_arp_verdict(), a pure function (KUnit).
 * Interface states are kept per namespace on an RCU list written under RTNL
 * by a netdevice notifier of that namespace; the hooks take no lock.
 */
#define pr_fmt(fmt) "xvs: " fmt

#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/if_arp.h>
#include <linux/inetdevice.h>
#include <linux/netdevice.h>
#include <linux/netfilter_arp.h>
#include <linux/rtnetlink.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>

#include "xvs.h"
#include "hidden.h"

enum xvs_hidden_verdict xvs_hidden_arp_verdict(const struct xvs_hidden_arp *a)
{
	/* Only an address of another device can be hidden from this one. */
	if (!a->all_hidden || !a->owner_hidden || !a->owner_ifindex ||
	    a->owner_ifindex == a->dev_ifindex)
		return XVS_HIDDEN_ACCEPT;
	if (a->op != ARPOP_REQUEST)
		return XVS_HIDDEN_ACCEPT;
	if (a->outgoing)
		return a->gratuitous ? XVS_HIDDEN_DROP : XVS_HIDDEN_RESOURCE;
	return a->unicast_to_us ? XVS_HIDDEN_ACCEPT : XVS_HIDDEN_DROP;
}

#ifdef CONFIG_NETFILTER_FAMILY_ARP

/* One network device of the namespace and its hidden switch. */
struct xvs_hidden_dev {
	struct hlist_node node;		/* on xvs_hidden_net.devs, RCU */
	int ifindex;
	int hidden;			/* conf/<name>/hidden */
	struct ctl_table_header *sysctl_hdr;	/* NULL: no sysctl (name clash) */
	struct ctl_table table[2];
	struct rcu_head rcu;
};

struct xvs_hidden_net {
	struct net *net;
	int all;			/* conf/all/hidden */
	int dflt;			/* conf/default/hidden */
	struct hlist_head devs;		/* written under RTNL, read under RCU */
	struct ctl_table_header *all_hdr;
	struct ctl_table_header *dflt_hdr;
	struct ctl_table *all_tbl;
	struct ctl_table *dflt_tbl;
	struct notifier_block netdev_nb;
	struct nf_hook_ops ops[2];
	struct rcu_head rcu;
};

static const struct ctl_table xvs_hidden_template[] = {
	{
		.procname	= "hidden",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_ONE,
	},
	{ }
};

/* ---- interface states --------------------------------------------------- */

static struct xvs_hidden_dev *xvs_hidden_dev_find(struct xvs_hidden_net *hn,
						  int ifindex)
{
	struct xvs_hidden_dev *hd;

	hlist_for_each_entry_rcu(hd, &hn->devs, node, lockdep_rtnl_is_held())
		if (hd->ifindex == ifindex)
			return hd;
	return NULL;
}

static bool xvs_hidden_dev_hidden(struct xvs_hidden_net *hn, int ifindex)
{
	struct xvs_hidden_dev *hd = xvs_hidden_dev_find(hn, ifindex);

	return hd && READ_ONCE(hd->hidden);
}

/* The sysctl directory of a device; under RTNL. */
static void xvs_hidden_dev_sysctl(struct xvs_hidden_net *hn,
				  struct xvs_hidden_dev *hd,
				  const struct net_device *dev)
{
	char path[sizeof("net/xvs/conf/") + IFNAMSIZ];

	if (hd->sysctl_hdr) {
		unregister_net_sysctl_table(hd->sysctl_hdr);
		hd->sysctl_hdr = NULL;
	}
	/* "all" and "default" are ours: such a device gets no switch. */
	if (!strcmp(dev->name, "all") || !strcmp(dev->name, "default")) {
		pr_info("device %s: no net/xvs/conf entry (name taken)\n", dev->name);
		return;
	}
	snprintf(path, sizeof(path), "net/xvs/conf/%s", dev->name);
	hd->sysctl_hdr = register_net_sysctl(hn->net, path, hd->table);
	if (!hd->sysctl_hdr)
		pr_warn("device %s: cannot register %s/hidden\n", dev->name, path);
}

static void xvs_hidden_dev_add(struct xvs_hidden_net *hn,
			       const struct net_device *dev)
{
	struct xvs_hidden_dev *hd;

	if (xvs_hidden_dev_find(hn, dev->ifindex))
		return;
	hd = kzalloc(sizeof(*hd), GFP_KERNEL);
	if (!hd) {
		pr_warn("device %s: out of memory, it cannot be hidden\n", dev->name);
		return;
	}
	hd->ifindex = dev->ifindex;
	hd->hidden = READ_ONCE(hn->dflt);
	memcpy(hd->table, xvs_hidden_template, sizeof(hd->table));
	hd->table[0].data = &hd->hidden;
	xvs_hidden_dev_sysctl(hn, hd, dev);
	hlist_add_head_rcu(&hd->node, &hn->devs);
}

static void xvs_hidden_dev_free(struct xvs_hidden_dev *hd)
{
	hlist_del_rcu(&hd->node);
	/* waits for the sysctl handlers that may still write hd->hidden */
	if (hd->sysctl_hdr)
		unregister_net_sysctl_table(hd->sysctl_hdr);
	kfree_rcu(hd, rcu);
}

static int xvs_hidden_netdev_event(struct notifier_block *nb,
				   unsigned long event, void *ptr)
{
	struct xvs_hidden_net *hn = container_of(nb, struct xvs_hidden_net,
						 netdev_nb);
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct xvs_hidden_dev *hd;

	switch (event) {
	case NETDEV_REGISTER:
		xvs_hidden_dev_add(hn, dev);
		break;
	case NETDEV_CHANGENAME:
		hd = xvs_hidden_dev_find(hn, dev->ifindex);
		if (hd)
			xvs_hidden_dev_sysctl(hn, hd, dev);
		break;
	case NETDEV_UNREGISTER:
		hd = xvs_hidden_dev_find(hn, dev->ifindex);
		if (hd)
			xvs_hidden_dev_free(hd);
		break;
	}
	return NOTIFY_DONE;
}

/* ---- the ARP hooks ------------------------------------------------------ */

/*
 * The sender and target IPv4 addresses of an ARP packet for IPv4 over
 * @dev's hardware; false for anything else.
 */
static bool xvs_hidden_arp_parse(const struct sk_buff *skb,
				 const struct net_device *dev, u16 *op,
				 __be32 *sip, __be32 *tip, unsigned int *sip_off)
{
	unsigned int off = skb_network_offset(skb);
	struct arphdr _arp;
	const struct arphdr *arp;
	__be32 _ip;
	const __be32 *ip;

	arp = skb_header_pointer(skb, off, sizeof(_arp), &_arp);
	if (!arp || arp->ar_pro != htons(ETH_P_IP) || arp->ar_pln != 4 ||
	    arp->ar_hln != dev->addr_len)
		return false;
	*op = ntohs(arp->ar_op);
	*sip_off = off + sizeof(*arp) + arp->ar_hln;
	ip = skb_header_pointer(skb, *sip_off, sizeof(_ip), &_ip);
	if (!ip)
		return false;
	*sip = *ip;
	ip = skb_header_pointer(skb, *sip_off + 4 + arp->ar_hln, sizeof(_ip), &_ip);
	if (!ip)
		return false;
	*tip = *ip;
	return true;
}

/* Fills the facts about @addr as seen from @dev; caller holds RCU. */
static void xvs_hidden_owner(struct xvs_hidden_net *hn,
			     const struct net_device *dev, __be32 addr,
			     struct xvs_hidden_arp *a)
{
	struct net_device *owner = __ip_dev_find(hn->net, addr, false);

	a->dev_ifindex = dev->ifindex;
	a->owner_ifindex = owner ? owner->ifindex : 0;
	a->owner_hidden = owner && xvs_hidden_dev_hidden(hn, owner->ifindex);
	a->all_hidden = true;
}

static unsigned int xvs_hidden_arp_in(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	struct xvs_hidden_net *hn = priv;
	struct xvs_hidden_arp a = { .outgoing = false };
	unsigned int sip_off;
	__be32 sip, tip;

	if (!READ_ONCE(hn->all) || !state->in)
		return NF_ACCEPT;
	if (!xvs_hidden_arp_parse(skb, state->in, &a.op, &sip, &tip, &sip_off))
		return NF_ACCEPT;
	a.unicast_to_us = skb->pkt_type == PACKET_HOST;
	xvs_hidden_owner(hn, state->in, tip, &a);
	return xvs_hidden_arp_verdict(&a) == XVS_HIDDEN_DROP ? NF_DROP : NF_ACCEPT;
}

/* A sender address for a request out of @dev that hides nothing, or 0. */
static __be32 xvs_hidden_sender(struct xvs_hidden_net *hn,
				struct net_device *dev, __be32 tip)
{
	struct in_device *in_dev = __in_dev_get_rcu(dev);
	const struct in_ifaddr *ifa;
	struct net_device *owner;
	__be32 first = 0, addr;

	if (in_dev) {
		/* the device's own primary address, one on tip's subnet first */
		in_dev_for_each_ifa_rcu(ifa, in_dev) {
			if (ifa->ifa_flags & IFA_F_SECONDARY ||
			    ifa->ifa_scope > RT_SCOPE_LINK)
				continue;
			if (inet_ifa_match(tip, ifa))
				return ifa->ifa_local;
			if (!first)
				first = ifa->ifa_local;
		}
	}
	if (first)
		return first;
	addr = inet_select_addr(dev, tip, RT_SCOPE_LINK);
	if (!addr)
		return 0;
	owner = __ip_dev_find(hn->net, addr, false);
	if (owner && owner != dev && xvs_hidden_dev_hidden(hn, owner->ifindex))
		return 0;
	return addr;
}

static unsigned int xvs_hidden_arp_out(void *priv, struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
	struct xvs_hidden_net *hn = priv;
	struct xvs_hidden_arp a = { .outgoing = true };
	struct net_device *dev = state->out;
	unsigned int sip_off;
	__be32 sip, tip, new_sip;

	if (!READ_ONCE(hn->all) || !dev)
		return NF_ACCEPT;
	if (!xvs_hidden_arp_parse(skb, dev, &a.op, &sip, &tip, &sip_off))
		return NF_ACCEPT;
	a.gratuitous = sip == tip;
	xvs_hidden_owner(hn, dev, sip, &a);
	switch (xvs_hidden_arp_verdict(&a)) {
	case XVS_HIDDEN_ACCEPT:
		return NF_ACCEPT;
	case XVS_HIDDEN_RESOURCE:
		new_sip = xvs_hidden_sender(hn, dev, tip);
		if (!new_sip || skb_ensure_writable(skb, sip_off + 4))
			return NF_DROP;
		memcpy(skb->data + sip_off, &new_sip, 4);
		return NF_ACCEPT;
	default:
		return NF_DROP;
	}
}

/* ---- per network namespace --------------------------------------------- */

static struct ctl_table_header *
xvs_hidden_register_conf(struct xvs_hidden_net *hn, const char *path,
			 int *data, struct ctl_table **tbl)
{
	struct ctl_table_header *hdr;

	*tbl = kmemdup(xvs_hidden_template, sizeof(xvs_hidden_template),
		       GFP_KERNEL);
	if (!*tbl)
		return NULL;
	(*tbl)[0].data = data;
	hdr = register_net_sysctl(hn->net, path, *tbl);
	if (!hdr) {
		kfree(*tbl);
		*tbl = NULL;
	}
	return hdr;
}

int xvs_hidden_net_init(struct xvs_net *xnet)
{
	struct xvs_hidden_net *hn;
	int i, err = -ENOMEM;

	hn = kzalloc(sizeof(*hn), GFP_KERNEL);
	if (!hn)
		return -ENOMEM;
	hn->net = xnet->net;
	INIT_HLIST_HEAD(&hn->devs);
	hn->all_hdr = xvs_hidden_register_conf(hn, "net/xvs/conf/all",
					       &hn->all, &hn->all_tbl);
	if (!hn->all_hdr)
		goto err_free;
	hn->dflt_hdr = xvs_hidden_register_conf(hn, "net/xvs/conf/default",
						&hn->dflt, &hn->dflt_tbl);
	if (!hn->dflt_hdr)
		goto err_all;

	hn->netdev_nb.notifier_call = xvs_hidden_netdev_event;
	err = register_netdevice_notifier_net(hn->net, &hn->netdev_nb);
	if (err)
		goto err_dflt;

	for (i = 0; i < ARRAY_SIZE(hn->ops); i++) {
		hn->ops[i].pf = NFPROTO_ARP;
		hn->ops[i].priority = 0;
		hn->ops[i].priv = hn;
	}
	hn->ops[0].hook = xvs_hidden_arp_in;
	hn->ops[0].hooknum = NF_ARP_IN;
	hn->ops[1].hook = xvs_hidden_arp_out;
	hn->ops[1].hooknum = NF_ARP_OUT;
	err = nf_register_net_hooks(hn->net, hn->ops, ARRAY_SIZE(hn->ops));
	if (err)
		goto err_notifier;

	xnet->hidden = hn;
	return 0;

err_notifier:
	unregister_netdevice_notifier_net(hn->net, &hn->netdev_nb);
err_dflt:
	unregister_net_sysctl_table(hn->dflt_hdr);
	kfree(hn->dflt_tbl);
err_all:
	unregister_net_sysctl_table(hn->all_hdr);
	kfree(hn->all_tbl);
err_free:
	/* what the notifier added before it failed */
	rtnl_lock();
	while (!hlist_empty(&hn->devs))
		xvs_hidden_dev_free(hlist_entry(hn->devs.first,
						struct xvs_hidden_dev, node));
	rtnl_unlock();
	kfree(hn);
	return err;
}

void xvs_hidden_net_exit(struct xvs_net *xnet)
{
	struct xvs_hidden_net *hn = xnet->hidden;

	if (!hn)
		return;
	nf_unregister_net_hooks(hn->net, hn->ops, ARRAY_SIZE(hn->ops));
	/* replays NETDEV_UNREGISTER: every device entry goes */
	unregister_netdevice_notifier_net(hn->net, &hn->netdev_nb);
	rtnl_lock();
	while (!hlist_empty(&hn->devs))
		xvs_hidden_dev_free(hlist_entry(hn->devs.first,
						struct xvs_hidden_dev, node));
	rtnl_unlock();
	unregister_net_sysctl_table(hn->dflt_hdr);
	kfree(hn->dflt_tbl);
	unregister_net_sysctl_table(hn->all_hdr);
	kfree(hn->all_tbl);
	/* hooks may still be running on other CPUs, under RCU */
	kfree_rcu(hn, rcu);
	xnet->hidden = NULL;
}

#else /* !CONFIG_NETFILTER_FAMILY_ARP */

/* Without ARP hook points there is nothing to hide with: no switch. */
int xvs_hidden_net_init(struct xvs_net *xnet)
{
	if (net_eq(xnet->net, &init_net))
		pr_info("kernel without netfilter ARP hooks: no net/xvs/conf/*/hidden\n");
	return 0;
}

void xvs_hidden_net_exit(struct xvs_net *xnet)
{
}

#endif /* CONFIG_NETFILTER_FAMILY_ARP */
