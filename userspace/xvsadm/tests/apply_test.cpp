// apply: parsing of both description formats, validation with line
// numbers, and the diff against a current table.
#include "apply.hpp"
#include "format.hpp"
#include "cli.hpp"

#include <gtest/gtest.h>
#include <linux/ip_vs.h>

using namespace xvsadm;
using namespace xvsadm::apply;

namespace {

// The current table a kernel would report after the given -S lines were
// restored (the kernel adds the hashed flag).
Current as_kernel(const Table &t)
{
	Current c;
	for (const auto &ds : t.services) {
		xvs::Service s = ds.svc;
		s.flags |= IP_VS_SVC_F_HASHED;
		c.services.push_back(s);
		c.dests.push_back(ds.dests);
	}
	return c;
}

std::vector<std::string> described(const std::vector<Change> &cs)
{
	std::vector<std::string> out;
	for (const auto &c : cs)
		out.push_back(describe(c));
	return out;
}

const char *rules =
	"-A -t 10.0.0.1:80 -s rr\n"
	"-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 2\n"
	"-a -t 10.0.0.1:80 -r 10.0.1.2:80 -m -w 1\n"
	"\n"
	"# comment\n"
	"ipvsadm -A -f 7 -s sh -b sh-port\n"
	"-A -t [2001:db8::1]:443 -s lc -p 600 -M 64\n"
	"-a -t [2001:db8::1]:443 -r [2001:db8::10]:443 -i --tun-type gue --tun-port 6080 --tun-csum\n";

} // namespace

TEST(Apply, ParsesSaveFormat)
{
	Table t = parse(rules);
	ASSERT_EQ(t.services.size(), 3u);
	EXPECT_EQ(t.services[0].dests.size(), 2u);
	EXPECT_EQ(t.services[0].line, 1);
	EXPECT_EQ(t.services[1].svc.fwmark, 7u);
	EXPECT_EQ(t.services[1].line, 6);
	EXPECT_EQ(t.services[2].svc.netmask, 64u);
	ASSERT_EQ(t.services[2].dests.size(), 1u);
	EXPECT_EQ(t.services[2].dests[0].tun_port.value_or(0), 6080);
}

TEST(Apply, InvalidLineIsNamed)
{
	try {
		parse("-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.0.1.1 -w 2147483648\n");
		FAIL() << "accepted";
	} catch (const ParseError &e) {
		EXPECT_EQ(e.line, 2);
		EXPECT_EQ(e.message, "illegal weight specified");
	}
	try {
		parse("-A -t 10.0.0.1:80\n\n-a -t 10.0.0.9:80 -r 10.0.1.1\n");
		FAIL() << "accepted";
	} catch (const ParseError &e) {
		EXPECT_EQ(e.line, 3);
	}
	try {
		parse("-A -t 10.0.0.1:80\n-A -t 10.0.0.1:80 -s rr\n");
		FAIL() << "accepted";
	} catch (const ParseError &e) {
		EXPECT_EQ(e.line, 2);
		EXPECT_NE(e.message.find("defined twice"), std::string::npos);
	}
	try {
		parse("-C\n");
		FAIL() << "accepted";
	} catch (const ParseError &e) {
		EXPECT_EQ(e.line, 1);
	}
}

TEST(Apply, IdenticalTableNeedsNoChange)
{
	Table t = parse(rules);
	EXPECT_TRUE(diff(t, as_kernel(t)).empty());
}

TEST(Apply, FromEmptyAddsEverything)
{
	Table t = parse(rules);
	auto cs = described(diff(t, Current{}));
	EXPECT_EQ(cs, (std::vector<std::string>{
		"-A -t 10.0.0.1:80 -s rr",
		"-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 2 -x 0 -y 0",
		"-a -t 10.0.0.1:80 -r 10.0.1.2:80 -m -w 1 -x 0 -y 0",
		"-A -f 7 -s sh -b sh-port",
		"-A -t [2001:db8::1]:443 -s lc -p 600 -M 64",
		"-a -t [2001:db8::1]:443 -r [2001:db8::10]:443 -i -w 1 "
		"--tun-type gue --tun-port 6080 --tun-csum -x 0 -y 0",
	}));
}

TEST(Apply, SmallestChangeSet)
{
	Current cur = as_kernel(parse(rules));
	Table want = parse(
		"-A -t 10.0.0.1:80 -s wrr\n"			// edited
		"-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 2\n"	// same
		"-a -t 10.0.0.1:80 -r 10.0.1.3:80 -m -w 1\n"	// new (1.2 goes)
		"-A -t [2001:db8::1]:443 -s lc -p 600 -M 64\n"	// same
		"-a -t [2001:db8::1]:443 -r [2001:db8::10]:443 -i --tun-type gue --tun-port 6080 --tun-nocsum\n"
		"-A -u 10.0.0.1:53\n");				// new; FWM 7 goes
	auto cs = described(diff(want, cur));
	EXPECT_EQ(cs, (std::vector<std::string>{
		"-d -t 10.0.0.1:80 -r 10.0.1.2:80",
		"-D -f 7",
		"-E -t 10.0.0.1:80 -s wrr",
		"-a -t 10.0.0.1:80 -r 10.0.1.3:80 -m -w 1 -x 0 -y 0",
		"-e -t [2001:db8::1]:443 -r [2001:db8::10]:443 -i -w 1 "
		"--tun-type gue --tun-port 6080 --tun-nocsum -x 0 -y 0",
		"-A -u 10.0.0.1:53 -s wlc",
	}));
	// Applying the result again is a no-op.
	EXPECT_TRUE(diff(want, as_kernel(want)).empty());
}

TEST(Apply, ThresholdChangeIsAnEdit)
{
	Current cur = as_kernel(parse("-A -t 10.0.0.1:80\n"
				      "-a -t 10.0.0.1:80 -r 10.0.1.1 -x 10\n"));
	auto cs = described(diff(parse("-A -t 10.0.0.1:80\n"
				       "-a -t 10.0.0.1:80 -r 10.0.1.1 -x 20\n"),
				 cur));
	EXPECT_EQ(cs, (std::vector<std::string>{
		"-e -t 10.0.0.1:80 -r 10.0.1.1:80 -g -w 1 -x 20 -y 0"}));
}

TEST(Apply, JsonFormatRoundTrip)
{
	const char *doc = R"({
  "format": "xvsadm-1",
  "services": [
    {
      "family": "inet", "fwmark": null, "protocol": "TCP",
      "address": "10.0.0.1", "port": 80, "scheduler": "rr",
      "sched_flags": [], "persistent": true, "timeout": 60,
      "netmask": "255.255.255.0", "pe": null, "ops": false,
      "stats": {"conns": 5},
      "destinations": [
        {"family": "inet", "address": "10.0.1.1", "port": 8080,
         "forward": "masq", "weight": 3, "u_threshold": 0,
         "l_threshold": 0, "tunnel": null}
      ]
    },
    {"family": "inet6", "fwmark": 9, "scheduler": "sh",
     "sched_flags": ["sh-port"], "destinations": []}
  ]
})";
	Table t = parse(doc);
	ASSERT_EQ(t.services.size(), 2u);
	EXPECT_EQ(t.services[0].svc.timeout, 60u);
	EXPECT_EQ(t.services[0].dests[0].port, 8080);
	EXPECT_EQ(t.services[0].dests[0].weight, 3);
	EXPECT_EQ(t.services[1].svc.af, AF_INET6);
	EXPECT_EQ(t.services[1].svc.fwmark, 9u);
	EXPECT_EQ(t.services[1].line, 16);
	// The same table in the -S format gives no difference.
	Table same = parse("-A -t 10.0.0.1:80 -s rr -p 60 -M 255.255.255.0\n"
			   "-a -t 10.0.0.1:80 -r 10.0.1.1:8080 -m -w 3\n"
			   "-A -f 9 -6 -s sh -b sh-port\n");
	EXPECT_TRUE(diff(t, as_kernel(same)).empty());
}

TEST(Apply, JsonErrorsNameTheLine)
{
	try {
		parse("{\n \"services\": [\n  {\"protocol\": \"TCP\",\n"
		      "   \"address\": \"10.0.0.1\", \"port\": 80,\n"
		      "   \"destinations\": [\n    {\"address\": \"10.0.1.1\","
		      " \"weight\": -4}\n   ]}\n ]\n}\n");
		FAIL() << "accepted";
	} catch (const ParseError &e) {
		EXPECT_EQ(e.line, 6);
		EXPECT_EQ(e.message, "illegal weight specified");
	}
	try {
		parse("{\n \"services\": [\n  {\"protocol\": \"TCP\",,}\n ]\n}\n");
		FAIL() << "accepted";
	} catch (const ParseError &e) {
		EXPECT_EQ(e.line, 3);
	}
	// Escapes: a bad or cut-off \u is an error of its line, a good one
	// is decoded.
	for (const char *bad : {"\\uZZZZ", "\\u12", "\\u00G1"}) {
		try {
			parse(std::string("{\n\"services\": [{\"protocol\": \"") +
			      bad + "\"}]}");
			FAIL() << "accepted " << bad;
		} catch (const ParseError &e) {
			EXPECT_EQ(e.line, 2) << bad;
			EXPECT_EQ(e.message, "bad \\u escape") << bad;
		}
	}
	Table t = parse("{\"services\": [{\"protocol\": \"\\u0074cp\", "
			"\"address\": \"10.0.0.1\", \"port\": 80}]}");
	ASSERT_EQ(t.services.size(), 1u);
	EXPECT_EQ(t.services[0].svc.protocol, IPPROTO_TCP);
}

// The rules are the whole table: a per-service timeout they give is set, one
// they leave out goes back to the global value (an edit sending 0).
TEST(Apply, ServiceTimeoutsAreSettings)
{
	Current cur = as_kernel(parse("-A -u 10.0.0.1:53 -s rr\n"
				      "-A -t 10.0.0.1:80 -s rr "
				      "--timeout-tcp 33\n"));
	Table want = parse("-A -u 10.0.0.1:53 -s rr --timeout-udp 5\n"
			   "-A -t 10.0.0.1:80 -s rr\n");
	auto cs = diff(want, cur);
	ASSERT_EQ(cs.size(), 2u);
	EXPECT_EQ(describe(cs[0]), "-E -u 10.0.0.1:53 -s rr --timeout-udp 5");
	EXPECT_EQ(cs[1].svc.conn_timeouts.tcp,
		  std::optional<std::uint32_t>(0));
	EXPECT_TRUE(diff(want, as_kernel(want)).empty());

	// The JSON form names them as --format json lists them.
	Table j = parse(R"({"services": [{"family": "inet",
	  "protocol": "UDP", "address": "10.0.0.1", "port": 53,
	  "scheduler": "rr", "timeout_udp": 5, "timeout_tcp": 0}]})");
	ASSERT_EQ(j.services.size(), 1u);
	EXPECT_EQ(j.services[0].svc.conn_timeouts.udp,
		  std::optional<std::uint32_t>(5));
	EXPECT_EQ(diff(j, as_kernel(want)).size(), 1u);	// only :80 goes
}
