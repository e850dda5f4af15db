// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: per-service connection timeouts.
 *
 * A service may replace the netns's TCP ESTABLISHED, TCP FIN_WAIT and UDP
 * timeouts (ipvsadm --set) with its own, carried in xvs's own attributes of
 * the service nest (uapi/xvs_genl.h).  A connection copies nothing: each
 * state change (every packet re-arms the state's timeout) reaches the
 * service through the connection's destination, whose cache lines the
 * state change touches anyway.  So an edit of the service applies to its
 * existing connections at their next packet, as --set does for the global
 * values.  Connections without a destination, or whose destination left the
 * service, use the netns's values; templates keep the persistence timeout.
 * A synced entry on a backup is bound to the backup's own destination, so
 * once packets reach it there it follows the backup's view of the service;
 * until then it keeps the timeout its master sent (sync.c, as IPVS).  The
 * sync wire format is unchanged.
 */

#include <linux/kernel.h>
#include <linux/in.h>
#include <linux/rcupdate.h>
#include <net/netlink.h>

#include "xvs.h"
#include "conn.h"
#include "svc_timeout.h"
#include "uapi/xvs_genl.h"

static const u16 xvs_svc_timeout_attr[XVS_SVC_TIMEOUTS] = {
	[XVS_SVC_TIMEOUT_TCP]		= XVS_SVC_ATTR_TIMEOUT_TCP,
	[XVS_SVC_TIMEOUT_TCP_FIN]	= XVS_SVC_ATTR_TIMEOUT_TCP_FIN,
	[XVS_SVC_TIMEOUT_UDP]		= XVS_SVC_ATTR_TIMEOUT_UDP,
};

/*
 * Only ours: the IPVS attributes of the same nest are validated by the
 * service policy of ctl_genl.c and pass here unchecked.
 */
static const struct nla_policy
xvs_svc_timeout_policy[XVS_SVC_ATTR_TIMEOUT_MAX + 1] = {
	[XVS_SVC_ATTR_TIMEOUT_TCP]	= { .type = NLA_U32 },
	[XVS_SVC_ATTR_TIMEOUT_TCP_FIN]	= { .type = NLA_U32 },
	[XVS_SVC_ATTR_TIMEOUT_UDP]	= { .type = NLA_U32 },
};

int xvs_svc_timeouts_parse(struct xvs_svc_timeouts_conf *conf,
			   const struct nlattr *nla,
			   struct netlink_ext_ack *extack)
{
	struct nlattr *tb[XVS_SVC_ATTR_TIMEOUT_MAX + 1];
	unsigned int i;

	memset(conf, 0, sizeof(*conf));
	if (!nla)
		return 0;
	if (nla_parse_nested_deprecated(tb, XVS_SVC_ATTR_TIMEOUT_MAX, nla,
					xvs_svc_timeout_policy, extack))
		return -EINVAL;
	for (i = 0; i < XVS_SVC_TIMEOUTS; i++) {
		const struct nlattr *a = tb[xvs_svc_timeout_attr[i]];
		u32 secs;

		if (!a)
			continue;
		secs = nla_get_u32(a);
		/* As IPVS_CMD_SET_CONFIG: seconds whose jiffies fit an int. */
		if (secs > INT_MAX / HZ) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "service timeout out of range");
			return -EINVAL;
		}
		conf->secs[i] = secs;
		conf->given |= BIT(i);
	}
	return 0;
}

void xvs_svc_timeouts_apply(struct xvs_service *svc,
			    const struct xvs_svc_timeouts_conf *conf)
{
	unsigned int i;

	for (i = 0; i < XVS_SVC_TIMEOUTS; i++)
		if (conf->given & BIT(i))
			WRITE_ONCE(svc->conn_timeout[i], conf->secs[i] * HZ);
}

int xvs_svc_timeouts_fill(struct sk_buff *skb, const struct xvs_service *svc)
{
	unsigned int i;

	for (i = 0; i < XVS_SVC_TIMEOUTS; i++) {
		unsigned int t = READ_ONCE(svc->conn_timeout[i]);

		if (t && nla_put_u32(skb, xvs_svc_timeout_attr[i], t / HZ))
			return -EMSGSIZE;
	}
	return 0;
}

unsigned int xvs_svc_state_timeout(const struct xvs_conn *cp,
				   unsigned int state)
{
	const struct xvs_service *svc;
	unsigned int t = 0;
	int which;

	if (cp->protocol == IPPROTO_TCP && state == XVS_TCP_S_ESTABLISHED)
		which = XVS_SVC_TIMEOUT_TCP;
	else if (cp->protocol == IPPROTO_TCP && state == XVS_TCP_S_FIN_WAIT)
		which = XVS_SVC_TIMEOUT_TCP_FIN;
	else if (cp->protocol == IPPROTO_UDP && state == XVS_UDP_S_NORMAL)
		which = XVS_SVC_TIMEOUT_UDP;
	else
		return 0;
	if (!cp->dest || (cp->flags & IP_VS_CONN_F_TEMPLATE))
		return 0;
	rcu_read_lock();
	svc = rcu_dereference(cp->dest->svc);
	if (svc)
		t = READ_ONCE(svc->conn_timeout[which]);
	rcu_read_unlock();
	return t;
}
