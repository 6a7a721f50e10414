// syntax_test.cpp - regexp_table(5) and pcre_table(5) syntax, one behaviour
// per test, each answer as Postfix 3.7 gives it.
#include "module_fixture.h"

namespace regexp_test {
namespace {

class Syntax : public ModuleTest {};

TEST_F(Syntax, RegexpIsCaseInsensitiveByDefault) {
    void *h = open("regexp", "/^user@example\\.com$/ OK\n");
    EXPECT_EQ(get(h, "USER@Example.COM"), "OK");
}

TEST_F(Syntax, FlagIMakesThePatternCaseSensitive) {
    void *r = open("regexp", "/^abc$/i EXACT\n");
    EXPECT_EQ(get(r, "abc"), "EXACT");
    EXPECT_EQ(get(r, "ABC"), "<notfound>");
    void *p = open("pcre", "/^abc$/i EXACT\n");
    EXPECT_EQ(get(p, "aBc"), "<notfound>");
}

TEST_F(Syntax, OnlyAsciiLettersFold) {
    // Postfix runs in the C locale: bytes are bytes.
    void *r = open("regexp", "/^\xc3\xa9$/ E\n");
    EXPECT_EQ(get(r, "\xc3\xa9"), "E");
    EXPECT_EQ(get(r, "\xc3\x89"), "<notfound>");
    void *p = open("pcre", "/^[\xe9]$/ E\n");
    EXPECT_EQ(get(p, "\xc9"), "<notfound>");
}

TEST_F(Syntax, CaptureGroupsInAllThreeSpellings) {
    void *h = open("pcre", "/^(.*)@(.*)$/ $2 ${1} $(1)x $$ $$1\n");
    EXPECT_EQ(get(h, "joe@example.com"), "example.com joe joex $ $1");
}

TEST_F(Syntax, UnsetGroupExpandsToNothing) {
    void *r = open("regexp", "/^(a)|(b)c$/ [$1][$2]\n");
    EXPECT_EQ(get(r, "bc"), "[][b]");
    void *p = open("pcre", "/^(a)|(b)c$/ [$1][$2]\n");
    EXPECT_EQ(get(p, "a"), "[a][]");
}

TEST_F(Syntax, PosixCapturesAreLeftmostLongest) {
    void *h = open("regexp", "/^(a|ab)(c|bcd)(d*)$/ [$1][$2][$3]\n");
    void *p = open("pcre", "/^(a|ab)(c|bcd)(d*)$/ [$1][$2][$3]\n");
    EXPECT_EQ(get(h, "abcd"), "[a][bcd][]");
    EXPECT_EQ(get(p, "abcd"), "[a][bcd][]");
}

TEST_F(Syntax, NegatedRuleFiresWhenThePatternDoesNotMatch) {
    void *h = open("regexp", "!/@/ NOAT\n/./ ANY\n");
    EXPECT_EQ(get(h, "local"), "NOAT");
    EXPECT_EQ(get(h, "a@b"), "ANY");
}

TEST_F(Syntax, IfEndifNestsAndNegates) {
    const char *table =
        "if /@example\\.com$/\n"
        "/^postmaster@/ PM\n"
        "if !/^(admin|sales)@/\n"
        "/^info@/ INFO\n"
        "/./ OTHER_NOT_ROLE\n"
        "endif\n"
        "/./ ROLE\n"
        "endif\n"
        "/./ OUTSIDE\n";
    for (const char *type : {"regexp", "pcre"}) {
        void *h = open(type, table);
        EXPECT_EQ(get(h, "postmaster@example.com"), "PM") << type;
        EXPECT_EQ(get(h, "info@example.com"), "INFO") << type;
        EXPECT_EQ(get(h, "bob@example.com"), "OTHER_NOT_ROLE") << type;
        EXPECT_EQ(get(h, "admin@example.com"), "ROLE") << type;
        EXPECT_EQ(get(h, "info@example.org"), "OUTSIDE") << type;
    }
}

TEST_F(Syntax, IfWithoutEndifHidesTheRestWhenFalse) {
    void *h = open("regexp", "if /^x/\n/./ INSIDE\n");
    EXPECT_EQ(get(h, "xy"), "INSIDE");
    EXPECT_EQ(get(h, "yy"), "<notfound>");
}

TEST_F(Syntax, IfAndEndifAreCaseInsensitiveWords) {
    void *h = open("pcre", "IF/^x/\n/y/ Y\nEndIf\n/./ ANY\n");
    EXPECT_EQ(get(h, "xy"), "Y");
    EXPECT_EQ(get(h, "zy"), "ANY");
}

TEST_F(Syntax, AnyNonAlphanumericDelimiter) {
    void *h = open("regexp", "|^a/b|  SLASH_INSIDE\n@^c\\@d@ ESCAPED_DELIM\n!x!y!x NEG_BANG\n");
    EXPECT_EQ(get(h, "a/b"), "SLASH_INSIDE");
    EXPECT_EQ(get(h, "c@d"), "ESCAPED_DELIM");
    EXPECT_EQ(get(h, "zzz"), "NEG_BANG");
}

TEST_F(Syntax, RegexpSecondPatternAfterBang) {
    void *h = open("regexp", "/^root@/!/localhost$/ REMOTE_ROOT\n");
    EXPECT_EQ(get(h, "root@example.com"), "REMOTE_ROOT");
    EXPECT_EQ(get(h, "root@localhost"), "<notfound>");
}

TEST_F(Syntax, ContinuationLinesJoinWithoutSeparator) {
    void *h = open("regexp", "/^a$/ one\n  two\n# comment\n\n   three\n/^b$/ B\n");
    EXPECT_EQ(get(h, "a"), "one  two   three");
    EXPECT_EQ(get(h, "b"), "B");
}

TEST_F(Syntax, CommentsAndBlankLinesAreIgnored) {
    void *h = open("pcre", "# comment\n\n   \n/a/ A\n  # indented comment\n");
    EXPECT_EQ(get(h, "a"), "A");
    EXPECT_TRUE(warnings.empty());
}

TEST_F(Syntax, PcreFlagsToggleAsDocumented) {
    void *h = open("pcre",
                   "/^a b$/x EXTENDED\n"
                   "/^x.y$/s NO_DOTALL\n"
                   "/^x.y$/ DOTALL\n"
                   "/c/A ANCHORED\n"
                   "/^m$/m MULTILINE\n"
                   "/e$/E ENDONLY\n"
                   "/^(a+?)(a*)$/U UNGREEDY [$1][$2]\n");
    EXPECT_EQ(get(h, "ab"), "EXTENDED");
    EXPECT_EQ(get(h, "x\ny"), "DOTALL");
    EXPECT_EQ(get(h, "xzy"), "NO_DOTALL");
    EXPECT_EQ(get(h, "cz"), "ANCHORED");
    EXPECT_EQ(get(h, "zc"), "<notfound>");
    EXPECT_EQ(get(h, "k\nm\nk"), "MULTILINE");
    EXPECT_EQ(get(h, "aaa"), "UNGREEDY [aaa][]");
}

TEST_F(Syntax, RegexpFlagsToggleAsDocumented) {
    void *h = open("regexp", "/^m$/m MULTILINE\n/^a\\{2\\}$/x BASIC\n/^b{2}$/ EXTENDED\n");
    EXPECT_EQ(get(h, "k\nm"), "MULTILINE");
    EXPECT_EQ(get(h, "aa"), "BASIC");
    EXPECT_EQ(get(h, "bb"), "EXTENDED");
}

TEST_F(Syntax, GnuEscapesInPosixPatterns) {
    void *h = open("regexp", "/\\<bob\\>/ WORD\n/\\n/i LETTER_N\n/\\n/ ICASE_N\n"
                             "/(ab)\\1/ BACKREF\n");
    EXPECT_EQ(get(h, "x bob y"), "WORD");
    EXPECT_EQ(get(h, "xbobby"), "<notfound>");
    // glibc reads "\\n" as the letter n, but with REG_ICASE (the default)
    // it matches neither "n" nor "N"; Postfix inherits that, and so do we.
    EXPECT_EQ(get(h, "n"), "LETTER_N");
    EXPECT_EQ(get(h, "N"), "<notfound>");
    EXPECT_EQ(get(h, "abab"), "BACKREF");
}

// glibc's regexec() can answer differently for the same pattern compiled
// with and without REG_NOSUB.  Postfix compiles an IF pattern without it and
// a rule without $n with it; matching that choice keeps the answers equal.
TEST_F(Syntax, GlibcNosubQuirkFollowsPostfix) {
    const std::string pat = "([[:space:]]|[^[:lower:]]{,2}\\<([\xe9]?){2}){2}$";
    void *if_table = open("regexp", "if /" + pat + "/\n/./ INSIDE\nendif\n/./ OUTSIDE\n");
    EXPECT_EQ(get(if_table, "_-"), "OUTSIDE");
    void *rule_table = open("regexp", "/" + pat + "/ NOSUB\n/./ OTHER\n");
    EXPECT_EQ(get(rule_table, "_-"), "NOSUB");
    // And an anchor in a repeated group that glibc ignores without groups.
    const std::string anchored = "(\\(|(^[^\xc9][\xe9]?)){1,3}[^[:lower:]]\xe9";
    void *a = open("regexp", "/" + anchored + "/i HIT\n");
    EXPECT_EQ(get(a, "X+\xa0" "C\xe9"), "HIT");
    void *b = open("regexp", "/" + anchored + "/i HIT[$1]\n");
    EXPECT_EQ(get(b, "X+\xa0" "C\xe9"), "<notfound>");
}

// DESIGN.md, "Where Ferry knowingly differs": Postfix 3.7 reads this FAQ
// rule as pattern "[" plus unknown option "|" and skips it.
TEST_F(Syntax, FaqBracketRuleRejectsPipeCommands) {
    for (const char *type : {"regexp", "pcre"}) {
        void *h = open(type, "/[/|]/ REJECT\n");
        EXPECT_TRUE(warnings.empty()) << type;
        EXPECT_EQ(get(h, "|/usr/bin/evil"), "REJECT") << type;
        EXPECT_EQ(get(h, "a/b"), "REJECT") << type;
        EXPECT_EQ(get(h, "user@example.com"), "<notfound>") << type;
    }
}

TEST_F(Syntax, BracketWithLeadingRightBracketIsOneUnit) {
    void *h = open("regexp", "/^[]/]$/ FIRST\n/^[^]/]$/ SECOND\n");
    EXPECT_EQ(get(h, "]"), "FIRST");
    EXPECT_EQ(get(h, "/"), "FIRST");
    EXPECT_EQ(get(h, "x"), "SECOND");
}

TEST_F(Syntax, UnclosedBracketLeavesPostfixDelimiterRules) {
    // No "]" after the "[": the "[" is ordinary while finding the end, as in
    // Postfix, so this is pattern "a[" (a compile error) and "b" is skipped.
    void *h = open("regexp", "/a[/ X\n/b/ B\n");
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("line 1: "), std::string::npos);
    EXPECT_EQ(get(h, "b"), "B");
}

} // namespace
} // namespace regexp_test
