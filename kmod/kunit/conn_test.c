// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the connection table (conn.c) on a real per-namespace state.
 *
 * The suites run while xvs.ko is coming up, before its pernet init, so
 * each case builds its own struct xvs_net for the initial namespace with
 * the table's own init and exit (xvs_conn_net_init/exit, which also add and
 * remove /proc/net/ip_vs_conn) and its own destinations.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/inet.h>
#include <linux/namei.h>
#include <linux/random.h>
#include <linux/rhashtable.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <net/net_namespace.h>

#include "xvs.h"
#include "conn.h"
#include "core/xvs_hash.h"

struct conn_ctx {
	struct xvs_net *xnet;
	struct xvs_dest *dest;
};

static void ct_addr(struct kunit *test, union nf_inet_addr *a, const char *s)
{
	memset(a, 0, sizeof(*a));
	KUNIT_ASSERT_TRUE(test, in4_pton(s, -1, (u8 *)&a->ip, -1, NULL));
}

/* A DR destination 10.1.1.1:8080; the test keeps one reference. */
static struct xvs_dest *ct_dest(struct kunit *test)
{
	struct xvs_dest *dest = kzalloc(sizeof(*dest), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, dest);
	refcount_set(&dest->refcnt, 1);
	spin_lock_init(&dest->overload_lock);
	dest->af = AF_INET;
	ct_addr(test, &dest->addr, "10.1.1.1");
	dest->port = htons(8080);
	dest->conn_flags = IP_VS_CONN_F_DROUTE;
	atomic_set(&dest->sched.weight, 1);
	dest->sched.flags = XVS_DEST_F_AVAILABLE;
	return dest;
}

static int conn_test_init(struct kunit *test)
{
	struct conn_ctx *ctx;
	struct path path;
	int err;

	/*
	 * With the kernel's ip_vs loaded, /proc/net/ip_vs_conn is taken (and
	 * xvs.ko refuses to load anyway): creating it again would warn.
	 */
	if (!kern_path("/proc/net/ip_vs_conn", 0, &path)) {
		path_put(&path);
		kunit_skip(test, "/proc/net/ip_vs_conn exists (ip_vs loaded?)");
	}
	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->xnet = kzalloc(sizeof(*ctx->xnet), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->xnet);
	ctx->xnet->net = &init_net;
	mutex_init(&ctx->xnet->mutex);
	err = xvs_conn_net_init(ctx->xnet);
	if (err) {
		kfree(ctx->xnet);
		KUNIT_ASSERT_EQ(test, err, 0);
	}
	ctx->dest = ct_dest(test);
	test->priv = ctx;
	return 0;
}

static void conn_test_exit(struct kunit *test)
{
	struct conn_ctx *ctx = test->priv;

	if (!ctx)
		return;
	/* expires whatever a failed case left behind */
	xvs_conn_net_exit(ctx->xnet);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->xnet->conn_count), 0);
	KUNIT_EXPECT_EQ(test, refcount_read(&ctx->dest->refcnt), 1u);
	kfree(ctx->dest);
	kfree(ctx->xnet);
	test->priv = NULL;
}

/* A packet client -> VIP (in) or realserver -> client (out). */
static void ct_pkt(struct kunit *test, struct xvs_pkt *pkt, const char *src,
		   u16 sport, const char *dst, u16 dport)
{
	memset(pkt, 0, sizeof(*pkt));
	pkt->af = AF_INET;
	pkt->protocol = IPPROTO_TCP;
	ct_addr(test, &pkt->saddr, src);
	ct_addr(test, &pkt->daddr, dst);
	pkt->sport = htons(sport);
	pkt->dport = htons(dport);
}

static struct xvs_conn *ct_new(struct kunit *test, struct conn_ctx *ctx,
			       const char *client, u16 cport)
{
	union nf_inet_addr vaddr;
	struct xvs_pkt pkt;
	struct xvs_conn *cp;

	ct_pkt(test, &pkt, client, cport, "10.0.0.1", 80);
	ct_addr(test, &vaddr, "10.0.0.1");
	cp = xvs_conn_new(ctx->xnet, &pkt, &vaddr, htons(80), ctx->dest, 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, cp);
	return cp;
}

static struct xvs_conn *ct_in(struct kunit *test, struct conn_ctx *ctx,
			      const char *client, u16 cport, u16 vport)
{
	struct xvs_pkt pkt;
	struct xvs_conn *cp;

	ct_pkt(test, &pkt, client, cport, "10.0.0.1", vport);
	rcu_read_lock();
	cp = xvs_conn_in_get(ctx->xnet, &pkt);
	rcu_read_unlock();
	return cp;
}

/*
 * The connection a reply from @src:@sport to @client:@cport belongs to,
 * compared by address only (the reference is given back at once).
 */
static struct xvs_conn *ct_out_from(struct kunit *test, struct conn_ctx *ctx,
				    const char *src, u16 sport,
				    const char *client, u16 cport)
{
	struct xvs_pkt pkt;
	struct xvs_conn *cp;

	ct_pkt(test, &pkt, src, sport, client, cport);
	rcu_read_lock();
	cp = xvs_conn_out_get(ctx->xnet, &pkt);
	rcu_read_unlock();
	if (cp)
		__xvs_conn_put(cp);
	return cp;
}

static struct xvs_conn *ct_out(struct kunit *test, struct conn_ctx *ctx,
			       const char *src, u16 sport, u16 cport)
{
	return ct_out_from(test, ctx, src, sport, "192.0.2.1", cport);
}

static void conn_insert_lookup(struct kunit *test)
{
	struct conn_ctx *ctx = test->priv;
	struct xvs_conn *cp, *hit, *nat;

	cp = ct_new(test, ctx, "192.0.2.1", 1234);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->xnet->conn_count), 1);
	KUNIT_EXPECT_TRUE(test, cp->flags & IP_VS_CONN_F_HASHED);
	KUNIT_EXPECT_EQ(test, cp->flags & IP_VS_CONN_F_FWD_MASK,
			(unsigned int)IP_VS_CONN_F_DROUTE);
	KUNIT_EXPECT_EQ(test, ntohs(cp->dport), 8080);
	/* a new connection is inactive until its protocol says otherwise */
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->dest->sched.inactconns), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->dest->sched.activeconns), 0);

	hit = ct_in(test, ctx, "192.0.2.1", 1234, 80);
	KUNIT_EXPECT_PTR_EQ(test, hit, cp);
	if (hit)
		__xvs_conn_put(hit);
	/* other port, other client, other service: misses */
	KUNIT_EXPECT_NULL(test, ct_in(test, ctx, "192.0.2.1", 1235, 80));
	KUNIT_EXPECT_NULL(test, ct_in(test, ctx, "192.0.2.2", 1234, 80));
	KUNIT_EXPECT_NULL(test, ct_in(test, ctx, "192.0.2.1", 1234, 81));

	/* replies: a DR realserver answers from the VIP, a NAT one from its
	 * own address; only the matching source finds the connection
	 */
	KUNIT_EXPECT_PTR_EQ(test, ct_out(test, ctx, "10.0.0.1", 80, 1234), cp);
	KUNIT_EXPECT_NULL(test, ct_out(test, ctx, "10.1.1.1", 8080, 1234));
	KUNIT_EXPECT_NULL(test, ct_out(test, ctx, "10.0.0.1", 81, 1234));

	ctx->dest->conn_flags = IP_VS_CONN_F_MASQ;
	nat = ct_new(test, ctx, "192.0.2.9", 1234);
	ctx->dest->conn_flags = IP_VS_CONN_F_DROUTE;
	KUNIT_EXPECT_PTR_EQ(test, ct_out_from(test, ctx, "10.1.1.1", 8080,
					      "192.0.2.9", 1234), nat);
	KUNIT_EXPECT_NULL(test, ct_out_from(test, ctx, "10.0.0.1", 80,
					    "192.0.2.9", 1234));
	xvs_conn_put(nat);
	xvs_conn_put(cp);
}

static void conn_state_accounting(struct kunit *test)
{
	struct conn_ctx *ctx = test->priv;
	struct xvs_conn *cp = ct_new(test, ctx, "192.0.2.1", 1234);
	const unsigned int *to = ctx->xnet->tcp_timeout;

	spin_lock_bh(&cp->lock);
	xvs_conn_set_state(cp, XVS_TCP_S_ESTABLISHED, to);
	spin_unlock_bh(&cp->lock);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->dest->sched.activeconns), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->dest->sched.inactconns), 0);
	KUNIT_EXPECT_EQ(test, cp->timeout, 900u * HZ);

	spin_lock_bh(&cp->lock);
	xvs_conn_set_state(cp, XVS_TCP_S_FIN_WAIT, to);
	spin_unlock_bh(&cp->lock);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->dest->sched.activeconns), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->dest->sched.inactconns), 1);
	KUNIT_EXPECT_EQ(test, cp->timeout, 120u * HZ);
	xvs_conn_put(cp);
}

/* Waits up to @ms for the table to hold @n entries. */
static bool ct_wait_count(struct conn_ctx *ctx, int n, unsigned int ms)
{
	while (atomic_read(&ctx->xnet->conn_count) != n && ms) {
		msleep(20);
		ms = ms > 20 ? ms - 20 : 0;
	}
	return atomic_read(&ctx->xnet->conn_count) == n;
}

/* The timeout the next put arms (a fresh entry has 3 s). */
static void ct_timeout(struct xvs_conn *cp, unsigned int timeout)
{
	spin_lock_bh(&cp->lock);
	cp->timeout = timeout;
	spin_unlock_bh(&cp->lock);
}

static void conn_expire(struct kunit *test)
{
	struct conn_ctx *ctx = test->priv;
	struct xvs_conn *cp = ct_new(test, ctx, "192.0.2.1", 1234);
	struct xvs_conn *other = ct_new(test, ctx, "192.0.2.1", 1235);
	struct xvs_conn *brief, *hit;

	/* long timeouts: only what the test does expires them */
	ct_timeout(cp, 3600 * HZ);
	ct_timeout(other, 3600 * HZ);
	xvs_conn_put(cp);
	xvs_conn_put(other);
	KUNIT_EXPECT_TRUE(test, timer_pending(&cp->timer));
	KUNIT_EXPECT_EQ(test, refcount_read(&ctx->dest->refcnt), 3u);

	/* a user holds it: expiring now only postpones */
	cp = ct_in(test, ctx, "192.0.2.1", 1234, 80);
	KUNIT_ASSERT_NOT_NULL(test, cp);
	xvs_conn_expire_now(cp);
	msleep(100);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->xnet->conn_count), 2);
	KUNIT_EXPECT_TRUE(test, timer_pending(&cp->timer));
	/* the last user gone, it expires (RCU keeps cp valid meanwhile) */
	rcu_read_lock();
	__xvs_conn_put(cp);
	xvs_conn_expire_now(cp);
	rcu_read_unlock();
	KUNIT_EXPECT_TRUE(test, ct_wait_count(ctx, 1, 5000));
	KUNIT_EXPECT_NULL(test, ct_in(test, ctx, "192.0.2.1", 1234, 80));
	KUNIT_EXPECT_EQ(test, refcount_read(&ctx->dest->refcnt), 2u);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->dest->sched.inactconns), 1);

	/* one with a short timeout goes by itself, the other one stays */
	brief = ct_new(test, ctx, "192.0.2.1", 1236);
	ct_timeout(brief, HZ / 2);
	xvs_conn_put(brief);
	KUNIT_EXPECT_TRUE(test, ct_wait_count(ctx, 1, 10000));
	KUNIT_EXPECT_NULL(test, ct_in(test, ctx, "192.0.2.1", 1236, 80));
	hit = ct_in(test, ctx, "192.0.2.1", 1235, 80);
	KUNIT_EXPECT_PTR_EQ(test, hit, other);
	if (hit)
		__xvs_conn_put(hit);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->dest->sched.inactconns), 1);
}

/*
 * Packets only push an entry's due time; the timer armed before them
 * fires on time, finds the entry not due and waits for the rest.  A
 * shorter timeout moves the timer earlier at once.
 */
static void conn_expire_recheck(struct kunit *test)
{
	struct conn_ctx *ctx = test->priv;
	struct xvs_conn *cp = ct_new(test, ctx, "192.0.2.1", 1234);
	struct xvs_conn *brief = ct_new(test, ctx, "192.0.2.1", 1235);
	unsigned long armed, due, gone = 0;
	unsigned int ms;

	ct_timeout(cp, 2 * HZ);
	xvs_conn_put(cp);
	armed = READ_ONCE(cp->timer.expires);
	msleep(300);
	/* a packet: due 4 s from now, the timer stays where it was */
	cp = ct_in(test, ctx, "192.0.2.1", 1234, 80);
	KUNIT_ASSERT_NOT_NULL(test, cp);
	ct_timeout(cp, 4 * HZ);
	xvs_conn_put(cp);
	due = READ_ONCE(cp->expires);
	KUNIT_EXPECT_EQ(test, READ_ONCE(cp->timer.expires), armed);
	KUNIT_EXPECT_TRUE(test, time_before(armed, due));

	/* a long timeout, then a short one: the timer comes forward */
	ct_timeout(brief, 3600 * HZ);
	xvs_conn_put(brief);
	brief = ct_in(test, ctx, "192.0.2.1", 1235, 80);
	KUNIT_ASSERT_NOT_NULL(test, brief);
	ct_timeout(brief, HZ / 4);
	xvs_conn_put(brief);
	KUNIT_EXPECT_TRUE(test, time_before_eq(READ_ONCE(brief->timer.expires),
					       jiffies + HZ / 4));

	/* past the first arming: re-armed for the due time, still there */
	while (!time_after(jiffies, armed + HZ / 10))
		msleep(20);
	if (time_before(jiffies, due)) {
		KUNIT_EXPECT_NOT_NULL(test, ct_out(test, ctx, "10.0.0.1", 80,
						   1234));
		KUNIT_EXPECT_TRUE(test, timer_pending(&cp->timer));
	}
	/* the brief one went long ago; cp goes at its due time, not before */
	for (ms = 10000; ms; ms -= 20) {
		if (!ct_out(test, ctx, "10.0.0.1", 80, 1234)) {
			gone = jiffies;
			break;
		}
		msleep(20);
	}
	KUNIT_EXPECT_NE(test, gone, 0ul);
	KUNIT_EXPECT_TRUE(test, time_after_eq(gone, due));
	KUNIT_EXPECT_TRUE(test, ct_wait_count(ctx, 0, 1000));
}

#define CT_MANY	4096

static void conn_grow(struct kunit *test)
{
	struct conn_ctx *ctx = test->priv;
	struct rhltable *rhlt = ctx->xnet->conn_tab;	/* first member */
	unsigned int i, size0, size = 0, missing = 0, ms = 5000;
	struct xvs_conn *cp;
	char client[20];

	rcu_read_lock();
	size0 = rcu_dereference(rhlt->ht.tbl)->size;
	rcu_read_unlock();
	for (i = 0; i < CT_MANY; i++) {
		snprintf(client, sizeof(client), "198.51.%u.%u", i / 200,
			 i % 200 + 1);
		cp = ct_new(test, ctx, client, 1000 + i % 7);
		ct_timeout(cp, 3600 * HZ);
		xvs_conn_put(cp);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->xnet->conn_count), CT_MANY);
	/* the table grows in the background: wait for it */
	while (ms) {
		rcu_read_lock();
		size = rcu_dereference(rhlt->ht.tbl)->size;
		rcu_read_unlock();
		if (size >= CT_MANY / 2)
			break;
		msleep(20);
		ms = ms > 20 ? ms - 20 : 0;
	}
	KUNIT_EXPECT_GT(test, size, size0);
	KUNIT_EXPECT_GE(test, size, (unsigned int)CT_MANY / 2);
	for (i = 0; i < CT_MANY; i++) {
		snprintf(client, sizeof(client), "198.51.%u.%u", i / 200,
			 i % 200 + 1);
		cp = ct_in(test, ctx, client, 1000 + i % 7, 80);
		if (cp)
			__xvs_conn_put(cp);
		else
			missing++;
	}
	KUNIT_EXPECT_EQ(test, missing, 0u);
	/* flushing takes every entry out */
	xvs_conn_flush(ctx->xnet);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->xnet->conn_count), 0);
	KUNIT_EXPECT_NULL(test, ct_in(test, ctx, "198.51.0.1", 1000, 80));
}

static void conn_templates(struct kunit *test)
{
	struct conn_ctx *ctx = test->priv;
	union nf_inet_addr client, vaddr;
	struct xvs_conn_param p = {
		.af = AF_INET, .protocol = IPPROTO_TCP,
		.caddr = &client, .cport = 0,
		.vaddr = &vaddr, .vport = htons(80),
	};
	struct xvs_conn *ct, *hit;

	ct_addr(test, &client, "192.0.2.0");
	ct_addr(test, &vaddr, "10.0.0.1");
	ct = xvs_conn_create(ctx->xnet, &p, ctx->dest, ctx->dest->port,
			     IP_VS_CONN_F_TEMPLATE, 0);
	KUNIT_ASSERT_NOT_NULL(test, ct);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->dest->sched.persistconns), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->dest->sched.inactconns), 0);

	rcu_read_lock();
	hit = xvs_conn_template_get(ctx->xnet, &p);
	rcu_read_unlock();
	KUNIT_EXPECT_PTR_EQ(test, hit, ct);
	if (hit)
		__xvs_conn_put(hit);
	/* a template is no connection */
	KUNIT_EXPECT_NULL(test, ct_in(test, ctx, "192.0.2.0", 0, 80));

	xvs_conn_template_invalidate(ct);
	rcu_read_lock();
	hit = xvs_conn_template_get(ctx->xnet, &p);
	rcu_read_unlock();
	KUNIT_EXPECT_NULL(test, hit);
	xvs_conn_put(ct);
	xvs_conn_flush(ctx->xnet);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->dest->sched.persistconns), 0);
}

/* A long-lived connection of @protocol from 192.0.2.1:@cport to VIP:80. */
static struct xvs_conn *ct_new_proto(struct kunit *test, struct conn_ctx *ctx,
				     u8 protocol, u16 cport)
{
	union nf_inet_addr vaddr;
	struct xvs_pkt pkt;
	struct xvs_conn *cp;

	ct_pkt(test, &pkt, "192.0.2.1", cport, "10.0.0.1", 80);
	pkt.protocol = protocol;
	ct_addr(test, &vaddr, "10.0.0.1");
	cp = xvs_conn_new(ctx->xnet, &pkt, &vaddr, htons(80), ctx->dest, 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, cp);
	ct_timeout(cp, 3600 * HZ);
	return cp;
}

/*
 * net.xvs.expire_stale_conn: the sweep expires the entries of a removed or
 * quiesced destination by the protocols the switch covers, their
 * templates with them, and nothing while the switch is off.
 */
static void conn_expire_stale(struct kunit *test)
{
	struct conn_ctx *ctx = test->priv;
	struct xvs_net *xnet = ctx->xnet;
	struct xvs_dest *dest = ctx->dest;
	union nf_inet_addr client, vaddr;
	struct xvs_conn_param p = {
		.af = AF_INET, .protocol = IPPROTO_UDP,
		.caddr = &client, .cport = 0,
		.vaddr = &vaddr, .vport = htons(80),
	};
	struct xvs_conn *udp, *tcp, *tpl;

	ct_addr(test, &client, "192.0.2.0");
	ct_addr(test, &vaddr, "10.0.0.1");
	tpl = xvs_conn_create(xnet, &p, dest, dest->port,
			      IP_VS_CONN_F_TEMPLATE, 0);
	KUNIT_ASSERT_NOT_NULL(test, tpl);
	ct_timeout(tpl, 3600 * HZ);
	udp = ct_new_proto(test, ctx, IPPROTO_UDP, 2000);
	xvs_conn_control_add(udp, tpl);
	tcp = ct_new_proto(test, ctx, IPPROTO_TCP, 2001);
	xvs_conn_put(udp);
	xvs_conn_put(tcp);
	xvs_conn_put(tpl);
	KUNIT_EXPECT_EQ(test, atomic_read(&xnet->conn_count), 3);

	/* a healthy destination: nothing is stale, whatever the switch */
	WRITE_ONCE(xnet->sysctl.expire_stale_conn, XVS_STALE_ALL);
	xvs_conn_expire_stale_sweep(xnet);
	KUNIT_EXPECT_EQ(test, atomic_read(&xnet->conn_count), 3);

	/* quiesced, switch off: IPVS's behaviour, everything stays */
	atomic_set(&dest->sched.weight, 0);
	WRITE_ONCE(xnet->sysctl.expire_stale_conn, XVS_STALE_OFF);
	xvs_conn_expire_stale_sweep(xnet);
	KUNIT_EXPECT_EQ(test, atomic_read(&xnet->conn_count), 3);

	/* UDP: the datagram entry and its template go, TCP stays */
	WRITE_ONCE(xnet->sysctl.expire_stale_conn, XVS_STALE_UDP);
	xvs_conn_expire_stale_sweep(xnet);
	KUNIT_EXPECT_EQ(test, atomic_read(&xnet->conn_count), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&dest->sched.persistconns), 0);
	tcp = ct_in(test, ctx, "192.0.2.1", 2001, 80);
	KUNIT_EXPECT_NOT_NULL(test, tcp);
	if (tcp)
		__xvs_conn_put(tcp);

	/* every protocol, and removed rather than quiesced */
	atomic_set(&dest->sched.weight, 1);
	dest->sched.flags &= ~XVS_DEST_F_AVAILABLE;
	WRITE_ONCE(xnet->sysctl.expire_stale_conn, XVS_STALE_ALL);
	xvs_conn_expire_stale_sweep(xnet);
	KUNIT_EXPECT_EQ(test, atomic_read(&xnet->conn_count), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&dest->sched.inactconns), 0);
	KUNIT_EXPECT_EQ(test, refcount_read(&dest->refcnt), 1u);
	dest->sched.flags |= XVS_DEST_F_AVAILABLE;
}

/*
 * The key hash, written out for its 20 bytes so that it inlines into the
 * lookup (core/xvs_hash.h), must be the kernel's own hsiphash() of the
 * key: checked against it for random keys and secrets of both families.
 */
static void conn_key_hash_is_hsiphash(struct kunit *test)
{
	siphash_key_t secret;
	hsiphash_key_t hkey;
	struct xvs_conn_key k;
	u32 addr[4];
	int i;

	BUILD_BUG_ON(sizeof(hkey) != sizeof(secret));
	for (i = 0; i < 1000; i++) {
		get_random_bytes(&secret, sizeof(secret));
		get_random_bytes(addr, sizeof(addr));
		xvs_conn_key_init(&k, i & 1 ? AF_INET6 : AF_INET,
				  get_random_u32() & 0xff, addr,
				  (__force __be16)get_random_u32());
		memcpy(&hkey, &secret, sizeof(hkey));
		KUNIT_ASSERT_EQ(test, xvs_conn_key_hash(&k, &secret),
				hsiphash(&k, sizeof(k), &hkey));
	}
}

static struct kunit_case xvs_conn_cases[] = {
	KUNIT_CASE(conn_insert_lookup),
	KUNIT_CASE(conn_state_accounting),
	KUNIT_CASE(conn_expire),
	KUNIT_CASE(conn_expire_recheck),
	KUNIT_CASE(conn_grow),
	KUNIT_CASE(conn_templates),
	KUNIT_CASE(conn_expire_stale),
	KUNIT_CASE(conn_key_hash_is_hsiphash),
	{}
};

static struct kunit_suite xvs_conn_suite = {
	.name = "xvs_conn",
	.init = conn_test_init,
	.exit = conn_test_exit,
	.test_cases = xvs_conn_cases,
};

kunit_test_suite(xvs_conn_suite);
