// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the TCP and SCTP state machines of the core (core/proto_tcp.c,
 * core/proto_sctp.c) as the module runs them: state sequences of whole
 * conversations, flag precedence, bad input, and IPVS's complete SCTP
 * transition table.
 */
#include <kunit/test.h>
#include <linux/string.h>

#include "core/xvs_proto.h"

#define IN	XVS_DIR_INPUT
#define OUT	XVS_DIR_OUTPUT
#define IN_ONLY	XVS_DIR_INPUT_ONLY
#define SYN	XVS_TCP_FLAG_SYN
#define FIN	XVS_TCP_FLAG_FIN
#define ACK	XVS_TCP_FLAG_ACK
#define RST	XVS_TCP_FLAG_RST

struct tcp_pkt {
	enum xvs_dir dir;
	unsigned int flags;
};

/* The state names after each packet, from NONE, space separated. */
static const char *tcp_walk(struct kunit *test, const struct tcp_pkt *p,
			    unsigned int n)
{
	enum xvs_tcp_state s = XVS_TCP_S_NONE;
	char *trace = kunit_kzalloc(test, 256, GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, trace);
	for (i = 0; i < n; i++) {
		s = xvs_tcp_next_state(s, p[i].dir, p[i].flags);
		if (i)
			strlcat(trace, " ", 256);
		strlcat(trace, xvs_tcp_state_name(s), 256);
	}
	return trace;
}

#define TCP_WALK(test, ...) ({						\
	static const struct tcp_pkt __p[] = { __VA_ARGS__ };		\
	tcp_walk(test, __p, ARRAY_SIZE(__p));				\
})

static void tcp_nat_client_close(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test,
			   TCP_WALK(test, { IN, SYN }, { OUT, SYN | ACK },
				    { IN, ACK }, { IN, ACK }, { OUT, ACK },
				    { IN, FIN | ACK }, { OUT, ACK },
				    { OUT, FIN | ACK }, { IN, ACK }),
			   "SYN_RECV SYN_RECV ESTABLISHED ESTABLISHED ESTABLISHED CLOSE_WAIT CLOSE_WAIT TIME_WAIT TIME_WAIT");
}

static void tcp_nat_server_close(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test,
			   TCP_WALK(test, { IN, SYN }, { OUT, SYN | ACK },
				    { IN, ACK }, { OUT, FIN | ACK },
				    { IN, ACK }, { IN, FIN | ACK },
				    { OUT, ACK }),
			   "SYN_RECV SYN_RECV ESTABLISHED FIN_WAIT FIN_WAIT TIME_WAIT TIME_WAIT");
}

static void tcp_reset_from_either_side(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test,
			   TCP_WALK(test, { IN, SYN }, { OUT, SYN | ACK },
				    { IN, ACK }, { IN, RST }),
			   "SYN_RECV SYN_RECV ESTABLISHED CLOSE");
	KUNIT_EXPECT_STREQ(test,
			   TCP_WALK(test, { IN, SYN }, { OUT, RST | ACK }),
			   "SYN_RECV CLOSE");
	KUNIT_EXPECT_STREQ(test, TCP_WALK(test, { IN, SYN }, { IN, RST }),
			   "SYN_RECV SYN_RECV");
	KUNIT_EXPECT_EQ(test, xvs_tcp_next_state(XVS_TCP_S_TIME_WAIT, OUT, RST),
			XVS_TCP_S_TIME_WAIT);
	KUNIT_EXPECT_EQ(test, xvs_tcp_next_state(XVS_TCP_S_TIME_WAIT, IN, RST),
			XVS_TCP_S_CLOSE);
}

static void tcp_direct_routing_input_only(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test,
			   TCP_WALK(test, { IN_ONLY, SYN }, { IN_ONLY, ACK },
				    { IN_ONLY, ACK }, { IN_ONLY, FIN | ACK },
				    { IN_ONLY, ACK }),
			   "SYN_RECV ESTABLISHED ESTABLISHED FIN_WAIT FIN_WAIT");
	KUNIT_EXPECT_EQ(test,
			xvs_tcp_next_state(XVS_TCP_S_ESTABLISHED, IN, FIN),
			XVS_TCP_S_CLOSE_WAIT);
	KUNIT_EXPECT_EQ(test,
			xvs_tcp_next_state(XVS_TCP_S_ESTABLISHED, IN_ONLY, FIN),
			XVS_TCP_S_FIN_WAIT);
	KUNIT_EXPECT_EQ(test, xvs_tcp_next_state(XVS_TCP_S_SYNACK, IN_ONLY, RST),
			XVS_TCP_S_CLOSE);
	KUNIT_EXPECT_EQ(test, xvs_tcp_next_state(XVS_TCP_S_SYNACK, IN, RST),
			XVS_TCP_S_SYN_RECV);
}

static void tcp_syn_reopens(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xvs_tcp_next_state(XVS_TCP_S_TIME_WAIT, IN, SYN),
			XVS_TCP_S_SYN_RECV);
	KUNIT_EXPECT_EQ(test, xvs_tcp_next_state(XVS_TCP_S_CLOSE, IN, SYN),
			XVS_TCP_S_SYN_RECV);
	KUNIT_EXPECT_EQ(test, xvs_tcp_next_state(XVS_TCP_S_NONE, OUT, SYN),
			XVS_TCP_S_SYN_SENT);
	KUNIT_EXPECT_EQ(test, xvs_tcp_next_state(XVS_TCP_S_LISTEN, OUT, ACK),
			XVS_TCP_S_ESTABLISHED);
}

static void tcp_flag_precedence(struct kunit *test)
{
	const enum xvs_tcp_state es = XVS_TCP_S_ESTABLISHED;

	KUNIT_EXPECT_EQ(test, xvs_tcp_next_state(es, IN, RST | SYN | FIN | ACK),
			XVS_TCP_S_CLOSE);
	KUNIT_EXPECT_EQ(test, xvs_tcp_next_state(es, IN, SYN | FIN | ACK), es);
	KUNIT_EXPECT_EQ(test, xvs_tcp_next_state(es, IN, FIN | ACK),
			XVS_TCP_S_CLOSE_WAIT);
	KUNIT_EXPECT_EQ(test, xvs_tcp_next_state(es, IN, ACK), es);
	KUNIT_EXPECT_EQ(test, xvs_tcp_next_state(es, IN, 0), XVS_TCP_S_CLOSE);
}

static void tcp_bad_input_closes(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xvs_tcp_next_state(XVS_TCP_S_LAST, IN, ACK),
			XVS_TCP_S_CLOSE);
	KUNIT_EXPECT_EQ(test, xvs_tcp_next_state((enum xvs_tcp_state)-1, IN,
						 ACK),
			XVS_TCP_S_CLOSE);
	KUNIT_EXPECT_EQ(test, xvs_tcp_next_state(XVS_TCP_S_NONE,
						 (enum xvs_dir)3, ACK),
			XVS_TCP_S_CLOSE);
	KUNIT_EXPECT_STREQ(test, xvs_tcp_state_name(XVS_TCP_S_LAST), "ERR!");
	KUNIT_EXPECT_STREQ(test, xvs_tcp_state_name(XVS_TCP_S_SYNACK), "SYNACK");
}

static void tcp_active_states(struct kunit *test)
{
	unsigned int s, active = 0;

	for (s = 0; s < XVS_TCP_S_LAST; s++)
		active += xvs_tcp_state_active(s);
	KUNIT_EXPECT_EQ(test, active, 4u);
	KUNIT_EXPECT_TRUE(test, xvs_tcp_state_active(XVS_TCP_S_SYN_RECV));
	KUNIT_EXPECT_FALSE(test, xvs_tcp_state_active(XVS_TCP_S_TIME_WAIT));
	/* the default timeouts ipvsadm --timeout shows: 900 120 300 */
	KUNIT_EXPECT_EQ(test, xvs_tcp_default_timeout[XVS_TCP_S_ESTABLISHED],
			900u);
	KUNIT_EXPECT_EQ(test, xvs_tcp_default_timeout[XVS_TCP_S_FIN_WAIT],
			120u);
	KUNIT_EXPECT_EQ(test, xvs_udp_default_timeout[XVS_UDP_S_NORMAL], 300u);
}

/* ---- SCTP ---------------------------------------------------------------- */

/* State codes in enum order, NONE first. */
static const char *const sctp_codes[XVS_SCTP_S_LAST] = {
	"NO", "I1", "IN", "CS", "CR", "CW", "CO", "CE", "ES", "SS", "SR", "SA",
	"RJ", "CL",
};

struct sctp_row {
	enum xvs_dir dir;
	enum xvs_sctp_event event;
	const char *next;	/* the next state for each state, in order */
};

/* IPVS's table (net/netfilter/ipvs/ip_vs_proto_sctp.c), row by row. */
static const struct sctp_row sctp_table[] = {
	{ IN, XVS_SCTP_EV_DATA, "ES I1 IN CS CR CW CO CE ES SS SR SA RJ CL" },
	{ IN, XVS_SCTP_EV_INIT, "I1 IN IN CS CR CW CO CE ES SS SR SA IN IN" },
	{ IN, XVS_SCTP_EV_INIT_ACK, "CW CW CW CS CR CO CO CE ES SS SR SA RJ CL" },
	{ IN, XVS_SCTP_EV_COOKIE_ECHO, "CR IN IN CR CR CW CO CE ES SS SR SA RJ CL" },
	{ IN, XVS_SCTP_EV_COOKIE_ACK, "ES I1 IN CS CR CW CO ES ES SS SR SA RJ CL" },
	{ IN, XVS_SCTP_EV_SHUTDOWN, "SR I1 IN CS CR CW CO CE SR SS SR SA RJ CL" },
	{ IN, XVS_SCTP_EV_SHUTDOWN_ACK, "CL IN IN CS CR CW CO CE ES CL SR CL RJ CL" },
	{ IN, XVS_SCTP_EV_SHUTDOWN_COMPLETE, "CL CL CL CS CR CW CO CE ES SS SR CL RJ CL" },
	{ IN, XVS_SCTP_EV_ERROR, "CL I1 IN CS CR CW CO CL ES SS SR SA RJ CL" },
	{ IN, XVS_SCTP_EV_ABORT, "CL CL CL CL CL RJ CL CL CL CL CL CL CL CL" },
	{ OUT, XVS_SCTP_EV_DATA, "ES I1 IN CS CR CW CO CE ES SS SR SA RJ CL" },
	{ OUT, XVS_SCTP_EV_INIT, "CW CW CW CW CW CW CW CW ES CW CW CW CW CW" },
	{ OUT, XVS_SCTP_EV_INIT_ACK, "CS CS CS CS CR CW CO CE ES SS SR SA RJ CL" },
	{ OUT, XVS_SCTP_EV_COOKIE_ECHO, "CE CE CE CE CE CE CE CE ES SS SR SA RJ CL" },
	{ OUT, XVS_SCTP_EV_COOKIE_ACK, "ES ES ES ES ES ES ES ES ES SS SR SA RJ CL" },
	{ OUT, XVS_SCTP_EV_SHUTDOWN, "SS SS SS SS SS SS SS SS SS SS SR SA RJ CL" },
	{ OUT, XVS_SCTP_EV_SHUTDOWN_ACK, "SA SA SA SA SA CW CO CE ES SA SA SA RJ CL" },
	{ OUT, XVS_SCTP_EV_SHUTDOWN_COMPLETE, "CL I1 IN CS CR CW CO CE ES SS SR SA RJ CL" },
	{ OUT, XVS_SCTP_EV_ERROR, "CL CL CL CL CL CW CO CE ES SS SR SA RJ CL" },
	{ OUT, XVS_SCTP_EV_ABORT, "CL RJ CL CL CL CL CL CL CL CL CL CL CL CL" },
	{ IN_ONLY, XVS_SCTP_EV_DATA, "ES I1 IN CS CR ES CO CE ES SS SR SA RJ CL" },
	{ IN_ONLY, XVS_SCTP_EV_INIT, "I1 IN IN IN IN IN CO CE ES SS SR SA IN IN" },
	{ IN_ONLY, XVS_SCTP_EV_INIT_ACK, "CE CE CE CE CE CE CO CE ES SS SR SA RJ CL" },
	{ IN_ONLY, XVS_SCTP_EV_COOKIE_ECHO, "ES ES ES ES ES ES CO CE ES SS SR SA RJ CL" },
	{ IN_ONLY, XVS_SCTP_EV_COOKIE_ACK, "ES I1 IN ES ES CW ES ES ES SS SR SA RJ CL" },
	{ IN_ONLY, XVS_SCTP_EV_SHUTDOWN, "SR I1 IN CS CR CW CO CE SR SS SR SA RJ CL" },
	{ IN_ONLY, XVS_SCTP_EV_SHUTDOWN_ACK, "CL IN IN CS CR CW CO CE CL CL SR CL RJ CL" },
	{ IN_ONLY, XVS_SCTP_EV_SHUTDOWN_COMPLETE, "CL CL CL CL CL CW CO CE ES SS CL CL RJ CL" },
	{ IN_ONLY, XVS_SCTP_EV_ERROR, "CL I1 IN CS CR CW CO CE ES SS SR SA RJ CL" },
	{ IN_ONLY, XVS_SCTP_EV_ABORT, "CL CL CL CL CL RJ CL CL CL CL CL CL CL CL" },
};

static void sctp_every_transition(struct kunit *test)
{
	unsigned int r, s, c;

	KUNIT_ASSERT_EQ(test, ARRAY_SIZE(sctp_table), 3u * XVS_SCTP_EV_LAST);
	for (r = 0; r < ARRAY_SIZE(sctp_table); r++) {
		const struct sctp_row *row = &sctp_table[r];
		const char *p = row->next;

		for (s = 0; s < XVS_SCTP_S_LAST; s++, p += 3) {
			enum xvs_sctp_state got;

			KUNIT_ASSERT_GE(test, strlen(p), 2u);
			got = xvs_sctp_next_state(s, row->dir, row->event);
			for (c = 0; c < XVS_SCTP_S_LAST; c++)
				if (!strncmp(p, sctp_codes[c], 2))
					break;
			KUNIT_EXPECT_EQ_MSG(test, (unsigned int)got, c,
					    "dir %d event %d state %s",
					    row->dir, row->event,
					    sctp_codes[s]);
		}
	}
}

static void sctp_out_of_range_closes(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xvs_sctp_next_state(XVS_SCTP_S_LAST, IN,
						  XVS_SCTP_EV_DATA),
			XVS_SCTP_S_CLOSED);
	KUNIT_EXPECT_EQ(test, xvs_sctp_next_state(XVS_SCTP_S_NONE,
						  (enum xvs_dir)7,
						  XVS_SCTP_EV_INIT),
			XVS_SCTP_S_CLOSED);
	KUNIT_EXPECT_EQ(test, xvs_sctp_next_state(XVS_SCTP_S_ESTABLISHED, IN,
						  XVS_SCTP_EV_LAST),
			XVS_SCTP_S_CLOSED);
	KUNIT_EXPECT_STREQ(test, xvs_sctp_state_name(XVS_SCTP_S_LAST), "ERR!");
}

static void sctp_chunk_events(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xvs_sctp_packet_event(XVS_SCTP_CID_INIT, false, 0),
			XVS_SCTP_EV_INIT);
	KUNIT_EXPECT_EQ(test, xvs_sctp_packet_event(XVS_SCTP_CID_SACK, false, 0),
			XVS_SCTP_EV_DATA);
	KUNIT_EXPECT_EQ(test, xvs_sctp_packet_event(0xc1, false, 0),
			XVS_SCTP_EV_DATA);
	KUNIT_EXPECT_EQ(test,
			xvs_sctp_packet_event(XVS_SCTP_CID_SHUTDOWN_COMPLETE,
					      false, 0),
			XVS_SCTP_EV_SHUTDOWN_COMPLETE);
	/* ABORT bundled after COOKIE-ECHO / COOKIE-ACK counts as ABORT */
	KUNIT_EXPECT_EQ(test,
			xvs_sctp_packet_event(XVS_SCTP_CID_COOKIE_ECHO, true,
					      XVS_SCTP_CID_ABORT),
			XVS_SCTP_EV_ABORT);
	KUNIT_EXPECT_EQ(test,
			xvs_sctp_packet_event(XVS_SCTP_CID_COOKIE_ACK, true,
					      XVS_SCTP_CID_ABORT),
			XVS_SCTP_EV_ABORT);
	KUNIT_EXPECT_EQ(test,
			xvs_sctp_packet_event(XVS_SCTP_CID_COOKIE_ECHO, true,
					      XVS_SCTP_CID_DATA),
			XVS_SCTP_EV_COOKIE_ECHO);
	KUNIT_EXPECT_TRUE(test, xvs_sctp_state_active(XVS_SCTP_S_ESTABLISHED));
	KUNIT_EXPECT_FALSE(test, xvs_sctp_state_active(XVS_SCTP_S_COOKIE_ECHOED));
}

static struct kunit_case xvs_proto_cases[] = {
	KUNIT_CASE(tcp_nat_client_close),
	KUNIT_CASE(tcp_nat_server_close),
	KUNIT_CASE(tcp_reset_from_either_side),
	KUNIT_CASE(tcp_direct_routing_input_only),
	KUNIT_CASE(tcp_syn_reopens),
	KUNIT_CASE(tcp_flag_precedence),
	KUNIT_CASE(tcp_bad_input_closes),
	KUNIT_CASE(tcp_active_states),
	KUNIT_CASE(sctp_every_transition),
	KUNIT_CASE(sctp_out_of_range_closes),
	KUNIT_CASE(sctp_chunk_events),
	{}
};

static struct kunit_suite xvs_proto_suite = {
	.name = "xvs_proto",
	.test_cases = xvs_proto_cases,
};

kunit_test_suite(xvs_proto_suite);
