// commit_test.cpp - a table being built is invisible until commit(), which
// swaps it in atomically; an abandoned build leaves nothing behind.
#include "fixture.h"

#include <atomic>
#include <chrono>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace maps_hash_test;

namespace {

class Commit : public ::testing::TestWithParam<std::string> {
protected:
    std::string type() const { return GetParam(); }
    TempDir dir;
};

} // namespace

TEST_P(Commit, ReadersSeeTheOldTableUntilCommitThenTheNew) {
    std::string name = dir / "table";
    build(type(), name, {{"key", "old"}});
    Table before(type(), name, lookup_flags);
    ASSERT_TRUE(before.ok()) << before.error();

    Table builder(type(), name, create_flags);
    ASSERT_TRUE(builder.ok()) << builder.error();
    builder.update("key", "new");
    builder.update("added", "yes");
    {
        Table during(type(), name, lookup_flags);
        EXPECT_EQ(during.value_of("key"), "old");
        EXPECT_EQ(during.lookup("added"), FERRY_NOTFOUND);
    }
    EXPECT_EQ(before.value_of("key"), "old");
    ASSERT_EQ(builder.commit(), FERRY_FOUND) << builder.error();

    // The reader opened earlier notices its file was replaced (it has no
    // link left, Postfix's sign too) and reads the new table by name.
    EXPECT_EQ(before.value_of("key"), "new");
    EXPECT_EQ(before.value_of("added"), "yes");
    Table after(type(), name, lookup_flags);
    EXPECT_EQ(after.value_of("key"), "new");
    EXPECT_EQ(after.value_of("added"), "yes");
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"table.db"});
}

TEST_P(Commit, TheBuildLivesInATemporaryFileBesideTheTable) {
    std::string name = dir / "table";
    Table builder(type(), name, create_flags);
    ASSERT_TRUE(builder.ok()) << builder.error();
    auto names = dir.entries();
    ASSERT_EQ(names.size(), 1u);
    EXPECT_EQ(names[0].rfind("table.db.tmp", 0), 0u) << names[0];
    Table reader(type(), name, lookup_flags);
    EXPECT_FALSE(reader.ok()); // no table yet
}

TEST_P(Commit, AbandonedCreateLeavesNoTraceAndTheOldTableIntact) {
    std::string name = dir / "table";
    {
        Table builder(type(), name, create_flags);
        builder.update("key", "never");
    }
    EXPECT_TRUE(dir.entries().empty());

    build(type(), name, {{"key", "old"}});
    {
        Table builder(type(), name, create_flags);
        builder.update("key", "never");
    }
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"table.db"});
    Table reader(type(), name, lookup_flags);
    EXPECT_EQ(reader.value_of("key"), "old");
}

TEST_P(Commit, AfterCommitTheHandleRefusesFurtherWork) {
    std::string name = dir / "table";
    Table builder(type(), name, create_flags);
    builder.update("a", "1");
    ASSERT_EQ(builder.commit(), FERRY_FOUND);
    EXPECT_EQ(builder.commit(), FERRY_FOUND); // idempotent
    EXPECT_EQ(builder.update("b", "2"), FERRY_CONFIG);
    EXPECT_NE(builder.error().find("table.db"), std::string::npos);
}

TEST_P(Commit, RebuildKeepsThePermissionsOfTheReplacedTable) {
    std::string name = dir / "table";
    build(type(), name, {{"a", "1"}});
    ASSERT_EQ(::chmod((name + ".db").c_str(), 0640), 0);
    build(type(), name, {{"a", "2"}});
    struct stat st {};
    ASSERT_EQ(::stat((name + ".db").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0640u);
}

TEST_P(Commit, NewTableGets0644LessUmask) {
    mode_t old = ::umask(022);
    std::string name = dir / "table";
    build(type(), name, {{"a", "1"}});
    ::umask(old);
    struct stat st {};
    ASSERT_EQ(::stat((name + ".db").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0644u);
}

TEST_P(Commit, CommitWaitsForAPostfixStyleExclusiveLock) {
    // postmap rewrites a table in place under flock(LOCK_EX); the swap must
    // not pull the file from under it.
    std::string name = dir / "table";
    build(type(), name, {{"key", "old"}});
    int fd = ::open((name + ".db").c_str(), O_RDWR);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::flock(fd, LOCK_EX), 0);

    Table builder(type(), name, create_flags);
    builder.update("key", "new");
    std::atomic<bool> done{false};
    std::thread committer([&] {
        builder.commit();
        done = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_FALSE(done.load());
    ::flock(fd, LOCK_UN);
    committer.join();
    ::close(fd);
    EXPECT_TRUE(done.load());
    Table reader(type(), name, lookup_flags);
    EXPECT_EQ(reader.value_of("key"), "new");
}

TEST_P(Commit, LookupWaitsWhileAWriterHoldsTheLock) {
    std::string name = dir / "table";
    build(type(), name, {{"key", "value"}});
    Table reader(type(), name, lookup_flags);
    ASSERT_TRUE(reader.ok());
    int fd = ::open((name + ".db").c_str(), O_RDWR);
    ASSERT_EQ(::flock(fd, LOCK_EX), 0);
    std::atomic<bool> done{false};
    std::thread looker([&] {
        EXPECT_EQ(reader.value_of("key"), "value");
        done = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_FALSE(done.load());
    ::flock(fd, LOCK_UN);
    looker.join();
    ::close(fd);
}

TEST_P(Commit, ReaderNoticesAnInPlaceUpdate) {
    // Pages cached before an in-place change may not match the file; the
    // reader reopens instead of answering from them.
    std::string name = dir / "table";
    build(type(), name, {{"key", "old"}});
    Table reader(type(), name, lookup_flags);
    EXPECT_EQ(reader.value_of("key"), "old");
    {
        Table writer(type(), name,
                     FERRY_MAP_READ | FERRY_MAP_WRITE | FERRY_MAP_FOLD |
                         FERRY_MAP_TRY0NULL | FERRY_MAP_TRY1NULL |
                         FERRY_MAP_DUP_REPLACE);
        ASSERT_TRUE(writer.ok()) << writer.error();
        for (int i = 0; i < 500; ++i)
            writer.update("filler" + std::to_string(i), std::string(50, 'f'));
        writer.update("key", "new");
        ASSERT_EQ(writer.commit(), FERRY_FOUND) << writer.error();
    }
    EXPECT_EQ(reader.value_of("key"), "new");
    EXPECT_EQ(reader.value_of("filler499"), std::string(50, 'f'));
}

INSTANTIATE_TEST_SUITE_P(Types, Commit, ::testing::Values("hash", "btree"));
