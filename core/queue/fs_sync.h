// fs_sync.h - one syncfs() for a whole batch of new queue files, when that
// costs less than a sync of each file.
//
// On a file system without a journal (ext4 without one, as many VM images)
// every fdatasync of a new file writes its data, its inode and its
// directory and then flushes the disk cache: four trips to the disk per
// file, and the flushes of files synced side by side rarely merge.  One
// syncfs writes the same blocks in a few merged requests and flushes once:
// on the development VM four new files took 0.54 ms instead of 1.29 ms.
// But syncfs writes everything dirty on that file system, other programs'
// data too, so the committer uses it only while the kernel holds little
// dirty data beyond the batch's own (Dirty + Writeback in /proc/meminfo,
// counted over every file system, so it errs towards a sync per file), and
// only where syncfs reports write errors (Linux 5.8 and later).
//
// /proc/meminfo is opened when the object is made, so a service chrooted
// afterwards still reads it; where it cannot be read, syncfs is never used.
//
// Once it has said no, the dirty data that keeps it saying no is often on
// the queue's own file system and grows: the log a busy server writes, or
// whatever another program wrote, is otherwise written back only after
// 30 seconds (vm.dirty_expire_centisecs), and every syncfs that would have
// taken it along is now skipped.  So after a refusal, at most once a second
// and while there is at most 64 MiB of it, choose() asks the caller to
// write that file system out in the background (a syncfs off the path of
// any message), after which batches can use syncfs again.  On the
// development VM an 8 MiB file written just before a run kept every batch
// of 20,000 messages on file syncs, at 12% to 23% less rate.
//
// syncfs alone is not enough on ext4 without a journal: it flushes the disk
// cache before it writes the last metadata (fs/sync.c runs sync_fs(wait)
// before the final sync_blockdev).  The group committer's directory fsync,
// which follows every batch, flushes again after them.
#pragma once

#include "queue/status.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ferry::queue {

class FileSystemSync {
public:
    // slack: dirty bytes beyond the batch's own that still let syncfs pay
    // (other sessions' half-received messages, the log).  meminfo: where
    // the kernel's counts are read (a test's file instead of /proc's).
    explicit FileSystemSync(std::uint64_t slack = 2u << 20, const char *meminfo = "/proc/meminfo");
    FileSystemSync(const FileSystemSync &) = delete;
    FileSystemSync &operator=(const FileSystemSync &) = delete;
    ~FileSystemSync();

    enum class Choice {
        each_file,            // sync each file
        file_system,          // one syncfs for the batch
        each_file_and_drain,  // sync each file, and write the file system out in the background
    };
    static constexpr std::uint64_t drain_limit = 64u << 20;
    static constexpr std::chrono::seconds drain_interval{1};

    // How to sync a batch whose files hold batch_bytes, at `now`: one
    // syncfs when that pays, else each file, and then perhaps the
    // background write-out above.  Not for concurrent use: it remembers
    // when it last asked for a write-out.
    Choice choose(std::uint64_t batch_bytes, std::chrono::steady_clock::time_point now);
    // The same on given counts: the policy alone.
    Choice choose(std::uint64_t batch_bytes, std::optional<std::uint64_t> dirty,
                  std::chrono::steady_clock::time_point now);

    // Dirty + Writeback of /proc/meminfo in bytes, if it can be read.
    std::optional<std::uint64_t> dirty_bytes() const;

    // Writes and flushes everything dirty on the file system holding fd;
    // the error text names path.
    static Status sync(int fd, const std::string &path);

    // Dirty + Writeback of a /proc/meminfo text, in bytes; nothing if
    // either line is missing or malformed.
    static std::optional<std::uint64_t> parse_dirty_bytes(std::string_view meminfo);
    // Whether a kernel release ("6.1.0-18-amd64") reports write errors to
    // syncfs: 5.8 and later.
    static bool syncfs_reports_errors(std::string_view release);

private:
    int meminfo_ = -1;
    bool reports_errors_ = false;
    std::uint64_t slack_;
    std::optional<std::chrono::steady_clock::time_point> last_drain_;
};

} // namespace ferry::queue
