// main_cf.cpp - see main_cf.h.
#include "config/main_cf.h"

#include "config/logical_lines.h"
#include "log/msg.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <unordered_map>

namespace ferry::config {
namespace {

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

// The name a physical line sets, if it starts a setting ("name =...").
std::string_view setting_name(std::string_view line) {
    if (line.empty() || is_space(line.front()) || line.front() == '#') return {};
    std::size_t n = 0;
    while (n < line.size() && !is_space(line[n]) && line[n] != '=') ++n;
    std::size_t e = n;
    while (e < line.size() && is_space(line[e])) ++e;
    if (e >= line.size() || line[e] != '=') return {};
    return line.substr(0, n);
}

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) {
            lines.push_back(text.substr(pos));
            break;
        }
        lines.push_back(text.substr(pos, nl - pos));
        pos = nl + 1;
    }
    return lines;
}

std::string sys_error() { return std::strerror(errno); }

} // namespace

std::vector<MainCfEntry> parse_main_cf(std::string_view text, std::string_view path) {
    std::vector<MainCfEntry> entries;
    std::unordered_map<std::string, std::size_t> index;
    for (auto &ll : read_logical_lines(text, path)) {
        std::string_view s = trim(ll.text);
        std::size_t n = 0;
        while (n < s.size() && !is_space(s[n]) && s[n] != '=') ++n;
        std::size_t e = n;
        while (e < s.size() && is_space(s[e])) ++e;
        std::string where = std::string(path) + ", line " + std::to_string(ll.line) + ": ";
        if (e >= s.size() || s[e] != '=')
            msg::fatal(where + "missing '=' after attribute name: \"" + std::string(s) + "\"");
        if (n == 0) msg::fatal(where + "missing attribute name: \"" + std::string(s) + "\"");
        MainCfEntry entry{std::string(s.substr(0, n)), std::string(trim(s.substr(e + 1))), ll.line};
        if (auto it = index.find(entry.name); it != index.end()) {
            auto &old = entries[it->second];
            msg::warning(where + "overriding earlier entry: " + old.name + "=" + old.value);
            old.value = std::move(entry.value);
            old.line = entry.line;
        } else {
            index.emplace(entry.name, entries.size());
            entries.push_back(std::move(entry));
        }
    }
    return entries;
}

std::string edit_main_cf(std::string_view text, Edit edit,
                         const std::vector<std::pair<std::string, std::string>> &changes,
                         std::string_view path) {
    std::unordered_map<std::string, std::string> wanted;
    for (auto &[name, value] : changes) wanted[name] = value;
    std::unordered_map<std::string, int> seen;
    std::string out;
    auto lines = split_lines(text);
    // Postfix rewrites every line through its C-string line reader, so
    // text after a NUL byte is lost everywhere, not only in edited lines.
    for (auto &l : lines) l = l.substr(0, l.find('\0'));
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::string_view name = setting_name(lines[i]);
        auto it = name.empty() ? wanted.end() : wanted.find(std::string(name));
        if (it == wanted.end()) {
            out += lines[i];
            out += '\n';
            continue;
        }
        ++seen[it->first];
        // The setting's continuation lines go with it; blank and comment
        // lines among them stay as they are.
        std::size_t last = i;
        for (std::size_t j = i + 1; j < lines.size(); ++j) {
            std::string_view l = lines[j];
            if (!l.empty() && !is_space(l.front()) && l.front() != '#') break;
            if (!trim(l).empty() && trim(l).front() != '#') last = j;
        }
        for (std::size_t j = i; j <= last; ++j) {
            bool part = j == i || (!trim(lines[j]).empty() && trim(lines[j]).front() != '#');
            if (!part) {
                out += lines[j];
                out += '\n';
                continue;
            }
            if (edit == Edit::set && j == i) out += it->first + " = " + it->second + "\n";
            if (edit == Edit::comment) {
                out += '#';
                out += lines[j];
                out += '\n';
            }
        }
        i = last;
    }
    for (auto &[name, count] : seen)
        if (count > 1) msg::warning(std::string(path) + ": multiple entries for \"" + name + "\"");
    if (edit == Edit::set) {
        // New settings go at the end, in the order given.  (Postfix appends
        // them in the order of a randomly seeded hash table.)
        for (auto &[name, value] : changes)
            if (!seen.count(name)) {
                out += name + " = " + value + "\n";
                seen[name] = 1;
            }
    }
    return out;
}

void replace_file(const std::string &path, std::string_view content) {
    std::string tmp = path + ".tmp";
    struct stat st {};
    bool have_mode = ::stat(path.c_str(), &st) == 0;
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) msg::fatal("open " + tmp + ": " + sys_error());
    // Keep the file's permissions (postconf -e must not widen them).
    if (have_mode && ::fchmod(fd, st.st_mode & 07777) < 0) msg::fatal("chmod " + tmp + ": " + sys_error());
    std::size_t done = 0;
    while (done < content.size()) {
        ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            msg::fatal("write " + tmp + ": " + sys_error());
        }
        done += static_cast<std::size_t>(n);
    }
    // The rename must not become visible before the data is on disk.
    if (::fsync(fd) < 0) msg::fatal("fsync " + tmp + ": " + sys_error());
    if (::close(fd) < 0) msg::fatal("close " + tmp + ": " + sys_error());
    if (::rename(tmp.c_str(), path.c_str()) < 0)
        msg::fatal("rename " + tmp + " to " + path + ": " + sys_error());
    auto slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "." : path.substr(0, slash ? slash : 1);
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

} // namespace ferry::config
