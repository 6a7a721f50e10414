// update_test.cpp - duplicates, delete and sequence, with Postfix's answers
// and postmap's "duplicate entry" warning text.
#include "fixture.h"

using namespace maps_hash_test;

namespace {

class Update : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override { log_lines().clear(); }
    std::string type() const { return GetParam(); }
    TempDir dir;
};

constexpr unsigned dup_flags =
    FERRY_MAP_DUP_WARN | FERRY_MAP_DUP_IGNORE | FERRY_MAP_DUP_REPLACE;

} // namespace

TEST_P(Update, DuplicateWarnKeepsFirstAndLogsPostmapText) {
    std::string name = dir / "dup";
    Table t(type(), name, create_flags);
    ASSERT_TRUE(t.ok()) << t.error();
    EXPECT_EQ(t.update("Foo", "first"), FERRY_FOUND);
    EXPECT_EQ(t.update("foo", "second"), FERRY_NOTFOUND);
    ASSERT_EQ(log_lines().size(), 1u);
    EXPECT_EQ(log_lines()[0], "warning: " + name + ".db: duplicate entry: \"foo\"");
    EXPECT_EQ(t.value_of("FOO"), "first");
}

TEST_P(Update, DuplicateIgnoreKeepsFirstSilently) {
    Table t(type(), dir / "dup",
            (create_flags & ~dup_flags) | FERRY_MAP_DUP_IGNORE);
    t.update("foo", "first");
    EXPECT_EQ(t.update("foo", "second"), FERRY_NOTFOUND);
    EXPECT_TRUE(log_lines().empty());
    EXPECT_EQ(t.value_of("foo"), "first");
}

TEST_P(Update, DuplicateReplaceKeepsLast) {
    Table t(type(), dir / "dup",
            (create_flags & ~dup_flags) | FERRY_MAP_DUP_REPLACE);
    t.update("foo", "first");
    EXPECT_EQ(t.update("foo", "second"), FERRY_FOUND);
    EXPECT_EQ(t.value_of("foo"), "second");
}

TEST_P(Update, DuplicateWithoutPolicyIsAnError) {
    std::string name = dir / "dup";
    Table t(type(), name, create_flags & ~dup_flags);
    t.update("foo", "first");
    EXPECT_EQ(t.update("foo", "second"), FERRY_CONFIG);
    EXPECT_EQ(t.error(), name + ".db: duplicate entry: \"foo\"");
    EXPECT_EQ(t.value_of("foo"), "first");
}

TEST_P(Update, RemoveDeletesOnceInEitherConvention) {
    for (unsigned without : {0u, unsigned(FERRY_MAP_TRY1NULL)}) {
        std::string name = dir / ("del" + std::to_string(without));
        build(type(), name, {{"gone", "1"}, {"kept", "2"}}, 0, without);
        Table t(type(), name,
                FERRY_MAP_READ | FERRY_MAP_WRITE | FERRY_MAP_FOLD |
                    FERRY_MAP_TRY0NULL | FERRY_MAP_TRY1NULL);
        ASSERT_TRUE(t.ok()) << t.error();
        EXPECT_EQ(t.remove("GONE"), FERRY_FOUND);
        EXPECT_EQ(t.remove("gone"), FERRY_NOTFOUND);
        EXPECT_EQ(t.lookup("gone"), FERRY_NOTFOUND);
        EXPECT_EQ(t.commit(), FERRY_FOUND) << t.error();
        t.close();
        Table reader(type(), name, lookup_flags);
        EXPECT_EQ(reader.lookup("gone"), FERRY_NOTFOUND);
        EXPECT_EQ(reader.value_of("kept"), "2");
    }
}

TEST_P(Update, WriteModeAddsToAnExistingTableInPlace) {
    std::string name = dir / "grow";
    build(type(), name, {{"old", "1"}});
    {
        Table t(type(), name,
                FERRY_MAP_READ | FERRY_MAP_WRITE | FERRY_MAP_FOLD |
                    FERRY_MAP_TRY0NULL | FERRY_MAP_TRY1NULL | FERRY_MAP_DUP_REPLACE);
        ASSERT_TRUE(t.ok()) << t.error();
        EXPECT_EQ(t.update("New", "2"), FERRY_FOUND);
        EXPECT_EQ(t.commit(), FERRY_FOUND) << t.error();
    }
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"grow.db"});
    Table reader(type(), name, lookup_flags);
    EXPECT_EQ(reader.value_of("old"), "1");
    EXPECT_EQ(reader.value_of("new"), "2");
}

TEST_P(Update, ReadOnlyTableRefusesUpdates) {
    std::string name = dir / "ro";
    build(type(), name, {{"a", "1"}});
    Table t(type(), name, lookup_flags);
    EXPECT_EQ(t.update("b", "2"), FERRY_CONFIG);
    EXPECT_EQ(t.remove("a"), FERRY_CONFIG);
    EXPECT_EQ(t.value_of("a"), "1");
}

TEST_P(Update, SequenceListsEveryEntryWithoutNulBytes) {
    std::string name = dir / "seq";
    std::map<std::string, std::string> want = {
        {"alpha", "1"}, {"beta", ""}, {"key with spaces", "3"}, {"z\xc3\xa4", "4"}};
    std::vector<std::pair<std::string, std::string>> entries(want.begin(), want.end());
    build(type(), name, entries);
    Table t(type(), name, lookup_flags);
    EXPECT_EQ(t.all(), want);
    EXPECT_EQ(t.all(), want); // FIRST restarts the walk
}

TEST_P(Update, SequenceNextWithoutFirstIsAnError) {
    std::string name = dir / "seq";
    build(type(), name, {{"a", "1"}});
    Table t(type(), name, lookup_flags);
    std::string k, v;
    EXPECT_EQ(t.sequence(FERRY_SEQ_NEXT, k, v), FERRY_CONFIG);
    EXPECT_NE(t.error().find("seq.db"), std::string::npos) << t.error();
}

TEST_P(Update, SequenceOfAnEmptyTableEndsAtOnce) {
    std::string name = dir / "empty";
    build(type(), name, {});
    Table t(type(), name, lookup_flags);
    std::string k, v;
    EXPECT_EQ(t.sequence(FERRY_SEQ_FIRST, k, v), FERRY_NOTFOUND);
}

INSTANTIATE_TEST_SUITE_P(Types, Update, ::testing::Values("hash", "btree"));
