/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xvs: the flow fast path (fast_path.c).  Packets of established
 * connections are forwarded from a netdev ingress hook, before the IP
 * receive path, routing and the inet netfilter chains, while the netns has
 * services and net.xvs.fast_path is 1.
 */
#ifndef XVS_FAST_PATH_H
#define XVS_FAST_PATH_H

#include <linux/netdevice.h>

#include "xvs.h"

/* Namespace part (main.c): counters, /proc/net/xvs_fast_path, sysctl. */
int xvs_fast_path_net_init(struct xvs_net *xnet);
void xvs_fast_path_net_exit(struct xvs_net *xnet);

/*
 * Registers or unregisters the ingress hooks so that they are in place
 * exactly while the netfilter hooks are and net.xvs.fast_path is 1.
 * Caller holds xnet->mutex; takes the RTNL.
 */
int xvs_fast_path_sync(struct xvs_net *xnet);

/* A device came or goes (the netdev notifier; RTNL held). */
void xvs_fast_path_dev_event(struct xvs_net *xnet, struct net_device *dev,
			     unsigned long event);

#endif /* XVS_FAST_PATH_H */
