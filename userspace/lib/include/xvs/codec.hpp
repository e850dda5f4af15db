// xvs userspace: encoding and decoding of IPVS generic netlink attributes.
//
// The encoders write the nested attribute (IPVS_CMD_ATTR_SERVICE, ...) into
// a Message; the decoders read one back.  Decoders accept what the kernel
// sends (16-byte addresses, PAD attributes, optional newer attributes) and
// throw Error(EPROTO) on attributes too short for their type.
#pragma once

#include "xvs/netlink.hpp"
#include "xvs/types.hpp"

namespace xvs::codec {

enum class Detail {
	Key,	// identifying attributes only (lookups, deletes)
	Full,	// identity + settings (add / edit requests)
	Dump,	// everything a kernel dump carries, counters and stats too
};

void put_service(Message &msg, const Service &svc, Detail detail);
void put_dest(Message &msg, const Destination &dest, Detail detail);
// xvs's own per-service timeouts into the open service nest (put_service
// does it for Full and Dump).
void put_service_timeouts(Message &msg, const ServiceTimeouts &t);
void put_daemon(Message &msg, const Daemon &daemon);
// Only the daemon state, as IPVS_CMD_DEL_DAEMON needs.
void put_daemon_state(Message &msg, std::uint32_t state);
void put_timeouts(Message &msg, const Timeouts &t);
void put_info(Message &msg, const Info &info);
// A stats nest of type `type` in the kernel's layout.
void put_stats(Message &msg, int type, const Stats32 &s);
void put_stats64(Message &msg, int type, const Stats64 &s);

// Nested IPVS_CMD_ATTR_SERVICE.
Service decode_service(const nlattr *nest);
// xvs's own per-service timeouts of a service nest.
ServiceTimeouts decode_service_timeouts(const nlattr *nest);
// Nested IPVS_CMD_ATTR_DEST; `fallback_af` is used when the message has no
// IPVS_DEST_ATTR_ADDR_FAMILY (kernels before 4.x): the service family.
Destination decode_dest(const nlattr *nest, std::uint16_t fallback_af);
Daemon decode_daemon(const nlattr *nest);
Stats32 decode_stats(const nlattr *nest);
Stats64 decode_stats64(const nlattr *nest);
// Top-level attributes of a GET_CONFIG / GET_INFO reply.
Timeouts decode_timeouts(const AttrTable &top);
Info decode_info(const AttrTable &top);

} // namespace xvs::codec
