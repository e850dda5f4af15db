#include "daemon.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <random>

#include "changes.hpp"
#include "control.hpp"
#include "director.hpp"
#include "fd.hpp"
#include "ha_cf.hpp"
#include "ha_groups.hpp"
#include "hb_transport.hpp"
#include "heartbeat.hpp"
#include "ldirectord_cf.hpp"
#include "log.hpp"
#include "report.hpp"
#include "resources.hpp"
#include "text.hpp"
#include "xvs/error.hpp"

namespace xvsd {

using Clock = std::chrono::steady_clock;

std::string config_path(const Options &opt)
{
	if (!opt.config.empty())
		return opt.config;
	for (auto p : {"/ldirectord.cf", "/conf/ldirectord.cf"}) {
		std::string path = opt.ha_dir + p;
		if (::access(path.c_str(), R_OK) == 0)
			return path;
	}
	return opt.ha_dir + "/ldirectord.cf";
}

static bool exists(const std::string &p)
{
	struct stat st;
	return ::stat(p.c_str(), &st) == 0;
}

static std::optional<long long> mtime(const std::string &p)
{
	struct stat st;
	if (::stat(p.c_str(), &st) != 0)
		return std::nullopt;
	return static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
}

namespace {

// Two groups must not hold the same address: releasing one would take it
// from the other.
void check_groups(const std::vector<HaResourceGroup> &groups, const std::string &file)
{
	for (std::size_t i = 0; i < groups.size(); i++)
		for (std::size_t j = 0; j < i; j++)
			for (auto &a : groups[i].resources)
				for (auto &b : groups[j].resources)
					if (a.kind == HaResource::Kind::Address &&
					    b.kind == HaResource::Kind::Address && a.addr == b.addr)
						throw xvs::Error(EINVAL, file + ":" + std::to_string(groups[i].line) +
									 ": address " + a.addr.str() +
									 " is already in the group of line " +
									 std::to_string(groups[j].line));
}

struct HaSetup {
	HaConfig cf;
	std::vector<HaResourceGroup> groups;	// haresources, one per line
	AuthKeys keys;
	std::string self, peer;
};

std::optional<HaSetup> load_ha(const Options &opt, Logger *log)
{
	std::string hacf = opt.ha_dir + "/ha.cf";
	if (!opt.failover || !exists(hacf))
		return std::nullopt;
	HaSetup s;
	s.cf = parse_ha_cf(read_file(hacf), hacf);
	std::string hr = opt.ha_dir + "/haresources";
	s.groups = parse_haresources(read_file(hr), hr);
	if (s.groups.empty())
		throw xvs::Error(EINVAL, hr + ": no resource group");
	check_groups(s.groups, hr);
	std::string ak = opt.ha_dir + "/authkeys";
	struct stat st;
	if (::stat(ak.c_str(), &st) == 0 && (st.st_mode & 077) && log)
		log->info("WARN: " + ak + " is readable by group or others (heartbeat wants mode 600)");
	s.keys = parse_authkeys(read_file(ak), ak);
	if (opt.node.empty()) {
		utsname u;
		::uname(&u);
		s.self = u.nodename;
	} else {
		s.self = opt.node;
	}
	if (s.cf.nodes.size() != 2)
		throw xvs::Error(EINVAL, hacf + ": xvsd needs exactly two 'node' entries");
	if (s.cf.nodes[0] != s.self && s.cf.nodes[1] != s.self)
		throw xvs::Error(EINVAL, hacf + ": this node (" + s.self + ") is not a 'node' (use --node)");
	s.peer = s.cf.nodes[0] == s.self ? s.cf.nodes[1] : s.cf.nodes[0];
	for (auto &g : s.groups)
		if (g.home != s.self && g.home != s.peer)
			throw xvs::Error(EINVAL, hr + ":" + std::to_string(g.line) + ": node '" +
						 g.home + "' is not in ha.cf");
	return s;
}

class Daemon {
public:
	Daemon(const Options &opt) : opt_(opt), cfg_path_(config_path(opt)) {}
	int run();

private:
	void handle(const HaGroups::Actions &a, Clock::time_point now);
	void send_packet(Clock::time_point now);
	void reload();
	HaStatus ha_status() const;
	void serve_control();
	void serve_metrics();

	const Options &opt_;
	std::string cfg_path_;
	Logger log_;
	std::optional<HaSetup> ha_;
	std::unique_ptr<Director> director_;
	IpvsTable *table_ = nullptr;		// owned by director_
	std::unique_ptr<ChangeWatcher> changes_;
	std::unique_ptr<HaGroups> node_;
	std::unique_ptr<HbTransport> transport_;
	std::unique_ptr<LinkMonitor> links_;
	std::vector<std::unique_ptr<ResourceManager>> resources_;	// one per group
	std::vector<bool> ipvs_held_;	// group g holds the IPVS table (a resource)
	std::unique_ptr<ControlServer> control_;
	std::unique_ptr<MetricsServer> metrics_;
	std::map<std::string, std::string> last_reject_;
	std::optional<long long> cfg_mtime_, keys_mtime_;
};

void Daemon::handle(const HaGroups::Actions &a, Clock::time_point now)
{
	for (auto &l : a.log)
		log_.info(l);
	for (auto g : a.acquire)
		resources_[g]->acquire(now);
	for (auto g : a.release)
		resources_[g]->release();
	for (auto g : a.reannounce)
		resources_[g]->announce(now);
	if (a.send_now)
		send_packet(now);
}

void Daemon::send_packet(Clock::time_point now)
{
	transport_->send(encode_packet(node_->next_packet(), ha_->keys));
	node_->sent(now);
}

// ldirectord.cf expirestale=: the entries of the real servers the checks
// remove or quiesce then expire at once (xvs.ko).
static void apply_expire_stale(const LdConfig &c, Logger &log)
{
	if (!c.expire_stale)
		return;
	std::string why = set_expire_stale(*c.expire_stale);
	if (why.empty())
		log.info("net.xvs.expire_stale_conn = " + expire_stale_name(*c.expire_stale));
	else
		log.info("WARN: expirestale=" + expire_stale_name(*c.expire_stale) +
			 " not applied: " + why);
}

void Daemon::reload()
{
	try {
		LdConfig c = load_ldirectord(cfg_path_);
		apply_expire_stale(c, log_);
		director_->set_config(std::move(c));
		log_.info("Reloaded configuration " + cfg_path_);
	} catch (const xvs::Error &e) {
		log_.info(std::string("ERROR: reload failed: ") + e.what() +
			  "; keeping the running configuration");
	}
	if (ha_) {
		std::string ak = opt_.ha_dir + "/authkeys";
		try {
			ha_->keys = parse_authkeys(read_file(ak), ak);
			log_.info("Reloaded " + ak);
		} catch (const xvs::Error &e) {
			log_.info(std::string("ERROR: reload failed: ") + e.what() +
				  "; keeping the running keys");
		}
	}
}

HaStatus Daemon::ha_status() const
{
	HaStatus h;
	if (!ha_)
		return h;
	h.enabled = true;
	h.node = ha_->self;
	h.peer = ha_->peer;
	h.holding = node_->holding_any();
	h.peer_state = peer_state_name(node_->peer_state());
	h.peer_holding = node_->peer_holding_any();
	h.auto_failback = ha_->cf.auto_failback;
	h.takeovers = node_->takeovers();
	h.rejected = node_->rejected();
	// several groups: "ha1 211.58.250.6 (held); ha2 211.58.250.7 (not held)"
	for (std::size_t g = 0; g < resources_.size(); g++) {
		if (g)
			h.resources += "; ";
		h.resources += resources_[g]->describe();
		if (resources_.size() > 1)
			h.resources += node_->holding(g) ? " (held)" : " (not held)";
	}
	auto now = Clock::now();
	for (auto &l : links_->links()) {
		HaLinkStatus ls;
		ls.name = l.name;
		ls.up = l.up;
		ls.packets = l.packets;
		if (l.heard_ever)
			ls.heard_ms_ago = std::chrono::duration_cast<std::chrono::milliseconds>(now - l.heard).count();
		for (auto &sl : transport_->serial_links())
			if (sl->device() == l.name) {
				auto st = sl->stats();
				ls.serial = true;
				ls.open = sl->is_open();
				ls.error = sl->error();
				ls.discarded_bytes = st.discarded_bytes;
				ls.reopens = st.reopens;
			}
		h.links.push_back(ls);
	}
	return h;
}

// xvs.ko's drop counters; the kernel's ip_vs has none.
static std::string drop_metrics()
{
	std::string text;
	if (std::FILE *f = std::fopen("/proc/net/xvs_drops", "r")) {
		char buf[512];
		std::size_t n;
		while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0)
			text.append(buf, n);
		std::fclose(f);
	}
	return drop_metrics_text(text);
}

void Daemon::serve_control()
{
	std::string cmd;
	Fd c = control_->accept(cmd);
	if (!c)
		return;
	std::string out;
	if (cmd == "status")
		out = status_text(ha_status(), director_->snapshot(), cfg_path_);
	else if (cmd == "metrics")
		out = metrics_text(ha_status(), director_->snapshot()) + drop_metrics();
	else if (cmd == "reload") {
		reload();
		out = "reload requested; see the log\n";
	} else
		out = "error: unknown command '" + cmd.substr(0, 40) + "' (status, metrics, reload)\n";
	write_all(c.get(), out);
}

void Daemon::serve_metrics()
{
	std::string path;
	Fd c = metrics_->accept(path);
	if (!c)
		return;
	if (path == "/metrics" || path == "/") {
		std::string body = metrics_text(ha_status(), director_->snapshot()) + drop_metrics();
		write_all(c.get(), "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n"
				   "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
	} else {
		write_all(c.get(), "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n");
	}
}

int Daemon::run()
{
	LdConfig cfg;
	try {
		cfg = load_ldirectord(cfg_path_);
		ha_ = load_ha(opt_, &log_);
		std::string logfile = !opt_.logfile.empty() ? opt_.logfile :
				      !cfg.logfile.empty() ? cfg.logfile :
				      ha_ ? ha_->cf.logfile : "";
		if (!logfile.empty())
			log_.open_file(logfile);
	} catch (const xvs::Error &e) {
		log_.info(std::string("ERROR: ") + e.what());
		return 1;
	}
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	::pthread_sigmask(SIG_BLOCK, &mask, nullptr);
	::signal(SIGPIPE, SIG_IGN);
	Fd sigfd(::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));

	log_.info("Starting Linux Director Daemon (xvsd), config " + cfg_path_);
	apply_expire_stale(cfg, log_);
	bool table_is_resource = false;
	if (ha_)
		for (auto &g : ha_->groups)
			for (auto &r : g.resources)
				if (r.kind == HaResource::Kind::Ipvs)
					table_is_resource = true;
	auto table = std::make_unique<IpvsTable>();
	table_ = table.get();
	director_ = std::make_unique<Director>(log_, cfg, std::move(table));
	director_->set_enabled(!table_is_resource);
	changes_ = std::make_unique<ChangeWatcher>(
		log_, [this] { return table_->port(); },
		[this] { director_->refresh(); });
	changes_->subscribe();
	try {
		control_ = std::make_unique<ControlServer>(opt_.socket);
		std::string m = !opt_.metrics.empty() ? opt_.metrics : ha_ ? ha_->cf.metrics : "";
		if (!m.empty()) {
			metrics_ = std::make_unique<MetricsServer>(m);
			log_.info("metrics on http://" + m + "/metrics");
		}
		if (ha_) {
			auto now = Clock::now();
			HaParams p;
			p.self = ha_->self;
			p.peer = ha_->peer;
			p.auto_failback = ha_->cf.auto_failback;
			p.keepalive = ha_->cf.keepalive;
			p.deadtime = ha_->cf.deadtime;
			p.warntime = ha_->cf.warntime;
			p.initdead = ha_->cf.initdead;
			std::random_device rd;
			std::uint64_t gen = (static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^
					    static_cast<std::uint64_t>(::time(nullptr));
			std::vector<bool> homes;
			std::vector<std::string> labels;
			std::string home_nodes;
			for (auto &g : ha_->groups) {
				homes.push_back(g.home == ha_->self);
				// a group is named by its first resource (an address
				// by the address alone)
				const HaResource &r0 = g.resources[0];
				labels.push_back(r0.kind == HaResource::Kind::Address ? r0.addr.str() :
						 r0.text);
				home_nodes += (home_nodes.empty() ? "" : ", ") + g.home;
			}
			node_ = std::make_unique<HaGroups>(p, homes, labels, gen | 1, now);
			transport_ = std::make_unique<HbTransport>(ha_->cf, log_, now);
			links_ = std::make_unique<LinkMonitor>(p.peer, p.deadtime, transport_->link_names());
			ipvs_held_.assign(ha_->groups.size(), false);
			for (std::size_t g = 0; g < ha_->groups.size(); g++) {
				// the IPVS table is up while any group holding it
				// as a resource is held
				auto sw = [this, g](bool on) {
					ipvs_held_[g] = on;
					director_->set_enabled(std::find(ipvs_held_.begin(), ipvs_held_.end(),
									 true) != ipvs_held_.end());
				};
				resources_.push_back(std::make_unique<ResourceManager>(
					log_, ha_->groups[g], opt_.ha_dir + "/resource.d",
					ha_->cf.garp_count, ha_->cf.garp_interval, sw));
			}
			log_.info("heartbeat: node " + p.self + ", peer " + p.peer +
				  (ha_->groups.size() > 1 ? ", " + std::to_string(ha_->groups.size()) +
				   " resource groups, home nodes " : ", home node ") + home_nodes +
				  ", keepalive " + std::to_string(p.keepalive.count()) +
				  " ms, deadtime " + std::to_string(p.deadtime.count()) + " ms, initdead " +
				  std::to_string(p.initdead.count()) + " ms, auto_failback " +
				  (p.auto_failback ? "on" : "off"));
		}
	} catch (const xvs::Error &e) {
		log_.info(std::string("ERROR: ") + e.what());
		return 1;
	}
	director_->start();
	cfg_mtime_ = mtime(cfg_path_);
	if (ha_)
		keys_mtime_ = mtime(opt_.ha_dir + "/authkeys");
	auto next_reload_check = Clock::now() + std::chrono::seconds(1);
	bool running = true;
	while (running) {
		std::vector<pollfd> fds;
		fds.push_back({sigfd.get(), POLLIN, 0});
		fds.push_back({control_->fd(), POLLIN, 0});
		if (metrics_)
			fds.push_back({metrics_->fd(), POLLIN, 0});
		std::size_t changes_at = fds.size();
		fds.push_back({changes_->fd(), POLLIN, 0});	// -1: ignored
		std::size_t hb_first = fds.size();
		if (transport_)
			transport_->poll_entries(fds);
		::poll(fds.data(), fds.size(), 50);
		auto now = Clock::now();
		if (fds[0].revents & POLLIN) {
			signalfd_siginfo si;
			while (::read(sigfd.get(), &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGHUP) {
					log_.info("SIGHUP: reloading");
					reload();
				} else {
					log_.info(std::string("Received ") + ::strsignal(static_cast<int>(si.ssi_signo)) +
						  ": shutting down");
					running = false;
				}
			}
		}
		if (fds[1].revents & POLLIN)
			serve_control();
		if (metrics_ && (fds[2].revents & POLLIN))
			serve_metrics();
		if (fds[changes_at].revents & (POLLIN | POLLERR))
			changes_->read_events();
		std::vector<HbFrame> frames;
		for (std::size_t i = hb_first; i < fds.size(); i++)
			transport_->service(fds[i], frames, now);
		for (auto &f : frames) {
			std::string why;
			auto p = decode_packet(f.data, ha_->keys, why);
			if (!p) {
				node_->count_rejected();
				if (last_reject_[f.from] != why)
					log_.info("WARN: rejected a heartbeat packet from " + f.from + ": " + why);
				last_reject_[f.from] = why;
				continue;
			}
			if (p->node == ha_->self)
				continue;	// our own broadcast or multicast
			last_reject_.erase(f.from);
			if (p->node == ha_->peer) {
				std::vector<std::string> log;
				auto v = links_->heard(f.link, *p, now, log);
				for (auto &l : log)
					log_.info(l);
				if (v == LinkMonitor::Verdict::Copy)
					continue;
				if (v == LinkMonitor::Verdict::Replay) {
					node_->count_rejected();
					continue;
				}
			}
			handle(node_->receive(*p, now), now);
		}
		if (node_) {
			transport_->maintain(now);
			std::vector<std::string> log;
			links_->tick(now, log);
			for (auto &l : log)
				log_.info(l);
			handle(node_->tick(now), now);
			if (node_->packet_due(now))
				send_packet(now);
			for (auto &r : resources_)
				r->tick(now);
		}
		if (now >= next_reload_check) {
			next_reload_check = now + std::chrono::seconds(1);
			changes_->subscribe();	// xvs.ko may have come since
			auto m = mtime(cfg_path_);
			bool changed = m != cfg_mtime_;
			if (ha_) {
				auto k = mtime(opt_.ha_dir + "/authkeys");
				changed = changed || k != keys_mtime_;
				keys_mtime_ = k;
			}
			cfg_mtime_ = m;
			if (changed) {
				log_.info("configuration changed on disk: reloading");
				reload();
			}
		}
	}
	if (node_) {
		auto a = node_->shutdown();
		handle(a, Clock::now());
		send_packet(Clock::now());	// "leaving", twice for a lossy link
	}
	director_->stop(true);
	log_.info("Linux Director Daemon (xvsd) stopped");
	return 0;
}

} // namespace

int run_daemon(const Options &opt)
{
	Daemon d(opt);
	return d.run();
}

int check_config(const Options &opt)
{
	std::string path = config_path(opt);
	try {
		LdConfig c = load_ldirectord(path);
		std::printf("%s: %zu virtual services\n", path.c_str(), c.virtuals.size());
		Logger log;
		auto ha = load_ha(opt, &log);
		if (ha)
			for (auto &g : ha->groups)
				std::printf("%s: node %s, peer %s, resources on %s%s\n", opt.ha_dir.c_str(),
					    ha->self.c_str(), ha->peer.c_str(), g.home.c_str(),
					    ha->groups.size() > 1 ?
						    (" (haresources line " + std::to_string(g.line) + ")").c_str() : "");
		else
			std::printf("failover: off (no %s/ha.cf)\n", opt.ha_dir.c_str());
	} catch (const xvs::Error &e) {
		std::fprintf(stderr, "xvsd: %s\n", e.what());
		return 1;
	}
	return 0;
}

} // namespace xvsd
