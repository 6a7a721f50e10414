// Queue directories (creation, set-permissions, temporary-file purge, moves)
// and the queue_minfree / message_size_limit decision behind "452 4.3.1".
#include "queue/durable.h"
#include "queue/queue_dirs.h"
#include "queue/queue_id.h"
#include "queue_test_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>

using namespace ferry::queue;
using ferry::test::ScratchDir;

namespace {
mode_t mode_of(const std::string &path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
}
} // namespace

TEST(QueueDirs, CreatesEveryQueueDirectoryWithItsMode) {
    ScratchDir tmp;
    std::string top = tmp / "spool";
    ASSERT_TRUE(create_queue_dirs(top)) << create_queue_dirs(top).text();
    for (auto name : {"maildrop", "incoming", "active", "deferred", "hold", "corrupt", "bounce",
                      "defer"})
        EXPECT_TRUE(std::filesystem::is_directory(top + "/" + name)) << name;
    EXPECT_EQ(mode_of(top + "/maildrop"), 0730u);
    EXPECT_EQ(mode_of(top + "/incoming"), 0700u);
    EXPECT_EQ(mode_of(top + "/deferred"), 0700u);
}

TEST(QueueDirs, CreatingTwiceLeavesExistingDirectories) {
    ScratchDir tmp;
    std::string top = tmp / "spool";
    ASSERT_TRUE(create_queue_dirs(top));
    ferry::test::write_whole(top + "/incoming/ABC", "x");
    EXPECT_TRUE(create_queue_dirs(top));
    EXPECT_TRUE(std::filesystem::exists(top + "/incoming/ABC"));
}

TEST(QueueDirs, FileInPlaceOfADirectoryIsAnErrorNamingIt) {
    ScratchDir tmp;
    std::string top = tmp / "spool";
    std::filesystem::create_directory(top);
    ferry::test::write_whole(top + "/active", "not a directory");
    Status s = create_queue_dirs(top);
    EXPECT_EQ(s.code(), StatusCode::io_error);
    EXPECT_NE(s.text().find(top + "/active"), std::string::npos) << s.text();
    EXPECT_NE(s.text().find("Not a directory"), std::string::npos) << s.text();
}

TEST(QueueDirs, MissingParentIsAnErrorNamingThePath) {
    ScratchDir tmp;
    std::string top = tmp / "no/such/spool";
    Status s = create_queue_dirs(top);
    EXPECT_FALSE(s);
    EXPECT_NE(s.text().find(top), std::string::npos) << s.text();
    EXPECT_NE(s.text().find("No such file or directory"), std::string::npos) << s.text();
}

TEST(QueueDirs, QueueFilePath) {
    EXPECT_EQ(queue_file_path("/var/spool/postfix", "incoming", "ABC"),
              "/var/spool/postfix/incoming/ABC");
    EXPECT_EQ(queue_file_path("/q/", "hold", "X"), "/q/hold/X");
}

namespace {
// A file `age` seconds old (last modification).
void make_old(const std::string &path, std::time_t age) {
    struct timespec times[2];
    times[0].tv_sec = times[1].tv_sec = std::time(nullptr) - age;
    times[0].tv_nsec = times[1].tv_nsec = 0;
    ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
}
constexpr std::time_t two_days = 2 * 24 * 60 * 60;
} // namespace

TEST(QueueDirs, QueueIdsInADirectorySortedWithoutOtherNames) {
    ScratchDir tmp;
    std::string a = new_queue_id(), b = new_queue_id(), c = new_queue_id();
    for (const auto &name : {c, a, b, a + ".tmp", std::string("stray-file"), std::string(".hidden")})
        ferry::test::write_whole(tmp / name, "x");
    auto ids = queue_ids_in(tmp.path());
    ASSERT_TRUE(ids.has_value());
    std::vector<std::string> expected{a, b, c};
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(*ids, expected);
}

TEST(QueueDirs, QueueIdsInAMissingDirectoryAreNoneWithErrno) {
    ScratchDir tmp;
    errno = 0;
    EXPECT_FALSE(queue_ids_in(tmp / "missing").has_value());
    EXPECT_EQ(errno, ENOENT);
}

TEST(QueuePurge, RemovesOnlyOldTemporaryFilesWithQueueIdNames) {
    ScratchDir tmp;
    std::string top = tmp / "spool";
    ASSERT_TRUE(create_queue_dirs(top));
    std::string old_tmp = new_queue_id() + ".tmp", fresh_tmp = new_queue_id() + ".tmp";
    std::string queued = new_queue_id(), dir_tmp = new_queue_id() + ".tmp";
    for (const auto &name : {old_tmp, fresh_tmp, queued, std::string("not-an-id.tmp")})
        ferry::test::write_whole(top + "/incoming/" + name, "x");
    std::filesystem::create_directory(top + "/incoming/" + dir_tmp);
    for (const auto &name : {old_tmp, queued, std::string("not-an-id.tmp"), dir_tmp})
        make_old(top + "/incoming/" + name, two_days);

    std::vector<std::string> warnings;
    auto removed = purge_temporary_files(top, {incoming_dir}, std::time(nullptr) - temporary_file_max_age, warnings);
    EXPECT_EQ(removed, std::vector<std::string>{"incoming/" + old_tmp});
    EXPECT_TRUE(warnings.empty());
    EXPECT_FALSE(std::filesystem::exists(top + "/incoming/" + old_tmp));
    for (const auto &name : {fresh_tmp, queued, std::string("not-an-id.tmp"), dir_tmp})
        EXPECT_TRUE(std::filesystem::exists(top + "/incoming/" + name)) << name;
}

TEST(QueuePurge, LeavesQueuesNotNamedAndTakesAnyAgeBeforeNow) {
    ScratchDir tmp;
    std::string top = tmp / "spool";
    ASSERT_TRUE(create_queue_dirs(top));
    std::string in_incoming = new_queue_id() + ".tmp", in_deferred = new_queue_id() + ".tmp";
    ferry::test::write_whole(top + "/incoming/" + in_incoming, "x");
    ferry::test::write_whole(top + "/deferred/" + in_deferred, "x");
    make_old(top + "/deferred/" + in_deferred, two_days);
    std::vector<std::string> warnings;
    // A master at start: everything in incoming/ made before now + 2 (a
    // file's time may be a clock tick ahead of time(), in the next second).
    auto removed = purge_temporary_files(top, {incoming_dir}, std::time(nullptr) + 2, warnings);
    EXPECT_EQ(removed, std::vector<std::string>{"incoming/" + in_incoming});
    EXPECT_TRUE(std::filesystem::exists(top + "/deferred/" + in_deferred));
}

TEST(QueuePurge, UnreadableQueueIsAWarningNamingIt) {
    ScratchDir tmp;
    std::string top = tmp / "spool";
    ASSERT_TRUE(create_queue_dirs(top));
    std::filesystem::remove(top + "/hold");
    ferry::test::write_whole(top + "/hold", "not a directory");
    std::vector<std::string> warnings;
    auto removed = purge_temporary_files(top, {hold_dir, std::string_view("no-such-queue")}, std::time(nullptr),
                                         warnings);
    EXPECT_TRUE(removed.empty());
    ASSERT_EQ(warnings.size(), 1u); // a missing queue is not worth a warning
    EXPECT_NE(warnings[0].find(top + "/hold"), std::string::npos) << warnings[0];
    EXPECT_NE(warnings[0].find("Not a directory"), std::string::npos) << warnings[0];
}

namespace {
ino_t inode_of(const std::string &path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}
} // namespace

// A queue with one message id; from/to name it in two queues.
class QueueMove : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(create_queue_dirs(top)); }
    std::string at(const char *queue) const { return queue_file_path(top, queue, id); }
    ScratchDir tmp;
    std::string top = tmp / "spool";
    std::string id = new_queue_id();
};

TEST_F(QueueMove, MovesTheFileAndLeavesOneName) {
    std::string from = at("incoming"), to = at("active");
    ferry::test::write_whole(from, "message");
    ino_t ino = inode_of(from);
    Status s = move_durably(from, to, top + "/active");
    ASSERT_TRUE(s) << s.text();
    EXPECT_FALSE(std::filesystem::exists(from));
    EXPECT_EQ(inode_of(to), ino);
    EXPECT_EQ(ferry::test::read_whole(to), "message");
    struct stat st {};
    ASSERT_EQ(::stat(to.c_str(), &st), 0);
    EXPECT_EQ(st.st_nlink, 1u);
}

TEST_F(QueueMove, NeverReplacesAnotherFileUnderTheNewName) {
    std::string from = at("deferred"), to = at("active");
    ferry::test::write_whole(from, "mine");
    ferry::test::write_whole(to, "someone else's");
    Status s = move_durably(from, to, top + "/active");
    EXPECT_EQ(s.code(), StatusCode::exists) << s.text();
    EXPECT_NE(s.text().find(to), std::string::npos) << s.text();
    EXPECT_EQ(ferry::test::read_whole(from), "mine");
    EXPECT_EQ(ferry::test::read_whole(to), "someone else's");
}

TEST_F(QueueMove, FinishesAMoveACrashCutShort) {
    // The crash came after the link and the sync: the file has both names.
    std::string from = at("incoming"), to = at("active");
    ferry::test::write_whole(from, "message");
    ASSERT_EQ(::link(from.c_str(), to.c_str()), 0);
    Status s = move_durably(from, to, top + "/active");
    ASSERT_TRUE(s) << s.text();
    EXPECT_FALSE(std::filesystem::exists(from));
    EXPECT_EQ(ferry::test::read_whole(to), "message");
}

TEST_F(QueueMove, MissingDestinationLeavesTheFileWhereItWas) {
    std::string from = at("incoming"), to = tmp / ("gone/" + id);
    ferry::test::write_whole(from, "message");
    Status s = move_durably(from, to, tmp / "gone");
    EXPECT_EQ(s.code(), StatusCode::io_error);
    EXPECT_NE(s.text().find(to), std::string::npos) << s.text();
    EXPECT_EQ(ferry::test::read_whole(from), "message");
}

TEST_F(QueueMove, InterruptedMovesKeepTheNameNearestItsDestination) {
    auto make = [&](const char *queue, const std::string &id, const std::string &text) {
        ferry::test::write_whole(queue_file_path(top, queue, id), text);
    };
    auto also = [&](const char *queue, const char *other, const std::string &id) {
        ASSERT_EQ(::link(queue_file_path(top, queue, id).c_str(), queue_file_path(top, other, id).c_str()), 0);
    };
    std::string a = new_queue_id(), b = new_queue_id(), c = new_queue_id(), d = new_queue_id();
    make("incoming", a, "a");     // incoming -> active cut short
    also("incoming", "active", a);
    make("deferred", b, "b");     // deferred -> hold cut short
    also("deferred", "hold", b);
    make("active", c, "c");       // active -> corrupt cut short
    also("active", "corrupt", c);
    make("incoming", d, "mine");  // the same id, but two different files: not a move
    make("active", d, "other");
    std::vector<std::string> warnings;
    auto removed = finish_interrupted_moves(top, warnings);
    std::sort(removed.begin(), removed.end());
    std::vector<std::string> want = {"active/" + c, "deferred/" + b, "incoming/" + a};
    std::sort(want.begin(), want.end());
    EXPECT_EQ(removed, want);
    EXPECT_TRUE(warnings.empty());
    EXPECT_EQ(ferry::test::read_whole(queue_file_path(top, "active", a)), "a");
    EXPECT_EQ(ferry::test::read_whole(queue_file_path(top, "hold", b)), "b");
    EXPECT_EQ(ferry::test::read_whole(queue_file_path(top, "corrupt", c)), "c");
    EXPECT_EQ(ferry::test::read_whole(queue_file_path(top, "incoming", d)), "mine");
    EXPECT_EQ(ferry::test::read_whole(queue_file_path(top, "active", d)), "other");
    EXPECT_TRUE(finish_interrupted_moves(top, warnings).empty()) << "a second run finds nothing";
}

// postfix set-permissions, as root: Postfix's owners and modes, and no
// link planted in a queue makes root chown a file elsewhere.
namespace {
struct Owner {
    uid_t uid;
    gid_t gid;
    mode_t mode;
};
Owner owner_of(const std::string &path) {
    struct stat st {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return {st.st_uid, st.st_gid, static_cast<mode_t>(st.st_mode & 07777)};
}
bool mentions(const std::vector<std::string> &lines, const std::string &what) {
    return std::any_of(lines.begin(), lines.end(), [&](const std::string &l) { return l.find(what) != std::string::npos; });
}
} // namespace

TEST(QueuePermissions, PostfixOwnersAndModesAndNoPlantedLinkFollowed) {
    if (::geteuid() != 0) GTEST_SKIP() << "set_queue_permissions needs root";
    constexpr uid_t mail_owner = 65534; // nobody: any uid but root's
    constexpr gid_t setgid_group = 65534;
    ScratchDir tmp;
    std::string top = tmp / "spool";
    ASSERT_TRUE(create_queue_dirs(top));
    ASSERT_EQ(::mkdir((top + "/deferred/A").c_str(), 0755), 0);
    ferry::test::write_whole(top + "/incoming/" + new_queue_id(), "x");
    std::string hashed = top + "/deferred/A/" + new_queue_id();
    ferry::test::write_whole(hashed, "x");
    // Outside the queue, root's: a symbolic link and a hard link to them.
    std::string outside = tmp / "outside", linked = tmp / "linked";
    ferry::test::write_whole(outside, "secret");
    ferry::test::write_whole(linked, "secret");
    ASSERT_EQ(::symlink(outside.c_str(), (top + "/active/planted").c_str()), 0);
    ASSERT_EQ(::link(linked.c_str(), (top + "/hold/planted").c_str()), 0);
    ASSERT_EQ(::mkfifo((top + "/corrupt/fifo").c_str(), 0600), 0);
    ::chmod((top + "/incoming").c_str(), 0777);
    ::chmod((top + "/maildrop").c_str(), 0755);
    ::chmod(top.c_str(), 0700);

    std::vector<std::string> warnings;
    Status s = set_queue_permissions(top, mail_owner, setgid_group, warnings);
    ASSERT_TRUE(s) << s.text();

    auto top_owner = owner_of(top);
    EXPECT_EQ(top_owner.uid, 0u);
    EXPECT_EQ(top_owner.mode, 0755u);
    for (auto name : {"incoming", "active", "deferred", "hold", "corrupt", "bounce", "defer", "private"}) {
        auto o = owner_of(top + "/" + name);
        EXPECT_EQ(o.uid, mail_owner) << name;
        EXPECT_EQ(o.mode, 0700u) << name;
    }
    auto pub = owner_of(top + "/public");
    EXPECT_EQ(pub.uid, mail_owner);
    EXPECT_EQ(pub.gid, setgid_group);
    EXPECT_EQ(pub.mode, 0710u);
    auto drop = owner_of(top + "/maildrop");
    EXPECT_EQ(drop.uid, mail_owner);
    EXPECT_EQ(drop.gid, setgid_group);
    EXPECT_EQ(drop.mode, 01730u);
    auto pid = owner_of(top + "/pid");
    EXPECT_EQ(pid.uid, 0u);
    EXPECT_EQ(pid.mode, 0755u);
    // Queue files and hashed subdirectories become mail_owner's.
    EXPECT_EQ(owner_of(top + "/deferred/A").uid, mail_owner);
    EXPECT_EQ(owner_of(hashed).uid, mail_owner);
    // Planted links: neither target changes hands; both are named.
    EXPECT_EQ(owner_of(outside).uid, 0u);
    EXPECT_EQ(owner_of(top + "/active/planted").uid, 0u);
    EXPECT_EQ(owner_of(linked).uid, 0u);
    EXPECT_TRUE(mentions(warnings, top + "/active/planted: not a regular file or directory"));
    EXPECT_TRUE(mentions(warnings, top + "/hold/planted: file has 2 links"));
    EXPECT_TRUE(mentions(warnings, top + "/corrupt/fifo: not a regular file or directory"));
    EXPECT_EQ(warnings.size(), 3u);
}

TEST(QueuePermissions, AFileInPlaceOfTheQueueIsAnErrorNamingIt) {
    ScratchDir tmp;
    std::string top = tmp / "spool";
    ferry::test::write_whole(top, "not a directory");
    std::vector<std::string> warnings;
    Status s = set_queue_permissions(top, 65534, 65534, warnings);
    EXPECT_FALSE(s);
    EXPECT_NE(s.text().find(top), std::string::npos) << s.text();
}

TEST(QueueSpace, AcceptsWhenPlentyOfSpace) {
    EXPECT_TRUE(space_allows(100'000'000, 0, 10'240'000, 0));
    EXPECT_TRUE(space_allows(100'000'000, 0, 10'240'000, 5'000'000));
    EXPECT_TRUE(space_allows(100'000'000, 0, 0, 0)); // no size limit
}

TEST(QueueSpace, RejectsBelowQueueMinfree) {
    EXPECT_FALSE(space_allows(50'000'000, 60'000'000, 10'240'000, 0));
    EXPECT_TRUE(space_allows(70'000'000, 60'000'000, 10'240'000, 0));
}

TEST(QueueSpace, RejectsMessageThatDoesNotFitAboveQueueMinfree) {
    EXPECT_FALSE(space_allows(70'000'000, 60'000'000, 10'240'000, 10'000'001));
    EXPECT_TRUE(space_allows(80'000'000, 60'000'000, 10'240'000, 10'000'000));
}

TEST(QueueSpace, RejectsMessageLargerThanHalfTheFreeSpace) {
    EXPECT_FALSE(space_allows(20'000'000, 0, 0, 10'000'001));
    EXPECT_TRUE(space_allows(20'000'000, 0, 0, 10'000'000));
}

TEST(QueueSpace, RequiresOneAndAHalfMessageSizeLimits) {
    // 1.5 x 10,240,000 = 15,360,000.
    EXPECT_FALSE(space_allows(15'359'999, 0, 10'240'000, 0));
    EXPECT_TRUE(space_allows(15'360'000, 0, 10'240'000, 0));
    // Odd limit: 1.5 x 3 = 4.5, so 4 bytes is not enough and 5 is.
    EXPECT_FALSE(space_allows(4, 0, 3, 0));
    EXPECT_TRUE(space_allows(5, 0, 3, 0));
}

TEST(QueueSpace, HugeValuesDoNotOverflow) {
    EXPECT_FALSE(space_allows(UINT64_MAX / 2, 0, UINT64_MAX, 0));
    EXPECT_TRUE(space_allows(UINT64_MAX, 0, UINT64_MAX / 2, 0));
    EXPECT_FALSE(space_allows(UINT64_MAX, 0, 0, UINT64_MAX));
}

TEST(QueueSpace, ChecksTheRealFileSystem) {
    ScratchDir tmp;
    SpaceCheck ok = check_queue_space(tmp.path(), 0, 1024, 1024);
    ASSERT_TRUE(ok.status) << ok.status.text();
    EXPECT_GT(ok.free_bytes, 0u);
    EXPECT_TRUE(ok.accept);
    SpaceCheck full = check_queue_space(tmp.path(), UINT64_MAX, 1024, 0);
    EXPECT_TRUE(full.status);
    EXPECT_FALSE(full.accept);
}

TEST(QueueSpace, MissingQueueDirectoryIsAnErrorNamingIt) {
    ScratchDir tmp;
    SpaceCheck c = check_queue_space(tmp / "missing", 0, 0, 0);
    EXPECT_EQ(c.status.code(), StatusCode::io_error);
    EXPECT_FALSE(c.accept);
    EXPECT_NE(c.status.text().find(tmp / "missing"), std::string::npos) << c.status.text();
}
