// fs_sync.cpp - see fs_sync.h.
#include "queue/fs_sync.h"

#include "queue/durable.h"

#include <fcntl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

namespace ferry::queue {

namespace {

// The number of kB on the line "<name>:   1234 kB", if there is one.
std::optional<std::uint64_t> kilobytes(std::string_view text, std::string_view name) {
    for (std::size_t at = 0; at < text.size();) {
        std::size_t end = text.find('\n', at);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(at, end - at);
        at = end + 1;
        if (line.size() <= name.size() || line.substr(0, name.size()) != name || line[name.size()] != ':')
            continue;
        line.remove_prefix(name.size() + 1);
        while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
        std::uint64_t value = 0;
        auto [rest, err] = std::from_chars(line.data(), line.data() + line.size(), value);
        if (err != std::errc() || std::string_view(rest, line.data() + line.size() - rest) != " kB")
            return std::nullopt;
        return value;
    }
    return std::nullopt;
}

} // namespace

FileSystemSync::FileSystemSync(std::uint64_t slack, const char *meminfo) : slack_(slack) {
    struct utsname u {};
    reports_errors_ = ::uname(&u) == 0 && syncfs_reports_errors(u.release);
    if (reports_errors_) meminfo_ = ::open(meminfo, O_RDONLY | O_CLOEXEC);
}

FileSystemSync::~FileSystemSync() {
    if (meminfo_ >= 0) ::close(meminfo_);
}

FileSystemSync::Choice FileSystemSync::choose(std::uint64_t batch_bytes, std::chrono::steady_clock::time_point now) {
    if (!reports_errors_) return Choice::each_file;
    return choose(batch_bytes, dirty_bytes(), now);
}

FileSystemSync::Choice FileSystemSync::choose(std::uint64_t batch_bytes, std::optional<std::uint64_t> dirty,
                                              std::chrono::steady_clock::time_point now) {
    if (!dirty) return Choice::each_file;
    if (*dirty <= batch_bytes + slack_) return Choice::file_system;
    if (*dirty > drain_limit || (last_drain_ && now - *last_drain_ < drain_interval)) return Choice::each_file;
    last_drain_ = now;
    return Choice::each_file_and_drain;
}

std::optional<std::uint64_t> FileSystemSync::dirty_bytes() const {
    if (meminfo_ < 0) return std::nullopt;
    char text[8192];
    ssize_t n = ::pread(meminfo_, text, sizeof text, 0);
    if (n <= 0) return std::nullopt;
    return parse_dirty_bytes(std::string_view(text, static_cast<std::size_t>(n)));
}

Status FileSystemSync::sync(int fd, const std::string &path) {
    while (::syncfs(fd) != 0) {
        if (errno != EINTR) return io_error("syncfs", path, errno);
    }
    return Status::success();
}

std::optional<std::uint64_t> FileSystemSync::parse_dirty_bytes(std::string_view meminfo) {
    auto dirty = kilobytes(meminfo, "Dirty");
    auto writeback = kilobytes(meminfo, "Writeback");
    if (!dirty || !writeback) return std::nullopt;
    return (*dirty + *writeback) * 1024;
}

bool FileSystemSync::syncfs_reports_errors(std::string_view release) {
    unsigned major = 0, minor = 0;
    const char *p = release.data(), *end = release.data() + release.size();
    auto a = std::from_chars(p, end, major);
    if (a.ec != std::errc() || a.ptr == end || *a.ptr != '.') return false;
    auto b = std::from_chars(a.ptr + 1, end, minor);
    if (b.ec != std::errc()) return false;
    return major > 5 || (major == 5 && minor >= 8);
}

} // namespace ferry::queue
