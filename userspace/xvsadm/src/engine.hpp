// xvsadm: the layer that drives the kernel.  Runs a parsed Command through
// the xvs netlink library (xvs::Ipvs), prints what ipvsadm prints and
// reports failures with ipvsadm's messages and exit statuses.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli.hpp"
#include "xvs/error.hpp"
#include "xvs/ipvs.hpp"

namespace xvsadm {

// Thrown to end the process with `code` once the message is printed.
struct Quit {
	int code;
};

// The library call a failure came from; ipvsadm words some errno values
// differently depending on it.
enum class Op {
	Init, AddService, UpdateService, DelService, ZeroService, AddDest,
	UpdateDest, DelDest, SetTimeout, StartDaemon, StopDaemon, GetDests,
	GetService, GetTimeout, GetDaemon,
};

// ipvsadm's text for errno `err` after a failure of `op`.
std::string ipvs_strerror(Op op, int err);

// Command-line specs to library objects, encoded as ipvsadm encodes them.
xvs::Service to_service(const SvcSpec &s);
xvs::Destination to_dest(const DestSpec &d);
xvs::Daemon to_daemon(const DaemonSpec &d);

class Engine {
public:
	Engine(std::FILE *out, std::FILE *err) : out_(out), err_(err) {}

	// Connects to the IPVS family (running modprobe ip_vs once if it is
	// missing, as ipvsadm does) and reads the version.  On failure prints
	// ipvsadm's message and throws Quit{2}.
	void start();

	// ipvsadm's process_options: parse argv, run it.  Returns 0 or -1
	// (a kernel refusal, already reported); throws Quit to end the
	// process.
	int run(const std::vector<std::string> &argv, bool reading_stdin);

	// The plain listing (ipvsadm with no argument).
	void list_all(unsigned format);

	xvs::Ipvs &ipvs() { return *ipvs_; }
	const xvs::Info &info() const { return info_; }

private:
	void print(const std::string &s);
	[[noreturn]] void die(int code, const std::string &msg);
	int report(Op op, const xvs::Error &e);

	void list_service(const SvcSpec &key, unsigned format);
	void list_conn(unsigned format);
	void list_timeout();
	void list_daemon();
	void list_json(const Command &c);
	void list_drops(const Command &c);
	int restore(const std::string &argv0);

	std::FILE *out_;
	std::FILE *err_;
	std::unique_ptr<xvs::Ipvs> ipvs_;
	xvs::Info info_;
	Op last_op_ = Op::Init;	// ipvsadm's "last library function"
};

} // namespace xvsadm
