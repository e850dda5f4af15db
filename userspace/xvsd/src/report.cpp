#include "report.hpp"

#include <cstdio>
#include <sstream>

namespace xvsd {

std::string status_text(const HaStatus &ha, const DirectorSnapshot &d, const std::string &config)
{
	std::string s = "xvsd: config " + config + "\n";
	if (ha.enabled) {
		s += "node " + ha.node + ": " + (ha.holding ? "active" : "standby") +
		     " (holds the resource group: " + (ha.holding ? "yes" : "no") + ")\n";
		s += "peer " + ha.peer + ": " + ha.peer_state +
		     (ha.peer_holding ? ", holds the resource group" : "") + "\n";
		s += "resources: " + ha.resources + "\n";
		s += "auto_failback " + std::string(ha.auto_failback ? "on" : "off") +
		     ", takeovers " + std::to_string(ha.takeovers) + ", rejected packets " +
		     std::to_string(ha.rejected) + "\n";
		for (auto &l : ha.links) {
			s += "link " + l.name + ": " + (l.up ? "up" : "dead");
			if (l.heard_ms_ago >= 0)
				s += ", heard " + std::to_string(l.heard_ms_ago) + " ms ago";
			else
				s += ", never heard";
			s += ", " + std::to_string(l.packets) + " packets";
			if (l.serial) {
				s += l.open ? ", device open" : ", device closed (" + l.error + ")";
				s += ", " + std::to_string(l.discarded_bytes) + " bytes discarded, " +
				     std::to_string(l.reopens) + " reopens";
			}
			s += "\n";
		}
	} else {
		s += "failover: off (no ha.cf)\n";
	}
	s += std::string("IPVS table: ") + (d.enabled ? "managed" : "released") + "\n";
	if (!d.error.empty())
		s += "last error: " + d.error + "\n";
	if (!d.announced.empty()) {
		s += "BGP announced:";
		for (auto &p : d.announced)
			s += " " + p;
		s += "\n";
	}
	for (auto &v : d.virtuals) {
		s += "virtual " + v.key + " " + v.scheduler + (v.installed ? "" : " (not installed)") +
		     "\n";
		for (auto &r : v.reals) {
			char lat[32];
			std::snprintf(lat, sizeof(lat), "%.3f", r.latency_s);
			s += "  real " + r.real + " " + (r.fallback ? "fallback" : rs_state_name(r.state)) +
			     " weight " + (r.weight < 0 ? std::string("-") : std::to_string(r.weight));
			if (!r.fallback)
				s += " latency " + std::string(lat) + "s checks " + std::to_string(r.checks) +
				     " failed " + std::to_string(r.failed) + " [" + r.detail + "]";
			s += "\n";
		}
	}
	return s;
}

static std::string esc(const std::string &v)
{
	std::string o;
	for (char c : v) {
		if (c == '\\' || c == '"')
			o += '\\';
		if (c == '\n') {
			o += "\\n";
			continue;
		}
		o += c;
	}
	return o;
}

std::string metrics_text(const HaStatus &ha, const DirectorSnapshot &d)
{
	std::string s;
	auto metric = [&](const char *name, const char *type, const char *help) {
		s += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
	};
	metric("xvsd_ha_enabled", "gauge", "1 when failover is configured");
	s += "xvsd_ha_enabled " + std::to_string(ha.enabled ? 1 : 0) + "\n";
	metric("xvsd_ha_active", "gauge", "1 while this node holds the resource group");
	s += "xvsd_ha_active " + std::to_string(ha.holding ? 1 : 0) + "\n";
	metric("xvsd_ha_peer_up", "gauge", "1 while the peer's heartbeats arrive");
	s += "xvsd_ha_peer_up " + std::to_string(ha.peer_state == "up" ? 1 : 0) + "\n";
	metric("xvsd_ha_failovers_total", "counter", "times this node acquired the resource group");
	s += "xvsd_ha_failovers_total " + std::to_string(ha.takeovers) + "\n";
	metric("xvsd_ha_rejected_packets_total", "counter",
	       "heartbeat packets rejected (authentication, unknown node, replay)");
	s += "xvsd_ha_rejected_packets_total " + std::to_string(ha.rejected) + "\n";
	metric("xvsd_ha_link_up", "gauge", "1 while the peer's heartbeats arrive on the link");
	for (auto &l : ha.links)
		s += "xvsd_ha_link_up{link=\"" + esc(l.name) + "\"} " + std::to_string(l.up ? 1 : 0) + "\n";
	metric("xvsd_virtual_installed", "gauge", "1 when the virtual server is in the IPVS table");
	for (auto &v : d.virtuals)
		s += "xvsd_virtual_installed{virtual=\"" + esc(v.key) + "\"} " +
		     std::to_string(v.installed ? 1 : 0) + "\n";
	metric("xvsd_virtual_connections_total", "counter", "connections scheduled by the virtual server");
	for (auto &v : d.virtuals)
		s += "xvsd_virtual_connections_total{virtual=\"" + esc(v.key) + "\"} " +
		     std::to_string(v.conns) + "\n";
	auto per_real = [&](const char *name, const char *type, const char *help, auto value) {
		metric(name, type, help);
		for (auto &v : d.virtuals)
			for (auto &r : v.reals)
				s += std::string(name) + "{virtual=\"" + esc(v.key) + "\",real=\"" +
				     esc(r.real) + "\"} " + value(r) + "\n";
	};
	per_real("xvsd_real_up", "gauge", "1 when the last health check passed (fallback: in use)",
		 [](const RealSnapshot &r) {
			 return std::to_string(r.fallback ? 1 : r.state == RsState::Up ? 1 : 0);
		 });
	per_real("xvsd_real_weight", "gauge", "weight in the IPVS table, -1 when absent",
		 [](const RealSnapshot &r) { return std::to_string(r.weight); });
	per_real("xvsd_real_check_latency_seconds", "gauge", "duration of the last health check",
		 [](const RealSnapshot &r) {
			 char b[32];
			 std::snprintf(b, sizeof(b), "%.6f", r.latency_s);
			 return std::string(b);
		 });
	per_real("xvsd_real_checks_total", "counter", "health checks run",
		 [](const RealSnapshot &r) { return std::to_string(r.checks); });
	per_real("xvsd_real_check_failures_total", "counter", "health checks failed",
		 [](const RealSnapshot &r) { return std::to_string(r.failed); });
	per_real("xvsd_real_active_connections", "gauge", "active connections (IPVS)",
		 [](const RealSnapshot &r) { return std::to_string(r.active); });
	per_real("xvsd_real_inactive_connections", "gauge", "inactive connections (IPVS)",
		 [](const RealSnapshot &r) { return std::to_string(r.inactive); });
	return s;
}

std::string drop_metrics_text(const std::string &proc_text)
{
	std::string s;
	std::istringstream in(proc_text);
	std::string reason, count;
	while (in >> reason >> count) {
		if (count.find_first_not_of("0123456789") != std::string::npos)
			continue;
		s += "xvs_drops_total{reason=\"" + esc(reason) + "\"} " + count + "\n";
	}
	if (s.empty())
		return s;
	return "# HELP xvs_drops_total packets xvs.ko dropped, by reason\n"
	       "# TYPE xvs_drops_total counter\n" + s;
}

} // namespace xvsd
