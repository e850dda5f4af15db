// The -R stream splitter.
#include "cli.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

using xvsadm::ConfigStream;

namespace {

std::vector<std::vector<std::string>> lines_of(const std::string &text)
{
	std::FILE *f = fmemopen(const_cast<char *>(text.data()), text.size(),
				"r");
	if (text.empty())
		f = std::tmpfile();
	std::vector<std::vector<std::string>> out;
	ConfigStream s(f, "prog");
	std::vector<std::string> line;
	while (s.next(line))
		out.push_back(line);
	std::fclose(f);
	return out;
}

using V = std::vector<std::vector<std::string>>;

} // namespace

TEST(ConfigStream, Basic)
{
	EXPECT_EQ(lines_of("-A -t 1.2.3.4:80\n-C\n"),
		  (V{{"prog", "-A", "-t", "1.2.3.4:80"}, {"prog", "-C"}}));
}

TEST(ConfigStream, BlanksAndEmptyLines)
{
	EXPECT_EQ(lines_of("\n  \t\n\t-a\t-t  x \r\n"),
		  (V{{"prog"}, {"prog"}, {"prog", "-a", "-t", "x"}}));
}

TEST(ConfigStream, IpvsadmWordDropped)
{
	EXPECT_EQ(lines_of("ipvsadm -C ipvsadm\n"), (V{{"prog", "-C"}}));
}

TEST(ConfigStream, CommentsAreNotSpecial)
{
	// ipvsadm's comment detection never triggers: '#' is a token.
	EXPECT_EQ(lines_of("# x\n-C # y\n"),
		  (V{{"prog", "#", "x"}, {"prog", "-C", "#", "y"}}));
}

TEST(ConfigStream, LastLineWithoutNewline)
{
	EXPECT_EQ(lines_of("-C\n-L"), (V{{"prog", "-C"}, {"prog", "-L"}}));
	// ... but one that ends in blanks is dropped
	EXPECT_EQ(lines_of("-C\n-L  "), (V{{"prog", "-C"}}));
	// ... and so is one holding only the word ipvsadm
	EXPECT_EQ(lines_of("-C\nipvsadm"), (V{{"prog", "-C"}}));
}

TEST(ConfigStream, Empty)
{
	EXPECT_EQ(lines_of(""), V{});
}

TEST(ConfigStream, LongTokensSplit)
{
	std::string tok(5000, 'a');
	auto l = lines_of(tok + "\n");
	ASSERT_EQ(l.size(), 1u);
	ASSERT_EQ(l[0].size(), 3u);
	EXPECT_EQ(l[0][1].size(), 4096u);
	EXPECT_EQ(l[0][2].size(), 904u);
}
