// xvs-nlfuzz: differential fuzzing of the IPVS generic netlink interface.
//
//   xvs-nlfuzz [--seed N] [--count N] [--show I]
//
// From the baseline configuration of xvs-nltest, sends COUNT requests made
// by a seeded generator to whatever implements the "IPVS" family (the
// kernel's ip_vs or xvs.ko): every command, service and destination nests
// shaped like IPVS's policies with values from pools of valid, edge and
// wrong ones, and mutations (an attribute dropped, repeated, cut short or
// lengthened, filled with garbage; a nest replaced by bytes; stray
// top-level attributes).  Valid requests are among them, so the table
// changes as it goes.  After each request it prints one line:
//
//   I CMD ERRNO STATE
//
// ERRNO is the answer (OK, or the errno name; ETIMEDOUT when none came) and
// STATE a digest of everything a request could change (services,
// destinations, timeouts, daemons).  The same seed sends the same bytes,
// so two runs, one on each balancer, must print the same lines.  --show I
// prints request I's attribute bytes (hex) instead of sending anything.
//
// Sync daemons are left out: starting one depends on the VM's interfaces
// and spawns threads whose timing is not the interface's behaviour.
// xvs's own attributes (kmod/uapi/xvs_genl.h) are left out too: ip_vs
// ignores them by design.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <linux/netlink.h>

#include "nltest.hpp"
#include "xvs/error.hpp"

using namespace nltest;

namespace {

class Generator {
public:
	explicit Generator(std::uint32_t seed) : rng_(seed) {}

	struct Request {
		std::uint8_t cmd;
		std::uint16_t nlflags;
		Bytes attrs;
	};

	Request next()
	{
		Request r{};
		// Mostly changes of services and destinations, so that the
		// table keeps moving; every other command now and then.
		static const std::uint8_t cmds[] = {
			IPVS_CMD_NEW_SERVICE, IPVS_CMD_NEW_SERVICE,
			IPVS_CMD_SET_SERVICE, IPVS_CMD_SET_SERVICE,
			IPVS_CMD_DEL_SERVICE, IPVS_CMD_NEW_DEST,
			IPVS_CMD_NEW_DEST, IPVS_CMD_NEW_DEST,
			IPVS_CMD_SET_DEST, IPVS_CMD_SET_DEST,
			IPVS_CMD_DEL_DEST, IPVS_CMD_GET_SERVICE,
			IPVS_CMD_GET_DEST, IPVS_CMD_SET_CONFIG,
			IPVS_CMD_GET_CONFIG, IPVS_CMD_GET_INFO,
			IPVS_CMD_ZERO, IPVS_CMD_GET_DAEMON,
		};
		r.cmd = cmds[pick(sizeof(cmds))];
		if (chance(2))
			r.cmd = static_cast<std::uint8_t>(pick(IPVS_CMD_MAX + 3));
		// A flush now and then, or the table only grows.
		if (chance(150))
			r.cmd = IPVS_CMD_FLUSH;
		if ((r.cmd == IPVS_CMD_GET_SERVICE || r.cmd == IPVS_CMD_GET_DEST ||
		     r.cmd == IPVS_CMD_GET_DAEMON) && chance(50))
			r.nlflags = NLM_F_DUMP;

		Message m = Message::genl(0, r.cmd, 1, 0, 4096);
		const bool svc_cmd = r.cmd >= IPVS_CMD_NEW_SERVICE &&
				     r.cmd <= IPVS_CMD_GET_DEST;
		if ((svc_cmd || r.cmd == IPVS_CMD_ZERO) && !chance(20))
			nest(m, IPVS_CMD_ATTR_SERVICE, service_attrs());
		if (r.cmd >= IPVS_CMD_NEW_DEST && r.cmd <= IPVS_CMD_GET_DEST &&
		    !chance(20))
			nest(m, IPVS_CMD_ATTR_DEST, dest_attrs());
		if (r.cmd == IPVS_CMD_SET_CONFIG)
			config_attrs(m);
		if (chance(25))
			stray(m);
		auto all = m.bytes();
		const std::size_t hdr = NLMSG_HDRLEN + GENL_HDRLEN;
		r.attrs.assign(all.begin() + hdr, all.end());
		// A request cut anywhere: the kernel must not read past it.
		if (chance(40) && !r.attrs.empty())
			r.attrs.resize(pick(r.attrs.size()));
		return r;
	}

private:
	std::size_t pick(std::size_t n) { return n ? rng_() % n : 0; }
	bool chance(unsigned one_in) { return pick(one_in) == 0; }
	template <typename T> const T &any(const std::vector<T> &v)
	{
		return v[pick(v.size())];
	}

	// An attribute's value, valid or not: mostly the given one, else
	// cut short, lengthened, garbage or empty.
	Bytes mutate(Bytes v)
	{
		switch (pick(24)) {
		case 0:
			if (!v.empty())
				v.resize(pick(v.size()));
			break;
		case 1:
			v.push_back(static_cast<std::uint8_t>(rng_()));
			break;
		case 2:
			for (auto &b : v)
				b = static_cast<std::uint8_t>(rng_());
			break;
		case 3:
			v.clear();
			break;
		default:
			break;
		}
		return v;
	}

	// Puts each attribute of `set` (maybe dropped, maybe repeated).
	void put_all(Message &m, const AttrSet &set)
	{
		for (const auto &[type, value] : set) {
			if (chance(12))
				continue;
			Bytes v = mutate(value);
			m.put(type, v.data(), v.size());
			if (chance(40)) {
				Bytes again = mutate(value);
				m.put(type, again.data(), again.size());
			}
		}
	}

	void nest(Message &m, int type, const AttrSet &set)
	{
		// Now and then not a nest at all.
		if (chance(40)) {
			Bytes junk(pick(24));
			for (auto &b : junk)
				b = static_cast<std::uint8_t>(rng_());
			m.put(type, junk.data(), junk.size());
			return;
		}
		auto n = m.nest(type);
		put_all(m, set);
		if (chance(30)) {
			Bytes v = u32(static_cast<std::uint32_t>(rng_()));
			m.put(static_cast<int>(pick(20)), v.data(), v.size());
		}
	}

	AttrSet service_attrs()
	{
		static const std::vector<std::uint16_t> afs = {
			AF_INET, AF_INET, AF_INET, AF_INET6, 0, 99};
		static const std::vector<std::uint16_t> protos = {
			IPPROTO_TCP, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP, 0,
			255};
		static const std::vector<const char *> addrs4 = {
			"10.0.0.1", "10.0.0.2", "10.0.0.3", "0.0.0.0",
			"255.255.255.255"};
		static const std::vector<const char *> addrs6 = {
			"2001:db8::1", "2001:db8::2", "::"};
		static const std::vector<std::uint16_t> ports = {
			80, 80, 443, 21, 0, 65535};
		static const std::vector<std::uint32_t> marks = {
			0, 0, 0, 1, 7, 0xffffffff};
		static const std::vector<std::string> scheds = {
			"rr", "wrr", "wlc", "lc", "sh", "mh", "dh", "lblc",
			"sed", "nq", "fo", "ovf", "nosuch", "",
			"a-name-of-16char"};
		static const std::vector<std::uint32_t> timeouts = {
			0, 1, 300, 86400 * 31, 0xffffffff};
		static const std::vector<std::uint32_t> masks = {
			0xffffffff, htonl(0xffffff00), 0, 128, 64, 129};
		static const std::vector<std::string> pes = {"", "sip", "nope"};

		AttrSet s;
		const std::uint16_t af = any(afs);
		s[IPVS_SVC_ATTR_AF] = u16(af);
		if (chance(3)) {
			s[IPVS_SVC_ATTR_FWMARK] = u32(any(marks));
		} else {
			s[IPVS_SVC_ATTR_PROTOCOL] = u16(any(protos));
			s[IPVS_SVC_ATTR_ADDR] = addr16(
				af == AF_INET6 ? any(addrs6) : any(addrs4));
			s[IPVS_SVC_ATTR_PORT] = be16(any(ports));
		}
		if (!chance(4)) {
			s[IPVS_SVC_ATTR_SCHED_NAME] = strz(any(scheds));
			s[IPVS_SVC_ATTR_FLAGS] = flags(
				static_cast<std::uint32_t>(rng_()) & 0x3f,
				chance(2) ? 0xffffffff :
				static_cast<std::uint32_t>(rng_()));
			s[IPVS_SVC_ATTR_TIMEOUT] = u32(any(timeouts));
			s[IPVS_SVC_ATTR_NETMASK] = u32(any(masks));
		}
		if (chance(5))
			s[IPVS_SVC_ATTR_PE_NAME] = strz(any(pes));
		return s;
	}

	AttrSet dest_attrs()
	{
		static const std::vector<const char *> addrs = {
			"10.0.1.1", "10.0.1.2", "10.0.1.50", "2001:db8::2",
			"2001:db8::10", "0.0.0.0"};
		static const std::vector<std::uint16_t> ports = {80, 8080, 0, 443};
		static const std::vector<std::uint32_t> fwds = {
			IP_VS_CONN_F_MASQ, IP_VS_CONN_F_DROUTE,
			IP_VS_CONN_F_TUNNEL, IP_VS_CONN_F_LOCALNODE,
			IP_VS_CONN_F_BYPASS, 7, 0xffffffff};
		static const std::vector<std::uint32_t> weights = {
			0, 1, 3, 65535, 0x7fffffff, 0x80000000, 0xffffffff};
		static const std::vector<std::uint32_t> thresholds = {
			0, 10, 100, 0xffffffff};

		AttrSet d;
		const char *addr = any(addrs);
		const bool v6 = std::strchr(addr, ':') != nullptr;
		d[IPVS_DEST_ATTR_ADDR] = addr16(addr);
		d[IPVS_DEST_ATTR_PORT] = be16(any(ports));
		if (!chance(3))
			d[IPVS_DEST_ATTR_ADDR_FAMILY] = u16(
				chance(10) ? 42 : v6 ? AF_INET6 : AF_INET);
		if (!chance(4)) {
			d[IPVS_DEST_ATTR_FWD_METHOD] = u32(any(fwds));
			d[IPVS_DEST_ATTR_WEIGHT] = u32(any(weights));
			d[IPVS_DEST_ATTR_U_THRESH] = u32(any(thresholds));
			d[IPVS_DEST_ATTR_L_THRESH] = u32(any(thresholds));
		}
		if (chance(3)) {
			d[IPVS_DEST_ATTR_TUN_TYPE] = u8(static_cast<std::uint8_t>(
				pick(4)));
			d[IPVS_DEST_ATTR_TUN_PORT] = be16(chance(2) ? 6080 : 0);
			d[IPVS_DEST_ATTR_TUN_FLAGS] = u16(static_cast<std::uint16_t>(
				pick(8)));
		}
		return d;
	}

	void config_attrs(Message &m)
	{
		static const std::vector<std::uint32_t> secs = {
			0, 1, 60, 900, 86400 * 31, 0xffffffff};
		AttrSet c;
		for (int t : {IPVS_CMD_ATTR_TIMEOUT_TCP,
			      IPVS_CMD_ATTR_TIMEOUT_TCP_FIN,
			      IPVS_CMD_ATTR_TIMEOUT_UDP})
			if (!chance(3))
				c[t] = u32(any(secs));
		put_all(m, c);
	}

	void stray(Message &m)
	{
		Bytes v(pick(12));
		for (auto &b : v)
			b = static_cast<std::uint8_t>(rng_());
		m.put(static_cast<int>(pick(IPVS_CMD_ATTR_MAX + 4)), v.data(),
		      v.size());
	}

	std::mt19937 rng_;
};

// 64-bit FNV-1a of the state's text.
std::uint64_t digest(const std::string &s)
{
	std::uint64_t h = 0xcbf29ce484222325ull;
	for (unsigned char c : s) {
		h ^= c;
		h *= 0x100000001b3ull;
	}
	return h;
}

std::string hex(const Bytes &b)
{
	std::string out;
	char two[3];
	for (auto c : b) {
		std::snprintf(two, sizeof(two), "%02x", c);
		out += two;
	}
	return out;
}

} // namespace

int main(int argc, char **argv)
{
	std::uint32_t seed = 1;
	long count = 1000, show = -1;
	for (int i = 1; i < argc; i++) {
		std::string a = argv[i];
		char *end = nullptr;
		if ((a == "--seed" || a == "--count" || a == "--show") &&
		    i + 1 < argc) {
			long v = std::strtol(argv[++i], &end, 10);
			if (*end || v < 0) {
				std::cerr << "xvs-nlfuzz: " << a
					  << " needs a number\n";
				return 2;
			}
			if (a == "--seed")
				seed = static_cast<std::uint32_t>(v);
			else if (a == "--count")
				count = v;
			else
				show = v;
		} else {
			std::cerr << "usage: " << argv[0]
				  << " [--seed N] [--count N] [--show I]\n";
			return 2;
		}
	}

	Generator gen(seed);
	if (show >= 0) {
		for (long i = 0; i < show; i++)
			gen.next();
		auto r = gen.next();
		std::cout << "cmd=" << int(r.cmd) << " flags=" << r.nlflags
			  << " attrs=" << hex(r.attrs) << "\n";
		return 0;
	}
	try {
		Ipvs ipvs;
		setup_baseline(ipvs);
		Timeouts t0 = ipvs.timeouts();
		// A request the kernel drops gets no answer: do not wait long.
		ipvs.socket().set_timeout_ms(2000);
		for (long i = 0; i < count; i++) {
			auto r = gen.next();
			int err = 0;
			try {
				ipvs.raw(r.cmd, r.attrs, r.nlflags);
			} catch (const Error &e) {
				err = e.code();
			}
			std::printf("%ld %d %s %016llx\n", i, r.cmd,
				    err ? errno_name(err).c_str() : "OK",
				    static_cast<unsigned long long>(
					    digest(snapshot(ipvs))));
		}
		ipvs.flush();
		ipvs.set_timeouts(t0);
	} catch (const Error &e) {
		std::fflush(stdout);
		std::cerr << "xvs-nlfuzz: " << e.what() << " ("
			  << errno_name(e.code()) << ")\n";
		return 2;
	}
	return 0;
}
