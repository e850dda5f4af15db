// xvs userspace: config-change events of xvs.ko.
//
// xvs.ko announces every service, destination and sync daemon change on the
// multicast group "xvs_events" of the IPVS generic netlink family (layout in
// kmod/uapi/xvs_genl.h).  EventSubscriber owns its own socket joined to the
// group; decode_event() turns one message into an Event.
//
//   xvs::EventSubscriber sub;          // Error(ENOENT): no such group
//   while (auto ev = sub.next(-1))     // Error(EPERM): not an admin
//           std::cout << event_kind_name(ev->kind) << '\n';
//
// The stock ip_vs module has no such group.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string_view>

#include "xvs/netlink.hpp"
#include "xvs/types.hpp"

namespace xvs {

enum class EventKind : std::uint32_t {
	ServiceNew = 1,
	ServiceEdit,
	ServiceDel,
	ServiceFlush,	// every service (and its destinations) went
	DestNew,
	DestEdit,
	DestDel,
	DaemonNew,
	DaemonDel,
};

// "service-new", "dest-del", ...: the names xvsadm --watch prints.
std::string_view event_kind_name(EventKind kind);

struct Event {
	EventKind kind = EventKind::ServiceNew;
	// Netlink port of the socket whose request caused the change: a
	// subscriber compares it with its own sockets' ports to tell its own
	// changes from others'.
	std::uint32_t portid = 0;
	std::optional<Service> service;		// service and dest events
	std::optional<Destination> dest;	// dest events
	std::optional<Daemon> daemon;		// daemon events

	bool operator==(const Event &) const = default;
};

namespace codec {
// One XVS_CMD_EVENT message.  Error(EPROTO) when it is not one, when the
// kind is unknown, or when the object its kind needs is missing or short.
Event decode_event(const Reply &msg);
} // namespace codec

class EventSubscriber {
public:
	// Opens a socket, resolves the family and its event group and joins
	// it.  Error(ENOENT) when the family or the group does not exist
	// (ip_vs, or no module); Error(EPERM) without CAP_NET_ADMIN.
	EventSubscriber();

	// The next event, waiting up to timeout_ms (-1: for ever); nullopt
	// when the time ran out.  Error(ENOBUFS) when events were lost (the
	// socket overran or the kernel could not build one): the caller's
	// view is stale and must be read again; the subscriber stays usable.
	std::optional<Event> next(int timeout_ms);

	// For poll(): readable when next() has something (or an error).
	int fd() const { return sock_.fd(); }
	// True when next() would not block: decoded events are waiting.
	bool has_pending() const { return !pending_.empty(); }

private:
	Socket sock_;
	int family_;
	std::deque<Event> pending_;
};

} // namespace xvs
