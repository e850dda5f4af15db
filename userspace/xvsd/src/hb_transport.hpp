// xvsd: the links heartbeat packets travel on: UDP (ha.cf ucast, bcast and
// mcast lines) and serial lines (serial, baud).  Every link sends each
// packet; packets arrive on any link.
#pragma once

#include <poll.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fd.hpp"
#include "ha_cf.hpp"
#include "log.hpp"
#include "serial_link.hpp"

namespace xvsd {

// A packet as received, not yet authenticated.
struct HbFrame {
	std::string data;
	std::string from;	// the sender's address, or the serial device
	std::string link;	// the interface it came in on, or the serial device
};

class HbTransport {
public:
	using Time = std::chrono::steady_clock::time_point;

	HbTransport(const HaConfig &cfg, Logger &log, Time now = std::chrono::steady_clock::now());

	void send(const std::string &packet);
	// The poll entries of the links (a serial link while its device is open).
	void poll_entries(std::vector<pollfd> &fds) const;
	// After poll(): reads (and writes) what is ready on entry `p`, appends
	// the packets received to `out`.
	void service(const pollfd &p, std::vector<HbFrame> &out, Time now);
	// Reopens the serial devices that failed, when their retry is due.
	void maintain(Time now);
	// The interfaces and serial devices packets may come in on.
	std::vector<std::string> link_names() const;
	const std::vector<std::unique_ptr<SerialLink>> &serial_links() const { return serial_; }

private:
	void receive_udp(int fd, std::vector<HbFrame> &out);

	struct Link {
		HaLink cfg;
		Fd tx;
		std::string dest_text;
		sockaddr_in dest{};
	};
	Logger &log_;
	std::vector<Link> links_;
	std::vector<Fd> rx_;
	std::vector<std::unique_ptr<SerialLink>> serial_;
};

} // namespace xvsd
