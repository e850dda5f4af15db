/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Protocol state machines of the portable core: pure functions from
 * (state, direction, header flags) to the next state, plus the state names
 * and default timeouts that IPVS uses (they show in ipvsadm -c and in
 * /proc/net/ip_vs_conn, so they are part of the ABI).
 */
#ifndef XVS_PROTO_H
#define XVS_PROTO_H

#include "xvs_shim.h"

/* Order and names as IPVS: IP_VS_TCP_S_* */
enum xvs_tcp_state {
	XVS_TCP_S_NONE = 0,
	XVS_TCP_S_ESTABLISHED,
	XVS_TCP_S_SYN_SENT,
	XVS_TCP_S_SYN_RECV,
	XVS_TCP_S_FIN_WAIT,
	XVS_TCP_S_TIME_WAIT,
	XVS_TCP_S_CLOSE,
	XVS_TCP_S_CLOSE_WAIT,
	XVS_TCP_S_LAST_ACK,
	XVS_TCP_S_LISTEN,
	XVS_TCP_S_SYNACK,
	XVS_TCP_S_LAST
};

enum xvs_udp_state {
	XVS_UDP_S_NORMAL = 0,
	XVS_UDP_S_LAST
};

/* Direction of a packet relative to the connection. */
enum xvs_dir {
	XVS_DIR_INPUT = 0,	/* client to realserver */
	XVS_DIR_OUTPUT,		/* realserver to client (seen on NAT) */
	XVS_DIR_INPUT_ONLY,	/* client to realserver, replies bypass us */
};

#define XVS_TCP_FLAG_SYN	0x1
#define XVS_TCP_FLAG_FIN	0x2
#define XVS_TCP_FLAG_ACK	0x4
#define XVS_TCP_FLAG_RST	0x8

/*
 * Transition tables: the normal one, and the one IPVS switches to while the
 * secure_tcp defense is on (sysctl net.ipv4.vs.secure_tcp).
 */
enum xvs_tcp_table {
	XVS_TCP_TABLE_NORMAL = 0,
	XVS_TCP_TABLE_SECURE,
};

/*
 * Next TCP state after a packet with 'tcp_flags' (XVS_TCP_FLAG_*) seen in
 * direction 'dir'.  As IPVS, one flag decides, in the order RST, SYN, FIN,
 * ACK; a packet with none of them, an unknown state or an unknown direction
 * gives XVS_TCP_S_CLOSE.  The caller picks XVS_DIR_INPUT_ONLY for input
 * packets of a connection that has not seen output yet (IPVS's NOOUTPUT).
 */
enum xvs_tcp_state xvs_tcp_transition(enum xvs_tcp_table table,
				      enum xvs_tcp_state state,
				      enum xvs_dir dir, unsigned int tcp_flags);

/* xvs_tcp_transition() on the normal table. */
enum xvs_tcp_state xvs_tcp_next_state(enum xvs_tcp_state state,
				      enum xvs_dir dir, unsigned int tcp_flags);

/* Name as /proc/net/ip_vs_conn prints it; "ERR!" when out of range. */
const char *xvs_tcp_state_name(unsigned int state);

/*
 * Whether a connection in 'state' counts in activeconns.  IPVS of Linux 6.1
 * (Debian's 6.1.0-x) counts the handshake states as active too:
 * SYN_SENT, SYN_RECV, ESTABLISHED and SYNACK.
 */
static inline bool xvs_tcp_state_active(unsigned int state)
{
	return state == XVS_TCP_S_ESTABLISHED ||
	       state == XVS_TCP_S_SYN_SENT ||
	       state == XVS_TCP_S_SYN_RECV ||
	       state == XVS_TCP_S_SYNACK;
}

/* "UDP" for the one state; "ERR!" when out of range. */
const char *xvs_udp_state_name(unsigned int state);

/* Default timeouts in seconds, indexed by state. */
extern const unsigned int xvs_tcp_default_timeout[XVS_TCP_S_LAST];
extern const unsigned int xvs_udp_default_timeout[XVS_UDP_S_LAST];

#endif /* XVS_PROTO_H */
