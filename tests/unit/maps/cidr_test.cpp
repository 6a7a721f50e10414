// cidr_test.cpp - cidr: rules, first match, negation, if/endif and the
// warnings Postfix 3.7 gives for bad rules.
#include "maps_test_support.h"

namespace ferry::test {
namespace {

using ::testing::HasSubstr;

TEST(CidrTable, FirstMatchingRuleWinsForIpv4AndIpv6) {
    TempDir dir;
    std::string f = dir.write("c", "# comment\n192.168.1.1/32 exact one\n"
                                   "192.168.0.0/16\tsixteen  \n10.0.0.0/8 ten\n"
                                   "2001:db8::/32 v6 net\n::1 v6 loopback\n"
                                   "1.2.3.4 bare v4\n0.0.0.0/0 default\n");
    auto t = open_table("cidr:" + f);
    ASSERT_TRUE(t.opened.map) << t.opened.error;
    EXPECT_EQ(t.log, "");
    EXPECT_EQ(value_of(*t, "192.168.1.1"), "exact one");
    EXPECT_EQ(value_of(*t, "192.168.5.5"), "sixteen");
    EXPECT_EQ(value_of(*t, "10.9.9.9"), "ten");
    EXPECT_EQ(value_of(*t, "2001:db8::1"), "v6 net");
    EXPECT_EQ(value_of(*t, "2001:DB8::1"), "v6 net");
    EXPECT_EQ(value_of(*t, "::1"), "v6 loopback");
    EXPECT_EQ(value_of(*t, "1.2.3.4"), "bare v4");
    EXPECT_EQ(value_of(*t, "8.8.8.8"), "default");
    EXPECT_EQ(value_of(*t, "2001:db9::1"), "<notfound>"); // v4 default only
    EXPECT_TRUE(t->is_pattern());
}

TEST(CidrTable, KeysThatAreNotAddressesAreNotFound) {
    TempDir dir;
    std::string f = dir.write("c", "0.0.0.0/0 any\n");
    auto t = open_table("cidr:" + f);
    for (const char *k : {"foo", "[1.2.3.5]", "001.2.3.4", ""})
        EXPECT_EQ(value_of(*t, k), "<notfound>") << k;
}

TEST(CidrTable, NegationMatchesOnlyKeysOfTheSameFamily) {
    TempDir dir;
    std::string f = dir.write("c", "!172.16.0.0/12 not private\n");
    auto t = open_table("cidr:" + f);
    EXPECT_EQ(value_of(*t, "8.8.8.8"), "not private");
    EXPECT_EQ(value_of(*t, "172.16.1.1"), "<notfound>");
    EXPECT_EQ(value_of(*t, "::ffff:1.2.3.4"), "<notfound>");
}

TEST(CidrTable, IfEndifGuardsBlocksAndNests) {
    TempDir dir;
    std::string f = dir.write("c", "if 127.0.0.0/8\n127.0.0.1 in-if\n"
                                   "IF 127.0.0.0/16\n127.0.0.3 nested\nENDIF\nendif\n"
                                   "if !127.0.0.0/8\n1.2.3.4 neg-if\n127.0.0.2 never\nendif\n");
    auto t = open_table("cidr:" + f);
    EXPECT_EQ(t.log, "");
    EXPECT_EQ(value_of(*t, "127.0.0.1"), "in-if");
    EXPECT_EQ(value_of(*t, "127.0.0.3"), "nested");
    EXPECT_EQ(value_of(*t, "1.2.3.4"), "neg-if");
    EXPECT_EQ(value_of(*t, "127.0.0.2"), "<notfound>");
}

TEST(CidrTable, BracketedAddressesAreAccepted) {
    TempDir dir;
    std::string f = dir.write("c", "[1.2.3.5] bracketv4\n[::2] bracketed\n[::3]/128 brpref\n"
                                   "::ffff:1.2.3.6 mapped\n");
    auto t = open_table("cidr:" + f);
    EXPECT_EQ(t.log, "");
    EXPECT_EQ(value_of(*t, "1.2.3.5"), "bracketv4");
    EXPECT_EQ(value_of(*t, "::2"), "bracketed");
    EXPECT_EQ(value_of(*t, "::3"), "brpref");
    EXPECT_EQ(value_of(*t, "::ffff:1.2.3.6"), "mapped");
    EXPECT_EQ(value_of(*t, "1.2.3.6"), "<notfound>");
}

TEST(CidrTable, BadRulesAreWarnedWithFileAndLineAndSkipped) {
    TempDir dir;
    std::string f = dir.write("c", "10.1.2.3/8 badprefix\n300.1.1.1 bogus\n"
                                   "1.2.3.0/33 toolong\nnosuch\n5.6.7.8/ x\n"
                                   "1.2.3.4/ab z\n[1.2.3.4 b\n2001:db8::1/64 hb\n"
                                   "1.2.3.7/32\nendif\n1.2.3.4/08 z\n0.0.0.0/0 ok\n");
    auto t = open_table("cidr:" + f);
    const std::string p = "warning: cidr map " + f + ", line ";
    EXPECT_THAT(t.log, HasSubstr(p + "1: non-null host address bits in \"10.1.2.3/8\", "
                                 "perhaps you should use \"10.0.0.0/8\" instead: skipping this rule"));
    EXPECT_THAT(t.log, HasSubstr(p + "2: bad address pattern: \"300.1.1.1\": skipping this rule"));
    EXPECT_THAT(t.log, HasSubstr(p + "3: bad mask length in \"1.2.3.0/33\": skipping this rule"));
    EXPECT_THAT(t.log, HasSubstr(p + "4: bad address pattern: \"nosuch\": skipping this rule"));
    EXPECT_THAT(t.log, HasSubstr(p + "5: bad mask value in \"5.6.7.8/\": skipping this rule"));
    EXPECT_THAT(t.log, HasSubstr(p + "6: bad mask value in \"1.2.3.4/ab\": skipping this rule"));
    EXPECT_THAT(t.log, HasSubstr(p + "7: missing ']' character after \"[1.2.3.4\": skipping this rule"));
    EXPECT_THAT(t.log, HasSubstr(p + "8: non-null host address bits in \"2001:db8::1/64\", "
                                 "perhaps you should use \"2001:db8::/64\" instead"));
    EXPECT_THAT(t.log, HasSubstr(p + "9: no lookup result: skipping this rule"));
    EXPECT_THAT(t.log, HasSubstr(p + "10: ENDIF without IF: skipping this rule"));
    EXPECT_THAT(t.log, HasSubstr(p + "11: non-null host address bits in \"1.2.3.4/08\", "
                                 "perhaps you should use \"1.0.0.0/8\" instead"));
    EXPECT_EQ(value_of(*t, "10.1.2.3"), "ok");
    EXPECT_EQ(value_of(*t, "1.2.3.7"), "ok");
}

TEST(CidrTable, UnclosedIfIsWarnedAndStillGuards) {
    TempDir dir;
    std::string f = dir.write("c", "1.1.1.1 before\nif 1.0.0.0/8\n1.2.3.4 x\n");
    auto t = open_table("cidr:" + f);
    EXPECT_THAT(t.log, HasSubstr("warning: cidr map " + f + ", line 2: IF has no matching ENDIF"));
    EXPECT_EQ(value_of(*t, "1.2.3.4"), "x");
    EXPECT_EQ(value_of(*t, "2.2.3.4"), "<notfound>");
}

TEST(CidrTable, BadIfPatternIsSkippedAndItsBodyApplies) {
    TempDir dir;
    std::string f = dir.write("c", "if 5.5.5.5/33\n5.5.5.5 in-bad-if\nendif\n");
    auto t = open_table("cidr:" + f);
    EXPECT_THAT(t.log, HasSubstr("line 1: bad mask length in \"5.5.5.5/33\""));
    EXPECT_THAT(t.log, HasSubstr("line 3: ENDIF without IF"));
    EXPECT_EQ(value_of(*t, "5.5.5.5"), "in-bad-if");
}

TEST(CidrTable, IfAndEndifWithExtraWordsAreRejected) {
    TempDir dir;
    std::string f = dir.write("c", "if 1.0.0.0/8 junk\n1.2.3.4 x\nendif\nif\n"
                                   "2.2.2.2 y\nendif junk\n");
    auto t = open_table("cidr:" + f);
    const std::string p = "warning: cidr map " + f + ", line ";
    EXPECT_THAT(t.log, HasSubstr(p + "1: bad mask value in \"1.0.0.0/8 junk\": skipping this rule"));
    EXPECT_THAT(t.log, HasSubstr(p + "3: ENDIF without IF: skipping this rule"));
    EXPECT_THAT(t.log, HasSubstr(p + "4: no address pattern: skipping this rule"));
    EXPECT_THAT(t.log, HasSubstr(p + "6: garbage after ENDIF: skipping this rule"));
    EXPECT_EQ(value_of(*t, "1.2.3.4"), "x");
    EXPECT_EQ(value_of(*t, "2.2.2.2"), "y");
}

TEST(CidrTable, ContinuationLineExtendsTheValue) {
    TempDir dir;
    std::string f = dir.write("c", "1.2.3.10/32 x\n  cont\n");
    auto t = open_table("cidr:" + f);
    EXPECT_EQ(value_of(*t, "1.2.3.10"), "x  cont");
}

TEST(CidrTable, MissingFileIsAnOpenError) {
    auto t = open_table("cidr:/nonexistent/c");
    EXPECT_FALSE(t.opened.map);
    EXPECT_EQ(t.opened.error, "open /nonexistent/c: No such file or directory");
}

} // namespace
} // namespace ferry::test
