// table_source_test.cpp - the logical-line reader and key/value splitter
// shared by texthash: and cidr:.
#include "maps/table_source.h"
#include "temp_dir.h"

#include <gtest/gtest.h>

namespace ferry::test {
namespace {

TEST(TableSource, LogicalLinesStartWhereTheyBegin) {
    TempDir dir;
    std::string f = dir.write("t", "# c\na 1\n  more\n\nb 2\n");
    auto src = read_table_source(f);
    ASSERT_TRUE(src.error.empty());
    ASSERT_EQ(src.lines.size(), 2u);
    EXPECT_EQ(src.lines[0].line, 2);
    EXPECT_EQ(src.lines[0].text, "a 1  more");
    EXPECT_EQ(src.lines[1].line, 5);
}

TEST(TableSource, UnreadableFileReportsWhy) {
    auto src = read_table_source("/nonexistent/file");
    EXPECT_EQ(src.error, "No such file or directory");
}

TEST(TableSource, SplitKeyValueTrimsAndNeedsAValue) {
    auto kv = split_key_value("  key \t value with  spaces \r");
    ASSERT_TRUE(kv);
    EXPECT_EQ(kv->key, "key");
    EXPECT_EQ(kv->value, "value with  spaces");
    EXPECT_FALSE(split_key_value("keyonly"));
    EXPECT_FALSE(split_key_value("keyonly   "));
}

TEST(TableSource, FoldCaseIsAsciiOnly) {
    EXPECT_EQ(fold_case("MiXeD@Example.COM"), "mixed@example.com");
    EXPECT_EQ(fold_case("\xc3\x89"), "\xc3\x89");
}

} // namespace
} // namespace ferry::test
