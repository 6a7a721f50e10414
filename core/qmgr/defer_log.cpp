// defer_log.cpp - see defer_log.h.
#include "qmgr/defer_log.h"

#include "qmgr/channel.h"
#include "queue/durable.h"
#include "queue/queue_dirs.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ferry::qmgr {

std::string encode_defer_record(const DeferRecord &r) {
    std::string out = "recipient=" + one_line(r.recipient) + "\n";
    if (!r.orcpt.empty()) out += "orcpt=" + one_line(r.orcpt) + "\n";
    out += "status=" + one_line(r.status) + "\n";
    out += "action=delayed\n";
    out += "reason=" + one_line(r.reason) + "\n";
    return out + "\n";
}

std::vector<DeferRecord> decode_defer_log(std::string_view text) {
    std::vector<DeferRecord> out;
    DeferRecord cur;
    bool have = false;
    while (!text.empty()) {
        size_t nl = text.find('\n');
        if (nl == std::string_view::npos) break; // a torn last line
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl + 1);
        if (line.empty()) {
            if (have && !cur.recipient.empty()) out.push_back(cur);
            cur = {};
            have = false;
            continue;
        }
        size_t eq = line.find('=');
        if (eq == std::string_view::npos) continue;
        std::string_view name = line.substr(0, eq), value = line.substr(eq + 1);
        have = true;
        if (name == "recipient") cur.recipient = value;
        else if (name == "orcpt") cur.orcpt = value;
        else if (name == "status") cur.status = value;
        else if (name == "reason") cur.reason = value;
    }
    return out;
}

std::string defer_log_path(const std::string &queue_directory, const std::string &queue_id) {
    return queue::queue_file_path(queue_directory, queue::defer_dir, queue_id);
}

std::string append_defer_record(const std::string &queue_directory, const std::string &queue_id,
                                const DeferRecord &record) {
    std::string path = defer_log_path(queue_directory, queue_id);
    int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return queue::io_error_text("open", path, errno);
    std::string data = encode_defer_record(record);
    auto st = queue::write_all(fd, data.data(), data.size(), path);
    ::close(fd);
    return st.ok() ? "" : st.text();
}

std::vector<DeferRecord> read_defer_log(const std::string &queue_directory, const std::string &queue_id) {
    std::string path = defer_log_path(queue_directory, queue_id);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return {};
    std::string text;
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        text.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return decode_defer_log(text);
}

std::string remove_defer_log(const std::string &queue_directory, const std::string &queue_id) {
    std::string path = defer_log_path(queue_directory, queue_id);
    if (::unlink(path.c_str()) == 0 || errno == ENOENT) return "";
    return queue::io_error_text("remove", path, errno);
}

} // namespace ferry::qmgr
