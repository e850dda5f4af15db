// Unit tests of Socket::transact_pipelined against the host kernel's own
// generic netlink controller ("nlctrl", which every kernel has and which
// answers anyone): family lookups that succeed and fail, interleaved, in
// more requests than one datagram takes.
#include <gtest/gtest.h>

#include <cerrno>
#include <string>

#include <linux/genetlink.h>

#include "xvs/netlink.hpp"

using namespace xvs;

namespace {

// CTRL_CMD_GETFAMILY for `name`: a data reply when the family exists,
// ENOENT when it does not.
Message lookup(const std::string &name)
{
	Message m = Message::genl(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0, 512);
	m.put_string(CTRL_ATTR_FAMILY_NAME, name);
	return m;
}

} // namespace

TEST(Pipeline, OutcomeOfEveryRequestInOrder)
{
	Socket sock;
	// 600 requests: three datagrams (256 at most each); every third
	// names a family that does not exist.
	constexpr std::size_t n = 600;
	auto out = sock.transact_pipelined(n, [](std::size_t i) {
		return lookup(i % 3 == 2 ? "xvs-nofamily" : "nlctrl");
	});
	ASSERT_EQ(out.size(), n);
	for (std::size_t i = 0; i < n; i++)
		EXPECT_EQ(out[i].error, i % 3 == 2 ? ENOENT : 0) << "request " << i;
}

TEST(Pipeline, LastRequestFailingEndsItsDatagram)
{
	Socket sock;
	auto out = sock.transact_pipelined(256, [](std::size_t i) {
		return lookup(i == 255 ? "xvs-nofamily" : "nlctrl");
	});
	ASSERT_EQ(out.size(), 256u);
	EXPECT_EQ(out[254].error, 0);
	EXPECT_EQ(out[255].error, ENOENT);
	// The socket is usable afterwards: nothing of the batch is left over.
	EXPECT_EQ(sock.resolve_family("nlctrl"), GENL_ID_CTRL);
}

TEST(Pipeline, NoRequests)
{
	Socket sock;
	EXPECT_TRUE(sock.transact_pipelined(0, [](std::size_t) {
		return lookup("nlctrl");
	}).empty());
}
