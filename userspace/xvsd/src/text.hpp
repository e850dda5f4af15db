// xvsd: small text helpers shared by the configuration parsers.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace xvsd {

std::string_view trim(std::string_view s);
// Splits on runs of blanks (space, tab).
std::vector<std::string> split_blank(std::string_view s);
bool starts_with_blank(std::string_view line);
// Removes a "# ..." comment that starts at a blank or at the line start.
std::string_view strip_comment(std::string_view line);
std::string lower(std::string_view s);

// Throws xvs::Error(EINVAL, "FILE:LINE: MSG").
[[noreturn]] void config_error(const std::string &file, int line, const std::string &msg);

// "3", "3s", "500ms", "1.5" (seconds) -> milliseconds; false when malformed.
bool parse_duration(std::string_view text, std::chrono::milliseconds &out);
// Unsigned decimal within [lo, hi].
bool parse_uint(std::string_view text, unsigned long lo, unsigned long hi, unsigned long &out);
// yes/no, on/off, true/false, 1/0.
bool parse_bool(std::string_view text, bool &out);
// Removes one pair of surrounding double or single quotes.
std::string unquote(std::string_view s);

std::string read_file(const std::string &path);

} // namespace xvsd
