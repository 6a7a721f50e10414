// warnings_test.cpp - broken rules are skipped with Postfix's warning text
// (checked against postmap 3.7.11), and the rest of the table still works.
#include "module_fixture.h"

namespace regexp_test {
namespace {

class Warnings : public ModuleTest {
protected:
    // Opens the table and returns the warnings with the map name replaced
    // by "F" for compact expectations.
    std::vector<std::string> open_warnings(const std::string &type, const std::string &text) {
        handle = open(type, text);
        std::vector<std::string> out;
        for (std::string w : warnings) {
            for (size_t p; (p = w.find(last_path)) != std::string::npos;)
                w.replace(p, last_path.size(), "F");
            out.push_back(w);
        }
        return out;
    }
    void *handle = nullptr;
};

using V = std::vector<std::string>;

TEST_F(Warnings, MissingClosingDelimiter) {
    EXPECT_EQ(open_warnings("regexp", "/abc\n"),
              V{"regexp map F, line 1: no closing regexp delimiter \"/\": skipping this rule"});
    EXPECT_EQ(open_warnings("pcre", "/abc\n"),
              V{"pcre map F, line 1: no closing regexp delimiter \"/\": ignoring this rule"});
}

TEST_F(Warnings, UnknownOption) {
    EXPECT_EQ(open_warnings("regexp", "/abc/s X\n/b/ B\n"),
              V{"regexp map F, line 1: unknown regexp option \"s\": skipping this rule"});
    EXPECT_EQ(get(handle, "abc"), "B");
    EXPECT_EQ(get(handle, "b"), "B");
}

TEST_F(Warnings, ObsoletePcreOptionX) {
    EXPECT_EQ(open_warnings("pcre", "/a/X A\n"),
              V{"pcre map F, line 1: ignoring obsolete regexp option \"X\""});
    EXPECT_EQ(get(handle, "a"), "A");
}

TEST_F(Warnings, ReplacementIndexBeyondGroups) {
    EXPECT_EQ(open_warnings("pcre", "/a(b)c/ $2\n"),
              V{"pcre map F, line 1: out of range replacement index \"2\": skipping this rule"});
    EXPECT_EQ(get(handle, "abc"), "<notfound>");
}

TEST_F(Warnings, ReplacementIndexZero) {
    EXPECT_EQ(open_warnings("regexp", "/a(b)c/ $0\n"),
              (V{"regexp map F, line 1: out-of-range replacement index \"0\"",
                 "regexp map F, line 1: bad replacement syntax: skipping this rule"}));
    EXPECT_EQ(open_warnings("pcre", "/a(b)c/ $0\n"),
              (V{"pcre map F, line 1: out of range replacement index \"0\"",
                 "pcre map F, line 1: bad replacement syntax: skipping this rule"}));
}

TEST_F(Warnings, NonNumericReplacementIndex) {
    EXPECT_EQ(open_warnings("regexp", "/^(a)(b)c$/ x$1y$2z\n"),
              (V{"regexp map F, line 1: non-numeric replacement index \"1y\"",
                 "regexp map F, line 1: non-numeric replacement index \"2z\"",
                 "regexp map F, line 1: bad replacement syntax: skipping this rule"}));
}

TEST_F(Warnings, TruncatedAndEmptyMacroReferences) {
    EXPECT_EQ(open_warnings("regexp", "/abc/ ${1\n/abc/ $-x\n"),
              (V{"truncated macro reference: \"${1\"",
                 "regexp map F, line 1: bad replacement syntax: skipping this rule",
                 "empty macro name: \"$-x\"",
                 "regexp map F, line 2: bad replacement syntax: skipping this rule"}));
}

TEST_F(Warnings, HugeIndexWrapsLikeAtoi) {
    EXPECT_EQ(open_warnings("regexp", "/a(b)c/ $99999999999\n"),
              V{"regexp map F, line 1: out of range replacement index \"1215752191\": "
                "skipping this rule"});
}

TEST_F(Warnings, DollarNumberInNegatedRule) {
    EXPECT_EQ(open_warnings("pcre", "!/a(b)c/ $1\n"),
              V{"pcre map F, line 1: $number found in negative match replacement text: "
                "skipping this rule"});
}

TEST_F(Warnings, EmptyResultText) {
    EXPECT_EQ(open_warnings("regexp", "/abc/\n"),
              V{"regexp map F, line 1: no replacement text: using empty string"});
    Answer a = lookup(handle, "abc");
    EXPECT_EQ(a.status, FERRY_FOUND);
    EXPECT_EQ(a.value, "");
}

TEST_F(Warnings, CompileErrorsUseTheEnginesWords) {
    EXPECT_EQ(open_warnings("regexp", "/a(b/ X\n"),
              V{"regexp map F, line 1: Unmatched ( or \\("});
    EXPECT_EQ(open_warnings("pcre", "/a(b/ X\n"),
              V{"pcre map F, line 1: error in regex at offset 3: missing closing parenthesis"});
}

// glibc copies a subtree per repetition, so stacked "+" would make regcomp()
// allocate gigabytes (found by fuzz_regexp_table).  Ferry refuses the rule
// with a reason and keeps the rest of the table.
TEST_F(Warnings, RegexpTooComplexIsSkipped) {
    std::string bomb = "/^(a" + std::string(27, '+') + "u|b)/ X\n/b/ B\n";
    EXPECT_EQ(open_warnings("regexp", bomb),
              V{"regexp map F, line 1: regular expression too complex: its repetitions "
                "expand to more than 50000 nodes"});
    EXPECT_EQ(get(handle, "b"), "B");
    EXPECT_EQ(open_warnings("regexp", "/((a{100}){100}){100}/ X\n"),
              V{"regexp map F, line 1: regular expression too complex: its repetitions "
                "expand to more than 50000 nodes"});
}

TEST_F(Warnings, UnbalancedIfEndif) {
    EXPECT_EQ(open_warnings("regexp", "endif\nif /a/\nif /b/\n/c/ C\n"),
              (V{"regexp map F, line 1: ignoring ENDIF without matching IF",
                 "regexp map F, line 3: IF has no matching ENDIF",
                 "regexp map F, line 2: IF has no matching ENDIF"}));
}

TEST_F(Warnings, ExtraTextAfterIfAndEndif) {
    EXPECT_EQ(open_warnings("pcre", "if /a/ extra\nendif junk\n"),
              (V{"pcre map F, line 1: ignoring extra text after IF statement: \"extra\"",
                 "pcre map F, line 1: do not prepend whitespace to statements between IF and ENDIF",
                 "pcre map F, line 2: ignoring extra text after ENDIF"}));
}

TEST_F(Warnings, UnrecognizedRequest) {
    EXPECT_EQ(open_warnings("regexp", "foo bar\n"),
              V{"regexp map F, line 1: ignoring unrecognized request"});
}

TEST_F(Warnings, LeadingWhitespaceLineAndMultiLineNumbers) {
    EXPECT_EQ(open_warnings("regexp", "  lead text\n/x/\n\n#c\n  $2\n"),
              (V{"F: logical line must not start with whitespace: \"  lead text\"",
                 "regexp map F, line 2: out of range replacement index \"2\": "
                 "skipping this rule"}));
}

TEST_F(Warnings, PcreMatchLimitMeansNoMatch) {
    // A back-reference keeps the rule in front of the set matcher, so the
    // real engine runs, fails, and Postfix's warning is logged.
    void *h = open("pcre", "/^(a+)+\\1$/ BAD\n!/^(a+)+$/ NEG\n/a/ A\n");
    warnings.clear();
    EXPECT_EQ(get(h, "aaaaaaaaaaaaaaaaaaaaaaaaaab"), "A");
    ASSERT_EQ(warnings.size(), 2u);
    EXPECT_EQ(warnings[0], "pcre map " + last_path + ", line 1: match limit exceeded");
    EXPECT_EQ(warnings[1], "pcre map " + last_path + ", line 2: match limit exceeded");
}

} // namespace
} // namespace regexp_test
