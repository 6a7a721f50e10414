// fail_unix_test.cpp - fail: always defers; unix: answers from the passwd
// and group databases like Postfix; nis: finds nothing without a NIS domain.
#include "maps_test_support.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

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

// Postfix's alias_maps default names nis:mail.aliases.  Without a NIS
// domain (this host, as most) it answers "not found", as Postfix does; with
// one, Ferry, which does not speak NIS, defers rather than skip the table.
TEST(NisTable, WithoutADomainEveryKeyIsNotFoundAndWithOneALookupDefers) {
    auto t = open_table("nis:mail.aliases");
    ASSERT_TRUE(t.opened.map);
    char name[256] = {};
    ASSERT_EQ(::getdomainname(name, sizeof name - 1), 0);
    std::string domain(name);
    auto r = t->lookup("postmaster");
    if (domain.empty() || domain == "(none)") {
        EXPECT_EQ(r.status, LookupStatus::NotFound);
    } else {
        EXPECT_EQ(r.status, LookupStatus::TempFail);
        EXPECT_THAT(r.reason, HasSubstr("NIS lookups in domain " + domain + " are not supported"));
    }
}

} // namespace
} // namespace ferry::test
