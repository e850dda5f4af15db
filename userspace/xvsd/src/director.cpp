#include "director.hpp"

#include <future>

#include "checks.hpp"
#include "xvs/error.hpp"

namespace xvsd {

using Clock = std::chrono::steady_clock;


Director::Director(Logger &log, LdConfig cfg, std::unique_ptr<Table> table,
		   BgpAnnouncer::Runner bgp)
	: log_(log), table_(std::move(table)), rec_(log), bgp_(log, std::move(bgp)),
	  cfg_(std::make_shared<const LdConfig>(std::move(cfg))), bgp_asserted_(Clock::now())
{
}

Director::~Director()
{
	if (thread_.joinable())
		stop(false);
}

void Director::start()
{
	thread_ = std::thread([this] { loop(); });
}

void Director::stop(bool clean)
{
	{
		std::lock_guard g(mu_);
		stop_ = true;
	}
	cv_.notify_all();
	if (thread_.joinable())
		thread_.join();
	// Before the table goes, the router must stop sending: a segment of an
	// established connection that reaches this director without its
	// service is delivered locally and answered with a reset.  bgpd sends
	// the withdrawal at once (advertisement-interval 0); a drain of
	// bgp_drain_ (2 s) covers its way through the router's RIB into its FIB.
	bool withdrew = !bgp_.announced().empty();
	bgp_.withdraw_all("xvsd stops");
	if (withdrew && clean && rec_.has_managed()) {
		log_.info("BGP: waiting " + std::to_string(bgp_drain_.count()) +
			  " ms for the router before removing the IPVS table");
		std::this_thread::sleep_for(bgp_drain_);
	}
	if (clean && rec_.has_managed()) {
		try {
			rec_.remove_all(*table_);
		} catch (const xvs::Error &e) {
			log_.info(std::string("cannot remove the IPVS table: ") + e.what());
		}
	}
}

void Director::set_enabled(bool on)
{
	{
		std::lock_guard g(mu_);
		if (enabled_ == on)
			return;
		enabled_ = on;
		wake_ = true;
	}
	cv_.notify_all();
}

void Director::set_config(LdConfig cfg)
{
	{
		std::lock_guard g(mu_);
		cfg_ = std::make_shared<const LdConfig>(std::move(cfg));
		wake_ = true;
	}
	cv_.notify_all();
}

void Director::refresh()
{
	{
		std::lock_guard g(mu_);
		wake_ = true;
	}
	cv_.notify_all();
}

DirectorSnapshot Director::snapshot() const
{
	std::lock_guard g(mu_);
	return snap_;
}

void Director::round()
{
	std::shared_ptr<const LdConfig> cfg;
	bool enabled;
	{
		std::lock_guard g(mu_);
		cfg = cfg_;
		enabled = enabled_;
	}
	book_.prune(*cfg);
	auto now = Clock::now();
	struct Due {
		const VirtualService *vs;
		const RealServer *rs;
		std::future<CheckResult> result;
	};
	std::vector<Due> due;
	for (auto &vs : cfg->virtuals)
		for (auto &rs : vs.reals) {
			RsHealth &h = book_.at(vs, rs);
			if (h.next_check > now)
				continue;
			due.push_back({&vs, &rs, std::async(std::launch::async, [&vs, &rs] {
					       return run_check(vs, rs);
				       })});
		}
	for (auto &d : due) {
		CheckResult r = d.result.get();
		auto t = book_.record(*d.vs, *d.rs, r.ok, r.detail, r.latency);
		book_.at(*d.vs, *d.rs).next_check = Clock::now() + d.vs->timing.checkinterval;
		if (t)
			log_.info(t->message);
	}

	DirectorSnapshot snap;
	snap.enabled = enabled;
	std::vector<xvs::Service> kernel;
	try {
		if (enabled) {
			rec_.apply(*table_, desired_table(*cfg, book_));
			kernel = table_->services();
		} else if (rec_.has_managed()) {
			log_.info("IPVS table released: removing the virtual servers");
			rec_.remove_all(*table_);
		}
		last_error_.clear();
	} catch (const xvs::Error &e) {
		std::string msg = std::string("IPVS: ") + e.what();
		if (msg != last_error_)
			log_.info(msg + " (will retry)");
		last_error_ = msg;
		if (auto *ipvs = dynamic_cast<IpvsTable *>(table_.get()))
			ipvs->reset();
	}
	snap.error = last_error_;

	// Announce only what this director can serve: the table is its own
	// and loaded, and the service has a live real server.
	PrefixSet want;
	const char *why;
	if (!enabled) {
		why = "the IPVS table is not this node's";
	} else if (!last_error_.empty()) {
		why = "the IPVS table could not be loaded";
	} else {
		want = wanted_prefixes(*cfg, book_);
		why = "no real server is up";
	}
	bgp_.update(cfg->bgp_as, want, why);
	// now and then: a bgpd restarted since has forgotten them
	if (Clock::now() - bgp_asserted_ >= std::chrono::seconds(30)) {
		bgp_.reassert();
		bgp_asserted_ = Clock::now();
	}
	for (auto &[prefix, v6] : bgp_.announced())
		snap.announced.push_back(prefix);
	for (auto &vs : cfg->virtuals) {
		VirtualSnapshot v;
		v.key = vs.key_str();
		v.scheduler = vs.scheduler;
		xvs::Service want = vs.to_ipvs();
		std::vector<xvs::Destination> dests;
		for (auto &k : kernel) {
			if (!k.same_key(want))
				continue;
			v.installed = true;
			v.conns = k.counters().conns;
			try {
				dests = table_->dests(k);
			} catch (const xvs::Error &) {
			}
		}
		auto fill = [&](RealSnapshot &r, const xvs::Address &a, std::uint16_t port) {
			for (auto &d : dests)
				if (d.addr == a && d.port == port) {
					r.weight = d.weight;
					r.active = d.active_conns;
					r.inactive = d.inact_conns;
				}
		};
		for (auto &rs : vs.reals) {
			RealSnapshot r;
			r.real = rs.ep.str();
			if (const RsHealth *h = book_.find(vs, rs)) {
				r.state = h->state;
				r.latency_s = static_cast<double>(h->latency.count()) / 1000.0;
				r.checks = h->checks;
				r.failed = h->failed;
				r.detail = h->detail;
			}
			fill(r, rs.ep.addr, rs.ep.port);
			v.reals.push_back(r);
		}
		if (vs.timing.fallback) {
			RealSnapshot r;
			r.real = vs.timing.fallback->ep.str();
			r.fallback = true;
			fill(r, vs.timing.fallback->ep.addr, vs.timing.fallback->ep.port);
			if (r.weight >= 0)
				v.reals.push_back(r);
		}
		snap.virtuals.push_back(std::move(v));
	}
	std::lock_guard g(mu_);
	snap_ = std::move(snap);
}

void Director::loop()
{
	while (true) {
		{
			std::lock_guard g(mu_);
			if (stop_)
				return;
			wake_ = false;
		}
		round();
		// sleep until the next check is due, a change, or a stop
		auto next = Clock::now() + std::chrono::seconds(1);
		{
			std::shared_ptr<const LdConfig> cfg;
			{
				std::lock_guard g(mu_);
				cfg = cfg_;
			}
			for (auto &vs : cfg->virtuals)
				for (auto &rs : vs.reals) {
					auto t = book_.at(vs, rs).next_check;
					if (t < next)
						next = t;
				}
		}
		std::unique_lock lk(mu_);
		cv_.wait_until(lk, next, [this] { return stop_ || wake_; });
	}
}

} // namespace xvsd
