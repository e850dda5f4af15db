#include "watch.hpp"
#include "json.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <arpa/inet.h>

#include "xvs/error.hpp"

namespace xvsadm::watch {

namespace {

const char *method_word(std::uint32_t m)
{
	switch (m & IP_VS_CONN_F_FWD_MASK) {
	case IP_VS_CONN_F_MASQ: return "masq";
	case IP_VS_CONN_F_LOCALNODE: return "local";
	case IP_VS_CONN_F_TUNNEL: return "tunnel";
	case IP_VS_CONN_F_DROUTE: return "route";
	default: return "unknown";
	}
}

std::string netmask_str(const xvs::Service &s)
{
	if (s.af == AF_INET6)
		return std::to_string(s.netmask);
	in_addr m;
	m.s_addr = s.netmask;
	char b[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &m, b, sizeof(b));
	return b;
}

std::string service_words(const xvs::Service &s)
{
	const std::uint32_t flags = s.flags & s.flags_mask;
	std::string o = s.key_str() + " scheduler " + s.sched_name;
	if (flags & IP_VS_SVC_F_PERSISTENT)
		o += " persistent " + std::to_string(s.timeout) + " netmask " +
		     netmask_str(s);
	if (!s.pe_name.empty())
		o += " pe " + s.pe_name;
	if (flags & IP_VS_SVC_F_ONEPACKET)
		o += " ops";
	return o;
}

std::string dest_words(const xvs::Destination &d)
{
	return "-> " + d.key_str() + " " + method_word(d.fwd_method) +
	       " weight " + std::to_string(d.weight) +
	       " u_threshold " + std::to_string(d.u_threshold) +
	       " l_threshold " + std::to_string(d.l_threshold);
}

std::string daemon_words(const xvs::Daemon &d)
{
	std::string o = d.state & IP_VS_STATE_MASTER ? "master" :
			d.state & IP_VS_STATE_BACKUP ? "backup" : "none";
	o += " mcast_interface " + d.mcast_ifn + " syncid " +
	     std::to_string(d.syncid);
	if (d.sync_maxlen)
		o += " sync_maxlen " + std::to_string(*d.sync_maxlen);
	if (d.mcast_group)
		o += " mcast_group " + d.mcast_group->str();
	if (d.mcast_port)
		o += " mcast_port " + std::to_string(*d.mcast_port);
	if (d.mcast_ttl)
		o += " mcast_ttl " + std::to_string(*d.mcast_ttl);
	return o;
}

constexpr const char *kLostText = "events-lost\n";
constexpr const char *kLostJson =
	"{\"format\": \"xvsadm-event-1\", \"event\": \"events-lost\"}\n";

int usage(const std::string &prog)
{
	std::fprintf(stderr, "Usage: %s --watch [--format text|json]\n",
		     prog.c_str());
	return 2;
}

} // namespace

std::string render_text(const xvs::Event &ev)
{
	std::string o(xvs::event_kind_name(ev.kind));
	if (ev.service)
		o += " " + service_words(*ev.service);
	if (ev.dest)
		o += " " + dest_words(*ev.dest);
	if (ev.daemon)
		o += " " + daemon_words(*ev.daemon);
	return o + "\n";
}

int main(const std::vector<std::string> &args)
{
	bool json = false;
	for (std::size_t i = 1; i < args.size(); i++) {
		if (args[i] == "--watch")
			continue;
		if (args[i] == "--format" && i + 1 < args.size()) {
			const std::string &f = args[++i];
			if (f != "json" && f != "text")
				return usage(args[0]);
			json = f == "json";
			continue;
		}
		return usage(args[0]);
	}

	try {
		xvs::EventSubscriber sub;
		// On stderr, so that stdout holds events only: the moment from
		// which no change is missed.
		std::fprintf(stderr, "%s: watching config-change events\n",
			     args[0].c_str());
		for (;;) {
			std::string line;
			try {
				auto ev = sub.next(-1);
				if (!ev)
					continue;
				line = json ? json::render_event(*ev) :
					      render_text(*ev);
			} catch (const xvs::Error &e) {
				if (e.code() != ENOBUFS)
					throw;
				line = json ? kLostJson : kLostText;
			}
			if (std::fputs(line.c_str(), stdout) < 0 ||
			    std::fflush(stdout) != 0)
				return 1;	// the reader went away
		}
	} catch (const xvs::Error &e) {
		std::string why = e.what();
		if (e.code() == EPERM)
			why += " (the event group needs CAP_NET_ADMIN)";
		else if (e.code() == ENOENT)
			why += " (events need xvs.ko; ip_vs has none)";
		std::fprintf(stderr, "%s: cannot watch events: %s\n",
			     args[0].c_str(), why.c_str());
		return 1;
	}
}

} // namespace xvsadm::watch
