// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: the generic netlink family "IPVS", the interface ipvsadm and
 * keepalived speak.  Commands, attributes, policies, validation flags,
 * replies and error numbers are those of the kernel's IPVS, so that stock
 * tools cannot tell the difference; extack messages are our addition.
 *
 * Connection synchronisation daemons are run by sync.c.  Each change
 * applied here is announced to the family's event group (ctl_events.c).
 */
#define pr_fmt(fmt) "xvs: " fmt

#include <linux/kernel.h>
#include <linux/netdevice.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <net/genetlink.h>
#include <net/ipv6.h>

#include "xvs.h"
#include "sync.h"
#include "xvs_ctl.h"
#include "pe.h"
#include "svc_timeout.h"
#include "uapi/xvs_genl.h"

/* The family exists before the per-netns state; see main.c. */
static bool xvs_genl_ready;

void xvs_genl_set_ready(void)
{
	/* Publishes the pernet state initialised before this call. */
	smp_store_release(&xvs_genl_ready, true);
}

static bool xvs_genl_is_ready(struct netlink_ext_ack *extack)
{
	/* Pairs with xvs_genl_set_ready(). */
	if (smp_load_acquire(&xvs_genl_ready))
		return true;
	NL_SET_ERR_MSG(extack, "xvs is still initialising");
	return false;
}

/* ---- policies: IPVS's, entry for entry ---------------------------------- */

static const struct nla_policy xvs_cmd_policy[IPVS_CMD_ATTR_MAX + 1] = {
	[IPVS_CMD_ATTR_SERVICE]		= { .type = NLA_NESTED },
	[IPVS_CMD_ATTR_DEST]		= { .type = NLA_NESTED },
	[IPVS_CMD_ATTR_DAEMON]		= { .type = NLA_NESTED },
	[IPVS_CMD_ATTR_TIMEOUT_TCP]	= { .type = NLA_U32 },
	[IPVS_CMD_ATTR_TIMEOUT_TCP_FIN]	= { .type = NLA_U32 },
	[IPVS_CMD_ATTR_TIMEOUT_UDP]	= { .type = NLA_U32 },
};

static const struct nla_policy xvs_daemon_policy[IPVS_DAEMON_ATTR_MAX + 1] = {
	[IPVS_DAEMON_ATTR_STATE]	= { .type = NLA_U32 },
	[IPVS_DAEMON_ATTR_MCAST_IFN]	= { .type = NLA_NUL_STRING,
					    .len = IP_VS_IFNAME_MAXLEN - 1 },
	[IPVS_DAEMON_ATTR_SYNC_ID]	= { .type = NLA_U32 },
	[IPVS_DAEMON_ATTR_SYNC_MAXLEN]	= { .type = NLA_U16 },
	[IPVS_DAEMON_ATTR_MCAST_GROUP]	= { .type = NLA_U32 },
	[IPVS_DAEMON_ATTR_MCAST_GROUP6]	= { .len = sizeof(struct in6_addr) },
	[IPVS_DAEMON_ATTR_MCAST_PORT]	= { .type = NLA_U16 },
	[IPVS_DAEMON_ATTR_MCAST_TTL]	= { .type = NLA_U8 },
};

static const struct nla_policy xvs_svc_policy[IPVS_SVC_ATTR_MAX + 1] = {
	[IPVS_SVC_ATTR_AF]		= { .type = NLA_U16 },
	[IPVS_SVC_ATTR_PROTOCOL]	= { .type = NLA_U16 },
	[IPVS_SVC_ATTR_ADDR]		= { .type = NLA_BINARY,
					    .len = sizeof(union nf_inet_addr) },
	[IPVS_SVC_ATTR_PORT]		= { .type = NLA_U16 },
	[IPVS_SVC_ATTR_FWMARK]		= { .type = NLA_U32 },
	[IPVS_SVC_ATTR_SCHED_NAME]	= { .type = NLA_NUL_STRING,
					    .len = IP_VS_SCHEDNAME_MAXLEN - 1 },
	[IPVS_SVC_ATTR_PE_NAME]		= { .type = NLA_NUL_STRING,
					    .len = IP_VS_PENAME_MAXLEN },
	[IPVS_SVC_ATTR_FLAGS]		= { .type = NLA_BINARY,
					    .len = sizeof(struct ip_vs_flags) },
	[IPVS_SVC_ATTR_TIMEOUT]		= { .type = NLA_U32 },
	[IPVS_SVC_ATTR_NETMASK]		= { .type = NLA_U32 },
	[IPVS_SVC_ATTR_STATS]		= { .type = NLA_NESTED },
};

static const struct nla_policy xvs_dest_policy[IPVS_DEST_ATTR_MAX + 1] = {
	[IPVS_DEST_ATTR_ADDR]		= { .type = NLA_BINARY,
					    .len = sizeof(union nf_inet_addr) },
	[IPVS_DEST_ATTR_PORT]		= { .type = NLA_U16 },
	[IPVS_DEST_ATTR_FWD_METHOD]	= { .type = NLA_U32 },
	[IPVS_DEST_ATTR_WEIGHT]		= { .type = NLA_U32 },
	[IPVS_DEST_ATTR_U_THRESH]	= { .type = NLA_U32 },
	[IPVS_DEST_ATTR_L_THRESH]	= { .type = NLA_U32 },
	[IPVS_DEST_ATTR_ACTIVE_CONNS]	= { .type = NLA_U32 },
	[IPVS_DEST_ATTR_INACT_CONNS]	= { .type = NLA_U32 },
	[IPVS_DEST_ATTR_PERSIST_CONNS]	= { .type = NLA_U32 },
	[IPVS_DEST_ATTR_STATS]		= { .type = NLA_NESTED },
	[IPVS_DEST_ATTR_ADDR_FAMILY]	= { .type = NLA_U16 },
	[IPVS_DEST_ATTR_TUN_TYPE]	= { .type = NLA_U8 },
	[IPVS_DEST_ATTR_TUN_PORT]	= { .type = NLA_U16 },
	[IPVS_DEST_ATTR_TUN_FLAGS]	= { .type = NLA_U16 },
};

/* ---- replies ---------------------------------------------------------------- */

static int xvs_fill_stats(struct sk_buff *skb, int type,
			  const struct xvs_counters *c, const struct xvs_rates *r)
{
	struct nlattr *nest = nla_nest_start_noflag(skb, type);

	if (!nest)
		return -EMSGSIZE;
	/* The 32-bit nest truncates as IPVS does. */
	if (nla_put_u32(skb, IPVS_STATS_ATTR_CONNS, (u32)c->conns) ||
	    nla_put_u32(skb, IPVS_STATS_ATTR_INPKTS, (u32)c->inpkts) ||
	    nla_put_u32(skb, IPVS_STATS_ATTR_OUTPKTS, (u32)c->outpkts) ||
	    nla_put_u64_64bit(skb, IPVS_STATS_ATTR_INBYTES, c->inbytes,
			      IPVS_STATS_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, IPVS_STATS_ATTR_OUTBYTES, c->outbytes,
			      IPVS_STATS_ATTR_PAD) ||
	    nla_put_u32(skb, IPVS_STATS_ATTR_CPS, (u32)r->cps) ||
	    nla_put_u32(skb, IPVS_STATS_ATTR_INPPS, (u32)r->inpps) ||
	    nla_put_u32(skb, IPVS_STATS_ATTR_OUTPPS, (u32)r->outpps) ||
	    nla_put_u32(skb, IPVS_STATS_ATTR_INBPS, (u32)r->inbps) ||
	    nla_put_u32(skb, IPVS_STATS_ATTR_OUTBPS, (u32)r->outbps))
		goto fail;
	nla_nest_end(skb, nest);
	return 0;
fail:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int xvs_fill_stats64(struct sk_buff *skb, int type,
			    const struct xvs_counters *c,
			    const struct xvs_rates *r)
{
	const u64 vals[] = {
		[IPVS_STATS_ATTR_CONNS] = c->conns,
		[IPVS_STATS_ATTR_INPKTS] = c->inpkts,
		[IPVS_STATS_ATTR_OUTPKTS] = c->outpkts,
		[IPVS_STATS_ATTR_INBYTES] = c->inbytes,
		[IPVS_STATS_ATTR_OUTBYTES] = c->outbytes,
		[IPVS_STATS_ATTR_CPS] = r->cps,
		[IPVS_STATS_ATTR_INPPS] = r->inpps,
		[IPVS_STATS_ATTR_OUTPPS] = r->outpps,
		[IPVS_STATS_ATTR_INBPS] = r->inbps,
		[IPVS_STATS_ATTR_OUTBPS] = r->outbps,
	};
	struct nlattr *nest = nla_nest_start_noflag(skb, type);
	int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = IPVS_STATS_ATTR_CONNS; i <= IPVS_STATS_ATTR_OUTBPS; i++) {
		if (nla_put_u64_64bit(skb, i, vals[i], IPVS_STATS_ATTR_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int xvs_fill_both_stats(struct sk_buff *skb, struct xvs_stats *s,
			       int type32, int type64)
{
	struct xvs_counters c;
	struct xvs_rates r;

	xvs_stats_read(s, &c);
	xvs_stats_read_rates(s, &r);
	if (xvs_fill_stats(skb, type32, &c, &r) ||
	    xvs_fill_stats64(skb, type64, &c, &r))
		return -EMSGSIZE;
	return 0;
}

/* What identifies a service: AF and FWMARK, or AF, PROTOCOL, ADDR, PORT. */
int xvs_put_service_key(struct sk_buff *skb, const struct xvs_service *svc)
{
	if (nla_put_u16(skb, IPVS_SVC_ATTR_AF, svc->af))
		return -EMSGSIZE;
	if (svc->fwmark)
		return nla_put_u32(skb, IPVS_SVC_ATTR_FWMARK, svc->fwmark);
	if (nla_put_u16(skb, IPVS_SVC_ATTR_PROTOCOL, svc->protocol) ||
	    nla_put(skb, IPVS_SVC_ATTR_ADDR, sizeof(svc->addr), &svc->addr) ||
	    nla_put_be16(skb, IPVS_SVC_ATTR_PORT, svc->port))
		return -EMSGSIZE;
	return 0;
}

int xvs_fill_service(struct sk_buff *skb, struct xvs_service *svc)
{
	struct ip_vs_flags flags = { .flags = svc->flags, .mask = ~0 };
	const struct xvs_pe_ops *pe;
	struct nlattr *nest;

	nest = nla_nest_start_noflag(skb, IPVS_CMD_ATTR_SERVICE);
	if (!nest)
		return -EMSGSIZE;
	if (xvs_put_service_key(skb, svc))
		goto fail;
	/* Dumps and events run under xnet->mutex, which guards svc->pe. */
	pe = rcu_dereference_protected(svc->pe, 1);
	if (nla_put_string(skb, IPVS_SVC_ATTR_SCHED_NAME,
			   xvs_svc_sched_name(svc)) ||
	    (pe && nla_put_string(skb, IPVS_SVC_ATTR_PE_NAME, pe->name)) ||
	    nla_put(skb, IPVS_SVC_ATTR_FLAGS, sizeof(flags), &flags) ||
	    nla_put_u32(skb, IPVS_SVC_ATTR_TIMEOUT, svc->timeout / HZ) ||
	    nla_put_be32(skb, IPVS_SVC_ATTR_NETMASK, svc->netmask) ||
	    xvs_svc_timeouts_fill(skb, svc) ||
	    xvs_fill_both_stats(skb, &svc->stats, IPVS_SVC_ATTR_STATS,
				IPVS_SVC_ATTR_STATS64))
		goto fail;
	nla_nest_end(skb, nest);
	return 0;
fail:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

int xvs_fill_dest(struct sk_buff *skb, struct xvs_dest *dest)
{
	struct nlattr *nest;

	nest = nla_nest_start_noflag(skb, IPVS_CMD_ATTR_DEST);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put(skb, IPVS_DEST_ATTR_ADDR, sizeof(dest->addr), &dest->addr) ||
	    nla_put_be16(skb, IPVS_DEST_ATTR_PORT, dest->port) ||
	    nla_put_u32(skb, IPVS_DEST_ATTR_FWD_METHOD,
			READ_ONCE(dest->conn_flags) & IP_VS_CONN_F_FWD_MASK) ||
	    nla_put_u32(skb, IPVS_DEST_ATTR_WEIGHT,
			atomic_read(&dest->sched.weight)) ||
	    nla_put_u8(skb, IPVS_DEST_ATTR_TUN_TYPE, dest->tun_type) ||
	    nla_put_be16(skb, IPVS_DEST_ATTR_TUN_PORT, dest->tun_port) ||
	    nla_put_u16(skb, IPVS_DEST_ATTR_TUN_FLAGS, dest->tun_flags) ||
	    nla_put_u32(skb, IPVS_DEST_ATTR_U_THRESH,
			READ_ONCE(dest->sched.u_threshold)) ||
	    nla_put_u32(skb, IPVS_DEST_ATTR_L_THRESH,
			READ_ONCE(dest->sched.l_threshold)) ||
	    nla_put_u32(skb, IPVS_DEST_ATTR_ACTIVE_CONNS,
			atomic_read(&dest->sched.activeconns)) ||
	    nla_put_u32(skb, IPVS_DEST_ATTR_INACT_CONNS,
			max(atomic_read(&dest->sched.inactconns), 0)) ||
	    nla_put_u32(skb, IPVS_DEST_ATTR_PERSIST_CONNS,
			atomic_read(&dest->sched.persistconns)) ||
	    nla_put_u16(skb, IPVS_DEST_ATTR_ADDR_FAMILY, dest->af) ||
	    xvs_fill_both_stats(skb, &dest->stats, IPVS_DEST_ATTR_STATS,
				IPVS_DEST_ATTR_STATS64))
		goto fail;
	nla_nest_end(skb, nest);
	return 0;
fail:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/* One NLM_F_MULTI message of a dump. */
static void *xvs_dump_hdr(struct sk_buff *skb, struct netlink_callback *cb,
			  u8 cmd)
{
	return genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
			   cb->nlh->nlmsg_seq, &xvs_genl_family, NLM_F_MULTI,
			   cmd);
}

/* ---- request parsing ---------------------------------------------------- */

/*
 * Service from IPVS_CMD_ATTR_SERVICE: the identifying attributes always,
 * the rest when @full.  *@svc is the existing service, if any.
 */
static int xvs_parse_service(struct xvs_net *xnet, struct xvs_svc_conf *conf,
			     struct nlattr *nla, bool full,
			     struct xvs_service **svc,
			     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[IPVS_SVC_ATTR_MAX + 1];
	struct ip_vs_flags flags;

	if (!nla) {
		NL_SET_ERR_MSG(extack, "missing service attribute");
		return -EINVAL;
	}
	if (nla_parse_nested_deprecated(tb, IPVS_SVC_ATTR_MAX, nla,
					xvs_svc_policy, extack))
		return -EINVAL;

	if (!tb[IPVS_SVC_ATTR_AF] ||
	    !(tb[IPVS_SVC_ATTR_FWMARK] ||
	      (tb[IPVS_SVC_ATTR_PORT] && tb[IPVS_SVC_ATTR_PROTOCOL] &&
	       tb[IPVS_SVC_ATTR_ADDR]))) {
		NL_SET_ERR_MSG(extack,
			       "service needs an address family and either a firewall mark or protocol, address and port");
		return -EINVAL;
	}

	memset(conf, 0, sizeof(*conf));
	conf->af = nla_get_u16(tb[IPVS_SVC_ATTR_AF]);
	if (!xvs_af_valid(conf->af)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IPVS_SVC_ATTR_AF],
				    "unsupported address family");
		return -EAFNOSUPPORT;
	}

	if (tb[IPVS_SVC_ATTR_FWMARK]) {
		conf->protocol = IPPROTO_TCP;
		conf->fwmark = nla_get_u32(tb[IPVS_SVC_ATTR_FWMARK]);
	} else {
		conf->protocol = nla_get_u16(tb[IPVS_SVC_ATTR_PROTOCOL]);
		nla_memcpy(&conf->addr, tb[IPVS_SVC_ATTR_ADDR],
			   sizeof(conf->addr));
		conf->port = nla_get_be16(tb[IPVS_SVC_ATTR_PORT]);
	}

	*svc = xvs_svc_find(xnet, conf->af, conf->protocol, &conf->addr,
			    conf->port, conf->fwmark);
	if (!full)
		return 0;

	if (!tb[IPVS_SVC_ATTR_SCHED_NAME] || !tb[IPVS_SVC_ATTR_FLAGS] ||
	    !tb[IPVS_SVC_ATTR_TIMEOUT] || !tb[IPVS_SVC_ATTR_NETMASK]) {
		NL_SET_ERR_MSG(extack,
			       "service needs scheduler, flags, timeout and netmask");
		return -EINVAL;
	}
	nla_memcpy(&flags, tb[IPVS_SVC_ATTR_FLAGS], sizeof(flags));
	/* Flags outside the mask keep their current value. */
	conf->flags = *svc ? (*svc)->flags : 0;
	conf->flags = (conf->flags & ~flags.mask) | (flags.flags & flags.mask);
	conf->sched_name = nla_data(tb[IPVS_SVC_ATTR_SCHED_NAME]);
	conf->pe_name = tb[IPVS_SVC_ATTR_PE_NAME] ?
			nla_data(tb[IPVS_SVC_ATTR_PE_NAME]) : NULL;
	conf->timeout = nla_get_u32(tb[IPVS_SVC_ATTR_TIMEOUT]);
	conf->netmask = nla_get_be32(tb[IPVS_SVC_ATTR_NETMASK]);
	return 0;
}

static int xvs_parse_dest(struct xvs_dest_conf *conf, struct nlattr *nla,
			  bool full, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[IPVS_DEST_ATTR_MAX + 1];

	if (!nla) {
		NL_SET_ERR_MSG(extack, "missing destination attribute");
		return -EINVAL;
	}
	if (nla_parse_nested_deprecated(tb, IPVS_DEST_ATTR_MAX, nla,
					xvs_dest_policy, extack))
		return -EINVAL;
	if (!tb[IPVS_DEST_ATTR_ADDR] || !tb[IPVS_DEST_ATTR_PORT]) {
		NL_SET_ERR_MSG(extack, "destination needs address and port");
		return -EINVAL;
	}

	memset(conf, 0, sizeof(*conf));
	nla_memcpy(&conf->addr, tb[IPVS_DEST_ATTR_ADDR], sizeof(conf->addr));
	conf->port = nla_get_be16(tb[IPVS_DEST_ATTR_PORT]);
	/* Absent in old tools: the service's family is filled in later. */
	if (tb[IPVS_DEST_ATTR_ADDR_FAMILY])
		conf->af = nla_get_u16(tb[IPVS_DEST_ATTR_ADDR_FAMILY]);
	if (!full)
		return 0;

	if (!tb[IPVS_DEST_ATTR_FWD_METHOD] || !tb[IPVS_DEST_ATTR_WEIGHT] ||
	    !tb[IPVS_DEST_ATTR_U_THRESH] || !tb[IPVS_DEST_ATTR_L_THRESH]) {
		NL_SET_ERR_MSG(extack,
			       "destination needs forwarding method, weight and thresholds");
		return -EINVAL;
	}
	conf->conn_flags = nla_get_u32(tb[IPVS_DEST_ATTR_FWD_METHOD]) &
			   IP_VS_CONN_F_FWD_MASK;
	conf->weight = nla_get_u32(tb[IPVS_DEST_ATTR_WEIGHT]);
	conf->u_threshold = nla_get_u32(tb[IPVS_DEST_ATTR_U_THRESH]);
	conf->l_threshold = nla_get_u32(tb[IPVS_DEST_ATTR_L_THRESH]);
	if (tb[IPVS_DEST_ATTR_TUN_TYPE])
		conf->tun_type = nla_get_u8(tb[IPVS_DEST_ATTR_TUN_TYPE]);
	if (tb[IPVS_DEST_ATTR_TUN_PORT])
		conf->tun_port = nla_get_be16(tb[IPVS_DEST_ATTR_TUN_PORT]);
	if (tb[IPVS_DEST_ATTR_TUN_FLAGS])
		conf->tun_flags = nla_get_u16(tb[IPVS_DEST_ATTR_TUN_FLAGS]);
	return 0;
}

/* ---- timeouts --------------------------------------------------------------- */

struct xvs_timeouts {
	int tcp;
	int tcp_fin;
	int udp;
};

static void xvs_get_timeouts(struct xvs_net *xnet, struct xvs_timeouts *t)
{
	t->tcp = READ_ONCE(xnet->tcp_timeout[XVS_TCP_S_ESTABLISHED]) / HZ;
	t->tcp_fin = READ_ONCE(xnet->tcp_timeout[XVS_TCP_S_FIN_WAIT]) / HZ;
	t->udp = READ_ONCE(xnet->udp_timeout[XVS_UDP_S_NORMAL]) / HZ;
}

static int xvs_set_config(struct xvs_net *xnet, struct nlattr **attrs,
			  struct netlink_ext_ack *extack)
{
	struct xvs_timeouts t;

	xvs_get_timeouts(xnet, &t);
	if (attrs[IPVS_CMD_ATTR_TIMEOUT_TCP])
		t.tcp = nla_get_u32(attrs[IPVS_CMD_ATTR_TIMEOUT_TCP]);
	if (attrs[IPVS_CMD_ATTR_TIMEOUT_TCP_FIN])
		t.tcp_fin = nla_get_u32(attrs[IPVS_CMD_ATTR_TIMEOUT_TCP_FIN]);
	if (attrs[IPVS_CMD_ATTR_TIMEOUT_UDP])
		t.udp = nla_get_u32(attrs[IPVS_CMD_ATTR_TIMEOUT_UDP]);

	/* Seconds that fit in an int of jiffies; 0 leaves a value alone. */
	if (t.tcp < 0 || t.tcp > INT_MAX / HZ ||
	    t.tcp_fin < 0 || t.tcp_fin > INT_MAX / HZ ||
	    t.udp < 0 || t.udp > INT_MAX / HZ) {
		NL_SET_ERR_MSG(extack, "timeout out of range");
		return -EINVAL;
	}
	if (t.tcp)
		WRITE_ONCE(xnet->tcp_timeout[XVS_TCP_S_ESTABLISHED],
			   t.tcp * HZ);
	if (t.tcp_fin)
		WRITE_ONCE(xnet->tcp_timeout[XVS_TCP_S_FIN_WAIT],
			   t.tcp_fin * HZ);
	if (t.udp)
		WRITE_ONCE(xnet->udp_timeout[XVS_UDP_S_NORMAL], t.udp * HZ);
	return 0;
}

/* ---- commands ------------------------------------------------------------- */

static int xvs_genl_pre_doit(const struct genl_ops *ops, struct sk_buff *skb,
			     struct genl_info *info)
{
	return xvs_genl_is_ready(info->extack) ? 0 : -EAGAIN;
}

static int xvs_genl_dump_start(struct netlink_callback *cb)
{
	return xvs_genl_is_ready(cb->extack) ? 0 : -EAGAIN;
}

static int xvs_dest_cmd_conf(struct xvs_service *svc, u8 cmd,
			     struct xvs_dest_conf *dconf, struct nlattr *nla,
			     struct netlink_ext_ack *extack)
{
	int err;

	err = xvs_parse_dest(dconf, nla, cmd != IPVS_CMD_DEL_DEST, extack);
	if (err)
		return err;
	if (!dconf->af)
		dconf->af = svc->af;
	if (!xvs_af_valid(dconf->af)) {
		NL_SET_ERR_MSG(extack,
			       "unsupported destination address family");
		return -EAFNOSUPPORT;
	}
	if (dconf->af == svc->af || cmd == IPVS_CMD_DEL_DEST)
		return 0;
	/*
	 * The sync wire format has one address family per entry, so IPVS
	 * refuses a mixed-family destination while a sync daemon runs.
	 */
	if (xvs_sync_state(svc->xnet)) {
		NL_SET_ERR_MSG(extack,
			       "a destination of another address family cannot be synced");
		return -EINVAL;
	}
	/* Only tunnels can carry a packet to the other family. */
	if (dconf->conn_flags != IP_VS_CONN_F_TUNNEL) {
		NL_SET_ERR_MSG(extack,
			       "a destination of another address family needs tunnel forwarding");
		return -EINVAL;
	}
	return 0;
}

static struct xvs_dest *xvs_dest_of_conf(struct xvs_service *svc,
					 const struct xvs_dest_conf *dconf)
{
	return xvs_dest_find(svc, dconf->af, &dconf->addr, dconf->port);
}

static int xvs_genl_set_cmd(struct sk_buff *skb, struct genl_info *info)
{
	struct xvs_net *xnet = xvs_net(genl_info_net(info));
	struct netlink_ext_ack *extack = info->extack;
	u32 portid = info->snd_portid;
	u8 cmd = info->genlhdr->cmd;
	struct xvs_service *svc = NULL;
	struct sk_buff *gone = NULL;	/* a deletion's event, built before */
	struct xvs_svc_conf conf;
	struct xvs_svc_timeouts_conf tconf;
	struct xvs_dest_conf dconf;
	int err;

	mutex_lock(&xnet->mutex);

	if (cmd == IPVS_CMD_FLUSH) {
		xvs_svc_flush(xnet);
		xvs_event_svc(xnet, XVS_EVENT_SERVICE_FLUSH, portid, NULL, NULL);
		err = 0;
		goto out;
	}
	if (cmd == IPVS_CMD_SET_CONFIG) {
		err = xvs_set_config(xnet, info->attrs, extack);
		goto out;
	}
	if (cmd == IPVS_CMD_ZERO && !info->attrs[IPVS_CMD_ATTR_SERVICE]) {
		xvs_svc_zero_all(xnet);
		err = 0;
		goto out;
	}

	err = xvs_parse_service(xnet, &conf, info->attrs[IPVS_CMD_ATTR_SERVICE],
				cmd == IPVS_CMD_NEW_SERVICE ||
				cmd == IPVS_CMD_SET_SERVICE, &svc, extack);
	if (!err && (cmd == IPVS_CMD_NEW_SERVICE || cmd == IPVS_CMD_SET_SERVICE))
		err = xvs_svc_timeouts_parse(&tconf,
					     info->attrs[IPVS_CMD_ATTR_SERVICE],
					     extack);
	if (err)
		goto out;
	if (cmd != IPVS_CMD_NEW_SERVICE && !svc) {
		NL_SET_ERR_MSG(extack, "no such service");
		err = -ESRCH;
		goto out;
	}

	if (cmd == IPVS_CMD_NEW_DEST || cmd == IPVS_CMD_SET_DEST ||
	    cmd == IPVS_CMD_DEL_DEST) {
		err = xvs_dest_cmd_conf(svc, cmd, &dconf,
					info->attrs[IPVS_CMD_ATTR_DEST], extack);
		if (err)
			goto out;
	}

	switch (cmd) {
	case IPVS_CMD_NEW_SERVICE:
		if (svc) {
			NL_SET_ERR_MSG(extack, "service already exists");
			err = -EEXIST;
		} else {
			err = xvs_svc_add(xnet, &conf, extack);
		}
		if (err)
			break;
		svc = xvs_svc_find(xnet, conf.af, conf.protocol, &conf.addr,
				   conf.port, conf.fwmark);
		xvs_svc_timeouts_apply(svc, &tconf);
		xvs_event_svc(xnet, XVS_EVENT_SERVICE_NEW, portid, svc, NULL);
		break;
	case IPVS_CMD_SET_SERVICE:
		err = xvs_svc_edit(svc, &conf, extack);
		if (!err)
			xvs_svc_timeouts_apply(svc, &tconf);
		if (!err)
			xvs_event_svc(xnet, XVS_EVENT_SERVICE_EDIT, portid, svc,
				      NULL);
		break;
	case IPVS_CMD_DEL_SERVICE:
		gone = xvs_event_build_svc(xnet, XVS_EVENT_SERVICE_DEL, portid,
					   svc, NULL);
		xvs_svc_del(svc);
		xvs_event_send(xnet, gone);
		break;
	case IPVS_CMD_NEW_DEST:
		err = xvs_dest_add(svc, &dconf, extack);
		if (!err)
			xvs_event_svc(xnet, XVS_EVENT_DEST_NEW, portid, svc,
				      xvs_dest_of_conf(svc, &dconf));
		break;
	case IPVS_CMD_SET_DEST:
		err = xvs_dest_edit(svc, &dconf, extack);
		if (!err)
			xvs_event_svc(xnet, XVS_EVENT_DEST_EDIT, portid, svc,
				      xvs_dest_of_conf(svc, &dconf));
		break;
	case IPVS_CMD_DEL_DEST: {
		struct xvs_dest *dest = xvs_dest_of_conf(svc, &dconf);

		if (dest)
			gone = xvs_event_build_svc(xnet, XVS_EVENT_DEST_DEL,
						   portid, svc, dest);
		err = xvs_dest_del(svc, &dconf, extack);
		if (err)
			xvs_event_discard(gone);
		else
			xvs_event_send(xnet, gone);
		break;
	}
	case IPVS_CMD_ZERO:
		xvs_svc_zero(svc);
		break;
	default:
		err = -EINVAL;
	}
out:
	xnet->cfg_gen++;
	mutex_unlock(&xnet->mutex);
	return err;
}

static int xvs_genl_get_cmd(struct sk_buff *skb, struct genl_info *info)
{
	struct xvs_net *xnet = xvs_net(genl_info_net(info));
	u8 cmd = info->genlhdr->cmd;
	struct sk_buff *msg;
	u8 reply_cmd;
	void *hdr;
	int err;

	switch (cmd) {
	case IPVS_CMD_GET_SERVICE:
		reply_cmd = IPVS_CMD_NEW_SERVICE;
		break;
	case IPVS_CMD_GET_INFO:
		reply_cmd = IPVS_CMD_SET_INFO;
		break;
	case IPVS_CMD_GET_CONFIG:
		reply_cmd = IPVS_CMD_SET_CONFIG;
		break;
	default:
		return -EINVAL;
	}

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	mutex_lock(&xnet->mutex);
	hdr = genlmsg_put_reply(msg, info, &xvs_genl_family, 0, reply_cmd);
	if (!hdr)
		goto too_big;

	if (cmd == IPVS_CMD_GET_SERVICE) {
		struct xvs_service *svc;
		struct xvs_svc_conf conf;

		err = xvs_parse_service(xnet, &conf,
					info->attrs[IPVS_CMD_ATTR_SERVICE],
					false, &svc, info->extack);
		if (err)
			goto fail;
		if (!svc) {
			NL_SET_ERR_MSG(info->extack, "no such service");
			err = -ESRCH;
			goto fail;
		}
		if (xvs_fill_service(msg, svc))
			goto too_big;
	} else if (cmd == IPVS_CMD_GET_CONFIG) {
		struct xvs_timeouts t;

		xvs_get_timeouts(xnet, &t);
		if (nla_put_u32(msg, IPVS_CMD_ATTR_TIMEOUT_TCP, t.tcp) ||
		    nla_put_u32(msg, IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, t.tcp_fin) ||
		    nla_put_u32(msg, IPVS_CMD_ATTR_TIMEOUT_UDP, t.udp))
			goto too_big;
	} else {
		if (nla_put_u32(msg, IPVS_INFO_ATTR_VERSION,
				XVS_IPVS_VERSION_CODE) ||
		    nla_put_u32(msg, IPVS_INFO_ATTR_CONN_TAB_SIZE,
				XVS_IPVS_CONN_TAB_SIZE))
			goto too_big;
	}

	genlmsg_end(msg, hdr);
	mutex_unlock(&xnet->mutex);
	return genlmsg_reply(msg, info);

too_big:
	err = -EMSGSIZE;
fail:
	mutex_unlock(&xnet->mutex);
	nlmsg_free(msg);
	return err;
}

static int xvs_dump_service(struct sk_buff *skb, struct netlink_callback *cb,
			    struct xvs_service *svc)
{
	void *hdr = xvs_dump_hdr(skb, cb, IPVS_CMD_NEW_SERVICE);

	if (!hdr)
		return -EMSGSIZE;
	if (xvs_fill_service(skb, svc)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int xvs_genl_dump_services(struct sk_buff *skb,
				  struct netlink_callback *cb)
{
	struct xvs_net *xnet = xvs_net(sock_net(skb->sk));
	struct hlist_head *tables[] = { xnet->svc_table, xnet->fwm_table };
	unsigned long start = cb->args[0], idx = 0;
	struct xvs_service *svc;
	unsigned int t, i;

	/* Address-keyed services first, then marks; each in bucket order. */
	mutex_lock(&xnet->mutex);
	for (t = 0; t < ARRAY_SIZE(tables); t++) {
		for (i = 0; i < XVS_SVC_TAB_SIZE; i++) {
			hlist_for_each_entry(svc, &tables[t][i], s_list) {
				if (++idx <= start)
					continue;
				if (xvs_dump_service(skb, cb, svc)) {
					idx--;
					goto out;
				}
			}
		}
	}
out:
	mutex_unlock(&xnet->mutex);
	cb->args[0] = idx;
	return skb->len;
}

static int xvs_genl_dump_dests(struct sk_buff *skb,
			       struct netlink_callback *cb)
{
	struct xvs_net *xnet = xvs_net(sock_net(skb->sk));
	struct nlattr *attrs[IPVS_CMD_ATTR_MAX + 1];
	unsigned long start = cb->args[0], idx = 0;
	struct xvs_service *svc;
	struct xvs_svc_conf conf;
	struct xvs_dest *dest;
	void *hdr;

	mutex_lock(&xnet->mutex);
	/* The dump is not validated up front; the service is parsed here. */
	if (nlmsg_parse_deprecated(cb->nlh, GENL_HDRLEN, attrs,
				   IPVS_CMD_ATTR_MAX, xvs_cmd_policy,
				   cb->extack))
		goto out;
	if (xvs_parse_service(xnet, &conf, attrs[IPVS_CMD_ATTR_SERVICE], false,
			      &svc, cb->extack) || !svc)
		goto out;

	list_for_each_entry(dest, &svc->destinations, n_list) {
		if (++idx <= start)
			continue;
		hdr = xvs_dump_hdr(skb, cb, IPVS_CMD_NEW_DEST);
		if (!hdr) {
			idx--;
			break;
		}
		if (xvs_fill_dest(skb, dest)) {
			genlmsg_cancel(skb, hdr);
			idx--;
			break;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[0] = idx;
out:
	mutex_unlock(&xnet->mutex);
	return skb->len;
}

int xvs_fill_daemon(struct sk_buff *skb, u32 state,
		    const struct xvs_sync_cfg *c)
{
	struct nlattr *nest = nla_nest_start_noflag(skb, IPVS_CMD_ATTR_DAEMON);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, IPVS_DAEMON_ATTR_STATE, state) ||
	    nla_put_string(skb, IPVS_DAEMON_ATTR_MCAST_IFN, c->mcast_ifn) ||
	    nla_put_u32(skb, IPVS_DAEMON_ATTR_SYNC_ID, c->syncid) ||
	    nla_put_u16(skb, IPVS_DAEMON_ATTR_SYNC_MAXLEN, c->sync_maxlen) ||
	    nla_put_u16(skb, IPVS_DAEMON_ATTR_MCAST_PORT, c->mcast_port) ||
	    nla_put_u8(skb, IPVS_DAEMON_ATTR_MCAST_TTL, c->mcast_ttl))
		goto cancel;
	if (c->mcast_af == AF_INET6) {
		if (nla_put_in6_addr(skb, IPVS_DAEMON_ATTR_MCAST_GROUP6,
				     &c->mcast_group.in6))
			goto cancel;
	} else if (nla_put_in_addr(skb, IPVS_DAEMON_ATTR_MCAST_GROUP,
				   c->mcast_group.ip)) {
		goto cancel;
	}
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int xvs_dump_daemon(struct sk_buff *skb, struct netlink_callback *cb,
			   u32 state, const struct xvs_sync_cfg *c)
{
	void *hdr = xvs_dump_hdr(skb, cb, IPVS_CMD_NEW_DAEMON);

	if (!hdr)
		return -EMSGSIZE;
	if (xvs_fill_daemon(skb, state, c)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* The master first, then the backup; args[0] and [1] mark them done. */
static int xvs_genl_dump_daemons(struct sk_buff *skb,
				 struct netlink_callback *cb)
{
	struct xvs_net *xnet = xvs_net(sock_net(skb->sk));
	static const u32 states[] = { IP_VS_STATE_MASTER, IP_VS_STATE_BACKUP };
	struct xvs_sync_cfg c;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(states); i++) {
		if (cb->args[i] || !xvs_sync_get_cfg(xnet, states[i], &c))
			continue;
		if (xvs_dump_daemon(skb, cb, states[i], &c))
			break;
		cb->args[i] = 1;
	}
	return skb->len;
}

static int xvs_new_daemon(struct xvs_net *xnet, struct nlattr **tb,
			  struct xvs_sync_cfg *c, struct netlink_ext_ack *extack)
{
	struct net_device *dev;
	u32 state;

	if (!tb[IPVS_DAEMON_ATTR_STATE] || !tb[IPVS_DAEMON_ATTR_MCAST_IFN] ||
	    !tb[IPVS_DAEMON_ATTR_SYNC_ID]) {
		NL_SET_ERR_MSG(extack,
			       "sync daemon needs state, interface and sync id");
		return -EINVAL;
	}
	memset(c, 0, sizeof(*c));
	strscpy(c->mcast_ifn, nla_data(tb[IPVS_DAEMON_ATTR_MCAST_IFN]),
		sizeof(c->mcast_ifn));
	c->syncid = nla_get_u32(tb[IPVS_DAEMON_ATTR_SYNC_ID]);
	if (tb[IPVS_DAEMON_ATTR_SYNC_MAXLEN])
		c->sync_maxlen = nla_get_u16(tb[IPVS_DAEMON_ATTR_SYNC_MAXLEN]);
	if (tb[IPVS_DAEMON_ATTR_MCAST_PORT])
		c->mcast_port = nla_get_u16(tb[IPVS_DAEMON_ATTR_MCAST_PORT]);
	if (tb[IPVS_DAEMON_ATTR_MCAST_TTL])
		c->mcast_ttl = nla_get_u8(tb[IPVS_DAEMON_ATTR_MCAST_TTL]);

	if (tb[IPVS_DAEMON_ATTR_MCAST_GROUP]) {
		if (!ipv4_is_multicast(nla_get_in_addr(tb[IPVS_DAEMON_ATTR_MCAST_GROUP]))) {
			NL_SET_ERR_MSG_ATTR(extack,
					    tb[IPVS_DAEMON_ATTR_MCAST_GROUP],
					    "sync group is not a multicast address");
			return -EINVAL;
		}
		c->mcast_af = AF_INET;
		c->mcast_group.ip = nla_get_in_addr(tb[IPVS_DAEMON_ATTR_MCAST_GROUP]);
	} else if (tb[IPVS_DAEMON_ATTR_MCAST_GROUP6]) {
		struct in6_addr grp;

		grp = nla_get_in6_addr(tb[IPVS_DAEMON_ATTR_MCAST_GROUP6]);
		if (!(ipv6_addr_type(&grp) & IPV6_ADDR_MULTICAST)) {
			NL_SET_ERR_MSG_ATTR(extack,
					    tb[IPVS_DAEMON_ATTR_MCAST_GROUP6],
					    "sync group is not a multicast address");
			return -EINVAL;
		}
		c->mcast_af = AF_INET6;
		c->mcast_group.in6 = grp;
	}

	/* The sync protocol cannot describe mixed-family services. */
	if (xnet->mixed_address_family_dests > 0) {
		NL_SET_ERR_MSG(extack,
			       "sync is incompatible with destinations of another address family");
		return -EINVAL;
	}

	/* The checks IPVS makes before starting its threads. */
	dev = dev_get_by_name(xnet->net, c->mcast_ifn);
	if (!dev) {
		NL_SET_ERR_MSG(extack, "unknown sync interface");
		return -ENODEV;
	}
	dev_put(dev);
	state = nla_get_u32(tb[IPVS_DAEMON_ATTR_STATE]);
	if (state != IP_VS_STATE_MASTER && state != IP_VS_STATE_BACKUP) {
		NL_SET_ERR_MSG(extack, "sync state must be master or backup");
		return -EINVAL;
	}
	return 0;
}

static int xvs_genl_set_daemon(struct sk_buff *skb, struct genl_info *info)
{
	struct xvs_net *xnet = xvs_net(genl_info_net(info));
	struct nlattr *tb[IPVS_DAEMON_ATTR_MAX + 1];
	u8 cmd = info->genlhdr->cmd;
	struct sk_buff *gone = NULL;	/* the stop's event, built before */
	struct xvs_sync_cfg c;
	u32 state;
	int err;

	if (!info->attrs[IPVS_CMD_ATTR_DAEMON]) {
		NL_SET_ERR_MSG(info->extack, "missing daemon attribute");
		return -EINVAL;
	}
	if (nla_parse_nested_deprecated(tb, IPVS_DAEMON_ATTR_MAX,
					info->attrs[IPVS_CMD_ATTR_DAEMON],
					xvs_daemon_policy, info->extack))
		return -EINVAL;

	if (cmd == IPVS_CMD_NEW_DAEMON) {
		mutex_lock(&xnet->mutex);
		err = xvs_new_daemon(xnet, tb, &c, info->extack);
		mutex_unlock(&xnet->mutex);
		if (err)
			return err;
		state = nla_get_u32(tb[IPVS_DAEMON_ATTR_STATE]);
		err = xvs_sync_start(xnet, &c, state);
		if (err == -EEXIST)
			NL_SET_ERR_MSG(info->extack,
				       "a sync daemon in this state is already running");
		/* The event shows the defaults the daemon filled in. */
		if (!err && xvs_sync_get_cfg(xnet, state, &c))
			xvs_event_send(xnet,
				       xvs_event_build_daemon(xnet,
							      XVS_EVENT_DAEMON_NEW,
							      info->snd_portid,
							      state, &c));
		return err;
	}

	if (!tb[IPVS_DAEMON_ATTR_STATE]) {
		NL_SET_ERR_MSG(info->extack, "missing daemon state");
		return -EINVAL;
	}
	state = nla_get_u32(tb[IPVS_DAEMON_ATTR_STATE]);
	if (xvs_sync_get_cfg(xnet, state, &c))
		gone = xvs_event_build_daemon(xnet, XVS_EVENT_DAEMON_DEL,
					      info->snd_portid, state, &c);
	err = xvs_sync_stop(xnet, state);
	if (err)
		xvs_event_discard(gone);
	else
		xvs_event_send(xnet, gone);
	if (err == -ESRCH)
		NL_SET_ERR_MSG(info->extack, "no such sync daemon is running");
	else if (err == -EINVAL)
		NL_SET_ERR_MSG(info->extack,
			       "sync state must be master or backup");
	return err;
}

/* ---- the family ------------------------------------------------------------- */

#define XVS_GENL_VALIDATE	(GENL_DONT_VALIDATE_STRICT | GENL_DONT_VALIDATE_DUMP)

#define XVS_DOIT(c, fn) {					\
	.cmd = (c), .validate = XVS_GENL_VALIDATE,		\
	.flags = GENL_ADMIN_PERM, .doit = (fn),			\
}
#define XVS_DUMPIT(c, fn) {					\
	.cmd = (c), .validate = XVS_GENL_VALIDATE,		\
	.flags = GENL_ADMIN_PERM, .start = xvs_genl_dump_start,	\
	.dumpit = (fn),						\
}

static const struct genl_ops xvs_genl_ops[] = {
	XVS_DOIT(IPVS_CMD_NEW_SERVICE, xvs_genl_set_cmd),
	XVS_DOIT(IPVS_CMD_SET_SERVICE, xvs_genl_set_cmd),
	XVS_DOIT(IPVS_CMD_DEL_SERVICE, xvs_genl_set_cmd),
	{
		.cmd = IPVS_CMD_GET_SERVICE,
		.validate = XVS_GENL_VALIDATE,
		.flags = GENL_ADMIN_PERM,
		.doit = xvs_genl_get_cmd,
		.start = xvs_genl_dump_start,
		.dumpit = xvs_genl_dump_services,
	},
	XVS_DOIT(IPVS_CMD_NEW_DEST, xvs_genl_set_cmd),
	XVS_DOIT(IPVS_CMD_SET_DEST, xvs_genl_set_cmd),
	XVS_DOIT(IPVS_CMD_DEL_DEST, xvs_genl_set_cmd),
	XVS_DUMPIT(IPVS_CMD_GET_DEST, xvs_genl_dump_dests),
	XVS_DOIT(IPVS_CMD_NEW_DAEMON, xvs_genl_set_daemon),
	XVS_DOIT(IPVS_CMD_DEL_DAEMON, xvs_genl_set_daemon),
	XVS_DUMPIT(IPVS_CMD_GET_DAEMON, xvs_genl_dump_daemons),
	XVS_DOIT(IPVS_CMD_SET_CONFIG, xvs_genl_set_cmd),
	XVS_DOIT(IPVS_CMD_GET_CONFIG, xvs_genl_get_cmd),
	XVS_DOIT(IPVS_CMD_GET_INFO, xvs_genl_get_cmd),
	XVS_DOIT(IPVS_CMD_ZERO, xvs_genl_set_cmd),
	XVS_DOIT(IPVS_CMD_FLUSH, xvs_genl_set_cmd),
	{
		/* Past resv_start_op: strictly validated, no attributes. */
		.cmd = XVS_CMD_GET_ALL,
		.flags = GENL_ADMIN_PERM,
		.start = xvs_genl_dump_start,
		.dumpit = xvs_genl_dump_all,
	},
};

struct genl_family xvs_genl_family __ro_after_init = {
	.hdrsize	= 0,
	.name		= IPVS_GENL_NAME,
	.version	= IPVS_GENL_VERSION,
	.maxattr	= IPVS_CMD_ATTR_MAX,
	.policy		= xvs_cmd_policy,
	.netnsok	= true,
	.pre_doit	= xvs_genl_pre_doit,
	.module		= THIS_MODULE,
	.ops		= xvs_genl_ops,
	.n_ops		= ARRAY_SIZE(xvs_genl_ops),
	.mcgrps		= xvs_genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(xvs_genl_mcgrps),
	.resv_start_op	= IPVS_CMD_FLUSH + 1,
};

int xvs_genl_init(void)
{
	return genl_register_family(&xvs_genl_family);
}

void xvs_genl_exit(void)
{
	genl_unregister_family(&xvs_genl_family);
}

/* KUnit: the policies and parsers above are static; see kunit/. */
#if IS_ENABLED(CONFIG_KUNIT)
#include "kunit/ctl_genl_test.c"
#endif
