// Logical lines and records of table source files, as postmap reads them
// (each expectation was read off Postfix 3.7's postmap).
#include "log/msg.h"
#include "maps/table_source.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <utility>
#include <vector>

using namespace ferry;

namespace {

std::vector<std::pair<int, std::string>> read_all(const std::string &text) {
    std::istringstream in(text);
    std::vector<std::pair<int, std::string>> out;
    for (const auto &l : read_table_source(in, "t").lines) out.emplace_back(l.line, l.text);
    return out;
}

} // namespace

TEST(TableSource, JoinsContinuationAcrossCommentsAndBlankLines) {
    auto got = read_all("k1 v1\n# comment\n  cont1\nk2 v2\n\n  cont2\n   \n\tcont3\n");
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0], std::make_pair(1, std::string("k1 v1  cont1")));
    EXPECT_EQ(got[1], std::make_pair(4, std::string("k2 v2  cont2\tcont3")));
}

TEST(TableSource, IndentedHashIsACommentNotAContinuation) {
    auto got = read_all("k v # kept\n  # indented comment\nk2 v2\n");
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].second, "k v # kept");
}

TEST(TableSource, WarnsAboutLeadingWhitespaceWithNothingToContinue) {
    unsigned before = msg::warning_count();
    auto got = read_all("  orphan v\nk v\n");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0], std::make_pair(2, std::string("k v")));
    EXPECT_EQ(msg::warning_count(), before + 1);
}

TEST(TableSource, LastLineWithoutNewlineIsRead) {
    auto got = read_all("a b\nc d");
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[1].second, "c d");
}

TEST(TableRecord, KeyEndsAtFirstWhitespaceValueIsTrimmed) {
    auto kv = parse_table_record("t", {1, "Foo  bar baz  \r"});
    ASSERT_TRUE(kv);
    EXPECT_EQ(kv->key, "Foo");
    EXPECT_EQ(kv->value, "bar baz");
}

TEST(TableRecord, QuotedKeyKeepsItsWhitespaceAndQuotes) {
    auto kv = parse_table_record("t", {1, "\"quoted key\" v"});
    ASSERT_TRUE(kv);
    EXPECT_EQ(kv->key, "\"quoted key\"");
    EXPECT_EQ(kv->value, "v");
}

TEST(TableRecord, KeyWithoutValueIsWarnedAndSkipped) {
    unsigned before = msg::warning_count();
    EXPECT_FALSE(parse_table_record("t", {3, "novalue   "}));
    EXPECT_EQ(msg::warning_count(), before + 1);
}

TEST(TableRecord, AliasStyleKeyIsWarnedButKept) {
    unsigned before = msg::warning_count();
    auto kv = parse_table_record("t", {5, "key: v"});
    ASSERT_TRUE(kv);
    EXPECT_EQ(kv->key, "key:");
    EXPECT_EQ(msg::warning_count(), before + 1);
}
