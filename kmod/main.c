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

unsigned int xvs_net_id __read_mostly;

static int __net_init xvs_net_init(struct net *net)
{
	struct xvs_net *xnet = xvs_net(net);
	int err;

	xnet->net = net;
	mutex_init(&xnet->mutex);

	err = xvs_stats_init(&xnet->tot_stats);
	if (err)
		return err;
	err = xvs_drop_net_init(xnet);
	if (err)
		goto err_drop;
	err = xvs_est_net_init(xnet);
	if (err)
		goto err_est;
	err = xvs_svc_net_init(xnet);
	if (err)
		goto err_svc;
	err = xvs_conn_net_init(xnet);
	if (err)
		goto err_conn;
	err = xvs_sync_net_init(xnet);
	if (err)
		goto err_sync;
	err = xvs_sysctl_net_init(xnet);
	if (err)
		goto err_sysctl;
	err = xvs_proc_net_init(xnet);
	if (err)
		goto err_proc;
	err = xvs_hooks_net_init(xnet);
	if (err)
		goto err_hooks;
	err = xvs_hidden_net_init(xnet);
	if (err)
		goto err_hidden;
	return 0;

err_hidden:
	xvs_hooks_net_exit(xnet);
err_hooks:
	xvs_proc_net_exit(xnet);
err_proc:
	xvs_sysctl_net_exit(xnet);
err_sysctl:
	xvs_sync_net_exit(xnet);
err_sync:
	xvs_conn_net_exit(xnet);
err_conn:
	xvs_svc_net_exit(xnet);
err_svc:
	xvs_est_net_exit(xnet);
err_est:
	xvs_drop_net_exit(xnet);
err_drop:
	xvs_stats_free(&xnet->tot_stats);
	return err;
}

static void __net_exit xvs_net_exit(struct net *net)
{
	struct xvs_net *xnet = xvs_net(net);

	xvs_nfct_net_exit(xnet);
	xvs_hidden_net_exit(xnet);
	/* No packet enters after this; then connections release destinations. */
	xvs_hooks_net_exit(xnet);
	/* The sync backup creates connections too: stop it first. */
	xvs_sync_net_exit(xnet);
	xvs_conn_flush(xnet);
	xvs_proc_net_exit(xnet);
	xvs_sysctl_net_exit(xnet);
	xvs_svc_net_exit(xnet);
	xvs_conn_net_exit(xnet);
	xvs_est_net_exit(xnet);
	xvs_drop_net_exit(xnet);
	xvs_stats_free(&xnet->tot_stats);
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
