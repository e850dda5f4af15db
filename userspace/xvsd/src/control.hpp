// xvsd: the local control socket (`xvsd status`) and the Prometheus
// text-format endpoint.  Both answer one request per connection.
#pragma once

#include <string>

#include "fd.hpp"

namespace xvsd {

class ControlServer {
public:
	explicit ControlServer(std::string path);	// throws xvs::Error
	ControlServer(const ControlServer &) = delete;
	ControlServer &operator=(const ControlServer &) = delete;
	~ControlServer();
	int fd() const { return fd_.get(); }
	// Accepts one client, reads its command line, returns it with the
	// connection; "" when the client sent nothing usable.
	Fd accept(std::string &command);

private:
	std::string path_;
	Fd fd_;
};

class MetricsServer {
public:
	explicit MetricsServer(const std::string &listen);	// "127.0.0.1:9680"
	int fd() const { return fd_.get(); }
	// Accepts one client and reads its request head; returns the
	// connection, not valid when the request was not a GET.
	Fd accept(std::string &path);

private:
	Fd fd_;
};

// Writes everything (best effort, bounded by a short timeout).
void write_all(int fd, const std::string &data);
// Client side of the control socket: sends `command`, returns the answer.
std::string control_request(const std::string &path, const std::string &command);

} // namespace xvsd
