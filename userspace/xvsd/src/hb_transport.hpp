// xvsd: the UDP links heartbeat packets travel on (ha.cf ucast, bcast and
// mcast lines).  Every link sends each packet; packets arrive on any link.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fd.hpp"
#include "ha_cf.hpp"
#include "log.hpp"

namespace xvsd {

class HbTransport {
public:
	HbTransport(const HaConfig &cfg, Logger &log);

	void send(const std::string &packet);
	std::vector<int> fds() const;
	// Reads one datagram from `fd`; nullopt when none is ready.
	std::optional<std::string> receive(int fd, std::string &from);

private:
	struct Link {
		HaLink cfg;
		Fd tx;
		std::string dest_text;
		sockaddr_in dest{};
	};
	Logger &log_;
	std::vector<Link> links_;
	std::vector<Fd> rx_;
};

} // namespace xvsd
