// fail_unix_test.cpp - fail: always defers; unix: answers from the passwd
// and group databases like Postfix.
#include "maps_test_support.h"

#include <grp.h>
#include <pwd.h>

namespace ferry::test {
namespace {

using ::testing::HasSubstr;

TEST(FailTable, EveryLookupIsATemporaryFailureNeverNotFound) {
    auto t = open_table("fail:foo");
    ASSERT_TRUE(t.opened.map);
    auto r = t->lookup("anything");
    EXPECT_EQ(r.status, LookupStatus::TempFail);
    EXPECT_EQ(r.reason, "Application error");
    Map::Entry e;
    std::string why;
    EXPECT_EQ(t->sequence(true, e, why), LookupStatus::TempFail);
    EXPECT_EQ(t->remove("x").status, LookupStatus::TempFail);
}

TEST(UnixTable, PasswdByNameGivesThePasswdLine) {
    auto t = open_table("unix:passwd.byname");
    ASSERT_TRUE(t.opened.map);
    const passwd *pw = ::getpwnam("root");
    ASSERT_NE(pw, nullptr);
    const std::string line = std::string("root:") + pw->pw_passwd + ":0:" +
                             std::to_string(pw->pw_gid) + ":" + pw->pw_gecos +
                             ":" + pw->pw_dir + ":" + pw->pw_shell;
    EXPECT_EQ(value_of(*t, "root"), line);
    EXPECT_EQ(value_of(*t, "ROOT"), line);
    EXPECT_EQ(value_of(*t, "no-such-user-here"), "<notfound>");
}

TEST(UnixTable, GroupByNameGivesTheGroupLine) {
    auto t = open_table("unix:group.byname");
    ASSERT_TRUE(t.opened.map);
    const group *gr = ::getgrnam("root");
    ASSERT_NE(gr, nullptr);
    std::string line = std::string("root:") + gr->gr_passwd + ":0:";
    for (char **m = gr->gr_mem; *m; ++m)
        line += (m == gr->gr_mem ? "" : ",") + std::string(*m);
    EXPECT_EQ(value_of(*t, "root"), line);
    EXPECT_EQ(value_of(*t, "no-such-group-here"), "<notfound>");
}

TEST(UnixTable, UnknownTableNameIsAnOpenError) {
    auto t = open_table("unix:foo");
    EXPECT_FALSE(t.opened.map);
    EXPECT_EQ(t.opened.error, "unknown table: unix:foo");
}

} // namespace
} // namespace ferry::test
