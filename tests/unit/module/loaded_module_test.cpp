// loaded_module_test.cpp - loading module files: the good cases across
// minors, and one distinct, file-naming error per way a file can be bad.
#include "module_test_support.h"
#include "../maps/temp_dir.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ferry::test {
namespace {

using ::testing::HasSubstr;

TEST(LoadedModule, LoadsGoodModuleAndReadsDescriptor) {
    std::string error;
    auto m = load("test-good", error);
    ASSERT_TRUE(m) << error;
    EXPECT_EQ(m->name(), "test-good");
    EXPECT_EQ(m->version(), "1.0-test");
    EXPECT_EQ(m->abi_major(), 1);
    EXPECT_EQ(m->abi_minor(), 0);
    ASSERT_NE(m->map_type("tgood"), nullptr);
    EXPECT_TRUE(m->map_type("tgood")->error.empty());
    EXPECT_EQ(m->map_type("nosuch"), nullptr);
    ASSERT_EQ(m->transports().size(), 1u);
    EXPECT_EQ(m->transports()[0], "tpipe");
}

// The promise: a module built against 1.x loads in a core of 1.y, y >= x.
// The host here speaks 1.3; the module was built against the 1.0 header.
TEST(LoadedModule, OlderMinorLoadsInNewerCore) {
    std::string error;
    auto m = load("test-good", error, nullptr, module::AbiVersion{1, 3});
    ASSERT_TRUE(m) << error;
    EXPECT_EQ(m->abi_minor(), 0);
}

// A module from a newer minor still loads when its size covers the fields
// this core reads; its appended fields (poison functions) are never used.
TEST(LoadedModule, NewerMinorWithAppendedFieldsLoads) {
    std::string error;
    auto m = load("test-future-minor", error);
    ASSERT_TRUE(m) << error;
    EXPECT_EQ(m->abi_minor(), 7);
    ASSERT_NE(m->map_type("tfuture"), nullptr);
    EXPECT_TRUE(m->map_type("tfuture")->error.empty());
}

TEST(LoadedModule, RefusesOtherMajorNamingBothVersionsAndFile) {
    std::string error;
    EXPECT_FALSE(load("test-bad-major", error));
    EXPECT_THAT(error, HasSubstr("test-bad-major.so: module ABI 2.0, this "
                                 "Ferry speaks ABI 1.0"));
}

TEST(LoadedModule, OtherMajorMessageShowsTheHostVersion) {
    std::string error;
    EXPECT_FALSE(load("test-bad-major", error, nullptr, module::AbiVersion{1, 4}));
    EXPECT_THAT(error, HasSubstr("module ABI 2.0, this Ferry speaks ABI 1.4"));
}

TEST(LoadedModule, RefusesDescriptorSmallerThanAbi10) {
    std::string error;
    EXPECT_FALSE(load("test-bad-tiny", error));
    EXPECT_THAT(error, HasSubstr("test-bad-tiny.so"));
    EXPECT_THAT(error, HasSubstr("module descriptor is 16 bytes, smaller than "
                                 "ABI 1.0's"));
}

TEST(LoadedModule, ReportsMissingEntrySymbol) {
    std::string error;
    EXPECT_FALSE(load("test-bad-no-entry", error));
    EXPECT_THAT(error, HasSubstr("test-bad-no-entry.so: not a Ferry module: no "
                                 "ferry_module_entry symbol"));
}

TEST(LoadedModule, ReportsEntryReturningNull) {
    std::string error;
    EXPECT_FALSE(load("test-bad-null", error));
    EXPECT_THAT(error, HasSubstr("test-bad-null.so: ferry_module_entry "
                                 "returned no module descriptor"));
}

TEST(LoadedModule, ReportsInitFailureWithModuleReason) {
    std::string error;
    EXPECT_FALSE(load("test-bad-init", error));
    EXPECT_THAT(error, HasSubstr("test-bad-init.so: module initialization "
                                 "failed: license expired"));
}

TEST(LoadedModule, ReportsMissingFile) {
    std::string error;
    EXPECT_FALSE(module::LoadedModule::load("/nonexistent/maps-x.so", {}, {}, error));
    EXPECT_EQ(error, "/nonexistent/maps-x.so: module file not found");
}

TEST(LoadedModule, ReportsFileThatIsNotASharedObject) {
    TempDir dir;
    std::string path = dir.write("maps-corrupt.so", "this is not ELF\n");
    std::string error;
    EXPECT_FALSE(module::LoadedModule::load(path, {}, {}, error));
    EXPECT_THAT(error, HasSubstr(path + ": cannot load module: "));
    EXPECT_THAT(error, HasSubstr("maps-corrupt.so"));
}

TEST(LoadedModule, ReadsOpsOnlyAsFarAsTheirDeclaredSize) {
    std::string error;
    auto m = load("test-short-ops", error);
    ASSERT_TRUE(m) << error;
    const module::ModuleMapType *t = m->map_type("tshort");
    ASSERT_NE(t, nullptr);
    EXPECT_TRUE(t->error.empty()) << t->error;
    EXPECT_NE(t->ops.lookup, nullptr);
    // Beyond the declared size the module has poison, the host null.
    EXPECT_EQ(t->ops.update, nullptr);
    EXPECT_EQ(t->ops.remove, nullptr);
    EXPECT_EQ(t->ops.sequence, nullptr);
    EXPECT_EQ(t->ops.commit, nullptr);
    EXPECT_EQ(t->ops.close, nullptr);
}

TEST(LoadedModule, InitCallsBackIntoTheHost) {
    auto services = std::make_shared<FakeServices>();
    std::string error;
    ::testing::internal::CaptureStderr();
    auto m = load("test-good", error, services);
    std::string err = ::testing::internal::GetCapturedStderr();
    ASSERT_TRUE(m) << error;
    EXPECT_THAT(err, HasSubstr(": test-good initialised"));
}

} // namespace
} // namespace ferry::test
