#include "hb_transport.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "xvs/error.hpp"

namespace xvsd {

namespace {

bool is_local(const xvs::Address &a)
{
	ifaddrs *ifa = nullptr;
	if (getifaddrs(&ifa) < 0)
		return false;
	bool local = false;
	for (ifaddrs *i = ifa; i; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
		    std::memcmp(&reinterpret_cast<sockaddr_in *>(i->ifa_addr)->sin_addr, a.bytes.data(), 4) == 0)
			local = true;
	freeifaddrs(ifa);
	return local;
}

in_addr broadcast_of(const std::string &iface)
{
	ifaddrs *ifa = nullptr;
	in_addr out{};
	out.s_addr = INADDR_BROADCAST;
	if (getifaddrs(&ifa) < 0)
		return out;
	for (ifaddrs *i = ifa; i; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && iface == i->ifa_name &&
		    i->ifa_netmask) {
			// from address and mask: an address added without "brd"
			// has no broadcast address of its own
			std::uint32_t a = reinterpret_cast<sockaddr_in *>(i->ifa_addr)->sin_addr.s_addr;
			std::uint32_t m = reinterpret_cast<sockaddr_in *>(i->ifa_netmask)->sin_addr.s_addr;
			out.s_addr = a | ~m;
			break;
		}
	freeifaddrs(ifa);
	return out;
}

Fd udp_socket()
{
	Fd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
	if (!fd)
		throw xvs::Error(errno, "UDP socket");
	return fd;
}

void opt(int fd, int level, int name, const void *v, socklen_t len, const std::string &what)
{
	if (::setsockopt(fd, level, name, v, len) < 0)
		throw xvs::Error(errno, what + ": " + std::strerror(errno));
}

void bind_to(int fd, in_addr addr, std::uint16_t port)
{
	int one = 1;
	opt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one), "SO_REUSEADDR");
	sockaddr_in sa{};
	sa.sin_family = AF_INET;
	sa.sin_addr = addr;
	sa.sin_port = htons(port);
	if (::bind(fd, reinterpret_cast<sockaddr *>(&sa), sizeof(sa)) < 0)
		throw xvs::Error(errno, "bind UDP port " + std::to_string(port) + ": " + std::strerror(errno));
}

} // namespace

HbTransport::HbTransport(const HaConfig &cfg, Logger &log, Time now) : log_(log)
{
	bool unicast_rx = false;
	for (auto &l : cfg.links) {
		Link link;
		link.cfg = l;
		link.tx = udp_socket();
		int fd = link.tx.get();
		opt(fd, SOL_SOCKET, SO_BINDTODEVICE, l.iface.c_str(),
		    static_cast<socklen_t>(l.iface.size()), "SO_BINDTODEVICE " + l.iface);
		link.dest.sin_family = AF_INET;
		switch (l.kind) {
		case HaLink::Kind::Ucast:
			if (is_local(l.addr))
				continue;	// the line naming this node's own address
			std::memcpy(&link.dest.sin_addr, l.addr.bytes.data(), 4);
			link.dest.sin_port = htons(cfg.udpport);
			unicast_rx = true;
			break;
		case HaLink::Kind::Bcast: {
			int one = 1;
			opt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one), "SO_BROADCAST");
			link.dest.sin_addr = broadcast_of(l.iface);
			link.dest.sin_port = htons(cfg.udpport);
			unicast_rx = true;
			break;
		}
		case HaLink::Kind::Mcast: {
			std::memcpy(&link.dest.sin_addr, l.addr.bytes.data(), 4);
			link.dest.sin_port = htons(l.port);
			ip_mreqn mreq{};
			mreq.imr_ifindex = static_cast<int>(if_nametoindex(l.iface.c_str()));
			if (!mreq.imr_ifindex)
				throw xvs::Error(ENODEV, "mcast: no interface " + l.iface);
			opt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mreq, sizeof(mreq), "IP_MULTICAST_IF");
			int ttl = static_cast<int>(l.ttl), loop = l.loop;
			opt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl), "IP_MULTICAST_TTL");
			opt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof(loop), "IP_MULTICAST_LOOP");
			Fd rx = udp_socket();
			in_addr group;
			std::memcpy(&group, l.addr.bytes.data(), 4);
			bind_to(rx.get(), group, l.port);
			int one = 1;
			opt(rx.get(), IPPROTO_IP, IP_PKTINFO, &one, sizeof(one), "IP_PKTINFO");
			mreq.imr_multiaddr = group;
			opt(rx.get(), IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof(mreq), "IP_ADD_MEMBERSHIP");
			rx_.push_back(std::move(rx));
			break;
		}
		}
		char text[INET_ADDRSTRLEN] = "";
		inet_ntop(AF_INET, &link.dest.sin_addr, text, sizeof(text));
		link.dest_text = std::string(text) + ":" + std::to_string(ntohs(link.dest.sin_port)) +
				 " via " + l.iface;
		log_.info("heartbeat link: " + link.dest_text);
		links_.push_back(std::move(link));
	}
	if (unicast_rx) {
		Fd rx = udp_socket();
		in_addr any{};
		any.s_addr = INADDR_ANY;
		bind_to(rx.get(), any, cfg.udpport);
		int one = 1;
		opt(rx.get(), IPPROTO_IP, IP_PKTINFO, &one, sizeof(one), "IP_PKTINFO");
		rx_.push_back(std::move(rx));
	}
	for (auto &dev : cfg.serial)
		serial_.push_back(std::make_unique<SerialLink>(dev, cfg.baud, log_, now));
	if (links_.empty() && serial_.empty())
		throw xvs::Error(EINVAL, "ha.cf has no usable ucast, bcast, mcast or serial link");
}

void HbTransport::send(const std::string &packet)
{
	for (auto &l : links_) {
		if (::sendto(l.tx.get(), packet.data(), packet.size(), 0,
			     reinterpret_cast<sockaddr *>(&l.dest), sizeof(l.dest)) < 0) {
			// a down link is not fatal: the other links may carry it
			(void)errno;
		}
	}
	for (auto &s : serial_)
		s->send(packet);
}

void HbTransport::poll_entries(std::vector<pollfd> &fds) const
{
	for (auto &f : rx_)
		fds.push_back({f.get(), POLLIN, 0});
	for (auto &s : serial_)
		if (auto p = s->poll_entry())
			fds.push_back(*p);
}

void HbTransport::service(const pollfd &p, std::vector<HbFrame> &out, Time now)
{
	if (!p.revents)
		return;
	for (auto &f : rx_)
		if (f.get() == p.fd) {
			if (p.revents & POLLIN)
				receive_udp(p.fd, out);
			return;
		}
	for (auto &s : serial_) {
		auto e = s->poll_entry();
		if (!e || e->fd != p.fd)
			continue;
		std::vector<std::string> frames;
		s->service(p.revents, frames, now);
		for (auto &f : frames)
			out.push_back({std::move(f), s->device(), s->device()});
		return;
	}
}

void HbTransport::maintain(Time now)
{
	for (auto &s : serial_)
		s->maintain(now);
}

std::vector<std::string> HbTransport::link_names() const
{
	std::vector<std::string> names;
	auto add = [&](const std::string &n) {
		for (auto &m : names)
			if (m == n)
				return;
		names.push_back(n);
	};
	for (auto &l : links_)
		add(l.cfg.iface);
	for (auto &s : serial_)
		add(s->device());
	return names;
}

void HbTransport::receive_udp(int fd, std::vector<HbFrame> &out)
{
	// a burst is bounded: the other links and the timers get their turn
	for (int i = 0; i < 64; i++) {
		char buf[4096];
		alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(in_pktinfo))];
		sockaddr_in sa{};
		iovec iov{buf, sizeof(buf)};
		msghdr mh{};
		mh.msg_name = &sa;
		mh.msg_namelen = sizeof(sa);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctl;
		mh.msg_controllen = sizeof(ctl);
		ssize_t n = ::recvmsg(fd, &mh, MSG_DONTWAIT);
		if (n < 0)
			return;
		HbFrame f;
		f.data.assign(buf, static_cast<std::size_t>(n));
		char text[INET_ADDRSTRLEN] = "";
		inet_ntop(AF_INET, &sa.sin_addr, text, sizeof(text));
		f.from = text;
		for (cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
				in_pktinfo pi;
				std::memcpy(&pi, CMSG_DATA(c), sizeof(pi));
				char name[IF_NAMESIZE] = "";
				if (if_indextoname(static_cast<unsigned>(pi.ipi_ifindex), name))
					f.link = name;
			}
		if (f.link.empty())
			f.link = "udp";
		out.push_back(std::move(f));
	}
}

} // namespace xvsd
