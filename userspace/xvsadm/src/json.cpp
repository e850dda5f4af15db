#include "json.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/ip_vs.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace xvsadm::json {

namespace {

// A tiny writer: objects and arrays with comma handling, two-space indent
// or, compact, all on one line.
class Writer {
public:
	explicit Writer(bool compact = false) : compact_(compact) {}
	std::string out;

	void open(char c) { value_prefix(); out += c; first_.push_back(true); }
	void close(char c)
	{
		bool empty = first_.back();
		first_.pop_back();
		if (!empty)
			newline();
		out += c;
	}
	void key(const std::string &k)
	{
		comma();
		out += quote(k) + ": ";
		after_key_ = true;
	}
	void raw(const std::string &v) { value_prefix(); out += v; }
	void str(const std::string &v) { raw(quote(v)); }
	void num(unsigned long long v) { raw(std::to_string(v)); }
	void boolean(bool v) { raw(v ? "true" : "false"); }
	void null() { raw("null"); }

private:
	void newline()
	{
		if (compact_)
			return;
		out += '\n';
		out.append(2 * first_.size(), ' ');
	}
	void comma()
	{
		if (first_.empty())
			return;
		if (!first_.back())
			out += compact_ ? ", " : ",";
		first_.back() = false;
		newline();
	}
	void value_prefix()
	{
		if (after_key_) {
			after_key_ = false;
			return;
		}
		comma();
	}
	std::vector<bool> first_;
	bool after_key_ = false;
	bool compact_;
};

const char *proto_name(std::uint16_t p)
{
	switch (p) {
	case IPPROTO_TCP: return "TCP";
	case IPPROTO_UDP: return "UDP";
	case IPPROTO_SCTP: return "SCTP";
	default: return nullptr;
	}
}

const char *family_name(std::uint16_t af)
{
	return af == AF_INET6 ? "inet6" : "inet";
}

const char *method_name(std::uint32_t m)
{
	switch (m & IP_VS_CONN_F_FWD_MASK) {
	case IP_VS_CONN_F_MASQ: return "masq";
	case IP_VS_CONN_F_LOCALNODE: return "local";
	case IP_VS_CONN_F_TUNNEL: return "tunnel";
	case IP_VS_CONN_F_DROUTE: return "route";
	default: return "unknown";
	}
}

void counters(Writer &w, const xvs::Stats64 &s)
{
	w.key("stats");
	w.open('{');
	w.key("conns"); w.num(s.conns);
	w.key("inpkts"); w.num(s.inpkts);
	w.key("outpkts"); w.num(s.outpkts);
	w.key("inbytes"); w.num(s.inbytes);
	w.key("outbytes"); w.num(s.outbytes);
	w.close('}');
	w.key("rates");
	w.open('{');
	w.key("cps"); w.num(s.cps);
	w.key("inpps"); w.num(s.inpps);
	w.key("outpps"); w.num(s.outpps);
	w.key("inbps"); w.num(s.inbps);
	w.key("outbps"); w.num(s.outbps);
	w.close('}');
}

void sched_flag_list(Writer &w, const xvs::Service &s, std::uint32_t flags)
{
	w.key("sched_flags");
	w.open('[');
	const bool sh = s.sched_name == "sh", mh = s.sched_name == "mh";
	if (flags & IP_VS_SVC_F_SCHED1)
		w.str(sh ? "sh-fallback" : mh ? "mh-fallback" : "flag-1");
	if (flags & IP_VS_SVC_F_SCHED2)
		w.str(sh ? "sh-port" : mh ? "mh-port" : "flag-2");
	if (flags & IP_VS_SVC_F_SCHED3)
		w.str("flag-3");
	w.close(']');
}

void endpoint(Writer &w, const char *name, const xvs::Address &a,
	      std::uint16_t port)
{
	w.key(name);
	w.open('{');
	w.key("address"); w.str(a.str());
	w.key("port"); w.num(port);
	w.close('}');
}

void daemon_object(Writer &w, const xvs::Daemon &d)
{
	w.open('{');
	w.key("state");
	w.str(d.state & IP_VS_STATE_MASTER ? "master" :
	      d.state & IP_VS_STATE_BACKUP ? "backup" : "none");
	w.key("mcast_interface"); w.str(d.mcast_ifn);
	w.key("syncid"); w.num(d.syncid);
	w.key("sync_maxlen");
	if (d.sync_maxlen) w.num(*d.sync_maxlen); else w.null();
	w.key("mcast_group");
	if (d.mcast_group) w.str(d.mcast_group->str()); else w.null();
	w.key("mcast_port");
	if (d.mcast_port) w.num(*d.mcast_port); else w.null();
	w.key("mcast_ttl");
	if (d.mcast_ttl) w.num(*d.mcast_ttl); else w.null();
	w.close('}');
}

// The members of a service object, its destinations excepted.
void service_fields(Writer &w, const xvs::Service &s)
{
	const std::uint32_t flags = s.flags & s.flags_mask;
	w.key("family"); w.str(family_name(s.af));
	if (s.fwmark) {
		w.key("fwmark"); w.num(s.fwmark);
		w.key("protocol"); w.null();
		w.key("address"); w.null();
		w.key("port"); w.null();
	} else {
		w.key("fwmark"); w.null();
		w.key("protocol");
		if (const char *p = proto_name(s.protocol))
			w.str(p);
		else
			w.num(s.protocol);
		w.key("address"); w.str(s.addr.str());
		w.key("port"); w.num(s.port);
	}
	w.key("scheduler"); w.str(s.sched_name);
	sched_flag_list(w, s, flags);
	w.key("persistent");
	w.boolean(flags & IP_VS_SVC_F_PERSISTENT);
	w.key("timeout"); w.num(s.timeout);
	w.key("netmask");
	if (s.af == AF_INET6) {
		w.num(s.netmask);
	} else {
		in_addr m;
		m.s_addr = s.netmask;
		char b[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &m, b, sizeof(b));
		w.str(b);
	}
	w.key("pe");
	if (s.pe_name.empty()) w.null(); else w.str(s.pe_name);
	w.key("ops"); w.boolean(flags & IP_VS_SVC_F_ONEPACKET);
	// xvs's own per-service timeouts, seconds; 0: the global value.
	w.key("timeout_tcp"); w.num(s.conn_timeouts.tcp.value_or(0));
	w.key("timeout_tcpfin"); w.num(s.conn_timeouts.tcp_fin.value_or(0));
	w.key("timeout_udp"); w.num(s.conn_timeouts.udp.value_or(0));
	counters(w, s.counters());
}

void dest_object(Writer &w, const xvs::Destination &d)
{
	w.open('{');
	w.key("family"); w.str(family_name(d.addr.af));
	w.key("address"); w.str(d.addr.str());
	w.key("port"); w.num(d.port);
	w.key("forward"); w.str(method_name(d.fwd_method));
	w.key("weight");
	w.raw(std::to_string(d.weight));
	w.key("u_threshold"); w.num(d.u_threshold);
	w.key("l_threshold"); w.num(d.l_threshold);
	w.key("active_conns"); w.num(d.active_conns);
	w.key("inactive_conns"); w.num(d.inact_conns);
	w.key("persistent_conns"); w.num(d.persist_conns);
	w.key("tunnel");
	if ((d.fwd_method & IP_VS_CONN_F_FWD_MASK) == IP_VS_CONN_F_TUNNEL) {
		static const char *const types[] = {"ipip", "gue", "gre"};
		static const char *const csum[] = {"nocsum", "csum", "remcsum"};
		const auto t = d.tun_type.value_or(0);
		const auto f = d.tun_flags.value_or(0);
		w.open('{');
		w.key("type");
		if (t < 3) w.str(types[t]); else w.num(t);
		w.key("port"); w.num(d.tun_port.value_or(0));
		w.key("checksum");
		if (f < 3) w.str(csum[f]); else w.num(f);
		w.close('}');
	} else {
		w.null();
	}
	counters(w, d.counters());
	w.close('}');
}

} // namespace

std::string render_event(const xvs::Event &ev)
{
	Writer w(true);
	w.open('{');
	w.key("format"); w.str("xvsadm-event-1");
	w.key("event"); w.str(std::string(xvs::event_kind_name(ev.kind)));
	w.key("portid"); w.num(ev.portid);
	if (ev.service) {
		w.key("service");
		w.open('{');
		service_fields(w, *ev.service);
		w.close('}');
	}
	if (ev.dest) {
		w.key("destination");
		dest_object(w, *ev.dest);
	}
	if (ev.daemon) {
		w.key("daemon");
		daemon_object(w, *ev.daemon);
	}
	w.close('}');
	return w.out + "\n";
}

std::string quote(const std::string &s)
{
	std::string o = "\"";
	for (unsigned char c : s) {
		switch (c) {
		case '"': o += "\\\""; break;
		case '\\': o += "\\\\"; break;
		case '\n': o += "\\n"; break;
		case '\t': o += "\\t"; break;
		case '\r': o += "\\r"; break;
		default:
			if (c < 0x20) {
				char b[8];
				std::snprintf(b, sizeof(b), "\\u%04x", c);
				o += b;
			} else {
				o += static_cast<char>(c);
			}
		}
	}
	return o + "\"";
}

std::optional<Conn> parse_conn_line(const char *line)
{
	char proto[32], a1[64], a2[64], a3[64], state[32], pe[32] = "",
		pedata[512] = "";
	unsigned cp, vp, dp;
	int expires;
	int n = std::sscanf(line, "%31s %63s %X %63s %X %63s %X %31s %d %31s "
			    "%511s", proto, a1, &cp, a2, &vp, a3, &dp, state,
			    &expires, pe, pedata);
	if (n < 9)
		return std::nullopt;
	auto addr = [](const char *t) {
		xvs::Address a;
		if (inet_pton(AF_INET6, t, a.bytes.data()) > 0) {
			a.af = AF_INET6;
		} else {
			a.af = AF_INET;
			if (inet_pton(AF_INET, t, a.bytes.data()) <= 0) {
				std::uint32_t v = htonl(static_cast<std::uint32_t>(
					std::strtoul(t, nullptr, 16)));
				std::memcpy(a.bytes.data(), &v, 4);
			}
		}
		return a;
	};
	Conn c;
	c.protocol = proto;
	c.client = addr(a1);
	c.virt = addr(a2);
	c.dest = addr(a3);
	c.cport = static_cast<std::uint16_t>(cp);
	c.vport = static_cast<std::uint16_t>(vp);
	c.dport = static_cast<std::uint16_t>(dp);
	c.state = state;
	c.expires = static_cast<unsigned>(expires);
	if (n >= 10)
		c.pe_name = pe;
	if (n >= 11)
		c.pe_data = pedata;
	return c;
}

std::string render(const Snapshot &snap, bool numeric)
{
	(void)numeric;	// addresses are always numeric in JSON
	Writer w;
	w.open('{');
	w.key("format"); w.str("xvsadm-1");
	w.key("version"); w.str(snap.info.version_str());
	w.key("conn_table_size"); w.num(snap.info.conn_tab_size);
	w.key("timeouts");
	w.open('{');
	w.key("tcp"); w.num(snap.timeouts.tcp);
	w.key("tcp_fin"); w.num(snap.timeouts.tcp_fin);
	w.key("udp"); w.num(snap.timeouts.udp);
	w.close('}');

	w.key("daemons");
	w.open('[');
	for (const auto &d : snap.daemons)
		daemon_object(w, d);
	w.close(']');

	w.key("services");
	w.open('[');
	for (std::size_t i = 0; i < snap.services.size(); i++) {
		w.open('{');
		service_fields(w, snap.services[i]);
		w.key("destinations");
		w.open('[');
		if (i < snap.dests.size()) {
			for (const auto &d : snap.dests[i])
				dest_object(w, d);
		}
		w.close(']');
		w.close('}');
	}
	w.close(']');

	if (snap.have_conns) {
		w.key("connections");
		w.open('[');
		for (const auto &c : snap.conns) {
			w.open('{');
			w.key("protocol"); w.str(c.protocol);
			endpoint(w, "client", c.client, c.cport);
			endpoint(w, "virtual", c.virt, c.vport);
			endpoint(w, "destination", c.dest, c.dport);
			w.key("state"); w.str(c.state);
			w.key("expires"); w.num(c.expires);
			w.key("pe_name");
			if (c.pe_name.empty()) w.null(); else w.str(c.pe_name);
			w.key("pe_data");
			if (c.pe_data.empty()) w.null(); else w.str(c.pe_data);
			w.close('}');
		}
		w.close(']');
	}
	w.close('}');
	return w.out + "\n";
}

} // namespace xvsadm::json
