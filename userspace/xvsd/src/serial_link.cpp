#include "serial_link.hpp"

#include <fcntl.h>
#include <linux/serial.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "xvs/error.hpp"

namespace xvsd {

namespace {

constexpr std::string_view frame_begin = ">>>\n";
constexpr std::string_view frame_end = "\n<<<\n";

} // namespace

void FrameReader::drop(std::size_t n)
{
	buf_.erase(0, n);
	discarded_ += n;
}

void FrameReader::clear()
{
	discarded_ += buf_.size();
	buf_.clear();
}

std::optional<std::string> FrameReader::next()
{
	// (a frame's body never holds either marker: its lines are key=value)
	const std::size_t keep = frame_begin.size() - 1;	// a marker's start
	while (true) {
		auto start = buf_.find(frame_begin);
		if (start == std::string::npos) {
			if (buf_.size() > keep)
				drop(buf_.size() - keep);
			return std::nullopt;
		}
		drop(start);
		// the end marker's newline may be the begin marker's: an
		// empty frame, which decode_packet() rejects
		auto end = buf_.find(frame_end, frame_begin.size() - 1);
		auto again = buf_.find(frame_begin, frame_begin.size());
		if (again != std::string::npos && (end == std::string::npos || again < end)) {
			drop(again);	// a frame cut short: the next one began
			continue;
		}
		if (end == std::string::npos) {
			if (buf_.size() > max_frame)
				drop(buf_.size() - keep);
			return std::nullopt;
		}
		std::size_t len = end + frame_end.size();
		if (len > max_frame) {
			drop(len);
			continue;
		}
		std::string f = buf_.substr(0, len);
		buf_.erase(0, len);
		return f;
	}
}

bool serial_speed(unsigned baud, unsigned &speed)
{
	switch (baud) {
	case 300: speed = B300; return true;
	case 600: speed = B600; return true;
	case 1200: speed = B1200; return true;
	case 2400: speed = B2400; return true;
	case 4800: speed = B4800; return true;
	case 9600: speed = B9600; return true;
	case 19200: speed = B19200; return true;
	case 38400: speed = B38400; return true;
	case 57600: speed = B57600; return true;
	case 115200: speed = B115200; return true;
	case 230400: speed = B230400; return true;
	}
	return false;
}

SerialLink::SerialLink(std::string device, unsigned baud, Logger &log, Time now)
	: dev_(std::move(device)), baud_(baud), log_(log)
{
	if (!serial_speed(baud, speed_))
		throw xvs::Error(EINVAL, "serial " + dev_ + ": unsupported baud " + std::to_string(baud));
	open_device(now);
}

bool SerialLink::open_device(Time now)
{
	Fd fd(::open(dev_.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
	std::string what = "open";
	int err = 0;
	termios t{};
	if (!fd) {
		err = errno;
	} else if (!::isatty(fd.get())) {
		what = "isatty";
		err = ENOTTY;
	} else if (::tcgetattr(fd.get(), &t) < 0) {
		what = "tcgetattr";
		err = errno;
	} else {
		// raw 8N1, no flow control, modem lines ignored (a null-modem
		// cable carries only data)
		::cfmakeraw(&t);
		t.c_cflag &= ~static_cast<tcflag_t>(CSTOPB | PARENB | CRTSCTS | HUPCL);
		t.c_cflag |= CS8 | CLOCAL | CREAD;
		t.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY);
		t.c_cc[VMIN] = 1;
		t.c_cc[VTIME] = 0;
		if (::cfsetispeed(&t, speed_) < 0 || ::cfsetospeed(&t, speed_) < 0) {
			what = "cfsetspeed";
			err = errno;
		} else if (::tcsetattr(fd.get(), TCSANOW, &t) < 0) {
			what = "tcsetattr";
			err = errno;
		}
	}
	if (err) {
		fail(what, err, now);
		return false;
	}
	::tcflush(fd.get(), TCIOFLUSH);	// whatever waited from before
	// A UART whose output cannot drain (the other end reads nothing, a
	// modem line holds it) makes close() wait for 30 s by default: xvsd
	// must not stall, so it closes at once.  Best effort: a pty has no
	// such setting.
	serial_struct ss{};
	if (::ioctl(fd.get(), TIOCGSERIAL, &ss) == 0 && ss.closing_wait != ASYNC_CLOSING_WAIT_NONE) {
		ss.closing_wait = ASYNC_CLOSING_WAIT_NONE;
		(void)::ioctl(fd.get(), TIOCSSERIAL, &ss);
	}
	fd_ = std::move(fd);
	reader_.clear();
	out_.clear();
	error_.clear();
	if (opened_once_)
		stats_.reopens++;
	opened_once_ = true;
	log_.info("heartbeat link: serial " + dev_ + " at " + std::to_string(baud_) + " baud");
	return true;
}

void SerialLink::fail(const std::string &what, int err, Time now)
{
	std::string e = what + ": " + std::strerror(err);
	if (e != error_)
		log_.info("ERROR: serial link " + dev_ + ": " + e + "; retrying every " +
			  std::to_string(retry_interval.count() / 1000) + " s");
	error_ = e;
	close_device();
	retry_at_ = now + retry_interval;
}

void SerialLink::close_device()
{
	if (fd_)
		::tcflush(fd_.get(), TCOFLUSH);	// nothing to wait for at close
	fd_.reset();
	out_.clear();
}

SerialLink::~SerialLink()
{
	auto end = std::chrono::steady_clock::now() + close_drain;
	while (fd_ && std::chrono::steady_clock::now() < end) {
		flush(std::chrono::steady_clock::now());
		if (fd_ && out_.empty() && queued() == 0)
			break;
		pollfd p{fd_.get(), POLLOUT, 0};
		::poll(&p, 1, 10);
	}
	close_device();
}

std::size_t SerialLink::queued() const
{
	int n = 0;
	if (!fd_ || ::ioctl(fd_.get(), TIOCOUTQ, &n) < 0 || n < 0)
		return 0;
	return static_cast<std::size_t>(n);
}

void SerialLink::maintain(Time now)
{
	if (!fd_ && now >= retry_at_)
		open_device(now);
}

std::optional<pollfd> SerialLink::poll_entry() const
{
	if (!fd_)
		return std::nullopt;
	pollfd p{};
	p.fd = fd_.get();
	p.events = static_cast<short>(POLLIN | (out_.empty() ? 0 : POLLOUT));
	return p;
}

void SerialLink::send(std::string_view frame)
{
	if (!fd_ || out_.size() + queued() + frame.size() > max_pending) {
		stats_.dropped_out++;
		return;
	}
	out_.append(frame);
	stats_.frames_out++;
	flush(std::chrono::steady_clock::now());
}

void SerialLink::flush(Time now)
{
	while (fd_ && !out_.empty()) {
		ssize_t n = ::write(fd_.get(), out_.data(), out_.size());
		if (n > 0) {
			out_.erase(0, static_cast<std::size_t>(n));
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		fail("write", n < 0 ? errno : EIO, now);
	}
}

void SerialLink::service(short revents, std::vector<std::string> &out, Time now)
{
	if (!fd_)
		return;
	bool got = false;
	if (revents & (POLLIN | POLLHUP | POLLERR)) {
		char buf[1024];
		while (fd_) {
			ssize_t n = ::read(fd_.get(), buf, sizeof(buf));
			if (n > 0) {
				got = true;
				reader_.feed(std::string_view(buf, static_cast<std::size_t>(n)));
				continue;
			}
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				break;
			// 0: hung up (a pty whose other side closed); or an error
			fail("read", n < 0 ? errno : EPIPE, now);
		}
		while (auto f = reader_.next()) {
			stats_.frames_in++;
			out.push_back(std::move(*f));
		}
	}
	if (fd_ && (revents & POLLNVAL))
		fail("poll", EBADF, now);
	if (fd_ && !got && (revents & (POLLHUP | POLLERR)))
		fail("poll", EIO, now);
	if (fd_ && (revents & POLLOUT))
		flush(now);
}

SerialLink::Stats SerialLink::stats() const
{
	Stats s = stats_;
	s.discarded_bytes = reader_.discarded();
	return s;
}

} // namespace xvsd
