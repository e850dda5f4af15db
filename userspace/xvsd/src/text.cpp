#include "text.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "xvs/error.hpp"

namespace xvsd {

std::string_view trim(std::string_view s)
{
	const char *ws = " \t\r\n";
	auto b = s.find_first_not_of(ws);
	if (b == std::string_view::npos)
		return {};
	auto e = s.find_last_not_of(ws);
	return s.substr(b, e - b + 1);
}

std::vector<std::string> split_blank(std::string_view s)
{
	std::vector<std::string> out;
	std::size_t i = 0;
	while (i < s.size()) {
		while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
			i++;
		std::size_t b = i;
		while (i < s.size() && s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			i++;
		if (i > b)
			out.emplace_back(s.substr(b, i - b));
	}
	return out;
}

bool starts_with_blank(std::string_view line)
{
	return !line.empty() && (line[0] == ' ' || line[0] == '\t');
}

std::string_view strip_comment(std::string_view line)
{
	for (std::size_t i = 0; i < line.size(); i++) {
		if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t'))
			return line.substr(0, i);
	}
	return line;
}

std::string lower(std::string_view s)
{
	std::string r(s);
	for (auto &c : r)
		if (c >= 'A' && c <= 'Z')
			c = static_cast<char>(c - 'A' + 'a');
	return r;
}

void config_error(const std::string &file, int line, const std::string &msg)
{
	throw xvs::Error(EINVAL, file + ":" + std::to_string(line) + ": " + msg);
}

bool parse_duration(std::string_view text, std::chrono::milliseconds &out)
{
	std::string t(trim(text));
	double scale = 1000.0;
	if (t.size() > 2 && t.ends_with("ms")) {
		scale = 1.0;
		t.resize(t.size() - 2);
	} else if (t.size() > 1 && t.ends_with("s")) {
		t.resize(t.size() - 1);
	}
	if (t.empty() || t.find_first_not_of("0123456789.") != std::string::npos)
		return false;
	char *end = nullptr;
	errno = 0;
	double v = std::strtod(t.c_str(), &end);
	if (errno || *end || !std::isfinite(v) || v < 0 || v > 86400.0 * 1000)
		return false;
	out = std::chrono::milliseconds(static_cast<long long>(std::llround(v * scale)));
	return true;
}

bool parse_uint(std::string_view text, unsigned long lo, unsigned long hi, unsigned long &out)
{
	std::string t(trim(text));
	if (t.empty() || t.size() > 12 || t.find_first_not_of("0123456789") != std::string::npos)
		return false;
	unsigned long v = std::stoul(t);
	if (v < lo || v > hi)
		return false;
	out = v;
	return true;
}

bool parse_bool(std::string_view text, bool &out)
{
	auto t = lower(trim(text));
	if (t == "yes" || t == "on" || t == "true" || t == "1") {
		out = true;
		return true;
	}
	if (t == "no" || t == "off" || t == "false" || t == "0") {
		out = false;
		return true;
	}
	return false;
}

std::string unquote(std::string_view s)
{
	s = trim(s);
	if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front())
		return std::string(s.substr(1, s.size() - 2));
	return std::string(s);
}

std::string read_file(const std::string &path)
{
	std::ifstream in(path, std::ios::binary);
	if (!in)
		throw xvs::Error(errno ? errno : ENOENT, "cannot read " + path);
	std::ostringstream ss;
	ss << in.rdbuf();
	return ss.str();
}

} // namespace xvsd
