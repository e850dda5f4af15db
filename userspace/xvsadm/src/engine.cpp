#include "engine.hpp"
#include "format.hpp"
#include "json.hpp"
#include "drops.hpp"

#include <linux/ip_vs.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "xvs/error.hpp"

namespace xvsadm {

namespace {

constexpr const char *conn_proc_file = "/proc/net/ip_vs_conn";

// ipvsadm runs "/sbin/modprobe -- ip_vs" when IPVS is missing; 0 = loaded.
int modprobe_ipvs()
{
	pid_t child = fork();
	if (child == 0) {
		char prog[] = "/sbin/modprobe", dashes[] = "--", mod[] = "ip_vs";
		char *argv[] = {prog, dashes, mod, nullptr};
		execv(argv[0], argv);
		_exit(1);
	}
	if (child < 0)
		return 1;
	int status = 0;
	if (waitpid(child, &status, 0) == -1 || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return 1;
	return 0;
}

// Without the generic netlink family ipvsadm falls back to the raw socket
// interface; on kernels without IPVS that fails, and its errno is what
// ipvsadm reports.  Returns that errno.
int sockopt_probe_errno()
{
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd == -1)
		return errno;
	struct ip_vs_getinfo info;
	socklen_t len = sizeof(info);
	int rc = getsockopt(fd, IPPROTO_IP, IP_VS_SO_GET_INFO, &info, &len);
	int err = rc ? errno : ENOPROTOOPT;
	close(fd);
	return err;
}

bool has_service_key(const SvcSpec &s)
{
	if (s.fwmark || s.port)
		return true;
	for (auto b : s.addr)
		if (b)
			return true;
	return false;
}

} // namespace

std::string ipvs_strerror(Op op, int err)
{
	struct Entry {
		Op op;
		int err;
		const char *msg;
	};
	static const Entry specific[] = {
		{Op::AddService, EEXIST, "Service already exists"},
		{Op::AddService, ENOENT, "Scheduler or persistence engine not found"},
		{Op::UpdateService, ESRCH, "No such service"},
		{Op::UpdateService, ENOENT, "Scheduler or persistence engine not found"},
		{Op::DelService, ESRCH, "No such service"},
		{Op::ZeroService, ESRCH, "No such service"},
		{Op::AddDest, ESRCH, "Service not defined"},
		{Op::AddDest, EEXIST, "Destination already exists"},
		{Op::UpdateDest, ESRCH, "Service not defined"},
		{Op::UpdateDest, ENOENT, "No such destination"},
		{Op::DelDest, ESRCH, "Service not defined"},
		{Op::DelDest, ENOENT, "No such destination"},
		{Op::StartDaemon, EEXIST, "Daemon has already run"},
		{Op::StopDaemon, ESRCH, "No daemon is running"},
		{Op::GetDests, ESRCH, "No such service"},
		{Op::GetService, ESRCH, "No such service"},
	};
	for (const auto &e : specific)
		if (e.op == op && e.err == err)
			return e.msg;
	switch (err) {
	case EPERM: return "Permission denied (you must be root)";
	case EINVAL:
		return "Invalid operation.  Possibly wrong module version, "
		       "address not unicast, ...";
	case ENOPROTOOPT: return "Protocol not available";
	case ENOMEM: return "Memory allocation problem";
	case EOPNOTSUPP: return "Operation not supported with IPv6";
	case EAFNOSUPPORT:
		return "Operation not supported with specified address family";
	case EMSGSIZE: return "Module is wrong version";
	default: return std::strerror(err);
	}
}

xvs::Service to_service(const SvcSpec &s)
{
	xvs::Service out;
	out.af = s.af;
	out.protocol = s.protocol;
	out.addr.af = s.af;
	out.addr.bytes = s.addr;
	out.port = s.port;
	out.fwmark = s.fwmark;
	out.sched_name = s.sched_name;
	out.pe_name = s.pe_name;
	out.flags = s.flags;
	out.flags_mask = ~0u;
	out.timeout = s.timeout;
	out.netmask = s.netmask;
	out.conn_timeouts.tcp = s.conn_timeouts.tcp;
	out.conn_timeouts.tcp_fin = s.conn_timeouts.tcp_fin;
	out.conn_timeouts.udp = s.conn_timeouts.udp;
	return out;
}

xvs::Destination to_dest(const DestSpec &d)
{
	xvs::Destination out;
	out.addr.af = d.af;
	out.addr.bytes = d.addr;
	out.port = d.port;
	out.fwd_method = d.conn_flags & IP_VS_CONN_F_FWD_MASK;
	out.weight = d.weight;
	out.u_threshold = d.u_threshold;
	out.l_threshold = d.l_threshold;
	// ipvsadm always sends the tunnel attributes, zero when unused.
	out.tun_type = d.tun_type;
	out.tun_port = d.tun_port;
	out.tun_flags = d.tun_flags;
	return out;
}

xvs::Daemon to_daemon(const DaemonSpec &d)
{
	xvs::Daemon out;
	out.state = d.state;
	out.mcast_ifn = d.mcast_ifn;
	out.syncid = d.syncid;
	if (d.sync_maxlen)
		out.sync_maxlen = d.sync_maxlen;
	if (d.mcast_af) {
		xvs::Address g;
		g.af = d.mcast_af;
		g.bytes = d.mcast_group;
		out.mcast_group = g;
	}
	if (d.mcast_port)
		out.mcast_port = d.mcast_port;
	if (d.mcast_ttl)
		out.mcast_ttl = d.mcast_ttl;
	return out;
}

void Engine::print(const std::string &s)
{
	std::fwrite(s.data(), 1, s.size(), out_);
}

void Engine::die(int code, const std::string &msg)
{
	std::fputs(msg.c_str(), err_);
	std::fputc('\n', err_);
	throw Quit{code};
}

int Engine::report(Op op, const xvs::Error &e)
{
	std::fprintf(err_, "%s\n", ipvs_strerror(op, e.code()).c_str());
	return -1;
}

void Engine::start()
{
	auto try_init = [this]() -> int {
		try {
			ipvs_ = std::make_unique<xvs::Ipvs>();
		} catch (const xvs::Error &) {
			ipvs_.reset();
			return sockopt_probe_errno();
		}
		try {
			info_ = ipvs_->info();
		} catch (const xvs::Error &e) {
			ipvs_.reset();
			return e.code();
		}
		return 0;
	};
	int err = try_init();
	if (err && (modprobe_ipvs() || (err = try_init()) != 0))
		die(2, "Can't initialize ipvs: " + ipvs_strerror(Op::Init, err) +
		       "\nAre you sure that IP Virtual Server is built in the "
		       "kernel or as module?");
	if (info_.version < 0x010104)
		std::fprintf(err_, "Warning: IPVS version mismatch: \n"
			     "  Kernel compiled with IPVS version %d.%d.%d\n"
			     "  ipvsadm v1.31  requires minimum IPVS version "
			     "1.1.4\n\n", (info_.version >> 16) & 0xff,
			     (info_.version >> 8) & 0xff, info_.version & 0xff);
}

void Engine::list_all(unsigned format)
{
	if (!(format & FMT_RULE))
		print(fmt::version_header(info_));
	std::vector<xvs::ServiceDests> table;
	try {
		table = ipvs_->list_all();
	} catch (const xvs::Error &e) {
		// ipvsadm does not record the dump as the failing call.
		die(1, ipvs_strerror(last_op_, e.code()));
	}
	if (!(format & FMT_NOSORT))
		fmt::sort_services(table);
	print(fmt::title(format));
	for (auto &e : table)
		print(fmt::service_entry(e.service, std::move(e.dests), format));
}

void Engine::list_service(const SvcSpec &key, unsigned format)
{
	last_op_ = Op::GetService;
	xvs::Service svc;
	try {
		svc = ipvs_->service(to_service(key));
	} catch (const xvs::Error &e) {
		die(1, ipvs_strerror(Op::GetService, e.code()));
	}
	print(fmt::title(format));
	last_op_ = Op::GetDests;
	std::vector<xvs::Destination> dests;
	try {
		dests = ipvs_->dests(svc);
	} catch (const xvs::Error &e) {
		die(1, ipvs_strerror(Op::GetDests, e.code()));
	}
	print(fmt::service_entry(svc, std::move(dests), format));
}

void Engine::list_conn(unsigned format)
{
	std::FILE *f = std::fopen(conn_proc_file, "r");
	if (!f) {
		std::fprintf(err_, "cannot open file %s\n", conn_proc_file);
		throw Quit{1};
	}
	struct Closer {
		std::FILE *f;
		~Closer() { std::fclose(f); }
	} closer{f};
	char buf[256];
	if (!std::fgets(buf, sizeof(buf), f)) {
		std::fprintf(err_, "unexpected input from %s\n", conn_proc_file);
		throw Quit{1};
	}
	print(fmt::conn_title(format));
	while (!std::feof(f)) {
		if (!std::fgets(buf, sizeof(buf), f))
			continue;
		std::string line = fmt::conn_line(buf, format);
		if (line.empty())
			throw Quit{1};	// ipvsadm exits on a blank line
		print(line);
	}
}

void Engine::list_timeout()
{
	last_op_ = Op::GetTimeout;
	try {
		print(fmt::timeout_line(ipvs_->timeouts()));
	} catch (const xvs::Error &) {
		throw Quit{1};
	}
}

void Engine::list_daemon()
{
	last_op_ = Op::GetDaemon;
	try {
		print(fmt::daemon_lines(ipvs_->daemons()));
	} catch (const xvs::Error &) {
		throw Quit{1};
	}
}

void Engine::list_json(const Command &c)
{
	json::Snapshot snap;
	snap.info = info_;
	try {
		if (c.options & bit(OPT_SERVICE)) {
			last_op_ = Op::GetService;
			snap.services.push_back(ipvs_->service(to_service(c.svc)));
			last_op_ = Op::GetDests;
			snap.dests.push_back(ipvs_->dests(snap.services[0]));
		} else {
			auto table = ipvs_->list_all();
			if (!(c.format & FMT_NOSORT))
				fmt::sort_services(table);
			for (auto &e : table) {
				snap.services.push_back(std::move(e.service));
				snap.dests.push_back(std::move(e.dests));
			}
		}
		if (!(c.format & FMT_NOSORT))
			for (auto &d : snap.dests)
				fmt::sort_dests(d);
		snap.timeouts = ipvs_->timeouts();
		snap.daemons = ipvs_->daemons();
	} catch (const xvs::Error &e) {
		die(1, ipvs_strerror(last_op_, e.code()));
	}
	if (c.options & bit(OPT_CONNECTION)) {
		if (std::FILE *f = std::fopen(conn_proc_file, "r")) {
			char buf[1024];
			bool first = true;
			while (std::fgets(buf, sizeof(buf), f)) {
				if (first) {
					first = false;
					continue;
				}
				if (auto conn = json::parse_conn_line(buf))
					snap.conns.push_back(*conn);
			}
			std::fclose(f);
			snap.have_conns = true;
		} else {
			std::fprintf(err_, "cannot open file %s\n",
				     conn_proc_file);
			throw Quit{1};
		}
	}
	print(json::render(snap, c.format & FMT_NUMERIC));
}

// xvs.ko only: the kernel's ip_vs has no such file.
void Engine::list_drops(const Command &c)
{
	std::string text;
	if (std::FILE *f = std::fopen(drops::proc_file, "r")) {
		char buf[512];
		std::size_t n;
		while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0)
			text.append(buf, n);
		std::fclose(f);
	} else {
		std::fprintf(err_, "cannot open file %s\n", drops::proc_file);
		throw Quit{1};
	}
	auto counters = drops::parse(text);
	if (!counters) {
		std::fprintf(err_, "unexpected contents of %s\n",
			     drops::proc_file);
		throw Quit{1};
	}
	print(c.output_format == "json" ? drops::render_json(*counters) :
					  drops::render_text(*counters));
}

int Engine::restore(const std::string &argv0)
{
	ConfigStream stream(stdin, argv0);
	std::vector<std::string> line;
	int result = 0;
	while (stream.next(line))
		if (line.size() > 1)
			result = run(line, true);
	return result;
}

int Engine::run(const std::vector<std::string> &argv, bool reading_stdin)
{
	Command c;
	try {
		c = parse_command(argv);
	} catch (const Exit &e) {
		print(e.out);
		std::fputs(e.err.c_str(), err_);
		if (e.soft)
			return -1;
		throw Quit{e.code};
	}

	const xvs::Service svc = to_service(c.svc);
	try {
		switch (c.cmd) {
		case Cmd::List:
			if (c.drops)
				list_drops(c);
			else if (c.output_format == "json")
				list_json(c);
			else if (c.options & bit(OPT_CONNECTION))
				list_conn(c.format);
			else if (c.options & bit(OPT_SERVICE))
				list_service(c.svc, c.format);
			else if (c.options & bit(OPT_TIMEOUT))
				list_timeout();
			else if (c.options & bit(OPT_DAEMON))
				list_daemon();
			else
				list_all(c.format);
			return 0;
		case Cmd::Restore:
			if (reading_stdin) {
				std::fputs(tryhelp_text(argv[0]).c_str(), err_);
				throw Quit{255};
			}
			return restore(argv[0]);
		case Cmd::Save:
			list_all(c.format | FMT_RULE);
			return 0;
		case Cmd::Flush:
			// ipvsadm's flush leaves the "last call" as it was.
			ipvs_->flush();
			break;
		case Cmd::Add:
			last_op_ = Op::AddService;
			ipvs_->add_service(svc);
			break;
		case Cmd::Edit:
			last_op_ = Op::UpdateService;
			ipvs_->edit_service(svc);
			break;
		case Cmd::Del:
			last_op_ = Op::DelService;
			ipvs_->del_service(svc);
			break;
		case Cmd::Zero:
			last_op_ = Op::ZeroService;
			if (has_service_key(c.svc))
				ipvs_->zero(svc);
			else
				ipvs_->zero();
			break;
		case Cmd::AddDest:
			last_op_ = Op::AddDest;
			ipvs_->add_dest(svc, to_dest(c.dest));
			break;
		case Cmd::EditDest:
			last_op_ = Op::UpdateDest;
			ipvs_->edit_dest(svc, to_dest(c.dest));
			break;
		case Cmd::DelDest:
			last_op_ = Op::DelDest;
			ipvs_->del_dest(svc, to_dest(c.dest));
			break;
		case Cmd::Timeout:
			last_op_ = Op::SetTimeout;
			ipvs_->set_timeouts({c.timeouts.tcp, c.timeouts.tcp_fin,
					     c.timeouts.udp});
			break;
		case Cmd::StartDaemon:
			last_op_ = Op::StartDaemon;
			ipvs_->start_daemon(to_daemon(c.daemon));
			break;
		case Cmd::StopDaemon:
			last_op_ = Op::StopDaemon;
			ipvs_->stop_daemon(c.daemon.state);
			break;
		case Cmd::None:
			break;
		}
	} catch (const xvs::Error &e) {
		return report(last_op_, e);
	}
	return 0;
}

} // namespace xvsadm
