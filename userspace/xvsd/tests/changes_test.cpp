// Which config-change events make xvsd re-read the table, and how they are
// logged.
#include <gtest/gtest.h>

#include "changes.hpp"

using namespace xvs;

TEST(Changes, OwnPortIsNotForeign)
{
	Event ev;
	ev.kind = EventKind::ServiceNew;
	ev.portid = 1234;
	EXPECT_FALSE(xvsd::foreign_change(ev, 1234));
	EXPECT_TRUE(xvsd::foreign_change(ev, 1235));
	// No socket of xvsd's open: nothing can be its own.
	EXPECT_TRUE(xvsd::foreign_change(ev, 0));
}

TEST(Changes, Description)
{
	Event ev;
	ev.kind = EventKind::DestDel;
	Service s;
	s.addr = Address::parse("10.0.0.1");
	s.port = 80;
	Destination d;
	d.addr = Address::parse("10.0.0.2");
	d.port = 8080;
	ev.service = s;
	ev.dest = d;
	EXPECT_EQ(xvsd::describe_change(ev), "dest-del TCP 10.0.0.1:80 -> 10.0.0.2:8080");
	Event fl;
	fl.kind = EventKind::ServiceFlush;
	EXPECT_EQ(xvsd::describe_change(fl), "service-flush");
	Event dm;
	dm.kind = EventKind::DaemonNew;
	dm.daemon = Daemon{};
	dm.daemon->state = IP_VS_STATE_BACKUP;
	EXPECT_EQ(xvsd::describe_change(dm), "daemon-new backup");
}
