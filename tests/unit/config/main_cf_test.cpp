// main_cf_test.cpp - main.cf settings and Postfix's errors for bad lines.
#include "config/main_cf.h"
#include "test_util.h"

using ferry::config::parse_main_cf;

TEST(MainCf, ParsesNameValueAndTrimsBlanks) {
    auto e = parse_main_cf("myorigin = $mydomain  \r\nrelayhost=x\nempty =\n", "main.cf");
    ASSERT_EQ(e.size(), 3u);
    EXPECT_EQ(e[0].name, "myorigin");
    EXPECT_EQ(e[0].value, "$mydomain");
    EXPECT_EQ(e[1].value, "x");
    EXPECT_EQ(e[2].value, "");
    EXPECT_EQ(e[2].line, 3);
}

TEST(MainCf, ParsesMultiLineValue) {
    auto e = parse_main_cf("smtpd_recipient_restrictions =\n    check_client_access hash:/etc/postfix/client_access\n",
                           "main.cf");
    ASSERT_EQ(e.size(), 1u);
    EXPECT_EQ(e[0].value, "check_client_access hash:/etc/postfix/client_access");
}

TEST(MainCf, RejectsLineWithoutEquals) {
    auto text = ferry::test::fatal_of([] { parse_main_cf("a = 1\nbad\n  line\n", "/etc/postfix/main.cf"); });
    EXPECT_EQ(text, "/etc/postfix/main.cf, line 2: missing '=' after attribute name: \"bad  line\"");
}

TEST(MainCf, RejectsNameWithBlank) {
    auto text = ferry::test::fatal_of([] { parse_main_cf("a b = 1\n", "main.cf"); });
    EXPECT_EQ(text, "main.cf, line 1: missing '=' after attribute name: \"a b = 1\"");
}

TEST(MainCf, RejectsMissingName) {
    auto text = ferry::test::fatal_of([] { parse_main_cf("= 1\n", "main.cf"); });
    EXPECT_EQ(text, "main.cf, line 1: missing attribute name: \"= 1\"");
}

TEST(MainCf, LaterSettingWinsWithWarning) {
    std::vector<ferry::config::MainCfEntry> e;
    auto err = ferry::test::stderr_of([&] { e = parse_main_cf("a=1\nb=2\na=3\n", "main.cf"); });
    EXPECT_NE(err.find("warning: main.cf, line 3: overriding earlier entry: a=1"), std::string::npos) << err;
    ASSERT_EQ(e.size(), 2u);
    EXPECT_EQ(e[0].value, "3");
}
