// xvs.ko's drop counters on the Prometheus endpoint.
#include "report.hpp"

#include <gtest/gtest.h>

TEST(DropMetrics, OneCounterWithAReasonLabel)
{
	EXPECT_EQ(xvsd::drop_metrics_text("bad_header 3\nno_route 0\n"),
		  "# HELP xvs_drops_total packets xvs.ko dropped, by reason\n"
		  "# TYPE xvs_drops_total counter\n"
		  "xvs_drops_total{reason=\"bad_header\"} 3\n"
		  "xvs_drops_total{reason=\"no_route\"} 0\n");
}

TEST(DropMetrics, NothingWithoutXvs)
{
	EXPECT_EQ(xvsd::drop_metrics_text(""), "");
	EXPECT_EQ(xvsd::drop_metrics_text("garbage x\n"), "");
}
