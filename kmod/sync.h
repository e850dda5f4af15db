/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xvs: connection synchronisation between directors, IPVS's sync protocol.
 *
 * A master multicasts what it knows about its connections (and persistence
 * templates) in UDP datagrams; a backup listening on the same group creates
 * or refreshes the same entries, bound to its own copy of the destination,
 * so that it can take over the traffic when the virtual address moves.
 * One netns may run a master and a backup at the same time.
 */
#ifndef XVS_SYNC_H
#define XVS_SYNC_H

#include <linux/types.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/list.h>
#include <linux/ip_vs.h>
#include <linux/netfilter.h>

#include "xvs.h"

struct xvs_conn;

#define XVS_SYNC_GROUP		0xe0000051	/* 224.0.0.81 */
#define XVS_SYNC_PORT		8848
#define XVS_SYNC_PORTS_MAX	64		/* sync_ports upper bound */

/* The message format itself is in core/xvs_sync_msg.h. */

/* ---- daemons ----------------------------------------------------------- */

/* How one daemon was started (ipvsadm --start-daemon), as GET_DAEMON shows. */
struct xvs_sync_cfg {
	char mcast_ifn[IP_VS_IFNAME_MAXLEN];
	u16 mcast_af;			/* AF_UNSPEC: the IPv4 default group */
	union nf_inet_addr mcast_group;
	u16 mcast_port;			/* base; thread i uses port + i */
	u8 mcast_ttl;
	u16 sync_maxlen;		/* largest datagram payload */
	u32 syncid;			/* 0..255 on the wire; 0 = any (backup) */
};

int xvs_sync_start(struct xvs_net *xnet, struct xvs_sync_cfg *cfg, int state);
int xvs_sync_stop(struct xvs_net *xnet, int state);
/* IP_VS_STATE_* bits of the running daemons. */
int xvs_sync_state(struct xvs_net *xnet);
/* Copies the configuration of the daemon in @state; false if none runs. */
bool xvs_sync_get_cfg(struct xvs_net *xnet, int state, struct xvs_sync_cfg *cfg);

/*
 * A client packet went through @cp (packet path, RCU held): counts it and,
 * on a master, queues the connection (and its template) for the backups
 * when the sync_* sysctls say it is time.
 */
void xvs_sync_in_packet(struct xvs_net *xnet, struct xvs_conn *cp);

/* backup_only=1 while a backup runs: the hooks leave packets alone. */
bool xvs_sync_backup_only(struct xvs_net *xnet);

#endif /* XVS_SYNC_H */
