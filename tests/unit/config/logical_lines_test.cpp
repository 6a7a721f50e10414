// logical_lines_test.cpp - Postfix's logical lines.
#include "config/logical_lines.h"
#include "test_util.h"

using ferry::config::read_logical_lines;

TEST(LogicalLines, JoinsContinuationLinesAsWritten) {
    auto l = read_logical_lines("a = 1\n  2\n\tthree\nb = 4\n", "main.cf");
    ASSERT_EQ(l.size(), 2u);
    EXPECT_EQ(l[0].text, "a = 1  2\tthree");
    EXPECT_EQ(l[0].line, 1);
    EXPECT_EQ(l[1].text, "b = 4");
    EXPECT_EQ(l[1].line, 4);
}

TEST(LogicalLines, SkipsCommentsAndBlankLinesInsideContinuation) {
    auto l = read_logical_lines("a = 1\n\n # note\n  more\n# c\nb = 2", "main.cf");
    ASSERT_EQ(l.size(), 2u);
    EXPECT_EQ(l[0].text, "a = 1  more");
    EXPECT_EQ(l[1].line, 6);
}

TEST(LogicalLines, HashAfterTextIsNotAComment) {
    auto l = read_logical_lines("a = 1 # not a comment\n", "main.cf");
    ASSERT_EQ(l.size(), 1u);
    EXPECT_EQ(l[0].text, "a = 1 # not a comment");
}

TEST(LogicalLines, WarnsAboutTextStartingWithWhitespace) {
    std::vector<ferry::config::LogicalLine> l;
    auto err = ferry::test::stderr_of([&] { l = read_logical_lines("  x = 1\n  y\na = 1\n", "/x/main.cf"); });
    EXPECT_NE(err.find("warning: /x/main.cf: logical line must not start with whitespace: \"  x = 1  y\""),
              std::string::npos)
        << err;
    ASSERT_EQ(l.size(), 1u);
    EXPECT_EQ(l[0].text, "a = 1");
    EXPECT_EQ(l[0].line, 3);
}

TEST(LogicalLines, DropsTextAfterNul) {
    auto l = read_logical_lines(std::string_view("a = 1\0junk\n", 11), "main.cf");
    ASSERT_EQ(l.size(), 1u);
    EXPECT_EQ(l[0].text, "a = 1");
}

TEST(LogicalLines, ExcerptCutsAtThirtyAndMasksControls) {
    EXPECT_EQ(ferry::config::printable_excerpt("\tab"), "?ab");
    EXPECT_EQ(ferry::config::printable_excerpt(std::string(40, 'x')), std::string(30, 'x') + "...");
}
