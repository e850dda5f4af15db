// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: module entry, per network namespace life cycle.
 */
#define pr_fmt(fmt) "xvs: " fmt

#include <linux/module.h>
#include <linux/kernel.h>

#include "xvs.h"
#include "nfct.h"
#include "drop.h"
#include "conn.h"
#include "hidden.h"
#include "hooks_ipv6.h"
#include "fast_path.h"

unsigned int xvs_net_id __read_mostly;

static int xvs_tot_stats_init(struct xvs_net *xnet)
{
	return xvs_stats_init(&xnet->tot_stats);
}

static void xvs_tot_stats_exit(struct xvs_net *xnet)
{
	xvs_stats_free(&xnet->tot_stats);
}

/*
 * A namespace's parts, set up in this order and torn down in the reverse
 * one (also when a later part fails to set up), so each part's exit runs
 * while everything it set up on stays.  Read bottom up, the teardown is:
 * no packet enters (hidden, hooks) before connections go, the sync backup
 * that creates connections stops before the table is emptied, connections
 * release their destinations before the services go.
 */
struct xvs_net_part {
	const char *name;
	int (*init)(struct xvs_net *xnet);
	void (*exit)(struct xvs_net *xnet);
};

static const struct xvs_net_part xvs_net_parts[] = {
	{ "stats",	xvs_tot_stats_init,	xvs_tot_stats_exit },
	{ "drops",	xvs_drop_net_init,	xvs_drop_net_exit },
	{ "estimator",	xvs_est_net_init,	xvs_est_net_exit },
	{ "services",	xvs_svc_net_init,	xvs_svc_net_exit },
	/* its exit empties the table: entries wait for no timer */
	{ "connections", xvs_conn_net_init,	xvs_conn_net_exit },
	{ "sync",	xvs_sync_net_init,	xvs_sync_net_exit },
	{ "sysctl",	xvs_sysctl_net_init,	xvs_sysctl_net_exit },
	{ "proc",	xvs_proc_net_init,	xvs_proc_net_exit },
	/* its counters outlive the ingress hooks the hooks' exit removes */
	{ "fast path",	xvs_fast_path_net_init,	xvs_fast_path_net_exit },
	{ "hooks",	xvs_hooks_net_init,	xvs_hooks_net_exit },
	{ "hidden",	xvs_hidden_net_init,	xvs_hidden_net_exit },
	/*
	 * Conntrack expectations come with connections (FTP), not with the
	 * namespace: nothing to set up, but they go before anything else.
	 */
	{ "conntrack",	NULL,			xvs_nfct_net_exit },
};

static void xvs_net_parts_exit(struct xvs_net *xnet, unsigned int n)
{
	while (n--)
		xvs_net_parts[n].exit(xnet);
}

static int __net_init xvs_net_init(struct net *net)
{
	struct xvs_net *xnet = xvs_net(net);
	unsigned int i;
	int err;

	xnet->net = net;
	mutex_init(&xnet->mutex);

	for (i = 0; i < ARRAY_SIZE(xvs_net_parts); i++) {
		if (!xvs_net_parts[i].init)
			continue;
		err = xvs_net_parts[i].init(xnet);
		if (err) {
			pr_err("namespace setup failed at %s: %d\n",
			       xvs_net_parts[i].name, err);
			xvs_net_parts_exit(xnet, i);
			return err;
		}
	}
	return 0;
}

static void __net_exit xvs_net_exit(struct net *net)
{
	xvs_net_parts_exit(xvs_net(net), ARRAY_SIZE(xvs_net_parts));
}

/*
 * The sync daemons' sockets hold routes and multicast memberships on the
 * namespace's devices; a dying namespace unregisters its devices before any
 * .exit of a pernet subsystem runs, and would wait for those references
 * forever.  .pre_exit runs before that.
 */
static void __net_exit xvs_net_pre_exit(struct net *net)
{
	/* Other subsystems' pernet data (conntrack's) may go before ours. */
	WRITE_ONCE(xvs_net(net)->exiting, true);
	xvs_sync_stop_all(xvs_net(net));
}

static struct pernet_operations xvs_net_ops = {
	.init = xvs_net_init,
	.pre_exit = xvs_net_pre_exit,
	.exit = xvs_net_exit,
	.id = &xvs_net_id,
	.size = sizeof(struct xvs_net),
};

static int __init xvs_init(void)
{
	int err;

	/*
	 * The generic netlink family "IPVS" is the kernel's IPVS as much as
	 * ours; if it is taken, ip_vs is loaded and we must not touch its
	 * /proc and sysctl names either.
	 */
	err = xvs_genl_init();
	if (err == -EEXIST) {
		pr_err("the kernel's IPVS (ip_vs) is loaded; unload it (modprobe -r ip_vs) before loading xvs\n");
		return err;
	}
	if (err)
		return err;

	xvs_nfct_init();
	err = register_pernet_subsys(&xvs_net_ops);
	if (err) {
		xvs_nfct_exit();
		xvs_genl_exit();
		return err;
	}
	xvs_genl_set_ready();
	pr_info("loaded, generic netlink family IPVS v%d\n", IPVS_GENL_VERSION);
	return 0;
}

static void __exit xvs_exit(void)
{
	xvs_genl_exit();
	unregister_pernet_subsys(&xvs_net_ops);
	xvs_ipv6_defrag_put();
	xvs_nfct_exit();
	/* Connections and services are freed with call_rcu. */
	rcu_barrier();
	pr_info("unloaded\n");
}

module_init(xvs_init);
module_exit(xvs_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xvs: an IPVS-compatible IP virtual server");
