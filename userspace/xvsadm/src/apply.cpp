// xvsadm apply: the difference between a described table and the kernel's,
// and the changes that remove it (sent by the library, many per datagram).
// The descriptions are read in apply_read.cpp.
#include "apply.hpp"
#include "engine.hpp"
#include "format.hpp"
#include "names.hpp"

#include <linux/ip_vs.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "xvs/error.hpp"

namespace xvsadm {
namespace apply {

// --- identities ---------------------------------------------------------

SvcKey key_of(const xvs::Service &s)
{
	SvcKey k{s.af, s.fwmark, 0, {}, 0};
	if (!s.fwmark) {
		k.protocol = s.protocol;
		k.addr = s.addr.bytes;
		if (s.af != AF_INET6)
			std::fill(k.addr.begin() + 4, k.addr.end(), 0);
		k.port = s.port;
	}
	return k;
}

DestKey key_of(const xvs::Destination &d)
{
	DestKey k{d.addr.af, d.addr.bytes, d.port};
	if (d.addr.af != AF_INET6)
		std::fill(k.addr.begin() + 4, k.addr.end(), 0);
	return k;
}

namespace {

// --- settings -------------------------------------------------------------

std::uint32_t effective_flags(const xvs::Service &s)
{
	return s.flags & s.flags_mask & ~static_cast<std::uint32_t>(
		IP_VS_SVC_F_HASHED);
}

bool same_settings(const xvs::Service &a, const xvs::Service &b)
{
	return a.sched_name == b.sched_name &&
	       effective_flags(a) == effective_flags(b) &&
	       a.timeout == b.timeout && a.netmask == b.netmask &&
	       a.pe_name == b.pe_name &&
	       a.conn_timeouts.tcp.value_or(0) ==
		       b.conn_timeouts.tcp.value_or(0) &&
	       a.conn_timeouts.tcp_fin.value_or(0) ==
		       b.conn_timeouts.tcp_fin.value_or(0) &&
	       a.conn_timeouts.udp.value_or(0) ==
		       b.conn_timeouts.udp.value_or(0);
}

bool same_settings(const xvs::Destination &a, const xvs::Destination &b)
{
	return (a.fwd_method & IP_VS_CONN_F_FWD_MASK) ==
		       (b.fwd_method & IP_VS_CONN_F_FWD_MASK) &&
	       a.weight == b.weight && a.u_threshold == b.u_threshold &&
	       a.l_threshold == b.l_threshold &&
	       a.tun_type.value_or(0) == b.tun_type.value_or(0) &&
	       a.tun_port.value_or(0) == b.tun_port.value_or(0) &&
	       a.tun_flags.value_or(0) == b.tun_flags.value_or(0);
}

// A destination as a description gives it: tunnel settings it does not
// give are the defaults, sent as such (an edit resets them).
xvs::Destination with_tunnel_defaults(xvs::Destination d)
{
	d.tun_type = d.tun_type.value_or(0);
	d.tun_port = d.tun_port.value_or(0);
	d.tun_flags = d.tun_flags.value_or(0);
	return d;
}

} // namespace

std::vector<Change> diff(const Table &want, const Current &cur)
{
	std::map<SvcKey, std::size_t> cur_index;
	for (std::size_t i = 0; i < cur.services.size(); i++)
		cur_index[key_of(cur.services[i])] = i;
	std::map<SvcKey, const DesiredService *> want_index;
	for (const auto &ds : want.services)
		want_index[key_of(ds.svc)] = &ds;

	std::vector<Change> dels, adds;
	// Services to remove (their destinations go with them).
	for (const auto &s : cur.services)
		if (!want_index.count(key_of(s)))
			dels.push_back({Kind::DelService, s, {}});

	for (const auto &ds : want.services) {
		auto it = cur_index.find(key_of(ds.svc));
		if (it == cur_index.end()) {
			adds.push_back({Kind::AddService, ds.svc, {}});
			for (const auto &d : ds.dests)
				adds.push_back({Kind::AddDest, ds.svc,
						with_tunnel_defaults(d)});
			continue;
		}
		const xvs::Service &have = cur.services[it->second];
		if (!same_settings(have, ds.svc))
			adds.push_back({Kind::EditService, ds.svc, {}});
		const auto &have_dests = it->second < cur.dests.size() ?
			cur.dests[it->second] : std::vector<xvs::Destination>{};
		std::map<DestKey, const xvs::Destination *> hd;
		for (const auto &d : have_dests)
			hd[key_of(d)] = &d;
		std::map<DestKey, bool> wanted;
		for (const auto &d : ds.dests) {
			wanted[key_of(d)] = true;
			auto h = hd.find(key_of(d));
			if (h == hd.end())
				adds.push_back({Kind::AddDest, ds.svc,
						with_tunnel_defaults(d)});
			else if (!same_settings(*h->second, d))
				adds.push_back({Kind::EditDest, ds.svc,
						with_tunnel_defaults(d)});
		}
		for (const auto &d : have_dests)
			if (!wanted.count(key_of(d)))
				dels.push_back({Kind::DelDest, ds.svc, d});
	}
	// Destination deletions, then service deletions, then the rest.
	std::stable_partition(dels.begin(), dels.end(), [](const Change &c) {
		return c.kind == Kind::DelDest;
	});
	dels.insert(dels.end(), adds.begin(), adds.end());
	return dels;
}

std::string describe(const Change &c)
{
	const xvs::Service &s = c.svc;
	std::string key;
	if (s.fwmark) {
		key = "-f " + std::to_string(s.fwmark) +
		      (s.af == AF_INET6 ? " -6" : "");
	} else {
		const char *opt = s.protocol == IPPROTO_UDP ? "-u" :
				  s.protocol == IPPROTO_SCTP ? "--sctp-service" :
				  "-t";
		key = std::string(opt) + " " + names::addrport(
			s.af, s.addr.bytes.data(), s.port, s.protocol, true);
	}
	switch (c.kind) {
	case Kind::DelService:
		return "-D " + key;
	case Kind::AddService:
	case Kind::EditService: {
		// The -S rendering of the service line, with -E for edits.
		std::string line = fmt::service_entry(s, {}, FMT_RULE |
						      FMT_NUMERIC);
		line.pop_back();	// newline
		if (c.kind == Kind::EditService)
			line[1] = 'E';
		return line;
	}
	case Kind::AddDest:
	case Kind::EditDest: {
		std::string text = fmt::service_entry(s, {c.dest},
						      FMT_RULE | FMT_NUMERIC);
		std::string line = text.substr(text.find('\n') + 1);
		line.pop_back();
		line += " -x " + std::to_string(c.dest.u_threshold) + " -y " +
			std::to_string(c.dest.l_threshold);
		if (c.kind == Kind::EditDest)
			line[1] = 'e';
		return line;
	}
	case Kind::DelDest:
		return "-d " + key + " -r " + names::addrport(
			c.dest.addr.af, c.dest.addr.bytes.data(), c.dest.port,
			s.protocol, true);
	}
	return {};
}

Current read_current(xvs::Ipvs &ipvs)
{
	Current cur;
	auto table = ipvs.list_all();
	cur.services.reserve(table.size());
	cur.dests.reserve(table.size());
	for (auto &e : table) {
		cur.services.push_back(std::move(e.service));
		cur.dests.push_back(std::move(e.dests));
	}
	return cur;
}

namespace {

Op op_of(const Change &c)
{
	switch (c.kind) {
	case Kind::AddService: return Op::AddService;
	case Kind::EditService: return Op::UpdateService;
	case Kind::DelService: return Op::DelService;
	case Kind::AddDest: return Op::AddDest;
	case Kind::EditDest: return Op::UpdateDest;
	case Kind::DelDest: return Op::DelDest;
	}
	return Op::Init;
}

} // namespace

std::vector<std::string> execute(xvs::Ipvs &ipvs,
				 const std::vector<Change> &changes)
{
	auto outcomes = ipvs.apply_changes(changes);
	std::vector<std::string> failures;
	for (std::size_t i = 0; i < changes.size(); i++)
		if (outcomes[i].error)
			failures.push_back(describe(changes[i]) + ": " +
					   ipvs_strerror(op_of(changes[i]),
							 outcomes[i].error));
	return failures;
}

} // namespace apply

int apply_main(const std::vector<std::string> &args)
{
	const std::string usage =
		"Usage: xvsadm apply [--dry-run] FILE|-\n";
	bool dry_run = false;
	std::string file;
	for (std::size_t i = 2; i < args.size(); i++) {
		if (args[i] == "--dry-run" || args[i] == "-n") {
			dry_run = true;
		} else if (args[i] == "-h" || args[i] == "--help") {
			std::fputs(usage.c_str(), stdout);
			return 0;
		} else if (file.empty() && (args[i] == "-" || args[i][0] != '-')) {
			file = args[i];
		} else {
			std::fprintf(stderr, "xvsadm apply: unexpected argument "
				     "%s\n%s", args[i].c_str(), usage.c_str());
			return 2;
		}
	}
	if (file.empty()) {
		std::fputs(usage.c_str(), stderr);
		return 2;
	}

	std::string text;
	if (file == "-") {
		std::ostringstream ss;
		ss << std::cin.rdbuf();
		text = ss.str();
	} else {
		std::ifstream in(file, std::ios::binary);
		if (!in) {
			std::fprintf(stderr, "xvsadm apply: cannot open %s: %s\n",
				     file.c_str(), std::strerror(errno));
			return 2;
		}
		std::ostringstream ss;
		ss << in.rdbuf();
		text = ss.str();
	}

	// XVSADM_TIMING=1: phase durations on standard error.
	const bool timing = std::getenv("XVSADM_TIMING") != nullptr;
	auto t_prev = std::chrono::steady_clock::now();
	auto phase = [&](const char *name) {
		auto t = std::chrono::steady_clock::now();
		if (timing)
			std::fprintf(stderr, "xvsadm apply: %s %lld ms\n", name,
				     static_cast<long long>(std::chrono::duration_cast<
					std::chrono::milliseconds>(t - t_prev).count()));
		t_prev = t;
	};

	apply::Table want;
	try {
		want = apply::parse(text);
		phase("parse");
	} catch (const apply::ParseError &e) {
		std::fprintf(stderr, "xvsadm apply: %s:%d: %s\n",
			     file == "-" ? "<stdin>" : file.c_str(), e.line,
			     e.message.c_str());
		return 2;
	}

	try {
		xvs::Ipvs ipvs;
		apply::Current cur = apply::read_current(ipvs);
		phase("read-current");
		auto changes = apply::diff(want, cur);
		phase("diff");
		if (dry_run) {
			for (const auto &c : changes)
				std::printf("%s\n", apply::describe(c).c_str());
			return 0;
		}
		auto failures = apply::execute(ipvs, changes);
		phase("send");
		for (const auto &f : failures)
			std::fprintf(stderr, "xvsadm apply: %s\n", f.c_str());
		return failures.empty() ? 0 : 1;
	} catch (const xvs::Error &e) {
		std::fprintf(stderr, "xvsadm apply: %s\n", e.what());
		return 1;
	}
}

} // namespace xvsadm
