// table_files.cpp - locks, temporary files and durable renames for .db tables.
#include "table_files.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ferry::maps_hash {

std::string errno_text(int error) {
    char buf[256];
    // GNU strerror_r returns the text, which may or may not be buf.
    return ::strerror_r(error, buf, sizeof buf);
}

PathParts split_path(const std::string &path) {
    std::string::size_type slash = path.rfind('/');
    if (slash == std::string::npos)
        return {".", path};
    if (slash == 0)
        return {"/", path.substr(1)};
    return {path.substr(0, slash), path.substr(slash + 1)};
}

int lock_fd(int fd, int how) {
    int rc;
    do
        rc = ::flock(fd, how);
    while (rc < 0 && errno == EINTR);
    return rc;
}

int open_locked(const std::string &path, int open_flags, int how) {
    for (;;) {
        int fd = ::open(path.c_str(), open_flags | O_CLOEXEC);
        if (fd < 0)
            return -1;
        if (lock_fd(fd, how) < 0) {
            int saved = errno;
            ::close(fd);
            errno = saved;
            return -1;
        }
        // A writer may have renamed a new table over the name while we
        // waited; a lock on the old file would then protect nothing.
        struct stat held {}, named {};
        if (::fstat(fd, &held) == 0 && ::stat(path.c_str(), &named) == 0 &&
            held.st_dev == named.st_dev && held.st_ino == named.st_ino)
            return fd;
        ::close(fd);
    }
}

int create_temp(const std::string &db_path, std::string &tmp_path) {
    static const char alphabet[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    for (int attempt = 0; attempt < 100; ++attempt) {
        unsigned char noise[6];
        if (::getrandom(noise, sizeof noise, 0) != static_cast<ssize_t>(sizeof noise))
            return -1;
        std::string name = db_path + ".tmp";
        for (unsigned char byte : noise)
            name.push_back(alphabet[byte % (sizeof alphabet - 1)]);
        int fd = ::open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd >= 0) {
            tmp_path = name;
            return fd;
        }
        if (errno != EEXIST)
            return -1;
    }
    errno = EEXIST;
    return -1;
}

void inherit_owner_and_mode(int fd, const std::string &db_path) {
    struct stat old {};
    if (::stat(db_path.c_str(), &old) != 0)
        return;
    struct stat now {};
    if (::fstat(fd, &now) == 0 &&
        (now.st_uid != old.st_uid || now.st_gid != old.st_gid))
        (void)::fchown(fd, old.st_uid, old.st_gid);
    (void)::fchmod(fd, old.st_mode & 07777);
}

int sync_dir(const std::string &dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = ::fsync(fd);
    int saved = errno;
    ::close(fd);
    errno = saved;
    return rc;
}

} // namespace ferry::maps_hash
