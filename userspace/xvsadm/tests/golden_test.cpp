// Differential test of the front end against recorded ipvsadm 1.31 answers.
//
// tests/data/args.golden holds, for each argument vector of
// tests/qemu/xvsadm_args.txt, what the stock ipvsadm printed and returned
// when run in a VM with IPVS loaded (made by tests/data/make-golden.sh from
// the XVS-GOLDEN lines of the xvsadm_diff scenario).  Here each vector goes
// through xvsadm's parser with no kernel:
//  - if xvsadm rejects it, the exit status, standard output and standard
//    error must be ipvsadm's, byte for byte;
//  - if xvsadm accepts it, ipvsadm must have accepted it too: it succeeded,
//    or failed only on the kernel's answer (one of libipvs' messages).
#include "cli.hpp"
#include "engine.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace xvsadm;

namespace {

std::string b64decode(const std::string &in)
{
	static const std::string chars =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	std::string out;
	unsigned val = 0;
	int bits = -8;
	for (char c : in) {
		auto p = chars.find(c);
		if (p == std::string::npos)
			break;	// '=' padding
		val = (val << 6) | static_cast<unsigned>(p);
		bits += 6;
		if (bits >= 0) {
			out += static_cast<char>((val >> bits) & 0xff);
			bits -= 8;
		}
	}
	return out;
}

struct Golden {
	int line;
	std::vector<std::string> argv;
	int rc;
	std::string out, err;
};

std::vector<Golden> load()
{
	std::vector<Golden> g;
	std::ifstream in(XVSADM_TEST_DATA "/args.golden");
	std::string line;
	int n = 0;
	while (std::getline(in, line)) {
		n++;
		std::istringstream f(line);
		std::string rc, args, out, err;
		std::getline(f, rc, '\t');
		std::getline(f, args, '\t');
		std::getline(f, out, '\t');
		std::getline(f, err, '\t');
		Golden e{n, {"ipvsadm"}, std::stoi(rc), b64decode(out),
			 b64decode(err)};
		std::string a = b64decode(args);
		std::size_t p = 0;
		while (p < a.size()) {
			auto z = a.find('\0', p);
			e.argv.push_back(a.substr(p, z - p));
			p = z + 1;
		}
		g.push_back(std::move(e));
	}
	return g;
}

// What ipvsadm prints when the kernel (not the command line) refuses.
std::set<std::string> kernel_messages()
{
	std::set<std::string> m;
	const Op ops[] = {Op::AddService, Op::UpdateService, Op::DelService,
			  Op::ZeroService, Op::AddDest, Op::UpdateDest,
			  Op::DelDest, Op::SetTimeout, Op::StartDaemon,
			  Op::StopDaemon, Op::GetDests, Op::GetService};
	for (Op op : ops)
		for (int e = 1; e < 134; e++)
			m.insert(ipvs_strerror(op, e) + "\n");
	return m;
}

std::string joined(const std::vector<std::string> &v)
{
	std::string s;
	for (const auto &a : v)
		s += (s.empty() ? "" : " ") + ("'" + a + "'");
	return s;
}

} // namespace

TEST(Golden, EveryVectorMatchesIpvsadm)
{
	auto golden = load();
	ASSERT_GT(golden.size(), 1000u) << "tests/data/args.golden missing?";
	const auto kmsgs = kernel_messages();
	int rejected = 0, accepted = 0;
	for (const auto &g : golden) {
		SCOPED_TRACE("golden line " + std::to_string(g.line) + ": " +
			     joined(g.argv));
		try {
			Command c = parse_command(g.argv);
			(void)c;
			accepted++;
			const bool kernel_side = g.rc == 0 || g.rc == 1 ||
				(g.rc == 255 && kmsgs.count(g.err));
			// -R reads stdin (empty here): ipvsadm succeeded.
			EXPECT_TRUE(kernel_side)
				<< "xvsadm accepts what ipvsadm rejected with rc="
				<< g.rc << ": " << g.err;
		} catch (const Exit &e) {
			rejected++;
			EXPECT_EQ(e.code, g.rc);
			EXPECT_EQ(e.out, g.out);
			EXPECT_EQ(e.err, g.err);
		}
	}
	// Both kinds must be well represented for the test to mean anything.
	EXPECT_GT(rejected, 500);
	EXPECT_GT(accepted, 200);
}
