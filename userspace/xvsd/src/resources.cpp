#include "resources.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if_arp.h>
#include <linux/if_ether.h>
#include <netpacket/packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "fd.hpp"
#include "xvs/error.hpp"

namespace xvsd {

BoundAddress bind_address(const HaResource &r)
{
	BoundAddress b;
	b.addr = r.addr;
	b.iface = r.iface;
	b.prefix = r.prefix;
	if (!b.iface.empty() && b.prefix > 0)
		return b;
	ifaddrs *ifa = nullptr;
	if (getifaddrs(&ifa) < 0)
		throw xvs::Error(errno, "getifaddrs failed");
	std::uint32_t vip;
	std::memcpy(&vip, r.addr.bytes.data(), 4);
	vip = ntohl(vip);
	bool found = false;
	for (ifaddrs *i = ifa; i && !found; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || !i->ifa_netmask)
			continue;
		if (i->ifa_flags & IFF_LOOPBACK)
			continue;
		std::uint32_t a = ntohl(reinterpret_cast<sockaddr_in *>(i->ifa_addr)->sin_addr.s_addr);
		std::uint32_t m = ntohl(reinterpret_cast<sockaddr_in *>(i->ifa_netmask)->sin_addr.s_addr);
		if (a == vip || (a & m) != (vip & m))
			continue;
		std::string name = i->ifa_name;
		auto colon = name.find(':');
		if (colon != std::string::npos)
			name.resize(colon);
		if (!b.iface.empty() && b.iface != name)
			continue;
		b.iface = name;
		if (b.prefix <= 0)
			b.prefix = __builtin_popcount(m);
		found = true;
	}
	freeifaddrs(ifa);
	if (!found && (b.iface.empty() || b.prefix <= 0))
		throw xvs::Error(ENODEV, "no interface holds the subnet of " + r.addr.str() +
				 " (write IPaddr::" + r.addr.str() + "/PREFIX/IFACE)");
	return b;
}

bool change_address(bool add, const BoundAddress &a)
{
	unsigned ifindex = if_nametoindex(a.iface.c_str());
	if (!ifindex)
		throw xvs::Error(ENODEV, "no interface " + a.iface);
	Fd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
	if (!fd)
		throw xvs::Error(errno, "rtnetlink socket");
	struct {
		nlmsghdr nh;
		ifaddrmsg ifa;
		char attrs[128];
	} req{};
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(ifaddrmsg));
	req.nh.nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_EXCL : 0);
	req.nh.nlmsg_seq = 1;
	req.ifa.ifa_family = AF_INET;
	req.ifa.ifa_prefixlen = static_cast<unsigned char>(a.prefix);
	req.ifa.ifa_index = ifindex;
	auto put = [&](unsigned short type, const void *data, std::size_t len) {
		auto *rta = reinterpret_cast<rtattr *>(reinterpret_cast<char *>(&req) +
						       NLMSG_ALIGN(req.nh.nlmsg_len));
		rta->rta_type = type;
		rta->rta_len = static_cast<unsigned short>(RTA_LENGTH(len));
		std::memcpy(RTA_DATA(rta), data, len);
		req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
	};
	put(IFA_LOCAL, a.addr.bytes.data(), 4);
	put(IFA_ADDRESS, a.addr.bytes.data(), 4);
	if (add && a.prefix < 31) {
		std::uint32_t v;
		std::memcpy(&v, a.addr.bytes.data(), 4);
		std::uint32_t host = a.prefix == 0 ? 0xffffffffu : (0xffffffffu >> a.prefix);
		std::uint32_t bc = htonl(ntohl(v) | host);
		put(IFA_BROADCAST, &bc, 4);
	}
	sockaddr_nl kernel{};
	kernel.nl_family = AF_NETLINK;
	if (::sendto(fd.get(), &req, req.nh.nlmsg_len, 0, reinterpret_cast<sockaddr *>(&kernel),
		     sizeof(kernel)) < 0)
		throw xvs::Error(errno, "rtnetlink send");
	char buf[4096];
	ssize_t n = ::recv(fd.get(), buf, sizeof(buf), 0);
	if (n < 0)
		throw xvs::Error(errno, "rtnetlink receive");
	auto *nh = reinterpret_cast<nlmsghdr *>(buf);
	if (n >= static_cast<ssize_t>(NLMSG_LENGTH(sizeof(nlmsgerr))) && nh->nlmsg_type == NLMSG_ERROR) {
		int err = -reinterpret_cast<nlmsgerr *>(NLMSG_DATA(nh))->error;
		if (err == 0)
			return true;
		if ((add && err == EEXIST) || (!add && err == EADDRNOTAVAIL))
			return false;
		throw xvs::Error(err, std::string(add ? "adding " : "removing ") + a.addr.str() +
				 " on " + a.iface + ": " + std::strerror(err));
	}
	throw xvs::Error(EPROTO, "rtnetlink: unexpected answer");
}

void send_garp(const BoundAddress &a)
{
	Fd fd(::socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ARP)));
	if (!fd)
		throw xvs::Error(errno, "AF_PACKET socket");
	ifreq ifr{};
	std::strncpy(ifr.ifr_name, a.iface.c_str(), IFNAMSIZ - 1);
	if (::ioctl(fd.get(), SIOCGIFHWADDR, &ifr) < 0)
		throw xvs::Error(errno, "no hardware address on " + a.iface);
	unsigned char mac[6];
	std::memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	sockaddr_ll ll{};
	ll.sll_family = AF_PACKET;
	ll.sll_protocol = htons(ETH_P_ARP);
	ll.sll_ifindex = static_cast<int>(if_nametoindex(a.iface.c_str()));
	ll.sll_halen = 6;
	std::memset(ll.sll_addr, 0xff, 6);
	for (int op : {ARPOP_REQUEST, ARPOP_REPLY}) {
		unsigned char pkt[28];
		pkt[0] = 0;
		pkt[1] = ARPHRD_ETHER;
		pkt[2] = 0x08;
		pkt[3] = 0x00;
		pkt[4] = 6;
		pkt[5] = 4;
		pkt[6] = 0;
		pkt[7] = static_cast<unsigned char>(op);
		std::memcpy(pkt + 8, mac, 6);
		std::memcpy(pkt + 14, a.addr.bytes.data(), 4);
		// request: target unknown; reply: the sender itself, which is
		// what makes a reply gratuitous for Linux receivers
		if (op == ARPOP_REQUEST)
			std::memset(pkt + 18, 0, 6);
		else
			std::memcpy(pkt + 18, mac, 6);
		std::memcpy(pkt + 24, a.addr.bytes.data(), 4);
		if (::sendto(fd.get(), pkt, sizeof(pkt), 0, reinterpret_cast<sockaddr *>(&ll), sizeof(ll)) < 0)
			throw xvs::Error(errno, "sending gratuitous ARP on " + a.iface);
	}
}

std::string set_expire_stale(int mode, const std::string &path)
{
	if (mode < 0 || mode > 2)
		return "bad mode " + std::to_string(mode);
	// O_WRONLY without O_CREAT: a missing file means no xvs.ko.
	Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
	if (!fd) {
		int e = errno;
		return path + ": " + std::strerror(e) +
		       (e == ENOENT ? " (xvs.ko not loaded? the kernel's ip_vs has no such switch)" : "");
	}
	std::string v = std::to_string(mode) + "\n";
	if (::write(fd.get(), v.data(), v.size()) != static_cast<ssize_t>(v.size())) {
		int e = errno;
		return path + ": " + std::strerror(e);
	}
	return "";
}

std::string expire_stale_name(int mode)
{
	static const char *const names[] = {"no", "udp", "all"};
	if (mode < 0 || mode > 2)
		return std::to_string(mode);
	return std::to_string(mode) + " (" + names[mode] + ")";
}

ResourceManager::ResourceManager(Logger &log, HaResourceGroup group, std::string resource_dir,
				 unsigned garp_count, std::chrono::milliseconds garp_interval,
				 std::function<void(bool)> ipvs_switch)
	: log_(log), group_(std::move(group)), resource_dir_(std::move(resource_dir)),
	  garp_count_(garp_count), garp_interval_(garp_interval), ipvs_switch_(std::move(ipvs_switch))
{
}

std::string ResourceManager::describe() const
{
	std::string s = group_.home;
	for (auto &r : group_.resources)
		s += " " + r.text;
	return s;
}

void ResourceManager::script(const HaResource &r, const char *action)
{
	std::string path = resource_dir_ + "/" + r.name;
	if (::access(path.c_str(), X_OK) != 0) {
		log_.info("ERROR: resource script " + path + " is missing or not executable");
		return;
	}
	log_.info("Running " + path + " " + action);
	pid_t pid = ::fork();
	if (pid < 0) {
		log_.info(std::string("ERROR: fork: ") + std::strerror(errno));
		return;
	}
	if (pid == 0) {
		std::vector<std::string> args{path};
		args.insert(args.end(), r.args.begin(), r.args.end());
		args.emplace_back(action);
		std::vector<char *> argv;
		for (auto &a : args)
			argv.push_back(a.data());
		argv.push_back(nullptr);
		::execv(path.c_str(), argv.data());
		::_exit(127);
	}
	int status = 0;
	::waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		log_.info("ERROR: " + path + " " + action + " failed");
}

void ResourceManager::acquire(Clock::time_point now)
{
	if (held_)
		return;
	held_ = true;
	auto t0 = Clock::now();
	log_.info("Acquiring resource group: " + describe());
	for (auto &r : group_.resources) {
		try {
			switch (r.kind) {
			case HaResource::Kind::Ipvs:
				log_.info("Loading the IPVS configuration (" + r.text + ")");
				ipvs_switch_(true);
				break;
			case HaResource::Kind::Address: {
				BoundAddress b = bind_address(r);
				change_address(true, b);
				log_.info("IP address " + b.addr.str() + "/" + std::to_string(b.prefix) +
					  " added on " + b.iface);
				log_.info("Sending Gratuitous Arp for " + b.addr.str() + " on " + b.iface +
					  " (" + std::to_string(garp_count_) + " times, every " +
					  std::to_string(garp_interval_.count()) + " ms)");
				if (garp_count_)
					garps_.push_back({b, garp_count_, now});
				break;
			}
			case HaResource::Kind::Script:
				script(r, "start");
				break;
			}
		} catch (const xvs::Error &e) {
			log_.info("ERROR: acquiring " + r.text + ": " + e.what());
		}
	}
	log_.info("resource group acquired in " +
		  std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
			  Clock::now() - t0).count()) + " ms");
	tick(now);
}

void ResourceManager::release()
{
	if (!held_)
		return;
	held_ = false;
	garps_.clear();
	log_.info("Releasing resource group: " + describe());
	for (auto it = group_.resources.rbegin(); it != group_.resources.rend(); ++it) {
		auto &r = *it;
		try {
			switch (r.kind) {
			case HaResource::Kind::Ipvs:
				log_.info("Unloading the IPVS configuration (" + r.text + ")");
				ipvs_switch_(false);
				break;
			case HaResource::Kind::Address: {
				BoundAddress b = bind_address(r);
				change_address(false, b);
				log_.info("IP Address " + b.addr.str() + " released");
				break;
			}
			case HaResource::Kind::Script:
				script(r, "stop");
				break;
			}
		} catch (const xvs::Error &e) {
			log_.info("ERROR: releasing " + r.text + ": " + e.what());
		}
	}
}

void ResourceManager::announce(Clock::time_point now)
{
	if (!held_ || !garp_count_)
		return;
	for (auto &r : group_.resources) {
		if (r.kind != HaResource::Kind::Address)
			continue;
		try {
			BoundAddress b = bind_address(r);
			log_.info("Sending Gratuitous Arp for " + b.addr.str() + " on " + b.iface);
			garps_.push_back({b, garp_count_, now});
		} catch (const xvs::Error &e) {
			log_.info(std::string("ERROR: ") + e.what());
		}
	}
}

void ResourceManager::tick(Clock::time_point now)
{
	for (auto it = garps_.begin(); it != garps_.end();) {
		if (it->next <= now) {
			try {
				send_garp(it->addr);
			} catch (const xvs::Error &e) {
				log_.info(std::string("ERROR: ") + e.what());
			}
			it->left--;
			it->next = now + garp_interval_;
		}
		if (it->left == 0)
			it = garps_.erase(it);
		else
			++it;
	}
}

} // namespace xvsd
