// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the scheduling decisions of the core schedulers, driven inside the
 * kernel the way svc.c drives them.  The cases are those of the host tests
 * (tests/unit/test_*.cpp) that need no host-only hooks, so the same
 * expectations hold for the code as the module runs it (kernel hash_32,
 * hsiphash, jiffies, slab).
 *
 * A service of the harness keeps its destinations in IPVS list order
 * (newest first), publishes each change as a fresh destination set and
 * tells the scheduler what changed.  Destinations are named by one letter;
 * a decision is that letter, or '-' when the scheduler found none.
 */
#include <kunit/test.h>
#include <linux/inet.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "core/xvs_sched.h"

#define KT_MAX_DESTS	8

struct kt_dest {
	struct xvs_sched_dest d;
	char name;
};

struct kt_svc {
	struct kunit *test;
	const struct xvs_sched_ops *ops;
	void *state;
	u16 af;
	struct kt_dest pool[KT_MAX_DESTS];	/* removed ones stay here */
	unsigned int npool;
	struct kt_dest *order[KT_MAX_DESTS];	/* list order, newest first */
	unsigned int count;
	struct xvs_dest_set *set;
	u32 saddr[4];
	u32 daddr[4];
	struct xvs_sched_input in;
	char picks[65];
	struct kt_svc *next;		/* services of the running test */
};

/* The set as the module publishes it: a new array for every change. */
static void kt_publish(struct kt_svc *svc)
{
	struct xvs_dest_set *set;
	unsigned int i;

	/* Old sets stay allocated until the test ends (kunit frees them). */
	set = kunit_kzalloc(svc->test, struct_size(set, dest, KT_MAX_DESTS),
			    GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(svc->test, set);
	set->count = svc->count;
	set->af = svc->af;
	for (i = 0; i < svc->count; i++)
		set->dest[i] = &svc->order[i]->d;
	svc->set = set;
}

static struct kt_dest *kt_new_dest(struct kt_svc *svc, char name, int weight)
{
	struct kt_dest *e;

	KUNIT_ASSERT_LT(svc->test, svc->npool, KT_MAX_DESTS);
	e = &svc->pool[svc->npool++];
	e->name = name;
	atomic_set(&e->d.weight, weight);
	atomic_set(&e->d.last_weight, weight);
	e->d.flags = XVS_DEST_F_AVAILABLE;
	/* a distinct identity: 10.0.0.<name>:80 */
	e->d.addr[0] = (__force u32)htonl(0x0a000000u | (u8)name);
	e->d.port = htons(80);
	return e;
}

/*
 * A service with the destinations of @spec, e.g. "A4 B3 C2": letter and
 * weight, head of the list first.  Released by the suite's exit.
 */
static struct kt_svc *kt_svc_new(struct kunit *test,
				 const struct xvs_sched_ops *ops,
				 const char *spec, u16 af)
{
	struct kt_svc *svc;

	svc = kunit_kzalloc(test, sizeof(*svc), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, svc);
	svc->test = test;
	svc->ops = ops;
	svc->af = af;
	while (*spec) {
		char name = *spec++;
		int weight = 0;

		if (name == ' ')
			continue;
		while (*spec >= '0' && *spec <= '9')
			weight = weight * 10 + (*spec++ - '0');
		KUNIT_ASSERT_LT(test, svc->count, KT_MAX_DESTS);
		svc->order[svc->count++] = kt_new_dest(svc, name, weight);
	}
	kt_publish(svc);
	if (ops->state_size) {
		svc->state = kvmalloc(ops->state_size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, svc->state);
		/* ->init() must set up every field itself */
		memset(svc->state, 0xa5, ops->state_size);
	}
	svc->next = test->priv;
	test->priv = svc;
	if (ops->init)
		ops->init(svc->state, svc->set);
	svc->in.af = af;
	svc->in.protocol = IPPROTO_TCP;
	svc->in.saddr = svc->saddr;
	svc->in.daddr = svc->daddr;
	return svc;
}

static struct kt_svc *kt_svc4(struct kunit *test,
			      const struct xvs_sched_ops *ops, const char *spec)
{
	return kt_svc_new(test, ops, spec, AF_INET);
}

/* ipvsadm -D: what the module does when the service goes. */
static void kt_sched_exit(struct kunit *test)
{
	struct kt_svc *svc;

	for (svc = test->priv; svc; svc = svc->next) {
		if (svc->ops->destroy)
			svc->ops->destroy(svc->state);
		kvfree(svc->state);
	}
	test->priv = NULL;
}

static unsigned int kt_index(struct kt_svc *svc, char name)
{
	unsigned int i;

	for (i = 0; i < svc->count; i++)
		if (svc->order[i]->name == name)
			return i;
	KUNIT_FAIL(svc->test, "no destination %c", name);
	return 0;
}

static struct xvs_sched_dest *kt_dest(struct kt_svc *svc, char name)
{
	return &svc->order[kt_index(svc, name)]->d;
}

static void kt_notify(struct kt_svc *svc, enum xvs_dest_change_kind kind,
		      unsigned int index, struct xvs_sched_dest *d)
{
	struct xvs_dest_change change = {
		.kind = kind, .index = index, .dest = d,
	};

	if (svc->ops->dests_changed)
		svc->ops->dests_changed(svc->state, svc->set, &change);
}

/* ipvsadm -a: the new destination goes to the head. */
static void kt_add(struct kt_svc *svc, char name, int weight)
{
	KUNIT_ASSERT_LT(svc->test, svc->count, KT_MAX_DESTS);
	memmove(&svc->order[1], &svc->order[0],
		svc->count * sizeof(svc->order[0]));
	svc->order[0] = kt_new_dest(svc, name, weight);
	svc->count++;
	kt_publish(svc);
	kt_notify(svc, XVS_DEST_ADDED, 0, &svc->order[0]->d);
}

/* ipvsadm -d */
static void kt_remove(struct kt_svc *svc, char name)
{
	unsigned int index = kt_index(svc, name);
	struct xvs_sched_dest *gone = &svc->order[index]->d;

	gone->flags &= ~XVS_DEST_F_AVAILABLE;
	memmove(&svc->order[index], &svc->order[index + 1],
		(svc->count - index - 1) * sizeof(svc->order[0]));
	svc->count--;
	kt_publish(svc);
	kt_notify(svc, XVS_DEST_REMOVED, index, gone);
}

/* ipvsadm -e -w: the last weight keeps the latest non-zero one. */
static void kt_weight(struct kt_svc *svc, char name, int weight)
{
	struct xvs_sched_dest *d = kt_dest(svc, name);

	atomic_set(&d->weight, weight);
	if (weight)
		atomic_set(&d->last_weight, weight);
	kt_notify(svc, XVS_DEST_UPDATED, kt_index(svc, name), d);
}

static void kt_overload(struct kt_svc *svc, char name, bool on)
{
	struct xvs_sched_dest *d = kt_dest(svc, name);

	d->flags = on ? d->flags | XVS_DEST_F_OVERLOAD :
			d->flags & ~XVS_DEST_F_OVERLOAD;
}

static void kt_overload_all(struct kt_svc *svc, bool on)
{
	unsigned int i;

	for (i = 0; i < svc->count; i++)
		kt_overload(svc, svc->order[i]->name, on);
}

static void kt_conns(struct kt_svc *svc, char name, int active, int inactive)
{
	atomic_set(&kt_dest(svc, name)->activeconns, active);
	atomic_set(&kt_dest(svc, name)->inactconns, inactive);
}

static void kt_addr(struct kt_svc *svc, u32 *words, const char *addr)
{
	int ok;

	memset(words, 0, 16);
	if (svc->af == AF_INET6)
		ok = in6_pton(addr, -1, (u8 *)words, -1, NULL);
	else
		ok = in4_pton(addr, -1, (u8 *)words, -1, NULL);
	KUNIT_ASSERT_TRUE_MSG(svc->test, ok, "bad address %s", addr);
}

static void kt_from(struct kt_svc *svc, const char *addr, u16 port)
{
	kt_addr(svc, svc->saddr, addr);
	svc->in.sport = htons(port);
}

static void kt_to(struct kt_svc *svc, const char *addr, u16 port)
{
	kt_addr(svc, svc->daddr, addr);
	svc->in.dport = htons(port);
}

static char kt_name_of(struct kt_svc *svc, const struct xvs_sched_dest *d)
{
	unsigned int i;

	if (!d)
		return '-';
	for (i = 0; i < svc->npool; i++)
		if (&svc->pool[i].d == d)
			return svc->pool[i].name;
	KUNIT_FAIL(svc->test, "scheduler returned a foreign pointer");
	return '?';
}

static char kt_pick(struct kt_svc *svc)
{
	return kt_name_of(svc, svc->ops->schedule(svc->state, svc->set,
						  &svc->in));
}

/* @n decisions in a row, as a string of names. */
static const char *kt_picks(struct kt_svc *svc, unsigned int n)
{
	unsigned int i;

	n = min_t(unsigned int, n, sizeof(svc->picks) - 1);
	for (i = 0; i < n; i++)
		svc->picks[i] = kt_pick(svc);
	svc->picks[n] = '\0';
	return svc->picks;
}

static char kt_pick_from(struct kt_svc *svc, const char *saddr, u16 sport)
{
	kt_from(svc, saddr, sport);
	return kt_pick(svc);
}

static char kt_pick_to(struct kt_svc *svc, const char *daddr)
{
	kt_to(svc, daddr, 80);
	return kt_pick(svc);
}

/* ---- rr ------------------------------------------------------------------ */

static void rr_cycles_in_list_order(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_rr, "A1 B1 C1");

	KUNIT_EXPECT_STREQ(test, kt_picks(svc, 7), "ABCABCA");
}

static void rr_skips_weight_zero_and_overloaded(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_rr, "A1 B0 C1 D1");

	KUNIT_EXPECT_STREQ(test, kt_picks(svc, 4), "ACDA");
	kt_overload(svc, 'C', true);
	KUNIT_EXPECT_STREQ(test, kt_picks(svc, 3), "DAD");
	kt_overload(svc, 'C', false);
	KUNIT_EXPECT_STREQ(test, kt_picks(svc, 3), "ACD");
}

static void rr_added_dest_goes_at_head(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_rr, "A1 B1 C1");

	KUNIT_EXPECT_STREQ(test, kt_picks(svc, 2), "AB");
	kt_add(svc, 'D', 1);	/* D A B C, cursor still on B */
	KUNIT_EXPECT_STREQ(test, kt_picks(svc, 5), "CDABC");
}

static void rr_removing_cursor_dest_steps_back(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_rr, "A1 B1 C1 D1");

	KUNIT_EXPECT_STREQ(test, kt_picks(svc, 2), "AB");
	kt_remove(svc, 'B');
	KUNIT_EXPECT_STREQ(test, kt_picks(svc, 4), "CDAC");
}

static void rr_removing_tail_under_cursor_wraps(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_rr, "A1 B1 C1");

	KUNIT_EXPECT_STREQ(test, kt_picks(svc, 3), "ABC");
	kt_remove(svc, 'C');
	KUNIT_EXPECT_STREQ(test, kt_picks(svc, 3), "ABA");
}

static void rr_weight_zero_mid_sequence(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_rr, "A1 B1 C1");

	KUNIT_EXPECT_EQ(test, kt_pick(svc), 'A');
	kt_weight(svc, 'B', 0);
	KUNIT_EXPECT_STREQ(test, kt_picks(svc, 3), "CAC");
	kt_weight(svc, 'B', 3);
	KUNIT_EXPECT_STREQ(test, kt_picks(svc, 3), "ABC");
}

static void rr_none_usable(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_rr, "A1 B1 C1");

	KUNIT_EXPECT_EQ(test, kt_pick(svc), 'A');
	kt_overload_all(svc, true);
	KUNIT_EXPECT_STREQ(test, kt_picks(svc, 2), "--");
	KUNIT_EXPECT_PTR_EQ(test, xvs_sched_rr.schedule(svc->state, NULL,
							 &svc->in),
			    (struct xvs_sched_dest *)NULL);
}

/* ---- wrr ----------------------------------------------------------------- */

static void wrr_classic_weights(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_wrr, "A4 B3 C2");

	KUNIT_EXPECT_STREQ(test, kt_picks(svc, 9), "AABABCABC");
	KUNIT_EXPECT_STREQ(test, kt_picks(svc, 18), "AABABCABCAABABCABC");
}

static void wrr_list_order_decides(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_wrr, "C2 B3 A4");

	KUNIT_EXPECT_STREQ(test, kt_picks(svc, 9), "ABACBACBA");
}

static void wrr_common_divisor(struct kunit *test)
{
	struct kt_svc *even = kt_svc4(test, &xvs_sched_wrr, "A6 B4 C2");
	struct kt_svc *unit = kt_svc4(test, &xvs_sched_wrr, "A3 B2 C1");

	KUNIT_EXPECT_STREQ(test, kt_picks(even, 12), "AABABCAABABC");
	KUNIT_EXPECT_STREQ(test, kt_picks(unit, 12), "AABABCAABABC");
}

static void wrr_weight_update_restarts(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_wrr, "A4 B3 C2");

	KUNIT_EXPECT_STREQ(test, kt_picks(svc, 3), "AAB");
	kt_weight(svc, 'B', 1);
	KUNIT_EXPECT_STREQ(test, kt_picks(svc, 13), "AACABCAAACABC");
}

static void wrr_add_and_remove(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_wrr, "A4 B2");
	struct kt_svc *rm = kt_svc4(test, &xvs_sched_wrr, "A4 B3 C2");

	KUNIT_EXPECT_EQ(test, kt_pick(svc), 'A');
	kt_add(svc, 'C', 6);
	KUNIT_EXPECT_STREQ(test, kt_picks(svc, 11), "CACABCCACAB");

	KUNIT_EXPECT_STREQ(test, kt_picks(rm, 3), "AAB");
	kt_remove(rm, 'A');
	KUNIT_EXPECT_STREQ(test, kt_picks(rm, 6), "BBCBCB");
}

static void wrr_overload(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_wrr, "A4 B3 C2");

	KUNIT_EXPECT_STREQ(test, kt_picks(svc, 3), "AAB");
	kt_overload_all(svc, true);
	KUNIT_EXPECT_STREQ(test, kt_picks(svc, 2), "--");
	kt_overload_all(svc, false);
	KUNIT_EXPECT_STREQ(test, kt_picks(svc, 9), "AABABCABC");
}

static void wrr_all_weights_zero(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_wrr, "A0 B0");

	KUNIT_EXPECT_STREQ(test, kt_picks(svc, 2), "--");
	kt_weight(svc, 'B', 2);
	KUNIT_EXPECT_STREQ(test, kt_picks(svc, 2), "BB");
}

/* ---- lc, wlc ------------------------------------------------------------- */

static void lc_least_overhead(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_lc, "A1 B1 C1");

	kt_conns(svc, 'A', 2, 0);	/* 514 */
	kt_conns(svc, 'B', 1, 5);	/* 262 */
	kt_conns(svc, 'C', 1, 3);	/* 260 */
	KUNIT_EXPECT_EQ(test, kt_pick(svc), 'C');
	kt_conns(svc, 'C', 1, 6);	/* 263 */
	KUNIT_EXPECT_EQ(test, kt_pick(svc), 'B');
}

static void lc_active_weighs_257(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_lc, "A1 B1");

	kt_conns(svc, 'A', 1, 0);
	kt_conns(svc, 'B', 0, 256);
	KUNIT_EXPECT_EQ(test, kt_pick(svc), 'B');
	kt_conns(svc, 'B', 0, 257);	/* tie: the first wins */
	KUNIT_EXPECT_EQ(test, kt_pick(svc), 'A');
}

static void lc_skips_overloaded_and_weight_zero(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_lc, "A1 B0 C1");

	kt_conns(svc, 'A', 0, 9);
	kt_conns(svc, 'C', 0, 1);
	KUNIT_EXPECT_EQ(test, kt_pick(svc), 'C');
	kt_overload(svc, 'C', true);
	KUNIT_EXPECT_EQ(test, kt_pick(svc), 'A');
	kt_overload(svc, 'A', true);
	KUNIT_EXPECT_EQ(test, kt_pick(svc), '-');
}

static void wlc_least_per_weight(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_wlc, "A1 B2");

	kt_conns(svc, 'A', 1, 0);	/* 257 / 1 */
	kt_conns(svc, 'B', 1, 100);	/* 357 / 2 */
	KUNIT_EXPECT_EQ(test, kt_pick(svc), 'B');
	kt_conns(svc, 'B', 1, 300);	/* 557 / 2 */
	KUNIT_EXPECT_EQ(test, kt_pick(svc), 'A');
}

static void wlc_tie_and_first_candidate(struct kunit *test)
{
	struct kt_svc *tie = kt_svc4(test, &xvs_sched_wlc, "A2 B1 C4");
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_wlc, "A0 B3 C1");

	kt_conns(tie, 'A', 2, 0);
	kt_conns(tie, 'B', 1, 0);
	kt_conns(tie, 'C', 4, 0);
	KUNIT_EXPECT_EQ(test, kt_pick(tie), 'A');

	KUNIT_EXPECT_EQ(test, kt_pick(svc), 'B');
	kt_overload(svc, 'B', true);
	KUNIT_EXPECT_EQ(test, kt_pick(svc), 'C');
}

static void wlc_compares_in_64_bits(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_wlc, "A100000 B30000");

	kt_conns(svc, 'A', 200000, 0);
	kt_conns(svc, 'B', 0, 15000000);
	KUNIT_EXPECT_EQ(test, kt_pick(svc), 'B');
}

/* ---- sed, nq, fo, ovf ---------------------------------------------------- */

static void sed_least_expected_delay(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_sed, "A1 B3 C2");

	kt_conns(svc, 'B', 2, 0);
	KUNIT_EXPECT_EQ(test, kt_pick(svc), 'C');
	kt_conns(svc, 'C', 1, 0);
	KUNIT_EXPECT_EQ(test, kt_pick(svc), 'A');
	kt_conns(svc, 'A', 1, 0);
	KUNIT_EXPECT_EQ(test, kt_pick(svc), 'B');
}

static void sed_inactive_do_not_count(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_sed, "A1 B1");
	struct kt_svc *idle = kt_svc4(test, &xvs_sched_sed, "A1 B4");

	kt_conns(svc, 'A', 0, 100);
	kt_conns(svc, 'B', 0, 1);
	KUNIT_EXPECT_EQ(test, kt_pick(svc), 'A');
	KUNIT_EXPECT_EQ(test, kt_pick(idle), 'B');
}

static void nq_first_idle_wins(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_nq, "A1 B100 C1 D1");

	kt_conns(svc, 'A', 3, 0);
	kt_conns(svc, 'B', 2, 0);
	kt_conns(svc, 'C', 0, 50);
	KUNIT_EXPECT_EQ(test, kt_pick(svc), 'C');
}

static void nq_without_idle_as_sed(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_nq, "A1 B2 C4");

	kt_conns(svc, 'A', 1, 0);
	kt_conns(svc, 'B', 1, 0);
	kt_conns(svc, 'C', 3, 0);
	KUNIT_EXPECT_EQ(test, kt_pick(svc), 'B');
	kt_conns(svc, 'C', 2, 0);
	KUNIT_EXPECT_EQ(test, kt_pick(svc), 'C');
}

static void fo_highest_weight_first(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_fo, "A2 B5 C5 D0");

	kt_conns(svc, 'B', 1000, 1000);
	KUNIT_EXPECT_STREQ(test, kt_picks(svc, 3), "BBB");
	kt_overload(svc, 'B', true);
	KUNIT_EXPECT_EQ(test, kt_pick(svc), 'C');
	kt_overload(svc, 'C', true);
	KUNIT_EXPECT_EQ(test, kt_pick(svc), 'A');
	kt_weight(svc, 'A', 0);
	KUNIT_EXPECT_EQ(test, kt_pick(svc), '-');
	kt_overload(svc, 'B', false);
	KUNIT_EXPECT_EQ(test, kt_pick(svc), 'B');
}

static void ovf_spills_over(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_ovf, "A2 B3 C3");

	kt_conns(svc, 'A', 1, 0);
	kt_conns(svc, 'B', 3, 0);
	KUNIT_EXPECT_EQ(test, kt_pick(svc), 'B');
	kt_conns(svc, 'B', 4, 0);
	KUNIT_EXPECT_EQ(test, kt_pick(svc), 'C');
	kt_conns(svc, 'C', 4, 99);
	KUNIT_EXPECT_EQ(test, kt_pick(svc), 'A');
	kt_conns(svc, 'A', 3, 0);
	KUNIT_EXPECT_EQ(test, kt_pick(svc), '-');
}

/* ---- dh, sh -------------------------------------------------------------- */

static void dh_bucket_modulo_list_length(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_dh, "A1 B1 C1");

	kt_from(svc, "10.9.9.9", 4000);
	KUNIT_EXPECT_EQ(test, kt_pick_to(svc, "192.168.0.1"), 'A');
	KUNIT_EXPECT_EQ(test, kt_pick_to(svc, "192.168.0.2"), 'B');
	KUNIT_EXPECT_EQ(test, kt_pick_to(svc, "192.168.0.3"), 'C');
	KUNIT_EXPECT_EQ(test, kt_pick_to(svc, "10.1.2.3"), 'C');
	KUNIT_EXPECT_EQ(test, kt_pick_to(svc, "172.16.5.9"), 'B');
}

static void dh_redealt_on_add_and_remove(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_dh, "A1 B1 C1");

	kt_add(svc, 'D', 1);
	KUNIT_EXPECT_EQ(test, kt_pick_to(svc, "192.168.0.1"), 'D');
	KUNIT_EXPECT_EQ(test, kt_pick_to(svc, "192.168.0.2"), 'B');
	KUNIT_EXPECT_EQ(test, kt_pick_to(svc, "192.168.0.3"), 'C');
	kt_remove(svc, 'D');
	kt_remove(svc, 'B');
	KUNIT_EXPECT_EQ(test, kt_pick_to(svc, "192.168.0.1"), 'A');
	KUNIT_EXPECT_EQ(test, kt_pick_to(svc, "192.168.0.2"), 'A');
	KUNIT_EXPECT_EQ(test, kt_pick_to(svc, "192.168.0.3"), 'C');
	kt_weight(svc, 'C', 0);
	KUNIT_EXPECT_EQ(test, kt_pick_to(svc, "192.168.0.3"), '-');
}

static void dh_ipv6_folds_four_words(struct kunit *test)
{
	struct kt_svc *svc = kt_svc_new(test, &xvs_sched_dh, "A1 B1 C1",
					AF_INET6);

	kt_from(svc, "2001:db8::99", 1);
	KUNIT_EXPECT_EQ(test, kt_pick_to(svc, "2001:db8::1"), 'A');
	KUNIT_EXPECT_EQ(test, kt_pick_to(svc, "2001:db8::2"), 'B');
}

static void sh_weighted_deal(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_sh, "A1 B2 C1");

	kt_to(svc, "10.0.0.100", 80);
	KUNIT_EXPECT_EQ(test, kt_pick_from(svc, "192.168.0.1", 0), 'A');
	KUNIT_EXPECT_EQ(test, kt_pick_from(svc, "192.168.0.2", 0), 'B');
	KUNIT_EXPECT_EQ(test, kt_pick_from(svc, "10.1.2.3", 1001), 'B');
	kt_weight(svc, 'C', 3);
	KUNIT_EXPECT_EQ(test, kt_pick_from(svc, "192.168.0.2", 0), 'C');
}

static void sh_port_flag(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_sh, "A1 B2 C1");

	svc->in.svc_flags = XVS_SVC_F_SCHED2;	/* sh-port */
	KUNIT_EXPECT_EQ(test, kt_pick_from(svc, "10.1.2.3", 1000), 'B');
	KUNIT_EXPECT_EQ(test, kt_pick_from(svc, "10.1.2.3", 1001), 'C');
	KUNIT_EXPECT_EQ(test, kt_pick_from(svc, "10.1.2.3", 1002), 'B');
	KUNIT_EXPECT_EQ(test, kt_pick_from(svc, "10.1.2.3", 1003), 'C');
	svc->in.protocol = IPPROTO_ICMP;
	KUNIT_EXPECT_EQ(test, kt_pick_from(svc, "10.1.2.3", 1001), 'B');
}

static void sh_fallback(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_sh, "A1 B2 C1");

	kt_overload(svc, 'B', true);
	KUNIT_EXPECT_EQ(test, kt_pick_from(svc, "10.1.2.3", 0), '-');
	svc->in.svc_flags = XVS_SVC_F_SCHED1;	/* sh-fallback */
	KUNIT_EXPECT_EQ(test, kt_pick_from(svc, "10.1.2.3", 0), 'A');
	kt_overload(svc, 'B', false);
	kt_weight(svc, 'A', 0);
	KUNIT_EXPECT_EQ(test, kt_pick_from(svc, "192.168.0.1", 0), 'B');
}

/* ---- mh ------------------------------------------------------------------ */

static char mh_owner(struct kt_svc *svc, unsigned int slot)
{
	return kt_name_of(svc, xvs_sched_mh_slot(svc->state, slot));
}

static void mh_table_and_first_claims(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_mh, "A1 B1 C1");
	unsigned int n[3] = { 0, 0, 0 }, i;

	KUNIT_EXPECT_PTR_EQ(test, xvs_sched_mh_slot(NULL, XVS_SCHED_MH_TAB_SIZE),
			    (struct xvs_sched_dest *)NULL);
	KUNIT_EXPECT_EQ(test, mh_owner(svc, 3450), 'A');
	KUNIT_EXPECT_EQ(test, mh_owner(svc, 4008), 'B');
	KUNIT_EXPECT_EQ(test, mh_owner(svc, 1684), 'C');
	KUNIT_EXPECT_EQ(test, mh_owner(svc, 2148), 'A');
	KUNIT_EXPECT_EQ(test, mh_owner(svc, 623), 'B');
	KUNIT_EXPECT_EQ(test, mh_owner(svc, 3545), 'C');
	for (i = 0; i < XVS_SCHED_MH_TAB_SIZE; i++) {
		char c = mh_owner(svc, i);

		if (c >= 'A' && c <= 'C')
			n[c - 'A']++;
	}
	KUNIT_EXPECT_EQ(test, n[0], 1365u);
	KUNIT_EXPECT_EQ(test, n[1], 1364u);
	KUNIT_EXPECT_EQ(test, n[2], 1364u);
}

static void mh_client_goes_to_its_slot(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_mh, "A1 B1 C1");

	KUNIT_EXPECT_EQ(test, kt_pick_from(svc, "192.168.0.1", 0),
			mh_owner(svc, 1278));
	KUNIT_EXPECT_EQ(test, kt_pick_from(svc, "192.168.0.2", 0),
			mh_owner(svc, 1806));
	KUNIT_EXPECT_EQ(test, kt_pick_from(svc, "10.1.2.3", 1000),
			mh_owner(svc, 1263));
	svc->in.svc_flags = XVS_SVC_F_SCHED2;	/* mh-port */
	KUNIT_EXPECT_EQ(test, kt_pick_from(svc, "10.1.2.3", 1000),
			mh_owner(svc, 3425));
}

/* ---- lblc, lblcr --------------------------------------------------------- */

static void lblc_sticks_while_not_overloaded(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_lblc, "A1 B1");

	kt_from(svc, "192.168.7.7", 3333);
	KUNIT_EXPECT_EQ(test, kt_pick_to(svc, "10.10.0.1"), 'A');
	kt_conns(svc, 'A', 1, 50);
	KUNIT_EXPECT_EQ(test, kt_pick_to(svc, "10.10.0.1"), 'A');
	KUNIT_EXPECT_EQ(test, kt_pick_to(svc, "10.10.0.2"), 'B');
	KUNIT_EXPECT_EQ(test, kt_pick_to(svc, "10.10.0.1"), 'A');
}

static void lblc_overload_rule(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_lblc, "A1 B4");

	KUNIT_EXPECT_EQ(test, kt_pick_to(svc, "10.10.0.1"), 'A');
	kt_conns(svc, 'A', 2, 0);
	kt_conns(svc, 'B', 2, 0);
	KUNIT_EXPECT_EQ(test, kt_pick_to(svc, "10.10.0.1"), 'A');
	kt_conns(svc, 'B', 1, 0);
	KUNIT_EXPECT_EQ(test, kt_pick_to(svc, "10.10.0.1"), 'B');
	kt_conns(svc, 'A', 0, 0);
	kt_conns(svc, 'B', 10, 0);
	KUNIT_EXPECT_EQ(test, kt_pick_to(svc, "10.10.0.1"), 'A');
}

static void lblc_lblcr_threshold_overload(struct kunit *test)
{
	struct kt_svc *lblc = kt_svc4(test, &xvs_sched_lblc, "A1 B1");
	struct kt_svc *lblcr = kt_svc4(test, &xvs_sched_lblcr, "A1 B1");

	KUNIT_EXPECT_EQ(test, kt_pick_to(lblc, "10.10.0.1"), 'A');
	kt_overload(lblc, 'A', true);
	KUNIT_EXPECT_EQ(test, kt_pick_to(lblc, "10.10.0.1"), 'A');
	KUNIT_EXPECT_EQ(test, kt_pick_to(lblc, "10.10.0.2"), 'B');

	KUNIT_EXPECT_EQ(test, kt_pick_to(lblcr, "10.10.0.1"), 'A');
	kt_overload(lblcr, 'A', true);
	KUNIT_EXPECT_EQ(test, kt_pick_to(lblcr, "10.10.0.1"), 'B');
	kt_overload(lblcr, 'A', false);
	kt_conns(lblcr, 'B', 1, 0);
	KUNIT_EXPECT_EQ(test, kt_pick_to(lblcr, "10.10.0.1"), 'A');
}

/* ---- twos (random draws: what holds for every draw, or by 10 sd) -------- */

static void twos_only_usable_destinations(struct kunit *test)
{
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_twos, "A1 B0 C3 D2");
	unsigned int i;

	kt_overload(svc, 'C', true);
	for (i = 0; i < 200; i++) {
		char c = kt_pick(svc);

		KUNIT_EXPECT_TRUE_MSG(test, c == 'A' || c == 'D',
				      "picked %c", c);
	}
	kt_overload(svc, 'A', true);
	KUNIT_EXPECT_STREQ(test, kt_picks(svc, 8), "DDDDDDDD");
	kt_overload(svc, 'D', true);
	KUNIT_EXPECT_EQ(test, kt_pick(svc), '-');
}

static void twos_less_loaded_of_two(struct kunit *test)
{
	/* Equal weights: whatever the draws, a busy one never wins
	 * against an idle one; only a double draw of A gives A.
	 */
	struct kt_svc *svc = kt_svc4(test, &xvs_sched_twos, "A1 B1");
	unsigned int i, a = 0;

	kt_conns(svc, 'A', 5, 0);
	for (i = 0; i < 2000; i++)
		if (kt_pick(svc) == 'A')
			a++;
	/*
	 * A draw in [0, 2] (IPVS's [0, W]) gives A for 0 and 1: P = 2/3, so
	 * P(both draws A) = 4/9, about 889 of 2000 picks (sd 22).  A choice
	 * that ignored the load (the first draw) would give about 1333 (sd
	 * 21).  The midpoint is 10 sd from each: chance cannot fail the test.
	 */
	KUNIT_EXPECT_LT(test, a, 2000u * 5 / 9);
	KUNIT_EXPECT_GT(test, a, 0u);
}

static struct kunit_case xvs_sched_cases[] = {
	KUNIT_CASE(rr_cycles_in_list_order),
	KUNIT_CASE(rr_skips_weight_zero_and_overloaded),
	KUNIT_CASE(rr_added_dest_goes_at_head),
	KUNIT_CASE(rr_removing_cursor_dest_steps_back),
	KUNIT_CASE(rr_removing_tail_under_cursor_wraps),
	KUNIT_CASE(rr_weight_zero_mid_sequence),
	KUNIT_CASE(rr_none_usable),
	KUNIT_CASE(wrr_classic_weights),
	KUNIT_CASE(wrr_list_order_decides),
	KUNIT_CASE(wrr_common_divisor),
	KUNIT_CASE(wrr_weight_update_restarts),
	KUNIT_CASE(wrr_add_and_remove),
	KUNIT_CASE(wrr_overload),
	KUNIT_CASE(wrr_all_weights_zero),
	KUNIT_CASE(lc_least_overhead),
	KUNIT_CASE(lc_active_weighs_257),
	KUNIT_CASE(lc_skips_overloaded_and_weight_zero),
	KUNIT_CASE(wlc_least_per_weight),
	KUNIT_CASE(wlc_tie_and_first_candidate),
	KUNIT_CASE(wlc_compares_in_64_bits),
	KUNIT_CASE(sed_least_expected_delay),
	KUNIT_CASE(sed_inactive_do_not_count),
	KUNIT_CASE(nq_first_idle_wins),
	KUNIT_CASE(nq_without_idle_as_sed),
	KUNIT_CASE(fo_highest_weight_first),
	KUNIT_CASE(ovf_spills_over),
	KUNIT_CASE(dh_bucket_modulo_list_length),
	KUNIT_CASE(dh_redealt_on_add_and_remove),
	KUNIT_CASE(dh_ipv6_folds_four_words),
	KUNIT_CASE(sh_weighted_deal),
	KUNIT_CASE(sh_port_flag),
	KUNIT_CASE(sh_fallback),
	KUNIT_CASE(mh_table_and_first_claims),
	KUNIT_CASE(mh_client_goes_to_its_slot),
	KUNIT_CASE(lblc_sticks_while_not_overloaded),
	KUNIT_CASE(lblc_overload_rule),
	KUNIT_CASE(lblc_lblcr_threshold_overload),
	KUNIT_CASE(twos_only_usable_destinations),
	KUNIT_CASE(twos_less_loaded_of_two),
	{}
};

static struct kunit_suite xvs_sched_suite = {
	.name = "xvs_sched",
	.exit = kt_sched_exit,
	.test_cases = xvs_sched_cases,
};

kunit_test_suite(xvs_sched_suite);
