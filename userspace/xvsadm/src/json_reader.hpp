// xvsadm: a small JSON reader (objects, arrays, strings, numbers and the
// literals), enough for the documents `xvsadm apply` reads: every value
// remembers the line it starts on, for error messages.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace xvsadm {

struct JValue;
using JObject = std::vector<std::pair<std::string, JValue>>;
using JArray = std::vector<JValue>;

struct JValue {
	std::variant<std::nullptr_t, bool, double, std::string, JObject,
		     JArray> v;
	int line = 0;

	const JValue *get(const std::string &k) const
	{
		if (auto *o = std::get_if<JObject>(&v))
			for (const auto &kv : *o)
				if (kv.first == k)
					return &kv.second;
		return nullptr;
	}
	bool is_null() const { return std::holds_alternative<std::nullptr_t>(v); }
};

// A document that is not JSON: the line (1-based) and what is wrong.
struct JsonError {
	int line;
	std::string message;
};

// Parses a whole document; throws JsonError.  Strings may hold only ASCII
// \u escapes.
JValue read_json(const std::string &text);

} // namespace xvsadm
