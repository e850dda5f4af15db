// RAII wrappers over libnl-3 and the request/reply loop.
//
// Receiving is done on the socket's descriptor rather than through libnl's
// callback machinery so that every reply shape -- multipart dumps, ACKs with
// extended-ACK TLVs, silence after a malformed request -- is seen and handled
// in one place.

#include "xvs/netlink.hpp"
#include "xvs/error.hpp"

#include <algorithm>
#include <cerrno>
#include <atomic>
#include <cstring>

#include <poll.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

namespace xvs {

namespace {

// libnl returns its own negative NLE_* codes; map the ones a caller can act
// on to errno values.
int nle_to_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case NLE_NOMEM: return ENOMEM;
	case NLE_MSGSIZE: return EMSGSIZE;
	case NLE_OBJ_NOTFOUND: return ENOENT;
	case NLE_PERM: return EPERM;
	case NLE_INVAL: return EINVAL;
	case NLE_RANGE: return ERANGE;
	case NLE_AGAIN: return EAGAIN;
	case NLE_BAD_SOCK: return EBADF;
	default: return EIO;
	}
}

[[noreturn]] void throw_nle(int nle, const std::string &what)
{
	throw Error(nle_to_errno(nle), what + ": " + nl_geterror(nle));
}

const nlattr *check_len(const nlattr *a, std::size_t need)
{
	if (!a)
		throw Error(EPROTO, "missing attribute");
	if (static_cast<std::size_t>(nla_len(a)) < need)
		throw Error(EPROTO, "attribute " + std::to_string(nla_type(a)) +
			    " is " + std::to_string(nla_len(a)) +
			    " bytes, needs " + std::to_string(need));
	return a;
}

} // namespace

AttrTable parse_attrs(const void *data, std::size_t len, int maxtype)
{
	AttrTable table(static_cast<std::size_t>(maxtype) + 1, nullptr);
	auto *p = static_cast<const std::uint8_t *>(data);
	std::size_t off = 0;

	while (len - off >= NLA_HDRLEN) {
		nlattr hdr;
		std::memcpy(&hdr, p + off, sizeof(hdr));
		if (hdr.nla_len < NLA_HDRLEN || hdr.nla_len > len - off)
			break;	// malformed tail: stop like nla_ok() does
		int type = hdr.nla_type & NLA_TYPE_MASK;
		if (type <= maxtype)
			table[type] = reinterpret_cast<const nlattr *>(p + off);
		off += NLA_ALIGN(hdr.nla_len);
		if (off > len)
			break;
	}
	return table;
}

AttrTable parse_nested(const nlattr *nest, int maxtype)
{
	if (!nest)
		return AttrTable(static_cast<std::size_t>(maxtype) + 1, nullptr);
	return parse_attrs(nla_data(nest), nla_len(nest), maxtype);
}

namespace attr {

std::span<const std::uint8_t> bytes(const nlattr *a)
{
	check_len(a, 0);
	return {static_cast<const std::uint8_t *>(nla_data(a)),
		static_cast<std::size_t>(nla_len(a))};
}

template <typename T> static T read(const nlattr *a)
{
	T v;
	std::memcpy(&v, nla_data(check_len(a, sizeof(T))), sizeof(T));
	return v;
}

std::uint8_t u8(const nlattr *a) { return read<std::uint8_t>(a); }
std::uint16_t u16(const nlattr *a) { return read<std::uint16_t>(a); }
std::uint32_t u32(const nlattr *a) { return read<std::uint32_t>(a); }
std::uint64_t u64(const nlattr *a) { return read<std::uint64_t>(a); }
std::uint16_t be16(const nlattr *a) { return ntohs(read<std::uint16_t>(a)); }
int type(const nlattr *a) { return nla_type(check_len(a, 0)); }
std::size_t size(const nlattr *a) { return nla_len(check_len(a, 0)); }

std::string str(const nlattr *a)
{
	auto b = bytes(a);
	auto end = std::find(b.begin(), b.end(), std::uint8_t{0});
	return std::string(b.begin(), end);
}

} // namespace attr

/* Message */

void Message::Deleter::operator()(nl_msg *m) const noexcept
{
	nlmsg_free(m);
}

Message::Message(std::size_t max_size) : msg_(nlmsg_alloc_size(max_size))
{
	if (!msg_)
		throw Error(ENOMEM, "nlmsg_alloc_size");
}

Message Message::genl(int family, std::uint8_t cmd, std::uint8_t version,
		      std::uint16_t nlflags, std::size_t max_size)
{
	Message m(max_size);
	if (!genlmsg_put(m.get(), NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
			 nlflags, cmd, version))
		throw Error(EMSGSIZE, "genlmsg_put");
	m.header()->nlmsg_flags |= NLM_F_REQUEST;
	return m;
}

Message::Message(Message &&) noexcept = default;
Message &Message::operator=(Message &&) noexcept = default;
Message::~Message() = default;

nlmsghdr *Message::header() { return nlmsg_hdr(msg_.get()); }
const nlmsghdr *Message::header() const { return nlmsg_hdr(msg_.get()); }

std::span<const std::uint8_t> Message::bytes() const
{
	const nlmsghdr *h = header();
	return {reinterpret_cast<const std::uint8_t *>(h), h->nlmsg_len};
}

AttrTable Message::attrs(int maxtype) const
{
	auto b = bytes();
	std::size_t start = NLMSG_HDRLEN + GENL_HDRLEN;
	if (b.size() < start)
		return AttrTable(static_cast<std::size_t>(maxtype) + 1, nullptr);
	return parse_attrs(b.data() + start, b.size() - start, maxtype);
}

void Message::put(int type, const void *data, std::size_t len)
{
	int err = nla_put(msg_.get(), type, static_cast<int>(len), data);
	// libnl reports a full message buffer as NLE_NOMEM.
	if (err == -NLE_NOMEM)
		throw Error(EMSGSIZE, "netlink message full");
	if (err < 0)
		throw_nle(err, "nla_put type " + std::to_string(type));
}

void Message::put_u8(int type, std::uint8_t v) { put(type, &v, sizeof(v)); }
void Message::put_u16(int type, std::uint16_t v) { put(type, &v, sizeof(v)); }
void Message::put_u32(int type, std::uint32_t v) { put(type, &v, sizeof(v)); }
void Message::put_u64(int type, std::uint64_t v) { put(type, &v, sizeof(v)); }

void Message::put_be16(int type, std::uint16_t host_order)
{
	std::uint16_t v = htons(host_order);
	put(type, &v, sizeof(v));
}

void Message::put_string(int type, std::string_view s)
{
	std::string copy(s);
	put(type, copy.c_str(), copy.size() + 1);
}

void Message::append(const void *data, std::size_t len)
{
	int err = nlmsg_append(msg_.get(), const_cast<void *>(data), len,
			       NLMSG_ALIGNTO);
	if (err == -NLE_NOMEM)
		throw Error(EMSGSIZE, "netlink message full");
	if (err < 0)
		throw_nle(err, "nlmsg_append");
}

Message::Nest Message::nest(int type)
{
	nlattr *start = nla_nest_start(msg_.get(), type);
	if (!start)
		throw Error(EMSGSIZE, "nla_nest_start");
	return Nest(*this, start);
}

Message::Nest::Nest(Nest &&other) noexcept
	: msg_(other.msg_), start_(other.start_)
{
	other.start_ = nullptr;
}

Message::Nest::~Nest() { end(); }

void Message::Nest::end()
{
	if (start_) {
		nla_nest_end(msg_->get(), start_);
		start_ = nullptr;
	}
}

/* Reply */

Reply::Reply(std::span<const std::uint8_t> raw) : buf_(raw.begin(), raw.end())
{
	if (buf_.size() < NLMSG_HDRLEN)
		throw Error(EPROTO, "netlink message shorter than its header");
}

const nlmsghdr *Reply::header() const
{
	return reinterpret_cast<const nlmsghdr *>(buf_.data());
}

std::uint16_t Reply::type() const { return header()->nlmsg_type; }

std::uint8_t Reply::cmd() const
{
	if (buf_.size() < NLMSG_HDRLEN + GENL_HDRLEN)
		return 0;
	return reinterpret_cast<const genlmsghdr *>(buf_.data() +
						    NLMSG_HDRLEN)->cmd;
}

AttrTable Reply::attrs(int maxtype) const
{
	std::size_t start = NLMSG_HDRLEN + GENL_HDRLEN;
	if (buf_.size() < start)
		return AttrTable(static_cast<std::size_t>(maxtype) + 1, nullptr);
	return parse_attrs(buf_.data() + start, buf_.size() - start, maxtype);
}

/* Socket */

void Socket::Deleter::operator()(nl_sock *s) const noexcept
{
	nl_socket_free(s);	// closes the descriptor too
}

Socket::Socket() : sock_(nl_socket_alloc()), rxbuf_(1 << 17)
{
	if (!sock_)
		throw Error(ENOMEM, "nl_socket_alloc");
	int err = nl_connect(sock_.get(), NETLINK_GENERIC);
	if (err < 0)
		throw_nle(err, "nl_connect(NETLINK_GENERIC)");
	// libnl's receive path (used by the family and group lookups)
	// expects the sequence number after the last one it saw answered,
	// and never sees the answers this class collects itself; those
	// check their sequence numbers here.
	nl_socket_disable_seq_check(sock_.get());
	int one = 1;
	// Best effort: older kernels lack these options, which only add
	// detail to errors.
	setsockopt(fd(), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd(), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
}

Socket::Socket(Socket &&) noexcept = default;
Socket &Socket::operator=(Socket &&) noexcept = default;
Socket::~Socket() = default;

int Socket::fd() const { return nl_socket_get_fd(sock_.get()); }
std::uint32_t Socket::port() const { return nl_socket_get_local_port(sock_.get()); }
std::uint32_t Socket::next_seq() { return nl_socket_use_seq(sock_.get()); }

int Socket::resolve_family(const std::string &name)
{
	int id = genl_ctrl_resolve(sock_.get(), name.c_str());
	if (id == -NLE_OBJ_NOTFOUND)
		throw Error(ENOENT, "generic netlink family " + name +
			    " not registered");
	if (id < 0)
		throw_nle(id, "resolving generic netlink family " + name);
	return id;
}

int Socket::resolve_group(const std::string &family, const std::string &group)
{
	int id = genl_ctrl_resolve_grp(sock_.get(), family.c_str(),
				       group.c_str());
	if (id == -NLE_OBJ_NOTFOUND)
		throw Error(ENOENT, "generic netlink family " + family +
			    " has no multicast group " + group);
	if (id < 0)
		throw_nle(id, "resolving multicast group " + group);
	return id;
}

void Socket::join_group(int group)
{
	if (setsockopt(fd(), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group,
		       sizeof(group)) < 0)
		throw Error(errno, "joining netlink multicast group " +
			    std::to_string(group) + ": " +
			    std::strerror(errno));
}

std::vector<Reply> Socket::receive(int timeout_ms)
{
	for (;;) {
		pollfd pfd{fd(), POLLIN, 0};
		int pr = poll(&pfd, 1, timeout_ms);
		if (pr < 0) {
			if (errno == EINTR)
				continue;
			throw Error(errno, "poll on netlink socket");
		}
		if (pr == 0)
			return {};
		ssize_t n = recv(fd(), rxbuf_.data(), rxbuf_.size(),
				 MSG_TRUNC | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			throw Error(errno, std::string("receiving from netlink socket: ") +
				    std::strerror(errno));
		}
		if (static_cast<std::size_t>(n) > rxbuf_.size())
			throw Error(EMSGSIZE, "netlink datagram truncated");

		std::vector<Reply> out;
		std::size_t off = 0, len = static_cast<std::size_t>(n);
		while (len - off >= NLMSG_HDRLEN) {
			nlmsghdr h;
			std::memcpy(&h, rxbuf_.data() + off, sizeof(h));
			if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > len - off)
				throw Error(EPROTO, "malformed netlink message");
			out.emplace_back(std::span<const std::uint8_t>(
				rxbuf_.data() + off, h.nlmsg_len));
			off += NLMSG_ALIGN(h.nlmsg_len);
		}
		return out;
	}
}

std::vector<Reply> Socket::transact(Message &msg)
{
	nlmsghdr *h = msg.header();
	bool dump = (h->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	h->nlmsg_flags |= NLM_F_REQUEST;
	if (!dump)
		h->nlmsg_flags |= NLM_F_ACK;
	h->nlmsg_seq = next_seq();
	h->nlmsg_pid = port();
	return transact_bytes(msg.bytes(), h->nlmsg_seq);
}

namespace {
std::atomic<std::uint64_t> requests_counter;
} // namespace

std::uint64_t requests_sent()
{
	return requests_counter.load(std::memory_order_relaxed);
}

std::vector<Reply> Socket::transact_bytes(std::span<const std::uint8_t> bytes,
					  std::uint32_t seq)
{
	requests_counter.fetch_add(1, std::memory_order_relaxed);
	int sent = nl_sendto(sock_.get(), const_cast<std::uint8_t *>(bytes.data()),
			     bytes.size());
	if (sent < 0)
		throw_nle(sent, "sending netlink request");
	return collect(seq);
}

// Reads until the exchange for `seq` is complete: NLMSG_DONE for a dump, the
// ACK (an NLMSG_ERROR with error 0) for a request, or an error.
std::size_t Socket::receive_datagram()
{
	for (;;) {
		pollfd pfd{fd(), POLLIN, 0};
		int pr = poll(&pfd, 1, timeout_ms_);
		if (pr < 0) {
			if (errno == EINTR)
				continue;
			throw Error(errno, "poll on netlink socket");
		}
		if (pr == 0)
			throw Error(ETIMEDOUT, "no netlink reply");

		ssize_t n = recv(fd(), rxbuf_.data(), rxbuf_.size(), MSG_TRUNC);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			throw Error(errno, "receiving from netlink socket");
		}
		if (static_cast<std::size_t>(n) > rxbuf_.size())
			throw Error(EMSGSIZE, "netlink datagram truncated");
		return static_cast<std::size_t>(n);
	}
}

std::vector<Socket::Message_view> Socket::split_datagram(std::size_t len) const
{
	std::vector<Message_view> out;
	std::size_t off = 0;
	while (len - off >= NLMSG_HDRLEN) {
		nlmsghdr h;
		std::memcpy(&h, rxbuf_.data() + off, sizeof(h));
		if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > len - off)
			throw Error(EPROTO, "malformed netlink reply");
		out.push_back({h, {rxbuf_.data() + off, h.nlmsg_len}});
		off += NLMSG_ALIGN(h.nlmsg_len);
	}
	return out;
}

namespace {

// The error code and extended-ACK message of an NLMSG_ERROR message `one`
// (header `h`); error 0 is an ACK.
Socket::Outcome error_outcome(const nlmsghdr &h,
			      std::span<const std::uint8_t> one)
{
	if (one.size() < NLMSG_HDRLEN + sizeof(nlmsgerr))
		throw Error(EPROTO, "short NLMSG_ERROR");
	nlmsgerr e;
	std::memcpy(&e, one.data() + NLMSG_HDRLEN, sizeof(e));
	Socket::Outcome o{-e.error, {}};
	if (e.error && (h.nlmsg_flags & NLM_F_ACK_TLVS)) {
		// TLVs follow the echoed request: its header only when
		// capped, else all of it.
		std::size_t tlv = NLMSG_HDRLEN + sizeof(e);
		if (!(h.nlmsg_flags & NLM_F_CAPPED))
			tlv += e.msg.nlmsg_len - NLMSG_HDRLEN;
		if (tlv < one.size()) {
			auto t = parse_attrs(one.data() + tlv, one.size() - tlv,
					     NLMSGERR_ATTR_MAX);
			if (t[NLMSGERR_ATTR_MSG])
				o.extack = attr::str(t[NLMSGERR_ATTR_MSG]);
		}
	}
	return o;
}

} // namespace

std::vector<Reply> Socket::collect(std::uint32_t seq)
{
	std::vector<Reply> replies;

	for (;;) {
		for (const auto &[h, one] : split_datagram(receive_datagram())) {

			if (h.nlmsg_seq != seq)
				continue;	// stale answer to an old request

			if (h.nlmsg_type == NLMSG_ERROR) {
				Socket::Outcome o = error_outcome(h, one);
				if (o.error == 0)
					return replies;	// ACK
				throw Error(o.error, std::string("kernel: ") +
					    std::strerror(o.error), o.extack);
			}
			if (h.nlmsg_type == NLMSG_DONE) {
				// A dump may report a late error here.
				if (one.size() >= NLMSG_HDRLEN + sizeof(int)) {
					int err;
					std::memcpy(&err, one.data() + NLMSG_HDRLEN,
						    sizeof(err));
					if (err < 0)
						throw Error(-err, std::string("kernel dump: ") +
							    std::strerror(-err));
				}
				// A change after the last part of a consistency-
				// checked dump (xvs's) may show on DONE alone.
				if (h.nlmsg_flags & NLM_F_DUMP_INTR)
					throw Error(EAGAIN, "dump interrupted by a change");
				return replies;
			}
			if (h.nlmsg_type == NLMSG_NOOP)
				continue;
			if (h.nlmsg_type == NLMSG_OVERRUN)
				throw Error(EOVERFLOW, "netlink overrun");
			// Data: a dump part or a reply; requests always ask
			// for an ACK, so the exchange goes on until one.
			replies.emplace_back(one);
		}
	}
}

std::vector<Socket::Outcome> Socket::transact_pipelined(
	std::size_t count, const std::function<Message(std::size_t)> &make)
{
	// Per datagram: the errors of a datagram whose requests all fail
	// (each echoing its request) must fit the receive buffer grown
	// below, and the kernel takes a datagram in one allocation.
	constexpr std::size_t max_msgs = 256;
	constexpr std::size_t max_bytes = 48 * 1024;

	if (!rcvbuf_grown_) {
		// Room for a whole batch of errors; best effort.
		int size = 4 << 20;
		if (setsockopt(fd(), SOL_SOCKET, SO_RCVBUFFORCE, &size,
			       sizeof(size)) != 0)
			setsockopt(fd(), SOL_SOCKET, SO_RCVBUF, &size,
				   sizeof(size));
		rcvbuf_grown_ = true;
	}

	std::vector<Outcome> out(count);
	std::vector<std::uint8_t> buf;
	std::size_t i = 0;
	while (i < count) {
		const std::size_t first = i;
		std::uint32_t first_seq = 0;
		std::size_t last_offset = 0;
		buf.clear();
		while (i < count && i - first < max_msgs &&
		       buf.size() < max_bytes) {
			Message m = make(i);
			nlmsghdr *h = m.header();
			h->nlmsg_flags |= NLM_F_REQUEST;
			h->nlmsg_seq = next_seq();
			h->nlmsg_pid = port();
			if (i == first)
				first_seq = h->nlmsg_seq;
			auto bytes = m.bytes();
			last_offset = buf.size();
			buf.insert(buf.end(), bytes.begin(), bytes.end());
			buf.resize(NLMSG_ALIGN(buf.size()));
			i++;
		}
		reinterpret_cast<nlmsghdr *>(buf.data() + last_offset)
			->nlmsg_flags |= NLM_F_ACK;
		requests_counter.fetch_add(i - first,
					   std::memory_order_relaxed);
		ssize_t n;
		do {
			n = send(fd(), buf.data(), buf.size(), 0);
		} while (n < 0 && errno == EINTR);
		if (n < 0)
			throw Error(errno, "sending a batch of requests");

		// Sequence numbers of a batch are consecutive: the answer to
		// request k of it carries first_seq + k.
		const std::size_t batch = i - first;
		for (bool last_done = false; !last_done;) {
			for (const auto &[h, one] :
			     split_datagram(receive_datagram())) {
				std::size_t k = h.nlmsg_seq - first_seq;
				if (h.nlmsg_type != NLMSG_ERROR || k >= batch)
					continue;	// data, or stale
				out[first + k] = error_outcome(h, one);
				if (k == batch - 1)
					last_done = true;
			}
		}
	}
	return out;
}

} // namespace xvs
