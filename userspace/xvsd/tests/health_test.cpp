// The health state machine, the desired table (quiescent, fallback) and the
// reconciler against an in-memory table.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <unistd.h>

#include "health.hpp"
#include "ldirectord_cf.hpp"
#include "reconciler.hpp"
#include "text.hpp"
#include "xvs/error.hpp"

using namespace xvsd;
using namespace std::chrono_literals;

namespace {

// An IPVS table in memory with the kernel's error behaviour for the
// operations the reconciler uses.
class MemTable : public Table {
public:
	struct Entry {
		xvs::Service svc;
		std::vector<xvs::Destination> dests;
	};
	std::vector<Entry> entries;
	int ops = 0;

	Entry *find(const xvs::Service &s)
	{
		for (auto &e : entries)
			if (e.svc.same_key(s))
				return &e;
		return nullptr;
	}
	std::vector<xvs::Service> services() override
	{
		std::vector<xvs::Service> v;
		for (auto &e : entries)
			v.push_back(e.svc);
		return v;
	}
	std::vector<xvs::Destination> dests(const xvs::Service &s) override
	{
		Entry *e = find(s);
		if (!e)
			throw xvs::Error(ESRCH, "no service");
		return e->dests;
	}
	void add_service(const xvs::Service &s) override
	{
		ops++;
		if (find(s))
			throw xvs::Error(EEXIST, "exists");
		entries.push_back({s, {}});
	}
	void edit_service(const xvs::Service &s) override
	{
		ops++;
		Entry *e = find(s);
		if (!e)
			throw xvs::Error(ESRCH, "no service");
		e->svc = s;
	}
	void del_service(const xvs::Service &s) override
	{
		ops++;
		auto it = std::find_if(entries.begin(), entries.end(),
				       [&](const Entry &e) { return e.svc.same_key(s); });
		if (it == entries.end())
			throw xvs::Error(ESRCH, "no service");
		entries.erase(it);
	}
	xvs::Destination *dest(const xvs::Service &s, const xvs::Destination &d)
	{
		Entry *e = find(s);
		if (!e)
			throw xvs::Error(ESRCH, "no service");
		for (auto &x : e->dests)
			if (x.addr == d.addr && x.port == d.port)
				return &x;
		return nullptr;
	}
	void add_dest(const xvs::Service &s, const xvs::Destination &d) override
	{
		ops++;
		if (dest(s, d))
			throw xvs::Error(EEXIST, "exists");
		find(s)->dests.push_back(d);
	}
	void edit_dest(const xvs::Service &s, const xvs::Destination &d) override
	{
		ops++;
		auto *x = dest(s, d);
		if (!x)
			throw xvs::Error(ENOENT, "no dest");
		*x = d;
	}
	void del_dest(const xvs::Service &s, const xvs::Destination &d) override
	{
		ops++;
		if (!dest(s, d))
			throw xvs::Error(ENOENT, "no dest");
		auto &v = find(s)->dests;
		v.erase(std::remove_if(v.begin(), v.end(), [&](const xvs::Destination &x) {
				return x.addr == d.addr && x.port == d.port;
			}), v.end());
	}
	// "addr:port=weight" of one service, in table order
	std::string dests_of(std::size_t i)
	{
		std::string s;
		for (auto &d : entries.at(i).dests)
			s += (s.empty() ? "" : " ") + d.addr.str() + ":" + std::to_string(d.port) + "=" +
			     std::to_string(d.weight);
		return s;
	}
};

// Captures log lines.
struct Logs {
	Logger log;
	Logs() { log.set_quiet(true); }
};

const char *seed_cf =
	"timeout=3\ncheckinterval=1\nfallback=127.0.0.1:80\nvirtual=211.58.250.6:80\n"
	"    real=211.58.250.25:80 gate\n    real=211.58.250.27:80 gate\nservice=http\n"
	"request=\"index.html\"\nreceive=\"Test Page\"\nscheduler=rr\nprotocol=tcp\n";

} // namespace

TEST(Health, FailurecountAndRestore)
{
	LdConfig c = parse_ldirectord("virtual=10.0.0.1:80\n\treal=10.0.0.2:80 gate\n\tfailurecount=3\n");
	auto &vs = c.virtuals[0];
	auto &rs = vs.reals[0];
	HealthBook b;
	// unknown -> up on the first pass
	auto t = b.record(vs, rs, true, "ok", 5ms);
	ASSERT_TRUE(t);
	EXPECT_EQ(t->to, RsState::Up);
	// two failures are tolerated, the third one takes it down
	EXPECT_FALSE(b.record(vs, rs, false, "refused", 1ms));
	EXPECT_FALSE(b.record(vs, rs, false, "refused", 1ms));
	t = b.record(vs, rs, false, "http check failed: refused", 1ms);
	ASSERT_TRUE(t);
	EXPECT_EQ(t->to, RsState::Down);
	EXPECT_EQ(t->message, "Real server 10.0.0.2:80 of 10.0.0.1:80 is down: http check failed: refused "
			      "(3 consecutive failures)");
	// one pass restores it
	t = b.record(vs, rs, true, "ok", 1ms);
	ASSERT_TRUE(t);
	EXPECT_EQ(t->to, RsState::Up);
	// a pass in between resets the count
	b.record(vs, rs, false, "x", 1ms);
	b.record(vs, rs, false, "x", 1ms);
	b.record(vs, rs, true, "ok", 1ms);
	EXPECT_FALSE(b.record(vs, rs, false, "x", 1ms));
	EXPECT_EQ(b.find(vs, rs)->state, RsState::Up);
	EXPECT_EQ(b.find(vs, rs)->checks, 9u);
	EXPECT_EQ(b.find(vs, rs)->failed, 6u);
}

TEST(Health, NeverSeenUpFailsAtOnce)
{
	LdConfig c = parse_ldirectord("virtual=10.0.0.1:80\n\treal=10.0.0.2:80 gate\n\tfailurecount=3\n");
	HealthBook b;
	auto t = b.record(c.virtuals[0], c.virtuals[0].reals[0], false, "refused", 1ms);
	ASSERT_TRUE(t);
	EXPECT_EQ(t->to, RsState::Down);
}

TEST(Reconciler, Seed004StopAndStartHttpd)
{
	LdConfig c = parse_ldirectord(seed_cf);
	auto &vs = c.virtuals[0];
	HealthBook b;
	MemTable kernel;
	Logs l;
	char logpath[] = "/tmp/xvsd-reconciler-XXXXXX";
	int lfd = ::mkstemp(logpath);
	ASSERT_GE(lfd, 0);
	::close(lfd);
	l.log.open_file(logpath);
	Reconciler r(l.log);
	// nothing checked yet: the fallback serves
	r.apply(kernel, desired_table(c, b));
	ASSERT_EQ(kernel.entries.size(), 1u);
	EXPECT_EQ(kernel.entries[0].svc.sched_name, "rr");
	EXPECT_EQ(kernel.dests_of(0), "127.0.0.1:80=1");
	EXPECT_EQ(kernel.entries[0].dests[0].fwd_method, static_cast<std::uint32_t>(IP_VS_CONN_F_MASQ));
	// both pass: fallback out, both in as gate
	b.record(vs, vs.reals[0], true, "", 1ms);
	b.record(vs, vs.reals[1], true, "", 1ms);
	r.apply(kernel, desired_table(c, b));
	EXPECT_EQ(kernel.dests_of(0), "211.58.250.25:80=1 211.58.250.27:80=1");
	EXPECT_EQ(kernel.entries[0].dests[0].fwd_method, static_cast<std::uint32_t>(IP_VS_CONN_F_DROUTE));
	// test (1): www1's httpd stops -> it leaves the table
	b.record(vs, vs.reals[0], false, "refused", 1ms);
	r.apply(kernel, desired_table(c, b));
	EXPECT_EQ(kernel.dests_of(0), "211.58.250.27:80=1");
	// ... and returns
	b.record(vs, vs.reals[0], true, "", 1ms);
	r.apply(kernel, desired_table(c, b));
	EXPECT_EQ(kernel.dests_of(0), "211.58.250.27:80=1 211.58.250.25:80=1");
	// the log says it as ldirectord did in the seed
	std::string text = read_file(logpath);
	::unlink(logpath);
	for (const char *line : {
		     "] Adding virtual server: 211.58.250.6:80\n",
		     "] Starting fallback server for: 211.58.250.6:80 (127.0.0.1:80)\n",
		     "] Adding real server: 211.58.250.25:80 (1*211.58.250.6:80)\n",
		     "] Adding real server: 211.58.250.27:80 (2*211.58.250.6:80)\n",
		     "] Turning off fallback server for: 211.58.250.6:80\n",
		     "] Removing real server: 211.58.250.25:80 (1*211.58.250.6:80)\n",
		     "] Adding real server: 211.58.250.25:80 (2*211.58.250.6:80)\n"})
		EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
	// idempotent: nothing to do
	int ops = kernel.ops;
	r.apply(kernel, desired_table(c, b));
	EXPECT_EQ(kernel.ops, ops);
	// all down: the fallback comes back
	b.record(vs, vs.reals[0], false, "x", 1ms);
	b.record(vs, vs.reals[1], false, "x", 1ms);
	r.apply(kernel, desired_table(c, b));
	EXPECT_EQ(kernel.dests_of(0), "127.0.0.1:80=1");
	// release: the managed service goes, a foreign one stays
	xvs::Service foreign;
	foreign.addr = xvs::Address::parse("10.9.9.9");
	foreign.port = 1;
	kernel.add_service(foreign);
	r.remove_all(kernel);
	ASSERT_EQ(kernel.entries.size(), 1u);
	EXPECT_TRUE(kernel.entries[0].svc.same_key(foreign));
}

TEST(Reconciler, QuiescentSetsWeightZero)
{
	LdConfig c = parse_ldirectord("quiescent=yes\nvirtual=10.0.0.1:80\n\treal=10.0.0.2:80 gate 3\n"
				      "\treal=10.0.0.3:80 gate 2\n\tfallback=127.0.0.1:80\n");
	auto &vs = c.virtuals[0];
	HealthBook b;
	MemTable kernel;
	Logs l;
	Reconciler r(l.log);
	b.record(vs, vs.reals[0], true, "", 1ms);
	b.record(vs, vs.reals[1], true, "", 1ms);
	r.apply(kernel, desired_table(c, b));
	EXPECT_EQ(kernel.dests_of(0), "10.0.0.2:80=3 10.0.0.3:80=2");
	b.record(vs, vs.reals[0], false, "", 1ms);
	r.apply(kernel, desired_table(c, b));
	EXPECT_EQ(kernel.dests_of(0), "10.0.0.2:80=0 10.0.0.3:80=2");
	// every one at weight 0: the fallback joins them
	b.record(vs, vs.reals[1], false, "", 1ms);
	r.apply(kernel, desired_table(c, b));
	EXPECT_EQ(kernel.dests_of(0), "10.0.0.2:80=0 10.0.0.3:80=0 127.0.0.1:80=1");
	b.record(vs, vs.reals[1], true, "", 1ms);
	r.apply(kernel, desired_table(c, b));
	EXPECT_EQ(kernel.dests_of(0), "10.0.0.2:80=0 10.0.0.3:80=2");
}

TEST(Reconciler, ConfigChangeDeletesDroppedServices)
{
	LdConfig c1 = parse_ldirectord("virtual=10.0.0.1:80\n\treal=10.0.0.2:80 gate\n\tchecktype=on\n"
				       "virtual=10.0.0.1:81\n\treal=10.0.0.2:81 gate\n");
	LdConfig c2 = parse_ldirectord("virtual=10.0.0.1:80\n\treal=10.0.0.2:80 gate\n\tscheduler=lc\n");
	HealthBook b;
	MemTable kernel;
	Logs l;
	Reconciler r(l.log);
	r.apply(kernel, desired_table(c1, b));
	EXPECT_EQ(kernel.entries.size(), 2u);
	r.apply(kernel, desired_table(c2, b));
	ASSERT_EQ(kernel.entries.size(), 1u);
	EXPECT_EQ(kernel.entries[0].svc.port, 80);
	EXPECT_EQ(kernel.entries[0].svc.sched_name, "lc");
}
