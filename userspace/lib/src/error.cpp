#include "xvs/error.hpp"

#include <cerrno>
#include <cstring>

namespace xvs {

Error::Error(int code, const std::string &what, std::string extack)
	: std::runtime_error(extack.empty() ? what : what + ": " + extack),
	  code_(code), extack_(std::move(extack))
{
}

std::string errno_name(int code)
{
	// strerrorname_np() is glibc >= 2.32; fall back to the number.
	const char *name = code ? strerrorname_np(code) : "OK";
	return name ? name : std::to_string(code);
}

} // namespace xvs
