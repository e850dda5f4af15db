// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: drop reason counters (/proc/net/xvs_drops) and net.xvs.debug_level.
 *
 * IPVS has net.ipv4.vs.debug_level only when built with CONFIG_IP_VS_DEBUG,
 * which Debian's kernel is not, so net.ipv4.vs keeps exactly ip_vs's
 * sysctls and the knob lives in xvs' own net.xvs directory instead.
 */
#define pr_fmt(fmt) "xvs: " fmt

#include <linux/kernel.h>
#include <linux/net.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>

#include "drop.h"

static const char *const xvs_drop_names[XVS_DROP_MAX] = {
	[XVS_DROP_BAD_HEADER]	= "bad_header",
	[XVS_DROP_CSUM]		= "checksum",
	[XVS_DROP_DEFENSE]	= "defense_drop_packet",
	[XVS_DROP_NO_DEST]	= "no_destination",
	[XVS_DROP_DEST_GONE]	= "destination_removed",
	[XVS_DROP_NAT_NO_CONN]	= "nat_no_connection",
	[XVS_DROP_NO_MEM]	= "no_memory",
	[XVS_DROP_PE]		= "persistence_engine",
	[XVS_DROP_NO_ROUTE]	= "no_route",
	[XVS_DROP_ROUTE_MODE]	= "route_not_allowed",
	[XVS_DROP_TTL]		= "ttl_exceeded",
	[XVS_DROP_MTU]		= "mtu_exceeded",
	[XVS_DROP_MANGLE]	= "mangle_failed",
	[XVS_DROP_TUNNEL]	= "tunnel_failed",
	[XVS_DROP_CONNTRACK]	= "conntrack",
};

void __xvs_drop_log(struct xvs_net *xnet, enum xvs_drop_reason reason)
{
	net_ratelimited_function(printk, KERN_DEBUG pr_fmt("drop: %s\n"),
				 xvs_drop_names[reason]);
}

static u64 xvs_drop_sum(struct xvs_net *xnet, unsigned int reason)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(xnet->drops, cpu)->cnt[reason]);
	return sum;
}

/* One line per reason: "name count", in the enum's order. */
static int xvs_drops_show(struct seq_file *seq, void *v)
{
	struct xvs_net *xnet = xvs_net(seq_file_single_net(seq));
	unsigned int i;

	for (i = 0; i < XVS_DROP_MAX; i++)
		seq_printf(seq, "%s %llu\n", xvs_drop_names[i],
			   xvs_drop_sum(xnet, i));
	return 0;
}

int xvs_drop_net_init(struct xvs_net *xnet)
{
	struct net *net = xnet->net;
	struct ctl_table *tbl;

	BUILD_BUG_ON(ARRAY_SIZE(xvs_drop_names) != XVS_DROP_MAX);
	xnet->drops = alloc_percpu(struct xvs_drop_stats);
	if (!xnet->drops)
		return -ENOMEM;
	if (!proc_create_net_single("xvs_drops", 0444, net->proc_net,
				    xvs_drops_show, NULL))
		goto err_proc;

	/* debug_level and the zeroed terminator */
	tbl = kcalloc(2, sizeof(*tbl), GFP_KERNEL);
	if (!tbl)
		goto err_tbl;
	tbl[0].procname = "debug_level";
	tbl[0].data = &xnet->sysctl.debug_level;
	tbl[0].maxlen = sizeof(int);
	tbl[0].mode = 0644;
	tbl[0].proc_handler = proc_dointvec;
	xnet->drop_sysctl_hdr = register_net_sysctl(net, "net/xvs", tbl);
	if (!xnet->drop_sysctl_hdr)
		goto err_sysctl;
	xnet->drop_sysctl_tbl = tbl;
	return 0;

err_sysctl:
	kfree(tbl);
err_tbl:
	remove_proc_entry("xvs_drops", net->proc_net);
err_proc:
	free_percpu(xnet->drops);
	return -ENOMEM;
}

void xvs_drop_net_exit(struct xvs_net *xnet)
{
	unregister_net_sysctl_table(xnet->drop_sysctl_hdr);
	kfree(xnet->drop_sysctl_tbl);
	remove_proc_entry("xvs_drops", xnet->net->proc_net);
	free_percpu(xnet->drops);
}
