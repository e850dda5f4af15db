#include "checks.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <random>

#include "fd.hpp"

namespace xvsd {

namespace {

using Clock = std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;

struct CheckFailed {
	std::string why;
};

int remaining_ms(Clock::time_point deadline)
{
	auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now()).count();
	return left > 0 ? static_cast<int>(left) : 0;
}

sockaddr_storage sockaddr_of(const xvs::Address &a, std::uint16_t port, socklen_t &len)
{
	sockaddr_storage ss{};
	if (a.is_v6()) {
		auto *s6 = reinterpret_cast<sockaddr_in6 *>(&ss);
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		std::memcpy(&s6->sin6_addr, a.bytes.data(), 16);
		len = sizeof(*s6);
	} else {
		auto *s4 = reinterpret_cast<sockaddr_in *>(&ss);
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		std::memcpy(&s4->sin_addr, a.bytes.data(), 4);
		len = sizeof(*s4);
	}
	return ss;
}

void wait_fd(int fd, short events, Clock::time_point deadline, const char *what)
{
	while (true) {
		pollfd p{fd, events, 0};
		int r = ::poll(&p, 1, remaining_ms(deadline));
		if (r > 0)
			return;
		if (r == 0)
			throw CheckFailed{std::string(what) + ": timed out"};
		if (errno != EINTR)
			throw CheckFailed{std::string(what) + ": " + std::strerror(errno)};
	}
}

Fd connect_to(const xvs::Address &a, std::uint16_t port, int type, Clock::time_point deadline)
{
	Fd fd(::socket(a.is_v6() ? AF_INET6 : AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
	if (!fd)
		throw CheckFailed{std::string("socket: ") + std::strerror(errno)};
	socklen_t len;
	auto ss = sockaddr_of(a, port, len);
	if (::connect(fd.get(), reinterpret_cast<sockaddr *>(&ss), len) < 0) {
		if (errno != EINPROGRESS)
			throw CheckFailed{std::string("connect: ") + std::strerror(errno)};
		wait_fd(fd.get(), POLLOUT, deadline, "connect");
		int err = 0;
		socklen_t el = sizeof(err);
		::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &el);
		if (err)
			throw CheckFailed{std::string("connect: ") + std::strerror(err)};
	}
	return fd;
}

// A byte stream: plain TCP or TLS over it.
class Stream {
public:
	Stream(Fd fd, Clock::time_point deadline) : fd_(std::move(fd)), deadline_(deadline) {}
	Stream(const Stream &) = delete;
	Stream &operator=(const Stream &) = delete;
	~Stream()
	{
		if (ssl_)
			SSL_free(ssl_);
		if (ctx_)
			SSL_CTX_free(ctx_);
	}

	void start_tls(const std::string &sni)
	{
		ctx_ = SSL_CTX_new(TLS_client_method());
		if (!ctx_)
			throw CheckFailed{"TLS: cannot create a context"};
		// like ldirectord: availability is checked, not identity
		SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);
		ssl_ = SSL_new(ctx_);
		if (!ssl_ || SSL_set_fd(ssl_, fd_.get()) != 1)
			throw CheckFailed{"TLS: cannot create a session"};
		if (!sni.empty())
			SSL_set_tlsext_host_name(ssl_, sni.c_str());
		while (true) {
			int r = SSL_connect(ssl_);
			if (r == 1)
				return;
			tls_wait(r, "TLS handshake");
		}
	}

	void write(const std::string &data)
	{
		std::size_t off = 0;
		while (off < data.size()) {
			if (ssl_) {
				int r = SSL_write(ssl_, data.data() + off, static_cast<int>(data.size() - off));
				if (r > 0) {
					off += static_cast<std::size_t>(r);
					continue;
				}
				tls_wait(r, "TLS write");
				continue;
			}
			ssize_t r = ::send(fd_.get(), data.data() + off, data.size() - off, MSG_NOSIGNAL);
			if (r > 0) {
				off += static_cast<std::size_t>(r);
			} else if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
				wait_fd(fd_.get(), POLLOUT, deadline_, "send");
			} else {
				throw CheckFailed{std::string("send: ") + std::strerror(errno)};
			}
		}
	}

	// Reads what is available (waits for at least one byte); "" at EOF.
	std::string read_some()
	{
		char buf[4096];
		while (true) {
			if (ssl_) {
				int r = SSL_read(ssl_, buf, sizeof(buf));
				if (r > 0)
					return std::string(buf, static_cast<std::size_t>(r));
				int e = SSL_get_error(ssl_, r);
				if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && r == 0))
					return {};
				tls_wait(r, "TLS read");
				continue;
			}
			ssize_t r = ::recv(fd_.get(), buf, sizeof(buf), 0);
			if (r > 0)
				return std::string(buf, static_cast<std::size_t>(r));
			if (r == 0)
				return {};
			if (errno == EAGAIN || errno == EINTR)
				wait_fd(fd_.get(), POLLIN, deadline_, "receive");
			else
				throw CheckFailed{std::string("receive: ") + std::strerror(errno)};
		}
	}

	// Reads one CRLF- or LF-terminated line.
	std::string read_line()
	{
		while (true) {
			auto nl = buf_.find('\n');
			if (nl != std::string::npos) {
				std::string l = buf_.substr(0, nl);
				buf_.erase(0, nl + 1);
				if (!l.empty() && l.back() == '\r')
					l.pop_back();
				return l;
			}
			if (buf_.size() > 8192)
				throw CheckFailed{"line too long"};
			std::string more = read_some();
			if (more.empty())
				throw CheckFailed{"connection closed by the server"};
			buf_ += more;
		}
	}

	std::string read_all(std::size_t limit)
	{
		std::string all = std::move(buf_);
		while (all.size() < limit) {
			std::string more = read_some();
			if (more.empty())
				break;
			all += more;
		}
		return all;
	}

private:
	void tls_wait(int r, const char *what)
	{
		int e = SSL_get_error(ssl_, r);
		if (e == SSL_ERROR_WANT_READ)
			wait_fd(fd_.get(), POLLIN, deadline_, what);
		else if (e == SSL_ERROR_WANT_WRITE)
			wait_fd(fd_.get(), POLLOUT, deadline_, what);
		else {
			char msg[256] = "";
			ERR_error_string_n(ERR_get_error(), msg, sizeof(msg));
			ERR_clear_error();
			throw CheckFailed{std::string(what) + " failed" + (msg[0] ? ": " : "") + msg};
		}
	}

	Fd fd_;
	Clock::time_point deadline_;
	SSL_CTX *ctx_ = nullptr;
	SSL *ssl_ = nullptr;
	std::string buf_;
};

std::string request_path(const VirtualService &vs, const RealServer &rs)
{
	std::string r = rs.request.empty() ? vs.request : rs.request;
	if (r.empty())
		return "/";
	if (r.starts_with("http://") || r.starts_with("https://")) {
		auto p = r.find('/', r.find("//") + 2);
		return p == std::string::npos ? "/" : r.substr(p);
	}
	return r[0] == '/' ? r : "/" + r;
}

std::string expect_of(const VirtualService &vs, const RealServer &rs)
{
	return rs.receive.empty() ? vs.receive : rs.receive;
}

std::string check_http(Stream &s, const VirtualService &vs, const RealServer &rs)
{
	std::string host = vs.virtualhost.empty() ? rs.ep.addr.str() : vs.virtualhost;
	std::string path = request_path(vs, rs);
	s.write(vs.httpmethod + " " + path + " HTTP/1.0\r\nHost: " + host +
		"\r\nUser-Agent: xvsd\r\nConnection: close\r\n\r\n");
	std::string resp = s.read_all(256 * 1024);
	auto eol = resp.find("\r\n");
	std::string status_line = resp.substr(0, eol == std::string::npos ? resp.find('\n') : eol);
	int code = 0;
	auto sp = status_line.find(' ');
	if (status_line.rfind("HTTP/", 0) != 0 || sp == std::string::npos ||
	    std::sscanf(status_line.c_str() + sp, " %3d", &code) != 1)
		throw CheckFailed{"not an HTTP answer"};
	if (vs.http_status ? code != vs.http_status : (code < 200 || code >= 400))
		throw CheckFailed{"GET " + path + " answered " + std::to_string(code)};
	std::string expect = expect_of(vs, rs);
	if (!expect.empty()) {
		auto body_at = resp.find("\r\n\r\n");
		std::string body = body_at == std::string::npos ? "" : resp.substr(body_at + 4);
		if (body.find(expect) == std::string::npos)
			throw CheckFailed{"GET " + path + ": answer lacks \"" + expect + "\""};
	}
	return "GET " + path + " " + std::to_string(code);
}

// Line-based banner protocols: the greeting must start with `ok`.
void expect_line(Stream &s, const std::string &ok, const std::string &what)
{
	std::string l = s.read_line();
	if (l.rfind(ok, 0) != 0)
		throw CheckFailed{what + ": unexpected answer \"" + l.substr(0, 80) + "\""};
}

// Multi-line SMTP/FTP replies: "NNN-..." continue, "NNN ..." ends.
std::string read_reply(Stream &s)
{
	while (true) {
		std::string l = s.read_line();
		if (l.size() < 4 || l[3] != '-')
			return l;
	}
}

std::string check_smtp(Stream &s)
{
	if (read_reply(s).rfind("220", 0) != 0)
		throw CheckFailed{"smtp: no 220 greeting"};
	s.write("HELO xvsd\r\n");
	std::string r = read_reply(s);
	if (r.rfind("250", 0) != 0)
		throw CheckFailed{"smtp: HELO answered \"" + r.substr(0, 80) + "\""};
	s.write("QUIT\r\n");
	return "smtp 250";
}

std::string check_pop(Stream &s, const VirtualService &vs)
{
	expect_line(s, "+OK", "pop");
	if (!vs.login.empty()) {
		s.write("USER " + vs.login + "\r\n");
		expect_line(s, "+OK", "pop USER");
		s.write("PASS " + vs.passwd + "\r\n");
		expect_line(s, "+OK", "pop PASS");
	}
	s.write("QUIT\r\n");
	return "pop +OK";
}

std::string check_imap(Stream &s, const VirtualService &vs)
{
	expect_line(s, "* OK", "imap");
	if (!vs.login.empty()) {
		s.write("a1 LOGIN \"" + vs.login + "\" \"" + vs.passwd + "\"\r\n");
		while (true) {
			std::string l = s.read_line();
			if (l.rfind("a1 ", 0) == 0) {
				if (l.rfind("a1 OK", 0) != 0)
					throw CheckFailed{"imap LOGIN: \"" + l.substr(0, 80) + "\""};
				break;
			}
		}
	}
	s.write("a2 LOGOUT\r\n");
	return "imap OK";
}

std::string check_ftp(Stream &s, const VirtualService &vs)
{
	if (read_reply(s).rfind("220", 0) != 0)
		throw CheckFailed{"ftp: no 220 greeting"};
	if (!vs.login.empty()) {
		s.write("USER " + vs.login + "\r\n");
		std::string r = read_reply(s);
		if (r.rfind("331", 0) == 0) {
			s.write("PASS " + vs.passwd + "\r\n");
			r = read_reply(s);
		}
		if (r.rfind("230", 0) != 0)
			throw CheckFailed{"ftp login: \"" + r.substr(0, 80) + "\""};
	}
	s.write("QUIT\r\n");
	return "ftp 220";
}

// DNS: an A query for `request` (default "localhost."); the answer must
// carry our id, be a response without error and, when `receive` is set,
// contain that IPv4 address in an A record.
std::string check_dns(const VirtualService &vs, const RealServer &rs, std::uint16_t port,
		      Clock::time_point deadline)
{
	std::string name = expect_of(vs, rs), query_name = rs.request.empty() ? vs.request : rs.request;
	if (query_name.empty())
		query_name = "localhost";
	std::random_device rd;
	std::uint16_t id = static_cast<std::uint16_t>(rd());
	std::string q;
	q += static_cast<char>(id >> 8);
	q += static_cast<char>(id & 0xff);
	q += std::string("\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 10);
	std::size_t start = 0;
	while (start <= query_name.size()) {
		auto dot = query_name.find('.', start);
		if (dot == std::string::npos)
			dot = query_name.size();
		std::size_t n = dot - start;
		if (n > 63)
			throw CheckFailed{"dns: label too long in request"};
		if (n) {
			q += static_cast<char>(n);
			q += query_name.substr(start, n);
		}
		start = dot + 1;
	}
	q += std::string("\x00\x00\x01\x00\x01", 5);
	bool tcp = vs.protocol == IPPROTO_TCP;
	Fd fd = connect_to(rs.ep.addr, port, tcp ? SOCK_STREAM : SOCK_DGRAM, deadline);
	std::string wire = q;
	if (tcp)
		wire = std::string{static_cast<char>(q.size() >> 8), static_cast<char>(q.size() & 0xff)} + q;
	if (::send(fd.get(), wire.data(), wire.size(), MSG_NOSIGNAL) < 0)
		throw CheckFailed{std::string("dns send: ") + std::strerror(errno)};
	wait_fd(fd.get(), POLLIN, deadline, "dns");
	unsigned char buf[4096];
	ssize_t r = ::recv(fd.get(), buf, sizeof(buf), 0);
	if (r < 0)
		throw CheckFailed{std::string("dns receive: ") + std::strerror(errno)};
	unsigned char *m = buf;
	if (tcp) {
		m += 2;
		r -= 2;
	}
	if (r < 12 || m[0] != (id >> 8) || m[1] != (id & 0xff) || !(m[2] & 0x80))
		throw CheckFailed{"dns: not an answer to our query"};
	int rcode = m[3] & 0x0f;
	if (rcode)
		throw CheckFailed{"dns: rcode " + std::to_string(rcode)};
	if (!name.empty()) {
		xvs::Address want;
		try {
			want = xvs::Address::parse(name);
		} catch (...) {
			throw CheckFailed{"dns: receive is not an IPv4 address"};
		}
		bool found = false;
		for (ssize_t i = 0; i + 4 <= r; i++)
			if (std::memcmp(m + i, "\x00\x01\x00\x01", 4) == 0 && i + 14 <= r &&
			    m[i + 8] == 0 && m[i + 9] == 4 && std::memcmp(m + i + 10, want.bytes.data(), 4) == 0)
				found = true;
		if (!found)
			throw CheckFailed{"dns: answer lacks " + name};
	}
	return "dns answer";
}

std::uint16_t icmp_sum(const unsigned char *p, std::size_t n)
{
	std::uint32_t s = 0;
	for (std::size_t i = 0; i + 1 < n; i += 2)
		s += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += static_cast<std::uint32_t>(p[n - 1] << 8);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return static_cast<std::uint16_t>(~s);
}

std::string check_ping(const RealServer &rs, Clock::time_point deadline)
{
	if (rs.ep.addr.is_v6())
		throw CheckFailed{"ping: IPv6 is not supported"};
	bool raw = true;
	Fd fd(::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP));
	if (!fd) {
		raw = false;
		fd = Fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_ICMP));
		if (!fd)
			throw CheckFailed{std::string("ping socket: ") + std::strerror(errno)};
	}
	std::random_device rd;
	std::uint16_t id = static_cast<std::uint16_t>(rd()), seq = 1;
	unsigned char pkt[16] = {8, 0, 0, 0, static_cast<unsigned char>(id >> 8),
				 static_cast<unsigned char>(id), 0, 1, 'x', 'v', 's', 'd'};
	auto sum = icmp_sum(pkt, sizeof(pkt));
	pkt[2] = static_cast<unsigned char>(sum >> 8);
	pkt[3] = static_cast<unsigned char>(sum);
	socklen_t len;
	auto ss = sockaddr_of(rs.ep.addr, 0, len);
	if (::sendto(fd.get(), pkt, sizeof(pkt), 0, reinterpret_cast<sockaddr *>(&ss), len) < 0)
		throw CheckFailed{std::string("ping send: ") + std::strerror(errno)};
	while (true) {
		wait_fd(fd.get(), POLLIN, deadline, "ping");
		unsigned char buf[1500];
		sockaddr_in from{};
		socklen_t fl = sizeof(from);
		ssize_t r = ::recvfrom(fd.get(), buf, sizeof(buf), 0, reinterpret_cast<sockaddr *>(&from), &fl);
		if (r < 0)
			continue;
		unsigned char *icmp = buf;
		if (raw) {
			std::size_t ihl = (buf[0] & 0x0f) * 4u;
			if (static_cast<std::size_t>(r) < ihl + 8)
				continue;
			icmp += ihl;
		}
		if (std::memcmp(&from.sin_addr, rs.ep.addr.bytes.data(), 4) != 0 || icmp[0] != 0)
			continue;
		// a datagram ICMP socket rewrites the id itself
		if (raw && (icmp[4] != (id >> 8) || icmp[5] != (id & 0xff) || icmp[7] != seq))
			continue;
		return "ping reply";
	}
}

std::string check_external(const VirtualService &vs, const RealServer &rs, Clock::time_point deadline)
{
	std::string vip = vs.fwmark ? std::to_string(vs.fwmark) : vs.ep.addr.str();
	std::string vport = std::to_string(vs.fwmark ? 0 : vs.ep.port);
	std::string rip = rs.ep.addr.str(), rport = std::to_string(rs.ep.port);
	pid_t pid = ::fork();
	if (pid < 0)
		throw CheckFailed{std::string("fork: ") + std::strerror(errno)};
	if (pid == 0) {
		int devnull = ::open("/dev/null", O_RDWR);
		if (devnull >= 0) {
			::dup2(devnull, 0);
			::dup2(devnull, 1);
		}
		::setpgid(0, 0);
		// like ldirectord: COMMAND VIP VPORT RIP RPORT
		::execl("/bin/sh", "sh", "-c", (vs.checkcommand + " \"$@\"").c_str(), "sh",
			vip.c_str(), vport.c_str(), rip.c_str(), rport.c_str(), static_cast<char *>(nullptr));
		::_exit(127);
	}
	int status = 0;
	while (true) {
		pid_t r = ::waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (remaining_ms(deadline) == 0) {
			::kill(-pid, SIGKILL);
			::kill(pid, SIGKILL);
			::waitpid(pid, &status, 0);
			throw CheckFailed{"external check timed out"};
		}
		::usleep(20000);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return "external check exit 0";
	if (WIFEXITED(status))
		throw CheckFailed{"external check exited " + std::to_string(WEXITSTATUS(status))};
	throw CheckFailed{"external check killed by signal " + std::to_string(WTERMSIG(status))};
}

std::string check_udp_connect(const RealServer &rs, std::uint16_t port, Clock::time_point deadline)
{
	// an ICMP port unreachable surfaces as ECONNREFUSED on the next recv
	Fd fd = connect_to(rs.ep.addr, port, SOCK_DGRAM, deadline);
	if (::send(fd.get(), "", 0, 0) < 0)
		throw CheckFailed{std::string("send: ") + std::strerror(errno)};
	pollfd p{fd.get(), POLLIN, 0};
	int wait = std::min(remaining_ms(deadline), 1000);
	if (::poll(&p, 1, wait) > 0) {
		char b;
		if (::recv(fd.get(), &b, 1, 0) < 0 && errno == ECONNREFUSED)
			throw CheckFailed{"udp port unreachable"};
	}
	return "udp no refusal";
}

std::string check_once(const VirtualService &vs, const RealServer &rs)
{
	std::uint16_t port = vs.checkport ? vs.checkport : rs.ep.port;
	auto now = Clock::now();
	switch (vs.checktype) {
	case CheckType::Off:
		throw CheckFailed{"checktype off: kept out of service"};
	case CheckType::On:
		return "checktype on";
	case CheckType::Ping:
		return check_ping(rs, now + vs.timing.checktimeout);
	case CheckType::External:
		return check_external(vs, rs, now + vs.timing.checktimeout);
	case CheckType::Connect:
		if (vs.protocol == IPPROTO_UDP)
			return check_udp_connect(rs, port, now + vs.timing.checktimeout);
		connect_to(rs.ep.addr, port, SOCK_STREAM, now + vs.timing.checktimeout);
		return "connect";
	case CheckType::Negotiate:
		break;
	}
	auto deadline = now + vs.timing.negotiatetimeout;
	if (vs.service == CheckService::Dns)
		return check_dns(vs, rs, port, deadline);
	if (vs.service == CheckService::None) {
		if (vs.protocol == IPPROTO_UDP)
			return check_udp_connect(rs, port, deadline);
		connect_to(rs.ep.addr, port, SOCK_STREAM, now + vs.timing.checktimeout);
		return "connect";
	}
	Stream s(connect_to(rs.ep.addr, port, SOCK_STREAM,
			    std::min(deadline, now + vs.timing.checktimeout)),
		 deadline);
	switch (vs.service) {
	case CheckService::Https:
		s.start_tls(vs.virtualhost);
		return check_http(s, vs, rs);
	case CheckService::Http:
		return check_http(s, vs, rs);
	case CheckService::Smtp:
		return check_smtp(s);
	case CheckService::Pop:
		return check_pop(s, vs);
	case CheckService::Imap:
		return check_imap(s, vs);
	case CheckService::Ftp:
		return check_ftp(s, vs);
	default:
		return "connect";
	}
}

} // namespace

CheckResult run_check(const VirtualService &vs, const RealServer &rs)
{
	CheckResult r;
	auto t0 = Clock::now();
	try {
		r.detail = check_once(vs, rs);
		r.ok = true;
	} catch (const CheckFailed &f) {
		r.detail = f.why;
	} catch (const std::exception &e) {
		r.detail = e.what();
	}
	r.latency = std::chrono::duration_cast<Millis>(Clock::now() - t0);
	std::string kind = vs.checktype == CheckType::Negotiate ? check_service_name(vs.service)
								: check_type_name(vs.checktype);
	r.detail = kind + " check " + (r.ok ? "passed: " : "failed: ") + r.detail;
	return r;
}

} // namespace xvsd
