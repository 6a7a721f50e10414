// FileSystemSync: when one syncfs may stand for a batch's file syncs.
#include "queue/fs_sync.h"
#include "queue_test_util.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <limits>

using ferry::queue::FileSystemSync;
using ferry::test::ScratchDir;

TEST(FileSystemSync, ReadsDirtyAndWritebackFromMeminfo) {
    std::string text = "MemTotal:       24576000 kB\n"
                       "Dirty:               132 kB\n"
                       "Writeback:            12 kB\n"
                       "AnonPages:        10000 kB\n";
    EXPECT_EQ(FileSystemSync::parse_dirty_bytes(text), std::optional<std::uint64_t>(144u * 1024));
}

TEST(FileSystemSync, AMeminfoWithoutBothLinesGivesNothing) {
    EXPECT_EQ(FileSystemSync::parse_dirty_bytes("Dirty:  132 kB\n"), std::nullopt);
    EXPECT_EQ(FileSystemSync::parse_dirty_bytes("Writeback: 1 kB\n"), std::nullopt);
    EXPECT_EQ(FileSystemSync::parse_dirty_bytes(""), std::nullopt);
    // A line that only starts like one, or a value that is not kB.
    EXPECT_EQ(FileSystemSync::parse_dirty_bytes("DirtyPages: 1 kB\nWriteback: 1 kB\n"), std::nullopt);
    EXPECT_EQ(FileSystemSync::parse_dirty_bytes("Dirty: many kB\nWriteback: 1 kB\n"), std::nullopt);
    EXPECT_EQ(FileSystemSync::parse_dirty_bytes("Dirty: 5 pages\nWriteback: 1 kB\n"), std::nullopt);
}

TEST(FileSystemSync, SyncfsReportsErrorsFromLinux58On) {
    EXPECT_TRUE(FileSystemSync::syncfs_reports_errors("6.1.0-18-amd64"));
    EXPECT_TRUE(FileSystemSync::syncfs_reports_errors("5.8.0"));
    EXPECT_TRUE(FileSystemSync::syncfs_reports_errors("5.10.0-28-cloud-amd64"));
    EXPECT_FALSE(FileSystemSync::syncfs_reports_errors("5.7.19"));
    EXPECT_FALSE(FileSystemSync::syncfs_reports_errors("4.19.0-26-amd64"));
    EXPECT_FALSE(FileSystemSync::syncfs_reports_errors("weird"));
    EXPECT_FALSE(FileSystemSync::syncfs_reports_errors("6"));
}

TEST(FileSystemSync, ThisKernelIsReadAndAHugeBatchPays) {
    FileSystemSync fs(0);
    ASSERT_TRUE(fs.dirty_bytes().has_value());
    EXPECT_EQ(fs.choose(std::numeric_limits<std::uint64_t>::max() / 2, std::chrono::steady_clock::now()),
              FileSystemSync::Choice::file_system);
}

// Too much other dirty data: each file is synced, and the file system is
// written out in the background at most once a second, and not at all
// when there is more than drain_limit of it.
TEST(FileSystemSync, AfterARefusalAWriteOutIsAskedForAtMostOnceASecond) {
    using Choice = FileSystemSync::Choice;
    FileSystemSync fs(2u << 20);
    auto t0 = std::chrono::steady_clock::now();
    constexpr std::uint64_t mib = 1u << 20;
    EXPECT_EQ(fs.choose(4096, 1 * mib, t0), Choice::file_system);
    EXPECT_EQ(fs.choose(4096, 8 * mib, t0), Choice::each_file_and_drain);
    EXPECT_EQ(fs.choose(4096, 8 * mib, t0 + std::chrono::milliseconds(999)), Choice::each_file);
    EXPECT_EQ(fs.choose(4096, 1 * mib, t0 + std::chrono::milliseconds(999)), Choice::file_system);
    EXPECT_EQ(fs.choose(4096, 8 * mib, t0 + std::chrono::seconds(1)), Choice::each_file_and_drain);
    EXPECT_EQ(fs.choose(4096, FileSystemSync::drain_limit + 1, t0 + std::chrono::seconds(5)), Choice::each_file);
    EXPECT_EQ(fs.choose(4096, FileSystemSync::drain_limit, t0 + std::chrono::seconds(5)),
              Choice::each_file_and_drain);
    // Counts that cannot be read: never syncfs, never a write-out.
    EXPECT_EQ(fs.choose(4096, std::nullopt, t0 + std::chrono::seconds(9)), Choice::each_file);
}

TEST(FileSystemSync, SyncsTheFileSystemOfADescriptorAndNamesThePathOnError) {
    ScratchDir tmp;
    int fd = ::open((tmp / "f").c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, "x", 1), 1);
    EXPECT_TRUE(FileSystemSync::sync(fd, tmp.path()));
    ::close(fd);
    auto bad = FileSystemSync::sync(-1, "/no/such/queue");
    EXPECT_FALSE(bad);
    EXPECT_NE(bad.text().find("syncfs /no/such/queue"), std::string::npos) << bad.text();
}
