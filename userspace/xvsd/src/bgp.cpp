#include "bgp.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

namespace xvsd {

PrefixSet wanted_prefixes(const LdConfig &cfg, const HealthBook &book)
{
	if (!cfg.bgp_as)
		return {};
	std::map<std::string, bool> all_live;	// prefix -> every service live
	PrefixSet family;
	for (auto &vs : cfg.virtuals) {
		if (vs.announce.empty())
			continue;
		bool live = false;
		for (auto &rs : vs.reals) {
			const RsHealth *h = book.find(vs, rs);
			if (h && h->state == RsState::Up && rs.weight > 0)
				live = true;
		}
		auto [it, fresh] = all_live.emplace(vs.announce, live);
		if (!fresh)
			it->second = it->second && live;
		family[vs.announce] = vs.announce.find(':') != std::string::npos;
	}
	PrefixSet out;
	for (auto &[p, live] : all_live)
		if (live)
			out[p] = family[p];
	return out;
}

std::vector<std::string> vtysh_argv(std::uint32_t as, const std::string &prefix, bool v6, bool add)
{
	return {"vtysh",
		"-c", "configure terminal",
		"-c", "router bgp " + std::to_string(as),
		"-c", v6 ? "address-family ipv6 unicast" : "address-family ipv4 unicast",
		"-c", (add ? "network " : "no network ") + prefix};
}

// The line of vtysh's output that says why a command failed: FRR's "% ..."
// lines, else the first line (some refusals, "BGP is already running; AS
// is 65001", have no "%").
static std::string why_failed(const std::string &out)
{
	std::string first;
	std::size_t pos = 0;
	while (pos < out.size()) {
		auto nl = out.find('\n', pos);
		if (nl == std::string::npos)
			nl = out.size();
		std::string l = out.substr(pos, nl - pos);
		pos = nl + 1;
		// (vtysh without its own vtysh.conf says so on every run)
		if (l.empty() || l.rfind("% Can't open configuration file", 0) == 0)
			continue;
		if (l[0] == '%')
			return l;
		if (first.empty())
			first = l;
	}
	return first;
}

std::string run_vtysh(const std::vector<std::string> &argv)
{
	int pipefd[2];
	if (::pipe2(pipefd, O_CLOEXEC) != 0)
		return std::string("pipe: ") + std::strerror(errno);
	pid_t pid = ::fork();
	if (pid < 0) {
		int e = errno;
		::close(pipefd[0]);
		::close(pipefd[1]);
		return std::string("fork: ") + std::strerror(e);
	}
	if (pid == 0) {
		int devnull = ::open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			::dup2(devnull, 0);
		::dup2(pipefd[1], 1);
		::dup2(pipefd[1], 2);
		::setpgid(0, 0);
		std::vector<char *> args;
		for (auto &a : argv)
			args.push_back(const_cast<char *>(a.c_str()));
		args.push_back(nullptr);
		::execvp(args[0], args.data());
		std::fprintf(stderr, "%% cannot run %s: %s\n", args[0], std::strerror(errno));
		::_exit(127);
	}
	::close(pipefd[1]);
	// a bgpd that hangs must not stop the health checks for long
	std::string out;
	auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
	bool timed_out = false;
	while (true) {
		auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
			deadline - std::chrono::steady_clock::now()).count();
		if (left <= 0) {
			timed_out = true;
			break;
		}
		pollfd p{pipefd[0], POLLIN, 0};
		int r = ::poll(&p, 1, static_cast<int>(left));
		if (r <= 0)
			continue;
		char buf[512];
		ssize_t n = ::read(pipefd[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out.size() < 4096)
			out.append(buf, static_cast<std::size_t>(n));
	}
	::close(pipefd[0]);
	if (timed_out) {
		::kill(-pid, SIGKILL);
		::kill(pid, SIGKILL);
	}
	int status = 0;
	while (::waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (timed_out)
		return argv[0] + " timed out";
	// vtysh exits non-zero when a command was refused
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return "";
	std::string why = why_failed(out);
	if (!why.empty())
		return why;
	if (!WIFEXITED(status))
		return argv[0] + " killed by signal " + std::to_string(WTERMSIG(status));
	return argv[0] + " exited " + std::to_string(WEXITSTATUS(status));
}

bool BgpAnnouncer::run(std::uint32_t as, const std::string &prefix, bool v6, bool add)
{
	std::string why = run_(vtysh_argv(as, prefix, v6, add));
	// bgpd does not have it (restarted, or removed by hand): withdrawn
	if (!add && why.find("Can't find static route specified") != std::string::npos)
		why.clear();
	if (why.empty()) {
		last_error_.clear();
		return true;
	}
	// once per distinct failure: a bgpd that is down fails every round
	std::string msg = std::string("ERROR: BGP: cannot ") + (add ? "announce " : "withdraw ") +
			  prefix + " (router bgp " + std::to_string(as) + "): " + why;
	if (msg != last_error_)
		log_.info(msg + " (will retry)");
	last_error_ = msg;
	return false;
}

void BgpAnnouncer::update(std::optional<std::uint32_t> as, const PrefixSet &want, const std::string &why)
{
	// a new AS (a reload): what the old instance announces goes first
	bool moved = as && *as != as_;
	for (auto it = announced_.begin(); it != announced_.end();) {
		bool keep = !moved && want.count(it->first);
		if (keep) {
			++it;
			continue;
		}
		if (run(as_, it->first, it->second, false)) {
			log_.info("BGP: withdrawing " + it->first + " (router bgp " +
				  std::to_string(as_) + "): " + why);
			it = announced_.erase(it);
		} else {
			++it;
		}
	}
	if (!as)
		return;
	if (!announced_.empty() && moved)
		return;		// the old AS still has some: retry first
	as_ = *as;
	for (auto &[prefix, v6] : want) {
		if (announced_.count(prefix))
			continue;
		if (run(as_, prefix, v6, true)) {
			log_.info("BGP: announcing " + prefix + " (router bgp " + std::to_string(as_) +
				  "): a real server is up");
			announced_[prefix] = v6;
		}
	}
}

void BgpAnnouncer::reassert()
{
	for (auto it = announced_.begin(); it != announced_.end();) {
		if (run(as_, it->first, it->second, true)) {
			++it;
		} else {
			// announced again by the next update that still wants it
			it = announced_.erase(it);
		}
	}
}

} // namespace xvsd
