#include "json_reader.hpp"

#include <cctype>
#include <cstdlib>
#include <cstring>

namespace xvsadm {

namespace {

class JParser {
public:
	explicit JParser(const std::string &t) : t_(t) {}

	JValue document()
	{
		JValue v = value();
		ws();
		if (p_ != t_.size())
			err("trailing characters after the JSON document");
		return v;
	}

private:
	[[noreturn]] void err(const std::string &m)
	{
		throw JsonError{line_, m};
	}
	void ws()
	{
		while (p_ < t_.size() && std::isspace(static_cast<unsigned char>(t_[p_]))) {
			if (t_[p_] == '\n')
				line_++;
			p_++;
		}
	}
	bool eat(char c)
	{
		ws();
		if (p_ < t_.size() && t_[p_] == c) {
			p_++;
			return true;
		}
		return false;
	}
	JValue value()
	{
		ws();
		JValue out;
		out.line = line_;
		if (p_ >= t_.size())
			err("unexpected end of the JSON document");
		char c = t_[p_];
		if (c == '{') {
			p_++;
			JObject o;
			if (!eat('}')) {
				do {
					ws();
					if (p_ >= t_.size() || t_[p_] != '"')
						err("expected a string key");
					std::string k = string();
					if (!eat(':'))
						err("expected ':' after key \"" + k + "\"");
					o.emplace_back(k, value());
				} while (eat(','));
				if (!eat('}'))
					err("expected ',' or '}' in object");
			}
			out.v = std::move(o);
		} else if (c == '[') {
			p_++;
			JArray a;
			if (!eat(']')) {
				do {
					a.push_back(value());
				} while (eat(','));
				if (!eat(']'))
					err("expected ',' or ']' in array");
			}
			out.v = std::move(a);
		} else if (c == '"') {
			out.v = string();
		} else if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
			std::size_t s = p_;
			p_++;
			while (p_ < t_.size() && (std::isdigit(static_cast<unsigned char>(t_[p_])) ||
						  std::strchr(".eE+-", t_[p_])))
				p_++;
			std::string num = t_.substr(s, p_ - s);
			char *end;
			double d = std::strtod(num.c_str(), &end);
			if (*end)
				err("bad number " + num);
			out.v = d;
		} else if (t_.compare(p_, 4, "true") == 0) {
			p_ += 4;
			out.v = true;
		} else if (t_.compare(p_, 5, "false") == 0) {
			p_ += 5;
			out.v = false;
		} else if (t_.compare(p_, 4, "null") == 0) {
			p_ += 4;
			out.v = nullptr;
		} else {
			err(std::string("unexpected character '") + c + "'");
		}
		return out;
	}
	std::string string()
	{
		p_++;	// opening quote
		std::string s;
		while (true) {
			if (p_ >= t_.size())
				err("unterminated string");
			char c = t_[p_++];
			if (c == '"')
				return s;
			if (c == '\n')
				err("newline in string");
			if (c != '\\') {
				s += c;
				continue;
			}
			if (p_ >= t_.size())
				err("unterminated string");
			char e = t_[p_++];
			switch (e) {
			case '"': case '\\': case '/': s += e; break;
			case 'n': s += '\n'; break;
			case 't': s += '\t'; break;
			case 'r': s += '\r'; break;
			case 'b': s += '\b'; break;
			case 'f': s += '\f'; break;
			case 'u': {
				unsigned cp = 0;
				for (int k = 0; k < 4; k++, p_++) {
					if (p_ >= t_.size() || !std::isxdigit(
						static_cast<unsigned char>(t_[p_])))
						err("bad \\u escape");
					char h = static_cast<char>(std::tolower(
						static_cast<unsigned char>(t_[p_])));
					cp = cp * 16 + static_cast<unsigned>(
						h <= '9' ? h - '0' : h - 'a' + 10);
				}
				if (cp < 0x80) {
					s += static_cast<char>(cp);
				} else {
					err("non-ASCII \\u escape");
				}
				break;
			}
			default:
				err(std::string("bad escape \\") + e);
			}
		}
	}

	const std::string &t_;
	std::size_t p_ = 0;
	int line_ = 1;
};

} // namespace

JValue read_json(const std::string &text)
{
	return JParser(text).document();
}

} // namespace xvsadm
