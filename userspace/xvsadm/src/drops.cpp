// xvsadm: /proc/net/xvs_drops, parsed and printed (`-L --drops`).
#include "drops.hpp"

#include "json.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>

namespace xvsadm::drops {

std::optional<std::vector<Counter>> parse(const std::string &text)
{
	std::vector<Counter> out;
	std::istringstream in(text);
	std::string line;
	while (std::getline(in, line)) {
		if (line.empty())
			continue;
		auto sp = line.find(' ');
		if (sp == 0 || sp == std::string::npos ||
		    line.find(' ', sp + 1) != std::string::npos)
			return std::nullopt;
		Counter c;
		c.reason = line.substr(0, sp);
		const char *b = line.data() + sp + 1;
		const char *e = line.data() + line.size();
		auto [p, ec] = std::from_chars(b, e, c.count);
		if (b == e || ec != std::errc() || p != e)
			return std::nullopt;
		out.push_back(std::move(c));
	}
	return out;
}

std::string render_text(const std::vector<Counter> &c)
{
	std::size_t w = 6;	// "Reason"
	for (const auto &x : c)
		w = std::max(w, x.reason.size());
	std::string out = "Reason" + std::string(w - 6 + 2, ' ') + "Drops\n";
	for (const auto &x : c)
		out += x.reason + std::string(w - x.reason.size() + 2, ' ') +
		       std::to_string(x.count) + "\n";
	return out;
}

std::string render_json(const std::vector<Counter> &c)
{
	std::string out = "{\n  \"format\": \"xvsadm-drops-1\",\n"
			  "  \"drops\": {";
	for (std::size_t i = 0; i < c.size(); i++) {
		out += i ? ",\n    " : "\n    ";
		out += json::quote(c[i].reason) + ": " +
		       std::to_string(c[i].count);
	}
	out += c.empty() ? "}\n}\n" : "\n  }\n}\n";
	return out;
}

} // namespace xvsadm::drops
