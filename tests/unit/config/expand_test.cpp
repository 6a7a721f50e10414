// expand_test.cpp - $name expansion with Postfix's forms and errors.
#include "config/expand.h"
#include "test_util.h"

#include <algorithm>
#include <map>

using ferry::config::expand;

namespace {

ferry::config::Expansion run(std::string_view text, std::map<std::string, std::string, std::less<>> vars = {}) {
    vars.emplace("mydomain", "example.com");
    vars.emplace("empty", "");
    ferry::config::RawLookup lookup = [vars](std::string_view n) -> std::optional<std::string> {
        auto it = vars.find(n);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
    return expand(text, lookup);
}

} // namespace

TEST(Expand, ExpandsPlainBracedAndParenthesizedNames) {
    EXPECT_EQ(run("$mydomain ${mydomain}x $(mydomain) $mydomain.y").value,
              "example.com example.comx example.com example.com.y");
}

TEST(Expand, UndefinedNameIsEmpty) { EXPECT_EQ(run("a$nope.b").value, "a.b"); }

TEST(Expand, DoubleDollarIsLiteral) { EXPECT_EQ(run("a$$b").value, "a$b"); }

TEST(Expand, ExpandsRecursively) {
    EXPECT_EQ(run("$myorigin", {{"myorigin", "$mydomain"}}).value, "example.com");
}

TEST(Expand, ExpandsOldConditionals) {
    EXPECT_EQ(run("${mydomain?yes} ${nope?yes} ${empty?yes}|${mydomain:no} ${nope:no} ${empty:no}").value,
              "yes  | no no");
}

TEST(Expand, ExpandsConditionalBraces) {
    EXPECT_EQ(run("${mydomain?{y $mydomain}} ${nope:{n}} ${mydomain?{y}:{n}} ${nope?{y} : {n}}").value,
              "y example.com n y n");
}

TEST(Expand, ExpandsComparisons) {
    EXPECT_EQ(run("${{$lvl} <level {2} ? {subnet} : {host}}", {{"lvl", "0"}}).value, "subnet");
    EXPECT_EQ(run("${{$lvl} <level {3.6} ? {md5} : {sha256}}", {{"lvl", "3.10"}}).value, "sha256");
    EXPECT_EQ(run("${{a} == {a} ? {eq}:{ne}} ${{a}!={b}?{ne}} ${{10} > {9} ? {gt}}").value, "eq ne gt");
}

TEST(Expand, RejectsTruncatedReference) {
    std::string err = ferry::test::stderr_of([] { EXPECT_FALSE(run("${b").ok); });
    EXPECT_NE(err.find("warning: truncated macro reference: \"${b\""), std::string::npos) << err;
}

TEST(Expand, RejectsEmptyName) {
    std::string err = ferry::test::stderr_of([] { EXPECT_FALSE(run("x $ y").ok); });
    EXPECT_NE(err.find("warning: empty macro name: \"x $ y\""), std::string::npos) << err;
    ferry::test::stderr_of([] { EXPECT_FALSE(run("${}").ok); });
}

TEST(Expand, RejectsTextAfterBracedValue) {
    std::string err = ferry::test::stderr_of([] { EXPECT_FALSE(run("${mydomain?{abc}x}").ok); });
    EXPECT_NE(err.find("warning: \":\" expected at: \"...abc}>>>x\""), std::string::npos) << err;
}

TEST(Expand, RejectsBadNameInBraces) {
    std::string err = ferry::test::stderr_of([] { EXPECT_FALSE(run("${my-origin}").ok); });
    EXPECT_NE(err.find("warning: attribute name syntax error at: \"...my>>>-origin\""), std::string::npos) << err;
}

TEST(Expand, RejectsUnknownOperator) {
    std::string err = ferry::test::stderr_of([] { EXPECT_FALSE(run("${{x} =~ {x} ? {a}}").ok); });
    EXPECT_NE(err.find("expected at: \"...x}>>>=~ {x} ? {a}\""), std::string::npos) << err;
}

TEST(Expand, LoopIsFatal) {
    std::string text = ferry::test::fatal_of([] { run("$a", {{"a", "$b"}, {"b", "$a"}}); });
    EXPECT_EQ(text, "macro processing error");
}

// Read off Postfix 3.7's postconf -x: the test looks at the value as
// written, unexpanded.  Expanding it recursed without bound on a value that
// tests itself (found by fuzz_main_cf).
TEST(Expand, ConditionalTestsTheRawValueWithoutExpanding) {
    EXPECT_EQ(run("${a?x}", {{"a", "${a?x}"}}).value, "x");
    EXPECT_EQ(run("${b?x}", {{"b", "$empty"}}).value, "x");
    EXPECT_EQ(run("${b:y}", {{"b", "$empty"}}).value, "");
    EXPECT_EQ(run("${f?q}", {{"f", "${g}"}}).value, "q");
    EXPECT_EQ(run("${empty?z}${empty:w}").value, "w");
}

TEST(Expand, FindsReferencedNamesInAllBranches) {
    auto refs = ferry::config::referenced_names("$a ${b?{$c}:{$d}} ${{$e} == {x} ? {$f}} $$g");
    std::sort(refs.names.begin(), refs.names.end());
    EXPECT_EQ(refs.names, (std::vector<std::string>{"a", "b", "c", "d", "e", "f"}));
    EXPECT_TRUE(refs.ok);
}
