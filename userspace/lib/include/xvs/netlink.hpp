// xvs userspace: RAII wrappers over libnl-3 for generic netlink.
//
// Message owns a struct nl_msg being built; Socket owns a struct nl_sock and
// runs request/reply exchanges (ACKs, multipart dumps, errors with extended
// ACK).  Reply holds a copy of one received netlink message.  Raw pointers to
// libnl objects never escape with ownership.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct nl_msg;
struct nl_sock;
struct nlattr;
#include <linux/netlink.h>	// nlmsghdr: Message_view holds one
struct genlmsghdr;

namespace xvs {

// Attributes of one level, indexed by type; absent types are nullptr.
// Pointers refer into the buffer of the Reply (or Message) they came from.
using AttrTable = std::vector<const nlattr *>;

// Splits the attribute stream [data, data+len) into a table of maxtype+1
// entries.  Attributes of a type above maxtype are skipped; a repeated type
// keeps its last occurrence (as the kernel does).
AttrTable parse_attrs(const void *data, std::size_t len, int maxtype);
// Same for the payload of a nested attribute.
AttrTable parse_nested(const nlattr *nest, int maxtype);

// Typed, length-checked attribute accessors.  They throw Error(EPROTO) when
// the attribute is shorter than the type needs.
namespace attr {
std::span<const std::uint8_t> bytes(const nlattr *a);
std::uint8_t u8(const nlattr *a);
std::uint16_t u16(const nlattr *a);
std::uint32_t u32(const nlattr *a);
std::uint64_t u64(const nlattr *a);
std::uint16_t be16(const nlattr *a);	// returned in host order
std::string str(const nlattr *a);	// up to the first NUL or the end
int type(const nlattr *a);
std::size_t size(const nlattr *a);	// payload length
} // namespace attr

class Message {
public:
	// An empty netlink message (header only) with room for max_size bytes.
	explicit Message(std::size_t max_size = 16384);
	// A generic netlink request: netlink header of type `family`, genl
	// header with `cmd` and `version`.  NLM_F_REQUEST is always set.
	static Message genl(int family, std::uint8_t cmd, std::uint8_t version,
			    std::uint16_t nlflags,
			    std::size_t max_size = 16384);

	Message(Message &&) noexcept;
	Message &operator=(Message &&) noexcept;
	Message(const Message &) = delete;
	Message &operator=(const Message &) = delete;
	~Message();

	nlmsghdr *header();
	const nlmsghdr *header() const;
	// The whole message as it would go on the wire (nlmsg_len bytes).
	std::span<const std::uint8_t> bytes() const;
	// Attribute area after the genl header.
	AttrTable attrs(int maxtype) const;

	void put(int type, const void *data, std::size_t len);
	void put_u8(int type, std::uint8_t v);
	void put_u16(int type, std::uint16_t v);
	void put_u32(int type, std::uint32_t v);
	void put_u64(int type, std::uint64_t v);
	void put_be16(int type, std::uint16_t host_order);
	void put_string(int type, std::string_view s);	// NUL-terminated
	// Appends bytes verbatim to the payload (aligned to 4), with no
	// attribute header: lets a caller add arbitrary, even malformed data.
	void append(const void *data, std::size_t len);

	// Open nested attribute; closed by end() or when the guard dies.
	class Nest {
	public:
		Nest(Nest &&other) noexcept;
		Nest(const Nest &) = delete;
		Nest &operator=(const Nest &) = delete;
		Nest &operator=(Nest &&) = delete;
		~Nest();
		void end();

	private:
		friend class Message;
		Nest(Message &msg, nlattr *start) : msg_(&msg), start_(start) {}
		Message *msg_;
		nlattr *start_;
	};
	Nest nest(int type);

	// Non-owning access for libnl calls made by this library.
	nl_msg *get() const { return msg_.get(); }

private:
	struct Deleter {
		void operator()(nl_msg *m) const noexcept;
	};
	explicit Message(nl_msg *m) : msg_(m) {}
	std::unique_ptr<nl_msg, Deleter> msg_;
};

// One received netlink message (a copy).
class Reply {
public:
	explicit Reply(std::span<const std::uint8_t> raw);
	const nlmsghdr *header() const;
	std::uint16_t type() const;
	// Generic netlink command of the message (0 when too short).
	std::uint8_t cmd() const;
	// Top-level attributes after the genl header.
	AttrTable attrs(int maxtype) const;
	std::span<const std::uint8_t> bytes() const { return buf_; }

private:
	std::vector<std::uint8_t> buf_;
};

// Requests this process has sent (every Socket's transact_bytes()): a
// debugging aid that lets tests count the requests a listing takes.
std::uint64_t requests_sent();

class Socket {
public:
	// A NETLINK_GENERIC socket bound to a kernel-assigned port, with
	// extended ACK enabled.
	Socket();
	Socket(Socket &&) noexcept;
	Socket &operator=(Socket &&) noexcept;
	Socket(const Socket &) = delete;
	Socket &operator=(const Socket &) = delete;
	~Socket();

	// Numeric id of a generic netlink family; Error(ENOENT) if the family
	// is not registered.
	int resolve_family(const std::string &name);

	// Fills in sequence number and port, sends, and gathers the answer:
	// for a dump (NLM_F_DUMP) every multipart message up to NLMSG_DONE,
	// otherwise the reply messages up to the ACK (NLM_F_ACK is forced).
	// A kernel error becomes Error(errno, ..., extack); a dump whose
	// NLMSG_DONE is marked NLM_F_DUMP_INTR, Error(EAGAIN).
	std::vector<Reply> transact(Message &msg);

	// Sends bytes as they are (no header fix-up) and gathers the answer
	// to sequence number `seq` like transact(): up to NLMSG_DONE, an ACK
	// or an error.  If nothing arrives within the receive timeout, throws
	// Error(ETIMEDOUT) -- what a request gets that the kernel drops.
	std::vector<Reply> transact_bytes(std::span<const std::uint8_t> bytes,
					  std::uint32_t seq);

	// The answer to one request of a pipelined batch: 0 or the kernel's
	// errno, and its extended-ACK message if it sent one.
	struct Outcome {
		int error = 0;
		std::string extack;
	};

	// Pipelines `count` requests that answer with an ACK alone (changes,
	// not GETs): make(i) builds request i; its sequence number and port
	// are filled in here.  As many as fit go out in one datagram, and
	// only the last of a datagram asks for an ACK: the kernel handles a
	// datagram's messages in order and answers every failed one with an
	// error, so that ACK means the whole datagram has been handled.
	// Returns one Outcome per request.  A socket error or a kernel that
	// stops answering (Error(ETIMEDOUT)) is thrown.
	std::vector<Outcome> transact_pipelined(
		std::size_t count,
		const std::function<Message(std::size_t)> &make);

	// Id of multicast group `group` of family `family`; Error(ENOENT)
	// when either does not exist.
	int resolve_group(const std::string &family, const std::string &group);
	// Joins a multicast group; the kernel's refusal (EPERM, ...) becomes
	// Error(errno).
	void join_group(int group);
	// The messages of the next datagram (multicast ones too), waiting up
	// to timeout_ms (-1: no limit); empty when the time ran out.  A
	// socket error such as the ENOBUFS of an overrun is thrown.
	std::vector<Reply> receive(int timeout_ms);

	std::uint32_t next_seq();
	std::uint32_t port() const;
	int fd() const;
	// How long a receive waits before Error(ETIMEDOUT); default 10 s.
	void set_timeout_ms(int ms) { timeout_ms_ = ms; }

private:
	std::vector<Reply> collect(std::uint32_t seq);
	// Receives one datagram into rxbuf_, waiting up to timeout_ms_;
	// returns its length.
	std::size_t receive_datagram();
	// The messages of the first `len` bytes of rxbuf_ (views into it);
	// Error(EPROTO) when a length does not fit.
	struct Message_view {
		nlmsghdr header;
		std::span<const std::uint8_t> bytes;
	};
	std::vector<Message_view> split_datagram(std::size_t len) const;
	bool rcvbuf_grown_ = false;	// for pipelined batches
	struct Deleter {
		void operator()(nl_sock *s) const noexcept;
	};
	std::unique_ptr<nl_sock, Deleter> sock_;
	int timeout_ms_ = 10000;
	std::vector<std::uint8_t> rxbuf_;
};

} // namespace xvs
