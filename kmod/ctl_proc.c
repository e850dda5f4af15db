// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: /proc/net/ip_vs, ip_vs_stats and ip_vs_stats_percpu, in the exact
 * text IPVS produces (scripts parse them).  /proc/net/ip_vs_conn and
 * ip_vs_conn_sync belong to conn.c.
 */
#include <linux/kernel.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>

#include "xvs.h"
#include "xvs_ctl.h"

struct xvs_info_iter {
	struct seq_net_private p;	/* first: proc_create_net needs it */
	unsigned int table;		/* 0: address table, 1: mark table */
	unsigned int bucket;
};

static struct hlist_head *xvs_info_table(struct xvs_net *xnet,
					 unsigned int table)
{
	return table ? xnet->fwm_table : xnet->svc_table;
}

const char *xvs_proto_name(unsigned int proto, char *buf, size_t len)
{
	switch (proto) {
	case IPPROTO_IP:
		return "IP";
	case IPPROTO_UDP:
		return "UDP";
	case IPPROTO_TCP:
		return "TCP";
	case IPPROTO_SCTP:
		return "SCTP";
	case IPPROTO_ICMP:
		return "ICMP";
	case IPPROTO_ICMPV6:
		return "ICMPv6";
	default:
		snprintf(buf, len, "IP_%u", proto);
		return buf;
	}
}

static const char *xvs_fwd_name(unsigned int conn_flags)
{
	switch (conn_flags & IP_VS_CONN_F_FWD_MASK) {
	case IP_VS_CONN_F_LOCALNODE:
		return "Local";
	case IP_VS_CONN_F_TUNNEL:
		return "Tunnel";
	case IP_VS_CONN_F_DROUTE:
		return "Route";
	default:
		return "Masq";
	}
}

/* First service at or after (iter->table, iter->bucket). */
static struct xvs_service *xvs_info_scan(struct xvs_net *xnet,
					 struct xvs_info_iter *iter)
{
	struct xvs_service *svc;

	for (; iter->table < 2; iter->table++, iter->bucket = 0) {
		for (; iter->bucket < XVS_SVC_TAB_SIZE; iter->bucket++) {
			struct hlist_head *head =
				&xvs_info_table(xnet, iter->table)[iter->bucket];

			hlist_for_each_entry_rcu(svc, head, s_list)
				return svc;
		}
	}
	return NULL;
}

static struct xvs_service *xvs_info_next(struct xvs_net *xnet,
					 struct xvs_info_iter *iter,
					 struct xvs_service *svc)
{
	struct hlist_node *n = rcu_dereference(hlist_next_rcu(&svc->s_list));

	if (n)
		return hlist_entry(n, struct xvs_service, s_list);
	iter->bucket++;
	return xvs_info_scan(xnet, iter);
}

static void *xvs_info_seq_start(struct seq_file *seq, loff_t *pos)
	__acquires(RCU)
{
	struct xvs_net *xnet = xvs_net(seq_file_net(seq));
	struct xvs_info_iter *iter = seq->private;
	struct xvs_service *svc;
	loff_t n;

	rcu_read_lock();
	if (!*pos)
		return SEQ_START_TOKEN;
	iter->table = 0;
	iter->bucket = 0;
	svc = xvs_info_scan(xnet, iter);
	for (n = *pos - 1; svc && n > 0; n--)
		svc = xvs_info_next(xnet, iter, svc);
	return svc;
}

static void *xvs_info_seq_next(struct seq_file *seq, void *v, loff_t *pos)
{
	struct xvs_net *xnet = xvs_net(seq_file_net(seq));
	struct xvs_info_iter *iter = seq->private;

	++*pos;
	if (v == SEQ_START_TOKEN) {
		iter->table = 0;
		iter->bucket = 0;
		return xvs_info_scan(xnet, iter);
	}
	return xvs_info_next(xnet, iter, v);
}

static void xvs_info_seq_stop(struct seq_file *seq, void *v)
	__releases(RCU)
{
	rcu_read_unlock();
}

static int xvs_info_seq_show(struct seq_file *seq, void *v)
{
	const struct xvs_info_iter *iter = seq->private;
	const struct xvs_service *svc = v;
	const char *onepacket;
	struct xvs_dest *dest;
	unsigned int flags;
	char pbuf[16];

	if (v == SEQ_START_TOKEN) {
		seq_printf(seq, "IP Virtual Server version %s (size=%d)\n",
			   XVS_IPVS_VERSION_STR, XVS_IPVS_CONN_TAB_SIZE);
		seq_puts(seq, "Prot LocalAddress:Port Scheduler Flags\n");
		seq_puts(seq,
			 "  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n");
		return 0;
	}

	flags = READ_ONCE(svc->flags);
	onepacket = (flags & IP_VS_SVC_F_ONEPACKET) ? "ops " : "";
	if (iter->table == 0) {
		const char *proto = xvs_proto_name(svc->protocol, pbuf,
						   sizeof(pbuf));

		/* IPVS shows no one-packet flag for IPv6 services. */
		if (svc->af == AF_INET6)
			seq_printf(seq, "%s  [%pI6]:%04X %s ", proto,
				   &svc->addr.in6, ntohs(svc->port),
				   xvs_svc_sched_name(svc));
		else
			seq_printf(seq, "%s  %08X:%04X %s %s ", proto,
				   ntohl(svc->addr.ip), ntohs(svc->port),
				   xvs_svc_sched_name(svc), onepacket);
	} else {
		seq_printf(seq, "FWM  %08X %s %s", svc->fwmark,
			   xvs_svc_sched_name(svc), onepacket);
	}

	/* The timeout is in jiffies here, as in IPVS. */
	if (flags & IP_VS_SVC_F_PERSISTENT)
		seq_printf(seq, "persistent %d %08X\n",
			   READ_ONCE(svc->timeout),
			   ntohl(READ_ONCE(svc->netmask)));
	else
		seq_putc(seq, '\n');

	list_for_each_entry_rcu(dest, &svc->destinations, n_list) {
		const char *fwd = xvs_fwd_name(READ_ONCE(dest->conn_flags));
		int weight = atomic_read(&dest->sched.weight);
		int active = atomic_read(&dest->sched.activeconns);
		int inact = max(atomic_read(&dest->sched.inactconns), 0);

		if (dest->af == AF_INET6)
			seq_printf(seq,
				   "  -> [%pI6]:%04X      %-7s %-6d %-10d %-10d\n",
				   &dest->addr.in6, ntohs(dest->port), fwd,
				   weight, active, inact);
		else
			seq_printf(seq,
				   "  -> %08X:%04X      %-7s %-6d %-10d %-10d\n",
				   ntohl(dest->addr.ip), ntohs(dest->port), fwd,
				   weight, active, inact);
	}
	return 0;
}

static const struct seq_operations xvs_info_seq_ops = {
	.start	= xvs_info_seq_start,
	.next	= xvs_info_seq_next,
	.stop	= xvs_info_seq_stop,
	.show	= xvs_info_seq_show,
};

static int xvs_stats_show(struct seq_file *seq, void *v)
{
	struct xvs_net *xnet = xvs_net(seq_file_single_net(seq));
	struct xvs_counters c;
	struct xvs_rates r;

	xvs_stats_read(&xnet->tot_stats, &c);
	xvs_stats_read_rates(&xnet->tot_stats, &r);

	seq_puts(seq,
		 "   Total Incoming Outgoing         Incoming         Outgoing\n");
	seq_puts(seq,
		 "   Conns  Packets  Packets            Bytes            Bytes\n");
	seq_printf(seq, "%8llX %8llX %8llX %16llX %16llX\n\n",
		   c.conns, c.inpkts, c.outpkts, c.inbytes, c.outbytes);
	seq_puts(seq,
		 " Conns/s   Pkts/s   Pkts/s          Bytes/s          Bytes/s\n");
	seq_printf(seq, "%8llX %8llX %8llX %16llX %16llX\n",
		   r.cps, r.inpps, r.outpps, r.inbps, r.outbps);
	return 0;
}

static int xvs_stats_percpu_show(struct seq_file *seq, void *v)
{
	struct xvs_net *xnet = xvs_net(seq_file_single_net(seq));
	struct xvs_stats *s = &xnet->tot_stats;
	struct xvs_counters c;
	struct xvs_rates r;
	int cpu;

	seq_puts(seq,
		 "       Total Incoming Outgoing         Incoming         Outgoing\n");
	seq_puts(seq,
		 "CPU    Conns  Packets  Packets            Bytes            Bytes\n");

	/* Raw per-CPU counters, not adjusted by zeroing, as in IPVS. */
	for_each_possible_cpu(cpu) {
		struct xvs_cpu_stats *pc = per_cpu_ptr(s->cpu, cpu);
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&pc->syncp);
			c = pc->cnt;
		} while (u64_stats_fetch_retry(&pc->syncp, start));

		seq_printf(seq, "%3X %8llX %8llX %8llX %16llX %16llX\n",
			   cpu, c.conns, c.inpkts, c.outpkts, c.inbytes,
			   c.outbytes);
	}

	xvs_stats_read(s, &c);
	xvs_stats_read_rates(s, &r);
	seq_printf(seq, "  ~ %8llX %8llX %8llX %16llX %16llX\n\n",
		   c.conns, c.inpkts, c.outpkts, c.inbytes, c.outbytes);
	seq_puts(seq,
		 "     Conns/s   Pkts/s   Pkts/s          Bytes/s          Bytes/s\n");
	seq_printf(seq, "    %8llX %8llX %8llX %16llX %16llX\n",
		   r.cps, r.inpps, r.outpps, r.inbps, r.outbps);
	return 0;
}

int xvs_proc_net_init(struct xvs_net *xnet)
{
	struct net *net = xnet->net;

	if (!proc_create_net("ip_vs", 0, net->proc_net, &xvs_info_seq_ops,
			     sizeof(struct xvs_info_iter)))
		goto err;
	if (!proc_create_net_single("ip_vs_stats", 0, net->proc_net,
				    xvs_stats_show, NULL))
		goto err_stats;
	if (!proc_create_net_single("ip_vs_stats_percpu", 0, net->proc_net,
				    xvs_stats_percpu_show, NULL))
		goto err_percpu;
	return 0;

err_percpu:
	remove_proc_entry("ip_vs_stats", net->proc_net);
err_stats:
	remove_proc_entry("ip_vs", net->proc_net);
err:
	return -ENOMEM;
}

void xvs_proc_net_exit(struct xvs_net *xnet)
{
	struct net *net = xnet->net;

	remove_proc_entry("ip_vs_stats_percpu", net->proc_net);
	remove_proc_entry("ip_vs_stats", net->proc_net);
	remove_proc_entry("ip_vs", net->proc_net);
}
