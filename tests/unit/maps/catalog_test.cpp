// catalog_test.cpp - how the catalog reads "type:name" and what it says
// when it cannot, in postmap's words.
#include "maps_test_support.h"

namespace ferry::test {
namespace {

TEST(Catalog, SpecWithoutColonIsAnError) {
    auto t = open_table("/etc/postfix/access");
    EXPECT_FALSE(t.opened.map);
    EXPECT_EQ(t.opened.error, "open dictionary: expecting \"type:name\" form "
                              "instead of \"/etc/postfix/access\"");
}

TEST(Catalog, SpecWithEmptyNameIsAnError) {
    for (const char *spec : {"static:", "fail:", ":x"}) {
        auto t = open_table(spec);
        EXPECT_FALSE(t.opened.map) << spec;
        EXPECT_EQ(t.opened.error, std::string("open dictionary: expecting \"type:name\" "
                                              "form instead of \"") + spec + "\"");
    }
}

TEST(Catalog, UnknownTypeIsUnsupported) {
    auto t = open_table("nosuchtype:/etc/x");
    EXPECT_FALSE(t.opened.map);
    EXPECT_EQ(t.opened.error, "unsupported dictionary type: nosuchtype");
}

TEST(Catalog, NameMayContainColons) {
    auto t = open_table("static:a:b");
    ASSERT_TRUE(t.opened.map);
    EXPECT_EQ(value_of(*t, "k"), "a:b");
    EXPECT_EQ(t->spec(), "static:a:b");
}

TEST(Catalog, BuiltinTypesAreAlwaysListed) {
    CatalogOptions o;
    o.registry_dir = "/nonexistent";
    MapCatalog catalog(o);
    EXPECT_EQ(catalog.types(), (std::vector<std::string>{"cidr", "fail", "inline", "nis", "proxy", "static",
                                                         "texthash", "unix"}));
    EXPECT_EQ(catalog.props("texthash"), map_props::sequence);
    EXPECT_EQ(catalog.props("static"), 0u);
    EXPECT_FALSE(catalog.props("hash"));
    EXPECT_TRUE(catalog.transports().empty());
}

TEST(Catalog, ShippedRegistryListsModuleTypes) {
    MapCatalog catalog(default_catalog_options());
    auto types = catalog.types();
    EXPECT_NE(std::find(types.begin(), types.end(), "hash"), types.end());
    EXPECT_NE(std::find(types.begin(), types.end(), "static"), types.end());
}

} // namespace
} // namespace ferry::test
