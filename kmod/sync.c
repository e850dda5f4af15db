// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: connection synchronisation daemons (ipvsadm --start-daemon).
 *
 * Master side: the packet path hands every connection that saw a client
 * packet to xvs_sync_in_packet(); when the sync_* sysctls say so, the
 * connection is appended to the current message of one of the sync_ports
 * kernel threads.  Full messages (and any message older than two seconds)
 * are queued to that thread, which sends them to the multicast group from a
 * UDP socket bound to the sync interface.
 *
 * Backup side: one kernel thread per port receives datagrams, checks them
 * and creates or refreshes the described connections and templates, bound
 * to our own destination with the same address and port.  A standby
 * director often has no such destination yet: the entry is then kept
 * unbound, forwarded with the master's method, and bound by a later
 * refresh (as IPVS does).  Anything that does not parse or carries another
 * syncid is dropped and counted; the counts are logged when the daemon
 * stops.
 *
 * Both message versions are understood; the sync_version sysctl picks the
 * one sent.  Start and stop are serialised by sync->mutex; the packet path
 * takes only sync->lock (message buffers and queues).
 */
#define pr_fmt(fmt) "xvs: " fmt

#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/netdevice.h>
#include <linux/inetdevice.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/net.h>
#include <linux/hash.h>
#include <net/sock.h>
#include <net/udp.h>
#include <net/ipv6.h>

#include "xvs.h"
#include "conn.h"
#include "sync.h"
#include "pe.h"
#include "core/xvs_sync_msg.h"

/* The core spells the ABI's numbers out; they must be the kernel's. */
#define XVS_SYNC_SAME(ours, abi) static_assert((ours) == (abi), #ours)
XVS_SYNC_SAME(XVS_SYNC_AF_INET, AF_INET);
XVS_SYNC_SAME(XVS_SYNC_AF_INET6, AF_INET6);
XVS_SYNC_SAME(XVS_SYNC_F_FWD_MASK, IP_VS_CONN_F_FWD_MASK);
XVS_SYNC_SAME(XVS_SYNC_F_MASQ, IP_VS_CONN_F_MASQ);
XVS_SYNC_SAME(XVS_SYNC_F_SYNC, IP_VS_CONN_F_SYNC);
XVS_SYNC_SAME(XVS_SYNC_F_HASHED, IP_VS_CONN_F_HASHED);
XVS_SYNC_SAME(XVS_SYNC_F_NOOUTPUT, IP_VS_CONN_F_NOOUTPUT);
XVS_SYNC_SAME(XVS_SYNC_F_INACTIVE, IP_VS_CONN_F_INACTIVE);
XVS_SYNC_SAME(XVS_SYNC_F_SEQ_MASK, IP_VS_CONN_F_SEQ_MASK);
XVS_SYNC_SAME(XVS_SYNC_F_NO_CPORT, IP_VS_CONN_F_NO_CPORT);
XVS_SYNC_SAME(XVS_SYNC_F_TEMPLATE, IP_VS_CONN_F_TEMPLATE);
XVS_SYNC_SAME(XVS_SYNC_F_ONE_PACKET, IP_VS_CONN_F_ONE_PACKET);
XVS_SYNC_SAME(XVS_SYNC_F_BACKUP_MASK, IP_VS_CONN_F_BACKUP_MASK);
XVS_SYNC_SAME(XVS_SYNC_PEDATA_MAXLEN, IP_VS_PEDATA_MAXLEN);
XVS_SYNC_SAME(XVS_SYNC_PENAME_MAXLEN, IP_VS_PENAME_MAXLEN);
XVS_SYNC_SAME(XVS_SYNC_CTPL_S_LAST, XVS_CTPL_S_ASSURED + 1);

/* Delays as IPVS uses them. */
#define XVS_SYNC_FLUSH_TIME	(2 * HZ)	/* oldest a partial message gets */
#define XVS_SYNC_CHECK_PERIOD	HZ		/* master thread idle wake-up */
#define XVS_SYNC_DEFAULT_TIMEOUT (3 * 60 * HZ) /* no timeout sent, no table */

/* One message being filled or waiting to be sent. */
struct xvs_sync_msg {
	struct list_head list;
	unsigned long created;		/* jiffies */
	unsigned int len;		/* bytes written, header included */
	unsigned int cap;
	u8 version;			/* 0 or 1 */
	u8 nr_conns;
	u8 data[];
};

/* One kernel thread with its socket; masters also have a message queue. */
struct xvs_sync_thread {
	struct xvs_sync *sync;
	int id;
	struct task_struct *task;
	struct socket *sock;
	u8 *rxbuf;			/* backup: bcfg.sync_maxlen bytes */
	/* Master, under sync->lock: */
	struct xvs_sync_msg *cur;
	struct list_head queue;
	unsigned long qlen;
};

struct xvs_sync {
	struct xvs_net *xnet;
	struct mutex mutex;		/* start and stop */
	spinlock_t lock;		/* state, master messages and queues */
	int state;			/* IP_VS_STATE_* bits, READ_ONCE */
	unsigned int threads_mask;	/* threads per daemon - 1 */
	struct xvs_sync_cfg mcfg;	/* master configuration */
	struct xvs_sync_cfg bcfg;	/* backup configuration */
	struct xvs_sync_thread *master;	/* threads_mask + 1 of them */
	struct xvs_sync_thread *backup;

	/* What happened, logged when a daemon stops. */
	atomic_long_t tx_msgs, tx_conns, tx_dropped;
	atomic_long_t rx_msgs, rx_conns, rx_dropped;
};

/* ---- master: choosing what to send ------------------------------------------ */

static inline struct xvs_sync *xvs_sync_of(struct xvs_net *xnet)
{
	return xnet->sync;
}

int xvs_sync_state(struct xvs_net *xnet)
{
	return READ_ONCE(xvs_sync_of(xnet)->state);
}

bool xvs_sync_backup_only(struct xvs_net *xnet)
{
	return (READ_ONCE(xvs_sync_of(xnet)->state) & IP_VS_STATE_BACKUP) &&
	       READ_ONCE(xnet->sysctl.backup_only);
}

/* Is the connection scheduled through a persistence template? */
static bool xvs_sync_in_persistence(const struct xvs_conn *cp)
{
	const struct xvs_conn *ct = cp->control;

	return ct && (READ_ONCE(ct->flags) & IP_VS_CONN_F_TEMPLATE);
}

/*
 * The states in which IPVS syncs a connection of @protocol, as a bit mask,
 * and (in *@established) the one whose changes are not sent at once; 0 for
 * protocols synced in every state.
 */
static unsigned int xvs_sync_states(u8 protocol, unsigned int *established)
{
	switch (protocol) {
	case IPPROTO_TCP:
		*established = XVS_TCP_S_ESTABLISHED;
		return BIT(XVS_TCP_S_ESTABLISHED) | BIT(XVS_TCP_S_FIN_WAIT) |
		       BIT(XVS_TCP_S_CLOSE) | BIT(XVS_TCP_S_CLOSE_WAIT) |
		       BIT(XVS_TCP_S_TIME_WAIT);
	case IPPROTO_SCTP:
		*established = XVS_SCTP_S_ESTABLISHED;
		return BIT(XVS_SCTP_S_ESTABLISHED) |
		       BIT(XVS_SCTP_S_SHUTDOWN_SENT) |
		       BIT(XVS_SCTP_S_SHUTDOWN_RECEIVED) |
		       BIT(XVS_SCTP_S_SHUTDOWN_ACK_SENT) |
		       BIT(XVS_SCTP_S_CLOSED);
	default:
		*established = 0;
		return 0;
	}
}

/*
 * Decides, with IPVS's rules, whether @cp (which has seen @pkts client
 * packets) is due to be sent:
 *  - TCP and SCTP only in ESTABLISHED and the closing states; a change to
 *    another of these states is always sent;
 *  - sync_refresh_period > 0: not again before that period (or half the
 *    timeout) has passed, except for sync_retries retries spaced by an
 *    eighth of the period (the retry count lives in the low two bits of
 *    sync_endtime);
 *  - sync_threshold/period: the pkts-th packet for pkts = threshold
 *    modulo period; with period and refresh 0, only at threshold.
 */
static bool xvs_sync_needed(struct xvs_net *xnet, struct xvs_conn *cp,
			    int pkts)
{
	unsigned long orig = READ_ONCE(cp->sync_endtime);
	unsigned long now = jiffies;
	unsigned int timeout = READ_ONCE(cp->timeout);
	unsigned long next = (now + timeout) & ~3UL;
	unsigned int state = READ_ONCE(cp->state);
	int threshold = READ_ONCE(xnet->sysctl.sync_threshold[0]);
	int period = READ_ONCE(xnet->sysctl.sync_threshold[1]);
	unsigned int refresh = READ_ONCE(xnet->sysctl.sync_refresh_period);
	unsigned int established;
	unsigned int synced = xvs_sync_states(cp->protocol, &established);
	bool force = false;

	if (unlikely(cp->flags & IP_VS_CONN_F_TEMPLATE)) {
		force = false;
	} else if (READ_ONCE(xnet->sysctl.sync_persist_mode) &&
		   xvs_sync_in_persistence(cp)) {
		return false;
	} else if (synced) {
		if (!(BIT(state) & synced))
			return false;
		force = state != READ_ONCE(cp->old_state);
		if (force && state != established)
			goto claim;
	}

	if (refresh > 0) {
		long diff = next - orig;
		long min_diff = max_t(long, timeout >> 1, 10 * HZ);

		if (abs(diff) < min_t(long, refresh, min_diff)) {
			int retries = orig & 3;

			if (retries >= (READ_ONCE(xnet->sysctl.sync_retries) & 3))
				return false;
			if (time_before(now, orig - timeout + (refresh >> 3)))
				return false;
			next |= retries + 1;
		}
	}
	if (period > 0) {
		if (!(cp->flags & IP_VS_CONN_F_TEMPLATE) &&
		    pkts % period != threshold)
			return false;
	} else if (!refresh && pkts != threshold) {
		return false;
	}

claim:
	WRITE_ONCE(cp->old_state, state);
	/* Of two CPUs deciding at once, one sends (unless forced). */
	return cmpxchg(&cp->sync_endtime, orig, next) == orig || force;
}

/* ---- master: message buffers --------------------------------------------------- */

static struct xvs_sync_msg *xvs_sync_msg_new(struct xvs_sync *sync, u8 version,
					     unsigned int need)
{
	unsigned int hlen = xvs_sync_hdr_len(version);
	unsigned int cap = max_t(unsigned int, hlen + need,
				 READ_ONCE(sync->mcfg.sync_maxlen));
	struct xvs_sync_msg *m;

	m = kmalloc(sizeof(*m) + cap, GFP_ATOMIC);
	if (!m)
		return NULL;
	m->created = jiffies;
	m->len = hlen;
	m->cap = cap;
	m->version = version;
	m->nr_conns = 0;
	memset(m->data, 0, hlen);
	return m;
}

/* Writes nr_conns, size and syncid into the header before sending. */
static void xvs_sync_msg_seal(struct xvs_sync *sync, struct xvs_sync_msg *m)
{
	xvs_sync_hdr_put(m->data, m->version, sync->mcfg.syncid, m->nr_conns,
			 m->len);
}

/* Hands the current message of @t to its thread; sync->lock held. */
static void xvs_sync_msg_queue(struct xvs_sync *sync, struct xvs_sync_thread *t)
{
	struct xvs_sync_msg *m = t->cur;

	t->cur = NULL;
	if (!m)
		return;
	if ((sync->state & IP_VS_STATE_MASTER) &&
	    t->qlen < READ_ONCE(sync->xnet->sysctl.sync_qlen_max)) {
		xvs_sync_msg_seal(sync, m);
		list_add_tail(&m->list, &t->queue);
		t->qlen++;
		wake_up_process(t->task);
	} else {
		atomic_long_add(m->nr_conns, &sync->tx_dropped);
		kfree(m);
	}
}

static void xvs_seq_to_words(const struct xvs_seq *s, u32 *w)
{
	w[0] = s->init_seq;
	w[1] = (u32)s->delta;
	w[2] = (u32)s->previous_delta;
}

static void xvs_seq_from_words(struct xvs_seq *s, const u32 *w)
{
	s->init_seq = w[0];
	s->delta = (s32)w[1];
	s->previous_delta = (s32)w[2];
}

/* What the messages say about @cp. */
static void xvs_sync_entry_of(struct xvs_conn *cp, struct xvs_sync_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->af = cp->af;
	e->protocol = cp->protocol;
	e->flags = READ_ONCE(cp->flags);
	if (e->flags & IP_VS_CONN_F_SEQ_MASK) {
		/* The FTP helper's translation, so the backup can go on. */
		spin_lock_bh(&cp->lock);
		e->flags = cp->flags;
		if (cp->ext) {
			xvs_seq_to_words(&cp->ext->in_seq, e->seq);
			xvs_seq_to_words(&cp->ext->out_seq, e->seq + 3);
		}
		spin_unlock_bh(&cp->lock);
	}
	e->state = READ_ONCE(cp->state);
	e->cport = (__force u16)xvs_conn_shown_cport(cp);
	e->vport = (__force u16)READ_ONCE(cp->vport);
	e->dport = (__force u16)READ_ONCE(cp->dport);
	memcpy(e->caddr, &cp->caddr, sizeof(e->caddr));
	memcpy(e->vaddr, &cp->vaddr, sizeof(e->vaddr));
	memcpy(e->daddr, &cp->daddr, sizeof(e->daddr));
	e->fwmark = cp->fwmark;
	e->timeout = READ_ONCE(cp->timeout) / HZ;
	/* A template's persistence engine data (fixed at its creation). */
	if (xvs_conn_pe_data_len(cp)) {
		const struct xvs_conn_ext *ext = cp->ext;

		e->pe_data = (const u8 *)ext->pe_data;
		e->pe_data_len = ext->pe_data_len;
		e->pe_name = (const u8 *)ext->pe->name;
		e->pe_name_len = strnlen(ext->pe->name, IP_VS_PENAME_MAXLEN);
	}
}

/* Appends @cp to a message of the thread it hashes to. */
static void xvs_sync_add(struct xvs_sync *sync, struct xvs_conn *cp,
			 u8 version)
{
	struct xvs_sync_entry e;
	struct xvs_sync_thread *t;
	struct xvs_sync_msg *m;
	unsigned int len, pad = 0;

	xvs_sync_entry_of(cp, &e);
	/* As IPVS: engine data of an entry without destination is not sent. */
	if (e.pe_data_len && !READ_ONCE(cp->dest)) {
		atomic_long_inc(&sync->tx_dropped);
		return;
	}
	len = xvs_sync_entry_len(version, &e);

	spin_lock_bh(&sync->lock);
	if (!(sync->state & IP_VS_STATE_MASTER)) {
		spin_unlock_bh(&sync->lock);
		return;
	}
	t = &sync->master[hash_ptr(cp, 32) & sync->threads_mask];
	m = t->cur;
	if (m) {
		/* Version 1 entries start on 32-bit boundaries. */
		pad = version ? (4 - m->len) & 3 : 0;
		/* nr_conns is one byte: a message holds 255 entries at most. */
		if (m->version != version || m->len + pad + len > m->cap ||
		    m->nr_conns == 255) {
			xvs_sync_msg_queue(sync, t);
			m = NULL;
			pad = 0;
		}
	}
	if (!m) {
		m = xvs_sync_msg_new(sync, version, len);
		if (!m) {
			spin_unlock_bh(&sync->lock);
			atomic_long_inc(&sync->tx_dropped);
			return;
		}
		t->cur = m;
	}
	memset(m->data + m->len, 0, pad);
	m->len += pad;
	xvs_sync_entry_put(m->data + m->len, version, &e);
	m->len += len;
	m->nr_conns++;
	spin_unlock_bh(&sync->lock);
	atomic_long_inc(&sync->tx_conns);
}

static void xvs_sync_conn(struct xvs_net *xnet, struct xvs_conn *cp, int pkts)
{
	struct xvs_sync *sync = xvs_sync_of(xnet);
	u8 version = READ_ONCE(xnet->sysctl.sync_ver) ? 1 : 0;

	for (;;) {
		bool one_packet = cp->flags & IP_VS_CONN_F_ONE_PACKET;

		if (version == 0) {
			/* Version 0 has no IPv6; neither version sends
			 * one-packet entries.  As IPVS, v0 then stops here.
			 */
			if (cp->af != AF_INET || one_packet ||
			    !xvs_sync_needed(xnet, cp, pkts))
				return;
			xvs_sync_add(sync, cp, 0);
		} else if (!one_packet && xvs_sync_needed(xnet, cp, pkts)) {
			xvs_sync_add(sync, cp, 1);
		}

		/* Then the template it was scheduled through. */
		cp = cp->control;
		if (!cp)
			return;
		if (cp->flags & IP_VS_CONN_F_TEMPLATE)
			pkts = atomic_inc_return(&cp->in_pkts);
		else
			pkts = READ_ONCE(xnet->sysctl.sync_threshold[0]);
	}
}

void xvs_sync_in_packet(struct xvs_net *xnet, struct xvs_conn *cp)
{
	int pkts;

	if (cp->flags & IP_VS_CONN_F_ONE_PACKET)
		pkts = READ_ONCE(xnet->sysctl.sync_threshold[0]);
	else
		pkts = atomic_inc_return(&cp->in_pkts);

	if (READ_ONCE(xvs_sync_of(xnet)->state) & IP_VS_STATE_MASTER)
		xvs_sync_conn(xnet, cp, pkts);
	else if ((cp->flags & IP_VS_CONN_F_ONE_PACKET) && cp->control)
		/* Keeps the template's count, as the master path would. */
		atomic_inc(&cp->control->in_pkts);
}

/* ---- master thread -------------------------------------------------------- */

/* The next message to send: a queued one, or the current one once old. */
static struct xvs_sync_msg *xvs_sync_next_msg(struct xvs_sync *sync,
					      struct xvs_sync_thread *t)
{
	struct xvs_sync_msg *m = NULL;

	spin_lock_bh(&sync->lock);
	if (!list_empty(&t->queue)) {
		m = list_first_entry(&t->queue, struct xvs_sync_msg, list);
		list_del(&m->list);
		t->qlen--;
	} else if (t->cur &&
		   time_after_eq(jiffies, t->cur->created + XVS_SYNC_FLUSH_TIME)) {
		m = t->cur;
		t->cur = NULL;
		xvs_sync_msg_seal(sync, m);
	}
	spin_unlock_bh(&sync->lock);
	return m;
}

static int xvs_sync_send(struct socket *sock, const void *buf, size_t len)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };
	struct kvec iov = { .iov_base = (void *)buf, .iov_len = len };

	return kernel_sendmsg(sock, &msg, &iov, 1, len);
}

static int xvs_sync_master_thread(void *data)
{
	struct xvs_sync_thread *t = data;
	struct xvs_sync *sync = t->sync;
	struct xvs_sync_msg *m;

	pr_info("sync thread started: state = MASTER, mcast_ifn = %s, syncid = %u, id = %d\n",
		sync->mcfg.mcast_ifn, sync->mcfg.syncid, t->id);

	while (!kthread_should_stop()) {
		/* Set before looking, so that a queueing wake-up is not lost. */
		set_current_state(TASK_INTERRUPTIBLE);
		m = xvs_sync_next_msg(sync, t);
		if (!m) {
			if (!kthread_should_stop())
				schedule_timeout(XVS_SYNC_CHECK_PERIOD);
			__set_current_state(TASK_RUNNING);
			continue;
		}
		__set_current_state(TASK_RUNNING);

		for (;;) {
			int err = xvs_sync_send(t->sock, m->data, m->len);

			if (err >= 0) {
				atomic_long_inc(&sync->tx_msgs);
				break;
			}
			if (err != -EAGAIN && err != -ENOBUFS) {
				/* No route, interface down...: lost, as in IPVS. */
				net_warn_ratelimited("sync send error %d\n", err);
				atomic_long_add(m->nr_conns, &sync->tx_dropped);
				break;
			}
			/* Socket buffer full: wait a little for room. */
			if (kthread_should_stop())
				break;
			msleep_interruptible(10);
		}
		kfree(m);
	}
	return 0;
}

/* ---- backup: applying what a master sent --------------------------------- */

/* Received entries name addresses as in an nf_inet_addr. */
static_assert(sizeof(((struct xvs_sync_entry *)0)->caddr) ==
	      sizeof(union nf_inet_addr));

static inline const union nf_inet_addr *xvs_sync_addr(const u32 *a)
{
	return (const union nf_inet_addr *)a;
}

static bool xvs_sync_addr_eq(u16 af, const union nf_inet_addr *a,
			     const union nf_inet_addr *b)
{
	if (af == AF_INET6)
		return ipv6_addr_equal(&a->in6, &b->in6);
	return a->ip == b->ip;
}

/* Our destination for @e, as IPVS finds it; RCU held, no reference. */
static struct xvs_dest *xvs_sync_find_dest(struct xvs_net *xnet,
					   const struct xvs_sync_entry *e)
{
	const union nf_inet_addr *daddr = xvs_sync_addr(e->daddr);
	__be16 port = (__force __be16)e->dport;
	const struct xvs_dest_set *set;
	struct xvs_service *svc = NULL;
	unsigned int i, pass;

	if (e->fwmark)
		svc = xvs_svc_lookup_fwmark(xnet, e->af, e->fwmark);
	if (!svc)
		svc = xvs_svc_lookup(xnet, e->af, e->protocol,
				     xvs_sync_addr(e->vaddr),
				     (__force __be16)e->vport);
	if (!svc)
		return NULL;
	/* Marked services match any port except when NAT maps ports. */
	if (e->fwmark && (e->flags & IP_VS_CONN_F_FWD_MASK) != IP_VS_CONN_F_MASQ)
		port = 0;
	set = rcu_dereference(svc->dest_set);
	if (!set)
		return NULL;
	/* First the exact port, then the other of {port, dport}. */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < set->count; i++) {
			struct xvs_dest *dest = container_of(set->dest[i],
							     struct xvs_dest,
							     sched);

			if (dest->af == e->af && dest->port == port &&
			    xvs_sync_addr_eq(e->af, &dest->addr, daddr))
				return dest;
		}
		port ^= (__force __be16)e->dport;
	}
	return NULL;
}

static unsigned int xvs_sync_state_timeout(struct xvs_net *xnet,
					   const struct xvs_sync_entry *e)
{
	if (e->timeout) {
		unsigned long secs = min_t(unsigned long, e->timeout,
					   MAX_SCHEDULE_TIMEOUT / HZ);

		return min_t(unsigned long, secs * HZ, UINT_MAX);
	}
	if (e->flags & IP_VS_CONN_F_TEMPLATE)
		return XVS_SYNC_DEFAULT_TIMEOUT;
	switch (e->protocol) {
	case IPPROTO_TCP:
		return READ_ONCE(xnet->tcp_timeout[e->state]);
	case IPPROTO_UDP:
		return READ_ONCE(xnet->udp_timeout[e->state]);
	case IPPROTO_SCTP:
		return READ_ONCE(xnet->sctp_timeout[e->state]);
	default:
		/* AH and ESP have no timeout table in IPVS either. */
		return XVS_SYNC_DEFAULT_TIMEOUT;
	}
}

/* The master's sequence translation, if it sent one; cp->lock held. */
static void xvs_sync_set_seq(struct xvs_conn *cp,
			     const struct xvs_sync_entry *e)
{
	struct xvs_conn_ext *ext;

	if (!(e->flags & IP_VS_CONN_F_SEQ_MASK))
		return;
	ext = xvs_conn_ext_need(cp);
	if (!ext) {
		/* Out of memory: the entry goes on without translation. */
		WRITE_ONCE(cp->flags, cp->flags & ~IP_VS_CONN_F_SEQ_MASK);
		return;
	}
	xvs_seq_from_words(&ext->in_seq, e->seq);
	xvs_seq_from_words(&ext->out_seq, e->seq + 3);
}

/* The connection (or template) @e describes, refreshed or created. */
static bool xvs_sync_apply(struct xvs_net *xnet, const struct xvs_sync_entry *e)
{
	const union nf_inet_addr *daddr = xvs_sync_addr(e->daddr);
	__be16 dport = (__force __be16)e->dport;
	struct xvs_conn_param p = {
		.af = e->af,
		.protocol = e->protocol,
		.caddr = xvs_sync_addr(e->caddr),
		.cport = (__force __be16)e->cport,
		.vaddr = xvs_sync_addr(e->vaddr),
		.vport = (__force __be16)e->vport,
		.daddr = daddr,
	};
	struct xvs_conn *cp;
	bool ok = true;

	/*
	 * Engine data need the engine (IPVS drops the entry otherwise); only
	 * templates keep them.
	 */
	if (e->pe_data_len) {
		char name[IP_VS_PENAME_MAXLEN + 1];

		memcpy(name, e->pe_name, e->pe_name_len);
		name[e->pe_name_len] = '\0';
		p.pe = xvs_pe_get(name);
		if (!p.pe)
			return false;
		p.pe_data = (const char *)e->pe_data;
		p.pe_data_len = e->pe_data_len;
	}

	rcu_read_lock();
	if (!(e->flags & IP_VS_CONN_F_TEMPLATE)) {
		struct xvs_pkt pkt = {
			.af = e->af,
			.protocol = e->protocol,
			.saddr = *p.caddr,
			.daddr = *p.vaddr,
			.sport = p.cport,
			.dport = p.vport,
		};

		cp = xvs_conn_in_get(xnet, &pkt);
		if (cp && (cp->dport != dport ||
			   !xvs_sync_addr_eq(e->af, &cp->daddr, daddr))) {
			/*
			 * The master moved this client to another server.  An
			 * inactive entry for the old one is only its late
			 * expiry report: ignore it.
			 */
			if (e->flags & IP_VS_CONN_F_INACTIVE) {
				__xvs_conn_put(cp);
				goto out;
			}
			xvs_conn_expire_now(cp);
			__xvs_conn_put(cp);
			cp = NULL;
		}
	} else {
		cp = xvs_conn_template_get(xnet, &p);
	}

	if (cp) {
		struct xvs_dest *dest = cp->dest;
		unsigned int flags;

		spin_lock_bh(&cp->lock);
		flags = cp->flags;
		/* The master's activity moves the destination's counters. */
		if (!(flags & IP_VS_CONN_F_TEMPLATE) && dest &&
		    ((flags ^ e->flags) & IP_VS_CONN_F_INACTIVE)) {
			if (e->flags & IP_VS_CONN_F_INACTIVE) {
				atomic_dec(&dest->sched.activeconns);
				atomic_inc(&dest->sched.inactconns);
			} else {
				atomic_inc(&dest->sched.activeconns);
				atomic_dec(&dest->sched.inactconns);
			}
		}
		/* IPVS's IP_VS_CONN_F_BACKUP_UPD_MASK */
		flags = (flags & ~(IP_VS_CONN_F_INACTIVE |
				   IP_VS_CONN_F_SEQ_MASK)) |
			(e->flags & (IP_VS_CONN_F_INACTIVE |
				     IP_VS_CONN_F_SEQ_MASK));
		WRITE_ONCE(cp->flags, flags);
		xvs_sync_set_seq(cp, e);
		WRITE_ONCE(cp->state, e->state);
		WRITE_ONCE(cp->old_state, e->state);
		WRITE_ONCE(cp->timeout, xvs_sync_state_timeout(xnet, e));
		spin_unlock_bh(&cp->lock);
		if (!dest) {
			dest = xvs_sync_find_dest(xnet, e);
			if (dest)
				xvs_conn_bind_synced(cp, dest);
		}
	} else {
		/*
		 * Without our service or destination (a standby director
		 * whose table is loaded at takeover) the entry is kept
		 * unbound, as IPVS keeps it, and bound by a later refresh.
		 */
		/* Its client may be on this host: replies need looking up. */
		WRITE_ONCE(xnet->local_clients, true);
		cp = xvs_conn_create(xnet, &p, xvs_sync_find_dest(xnet, e),
				     dport, e->flags,
				     e->fwmark);
		if (!cp) {
			ok = false;
			goto out;
		}
		spin_lock_bh(&cp->lock);
		xvs_sync_set_seq(cp, e);
		WRITE_ONCE(cp->state, e->state);
		WRITE_ONCE(cp->old_state, e->state);
		WRITE_ONCE(cp->timeout, xvs_sync_state_timeout(xnet, e));
		spin_unlock_bh(&cp->lock);
	}
	atomic_set(&cp->in_pkts, READ_ONCE(xnet->sysctl.sync_threshold[0]));
	/* Re-arms the expiry with the timeout just set. */
	xvs_conn_put(cp);
out:
	rcu_read_unlock();
	xvs_pe_put(p.pe);
	return ok;
}

static unsigned int xvs_sync_num_states(u8 protocol)
{
	switch (protocol) {
	case IPPROTO_TCP:
		return XVS_TCP_S_LAST;
	case IPPROTO_UDP:
		return XVS_UDP_S_LAST;
	case IPPROTO_SCTP:
		return XVS_SCTP_S_LAST;
	case IPPROTO_AH:
	case IPPROTO_ESP:
		return 1;	/* IPVS' AH/ESP have one state */
	default:
		return 0;
	}
}

static bool xvs_sync_apply_cb(void *ctx, const struct xvs_sync_entry *e)
{
	return xvs_sync_apply(ctx, e);
}

static void xvs_sync_rx(struct xvs_sync *sync, const u8 *buf, size_t len)
{
	struct xvs_sync_rx_stats st = {};

	xvs_sync_parse(buf, len, READ_ONCE(sync->bcfg.syncid),
		       xvs_sync_num_states, xvs_sync_apply_cb, sync->xnet, &st);
	atomic_long_add(st.msgs, &sync->rx_msgs);
	atomic_long_add(st.conns, &sync->rx_conns);
	atomic_long_add(st.dropped, &sync->rx_dropped);
}

static int xvs_sync_backup_thread(void *data)
{
	struct xvs_sync_thread *t = data;
	struct xvs_sync *sync = t->sync;
	struct sock *sk = t->sock->sk;
	struct udp_sock *up = udp_sk(sk);
	unsigned int buflen = sync->bcfg.sync_maxlen;

	pr_info("sync thread started: state = BACKUP, mcast_ifn = %s, syncid = %u, id = %d\n",
		sync->bcfg.mcast_ifn, sync->bcfg.syncid, t->id);

	while (!kthread_should_stop()) {
		wait_event_interruptible(*sk_sleep(sk),
					 !skb_queue_empty_lockless(&sk->sk_receive_queue) ||
					 !skb_queue_empty_lockless(&up->reader_queue) ||
					 kthread_should_stop());
		for (;;) {
			struct kvec iov = { .iov_base = t->rxbuf, .iov_len = buflen };
			struct msghdr msg = {};
			int len;

			if (kthread_should_stop())
				break;
			len = kernel_recvmsg(t->sock, &msg, &iov, 1, buflen,
					     MSG_DONTWAIT);
			if (len < 0) {
				if (len != -EAGAIN)
					net_warn_ratelimited("sync receive error %d\n",
							     len);
				break;
			}
			/* Longer than our buffer: cut, so sizes disagree. */
			if (msg.msg_flags & MSG_TRUNC) {
				atomic_long_inc(&sync->rx_dropped);
				continue;
			}
			xvs_sync_rx(sync, t->rxbuf, len);
			cond_resched();
		}
	}
	return 0;
}

/* ---- sockets ---------------------------------------------------------- */

static int xvs_sync_setsockopt(struct socket *sock, int level, int name,
			       void *val, unsigned int len)
{
	if (level == SOL_SOCKET)
		return sock_setsockopt(sock, level, name, KERNEL_SOCKPTR(val),
				       len);
	return sock->ops->setsockopt(sock, level, name, KERNEL_SOCKPTR(val),
				     len);
}

static void xvs_sync_group_addr(const struct xvs_sync_cfg *c, int id,
				struct sockaddr_storage *ss, int *salen)
{
	memset(ss, 0, sizeof(*ss));
	if (c->mcast_af == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(c->mcast_port + id);
		sin6->sin6_addr = c->mcast_group.in6;
		*salen = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(c->mcast_port + id);
		sin->sin_addr.s_addr = c->mcast_group.ip;
		*salen = sizeof(*sin);
	}
}

static int xvs_sync_send_sock(struct xvs_sync *sync, int id,
			      struct net_device *dev, struct socket **sockp)
{
	const struct xvs_sync_cfg *c = &sync->mcfg;
	struct sockaddr_storage ss;
	struct socket *sock;
	int zero = 0, ttl = c->mcast_ttl, size, salen, err;

	err = sock_create_kern(sync->xnet->net, c->mcast_af, SOCK_DGRAM,
			       IPPROTO_UDP, &sock);
	if (err)
		return err;
	*sockp = sock;

	if (c->mcast_af == AF_INET6) {
		int ifindex = dev->ifindex, pmtu = IPV6_PMTUDISC_DONT;

		err = xvs_sync_setsockopt(sock, SOL_IPV6, IPV6_MULTICAST_IF,
					  &ifindex, sizeof(ifindex)) ?:
		      xvs_sync_setsockopt(sock, SOL_IPV6, IPV6_MULTICAST_LOOP,
					  &zero, sizeof(zero)) ?:
		      xvs_sync_setsockopt(sock, SOL_IPV6, IPV6_MULTICAST_HOPS,
					  &ttl, sizeof(ttl)) ?:
		      xvs_sync_setsockopt(sock, SOL_IPV6, IPV6_MTU_DISCOVER,
					  &pmtu, sizeof(pmtu));
	} else {
		struct ip_mreqn mreq = { .imr_ifindex = dev->ifindex };
		int pmtu = IP_PMTUDISC_DONT;

		err = xvs_sync_setsockopt(sock, SOL_IP, IP_MULTICAST_IF,
					  &mreq, sizeof(mreq)) ?:
		      xvs_sync_setsockopt(sock, SOL_IP, IP_MULTICAST_LOOP,
					  &zero, sizeof(zero)) ?:
		      xvs_sync_setsockopt(sock, SOL_IP, IP_MULTICAST_TTL,
					  &ttl, sizeof(ttl)) ?:
		      xvs_sync_setsockopt(sock, SOL_IP, IP_MTU_DISCOVER,
					  &pmtu, sizeof(pmtu));
	}
	if (err)
		return err;
	size = READ_ONCE(sync->xnet->sysctl.sync_sock_size);
	if (size > 0) {
		err = xvs_sync_setsockopt(sock, SOL_SOCKET, SO_SNDBUF, &size,
					  sizeof(size));
		if (err)
			return err;
	}

	if (c->mcast_af == AF_INET) {
		/* Datagrams leave with the address of the sync interface. */
		struct sockaddr_in sin = {
			.sin_family = AF_INET,
			.sin_addr.s_addr = inet_select_addr(dev, 0,
							    RT_SCOPE_UNIVERSE),
		};

		if (!sin.sin_addr.s_addr)
			pr_warn("sync interface %s has no IPv4 address\n",
				dev->name);
		err = kernel_bind(sock, (struct sockaddr *)&sin, sizeof(sin));
		if (err)
			return err;
	}
	xvs_sync_group_addr(c, id, &ss, &salen);
	return kernel_connect(sock, (struct sockaddr *)&ss, salen, 0);
}

static int xvs_sync_recv_sock(struct xvs_sync *sync, int id,
			      struct net_device *dev, struct socket **sockp)
{
	const struct xvs_sync_cfg *c = &sync->bcfg;
	struct sockaddr_storage ss;
	struct socket *sock;
	int size, salen, err;

	err = sock_create_kern(sync->xnet->net, c->mcast_af, SOCK_DGRAM,
			       IPPROTO_UDP, &sock);
	if (err)
		return err;
	*sockp = sock;
	/* Several listeners (ipvs, tcpdump-like tools) may share the port. */
	sock->sk->sk_reuse = SK_CAN_REUSE;
	size = READ_ONCE(sync->xnet->sysctl.sync_sock_size);
	if (size > 0) {
		err = xvs_sync_setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &size,
					  sizeof(size));
		if (err)
			return err;
	}
	err = sock_bindtoindex(sock->sk, dev->ifindex, true);
	if (err)
		return err;
	xvs_sync_group_addr(c, id, &ss, &salen);
	err = kernel_bind(sock, (struct sockaddr *)&ss, salen);
	if (err)
		return err;

	if (c->mcast_af == AF_INET6) {
		struct ipv6_mreq mreq = {
			.ipv6mr_multiaddr = c->mcast_group.in6,
			.ipv6mr_ifindex = dev->ifindex,
		};

		return xvs_sync_setsockopt(sock, SOL_IPV6, IPV6_ADD_MEMBERSHIP,
					   &mreq, sizeof(mreq));
	} else {
		struct ip_mreqn mreq = {
			.imr_multiaddr.s_addr = c->mcast_group.ip,
			.imr_ifindex = dev->ifindex,
		};

		return xvs_sync_setsockopt(sock, SOL_IP, IP_ADD_MEMBERSHIP,
					   &mreq, sizeof(mreq));
	}
}

/* ---- start and stop ------------------------------------------------------ */

static void xvs_sync_threads_free(struct xvs_sync_thread *ti, unsigned int n)
{
	unsigned int i;

	if (!ti)
		return;
	for (i = 0; i < n; i++) {
		struct xvs_sync_msg *m, *tmp;

		if (ti[i].task)
			kthread_stop(ti[i].task);
		if (ti[i].sock)
			sock_release(ti[i].sock);
		kfree(ti[i].rxbuf);
		/* The threads are gone: nobody else sees these any more. */
		list_for_each_entry_safe(m, tmp, &ti[i].queue, list)
			kfree(m);
		kfree(ti[i].cur);
	}
	kfree(ti);
}

int xvs_sync_start(struct xvs_net *xnet, struct xvs_sync_cfg *c, int state)
{
	struct xvs_sync *sync = xvs_sync_of(xnet);
	struct xvs_sync_thread *ti = NULL;
	struct net_device *dev;
	unsigned int count, i, hlen, mtu, min_len;
	int err;

	if (state != IP_VS_STATE_MASTER && state != IP_VS_STATE_BACKUP)
		return -EINVAL;

	mutex_lock(&sync->mutex);
	/* Master and backup run the same number of threads. */
	if (!sync->state)
		count = clamp(READ_ONCE(xnet->sysctl.sync_ports), 1,
			      XVS_SYNC_PORTS_MAX);
	else
		count = sync->threads_mask + 1;

	if (c->mcast_af == AF_UNSPEC) {
		c->mcast_af = AF_INET;
		c->mcast_group.ip = htonl(XVS_SYNC_GROUP);
	}
	if (!c->mcast_port)
		c->mcast_port = XVS_SYNC_PORT;
	if (!c->mcast_ttl)
		c->mcast_ttl = 1;

	rtnl_lock();
	dev = __dev_get_by_name(xnet->net, c->mcast_ifn);
	mtu = dev ? dev->mtu : 0;
	rtnl_unlock();
	if (!dev) {
		err = -ENODEV;
		goto out_unlock;
	}
	/* Datagram payload: the interface MTU (backup) or 1500 (master). */
	hlen = c->mcast_af == AF_INET6 ?
	       sizeof(struct ipv6hdr) + sizeof(struct udphdr) :
	       sizeof(struct iphdr) + sizeof(struct udphdr);
	if (state == IP_VS_STATE_BACKUP) {
		mtu = clamp(mtu, 1500U, 65535U);
		min_len = 1024;
	} else {
		mtu = 1500;
		min_len = 1;
	}
	if (c->sync_maxlen)
		c->sync_maxlen = clamp_t(unsigned int, c->sync_maxlen, min_len,
					 65535 - hlen);
	else
		c->sync_maxlen = mtu - hlen;

	err = -EEXIST;
	if ((state == IP_VS_STATE_MASTER && sync->master) ||
	    (state == IP_VS_STATE_BACKUP && sync->backup))
		goto out_unlock;

	err = -ENOMEM;
	ti = kcalloc(count, sizeof(*ti), GFP_KERNEL);
	if (!ti)
		goto out_unlock;
	for (i = 0; i < count; i++) {
		ti[i].sync = sync;
		ti[i].id = i;
		INIT_LIST_HEAD(&ti[i].queue);
	}
	if (state == IP_VS_STATE_MASTER)
		sync->mcfg = *c;
	else
		sync->bcfg = *c;

	dev = dev_get_by_name(xnet->net, c->mcast_ifn);
	if (!dev) {
		err = -ENODEV;
		goto out_free;
	}
	for (i = 0; i < count; i++) {
		struct xvs_sync_thread *t = &ti[i];

		if (state == IP_VS_STATE_MASTER) {
			err = xvs_sync_send_sock(sync, i, dev, &t->sock);
		} else {
			err = -ENOMEM;
			t->rxbuf = kmalloc(c->sync_maxlen, GFP_KERNEL);
			if (!t->rxbuf)
				break;
			err = xvs_sync_recv_sock(sync, i, dev, &t->sock);
		}
		if (err)
			break;
	}
	dev_put(dev);
	if (err)
		goto out_free;

	for (i = 0; i < count; i++) {
		struct task_struct *task;

		if (state == IP_VS_STATE_MASTER)
			task = kthread_create(xvs_sync_master_thread, &ti[i],
					      "xvs-m:%u:%u",
					      xnet->net->ns.inum, i);
		else
			task = kthread_create(xvs_sync_backup_thread, &ti[i],
					      "xvs-b:%u:%u",
					      xnet->net->ns.inum, i);
		if (IS_ERR(task)) {
			err = PTR_ERR(task);
			goto out_free;
		}
		ti[i].task = task;
	}

	/* The counts logged at stop are those of this run. */
	if (state == IP_VS_STATE_MASTER) {
		atomic_long_set(&sync->tx_msgs, 0);
		atomic_long_set(&sync->tx_conns, 0);
		atomic_long_set(&sync->tx_dropped, 0);
	} else {
		atomic_long_set(&sync->rx_msgs, 0);
		atomic_long_set(&sync->rx_conns, 0);
		atomic_long_set(&sync->rx_dropped, 0);
	}
	spin_lock_bh(&sync->lock);
	sync->threads_mask = count - 1;
	if (state == IP_VS_STATE_MASTER)
		sync->master = ti;
	else
		sync->backup = ti;
	WRITE_ONCE(sync->state, sync->state | state);
	spin_unlock_bh(&sync->lock);
	for (i = 0; i < count; i++)
		wake_up_process(ti[i].task);
	mutex_unlock(&sync->mutex);
	return 0;

out_free:
	xvs_sync_threads_free(ti, count);
out_unlock:
	mutex_unlock(&sync->mutex);
	return err;
}

int xvs_sync_stop(struct xvs_net *xnet, int state)
{
	struct xvs_sync *sync = xvs_sync_of(xnet);
	struct xvs_sync_thread *ti;
	unsigned int count;

	if (state != IP_VS_STATE_MASTER && state != IP_VS_STATE_BACKUP)
		return -EINVAL;

	mutex_lock(&sync->mutex);
	ti = state == IP_VS_STATE_MASTER ? sync->master : sync->backup;
	if (!ti) {
		mutex_unlock(&sync->mutex);
		return -ESRCH;
	}
	/* No packet queues anything for these threads after this. */
	spin_lock_bh(&sync->lock);
	WRITE_ONCE(sync->state, sync->state & ~state);
	if (state == IP_VS_STATE_MASTER)
		sync->master = NULL;
	else
		sync->backup = NULL;
	spin_unlock_bh(&sync->lock);
	count = sync->threads_mask + 1;
	xvs_sync_threads_free(ti, count);

	if (state == IP_VS_STATE_MASTER)
		pr_info("master sync daemon stopped: sent %ld messages, %ld connections, %ld dropped\n",
			atomic_long_read(&sync->tx_msgs),
			atomic_long_read(&sync->tx_conns),
			atomic_long_read(&sync->tx_dropped));
	else
		pr_info("backup sync daemon stopped: received %ld messages, %ld connections, %ld dropped\n",
			atomic_long_read(&sync->rx_msgs),
			atomic_long_read(&sync->rx_conns),
			atomic_long_read(&sync->rx_dropped));
	mutex_unlock(&sync->mutex);
	return 0;
}

bool xvs_sync_get_cfg(struct xvs_net *xnet, int state, struct xvs_sync_cfg *cfg)
{
	struct xvs_sync *sync = xvs_sync_of(xnet);
	bool running;

	mutex_lock(&sync->mutex);
	running = READ_ONCE(sync->state) & state;
	if (running)
		*cfg = state == IP_VS_STATE_MASTER ? sync->mcfg : sync->bcfg;
	mutex_unlock(&sync->mutex);
	return running;
}

/* ---- per namespace ------------------------------------------------------ */

int xvs_sync_net_init(struct xvs_net *xnet)
{
	struct xvs_sync *sync = kzalloc(sizeof(*sync), GFP_KERNEL);

	if (!sync)
		return -ENOMEM;
	sync->xnet = xnet;
	mutex_init(&sync->mutex);
	spin_lock_init(&sync->lock);
	xnet->sync = sync;
	return 0;
}

void xvs_sync_stop_all(struct xvs_net *xnet)
{
	if (!xvs_sync_of(xnet))
		return;
	xvs_sync_stop(xnet, IP_VS_STATE_MASTER);
	xvs_sync_stop(xnet, IP_VS_STATE_BACKUP);
}

void xvs_sync_net_exit(struct xvs_net *xnet)
{
	struct xvs_sync *sync = xvs_sync_of(xnet);

	if (!sync)
		return;
	xvs_sync_stop_all(xnet);
	xnet->sync = NULL;
	kfree(sync);
}
