// build_lookup_test.cpp - building a table and looking keys up: the NUL
// conventions and key folding of Postfix's dict_db.
#include "fixture.h"

using namespace maps_hash_test;

namespace {

class BuildLookup : public ::testing::TestWithParam<std::string> {
protected:
    std::string type() const { return GetParam(); }
    TempDir dir;
};

const std::string long_value(100000, 'v');

} // namespace

TEST_P(BuildLookup, FindsEveryKindOfKeyAndValue) {
    std::string name = dir / "table";
    build(type(), name,
          {{"Mixed.Case@Example.COM", "OK"},
           {"k\xc3\xa4se", "utf-8 key"},
           {"utf8value", "gr\xc3\xbc\xc3\x9f"},
           {"empty", ""},
           {"long", long_value},
           {"key with spaces", "value with spaces"}});
    Table t(type(), name, lookup_flags);
    ASSERT_TRUE(t.ok()) << t.error();
    EXPECT_EQ(t.value_of("mixed.case@example.com"), "OK");
    EXPECT_EQ(t.value_of("MIXED.case@EXAMPLE.com"), "OK");
    EXPECT_EQ(t.value_of("k\xc3\xa4se"), "utf-8 key");
    EXPECT_EQ(t.value_of("utf8value"), "gr\xc3\xbc\xc3\x9f");
    std::string value = "stale";
    EXPECT_EQ(t.lookup("empty", &value), FERRY_FOUND);
    EXPECT_EQ(value, "");
    EXPECT_EQ(t.value_of("long"), long_value);
    EXPECT_EQ(t.value_of("key with spaces"), "value with spaces");
    EXPECT_EQ(t.lookup("absent"), FERRY_NOTFOUND);
    EXPECT_EQ(t.lookup("key"), FERRY_NOTFOUND);
}

TEST_P(BuildLookup, WritesKeyAndValueWithNulByDefault) {
    std::string name = dir / "table";
    build(type(), name, {{"key", "value"}});
    auto raw = raw_records(type(), name + ".db");
    ASSERT_EQ(raw.size(), 1u);
    EXPECT_EQ(raw.begin()->first, std::string("key\0", 4));
    EXPECT_EQ(raw.begin()->second, std::string("value\0", 6));
}

TEST_P(BuildLookup, WritesWithoutNulWhenOnlyTry0Null) {
    std::string name = dir / "table";
    build(type(), name, {{"key", "value"}}, 0, FERRY_MAP_TRY1NULL);
    auto raw = raw_records(type(), name + ".db");
    ASSERT_EQ(raw.size(), 1u);
    EXPECT_EQ(raw.begin()->first, "key");
    EXPECT_EQ(raw.begin()->second, "value");

    Table with_nul(type(), name, FERRY_MAP_READ | FERRY_MAP_TRY1NULL);
    EXPECT_EQ(with_nul.lookup("key"), FERRY_NOTFOUND);
    Table without(type(), name, FERRY_MAP_READ | FERRY_MAP_TRY0NULL);
    EXPECT_EQ(without.value_of("key"), "value");
    Table either(type(), name, lookup_flags);
    EXPECT_EQ(either.value_of("key"), "value");
}

TEST_P(BuildLookup, WritesWithNulWhenOnlyTry1Null) {
    std::string name = dir / "table";
    build(type(), name, {{"key", "value"}}, 0, FERRY_MAP_TRY0NULL);
    EXPECT_EQ(raw_records(type(), name + ".db").begin()->first,
              std::string("key\0", 4));
    Table without(type(), name, FERRY_MAP_READ | FERRY_MAP_TRY0NULL);
    EXPECT_EQ(without.lookup("key"), FERRY_NOTFOUND);
}

TEST_P(BuildLookup, LookupLocksInTheConventionFirstFound) {
    // A (malformed) file holding both spellings shows Postfix's rule: the
    // first hit decides the convention for the rest of the handle's life.
    std::string name = dir / "mixed";
    write_raw(type(), name + ".db",
              {{std::string("with\0", 5), std::string("one\0", 4)},
               {"without", "two"}});
    {
        Table t(type(), name, lookup_flags);
        EXPECT_EQ(t.value_of("with"), "one");
        EXPECT_EQ(t.lookup("without"), FERRY_NOTFOUND);
    }
    {
        Table t(type(), name, lookup_flags);
        EXPECT_EQ(t.value_of("without"), "two");
        EXPECT_EQ(t.lookup("with"), FERRY_NOTFOUND);
    }
}

TEST_P(BuildLookup, ValueStopsAtEmbeddedNul) {
    std::string name = dir / "nul";
    write_raw(type(), name + ".db", {{"key", std::string("a\0b", 3)}});
    Table t(type(), name, lookup_flags);
    EXPECT_EQ(t.value_of("key"), "a");
}

TEST_P(BuildLookup, FoldsAsciiLettersOnly) {
    // Postfix's lowercase() leaves bytes >= 0x80 alone: "\xc3\x84" (A umlaut)
    // is not folded to "\xc3\xa4".
    std::string name = dir / "fold";
    build(type(), name, {{"UPPER", "1"}, {"\xc3\x84" "BC", "2"}});
    auto raw = raw_records(type(), name + ".db");
    EXPECT_TRUE(raw.count(std::string("upper\0", 6)));
    EXPECT_TRUE(raw.count(std::string("\xc3\x84" "bc\0", 5)));
    Table t(type(), name, lookup_flags);
    EXPECT_EQ(t.value_of("Upper"), "1");
    EXPECT_EQ(t.value_of("\xc3\x84" "Bc"), "2");
    EXPECT_EQ(t.lookup("\xc3\xa4" "bc"), FERRY_NOTFOUND);
}

TEST_P(BuildLookup, KeepsCaseWithoutFold) {
    std::string name = dir / "nofold";
    build(type(), name, {{"MiXed", "1"}}, 0, FERRY_MAP_FOLD);
    EXPECT_TRUE(raw_records(type(), name + ".db").count(std::string("MiXed\0", 6)));
    Table exact(type(), name, lookup_flags & ~FERRY_MAP_FOLD);
    EXPECT_EQ(exact.value_of("MiXed"), "1");
    EXPECT_EQ(exact.lookup("mixed"), FERRY_NOTFOUND);
    Table folding(type(), name, lookup_flags);
    EXPECT_EQ(folding.lookup("MiXed"), FERRY_NOTFOUND);
}

INSTANTIATE_TEST_SUITE_P(Types, BuildLookup, ::testing::Values("hash", "btree"));

TEST(Module, DescribesHashAndBtree) {
    const ferry_module &m = module();
    EXPECT_EQ(m.abi_major, FERRY_ABI_MAJOR);
    EXPECT_EQ(m.size, sizeof(ferry_module));
    EXPECT_STREQ(m.name, "maps-hash");
    ASSERT_EQ(m.map_type_count, 2u);
    EXPECT_STREQ(m.map_types[0].type, "hash");
    EXPECT_STREQ(m.map_types[1].type, "btree");
    for (uint32_t i = 0; i < 2; ++i) {
        EXPECT_EQ(m.map_types[i].props,
                  FERRY_MAP_PROP_WRITABLE | FERRY_MAP_PROP_SEQUENCE);
        EXPECT_EQ(m.map_types[i].ops->size, sizeof(ferry_map_ops));
    }
    char err[256] = "";
    ASSERT_NE(m.init, nullptr);
    EXPECT_EQ(m.init(host(), err, sizeof err), 0) << err;
}
