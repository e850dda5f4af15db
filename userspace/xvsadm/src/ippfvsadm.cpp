#include "ippfvsadm.hpp"

#include <arpa/inet.h>

#include <cerrno>
#include <charconv>
#include <cstdio>

#include "cli.hpp"
#include "engine.hpp"
#include "xvs/error.hpp"

namespace xvsadm::ippfvs {

namespace {

[[noreturn]] void bad(const std::string &prog, const std::string &msg)
{
	Exit e;
	e.code = 2;
	e.err = prog + ": " + msg + "\nTry `" + prog + " -h' for more information.\n";
	throw e;
}

bool number(std::string_view s, unsigned long max, unsigned long &out)
{
	if (s.empty() || s.size() > 10)
		return false;
	auto r = std::from_chars(s.data(), s.data() + s.size(), out);
	return r.ec == std::errc() && r.ptr == s.data() + s.size() && out <= max;
}

// "a.b.c.d:port" (port required) or "a.b.c.d[:port]"; returns the
// normalised text, the port 0 when absent.
std::string endpoint(const std::string &prog, const std::string &text, bool port_required,
		     const char *what, unsigned &port)
{
	auto colon = text.rfind(':');
	std::string host = text.substr(0, colon);
	in_addr a{};
	if (host.empty() || ::inet_pton(AF_INET, host.c_str(), &a) != 1)
		bad(prog, std::string("illegal ") + what + " address '" + text +
			       "' (an IPv4 address a.b.c.d" +
			       (port_required ? ":port" : "[:port]") + ")");
	unsigned long p = 0;
	if (colon == std::string::npos) {
		if (port_required)
			bad(prog, std::string(what) + " '" + text + "' has no port (a.b.c.d:port)");
	} else if (!number(std::string_view(text).substr(colon + 1), 65535, p) || p == 0) {
		bad(prog, std::string("illegal ") + what + " port in '" + text + "' (1-65535)");
	}
	port = static_cast<unsigned>(p);
	char buf[INET_ADDRSTRLEN];
	::inet_ntop(AF_INET, &a, buf, sizeof(buf));
	return std::string(buf) + (p ? ":" + std::to_string(p) : "");
}

} // namespace

std::string usage()
{
	return "ippfvsadm (xvsadm in ippfvs 0.5 mode): translates into ipvsadm commands\n"
	       "Usage:\n"
	       "  ippfvsadm -A -[t|u] l.l.l.l:lport -R r.r.r.r[:rport] [-w weight]\n"
	       "  ippfvsadm -D -[t|u] l.l.l.l:lport [-R r.r.r.r[:rport]]\n"
	       "  ippfvsadm -C\n"
	       "  ippfvsadm -L [-n]\n"
	       "Commands:\n"
	       "  -A   add a real server to the virtual service (created with wrr\n"
	       "       scheduling on its first real server; forwarding is NAT)\n"
	       "  -D   delete a real server (the service goes with its last one), or\n"
	       "       without -R the whole virtual service\n"
	       "  -C   clear the whole table\n"
	       "  -L   list the table (ipvsadm's listing; -n: numeric)\n"
	       "Options:\n"
	       "  -t service   TCP virtual service l.l.l.l:lport\n"
	       "  -u service   UDP virtual service\n"
	       "  -R server    real server r.r.r.r[:rport] (rport defaults to lport)\n"
	       "  -w weight    weight of the real server (0-65535, default 1)\n"
	       "  -n           numeric output of -L\n"
	       "  -h           this help\n"
	       "Each change is printed as the ipvsadm command that made it.\n";
}

Request parse(const std::vector<std::string> &args)
{
	const std::string prog = args.empty() ? "ippfvsadm" : args[0];
	Request r;
	bool have_cmd = false, have_svc = false, have_weight = false;
	std::string real_text;
	unsigned svc_port = 0, real_port = 0;
	auto set_cmd = [&](Action a, const std::string &opt) {
		if (have_cmd)
			bad(prog, "more than one command (" + opt + " with another of -A -D -C -L)");
		have_cmd = true;
		r.action = a;
	};
	for (std::size_t i = 1; i < args.size(); i++) {
		const std::string &o = args[i];
		auto value = [&]() -> const std::string & {
			if (i + 1 >= args.size())
				bad(prog, "option " + o + " needs a value");
			return args[++i];
		};
		if (o == "-h" || o == "--help") {
			Exit e;
			e.code = 0;
			e.out = usage();
			throw e;
		} else if (o == "-A") {
			set_cmd(Action::Add, o);
		} else if (o == "-D") {
			set_cmd(Action::Delete, o);
		} else if (o == "-C") {
			set_cmd(Action::Clear, o);
		} else if (o == "-L") {
			set_cmd(Action::List, o);
		} else if (o == "-t" || o == "-u") {
			if (have_svc)
				bad(prog, "more than one virtual service (-t/-u)");
			have_svc = true;
			r.proto = o[1];
			r.service = endpoint(prog, value(), true, "virtual service", svc_port);
		} else if (o == "-R") {
			if (!real_text.empty())
				bad(prog, "more than one real server (-R)");
			real_text = value();
			if (real_text.empty())
				bad(prog, "empty real server address");
		} else if (o == "-w") {
			const std::string &v = value();
			unsigned long w;
			if (!number(v, 65535, w))
				bad(prog, "illegal weight '" + v + "' (0-65535)");
			r.weight = static_cast<unsigned>(w);
			have_weight = true;
		} else if (o == "-n") {
			r.numeric = true;
		} else {
			bad(prog, "unknown option '" + o + "'");
		}
	}
	if (!have_cmd)
		bad(prog, "no command (one of -A -D -C -L)");
	if (!real_text.empty())
		r.real = endpoint(prog, real_text, false, "real server", real_port);
	if (!r.real.empty() && !real_port)
		r.real += ":" + std::to_string(svc_port);	// the virtual port
	switch (r.action) {
	case Action::Add:
		if (!have_svc)
			bad(prog, "-A needs a virtual service (-t|-u l.l.l.l:lport)");
		if (r.real.empty())
			bad(prog, "-A needs a real server (-R r.r.r.r[:rport])");
		break;
	case Action::Delete:
		if (!have_svc)
			bad(prog, "-D needs a virtual service (-t|-u l.l.l.l:lport)");
		if (have_weight)
			bad(prog, "-w is for -A only");
		break;
	case Action::Clear:
	case Action::List:
		if (have_svc || !real_text.empty() || have_weight)
			bad(prog, std::string(r.action == Action::Clear ? "-C" : "-L") +
					  " takes no service, real server or weight");
		break;
	}
	if (r.numeric && r.action != Action::List)
		bad(prog, "-n is for -L only");
	return r;
}

std::vector<std::vector<std::string>> plan(const Request &r, const Current &cur)
{
	const std::string p = std::string("-") + r.proto;
	switch (r.action) {
	case Action::Add: {
		std::vector<std::vector<std::string>> out;
		if (!cur.service_exists)
			out.push_back({"-A", p, r.service, "-s", "wrr"});
		out.push_back({"-a", p, r.service, "-r", r.real, "-m", "-w", std::to_string(r.weight)});
		return out;
	}
	case Action::Delete:
		if (r.real.empty())
			return {{"-D", p, r.service}};
		// the virtual service was its list of real servers: the last
		// one takes it along
		if (cur.service_exists && cur.real_is_dest && cur.dests == 1)
			return {{"-d", p, r.service, "-r", r.real}, {"-D", p, r.service}};
		return {{"-d", p, r.service, "-r", r.real}};
	case Action::Clear:
		return {{"-C"}};
	case Action::List:
		if (r.numeric)
			return {{"-L", "-n"}};
		return {{"-L"}};
	}
	return {};
}

std::string show(const std::vector<std::string> &line)
{
	std::string s = "ipvsadm";
	for (auto &a : line)
		s += " " + a;
	return s;
}

namespace {

std::vector<std::string> ipvsadm_argv(const std::vector<std::string> &line)
{
	std::vector<std::string> argv{"ipvsadm"};
	argv.insert(argv.end(), line.begin(), line.end());
	return argv;
}

Current lookup(Engine &engine, const Request &r)
{
	Current cur;
	if (r.service.empty())
		return cur;
	const std::string p = std::string("-") + r.proto;
	xvs::Service key = to_service(parse_command({"ipvsadm", "-D", p, r.service}).svc);
	xvs::Service svc;
	try {
		svc = engine.ipvs().service(key);
	} catch (const xvs::Error &e) {
		if (e.code() == ESRCH || e.code() == ENOENT)
			return cur;
		throw;
	}
	cur.service_exists = true;
	auto dests = engine.ipvs().dests(svc);
	cur.dests = dests.size();
	if (!r.real.empty()) {
		xvs::Destination want =
			to_dest(parse_command({"ipvsadm", "-d", p, r.service, "-r", r.real}).dest);
		for (auto &d : dests)
			if (d.addr == want.addr && d.port == want.port)
				cur.real_is_dest = true;
	}
	return cur;
}

} // namespace

int main(const std::vector<std::string> &args)
{
	Request r;
	try {
		r = parse(args);
	} catch (const Exit &e) {
		std::fputs(e.out.c_str(), stdout);
		std::fputs(e.err.c_str(), stderr);
		return e.code;
	}
	Engine engine(stdout, stderr);
	try {
		engine.start();
		Current cur;
		try {
			cur = lookup(engine, r);
		} catch (const xvs::Error &e) {
			std::fprintf(stderr, "%s\n", ipvs_strerror(Op::GetService, e.code()).c_str());
			return 1;
		}
		auto lines = plan(r, cur);
		// every line is checked by ipvsadm's own rules before any is sent
		for (auto &l : lines) {
			try {
				parse_command(ipvsadm_argv(l));
			} catch (const Exit &e) {
				std::fprintf(stderr, "ippfvsadm: internal error: '%s' refused: %s",
					     show(l).c_str(), e.err.c_str());
				return 2;
			}
		}
		bool created = false;
		for (auto &l : lines) {
			if (r.action == Action::List) {
				std::fprintf(stderr, "ippfvsadm: %s\n", show(l).c_str());
				std::fflush(stderr);
			}
			if (engine.run(ipvsadm_argv(l), false) != 0) {
				if (created) {
					// -A made the service for this real server only
					std::vector<std::string> undo{"-D", std::string("-") + r.proto,
								      r.service};
					if (engine.run(ipvsadm_argv(undo), false) == 0)
						std::printf("ippfvsadm: %s (undone)\n", show(undo).c_str());
				}
				return 1;
			}
			if (l[0] == "-A")
				created = true;
			if (r.action != Action::List)
				std::printf("ippfvsadm: %s\n", show(l).c_str());
		}
		std::fflush(stdout);
		return 0;
	} catch (const Quit &q) {
		return q.code & 0xff;
	}
}

} // namespace xvsadm::ippfvs
