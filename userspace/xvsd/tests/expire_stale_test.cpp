// Writing xvs.ko's net.xvs.expire_stale_conn (ldirectord.cf expirestale=).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

#include "resources.hpp"
#include "text.hpp"

using namespace xvsd;

TEST(ExpireStale, WritesTheMode)
{
	char path[] = "/tmp/xvsd-expire-stale-XXXXXX";
	int fd = ::mkstemp(path);
	ASSERT_GE(fd, 0);
	::close(fd);
	EXPECT_EQ(set_expire_stale(1, path), "");
	EXPECT_EQ(read_file(path), "1\n");
	EXPECT_EQ(set_expire_stale(0, path), "");
	EXPECT_EQ(read_file(path), "0\n");
	EXPECT_EQ(set_expire_stale(3, path), "bad mode 3");
	EXPECT_EQ(read_file(path), "0\n");
	std::remove(path);
}

TEST(ExpireStale, NoSwitchWithoutXvs)
{
	// the kernel's ip_vs (or no module): the file does not exist and is
	// not created
	std::string path = "/tmp/xvsd-expire-stale-missing-" + std::to_string(::getpid());
	std::string why = set_expire_stale(1, path);
	EXPECT_NE(why.find("No such file or directory"), std::string::npos) << why;
	EXPECT_NE(why.find("ip_vs has no such switch"), std::string::npos) << why;
	EXPECT_NE(::access(path.c_str(), F_OK), 0);
}

TEST(ExpireStale, Names)
{
	EXPECT_EQ(expire_stale_name(0), "0 (no)");
	EXPECT_EQ(expire_stale_name(1), "1 (udp)");
	EXPECT_EQ(expire_stale_name(2), "2 (all)");
}
