// xvsadm: ipvsadm-compatible administration of IPVS (the kernel's ip_vs or
// xvs.ko), plus a JSON listing, declarative `apply` and `--watch`.
#include "apply.hpp"
#include "engine.hpp"
#include "ippfvsadm.hpp"
#include "watch.hpp"
#include "xvs/netlink.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

// XVS_COUNT_REQUESTS set: at exit, stderr gets the number of netlink
// requests sent, so that tests can count what a listing costs.
void print_request_count()
{
	std::fprintf(stderr, "xvsadm: %llu netlink requests\n",
		     static_cast<unsigned long long>(xvs::requests_sent()));
}

} // namespace

int main(int argc, char **argv)
{
	if (std::getenv("XVS_COUNT_REQUESTS"))
		std::atexit(print_request_count);
	std::vector<std::string> args(argv, argv + argc);
	if (args.empty())
		args.emplace_back("xvsadm");

	// Invoked as ippfvsadm (a symlink): the ippfvs 0.5 command line of
	// seed 003, translated; any other name is ipvsadm's command line.
	{
		const std::string &a0 = args[0];
		auto slash = a0.rfind('/');
		if (a0.compare(slash == std::string::npos ? 0 : slash + 1, std::string::npos,
			       "ippfvsadm") == 0)
			return xvsadm::ippfvs::main(args);
	}
	// `xvsadm apply ...` is xvsadm's own; everything else is ipvsadm's
	// command line.
	if (args.size() >= 2 && args[1] == "apply")
		return xvsadm::apply_main(args);
	// `--watch` (xvs.ko's events) is not an ipvsadm option either.
	if (std::find(args.begin() + 1, args.end(), "--watch") != args.end())
		return xvsadm::watch::main(args);

	xvsadm::Engine engine(stdout, stderr);
	try {
		engine.start();
		if (args.size() == 1) {
			engine.list_all(0);
			return 0;
		}
		return engine.run(args, false) & 0xff;
	} catch (const xvsadm::Quit &q) {
		return q.code & 0xff;
	}
}
