// mbox.cpp - see mbox.h.
#include "local/mbox.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

namespace ferry::local {
namespace {

constexpr std::string_view from_ = "From ";

const char *defer_dsn(int err) {
    if (err == ENOSPC) return "4.3.1";
    if (err == EFBIG || err == EDQUOT) return "4.2.2";
    return "4.2.0";
}

MboxResult failed(int err, std::string what) {
    return {false, defer_dsn(err), std::move(what) + ": " + std::strerror(err)};
}

bool write_all(int fd, std::string_view data, int &err) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            err = errno;
            return false;
        }
        data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
}

// Waits up to ~10 seconds for the lock; another deliverer or a mail reader
// holding it longer makes this delivery a deferral ("try again later").
bool lock_file(int fd, int &err) {
    struct flock lk{};
    lk.l_type = F_WRLCK;
    lk.l_whence = SEEK_SET;
    for (int tries = 0; tries < 100; ++tries) {
        if (::fcntl(fd, F_SETLK, &lk) == 0) return true;
        if (errno != EAGAIN && errno != EACCES && errno != EINTR) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    err = errno;
    return false;
}

} // namespace

std::string mbox_from_line(std::string_view sender, std::time_t when) {
    char date[64];
    std::tm tm{};
    ::localtime_r(&when, &tm);
    std::strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Y", &tm);
    std::string who = sender.empty() ? std::string("MAILER-DAEMON") : std::string(sender);
    return "From " + who + "  " + date + "\n";
}

void MboxQuoter::feed(std::string_view chunk, std::string &out) {
    for (char c : chunk) {
        if (line_start_) {
            held_ += c;
            if (std::string_view(held_) == from_) {
                out += '>';
                out += held_;
                held_.clear();
                line_start_ = false;
            } else if (!from_.starts_with(held_)) {
                out += held_;
                line_start_ = held_.back() == '\n';
                held_.clear();
            }
            continue;
        }
        out += c;
        if (c == '\n') line_start_ = true;
    }
}

void MboxQuoter::finish(std::string &out) {
    out += held_;
    bool ended = held_.empty() ? line_start_ : held_.back() == '\n';
    held_.clear();
    if (!ended) out += '\n';
    line_start_ = true;
}

MboxResult deliver_to_mbox(const std::string &path, std::string_view sender, std::time_t when,
                           std::string_view headers, int fd, std::uint64_t offset,
                           std::uint64_t size) {
    int out = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (out < 0) return failed(errno, "cannot open mailbox " + path);
    struct stat st{};
    int err = 0;
    if (::fstat(out, &st) != 0 || !S_ISREG(st.st_mode)) {
        err = errno ? errno : EISDIR;
        ::close(out);
        return failed(err, "mailbox " + path + " is not a regular file");
    }
    if (!lock_file(out, err)) {
        ::close(out);
        return failed(err, "cannot lock mailbox " + path);
    }
    // The size after locking: where this message starts, and where the
    // file is cut back to when the delivery fails.
    off_t start = ::lseek(out, 0, SEEK_END);
    MboxResult r{true, "2.0.0", "delivered to mailbox"};
    std::string buf = mbox_from_line(sender, when);
    buf += headers;
    MboxQuoter q;
    std::vector<char> chunk(64 * 1024);
    std::uint64_t done = 0;
    bool ok = true;
    while (ok && done < size) {
        size_t want = static_cast<size_t>(std::min<std::uint64_t>(chunk.size(), size - done));
        ssize_t n = ::pread(fd, chunk.data(), want, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            r = n < 0 ? failed(errno, "cannot read queue file") : MboxResult{false, "4.3.0", "queue file is shorter than its message record"};
            ok = false;
            break;
        }
        done += static_cast<std::uint64_t>(n);
        q.feed(std::string_view(chunk.data(), static_cast<size_t>(n)), buf);
        if (buf.size() >= chunk.size()) {
            ok = write_all(out, buf, err);
            if (!ok) r = failed(err, "cannot write mailbox " + path);
            buf.clear();
        }
    }
    if (ok) {
        q.finish(buf);
        buf += '\n'; // the empty line that ends a message in an mbox
        ok = write_all(out, buf, err);
        if (!ok) r = failed(err, "cannot write mailbox " + path);
    }
    if (ok && ::fsync(out) != 0) {
        ok = false;
        r = failed(errno, "cannot sync mailbox " + path);
    }
    if (!ok && start >= 0 && ::ftruncate(out, start) != 0) {
        // Nothing more to do: the reason already says why the delivery failed.
    }
    ::close(out); // releases the lock
    return r;
}

} // namespace ferry::local
