// host_api_test.cpp - the callbacks modules make into the host: log lines
// carry the module's name, param and lookup reach the services of the
// catalog that made the call, and nesting is bounded.
#include "module_test_support.h"

#include "module/module_map.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ferry::test {
namespace {

using ::testing::HasSubstr;

struct HostApiTest : ::testing::Test {
    std::shared_ptr<FakeServices> services = std::make_shared<FakeServices>();
    std::shared_ptr<module::LoadedModule> mod;
    std::unique_ptr<Map> map;
    void SetUp() override {
        services->params["myhostname"] = "mx.example.com";
        std::string error;
        ::testing::internal::CaptureStderr();
        mod = load("test-good", error, services);
        ::testing::internal::GetCapturedStderr();
        ASSERT_TRUE(mod) << error;
        map = module::open_module_map(mod, *mod->map_type("tgood"), "fake:t",
                                      map_flags::lookup_default)
                  .map;
        ASSERT_TRUE(map);
    }
};

TEST_F(HostApiTest, LogLineIsWrittenAsTheModuleWroteIt) {
    ::testing::internal::CaptureStderr();
    map->lookup("log");
    EXPECT_THAT(::testing::internal::GetCapturedStderr(),
                HasSubstr("warning: hello from tgood"));
}

TEST_F(HostApiTest, ParamReturnsKnownParameter) {
    EXPECT_EQ(map->lookup("param:myhostname").value, "mx.example.com");
}

TEST_F(HostApiTest, ParamUnknownIsNotFound) {
    EXPECT_EQ(map->lookup("param:nosuch").status, LookupStatus::NotFound);
}

TEST_F(HostApiTest, LookupReachesHostTables) {
    auto r = map->lookup("via:k");
    EXPECT_EQ(r.status, LookupStatus::Found);
    EXPECT_EQ(r.value, "v");
    EXPECT_EQ(services->lookups, 1);
}

TEST_F(HostApiTest, CallbacksWithoutServicesFailSafely) {
    services.reset();
    mod->services(); // the module's weak reference is now expired
    EXPECT_EQ(map->lookup("param:myhostname").status, LookupStatus::NotFound);
    auto r = map->lookup("via:k");
    EXPECT_EQ(r.status, LookupStatus::TempFail);
    EXPECT_THAT(r.reason, HasSubstr("no host context"));
}

TEST(HostApi, HostTableDeclaresItsSizeAndVersion) {
    module::HostContext ctx;
    ferry_host h = module::host_table(&ctx);
    EXPECT_EQ(h.size, sizeof(ferry_host));
    EXPECT_EQ(h.abi_major, FERRY_ABI_MAJOR);
    EXPECT_EQ(h.abi_minor, FERRY_ABI_MINOR);
    EXPECT_EQ(h.ctx, &ctx);
}

TEST(HostApi, CopyErrorTruncatesAndTerminates) {
    char buf[4] = {'x', 'x', 'x', 'x'};
    module::copy_error(buf, sizeof buf, "abcdef");
    EXPECT_STREQ(buf, "abc");
}

} // namespace
} // namespace ferry::test
