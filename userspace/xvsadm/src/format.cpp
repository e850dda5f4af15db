#include "format.hpp"
#include "cli.hpp"
#include "names.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/ip_vs.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace xvsadm::fmt {

namespace {

std::string printf_str(const char *f, ...) __attribute__((format(printf, 1, 2)));

std::string printf_str(const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	char *p = nullptr;
	int n = vasprintf(&p, f, ap);
	va_end(ap);
	if (n < 0)
		return {};
	std::string s(p, static_cast<std::size_t>(n));
	std::free(p);
	return s;
}

// printf("%s", NULL) prints "(null)" with glibc; ipvsadm relies on it for
// forwarding methods it has no name for.
const char *or_null(const char *s) { return s ? s : "(null)"; }

const char *fwd_name(std::uint32_t flags)
{
	switch (flags & IP_VS_CONN_F_FWD_MASK) {
	case IP_VS_CONN_F_MASQ: return "Masq";
	case IP_VS_CONN_F_LOCALNODE: return "Local";
	case IP_VS_CONN_F_TUNNEL: return "Tunnel";
	case IP_VS_CONN_F_DROUTE: return "Route";
	default: return nullptr;
	}
}

const char *fwd_switch(std::uint32_t flags)
{
	switch (flags & IP_VS_CONN_F_FWD_MASK) {
	case IP_VS_CONN_F_MASQ: return "-m";
	case IP_VS_CONN_F_TUNNEL: return "-i";
	case IP_VS_CONN_F_LOCALNODE:
	case IP_VS_CONN_F_DROUTE: return "-g";
	default: return nullptr;
	}
}

const char *const tun_names[] = {"ipip", "gue", "gre"};
const char *const tun_flag_short[] = {"-c", "+c", "r+c"};
const char *const tun_flag_opts[] = {"--tun-nocsum", "--tun-csum",
				     "--tun-remcsum"};

const char *tun_flag(const char *const table[], std::uint16_t f)
{
	return f < 3 ? table[f] : "?";
}

// --tun-info column; empty when not a tunnel (shown as "n/a").
std::string tun_info(const xvs::Destination &d)
{
	if ((d.fwd_method & IP_VS_CONN_F_FWD_MASK) != IP_VS_CONN_F_TUNNEL)
		return {};
	const std::uint8_t type = d.tun_type.value_or(0);
	const std::uint16_t flags = d.tun_flags.value_or(0);
	std::string s;
	switch (type) {
	case IP_VS_CONN_F_TUNNEL_TYPE_IPIP:
		s = tun_names[type];
		break;
	case IP_VS_CONN_F_TUNNEL_TYPE_GUE:
		s = printf_str("%s:%d:%s", tun_names[type],
			       d.tun_port.value_or(0),
			       tun_flag(tun_flag_short, flags));
		break;
	case IP_VS_CONN_F_TUNNEL_TYPE_GRE:
		s = printf_str("%s:%s", tun_names[type],
			       tun_flag(tun_flag_short, flags));
		break;
	default:
		return {};
	}
	if (s.size() > 15)	// ipvsadm's 16-byte buffer
		s.resize(15);
	return s;
}

std::string sched_flags(const xvs::Service &s, std::uint32_t flags)
{
	std::string out;
	auto add = [&](const char *f) {
		if (!out.empty())
			out += ",";
		out += f;
	};
	const std::string sched = s.sched_name.substr(0, 15);
	if (sched == "sh") {
		if (flags & IP_VS_SVC_F_SCHED1) add("sh-fallback");
		if (flags & IP_VS_SVC_F_SCHED2) add("sh-port");
	} else if (sched == "mh") {
		if (flags & IP_VS_SVC_F_SCHED1) add("mh-fallback");
		if (flags & IP_VS_SVC_F_SCHED2) add("mh-port");
	} else {
		if (flags & IP_VS_SVC_F_SCHED1) add("flag-1");
		if (flags & IP_VS_SVC_F_SCHED2) add("flag-2");
		if (flags & IP_VS_SVC_F_SCHED3) add("flag-3");
	}
	return out;
}

// The address bytes as the kernel sent them (v4 in the first four).
const void *raw_addr(const xvs::Address &a) { return a.bytes.data(); }

std::uint32_t word(const xvs::Address &a, int i)
{
	std::uint32_t w;
	std::memcpy(&w, a.bytes.data() + 4 * i, 4);
	return ntohl(w);
}

// C's int conversion of an unsigned difference, as ipvsadm computes it.
int wrap_diff(std::uint32_t a, std::uint32_t b)
{
	return static_cast<int>(a - b);
}

int addr_cmp(std::uint16_t af, const xvs::Address &a, const xvs::Address &b)
{
	int r = 0;
	if (af == AF_INET6) {
		for (int i = 0; !r && i < 4; i++)
			r = wrap_diff(word(a, i), word(b, i));
	} else {
		r = wrap_diff(word(a, 0), word(b, 0));
	}
	return r;
}

int svc_cmp(const xvs::Service &a, const xvs::Service &b)
{
	int r = wrap_diff(a.fwmark, b.fwmark);
	if (r)
		return r;
	r = static_cast<int>(a.af) - static_cast<int>(b.af);
	if (r)
		return r;
	r = static_cast<int>(a.protocol) - static_cast<int>(b.protocol);
	if (r)
		return r;
	r = addr_cmp(a.af, a.addr, b.addr);
	if (r)
		return r;
	return static_cast<int>(a.port) - static_cast<int>(b.port);
}

int entry_cmp(const xvs::ServiceDests &a, const xvs::ServiceDests &b)
{
	return svc_cmp(a.service, b.service);
}

int dest_cmp(const xvs::Destination &a, const xvs::Destination &b)
{
	int r = addr_cmp(a.addr.af, a.addr, b.addr);
	if (r)
		return r;
	return static_cast<int>(a.port) - static_cast<int>(b.port);
}

// Sorting with glibc's qsort over indexes gives the same permutation as
// ipvsadm's qsort over its records: the algorithm only sees comparisons.
template <typename T, int (*Cmp)(const T &, const T &)>
void qsort_like_ipvsadm(std::vector<T> &v)
{
	if (v.size() < 2)
		return;
	std::vector<int> idx(v.size());
	for (std::size_t i = 0; i < v.size(); i++)
		idx[i] = static_cast<int>(i);
	qsort_r(idx.data(), idx.size(), sizeof(int),
		[](const void *x, const void *y, void *ctx) {
			const auto &vec = *static_cast<std::vector<T> *>(ctx);
			return Cmp(vec[*static_cast<const int *>(x)],
				   vec[*static_cast<const int *>(y)]);
		}, &v);
	std::vector<T> out;
	out.reserve(v.size());
	for (int i : idx)
		out.push_back(std::move(v[static_cast<std::size_t>(i)]));
	v = std::move(out);
}

} // namespace

std::string largenum(std::uint64_t i, unsigned format)
{
	if (format & FMT_EXACT) {
		std::string digits = std::to_string(i);
		int width = digits.size() <= 8 ? 9 :
			    static_cast<int>(digits.size()) + 1;
		return printf_str("%*llu", width,
				  static_cast<unsigned long long>(i));
	}
	auto ull = [](std::uint64_t v) {
		return static_cast<unsigned long long>(v);
	};
	if (i < 100000000ULL)
		return printf_str("%9llu", ull(i));
	if (i < 1000000000ULL)
		return printf_str("%8lluK", ull(i / 1000));
	if (i < 100000000000ULL)
		return printf_str("%8lluM", ull(i / 1000000));
	if (i < 100000000000000ULL)
		return printf_str("%8lluG", ull(i / 1000000000ULL));
	return printf_str("%8lluT", ull(i / 1000000000000ULL));
}

std::string version_header(const xvs::Info &info)
{
	return printf_str("IP Virtual Server version %d.%d.%d (size=%d)\n",
			  (info.version >> 16) & 0xff,
			  (info.version >> 8) & 0xff, info.version & 0xff,
			  static_cast<int>(info.conn_tab_size));
}

std::string title(unsigned format)
{
	const char *prot = "Prot LocalAddress:Port";
	if (format & FMT_STATS)
		return printf_str("%-33s %8s %8s %8s %8s %8s\n"
				  "  -> RemoteAddress:Port\n", prot, "Conns",
				  "InPkts", "OutPkts", "InBytes", "OutBytes");
	if (format & FMT_RATE)
		return printf_str("%-33s %8s %8s %8s %8s %8s\n"
				  "  -> RemoteAddress:Port\n", prot, "CPS",
				  "InPPS", "OutPPS", "InBPS", "OutBPS");
	if (format & FMT_THRESHOLDS)
		return printf_str("%-33s %-10s %-10s %-10s %-10s\n"
				  "  -> RemoteAddress:Port\n", prot,
				  "Uthreshold", "Lthreshold", "ActiveConn",
				  "InActConn");
	if (format & FMT_PERSISTENTCONN)
		return printf_str("%-33s %-9s %-11s %-10s %-10s\n"
				  "  -> RemoteAddress:Port\n", prot, "Weight",
				  "PersistConn", "ActiveConn", "InActConn");
	if (format & FMT_TUN_INFO)
		return "Prot LocalAddress:Port Scheduler Flags\n"
		       "  -> RemoteAddress:Port           Forward TunnelInfo"
		       "    Weight ActiveConn InActConn\n";
	if (!(format & FMT_RULE))
		return "Prot LocalAddress:Port Scheduler Flags\n"
		       "  -> RemoteAddress:Port           Forward Weight "
		       "ActiveConn InActConn\n";
	return {};
}

xvs::Stats64 dest_counters(const xvs::Destination &d)
{
	if (d.stats64) {
		xvs::Stats64 s = *d.stats64;
		auto low = [](std::uint64_t &v) { v &= 0xffffffffULL; };
		low(s.conns); low(s.inpkts); low(s.outpkts);
		low(s.cps); low(s.inpps); low(s.outpps);
		low(s.inbps); low(s.outbps);
		return s;
	}
	return d.stats ? xvs::Stats64::widen(*d.stats) : xvs::Stats64{};
}

void sort_services(std::vector<xvs::Service> &svcs)
{
	qsort_like_ipvsadm<xvs::Service, svc_cmp>(svcs);
}

void sort_services(std::vector<xvs::ServiceDests> &table)
{
	qsort_like_ipvsadm<xvs::ServiceDests, entry_cmp>(table);
}

void sort_dests(std::vector<xvs::Destination> &dests)
{
	qsort_like_ipvsadm<xvs::Destination, dest_cmp>(dests);
}

std::string service_entry(const xvs::Service &se,
			  std::vector<xvs::Destination> dests,
			  unsigned format)
{
	const bool rule = format & FMT_RULE;
	const bool numeric = format & FMT_NUMERIC;
	const std::uint32_t flags = se.flags & se.flags_mask;
	const std::string sched = se.sched_name.substr(0, 15);
	const std::string pe = se.pe_name.substr(0, 16);
	std::string name;

	if (se.fwmark) {
		const int mark = static_cast<int>(se.fwmark);
		if (rule)
			name = printf_str(se.af == AF_INET6 ? "-f %d -6" :
					  "-f %d", mark);
		else
			name = printf_str(se.af == AF_INET6 ? "FWM  %d IPv6" :
					  "FWM  %d", mark);
	} else {
		const std::string vname = names::addrport(
			se.af, raw_addr(se.addr), se.port, se.protocol,
			numeric);
		if (rule) {
			const char *opt = "--xxx-service";
			switch (se.protocol) {
			case IPPROTO_TCP: opt = "-t"; break;
			case IPPROTO_UDP: opt = "-u"; break;
			case IPPROTO_SCTP: opt = "--sctp-service"; break;
			}
			name = std::string(opt) + " " + vname;
		} else {
			const char *proto = "?";
			switch (se.protocol) {
			case IPPROTO_TCP: proto = "TCP"; break;
			case IPPROTO_UDP: proto = "UDP"; break;
			case IPPROTO_SCTP: proto = "SCTP"; break;
			}
			name = printf_str("%-4s %s", proto, vname.c_str());
			if (se.af != AF_INET6 && name.size() > 33)
				name.resize(33);
		}
		if (name.size() > 1023)
			name.resize(1023);
	}

	std::string out;
	const std::uint32_t sched_bits = IP_VS_SVC_F_SCHED1 |
		IP_VS_SVC_F_SCHED2 | IP_VS_SVC_F_SCHED3;
	auto mask_text = [&](const char *v4fmt, const char *v6fmt) {
		if (se.af == AF_INET && se.netmask != 0xffffffffu) {
			in_addr m;
			m.s_addr = se.netmask;
			out += printf_str(v4fmt, inet_ntoa(m));
		}
		if (se.af == AF_INET6 && se.netmask != 128)
			out += printf_str(v6fmt, static_cast<int>(se.netmask));
	};
	if (rule) {
		out += "-A " + name + " -s " + sched;
		if (flags & IP_VS_SVC_F_PERSISTENT) {
			out += printf_str(" -p %u", se.timeout);
			mask_text(" -M %s", " -M %i");
		}
		if (!pe.empty())
			out += " --pe " + pe;
		if (flags & IP_VS_SVC_F_ONEPACKET)
			out += " -o";
		if (flags & sched_bits)
			out += " -b " + sched_flags(se, flags);
		// xvs's own: absent for stock IPVS, so its -S output is stock's.
		const auto &t = se.conn_timeouts;
		if (t.tcp.value_or(0))
			out += printf_str(" --timeout-tcp %u", *t.tcp);
		if (t.tcp_fin.value_or(0))
			out += printf_str(" --timeout-tcpfin %u", *t.tcp_fin);
		if (t.udp.value_or(0))
			out += printf_str(" --timeout-udp %u", *t.udp);
	} else if (format & (FMT_STATS | FMT_RATE)) {
		const xvs::Stats64 st = se.counters();
		out += printf_str("%-33s", name.c_str());
		if (format & FMT_STATS) {
			for (auto v : {st.conns, st.inpkts, st.outpkts,
				       st.inbytes, st.outbytes})
				out += largenum(v, format);
		} else {
			for (auto v : {st.cps, st.inpps, st.outpps, st.inbps,
				       st.outbps})
				out += largenum(v, format);
		}
	} else {
		out += name + " " + sched;
		if (flags & sched_bits)
			out += " (" + sched_flags(se, flags) + ")";
		if (flags & IP_VS_SVC_F_PERSISTENT) {
			out += printf_str(" persistent %u", se.timeout);
			mask_text(" mask %s", " mask %i");
			if (!pe.empty())
				out += " pe " + pe;
		}
		if (flags & IP_VS_SVC_F_ONEPACKET)
			out += " ops";
	}
	out += "\n";

	if (!(format & FMT_NOSORT))
		sort_dests(dests);

	for (const xvs::Destination &e : dests) {
		std::string dname = names::addrport(
			e.addr.af, raw_addr(e.addr), e.port, se.protocol,
			numeric);
		if (!rule && e.addr.af != AF_INET6 && dname.size() > 28)
			dname.resize(28);
		const char *d = dname.c_str();
		const std::uint32_t method = e.fwd_method &
					     IP_VS_CONN_F_FWD_MASK;
		const xvs::Stats64 st = dest_counters(e);
		if (rule) {
			std::string line = printf_str(
				"-a %s -r %s %s -w %d", name.c_str(), d,
				or_null(fwd_switch(e.fwd_method)), e.weight);
			if (method == IP_VS_CONN_F_TUNNEL) {
				const auto type = e.tun_type.value_or(0);
				const auto tflags = e.tun_flags.value_or(0);
				switch (type) {
				case IP_VS_CONN_F_TUNNEL_TYPE_GRE:
					line += printf_str(
						" --tun-type %s %s",
						tun_names[type],
						tun_flag(tun_flag_opts, tflags));
					break;
				case IP_VS_CONN_F_TUNNEL_TYPE_GUE:
					line += printf_str(
						" --tun-type %s --tun-port %d %s",
						tun_names[type],
						e.tun_port.value_or(0),
						tun_flag(tun_flag_opts, tflags));
					break;
				case IP_VS_CONN_F_TUNNEL_TYPE_IPIP:
					line += printf_str(" --tun-type %s",
							   tun_names[type]);
					break;
				}
			}
			out += line + "\n";
		} else if (format & FMT_STATS) {
			out += printf_str("  -> %-28s", d);
			for (auto v : {st.conns, st.inpkts, st.outpkts,
				       st.inbytes, st.outbytes})
				out += largenum(v, format);
			out += "\n";
		} else if (format & FMT_RATE) {
			out += printf_str("  -> %-28s %8llu %8llu %8llu", d,
					  static_cast<unsigned long long>(st.cps),
					  static_cast<unsigned long long>(st.inpps),
					  static_cast<unsigned long long>(st.outpps));
			out += largenum(st.inbps, format);
			out += largenum(st.outbps, format);
			out += "\n";
		} else if (format & FMT_THRESHOLDS) {
			out += printf_str("  -> %-28s %-10u %-10u %-10u %-10u\n",
					  d, e.u_threshold, e.l_threshold,
					  e.active_conns, e.inact_conns);
		} else if (format & FMT_PERSISTENTCONN) {
			out += printf_str("  -> %-28s %-9u %-11u %-10u %-10u\n",
					  d, static_cast<unsigned>(e.weight),
					  e.persist_conns, e.active_conns,
					  e.inact_conns);
		} else if (format & FMT_TUN_INFO) {
			std::string ti = tun_info(e);
			out += printf_str("  -> %-28s %-7s %-13s %-6d %-10u "
					  "%-10u\n", d,
					  or_null(fwd_name(e.fwd_method)),
					  ti.empty() ? "n/a" : ti.c_str(),
					  e.weight, e.active_conns,
					  e.inact_conns);
		} else {
			out += printf_str("  -> %-28s %-7s %-6d %-10u %-10u\n",
					  d, or_null(fwd_name(e.fwd_method)),
					  e.weight, e.active_conns,
					  e.inact_conns);
		}
	}
	return out;
}

std::string timeout_line(const xvs::Timeouts &t)
{
	return printf_str("Timeout (tcp tcpfin udp): %d %d %d\n",
			  static_cast<int>(t.tcp), static_cast<int>(t.tcp_fin),
			  static_cast<int>(t.udp));
}

std::string daemon_lines(const std::vector<xvs::Daemon> &daemons)
{
	// ipvsadm keeps two slots: the first reply, then every later reply
	// overwrites the second one.
	xvs::Daemon slot[2];
	bool used[2] = {false, false};
	for (const auto &d : daemons) {
		const int i = used[0] && slot[0].state ? 1 : 0;
		slot[i] = d;
		used[i] = true;
	}
	std::string out;
	for (int i = 0; i < 2; i++) {
		if (!used[i])
			continue;
		const xvs::Daemon &d = slot[i];
		const char *type;
		if (d.state & IP_VS_STATE_MASTER)
			type = "master";
		else if (d.state & IP_VS_STATE_BACKUP)
			type = "backup";
		else
			continue;
		out += printf_str("%s sync daemon (mcast=%s, syncid=%d", type,
				  d.mcast_ifn.substr(0, 15).c_str(),
				  static_cast<int>(d.syncid));
		if (d.sync_maxlen && *d.sync_maxlen)
			out += printf_str(", maxlen=%u", *d.sync_maxlen);
		if (d.mcast_group)
			out += ", group=" + names::addr_to_numeric(
				d.mcast_group->af, d.mcast_group->bytes.data());
		if (d.mcast_port && *d.mcast_port)
			out += printf_str(", port=%u", *d.mcast_port);
		if (d.mcast_ttl && *d.mcast_ttl)
			out += printf_str(", ttl=%u", *d.mcast_ttl);
		out += ")\n";
	}
	return out;
}

std::string conn_title(unsigned format)
{
	std::string s = "IPVS connection entries\n";
	if (format & FMT_PERSISTENTCONN)
		s += printf_str("pro expire %-11s %-18s %-18s %-18s %-16s %s\n",
				"state", "source", "virtual", "destination",
				"pe name", "pe_data");
	else
		s += printf_str("pro expire %-11s %-18s %-18s %s\n", "state",
				"source", "virtual", "destination");
	return s;
}

std::string conn_line(const char *buf, unsigned format)
{
	// Fields of a /proc/net/ip_vs_conn line, read as ipvsadm reads them
	// (the same scanf conversions, so odd lines come out the same too).
	char protocol[256] = "", t1[256] = "", t2[256] = "", t3[256] = "";
	char state[256] = "", pe_name[256] = "", pe_data[512] = "";
	unsigned short cport = 0, vport = 0, dport = 0;
	int expires = 0;
	int n = std::sscanf(buf, "%255s %255s %hX %255s %hX %255s %hX %255s %d "
			    "%255s %511s", protocol, t1, &cport, t2, &vport, t3,
			    &dport, state, &expires, pe_name, pe_data);
	if (n == -1)
		return {};

	std::uint16_t proto = 0;
	if (!std::strcmp(protocol, "TCP"))
		proto = IPPROTO_TCP;
	else if (!std::strcmp(protocol, "UDP"))
		proto = IPPROTO_UDP;
	else if (!std::strcmp(protocol, "SCTP"))
		proto = IPPROTO_SCTP;

	unsigned char caddr[16] = {}, vaddr[16] = {}, daddr[16] = {};
	int af = AF_INET, daf = AF_INET;
	auto hex4 = [](const char *s, unsigned char *out) {
		std::uint32_t v = htonl(static_cast<std::uint32_t>(
			std::strtoul(s, nullptr, 16)));
		std::memcpy(out, &v, 4);
	};
	if (inet_pton(AF_INET6, t1, caddr) > 0) {
		inet_pton(AF_INET6, t2, vaddr);
		af = AF_INET6;
	} else if (inet_pton(AF_INET, t1, caddr) > 0) {
		inet_pton(AF_INET, t2, vaddr);
	} else {
		hex4(t1, caddr);
		hex4(t2, vaddr);
	}
	if (inet_pton(AF_INET6, t3, daddr) > 0)
		daf = AF_INET6;
	else if (inet_pton(AF_INET, t3, daddr) <= 0)
		hex4(t3, daddr);

	const bool numeric = format & FMT_NUMERIC;
	std::string c = names::addrport(af, caddr, cport, proto, numeric);
	std::string v = names::addrport(af, vaddr, vport, proto, numeric);
	std::string d = names::addrport(daf, daddr, dport, proto, numeric);
	const unsigned ex = static_cast<unsigned>(expires);
	std::string expire = printf_str("%02d:%02d", static_cast<int>(ex / 60),
					static_cast<int>(ex % 60));
	if (format & FMT_PERSISTENTCONN && n == 11)
		return printf_str("%-3s %-6s %-11s %-18s %-18s %-16s %-18s %s\n",
				  protocol, expire.c_str(), state, c.c_str(),
				  v.c_str(), d.c_str(), pe_name, pe_data);
	return printf_str("%-3s %-6s %-11s %-18s %-18s %s\n", protocol,
			  expire.c_str(), state, c.c_str(), v.c_str(),
			  d.c_str());
}

} // namespace xvsadm::fmt
