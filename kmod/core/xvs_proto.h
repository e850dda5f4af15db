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

/* Order and names as IPVS: IP_VS_SCTP_S_* */
enum xvs_sctp_state {
	XVS_SCTP_S_NONE = 0,
	XVS_SCTP_S_INIT1,		/* first INIT from the client */
	XVS_SCTP_S_INIT,		/* INIT retransmitted */
	XVS_SCTP_S_COOKIE_SENT,		/* server answered INIT-ACK */
	XVS_SCTP_S_COOKIE_REPLIED,	/* client sent COOKIE-ECHO */
	XVS_SCTP_S_COOKIE_WAIT,		/* server sent INIT */
	XVS_SCTP_S_COOKIE,		/* client answered INIT-ACK */
	XVS_SCTP_S_COOKIE_ECHOED,	/* server sent COOKIE-ECHO */
	XVS_SCTP_S_ESTABLISHED,
	XVS_SCTP_S_SHUTDOWN_SENT,
	XVS_SCTP_S_SHUTDOWN_RECEIVED,
	XVS_SCTP_S_SHUTDOWN_ACK_SENT,
	XVS_SCTP_S_REJECTED,		/* INIT answered by ABORT */
	XVS_SCTP_S_CLOSED,
	XVS_SCTP_S_LAST
};

/* SCTP chunk types (RFC 9260, 3.2) that the state machine knows. */
#define XVS_SCTP_CID_DATA		0
#define XVS_SCTP_CID_INIT		1
#define XVS_SCTP_CID_INIT_ACK		2
#define XVS_SCTP_CID_SACK		3
#define XVS_SCTP_CID_HEARTBEAT		4
#define XVS_SCTP_CID_HEARTBEAT_ACK	5
#define XVS_SCTP_CID_ABORT		6
#define XVS_SCTP_CID_SHUTDOWN		7
#define XVS_SCTP_CID_SHUTDOWN_ACK	8
#define XVS_SCTP_CID_ERROR		9
#define XVS_SCTP_CID_COOKIE_ECHO	10
#define XVS_SCTP_CID_COOKIE_ACK		11
#define XVS_SCTP_CID_ECN_ECNE		12
#define XVS_SCTP_CID_ECN_CWR		13
#define XVS_SCTP_CID_SHUTDOWN_COMPLETE	14

/* What a packet means to the state machine, decided by its chunk types. */
enum xvs_sctp_event {
	XVS_SCTP_EV_DATA = 0,		/* DATA, SACK, HEARTBEAT(-ACK), ECN */
	XVS_SCTP_EV_INIT,
	XVS_SCTP_EV_INIT_ACK,
	XVS_SCTP_EV_COOKIE_ECHO,
	XVS_SCTP_EV_COOKIE_ACK,
	XVS_SCTP_EV_SHUTDOWN,
	XVS_SCTP_EV_SHUTDOWN_ACK,
	XVS_SCTP_EV_SHUTDOWN_COMPLETE,
	XVS_SCTP_EV_ERROR,
	XVS_SCTP_EV_ABORT,
	XVS_SCTP_EV_LAST
};

/*
 * Event of a packet from its first chunk type and, when the packet has a
 * second chunk, that one's type (has_second false: ignored).  As IPVS, an
 * ABORT bundled right after COOKIE-ECHO or COOKIE-ACK counts as ABORT;
 * chunk types IPVS does not know count as DATA.
 */
enum xvs_sctp_event xvs_sctp_packet_event(unsigned int first_type,
					  bool has_second,
					  unsigned int second_type);

/*
 * Next SCTP state after 'event' seen in direction 'dir' (XVS_DIR_INPUT_ONLY
 * while the connection has seen no output, as for TCP).  An unknown
 * state, direction or event gives XVS_SCTP_S_CLOSED.
 */
enum xvs_sctp_state xvs_sctp_next_state(enum xvs_sctp_state state,
					enum xvs_dir dir,
					enum xvs_sctp_event event);

/* Name as /proc/net/ip_vs_conn prints it; "ERR!" when out of range. */
const char *xvs_sctp_state_name(unsigned int state);

/* IPVS counts an SCTP connection as active only while ESTABLISHED. */
static inline bool xvs_sctp_state_active(unsigned int state)
{
	return state == XVS_SCTP_S_ESTABLISHED;
}

/* "UDP" for the one state; "ERR!" when out of range. */
const char *xvs_udp_state_name(unsigned int state);

/* Default timeouts in seconds, indexed by state. */
extern const unsigned int xvs_tcp_default_timeout[XVS_TCP_S_LAST];
extern const unsigned int xvs_udp_default_timeout[XVS_UDP_S_LAST];
extern const unsigned int xvs_sctp_default_timeout[XVS_SCTP_S_LAST];

#endif /* XVS_PROTO_H */
