// xvs-nltest: sends malformed and invalid IPVS generic netlink requests to
// whatever implements the "IPVS" family in the current network namespace
// (the kernel's ip_vs or xvs.ko) and checks that each one gets the answer
// the kernel's ip_vs gives -- the errno values in nltest_badinput.cpp were
// recorded by running this program against ip_vs of Linux 6.1 -- and that
// a refused request leaves services, destinations, timeouts and sync
// daemons as they were.
//
//   xvs-nltest [--list] [--only SUBSTRING] [--verbose]
//   xvs-nltest --unprivileged      (as root: forks a child that drops to
//                                   uid/gid 65534 and expects EPERM)
//   xvs-nltest --api               (valid requests through every call of
//                                   the library, checked by reading back)
//
// One line per case:  CASE <name> got=<ERRNO> want=<ERRNO> PASS|FAIL [why]
// Exit status: 0 when every case passed, 1 otherwise, 2 on setup failure.
//
// The modes live in nltest_badinput.cpp, nltest_api.cpp and nltest_perm.cpp,
// what they share in nltest_common.cpp.
#include <iostream>
#include <string>

#include "nltest.hpp"
#include "xvs/error.hpp"

using namespace nltest;

int main(int argc, char **argv)
{
	bool unprivileged = false, verbose = false, list = false, api = false;
	std::string only;
	for (int i = 1; i < argc; i++) {
		std::string a = argv[i];
		if (a == "--unprivileged")
			unprivileged = true;
		else if (a == "--api")
			api = true;
		else if (a == "--verbose" || a == "-v")
			verbose = true;
		else if (a == "--list")
			list = true;
		else if (a == "--only" && i + 1 < argc)
			only = argv[++i];
		else {
			std::cerr << "usage: " << argv[0]
				  << " [--unprivileged | --api] [--verbose] [--list]"
				     " [--only SUBSTRING]\n";
			return 2;
		}
	}
	if (list) {
		list_bad_input();
		list_unprivileged();
		list_api();
		return 0;
	}
	try {
		Ipvs ipvs;
		if (verbose) {
			Info info = ipvs.info();
			std::cout << "# IPVS " << info.version_str()
				  << " conn_tab_size=" << info.conn_tab_size
				  << " family=" << ipvs.family() << "\n";
		}
		if (api)
			return run_api(ipvs);
		return unprivileged ? run_unprivileged(ipvs)
				    : run_bad_input(ipvs, only, verbose);
	} catch (const Error &e) {
		std::cerr << "xvs-nltest: setup failed: " << e.what() << " ("
			  << errno_name(e.code()) << ")\n";
		return 2;
	}
}
