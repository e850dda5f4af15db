// Health checks against servers on the loopback interface.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "checks.hpp"
#include "fd.hpp"

using namespace xvsd;

namespace {

// A TCP server on 127.0.0.1 that answers every connection with `reply`
// once it has read the request's first line (or at once when greet).
class TinyServer {
public:
	TinyServer(std::string reply, bool greet = false) : reply_(std::move(reply)), greet_(greet)
	{
		fd_ = Fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
		sockaddr_in sa{};
		sa.sin_family = AF_INET;
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		EXPECT_EQ(::bind(fd_.get(), reinterpret_cast<sockaddr *>(&sa), sizeof(sa)), 0);
		socklen_t len = sizeof(sa);
		::getsockname(fd_.get(), reinterpret_cast<sockaddr *>(&sa), &len);
		port_ = ntohs(sa.sin_port);
		::listen(fd_.get(), 4);
		thread_ = std::thread([this] { serve(); });
	}
	~TinyServer()
	{
		stop_ = true;
		::shutdown(fd_.get(), SHUT_RDWR);
		thread_.join();
	}
	std::uint16_t port() const { return port_; }
	std::string last_request;

private:
	void serve()
	{
		while (!stop_) {
			Fd c(::accept(fd_.get(), nullptr, nullptr));
			if (!c)
				return;
			if (greet_)
				::send(c.get(), reply_.data(), reply_.size(), MSG_NOSIGNAL);
			char buf[2048];
			ssize_t n = ::recv(c.get(), buf, sizeof(buf), 0);
			if (n > 0)
				last_request.assign(buf, static_cast<std::size_t>(n));
			if (!greet_)
				::send(c.get(), reply_.data(), reply_.size(), MSG_NOSIGNAL);
			else if (n > 0)
				::send(c.get(), "250 ok\r\n", 8, MSG_NOSIGNAL);
		}
	}
	std::string reply_;
	bool greet_;
	Fd fd_;
	std::uint16_t port_ = 0;
	std::atomic<bool> stop_{false};
	std::thread thread_;
};

LdConfig config_for(std::uint16_t port, const std::string &extra)
{
	std::string p = std::to_string(port);
	return parse_ldirectord("checktimeout=2\nnegotiatetimeout=2\nvirtual=10.0.0.1:" + p +
				"\n\treal=127.0.0.1:" + p + " gate\n" + extra);
}

// A port nothing listens on: bind, read the port, close.
std::uint16_t closed_port()
{
	Fd fd(::socket(AF_INET, SOCK_STREAM, 0));
	sockaddr_in sa{};
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	::bind(fd.get(), reinterpret_cast<sockaddr *>(&sa), sizeof(sa));
	socklen_t len = sizeof(sa);
	::getsockname(fd.get(), reinterpret_cast<sockaddr *>(&sa), &len);
	return ntohs(sa.sin_port);
}

} // namespace

TEST(Checks, HttpNegotiateRequestReceiveAndVirtualhost)
{
	TinyServer s("HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<h1>Test Page of www1</h1>\n");
	auto c = config_for(s.port(), "\tservice=http\n\trequest=\"index.html\"\n\treceive=\"Test Page\"\n"
				      "\tvirtualhost=www.example.com\n");
	auto r = run_check(c.virtuals[0], c.virtuals[0].reals[0]);
	EXPECT_TRUE(r.ok) << r.detail;
	EXPECT_EQ(s.last_request.substr(0, 26), "GET /index.html HTTP/1.0\r\n");
	EXPECT_NE(s.last_request.find("Host: www.example.com\r\n"), std::string::npos);

	auto bad = config_for(s.port(), "\tservice=http\n\treceive=\"Other Page\"\n");
	r = run_check(bad.virtuals[0], bad.virtuals[0].reals[0]);
	EXPECT_FALSE(r.ok);
	EXPECT_EQ(r.detail, "http check failed: GET /: answer lacks \"Other Page\"");
	auto status = config_for(s.port(), "\tservice=http\n\thttpstatus=204\n");
	r = run_check(status.virtuals[0], status.virtuals[0].reals[0]);
	EXPECT_FALSE(r.ok);
	EXPECT_EQ(r.detail, "http check failed: GET / answered 200");
}

TEST(Checks, HttpErrorStatusFails)
{
	TinyServer s("HTTP/1.0 503 Unavailable\r\n\r\nbusy");
	auto c = config_for(s.port(), "\tservice=http\n");
	auto r = run_check(c.virtuals[0], c.virtuals[0].reals[0]);
	EXPECT_FALSE(r.ok);
	EXPECT_EQ(r.detail, "http check failed: GET / answered 503");
}

TEST(Checks, ConnectRefused)
{
	auto port = closed_port();
	auto c = config_for(port, "\tchecktype=connect\n");
	auto r = run_check(c.virtuals[0], c.virtuals[0].reals[0]);
	EXPECT_FALSE(r.ok);
	EXPECT_EQ(r.detail, "connect check failed: connect: Connection refused");
	TinyServer s("x");
	auto ok = config_for(s.port(), "\tchecktype=connect\n");
	EXPECT_TRUE(run_check(ok.virtuals[0], ok.virtuals[0].reals[0]).ok);
}

TEST(Checks, SmtpBanner)
{
	TinyServer s("220 mail ready\r\n", true);
	auto c = config_for(s.port(), "\tservice=smtp\n");
	auto r = run_check(c.virtuals[0], c.virtuals[0].reals[0]);
	EXPECT_TRUE(r.ok) << r.detail;
	TinyServer bad("554 go away\r\n", true);
	auto c2 = config_for(bad.port(), "\tservice=smtp\n");
	EXPECT_FALSE(run_check(c2.virtuals[0], c2.virtuals[0].reals[0]).ok);
}

TEST(Checks, HttpsAgainstPlainServerFails)
{
	TinyServer s("HTTP/1.0 200 OK\r\n\r\nhello");
	auto c = config_for(s.port(), "\tservice=https\n");
	auto r = run_check(c.virtuals[0], c.virtuals[0].reals[0]);
	EXPECT_FALSE(r.ok);
	EXPECT_EQ(r.detail.rfind("https check failed: TLS handshake", 0), 0u) << r.detail;
}

TEST(Checks, ExternalCommandGetsTheAddresses)
{
	auto c = config_for(80, "\tchecktype=external\n\tcheckcommand=test \"$1 $2 $3 $4\" = \"10.0.0.1 80 127.0.0.1 80\" && true\n");
	auto r = run_check(c.virtuals[0], c.virtuals[0].reals[0]);
	EXPECT_TRUE(r.ok) << r.detail;
	auto f = config_for(80, "\tchecktype=external\n\tcheckcommand=exit 3; :\n");
	r = run_check(f.virtuals[0], f.virtuals[0].reals[0]);
	EXPECT_FALSE(r.ok);
	EXPECT_EQ(r.detail, "external check failed: external check exited 3");
	auto slow = parse_ldirectord("checktimeout=1\nvirtual=10.0.0.1:80\n\treal=127.0.0.1:80 gate\n"
				     "\tchecktype=external\n\tcheckcommand=sleep 5; :\n");
	r = run_check(slow.virtuals[0], slow.virtuals[0].reals[0]);
	EXPECT_FALSE(r.ok);
	EXPECT_EQ(r.detail, "external check failed: external check timed out");
	EXPECT_LT(r.latency.count(), 3000);
}
