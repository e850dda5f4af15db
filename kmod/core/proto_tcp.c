// SPDX-License-Identifier: GPL-2.0
/*
 * TCP connection states as IPVS tracks them.  IPVS does not follow the TCP
 * state machine of the endpoints; it keeps a coarse per-connection state,
 * driven by one flag of each packet and the packet's direction, which
 * selects the idle timeout and whether the connection counts as active.
 * The names, timeouts and transitions below are those of IPVS: names and
 * timeouts are visible through ipvsadm and /proc, and transitions decide
 * when a connection expires.
 */
#include "xvs_shim.h"
#include "xvs_proto.h"

/* The flag of a packet that drives the transition, in table row order. */
enum xvs_tcp_event {
	XVS_TCP_EV_SYN = 0,
	XVS_TCP_EV_FIN,
	XVS_TCP_EV_ACK,
	XVS_TCP_EV_RST,
	XVS_TCP_EV_LAST
};

#define XVS_TCP_NDIR	(XVS_DIR_INPUT_ONLY + 1)

/* Short names so that each table row fits on one line. */
#define NO	XVS_TCP_S_NONE
#define ES	XVS_TCP_S_ESTABLISHED
#define SS	XVS_TCP_S_SYN_SENT
#define SR	XVS_TCP_S_SYN_RECV
#define FW	XVS_TCP_S_FIN_WAIT
#define TW	XVS_TCP_S_TIME_WAIT
#define CL	XVS_TCP_S_CLOSE
#define CW	XVS_TCP_S_CLOSE_WAIT
#define LA	XVS_TCP_S_LAST_ACK
#define LI	XVS_TCP_S_LISTEN
#define SA	XVS_TCP_S_SYNACK

/*
 * next[table][direction][event][current state].  Columns, in state order:
 * NONE ESTABLISHED SYN_SENT SYN_RECV FIN_WAIT TIME_WAIT CLOSE CLOSE_WAIT
 * LAST_ACK LISTEN SYNACK.
 */
static const u8 xvs_tcp_next[2][XVS_TCP_NDIR][XVS_TCP_EV_LAST][XVS_TCP_S_LAST] = {
	[XVS_TCP_TABLE_NORMAL] = {
		[XVS_DIR_INPUT] = {
			[XVS_TCP_EV_SYN] = { SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SR },
			[XVS_TCP_EV_FIN] = { CL, CW, SS, TW, TW, TW, CL, CW, LA, LI, TW },
			[XVS_TCP_EV_ACK] = { ES, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES },
			[XVS_TCP_EV_RST] = { CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, SR },
		},
		[XVS_DIR_OUTPUT] = {
			[XVS_TCP_EV_SYN] = { SS, ES, SS, SR, SS, SS, SS, SS, SS, LI, SR },
			[XVS_TCP_EV_FIN] = { TW, FW, SS, TW, FW, TW, CL, TW, LA, LI, TW },
			[XVS_TCP_EV_ACK] = { ES, ES, SS, ES, FW, TW, CL, CW, LA, ES, ES },
			[XVS_TCP_EV_RST] = { CL, CL, SS, CL, CL, TW, CL, CL, CL, CL, CL },
		},
		[XVS_DIR_INPUT_ONLY] = {
			[XVS_TCP_EV_SYN] = { SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SR },
			[XVS_TCP_EV_FIN] = { CL, FW, SS, TW, FW, TW, CL, CW, LA, LI, TW },
			[XVS_TCP_EV_ACK] = { ES, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES },
			[XVS_TCP_EV_RST] = { CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, CL },
		},
	},
	/*
	 * secure_tcp: a SYN flood must not fill the table with long-lived
	 * entries, so half-open connections stay in SYN_RECV / SYNACK
	 * (short timeouts) until the handshake is seen to complete.
	 */
	[XVS_TCP_TABLE_SECURE] = {
		[XVS_DIR_INPUT] = {
			[XVS_TCP_EV_SYN] = { SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SA },
			[XVS_TCP_EV_FIN] = { CL, CW, SS, TW, TW, TW, CL, CW, LA, LI, SA },
			[XVS_TCP_EV_ACK] = { ES, ES, SS, SR, FW, TW, CL, CW, CL, LI, SA },
			[XVS_TCP_EV_RST] = { CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, CL },
		},
		[XVS_DIR_OUTPUT] = {
			[XVS_TCP_EV_SYN] = { SS, ES, SS, SA, SS, SS, SS, SS, SS, LI, SA },
			[XVS_TCP_EV_FIN] = { TW, FW, SS, TW, FW, TW, CL, TW, LA, LI, TW },
			[XVS_TCP_EV_ACK] = { ES, ES, SS, ES, FW, TW, CL, CW, LA, ES, ES },
			[XVS_TCP_EV_RST] = { CL, CL, SS, CL, CL, TW, CL, CL, CL, CL, CL },
		},
		[XVS_DIR_INPUT_ONLY] = {
			[XVS_TCP_EV_SYN] = { SA, ES, ES, SR, SA, SA, SA, SA, SA, SA, SA },
			[XVS_TCP_EV_FIN] = { CL, FW, SS, TW, FW, TW, CL, CW, LA, LI, TW },
			[XVS_TCP_EV_ACK] = { ES, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES },
			[XVS_TCP_EV_RST] = { CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, CL },
		},
	},
};

#undef NO
#undef ES
#undef SS
#undef SR
#undef FW
#undef TW
#undef CL
#undef CW
#undef LA
#undef LI
#undef SA

/* One flag decides; RST wins over SYN, SYN over FIN, FIN over ACK. */
static int xvs_tcp_event(unsigned int tcp_flags)
{
	if (tcp_flags & XVS_TCP_FLAG_RST)
		return XVS_TCP_EV_RST;
	if (tcp_flags & XVS_TCP_FLAG_SYN)
		return XVS_TCP_EV_SYN;
	if (tcp_flags & XVS_TCP_FLAG_FIN)
		return XVS_TCP_EV_FIN;
	if (tcp_flags & XVS_TCP_FLAG_ACK)
		return XVS_TCP_EV_ACK;
	return -1;
}

enum xvs_tcp_state xvs_tcp_transition(enum xvs_tcp_table table,
				      enum xvs_tcp_state state,
				      enum xvs_dir dir, unsigned int tcp_flags)
{
	int event = xvs_tcp_event(tcp_flags);

	/* A packet IPVS cannot classify closes the connection. */
	if (event < 0 || (unsigned int)state >= XVS_TCP_S_LAST ||
	    (unsigned int)dir >= XVS_TCP_NDIR ||
	    (unsigned int)table > XVS_TCP_TABLE_SECURE)
		return XVS_TCP_S_CLOSE;
	return (enum xvs_tcp_state)xvs_tcp_next[table][dir][event][state];
}

enum xvs_tcp_state xvs_tcp_next_state(enum xvs_tcp_state state,
				      enum xvs_dir dir, unsigned int tcp_flags)
{
	return xvs_tcp_transition(XVS_TCP_TABLE_NORMAL, state, dir, tcp_flags);
}

static const char *const xvs_tcp_state_names[XVS_TCP_S_LAST] = {
	[XVS_TCP_S_NONE]	= "NONE",
	[XVS_TCP_S_ESTABLISHED]	= "ESTABLISHED",
	[XVS_TCP_S_SYN_SENT]	= "SYN_SENT",
	[XVS_TCP_S_SYN_RECV]	= "SYN_RECV",
	[XVS_TCP_S_FIN_WAIT]	= "FIN_WAIT",
	[XVS_TCP_S_TIME_WAIT]	= "TIME_WAIT",
	[XVS_TCP_S_CLOSE]	= "CLOSE",
	[XVS_TCP_S_CLOSE_WAIT]	= "CLOSE_WAIT",
	[XVS_TCP_S_LAST_ACK]	= "LAST_ACK",
	[XVS_TCP_S_LISTEN]	= "LISTEN",
	[XVS_TCP_S_SYNACK]	= "SYNACK",
};

const char *xvs_tcp_state_name(unsigned int state)
{
	if (state >= XVS_TCP_S_LAST)
		return "ERR!";
	return xvs_tcp_state_names[state];
}

/* Seconds; the module scales them to jiffies. */
const unsigned int xvs_tcp_default_timeout[XVS_TCP_S_LAST] = {
	[XVS_TCP_S_NONE]	= 2,
	[XVS_TCP_S_ESTABLISHED]	= 15 * 60,
	[XVS_TCP_S_SYN_SENT]	= 2 * 60,
	[XVS_TCP_S_SYN_RECV]	= 60,
	[XVS_TCP_S_FIN_WAIT]	= 2 * 60,
	[XVS_TCP_S_TIME_WAIT]	= 2 * 60,
	[XVS_TCP_S_CLOSE]	= 10,
	[XVS_TCP_S_CLOSE_WAIT]	= 60,
	[XVS_TCP_S_LAST_ACK]	= 30,
	[XVS_TCP_S_LISTEN]	= 2 * 60,
	[XVS_TCP_S_SYNACK]	= 2 * 60,
};
