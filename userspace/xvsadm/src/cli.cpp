// Command-line parsing and validation with ipvsadm 1.31's grammar.
//
// The option syntax itself (bundled short options, "--opt=value", optional
// argument of -p, leftover arguments, the error texts for unknown options
// and missing arguments) is popt's, as it is for ipvsadm, so the library is
// used here too.  What is checked, in which order, and with which message,
// follows ipvsadm's behaviour step by step: the first problem found wins.
#include "cli.hpp"
#include "names.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/ip_vs.h>
#include <popt.h>

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdarg>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>

namespace xvsadm {

namespace {

// Scheduler flags of the sh and mh schedulers share the generic bits.
constexpr std::uint32_t SVC_F_SH_FALLBACK = IP_VS_SVC_F_SCHED1;
constexpr std::uint32_t SVC_F_SH_PORT = IP_VS_SVC_F_SCHED2;
constexpr std::uint32_t SVC_F_MH_FALLBACK = IP_VS_SVC_F_SCHED1;
constexpr std::uint32_t SVC_F_MH_PORT = IP_VS_SVC_F_SCHED2;

constexpr int MAX_TIMEOUT = 86400 * 31;
constexpr unsigned PERSISTENT_TIMEOUT_DEFAULT = 6 * 60;
constexpr std::size_t SCHEDNAME_MAX = 16;	// IP_VS_SCHEDNAME_MAXLEN
constexpr std::size_t PENAME_MAX = 16;		// IP_VS_PENAME_MAXLEN
constexpr std::size_t IFNAME_MAX = 16;		// IP_VS_IFNAME_MAXLEN

const char *const cmd_names[] = {
	"add-service", "edit-service", "delete-service", "flush", "list",
	"add-server", "delete-server", "edit-server", "set", "start-daemon",
	"stop-daemon", "restore", "save", "zero",
};

const char *const opt_names[OPT_COUNT] = {
	"numeric", "connection", "service-address", "scheduler",
	"persistent", "netmask", "real-server", "forwarding-method", "weight",
	"u-threshold", "l-threshold", "mcast-interface", "timeout", "daemon",
	"stats", "rate", "thresholds", "persistent-conn", "nosort", "syncid",
	"exact", "ops", "pe", "sched-flags", "mcast-group", "mcast-port",
	"mcast-ttl", "sync-maxlen", "tun-info", "tun-type", "tun-port",
	"tun-nocsum", "tun-csum", "tun-remcsum",
};

// Which options each command takes: '+' required, 'x' refused, '1' at
// most one of the '1' options, ' ' optional.  Rows follow Cmd (without
// None), columns follow Opt.
constexpr const char *cmd_opt_table[] = {
	// n  c  svc s  p  M  r  fwd w  x  y  mc tot dmn st rt thr pc srt sid ex ops pe b grp prt ttl len tinf ttyp tprt nocs csum remc
	"xx+   xxxxxxxxxxxxxxx   xxxxxxxxxx",	// add-service
	"xx+   xxxxxxxxxxxxxxx   xxxxxxxxxx",	// edit-service
	"xx+xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",	// delete-service
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",	// flush
	" 11xxxxxxxxx11       xxxxxxx xxxxx",	// list
	"xx+xxx+    xxxxxxxxxxxxxxxxxx     ",	// add-server
	"xx+xxx+xxxxxxxxxxxxxxxxxxxxxxxxxxx",	// delete-server
	"xx+xxx+    xxxxxxxxxxxxxxxxxx     ",	// edit-server
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",	// set
	"xxxxxxxxxxx xxxxxxx xxxx    xxxxxx",	// start-daemon
	"xxxxxxxxxxxxxxxxxxx xxxxxxxxxxxxxx",	// stop-daemon
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",	// restore
	" xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",	// save
	"xx xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",	// zero
};

constexpr bool rows_complete()
{
	for (const char *row : cmd_opt_table)
		if (std::char_traits<char>::length(row) != OPT_COUNT)
			return false;
	return true;
}
static_assert(rows_complete(), "one column per option in every row");

// Tunnel types against tunnel options (tun-port, nocsum, csum, remcsum).
const char *const tun_names[] = {"ipip", "gue", "gre"};
const int tun_opts[] = {OPT_TUN_PORT, OPT_TUN_NOCSUM, OPT_TUN_CSUM,
			OPT_TUN_REMCSUM};
const char *const tun_opt_table[] = {
	"xxxx",		// ipip
	"+111",		// gue
	"x11x",		// gre
};

enum Tag : int {
	TAG_SET = 128, TAG_START_DAEMON, TAG_STOP_DAEMON, TAG_MCAST_INTERFACE,
	TAG_TIMEOUT, TAG_DAEMON, TAG_STATS, TAG_RATE, TAG_THRESHOLDS,
	TAG_PERSISTENTCONN, TAG_SORT, TAG_NO_SORT, TAG_PERSISTENCE_ENGINE,
	TAG_SCTP_SERVICE, TAG_MCAST_GROUP, TAG_MCAST_PORT, TAG_MCAST_TTL,
	TAG_SYNC_MAXLEN, TAG_TUN_INFO, TAG_TUN_TYPE, TAG_TUN_PORT,
	TAG_TUN_NOCSUM, TAG_TUN_CSUM, TAG_TUN_REMCSUM,
	TAG_FORMAT,	// xvsadm extension
	TAG_DROPS,	// xvsadm extension
	TAG_SVC_TIMEOUT_TCP,	// xvsadm extension
	TAG_SVC_TIMEOUT_TCPFIN,	// xvsadm extension
	TAG_SVC_TIMEOUT_UDP,	// xvsadm extension
};

[[noreturn]] void fail(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

[[noreturn]] void fail(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *text = nullptr;
	int n = vasprintf(&text, fmt, ap);
	va_end(ap);
	Exit e;
	e.code = code;
	if (n >= 0) {
		e.err.assign(text, static_cast<std::size_t>(n));
		std::free(text);
	}
	e.err += "\n";
	throw e;
}

[[noreturn]] void tryhelp(const std::string &prog)
{
	throw Exit{255, "", tryhelp_text(prog)};
}

// strtol-based bounded integer: -1 when not entirely a number in range.
long to_number(const char *s, long min, long max)
{
	char *end;
	errno = 0;
	long v = std::strtol(s, &end, 10);
	if (*end == '\0' && end != s && errno != ERANGE && v >= min && v <= max)
		return v;
	return -1;
}

unsigned parse_timeout(const char *s, long min, long max)
{
	if (!s)
		return PERSISTENT_TIMEOUT_DEFAULT;
	long v = to_number(s, min, max);
	if (v == -1)
		fail(2, "invalid timeout value `%s' specified", s);
	return static_cast<unsigned>(v);
}

// A service's own timeout: seconds as for --set (0 .. MAX_TIMEOUT), where 0
// gives the service the global value back.
void parse_svc_timeout(std::optional<std::uint32_t> &out, const char *name,
		       const char *s)
{
	if (out)
		fail(2, "multiple '%s' options specified", name);
	long v = to_number(s, 0, MAX_TIMEOUT);
	if (v == -1)
		fail(2, "invalid %s value `%s' specified (seconds, 0 to %d; "
		     "0: the global --set value)", name, s, MAX_TIMEOUT);
	out = static_cast<std::uint32_t>(v);
}

std::uint32_t parse_fwmark(const char *s)
{
	char *end;
	errno = 0;
	long v = std::strtol(s, &end, 10);
	unsigned long l = static_cast<unsigned long>(v);
	if (*end != '\0' || end == s || errno == ERANGE || l == 0 ||
	    l > UINT_MAX)
		fail(2, "invalid fwmark value `%s' specified", s);
	return static_cast<std::uint32_t>(l);
}

bool all_digits(const char *s)
{
	for (; *s; s++)
		if (!std::isdigit(static_cast<unsigned char>(*s)))
			return false;
	return true;
}

enum : int { SVC_NONE = 0, SVC_ADDR = 1, SVC_PORT = 2 };

// host[:port] or [v6]:port into af/addr/port of `svc`; returns SVC_* bits.
int parse_service(const std::string &text, SvcSpec &svc)
{
	if (all_digits(text.c_str()))
		return SVC_NONE;
	std::string host = text;
	std::optional<std::string> port;
	if (!host.empty() && host[0] == '[') {
		auto close = host.find(']', 1);
		if (close == std::string::npos)
			return SVC_NONE;
		if (close + 1 >= host.size() || host[close + 1] != ':')
			return SVC_NONE;
		port = host.substr(close + 2);
		host = host.substr(1, close - 1);
	}
	in6_addr a6;
	if (inet_pton(AF_INET6, host.c_str(), &a6) > 0) {
		std::memcpy(svc.addr.data(), &a6, 16);
		svc.af = AF_INET6;
		svc.netmask = 128;
	} else {
		// For the IPv4 path ipvsadm looks for the port separator
		// again, in what is left of the text; after a bracketed
		// address nothing is left, so the bracketed port is lost.
		port.reset();
		auto colon = host.rfind(':');
		if (colon != std::string::npos) {
			port = host.substr(colon + 1);
			host.resize(colon);
		}
		in_addr a4;
		std::uint32_t ip;
		if (inet_aton(host.c_str(), &a4) != 0) {
			ip = a4.s_addr;
		} else if (auto h = names::host_to_ipv4(host)) {
			ip = *h;
		} else {
			return SVC_NONE;
		}
		svc.addr.fill(0);
		std::memcpy(svc.addr.data(), &ip, 4);
		svc.af = AF_INET;
	}
	int result = SVC_ADDR;
	if (port) {
		result |= SVC_PORT;
		long n = to_number(port->c_str(), 0, 65535);
		if (n != -1) {
			svc.port = static_cast<std::uint16_t>(n);
		} else if (auto p = names::service_to_port(*port,
							   svc.protocol)) {
			svc.port = *p;
		} else {
			return SVC_NONE;
		}
	}
	return result;
}

bool parse_netmask(const char *s, std::uint32_t &mask)
{
	in_addr a;
	if (inet_aton(s, &a) != 0) {
		mask = a.s_addr;
		return true;
	}
	if (auto h = names::host_to_ipv4(s)) {
		mask = *h;
		return true;
	}
	return false;
}

std::uint32_t parse_sched_flags(std::string sched, const std::string &arg)
{
	if (sched.empty())
		sched = "wlc";
	std::uint32_t flags = 0;
	std::size_t pos = 0;
	bool any = false;
	while (true) {
		auto start = arg.find_first_not_of(',', pos);
		if (start == std::string::npos)
			break;
		auto end = arg.find(',', start);
		std::string flag = arg.substr(start, end == std::string::npos ?
					      std::string::npos : end - start);
		pos = end == std::string::npos ? arg.size() : end;
		any = true;
		if (flag == "flag-1") {
			flags |= IP_VS_SVC_F_SCHED1;
		} else if (flag == "flag-2") {
			flags |= IP_VS_SVC_F_SCHED2;
		} else if (flag == "flag-3") {
			flags |= IP_VS_SVC_F_SCHED3;
		} else if (flag == "sh-fallback" || flag == "sh-port") {
			flags |= flag == "sh-port" ? SVC_F_SH_PORT :
						     SVC_F_SH_FALLBACK;
			if (sched != "sh")
				fail(2, "incompatible scheduler flag `%s'",
				     flag.c_str());
		} else if (flag == "mh-fallback" || flag == "mh-port") {
			flags |= flag == "mh-port" ? SVC_F_MH_PORT :
						     SVC_F_MH_FALLBACK;
			if (sched != "mh")
				fail(2, "incompatible scheduler flag `%s'",
				     flag.c_str());
		} else {
			fail(2, "invalid scheduler flag `%s'", flag.c_str());
		}
	}
	// Only separators: ipvsadm dereferences a null token and crashes;
	// report it as an invalid flag instead.
	if (!any)
		fail(2, "invalid scheduler flag `%s'", arg.c_str());
	return flags;
}

void set_command(Command &c, Cmd cmd)
{
	if (c.cmd != Cmd::None)
		fail(2, "multiple commands specified");
	c.cmd = cmd;
}

void set_option(Command &c, Opt o)
{
	if (c.options & bit(o))
		fail(2, "multiple '%s' options specified", opt_names[o]);
	c.options |= bit(o);
}

void check_cmd_options(const Command &c)
{
	const int row = static_cast<int>(c.cmd) - 1;
	const char *const name = cmd_names[row];
	int count = 0, last = 0;
	for (int j = 0; j < OPT_COUNT; j++) {
		const char rule = cmd_opt_table[row][j];
		if (!(c.options & (1ULL << j))) {
			if (rule == '+')
				fail(2, "You need to supply the '%s' option "
				     "for the '%s' command", opt_names[j], name);
			continue;
		}
		if (rule == 'x')
			fail(2, "Illegal '%s' option with the '%s' command",
			     opt_names[j], name);
		if (rule == '1') {
			if (++count == 1) {
				last = j;
				continue;
			}
			fail(2, "The option '%s' conflicts with the '%s' "
			     "option in the '%s' command", opt_names[j],
			     opt_names[last], name);
		}
	}
}

void check_tunnel_options(int type, std::uint64_t options)
{
	// ipvsadm indexes its table with the type unchecked; the type can
	// only come from --tun-type, which admits 0..2.
	int count = 0, last = 0;
	for (int j = 0; j < 4; j++) {
		const int k = tun_opts[j];
		const char rule = tun_opt_table[type][j];
		if (!(options & (1ULL << k))) {
			if (rule == '+')
				fail(2, "You need to supply the '%s' option "
				     "for the '%s' tunnel type", opt_names[k],
				     tun_names[type]);
			continue;
		}
		if (rule == 'x')
			fail(2, "Illegal '%s' option with the '%s' tunnel "
			     "type", opt_names[k], tun_names[type]);
		if (rule == '1') {
			if (++count == 1) {
				last = k;
				continue;
			}
			fail(2, "The option '%s' conflicts with the '%s' "
			     "option in the '%s' tunnel type", opt_names[k],
			     opt_names[last], tun_names[type]);
		}
	}
}

std::uint16_t option_protocol(int tag)
{
	switch (tag) {
	case 't': return IPPROTO_TCP;
	case 'u': return IPPROTO_UDP;
	case TAG_SCTP_SERVICE: return IPPROTO_SCTP;
	default: return IPPROTO_IP;
	}
}

struct ContextDeleter {
	void operator()(poptContext c) const { poptFreeContext(c); }
};

} // namespace

const char *option_name(int opt)
{
	return opt >= 0 && opt < OPT_COUNT ? opt_names[opt] : "?";
}

std::string tryhelp_text(const std::string &prog)
{
	return "Try `" + prog + " -h' or '" + prog +
	       " --help' for more information.\n";
}

namespace {

// ipvsadm's options; popt stores every string argument in *optarg.
std::vector<poptOption> option_table(char **optarg)
{
	void *oa = optarg;
	return {
		{"add-service", 'A', POPT_ARG_NONE, nullptr, 'A', nullptr, nullptr},
		{"edit-service", 'E', POPT_ARG_NONE, nullptr, 'E', nullptr, nullptr},
		{"delete-service", 'D', POPT_ARG_NONE, nullptr, 'D', nullptr, nullptr},
		{"clear", 'C', POPT_ARG_NONE, nullptr, 'C', nullptr, nullptr},
		{"list", 'L', POPT_ARG_NONE, nullptr, 'L', nullptr, nullptr},
		{"list", 'l', POPT_ARG_NONE, nullptr, 'l', nullptr, nullptr},
		{"zero", 'Z', POPT_ARG_NONE, nullptr, 'Z', nullptr, nullptr},
		{"add-server", 'a', POPT_ARG_NONE, nullptr, 'a', nullptr, nullptr},
		{"edit-server", 'e', POPT_ARG_NONE, nullptr, 'e', nullptr, nullptr},
		{"delete-server", 'd', POPT_ARG_NONE, nullptr, 'd', nullptr, nullptr},
		{"set", '\0', POPT_ARG_NONE, nullptr, TAG_SET, nullptr, nullptr},
		{"help", 'h', POPT_ARG_NONE, nullptr, 'h', nullptr, nullptr},
		{"version", 'v', POPT_ARG_NONE, nullptr, 'v', nullptr, nullptr},
		{"restore", 'R', POPT_ARG_NONE, nullptr, 'R', nullptr, nullptr},
		{"save", 'S', POPT_ARG_NONE, nullptr, 'S', nullptr, nullptr},
		{"start-daemon", '\0', POPT_ARG_STRING, oa, TAG_START_DAEMON, nullptr, nullptr},
		{"stop-daemon", '\0', POPT_ARG_STRING, oa, TAG_STOP_DAEMON, nullptr, nullptr},
		{"tcp-service", 't', POPT_ARG_STRING, oa, 't', nullptr, nullptr},
		{"udp-service", 'u', POPT_ARG_STRING, oa, 'u', nullptr, nullptr},
		{"sctp-service", '\0', POPT_ARG_STRING, oa, TAG_SCTP_SERVICE, nullptr, nullptr},
		{"fwmark-service", 'f', POPT_ARG_STRING, oa, 'f', nullptr, nullptr},
		{"scheduler", 's', POPT_ARG_STRING, oa, 's', nullptr, nullptr},
		{"persistent", 'p', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, oa, 'p', nullptr, nullptr},
		{"netmask", 'M', POPT_ARG_STRING, oa, 'M', nullptr, nullptr},
		{"real-server", 'r', POPT_ARG_STRING, oa, 'r', nullptr, nullptr},
		{"masquerading", 'm', POPT_ARG_NONE, nullptr, 'm', nullptr, nullptr},
		{"ipip", 'i', POPT_ARG_NONE, nullptr, 'i', nullptr, nullptr},
		{"gatewaying", 'g', POPT_ARG_NONE, nullptr, 'g', nullptr, nullptr},
		{"weight", 'w', POPT_ARG_STRING, oa, 'w', nullptr, nullptr},
		{"u-threshold", 'x', POPT_ARG_STRING, oa, 'x', nullptr, nullptr},
		{"l-threshold", 'y', POPT_ARG_STRING, oa, 'y', nullptr, nullptr},
		{"numeric", 'n', POPT_ARG_NONE, nullptr, 'n', nullptr, nullptr},
		{"connection", 'c', POPT_ARG_NONE, nullptr, 'c', nullptr, nullptr},
		{"mcast-interface", '\0', POPT_ARG_STRING, oa, TAG_MCAST_INTERFACE, nullptr, nullptr},
		{"syncid", '\0', POPT_ARG_STRING, oa, 'I', nullptr, nullptr},
		{"timeout", '\0', POPT_ARG_NONE, nullptr, TAG_TIMEOUT, nullptr, nullptr},
		{"daemon", '\0', POPT_ARG_NONE, nullptr, TAG_DAEMON, nullptr, nullptr},
		{"stats", '\0', POPT_ARG_NONE, nullptr, TAG_STATS, nullptr, nullptr},
		{"rate", '\0', POPT_ARG_NONE, nullptr, TAG_RATE, nullptr, nullptr},
		{"thresholds", '\0', POPT_ARG_NONE, nullptr, TAG_THRESHOLDS, nullptr, nullptr},
		{"persistent-conn", '\0', POPT_ARG_NONE, nullptr, TAG_PERSISTENTCONN, nullptr, nullptr},
		{"nosort", '\0', POPT_ARG_NONE, nullptr, TAG_NO_SORT, nullptr, nullptr},
		{"sort", '\0', POPT_ARG_NONE, nullptr, TAG_SORT, nullptr, nullptr},
		{"exact", 'X', POPT_ARG_NONE, nullptr, 'X', nullptr, nullptr},
		{"ipv6", '6', POPT_ARG_NONE, nullptr, '6', nullptr, nullptr},
		{"ops", 'o', POPT_ARG_NONE, nullptr, 'o', nullptr, nullptr},
		{"pe", '\0', POPT_ARG_STRING, oa, TAG_PERSISTENCE_ENGINE, nullptr, nullptr},
		{"sched-flags", 'b', POPT_ARG_STRING, oa, 'b', nullptr, nullptr},
		{"mcast-group", '\0', POPT_ARG_STRING, oa, TAG_MCAST_GROUP, nullptr, nullptr},
		{"mcast-port", '\0', POPT_ARG_STRING, oa, TAG_MCAST_PORT, nullptr, nullptr},
		{"mcast-ttl", '\0', POPT_ARG_STRING, oa, TAG_MCAST_TTL, nullptr, nullptr},
		{"sync-maxlen", '\0', POPT_ARG_STRING, oa, TAG_SYNC_MAXLEN, nullptr, nullptr},
		{"tun-info", '\0', POPT_ARG_NONE, nullptr, TAG_TUN_INFO, nullptr, nullptr},
		{"tun-type", '\0', POPT_ARG_STRING, oa, TAG_TUN_TYPE, nullptr, nullptr},
		{"tun-port", '\0', POPT_ARG_STRING, oa, TAG_TUN_PORT, nullptr, nullptr},
		{"tun-nocsum", '\0', POPT_ARG_NONE, nullptr, TAG_TUN_NOCSUM, nullptr, nullptr},
		{"tun-csum", '\0', POPT_ARG_NONE, nullptr, TAG_TUN_CSUM, nullptr, nullptr},
		{"tun-remcsum", '\0', POPT_ARG_NONE, nullptr, TAG_TUN_REMCSUM, nullptr, nullptr},
		{"format", '\0', POPT_ARG_STRING, oa, TAG_FORMAT, nullptr, nullptr},
		{"drops", '\0', POPT_ARG_NONE, nullptr, TAG_DROPS, nullptr, nullptr},
		{"timeout-tcp", '\0', POPT_ARG_STRING, oa, TAG_SVC_TIMEOUT_TCP, nullptr, nullptr},
		{"timeout-tcpfin", '\0', POPT_ARG_STRING, oa, TAG_SVC_TIMEOUT_TCPFIN, nullptr, nullptr},
		{"timeout-udp", '\0', POPT_ARG_STRING, oa, TAG_SVC_TIMEOUT_UDP, nullptr, nullptr},
		POPT_TABLEEND
	};
}

// The first option names the command (ipvsadm takes it first too).
void parse_command_option(Command &c, int tag, const char *optarg,
			  const std::string &prog)
{
	auto daemon_state = [&](const char *msg) {
		if (!std::strcmp(optarg, "master"))
			c.daemon.state = IP_VS_STATE_MASTER;
		else if (!std::strcmp(optarg, "backup"))
			c.daemon.state = IP_VS_STATE_BACKUP;
		else
			fail(2, "%s", msg);
	};

	switch (tag) {
	case 'A': set_command(c, Cmd::Add); break;
	case 'E': set_command(c, Cmd::Edit); break;
	case 'D': set_command(c, Cmd::Del); break;
	case 'a': set_command(c, Cmd::AddDest); break;
	case 'e': set_command(c, Cmd::EditDest); break;
	case 'd': set_command(c, Cmd::DelDest); break;
	case 'C': set_command(c, Cmd::Flush); break;
	case 'L':
	case 'l': set_command(c, Cmd::List); break;
	case 'Z': set_command(c, Cmd::Zero); break;
	case TAG_SET: set_command(c, Cmd::Timeout); break;
	case 'R': set_command(c, Cmd::Restore); break;
	case 'S': set_command(c, Cmd::Save); break;
	case TAG_START_DAEMON:
		set_command(c, Cmd::StartDaemon);
		daemon_state("illegal start-daemon parameter specified");
		break;
	case TAG_STOP_DAEMON:
		set_command(c, Cmd::StopDaemon);
		daemon_state("illegal start_daemon specified");
		break;
	case 'h':
		throw Exit{0, usage_text(prog), ""};
	case 'v':
		throw Exit{0, version_text(), ""};
	default:
		tryhelp(prog);
	}
}

// Options of a virtual service; false when `tag` is not one of them.
// (-b is kept in `sched_flags` until the scheduler is known.)
bool parse_service_option(Command &c, int tag, const char *optarg,
			  std::string &sched_flags)
{
	switch (tag) {
	case 't':
	case 'u':
	case TAG_SCTP_SERVICE:
		set_option(c, OPT_SERVICE);
		c.svc.protocol = option_protocol(tag);
		if (!(parse_service(optarg, c.svc) & SVC_ADDR))
			fail(2, "illegal virtual server address[:port] "
			     "specified");
		return true;
	case 'f':
		set_option(c, OPT_SERVICE);
		c.svc.af = AF_INET;
		c.svc.protocol = IPPROTO_TCP;
		c.svc.fwmark = parse_fwmark(optarg);
		return true;
	case 's':
		set_option(c, OPT_SCHEDULER);
		c.svc.sched_name = std::string(optarg).substr(
			0, SCHEDNAME_MAX - 1);
		return true;
	case 'p':
		set_option(c, OPT_PERSISTENT);
		c.svc.flags |= IP_VS_SVC_F_PERSISTENT;
		c.svc.timeout = parse_timeout(optarg, 1, MAX_TIMEOUT);
		return true;
	case 'M':
		set_option(c, OPT_NETMASK);
		if (c.svc.af != AF_INET6) {
			if (!parse_netmask(optarg, c.svc.netmask))
				fail(2, "illegal virtual server "
				     "persistent mask specified");
		} else {
			c.svc.netmask = static_cast<std::uint32_t>(
				std::atoi(optarg));
			if (c.svc.netmask < 1 || c.svc.netmask > 128)
				fail(2, "illegal ipv6 netmask specified");
		}
		return true;
	case '6':
		if (!c.svc.fwmark)
			fail(2, "-6 used before -f\n");
		c.svc.af = AF_INET6;
		c.svc.netmask = 128;
		return true;
	case 'o':
		set_option(c, OPT_ONEPACKET);
		c.svc.flags |= IP_VS_SVC_F_ONEPACKET;
		return true;
	case TAG_PERSISTENCE_ENGINE:
		set_option(c, OPT_PE);
		c.svc.pe_name = std::string(optarg).substr(0, PENAME_MAX);
		return true;
	case 'b':
		set_option(c, OPT_SCHED_FLAGS);
		sched_flags = std::string(optarg).substr(0, 127);
		return true;
	case TAG_SVC_TIMEOUT_TCP:
		parse_svc_timeout(c.svc.conn_timeouts.tcp,
				  "timeout-tcp", optarg);
		return true;
	case TAG_SVC_TIMEOUT_TCPFIN:
		parse_svc_timeout(c.svc.conn_timeouts.tcp_fin,
				  "timeout-tcpfin", optarg);
		return true;
	case TAG_SVC_TIMEOUT_UDP:
		parse_svc_timeout(c.svc.conn_timeouts.udp,
				  "timeout-udp", optarg);
		return true;
	default:
		return false;
	}
}

// Options of a real server.
bool parse_dest_option(Command &c, int tag, const char *optarg)
{
	switch (tag) {
	case 'r': {
		set_option(c, OPT_SERVER);
		SvcSpec t = c.svc;
		const int parse = parse_service(optarg, t);
		c.dest.af = t.af;
		c.dest.addr = t.addr;
		c.dest.port = t.port;
		if (!(parse & SVC_ADDR))
			fail(2, "illegal real server address[:port] "
			     "specified");
		if (parse == SVC_ADDR)
			c.dest.port = c.svc.port;
		return true;
	}
	case 'i':
		set_option(c, OPT_FORWARD);
		c.dest.conn_flags = IP_VS_CONN_F_TUNNEL;
		return true;
	case 'g':
		set_option(c, OPT_FORWARD);
		c.dest.conn_flags = IP_VS_CONN_F_DROUTE;
		return true;
	case 'm':
		set_option(c, OPT_FORWARD);
		c.dest.conn_flags = IP_VS_CONN_F_MASQ;
		return true;
	case 'w': {
		set_option(c, OPT_WEIGHT);
		// Debian's ipvsadm 1.31 takes weights up to INT_MAX
		// (upstream: 65535).
		long w = to_number(optarg, 0, INT_MAX);
		if (w == -1)
			fail(2, "illegal weight specified");
		c.dest.weight = static_cast<std::int32_t>(w);
		return true;
	}
	case 'x': {
		set_option(c, OPT_UTHRESHOLD);
		long v = to_number(optarg, 0, INT_MAX);
		if (v == -1)
			fail(2, "illegal u_threshold specified");
		c.dest.u_threshold = static_cast<std::uint32_t>(v);
		return true;
	}
	case 'y': {
		set_option(c, OPT_LTHRESHOLD);
		long v = to_number(optarg, 0, INT_MAX);
		if (v == -1)
			fail(2, "illegal l_threshold specified");
		c.dest.l_threshold = static_cast<std::uint32_t>(v);
		return true;
	}
	case TAG_TUN_TYPE: {
		set_option(c, OPT_TUN_TYPE);
		std::string t = optarg;
		if (t == "ipip")
			c.dest.tun_type = IP_VS_CONN_F_TUNNEL_TYPE_IPIP;
		else if (t == "gue")
			c.dest.tun_type = IP_VS_CONN_F_TUNNEL_TYPE_GUE;
		else if (t == "gre")
			c.dest.tun_type = IP_VS_CONN_F_TUNNEL_TYPE_GRE;
		else
			fail(2, "illegal tunnel type specified");
		return true;
	}
	case TAG_TUN_PORT: {
		set_option(c, OPT_TUN_PORT);
		long v = to_number(optarg, 1, 65535);
		if (v == -1)
			fail(2, "illegal tunnel port specified");
		c.dest.tun_port = static_cast<std::uint16_t>(v);
		return true;
	}
	case TAG_TUN_NOCSUM:
		set_option(c, OPT_TUN_NOCSUM);
		c.dest.tun_flags |= IP_VS_TUNNEL_ENCAP_FLAG_NOCSUM;
		return true;
	case TAG_TUN_CSUM:
		set_option(c, OPT_TUN_CSUM);
		c.dest.tun_flags |= IP_VS_TUNNEL_ENCAP_FLAG_CSUM;
		return true;
	case TAG_TUN_REMCSUM:
		set_option(c, OPT_TUN_REMCSUM);
		c.dest.tun_flags |= IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM;
		return true;
	default:
		return false;
	}
}

// Options of a sync daemon.
bool parse_daemon_option(Command &c, int tag, const char *optarg)
{
	switch (tag) {
	case TAG_MCAST_INTERFACE:
		set_option(c, OPT_MCAST);
		c.daemon.mcast_ifn = std::string(optarg).substr(
			0, IFNAME_MAX - 1);
		return true;
	case 'I': {
		set_option(c, OPT_SYNCID);
		long v = to_number(optarg, 0, 255);
		if (v == -1)
			fail(2, "illegal syncid specified");
		c.daemon.syncid = static_cast<std::uint32_t>(v);
		return true;
	}
	case TAG_MCAST_GROUP: {
		set_option(c, OPT_MCAST_GROUP);
		if (std::strchr(optarg, ':')) {
			in6_addr g;
			if (inet_pton(AF_INET6, optarg, &g) <= 0 ||
			    !IN6_IS_ADDR_MULTICAST(&g))
				fail(2, "invalid IPv6 mcast-group `%s'",
				     optarg);
			std::memcpy(c.daemon.mcast_group.data(), &g, 16);
			c.daemon.mcast_af = AF_INET6;
		} else {
			in_addr g;
			if (inet_pton(AF_INET, optarg, &g) <= 0 ||
			    !IN_MULTICAST(ntohl(g.s_addr)))
				fail(2, "invalid IPv4 mcast-group `%s'",
				     optarg);
			c.daemon.mcast_group.fill(0);
			std::memcpy(c.daemon.mcast_group.data(), &g, 4);
			c.daemon.mcast_af = AF_INET;
		}
		return true;
	}
	case TAG_MCAST_PORT: {
		set_option(c, OPT_MCAST_PORT);
		long v = to_number(optarg, 1, 65535);
		if (v == -1)
			fail(2, "illegal mcast-port specified");
		c.daemon.mcast_port = static_cast<std::uint16_t>(v);
		return true;
	}
	case TAG_MCAST_TTL: {
		set_option(c, OPT_MCAST_TTL);
		long v = to_number(optarg, 1, 255);
		if (v == -1)
			fail(2, "illegal mcast-ttl specified");
		c.daemon.mcast_ttl = static_cast<std::uint8_t>(v);
		return true;
	}
	case TAG_SYNC_MAXLEN: {
		set_option(c, OPT_SYNC_MAXLEN);
		long v = to_number(optarg, 1, 65535 - 20 - 8);
		if (v == -1)
			fail(2, "illegal sync-maxlen specified");
		c.daemon.sync_maxlen = static_cast<std::uint16_t>(v);
		return true;
	}
	default:
		return false;
	}
}

// Options of the listings, and xvsadm's own --format and --drops.
bool parse_list_option(Command &c, int tag, const char *optarg)
{
	switch (tag) {
	case 'c':
		set_option(c, OPT_CONNECTION);
		return true;
	case 'n':
		set_option(c, OPT_NUMERIC);
		c.format |= FMT_NUMERIC;
		return true;
	case TAG_TIMEOUT:
		set_option(c, OPT_TIMEOUT);
		return true;
	case TAG_DAEMON:
		set_option(c, OPT_DAEMON);
		return true;
	case TAG_STATS:
		set_option(c, OPT_STATS);
		c.format |= FMT_STATS;
		return true;
	case TAG_RATE:
		set_option(c, OPT_RATE);
		c.format |= FMT_RATE;
		return true;
	case TAG_THRESHOLDS:
		set_option(c, OPT_THRESHOLDS);
		c.format |= FMT_THRESHOLDS;
		return true;
	case TAG_PERSISTENTCONN:
		set_option(c, OPT_PERSISTENTCONN);
		c.format |= FMT_PERSISTENTCONN;
		return true;
	case TAG_NO_SORT:
		set_option(c, OPT_NOSORT);
		c.format |= FMT_NOSORT;
		return true;
	case TAG_SORT:
		return true;	// the default; accepted for compatibility
	case 'X':
		set_option(c, OPT_EXACT);
		c.format |= FMT_EXACT;
		return true;
	case TAG_TUN_INFO:
		set_option(c, OPT_TUN_INFO);
		c.format |= FMT_TUN_INFO;
		return true;
	case TAG_FORMAT:
		if (!c.output_format.empty())
			fail(2, "multiple 'format' options specified");
		c.output_format = optarg;
		if (c.output_format != "json" &&
		    c.output_format != "text")
			fail(2, "unknown output format `%s'", optarg);
		return true;
	case TAG_DROPS:
		if (c.drops)
			fail(2, "multiple 'drops' options specified");
		c.drops = true;
		return true;
	default:
		return false;
	}
}

// Checks on the whole command, in ipvsadm's order (its process_options),
// and the defaults they leave.
void check_command(Command &c)
{
	check_cmd_options(c);
	if (!c.output_format.empty() && c.cmd != Cmd::List)
		fail(2, "Illegal 'format' option with the '%s' command",
		     cmd_names[static_cast<int>(c.cmd) - 1]);
	if (c.drops && c.cmd != Cmd::List)
		fail(2, "Illegal 'drops' option with the '%s' command",
		     cmd_names[static_cast<int>(c.cmd) - 1]);
	if (c.svc.conn_timeouts != SvcTimeoutSpec{} &&
	    c.cmd != Cmd::Add && c.cmd != Cmd::Edit)
		fail(2, "Illegal '%s' option with the '%s' command",
		     c.svc.conn_timeouts.tcp ? "timeout-tcp" :
		     c.svc.conn_timeouts.tcp_fin ? "timeout-tcpfin" :
		     "timeout-udp",
		     cmd_names[static_cast<int>(c.cmd) - 1]);
	// Only -n and --format go with --drops.
	if (c.drops && (c.options & ~bit(OPT_NUMERIC)))
		fail(2, "options conflicts in the list command");

	if (c.cmd == Cmd::Add || c.cmd == Cmd::Edit) {
		if (!c.svc.fwmark && !c.svc.port &&
		    !(c.svc.flags & IP_VS_SVC_F_PERSISTENT))
			fail(2, "Zero port specified for non-persistent "
			     "service");
		if ((c.svc.flags & IP_VS_SVC_F_ONEPACKET) && !c.svc.fwmark &&
		    c.svc.protocol != IPPROTO_UDP)
			fail(2, "One-Packet Scheduling is only for UDP virtual "
			     "services");
		if (c.svc.sched_name.empty())
			c.svc.sched_name = "wlc";
	}

	if (c.cmd == Cmd::StartDaemon && c.daemon.mcast_ifn.empty())
		c.daemon.mcast_ifn = "eth0";

	const std::uint32_t method = c.dest.conn_flags & IP_VS_CONN_F_FWD_MASK;
	if (c.cmd == Cmd::AddDest || c.cmd == Cmd::EditDest) {
		// Direct routing and tunnels cannot change the port.
		if (!c.svc.fwmark && (method == IP_VS_CONN_F_TUNNEL ||
				      method == IP_VS_CONN_F_DROUTE))
			c.dest.port = c.svc.port;
		if (c.dest.af != c.svc.af && method != IP_VS_CONN_F_TUNNEL)
			fail(2, "Different address family is allowed only for "
			     "tunneling servers");
		const std::uint64_t tun = bit(OPT_TUN_TYPE) | bit(OPT_TUN_PORT) |
			bit(OPT_TUN_NOCSUM) | bit(OPT_TUN_CSUM) |
			bit(OPT_TUN_REMCSUM);
		if ((c.options & tun) && method != IP_VS_CONN_F_TUNNEL)
			fail(2, "Tunnel options conflict with forward method");
		check_tunnel_options(c.dest.tun_type, c.options);
	}

	if (c.cmd == Cmd::List) {
		const std::uint64_t o = c.options;
		if (((o & (bit(OPT_CONNECTION) | bit(OPT_TIMEOUT) |
			   bit(OPT_DAEMON))) &&
		     (o & (bit(OPT_STATS) | bit(OPT_RATE) |
			   bit(OPT_THRESHOLDS)))) ||
		    ((o & (bit(OPT_TIMEOUT) | bit(OPT_DAEMON))) &&
		     (o & bit(OPT_PERSISTENTCONN))))
			fail(2, "options conflicts in the list command");
	}
}

} // namespace

Command parse_command(const std::vector<std::string> &args)
{
	Command c;
	c.dest.weight = 1;
	c.dest.conn_flags = IP_VS_CONN_F_DROUTE;
	c.svc.netmask = 0xffffffffu;
	const std::string prog = args.empty() ? "" : args[0];

	std::vector<const char *> argv;
	for (const auto &a : args)
		argv.push_back(a.c_str());
	argv.push_back(nullptr);

	char *optarg = nullptr;
	const std::vector<poptOption> table = option_table(&optarg);

	std::unique_ptr<poptContext_s, ContextDeleter> ctx(poptGetContext(
		"ipvsadm", static_cast<int>(args.size()), argv.data(),
		table.data(), 0));
	// popt duplicates each string argument into `optarg` and leaves the
	// freeing to the caller; the last one is freed on the way out.
	struct Owned {
		char *&p;
		~Owned() { std::free(p); }
	} owned{optarg};

	int tag = poptGetNextOpt(ctx.get());
	if (tag < 0)
		tryhelp(prog);

	parse_command_option(c, tag, optarg, prog);

	std::string sched_flags_arg;
	// popt stores a fresh copy of each string argument; the previous one
	// is ours to free once its option is handled.
	auto release_optarg = [&]() {
		std::free(optarg);
		optarg = nullptr;
	};
	release_optarg();
	while ((tag = poptGetNextOpt(ctx.get())) >= 0) {
		if (!parse_service_option(c, tag, optarg, sched_flags_arg) &&
		    !parse_dest_option(c, tag, optarg) &&
		    !parse_daemon_option(c, tag, optarg) &&
		    !parse_list_option(c, tag, optarg))
			fail(2, "invalid option `%s'",
			     poptBadOption(ctx.get(), POPT_BADOPTION_NOALIAS));
		release_optarg();
	}

	if (tag < -1) {
		throw Exit{255, "", std::string(poptBadOption(
			ctx.get(), POPT_BADOPTION_NOALIAS)) + ": " +
			poptStrerror(tag) + "\n", true};
	}

	if (c.cmd == Cmd::Timeout) {
		const char *a1 = poptGetArg(ctx.get());
		const char *a2 = a1 ? poptGetArg(ctx.get()) : nullptr;
		const char *a3 = a2 ? poptGetArg(ctx.get()) : nullptr;
		if (!a3)
			fail(2, "--set option requires 3 timeout values");
		c.timeouts.tcp = parse_timeout(a1, 0, MAX_TIMEOUT);
		c.timeouts.tcp_fin = parse_timeout(a2, 0, MAX_TIMEOUT);
		c.timeouts.udp = parse_timeout(a3, 0, MAX_TIMEOUT);
	}

	if (const char *extra = poptGetArg(ctx.get()))
		fail(2, "unexpected argument %s", extra);

	if (!sched_flags_arg.empty()) {
		c.svc.flags &= ~(IP_VS_SVC_F_SCHED1 | IP_VS_SVC_F_SCHED2 |
				 IP_VS_SVC_F_SCHED3);
		c.svc.flags |= parse_sched_flags(c.svc.sched_name,
						 sched_flags_arg);
	}

	check_command(c);
	return c;
}

// --- restore stream -------------------------------------------------------

ConfigStream::ConfigStream(std::FILE *in, std::string argv0)
	: in_(in), argv0_(std::move(argv0))
{
}

bool ConfigStream::next(std::vector<std::string> &out)
{
	constexpr std::size_t max_token = 4096;
	auto blank = [](int ch) {
		return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
	};
	out.assign(1, argv0_);
	int ntoken = 0;
	while (true) {
		int ch = std::fgetc(in_);
		if (ch == EOF) {
			if (ntoken == 0)
				return false;
			return true;
		}
		if (blank(ch)) {
			// No token here: skip blanks up to the end of line.
			for (;; ch = std::fgetc(in_)) {
				if (ch == EOF)
					return false;
				if (ch == '\n')
					return true;
				if (ch != ' ' && ch != '\t' && ch != '\r') {
					std::ungetc(ch, in_);
					break;
				}
			}
			continue;
		}
		std::string token(1, static_cast<char>(ch));
		while (token.size() < max_token) {
			ch = std::fgetc(in_);
			if (ch == EOF)
				break;
			if (blank(ch)) {
				std::ungetc(ch, in_);
				break;
			}
			token += static_cast<char>(ch);
		}
		// One separator character after the token, if there is one.
		bool newline = false;
		ch = std::fgetc(in_);
		if (ch != EOF) {
			if (blank(ch))
				newline = ch == '\n';
			else
				std::ungetc(ch, in_);
		}
		if (token != "ipvsadm") {
			ntoken++;
			out.push_back(std::move(token));
		}
		if (newline)
			return true;
	}
}

} // namespace xvsadm
