#include "changes.hpp"

#include <cerrno>

#include "xvs/error.hpp"

namespace xvsd {

bool foreign_change(const xvs::Event &ev, std::uint32_t own_port)
{
	return own_port == 0 || ev.portid != own_port;
}

std::string describe_change(const xvs::Event &ev)
{
	std::string o(xvs::event_kind_name(ev.kind));
	if (ev.service)
		o += " " + ev.service->key_str();
	if (ev.dest)
		o += " -> " + ev.dest->key_str();
	if (ev.daemon)
		o += ev.daemon->state & IP_VS_STATE_MASTER ? " master" : " backup";
	return o;
}

ChangeWatcher::ChangeWatcher(Logger &log, std::function<std::uint32_t()> own_port,
			     std::function<void()> changed)
	: log_(log), own_port_(std::move(own_port)), changed_(std::move(changed))
{
}

void ChangeWatcher::subscribe()
{
	if (sub_)
		return;
	try {
		sub_ = std::make_unique<xvs::EventSubscriber>();
		log_.info("watching the IPVS table's config-change events");
		last_error_.clear();
	} catch (const xvs::Error &e) {
		std::string msg = std::string("no config-change events (") + e.what() +
				  "): changes by others are seen at the next round";
		if (msg != last_error_)
			log_.info(msg);
		last_error_ = msg;
	}
}

int ChangeWatcher::fd() const
{
	return sub_ ? sub_->fd() : -1;
}

void ChangeWatcher::read_events()
{
	if (!sub_)
		return;
	std::size_t foreign = 0;
	std::string first;
	try {
		while (auto ev = sub_->next(0)) {
			if (!foreign_change(*ev, own_port_()))
				continue;
			if (foreign++ == 0)
				first = describe_change(*ev);
		}
	} catch (const xvs::Error &e) {
		if (e.code() == ENOBUFS) {
			foreign++;
			first = "events lost";
		} else {
			// The module went away, say: subscribe again later.
			log_.info(std::string("config-change events: ") + e.what());
			sub_.reset();
		}
	}
	if (!foreign)
		return;
	log_.info("IPVS table changed by another process: " + first +
		  (foreign > 1 ? " and " + std::to_string(foreign - 1) + " more" : "") +
		  "; re-reading it");
	changed_();
}

} // namespace xvsd
