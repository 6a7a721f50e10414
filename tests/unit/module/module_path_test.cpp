// module_path_test.cpp - finding a registry's module file on the path.
#include "module/module_path.h"
#include "../maps/temp_dir.h"

#include <gtest/gtest.h>

namespace ferry::test {
namespace {

TEST(ModulePath, BareNameSearchedInOrderFirstWins) {
    TempDir a, b;
    b.write("maps-x.so", "");
    std::string second = a.write("maps-x.so", "");
    std::string error;
    auto found = module::find_module_file("maps-x.so", {"/nonexistent", a.path(), b.path()}, error);
    ASSERT_TRUE(found) << error;
    EXPECT_EQ(found->string(), second);
}

TEST(ModulePath, BareNameNotFoundListsThePath) {
    std::string error;
    EXPECT_FALSE(module::find_module_file("maps-x.so", {"/no/a", "/no/b"}, error));
    EXPECT_EQ(error, "maps-x.so: module file not found in /no/a:/no/b");
}

TEST(ModulePath, AbsolutePathUsedAsIs) {
    TempDir a;
    std::string file = a.write("maps-y.so", "");
    std::string error;
    auto found = module::find_module_file(file, {"/elsewhere"}, error);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->string(), file);
    EXPECT_FALSE(module::find_module_file(file + ".missing", {a.path()}, error));
    EXPECT_EQ(error, file + ".missing: module file not found");
}

} // namespace
} // namespace ferry::test
