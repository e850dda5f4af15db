#include "ha_cf.hpp"

#include <cerrno>

#include "text.hpp"
#include "xvs/error.hpp"

namespace xvsd {

const char *auth_method_name(AuthKey::Method m)
{
	switch (m) {
	case AuthKey::Method::Crc: return "crc";
	case AuthKey::Method::Md5: return "md5";
	case AuthKey::Method::Sha1: return "sha1";
	case AuthKey::Method::Sha256: return "sha256";
	}
	return "?";
}

const AuthKey *AuthKeys::find(unsigned idx) const
{
	for (auto &k : keys)
		if (k.index == idx)
			return &k;
	return nullptr;
}

namespace {

constexpr unsigned long serial_speeds[] = {300, 600, 1200, 2400, 4800, 9600, 19200,
					   38400, 57600, 115200, 230400};

bool serial_speed_known(unsigned long n)
{
	for (auto s : serial_speeds)
		if (s == n)
			return true;
	return false;
}

std::string serial_speeds_text()
{
	std::string s;
	for (auto v : serial_speeds)
		s += (s.empty() ? "" : ", ") + std::to_string(v);
	return s;
}

// Calls fn(line_number, tokens) for every non-empty, non-comment line.
template <typename Fn>
void each_line(const std::string &text, Fn fn)
{
	std::size_t pos = 0;
	int line = 0;
	while (pos < text.size()) {
		auto nl = text.find('\n', pos);
		if (nl == std::string::npos)
			nl = text.size();
		std::string_view l(text.data() + pos, nl - pos);
		pos = nl + 1;
		line++;
		l = trim(strip_comment(l));
		if (l.empty())
			continue;
		fn(line, split_blank(l));
	}
}

} // namespace

HaConfig parse_ha_cf(const std::string &text, const std::string &file)
{
	HaConfig c;
	c.path = file;
	bool initdead_set = false, warntime_set = false;
	each_line(text, [&](int line, const std::vector<std::string> &t) {
		auto err = [&](const std::string &m) { config_error(file, line, m); };
		const std::string k = lower(t[0]);
		auto one = [&]() -> const std::string & {
			if (t.size() != 2)
				err(k + " takes one value");
			return t[1];
		};
		auto dur = [&]() {
			Millis d;
			if (!parse_duration(one(), d) || d.count() == 0)
				err("bad " + k + " '" + t[1] + "' (seconds or Nms, > 0)");
			return d;
		};
		unsigned long n;
		bool b;
		if (k == "keepalive") {
			c.keepalive = dur();
		} else if (k == "deadtime") {
			c.deadtime = dur();
		} else if (k == "warntime") {
			c.warntime = dur();
			warntime_set = true;
		} else if (k == "initdead") {
			c.initdead = dur();
			initdead_set = true;
		} else if (k == "udpport") {
			if (!parse_uint(one(), 1, 65535, n))
				err("bad udpport '" + t[1] + "'");
			c.udpport = static_cast<std::uint16_t>(n);
		} else if (k == "bcast") {
			if (t.size() < 2)
				err("bcast needs an interface");
			for (std::size_t i = 1; i < t.size(); i++) {
				HaLink l;
				l.kind = HaLink::Kind::Bcast;
				l.iface = t[i];
				c.links.push_back(l);
			}
		} else if (k == "ucast") {
			if (t.size() != 3)
				err("ucast needs: interface peer-address");
			HaLink l;
			l.kind = HaLink::Kind::Ucast;
			l.iface = t[1];
			try {
				l.addr = xvs::Address::parse(t[2]);
			} catch (const xvs::Error &) {
				err("bad ucast peer address '" + t[2] + "'");
			}
			c.links.push_back(l);
		} else if (k == "mcast") {
			if (t.size() != 6)
				err("mcast needs: interface group port ttl loop");
			HaLink l;
			l.kind = HaLink::Kind::Mcast;
			l.iface = t[1];
			try {
				l.addr = xvs::Address::parse(t[2]);
			} catch (const xvs::Error &) {
				err("bad mcast group '" + t[2] + "'");
			}
			if (l.addr.af != AF_INET || (l.addr.bytes[0] & 0xf0) != 0xe0)
				err("mcast group '" + t[2] + "' is not an IPv4 multicast address");
			if (!parse_uint(t[3], 1, 65535, n))
				err("bad mcast port '" + t[3] + "'");
			l.port = static_cast<std::uint16_t>(n);
			if (!parse_uint(t[4], 1, 255, n))
				err("bad mcast ttl '" + t[4] + "' (1..255)");
			l.ttl = static_cast<unsigned>(n);
			if (!parse_uint(t[5], 0, 1, n))
				err("bad mcast loop '" + t[5] + "' (0 or 1)");
			l.loop = n == 1;
			c.links.push_back(l);
		} else if (k == "node") {
			if (t.size() < 2)
				err("node needs a name");
			for (std::size_t i = 1; i < t.size(); i++)
				c.nodes.push_back(t[i]);
		} else if (k == "auto_failback") {
			auto v = lower(one());
			if (v == "legacy")
				c.auto_failback = true;
			else if (!parse_bool(v, b))
				err("bad auto_failback '" + t[1] + "' (on, off or legacy)");
			else
				c.auto_failback = b;
		} else if (k == "nice_failback") {
			// the older spelling: nice_failback on == auto_failback off
			if (!parse_bool(one(), b))
				err("bad nice_failback '" + t[1] + "' (on or off)");
			c.auto_failback = !b;
		} else if (k == "logfile") {
			c.logfile = one();
		} else if (k == "debugfile") {
			c.debugfile = one();
		} else if (k == "serial") {
			if (t.size() < 2)
				err("serial needs a device");
			for (std::size_t i = 1; i < t.size(); i++) {
				const std::string &dev = t[i];
				if (dev.size() < 2 || dev[0] != '/' || dev.back() == '/')
					err("bad serial device '" + dev + "' (an absolute path, /dev/ttyS0)");
				for (auto &d : c.serial)
					if (d == dev)
						err("serial device '" + dev + "' named twice");
				c.serial.push_back(dev);
			}
		} else if (k == "baud") {
			if (!parse_uint(one(), 1, 4000000, n) || !serial_speed_known(n))
				err("bad baud '" + t[1] + "' (" + serial_speeds_text() + ")");
			c.baud = static_cast<unsigned>(n);
		} else if (k == "logfacility" || k == "debug" ||
			   k == "watchdog" || k == "ping" || k == "respawn" ||
			   k == "hopfudge" || k == "realtime" || k == "use_logd" ||
			   k == "deadping" || k == "stonith" || k == "stonith_host") {
			// accepted for compatibility; no effect in xvsd
		} else if (k == "garp_count") {
			if (!parse_uint(one(), 0, 100, n))
				err("bad garp_count '" + t[1] + "' (0..100)");
			c.garp_count = static_cast<unsigned>(n);
		} else if (k == "garp_interval") {
			c.garp_interval = dur();
		} else if (k == "metrics") {
			c.metrics = one();
		} else {
			err("unknown directive '" + t[0] + "'");
		}
	});
	if (c.deadtime <= c.keepalive)
		config_error(file, 0, "deadtime must be longer than keepalive");
	if (!warntime_set)
		c.warntime = c.deadtime / 2 > c.keepalive ? c.deadtime / 2 : c.deadtime;
	if (!initdead_set)
		c.initdead = c.deadtime * 2;
	return c;
}

static HaResource parse_resource(const std::string &tok, const std::string &file, int line)
{
	HaResource r;
	r.text = tok;
	std::vector<std::string> parts;
	std::size_t pos = 0;
	while (true) {
		auto p = tok.find("::", pos);
		parts.push_back(tok.substr(pos, p == std::string::npos ? p : p - pos));
		if (p == std::string::npos)
			break;
		pos = p + 2;
	}
	auto address = [&](const std::string &spec) {
		// A.B.C.D[/prefix[/iface]]
		auto s1 = spec.find('/');
		std::string ip = spec.substr(0, s1);
		try {
			r.addr = xvs::Address::parse(ip);
		} catch (const xvs::Error &) {
			config_error(file, line, "bad address resource '" + tok + "'");
		}
		if (r.addr.af != AF_INET)
			config_error(file, line, "address resources are IPv4 ('" + tok + "')");
		if (s1 != std::string::npos) {
			auto rest = spec.substr(s1 + 1);
			auto s2 = rest.find('/');
			unsigned long n;
			if (!parse_uint(rest.substr(0, s2), 1, 32, n))
				config_error(file, line, "bad prefix length in '" + tok + "'");
			r.prefix = static_cast<int>(n);
			if (s2 != std::string::npos) {
				r.iface = rest.substr(s2 + 1);
				if (r.iface.empty() || r.iface.size() > 15)
					config_error(file, line, "bad interface in '" + tok + "'");
			}
		}
		r.kind = HaResource::Kind::Address;
	};
	const std::string n = lower(parts[0]);
	if (n == "ipaddr" || n == "ipaddr2") {
		if (parts.size() != 2)
			config_error(file, line, "IPaddr needs ::address ('" + tok + "')");
		address(parts[1]);
	} else if (!parts[0].empty() && parts[0].find_first_not_of("0123456789./") ==
		   std::string::npos) {
		if (parts.size() != 1)
			config_error(file, line, "bad address resource '" + tok + "'");
		address(parts[0]);
	} else if (n == "ldirectord" || n == "xvsd" || n == "ipvs") {
		r.kind = HaResource::Kind::Ipvs;
		r.name = parts[0];
		r.args.assign(parts.begin() + 1, parts.end());
	} else {
		if (parts[0].empty() || parts[0].find('/') != std::string::npos)
			config_error(file, line, "bad resource name '" + tok + "'");
		r.kind = HaResource::Kind::Script;
		r.name = parts[0];
		r.args.assign(parts.begin() + 1, parts.end());
	}
	return r;
}

std::vector<HaResourceGroup> parse_haresources(const std::string &text, const std::string &file)
{
	std::vector<HaResourceGroup> groups;
	// a trailing backslash continues a line; errors name its first line
	std::size_t pos = 0;
	int line = 0;
	while (pos < text.size()) {
		int first = line + 1;
		std::string logical;
		while (pos < text.size()) {
			auto nl = text.find('\n', pos);
			if (nl == std::string::npos)
				nl = text.size();
			std::string_view l(text.data() + pos, nl - pos);
			pos = nl + 1;
			line++;
			std::string_view body = trim(l);
			bool cont = !body.empty() && body.back() == '\\';
			if (cont)
				body.remove_suffix(1);
			logical += " ";
			logical += body;
			if (!cont)
				break;
		}
		auto t = split_blank(trim(strip_comment(logical)));
		if (t.empty())
			continue;
		HaResourceGroup g;
		g.line = first;
		g.home = t[0];
		for (std::size_t i = 1; i < t.size(); i++)
			g.resources.push_back(parse_resource(t[i], file, first));
		if (g.resources.empty())
			config_error(file, first, "node '" + t[0] + "' has no resources");
		groups.push_back(std::move(g));
	}
	return groups;
}

AuthKeys parse_authkeys(const std::string &text, const std::string &file)
{
	AuthKeys a;
	bool have_auth = false;
	int auth_line = 0;
	each_line(text, [&](int line, const std::vector<std::string> &t) {
		auto err = [&](const std::string &m) { config_error(file, line, m); };
		unsigned long n;
		if (lower(t[0]) == "auth") {
			if (t.size() != 2 || !parse_uint(t[1], 1, 15, n))
				err("auth needs a key index 1..15");
			a.active = static_cast<unsigned>(n);
			have_auth = true;
			auth_line = line;
			return;
		}
		if (!parse_uint(t[0], 1, 15, n))
			err("expected 'auth N' or 'N method [secret]', got '" + t[0] + "'");
		AuthKey k;
		k.index = static_cast<unsigned>(n);
		if (t.size() < 2)
			err("key " + t[0] + " needs a method (crc, md5, sha1, sha256)");
		auto m = lower(t[1]);
		if (m == "crc")
			k.method = AuthKey::Method::Crc;
		else if (m == "md5")
			k.method = AuthKey::Method::Md5;
		else if (m == "sha1")
			k.method = AuthKey::Method::Sha1;
		else if (m == "sha256" || m == "hmac-sha256")
			k.method = AuthKey::Method::Sha256;
		else
			err("unknown auth method '" + t[1] + "' (crc, md5, sha1, sha256)");
		if (k.method == AuthKey::Method::Crc) {
			if (t.size() != 2)
				err("crc takes no secret");
		} else {
			if (t.size() < 3)
				err(std::string(auth_method_name(k.method)) + " needs a secret");
			// the secret is the rest of the line, blanks included
			std::string s;
			for (std::size_t i = 2; i < t.size(); i++)
				s += (i > 2 ? " " : "") + t[i];
			k.secret = s;
		}
		if (a.find(k.index))
			err("key " + t[0] + " defined twice");
		a.keys.push_back(k);
	});
	if (!have_auth)
		config_error(file, 0, "no 'auth N' line");
	if (!a.find(a.active))
		config_error(file, auth_line, "auth " + std::to_string(a.active) +
			     " names a key that is not defined");
	return a;
}

} // namespace xvsd
