// ippfvsadm mode: the ippfvs 0.5 command line of seed 003, parsed and
// translated into ipvsadm commands (no kernel involved).
#include "cli.hpp"
#include "ippfvsadm.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace xvsadm;
using namespace xvsadm::ippfvs;

namespace {

Request parse_line(std::vector<std::string> args)
{
	args.insert(args.begin(), "ippfvsadm");
	return parse(args);
}

Exit rejected(std::vector<std::string> args)
{
	args.insert(args.begin(), "ippfvsadm");
	try {
		parse(args);
	} catch (const Exit &e) {
		return e;
	}
	ADD_FAILURE() << "accepted: " << show(args);
	return {};
}

std::vector<std::string> shown(const std::vector<std::vector<std::string>> &lines)
{
	std::vector<std::string> out;
	for (auto &l : lines)
		out.push_back(show(l));
	return out;
}

} // namespace

TEST(Ippfvsadm, SeedLinesAddToTheVirtualService)
{
	// seed 003, "On ippvs0"
	Request r = parse_line({"-A", "-t", "203.1.1.10:8080", "-R", "10.1.1.1:8080"});
	EXPECT_EQ(r.action, Action::Add);
	EXPECT_EQ(r.proto, 't');
	EXPECT_EQ(r.service, "203.1.1.10:8080");
	EXPECT_EQ(r.real, "10.1.1.1:8080");
	EXPECT_EQ(r.weight, 1u);
	// the first real server creates the service (wrr, as ippfvs scheduled)
	EXPECT_EQ(shown(plan(r, {})),
		  (std::vector<std::string>{
			  "ipvsadm -A -t 203.1.1.10:8080 -s wrr",
			  "ipvsadm -a -t 203.1.1.10:8080 -r 10.1.1.1:8080 -m -w 1"}));
	Current cur;
	cur.service_exists = true;
	cur.dests = 1;
	r = parse_line({"-A", "-t", "203.1.1.10:8080", "-R", "10.1.1.2:8080"});
	EXPECT_EQ(shown(plan(r, cur)),
		  (std::vector<std::string>{"ipvsadm -a -t 203.1.1.10:8080 -r 10.1.1.2:8080 -m -w 1"}));
}

TEST(Ippfvsadm, WeightUdpAndDefaultRealPort)
{
	Request r = parse_line({"-A", "-u", "10.0.0.1:53", "-R", "192.168.0.2", "-w", "3"});
	EXPECT_EQ(r.proto, 'u');
	EXPECT_EQ(r.real, "192.168.0.2:53");
	EXPECT_EQ(shown(plan(r, {})),
		  (std::vector<std::string>{"ipvsadm -A -u 10.0.0.1:53 -s wrr",
					    "ipvsadm -a -u 10.0.0.1:53 -r 192.168.0.2:53 -m -w 3"}));
	// options in any order, as getopt took them
	r = parse_line({"-w", "0", "-R", "10.1.1.4:80", "-t", "203.1.1.11:8080", "-A"});
	EXPECT_EQ(r.weight, 0u);
	EXPECT_EQ(r.real, "10.1.1.4:80");
}

TEST(Ippfvsadm, DeleteClearList)
{
	Current cur;
	cur.service_exists = true;
	cur.dests = 2;
	cur.real_is_dest = true;
	Request r = parse_line({"-D", "-t", "203.1.1.10:8080", "-R", "10.1.1.1:8080"});
	EXPECT_EQ(shown(plan(r, cur)),
		  (std::vector<std::string>{"ipvsadm -d -t 203.1.1.10:8080 -r 10.1.1.1:8080"}));
	// the last real server takes the service with it
	cur.dests = 1;
	EXPECT_EQ(shown(plan(r, cur)),
		  (std::vector<std::string>{"ipvsadm -d -t 203.1.1.10:8080 -r 10.1.1.1:8080",
					    "ipvsadm -D -t 203.1.1.10:8080"}));
	// a real server that is not there: only the -d (the kernel says so)
	cur.real_is_dest = false;
	EXPECT_EQ(plan(r, cur).size(), 1u);
	r = parse_line({"-D", "-t", "203.1.1.10:8080"});
	EXPECT_EQ(shown(plan(r, cur)), (std::vector<std::string>{"ipvsadm -D -t 203.1.1.10:8080"}));
	EXPECT_EQ(shown(plan(parse_line({"-C"}), {})), (std::vector<std::string>{"ipvsadm -C"}));
	EXPECT_EQ(shown(plan(parse_line({"-L"}), {})), (std::vector<std::string>{"ipvsadm -L"}));
	EXPECT_EQ(shown(plan(parse_line({"-L", "-n"}), {})),
		  (std::vector<std::string>{"ipvsadm -L -n"}));
}

TEST(Ippfvsadm, EveryPlannedLineIsAValidIpvsadmCommand)
{
	Current none, one;
	one.service_exists = true;
	one.dests = 1;
	one.real_is_dest = true;
	for (auto args : std::vector<std::vector<std::string>>{
		     {"-A", "-t", "203.1.1.10:8080", "-R", "10.1.1.1:8080"},
		     {"-A", "-u", "203.1.1.10:53", "-R", "10.1.1.1", "-w", "65535"},
		     {"-D", "-t", "203.1.1.10:8080", "-R", "10.1.1.1:8080"},
		     {"-D", "-u", "203.1.1.10:8080"},
		     {"-C"},
		     {"-L", "-n"}}) {
		Request r = parse_line(args);
		for (const Current &c : {none, one})
			for (auto l : plan(r, c)) {
				l.insert(l.begin(), "ipvsadm");
				EXPECT_NO_THROW(parse_command(l)) << show(l);
			}
	}
}

TEST(Ippfvsadm, BadInputIsRefusedWithAReason)
{
	struct Case {
		std::vector<std::string> args;
		const char *says;
	};
	for (auto &c : std::vector<Case>{
		     {{}, "no command"},
		     {{"-A", "-t", "203.1.1.10:8080"}, "-A needs a real server"},
		     {{"-A", "-R", "10.1.1.1:8080"}, "-A needs a virtual service"},
		     {{"-D", "-R", "10.1.1.1:8080"}, "-D needs a virtual service"},
		     {{"-A", "-D", "-t", "1.2.3.4:80"}, "more than one command"},
		     {{"-A", "-t", "203.1.1.10", "-R", "10.1.1.1"}, "has no port"},
		     {{"-A", "-t", "203.1.1.10:0", "-R", "10.1.1.1"}, "illegal virtual service port"},
		     {{"-A", "-t", "203.1.1.10:65536", "-R", "10.1.1.1"}, "illegal virtual service port"},
		     {{"-A", "-t", "203.1.1:80", "-R", "10.1.1.1"}, "illegal virtual service address"},
		     {{"-A", "-t", "host:80", "-R", "10.1.1.1"}, "illegal virtual service address"},
		     {{"-A", "-t", "1.2.3.4:80", "-R", "10.1.1.1:x"}, "illegal real server port"},
		     {{"-A", "-t", "1.2.3.4:80", "-R", "10.1.1.1", "-w", "-1"}, "illegal weight"},
		     {{"-A", "-t", "1.2.3.4:80", "-R", "10.1.1.1", "-w", "65536"}, "illegal weight"},
		     {{"-A", "-t", "1.2.3.4:80", "-R", "10.1.1.1", "-w"}, "needs a value"},
		     {{"-A", "-t", "1.2.3.4:80", "-t", "1.2.3.4:81", "-R", "10.1.1.1"},
		      "more than one virtual service"},
		     {{"-A", "-t", "1.2.3.4:80", "-R", "10.1.1.1", "-R", "10.1.1.2"},
		      "more than one real server"},
		     {{"-D", "-t", "1.2.3.4:80", "-w", "2"}, "-w is for -A only"},
		     {{"-C", "-t", "1.2.3.4:80"}, "-C takes no service"},
		     {{"-L", "-R", "10.1.1.1"}, "-L takes no service"},
		     {{"-A", "-t", "1.2.3.4:80", "-R", "10.1.1.1", "-n"}, "-n is for -L only"},
		     {{"-A", "-t", "1.2.3.4:80", "-R", "10.1.1.1", "-m"}, "unknown option '-m'"},
		     {{"-a", "-t", "1.2.3.4:80", "-r", "10.1.1.1"}, "unknown option '-a'"}}) {
		Exit e = rejected(c.args);
		EXPECT_EQ(e.code, 2) << c.says;
		EXPECT_NE(e.err.find(c.says), std::string::npos) << e.err;
		EXPECT_EQ(e.err.rfind("ippfvsadm: ", 0), 0u) << e.err;
		EXPECT_NE(e.err.find("Try `ippfvsadm -h'"), std::string::npos) << e.err;
	}
}

TEST(Ippfvsadm, HelpIsTheUsage)
{
	Exit e = rejected({"-h"});
	EXPECT_EQ(e.code, 0);
	EXPECT_EQ(e.out, usage());
	EXPECT_NE(e.out.find("ippfvsadm -A -[t|u] l.l.l.l:lport -R r.r.r.r[:rport] [-w weight]"),
		  std::string::npos);
}
