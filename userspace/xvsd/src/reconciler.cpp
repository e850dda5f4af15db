#include "reconciler.hpp"

#include <algorithm>
#include <cerrno>

#include "xvs/error.hpp"

namespace xvsd {

static std::string dest_str(const xvs::Destination &d)
{
	if (d.addr.is_v6())
		return "[" + d.addr.str() + "]:" + std::to_string(d.port);
	return d.addr.str() + ":" + std::to_string(d.port);
}

static bool same_dest(const xvs::Destination &a, const xvs::Destination &b)
{
	return a.addr == b.addr && a.port == b.port;
}

void Reconciler::apply(Table &table, const std::vector<DesiredService> &want)
{
	auto have = table.services();
	// services no longer wanted
	for (auto it = managed_.begin(); it != managed_.end();) {
		bool wanted = std::any_of(want.begin(), want.end(),
					  [&](const DesiredService &d) { return d.svc.same_key(*it); });
		if (wanted) {
			++it;
			continue;
		}
		bool present = std::any_of(have.begin(), have.end(),
					   [&](const xvs::Service &s) { return s.same_key(*it); });
		if (present) {
			table.del_service(*it);
			log_.info("Deleted virtual server: " + it->key_str());
		}
		fallback_on_.erase(it->key_str());
		it = managed_.erase(it);
	}
	for (auto &d : want) {
		const std::string vkey = d.key;
		const std::string fkey = d.svc.key_str();
		auto cur = std::find_if(have.begin(), have.end(),
					[&](const xvs::Service &s) { return s.same_key(d.svc); });
		if (cur == have.end()) {
			table.add_service(d.svc);
			log_.info("Adding virtual server: " + vkey);
		} else if (cur->sched_name != d.svc.sched_name ||
			   (cur->flags & IP_VS_SVC_F_PERSISTENT) != (d.svc.flags & IP_VS_SVC_F_PERSISTENT) ||
			   ((d.svc.flags & IP_VS_SVC_F_PERSISTENT) &&
			    (cur->timeout != d.svc.timeout || cur->netmask != d.svc.netmask))) {
			xvs::Service e = d.svc;
			table.edit_service(e);
			log_.info("Changed virtual server: " + vkey + " (scheduler " + d.svc.sched_name + ")");
		}
		if (std::none_of(managed_.begin(), managed_.end(),
				 [&](const xvs::Service &s) { return s.same_key(d.svc); }))
			managed_.push_back(d.svc);

		auto dests = cur == have.end() ? std::vector<xvs::Destination>{} : table.dests(d.svc);
		auto old_fb = fallback_on_.find(fkey);
		auto is_old_fallback = [&](const xvs::Destination &x) {
			return old_fb != fallback_on_.end() && same_dest(old_fb->second, x);
		};
		std::size_t reals = std::count_if(dests.begin(), dests.end(), [&](const xvs::Destination &x) {
			return !is_old_fallback(x);
		});
		bool fallback_wanted = std::any_of(d.dests.begin(), d.dests.end(),
						   [](const DesiredDest &dd) { return dd.fallback; });
		// removals first: the "(N*VIP)" counts then read naturally
		for (auto &x : dests) {
			auto w = std::find_if(d.dests.begin(), d.dests.end(),
					      [&](const DesiredDest &dd) { return same_dest(dd.dest, x); });
			if (w != d.dests.end())
				continue;
			table.del_dest(d.svc, x);
			if (is_old_fallback(x))
				continue;
			if (reals > 0)
				reals--;
			log_.info("Removing real server: " + dest_str(x) + " (" + std::to_string(reals) +
				  "*" + vkey + ")");
		}
		if (old_fb != fallback_on_.end() && !fallback_wanted) {
			fallback_on_.erase(old_fb);
			log_.info("Turning off fallback server for: " + vkey);
		}
		for (auto &dd : d.dests) {
			auto x = std::find_if(dests.begin(), dests.end(),
					      [&](const xvs::Destination &k) { return same_dest(dd.dest, k); });
			if (x == dests.end()) {
				table.add_dest(d.svc, dd.dest);
				if (dd.fallback) {
					fallback_on_[fkey] = dd.dest;
					log_.info("Starting fallback server for: " + vkey + " (" +
						  dest_str(dd.dest) + ")");
				} else {
					reals++;
					log_.info("Adding real server: " + dest_str(dd.dest) + " (" +
						  std::to_string(reals) + "*" + vkey + ")" +
						  (dd.dest.weight == 0 ? " with weight 0 (quiescent)" : ""));
				}
			} else if (x->weight != dd.dest.weight || x->fwd_method != dd.dest.fwd_method) {
				table.edit_dest(d.svc, dd.dest);
				if (dd.dest.weight == 0 && x->weight != 0)
					log_.info("Quiescing real server: " + dest_str(dd.dest) + " (" +
						  std::to_string(reals) + "*" + vkey + ") weight 0");
				else if (x->weight == 0 && dd.dest.weight != 0)
					log_.info("Restoring real server: " + dest_str(dd.dest) + " (" +
						  std::to_string(reals) + "*" + vkey + ") weight " +
						  std::to_string(dd.dest.weight));
				else
					log_.info("Changed real server: " + dest_str(dd.dest) + " (" + vkey +
						  ") weight " + std::to_string(dd.dest.weight));
			} else if (dd.fallback) {
				fallback_on_[fkey] = dd.dest;
			}
		}
	}
}

void Reconciler::remove_all(Table &table)
{
	std::vector<xvs::Service> have;
	try {
		have = table.services();
	} catch (const xvs::Error &) {
		managed_.clear();
		fallback_on_.clear();
		throw;
	}
	for (auto &m : managed_) {
		bool present = std::any_of(have.begin(), have.end(),
					   [&](const xvs::Service &s) { return s.same_key(m); });
		if (present) {
			table.del_service(m);
			log_.info("Deleted virtual server: " + m.key_str());
		}
	}
	managed_.clear();
	fallback_on_.clear();
}

} // namespace xvsd
