// module_map_test.cpp - a module's table seen through ferry::Map: the three
// answers kept apart, errors prefixed with the table, optional operations.
#include "module_test_support.h"

#include "module/module_map.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ferry::test {
namespace {

using ::testing::HasSubstr;

struct ModuleMapTest : ::testing::Test {
    std::shared_ptr<FakeServices> services = std::make_shared<FakeServices>();
    std::shared_ptr<module::LoadedModule> mod;
    void SetUp() override {
        std::string error;
        ::testing::internal::CaptureStderr();
        mod = load("test-good", error, services);
        ::testing::internal::GetCapturedStderr();
        ASSERT_TRUE(mod) << error;
    }
    OpenedMap open(const std::string &name, unsigned flags = map_flags::lookup_default) {
        return module::open_module_map(mod, *mod->map_type("tgood"), name, flags);
    }
};

TEST_F(ModuleMapTest, FoundValueIsConcatenatedFromSinkPuts) {
    auto m = open("t1");
    ASSERT_TRUE(m.map) << m.error;
    auto r = m.map->lookup("hit");
    EXPECT_EQ(r.status, LookupStatus::Found);
    EXPECT_EQ(r.value, "value-of-hit");
    EXPECT_EQ(m.map->spec(), "tgood:t1");
    EXPECT_EQ(m.map->props(), map_props::writable | map_props::sequence);
}

TEST_F(ModuleMapTest, NotFoundIsNotATemporaryFailure) {
    auto m = open("t1");
    auto r = m.map->lookup("absent");
    EXPECT_EQ(r.status, LookupStatus::NotFound);
    EXPECT_TRUE(r.reason.empty());
}

// A module's reason is passed on as written (drivers name their own file,
// as Postfix's do); callers add "table SPEC:" where Postfix does.
TEST_F(ModuleMapTest, TempFailCarriesModuleReasonAsWritten) {
    auto m = open("t1");
    auto r = m.map->lookup("tempfail");
    EXPECT_EQ(r.status, LookupStatus::TempFail);
    EXPECT_EQ(r.reason, "backend down");
}

TEST_F(ModuleMapTest, ConfigErrorDefersLikeTempFail) {
    auto m = open("t1");
    auto r = m.map->lookup("config");
    EXPECT_EQ(r.status, LookupStatus::TempFail);
    EXPECT_EQ(r.reason, "bad setting");
}

TEST_F(ModuleMapTest, InvalidStatusBecomesTempFail) {
    auto m = open("t1");
    auto r = m.map->lookup("bad-status");
    EXPECT_EQ(r.status, LookupStatus::TempFail);
    EXPECT_THAT(r.reason, HasSubstr("invalid lookup status 42"));
}

TEST_F(ModuleMapTest, OpenFailureIsTheModuleReason) {
    auto m = open("fail-open");
    EXPECT_FALSE(m.map);
    EXPECT_EQ(m.error, "cannot open fail-open: no such table");
}

TEST_F(ModuleMapTest, UpdateRemoveSequenceCommit) {
    auto m = open("t1", map_flags::read | map_flags::write);
    ASSERT_TRUE(m.map);
    EXPECT_FALSE(m.map->update("a", "1"));
    EXPECT_FALSE(m.map->update("b", "2"));
    EXPECT_EQ(m.map->lookup("a").value, "1");
    Map::Entry e;
    std::string why;
    ASSERT_EQ(m.map->sequence(true, e, why), LookupStatus::Found);
    EXPECT_EQ(e.key, "a");
    EXPECT_EQ(e.value, "1");
    ASSERT_EQ(m.map->sequence(false, e, why), LookupStatus::Found);
    EXPECT_EQ(e.key, "b");
    EXPECT_EQ(m.map->sequence(false, e, why), LookupStatus::NotFound);
    EXPECT_EQ(m.map->remove("a").status, LookupStatus::Found);
    EXPECT_EQ(m.map->remove("a").status, LookupStatus::NotFound);
    EXPECT_FALSE(m.map->commit());
}

TEST_F(ModuleMapTest, CommitFailureIsTheModuleReason) {
    auto m = open("no-commit");
    auto err = m.map->commit();
    ASSERT_TRUE(err);
    EXPECT_EQ(err->text, "disk full");
}

TEST(ModuleMapShortOps, MissingOptionalOperationsAreReportedNotCalled) {
    std::string error;
    auto mod = load("test-short-ops", error);
    ASSERT_TRUE(mod) << error;
    auto m = module::open_module_map(mod, *mod->map_type("tshort"), "x",
                                     map_flags::lookup_default);
    ASSERT_TRUE(m.map) << m.error;
    EXPECT_EQ(m.map->lookup("k").value, "short");
    auto up = m.map->update("k", "v");
    ASSERT_TRUE(up);
    EXPECT_THAT(up->text, HasSubstr("update is not supported"));
    EXPECT_EQ(m.map->remove("k").status, LookupStatus::TempFail);
    Map::Entry e;
    std::string why;
    EXPECT_EQ(m.map->sequence(true, e, why), LookupStatus::TempFail);
    EXPECT_FALSE(m.map->commit());
}

TEST(ModuleMapFuture, NewerMinorModuleAnswersLookups) {
    std::string error;
    auto mod = load("test-future-minor", error);
    ASSERT_TRUE(mod) << error;
    auto m = module::open_module_map(mod, *mod->map_type("tfuture"), "x",
                                     map_flags::lookup_default);
    ASSERT_TRUE(m.map) << m.error;
    EXPECT_EQ(m.map->lookup("future").value, "yes");
    EXPECT_EQ(m.map->lookup("past").status, LookupStatus::NotFound);
}

TEST(ModuleMapLifetime, MapKeepsModuleLoadedAfterLastOtherReference) {
    std::string error;
    auto mod = load("test-good", error);
    ASSERT_TRUE(mod);
    auto m = module::open_module_map(mod, *mod->map_type("tgood"), "x",
                                     map_flags::lookup_default);
    std::weak_ptr<module::LoadedModule> weak = mod;
    mod.reset();
    EXPECT_FALSE(weak.expired());
    EXPECT_EQ(m.map->lookup("hit").value, "value-of-hit");
    m.map.reset();
    EXPECT_TRUE(weak.expired());
}

} // namespace
} // namespace ferry::test
