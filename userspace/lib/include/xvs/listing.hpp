// xvs userspace: the one-request listing, every service with all its
// destinations in one XVS_CMD_GET_ALL dump (kmod/uapi/xvs_genl.h) instead
// of one GET_SERVICE dump plus one GET_DEST dump per service.
#pragma once

#include <span>
#include <vector>

#include "xvs/netlink.hpp"
#include "xvs/types.hpp"

namespace xvs {

// One service and its destinations, in the kernel's order.
struct ServiceDests {
	Service service;
	std::vector<Destination> dests;

	bool operator==(const ServiceDests &) const = default;
};

namespace codec {
// The messages of one XVS_CMD_GET_ALL dump, in the order received.
// Error(EAGAIN) when one carries NLM_F_DUMP_INTR (the table changed while
// it was dumped: read it again); Error(EPROTO) for a message of another
// command, a destination whose service is not the one before it, or a
// malformed nest.
std::vector<ServiceDests> decode_all(std::span<const Reply> dump);
} // namespace codec

} // namespace xvs
