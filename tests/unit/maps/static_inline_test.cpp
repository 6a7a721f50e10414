// static_inline_test.cpp - static: and inline:, answers and errors as
// Postfix 3.7's postmap gives them.
#include "maps_test_support.h"

namespace ferry::test {
namespace {

TEST(StaticTable, FindsEveryKeyWithTheGivenValue) {
    auto t = open_table("static:OK");
    ASSERT_TRUE(t.opened.map);
    EXPECT_EQ(value_of(*t, "anything"), "OK");
    EXPECT_EQ(value_of(*t, ""), "OK");
}

TEST(StaticTable, BracedValueKeepsInnerSpacesAndTrimsEnds) {
    auto t = open_table("static:{ a b }");
    ASSERT_TRUE(t.opened.map) << t.opened.error;
    EXPECT_EQ(value_of(*t, "x"), "a b");
}

TEST(StaticTable, ValueNotStartingWithBraceIsTakenAsIs) {
    auto t = open_table("static: {a}");
    ASSERT_TRUE(t.opened.map);
    EXPECT_EQ(value_of(*t, "x"), " {a}");
}

TEST(StaticTable, MissingClosingBraceIsAnError) {
    auto t = open_table("static:{a b");
    EXPECT_FALSE(t.opened.map);
    EXPECT_EQ(t.opened.error, "bad static:name syntax: missing '}' in \"{a b\"");
}

TEST(StaticTable, TextAfterClosingBraceIsAnError) {
    auto t = open_table("static:{a} ");
    EXPECT_FALSE(t.opened.map);
    EXPECT_EQ(t.opened.error,
              "bad static:name syntax: syntax error after '}' in \"{a} \"");
}

TEST(InlineTable, LooksUpPairsSeparatedByCommasAndSpaces) {
    auto t = open_table("inline:{a=1, b=2 c=3,,}");
    ASSERT_TRUE(t.opened.map) << t.opened.error;
    EXPECT_EQ(value_of(*t, "a"), "1");
    EXPECT_EQ(value_of(*t, "b"), "2");
    EXPECT_EQ(value_of(*t, "c"), "3");
    EXPECT_EQ(value_of(*t, "d"), "<notfound>");
}

TEST(InlineTable, BracedEntryMayHoldCommasAndSpacesAroundEquals) {
    auto t = open_table("inline:{x=y, {a = b c , d}}");
    ASSERT_TRUE(t.opened.map) << t.opened.error;
    EXPECT_EQ(value_of(*t, "a"), "b c , d");
    EXPECT_EQ(value_of(*t, "x"), "y");
}

TEST(InlineTable, BracesInsideAValueAreKept) {
    auto t = open_table("inline:{x={a, b}}");
    ASSERT_TRUE(t.opened.map) << t.opened.error;
    EXPECT_EQ(value_of(*t, "x"), "{a, b}");
}

TEST(InlineTable, KeysAreFoldedWhenOpenedWithFold) {
    auto t = open_table("inline:{X=y}");
    EXPECT_EQ(value_of(*t, "x"), "y");
    EXPECT_EQ(value_of(*t, "X"), "y");
    auto exact = open_table("inline:{X=y}", map_flags::read);
    EXPECT_EQ(value_of(*exact, "x"), "<notfound>");
    EXPECT_EQ(value_of(*exact, "X"), "y");
}

TEST(InlineTable, LaterDuplicateReplacesEarlier) {
    auto t = open_table("inline:{x=y, x=z}");
    EXPECT_EQ(value_of(*t, "x"), "z");
}

TEST(InlineTable, EmptyValueIsFound) {
    auto t = open_table("inline:{x=}");
    auto r = t->lookup("x");
    EXPECT_TRUE(r.is_found());
    EXPECT_EQ(r.value, "");
}

TEST(InlineTable, SpacesAroundEqualsOutsideBracesAreAnError) {
    auto t = open_table("inline:{x = y , z= q}");
    EXPECT_FALSE(t.opened.map);
    EXPECT_EQ(t.opened.error,
              "missing '=' after attribute name: \"inline:{x = y , z= q}\"; "
              "need \"inline:{name=value...}\"");
}

TEST(InlineTable, EntryWithoutEqualsIsAnError) {
    for (const char *spec : {"inline:{x}", "inline:{ {x} }"}) {
        auto t = open_table(spec);
        EXPECT_FALSE(t.opened.map);
        EXPECT_EQ(t.opened.error, std::string("missing '=' after attribute name: \"") +
                                      spec + "\"; need \"inline:{name=value...}\"");
    }
}

TEST(InlineTable, BadOuterSyntaxIsAnError) {
    for (const char *spec : {"inline:{x=y", "inline:x=y", "inline:{}",
                             "inline:{x=y}junk", "inline: {x=y}", "inline:{{x=y}"}) {
        auto t = open_table(spec);
        EXPECT_FALSE(t.opened.map) << spec;
        EXPECT_EQ(t.opened.error, std::string("bad syntax: \"") + spec +
                                      "\"; need \"inline:{name=value...}\"");
    }
}

TEST(InlineTable, TextAfterBracedEntryIsAnError) {
    auto t = open_table("inline:{{x=y}junk}");
    EXPECT_FALSE(t.opened.map);
    EXPECT_EQ(t.opened.error, "syntax error after '}' in \"{x=y}junk\": "
                              "\"inline:{{x=y}junk}\"; need \"inline:{name=value...}\"");
}

TEST(InlineTable, SequenceWalksEveryEntry) {
    auto t = open_table("inline:{x=y, a=b}");
    Map::Entry e;
    std::string why;
    ASSERT_EQ(t->sequence(true, e, why), LookupStatus::Found);
    EXPECT_EQ(e.key, "x");
    ASSERT_EQ(t->sequence(false, e, why), LookupStatus::Found);
    EXPECT_EQ(e.key, "a");
    EXPECT_EQ(e.value, "b");
    EXPECT_EQ(t->sequence(false, e, why), LookupStatus::NotFound);
}

} // namespace
} // namespace ferry::test
