// master_cf_test.cpp - master.cf rows, their "-" defaults, -o overrides and
// Postfix's errors for bad rows.
#include "config/master_cf.h"
#include "test_util.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

using ferry::config::parse_master_cf;

TEST(MasterCf, ParsesFaxRowWithContinuation) {
    auto s = parse_master_cf("fax unix - n n - 1 pipe\n  flags= user=fax argv=/usr/bin/faxmail -d -n ${user}\n",
                             "master.cf");
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].name(), "fax/unix");
    EXPECT_EQ(s[0].process_limit, "1");
    EXPECT_EQ(s[0].command_line(), "pipe flags= user=fax argv=/usr/bin/faxmail -d -n ${user}");
    EXPECT_TRUE(s[0].overrides.empty());
}

TEST(MasterCf, DashMeansPostfixDefaults) {
    auto s = parse_master_cf("smtp inet - - - - - smtpd\nflush unix n n y 1000? 0 flush\n", "master.cf");
    EXPECT_TRUE(s[0].is_private());
    EXPECT_TRUE(s[0].is_unprivileged());
    EXPECT_FALSE(s[0].is_chroot()); // Postfix 3.0 and later
    EXPECT_EQ(s[0].wakeup_seconds(), 0);
    EXPECT_FALSE(s[1].is_private());
    EXPECT_TRUE(s[1].is_chroot());
    EXPECT_EQ(s[1].wakeup_seconds(), 1000);
    EXPECT_TRUE(s[1].wakeup_only_when_used());
}

TEST(MasterCf, CollectsOverridesUntilFirstOtherArgument) {
    auto s = parse_master_cf("x unix - - - - - pipe -v -o a=b\n  -o c= -o noequals d=e -o f=g\n", "master.cf");
    ASSERT_EQ(s[0].overrides.size(), 2u);
    EXPECT_EQ(s[0].overrides[0].name, "a");
    EXPECT_EQ(s[0].overrides[1].name, "c");
    EXPECT_EQ(s[0].overrides[1].value, "");
}

TEST(MasterCf, ParsesDebianStockMasterCf) {
    // Debian's stock master.cf, as the postfix package installs it.
    std::ifstream in("/usr/share/postfix/master.cf.dist");
    ASSERT_TRUE(in) << "postfix package not installed (scripts/setup.sh installs it)";
    std::stringstream text;
    text << in.rdbuf();
    auto s = parse_master_cf(text.str(), "master.cf");
    EXPECT_GE(s.size(), 20u);
    EXPECT_EQ(s.front().name(), "smtp/inet");
}

TEST(MasterCf, RejectsBadFieldCount) {
    auto text = ferry::test::fatal_of([] { parse_master_cf("smtp inet n - y - - smtpd\nbad inet n\n", "./master.cf"); });
    EXPECT_EQ(text, "file ./master.cf: line 2: bad field count");
}

TEST(MasterCf, RejectsInvalidFields) {
    EXPECT_EQ(ferry::test::fatal_of([] { parse_master_cf("smtp bogus n - y - - smtpd\n", "m"); }),
              "invalid type field \"bogus\" in \"smtp bogus n - y - - smtpd\"");
    EXPECT_EQ(ferry::test::fatal_of([] { parse_master_cf("smtp inet x - y - - smtpd\n", "m"); }),
              "invalid private field \"x\" in \"smtp inet x - y - - smtpd\"");
    EXPECT_EQ(ferry::test::fatal_of([] { parse_master_cf("smtp inet n - y x - smtpd\n", "m"); }),
              "invalid wakeup field \"x\" in \"smtp inet n - y x - smtpd\"");
    EXPECT_EQ(ferry::test::fatal_of([] { parse_master_cf("smtp inet n - y 1? x smtpd\n", "m"); }),
              "invalid process_limit field \"x\" in \"smtp inet n - y 1? x smtpd\"");
}
