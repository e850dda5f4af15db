// /proc/net/xvs_drops parsing and `xvsadm -L --drops` output.
#include "cli.hpp"
#include "drops.hpp"

#include <gtest/gtest.h>

using namespace xvsadm;

TEST(Drops, ParsesProcFile)
{
	auto c = drops::parse("bad_header 3\nno_route 0\nmtu_exceeded "
			      "18446744073709551615\n");
	ASSERT_TRUE(c);
	ASSERT_EQ(c->size(), 3u);
	EXPECT_EQ((*c)[0].reason, "bad_header");
	EXPECT_EQ((*c)[0].count, 3u);
	EXPECT_EQ((*c)[1].reason, "no_route");
	EXPECT_EQ((*c)[1].count, 0u);
	EXPECT_EQ((*c)[2].count, 18446744073709551615ull);
}

TEST(Drops, EmptyFileIsNoCounters)
{
	auto c = drops::parse("");
	ASSERT_TRUE(c);
	EXPECT_TRUE(c->empty());
}

TEST(Drops, RejectsMalformedLines)
{
	EXPECT_FALSE(drops::parse("bad_header\n"));
	EXPECT_FALSE(drops::parse("bad_header x\n"));
	EXPECT_FALSE(drops::parse("bad_header 3 4\n"));
	EXPECT_FALSE(drops::parse(" 3\n"));
	EXPECT_FALSE(drops::parse("bad_header -1\n"));
	EXPECT_FALSE(drops::parse("bad_header 99999999999999999999\n"));
}

TEST(Drops, RendersText)
{
	std::vector<drops::Counter> c{{"checksum", 2}, {"no_destination", 17}};
	EXPECT_EQ(drops::render_text(c),
		  "Reason          Drops\n"
		  "checksum        2\n"
		  "no_destination  17\n");
}

TEST(Drops, RendersJson)
{
	std::vector<drops::Counter> c{{"checksum", 2}, {"no_route", 0}};
	EXPECT_EQ(drops::render_json(c),
		  "{\n  \"format\": \"xvsadm-drops-1\",\n  \"drops\": {\n"
		  "    \"checksum\": 2,\n    \"no_route\": 0\n  }\n}\n");
	EXPECT_EQ(drops::render_json({}),
		  "{\n  \"format\": \"xvsadm-drops-1\",\n  \"drops\": {}\n}\n");
}

TEST(Drops, CommandLine)
{
	Command c = parse_command({"xvsadm", "-L", "--drops"});
	EXPECT_EQ(c.cmd, Cmd::List);
	EXPECT_TRUE(c.drops);
	c = parse_command({"xvsadm", "-L", "-n", "--drops", "--format",
			   "json"});
	EXPECT_TRUE(c.drops);
	EXPECT_EQ(c.output_format, "json");
	EXPECT_FALSE(parse_command({"xvsadm", "-L"}).drops);
}

TEST(Drops, CommandLineRejections)
{
	auto rejects = [](std::vector<std::string> argv, const char *msg) {
		try {
			parse_command(argv);
			ADD_FAILURE() << "accepted";
		} catch (const Exit &e) {
			EXPECT_EQ(e.code, 2);
			EXPECT_NE(e.err.find(msg), std::string::npos) << e.err;
		}
	};
	rejects({"xvsadm", "-C", "--drops"},
		"Illegal 'drops' option with the 'flush' command");
	rejects({"xvsadm", "-L", "-c", "--drops"},
		"options conflicts in the list command");
	rejects({"xvsadm", "-L", "--stats", "--drops"},
		"options conflicts in the list command");
	rejects({"xvsadm", "-L", "--drops", "--drops"},
		"multiple 'drops' options specified");
}
