// Serial heartbeat links: the framing of packets on a byte stream, and two
// SerialLinks talking through pseudo-terminals (openpty) joined by a relay
// the test controls: it can add line noise, inject frames, or cut the line.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <filesystem>
#include <functional>

#include "hb_transport.hpp"
#include "heartbeat.hpp"
#include "serial_link.hpp"
#include "xvs/error.hpp"

using namespace xvsd;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

AuthKeys keys(const std::string &secret)
{
	AuthKeys k;
	k.active = 2;
	AuthKey key;
	key.index = 2;
	key.method = AuthKey::Method::Sha1;
	key.secret = secret;
	k.keys.push_back(key);
	return k;
}

std::string packet(const std::string &node, std::uint64_t seq, const AuthKeys &k)
{
	HbPacket p;
	p.node = node;
	p.gen = 7;
	p.seq = seq;
	return encode_packet(p, k);
}

std::vector<std::string> all_frames(FrameReader &r)
{
	std::vector<std::string> out;
	while (auto f = r.next())
		out.push_back(*f);
	return out;
}

} // namespace

TEST(FrameReader, ByteByByteAndNoise)
{
	auto k = keys("s");
	std::string a = packet("ha1", 1, k), b = packet("ha1", 2, k);
	std::string noise = "\x01\xff<<<\n>>\n\n>>";
	std::string stream = noise + a + "garbage\n" + b + "\r\n";
	FrameReader r;
	std::vector<std::string> got;
	for (char c : stream) {
		r.feed(std::string_view(&c, 1));
		for (auto &f : all_frames(r))
			got.push_back(f);
	}
	ASSERT_EQ(got.size(), 2u);
	EXPECT_EQ(got[0], a);
	EXPECT_EQ(got[1], b);
	std::string why;
	EXPECT_TRUE(decode_packet(got[1], k, why)) << why;
	// everything else was discarded (but the last bytes, which may yet
	// start a frame)
	EXPECT_GE(r.discarded(), noise.size() + 8);
}

TEST(FrameReader, CutShortAndOversized)
{
	auto k = keys("s");
	std::string a = packet("ha1", 1, k), b = packet("ha1", 2, k);
	FrameReader r;
	// a frame that lost its end: the next frame's begin marker ends it
	r.feed(a.substr(0, a.size() - 6) + b);
	auto got = all_frames(r);
	ASSERT_EQ(got.size(), 1u);
	EXPECT_EQ(got[0], b);
	EXPECT_EQ(r.discarded(), a.size() - 6);
	// a begin marker followed by more than a frame can hold, then a frame
	r.feed(">>>\n" + std::string(FrameReader::max_frame + 100, 'x'));
	EXPECT_TRUE(all_frames(r).empty());
	r.feed("\n<<<\n" + a);
	got = all_frames(r);
	ASSERT_EQ(got.size(), 1u);
	EXPECT_EQ(got[0], a);
}

TEST(FrameReader, LineNoiseInsideAFrameFailsAuthentication)
{
	auto k = keys("s");
	std::string a = packet("ha1", 1, k);
	a[a.find("seq=1") + 4] = '9';	// a flipped digit
	FrameReader r;
	r.feed(a);
	auto got = all_frames(r);
	ASSERT_EQ(got.size(), 1u);
	std::string why;
	EXPECT_FALSE(decode_packet(got[0], k, why));
	EXPECT_EQ(why, "authentication failed (key 2, sha1)");
}

namespace {

struct Pty {
	xvsd::Fd master, slave;
	std::string path;
	Pty()
	{
		int m, s;
		char name[128];
		if (::openpty(&m, &s, name, nullptr, nullptr) < 0)
			throw std::runtime_error("openpty failed");
		master = xvsd::Fd(m);
		slave = xvsd::Fd(s);	// kept open: the master never sees a hangup
		path = name;
		::fcntl(m, F_SETFL, ::fcntl(m, F_GETFL) | O_NONBLOCK);
	}
};

std::string drain(int fd)
{
	std::string s;
	char buf[512];
	ssize_t n;
	while ((n = ::read(fd, buf, sizeof(buf))) > 0)
		s.append(buf, static_cast<std::size_t>(n));
	return s;
}

void put(int fd, const std::string &s)
{
	ASSERT_EQ(::write(fd, s.data(), s.size()), static_cast<ssize_t>(s.size()));
}

// Two links through two ptys; the relay copies master to master (the cable).
struct Line {
	Logger log;
	Pty pa, pb;
	std::unique_ptr<SerialLink> a, b;
	bool cut = false;
	std::function<std::string(const std::string &)> filter;	// on A -> B
	std::vector<std::string> at_a, at_b;

	explicit Line(unsigned baud = 19200)
	{
		log.set_quiet(true);
		a = std::make_unique<SerialLink>(pa.path, baud, log, Clock::now());
		b = std::make_unique<SerialLink>(pb.path, baud, log, Clock::now());
	}
	// Runs the links and the relay until `done` or 2 s passed.
	bool pump(const std::function<bool()> &done, std::chrono::milliseconds max = 2000ms)
	{
		auto end = Clock::now() + max;
		while (Clock::now() < end) {
			std::vector<pollfd> fds;
			for (auto *l : {a.get(), b.get()})
				if (auto p = l->poll_entry())
					fds.push_back(*p);
				else
					fds.push_back({-1, 0, 0});
			fds.push_back({pa.master.get(), POLLIN, 0});
			fds.push_back({pb.master.get(), POLLIN, 0});
			::poll(fds.data(), fds.size(), 20);
			auto now = Clock::now();
			a->service(fds[0].revents, at_a, now);
			b->service(fds[1].revents, at_b, now);
			std::string ab = drain(pa.master.get()), ba = drain(pb.master.get());
			if (!cut) {
				if (filter)
					ab = filter(ab);
				if (!ab.empty())
					put(pb.master.get(), ab);
				if (!ba.empty())
					put(pa.master.get(), ba);
			}
			if (done())
				return true;
		}
		return done();
	}
};

} // namespace

TEST(SerialLink, RawModeAtTheConfiguredSpeed)
{
	Line line(115200);
	ASSERT_TRUE(line.a->is_open()) << line.a->error();
	termios t{};
	ASSERT_EQ(::tcgetattr(line.pa.slave.get(), &t), 0);
	EXPECT_EQ(::cfgetospeed(&t), static_cast<speed_t>(B115200));
	EXPECT_EQ(::cfgetispeed(&t), static_cast<speed_t>(B115200));
	EXPECT_EQ(t.c_lflag & (ICANON | ECHO | ISIG), 0u);
	EXPECT_EQ(t.c_oflag & OPOST, 0u);
	EXPECT_EQ(t.c_cflag & CSIZE, static_cast<tcflag_t>(CS8));
	EXPECT_NE(t.c_cflag & CLOCAL, 0u);
	// open fails cleanly on what is not a terminal, and says why
	Logger log;
	log.set_quiet(true);
	SerialLink bad("/dev/null", 19200, log, Clock::now());
	EXPECT_FALSE(bad.is_open());
	EXPECT_EQ(bad.error(), "isatty: Inappropriate ioctl for device");
	EXPECT_FALSE(bad.poll_entry());
	bad.send("x");	// closed: dropped, no crash
	EXPECT_EQ(bad.stats().dropped_out, 1u);
}

TEST(SerialLink, FramesBothWays)
{
	Line line;
	auto k = keys("ultramonkey");
	for (std::uint64_t i = 1; i <= 3; i++) {
		line.a->send(packet("ha1", i, k));
		line.b->send(packet("ha2", i, k));
	}
	ASSERT_TRUE(line.pump([&] { return line.at_a.size() == 3 && line.at_b.size() == 3; }));
	for (std::uint64_t i = 0; i < 3; i++) {
		std::string why;
		auto p = decode_packet(line.at_b[i], k, why);
		ASSERT_TRUE(p) << why;
		EXPECT_EQ(p->node, "ha1");
		EXPECT_EQ(p->seq, i + 1);
		auto q = decode_packet(line.at_a[i], k, why);
		ASSERT_TRUE(q) << why;
		EXPECT_EQ(q->node, "ha2");
	}
	EXPECT_EQ(line.a->stats().frames_out, 3u);
	EXPECT_EQ(line.b->stats().frames_in, 3u);
	EXPECT_EQ(line.b->stats().discarded_bytes, 0u);
}

TEST(SerialLink, GarbageBetweenFramesAndABadFrame)
{
	Line line;
	auto k = keys("ultramonkey");
	// line noise before and between frames, frames split across writes
	line.filter = [](const std::string &s) { return s.empty() ? s : "\x13~noise>>\n" + s + "\xfe\x00"; };
	line.a->send(packet("ha1", 1, k));
	ASSERT_TRUE(line.pump([&] { return line.at_b.size() == 1; }));
	line.filter = nullptr;
	// a frame signed with another secret, injected on the line
	put(line.pb.master.get(), packet("ha1", 2, keys("forged")));
	line.a->send(packet("ha1", 3, k));
	ASSERT_TRUE(line.pump([&] { return line.at_b.size() == 3; }));
	std::string why;
	ASSERT_TRUE(decode_packet(line.at_b[0], k, why)) << why;
	EXPECT_FALSE(decode_packet(line.at_b[1], k, why));
	EXPECT_EQ(why, "authentication failed (key 2, sha1)");
	auto p = decode_packet(line.at_b[2], k, why);
	ASSERT_TRUE(p) << why;
	EXPECT_EQ(p->seq, 3u);
	EXPECT_GE(line.b->stats().discarded_bytes, 10u);
}

TEST(SerialLink, SilentLinkIsDeadWhileTheOtherLinkKeepsThePeerUp)
{
	Line line;
	auto k = keys("ultramonkey");
	auto t0 = Clock::now();
	LinkMonitor mon("ha1", 3000ms, {"eth0", line.b->device()});
	HaParams hp;
	hp.self = "ha2";
	hp.peer = "ha1";
	hp.keepalive = 1000ms;
	hp.deadtime = 3000ms;
	hp.warntime = 2000ms;
	hp.initdead = 6000ms;
	HaNode node(hp, 5, t0);
	std::vector<std::string> log;
	std::uint64_t seq = 0, rejected = 0;
	bool acquired = false;
	// ha1 sends each packet on both links, once a second of simulated time
	auto second = [&](int s, bool serial_ok, bool udp_ok) {
		auto now = t0 + std::chrono::seconds(s);
		std::string pk = packet("ha1", ++seq, k);
		line.cut = !serial_ok;
		line.a->send(pk);
		std::size_t want = line.at_b.size() + (serial_ok ? 1 : 0);
		line.pump([&] { return line.at_b.size() == want; }, serial_ok ? 2000ms : 100ms);
		std::vector<std::pair<std::string, std::string>> in;	// link, frame
		if (udp_ok)
			in.push_back({"eth0", pk});
		for (auto &f : line.at_b)
			in.push_back({line.b->device(), f});
		line.at_b.clear();
		for (auto &[l, f] : in) {
			std::string why;
			auto p = decode_packet(f, k, why);
			ASSERT_TRUE(p) << why;
			auto v = mon.heard(l, *p, now, log);
			if (v == LinkMonitor::Verdict::Replay)
				rejected++;
			if (v == LinkMonitor::Verdict::New)
				acquired |= node.receive(*p, now).acquire;
		}
		mon.tick(now, log);
		acquired |= node.tick(now).acquire;
	};
	for (int s = 1; s <= 3; s++)
		second(s, true, true);
	ASSERT_EQ(mon.links().size(), 2u);
	EXPECT_TRUE(mon.links()[0].up);
	EXPECT_TRUE(mon.links()[1].up);
	EXPECT_EQ(mon.links()[1].packets, 3u);
	EXPECT_EQ(rejected, 0u);		// the copies are not replays
	EXPECT_EQ(node.rejected(), 0u);
	// the serial line is cut: its link dies, the peer stays up over eth0
	for (int s = 4; s <= 9; s++)
		second(s, false, true);
	EXPECT_TRUE(mon.links()[0].up);
	EXPECT_FALSE(mon.links()[1].up);
	EXPECT_EQ(node.peer_state(), PeerState::Up);
	EXPECT_FALSE(acquired);
	EXPECT_FALSE(node.holding());
	bool logged_dead = false;
	for (auto &l : log)
		logged_dead |= l.find("link " + line.b->device() + " to ha1 is dead") == 0;
	EXPECT_TRUE(logged_dead);
	// the line is mended: the link is up again
	second(10, true, true);
	EXPECT_TRUE(mon.links()[1].up);
	// both links silent: the peer is dead, ha2 takes over
	for (int s = 11; s <= 15; s++)
		second(s, false, false);
	EXPECT_FALSE(mon.links()[0].up);
	EXPECT_FALSE(mon.links()[1].up);
	EXPECT_EQ(node.peer_state(), PeerState::Dead);
	EXPECT_TRUE(acquired);
	// a replay on one link is one
	HbPacket old;
	old.node = "ha1";
	old.gen = 7;
	old.seq = 2;
	EXPECT_EQ(mon.heard("eth0", old, t0 + 16s, log), LinkMonitor::Verdict::Replay);
}

TEST(SerialLink, ReopensAFailedDevice)
{
	Logger log;
	log.set_quiet(true);
	auto dir = std::filesystem::temp_directory_path() /
		   ("xvsd-serial-" + std::to_string(::getpid()));
	std::filesystem::create_directories(dir);
	auto dev = (dir / "tty").string();
	auto p1 = std::make_unique<Pty>();
	std::filesystem::create_symlink(p1->path, dev);
	auto t0 = Clock::now();
	SerialLink l(dev, 19200, log, t0);
	ASSERT_TRUE(l.is_open()) << l.error();
	// the other side goes away: the link notices and closes its device
	p1.reset();
	std::vector<std::string> out;
	for (int i = 0; i < 50 && l.is_open(); i++) {
		auto p = l.poll_entry();
		::poll(&*p, 1, 20);
		l.service(p->revents, out, t0);
	}
	EXPECT_FALSE(l.is_open());
	// not before the retry interval; the device is back by then
	Pty p2;
	std::filesystem::remove(dev);
	std::filesystem::create_symlink(p2.path, dev);
	l.maintain(t0 + SerialLink::retry_interval / 2);
	EXPECT_FALSE(l.is_open());
	l.maintain(t0 + SerialLink::retry_interval);
	EXPECT_TRUE(l.is_open()) << l.error();
	EXPECT_EQ(l.stats().reopens, 1u);
	EXPECT_EQ(l.error(), "");
	// and carries frames again
	auto k = keys("x");
	put(p2.master.get(), packet("ha1", 1, k));
	for (int i = 0; i < 50 && out.empty(); i++) {
		auto p = l.poll_entry();
		::poll(&*p, 1, 20);
		l.service(p->revents, out, Clock::now());
	}
	ASSERT_EQ(out.size(), 1u);
	std::filesystem::remove_all(dir);
}

TEST(HbTransport, SerialLinkAlone)
{
	Logger log;
	log.set_quiet(true);
	Pty pty;
	HaConfig cfg;
	cfg.serial = {pty.path};
	HbTransport t(cfg, log);
	EXPECT_EQ(t.link_names(), std::vector<std::string>{pty.path});
	auto k = keys("x");
	std::string out = packet("ha2", 1, k);
	t.send(out);
	std::string sent;
	for (int i = 0; i < 50 && sent.size() < out.size(); i++) {
		pollfd p{pty.master.get(), POLLIN, 0};
		::poll(&p, 1, 20);
		sent += drain(pty.master.get());
	}
	EXPECT_EQ(sent, out);
	std::string in = packet("ha1", 1, k);
	put(pty.master.get(), "noise" + in.substr(0, 10));
	put(pty.master.get(), in.substr(10));
	std::vector<HbFrame> frames;
	for (int i = 0; i < 50 && frames.empty(); i++) {
		std::vector<pollfd> fds;
		t.poll_entries(fds);
		ASSERT_EQ(fds.size(), 1u);
		::poll(fds.data(), fds.size(), 20);
		t.service(fds[0], frames, Clock::now());
	}
	ASSERT_EQ(frames.size(), 1u);
	EXPECT_EQ(frames[0].data, in);
	EXPECT_EQ(frames[0].link, pty.path);
	EXPECT_EQ(frames[0].from, pty.path);
	// no link at all is a configuration error
	HaConfig none;
	try {
		HbTransport bad(none, log);
		ADD_FAILURE() << "no error";
	} catch (const xvs::Error &e) {
		EXPECT_NE(std::string(e.what()).find("no usable ucast, bcast, mcast or serial link"),
			  std::string::npos) << e.what();
	}
}

TEST(SerialLink, ALineNobodyReadsDropsPacketsAndClosesAtOnce)
{
	// (a pty takes tens of kilobytes before it refuses more; on a UART
	// the tty's own output queue counts towards max_pending too)
	auto k = keys("x");
	const std::uint64_t n = 3000;
	SerialLink::Stats st;
	auto t0 = Clock::now();
	{
		Line line;	// the relay never runs: nobody reads
		for (std::uint64_t i = 1; i <= n; i++)
			line.a->send(packet("ha1", i, k));
		st = line.a->stats();
		EXPECT_TRUE(line.a->is_open());
		t0 = Clock::now();
	}
	EXPECT_GT(st.dropped_out, 0u);
	EXPECT_EQ(st.frames_out + st.dropped_out, n);
	// the destructor gave the backlog close_drain, no more
	EXPECT_LT(Clock::now() - t0, SerialLink::close_drain + 500ms);
}
