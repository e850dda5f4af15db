// xvs-nltest --unprivileged: every command from a process without
// CAP_NET_ADMIN gets EPERM, the GETs and dumps too (SET_INFO, which has no
// handler, EOPNOTSUPP), as from ip_vs.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "nltest.hpp"
#include "xvs/error.hpp"

namespace nltest {

namespace {

struct PermCase {
	std::string name;
	std::uint8_t cmd;
	std::uint16_t nlflags;
	int want;
};

std::vector<PermCase> perm_cases()
{
	std::vector<PermCase> v;
	const char *names[] = {"unspec", "new_service", "set_service",
			       "del_service", "get_service", "new_dest",
			       "set_dest", "del_dest", "get_dest",
			       "new_daemon", "del_daemon", "get_daemon",
			       "set_config", "get_config", "set_info",
			       "get_info", "zero", "flush"};
	for (int cmd = IPVS_CMD_NEW_SERVICE; cmd <= IPVS_CMD_MAX; cmd++) {
		// SET_INFO has no handler: the command lookup fails before
		// the permission check.
		int want = cmd == IPVS_CMD_SET_INFO ? EOPNOTSUPP : EPERM;
		v.push_back({std::string("unpriv_") + names[cmd],
			     static_cast<std::uint8_t>(cmd), 0, want});
	}
	v.push_back({"unpriv_get_service_dump", IPVS_CMD_GET_SERVICE,
		     NLM_F_DUMP, EPERM});
	v.push_back({"unpriv_get_dest_dump", IPVS_CMD_GET_DEST, NLM_F_DUMP,
		     EPERM});
	v.push_back({"unpriv_get_daemon_dump", IPVS_CMD_GET_DAEMON, NLM_F_DUMP,
		     EPERM});
	v.push_back({"unpriv_unknown_cmd_99", 99, 0, EOPNOTSUPP});
	return v;
}

// Runs in the child after dropping privileges.  Requests carry valid
// payloads so that only the permission check can refuse them.
int unprivileged_child()
{
	if (setgroups(0, nullptr) || setgid(65534) || setuid(65534)) {
		std::perror("dropping privileges");
		return 2;
	}
	if (geteuid() != 65534 || setuid(0) == 0) {
		std::cerr << "privileges were not dropped\n";
		return 2;
	}
	int failed = 0;
	try {
		Ipvs ipvs;	// family lookup itself is unprivileged
		for (const PermCase &pc : perm_cases()) {
			Message m = ipvs.request(pc.cmd, pc.nlflags);
			switch (pc.cmd) {
			case IPVS_CMD_NEW_SERVICE:
			case IPVS_CMD_SET_SERVICE:
				codec::put_service(m, svc_new(), codec::Detail::Full);
				break;
			case IPVS_CMD_NEW_DEST:
			case IPVS_CMD_SET_DEST:
				codec::put_service(m, svc_tcp(), codec::Detail::Key);
				codec::put_dest(m, dest_new(), codec::Detail::Full);
				break;
			case IPVS_CMD_DEL_DEST:
				codec::put_service(m, svc_tcp(), codec::Detail::Key);
				codec::put_dest(m, dest_tcp(), codec::Detail::Key);
				break;
			case IPVS_CMD_DEL_SERVICE:
			case IPVS_CMD_GET_SERVICE:
			case IPVS_CMD_GET_DEST:
			case IPVS_CMD_ZERO:
				codec::put_service(m, svc_tcp(), codec::Detail::Key);
				break;
			case IPVS_CMD_SET_CONFIG:
				codec::put_timeouts(m, {1, 2, 3});
				break;
			case IPVS_CMD_DEL_DAEMON:
				codec::put_daemon_state(m, IP_VS_STATE_MASTER);
				break;
			default:
				break;
			}
			std::string ext;
			int got = run(ipvs, m, &ext);
			bool ok = got == pc.want;
			std::cout << "CASE " << pc.name << " got="
				  << errno_name(got) << " want="
				  << errno_name(pc.want) << " "
				  << (ok ? "PASS" : "FAIL wrong errno") << "\n";
			failed += !ok;
		}
	} catch (const Error &e) {
		std::cerr << "unprivileged child: " << e.what() << "\n";
		return 2;
	}
	std::cout << std::flush;
	return failed ? 1 : 0;
}

} // namespace

int run_unprivileged(Ipvs &ipvs)
{
	setup_baseline(ipvs);
	const std::string base = snapshot(ipvs);
	std::cout << std::flush;
	pid_t pid = fork();
	if (pid < 0) {
		std::perror("fork");
		return 2;
	}
	if (pid == 0)
		_exit(unprivileged_child());
	int status = 0;
	if (waitpid(pid, &status, 0) < 0) {
		std::perror("waitpid");
		return 2;
	}
	int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 2;
	bool same = snapshot(ipvs) == base;
	std::cout << "CASE unpriv_tables_unchanged got=OK want=OK "
		  << (same ? "PASS" : "FAIL tables changed") << "\n";
	ipvs.flush();
	if (rc == 2)
		return 2;
	std::cout << "SUMMARY child_exit=" << rc << " tables="
		  << (same ? "same" : "changed") << "\n";
	return rc || !same ? 1 : 0;
}

void list_unprivileged()
{
	for (const PermCase &p : perm_cases())
		std::cout << p.name << " " << errno_name(p.want) << "\n";
}

} // namespace nltest
