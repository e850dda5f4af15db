/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * xvs: xvs's own additions to the IPVS generic netlink family, shared by
 * xvs.ko and the userspace library.  Everything stock IPVS defines
 * (linux/ip_vs.h) is left as it is; the numbers here are chosen well clear
 * of IPVS's so that a future IPVS command or attribute cannot collide.
 */
#ifndef XVS_UAPI_GENL_H
#define XVS_UAPI_GENL_H

/*
 * Config-change events.  The family "IPVS" has one multicast group,
 * XVS_GENL_MCGRP_EVENTS, resolved by name like any generic netlink group
 * (CTRL_CMD_GETFAMILY, CTRL_ATTR_MCAST_GROUPS).  Joining it needs
 * CAP_NET_ADMIN in the namespace's user namespace.  After each successful
 * change the module sends, to the namespace where it happened and in the
 * order the changes were applied, one message with genl command
 * XVS_CMD_EVENT and these top-level attributes:
 *
 *   XVS_CMD_ATTR_EVENT_KIND   u32, enum xvs_event_kind
 *   XVS_CMD_ATTR_EVENT_PORTID u32, netlink port of the requesting socket
 *   IPVS_CMD_ATTR_SERVICE     service events, dest events: the service,
 *                             nested as in IPVS_CMD_GET_SERVICE replies
 *   IPVS_CMD_ATTR_DEST        dest events: nested as in IPVS_CMD_GET_DEST
 *   IPVS_CMD_ATTR_DAEMON      daemon events: nested as in IPVS_CMD_GET_DAEMON
 *
 * A deletion carries the object as it was just before it went.  When an
 * event cannot be built (no memory) the subscribers get ENOBUFS on their
 * socket, as for an overrun: their view must be read again.
 */
#define XVS_GENL_MCGRP_EVENTS		"xvs_events"

#define XVS_CMD_EVENT			0x60	/* IPVS_CMD_* end at 17 */

#define XVS_CMD_ATTR_EVENT_KIND		0x60	/* IPVS_CMD_ATTR_* end at 6 */
#define XVS_CMD_ATTR_EVENT_PORTID	0x61
#define XVS_CMD_ATTR_EVENT_MAX		XVS_CMD_ATTR_EVENT_PORTID

enum xvs_event_kind {
	XVS_EVENT_SERVICE_NEW = 1,	/* IPVS_CMD_NEW_SERVICE */
	XVS_EVENT_SERVICE_EDIT,		/* IPVS_CMD_SET_SERVICE */
	XVS_EVENT_SERVICE_DEL,		/* IPVS_CMD_DEL_SERVICE */
	XVS_EVENT_SERVICE_FLUSH,	/* IPVS_CMD_FLUSH: every service went */
	XVS_EVENT_DEST_NEW,		/* IPVS_CMD_NEW_DEST */
	XVS_EVENT_DEST_EDIT,		/* IPVS_CMD_SET_DEST */
	XVS_EVENT_DEST_DEL,		/* IPVS_CMD_DEL_DEST */
	XVS_EVENT_DAEMON_NEW,		/* IPVS_CMD_NEW_DAEMON */
	XVS_EVENT_DAEMON_DEL,		/* IPVS_CMD_DEL_DAEMON */
	XVS_EVENT_KIND_MAX = XVS_EVENT_DAEMON_DEL
};

/*
 * One-request listing.  XVS_CMD_GET_ALL, sent with NLM_F_DUMP and no
 * attributes, dumps every service with all its destinations: for each
 * service (in the order of the IPVS_CMD_GET_SERVICE dump) one message
 *
 *   IPVS_CMD_NEW_SERVICE  IPVS_CMD_ATTR_SERVICE nested as in GET_SERVICE
 *
 * followed by one message per destination (in IPVS_CMD_GET_DEST order)
 *
 *   IPVS_CMD_NEW_DEST     IPVS_CMD_ATTR_SERVICE with the service's key only
 *                         (AF and FWMARK, or AF, PROTOCOL, ADDR and PORT),
 *                         IPVS_CMD_ATTR_DEST nested as in GET_DEST
 *
 * It replaces one GET_SERVICE dump plus one GET_DEST dump per service.  A
 * change applied while the dump is in progress sets NLM_F_DUMP_INTR on the
 * messages after it: the reader must start again.  The kernel's ip_vs
 * answers EOPNOTSUPP (an unknown command): readers fall back to GET_SERVICE
 * and per-service GET_DEST.
 */
#define XVS_CMD_GET_ALL			0x61	/* dump only; after XVS_CMD_EVENT */

/*
 * Per-service connection timeouts: attributes nested in
 * IPVS_CMD_ATTR_SERVICE beside the IPVS_SVC_ATTR_* (which end at 14), so
 * stock tools, which parse up to IPVS_SVC_ATTR_MAX, never see them.  Each is
 * a u32 of seconds, at most INT_MAX / HZ as for IPVS_CMD_SET_CONFIG, used
 * instead of the namespace's (ipvsadm --set) value for the service's
 * connections in that state; 0 means "the namespace's value".
 * IPVS_CMD_NEW_SERVICE: an absent attribute is 0.  IPVS_CMD_SET_SERVICE: an
 * absent attribute leaves the service's value as it is, so an edit by a
 * stock tool keeps the overrides.  IPVS_CMD_GET_SERVICE replies and service
 * events carry the non-zero ones.
 */
#define XVS_SVC_ATTR_TIMEOUT_TCP	0x62	/* TCP ESTABLISHED ("tcp") */
#define XVS_SVC_ATTR_TIMEOUT_TCP_FIN	0x63	/* TCP FIN_WAIT ("tcpfin") */
#define XVS_SVC_ATTR_TIMEOUT_UDP	0x64	/* UDP ("udp") */
#define XVS_SVC_ATTR_TIMEOUT_MAX	XVS_SVC_ATTR_TIMEOUT_UDP

#endif /* XVS_UAPI_GENL_H */
