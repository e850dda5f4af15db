// SPDX-License-Identifier: GPL-2.0
/*
 * UDP has no connection state to follow: IPVS keeps every UDP connection
 * in one state, whose name and timeout show in ipvsadm and /proc, and
 * refreshes the timeout with each packet.
 */
#include "xvs_shim.h"
#include "xvs_proto.h"

const char *xvs_udp_state_name(unsigned int state)
{
	if (state >= XVS_UDP_S_LAST)
		return "ERR!";
	return "UDP";
}

/* Seconds; the module scales them to jiffies. */
const unsigned int xvs_udp_default_timeout[XVS_UDP_S_LAST] = {
	[XVS_UDP_S_NORMAL]	= 5 * 60,
};
