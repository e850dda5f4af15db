// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: /proc/sys/net/ipv4/vs/, the knobs of IPVS 6.1 as built by Debian
 * (with CONFIG_IP_VS_NFCT, without CONFIG_IP_VS_DEBUG): the same names,
 * modes, defaults and write checks.  In IPVS, lblc_expiration and
 * lblcr_expiration come with the ip_vs_lblc/ip_vs_lblcr modules; our lblc
 * and lblcr are always there, and so are their knobs.
 *
 * Also here: the memory-pressure defense that drop_entry, drop_packet and
 * secure_tcp control, re-evaluated every second as IPVS does; and xvs' own
 * knobs of /proc/sys/net/xvs/ that belong to the connection table
 * (expire_stale_conn; drop.c and hidden.c add theirs to the directory).
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <linux/log2.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>

#include "xvs.h"
#include "xvs_ctl.h"

#define XVS_DEFENSE_PERIOD	HZ

/* IPVS's defaults for the sync knobs. */
#define XVS_SYNC_THRESHOLD	3
#define XVS_SYNC_PERIOD		50

/* ---- memory-pressure defense ------------------------------------------- */

/*
 * Each of drop_entry, drop_packet and secure_tcp: 0 off, 1 automatic (on
 * while memory is low, shown as 2 while on), 3 always on.
 */
static void xvs_update_defense_level(struct xvs_net *xnet)
{
	struct xvs_sysctl_vals *v = &xnet->sysctl;
	struct sysinfo si;
	long availmem;
	int amemthresh;
	bool nomem;

	si_meminfo(&si);
	availmem = si.freeram + si.bufferram;
	amemthresh = READ_ONCE(v->amemthresh);
	nomem = availmem < amemthresh;

	spin_lock_bh(&xnet->defense_lock);

	switch (v->drop_entry) {
	case 0:
		atomic_set(&xnet->dropentry, 0);
		break;
	case 1:
	case 2:
		atomic_set(&xnet->dropentry, nomem);
		WRITE_ONCE(v->drop_entry, nomem ? 2 : 1);
		break;
	case 3:
		atomic_set(&xnet->dropentry, 1);
		break;
	}

	switch (v->drop_packet) {
	case 0:
		WRITE_ONCE(xnet->drop_rate, 0);
		break;
	case 1:
	case 2:
		if (nomem) {
			/* Drop more the further below the threshold we are. */
			WRITE_ONCE(xnet->drop_rate, amemthresh / (amemthresh - availmem));
			atomic_set(&xnet->drop_counter, xnet->drop_rate);
			WRITE_ONCE(v->drop_packet, 2);
		} else {
			WRITE_ONCE(xnet->drop_rate, 0);
			WRITE_ONCE(v->drop_packet, 1);
		}
		break;
	case 3:
		WRITE_ONCE(xnet->drop_rate, READ_ONCE(v->am_droprate));
		break;
	}

	/* The TCP path reads secure_tcp >= 2 as "use the secure table". */
	switch (v->secure_tcp) {
	case 1:
	case 2:
		WRITE_ONCE(v->secure_tcp, nomem ? 2 : 1);
		break;
	}
	xnet->old_secure_tcp = v->secure_tcp;

	spin_unlock_bh(&xnet->defense_lock);
}

static void xvs_defense_work(struct work_struct *work)
{
	struct xvs_net *xnet = container_of(to_delayed_work(work),
					    struct xvs_net, defense_work);

	xvs_update_defense_level(xnet);
	if (atomic_read(&xnet->dropentry))
		xvs_conn_drop_some(xnet);
	queue_delayed_work(system_long_wq, &xnet->defense_work,
			   XVS_DEFENSE_PERIOD);
}

/* ---- handlers with IPVS's write checks -------------------------------- */

static int xvs_proc_defense_mode(struct ctl_table *table, int write,
				 void *buffer, size_t *lenp, loff_t *ppos)
{
	struct xvs_net *xnet = table->extra2;
	int *valp = table->data;
	int val = READ_ONCE(*valp);
	struct ctl_table tmp = {
		.data = &val,
		.maxlen = sizeof(int),
		.mode = table->mode,
	};
	int rc;

	rc = proc_dointvec(&tmp, write, buffer, lenp, ppos);
	if (write && READ_ONCE(*valp) != val) {
		if (val < 0 || val > 3) {
			rc = -EINVAL;
		} else {
			spin_lock_bh(&xnet->defense_lock);
			WRITE_ONCE(*valp, val);
			spin_unlock_bh(&xnet->defense_lock);
			xvs_update_defense_level(xnet);
		}
	}
	return rc;
}

/* Two values: threshold and period; period 0 or above the threshold. */
static int xvs_proc_sync_threshold(struct ctl_table *table, int write,
				   void *buffer, size_t *lenp, loff_t *ppos)
{
	struct xvs_net *xnet = table->extra2;
	int *valp = table->data;
	int val[2];
	struct ctl_table tmp = {
		.data = &val,
		.maxlen = table->maxlen,
		.mode = table->mode,
	};
	int rc;

	mutex_lock(&xnet->mutex);
	memcpy(val, valp, sizeof(val));
	rc = proc_dointvec(&tmp, write, buffer, lenp, ppos);
	if (write) {
		if (val[0] < 0 || val[1] < 0 || (val[1] && val[0] >= val[1]))
			rc = -EINVAL;
		else
			memcpy(valp, val, sizeof(val));
	}
	mutex_unlock(&xnet->mutex);
	return rc;
}

static int xvs_proc_sync_ports(struct ctl_table *table, int write,
			       void *buffer, size_t *lenp, loff_t *ppos)
{
	int *valp = table->data;
	int val = READ_ONCE(*valp);
	struct ctl_table tmp = {
		.data = &val,
		.maxlen = sizeof(int),
		.mode = table->mode,
	};
	int rc;

	rc = proc_dointvec(&tmp, write, buffer, lenp, ppos);
	if (write && READ_ONCE(*valp) != val) {
		if (val < 1 || !is_power_of_2(val))
			rc = -EINVAL;
		else
			WRITE_ONCE(*valp, val);
	}
	return rc;
}

/* 0..2 (XVS_STALE_*); turning it on sweeps the entries already stale. */
static int xvs_proc_expire_stale(struct ctl_table *table, int write,
				 void *buffer, size_t *lenp, loff_t *ppos)
{
	struct xvs_net *xnet = table->extra2;
	int *valp = table->data;
	int val = READ_ONCE(*valp);
	struct ctl_table tmp = {
		.data = &val,
		.maxlen = sizeof(int),
		.mode = table->mode,
	};
	int rc;

	rc = proc_dointvec(&tmp, write, buffer, lenp, ppos);
	if (write && !rc) {
		if (val < XVS_STALE_OFF || val > XVS_STALE_ALL)
			return -EINVAL;
		WRITE_ONCE(*valp, val);
		xvs_conn_expire_stale(xnet);
	}
	return rc;
}

/* ---- the table ------------------------------------------------------------ */

struct xvs_sysctl_desc {
	const char *name;
	bool knob;			/* in sched_knobs, not in sysctl */
	size_t offset;			/* in struct xvs_sysctl_vals */
	size_t size;
	proc_handler *handler;
	void *min;
	void *max;
	bool wants_xnet;		/* handler finds xvs_net in extra2 */
};

#define XVS_VAL(n, field, h) {						\
	.name = (n), .handler = (h),					\
	.offset = offsetof(struct xvs_sysctl_vals, field),		\
	.size = sizeof_field(struct xvs_sysctl_vals, field),		\
}
#define XVS_NET_VAL(n, field, h) {					\
	.name = (n), .handler = (h), .wants_xnet = true,		\
	.offset = offsetof(struct xvs_sysctl_vals, field),		\
	.size = sizeof_field(struct xvs_sysctl_vals, field),		\
}
#define XVS_MINMAX(n, field, lo, hi) {					\
	.name = (n), .handler = proc_dointvec_minmax,			\
	.min = (lo), .max = (hi),					\
	.offset = offsetof(struct xvs_sysctl_vals, field),		\
	.size = sizeof_field(struct xvs_sysctl_vals, field),		\
}

#define XVS_KNOB(n, field) {						\
	.name = (n), .handler = proc_dointvec_jiffies, .knob = true,	\
	.offset = offsetof(struct xvs_sched_knobs, field),		\
	.size = sizeof_field(struct xvs_sched_knobs, field),		\
}

/* IPVS's order; the first entry is the one hidden from non-init users. */
static const struct xvs_sysctl_desc xvs_sysctl_descs[] = {
	XVS_VAL("amemthresh", amemthresh, proc_dointvec),
	XVS_VAL("am_droprate", am_droprate, proc_dointvec),
	XVS_NET_VAL("drop_entry", drop_entry, xvs_proc_defense_mode),
	XVS_NET_VAL("drop_packet", drop_packet, xvs_proc_defense_mode),
	XVS_VAL("conntrack", conntrack, proc_dointvec),
	XVS_NET_VAL("secure_tcp", secure_tcp, xvs_proc_defense_mode),
	XVS_VAL("snat_reroute", snat_reroute, proc_dointvec),
	XVS_MINMAX("sync_version", sync_ver, SYSCTL_ZERO, SYSCTL_ONE),
	XVS_VAL("sync_ports", sync_ports, xvs_proc_sync_ports),
	XVS_VAL("sync_persist_mode", sync_persist_mode, proc_dointvec),
	XVS_VAL("sync_qlen_max", sync_qlen_max, proc_doulongvec_minmax),
	XVS_VAL("sync_sock_size", sync_sock_size, proc_dointvec),
	XVS_VAL("cache_bypass", cache_bypass, proc_dointvec),
	XVS_VAL("expire_nodest_conn", expire_nodest_conn, proc_dointvec),
	XVS_VAL("sloppy_tcp", sloppy_tcp, proc_dointvec),
	XVS_VAL("sloppy_sctp", sloppy_sctp, proc_dointvec),
	XVS_VAL("expire_quiescent_template", expire_quiescent_template,
		proc_dointvec),
	XVS_NET_VAL("sync_threshold", sync_threshold, xvs_proc_sync_threshold),
	XVS_VAL("sync_refresh_period", sync_refresh_period,
		proc_dointvec_jiffies),
	XVS_MINMAX("sync_retries", sync_retries, SYSCTL_ZERO, SYSCTL_THREE),
	XVS_VAL("nat_icmp_send", nat_icmp_send, proc_dointvec),
	XVS_VAL("pmtu_disc", pmtu_disc, proc_dointvec),
	XVS_VAL("backup_only", backup_only, proc_dointvec),
	XVS_VAL("conn_reuse_mode", conn_reuse_mode, proc_dointvec),
	XVS_VAL("schedule_icmp", schedule_icmp, proc_dointvec),
	XVS_VAL("ignore_tunneled", ignore_tunneled, proc_dointvec),
	XVS_VAL("run_estimation", run_estimation, proc_dointvec),
	/* From IPVS's lblc and lblcr modules, which add them in this order. */
	XVS_KNOB("lblc_expiration", lblc_expiration),
	XVS_KNOB("lblcr_expiration", lblcr_expiration),
};

/* IPVS's defaults; everything not named here starts at 0. */
static void xvs_sysctl_defaults(struct xvs_sysctl_vals *v)
{
	memset(v, 0, sizeof(*v));
	v->amemthresh = 1024;
	v->am_droprate = 10;
	v->snat_reroute = 1;
	v->sync_ver = 1;
	v->sync_ports = 1;
	v->sync_qlen_max = nr_free_buffer_pages() / 32;
	v->sync_threshold[0] = XVS_SYNC_THRESHOLD;
	v->sync_threshold[1] = XVS_SYNC_PERIOD;
	v->pmtu_disc = 1;
	v->conn_reuse_mode = 1;
	v->run_estimation = 1;
}

int xvs_sysctl_net_init(struct xvs_net *xnet)
{
	struct net *net = xnet->net;
	struct ctl_table *tbl;
	unsigned int i;

	spin_lock_init(&xnet->defense_lock);
	atomic_set(&xnet->dropentry, 0);
	xnet->drop_rate = 0;
	atomic_set(&xnet->drop_counter, 0);
	xnet->old_secure_tcp = 0;
	xvs_sysctl_defaults(&xnet->sysctl);
	/* IPVS's lblc/lblcr default: entries unused for a day expire. */
	xnet->sched_knobs.lblc_expiration = 24 * 60 * 60 * HZ;
	xnet->sched_knobs.lblcr_expiration = 24 * 60 * 60 * HZ;

	/* One more entry: the zeroed terminator. */
	tbl = kcalloc(ARRAY_SIZE(xvs_sysctl_descs) + 1, sizeof(*tbl),
		      GFP_KERNEL);
	if (!tbl)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(xvs_sysctl_descs); i++) {
		const struct xvs_sysctl_desc *d = &xvs_sysctl_descs[i];

		tbl[i].procname = d->name;
		tbl[i].data = (d->knob ? (char *)&xnet->sched_knobs :
			       (char *)&xnet->sysctl) + d->offset;
		tbl[i].maxlen = d->size;
		tbl[i].mode = 0644;
		tbl[i].proc_handler = d->handler;
		tbl[i].extra1 = d->min;
		tbl[i].extra2 = d->wants_xnet ? xnet : d->max;
	}
	/* As IPVS: nothing for namespaces owned by an unprivileged user. */
	if (!net_eq(net, &init_net) && net->user_ns != &init_user_ns)
		tbl[0].procname = NULL;

	xnet->sysctl_hdr = register_net_sysctl(net, "net/ipv4/vs", tbl);
	if (!xnet->sysctl_hdr) {
		kfree(tbl);
		return -ENOMEM;
	}
	xnet->sysctl_tbl = tbl;

	/* net/xvs: expire_stale_conn and the zeroed terminator */
	tbl = kcalloc(2, sizeof(*tbl), GFP_KERNEL);
	if (!tbl)
		goto err_ext;
	tbl[0].procname = "expire_stale_conn";
	tbl[0].data = &xnet->sysctl.expire_stale_conn;
	tbl[0].maxlen = sizeof(int);
	tbl[0].mode = 0644;
	tbl[0].proc_handler = xvs_proc_expire_stale;
	tbl[0].extra2 = xnet;
	xnet->ext_sysctl_hdr = register_net_sysctl(net, "net/xvs", tbl);
	if (!xnet->ext_sysctl_hdr) {
		kfree(tbl);
		goto err_ext;
	}
	xnet->ext_sysctl_tbl = tbl;

	INIT_DELAYED_WORK(&xnet->defense_work, xvs_defense_work);
	queue_delayed_work(system_long_wq, &xnet->defense_work,
			   XVS_DEFENSE_PERIOD);
	return 0;

err_ext:
	unregister_net_sysctl_table(xnet->sysctl_hdr);
	kfree(xnet->sysctl_tbl);
	return -ENOMEM;
}

void xvs_sysctl_net_exit(struct xvs_net *xnet)
{
	cancel_delayed_work_sync(&xnet->defense_work);
	unregister_net_sysctl_table(xnet->ext_sysctl_hdr);
	kfree(xnet->ext_sysctl_tbl);
	unregister_net_sysctl_table(xnet->sysctl_hdr);
	kfree(xnet->sysctl_tbl);
}
