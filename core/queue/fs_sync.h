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
// syncfs alone is not enough on ext4 without a journal: it flushes the disk
// cache before it writes the last metadata (fs/sync.c runs sync_fs(wait)
// before the final sync_blockdev).  The group committer's directory fsync,
// which follows every batch, flushes again after them.
#pragma once

#include "queue/status.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ferry::queue {

class FileSystemSync {
public:
    // slack: dirty bytes beyond the batch's own that still let syncfs pay
    // (other sessions' half-received messages, the log).
    explicit FileSystemSync(std::uint64_t slack = 2u << 20);
    FileSystemSync(const FileSystemSync &) = delete;
    FileSystemSync &operator=(const FileSystemSync &) = delete;
    ~FileSystemSync();

    // Whether one syncfs should stand for a sync of each file of a batch
    // whose files hold batch_bytes.
    bool pays_for(std::uint64_t batch_bytes) const;

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
};

} // namespace ferry::queue
