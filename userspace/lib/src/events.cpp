// Config-change events: decoding of XVS_CMD_EVENT and the subscriber.

#include "xvs/events.hpp"
#include "xvs/codec.hpp"
#include "xvs/error.hpp"

#include <algorithm>
#include <string>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "xvs_genl.h"

namespace xvs {

namespace {

// Event attributes share the top-level space with IPVS_CMD_ATTR_*.
constexpr int kEventAttrMax = std::max(IPVS_CMD_ATTR_MAX,
				       XVS_CMD_ATTR_EVENT_MAX);

const nlattr *need(const AttrTable &top, int type, const char *what,
		   EventKind kind)
{
	if (!top[type])
		throw Error(EPROTO, std::string(event_kind_name(kind)) +
			    " event without its " + what);
	return top[type];
}

// The library's names for the module's numbers.
static_assert(static_cast<std::uint32_t>(EventKind::ServiceNew) == XVS_EVENT_SERVICE_NEW);
static_assert(static_cast<std::uint32_t>(EventKind::ServiceFlush) == XVS_EVENT_SERVICE_FLUSH);
static_assert(static_cast<std::uint32_t>(EventKind::DestDel) == XVS_EVENT_DEST_DEL);
static_assert(static_cast<std::uint32_t>(EventKind::DaemonDel) == XVS_EVENT_KIND_MAX);
// Clear of IPVS's own commands and attributes.
static_assert(XVS_CMD_EVENT > IPVS_CMD_FLUSH);
static_assert(XVS_CMD_ATTR_EVENT_KIND > IPVS_CMD_ATTR_MAX);

} // namespace

std::string_view event_kind_name(EventKind kind)
{
	switch (kind) {
	case EventKind::ServiceNew: return "service-new";
	case EventKind::ServiceEdit: return "service-edit";
	case EventKind::ServiceDel: return "service-del";
	case EventKind::ServiceFlush: return "service-flush";
	case EventKind::DestNew: return "dest-new";
	case EventKind::DestEdit: return "dest-edit";
	case EventKind::DestDel: return "dest-del";
	case EventKind::DaemonNew: return "daemon-new";
	case EventKind::DaemonDel: return "daemon-del";
	}
	return "unknown";
}

Event codec::decode_event(const Reply &msg)
{
	if (msg.cmd() != XVS_CMD_EVENT)
		throw Error(EPROTO, "not an xvs event (genl command " +
			    std::to_string(msg.cmd()) + ")");
	AttrTable top = msg.attrs(kEventAttrMax);
	if (!top[XVS_CMD_ATTR_EVENT_KIND])
		throw Error(EPROTO, "xvs event without a kind");
	std::uint32_t raw = attr::u32(top[XVS_CMD_ATTR_EVENT_KIND]);
	if (raw < XVS_EVENT_SERVICE_NEW || raw > XVS_EVENT_KIND_MAX)
		throw Error(EPROTO, "xvs event of unknown kind " +
			    std::to_string(raw));

	Event ev;
	ev.kind = static_cast<EventKind>(raw);
	if (top[XVS_CMD_ATTR_EVENT_PORTID])
		ev.portid = attr::u32(top[XVS_CMD_ATTR_EVENT_PORTID]);

	switch (ev.kind) {
	case EventKind::ServiceFlush:
		break;
	case EventKind::ServiceNew:
	case EventKind::ServiceEdit:
	case EventKind::ServiceDel:
		ev.service = decode_service(need(top, IPVS_CMD_ATTR_SERVICE,
						 "service", ev.kind));
		break;
	case EventKind::DestNew:
	case EventKind::DestEdit:
	case EventKind::DestDel:
		ev.service = decode_service(need(top, IPVS_CMD_ATTR_SERVICE,
						 "service", ev.kind));
		ev.dest = decode_dest(need(top, IPVS_CMD_ATTR_DEST,
					   "destination", ev.kind),
				      ev.service->af);
		break;
	case EventKind::DaemonNew:
	case EventKind::DaemonDel:
		ev.daemon = decode_daemon(need(top, IPVS_CMD_ATTR_DAEMON,
					       "daemon", ev.kind));
		break;
	}
	return ev;
}

EventSubscriber::EventSubscriber()
	: family_(sock_.resolve_family(IPVS_GENL_NAME))
{
	sock_.join_group(sock_.resolve_group(IPVS_GENL_NAME,
					     XVS_GENL_MCGRP_EVENTS));
}

std::optional<Event> EventSubscriber::next(int timeout_ms)
{
	while (pending_.empty()) {
		std::vector<Reply> msgs = sock_.receive(timeout_ms);
		if (msgs.empty())
			return std::nullopt;
		for (const Reply &m : msgs) {
			// Only the family's events; a stray message (an
			// NLMSG_ERROR, say) is not one.
			if (m.type() != family_ || m.cmd() != XVS_CMD_EVENT)
				continue;
			pending_.push_back(codec::decode_event(m));
		}
	}
	Event ev = std::move(pending_.front());
	pending_.pop_front();
	return ev;
}

} // namespace xvs
