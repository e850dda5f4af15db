// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: attribute validation of the "IPVS" generic netlink family.
 *
 * Included at the end of ctl_genl.c (when the kernel has KUnit) because
 * the policies and parsers it checks are static there.  Each case builds
 * nested attributes in an skb as ipvsadm (or a malicious sender) would and
 * hands them to the policies and to the parsers of the real requests.
 */
#include <kunit/test.h>
#include <linux/skbuff.h>
#include <net/netlink.h>

/* An skb to build attributes in; freed when the test ends. */
static struct sk_buff *gt_skb(struct kunit *test)
{
	struct sk_buff *skb = alloc_skb(NLMSG_GOODSIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	test->priv = skb;
	return skb;
}

static void gt_exit(struct kunit *test)
{
	kfree_skb(test->priv);
	test->priv = NULL;
}

/* A complete, valid IPv4 TCP service 10.0.0.1:80, rr. */
static void gt_put_service(struct sk_buff *skb, bool full)
{
	struct ip_vs_flags flags = { .flags = 0, .mask = ~0U };
	union nf_inet_addr addr = { .ip = htonl(0x0a000001) };

	nla_put_u16(skb, IPVS_SVC_ATTR_AF, AF_INET);
	nla_put_u16(skb, IPVS_SVC_ATTR_PROTOCOL, IPPROTO_TCP);
	nla_put(skb, IPVS_SVC_ATTR_ADDR, sizeof(addr), &addr);
	nla_put_be16(skb, IPVS_SVC_ATTR_PORT, htons(80));
	if (!full)
		return;
	nla_put_string(skb, IPVS_SVC_ATTR_SCHED_NAME, "rr");
	nla_put(skb, IPVS_SVC_ATTR_FLAGS, sizeof(flags), &flags);
	nla_put_u32(skb, IPVS_SVC_ATTR_TIMEOUT, 0);
	nla_put_be32(skb, IPVS_SVC_ATTR_NETMASK, htonl(0xffffffff));
}

static int gt_parse_svc_policy(struct nlattr *nest)
{
	struct nlattr *tb[IPVS_SVC_ATTR_MAX + 1];

	return nla_parse_nested_deprecated(tb, IPVS_SVC_ATTR_MAX, nest,
					   xvs_svc_policy, NULL);
}

static int gt_parse_dest_policy(struct nlattr *nest)
{
	struct nlattr *tb[IPVS_DEST_ATTR_MAX + 1];

	return nla_parse_nested_deprecated(tb, IPVS_DEST_ATTR_MAX, nest,
					   xvs_dest_policy, NULL);
}

static void genl_service_policy_accepts_ipvsadm(struct kunit *test)
{
	struct sk_buff *skb = gt_skb(test);
	struct nlattr *nest = nla_nest_start_noflag(skb, IPVS_CMD_ATTR_SERVICE);

	gt_put_service(skb, true);
	nla_put_string(skb, IPVS_SVC_ATTR_PE_NAME, "sip");
	nla_nest_end(skb, nest);
	KUNIT_EXPECT_EQ(test, gt_parse_svc_policy(nest), 0);
}

static void genl_service_policy_rejects_bad_types(struct kunit *test)
{
	struct sk_buff *skb = gt_skb(test);
	struct nlattr *nest;
	u8 one = 1;
	u8 big[sizeof(union nf_inet_addr) + 1] = { 0 };

	/* a u16 of one byte */
	nest = nla_nest_start_noflag(skb, IPVS_CMD_ATTR_SERVICE);
	nla_put(skb, IPVS_SVC_ATTR_AF, 1, &one);
	nla_nest_end(skb, nest);
	KUNIT_EXPECT_EQ(test, gt_parse_svc_policy(nest), -ERANGE);

	/* an address longer than any family's */
	nest = nla_nest_start_noflag(skb, IPVS_CMD_ATTR_SERVICE);
	nla_put(skb, IPVS_SVC_ATTR_ADDR, sizeof(big), big);
	nla_nest_end(skb, nest);
	KUNIT_EXPECT_EQ(test, gt_parse_svc_policy(nest), -ERANGE);

	/* a scheduler name of IP_VS_SCHEDNAME_MAXLEN characters: no NUL
	 * within the first IP_VS_SCHEDNAME_MAXLEN bytes
	 */
	nest = nla_nest_start_noflag(skb, IPVS_CMD_ATTR_SERVICE);
	nla_put_string(skb, IPVS_SVC_ATTR_SCHED_NAME, "0123456789abcdef");
	nla_nest_end(skb, nest);
	KUNIT_EXPECT_EQ(test, gt_parse_svc_policy(nest), -EINVAL);
	/* one character less fits */
	nest = nla_nest_start_noflag(skb, IPVS_CMD_ATTR_SERVICE);
	nla_put_string(skb, IPVS_SVC_ATTR_SCHED_NAME, "0123456789abcde");
	nla_nest_end(skb, nest);
	KUNIT_EXPECT_EQ(test, gt_parse_svc_policy(nest), 0);

	/* a name without its terminating NUL */
	nest = nla_nest_start_noflag(skb, IPVS_CMD_ATTR_SERVICE);
	nla_put(skb, IPVS_SVC_ATTR_SCHED_NAME, 2, "rr");
	nla_nest_end(skb, nest);
	KUNIT_EXPECT_EQ(test, gt_parse_svc_policy(nest), -EINVAL);

	/* a flags structure too long */
	nest = nla_nest_start_noflag(skb, IPVS_CMD_ATTR_SERVICE);
	nla_put(skb, IPVS_SVC_ATTR_FLAGS, sizeof(struct ip_vs_flags) + 4, big);
	nla_nest_end(skb, nest);
	KUNIT_EXPECT_EQ(test, gt_parse_svc_policy(nest), -ERANGE);

	/* a u32 of two bytes */
	nest = nla_nest_start_noflag(skb, IPVS_CMD_ATTR_SERVICE);
	nla_put(skb, IPVS_SVC_ATTR_FWMARK, 2, big);
	nla_nest_end(skb, nest);
	KUNIT_EXPECT_EQ(test, gt_parse_svc_policy(nest), -ERANGE);
}

static void genl_service_parser_needs_identity(struct kunit *test)
{
	struct sk_buff *skb = gt_skb(test);
	struct xvs_svc_conf conf;
	struct xvs_service *svc = NULL;
	struct nlattr *nest;

	KUNIT_EXPECT_EQ(test, xvs_parse_service(NULL, &conf, NULL, false, &svc,
						NULL),
			-EINVAL);

	/* no address family */
	nest = nla_nest_start_noflag(skb, IPVS_CMD_ATTR_SERVICE);
	nla_put_u32(skb, IPVS_SVC_ATTR_FWMARK, 1);
	nla_nest_end(skb, nest);
	KUNIT_EXPECT_EQ(test, xvs_parse_service(NULL, &conf, nest, false, &svc,
						NULL),
			-EINVAL);

	/* address and port but no protocol */
	nest = nla_nest_start_noflag(skb, IPVS_CMD_ATTR_SERVICE);
	nla_put_u16(skb, IPVS_SVC_ATTR_AF, AF_INET);
	nla_put_in_addr(skb, IPVS_SVC_ATTR_ADDR, htonl(0x0a000001));
	nla_put_be16(skb, IPVS_SVC_ATTR_PORT, htons(80));
	nla_nest_end(skb, nest);
	KUNIT_EXPECT_EQ(test, xvs_parse_service(NULL, &conf, nest, false, &svc,
						NULL),
			-EINVAL);

	/* an address family IPVS does not serve */
	nest = nla_nest_start_noflag(skb, IPVS_CMD_ATTR_SERVICE);
	nla_put_u16(skb, IPVS_SVC_ATTR_AF, AF_PACKET);
	nla_put_u32(skb, IPVS_SVC_ATTR_FWMARK, 1);
	nla_nest_end(skb, nest);
	KUNIT_EXPECT_EQ(test, xvs_parse_service(NULL, &conf, nest, false, &svc,
						NULL),
			-EAFNOSUPPORT);

	/* a bad attribute fails the whole request */
	nest = nla_nest_start_noflag(skb, IPVS_CMD_ATTR_SERVICE);
	nla_put_u16(skb, IPVS_SVC_ATTR_AF, AF_INET);
	nla_put_u8(skb, IPVS_SVC_ATTR_FWMARK, 1);
	nla_nest_end(skb, nest);
	KUNIT_EXPECT_EQ(test, xvs_parse_service(NULL, &conf, nest, false, &svc,
						NULL),
			-EINVAL);
}

static void gt_put_dest(struct sk_buff *skb, bool full)
{
	nla_put_in_addr(skb, IPVS_DEST_ATTR_ADDR, htonl(0x0a010101));
	nla_put_be16(skb, IPVS_DEST_ATTR_PORT, htons(8080));
	if (!full)
		return;
	nla_put_u32(skb, IPVS_DEST_ATTR_FWD_METHOD, IP_VS_CONN_F_DROUTE);
	nla_put_u32(skb, IPVS_DEST_ATTR_WEIGHT, 3);
	nla_put_u32(skb, IPVS_DEST_ATTR_U_THRESH, 100);
	nla_put_u32(skb, IPVS_DEST_ATTR_L_THRESH, 10);
}

static void genl_dest_parser(struct kunit *test)
{
	struct sk_buff *skb = gt_skb(test);
	struct xvs_dest_conf conf;
	struct nlattr *nest;

	nest = nla_nest_start_noflag(skb, IPVS_CMD_ATTR_DEST);
	gt_put_dest(skb, true);
	nla_put_u16(skb, IPVS_DEST_ATTR_ADDR_FAMILY, AF_INET);
	nla_nest_end(skb, nest);
	KUNIT_ASSERT_EQ(test, gt_parse_dest_policy(nest), 0);
	KUNIT_ASSERT_EQ(test, xvs_parse_dest(&conf, nest, true, NULL), 0);
	KUNIT_EXPECT_EQ(test, conf.addr.ip, htonl(0x0a010101));
	KUNIT_EXPECT_EQ(test, ntohs(conf.port), 8080);
	KUNIT_EXPECT_EQ(test, conf.af, AF_INET);
	KUNIT_EXPECT_EQ(test, conf.conn_flags, (unsigned int)IP_VS_CONN_F_DROUTE);
	KUNIT_EXPECT_EQ(test, conf.weight, 3);
	KUNIT_EXPECT_EQ(test, conf.u_threshold, 100u);
	KUNIT_EXPECT_EQ(test, conf.l_threshold, 10u);

	/* identity only (ipvsadm -d): no method or weight needed */
	nest = nla_nest_start_noflag(skb, IPVS_CMD_ATTR_DEST);
	gt_put_dest(skb, false);
	nla_nest_end(skb, nest);
	KUNIT_EXPECT_EQ(test, xvs_parse_dest(&conf, nest, false, NULL), 0);
	KUNIT_EXPECT_EQ(test, xvs_parse_dest(&conf, nest, true, NULL), -EINVAL);

	/* no port */
	nest = nla_nest_start_noflag(skb, IPVS_CMD_ATTR_DEST);
	nla_put_in_addr(skb, IPVS_DEST_ATTR_ADDR, htonl(0x0a010101));
	nla_nest_end(skb, nest);
	KUNIT_EXPECT_EQ(test, xvs_parse_dest(&conf, nest, false, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, xvs_parse_dest(&conf, NULL, false, NULL), -EINVAL);

	/* a forwarding method with bits beyond the mask keeps the method */
	nest = nla_nest_start_noflag(skb, IPVS_CMD_ATTR_DEST);
	gt_put_dest(skb, false);
	nla_put_u32(skb, IPVS_DEST_ATTR_FWD_METHOD, 0xffff0000 |
		    IP_VS_CONN_F_TUNNEL);
	nla_put_u32(skb, IPVS_DEST_ATTR_WEIGHT, 1);
	nla_put_u32(skb, IPVS_DEST_ATTR_U_THRESH, 0);
	nla_put_u32(skb, IPVS_DEST_ATTR_L_THRESH, 0);
	nla_nest_end(skb, nest);
	KUNIT_EXPECT_EQ(test, xvs_parse_dest(&conf, nest, true, NULL), 0);
	KUNIT_EXPECT_EQ(test, conf.conn_flags,
			(unsigned int)IP_VS_CONN_F_TUNNEL);
}

static void genl_dest_policy_rejects_bad_types(struct kunit *test)
{
	struct sk_buff *skb = gt_skb(test);
	struct xvs_dest_conf conf;
	struct nlattr *nest;
	u8 junk[24] = { 0 };

	/* a tunnel port of one byte */
	nest = nla_nest_start_noflag(skb, IPVS_CMD_ATTR_DEST);
	gt_put_dest(skb, true);
	nla_put(skb, IPVS_DEST_ATTR_TUN_PORT, 1, junk);
	nla_nest_end(skb, nest);
	KUNIT_EXPECT_EQ(test, gt_parse_dest_policy(nest), -ERANGE);
	KUNIT_EXPECT_EQ(test, xvs_parse_dest(&conf, nest, true, NULL), -EINVAL);

	/* an over-long integer passes: the family validates liberally, as
	 * IPVS does (the kernel only logs it)
	 */
	nest = nla_nest_start_noflag(skb, IPVS_CMD_ATTR_DEST);
	gt_put_dest(skb, true);
	nla_put(skb, IPVS_DEST_ATTR_TUN_TYPE, 4, junk);
	nla_nest_end(skb, nest);
	KUNIT_EXPECT_EQ(test, gt_parse_dest_policy(nest), 0);

	/* an address of 17 bytes */
	nest = nla_nest_start_noflag(skb, IPVS_CMD_ATTR_DEST);
	nla_put(skb, IPVS_DEST_ATTR_ADDR, 17, junk);
	nla_put_be16(skb, IPVS_DEST_ATTR_PORT, htons(80));
	nla_nest_end(skb, nest);
	KUNIT_EXPECT_EQ(test, gt_parse_dest_policy(nest), -ERANGE);

	/* a weight of one byte */
	nest = nla_nest_start_noflag(skb, IPVS_CMD_ATTR_DEST);
	gt_put_dest(skb, false);
	nla_put(skb, IPVS_DEST_ATTR_WEIGHT, 1, junk);
	nla_nest_end(skb, nest);
	KUNIT_EXPECT_EQ(test, gt_parse_dest_policy(nest), -ERANGE);
}

static void genl_daemon_policy(struct kunit *test)
{
	struct sk_buff *skb = gt_skb(test);
	struct nlattr *tb[IPVS_DAEMON_ATTR_MAX + 1];
	struct nlattr *nest;

	nest = nla_nest_start_noflag(skb, IPVS_CMD_ATTR_DAEMON);
	nla_put_u32(skb, IPVS_DAEMON_ATTR_STATE, IP_VS_STATE_MASTER);
	nla_put_string(skb, IPVS_DAEMON_ATTR_MCAST_IFN, "eth0");
	nla_put_u32(skb, IPVS_DAEMON_ATTR_SYNC_ID, 1);
	nla_nest_end(skb, nest);
	KUNIT_EXPECT_EQ(test,
			nla_parse_nested_deprecated(tb, IPVS_DAEMON_ATTR_MAX,
						    nest, xvs_daemon_policy,
						    NULL), 0);

	/* an interface name of IP_VS_IFNAME_MAXLEN characters */
	nest = nla_nest_start_noflag(skb, IPVS_CMD_ATTR_DAEMON);
	nla_put_string(skb, IPVS_DAEMON_ATTR_MCAST_IFN, "0123456789abcdef");
	nla_nest_end(skb, nest);
	KUNIT_EXPECT_EQ(test,
			nla_parse_nested_deprecated(tb, IPVS_DAEMON_ATTR_MAX,
						    nest, xvs_daemon_policy,
						    NULL), -EINVAL);
}

static void genl_timeouts(struct kunit *test)
{
	struct nlattr *attrs[IPVS_CMD_ATTR_MAX + 1] = { NULL };
	struct sk_buff *skb = gt_skb(test);
	struct xvs_net *xnet;
	struct nlattr *a;

	xnet = kunit_kzalloc(test, sizeof(*xnet), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, xnet);
	xnet->tcp_timeout[XVS_TCP_S_ESTABLISHED] = 900 * HZ;
	xnet->tcp_timeout[XVS_TCP_S_FIN_WAIT] = 120 * HZ;
	xnet->udp_timeout[XVS_UDP_S_NORMAL] = 300 * HZ;

	a = nla_reserve(skb, IPVS_CMD_ATTR_TIMEOUT_TCP, sizeof(u32));
	KUNIT_ASSERT_NOT_NULL(test, a);
	*(u32 *)nla_data(a) = 60;
	attrs[IPVS_CMD_ATTR_TIMEOUT_TCP] = a;
	KUNIT_EXPECT_EQ(test, xvs_set_config(xnet, attrs, NULL), 0);
	KUNIT_EXPECT_EQ(test, xnet->tcp_timeout[XVS_TCP_S_ESTABLISHED],
			60u * HZ);
	/* 0 leaves a value alone */
	*(u32 *)nla_data(a) = 0;
	KUNIT_EXPECT_EQ(test, xvs_set_config(xnet, attrs, NULL), 0);
	KUNIT_EXPECT_EQ(test, xnet->tcp_timeout[XVS_TCP_S_ESTABLISHED],
			60u * HZ);
	/* seconds whose jiffies overflow an int, or negative as int */
	*(u32 *)nla_data(a) = INT_MAX / HZ + 1;
	KUNIT_EXPECT_EQ(test, xvs_set_config(xnet, attrs, NULL), -EINVAL);
	*(u32 *)nla_data(a) = 0x80000000u;
	KUNIT_EXPECT_EQ(test, xvs_set_config(xnet, attrs, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, xnet->tcp_timeout[XVS_TCP_S_ESTABLISHED],
			60u * HZ);
	KUNIT_EXPECT_EQ(test, xnet->udp_timeout[XVS_UDP_S_NORMAL], 300u * HZ);
}

static struct kunit_case xvs_genl_cases[] = {
	KUNIT_CASE(genl_service_policy_accepts_ipvsadm),
	KUNIT_CASE(genl_service_policy_rejects_bad_types),
	KUNIT_CASE(genl_service_parser_needs_identity),
	KUNIT_CASE(genl_dest_parser),
	KUNIT_CASE(genl_dest_policy_rejects_bad_types),
	KUNIT_CASE(genl_daemon_policy),
	KUNIT_CASE(genl_timeouts),
	{}
};

static struct kunit_suite xvs_genl_suite = {
	.name = "xvs_genl",
	.exit = gt_exit,
	.test_cases = xvs_genl_cases,
};

kunit_test_suite(xvs_genl_suite);
