/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xvs: shared kernel-side definitions.
 *
 * Ownership of the objects below:
 *  - services and destinations are created and changed only by the control
 *    plane (svc.c) under xvs_net->mutex and published with RCU; the data
 *    plane reads them under rcu_read_lock() and takes no lock;
 *  - connections belong to the data plane (conn.c, see conn.h) and keep
 *    their destination alive with a reference;
 *  - statistics are per CPU and summed on read (stats.c).
 */
#ifndef XVS_H
#define XVS_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/rculist.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/refcount.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <linux/netfilter.h>
#include <linux/ip_vs.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "core/xvs_sched.h"
#include "core/xvs_proto.h"
#include "core/xvs_hash.h"

#define XVS_NAME		"xvs"
/* As IPVS: 256 buckets, so dumps list services in the order IPVS does. */
#define XVS_SVC_TAB_BITS	8
#define XVS_SVC_TAB_SIZE	(1 << XVS_SVC_TAB_BITS)
/* Real-server table: 16 buckets, as IPVS's rs_table. */
#define XVS_RS_TAB_BITS		4
#define XVS_RS_TAB_SIZE		(1 << XVS_RS_TAB_BITS)
#define XVS_DEST_TRASH_HASH_BITS	10
#define XVS_DEST_TRASH_HASH_SIZE	(1 << XVS_DEST_TRASH_HASH_BITS)

/* ---- statistics (stats.c) ---------------------------------------------- */

struct xvs_counters {
	u64 conns;
	u64 inpkts;
	u64 outpkts;
	u64 inbytes;
	u64 outbytes;
};

struct xvs_cpu_stats {
	struct xvs_counters cnt;
	struct u64_stats_sync syncp;
};

/* Rates as IPVS reports them: per second, bytes rates scaled as in ABI. */
struct xvs_rates {
	u64 cps;
	u64 inpps;
	u64 outpps;
	u64 inbps;
	u64 outbps;
};

struct xvs_estimator {
	struct list_head list;		/* on xvs_net->est_list */
	struct xvs_counters last;	/* totals at the previous tick */
	u64 cps, inpps, outpps, inbps, outbps;	/* smoothed, scaled */
};

struct xvs_stats {
	struct xvs_cpu_stats __percpu *cpu;
	spinlock_t lock;		/* protects zero and est */
	struct xvs_counters zero;	/* totals at the last ZERO */
	struct xvs_estimator est;
};

int xvs_stats_init(struct xvs_stats *s);
void xvs_stats_free(struct xvs_stats *s);
/* Totals since the last zeroing. */
void xvs_stats_read(struct xvs_stats *s, struct xvs_counters *out);
void xvs_stats_read_rates(struct xvs_stats *s, struct xvs_rates *out);
void xvs_stats_zero(struct xvs_stats *s);

/* ---- destinations and services (svc.c) --------------------------------- */

struct xvs_service;
struct xvs_pe_ops;

struct xvs_dest {
	struct xvs_sched_dest sched;	/* what schedulers see; first member */
	struct list_head n_list;	/* on svc->destinations, newest first */
	struct rcu_head rcu;
	refcount_t refcnt;		/* list membership + connections */

	u16 af;
	union nf_inet_addr addr;
	__be16 port;
	/* Fields below may change under xvs_net->mutex; readers use READ_ONCE */
	unsigned int conn_flags;	/* IP_VS_CONN_F_FWD_MASK method etc. */
	u16 tun_type;
	__be16 tun_port;
	u16 tun_flags;

	struct xvs_service __rcu *svc;	/* NULL once removed from its service */
	/* Service identity kept for connections that outlive the service. */
	u16 vfwmark_af;
	struct xvs_stats stats;

	/* Owned by svc.c (identity of the service, kept while in the trash) */
	u16 protocol;
	__be16 vport;
	union nf_inet_addr vaddr;
	u32 vfwmark;
	u64 svc_id;			/* xvs_service.id it was last bound to */
	spinlock_t overload_lock;	/* OVERLOAD flag updates */
	u32 l_threshold_eff;		/* lower threshold in use (0: 3/4 upper) */
	struct list_head t_list;	/* on xvs_net->dest_trash */
	/* On xvs_net->rs_table while linked to a service (svc.c, RCU) */
	struct hlist_node rs_node;	/* writers hold the mutex */
	struct hlist_node t_hnode;	/* in xvs_net->dest_trash_hash */
	unsigned long idle_start;	/* jiffies, in the trash without users */
	unsigned long trash_rcu;	/* RCU state when it entered the trash */
};

/*
 * Connection counting of a destination for the OVERLOAD flag, as IPVS does
 * it with totalconns = activeconns + inactconns (non-template connections):
 * after a bind makes the total equal to u_threshold call it with mode 1;
 * when an unbind drops the total from l_threshold_eff call it with mode -1.
 */
void xvs_dest_update_overload(struct xvs_dest *dest, int mode);

/* The states a service may time out itself (svc_timeout.c). */
enum xvs_svc_timeout {
	XVS_SVC_TIMEOUT_TCP,		/* TCP ESTABLISHED */
	XVS_SVC_TIMEOUT_TCP_FIN,	/* TCP FIN_WAIT */
	XVS_SVC_TIMEOUT_UDP,		/* UDP */
	XVS_SVC_TIMEOUTS
};

struct xvs_service {
	struct hlist_node s_list;	/* on svc_table or fwm_table (RCU) */
	struct rcu_head rcu;
	refcount_t refcnt;
	struct xvs_net *xnet;

	u16 af;
	u16 protocol;
	union nf_inet_addr addr;
	__be16 port;
	u32 fwmark;
	u32 flags;			/* IP_VS_SVC_F_* */
	unsigned int timeout;		/* persistence, jiffies */
	__be32 netmask;			/* or IPv6 prefix length */
	char pe_name[IP_VS_PENAME_MAXLEN];

	struct list_head destinations;	/* control plane view, mutex */
	unsigned int num_dests;
	struct xvs_dest_set __rcu *dest_set;	/* scheduler view, RCU */

	/* Persistence engine (pe.h) or NULL; its module is held. */
	const struct xvs_pe_ops __rcu *pe;
	const struct xvs_sched_ops *sched;	/* NULL: "none"; under mutex */
	struct xvs_sched_inst __rcu *sched_inst;	/* ops + state, RCU */
	spinlock_t sched_lock;		/* for ops->serialized schedulers */
	u64 id;				/* unique in the netns, never reused */
	/*
	 * Connection timeouts of this service (svc_timeout.c), jiffies, by
	 * enum xvs_svc_timeout; 0: the netns's.  Written under the mutex.
	 */
	unsigned int conn_timeout[XVS_SVC_TIMEOUTS];

	struct xvs_stats stats;
};

/* A scheduler bound to one service: its ops and private state (sched.c). */
struct xvs_sched_inst {
	const struct xvs_sched_ops *ops;
	struct xvs_service *svc;	/* for ->gc(): its lock and knobs */
	struct timer_list gc_timer;	/* only with ops->gc */
	struct rcu_head rcu;
	u64 state[];			/* ops->state_size bytes */
};

/* ---- per network namespace -------------------------------------------- */

struct xvs_sysctl_vals {
	int amemthresh;
	int am_droprate;
	int drop_entry;
	int drop_packet;
	int secure_tcp;
	int conntrack;
	int snat_reroute;
	int sync_ver;
	int sync_ports;
	int sync_persist_mode;
	unsigned long sync_qlen_max;	/* unsigned long, as in IPVS */
	int sync_sock_size;
	int sync_refresh_period;
	int sync_retries;
	int sync_threshold[2];
	int cache_bypass;
	int expire_nodest_conn;
	int sloppy_tcp;
	int sloppy_sctp;
	int expire_quiescent_template;
	int nat_icmp_send;
	int pmtu_disc;
	int backup_only;
	int conn_reuse_mode;
	int schedule_icmp;
	int ignore_tunneled;
	int run_estimation;
	int debug_level;		/* net.xvs.debug_level (drop.c) */
	int expire_stale_conn;		/* net.xvs.expire_stale_conn */
	int fast_path;			/* net.xvs.fast_path (fast_path.c) */
};

struct xvs_hidden_net;
struct xvs_drop_stats;
struct xvs_fast_stats;

struct xvs_net {
	struct net *net;
	struct mutex mutex;		/* serializes all control-plane writers */
	/* Devices going away: routes cached through them dropped (hooks.c). */
	struct notifier_block dev_notifier;
	/* The netfilter hooks are registered (while there are services). */
	bool hooks_enabled;		/* under mutex */
	/* A connection of a client on this host may exist (hooks.c). */
	bool local_clients;
	/*
	 * The fast path's ingress hooks (fast_path.c): registered on every
	 * device (fast_devs) while fast_on; both under RTNL.
	 */
	bool fast_on;
	struct list_head fast_devs;
	struct xvs_fast_stats __percpu *fast_stats;
	struct ctl_table_header *fast_sysctl_hdr;
	struct ctl_table *fast_sysctl_tbl;

	struct hlist_head svc_table[XVS_SVC_TAB_SIZE];	/* RCU */
	struct hlist_head fwm_table[XVS_SVC_TAB_SIZE];	/* RCU */
	unsigned int num_services;	/* under mutex */
	/* Owned by svc.c */
	atomic_t ftpsvc_counter;	/* services on port 21 */
	atomic_t nullsvc_counter;	/* services on port 0 */
	/*
	 * How many services have an engine that handles packets real
	 * servers start (->conn_out); read by the out hook.
	 */
	atomic_t conn_out_counter;
	/*
	 * Destinations of services by their real server's address and port
	 * (NAT: the port; tunnels: GUE's port or 0; DR: not entered), so
	 * the out hook knows a real server's packet without a connection.
	 * RCU; writers hold the mutex.
	 */
	struct hlist_head rs_table[XVS_RS_TAB_SIZE];
	int mixed_address_family_dests;	/* under mutex */
	bool ipv6_defrag;		/* nf_defrag_ipv6 on; under mutex */
	bool exiting;			/* the netns is going away */
	u64 next_svc_id;		/* under mutex */
	/* Bumped by every genl change: dumps see it (ctl_dump_all.c). */
	unsigned int cfg_gen;		/* under mutex */
	struct list_head dest_trash;	/* removed dests still referenced */
	/*
	 * The same, by address and port: a table reloaded after a flush
	 * takes its destinations back one lookup each, not one list walk.
	 */
	struct hlist_head dest_trash_hash[XVS_DEST_TRASH_HASH_SIZE];
	spinlock_t dest_trash_lock;	/* both of them */
	struct timer_list dest_trash_timer;

	/* Protocol timeouts in jiffies, indexed by state (SET_CONFIG). */
	unsigned int tcp_timeout[XVS_TCP_S_LAST];
	unsigned int udp_timeout[XVS_UDP_S_LAST];
	unsigned int sctp_timeout[XVS_SCTP_S_LAST];

	struct xvs_sysctl_vals sysctl;
	/* lblc/lblcr_expiration sysctls, in jiffies, given to schedulers */
	struct xvs_sched_knobs sched_knobs;
	struct ctl_table_header *sysctl_hdr;
	struct ctl_table *sysctl_tbl;
	/* net/xvs knobs of ctl_sysctl.c (drop.c and hidden.c add others) */
	struct ctl_table_header *ext_sysctl_hdr;
	struct ctl_table *ext_sysctl_tbl;

	/*
	 * Defense against memory exhaustion (ctl_sysctl.c), re-evaluated
	 * every second from drop_entry, drop_packet and secure_tcp: while
	 * dropentry is set random connections are dropped; drop_rate (0: off)
	 * drops one new connection in drop_rate, counting down drop_counter
	 * (xvs_todrop()).  Written under defense_lock.
	 */
	spinlock_t defense_lock;
	atomic_t dropentry;
	int drop_rate;
	atomic_t drop_counter;
	int old_secure_tcp;
	struct delayed_work defense_work;

	struct xvs_stats tot_stats;	/* /proc/net/ip_vs_stats */

	/* Rate estimation (stats.c) */
	spinlock_t est_lock;
	struct list_head est_list;
	struct delayed_work est_work;

	/* Connection table (conn.c) */
	void *conn_tab;
	atomic_t conn_count;
	/* Entries still waiting for their client port (FTP passive data) */
	atomic_t conn_no_cport;
	/* The sweep of stale entries (net.xvs.expire_stale_conn) */
	struct work_struct stale_work;

	/* Connection synchronisation daemons (sync.c, sync.h) */
	struct xvs_sync *sync;

	/* "hidden" interfaces without a kernel patch (hidden.c, hidden.h) */
	struct xvs_hidden_net *hidden;

	/* Drop reasons (drop.c, drop.h): per-CPU counters, net.xvs sysctls */
	struct xvs_drop_stats __percpu *drops;
	struct ctl_table_header *drop_sysctl_hdr;
	struct ctl_table *drop_sysctl_tbl;
};

extern unsigned int xvs_net_id;

static inline struct xvs_net *xvs_net(const struct net *net)
{
	return net_generic(net, xvs_net_id);
}

/* ---- service and destination table (svc.c) ---------------------------- */

/* FTP's control and active-data ports: an FTP service also takes data. */
#define XVS_FTP_PORT		htons(21)
#define XVS_FTP_DATA_PORT	htons(20)

int xvs_svc_net_init(struct xvs_net *xnet);
void xvs_svc_net_exit(struct xvs_net *xnet);

/* Data plane: caller holds rcu_read_lock(); no reference is taken. */
struct xvs_service *xvs_svc_lookup(struct xvs_net *xnet, u16 af, u16 protocol,
				   const union nf_inet_addr *addr, __be16 port);
struct xvs_service *xvs_svc_lookup_fwmark(struct xvs_net *xnet, u16 af,
					  u32 fwmark);
/*
 * The first NAT destination at @addr:@port in the real-server table whose
 * service has @protocol (any protocol for a firewall-mark service), or
 * NULL.  Caller holds rcu_read_lock(); no reference is taken.
 */
struct xvs_dest *xvs_rs_find(struct xvs_net *xnet, u16 af, u16 protocol,
			     const union nf_inet_addr *addr, __be16 port);

void xvs_dest_put(struct xvs_dest *dest);
static inline void xvs_dest_hold(struct xvs_dest *dest)
{
	refcount_inc(&dest->refcnt);
}

/* Scheduler registry: built-in schedulers plus any registered by modules. */
const struct xvs_sched_ops *xvs_sched_get(const char *name);
void xvs_sched_put(const struct xvs_sched_ops *ops);
/* Exported (GPL) for scheduler modules; @owner is THIS_MODULE. */
struct module;
int xvs_register_scheduler(const struct xvs_sched_ops *ops, struct module *owner);
int xvs_unregister_scheduler(const struct xvs_sched_ops *ops);

/* ---- connections (conn.c) --------------------------------------------- */

int xvs_conn_net_init(struct xvs_net *xnet);
void xvs_conn_net_exit(struct xvs_net *xnet);
/* Drop every connection of this netns (module unload, netns exit). */
void xvs_conn_flush(struct xvs_net *xnet);
/* drop_entry: expires cheap-to-lose entries in 1/32 of the table. */
void xvs_conn_drop_some(struct xvs_net *xnet);

/*
 * net.xvs.expire_stale_conn, an xvs extension (IPVS has no such knob): a
 * connection entry whose destination was removed or set to weight 0 is
 * stale; IPVS keeps it for its whole timeout (UDP: 300 s), dropping the
 * client's packets (removed) or sending them on to the quiesced real
 * server.  With the switch on, stale entries of the protocols it names
 * expire at once, with the persistence templates of those protocols that
 * point at such destinations, and their clients are scheduled afresh.
 *   0  off: IPVS's behaviour (the default)
 *   1  UDP entries and templates
 *   2  entries and templates of every protocol (UDP, TCP, SCTP, ...;
 *      firewall-mark templates too)
 */
#define XVS_STALE_OFF	0
#define XVS_STALE_UDP	1
#define XVS_STALE_ALL	2

/* Does the switch cover entries of @protocol (IPPROTO_IP: fwmark templates)? */
static inline bool xvs_stale_covers(const struct xvs_net *xnet, u8 protocol)
{
	int mode = READ_ONCE(xnet->sysctl.expire_stale_conn);

	return mode >= XVS_STALE_ALL ||
	       (mode == XVS_STALE_UDP && protocol == IPPROTO_UDP);
}

/* Removed from its service, or quiesced (weight 0). */
static inline bool xvs_dest_stale(const struct xvs_dest *dest)
{
	return !(READ_ONCE(dest->sched.flags) & XVS_DEST_F_AVAILABLE) ||
	       !atomic_read(&dest->sched.weight);
}

/*
 * After a destination was removed or quiesced, or the switch was turned
 * on: queues the sweep that expires the stale entries (a no-op while the
 * switch is off).  Any context; bursts of changes share one sweep.
 */
void xvs_conn_expire_stale(struct xvs_net *xnet);
/* The sweep itself, in process context (the work item; KUnit). */
void xvs_conn_expire_stale_sweep(struct xvs_net *xnet);

/* ---- connection synchronisation (sync.c) ----------------------------- */

struct xvs_sync;
int xvs_sync_net_init(struct xvs_net *xnet);
/* Stops the daemons (before the namespace's devices go: .pre_exit). */
void xvs_sync_stop_all(struct xvs_net *xnet);
/* Stops them if still running and frees the state; before the flush. */
void xvs_sync_net_exit(struct xvs_net *xnet);

/* ---- netfilter hooks (hooks.c) ---------------------------------------- */

int xvs_hooks_net_init(struct xvs_net *xnet);
void xvs_hooks_net_exit(struct xvs_net *xnet);
int xvs_hooks_enable(struct xvs_net *xnet);
void xvs_hooks_disable(struct xvs_net *xnet);

/* ---- control plane front ends ----------------------------------------- */

int xvs_genl_init(void);
void xvs_genl_exit(void);
/* Commands are refused with -EAGAIN until the pernet state exists. */
void xvs_genl_set_ready(void);
/* A protocol as /proc/net/ip_vs* names it; buf holds the "IP_<n>" form. */
const char *xvs_proto_name(unsigned int proto, char *buf, size_t len);
int xvs_proc_net_init(struct xvs_net *xnet);
void xvs_proc_net_exit(struct xvs_net *xnet);
int xvs_sysctl_net_init(struct xvs_net *xnet);
void xvs_sysctl_net_exit(struct xvs_net *xnet);
int xvs_est_net_init(struct xvs_net *xnet);
void xvs_est_net_exit(struct xvs_net *xnet);
void xvs_est_add(struct xvs_net *xnet, struct xvs_stats *s);
void xvs_est_del(struct xvs_net *xnet, struct xvs_stats *s);

#endif /* XVS_H */
