// SPDX-License-Identifier: GPL-2.0
/*
 * SCTP association states as IPVS tracks them.  The director sees the
 * association from the middle: it follows the chunk type that leads each
 * packet and the packet's direction, which is enough to tell an opening
 * association (short timeouts, so INIT floods do not fill the table) from
 * an established one and from one that is shutting down.  States, names,
 * timeouts and transitions are those of IPVS: they show in ipvsadm -c and
 * /proc/net/ip_vs_conn, and they decide when a connection expires.
 */
#include "xvs_shim.h"
#include "xvs_proto.h"

#define XVS_SCTP_NDIR	(XVS_DIR_INPUT_ONLY + 1)

/* Event of each chunk type IPVS knows; higher types count as DATA. */
static const u8 xvs_sctp_chunk_event[] = {
	[XVS_SCTP_CID_DATA]		= XVS_SCTP_EV_DATA,
	[XVS_SCTP_CID_INIT]		= XVS_SCTP_EV_INIT,
	[XVS_SCTP_CID_INIT_ACK]		= XVS_SCTP_EV_INIT_ACK,
	[XVS_SCTP_CID_SACK]		= XVS_SCTP_EV_DATA,
	[XVS_SCTP_CID_HEARTBEAT]	= XVS_SCTP_EV_DATA,
	[XVS_SCTP_CID_HEARTBEAT_ACK]	= XVS_SCTP_EV_DATA,
	[XVS_SCTP_CID_ABORT]		= XVS_SCTP_EV_ABORT,
	[XVS_SCTP_CID_SHUTDOWN]		= XVS_SCTP_EV_SHUTDOWN,
	[XVS_SCTP_CID_SHUTDOWN_ACK]	= XVS_SCTP_EV_SHUTDOWN_ACK,
	[XVS_SCTP_CID_ERROR]		= XVS_SCTP_EV_ERROR,
	[XVS_SCTP_CID_COOKIE_ECHO]	= XVS_SCTP_EV_COOKIE_ECHO,
	[XVS_SCTP_CID_COOKIE_ACK]	= XVS_SCTP_EV_COOKIE_ACK,
	[XVS_SCTP_CID_ECN_ECNE]		= XVS_SCTP_EV_DATA,
	[XVS_SCTP_CID_ECN_CWR]		= XVS_SCTP_EV_DATA,
	[XVS_SCTP_CID_SHUTDOWN_COMPLETE] = XVS_SCTP_EV_SHUTDOWN_COMPLETE,
};

static enum xvs_sctp_event xvs_sctp_type_event(unsigned int type)
{
	if (type >= sizeof(xvs_sctp_chunk_event))
		return XVS_SCTP_EV_DATA;
	return (enum xvs_sctp_event)xvs_sctp_chunk_event[type];
}

enum xvs_sctp_event xvs_sctp_packet_event(unsigned int first_type,
					  bool has_second,
					  unsigned int second_type)
{
	/*
	 * INIT, INIT-ACK and SHUTDOWN-COMPLETE travel alone; the cookie
	 * chunks may carry an ABORT behind them, and then the ABORT is what
	 * happens to the association.
	 */
	if (has_second && second_type == XVS_SCTP_CID_ABORT &&
	    (first_type == XVS_SCTP_CID_COOKIE_ECHO ||
	     first_type == XVS_SCTP_CID_COOKIE_ACK))
		return XVS_SCTP_EV_ABORT;
	return xvs_sctp_type_event(first_type);
}

/* Two-letter state names so that each table row fits on one line. */
#define NO	XVS_SCTP_S_NONE
#define I1	XVS_SCTP_S_INIT1
#define IN	XVS_SCTP_S_INIT
#define CS	XVS_SCTP_S_COOKIE_SENT
#define CR	XVS_SCTP_S_COOKIE_REPLIED
#define CW	XVS_SCTP_S_COOKIE_WAIT
#define CO	XVS_SCTP_S_COOKIE
#define CE	XVS_SCTP_S_COOKIE_ECHOED
#define ES	XVS_SCTP_S_ESTABLISHED
#define SS	XVS_SCTP_S_SHUTDOWN_SENT
#define SR	XVS_SCTP_S_SHUTDOWN_RECEIVED
#define SA	XVS_SCTP_S_SHUTDOWN_ACK_SENT
#define RJ	XVS_SCTP_S_REJECTED
#define CL	XVS_SCTP_S_CLOSED

/*
 * next[direction][event][current state].  Rows in event order (the chunk
 * that drives them in the comment); columns in state order:
 * NO I1 IN CS CR CW CO CE ES SS SR SA RJ CL.
 */
static const u8 xvs_sctp_next[XVS_SCTP_NDIR][XVS_SCTP_EV_LAST][XVS_SCTP_S_LAST] = {
	[XVS_DIR_INPUT] = {
		{ ES, I1, IN, CS, CR, CW, CO, CE, ES, SS, SR, SA, RJ, CL },	/* DATA */
		{ I1, IN, IN, CS, CR, CW, CO, CE, ES, SS, SR, SA, IN, IN },	/* INIT */
		{ CW, CW, CW, CS, CR, CO, CO, CE, ES, SS, SR, SA, RJ, CL },	/* INIT-ACK */
		{ CR, IN, IN, CR, CR, CW, CO, CE, ES, SS, SR, SA, RJ, CL },	/* COOKIE-ECHO */
		{ ES, I1, IN, CS, CR, CW, CO, ES, ES, SS, SR, SA, RJ, CL },	/* COOKIE-ACK */
		{ SR, I1, IN, CS, CR, CW, CO, CE, SR, SS, SR, SA, RJ, CL },	/* SHUTDOWN */
		{ CL, IN, IN, CS, CR, CW, CO, CE, ES, CL, SR, CL, RJ, CL },	/* SHUTDOWN-ACK */
		{ CL, CL, CL, CS, CR, CW, CO, CE, ES, SS, SR, CL, RJ, CL },	/* SHUTDOWN-COMPLETE */
		{ CL, I1, IN, CS, CR, CW, CO, CL, ES, SS, SR, SA, RJ, CL },	/* ERROR */
		{ CL, CL, CL, CL, CL, RJ, CL, CL, CL, CL, CL, CL, CL, CL },	/* ABORT */
	},
	[XVS_DIR_OUTPUT] = {
		{ ES, I1, IN, CS, CR, CW, CO, CE, ES, SS, SR, SA, RJ, CL },	/* DATA */
		{ CW, CW, CW, CW, CW, CW, CW, CW, ES, CW, CW, CW, CW, CW },	/* INIT */
		{ CS, CS, CS, CS, CR, CW, CO, CE, ES, SS, SR, SA, RJ, CL },	/* INIT-ACK */
		{ CE, CE, CE, CE, CE, CE, CE, CE, ES, SS, SR, SA, RJ, CL },	/* COOKIE-ECHO */
		{ ES, ES, ES, ES, ES, ES, ES, ES, ES, SS, SR, SA, RJ, CL },	/* COOKIE-ACK */
		{ SS, SS, SS, SS, SS, SS, SS, SS, SS, SS, SR, SA, RJ, CL },	/* SHUTDOWN */
		{ SA, SA, SA, SA, SA, CW, CO, CE, ES, SA, SA, SA, RJ, CL },	/* SHUTDOWN-ACK */
		{ CL, I1, IN, CS, CR, CW, CO, CE, ES, SS, SR, SA, RJ, CL },	/* SHUTDOWN-COMPLETE */
		{ CL, CL, CL, CL, CL, CW, CO, CE, ES, SS, SR, SA, RJ, CL },	/* ERROR */
		{ CL, RJ, CL, CL, CL, CL, CL, CL, CL, CL, CL, CL, CL, CL },	/* ABORT */
	},
	/* Client packets while the server's packets bypass us (DR, TUN). */
	[XVS_DIR_INPUT_ONLY] = {
		{ ES, I1, IN, CS, CR, ES, CO, CE, ES, SS, SR, SA, RJ, CL },	/* DATA */
		{ I1, IN, IN, IN, IN, IN, CO, CE, ES, SS, SR, SA, IN, IN },	/* INIT */
		{ CE, CE, CE, CE, CE, CE, CO, CE, ES, SS, SR, SA, RJ, CL },	/* INIT-ACK */
		{ ES, ES, ES, ES, ES, ES, CO, CE, ES, SS, SR, SA, RJ, CL },	/* COOKIE-ECHO */
		{ ES, I1, IN, ES, ES, CW, ES, ES, ES, SS, SR, SA, RJ, CL },	/* COOKIE-ACK */
		{ SR, I1, IN, CS, CR, CW, CO, CE, SR, SS, SR, SA, RJ, CL },	/* SHUTDOWN */
		{ CL, IN, IN, CS, CR, CW, CO, CE, CL, CL, SR, CL, RJ, CL },	/* SHUTDOWN-ACK */
		{ CL, CL, CL, CL, CL, CW, CO, CE, ES, SS, CL, CL, RJ, CL },	/* SHUTDOWN-COMPLETE */
		{ CL, I1, IN, CS, CR, CW, CO, CE, ES, SS, SR, SA, RJ, CL },	/* ERROR */
		{ CL, CL, CL, CL, CL, RJ, CL, CL, CL, CL, CL, CL, CL, CL },	/* ABORT */
	},
};

#undef NO
#undef I1
#undef IN
#undef CS
#undef CR
#undef CW
#undef CO
#undef CE
#undef ES
#undef SS
#undef SR
#undef SA
#undef RJ
#undef CL

enum xvs_sctp_state xvs_sctp_next_state(enum xvs_sctp_state state,
					enum xvs_dir dir,
					enum xvs_sctp_event event)
{
	if ((unsigned int)state >= XVS_SCTP_S_LAST ||
	    (unsigned int)dir >= XVS_SCTP_NDIR ||
	    (unsigned int)event >= XVS_SCTP_EV_LAST)
		return XVS_SCTP_S_CLOSED;
	return (enum xvs_sctp_state)xvs_sctp_next[dir][event][state];
}

static const char *const xvs_sctp_state_names[XVS_SCTP_S_LAST] = {
	[XVS_SCTP_S_NONE]		= "NONE",
	[XVS_SCTP_S_INIT1]		= "INIT1",
	[XVS_SCTP_S_INIT]		= "INIT",
	[XVS_SCTP_S_COOKIE_SENT]	= "C-SENT",
	[XVS_SCTP_S_COOKIE_REPLIED]	= "C-REPLIED",
	[XVS_SCTP_S_COOKIE_WAIT]	= "C-WAIT",
	[XVS_SCTP_S_COOKIE]		= "COOKIE",
	[XVS_SCTP_S_COOKIE_ECHOED]	= "C-ECHOED",
	[XVS_SCTP_S_ESTABLISHED]	= "ESTABLISHED",
	[XVS_SCTP_S_SHUTDOWN_SENT]	= "S-SENT",
	[XVS_SCTP_S_SHUTDOWN_RECEIVED]	= "S-RECEIVED",
	[XVS_SCTP_S_SHUTDOWN_ACK_SENT]	= "S-ACK-SENT",
	[XVS_SCTP_S_REJECTED]		= "REJECTED",
	[XVS_SCTP_S_CLOSED]		= "CLOSED",
};

const char *xvs_sctp_state_name(unsigned int state)
{
	if (state >= XVS_SCTP_S_LAST)
		return "ERR!";
	return xvs_sctp_state_names[state];
}

/*
 * Seconds; the module scales them to jiffies.  The handshake and shutdown
 * states last one maximal retransmission timeout (60 s) plus a second; a
 * lone INIT or a rejected one only a few seconds.
 */
#define XVS_SCTP_MAX_RTO	(60 + 1)

const unsigned int xvs_sctp_default_timeout[XVS_SCTP_S_LAST] = {
	[XVS_SCTP_S_NONE]		= 2,
	[XVS_SCTP_S_INIT1]		= 3 + 1,
	[XVS_SCTP_S_INIT]		= XVS_SCTP_MAX_RTO,
	[XVS_SCTP_S_COOKIE_SENT]	= XVS_SCTP_MAX_RTO,
	[XVS_SCTP_S_COOKIE_REPLIED]	= XVS_SCTP_MAX_RTO,
	[XVS_SCTP_S_COOKIE_WAIT]	= XVS_SCTP_MAX_RTO,
	[XVS_SCTP_S_COOKIE]		= XVS_SCTP_MAX_RTO,
	[XVS_SCTP_S_COOKIE_ECHOED]	= XVS_SCTP_MAX_RTO,
	[XVS_SCTP_S_ESTABLISHED]	= 15 * 60,
	[XVS_SCTP_S_SHUTDOWN_SENT]	= XVS_SCTP_MAX_RTO,
	[XVS_SCTP_S_SHUTDOWN_RECEIVED]	= XVS_SCTP_MAX_RTO,
	[XVS_SCTP_S_SHUTDOWN_ACK_SENT]	= XVS_SCTP_MAX_RTO,
	[XVS_SCTP_S_REJECTED]		= 3 + 1,
	[XVS_SCTP_S_CLOSED]		= XVS_SCTP_MAX_RTO,
};
