/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xvs: interfaces between the control-plane files (svc.c, sched.c and the
 * front ends ctl_genl.c, ctl_proc.c, ctl_sysctl.c).  Everything here runs
 * under xvs_net->mutex unless said otherwise.
 */
#ifndef XVS_CTL_H
#define XVS_CTL_H

#include <linux/netlink.h>
#include <net/genetlink.h>

#include "xvs.h"

struct xvs_sync_cfg;

/* IPVS's version as its interfaces report it: 1.2.1 */
#define XVS_IPVS_VERSION_CODE	0x010201
#define XVS_IPVS_VERSION_STR	"1.2.1"
/* The connection table size IPVS reports with its default of 2^12. */
#define XVS_IPVS_CONN_TAB_SIZE	4096

/* A removed destination stays reusable this long after its last user. */
#define XVS_DEST_TRASH_PERIOD	(120 * HZ)

/* A service as userspace describes it (IPVS_CMD_ATTR_SERVICE). */
struct xvs_svc_conf {
	u16 af;
	u16 protocol;
	union nf_inet_addr addr;
	__be16 port;
	u32 fwmark;
	const char *sched_name;		/* "none": no scheduler */
	const char *pe_name;		/* NULL or "": no persistence engine */
	unsigned int flags;		/* IP_VS_SVC_F_* */
	unsigned int timeout;		/* persistence, seconds */
	__be32 netmask;			/* or IPv6 prefix length */
};

/* A destination as userspace describes it (IPVS_CMD_ATTR_DEST). */
struct xvs_dest_conf {
	union nf_inet_addr addr;
	__be16 port;
	unsigned int conn_flags;	/* forwarding method */
	int weight;
	u32 u_threshold;
	u32 l_threshold;
	u16 af;
	u16 tun_type;
	__be16 tun_port;
	u16 tun_flags;
};

/* svc.c */
struct xvs_service *xvs_svc_find(struct xvs_net *xnet, u16 af, u16 protocol,
				 const union nf_inet_addr *addr, __be16 port,
				 u32 fwmark);
int xvs_svc_add(struct xvs_net *xnet, const struct xvs_svc_conf *conf,
		struct netlink_ext_ack *extack);
int xvs_svc_edit(struct xvs_service *svc, const struct xvs_svc_conf *conf,
		 struct netlink_ext_ack *extack);
void xvs_svc_del(struct xvs_service *svc);
void xvs_svc_flush(struct xvs_net *xnet);
void xvs_svc_zero(struct xvs_service *svc);
void xvs_svc_zero_all(struct xvs_net *xnet);
int xvs_dest_add(struct xvs_service *svc, const struct xvs_dest_conf *conf,
		 struct netlink_ext_ack *extack);
int xvs_dest_edit(struct xvs_service *svc, const struct xvs_dest_conf *conf,
		  struct netlink_ext_ack *extack);
int xvs_dest_del(struct xvs_service *svc, const struct xvs_dest_conf *conf,
		 struct netlink_ext_ack *extack);
bool xvs_af_valid(u16 af);
struct xvs_dest *xvs_dest_find(struct xvs_service *svc, u16 af,
			       const union nf_inet_addr *addr, __be16 port);

/* Name of the service's scheduler as IPVS shows it; RCU or mutex. */
static inline const char *xvs_svc_sched_name(const struct xvs_service *svc)
{
	const struct xvs_sched_ops *ops = READ_ONCE(svc->sched);

	return ops ? ops->name : "none";
}

/* sched.c */
struct xvs_sched_inst *xvs_sched_inst_new(const struct xvs_sched_ops *ops,
					  struct xvs_service *svc,
					  const struct xvs_dest_set *set);
void xvs_sched_inst_retire(struct xvs_sched_inst *inst);

/* ctl_genl.c: the family and the nests its replies carry */
extern struct genl_family xvs_genl_family;
int xvs_put_service_key(struct sk_buff *skb, const struct xvs_service *svc);
int xvs_fill_service(struct sk_buff *skb, struct xvs_service *svc);
int xvs_fill_dest(struct sk_buff *skb, struct xvs_dest *dest);
int xvs_fill_daemon(struct sk_buff *skb, u32 state,
		    const struct xvs_sync_cfg *c);

/* ctl_dump_all.c: XVS_CMD_GET_ALL */
int xvs_genl_dump_all(struct sk_buff *skb, struct netlink_callback *cb);

/* ctl_events.c: the family's multicast groups, by index */
enum {
	XVS_GENL_MCGRP_EVENTS_IDX,
	XVS_GENL_N_MCGRPS
};

extern const struct genl_multicast_group xvs_genl_mcgrps[XVS_GENL_N_MCGRPS];

/*
 * An event (uapi/xvs_genl.h) of change @kind requested from netlink port
 * @portid.  The build functions return NULL when nobody listens (or when
 * the event is lost, which listeners are told); a deletion is built while
 * the object still exists and sent, or discarded, once the outcome is
 * known.  Sent under the mutex that serialises the changes, events keep
 * their order.
 */
struct sk_buff *xvs_event_build_svc(struct xvs_net *xnet, u32 kind,
				    u32 portid, struct xvs_service *svc,
				    struct xvs_dest *dest);
struct sk_buff *xvs_event_build_daemon(struct xvs_net *xnet, u32 kind,
				       u32 portid, u32 state,
				       const struct xvs_sync_cfg *c);
void xvs_event_send(struct xvs_net *xnet, struct sk_buff *skb);
void xvs_event_discard(struct sk_buff *skb);
/* Builds and sends at once: additions and edits. */
void xvs_event_svc(struct xvs_net *xnet, u32 kind, u32 portid,
		   struct xvs_service *svc, struct xvs_dest *dest);

#endif /* XVS_CTL_H */
