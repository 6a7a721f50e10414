// Tests for the smtpd's reverse-name cache.
#include "smtpd/reverse_names.h"

#include <gtest/gtest.h>

using ferry::smtpd::ReverseName;
using ferry::smtpd::ReverseNameCache;
using namespace std::chrono_literals;

namespace {

ReverseName named(std::string n) { return {ReverseName::Kind::name, std::move(n)}; }

} // namespace

TEST(ReverseNameCache, RemembersANameUntilItsTimeIsUp) {
    ReverseNameCache cache(60s, 10);
    auto t0 = ReverseNameCache::Clock::time_point{} + 1000s;
    EXPECT_FALSE(cache.find("192.0.2.1", t0));
    cache.store("192.0.2.1", named("mail.example.org"), t0);
    auto hit = cache.find("192.0.2.1", t0 + 59s);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->display(), "mail.example.org");
    EXPECT_FALSE(cache.find("192.0.2.1", t0 + 60s)) << "an answer is kept no longer than the ttl";
    EXPECT_EQ(cache.size(), 0u);
}

TEST(ReverseNameCache, KeepsNoNameButNotATemporaryFailure) {
    ReverseNameCache cache(60s, 10);
    auto t0 = ReverseNameCache::Clock::time_point{} + 1000s;
    cache.store("192.0.2.2", ReverseName{ReverseName::Kind::no_name, ""}, t0);
    cache.store("192.0.2.3", ReverseName{ReverseName::Kind::temporary_failure, ""}, t0);
    auto none = cache.find("192.0.2.2", t0);
    ASSERT_TRUE(none);
    EXPECT_EQ(none->display(), "unknown");
    EXPECT_FALSE(cache.find("192.0.2.3", t0)) << "a temporary failure must be asked again";
}

TEST(ReverseNameCache, AFullCacheDropsExpiredEntriesFirstThenEverything) {
    ReverseNameCache cache(10s, 2);
    auto t0 = ReverseNameCache::Clock::time_point{} + 1000s;
    cache.store("192.0.2.1", named("a.example"), t0);
    cache.store("192.0.2.2", named("b.example"), t0 + 5s);
    cache.store("192.0.2.3", named("c.example"), t0 + 11s); // .1 has expired
    EXPECT_EQ(cache.size(), 2u);
    EXPECT_TRUE(cache.find("192.0.2.2", t0 + 11s));
    EXPECT_TRUE(cache.find("192.0.2.3", t0 + 11s));
    cache.store("192.0.2.4", named("d.example"), t0 + 12s); // none expired: start over
    EXPECT_EQ(cache.size(), 1u);
    EXPECT_TRUE(cache.find("192.0.2.4", t0 + 12s));
    cache.store("192.0.2.4", named("e.example"), t0 + 13s); // a refresh is not growth
    EXPECT_EQ(cache.find("192.0.2.4", t0 + 13s)->display(), "e.example");
}
