// pid_file.cpp - see pid_file.h.
#include "master/pid_file.h"

#include "log/msg.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace ferry::master {

PidFile::~PidFile() {
    if (fd_ >= 0) {
        ::unlink(path_.c_str());
        ::close(fd_);
    }
}

bool PidFile::acquire(const std::string &path) {
    auto slash = path.rfind('/');
    if (slash != std::string::npos) {
        std::string dir = path.substr(0, slash);
        // mkdir -p of the pid directory (the queue directory may be new).
        for (size_t p = 1; p <= dir.size(); ++p)
            if (p == dir.size() || dir[p] == '/') ::mkdir(dir.substr(0, p).c_str(), 0755);
    }
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        msg::error("open lock file " + path + ": " + std::strerror(errno));
        return false;
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) < 0) {
        msg::error("the Postfix mail system is already running (lock file " + path + ")");
        ::close(fd);
        return false;
    }
    char buf[32];
    int n = std::snprintf(buf, sizeof(buf), "%*lu\n", 10, static_cast<unsigned long>(::getpid()));
    if (::ftruncate(fd, 0) < 0 || ::pwrite(fd, buf, static_cast<size_t>(n), 0) != n) {
        msg::error("write lock file " + path + ": " + std::strerror(errno));
        ::close(fd);
        return false;
    }
    fd_ = fd;
    path_ = path;
    return true;
}

pid_t PidFile::running(const std::string &path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    pid_t pid = 0;
    // Unlocked means no master holds it, whatever number is inside.
    if (::flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK) {
        char buf[32] = {};
        if (::read(fd, buf, sizeof(buf) - 1) > 0) pid = static_cast<pid_t>(std::strtol(buf, nullptr, 10));
    }
    ::close(fd);
    return pid;
}

} // namespace ferry::master
