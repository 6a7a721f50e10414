// durable.cpp - see durable.h.
#include "queue/durable.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace ferry::queue {

std::string io_error_text(std::string_view what, std::string_view path, int err) {
    std::string text(what);
    text += ' ';
    text += path;
    text += ": ";
    text += std::strerror(err);
    return text;
}

Status io_error(std::string_view what, std::string_view path, int err) {
    return {StatusCode::io_error, io_error_text(what, path, err)};
}

Status write_all(int fd, const void *data, size_t size, const std::string &path) {
    const char *p = static_cast<const char *>(data);
    while (size > 0) {
        ssize_t n = ::write(fd, p, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            return io_error("write", path, errno);
        }
        p += n;
        size -= static_cast<size_t>(n);
    }
    return Status::success();
}

Status pwrite_all(int fd, const void *data, size_t size, long long offset,
                  const std::string &path) {
    const char *p = static_cast<const char *>(data);
    while (size > 0) {
        ssize_t n = ::pwrite(fd, p, size, static_cast<off_t>(offset));
        if (n < 0) {
            if (errno == EINTR) continue;
            return io_error("write", path, errno);
        }
        p += n;
        offset += n;
        size -= static_cast<size_t>(n);
    }
    return Status::success();
}

Status sync_file(int fd, const std::string &path) {
    // fdatasync also flushes the file size, which is all a reader needs.
    while (::fdatasync(fd) != 0) {
        if (errno != EINTR) return io_error("fsync", path, errno);
    }
    return Status::success();
}

Status sync_directory(const std::string &dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return io_error("open directory", dir, errno);
    Status status;
    while (::fsync(fd) != 0) {
        if (errno != EINTR) {
            status = io_error("fsync directory", dir, errno);
            break;
        }
    }
    ::close(fd);
    return status;
}

Status rename_no_replace(const std::string &from, const std::string &to) {
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0)
        return Status::success();
    int err = errno;
    if (err == EEXIST) return {StatusCode::exists, io_error_text("rename to", to, err)};
    if (err != EINVAL && err != ENOSYS) return io_error("rename " + from + " to", to, err);
    // A file system without RENAME_NOREPLACE: link() refuses an existing
    // name too, and is atomic.
    if (::link(from.c_str(), to.c_str()) != 0) {
        err = errno;
        if (err == EEXIST) return {StatusCode::exists, io_error_text("rename to", to, err)};
        return io_error("link " + from + " to", to, err);
    }
    ::unlink(from.c_str());
    return Status::success();
}

namespace {

bool same_file(const std::string &a, const std::string &b) {
    struct stat sa {}, sb {};
    return ::lstat(a.c_str(), &sa) == 0 && ::lstat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

bool no_hard_links(int err) { return err == EPERM || err == ENOSYS || err == EOPNOTSUPP || err == EMLINK; }

} // namespace

Status move_durably(const std::string &from, const std::string &to, const std::string &to_dir) {
    if (::link(from.c_str(), to.c_str()) != 0) {
        int err = errno;
        if (no_hard_links(err)) {
            Status moved = rename_no_replace(from, to);
            return moved ? sync_directory(to_dir) : moved;
        }
        // The new name may be this very file, from a move a crash cut short.
        if (err != EEXIST || !same_file(from, to)) {
            if (err == EEXIST) return {StatusCode::exists, io_error_text("rename to", to, err)};
            return io_error("link " + from + " to", to, err);
        }
    }
    if (Status synced = sync_directory(to_dir); !synced) {
        if (!same_file(from, to)) return synced; // the source vanished meanwhile: leave the one name
        ::unlink(to.c_str());
        return synced;
    }
    if (::unlink(from.c_str()) != 0 && errno != ENOENT) return io_error("remove", from, errno);
    return Status::success();
}

std::string join_path(std::string_view dir, std::string_view name) {
    std::string path(dir);
    if (!path.empty() && path.back() != '/') path += '/';
    path += name;
    return path;
}

SealedFile::SealedFile(int fd, std::string directory, std::string temp_name,
                       std::string final_name)
    : fd_(fd), directory_(std::move(directory)), temp_name_(std::move(temp_name)),
      final_name_(std::move(final_name)) {}

SealedFile::SealedFile(SealedFile &&other) noexcept
    : fd_(std::exchange(other.fd_, -1)), directory_(std::move(other.directory_)),
      temp_name_(std::move(other.temp_name_)), final_name_(std::move(other.final_name_)) {}

SealedFile &SealedFile::operator=(SealedFile &&other) noexcept {
    if (this != &other) {
        close();
        fd_ = std::exchange(other.fd_, -1);
        directory_ = std::move(other.directory_);
        temp_name_ = std::move(other.temp_name_);
        final_name_ = std::move(other.final_name_);
    }
    return *this;
}

SealedFile::~SealedFile() { close(); }

void SealedFile::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

void SealedFile::discard() {
    if (!temp_name_.empty()) ::unlink(temp_path().c_str());
    close();
}

Status commit_sealed_file(SealedFile &file) {
    Status status = sync_file(file.fd(), file.temp_path());
    if (status) status = rename_no_replace(file.temp_path(), file.final_path());
    if (!status) {
        file.discard();
        return status;
    }
    file.close();
    status = sync_directory(file.directory());
    // Not acknowledged, so not visible: the client will send it again.
    if (!status) ::unlink(file.final_path().c_str());
    return status;
}

} // namespace ferry::queue
