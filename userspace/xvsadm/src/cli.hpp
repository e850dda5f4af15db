// xvsadm: the command-line front end.
//
// Turns an argument vector into a validated Command, applying the same
// option grammar (popt), the same command/option compatibility table and the
// same value checks, in the same order, as ipvsadm 1.31.  Nothing here talks
// to the kernel; a rejected command line is reported by throwing Exit with
// the exact text ipvsadm would print and its exit status.
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace xvsadm {

// What the process should print and with which status, instead of going on.
struct Exit {
	int code = 0;		// process exit status (0..255)
	std::string out;	// for standard output
	std::string err;	// for standard error
	// ipvsadm does not exit on popt's own errors: the command fails with
	// status 255 but a restore (-R) goes on with the next line.
	bool soft = false;
};

enum class Cmd {
	None,
	Add, Edit, Del, Flush, List, AddDest, DelDest, EditDest,
	Timeout, StartDaemon, StopDaemon, Restore, Save, Zero,
};

// Option indexes (bit numbers of Command::options), in the order of
// ipvsadm's compatibility table and with its names (option_name()).
enum Opt : int {
	OPT_NUMERIC, OPT_CONNECTION, OPT_SERVICE, OPT_SCHEDULER,
	OPT_PERSISTENT, OPT_NETMASK, OPT_SERVER, OPT_FORWARD, OPT_WEIGHT,
	OPT_UTHRESHOLD, OPT_LTHRESHOLD, OPT_MCAST, OPT_TIMEOUT, OPT_DAEMON,
	OPT_STATS, OPT_RATE, OPT_THRESHOLDS, OPT_PERSISTENTCONN, OPT_NOSORT,
	OPT_SYNCID, OPT_EXACT, OPT_ONEPACKET, OPT_PE, OPT_SCHED_FLAGS,
	OPT_MCAST_GROUP, OPT_MCAST_PORT, OPT_MCAST_TTL, OPT_SYNC_MAXLEN,
	OPT_TUN_INFO, OPT_TUN_TYPE, OPT_TUN_PORT, OPT_TUN_NOCSUM,
	OPT_TUN_CSUM, OPT_TUN_REMCSUM,
	OPT_COUNT
};

constexpr std::uint64_t bit(Opt o) { return 1ULL << o; }

// Listing format flags.
enum Fmt : unsigned {
	FMT_NUMERIC = 0x0001,
	FMT_RULE = 0x0002,
	FMT_STATS = 0x0004,
	FMT_RATE = 0x0008,
	FMT_THRESHOLDS = 0x0010,
	FMT_PERSISTENTCONN = 0x0020,
	FMT_NOSORT = 0x0040,
	FMT_EXACT = 0x0080,
	FMT_TUN_INFO = 0x0100,
};

// xvsadm extension: the service's own connection timeouts in seconds
// (--timeout-tcp, --timeout-tcpfin, --timeout-udp); nullopt: not given, 0:
// the global (--set) value.
struct SvcTimeoutSpec {
	std::optional<std::uint32_t> tcp, tcp_fin, udp;
	bool operator==(const SvcTimeoutSpec &) const = default;
};

// A virtual service as given on the command line (or read back).
struct SvcSpec {
	std::uint16_t af = 0;
	std::uint16_t protocol = 0;
	std::array<std::uint8_t, 16> addr{};	// network order
	std::uint16_t port = 0;			// host order
	std::uint32_t fwmark = 0;
	std::string sched_name;
	std::string pe_name;
	std::uint32_t flags = 0;
	std::uint32_t timeout = 0;
	std::uint32_t netmask = 0xffffffffu;	// v4: mask (net order); v6: plen
	SvcTimeoutSpec conn_timeouts;		// xvsadm extension
};

struct DestSpec {
	std::uint16_t af = 0;
	std::array<std::uint8_t, 16> addr{};
	std::uint16_t port = 0;			// host order
	std::uint32_t conn_flags = 0;		// IP_VS_CONN_F_* method
	std::int32_t weight = 1;
	std::uint32_t u_threshold = 0;
	std::uint32_t l_threshold = 0;
	std::uint8_t tun_type = 0;
	std::uint16_t tun_port = 0;		// host order
	std::uint16_t tun_flags = 0;
};

struct DaemonSpec {
	std::uint32_t state = 0;
	std::string mcast_ifn;
	std::uint32_t syncid = 0;
	std::uint16_t sync_maxlen = 0;
	std::uint16_t mcast_af = 0;		// 0: no group given
	std::array<std::uint8_t, 16> mcast_group{};
	std::uint16_t mcast_port = 0;
	std::uint8_t mcast_ttl = 0;
};

struct TimeoutSpec {
	std::uint32_t tcp = 0, tcp_fin = 0, udp = 0;
};

struct Command {
	Cmd cmd = Cmd::None;
	std::uint64_t options = 0;		// bit(Opt) set
	unsigned format = 0;			// Fmt flags
	SvcSpec svc;
	DestSpec dest;
	DaemonSpec daemon;
	TimeoutSpec timeouts;
	// xvsadm extension: "--format json" with -L.
	std::string output_format;
	// xvsadm extension: "-L --drops", xvs.ko's drop reason counters.
	bool drops = false;
};

// Name of an option in ipvsadm's messages ("service-address", ...).
const char *option_name(int opt);

// Parses argv[0..argc) (argv[0] is the program name used in messages) and
// validates the result.  Throws Exit for -h, -v and every rejected command
// line.  The returned Command is ready to run.
Command parse_command(const std::vector<std::string> &argv);

// The usage text (-h) and version line (-v) for program name `prog`.
std::string usage_text(const std::string &prog);
std::string version_text();
// "Try `PROG -h' or 'PROG --help' for more information.\n"
std::string tryhelp_text(const std::string &prog);

// Splits an ipvsadm-restore stream into per-line argument vectors the way
// ipvsadm -R does: tokens are runs of non-blank characters (blank: space,
// tab, CR), a line ends at LF, the word "ipvsadm" is dropped, and each
// vector starts with `argv0`.  Lines with no token are returned as {argv0}.
// A last line that ends in blanks without a newline is dropped, as ipvsadm
// drops it.
class ConfigStream {
public:
	ConfigStream(std::FILE *in, std::string argv0);
	// Next line; false at the end.
	bool next(std::vector<std::string> &out);

private:
	std::FILE *in_;
	std::string argv0_;
};

} // namespace xvsadm
