// budget_test.cpp - the regcomp() size estimate refuses expanding bombs and
// accepts what real tables contain, in both ERE and BRE syntax.
#include "posix_budget.h"

#include <gtest/gtest.h>

#include <regex.h>

#include <string>

namespace ferry::regexp {
namespace {

size_t ere(const std::string &re) { return posix_compile_cost(re, true).nodes; }
size_t bre(const std::string &re) { return posix_compile_cost(re, false).nodes; }
size_t closure(const std::string &re) { return posix_compile_cost(re, true).closure; }
bool accepted(const std::string &re) {
    std::string why;
    return posix_within_budget(re, true, why);
}

TEST(PosixBudget, EverydayPatternsAreSmall) {
    for (const char *re : {"^(.*)@example\\.com$", "^[a-z0-9._%+-]{1,64}@([a-z0-9-]+\\.)+[a-z]{2,}$",
                           "^(user|admin|root)(\\+.*)?@", "[[:alpha:]]{1,255}", "/[/|]/",
                           "^Subject:.*(viagra|casino)", "a{0,1000}", "x{1000}"}) {
        EXPECT_LT(ere(re), 5000u) << re;
    }
    EXPECT_LT(bre("^\\(.*\\)@\\(.*\\)$"), 50u);
}

TEST(PosixBudget, RepetitionsMultiply) {
    // "a+" is a copy of a and a star; each further "+" doubles the lot.
    EXPECT_LT(ere("a+"), ere("a++"));
    EXPECT_EQ(ere("a" + std::string(10, '+')), 2047u);
    EXPECT_GT(ere("a" + std::string(27, '+')), posix_node_budget);
    EXPECT_GT(ere("((a{100}){100}){100}"), posix_node_budget);
    EXPECT_LE(ere("(a{100}){100}"), posix_node_budget);
}

// Found by fuzz_regexp_table: 20 bytes that take glibc's regcomp() minutes
// and gigabytes, because "%*" can match nothing and is repeated again and
// again.  The same shapes over a non-empty atom are cheap and accepted.
TEST(PosixBudget, RepeatedNullablePartsCostTheSquare) {
    EXPECT_FALSE(accepted("^(%*++++++++++++)++|]"));
    EXPECT_FALSE(accepted("((((a*)+)+)+){1,100}"));
    EXPECT_TRUE(accepted("(%+++++++)++"));
    EXPECT_TRUE(accepted("(a*){1,100}"));
    EXPECT_TRUE(accepted("((a*)*){1,50}"));
    EXPECT_EQ(closure("^(a+)+$"), 0u);
    EXPECT_GT(closure("^(a*)+$"), 0u);
}

TEST(PosixBudget, RefusalsSayWhy) {
    std::string why;
    EXPECT_FALSE(posix_within_budget("a" + std::string(20, '+'), true, why));
    EXPECT_EQ(why, "regular expression too complex: its repetitions expand to more than 50000 nodes");
    EXPECT_FALSE(posix_within_budget("(a*" + std::string(11, '+') + ")+", true, why));
    EXPECT_EQ(why, "regular expression too complex: it repeats a part that can match the "
                   "empty string too often");
}

// Found by fuzz_regexp_table: "^()*++++" takes glibc minutes although it
// is tiny; the trial compile in a child refuses it after a second of CPU.
// An everyday risky-looking pattern passes the trial.
TEST(PosixBudget, TrialCompileCatchesWhatTheEstimateCannot) {
    std::string why;
    int cflags = REG_EXTENDED | REG_ICASE;
    EXPECT_FALSE(posix_compile_is_safe("^()*+++++", cflags, why));
    EXPECT_EQ(why, "regular expression too complex: it could not be compiled within 1 "
                   "second(s) of CPU time");
    EXPECT_TRUE(posix_compile_is_safe("^([a-z0-9-]*\\.?)+example\\.com$", cflags, why)) << why;
    EXPECT_GT(closure("^([a-z0-9-]*\\.?)+example\\.com$"), 0u); // so it did go through the child
}

TEST(PosixBudget, BreOperatorsAreEscaped) {
    // In BRE a bare "+" and "{" are literals; "\{" is the interval.
    EXPECT_LT(bre("a" + std::string(30, '+')), 100u);
    EXPECT_GT(bre("\\(\\(a\\{100\\}\\)\\{100\\}\\)\\{100\\}"), posix_node_budget);
}

TEST(PosixBudget, BracketsAndLiteralBracesAreAtoms) {
    EXPECT_LT(ere("[+{}()|*]+"), 10u);
    EXPECT_LT(ere("a{,x}b{"), 10u);
    EXPECT_LT(ere("[[:digit:]]{3}"), 10u);
}

} // namespace
} // namespace ferry::regexp
