// xvsd: health checks (the ldirectord role) and director failover (the
// heartbeat role) in one daemon.  See xvsd(8).
#include <getopt.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "control.hpp"
#include "daemon.hpp"
#include "xvs/error.hpp"

static void usage(std::FILE *f)
{
	std::fprintf(f,
		     "Usage: xvsd [OPTIONS]                 run the daemon (in the foreground)\n"
		     "       xvsd [OPTIONS] status          ask the running daemon for its state\n"
		     "       xvsd [OPTIONS] metrics         its Prometheus metrics\n"
		     "       xvsd [OPTIONS] reload          make it reread its configuration\n"
		     "       xvsd [OPTIONS] check-config    parse every configuration file\n"
		     "Options:\n"
		     "  -c, --config FILE     ldirectord.cf (default HA_DIR/ldirectord.cf or\n"
		     "                        HA_DIR/conf/ldirectord.cf)\n"
		     "  -d, --ha-dir DIR      ha.cf, haresources, authkeys, resource.d (/etc/ha.d)\n"
		     "  -H, --no-failover     health checks only, even if ha.cf exists\n"
		     "  -n, --node NAME       this node's name in ha.cf (default: uname -n)\n"
		     "  -s, --socket PATH     control socket (/run/xvsd.sock)\n"
		     "  -m, --metrics ADDR:PORT  Prometheus endpoint (overrides ha.cf 'metrics')\n"
		     "  -l, --log FILE        also append log lines to FILE\n"
		     "  -f, --foreground      accepted for compatibility; xvsd never forks\n"
		     "  -h, --help\n");
}

int main(int argc, char **argv)
{
	xvsd::Options opt;
	static const option longopts[] = {
		{"config", required_argument, nullptr, 'c'},
		{"ha-dir", required_argument, nullptr, 'd'},
		{"no-failover", no_argument, nullptr, 'H'},
		{"node", required_argument, nullptr, 'n'},
		{"socket", required_argument, nullptr, 's'},
		{"metrics", required_argument, nullptr, 'm'},
		{"log", required_argument, nullptr, 'l'},
		{"foreground", no_argument, nullptr, 'f'},
		{"help", no_argument, nullptr, 'h'},
		{nullptr, 0, nullptr, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "c:d:Hn:s:m:l:fh", longopts, nullptr)) != -1) {
		switch (c) {
		case 'c': opt.config = optarg; break;
		case 'd': opt.ha_dir = optarg; break;
		case 'H': opt.failover = false; break;
		case 'n': opt.node = optarg; break;
		case 's': opt.socket = optarg; break;
		case 'm': opt.metrics = optarg; break;
		case 'l': opt.logfile = optarg; break;
		case 'f': break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc - 1) {
		usage(stderr);
		return 2;
	}
	std::string cmd = optind < argc ? argv[optind] : "";
	if (cmd.empty() || cmd == "start")
		return xvsd::run_daemon(opt);
	if (cmd == "check-config")
		return xvsd::check_config(opt);
	if (cmd == "status" || cmd == "metrics" || cmd == "reload") {
		try {
			std::string out = xvsd::control_request(opt.socket, cmd);
			std::fputs(out.c_str(), stdout);
			return out.rfind("error:", 0) == 0 ? 1 : 0;
		} catch (const xvs::Error &e) {
			std::fprintf(stderr, "xvsd: %s\n", e.what());
			return 1;
		}
	}
	std::fprintf(stderr, "xvsd: unknown command '%s'\n", cmd.c_str());
	usage(stderr);
	return 2;
}
