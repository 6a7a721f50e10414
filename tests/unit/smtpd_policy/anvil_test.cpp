// Connection counts and rates per client, as Postfix's anvil keeps them.
#include "smtpd/anvil.h"

#include <gtest/gtest.h>

using ferry::smtpd::Anvil;
using ferry::smtpd::AnvilLimits;
using namespace std::chrono_literals;

TEST(Anvil, ConnectionCountIsPerClientAndFreedOnDisconnect) {
    AnvilLimits l;
    l.connection_count = 2;
    Anvil a(l);
    bool by_rate = true;
    EXPECT_EQ(a.connect("192.0.2.1", by_rate), 0u);
    EXPECT_EQ(a.connect("192.0.2.1", by_rate), 0u);
    EXPECT_EQ(a.connect("192.0.2.1", by_rate), 3u);
    EXPECT_FALSE(by_rate);
    EXPECT_EQ(a.connect("192.0.2.2", by_rate), 0u) << "another client has its own count";
    a.disconnect("192.0.2.1");
    EXPECT_EQ(a.connect("192.0.2.1", by_rate), 0u) << "a refused connection was not counted as open";
}

TEST(Anvil, ConnectionRateResetsAfterTheTimeUnit) {
    AnvilLimits l;
    l.connection_count = 0;
    l.connection_rate = 2;
    l.rate_unit = 60s;
    Anvil a(l);
    auto t0 = Anvil::Clock::now();
    bool by_rate = false;
    EXPECT_EQ(a.connect("c", by_rate, t0), 0u);
    EXPECT_EQ(a.connect("c", by_rate, t0 + 1s), 0u);
    EXPECT_EQ(a.connect("c", by_rate, t0 + 2s), 3u);
    EXPECT_TRUE(by_rate);
    EXPECT_EQ(a.connect("c", by_rate, t0 + 61s), 0u) << "a new window starts";
}

TEST(Anvil, MessageAndRecipientRates) {
    AnvilLimits l;
    l.message_rate = 1;
    l.recipient_rate = 2;
    Anvil a(l);
    auto t = Anvil::Clock::now();
    EXPECT_EQ(a.message("c", t), 0u);
    EXPECT_EQ(a.message("c", t), 2u);
    EXPECT_EQ(a.recipient("c", t), 0u);
    EXPECT_EQ(a.recipient("c", t), 0u);
    EXPECT_EQ(a.recipient("c", t), 3u);
}

TEST(Anvil, ZeroMeansNoLimit) {
    AnvilLimits l;
    l.connection_count = 0;
    Anvil a(l);
    bool by_rate = false;
    for (int i = 0; i < 1000; ++i) EXPECT_EQ(a.connect("c", by_rate), 0u);
    for (int i = 0; i < 1000; ++i) EXPECT_EQ(a.message("c"), 0u);
}

TEST(Anvil, IdleClientsAreForgotten) {
    AnvilLimits l;
    l.connection_rate = 100;
    Anvil a(l);
    auto t0 = Anvil::Clock::now();
    bool by_rate = false;
    for (int i = 0; i < 3000; ++i) {
        std::string c = "10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256);
        a.connect(c, by_rate, t0);
        a.disconnect(c);
    }
    for (int i = 0; i < 2048; ++i) {
        a.connect("late", by_rate, t0 + 120s);
        a.disconnect("late");
    }
    EXPECT_LE(a.tracked(), 1u) << "clients idle for a whole window are dropped";
}
