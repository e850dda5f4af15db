#include "xvs/ipvs.hpp"
#include "xvs/error.hpp"

#include <cstdlib>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "xvs_genl.h"

namespace xvs {

using codec::Detail;

Ipvs::Ipvs() : family_(sock_.resolve_family(IPVS_GENL_NAME)) {}

Message Ipvs::request(std::uint8_t cmd, std::uint16_t nlflags,
		      std::size_t max_size) const
{
	return Message::genl(family_, cmd, IPVS_GENL_VERSION, nlflags,
			     max_size);
}

std::vector<Reply> Ipvs::execute(Message &msg)
{
	return sock_.transact(msg);
}

std::vector<Reply> Ipvs::raw(std::uint8_t cmd,
			     std::span<const std::uint8_t> attrs,
			     std::uint16_t nlflags, std::uint16_t genl_reserved)
{
	Message msg = request(cmd, nlflags);
	auto *genl = reinterpret_cast<genlmsghdr *>(
		reinterpret_cast<std::uint8_t *>(msg.header()) + NLMSG_HDRLEN);
	genl->reserved = genl_reserved;
	if (!attrs.empty())
		msg.append(attrs.data(), attrs.size());
	return execute(msg);
}

Info Ipvs::info()
{
	Message msg = request(IPVS_CMD_GET_INFO);
	auto replies = execute(msg);
	if (replies.empty())
		throw Error(EPROTO, "no reply to IPVS_CMD_GET_INFO");
	return codec::decode_info(replies.front().attrs(IPVS_INFO_ATTR_MAX));
}

Timeouts Ipvs::timeouts()
{
	Message msg = request(IPVS_CMD_GET_CONFIG);
	auto replies = execute(msg);
	if (replies.empty())
		throw Error(EPROTO, "no reply to IPVS_CMD_GET_CONFIG");
	return codec::decode_timeouts(replies.front().attrs(IPVS_CMD_ATTR_MAX));
}

void Ipvs::set_timeouts(const Timeouts &t)
{
	Message msg = request(IPVS_CMD_SET_CONFIG);
	codec::put_timeouts(msg, t);
	execute(msg);
}

std::vector<Service> Ipvs::services()
{
	Message msg = request(IPVS_CMD_GET_SERVICE, NLM_F_DUMP);
	std::vector<Service> out;
	for (const Reply &r : execute(msg))
		out.push_back(codec::decode_service(
			r.attrs(IPVS_CMD_ATTR_MAX)[IPVS_CMD_ATTR_SERVICE]));
	return out;
}

Service Ipvs::service(const Service &key)
{
	Message msg = request(IPVS_CMD_GET_SERVICE);
	codec::put_service(msg, key, Detail::Key);
	auto replies = execute(msg);
	if (replies.empty())
		throw Error(EPROTO, "no reply to IPVS_CMD_GET_SERVICE");
	return codec::decode_service(
		replies.front().attrs(IPVS_CMD_ATTR_MAX)[IPVS_CMD_ATTR_SERVICE]);
}

Message Ipvs::change_request(const TableChange &c) const
{
	using Kind = TableChange::Kind;
	static constexpr std::uint8_t cmds[] = {
		IPVS_CMD_NEW_SERVICE, IPVS_CMD_SET_SERVICE, IPVS_CMD_DEL_SERVICE,
		IPVS_CMD_NEW_DEST, IPVS_CMD_SET_DEST, IPVS_CMD_DEL_DEST,
	};
	Message msg = request(cmds[static_cast<int>(c.kind)], 0, 1024);
	switch (c.kind) {
	case Kind::AddService:
	case Kind::EditService:
		codec::put_service(msg, c.svc, Detail::Full);
		break;
	case Kind::DelService:
		codec::put_service(msg, c.svc, Detail::Key);
		break;
	case Kind::AddDest:
	case Kind::EditDest:
		codec::put_service(msg, c.svc, Detail::Key);
		codec::put_dest(msg, c.dest, Detail::Full);
		break;
	case Kind::DelDest:
		codec::put_service(msg, c.svc, Detail::Key);
		codec::put_dest(msg, c.dest, Detail::Key);
		break;
	}
	return msg;
}

std::vector<Socket::Outcome> Ipvs::apply_changes(
	std::span<const TableChange> changes)
{
	return sock_.transact_pipelined(changes.size(), [&](std::size_t i) {
		return change_request(changes[i]);
	});
}

void Ipvs::add_service(const Service &svc)
{
	Message msg = change_request({TableChange::Kind::AddService, svc, {}});
	execute(msg);
}

void Ipvs::edit_service(const Service &svc)
{
	Message msg = change_request({TableChange::Kind::EditService, svc, {}});
	execute(msg);
}

void Ipvs::del_service(const Service &svc)
{
	Message msg = change_request({TableChange::Kind::DelService, svc, {}});
	execute(msg);
}

std::vector<Destination> Ipvs::dests(const Service &svc)
{
	Message msg = request(IPVS_CMD_GET_DEST, NLM_F_DUMP);
	codec::put_service(msg, svc, Detail::Key);
	std::vector<Destination> out;
	for (const Reply &r : execute(msg))
		out.push_back(codec::decode_dest(
			r.attrs(IPVS_CMD_ATTR_MAX)[IPVS_CMD_ATTR_DEST], svc.af));
	return out;
}

void Ipvs::add_dest(const Service &svc, const Destination &dest)
{
	Message msg = change_request({TableChange::Kind::AddDest, svc, dest});
	execute(msg);
}

void Ipvs::edit_dest(const Service &svc, const Destination &dest)
{
	Message msg = change_request({TableChange::Kind::EditDest, svc, dest});
	execute(msg);
}

void Ipvs::del_dest(const Service &svc, const Destination &dest)
{
	Message msg = change_request({TableChange::Kind::DelDest, svc, dest});
	execute(msg);
}

std::vector<ServiceDests> Ipvs::list_all()
{
	// A table that keeps changing interrupts every dump; after a few the
	// per-service requests, which cannot be interrupted, take over.
	constexpr int kAttempts = 8;

	if (std::getenv("XVS_LIST_PER_SERVICE"))
		return list_per_service();
	for (int i = 0; i < kAttempts && !get_all_refused_; i++) {
		Message msg = request(XVS_CMD_GET_ALL, NLM_F_DUMP);
		try {
			return codec::decode_all(execute(msg));
		} catch (const Error &e) {
			if (e.code() == EOPNOTSUPP)
				get_all_refused_ = true;
			else if (e.code() != EAGAIN)
				throw;
		}
	}
	return list_per_service();
}

std::vector<ServiceDests> Ipvs::list_per_service()
{
	std::vector<ServiceDests> out;
	for (Service &s : services()) {
		std::vector<Destination> d = dests(s);
		out.push_back({std::move(s), std::move(d)});
	}
	return out;
}

std::vector<Daemon> Ipvs::daemons()
{
	Message msg = request(IPVS_CMD_GET_DAEMON, NLM_F_DUMP);
	std::vector<Daemon> out;
	for (const Reply &r : execute(msg))
		out.push_back(codec::decode_daemon(
			r.attrs(IPVS_CMD_ATTR_MAX)[IPVS_CMD_ATTR_DAEMON]));
	return out;
}

void Ipvs::start_daemon(const Daemon &d)
{
	Message msg = request(IPVS_CMD_NEW_DAEMON);
	codec::put_daemon(msg, d);
	execute(msg);
}

void Ipvs::stop_daemon(std::uint32_t state)
{
	Message msg = request(IPVS_CMD_DEL_DAEMON);
	codec::put_daemon_state(msg, state);
	execute(msg);
}

void Ipvs::zero()
{
	Message msg = request(IPVS_CMD_ZERO);
	execute(msg);
}

void Ipvs::zero(const Service &svc)
{
	Message msg = request(IPVS_CMD_ZERO);
	codec::put_service(msg, svc, Detail::Key);
	execute(msg);
}

void Ipvs::flush()
{
	Message msg = request(IPVS_CMD_FLUSH);
	execute(msg);
}

} // namespace xvs
