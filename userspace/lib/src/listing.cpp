// The one-request listing: decoding of the XVS_CMD_GET_ALL dump.

#include "xvs/listing.hpp"
#include "xvs/codec.hpp"
#include "xvs/error.hpp"

#include <string>

#include <linux/netlink.h>

namespace xvs {

std::vector<ServiceDests> codec::decode_all(std::span<const Reply> dump)
{
	std::vector<ServiceDests> out;

	for (const Reply &r : dump) {
		if (r.header()->nlmsg_flags & NLM_F_DUMP_INTR)
			throw Error(EAGAIN, "the table changed during the dump");
		AttrTable top = r.attrs(IPVS_CMD_ATTR_MAX);
		if (!top[IPVS_CMD_ATTR_SERVICE])
			throw Error(EPROTO, "listing message without a service");
		switch (r.cmd()) {
		case IPVS_CMD_NEW_SERVICE:
			out.push_back({decode_service(top[IPVS_CMD_ATTR_SERVICE]), {}});
			break;
		case IPVS_CMD_NEW_DEST: {
			Service key = decode_service(top[IPVS_CMD_ATTR_SERVICE]);
			if (out.empty() || !out.back().service.same_key(key))
				throw Error(EPROTO, "listing: destination of " +
					    key.key_str() + " out of place");
			if (!top[IPVS_CMD_ATTR_DEST])
				throw Error(EPROTO, "listing: destination message "
					    "without a destination");
			out.back().dests.push_back(decode_dest(
				top[IPVS_CMD_ATTR_DEST], out.back().service.af));
			break;
		}
		default:
			throw Error(EPROTO, "listing: unexpected command " +
				    std::to_string(r.cmd()));
		}
	}
	return out;
}

} // namespace xvs
