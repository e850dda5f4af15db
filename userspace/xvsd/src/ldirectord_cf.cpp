// ldirectord.cf: "key=value" lines; "virtual=" opens a section whose
// settings follow, normally indented.  Keys that only make sense inside a
// section (real, service, request, ...) stay with the open section even when
// a configuration lost its indentation (as the one in the seed slides did);
// an unindented global key closes the section.
#include "ldirectord_cf.hpp"

#include <netdb.h>
#include <cstring>
#include <set>

#include "text.hpp"
#include "xvs/error.hpp"

namespace xvsd {

const char *forward_name(Forward f)
{
	switch (f) {
	case Forward::Gate: return "gate";
	case Forward::Masq: return "masq";
	case Forward::Ipip: return "ipip";
	}
	return "?";
}

std::uint32_t forward_ipvs_flag(Forward f)
{
	switch (f) {
	case Forward::Gate: return IP_VS_CONN_F_DROUTE;
	case Forward::Masq: return IP_VS_CONN_F_MASQ;
	case Forward::Ipip: return IP_VS_CONN_F_TUNNEL;
	}
	return IP_VS_CONN_F_MASQ;
}

const char *check_type_name(CheckType t)
{
	switch (t) {
	case CheckType::Connect: return "connect";
	case CheckType::Negotiate: return "negotiate";
	case CheckType::Ping: return "ping";
	case CheckType::External: return "external";
	case CheckType::Off: return "off";
	case CheckType::On: return "on";
	}
	return "?";
}

const char *check_service_name(CheckService s)
{
	switch (s) {
	case CheckService::None: return "none";
	case CheckService::Http: return "http";
	case CheckService::Https: return "https";
	case CheckService::Smtp: return "smtp";
	case CheckService::Pop: return "pop";
	case CheckService::Imap: return "imap";
	case CheckService::Ftp: return "ftp";
	case CheckService::Dns: return "dns";
	}
	return "?";
}

std::string Endpoint::str() const
{
	if (addr.is_v6())
		return "[" + addr.str() + "]:" + std::to_string(port);
	return addr.str() + ":" + std::to_string(port);
}

std::string VirtualService::key_str() const
{
	if (fwmark)
		return "fwmark " + std::to_string(fwmark);
	return ep.str();
}

xvs::Service VirtualService::to_ipvs() const
{
	xvs::Service s;
	if (fwmark) {
		s.af = AF_INET;
		s.protocol = 0;
		s.fwmark = fwmark;
	} else {
		s.af = ep.addr.af;
		s.protocol = protocol;
		s.addr = ep.addr;
		s.port = ep.port;
	}
	s.sched_name = scheduler;
	s.netmask = xvs::Service::default_netmask(s.af);
	if (persistent) {
		s.flags = IP_VS_SVC_F_PERSISTENT;
		s.timeout = *persistent;
		if (netmask) {
			if (s.af == AF_INET) {
				auto m = xvs::Address::parse(*netmask);
				std::uint32_t v;
				std::memcpy(&v, m.bytes.data(), 4);
				s.netmask = v;
			} else {
				s.netmask = static_cast<std::uint32_t>(std::stoul(*netmask));
			}
		}
	} else {
		s.flags = 0;
	}
	return s;
}

static bool port_of(const std::string &text, std::uint16_t &port)
{
	static const std::pair<const char *, std::uint16_t> names[] = {
		{"http", 80}, {"www", 80}, {"https", 443}, {"smtp", 25},
		{"pop3", 110}, {"pop", 110}, {"imap", 143}, {"imap2", 143},
		{"ftp", 21}, {"domain", 53}, {"dns", 53}, {"ssh", 22},
	};
	unsigned long v;
	if (parse_uint(text, 0, 65535, v)) {
		port = static_cast<std::uint16_t>(v);
		return true;
	}
	for (auto &[n, p] : names) {
		if (lower(text) == n) {
			port = p;
			return true;
		}
	}
	return false;
}

static bool resolve(const std::string &host, xvs::Address &out)
{
	try {
		out = xvs::Address::parse(host);
		return true;
	} catch (const xvs::Error &) {
	}
	addrinfo hints{};
	hints.ai_family = AF_UNSPEC;
	addrinfo *res = nullptr;
	if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0 || !res)
		return false;
	bool ok = false;
	if (res->ai_family == AF_INET) {
		auto *sin = reinterpret_cast<sockaddr_in *>(res->ai_addr);
		out = xvs::Address::v4(ntohl(sin->sin_addr.s_addr));
		ok = true;
	} else if (res->ai_family == AF_INET6) {
		auto *sin6 = reinterpret_cast<sockaddr_in6 *>(res->ai_addr);
		out.af = AF_INET6;
		std::memcpy(out.bytes.data(), &sin6->sin6_addr, 16);
		ok = true;
	}
	freeaddrinfo(res);
	return ok;
}

bool parse_endpoint(const std::string &text, Endpoint &out, std::string &why)
{
	std::string host, port;
	if (!text.empty() && text[0] == '[') {
		auto close = text.find(']');
		if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
			why = "expected [IPv6]:port, got '" + text + "'";
			return false;
		}
		host = text.substr(1, close - 1);
		port = text.substr(close + 2);
	} else {
		auto colon = text.rfind(':');
		if (colon == std::string::npos) {
			why = "expected address:port, got '" + text + "'";
			return false;
		}
		host = text.substr(0, colon);
		port = text.substr(colon + 1);
	}
	if (!resolve(host, out.addr)) {
		why = "unknown address '" + host + "'";
		return false;
	}
	if (!port_of(port, out.port)) {
		why = "bad port '" + port + "'";
		return false;
	}
	return true;
}

bool parse_prefix(const std::string &text, std::string &out, bool &v6, std::string &why)
{
	auto slash = text.find('/');
	if (slash == std::string::npos) {
		why = "expected address/length, got '" + text + "'";
		return false;
	}
	xvs::Address a;
	try {
		a = xvs::Address::parse(text.substr(0, slash));
	} catch (const xvs::Error &) {
		why = "bad address in '" + text + "'";
		return false;
	}
	v6 = a.is_v6();
	unsigned long len;
	unsigned long max = v6 ? 128 : 32;
	if (!parse_uint(text.substr(slash + 1), 0, max, len)) {
		why = "bad prefix length in '" + text + "' (0 to " + std::to_string(max) + ")";
		return false;
	}
	// bgpd would silently announce the network the bits belong to, which
	// is not what the line says
	std::size_t nbytes = v6 ? 16 : 4;
	for (std::size_t bit = len; bit < nbytes * 8; bit++) {
		if (a.bytes[bit / 8] & (0x80 >> (bit % 8))) {
			why = "'" + text + "' has host bits set";
			return false;
		}
	}
	out = a.str() + "/" + std::to_string(len);
	return true;
}

namespace {

// Keys valid only inside a virtual section.
const std::set<std::string> section_keys = {
	"real", "service", "request", "receive", "scheduler", "protocol",
	"persistent", "netmask", "checktype", "checkport", "virtualhost",
	"httpmethod", "httpstatus", "login", "passwd", "checkcommand", "database",
	"announce",
};
// Keys valid globally and inside a section.
const std::set<std::string> shared_keys = {
	"checkinterval", "checktimeout", "connecttimeout", "negotiatetimeout",
	"failurecount", "quiescent", "fallback", "timeout", "emailalert",
	"emailalertfreq", "emailalertstatus", "cleanstop",
};
// Global-only keys.
const std::set<std::string> global_keys = {
	"autoreload", "callback", "logfile", "execute", "fork", "supervised",
	"maintenancedir", "readdquiescent", "smtp", "emailalertfrom",
	"expirestale", "bgp",
};

struct Parser {
	const std::string &file;
	LdConfig cfg;
	// Per section: which shared settings it set itself.
	std::vector<std::set<std::string>> own;
	int line = 0;

	[[noreturn]] void err(const std::string &m) { config_error(file, line, m); }

	Millis duration(const std::string &k, const std::string &v)
	{
		Millis d;
		if (!parse_duration(v, d) || d.count() == 0)
			err("bad " + k + " '" + v + "' (seconds, > 0)");
		return d;
	}

	void shared(CheckTiming &t, const std::string &k, const std::string &v)
	{
		unsigned long n;
		bool b;
		if (k == "checkinterval") {
			t.checkinterval = duration(k, v);
		} else if (k == "checktimeout" || k == "connecttimeout" || k == "timeout") {
			t.checktimeout = duration(k, v);
		} else if (k == "negotiatetimeout") {
			t.negotiatetimeout = duration(k, v);
		} else if (k == "failurecount") {
			if (!parse_uint(v, 1, 1000000, n))
				err("bad failurecount '" + v + "' (a number >= 1)");
			t.failurecount = static_cast<unsigned>(n);
		} else if (k == "quiescent") {
			if (!parse_bool(v, b))
				err("bad quiescent '" + v + "' (yes or no)");
			t.quiescent = b;
		} else if (k == "fallback") {
			auto tok = split_blank(v);
			if (tok.empty() || tok.size() > 2)
				err("bad fallback '" + v + "' (address:port [gate|masq|ipip])");
			Fallback f;
			std::string why;
			if (!parse_endpoint(tok[0], f.ep, why))
				err("bad fallback: " + why);
			if (tok.size() == 2)
				f.fwd = forward(tok[1]);
			t.fallback = f;
		}
		// emailalert*, cleanstop: accepted, xvsd does not send mail
	}

	Forward forward(const std::string &v)
	{
		auto l = lower(v);
		if (l == "gate")
			return Forward::Gate;
		if (l == "masq")
			return Forward::Masq;
		if (l == "ipip")
			return Forward::Ipip;
		err("bad forwarding method '" + v + "' (gate, masq or ipip)");
	}

	void real(VirtualService &vs, const std::string &v)
	{
		RealServer r;
		r.line = line;
		// "IP:port method [weight] ["request", "receive"]"
		std::string rest = std::string(trim(v));
		auto q = rest.find_first_of("\"'");
		std::string quoted;
		if (q != std::string::npos) {
			quoted = rest.substr(q);
			rest = rest.substr(0, q);
		}
		auto tok = split_blank(rest);
		if (tok.empty())
			err("real= needs address:port");
		std::string why;
		if (!parse_endpoint(tok[0], r.ep, why))
			err("bad real server: " + why);
		if (tok.size() >= 2)
			r.fwd = forward(tok[1]);
		if (tok.size() >= 3) {
			unsigned long w;
			if (!parse_uint(tok[2], 0, 65535, w))
				err("bad real server weight '" + tok[2] + "'");
			r.weight = static_cast<int>(w);
		}
		if (tok.size() > 3)
			err("unexpected '" + tok[3] + "' after the real server weight");
		if (!quoted.empty()) {
			auto comma = quoted.find(',');
			if (comma == std::string::npos)
				err("real server request needs \"request\", \"receive\"");
			r.request = unquote(quoted.substr(0, comma));
			r.receive = unquote(quoted.substr(comma + 1));
		}
		for (auto &o : vs.reals)
			if (o.ep == r.ep)
				err("real server " + r.ep.str() + " listed twice");
		vs.reals.push_back(r);
	}

	void section(VirtualService &vs, const std::string &k, const std::string &raw)
	{
		std::string v = unquote(raw);
		unsigned long n;
		own.back().insert(k);
		if (k == "real") {
			real(vs, raw);
		} else if (k == "service") {
			static const std::pair<const char *, CheckService> m[] = {
				{"none", CheckService::None}, {"http", CheckService::Http},
				{"https", CheckService::Https}, {"smtp", CheckService::Smtp},
				{"pop", CheckService::Pop}, {"imap", CheckService::Imap},
				{"ftp", CheckService::Ftp}, {"dns", CheckService::Dns},
			};
			for (auto &[name, s] : m)
				if (lower(v) == name) {
					vs.service = s;
					return;
				}
			err("unsupported service '" + v + "' (none http https smtp pop imap ftp dns)");
		} else if (k == "request") {
			vs.request = v;
		} else if (k == "receive") {
			vs.receive = v;
		} else if (k == "scheduler") {
			if (v.empty() || v.size() > 15 || v.find_first_not_of(
				"abcdefghijklmnopqrstuvwxyz") != std::string::npos)
				err("bad scheduler '" + v + "'");
			vs.scheduler = v;
		} else if (k == "protocol") {
			auto l = lower(v);
			if (l == "tcp")
				vs.protocol = IPPROTO_TCP;
			else if (l == "udp")
				vs.protocol = IPPROTO_UDP;
			else if (l == "fwm")
				vs.protocol = 0;
			else
				err("bad protocol '" + v + "' (tcp, udp or fwm)");
		} else if (k == "persistent") {
			if (!parse_uint(v, 1, 0x7fffffff, n))
				err("bad persistent '" + v + "' (seconds)");
			vs.persistent = static_cast<std::uint32_t>(n);
		} else if (k == "netmask") {
			try {
				auto a = xvs::Address::parse(v);
				if (a.af != AF_INET)
					throw xvs::Error(EINVAL, "v6");
			} catch (const xvs::Error &) {
				if (!parse_uint(v, 1, 128, n))
					err("bad netmask '" + v + "'");
			}
			vs.netmask = v;
		} else if (k == "checktype") {
			auto l = lower(v);
			if (l == "connect")
				vs.checktype = CheckType::Connect;
			else if (l == "negotiate")
				vs.checktype = CheckType::Negotiate;
			else if (l == "ping")
				vs.checktype = CheckType::Ping;
			else if (l == "external")
				vs.checktype = CheckType::External;
			else if (l == "off")
				vs.checktype = CheckType::Off;
			else if (l == "on")
				vs.checktype = CheckType::On;
			else
				err("unsupported checktype '" + v + "'");
		} else if (k == "checkport") {
			if (!parse_uint(v, 1, 65535, n))
				err("bad checkport '" + v + "'");
			vs.checkport = static_cast<std::uint16_t>(n);
		} else if (k == "virtualhost") {
			vs.virtualhost = v;
		} else if (k == "httpmethod") {
			auto l = lower(v);
			if (l != "get" && l != "head")
				err("bad httpmethod '" + v + "' (GET or HEAD)");
			vs.httpmethod = l == "get" ? "GET" : "HEAD";
		} else if (k == "httpstatus") {
			if (!parse_uint(v, 100, 599, n))
				err("bad httpstatus '" + v + "'");
			vs.http_status = static_cast<int>(n);
		} else if (k == "login") {
			vs.login = v;
		} else if (k == "passwd") {
			vs.passwd = v;
		} else if (k == "checkcommand") {
			vs.checkcommand = v;
		} else if (k == "announce") {
			vs.announce_line = line;
			auto l = lower(v);
			if (l == "no") {
				vs.announce.clear();
			} else if (l == "yes") {
				vs.announce = "yes";
			} else {
				bool v6;
				std::string why;
				if (!parse_prefix(v, vs.announce, v6, why))
					err("bad announce: " + why + " (yes, no or a prefix)");
			}
		} else if (k == "database") {
			// sql checks are not supported; accepted for compatibility
		} else {
			shared(vs.timing, k, raw);
		}
	}

	void virt(const std::string &raw)
	{
		VirtualService vs;
		vs.line = line;
		std::string v(trim(raw));
		unsigned long n;
		if (parse_uint(v, 1, 0xffffffffUL, n)) {
			vs.fwmark = static_cast<std::uint32_t>(n);
			vs.protocol = 0;
		} else {
			std::string why;
			if (!parse_endpoint(v, vs.ep, why))
				err("bad virtual: " + why);
		}
		for (auto &o : cfg.virtuals)
			if (o.fwmark == vs.fwmark && (vs.fwmark || o.ep == vs.ep))
				err("virtual " + vs.key_str() + " defined twice (line " +
				    std::to_string(o.line) + ")");
		cfg.virtuals.push_back(vs);
		own.emplace_back();
	}

	void global(const std::string &k, const std::string &raw)
	{
		bool b;
		if (k == "autoreload") {
			if (!parse_bool(raw, b))
				err("bad autoreload '" + raw + "' (yes or no)");
			cfg.autoreload = b;
		} else if (k == "logfile") {
			cfg.logfile = unquote(raw);
		} else if (k == "expirestale") {
			// xvs.ko's net.xvs.expire_stale_conn: 0, 1 or 2
			auto l = lower(unquote(raw));
			if (l == "no" || l == "0")
				cfg.expire_stale = 0;
			else if (l == "udp" || l == "1")
				cfg.expire_stale = 1;
			else if (l == "all" || l == "2")
				cfg.expire_stale = 2;
			else
				err("bad expirestale '" + raw + "' (no, udp or all)");
		} else if (k == "bgp") {
			// AS numbers are 32-bit (RFC 6793); 0 is reserved
			unsigned long as;
			if (!parse_uint(unquote(raw), 1, 0xffffffffUL, as))
				err("bad bgp '" + raw + "' (the AS number of router bgp, 1 to 4294967295)");
			cfg.bgp_as = static_cast<std::uint32_t>(as);
		} else {
			shared(cfg.timing, k, raw);
		}
	}

	void run(const std::string &text)
	{
		bool in_section = false;
		std::size_t pos = 0;
		while (pos <= text.size()) {
			auto nl = text.find('\n', pos);
			if (nl == std::string::npos)
				nl = text.size();
			std::string_view full(text.data() + pos, nl - pos);
			pos = nl + 1;
			line++;
			std::string_view body = trim(strip_comment(full));
			if (body.empty())
				continue;
			auto eq = body.find('=');
			if (eq == std::string_view::npos)
				err("expected key=value, got '" + std::string(body) + "'");
			std::string k = lower(trim(body.substr(0, eq)));
			std::string v(trim(body.substr(eq + 1)));
			bool indented = starts_with_blank(full);
			if (k == "virtual") {
				virt(v);
				in_section = true;
			} else if (section_keys.count(k)) {
				if (!in_section)
					err(k + "= outside a virtual section");
				section(cfg.virtuals.back(), k, v);
			} else if (shared_keys.count(k)) {
				if (in_section && indented) {
					section(cfg.virtuals.back(), k, v);
				} else {
					in_section = false;
					global(k, v);
				}
			} else if (global_keys.count(k)) {
				if (indented && in_section)
					err(k + "= is a global setting, not valid in a virtual section");
				in_section = false;
				global(k, v);
			} else {
				err("unknown setting '" + k + "'");
			}
			if (pos > text.size())
				break;
		}
	}

	// Section values not set in the section come from the global ones,
	// whatever order the file gives them in.
	void finish()
	{
		for (std::size_t i = 0; i < cfg.virtuals.size(); i++) {
			auto &vs = cfg.virtuals[i];
			auto &o = own[i];
			auto &g = cfg.timing;
			auto &t = vs.timing;
			if (!o.count("checkinterval"))
				t.checkinterval = g.checkinterval;
			if (!o.count("checktimeout") && !o.count("connecttimeout") && !o.count("timeout"))
				t.checktimeout = g.checktimeout;
			if (!o.count("negotiatetimeout"))
				t.negotiatetimeout = g.negotiatetimeout;
			if (!o.count("failurecount"))
				t.failurecount = g.failurecount;
			if (!o.count("quiescent"))
				t.quiescent = g.quiescent;
			if (!o.count("fallback"))
				t.fallback = g.fallback;
			if (!o.count("service") && !vs.fwmark) {
				switch (vs.ep.port) {
				case 80: vs.service = CheckService::Http; break;
				case 443: vs.service = CheckService::Https; break;
				case 25: vs.service = CheckService::Smtp; break;
				case 110: vs.service = CheckService::Pop; break;
				case 143: vs.service = CheckService::Imap; break;
				case 21: vs.service = CheckService::Ftp; break;
				case 53: vs.service = CheckService::Dns; break;
				default: break;
				}
			}
			if (vs.fwmark && vs.protocol != 0)
				vs.protocol = 0;
			if (!vs.fwmark && vs.protocol == 0) {
				line = vs.line;
				err("protocol=fwm needs virtual=<firewall mark>");
			}
			if (vs.checktype == CheckType::External && vs.checkcommand.empty()) {
				line = vs.line;
				err("checktype=external needs checkcommand=");
			}
			if (vs.netmask && !vs.persistent) {
				line = vs.line;
				err("netmask= needs persistent=");
			}
			for (auto &r : vs.reals) {
				if (!vs.fwmark && r.ep.addr.af != vs.ep.addr.af) {
					line = r.line;
					err("real server family differs from the virtual service");
				}
			}
			announce_prefix(vs);
		}
	}

	// The prefix a virtual service announces: its address as a host
	// route unless announce= says otherwise; a firewall-mark service has
	// no address, so it must name one.
	void announce_prefix(VirtualService &vs)
	{
		bool explicit_yes = vs.announce == "yes";
		if (vs.announce_line && !cfg.bgp_as) {
			line = vs.announce_line;
			err("announce= needs the global bgp= (the AS of router bgp)");
		}
		if (!cfg.bgp_as)
			return;
		if (vs.announce_line && !explicit_yes)
			return;		// a prefix, or no
		if (vs.fwmark) {
			if (explicit_yes) {
				line = vs.announce_line;
				err("announce=yes on a firewall-mark service: name the prefix (announce=A.B.C.D/32)");
			}
			vs.announce.clear();
			return;
		}
		vs.announce = vs.ep.addr.str() + (vs.ep.addr.is_v6() ? "/128" : "/32");
	}
};

} // namespace

LdConfig parse_ldirectord(const std::string &text, const std::string &file)
{
	Parser p{file, {}, {}, 0};
	p.cfg.path = file;
	p.run(text);
	p.finish();
	return std::move(p.cfg);
}

LdConfig load_ldirectord(const std::string &path)
{
	return parse_ldirectord(read_file(path), path);
}

} // namespace xvsd
