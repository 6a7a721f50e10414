// registry_test.cpp - reading the module registry: format, comments,
// warnings for malformed lines, order, and names claimed twice.
#include "module/registry.h"
#include "../maps/temp_dir.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ferry::test {
namespace {

using ::testing::HasSubstr;

TEST(Registry, ReadsMapAndTransportLinesWithComments) {
    TempDir dir;
    dir.write("maps-a.conf", "# a comment\n\nmap   hash  maps-a.so  # trailing\n"
                             "map btree maps-a.so\ntransport uucp transport-uucp.so\n");
    auto reg = module::Registry::load(dir.path());
    ASSERT_EQ(reg.maps().size(), 2u);
    ASSERT_NE(reg.find_map("hash"), nullptr);
    EXPECT_EQ(reg.find_map("hash")->file, "maps-a.so");
    EXPECT_EQ(reg.find_map("hash")->line, 3);
    EXPECT_EQ(reg.find_map("btree")->file, "maps-a.so");
    ASSERT_NE(reg.find_transport("uucp"), nullptr);
    EXPECT_EQ(reg.find_transport("uucp")->file, "transport-uucp.so");
    EXPECT_EQ(reg.find_map("uucp"), nullptr);
}

TEST(Registry, MissingDirectoryIsEmpty) {
    auto reg = module::Registry::load("/nonexistent/modules.d");
    EXPECT_TRUE(reg.maps().empty());
    EXPECT_TRUE(reg.transports().empty());
}

TEST(Registry, IgnoresFilesNotEndingInConf) {
    TempDir dir;
    dir.write("maps-a.conf.dpkg-old", "map hash old.so\n");
    dir.write("README", "map hash readme.so\n");
    auto reg = module::Registry::load(dir.path());
    EXPECT_TRUE(reg.maps().empty());
}

TEST(Registry, WarnsAboutMalformedLinesWithFileAndLine) {
    TempDir dir;
    std::string file = dir.write("bad.conf", "map hash\nmodule x y.so\n"
                                             "map a b c d\nmap ok ok.so\n");
    ::testing::internal::CaptureStderr();
    auto reg = module::Registry::load(dir.path());
    std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_THAT(err, HasSubstr("warning: " + file + ", line 1: expected format: "
                               "map|transport NAME FILE -- ignoring this line"));
    EXPECT_THAT(err, HasSubstr(file + ", line 2: unknown kind \"module\""));
    EXPECT_THAT(err, HasSubstr(file + ", line 3: expected format"));
    ASSERT_EQ(reg.maps().size(), 1u);
    EXPECT_EQ(reg.maps()[0].name, "ok");
}

TEST(Registry, SameTypeFromTwoFilesIsAConflictNamingBoth) {
    TempDir dir;
    std::string a = dir.write("10-a.conf", "map ldap maps-ldap.so\n");
    std::string b = dir.write("20-b.conf", "\nmap ldap maps-openldap.so\n");
    ::testing::internal::CaptureStderr();
    auto reg = module::Registry::load(dir.path());
    std::string err = ::testing::internal::GetCapturedStderr();
    std::string conflict = reg.map_conflict("ldap");
    EXPECT_THAT(conflict, HasSubstr("maps-ldap.so (" + a + ", line 1)"));
    EXPECT_THAT(conflict, HasSubstr("maps-openldap.so (" + b + ", line 2)"));
    EXPECT_THAT(err, HasSubstr("warning: " + b + ", line 2: map type \"ldap\" is "
                               "claimed by both"));
}

TEST(Registry, SameTypeSameFileTwiceIsHarmless) {
    TempDir dir;
    dir.write("a.conf", "map hash maps-hash.so\n");
    dir.write("b.conf", "map hash maps-hash.so\n");
    ::testing::internal::CaptureStderr();
    auto reg = module::Registry::load(dir.path());
    EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
    EXPECT_TRUE(reg.map_conflict("hash").empty());
    EXPECT_EQ(reg.maps().size(), 1u);
}

TEST(Registry, ReadsSnippetsInNameOrder) {
    TempDir dir;
    dir.write("b.conf", "map second b.so\n");
    dir.write("a.conf", "map first a.so\n");
    auto reg = module::Registry::load(dir.path());
    ASSERT_EQ(reg.maps().size(), 2u);
    EXPECT_EQ(reg.maps()[0].name, "first");
    EXPECT_EQ(reg.maps()[1].name, "second");
}

TEST(Registry, ShippedRegistryParsesWithoutWarnings) {
    const char *dir = std::getenv("FERRY_REGISTRY_DIR");
    ASSERT_NE(dir, nullptr);
    ::testing::internal::CaptureStderr();
    auto reg = module::Registry::load(dir);
    EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
    EXPECT_NE(reg.find_map("hash"), nullptr);
}

} // namespace
} // namespace ferry::test
