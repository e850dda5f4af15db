// xvsadm apply: the two descriptions of a table, ipvsadm-save rules and
// the JSON document of `xvsadm -L --format json`, read into a Table.  Both
// become -A/-a command lines that the command-line parser validates.
#include "apply.hpp"
#include "cli.hpp"
#include "engine.hpp"
#include "json_reader.hpp"
#include "names.hpp"

#include <cctype>
#include <cstdio>
#include <map>
#include <optional>
#include <string_view>

namespace xvsadm {
namespace apply {

namespace {

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

// --- the JSON document ----------------------------------------------------

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
	JValue doc;
	try {
		doc = read_json(text);
	} catch (const JsonError &e) {
		throw ParseError{e.line, e.message};
	}
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

} // namespace apply
} // namespace xvsadm
