// Diagnostics keep Postfix's "program: level: text" shape.
#include "log/msg.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>

using namespace ferry;

TEST(Msg, FatalThrowsInTestsWithItsText) {
    msg::throw_on_fatal(true);
    try {
        msg::fatal("open /etc/postfix/main.cf: No such file or directory");
        FAIL() << "fatal returned";
    } catch (const msg::FatalError &e) {
        EXPECT_EQ(e.text, "open /etc/postfix/main.cf: No such file or directory");
    }
}

TEST(Msg, WarningsAreCounted) {
    unsigned before = msg::warning_count();
    msg::warning("test warning");
    EXPECT_EQ(msg::warning_count(), before + 1);
}

TEST(Msg, LogLineHasSyslogShape) {
    // 2026-11-09 08:05:03 UTC; the test pins TZ so the hour is known.
    setenv("TZ", "UTC", 1);
    tzset();
    EXPECT_EQ(msg::format_log_line(1794211503, "mx1", "postfix/smtpd", 4242,
                                   "connect from localhost[127.0.0.1]"),
              "Nov  9 08:05:03 mx1 postfix/smtpd[4242]: connect from localhost[127.0.0.1]");
}

TEST(Msg, LogFileGetsEveryLevelWithItsLabel) {
    char path[] = "/tmp/ferry-msg-test-XXXXXX";
    int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    close(fd);
    ASSERT_TRUE(msg::log_to_file(path));
    msg::quiet(true);
    msg::info("ABC123: client=localhost[127.0.0.1]");
    msg::warning("table lookup problem");
    msg::quiet(false);
    ASSERT_TRUE(msg::log_to_file(""));
    std::ifstream in(path);
    std::string first, second, extra;
    std::getline(in, first);
    std::getline(in, second);
    EXPECT_FALSE(std::getline(in, extra));
    unlink(path);
    std::string pid = "[" + std::to_string(getpid()) + "]: ";
    EXPECT_NE(first.find(msg::program() + pid + "ABC123: client=localhost[127.0.0.1]"), std::string::npos) << first;
    EXPECT_NE(second.find(msg::program() + pid + "warning: table lookup problem"), std::string::npos) << second;
}

namespace {

std::string read_file(const std::string &path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

} // namespace

// fatal: exits with status 1 outside tests; panic: aborts.  Both leave
// their line, with Postfix's label, in the log before the process ends.
TEST(MsgDeathTest, FatalAndPanicLogTheirLabelBeforeTheProcessEnds) {
    char path[] = "/tmp/ferry-msg-test-XXXXXX";
    int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    close(fd);
    ASSERT_TRUE(msg::log_to_file(path));
    EXPECT_EXIT(
        {
            msg::throw_on_fatal(false);
            msg::quiet(true);
            msg::fatal("open /etc/postfix/main.cf: No such file or directory");
        },
        testing::ExitedWithCode(1), "");
    EXPECT_DEATH(
        {
            msg::quiet(true);
            msg::panic("queue file offset out of range");
        },
        "");
    ASSERT_TRUE(msg::log_to_file(""));
    std::string text = read_file(path);
    unlink(path);
    std::string pid_tail = "]: ";
    EXPECT_NE(text.find(pid_tail + "fatal: open /etc/postfix/main.cf: No such file or directory\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find(pid_tail + "panic: queue file offset out of range\n"), std::string::npos) << text;
}

TEST(Msg, LogFileThatCannotBeOpenedIsReported) {
    EXPECT_FALSE(msg::log_to_file("/nonexistent-dir/maillog"));
    EXPECT_EQ(errno, ENOENT);
}
