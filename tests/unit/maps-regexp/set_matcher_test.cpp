// set_matcher_test.cpp - where the set matcher puts each pattern, and that
// every place answers alike.
//
// Patterns go to the literal set (by a literal every match contains), to
// Vectorscan as full expressions, to RE2 when Vectorscan refuses them or has
// its fill, or nowhere (reported for every key).  Each path is pinned
// here with a pattern that takes it, and tables mixing them must answer as
// the real engine tried rule by rule.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "literal_set.h"
#include "pattern_table.h"
#include "set_matcher.h"

namespace {

using ferry::regexp::LiteralSet;
using ferry::regexp::PatternTable;
using ferry::regexp::SetMatcher;
using ferry::regexp::TableKind;

PatternTable make(TableKind kind, const std::string &text,
                  SetMatcher::Backend backend = SetMatcher::Backend::automatic) {
    return PatternTable(kind, "test", text, [](const std::string &) {}, backend);
}

std::string lit(const char *re2_text) { return SetMatcher::required_literal(re2_text); }

TEST(SetMatcher, RequiredLiteralIsTheLongestTopLevelRun) {
    EXPECT_EQ(lit("(?i:^\\x{61}\\x{62}\\x{63}(?s:.)*\\x{64}$)"), "abc");
    EXPECT_EQ(lit("(?:(?:\\x{61}|\\x{62})\\x{63}\\x{64}\\x{65})"), "cde");
    // A class of one byte, or of one letter in both cases, is that byte.
    EXPECT_EQ(lit("(?i:[\\x{2e}]\\x{43}\\x{4f}\\x{4d}$)"), ".com");
    EXPECT_EQ(lit("(?:[\\x{41}\\x{61}]\\x{62}\\x{42})"), "abb");
    EXPECT_EQ(lit("(?:[\\x{30}-\\x{39}]\\x{61}\\x{62})"), "ab");
    EXPECT_EQ(lit("(?:\\x{e9}\\x{c9}\\x{00})"), std::string("\xe9\xc9\0", 3));
}

TEST(SetMatcher, QuantifiedOrAlternativeBytesAreNotRequired) {
    // The quantified byte leaves the run and ends it.
    EXPECT_EQ(lit("(?:\\x{61}\\x{62}*\\x{63})"), "a");
    EXPECT_EQ(lit("(?:\\x{61}\\x{62}+\\x{63}\\x{64})"), "cd");
    EXPECT_EQ(lit("(?:\\x{61}\\x{61}{2}\\x{62})"), "a");
    EXPECT_EQ(lit("(?:\\x{61}\\x{62}?)"), "a");
    // Alternatives at the top level share no required run.
    EXPECT_EQ(lit("(?:\\x{61}\\x{62}\\x{63}|\\x{61}\\x{62}\\x{64})"), "");
    // Nothing inside groups counts (PCRE's A flag wraps the whole pattern).
    EXPECT_EQ(lit("(?i:\\A(?:\\x{61}\\x{62}\\x{63}))"), "");
    // Text the translators never write gives no literal at all.
    EXPECT_EQ(lit("\\x{61}\\x{62}\\x{63}"), "");
    EXPECT_EQ(lit("(?:\\x{61}\\x{62}"), "");
    EXPECT_EQ(lit("(?:\\x{61})\\x{62}"), "");
    EXPECT_EQ(lit(""), "");
}

// Rules for each path, then keys for each, answered as rule-by-rule.
const char *mixed_pcre_table =
    "/a{0}b/ R1 rejected by Vectorscan: RE2\n"
    "/x$\\n^y/m R2 anchors inside: Vectorscan without them\n"
    "/hello/ R3 literal\n"
    "/@/ R4 short: full expression\n"
    "/^(\\d+)\\.example$/ R5 literal $1\n";

const std::vector<std::string> mixed_keys = {
    "b", "ab", "x\ny", "xy", "say HELLO", "hell", "u@h", "12.example", "12.exampl",
    "", "\xe9", "x\nyhello@"};

TEST(SetMatcher, EachPathIsTakenAsExpected) {
    PatternTable t = make(TableKind::pcre, mixed_pcre_table);
    const SetMatcher &set = t.set_matcher();
    EXPECT_EQ(set.literal_count(), 2u);
    EXPECT_EQ(set.vectorscan_count(), 2u);
    EXPECT_EQ(set.re2_count(), 1u);
    EXPECT_EQ(set.always_count(), 0u);
    EXPECT_EQ(t.prefiltered_count(), 5u);
}

TEST(SetMatcher, MixedPathsAnswerAsTheRealEngine) {
    for (auto backend : {SetMatcher::Backend::automatic, SetMatcher::Backend::re2_only}) {
        PatternTable t = make(TableKind::pcre, mixed_pcre_table, backend);
        size_t found = 0;
        for (const std::string &key : mixed_keys) {
            std::string a, b;
            bool fa = t.lookup(key, a);
            bool fb = t.lookup_linear(key, b);
            EXPECT_EQ(fa, fb) << "[" << key << "]";
            EXPECT_EQ(a, b) << "[" << key << "]";
            found += fa;
        }
        EXPECT_EQ(found, 7u);
    }
    PatternTable t = make(TableKind::pcre, mixed_pcre_table);
    std::string v;
    ASSERT_TRUE(t.lookup("12.example", v));
    EXPECT_EQ(v, "R5 literal 12");
    ASSERT_TRUE(t.lookup("x\ny", v));
    EXPECT_EQ(v, "R2 anchors inside: Vectorscan without them");
    EXPECT_FALSE(t.lookup("xy", v));
}

TEST(SetMatcher, Re2OnlyBackendUsesNoVectorscan) {
    PatternTable t = make(TableKind::pcre, mixed_pcre_table, SetMatcher::Backend::re2_only);
    EXPECT_EQ(t.set_matcher().literal_count(), 0u);
    EXPECT_EQ(t.set_matcher().vectorscan_count(), 0u);
    EXPECT_EQ(t.set_matcher().re2_count(), 5u);
}

TEST(SetMatcher, PatternVectorscanRefusesGoesToRe2) {
    // Vectorscan refuses a pattern that can never match; RE2 takes it.
    SetMatcher set;
    int never = set.add("(?:[^\\x{00}-\\x{ff}])");
    int any = set.add("(?:\\x{61})");
    ASSERT_GE(never, 0);
    ASSERT_GE(any, 0);
    ASSERT_TRUE(set.compile());
    EXPECT_EQ(set.re2_count(), 1u);
    EXPECT_EQ(set.vectorscan_count(), 1u);
    std::vector<int> ids;
    ASSERT_TRUE(set.match("xay", ids));
    EXPECT_EQ(ids, std::vector<int>{any});
    ASSERT_TRUE(set.match("", ids));
    EXPECT_TRUE(ids.empty());
}

TEST(SetMatcher, TextRe2RefusesIsNoPattern) {
    SetMatcher set;
    EXPECT_LT(set.add("(?:\\x{61}"), 0);
    EXPECT_EQ(set.size(), 0u);
    EXPECT_FALSE(set.compile()); // nothing to match with
    std::vector<int> ids;
    EXPECT_FALSE(set.match("a", ids));
}

TEST(SetMatcher, LiteralsMatchWithoutRegardToCase) {
    SetMatcher set;
    int id = set.add("(?:\\x{61}\\x{42}\\x{63}\\x{e9})"); // "aBc\xe9", case-sensitive
    ASSERT_TRUE(set.compile());
    ASSERT_EQ(set.literal_count(), 1u);
    std::vector<int> ids;
    // A superset: "ABC\xe9" is a candidate although the pattern is
    // case-sensitive; the real engine decides.
    for (const char *key : {"xaBc\xe9", "ABC\xe9", "abc\xe9z"}) {
        ASSERT_TRUE(set.match(key, ids));
        EXPECT_EQ(ids, std::vector<int>{id}) << key;
    }
    for (const char *key : {"aBc", "aBc\xc9", "a Bc\xe9"}) {
        ASSERT_TRUE(set.match(key, ids));
        EXPECT_TRUE(ids.empty()) << key;
    }
}

TEST(SetMatcher, VectorscanTakesAtMost256FullExpressions) {
    // 300 patterns without a literal of 3 bytes: "^ab[0-9]cd$" and so on.
    std::string text;
    std::vector<std::string> keys;
    for (int i = 0; i < 300; ++i) {
        std::string a{char('a' + i % 26), char('a' + i / 26)};
        std::string b{char('z' - i % 26), char('a' + i / 26)};
        text += "/^" + a + "[0-9]" + b + "$/ R" + std::to_string(i) + "\n";
        if (i % 7 == 0) {
            keys.push_back(a + "5" + b);
            keys.push_back(a + "x" + b);
        }
    }
    PatternTable t = make(TableKind::regexp, text);
    EXPECT_EQ(t.set_matcher().literal_count(), 0u);
    EXPECT_EQ(t.set_matcher().vectorscan_count(), 256u);
    EXPECT_EQ(t.set_matcher().re2_count(), 44u);
    size_t found = 0;
    for (const std::string &key : keys) {
        std::string a, b;
        bool fa = t.lookup(key, a);
        EXPECT_EQ(fa, t.lookup_linear(key, b)) << key;
        EXPECT_EQ(a, b) << key;
        found += fa;
    }
    EXPECT_EQ(found, keys.size() / 2);
}

std::vector<int> find(const LiteralSet &set, std::string_view key) {
    std::vector<int> ids;
    set.find(key, ids);
    std::sort(ids.begin(), ids.end());
    return ids;
}

TEST(LiteralSet, FindsEveryLiteralInTheKeyOnce) {
    LiteralSet set;
    set.add("abc", 1);
    set.add("bcd", 2);
    set.add("abcd", 3);
    set.add("xyz", 4);
    set.add("abc", 5); // the same literal for another pattern
    set.build();
    EXPECT_EQ(find(set, "abcd"), (std::vector<int>{1, 2, 3, 5}));
    EXPECT_EQ(find(set, "zzABCabc"), (std::vector<int>{1, 5}));
    EXPECT_EQ(find(set, "abxyz"), (std::vector<int>{4}));
    EXPECT_EQ(find(set, "ab"), std::vector<int>{});
    EXPECT_EQ(find(set, ""), std::vector<int>{});
    EXPECT_EQ(find(set, "ab cd"), std::vector<int>{});
}

TEST(LiteralSet, OnlyAsciiLettersFold) {
    LiteralSet set;
    set.add("\xe9t\xe9", 1);
    set.add("A.B", 2);
    set.build();
    EXPECT_EQ(find(set, "\xe9T\xe9"), (std::vector<int>{1}));
    EXPECT_EQ(find(set, "\xc9t\xe9"), std::vector<int>{});
    EXPECT_EQ(find(set, "xa.b"), (std::vector<int>{2}));
    EXPECT_EQ(find(set, "xa,b"), std::vector<int>{});
}

TEST(LiteralSet, ShortLiteralsAreRefused) {
    LiteralSet set;
    set.add("ab", 1);
    set.build();
    EXPECT_EQ(set.size(), 0u);
    EXPECT_EQ(find(set, "abab"), std::vector<int>{});
}

TEST(LiteralSet, ManyLiteralsWithOneStartAreAllFound) {
    // A thousand "@domainN.example": the index spreads them over windows.
    LiteralSet set;
    for (int i = 0; i < 1000; ++i)
        set.add("@domain" + std::to_string(i) + ".example", i);
    set.build();
    for (int i = 0; i < 1000; i += 37) {
        std::string key = "user@domain" + std::to_string(i) + ".example";
        std::vector<int> ids = find(set, key);
        ASSERT_FALSE(ids.empty()) << key;
        EXPECT_EQ(ids.front(), i) << key;
        EXPECT_EQ(ids.size(), 1u) << key;
    }
    EXPECT_EQ(find(set, "user@domain.example"), std::vector<int>{});
}

} // namespace

