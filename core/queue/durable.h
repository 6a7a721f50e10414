// durable.h - the few system calls that make a queue file durable and
// visible, each returning a Status whose text names the file and the errno
// cause.  Shared by the queue file writer (one message at a time) and the
// group committer (many messages per directory sync).
#pragma once

#include "queue/status.h"

#include <string>
#include <string_view>

namespace ferry::queue {

// "<what> <path>: <strerror(err)>", the shape of every I/O error text.
std::string io_error_text(std::string_view what, std::string_view path, int err);
Status io_error(std::string_view what, std::string_view path, int err);

// Writes all of data at the current file offset, retrying short writes and
// EINTR.
Status write_all(int fd, const void *data, size_t size, const std::string &path);
// Same at an explicit offset (pwrite), for fields updated in place.
Status pwrite_all(int fd, const void *data, size_t size, long long offset,
                  const std::string &path);

// Flushes the file's data (and the metadata needed to read it back) to disk.
Status sync_file(int fd, const std::string &path);

// Flushes a directory so that entries renamed into it survive a crash.
Status sync_directory(const std::string &dir);

// Renames from -> to, failing with StatusCode::exists instead of replacing
// an existing file (a restored or copied queue file is never overwritten).
Status rename_no_replace(const std::string &from, const std::string &to);

// Moves a queue file to another queue directory so that a crash at any
// moment leaves it under at least one of its two names: links the new name
// (never over an existing file: StatusCode::exists), syncs to_dir, and only
// then removes the old name.  A rename is not enough: on a file system
// without a journal (ext4 without one, ext2) the old directory may reach
// the disk without the name before the new one reaches it with the name.
// A move a crash interrupted after the sync left both names; moving the
// file again finds the new name already its own and only removes the old
// one.  Where no hard link may be made (a file system without them, or a
// file the caller neither owns nor may write, with protected_hardlinks) it
// renames, then syncs to_dir.
// On failure the file stays under its old name.
Status move_durably(const std::string &from, const std::string &to, const std::string &to_dir);

// Joins a directory and a file name with one '/'.
std::string join_path(std::string_view dir, std::string_view name);

// A queue file completely written under a temporary name in `directory`,
// not yet durable and not yet visible.  Owns the open descriptor.
class SealedFile {
public:
    SealedFile() = default;
    SealedFile(int fd, std::string directory, std::string temp_name, std::string final_name);
    SealedFile(SealedFile &&other) noexcept;
    SealedFile &operator=(SealedFile &&other) noexcept;
    SealedFile(const SealedFile &) = delete;
    SealedFile &operator=(const SealedFile &) = delete;
    ~SealedFile();

    int fd() const { return fd_; }
    const std::string &directory() const { return directory_; }
    std::string temp_path() const { return join_path(directory_, temp_name_); }
    std::string final_path() const { return join_path(directory_, final_name_); }
    const std::string &final_name() const { return final_name_; }
    bool valid() const { return fd_ >= 0; }

    // Closes the descriptor (the file stays where it is).
    void close();
    // Removes the temporary file and closes the descriptor.
    void discard();

private:
    int fd_ = -1;
    std::string directory_, temp_name_, final_name_;
};

// The one-message commit: sync the file, rename it to its final name, sync
// the directory.  On failure nothing stays visible under the final name and
// the temporary file is removed.  Closes the descriptor either way.
Status commit_sealed_file(SealedFile &file);

} // namespace ferry::queue
