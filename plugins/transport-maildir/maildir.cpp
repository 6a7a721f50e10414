// maildir.cpp - see maildir.h.
#include "maildir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace ferry::transport_maildir {
namespace {

constexpr size_t copy_buffer_size = 64 * 1024;

// Deliveries in this process; with the time and pid it makes file names
// unique even for several deliveries within one microsecond.
std::atomic<unsigned long> delivery_counter{0};

std::string errno_text(int err) {
    std::string text = std::strerror(err);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
    if (const char *name = strerrorname_np(err)) text += std::string(" (") + name + ")";
#endif
    return text;
}

// The enhanced status for a failed write or create: a full mailbox and a
// full disk are worth telling apart in the defer log; all are temporary.
const char *defer_dsn(int err) {
    switch (err) {
    case EDQUOT:
    case EFBIG: return "4.2.2";
    case ENOSPC: return "4.3.1";
    default: return "4.2.0";
    }
}

Outcome deferred(const char *dsn, std::string text) {
    return {FERRY_DEFERRED, dsn, std::move(text)};
}

std::string lowercase(std::string_view in) {
    std::string out(in);
    for (char &c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// Header values come from the envelope; a line break would forge headers.
std::string one_line(std::string_view in) {
    std::string out(in);
    std::replace_if(out.begin(), out.end(),
                    [](char c) { return c == '\r' || c == '\n'; }, ' ');
    return out;
}

// A value that may stand for one path component.
bool usable_component(std::string_view part) {
    return !part.empty() && part != "." && part != ".." &&
           part.find('/') == std::string_view::npos;
}

bool write_all(int fd, const char *data, size_t len, int &err) {
    while (len > 0) {
        ssize_t n = ::write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            err = errno;
            return false;
        }
        data += n;
        len -= static_cast<size_t>(n);
    }
    return true;
}

// mkdir that accepts an existing directory; false with errno otherwise.
bool make_dir(const std::string &path) {
    if (::mkdir(path.c_str(), 0700) == 0) return true;
    if (errno != EEXIST) return false;
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return false;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return false;
    }
    return true;
}

// Create `root` and its parents, then tmp/, new/ and cur/.  On failure
// `failed` names the directory that could not be made.
bool make_maildir(const std::string &root, std::string &failed, int &err) {
    for (size_t slash = root.find('/', 1); ; slash = root.find('/', slash + 1)) {
        std::string prefix = root.substr(0, slash);
        if (!make_dir(prefix)) {
            failed = prefix;
            err = errno;
            return false;
        }
        if (slash == std::string::npos) break;
    }
    for (const char *sub : {"/tmp", "/new", "/cur"}) {
        std::string dir = root + sub;
        if (!make_dir(dir)) {
            failed = dir;
            err = errno;
            return false;
        }
    }
    return true;
}

// time.M<usec>P<pid>Q<count>.<host>, the host with '/' and ':' escaped as
// the maildir convention asks.
std::string unique_name(const std::string &hostname) {
    struct timeval now;
    ::gettimeofday(&now, nullptr);
    std::string host;
    for (char c : hostname) {
        if (c == '/') host += "\\057";
        else if (c == ':') host += "\\072";
        else host += c;
    }
    return std::to_string(now.tv_sec) + ".M" + std::to_string(now.tv_usec) +
           "P" + std::to_string(::getpid()) + "Q" +
           std::to_string(++delivery_counter) + "." + host;
}

bool sync_dir(const std::string &dir, int &err) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        err = errno;
        return false;
    }
    bool ok = ::fsync(fd) == 0;
    if (!ok) err = errno;
    ::close(fd);
    return ok;
}

std::string host_param(const ferry_host *host, const char *name) {
    std::string value;
    if (!host || host->size < offsetof(ferry_host, param) + sizeof host->param ||
        !host->param)
        return value;
    ferry_sink sink{&value, [](void *ctx, const char *data, size_t len) {
                        if (data && len) static_cast<std::string *>(ctx)->append(data, len);
                    }};
    if (!host->param(host->ctx, name, &sink)) value.clear();
    return value;
}

} // namespace

bool parse_settings(int argc, const char *const *argv, const ferry_host *host,
                    Settings &out, std::string &why) {
    for (int i = 1; i < argc; ++i) {
        if (!argv || !argv[i]) continue;
        std::string_view arg = argv[i];
        size_t eq = arg.find('=');
        std::string_view key = arg.substr(0, eq);
        std::string_view value =
            eq == std::string_view::npos ? std::string_view() : arg.substr(eq + 1);
        if (eq == std::string_view::npos) {
            why = "unknown argument \"" + std::string(arg) +
                  "\" (expected name=value)";
            return false;
        }
        if (key == "directory") {
            out.directory = value;
        } else if (key == "original_recipient") {
            if (value == "yes") out.original_recipient = true;
            else if (value == "no") out.original_recipient = false;
            else {
                why = "original_recipient: expected yes or no, not \"" +
                      std::string(value) + "\"";
                return false;
            }
        } else {
            why = "unknown argument \"" + std::string(arg) + "\"";
            return false;
        }
    }
    if (out.directory.empty()) {
        why = "no directory= argument (the Maildir, e.g. "
              "directory=/var/mail/${domain}/${user}/Maildir/)";
        return false;
    }
    if (out.directory[0] != '/') {
        why = "directory=" + out.directory + ": not an absolute path";
        return false;
    }
    for (size_t at = out.directory.find("${"); at != std::string::npos;
         at = out.directory.find("${", at + 2)) {
        std::string_view rest = std::string_view(out.directory).substr(at);
        if (!rest.starts_with("${user}") && !rest.starts_with("${domain}")) {
            why = "directory=" + out.directory +
                  ": unknown variable (only ${user} and ${domain} are expanded)";
            return false;
        }
    }
    out.hostname = host_param(host, "myhostname");
    if (out.hostname.empty()) {
        char name[256] = "";
        if (::gethostname(name, sizeof name - 1) == 0) out.hostname = name;
        if (out.hostname.empty()) out.hostname = "localhost";
    }
    return true;
}

Message::~Message() {
    if (owned_ && fd_ >= 0) ::close(fd_);
}

bool Message::open(int fd, uint64_t size, std::string &why) {
    size_ = size;
    if (fd < 0) {
        why = "no message file descriptor";
        return false;
    }
    off_t start = ::lseek(fd, 0, SEEK_CUR);
    if (start >= 0) {
        struct stat st;
        if (::fstat(fd, &st) != 0) {
            why = "cannot stat message file: " + errno_text(errno);
            return false;
        }
        if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size - std::min(st.st_size, start)) < size) {
            why = "message file holds " + std::to_string(st.st_size - std::min(st.st_size, start)) +
                  " bytes after the current offset, fewer than the " +
                  std::to_string(size) + " the request declares";
            return false;
        }
        fd_ = fd;
        start_ = start;
        return true;
    }
    if (errno != ESPIPE) {
        why = "cannot seek message file: " + errno_text(errno);
        return false;
    }
    // A pipe or socket: copy the content once to a private file, so every
    // recipient reads the same bytes.
    const char *dir = std::getenv("TMPDIR");
    std::string pattern = std::string(dir && *dir ? dir : "/tmp") + "/ferry-maildir.XXXXXX";
    int tmp = ::mkostemp(pattern.data(), O_CLOEXEC);
    if (tmp < 0) {
        why = "cannot create temporary file " + pattern + ": " + errno_text(errno);
        return false;
    }
    ::unlink(pattern.c_str());
    fd_ = tmp;
    owned_ = true;
    start_ = 0;
    std::string buffer(copy_buffer_size, '\0');
    uint64_t done = 0;
    while (done < size) {
        size_t want = static_cast<size_t>(std::min<uint64_t>(buffer.size(), size - done));
        ssize_t n = ::read(fd, buffer.data(), want);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            why = "cannot read message content: " + errno_text(errno);
            return false;
        }
        if (n == 0) {
            why = "message content ends after " + std::to_string(done) + " of " +
                  std::to_string(size) + " bytes";
            return false;
        }
        int err = 0;
        if (!write_all(tmp, buffer.data(), static_cast<size_t>(n), err)) {
            why = "cannot write temporary file " + pattern + ": " + errno_text(err);
            return false;
        }
        done += static_cast<uint64_t>(n);
    }
    return true;
}

bool Message::copy_to(int out_fd, const std::string &dest, std::string &why,
                      int &out_errno, bool &read_failed) const {
    std::string buffer(copy_buffer_size, '\0');
    uint64_t done = 0;
    read_failed = false;
    out_errno = 0;
    while (done < size_) {
        size_t want = static_cast<size_t>(std::min<uint64_t>(buffer.size(), size_ - done));
        ssize_t n = ::pread(fd_, buffer.data(), want, start_ + static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            read_failed = true;
            if (n < 0) {
                out_errno = errno;
                why = "cannot read message content: " + errno_text(errno);
            } else {
                why = "message content ends after " + std::to_string(done) +
                      " of " + std::to_string(size_) + " bytes";
            }
            return false;
        }
        if (!write_all(out_fd, buffer.data(), static_cast<size_t>(n), out_errno)) {
            why = "write maildir file " + dest + ": " + errno_text(out_errno);
            return false;
        }
        done += static_cast<uint64_t>(n);
    }
    return true;
}

Outcome deliver_one(const Settings &settings, const ferry_delivery &request,
                    const ferry_recipient &recipient, const Message &message) {
    const std::string address = recipient.address ? recipient.address : "";
    const size_t at = address.rfind('@');
    const std::string user = lowercase(std::string_view(address).substr(0, at));
    const std::string domain =
        at == std::string::npos ? std::string() : lowercase(std::string_view(address).substr(at + 1));

    // The recipient's Maildir from the template.
    std::string root;
    const std::string &tpl = settings.directory;
    for (size_t i = 0; i < tpl.size();) {
        std::string_view rest = std::string_view(tpl).substr(i);
        const std::string *value = nullptr;
        const char *what = nullptr;
        if (rest.starts_with("${user}")) {
            value = &user;
            what = "local part";
            i += 7;
        } else if (rest.starts_with("${domain}")) {
            value = &domain;
            what = "domain";
            i += 9;
        }
        if (!value) {
            root += tpl[i++];
            continue;
        }
        if (!usable_component(*value))
            return {FERRY_BOUNCED, "5.1.3",
                    "cannot deliver to maildir: recipient " + std::string(what) +
                        " \"" + one_line(*value) + "\" cannot name a directory"};
        root += *value;
    }
    while (root.size() > 1 && root.back() == '/') root.pop_back();

    std::string failed;
    int err = 0;
    if (!make_maildir(root, failed, err))
        return deferred(defer_dsn(err), "create maildir directory " + failed +
                                            ": " + errno_text(err));

    const std::string name = unique_name(settings.hostname);
    const std::string tmp_path = root + "/tmp/" + name;
    const std::string new_path = root + "/new/" + name;
    int fd = ::open(tmp_path.c_str(),
                    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        err = errno;
        return deferred(defer_dsn(err), "create maildir file " + tmp_path + ": " +
                                            errno_text(err));
    }

    std::string headers = "Return-Path: <" + one_line(request.sender ? request.sender : "") + ">\n";
    if (settings.original_recipient && recipient.orig_address && *recipient.orig_address)
        headers += "X-Original-To: " + one_line(recipient.orig_address) + "\n";
    headers += "Delivered-To: " + one_line(lowercase(address)) + "\n";

    std::string why;
    bool read_failed = false;
    bool ok = write_all(fd, headers.data(), headers.size(), err);
    if (!ok) why = "write maildir file " + tmp_path + ": " + errno_text(err);
    if (ok) ok = message.copy_to(fd, tmp_path, why, err, read_failed);
    if (ok && ::fsync(fd) != 0) {
        err = errno;
        why = "sync maildir file " + tmp_path + ": " + errno_text(err);
        ok = false;
    }
    if (::close(fd) != 0 && ok) {
        err = errno;
        why = "close maildir file " + tmp_path + ": " + errno_text(err);
        ok = false;
    }
    if (!ok) {
        ::unlink(tmp_path.c_str());
        return deferred(read_failed ? "4.3.0" : defer_dsn(err), why);
    }

    // link() refuses to replace an existing file; rename() is the fallback
    // for file systems without hard links.
    if (::link(tmp_path.c_str(), new_path.c_str()) == 0) {
        ::unlink(tmp_path.c_str());
    } else if ((errno == EPERM || errno == ENOSYS || errno == EOPNOTSUPP ||
                errno == EXDEV || errno == EMLINK) &&
               ::rename(tmp_path.c_str(), new_path.c_str()) == 0) {
        // moved
    } else {
        err = errno;
        ::unlink(tmp_path.c_str());
        return deferred(defer_dsn(err), "link maildir file " + tmp_path + " to " +
                                            new_path + ": " + errno_text(err));
    }
    // The message is durable only once new/ is: until then a crash may
    // lose it, so a failure here is a failure to deliver.
    if (!sync_dir(root + "/new", err)) {
        ::unlink(new_path.c_str());
        return deferred("4.3.0", "sync maildir directory " + root + "/new: " +
                                     errno_text(err));
    }
    return {FERRY_DELIVERED, "2.0.0", "delivered to maildir"};
}

} // namespace ferry::transport_maildir
