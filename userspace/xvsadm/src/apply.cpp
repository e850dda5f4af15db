#include "apply.hpp"
#include "cli.hpp"
#include "engine.hpp"
#include "format.hpp"
#include "names.hpp"

#include <linux/ip_vs.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string_view>
#include <variant>

#include "xvs/codec.hpp"
#include "xvs/error.hpp"

namespace xvsadm {
namespace apply {

namespace {

// --- identities and settings -------------------------------------------

using Bytes = std::array<std::uint8_t, 16>;

struct SvcKey {
	std::uint16_t af;
	std::uint32_t fwmark;
	std::uint16_t protocol;
	Bytes addr;
	std::uint16_t port;
	auto operator<=>(const SvcKey &) const = default;
};

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

struct DestKey {
	std::uint16_t af;
	Bytes addr;
	std::uint16_t port;
	auto operator<=>(const DestKey &) const = default;
};

DestKey key_of(const xvs::Destination &d)
{
	DestKey k{d.addr.af, d.addr.bytes, d.port};
	if (d.addr.af != AF_INET6)
		std::fill(k.addr.begin() + 4, k.addr.end(), 0);
	return k;
}

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

// --- building the table from command lines -----------------------------

class Builder {
public:
	// One -A or -a command line (argv without the program name).
	void add(const std::vector<std::string> &words, int line)
	{
		std::vector<std::string> argv{"xvsadm"};
		argv.insert(argv.end(), words.begin(), words.end());
		Command c;
		try {
			c = parse_command(argv);
		} catch (const Exit &e) {
			std::string m = e.err.empty() ? e.out : e.err;
			while (!m.empty() && m.back() == '\n')
				m.pop_back();
			if (m.empty())
				m = "not a valid command";
			throw ParseError{line, m};
		}
		if (c.cmd == Cmd::Add) {
			xvs::Service s = to_service(c.svc);
			// The rules are the whole truth: a timeout they do
			// not give is the global one, so an edit sends 0.
			auto &t = s.conn_timeouts;
			t.tcp = t.tcp.value_or(0);
			t.tcp_fin = t.tcp_fin.value_or(0);
			t.udp = t.udp.value_or(0);
			SvcKey k = key_of(s);
			if (index_.count(k))
				throw ParseError{line, "service " +
					describe_key(s) + " defined twice "
					"(first on line " + std::to_string(
					table_.services[index_[k]].line) + ")"};
			index_[k] = table_.services.size();
			table_.services.push_back({s, {}, line});
		} else if (c.cmd == Cmd::AddDest) {
			xvs::Service s = to_service(c.svc);
			auto it = index_.find(key_of(s));
			if (it == index_.end())
				throw ParseError{line, "real server for service " +
					describe_key(s) + ", which no earlier "
					"-A line defines"};
			DesiredService &ds = table_.services[it->second];
			xvs::Destination d = to_dest(c.dest);
			for (const auto &o : ds.dests)
				if (key_of(o) == key_of(d))
					throw ParseError{line, "real server " +
						names::addrport(d.addr.af,
							d.addr.bytes.data(),
							d.port, 0, true) +
						" given twice"};
			ds.dests.push_back(d);
		} else {
			throw ParseError{line, "only -A (add-service) and -a "
				"(add-server) commands describe a table"};
		}
	}

	Table take() { return std::move(table_); }

	static std::string describe_key(const xvs::Service &s)
	{
		Change c{Kind::DelService, s, {}};
		std::string d = describe(c);
		return d.substr(3);	// without "-D "
	}

private:
	Table table_;
	std::map<SvcKey, std::size_t> index_;
};

std::vector<std::string> split_words(std::string_view line)
{
	std::vector<std::string> w;
	std::size_t i = 0;
	while (true) {
		while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i])))
			i++;
		if (i == line.size())
			return w;
		std::size_t start = i;
		while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i])))
			i++;
		w.emplace_back(line.substr(start, i - start));
	}
}

// --- a small JSON reader (objects, arrays, strings, numbers, literals) --

struct JValue;
using JObject = std::vector<std::pair<std::string, JValue>>;
using JArray = std::vector<JValue>;

struct JValue {
	std::variant<std::nullptr_t, bool, double, std::string, JObject,
		     JArray> v;
	int line = 0;

	const JValue *get(const std::string &k) const
	{
		if (auto *o = std::get_if<JObject>(&v))
			for (const auto &kv : *o)
				if (kv.first == k)
					return &kv.second;
		return nullptr;
	}
	bool is_null() const { return std::holds_alternative<std::nullptr_t>(v); }
};

class JParser {
public:
	explicit JParser(const std::string &t) : t_(t) {}

	JValue document()
	{
		JValue v = value();
		ws();
		if (p_ != t_.size())
			err("trailing characters after the JSON document");
		return v;
	}

private:
	[[noreturn]] void err(const std::string &m)
	{
		throw ParseError{line_, m};
	}
	void ws()
	{
		while (p_ < t_.size() && std::isspace(static_cast<unsigned char>(t_[p_]))) {
			if (t_[p_] == '\n')
				line_++;
			p_++;
		}
	}
	bool eat(char c)
	{
		ws();
		if (p_ < t_.size() && t_[p_] == c) {
			p_++;
			return true;
		}
		return false;
	}
	JValue value()
	{
		ws();
		JValue out;
		out.line = line_;
		if (p_ >= t_.size())
			err("unexpected end of the JSON document");
		char c = t_[p_];
		if (c == '{') {
			p_++;
			JObject o;
			if (!eat('}')) {
				do {
					ws();
					if (p_ >= t_.size() || t_[p_] != '"')
						err("expected a string key");
					std::string k = string();
					if (!eat(':'))
						err("expected ':' after key \"" + k + "\"");
					o.emplace_back(k, value());
				} while (eat(','));
				if (!eat('}'))
					err("expected ',' or '}' in object");
			}
			out.v = std::move(o);
		} else if (c == '[') {
			p_++;
			JArray a;
			if (!eat(']')) {
				do {
					a.push_back(value());
				} while (eat(','));
				if (!eat(']'))
					err("expected ',' or ']' in array");
			}
			out.v = std::move(a);
		} else if (c == '"') {
			out.v = string();
		} else if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
			std::size_t s = p_;
			p_++;
			while (p_ < t_.size() && (std::isdigit(static_cast<unsigned char>(t_[p_])) ||
						  std::strchr(".eE+-", t_[p_])))
				p_++;
			std::string num = t_.substr(s, p_ - s);
			char *end;
			double d = std::strtod(num.c_str(), &end);
			if (*end)
				err("bad number " + num);
			out.v = d;
		} else if (t_.compare(p_, 4, "true") == 0) {
			p_ += 4;
			out.v = true;
		} else if (t_.compare(p_, 5, "false") == 0) {
			p_ += 5;
			out.v = false;
		} else if (t_.compare(p_, 4, "null") == 0) {
			p_ += 4;
			out.v = nullptr;
		} else {
			err(std::string("unexpected character '") + c + "'");
		}
		return out;
	}
	std::string string()
	{
		p_++;	// opening quote
		std::string s;
		while (true) {
			if (p_ >= t_.size())
				err("unterminated string");
			char c = t_[p_++];
			if (c == '"')
				return s;
			if (c == '\n')
				err("newline in string");
			if (c != '\\') {
				s += c;
				continue;
			}
			if (p_ >= t_.size())
				err("unterminated string");
			char e = t_[p_++];
			switch (e) {
			case '"': case '\\': case '/': s += e; break;
			case 'n': s += '\n'; break;
			case 't': s += '\t'; break;
			case 'r': s += '\r'; break;
			case 'b': s += '\b'; break;
			case 'f': s += '\f'; break;
			case 'u': {
				if (p_ + 4 > t_.size())
					err("bad \\u escape");
				unsigned cp = static_cast<unsigned>(std::stoul(
					t_.substr(p_, 4), nullptr, 16));
				p_ += 4;
				if (cp < 0x80) {
					s += static_cast<char>(cp);
				} else {
					err("non-ASCII \\u escape");
				}
				break;
			}
			default:
				err(std::string("bad escape \\") + e);
			}
		}
	}

	const std::string &t_;
	std::size_t p_ = 0;
	int line_ = 1;
};

std::string jstr(const JValue *v, int line, const char *what)
{
	if (!v || v->is_null())
		return {};
	if (auto *s = std::get_if<std::string>(&v->v))
		return *s;
	if (auto *d = std::get_if<double>(&v->v)) {
		char b[32];
		std::snprintf(b, sizeof(b), "%.0f", *d);
		return b;
	}
	throw ParseError{v->line ? v->line : line,
			 std::string("\"") + what + "\" must be a string"};
}

std::optional<long long> jint(const JValue *v, const char *what)
{
	if (!v || v->is_null())
		return std::nullopt;
	auto *d = std::get_if<double>(&v->v);
	if (!d || *d != static_cast<double>(static_cast<long long>(*d)))
		throw ParseError{v->line, std::string("\"") + what +
				 "\" must be an integer"};
	return static_cast<long long>(*d);
}

bool jbool(const JValue *v, const char *what)
{
	if (!v || v->is_null())
		return false;
	auto *b = std::get_if<bool>(&v->v);
	if (!b)
		throw ParseError{v->line, std::string("\"") + what +
				 "\" must be true or false"};
	return *b;
}

std::string hostport(const std::string &fam, const std::string &addr,
		     long long port)
{
	bool v6 = fam == "inet6" || addr.find(':') != std::string::npos;
	return (v6 ? "[" + addr + "]" : addr) + ":" + std::to_string(port);
}

// The service part of the argument vector ("-t 10.0.0.1:80").
std::vector<std::string> json_service_key(const JValue &s)
{
	const std::string fam = jstr(s.get("family"), s.line, "family");
	if (auto mark = jint(s.get("fwmark"), "fwmark")) {
		std::vector<std::string> w{"-f", std::to_string(*mark)};
		if (fam == "inet6")
			w.push_back("-6");
		return w;
	}
	std::string proto = jstr(s.get("protocol"), s.line, "protocol");
	for (auto &ch : proto)
		ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
	const char *opt = proto == "TCP" ? "-t" : proto == "UDP" ? "-u" :
			  proto == "SCTP" ? "--sctp-service" : nullptr;
	if (!opt)
		throw ParseError{s.line, "service needs \"fwmark\" or "
				 "\"protocol\" TCP, UDP or SCTP"};
	std::string addr = jstr(s.get("address"), s.line, "address");
	if (addr.empty())
		throw ParseError{s.line, "service needs an \"address\""};
	auto port = jint(s.get("port"), "port");
	return {opt, hostport(fam, addr, port.value_or(0))};
}

} // namespace

Table parse_rules(const std::string &text)
{
	Builder b;
	int n = 0;
	for (std::size_t pos = 0; pos < text.size();) {
		std::size_t end = text.find('\n', pos);
		if (end == std::string::npos)
			end = text.size();
		std::string_view line(text.data() + pos, end - pos);
		pos = end + 1;
		n++;
		auto words = split_words(line);
		// ipvsadm-save style: an optional leading "ipvsadm" word.
		while (!words.empty() && words.front() == "ipvsadm")
			words.erase(words.begin());
		if (words.empty() || words.front()[0] == '#')
			continue;
		b.add(words, n);
	}
	return b.take();
}

Table parse_json(const std::string &text)
{
	JValue doc = JParser(text).document();
	const JValue *svcs = doc.get("services");
	if (!svcs || !std::holds_alternative<JArray>(svcs->v))
		throw ParseError{doc.line, "the document needs a \"services\" "
				 "array"};
	Builder b;
	for (const JValue &s : std::get<JArray>(svcs->v)) {
		if (!std::holds_alternative<JObject>(s.v))
			throw ParseError{s.line, "a service must be an object"};
		std::vector<std::string> key = json_service_key(s);
		std::vector<std::string> w{"-A"};
		w.insert(w.end(), key.begin(), key.end());
		std::string sched = jstr(s.get("scheduler"), s.line, "scheduler");
		if (!sched.empty())
			w.insert(w.end(), {"-s", sched});
		if (jbool(s.get("persistent"), "persistent")) {
			w.push_back("-p");
			if (auto t = jint(s.get("timeout"), "timeout"))
				w.push_back(std::to_string(*t));
			std::string mask = jstr(s.get("netmask"), s.line,
						"netmask");
			if (!mask.empty())
				w.insert(w.end(), {"-M", mask});
		}
		std::string pe = jstr(s.get("pe"), s.line, "pe");
		if (!pe.empty())
			w.insert(w.end(), {"--pe", pe});
		if (jbool(s.get("ops"), "ops"))
			w.push_back("-o");
		// xvs's own per-service timeouts (as --format json lists them).
		static const std::pair<const char *, const char *> tmo[] = {
			{"timeout_tcp", "--timeout-tcp"},
			{"timeout_tcpfin", "--timeout-tcpfin"},
			{"timeout_udp", "--timeout-udp"},
		};
		for (const auto &[k, opt] : tmo)
			if (auto t = jint(s.get(k), k))
				w.insert(w.end(), {opt, std::to_string(*t)});
		if (const JValue *f = s.get("sched_flags"); f && !f->is_null()) {
			auto *arr = std::get_if<JArray>(&f->v);
			if (!arr)
				throw ParseError{f->line, "\"sched_flags\" must "
						 "be an array"};
			std::string joined;
			for (const auto &x : *arr)
				joined += (joined.empty() ? "" : ",") +
					  jstr(&x, f->line, "sched_flags");
			if (!joined.empty())
				w.insert(w.end(), {"-b", joined});
		}
		b.add(w, s.line);

		const JValue *ds = s.get("destinations");
		if (!ds || ds->is_null())
			continue;
		if (!std::holds_alternative<JArray>(ds->v))
			throw ParseError{ds->line, "\"destinations\" must be "
					 "an array"};
		for (const JValue &d : std::get<JArray>(ds->v)) {
			if (!std::holds_alternative<JObject>(d.v))
				throw ParseError{d.line, "a destination must "
						 "be an object"};
			std::vector<std::string> dw{"-a"};
			dw.insert(dw.end(), key.begin(), key.end());
			std::string addr = jstr(d.get("address"), d.line,
						"address");
			if (addr.empty())
				throw ParseError{d.line, "destination needs an "
						 "\"address\""};
			auto port = jint(d.get("port"), "port");
			dw.insert(dw.end(), {"-r", hostport(jstr(d.get("family"),
					d.line, "family"), addr,
					port.value_or(0))});
			std::string fwd = jstr(d.get("forward"), d.line,
					       "forward");
			if (fwd == "masq")
				dw.push_back("-m");
			else if (fwd == "tunnel")
				dw.push_back("-i");
			else if (fwd == "route" || fwd == "local" || fwd.empty())
				dw.push_back("-g");
			else
				throw ParseError{d.line, "\"forward\" must be "
						 "masq, route, tunnel or local"};
			if (auto v = jint(d.get("weight"), "weight"))
				dw.insert(dw.end(), {"-w", std::to_string(*v)});
			if (auto v = jint(d.get("u_threshold"), "u_threshold"))
				dw.insert(dw.end(), {"-x", std::to_string(*v)});
			if (auto v = jint(d.get("l_threshold"), "l_threshold"))
				dw.insert(dw.end(), {"-y", std::to_string(*v)});
			const JValue *t = d.get("tunnel");
			if (t && !t->is_null() && fwd == "tunnel") {
				std::string type = jstr(t->get("type"), t->line,
							"type");
				if (!type.empty())
					dw.insert(dw.end(), {"--tun-type", type});
				if (type == "gue")
					if (auto p = jint(t->get("port"), "port"))
						dw.insert(dw.end(), {"--tun-port",
							std::to_string(*p)});
				std::string cs = jstr(t->get("checksum"),
						      t->line, "checksum");
				if (!cs.empty() && type != "ipip" &&
				    !type.empty())
					dw.push_back("--tun-" + cs);
			}
			b.add(dw, d.line);
		}
	}
	return b.take();
}

Table parse(const std::string &text)
{
	auto p = text.find_first_not_of(" \t\r\n");
	if (p != std::string::npos && text[p] == '{')
		return parse_json(text);
	return parse_rules(text);
}

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
				adds.push_back({Kind::AddDest, ds.svc, d});
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
				adds.push_back({Kind::AddDest, ds.svc, d});
			else if (!same_settings(*h->second, d))
				adds.push_back({Kind::EditDest, ds.svc, d});
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

// A request sized for one service and one destination.  (Ipvs::request()
// reserves 16 KiB per message; for tens of thousands of requests the
// zeroing alone shows.)
xvs::Message small_request(const xvs::Ipvs &ipvs, std::uint8_t cmd)
{
	xvs::Message m(1024);
	nlmsghdr *h = m.header();
	h->nlmsg_type = static_cast<std::uint16_t>(ipvs.family());
	h->nlmsg_flags = NLM_F_REQUEST;
	const genlmsghdr g{cmd, IPVS_GENL_VERSION, 0};
	m.append(&g, sizeof(g));
	return m;
}

xvs::Message build(const xvs::Ipvs &ipvs, const Change &c)
{
	using xvs::codec::Detail;
	switch (c.kind) {
	case Kind::AddService: {
		auto m = small_request(ipvs, IPVS_CMD_NEW_SERVICE);
		xvs::codec::put_service(m, c.svc, Detail::Full);
		return m;
	}
	case Kind::EditService: {
		auto m = small_request(ipvs, IPVS_CMD_SET_SERVICE);
		xvs::codec::put_service(m, c.svc, Detail::Full);
		return m;
	}
	case Kind::DelService: {
		auto m = small_request(ipvs, IPVS_CMD_DEL_SERVICE);
		xvs::codec::put_service(m, c.svc, Detail::Key);
		return m;
	}
	case Kind::AddDest:
	case Kind::EditDest: {
		auto m = small_request(ipvs, c.kind == Kind::AddDest ?
				      IPVS_CMD_NEW_DEST : IPVS_CMD_SET_DEST);
		xvs::codec::put_service(m, c.svc, Detail::Key);
		xvs::Destination d = c.dest;
		d.tun_type = d.tun_type.value_or(0);
		d.tun_port = d.tun_port.value_or(0);
		d.tun_flags = d.tun_flags.value_or(0);
		xvs::codec::put_dest(m, d, Detail::Full);
		return m;
	}
	case Kind::DelDest: {
		auto m = small_request(ipvs, IPVS_CMD_DEL_DEST);
		xvs::codec::put_service(m, c.svc, Detail::Key);
		xvs::codec::put_dest(m, c.dest, Detail::Key);
		return m;
	}
	}
	throw xvs::Error(EINVAL, "unknown change");
}

// Pipelines requests: up to `max_msgs` requests (or `max_bytes`) go out in
// one datagram.  The kernel handles the messages of a datagram in order and
// answers every failed one with an error; only the last message asks for an
// acknowledgement, whose arrival means the whole batch has been handled.
class Batcher {
public:
	explicit Batcher(xvs::Ipvs &ipvs) : ipvs_(ipvs)
	{
		// Room for a whole batch of acknowledgements; best effort.
		int size = 4 << 20;
		int fd = ipvs_.socket().fd();
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
			       sizeof(size)) != 0)
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size,
				   sizeof(size));
	}

	std::vector<std::string> run(const std::vector<Change> &changes)
	{
		std::vector<std::string> failures;
		std::size_t i = 0;
		while (i < changes.size()) {
			buf_.clear();
			seqs_.clear();
			std::size_t first = i, last_offset = 0;
			while (i < changes.size() && seqs_.size() < max_msgs &&
			       buf_.size() < max_bytes) {
				xvs::Message m = build(ipvs_, changes[i]);
				nlmsghdr *h = m.header();
				h->nlmsg_seq = ipvs_.socket().next_seq();
				h->nlmsg_pid = ipvs_.socket().port();
				auto bytes = m.bytes();
				last_offset = buf_.size();
				buf_.insert(buf_.end(), bytes.begin(), bytes.end());
				buf_.resize(NLMSG_ALIGN(buf_.size()));
				seqs_.push_back(h->nlmsg_seq);
				i++;
			}
			reinterpret_cast<nlmsghdr *>(buf_.data() + last_offset)
				->nlmsg_flags |= NLM_F_ACK;
			send_batch();
			collect(changes, first, failures);
		}
		return failures;
	}

private:
	static constexpr std::size_t max_msgs = 256;
	static constexpr std::size_t max_bytes = 48 * 1024;

	void send_batch()
	{
		int fd = ipvs_.socket().fd();
		ssize_t n;
		do {
			n = send(fd, buf_.data(), buf_.size(), 0);
		} while (n < 0 && errno == EINTR);
		if (n < 0)
			throw xvs::Error(errno, "sending a batch of requests");
	}

	void collect(const std::vector<Change> &changes, std::size_t first,
		     std::vector<std::string> &failures)
	{
		int fd = ipvs_.socket().fd();
		std::vector<bool> done(seqs_.size(), false);
		std::vector<std::uint8_t> rx(1 << 16);
		while (!done.back()) {
			pollfd pfd{fd, POLLIN, 0};
			int pr = poll(&pfd, 1, 10000);
			if (pr == 0)
				throw xvs::Error(ETIMEDOUT, "no acknowledgement "
						 "from the kernel");
			if (pr < 0) {
				if (errno == EINTR)
					continue;
				throw xvs::Error(errno, "poll");
			}
			ssize_t n = recv(fd, rx.data(), rx.size(), 0);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				throw xvs::Error(errno, "receiving "
						 "acknowledgements");
			}
			int len = static_cast<int>(n);
			for (auto *h = reinterpret_cast<nlmsghdr *>(rx.data());
			     NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
				if (h->nlmsg_type != NLMSG_ERROR)
					continue;
				std::size_t k = index_of(h->nlmsg_seq);
				if (k >= seqs_.size() || done[k])
					continue;
				done[k] = true;
				auto *e = static_cast<nlmsgerr *>(NLMSG_DATA(h));
				if (e->error)
					failures.push_back(describe(
						changes[first + k]) + ": " +
						ipvs_strerror(op_of(changes[first + k]),
							      -e->error));
			}
		}
	}

	std::size_t index_of(std::uint32_t seq) const
	{
		// Sequence numbers of a batch are consecutive.
		if (seqs_.empty())
			return 0;
		return static_cast<std::size_t>(seq - seqs_.front());
	}

	static Op op_of(const Change &c)
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

	xvs::Ipvs &ipvs_;
	std::vector<std::uint8_t> buf_;
	std::vector<std::uint32_t> seqs_;
};

} // namespace

std::vector<std::string> execute(xvs::Ipvs &ipvs,
				 const std::vector<Change> &changes)
{
	return Batcher(ipvs).run(changes);
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
