// xvsadm: the drop reason counters of xvs.ko (/proc/net/xvs_drops, one
// "reason count" line per reason), shown by `xvsadm -L --drops`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace xvsadm::drops {

inline constexpr const char *proc_file = "/proc/net/xvs_drops";

struct Counter {
	std::string reason;
	std::uint64_t count = 0;
};

// Parses the file's text; nullopt when a line is not "name count".
std::optional<std::vector<Counter>> parse(const std::string &text);
// Text: one "reason  count" line per reason, names padded to one column.
std::string render_text(const std::vector<Counter> &c);
// JSON: {"format": "xvsadm-drops-1", "drops": {"reason": count, ...}}.
std::string render_json(const std::vector<Counter> &c);

} // namespace xvsadm::drops
