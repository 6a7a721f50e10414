// texthash_test.cpp - texthash:, the source format read at open time, with
// postmap's warnings for bad lines and duplicates.
#include "maps_test_support.h"

namespace ferry::test {
namespace {

using ::testing::HasSubstr;

TEST(TexthashTable, KeyWhitespaceValueWithContinuationsAndComments) {
    TempDir dir;
    std::string f = dir.write("t", "Key1 value1\n  continued here\n# comment\n\n"
                                   "key2\tv2 with  spaces  \nkey3 v3 # not comment\n"
                                   "  # indented comment\nkey4 a\n\n  after blank\n"
                                   "k5 v5\r\n");
    auto t = open_table("texthash:" + f);
    ASSERT_TRUE(t.opened.map) << t.opened.error;
    EXPECT_EQ(value_of(*t, "key1"), "value1  continued here");
    EXPECT_EQ(value_of(*t, "key2"), "v2 with  spaces");
    EXPECT_EQ(value_of(*t, "key3"), "v3 # not comment");
    EXPECT_EQ(value_of(*t, "key4"), "a  after blank");
    EXPECT_EQ(value_of(*t, "k5"), "v5");
    EXPECT_EQ(t.log, "");
}

TEST(TexthashTable, KeysFoldedUnlessOpenedWithoutFold) {
    TempDir dir;
    std::string f = dir.write("t", "Key1 v\n");
    auto folded = open_table("texthash:" + f);
    EXPECT_EQ(value_of(*folded, "KEY1"), "v");
    auto exact = open_table("texthash:" + f, map_flags::read);
    EXPECT_EQ(value_of(*exact, "Key1"), "v");
    EXPECT_EQ(value_of(*exact, "key1"), "<notfound>");
}

TEST(TexthashTable, QuotedKeyMayContainSpaceAndKeepsItsQuotes) {
    TempDir dir;
    std::string f = dir.write("t", "\"a b\" v\nx \"y z\"\n");
    auto t = open_table("texthash:" + f);
    EXPECT_EQ(value_of(*t, "\"a b\""), "v");
    EXPECT_EQ(value_of(*t, "x"), "\"y z\"");
}

TEST(TexthashTable, DuplicateWarnsWithFileAndLineAndKeepsFirst) {
    TempDir dir;
    std::string f = dir.write("t", "K1 v\nk1 w\n");
    auto t = open_table("texthash:" + f);
    EXPECT_EQ(value_of(*t, "k1"), "v");
    EXPECT_THAT(t.log, HasSubstr("warning: " + f + ", line 2: duplicate entry: \"k1\""));
}

TEST(TexthashTable, DuplicateFlagsChooseSilentlyFirstOrLast) {
    TempDir dir;
    std::string f = dir.write("t", "k1 v\nk1 w\n");
    auto ignore = open_table("texthash:" + f, map_flags::lookup_default | map_flags::dup_ignore);
    EXPECT_EQ(value_of(*ignore, "k1"), "v");
    EXPECT_EQ(ignore.log, "");
    auto replace = open_table("texthash:" + f, map_flags::lookup_default | map_flags::dup_replace);
    EXPECT_EQ(value_of(*replace, "k1"), "w");
    EXPECT_EQ(replace.log, "");
}

TEST(TexthashTable, LineWithoutValueIsWarnedAndSkipped) {
    TempDir dir;
    std::string f = dir.write("t", "keyonly\nk2 v2\n");
    auto t = open_table("texthash:" + f);
    EXPECT_THAT(t.log, HasSubstr("warning: " + f + ", line 1: expected format: "
                                 "key whitespace value -- ignoring this line"));
    EXPECT_EQ(value_of(*t, "keyonly"), "<notfound>");
    EXPECT_EQ(value_of(*t, "k2"), "v2");
}

TEST(TexthashTable, ContinuationAtStartOfFileIsWarned) {
    TempDir dir;
    std::string f = dir.write("t", "  orphan start\nk v\n");
    auto t = open_table("texthash:" + f);
    EXPECT_THAT(t.log, HasSubstr("warning: " + f + ": logical line must not start "
                                 "with whitespace: \"  orphan start\""));
    EXPECT_EQ(value_of(*t, "k"), "v");
}

TEST(TexthashTable, MissingFileIsAnOpenError) {
    auto t = open_table("texthash:/nonexistent/t");
    EXPECT_FALSE(t.opened.map);
    EXPECT_EQ(t.opened.error, "open database /nonexistent/t: No such file or directory");
}

TEST(TexthashTable, SequenceListsEntriesInFileOrder) {
    TempDir dir;
    std::string f = dir.write("t", "b 2\na 1\n");
    auto t = open_table("texthash:" + f);
    Map::Entry e;
    std::string why;
    ASSERT_EQ(t->sequence(true, e, why), LookupStatus::Found);
    EXPECT_EQ(e.key, "b");
    ASSERT_EQ(t->sequence(false, e, why), LookupStatus::Found);
    EXPECT_EQ(e.key, "a");
    EXPECT_EQ(t->sequence(false, e, why), LookupStatus::NotFound);
}

} // namespace
} // namespace ferry::test
