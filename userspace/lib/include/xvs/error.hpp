// xvs userspace: the single error type of the library.
//
// Every failure -- a kernel NLMSG_ERROR, a socket error, a malformed reply, a
// bad argument -- is reported by throwing xvs::Error.  It carries a positive
// errno value, a human-readable message and, when the kernel attached one via
// extended ACK, the kernel's own explanation.
#pragma once

#include <string>
#include <stdexcept>

namespace xvs {

class Error : public std::runtime_error {
public:
	Error(int code, const std::string &what, std::string extack = {});

	// Positive errno value (EINVAL, ESRCH, ...).
	int code() const noexcept { return code_; }
	// Kernel extended-ACK message; empty when the kernel sent none.
	const std::string &extack() const noexcept { return extack_; }

private:
	int code_;
	std::string extack_;
};

// Symbolic name of an errno value ("EINVAL"), or its number as text.
std::string errno_name(int code);

} // namespace xvs
