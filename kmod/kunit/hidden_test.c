// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the ARP decision of hidden interfaces (hidden.c), as the hooks
 * take it for the realservers of DR and TUN clusters: a VIP on lo (ifindex
 * 1) hidden, the LAN on eth0 (ifindex 2).
 */
#include <kunit/test.h>
#include <linux/if_arp.h>

#include "hidden.h"

#define LO	1
#define ETH0	2

/* A broadcast request for the VIP (owned by lo) arriving on eth0. */
static struct xvs_hidden_arp vip_request(void)
{
	struct xvs_hidden_arp a = {
		.outgoing = false,
		.op = ARPOP_REQUEST,
		.unicast_to_us = false,
		.dev_ifindex = ETH0,
		.owner_ifindex = LO,
		.all_hidden = true,
		.owner_hidden = true,
	};

	return a;
}

static void hidden_broadcast_request_dropped(struct kunit *test)
{
	struct xvs_hidden_arp a = vip_request();

	KUNIT_EXPECT_EQ(test, xvs_hidden_arp_verdict(&a), XVS_HIDDEN_DROP);
}

static void hidden_needs_both_switches(struct kunit *test)
{
	struct xvs_hidden_arp a = vip_request();

	a.all_hidden = false;
	KUNIT_EXPECT_EQ(test, xvs_hidden_arp_verdict(&a), XVS_HIDDEN_ACCEPT);
	a.all_hidden = true;
	a.owner_hidden = false;
	KUNIT_EXPECT_EQ(test, xvs_hidden_arp_verdict(&a), XVS_HIDDEN_ACCEPT);
	a.all_hidden = false;
	KUNIT_EXPECT_EQ(test, xvs_hidden_arp_verdict(&a), XVS_HIDDEN_ACCEPT);
}

static void hidden_unicast_request_answered(struct kunit *test)
{
	struct xvs_hidden_arp a = vip_request();

	/* a host that already knows our MAC asks again: answered */
	a.unicast_to_us = true;
	KUNIT_EXPECT_EQ(test, xvs_hidden_arp_verdict(&a), XVS_HIDDEN_ACCEPT);
}

static void hidden_other_addresses_answered(struct kunit *test)
{
	struct xvs_hidden_arp a = vip_request();

	/* not a local address at all */
	a.owner_ifindex = 0;
	KUNIT_EXPECT_EQ(test, xvs_hidden_arp_verdict(&a), XVS_HIDDEN_ACCEPT);
	/* eth0's own address, asked on eth0 */
	a.owner_ifindex = ETH0;
	KUNIT_EXPECT_EQ(test, xvs_hidden_arp_verdict(&a), XVS_HIDDEN_ACCEPT);
}

static void hidden_replies_pass(struct kunit *test)
{
	struct xvs_hidden_arp a = vip_request();

	a.op = ARPOP_REPLY;
	KUNIT_EXPECT_EQ(test, xvs_hidden_arp_verdict(&a), XVS_HIDDEN_ACCEPT);
}

static void hidden_never_a_request_sender(struct kunit *test)
{
	struct xvs_hidden_arp a = vip_request();

	/* our request out of eth0 with the VIP as sender: re-sourced */
	a.outgoing = true;
	KUNIT_EXPECT_EQ(test, xvs_hidden_arp_verdict(&a), XVS_HIDDEN_RESOURCE);
	/* eth0's own address as sender: unchanged */
	a.owner_ifindex = ETH0;
	KUNIT_EXPECT_EQ(test, xvs_hidden_arp_verdict(&a), XVS_HIDDEN_ACCEPT);
	/* lo not hidden: unchanged */
	a.owner_ifindex = LO;
	a.owner_hidden = false;
	KUNIT_EXPECT_EQ(test, xvs_hidden_arp_verdict(&a), XVS_HIDDEN_ACCEPT);
}

static void hidden_never_announced(struct kunit *test)
{
	struct xvs_hidden_arp a = vip_request();

	/* a gratuitous ARP for the VIP out of eth0 would take it over */
	a.outgoing = true;
	a.gratuitous = true;
	KUNIT_EXPECT_EQ(test, xvs_hidden_arp_verdict(&a), XVS_HIDDEN_DROP);
	a.owner_hidden = false;
	KUNIT_EXPECT_EQ(test, xvs_hidden_arp_verdict(&a), XVS_HIDDEN_ACCEPT);
}

static struct kunit_case xvs_hidden_cases[] = {
	KUNIT_CASE(hidden_broadcast_request_dropped),
	KUNIT_CASE(hidden_needs_both_switches),
	KUNIT_CASE(hidden_unicast_request_answered),
	KUNIT_CASE(hidden_other_addresses_answered),
	KUNIT_CASE(hidden_replies_pass),
	KUNIT_CASE(hidden_never_a_request_sender),
	KUNIT_CASE(hidden_never_announced),
	{}
};

static struct kunit_suite xvs_hidden_suite = {
	.name = "xvs_hidden",
	.test_cases = xvs_hidden_cases,
};

kunit_test_suite(xvs_hidden_suite);
