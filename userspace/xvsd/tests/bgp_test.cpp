// BGP announcements (ldirectord.cf bgp= and announce=): the parser, which
// prefixes the health states call for, the vtysh commands and their
// retries, and the director announcing only a table it has loaded.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "bgp.hpp"
#include "director.hpp"
#include "ldirectord_cf.hpp"
#include "xvs/error.hpp"

using namespace xvsd;
using namespace std::chrono_literals;

namespace {

std::string error_of(const std::string &text)
{
	try {
		parse_ldirectord(text, "x.cf");
	} catch (const xvs::Error &e) {
		EXPECT_EQ(e.code(), EINVAL);
		return e.what();
	}
	return "";
}

const char *tier =
	"bgp = 65001\n"
	"checktimeout = 1\n"
	"virtual = 10.99.0.100:80\n"
	"\treal = 10.0.0.21:80 gate\n"
	"\treal = 10.0.0.22:80 gate\n"
	"\tscheduler = mh\n"
	"virtual = 10.99.0.100:9000\n"
	"\treal = 10.0.0.21:9000 gate\n"
	"virtual = 10.99.0.200:80\n"
	"\treal = 10.0.0.21:80 gate\n"
	"\tannounce = no\n"
	"virtual = [2001:db8::80]:80\n"
	"\treal = [2001:db8::21]:80 gate\n"
	"virtual = 7\n"
	"\treal = 10.0.0.23:80 gate\n"
	"\tannounce = 10.98.0.0/24\n"
	"virtual = 8\n"
	"\treal = 10.0.0.23:80 gate\n";

// Every command the announcer runs, and the answer a test wants.
struct FakeVtysh {
	std::vector<std::string> calls;		// the last -c argument of each
	std::string answer;			// "" success, else the error
	BgpAnnouncer::Runner runner()
	{
		return [this](const std::vector<std::string> &argv) {
			EXPECT_EQ(argv.at(0), "vtysh");
			calls.push_back(argv.at(4) + " | " + argv.at(6) + " | " + argv.back());
			return answer;
		};
	}
};

void set_up(HealthBook &b, const VirtualService &vs, std::size_t real, bool up)
{
	// failurecount is 1: one result decides
	b.record(vs, vs.reals.at(real), up, up ? "ok" : "refused", 1ms);
}

} // namespace

TEST(BgpConfig, Prefixes)
{
	LdConfig c = parse_ldirectord(tier, "x.cf");
	ASSERT_TRUE(c.bgp_as);
	EXPECT_EQ(*c.bgp_as, 65001u);
	ASSERT_EQ(c.virtuals.size(), 6u);
	// the virtual address as a host route unless told otherwise
	EXPECT_EQ(c.virtuals[0].announce, "10.99.0.100/32");
	EXPECT_EQ(c.virtuals[1].announce, "10.99.0.100/32");
	EXPECT_EQ(c.virtuals[2].announce, "");
	EXPECT_EQ(c.virtuals[3].announce, "2001:db8::80/128");
	EXPECT_EQ(c.virtuals[4].announce, "10.98.0.0/24");
	// a firewall mark has no address to announce
	EXPECT_EQ(c.virtuals[5].announce, "");
}

TEST(BgpConfig, NothingWithoutBgp)
{
	LdConfig c = parse_ldirectord("virtual = 10.0.0.1:80\n\treal = 10.0.0.2:80\n", "x.cf");
	EXPECT_FALSE(c.bgp_as);
	EXPECT_EQ(c.virtuals[0].announce, "");
	HealthBook b;
	set_up(b, c.virtuals[0], 0, true);
	EXPECT_TRUE(wanted_prefixes(c, b).empty());
}

TEST(BgpConfig, BadLinesNameFileAndLine)
{
	EXPECT_EQ(error_of("bgp = 0\n"),
		  "x.cf:1: bad bgp '0' (the AS number of router bgp, 1 to 4294967295)");
	EXPECT_EQ(error_of("\n\nbgp = 4294967296\n"),
		  "x.cf:3: bad bgp '4294967296' (the AS number of router bgp, 1 to 4294967295)");
	EXPECT_EQ(error_of("bgp = as65001\n"),
		  "x.cf:1: bad bgp 'as65001' (the AS number of router bgp, 1 to 4294967295)");
	EXPECT_EQ(error_of("virtual = 10.0.0.1:80\n\treal = 10.0.0.2:80\n\tannounce = yes\n"),
		  "x.cf:3: announce= needs the global bgp= (the AS of router bgp)");
	EXPECT_EQ(error_of("bgp = 1\nvirtual = 10.0.0.1:80\n\tannounce = 10.0.0.1/24\n"),
		  "x.cf:3: bad announce: '10.0.0.1/24' has host bits set (yes, no or a prefix)");
	EXPECT_EQ(error_of("bgp = 1\nvirtual = 10.0.0.1:80\n\tannounce = 10.0.0.1/33\n"),
		  "x.cf:3: bad announce: bad prefix length in '10.0.0.1/33' (0 to 32) (yes, no or a prefix)");
	EXPECT_EQ(error_of("bgp = 1\nvirtual = 10.0.0.1:80\n\tannounce = 10.0.0.1\n"),
		  "x.cf:3: bad announce: expected address/length, got '10.0.0.1' (yes, no or a prefix)");
	EXPECT_EQ(error_of("bgp = 1\nvirtual = 10.0.0.1:80\n\tannounce = vip/32\n"),
		  "x.cf:3: bad announce: bad address in 'vip/32' (yes, no or a prefix)");
	EXPECT_EQ(error_of("bgp = 1\nvirtual = 5\n\treal = 10.0.0.2:80\n\tannounce = yes\n"),
		  "x.cf:4: announce=yes on a firewall-mark service: name the prefix "
		  "(announce=A.B.C.D/32)");
	EXPECT_EQ(error_of("bgp = 1\nvirtual = 10.0.0.1:80\n\tbgp = 2\n"),
		  "x.cf:3: bgp= is a global setting, not valid in a virtual section");
	EXPECT_EQ(error_of("announce = yes\n"), "x.cf:1: announce= outside a virtual section");
	EXPECT_EQ(error_of("bgp = 1\nvirtual = [2001:db8::1]:80\n\tannounce = 2001:db8::/129\n"),
		  "x.cf:3: bad announce: bad prefix length in '2001:db8::/129' (0 to 128) "
		  "(yes, no or a prefix)");
}

TEST(BgpPrefixes, WhileARealServerIsUp)
{
	LdConfig c = parse_ldirectord(tier, "x.cf");
	HealthBook b;
	// nothing checked yet: nothing announced
	EXPECT_TRUE(wanted_prefixes(c, b).empty());
	// one of :80's two up, :9000's one down: the VIP's :9000 cannot be
	// served, so the VIP is not announced
	set_up(b, c.virtuals[0], 0, false);
	set_up(b, c.virtuals[0], 1, true);
	set_up(b, c.virtuals[1], 0, false);
	set_up(b, c.virtuals[3], 0, true);
	EXPECT_EQ(wanted_prefixes(c, b), (PrefixSet{{"2001:db8::80/128", true}}));
	set_up(b, c.virtuals[1], 0, true);
	set_up(b, c.virtuals[4], 0, true);
	EXPECT_EQ(wanted_prefixes(c, b), (PrefixSet{{"10.98.0.0/24", false},
						    {"10.99.0.100/32", false},
						    {"2001:db8::80/128", true}}));
	set_up(b, c.virtuals[0], 1, false);
	EXPECT_EQ(wanted_prefixes(c, b), (PrefixSet{{"10.98.0.0/24", false},
						    {"2001:db8::80/128", true}}));
}

TEST(BgpPrefixes, WeightZeroIsNotLive)
{
	LdConfig c = parse_ldirectord("bgp = 65001\nvirtual = 10.0.0.1:80\n"
				      "\treal = 10.0.0.2:80 gate 0\n", "x.cf");
	HealthBook b;
	set_up(b, c.virtuals[0], 0, true);
	EXPECT_TRUE(wanted_prefixes(c, b).empty());
}

TEST(BgpAnnouncer, AnnouncesAndWithdrawsOnce)
{
	Logger log;
	log.set_quiet(true);
	FakeVtysh v;
	BgpAnnouncer a(log, v.runner());
	a.update(65001, {{"10.99.0.100/32", false}, {"2001:db8::80/128", true}}, "x");
	EXPECT_EQ(v.calls, (std::vector<std::string>{
		"router bgp 65001 | address-family ipv4 unicast | network 10.99.0.100/32",
		"router bgp 65001 | address-family ipv6 unicast | network 2001:db8::80/128"}));
	v.calls.clear();
	// unchanged: no command
	a.update(65001, {{"10.99.0.100/32", false}, {"2001:db8::80/128", true}}, "x");
	EXPECT_TRUE(v.calls.empty());
	a.update(65001, {{"2001:db8::80/128", true}}, "x");
	EXPECT_EQ(v.calls, (std::vector<std::string>{
		"router bgp 65001 | address-family ipv4 unicast | no network 10.99.0.100/32"}));
	v.calls.clear();
	a.withdraw_all("stop");
	EXPECT_EQ(v.calls, (std::vector<std::string>{
		"router bgp 65001 | address-family ipv6 unicast | no network 2001:db8::80/128"}));
	EXPECT_TRUE(a.announced().empty());
}

TEST(BgpAnnouncer, FailuresAreRetried)
{
	Logger log;
	log.set_quiet(true);
	FakeVtysh v;
	BgpAnnouncer a(log, v.runner());
	v.answer = "% BGP instance not found";
	a.update(65001, {{"10.99.0.100/32", false}}, "x");
	EXPECT_TRUE(a.announced().empty());
	v.answer = "";
	a.update(65001, {{"10.99.0.100/32", false}}, "x");
	EXPECT_EQ(a.announced(), (PrefixSet{{"10.99.0.100/32", false}}));
	// a withdrawal that fails keeps the prefix, and is tried again
	v.answer = "vtysh timed out";
	a.withdraw_all("stop");
	EXPECT_EQ(a.announced().size(), 1u);
	v.answer = "";
	v.calls.clear();
	a.withdraw_all("stop");
	EXPECT_TRUE(a.announced().empty());
	EXPECT_EQ(v.calls.size(), 1u);
}

TEST(BgpAnnouncer, ReassertAndGoneIsWithdrawn)
{
	Logger log;
	log.set_quiet(true);
	FakeVtysh v;
	BgpAnnouncer a(log, v.runner());
	a.update(65001, {{"10.99.0.100/32", false}}, "x");
	v.calls.clear();
	a.reassert();
	EXPECT_EQ(v.calls, (std::vector<std::string>{
		"router bgp 65001 | address-family ipv4 unicast | network 10.99.0.100/32"}));
	// bgpd is down: the next update that wants it tries again
	v.answer = "Exiting: failed to connect to any daemons.";
	a.reassert();
	EXPECT_TRUE(a.announced().empty());
	v.answer = "";
	a.update(65001, {{"10.99.0.100/32", false}}, "x");
	EXPECT_EQ(a.announced().size(), 1u);
	// a bgpd that no longer has it: withdrawn all the same
	v.answer = "% Can't find static route specified";
	a.withdraw_all("stop");
	EXPECT_TRUE(a.announced().empty());
}

TEST(BgpAnnouncer, AnotherAsWithdrawsUnderTheOldOne)
{
	Logger log;
	log.set_quiet(true);
	FakeVtysh v;
	BgpAnnouncer a(log, v.runner());
	a.update(65001, {{"10.99.0.100/32", false}}, "x");
	v.calls.clear();
	a.update(65002, {{"10.99.0.100/32", false}}, "reload");
	EXPECT_EQ(v.calls, (std::vector<std::string>{
		"router bgp 65001 | address-family ipv4 unicast | no network 10.99.0.100/32",
		"router bgp 65002 | address-family ipv4 unicast | network 10.99.0.100/32"}));
	// bgp= removed by a reload: everything goes
	v.calls.clear();
	a.update(std::nullopt, {}, "reload");
	EXPECT_EQ(v.calls, (std::vector<std::string>{
		"router bgp 65002 | address-family ipv4 unicast | no network 10.99.0.100/32"}));
}

TEST(BgpVtysh, ExitStatusAndFrrErrors)
{
	EXPECT_EQ(run_vtysh({"true"}), "");
	EXPECT_EQ(run_vtysh({"false"}), "false exited 1");
	// a refusal: the exit status, and the "% ..." line says why
	EXPECT_EQ(run_vtysh({"sh", "-c", "echo \"% Can't open configuration file x\" >&2; "
			     "echo '% Unknown command: netwrk'; exit 1"}),
		  "% Unknown command: netwrk");
	EXPECT_EQ(run_vtysh({"sh", "-c", "echo 'BGP is already running; AS is 65001'; exit 1"}),
		  "BGP is already running; AS is 65001");
	// (vtysh's complaint about its missing vtysh.conf is no failure)
	EXPECT_EQ(run_vtysh({"sh", "-c", "echo \"% Can't open configuration file x\" >&2"}), "");
	EXPECT_NE(run_vtysh({"/nonexistent/vtysh"}).find("cannot run /nonexistent/vtysh"),
		  std::string::npos);
	EXPECT_EQ(vtysh_argv(65001, "10.99.0.100/32", false, true),
		  (std::vector<std::string>{"vtysh", "-c", "configure terminal", "-c",
					    "router bgp 65001", "-c", "address-family ipv4 unicast",
					    "-c", "network 10.99.0.100/32"}));
}

namespace {

// A table that accepts what it is given, or refuses everything (a kernel
// without IPVS).
class ToyTable : public Table {
public:
	bool broken = false;
	std::vector<xvs::Service> svcs;
	void need() const
	{
		if (broken)
			throw xvs::Error(ENOENT, "no IPVS");
	}
	std::vector<xvs::Service> services() override { need(); return svcs; }
	std::vector<xvs::Destination> dests(const xvs::Service &) override { need(); return {}; }
	void add_service(const xvs::Service &s) override { need(); svcs.push_back(s); }
	void edit_service(const xvs::Service &) override { need(); }
	void del_service(const xvs::Service &s) override
	{
		need();
		std::erase_if(svcs, [&](const xvs::Service &x) { return x.same_key(s); });
	}
	void add_dest(const xvs::Service &, const xvs::Destination &) override { need(); }
	void edit_dest(const xvs::Service &, const xvs::Destination &) override { need(); }
	void del_dest(const xvs::Service &, const xvs::Destination &) override { need(); }
};

} // namespace

TEST(BgpDirector, AnnouncesOnlyALoadedTableAndWithdrawsOnStop)
{
	Logger log;
	log.set_quiet(true);
	FakeVtysh v;
	// checktype=on: up at the first check, no network needed
	LdConfig c = parse_ldirectord("bgp = 65001\nvirtual = 10.99.0.100:80\n"
				      "\treal = 10.0.0.21:80 gate\n\tchecktype = on\n", "x.cf");
	auto table = std::make_unique<ToyTable>();
	ToyTable *t = table.get();
	t->broken = true;
	Director d(log, c, std::move(table), v.runner());
	d.set_bgp_drain(10ms);
	d.set_enabled(true);
	d.round();
	EXPECT_TRUE(v.calls.empty()) << v.calls.at(0);
	t->broken = false;
	d.round();
	EXPECT_EQ(v.calls, (std::vector<std::string>{
		"router bgp 65001 | address-family ipv4 unicast | network 10.99.0.100/32"}));
	EXPECT_EQ(d.snapshot().announced, (std::vector<std::string>{"10.99.0.100/32"}));
	// the standby of a failover pair holds no table: no announcement
	d.set_enabled(false);
	d.round();
	EXPECT_EQ(v.calls.back(),
		  "router bgp 65001 | address-family ipv4 unicast | no network 10.99.0.100/32");
	d.set_enabled(true);
	d.round();
	v.calls.clear();
	auto t0 = std::chrono::steady_clock::now();
	d.stop(true);
	EXPECT_EQ(v.calls, (std::vector<std::string>{
		"router bgp 65001 | address-family ipv4 unicast | no network 10.99.0.100/32"}));
	// the drain between the withdrawal and the table's removal
	EXPECT_GE(std::chrono::steady_clock::now() - t0, 10ms);
	EXPECT_TRUE(t->svcs.empty());
}

TEST(BgpDirector, CheckOffWithdraws)
{
	Logger log;
	log.set_quiet(true);
	FakeVtysh v;
	LdConfig on = parse_ldirectord("bgp = 65001\nvirtual = 10.99.0.100:80\n"
				       "\treal = 10.0.0.21:80 gate\n\tchecktype = on\n"
				       "\tcheckinterval = 1\n", "x.cf");
	LdConfig off = parse_ldirectord("bgp = 65001\nvirtual = 10.99.0.100:80\n"
					"\treal = 10.0.0.21:80 gate\n\tchecktype = off\n"
					"\tcheckinterval = 1\n", "x.cf");
	Director d(log, on, std::make_unique<ToyTable>(), v.runner());
	d.set_enabled(true);
	d.round();
	ASSERT_EQ(v.calls.size(), 1u);
	d.set_config(off);
	// the next check is due after checkinterval (1 s)
	std::this_thread::sleep_for(1100ms);
	d.round();
	ASSERT_EQ(v.calls.size(), 2u);
	EXPECT_EQ(v.calls[1], "router bgp 65001 | address-family ipv4 unicast | no network 10.99.0.100/32");
}
