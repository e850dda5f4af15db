// xvsd: brings the kernel's IPVS table to the desired one, touching only
// the virtual services xvsd manages, and logs every change the way
// ldirectord does ("Adding real server: ...").
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "health.hpp"
#include "log.hpp"
#include "xvs/ipvs.hpp"

namespace xvsd {

// The operations the reconciler needs; IpvsTable talks to the kernel.
class Table {
public:
	virtual ~Table() = default;
	virtual std::vector<xvs::Service> services() = 0;
	virtual std::vector<xvs::Destination> dests(const xvs::Service &svc) = 0;
	virtual void add_service(const xvs::Service &svc) = 0;
	virtual void edit_service(const xvs::Service &svc) = 0;
	virtual void del_service(const xvs::Service &svc) = 0;
	virtual void add_dest(const xvs::Service &svc, const xvs::Destination &d) = 0;
	virtual void edit_dest(const xvs::Service &svc, const xvs::Destination &d) = 0;
	virtual void del_dest(const xvs::Service &svc, const xvs::Destination &d) = 0;
};

// The kernel table through the netlink library; the socket is opened on
// first use and reopened after a failure (the module may come later).
class IpvsTable : public Table {
public:
	std::vector<xvs::Service> services() override { return ipvs().services(); }
	std::vector<xvs::Destination> dests(const xvs::Service &s) override { return ipvs().dests(s); }
	void add_service(const xvs::Service &s) override { ipvs().add_service(s); }
	void edit_service(const xvs::Service &s) override { ipvs().edit_service(s); }
	void del_service(const xvs::Service &s) override { ipvs().del_service(s); }
	void add_dest(const xvs::Service &s, const xvs::Destination &d) override { ipvs().add_dest(s, d); }
	void edit_dest(const xvs::Service &s, const xvs::Destination &d) override { ipvs().edit_dest(s, d); }
	void del_dest(const xvs::Service &s, const xvs::Destination &d) override { ipvs().del_dest(s, d); }
	void reset()
	{
		ipvs_.reset();
		port_ = 0;
	}
	// Netlink port of the socket, 0 when none is open: the events of
	// xvsd's own changes carry it.  Any thread may ask.
	std::uint32_t port() const { return port_; }

private:
	xvs::Ipvs &ipvs()
	{
		if (!ipvs_) {
			ipvs_ = std::make_unique<xvs::Ipvs>();
			port_ = ipvs_->socket().port();
		}
		return *ipvs_;
	}
	std::unique_ptr<xvs::Ipvs> ipvs_;
	std::atomic<std::uint32_t> port_{0};
};

class Reconciler {
public:
	explicit Reconciler(Logger &log) : log_(log) {}

	// Makes `table` hold `want`; services managed before and no longer
	// wanted are deleted.  Throws xvs::Error on a kernel failure.
	void apply(Table &table, const std::vector<DesiredService> &want);
	// Deletes every managed service (resource release, clean stop).
	void remove_all(Table &table);
	bool has_managed() const { return !managed_.empty(); }

private:
	Logger &log_;
	std::vector<xvs::Service> managed_;
	std::map<std::string, xvs::Destination> fallback_on_;	// fallback in use
};

} // namespace xvsd
