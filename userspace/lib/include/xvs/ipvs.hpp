// xvs userspace: high-level client of the IPVS generic netlink family.
//
//   xvs::Ipvs ipvs;                 // opens a socket, resolves "IPVS"
//   ipvs.add_service(svc);
//   for (auto &s : ipvs.services()) ...
//   ipvs.add_dest(svc, dest);
//
// Works against whatever registers the family in the caller's network
// namespace (the kernel's ip_vs or xvs.ko).  Every method throws xvs::Error.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "xvs/codec.hpp"
#include "xvs/listing.hpp"
#include "xvs/netlink.hpp"
#include "xvs/types.hpp"

namespace xvs {

// One change of the table, for Ipvs::apply_changes().
struct TableChange {
	enum class Kind { AddService, EditService, DelService, AddDest,
			  EditDest, DelDest };
	Kind kind;
	Service svc;		// the whole service, or its key
	Destination dest;	// for the destination kinds
};

class Ipvs {
public:
	Ipvs();

	Info info();
	Timeouts timeouts();
	void set_timeouts(const Timeouts &t);

	std::vector<Service> services();
	// Looks one service up by its key (IPVS_CMD_GET_SERVICE, non-dump).
	Service service(const Service &key);
	void add_service(const Service &svc);
	void edit_service(const Service &svc);
	void del_service(const Service &svc);

	std::vector<Destination> dests(const Service &svc);
	void add_dest(const Service &svc, const Destination &dest);
	void edit_dest(const Service &svc, const Destination &dest);
	void del_dest(const Service &svc, const Destination &dest);

	// Every service with its destinations.  xvs.ko answers in one dump
	// (XVS_CMD_GET_ALL); a kernel without it (ip_vs: EOPNOTSUPP) gets
	// the stock requests, a GET_SERVICE dump and one GET_DEST dump per
	// service, and so does every call when the environment variable
	// XVS_LIST_PER_SERVICE is set (tests compare the two ways).
	std::vector<ServiceDests> list_all();

	// Makes the changes in order, many requests per datagram
	// (Socket::transact_pipelined): a refused change does not stop the
	// ones after it.  One outcome per change.
	std::vector<Socket::Outcome> apply_changes(
		std::span<const TableChange> changes);
	// The request that makes change `c` (sized for one service and one
	// destination: tens of thousands of them are built at once).
	Message change_request(const TableChange &c) const;

	std::vector<Daemon> daemons();
	void start_daemon(const Daemon &d);
	void stop_daemon(std::uint32_t state);

	void zero();				// all counters
	void zero(const Service &svc);		// one service
	void flush();				// every service and dest

	// Low level: a request for this family with the genl header filled.
	Message request(std::uint8_t cmd, std::uint16_t nlflags = 0,
			std::size_t max_size = 16384) const;
	std::vector<Reply> execute(Message &msg);
	// Sends command `cmd` whose attribute area is exactly `attrs` (any
	// bytes, well-formed or not) and returns the answer.  `genl_reserved`
	// fills the genlmsghdr reserved field.
	std::vector<Reply> raw(std::uint8_t cmd,
			       std::span<const std::uint8_t> attrs,
			       std::uint16_t nlflags = 0,
			       std::uint16_t genl_reserved = 0);

	int family() const { return family_; }
	Socket &socket() { return sock_; }

private:
	std::vector<ServiceDests> list_per_service();

	Socket sock_;
	int family_;
	bool get_all_refused_ = false;	// the kernel lacks XVS_CMD_GET_ALL
};

} // namespace xvs
