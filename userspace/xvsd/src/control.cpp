#include "control.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "xvs/error.hpp"
#include "xvs/types.hpp"

namespace xvsd {

static sockaddr_un unix_addr(const std::string &path)
{
	sockaddr_un sa{};
	sa.sun_family = AF_UNIX;
	if (path.size() >= sizeof(sa.sun_path))
		throw xvs::Error(ENAMETOOLONG, "control socket path too long: " + path);
	std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
	return sa;
}

// Reads until `end` is seen, the peer closes, 1 s passes or 8 KiB came.
static std::string read_request(int fd, const std::string &end)
{
	std::string in;
	while (in.size() < 8192 && in.find(end) == std::string::npos) {
		pollfd p{fd, POLLIN, 0};
		if (::poll(&p, 1, 1000) <= 0)
			break;
		char buf[1024];
		ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		in.append(buf, static_cast<std::size_t>(n));
	}
	return in;
}

ControlServer::ControlServer(std::string path) : path_(std::move(path))
{
	auto sa = unix_addr(path_);
	fd_ = Fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
	if (!fd_)
		throw xvs::Error(errno, "unix socket");
	// a socket left by a daemon that died; a live one answers connect
	Fd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (probe && ::connect(probe.get(), reinterpret_cast<sockaddr *>(&sa), sizeof(sa)) == 0)
		throw xvs::Error(EADDRINUSE, "another xvsd answers on " + path_);
	::unlink(path_.c_str());
	if (::bind(fd_.get(), reinterpret_cast<sockaddr *>(&sa), sizeof(sa)) < 0 ||
	    ::listen(fd_.get(), 8) < 0)
		throw xvs::Error(errno, "control socket " + path_ + ": " + std::strerror(errno));
	::chmod(path_.c_str(), 0600);
}

ControlServer::~ControlServer()
{
	if (fd_)
		::unlink(path_.c_str());
}

Fd ControlServer::accept(std::string &command)
{
	Fd c(::accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
	command.clear();
	if (!c)
		return c;
	std::string in = read_request(c.get(), "\n");
	auto nl = in.find('\n');
	command = in.substr(0, nl);
	return c;
}

MetricsServer::MetricsServer(const std::string &listen)
{
	auto colon = listen.rfind(':');
	if (colon == std::string::npos)
		throw xvs::Error(EINVAL, "metrics address must be ADDRESS:PORT, got " + listen);
	xvs::Address a = xvs::Address::parse(listen.substr(0, colon));
	unsigned long port = std::stoul(listen.substr(colon + 1));
	if (a.af != AF_INET || port == 0 || port > 65535)
		throw xvs::Error(EINVAL, "metrics address must be IPv4:PORT, got " + listen);
	fd_ = Fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
	if (!fd_)
		throw xvs::Error(errno, "metrics socket");
	int one = 1;
	::setsockopt(fd_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sockaddr_in sa{};
	sa.sin_family = AF_INET;
	sa.sin_port = htons(static_cast<std::uint16_t>(port));
	std::memcpy(&sa.sin_addr, a.bytes.data(), 4);
	if (::bind(fd_.get(), reinterpret_cast<sockaddr *>(&sa), sizeof(sa)) < 0 ||
	    ::listen(fd_.get(), 8) < 0)
		throw xvs::Error(errno, "metrics endpoint " + listen + ": " + std::strerror(errno));
}

Fd MetricsServer::accept(std::string &path)
{
	Fd c(::accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
	path.clear();
	if (!c)
		return c;
	std::string in = read_request(c.get(), "\r\n\r\n");
	if (in.rfind("GET ", 0) == 0) {
		auto sp = in.find(' ', 4);
		path = in.substr(4, sp == std::string::npos ? std::string::npos : sp - 4);
	}
	return c;
}

void write_all(int fd, const std::string &data)
{
	std::size_t off = 0;
	while (off < data.size()) {
		ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
		if (n > 0) {
			off += static_cast<std::size_t>(n);
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			pollfd p{fd, POLLOUT, 0};
			if (::poll(&p, 1, 1000) <= 0)
				return;
			continue;
		}
		return;
	}
}

std::string control_request(const std::string &path, const std::string &command)
{
	auto sa = unix_addr(path);
	Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (!fd)
		throw xvs::Error(errno, "unix socket");
	if (::connect(fd.get(), reinterpret_cast<sockaddr *>(&sa), sizeof(sa)) < 0)
		throw xvs::Error(errno, "cannot reach xvsd on " + path + ": " + std::strerror(errno) +
					" (is it running?)");
	write_all(fd.get(), command + "\n");
	std::string out;
	char buf[4096];
	while (true) {
		pollfd p{fd.get(), POLLIN, 0};
		if (::poll(&p, 1, 5000) <= 0)
			throw xvs::Error(ETIMEDOUT, "xvsd did not answer");
		ssize_t n = ::recv(fd.get(), buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		out.append(buf, static_cast<std::size_t>(n));
	}
	return out;
}

} // namespace xvsd
