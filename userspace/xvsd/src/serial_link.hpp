// xvsd: heartbeat links on serial lines (ha.cf "serial" and "baud").  The
// packets are the UDP links' signed text packets; on a byte stream their
// own first line (">>>") and last line ("<<<") delimit them.  The device is
// used in raw mode at the configured speed, without blocking, and reopened
// when it fails.
#pragma once

#include <poll.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fd.hpp"
#include "log.hpp"

namespace xvsd {

// Cuts a byte stream into packets.  Bytes outside a packet (line noise,
// a packet cut short, one longer than a packet can be) are discarded and
// counted; what comes out still has to pass decode_packet().
class FrameReader {
public:
	static constexpr std::size_t max_frame = 4096;	// as decode_packet()

	void feed(std::string_view bytes) { buf_.append(bytes); }
	std::optional<std::string> next();
	std::uint64_t discarded() const { return discarded_; }
	void clear();

private:
	void drop(std::size_t n);

	std::string buf_;
	std::uint64_t discarded_ = 0;
};

// ha.cf's baud value as a termios speed; false when unknown.
bool serial_speed(unsigned baud, unsigned &speed);

class SerialLink {
public:
	using Time = std::chrono::steady_clock::time_point;
	static constexpr std::chrono::milliseconds retry_interval{2000};
	// Output waiting (in xvsd and in the tty) beyond which a packet is
	// dropped: a line whose other end does not read holds stale packets
	// only, and no more than about a second of them at 19200 baud.
	static constexpr std::size_t max_pending = 1024;
	static constexpr std::chrono::milliseconds close_drain{500};

	// Opens the device at once; when that fails, the failure is logged
	// and maintain() tries again.
	SerialLink(std::string device, unsigned baud, Logger &log, Time now);
	// Gives the last packets (leaving) close_drain to go out.
	~SerialLink();
	SerialLink(const SerialLink &) = delete;
	SerialLink &operator=(const SerialLink &) = delete;

	const std::string &device() const { return dev_; }
	bool is_open() const { return static_cast<bool>(fd_); }
	// The poll entry while open: POLLIN, POLLOUT while output waits.
	std::optional<pollfd> poll_entry() const;
	// Reopens a failed device when its retry is due.
	void maintain(Time now);
	// Queues a packet and writes what the line takes now; dropped when
	// the device is closed or too much output is waiting.
	void send(std::string_view frame);
	// After poll() reported `revents` on the link's fd: reads, writes,
	// and appends the complete frames received to `out`.
	void service(short revents, std::vector<std::string> &out, Time now);

	struct Stats {
		std::uint64_t frames_in = 0, frames_out = 0;
		std::uint64_t discarded_bytes = 0;	// outside any frame
		std::uint64_t dropped_out = 0;		// not sent: closed or backlog
		std::uint64_t reopens = 0;
	};
	Stats stats() const;
	const std::string &error() const { return error_; }	// last failure, "" once open

private:
	bool open_device(Time now);
	void fail(const std::string &what, int err, Time now);
	void flush(Time now);
	std::size_t queued() const;	// in the tty's output buffer
	void close_device();

	std::string dev_;
	unsigned baud_;
	unsigned speed_;
	Logger &log_;
	Fd fd_;
	FrameReader reader_;
	std::string out_;
	Time retry_at_{};
	std::string error_;
	bool opened_once_ = false;
	Stats stats_;
};

} // namespace xvsd
