// Alias values are re-serialised the way Postfix's postalias stores them;
// each expectation below was read off Postfix 3.7's postalias -s.
#include "address/rfc822_tokens.h"

#include <gtest/gtest.h>

using namespace ferry::address;

namespace {
std::string ext(const char *s) { return externalize(tokenize(s)); }
std::string in(const char *s) { return internalize(tokenize(s)); }
} // namespace

TEST(Rfc822Tokens, CommaListIsNormalised) {
    EXPECT_EQ(ext("joe,\n   jane ,  bob"), "joe, jane, bob");
    EXPECT_EQ(ext("x,,y,"), "x, , y, ");
    EXPECT_EQ(ext(",x"), ", x");
}

TEST(Rfc822Tokens, WordsAreSeparatedBySingleSpaces) {
    EXPECT_EQ(ext("x  y"), "x y");
    EXPECT_EQ(ext("\"q\"x"), "\"q\" x");
    EXPECT_EQ(ext("(c)a"), "(c) a");
    EXPECT_EQ(ext("(c)(d)"), "(c) (d)");
    EXPECT_EQ(ext("a [b]"), "a [b]");
}

TEST(Rfc822Tokens, SpecialsTakeNoSpaces) {
    EXPECT_EQ(ext("a . b"), "a.b");
    EXPECT_EQ(ext("a@ b"), "a@b");
    EXPECT_EQ(ext("list: a, b;"), "list:a, b;");
    EXPECT_EQ(ext("a < b > c"), "a <b>c");
    EXPECT_EQ(ext("a <b@c> (d)"), "a <b@c>(d)");
    EXPECT_EQ(ext("| \"q\""), "|\"q\"");
    EXPECT_EQ(ext("a!\"q\""), "a!\"q\"");
    EXPECT_EQ(ext("a&\"q\""), "a& \"q\"");
}

TEST(Rfc822Tokens, AtomsThatNeedQuotingAreQuoted) {
    EXPECT_EQ(ext("a\\ b"), "\"a b\"");
    EXPECT_EQ(ext("a\\,b"), "\"a,b\"");
    EXPECT_EQ(ext("joe\\@x"), "\"joe@x\"");
    EXPECT_EQ(ext("a\\\\b"), "\"a\\\\b\"");
    EXPECT_EQ(ext("\\joe"), "joe");
    EXPECT_EQ(ext("/path/file"), "/path/file");
    EXPECT_EQ(ext(":include:/etc/lists/my"), ":include:/etc/lists/my");
    EXPECT_EQ(ext("\"|/usr/bin/prog arg\""), "\"|/usr/bin/prog arg\"");
}

TEST(Rfc822Tokens, UnterminatedQuoteIsClosed) {
    EXPECT_EQ(ext("\"unterminated"), "\"unterminated\"");
}

TEST(Rfc822Tokens, InternalFormDropsQuotes) {
    EXPECT_EQ(in("\"My List\""), "My List");
    EXPECT_EQ(in("x\\ y"), "x y");
    EXPECT_EQ(in("(c)w"), "(c) w");
}
