// catalog_modules_test.cpp - the catalog with a registry of test modules:
// lazy loading, types(), props(), errors that name table and file, the
// host's lookup callback and its recursion guard.
#include "maps/catalog.h"
#include "module_test_support.h"
#include "../maps/temp_dir.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ferry::test {
namespace {

using ::testing::HasSubstr;

struct CatalogModules : ::testing::Test {
    TempDir registry;
    std::map<std::string, std::string> params;

    CatalogOptions options() {
        CatalogOptions o;
        o.registry_dir = registry.path();
        o.module_path = {"/nonexistent", FERRY_TEST_MODULE_DIR};
        o.param = [this](std::string_view name) -> std::optional<std::string> {
            auto it = params.find(std::string(name));
            if (it == params.end()) return std::nullopt;
            return it->second;
        };
        return o;
    }
    // Build a catalog, swallowing the load-time log lines.
    std::unique_ptr<MapCatalog> catalog() {
        ::testing::internal::CaptureStderr();
        auto c = std::make_unique<MapCatalog>(options());
        ::testing::internal::GetCapturedStderr();
        return c;
    }
};

TEST_F(CatalogModules, OpensModuleTypeByRegistryName) {
    registry.write("test.conf", "map tgood test-good.so\n");
    auto cat = catalog();
    ::testing::internal::CaptureStderr();
    auto m = cat->open("tgood:x", map_flags::lookup_default);
    ::testing::internal::GetCapturedStderr();
    ASSERT_TRUE(m.map) << m.error;
    EXPECT_EQ(m.map->lookup("hit").value, "value-of-hit");
}

TEST_F(CatalogModules, TypesListsBuiltinsAndRegistrySorted) {
    registry.write("test.conf", "map tgood test-good.so\nmap zzz missing.so\n"
                                "transport tpipe test-good.so\n");
    auto cat = catalog();
    auto types = cat->types();
    EXPECT_TRUE(std::is_sorted(types.begin(), types.end()));
    for (const char *t : {"cidr", "fail", "inline", "static", "texthash", "unix",
                          "tgood", "zzz"})
        EXPECT_NE(std::find(types.begin(), types.end(), t), types.end()) << t;
    EXPECT_EQ(cat->transports(), std::vector<std::string>{"tpipe"});
}

TEST_F(CatalogModules, PropsComeFromTheModuleDescriptor) {
    registry.write("test.conf", "map tgood test-good.so\n");
    auto cat = catalog();
    ::testing::internal::CaptureStderr();
    auto props = cat->props("tgood");
    ::testing::internal::GetCapturedStderr();
    ASSERT_TRUE(props);
    EXPECT_EQ(*props, map_props::writable | map_props::sequence);
    EXPECT_EQ(cat->props("cidr"), map_props::pattern);
    EXPECT_FALSE(cat->props("nosuchtype"));
}

TEST_F(CatalogModules, OtherMajorRefusedWithTableFileAndVersions) {
    registry.write("test.conf", "map tbad test-bad-major.so\n");
    auto m = catalog()->open("tbad:/etc/x", map_flags::lookup_default);
    EXPECT_FALSE(m.map);
    EXPECT_THAT(m.error, HasSubstr("tbad:/etc/x: test-bad-major.so: module ABI "
                                   "2.0, this Ferry speaks ABI 1.0"));
}

TEST_F(CatalogModules, MissingModuleFileNamesTableAndFile) {
    registry.write("test.conf", "map tmiss maps-missing.so\n");
    auto m = catalog()->open("tmiss:/etc/x", map_flags::lookup_default);
    EXPECT_FALSE(m.map);
    EXPECT_THAT(m.error, HasSubstr("tmiss:/etc/x: maps-missing.so: module file "
                                   "not found in /nonexistent:"));
}

TEST_F(CatalogModules, CorruptModuleFileIsAnErrorNotACrash) {
    std::string bad = registry.write("junk.so", "\x7f" "ELF but not really");
    registry.write("test.conf", "map tjunk " + bad + "\n");
    auto m = catalog()->open("tjunk:x", map_flags::lookup_default);
    EXPECT_FALSE(m.map);
    EXPECT_THAT(m.error, HasSubstr("tjunk:x: " + bad + ": cannot load module"));
}

TEST_F(CatalogModules, ModuleNotProvidingRegisteredTypeIsReported) {
    registry.write("test.conf", "map tother test-good.so\n");
    auto cat = catalog();
    ::testing::internal::CaptureStderr();
    auto m = cat->open("tother:x", map_flags::lookup_default);
    ::testing::internal::GetCapturedStderr();
    EXPECT_FALSE(m.map);
    EXPECT_THAT(m.error, HasSubstr("does not provide map type \"tother\""));
}

TEST_F(CatalogModules, DuplicateTypeInTwoSnippetsNamesBothFiles) {
    registry.write("a.conf", "map tgood test-good.so\n");
    registry.write("b.conf", "map tgood test-future-minor.so\n");
    auto m = catalog()->open("tgood:x", map_flags::lookup_default);
    EXPECT_FALSE(m.map);
    EXPECT_THAT(m.error, HasSubstr("test-good.so"));
    EXPECT_THAT(m.error, HasSubstr("test-future-minor.so"));
}

TEST_F(CatalogModules, ModuleCannotReplaceABuiltinType) {
    std::string snippet = registry.write("a.conf", "map static test-good.so\n");
    ::testing::internal::CaptureStderr();
    MapCatalog cat(options());
    std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_THAT(err, HasSubstr(snippet + ", line 1: map type \"static\" is built "
                               "into Ferry; ignoring module test-good.so"));
    auto m = cat.open("static:v", map_flags::lookup_default);
    ASSERT_TRUE(m.map);
    EXPECT_EQ(m.map->lookup("k").value, "v");
}

TEST_F(CatalogModules, InitFailureReportedOnEveryOpenWithoutReloading) {
    registry.write("test.conf", "map tbad test-bad-init.so\n");
    auto cat = catalog();
    for (int i = 0; i < 2; ++i) {
        auto m = cat->open("tbad:x", map_flags::lookup_default);
        EXPECT_FALSE(m.map);
        EXPECT_THAT(m.error, HasSubstr("module initialization failed: license expired"));
    }
}

TEST_F(CatalogModules, OpenFailureComesFromModuleErrBuffer) {
    registry.write("test.conf", "map tgood test-good.so\n");
    auto cat = catalog();
    ::testing::internal::CaptureStderr();
    auto m = cat->open("tgood:fail-open", map_flags::lookup_default);
    ::testing::internal::GetCapturedStderr();
    EXPECT_FALSE(m.map);
    EXPECT_EQ(m.error, "cannot open fail-open: no such table");
}

TEST_F(CatalogModules, ModuleLooksUpInOtherTablesThroughTheHost) {
    registry.write("test.conf", "map tgood test-good.so\n");
    auto cat = catalog();
    ::testing::internal::CaptureStderr();
    auto m = cat->open("tgood:inline:{k=from-inline}", map_flags::lookup_default);
    ::testing::internal::GetCapturedStderr();
    ASSERT_TRUE(m.map) << m.error;
    auto r = m.map->lookup("via:k");
    EXPECT_EQ(r.status, LookupStatus::Found);
    EXPECT_EQ(r.value, "from-inline");
    EXPECT_EQ(m.map->lookup("via:other").status, LookupStatus::NotFound);
}

TEST_F(CatalogModules, HostLookupOfBrokenTableIsTempFail) {
    registry.write("test.conf", "map tgood test-good.so\n");
    auto cat = catalog();
    ::testing::internal::CaptureStderr();
    auto m = cat->open("tgood:nosuchtype:/x", map_flags::lookup_default);
    ::testing::internal::GetCapturedStderr();
    ASSERT_TRUE(m.map);
    auto r = m.map->lookup("via:k");
    EXPECT_EQ(r.status, LookupStatus::TempFail);
    EXPECT_THAT(r.reason, HasSubstr("unsupported dictionary type: nosuchtype"));
}

TEST_F(CatalogModules, ParamsReachModulesThroughTheHost) {
    registry.write("test.conf", "map tgood test-good.so\n");
    params["relayhost"] = "[smtp.example.net]";
    auto cat = catalog();
    ::testing::internal::CaptureStderr();
    auto m = cat->open("tgood:x", map_flags::lookup_default);
    ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(m.map->lookup("param:relayhost").value, "[smtp.example.net]");
}

TEST_F(CatalogModules, TableLookingItselfUpFailsInsteadOfDeadlocking) {
    registry.write("test.conf", "map tgood test-good.so\n");
    params["loop_table"] = "tgood:again";
    auto cat = catalog();
    ::testing::internal::CaptureStderr();
    auto m = cat->open("tgood:first", map_flags::lookup_default);
    ::testing::internal::GetCapturedStderr();
    auto r = m.map->lookup("loop");
    EXPECT_EQ(r.status, LookupStatus::TempFail);
    EXPECT_THAT(r.reason, HasSubstr("tgood:again: table lookup loops back to itself"));
}

// "tgood:" repeated n times then "x": each level's name is the next spec.
std::string chain(int n) {
    std::string spec;
    for (int i = 0; i < n; ++i) spec += "tgood:";
    return spec + "x";
}
std::string vias(int n) {
    std::string key;
    for (int i = 0; i < n; ++i) key += "via:";
    return key + "hit";
}

TEST_F(CatalogModules, ShortChainOfHostLookupsWorks) {
    registry.write("test.conf", "map tgood test-good.so\n");
    auto cat = catalog();
    ::testing::internal::CaptureStderr();
    auto m = cat->open(chain(3), map_flags::lookup_default);
    auto r = m.map->lookup(vias(2));
    ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(r.status, LookupStatus::Found) << r.reason;
    EXPECT_EQ(r.value, "value-of-hit");
}

TEST_F(CatalogModules, DeepChainOfHostLookupsIsStopped) {
    registry.write("test.conf", "map tgood test-good.so\n");
    auto cat = catalog();
    ::testing::internal::CaptureStderr();
    auto m = cat->open(chain(12), map_flags::lookup_default);
    auto r = m.map->lookup(vias(11));
    ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(r.status, LookupStatus::TempFail);
    EXPECT_THAT(r.reason, HasSubstr("nested too deeply"));
}

TEST_F(CatalogModules, ModuleLoadedOnceForAllItsTypes) {
    registry.write("test.conf", "map tgood test-good.so\n");
    auto cat = catalog();
    ::testing::internal::CaptureStderr();
    auto a = cat->open("tgood:a", map_flags::lookup_default);
    auto b = cat->open("tgood:b", map_flags::lookup_default);
    std::string err = ::testing::internal::GetCapturedStderr();
    ASSERT_TRUE(a.map && b.map);
    // init() logs once per load.
    EXPECT_EQ(err.find("initialised"), err.rfind("initialised"));
    EXPECT_NE(err.find("initialised"), std::string::npos);
}

TEST(CatalogDefaults, OptionsComeFromTheEnvironment) {
    // Other tests in this process read these: put them back afterwards.
    std::string old_reg = std::getenv("FERRY_REGISTRY_DIR") ? std::getenv("FERRY_REGISTRY_DIR") : "";
    std::string old_path = std::getenv("FERRY_MODULE_PATH") ? std::getenv("FERRY_MODULE_PATH") : "";
    ::setenv("FERRY_REGISTRY_DIR", "/tmp/reg", 1);
    ::setenv("FERRY_MODULE_PATH", "/a::/b", 1);
    auto o = default_catalog_options();
    ::setenv("FERRY_REGISTRY_DIR", old_reg.c_str(), 1);
    ::setenv("FERRY_MODULE_PATH", old_path.c_str(), 1);
    EXPECT_EQ(o.registry_dir, "/tmp/reg");
    ASSERT_GE(o.module_path.size(), 3u);
    EXPECT_EQ(o.module_path[0], "/a");
    EXPECT_EQ(o.module_path[1], "/b");
}

} // namespace
} // namespace ferry::test
