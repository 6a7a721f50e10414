// errors_test.cpp - missing, unreadable and corrupt tables give an error
// naming the file (Postfix's words where Postfix has them), never a crash.
#include "fixture.h"

#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace maps_hash_test;

namespace {

class Errors : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override { log_lines().clear(); }
    std::string type() const { return GetParam(); }
    TempDir dir;
};

// Enough entries to fill several pages.
void build_big(const std::string &type, const std::string &name) {
    std::vector<std::pair<std::string, std::string>> entries;
    for (int i = 0; i < 2000; ++i)
        entries.emplace_back("key" + std::to_string(i), std::string(40, 'x'));
    build(type, name, entries);
}

// Every lookup answers one of the three results; failures name the file.
void expect_three_answers(const std::string &type, const std::string &name) {
    Table t(type, name, lookup_flags);
    if (!t.ok()) {
        EXPECT_NE(t.error().find(name + ".db"), std::string::npos) << t.error();
        return;
    }
    for (int i = 0; i < 2000; i += 7) {
        int status = t.lookup("key" + std::to_string(i));
        EXPECT_TRUE(status == FERRY_FOUND || status == FERRY_NOTFOUND ||
                    status == FERRY_TEMPFAIL)
            << status;
        if (status == FERRY_TEMPFAIL) {
            EXPECT_NE(t.error().find(name + ".db"), std::string::npos) << t.error();
        }
    }
}

} // namespace

TEST_P(Errors, MissingFileSaysNoSuchFile) {
    std::string name = dir / "absent";
    Table t(type(), name, lookup_flags);
    EXPECT_FALSE(t.ok());
    EXPECT_EQ(t.error(), "open database " + name + ".db: No such file or directory");
}

TEST_P(Errors, MissingDirectorySaysNoSuchFile) {
    std::string name = dir / "nodir/absent";
    Table t(type(), name, lookup_flags);
    EXPECT_FALSE(t.ok());
    EXPECT_EQ(t.error(), "open database " + name + ".db: No such file or directory");
    Table builder(type(), name, create_flags);
    EXPECT_FALSE(builder.ok());
    EXPECT_EQ(builder.error(), "open database " + name + ".db: No such file or directory");
}

TEST_P(Errors, UnreadableFileSaysPermissionDenied) {
    std::string name = dir / "secret";
    build(type(), name, {{"a", "1"}});
    ASSERT_EQ(::chmod((name + ".db").c_str(), 0), 0);
    // root reads anything: open as nobody in a child process.
    int pipefd[2];
    ASSERT_EQ(::pipe(pipefd), 0);
    pid_t pid = ::fork();
    if (pid == 0) {
        ::close(pipefd[0]);
        if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0))
            ::_exit(2);
        Table t(type(), name, lookup_flags);
        std::string text = t.ok() ? "opened" : t.error();
        if (::write(pipefd[1], text.data(), text.size()) < 0)
            ::_exit(3);
        ::_exit(0);
    }
    ::close(pipefd[1]);
    std::string text;
    char buf[512];
    ssize_t n;
    while ((n = ::read(pipefd[0], buf, sizeof buf)) > 0)
        text.append(buf, static_cast<size_t>(n));
    ::close(pipefd[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    EXPECT_EQ(text, "open database " + name + ".db: Permission denied");
}

TEST_P(Errors, TextFileNamedDbIsRefused) {
    std::string name = dir / "text";
    write_file(name + ".db", "this is not a database\n");
    Table t(type(), name, lookup_flags);
    EXPECT_FALSE(t.ok());
    EXPECT_EQ(t.error(), "open database " + name + ".db: Invalid argument");
}

TEST_P(Errors, EmptyFileIsRefused) {
    std::string name = dir / "empty";
    write_file(name + ".db", "");
    Table t(type(), name, lookup_flags);
    EXPECT_FALSE(t.ok());
    EXPECT_EQ(t.error(), "open database " + name + ".db: Invalid argument");
}

TEST_P(Errors, TruncatedFileIsRefusedAndBerkeleyDbSaysWhy) {
    std::string name = dir / "cut";
    build_big(type(), name);
    ASSERT_EQ(::truncate((name + ".db").c_str(), 5000), 0);
    Table t(type(), name, lookup_flags);
    EXPECT_FALSE(t.ok());
    EXPECT_EQ(t.error(), "open database " + name + ".db: Invalid argument");
    bool explained = false;
    for (const auto &line : log_lines())
        explained |= line.find("pagesize") != std::string::npos;
    EXPECT_TRUE(explained);
}

TEST_P(Errors, FileCutAtAPageBoundaryNeverCrashes) {
    std::string name = dir / "cut";
    build_big(type(), name);
    ASSERT_EQ(::truncate((name + ".db").c_str(), 8192), 0);
    expect_three_answers(type(), name);
}

TEST_P(Errors, GarbagePagesNeverCrash) {
    std::string name = dir / "garbage";
    build_big(type(), name);
    int fd = ::open((name + ".db").c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    std::string junk(4096 * 3, '\xa5');
    ASSERT_EQ(::pwrite(fd, junk.data(), junk.size(), 4096),
              static_cast<ssize_t>(junk.size()));
    ::close(fd);
    expect_three_answers(type(), name);
}

TEST_P(Errors, WrongTypeIsRefused) {
    std::string other = type() == "hash" ? "btree" : "hash";
    std::string name = dir / "table";
    build(other, name, {{"a", "1"}});
    Table t(type(), name, lookup_flags);
    EXPECT_FALSE(t.ok());
    EXPECT_EQ(t.error(), "open database " + name + ".db: Invalid argument");
}

INSTANTIATE_TEST_SUITE_P(Types, Errors, ::testing::Values("hash", "btree"));

TEST(ErrorsOpen, UnknownTypeAndEmptyNameAreRefused) {
    char err[256] = "";
    const ferry_map_ops &o = ops("hash");
    EXPECT_EQ(o.open("dbm", "/tmp/x", lookup_flags, host(), err, sizeof err), nullptr);
    EXPECT_STRNE(err, "");
    err[0] = '\0';
    EXPECT_EQ(o.open("hash", "", lookup_flags, host(), err, sizeof err), nullptr);
    EXPECT_STRNE(err, "");
}

TEST(ErrorsOpen, ErrorTextIsTruncatedToTheBuffer) {
    char err[8];
    std::memset(err, 'z', sizeof err);
    EXPECT_EQ(ops("hash").open("hash", "/nonexistent/x", lookup_flags, host(),
                               err, sizeof err),
              nullptr);
    EXPECT_EQ(std::string(err), "open da");
}
