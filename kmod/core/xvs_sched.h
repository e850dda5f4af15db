/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Scheduler interface of the portable core.
 *
 * A service publishes its destinations as an immutable array (struct
 * xvs_dest_set) in the order IPVS keeps its list: newest first.  Each
 * scheduler is one file implementing struct xvs_sched_ops; it sees only the
 * scheduling view of a destination (struct xvs_sched_dest), which the module
 * embeds in its own destination object.
 *
 * Locking contract (enforced by the caller, not here): for a scheduler with
 * ->serialized set, ->schedule() and ->dests_changed() of one service never
 * run concurrently, and the set passed to ->schedule() is the one most
 * recently passed to ->dests_changed() (or ->init()).  Schedulers without
 * ->serialized may run ->schedule() in parallel, also with one (never two)
 * ->dests_changed(): their ->schedule() writes nothing, and ->dests_changed()
 * updates their state in single words (xvs_write_once) that ->schedule()
 * reads with xvs_read_once, as IPVS's hashing schedulers do under RCU.
 */
#ifndef XVS_SCHED_H
#define XVS_SCHED_H

#include "xvs_shim.h"

/* Values match IP_VS_DEST_F_* of the IPVS ABI. */
#define XVS_DEST_F_AVAILABLE	0x0001
#define XVS_DEST_F_OVERLOAD	0x0002

/* Values match IP_VS_SVC_F_SCHED1..3 of the IPVS ABI. */
#define XVS_SVC_F_SCHED1	0x0008
#define XVS_SVC_F_SCHED2	0x0010
#define XVS_SVC_F_SCHED3	0x0020

/* Address families, as Linux numbers them. */
#define XVS_AF_INET		2
#define XVS_AF_INET6		10

struct xvs_sched_dest {
	atomic_t weight;
	atomic_t activeconns;
	atomic_t inactconns;
	atomic_t persistconns;
	unsigned int flags;		/* XVS_DEST_F_*, read with xvs_read_once */
	u32 u_threshold;		/* upper connection threshold, 0: none */
	u32 l_threshold;		/* lower connection threshold */
	/*
	 * The latest weight set, except that setting weight 0 on an existing
	 * destination keeps the previous one (IPVS's last_weight; mh keeps
	 * the table slots of a quiesced destination with it).  0 when the
	 * owner does not maintain it: mh then uses the current weight.
	 */
	atomic_t last_weight;
	/* Identity, for schedulers that hash destinations (mh); fixed. */
	u32 addr[4];			/* network order, IPv4 in [0], rest 0 */
	__be16 port;
};

struct xvs_dest_set {
	unsigned int count;
	u16 af;				/* the service's; 0 if unknown */
	struct xvs_sched_dest *dest[];	/* newest first */
};

/* What changed between two consecutive sets given to ->dests_changed(). */
enum xvs_dest_change_kind {
	XVS_DEST_ADDED,		/* inserted at index 0 */
	XVS_DEST_REMOVED,	/* removed from index 'index' of the old set */
	XVS_DEST_UPDATED,	/* same members, a weight or threshold changed */
};

struct xvs_dest_change {
	enum xvs_dest_change_kind kind;
	unsigned int index;
	/* The destination added, removed or updated; NULL if not known. */
	struct xvs_sched_dest *dest;
};

/*
 * Per-netns tunables of schedulers (sysctls of net.ipv4.vs), in jiffies.
 * Where a scheduler is given NULL it uses IPVS's defaults.
 */
struct xvs_sched_knobs {
	int lblc_expiration;		/* default 24 hours */
	int lblcr_expiration;		/* default 24 hours */
};

/* The packet facts a scheduler may base its decision on. */
struct xvs_sched_input {
	u16 af;				/* AF_INET or AF_INET6 */
	u8 protocol;
	const u32 *saddr;		/* 4 words, network order, v4 in [0] */
	const u32 *daddr;
	__be16 sport;
	__be16 dport;
	/*
	 * The service's IP_VS_SVC_F_* flags, read per packet as IPVS does,
	 * so that editing a service's scheduler flags takes effect at once.
	 */
	u32 svc_flags;
	const struct xvs_sched_knobs *knobs;	/* NULL: defaults */
};

/* How often ->gc() is due, in jiffies (IPVS's lblc/lblcr timer). */
#define XVS_SCHED_GC_INTERVAL	(60 * XVS_HZ)

/*
 * ->schedule() is required.  ->init() and ->dests_changed() are optional
 * for a scheduler that keeps no state (state_size 0, 'state' may then be
 * NULL) and required for a ->serialized one.  A set
 * given to a callback may be NULL or empty; schedule() then returns NULL.
 *
 * The caller allocates state_size bytes (any content) before ->init().
 * ->init() and the ->dests_changed() of a scheduler without ->serialized
 * are called in process context; ->schedule() in softirq context.
 * Destinations removed from the set stay valid for a grace period after
 * the ->dests_changed() that reports their removal returns, for schedulers
 * that keep pointers to them.
 */
struct xvs_sched_ops {
	const char *name;		/* as ipvsadm -s names it */
	unsigned int state_size;	/* bytes of per-service state */
	bool serialized;		/* see locking contract above */
	void (*init)(void *state, const struct xvs_dest_set *set);
	void (*dests_changed)(void *state, const struct xvs_dest_set *set,
			      const struct xvs_dest_change *change);
	/* NULL when no destination is available. */
	struct xvs_sched_dest *(*schedule)(void *state,
					   const struct xvs_dest_set *set,
					   const struct xvs_sched_input *in);
	/*
	 * Optional: housekeeping due every XVS_SCHED_GC_INTERVAL jiffies,
	 * the first time that long after ->init().  For a ->serialized
	 * scheduler under the same exclusion as ->schedule(); may run in
	 * softirq context.
	 */
	void (*gc)(void *state, const struct xvs_sched_knobs *knobs);
	/*
	 * Optional: releases what the scheduler allocated.  Called once,
	 * when no other callback of this state runs or will run again (in
	 * the kernel: after an RCU grace period following unpublication).
	 * The state itself belongs to the caller.
	 */
	void (*destroy)(void *state);
};

/*
 * Load figure used by the least-connection family, as IPVS of Linux 6.1
 * (Debian's 6.1.0-x, which counts totalconns) computes it: 256 times the
 * active connections plus all connections, active and inactive alike.
 * Computed modulo 2^32 like the kernel's int arithmetic; wlc reinterprets
 * the result as signed, as IPVS does.
 */
static inline unsigned int xvs_dest_conn_overhead(const struct xvs_sched_dest *d)
{
	unsigned int active = (unsigned int)xvs_atomic_read(&d->activeconns);
	unsigned int inactive = (unsigned int)xvs_atomic_read(&d->inactconns);

	return (active << 8) + active + inactive;
}

static inline bool xvs_dest_usable(const struct xvs_sched_dest *d)
{
	return !(xvs_read_once(d->flags) & XVS_DEST_F_OVERLOAD) &&
		xvs_atomic_read(&d->weight) > 0;
}

/*
 * The choice shared by IPVS's wlc and sed (and the fresh picks of
 * lblc/lblcr): the destination of least overhead / weight.  The first
 * destination neither overloaded nor of weight zero is the initial
 * candidate; after it only overloaded ones are skipped, and a later one
 * replaces the candidate only when strictly less loaded, so ties go to the
 * first in list order.  Loads are compared without division, as IPVS
 * does: overheads (IPVS's int values) cross-multiplied by the weights in
 * 64 bits.  A later destination of weight zero therefore never wins, as
 * its side of the comparison is zero, unless the candidate's overhead has
 * wrapped negative; that corner is kept exactly as IPVS has it.
 */
static inline struct xvs_sched_dest *
xvs_sched_least(const struct xvs_dest_set *set,
		s64 (*overhead)(const struct xvs_sched_dest *d))
{
	struct xvs_sched_dest *least = NULL;
	s64 least_oh = 0;
	unsigned int i;

	if (!set)
		return NULL;
	for (i = 0; i < set->count; i++) {
		struct xvs_sched_dest *d = set->dest[i];

		if (d && xvs_dest_usable(d)) {
			least = d;
			least_oh = overhead(d);
			break;
		}
	}
	if (!least)
		return NULL;
	for (i++; i < set->count; i++) {
		struct xvs_sched_dest *d = set->dest[i];
		s64 oh;

		if (!d || (xvs_read_once(d->flags) & XVS_DEST_F_OVERLOAD))
			continue;
		oh = overhead(d);
		if (least_oh * xvs_atomic_read(&d->weight) >
		    oh * xvs_atomic_read(&least->weight)) {
			least = d;
			least_oh = oh;
		}
	}
	return least;
}

/* wlc's overhead: IPVS keeps it in an int, so the 32 bits are signed. */
static inline s64 xvs_sched_wlc_overhead(const struct xvs_sched_dest *d)
{
	return (s32)xvs_dest_conn_overhead(d);
}

/* The weighted least-connection choice of wlc, lblc and lblcr. */
static inline struct xvs_sched_dest *
xvs_sched_weighted_least(const struct xvs_dest_set *set)
{
	return xvs_sched_least(set, xvs_sched_wlc_overhead);
}

/*
 * IPVS folds an address to 32 bits for hashing, host order: the IPv4
 * address, or the XOR of the four words of an IPv6 one.
 */
static inline u32 xvs_sched_addr_fold(u16 af, const u32 *addr)
{
	if (af == XVS_AF_INET6)
		return xvs_ntohl(addr[0] ^ addr[1] ^ addr[2] ^ addr[3]);
	return xvs_ntohl(addr[0]);
}

/*
 * The client port that sh and mh may hash: only TCP, UDP and SCTP have
 * one; anything else hashes port 0.
 */
static inline u16 xvs_sched_client_port(const struct xvs_sched_input *in)
{
	switch (in->protocol) {
	case 6:		/* IPPROTO_TCP */
	case 17:	/* IPPROTO_UDP */
	case 132:	/* IPPROTO_SCTP */
		return xvs_ntohs(in->sport);
	default:
		return 0;
	}
}

extern const struct xvs_sched_ops xvs_sched_rr;
extern const struct xvs_sched_ops xvs_sched_wrr;
extern const struct xvs_sched_ops xvs_sched_lc;
extern const struct xvs_sched_ops xvs_sched_wlc;
extern const struct xvs_sched_ops xvs_sched_lblc;
extern const struct xvs_sched_ops xvs_sched_lblcr;
extern const struct xvs_sched_ops xvs_sched_dh;
extern const struct xvs_sched_ops xvs_sched_sh;
extern const struct xvs_sched_ops xvs_sched_sed;
extern const struct xvs_sched_ops xvs_sched_nq;
extern const struct xvs_sched_ops xvs_sched_fo;
extern const struct xvs_sched_ops xvs_sched_ovf;
extern const struct xvs_sched_ops xvs_sched_mh;
extern const struct xvs_sched_ops xvs_sched_twos;

/*
 * mh's lookup table: its size and, for tests, a slot.  IPVS sizes it
 * primes[CONFIG_IP_VS_MH_TAB_INDEX - 8]; Debian's 6.1 builds index 12: 4093.
 */
#define XVS_SCHED_MH_TAB_SIZE	4093U
struct xvs_sched_dest *xvs_sched_mh_slot(const void *state, unsigned int i);

/* Built-in schedulers, for lookup by name; NULL-terminated. */
extern const struct xvs_sched_ops *const xvs_core_scheds[];

#endif /* XVS_SCHED_H */
