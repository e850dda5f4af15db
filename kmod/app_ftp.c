// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: the FTP helper, for FTP services forwarded with NAT (IPv4, IPv6).
 *
 * FTP data connections use ports announced on the control connection,
 * and the announced addresses are those of the real server, which the
 * client cannot reach.  The helper watches the control connection:
 *  - the client asks for passive mode (PASV on IPv4, EPSV): the server's
 *    answer "227 ... (h1,h2,h3,h4,p1,p2)" is rewritten to name the
 *    virtual address, "229 ... (|<af>|addr|port|)" to "(|||port|)", and
 *    a connection client:any -> VIP:port -> server:port is expected
 *    ("229 ... (|||port|)" names no address but is expected the same way);
 *  - the client announces an address for active mode (PORT on IPv4, EPRT
 *    with an address of the control connection's family): the server
 *    will connect from its port 20 (control port - 1) to it, so a
 *    connection client:port <- VIP:20 <- server:20 is created, through
 *    which the server's packets leave with the virtual address.
 * Expected connections are controlled by the control connection (it stays
 * while they exist) and wait in the LISTEN state.  As with IPVS, a 227 or
 * 229 answer may name another address than the real server's: the data
 * connection then goes there.  The text is parsed by core/ftp.c.
 *
 * Module parameter ftp_ports: the control ports, as ip_vs_ftp's "ports".
 */
#define pr_fmt(fmt) "xvs: " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>

#include "xvs.h"
#include "conn.h"
#include "app.h"
#include "nfct.h"
#include "core/xvs_app.h"

#define XVS_FTP_MAX_PORTS	8

static unsigned short ftp_ports[XVS_FTP_MAX_PORTS] = { 21 };
static unsigned int ftp_ports_count = 1;
module_param_array(ftp_ports, ushort, &ftp_ports_count, 0444);
MODULE_PARM_DESC(ftp_ports,
		 "TCP ports of FTP control connections translated by the FTP helper for NAT services (default 21, up to 8; 0 = none)");

/* What the client asked for last, in the extension's app_data. */
enum {
	XVS_FTP_ACTIVE = 0,	/* nothing pending (active mode) */
	XVS_FTP_PASV,		/* PASV sent: expect a 227 answer */
	XVS_FTP_EPSV,		/* EPSV sent: expect a 229 answer */
};

bool xvs_ftp_port(__be16 port)
{
	unsigned int i, n = min_t(unsigned int, ftp_ports_count,
				  XVS_FTP_MAX_PORTS);

	for (i = 0; i < n; i++)
		if (ftp_ports[i] && htons(ftp_ports[i]) == port)
			return true;
	return false;
}

/* ---- expected data connections ---------------------------------------- */

static void ftp_conn_listen(struct xvs_conn *cp)
{
	spin_lock_bh(&cp->lock);
	xvs_conn_set_state(cp, XVS_TCP_S_LISTEN, cp->xnet->tcp_timeout);
	spin_unlock_bh(&cp->lock);
}

/*
 * Creates a data connection of control connection 'ctl', or NULL without
 * memory.  The caller holds RCU (packet path).
 */
static struct xvs_conn *ftp_data_conn(struct xvs_conn *ctl,
				      const struct xvs_conn_param *p,
				      __be16 dport, unsigned int flags,
				      u32 mark)
{
	struct xvs_dest *dest = ctl->dest;
	struct xvs_conn *n_cp;

	if (!dest)
		return NULL;
	n_cp = xvs_conn_create(ctl->xnet, p, dest, dport, flags, mark);
	if (n_cp)
		xvs_conn_control_add(n_cp, ctl);
	return n_cp;
}

/* The RFC 2428 family number of a connection's address family. */
static enum xvs_ftp_family ftp_family(const struct xvs_conn *cp)
{
	return cp->af == AF_INET6 ? XVS_FTP_IPV6 : XVS_FTP_IPV4;
}

/* The address an endpoint names, in the connection's family. */
static void ftp_endpoint_addr(const struct xvs_conn *cp,
			      const struct xvs_ftp_endpoint *ep,
			      union nf_inet_addr *addr)
{
	memset(addr, 0, sizeof(*addr));
	if (cp->af == AF_INET6)
		memcpy(&addr->in6, ep->addr, sizeof(addr->in6));
	else
		memcpy(&addr->ip, ep->addr, sizeof(addr->ip));
}

/* The TCP payload of a linear segment (app.c checked it has one). */
static const char *ftp_payload(const struct sk_buff *skb,
			       const struct xvs_pkt *pkt, size_t *len)
{
	const struct tcphdr *th = (const struct tcphdr *)(skb->data +
							  pkt->thoff);
	unsigned int off = pkt->thoff + th->doff * 4;

	*len = skb->len - off;
	return (const char *)skb->data + off;
}

/* ---- client to server ------------------------------------------------- */

static bool ftp_pkt_in(struct xvs_conn *cp, struct sk_buff *skb,
		       const struct xvs_pkt *pkt, int *diff)
{
	struct xvs_ftp_endpoint ep;
	union nf_inet_addr to = {};
	struct xvs_conn_param p;
	struct xvs_pkt q = {};
	struct xvs_conn *n_cp;
	const char *data;
	size_t len;

	/* Commands are passed on unchanged. */
	*diff = 0;
	data = ftp_payload(skb, pkt, &len);
	switch (xvs_ftp_parse_request(data, len, ftp_family(cp), &ep)) {
	case XVS_FTP_REQ_PASV:
		WRITE_ONCE(cp->ext->app_data, XVS_FTP_PASV);
		return true;
	case XVS_FTP_REQ_EPSV:
		WRITE_ONCE(cp->ext->app_data, XVS_FTP_EPSV);
		return true;
	case XVS_FTP_REQ_PORT:
		break;
	default:
		return true;
	}
	WRITE_ONCE(cp->ext->app_data, XVS_FTP_ACTIVE);
	ftp_endpoint_addr(cp, &ep, &to);

	/* The server connects from its port below the control port. */
	q.af = cp->af;
	q.protocol = IPPROTO_TCP;
	q.saddr = to;
	q.sport = htons(ep.port);
	q.daddr = cp->vaddr;
	q.dport = htons(ntohs(cp->vport) - 1);
	n_cp = xvs_conn_in_get(cp->xnet, &q);
	if (!n_cp) {
		p = (struct xvs_conn_param) {
			.af = cp->af,
			.protocol = IPPROTO_TCP,
			.caddr = &to,
			.cport = q.sport,
			.vaddr = &cp->vaddr,
			.vport = q.dport,
			.daddr = &cp->daddr,
		};
		n_cp = ftp_data_conn(cp, &p, htons(ntohs(cp->dport) - 1),
				     IP_VS_CONN_F_NFCT, skb->mark);
		if (!n_cp)
			return false;
	}
	ftp_conn_listen(n_cp);
	xvs_conn_put(n_cp);
	return true;
}

/* ---- server to client ------------------------------------------------- */

static bool ftp_pkt_out(struct xvs_conn *cp, struct sk_buff *skb,
			const struct xvs_pkt *pkt, int *diff)
{
	unsigned long mode = READ_ONCE(cp->ext->app_data);
	enum xvs_ftp_req req;
	struct xvs_ftp_endpoint ep;
	union nf_inet_addr from;
	struct xvs_conn_param p;
	struct xvs_pkt q = {};
	struct xvs_conn *n_cp;
	char buf[XVS_FTP_ANSWER_MAX];
	const char *data;
	size_t len, buf_len;
	bool ok;

	*diff = 0;
	if (mode == XVS_FTP_PASV)
		req = XVS_FTP_REQ_PASV;
	else if (mode == XVS_FTP_EPSV)
		req = XVS_FTP_REQ_EPSV;
	else
		return true;
	data = ftp_payload(skb, pkt, &len);
	if (!xvs_ftp_parse_answer(data, len, req, ftp_family(cp), &ep))
		return true;
	/* A 229 answer usually names no address: the server's own. */
	from = cp->daddr;
	if (ep.has_addr)
		ftp_endpoint_addr(cp, &ep, &from);

	/* Client port unknown until it connects: 0 and NO_CPORT. */
	q.af = cp->af;
	q.protocol = IPPROTO_TCP;
	q.saddr = from;
	q.sport = htons(ep.port);
	q.daddr = cp->caddr;
	q.dport = 0;
	n_cp = xvs_conn_out_get(cp->xnet, &q);
	if (!n_cp) {
		p = (struct xvs_conn_param) {
			.af = cp->af,
			.protocol = IPPROTO_TCP,
			.caddr = &cp->caddr,
			.cport = 0,
			.vaddr = &cp->vaddr,
			.vport = q.sport,
			.daddr = &from,
		};
		n_cp = ftp_data_conn(cp, &p, q.sport,
				     IP_VS_CONN_F_NO_CPORT | IP_VS_CONN_F_NFCT,
				     skb->mark);
		if (!n_cp)
			return false;
	}

	/*
	 * The client connects to the virtual address, same port.  Only a
	 * 227 answer (IPv4) names it; a 229 answer is left naming the port
	 * alone, so that the client uses the address it is connected to.
	 */
	buf_len = xvs_ftp_format_answer(buf, req, (const u8 *)&n_cp->vaddr.ip,
					ntohs(n_cp->vport));
	ok = xvs_app_mangle(skb, pkt, (data - (const char *)skb->data) + ep.start,
			    ep.end - ep.start, buf, buf_len);
	if (ok) {
		*diff = (int)buf_len - (int)(ep.end - ep.start);
		xvs_nfct_expect(skb, cp, n_cp);
	} else
		net_dbg_ratelimited("ftp: cannot rewrite a passive mode answer\n");

	WRITE_ONCE(cp->ext->app_data, XVS_FTP_ACTIVE);
	ftp_conn_listen(n_cp);
	xvs_conn_put(n_cp);
	return ok;
}

const struct xvs_app_ops xvs_app_ftp = {
	.name = "ftp",
	.pkt_in = ftp_pkt_in,
	.pkt_out = ftp_pkt_out,
};
