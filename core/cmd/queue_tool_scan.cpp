// queue_tool_scan.cpp - see queue_tool_scan.h.
#include "cmd/queue_tool_scan.h"

#include "config/config.h"
#include "queue/durable.h"
#include "queue/queue_dirs.h"
#include "queue/queue_file_reader.h"
#include "queue/queue_id.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <set>

namespace ferry::cmd {

const std::vector<std::string_view> &listed_queues() {
    static const std::vector<std::string_view> queues = {queue::maildrop_dir, queue::incoming_dir,
                                                         queue::active_dir, queue::deferred_dir,
                                                         queue::hold_dir};
    return queues;
}

std::vector<QueuedMessage> scan_queue(const std::string &queue_directory, std::string_view queue,
                                      std::string &error) {
    std::vector<QueuedMessage> out;
    std::string dir = queue::join_path(queue_directory, queue);
    auto names = queue::queue_ids_in(dir);
    if (!names) {
        error = "open directory " + dir + ": " + std::strerror(errno);
        return out;
    }
    for (const auto &name : *names) {
        queue::QueueFileReader reader;
        if (!reader.open(queue::join_path(dir, name)).ok()) continue;
        out.push_back({std::string(queue), name, reader.envelope(), reader.content_size(),
                       qmgr::read_defer_log(queue_directory, name)});
    }
    return out;
}

namespace {

std::string arrival_text(std::uint64_t arrival_us) {
    std::time_t t = static_cast<std::time_t>(arrival_us / 1000000);
    std::tm tm{};
    ::localtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof(buf), "%a %b %e %H:%M:%S", &tm);
    return buf;
}

std::string shown_sender(const std::string &sender) { return sender.empty() ? "MAILER-DAEMON" : sender; }

// A message's pending recipients in listing order, as Postfix's showq
// sends them: those of the defer log with their reason first (once each),
// then the others without one.
std::vector<std::pair<std::string, std::string>> listed_recipients(const QueuedMessage &m) {
    std::vector<std::pair<std::string, std::string>> out;
    std::set<std::string> pending, seen;
    for (const auto &r : m.envelope.recipients)
        if (!r.done) pending.insert(r.address);
    for (const auto &d : m.reasons)
        if (pending.count(d.recipient) && seen.insert(d.recipient).second) out.emplace_back(d.recipient, d.reason);
    for (const auto &r : m.envelope.recipients)
        if (!r.done && !seen.count(r.address)) out.emplace_back(r.address, "");
    return out;
}

std::string printf_text(const char *format, ...) __attribute__((format(printf, 1, 2)));
std::string printf_text(const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    char *p = nullptr;
    int n = ::vasprintf(&p, format, ap);
    va_end(ap);
    std::string s = n >= 0 ? std::string(p, static_cast<size_t>(n)) : std::string();
    std::free(p);
    return s;
}

} // namespace

std::string format_listing(const std::vector<QueuedMessage> &messages, bool long_ids) {
    if (messages.empty()) return "Mail queue is empty\n";
    // The two layouts of Postfix's listing: the id column is 11 or 17
    // wide (status mark included), the date 20 (with a trailing blank) or
    // 19, and recipients line up under the sender, or one column left of it.
    const int id_width = long_ids ? 17 : 11;
    const int date_width = long_ids ? 19 : 20;
    const int indent = long_ids ? 47 : 41;
    std::string out = long_ids ? "----Queue ID----- --Size-- ---Arrival Time---- --Sender/Recipient------\n"
                               : "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n";
    std::uint64_t total = 0;
    for (const auto &m : messages) {
        std::string id = m.id;
        if (m.queue == queue::active_dir) id += '*';
        else if (m.queue == queue::hold_dir) id += '!';
        std::string date = arrival_text(m.envelope.arrival_us) + " ";
        out += printf_text("%-*s %8llu %-*.*s %s\n", id_width, id.c_str(),
                           static_cast<unsigned long long>(m.size), date_width, date_width, date.c_str(),
                           shown_sender(m.envelope.sender).c_str());
        std::string last_reason;
        for (const auto &[address, reason] : listed_recipients(m)) {
            if (!reason.empty() && reason != last_reason) {
                // Right-aligned so that the closing parenthesis ends in column 78.
                int padding = std::max(0, 76 - static_cast<int>(reason.size()));
                out += std::string(static_cast<size_t>(padding), ' ') + "(" + reason + ")\n";
            }
            last_reason = reason;
            out += std::string(static_cast<size_t>(indent), ' ') + address + "\n";
        }
        out += "\n";
        total += m.size;
    }
    out += "-- " + std::to_string(total / 1024) + " Kbytes in " + std::to_string(messages.size()) +
           (messages.size() == 1 ? " Request.\n" : " Requests.\n");
    return out;
}

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof(buf), "\\u%04X", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

std::string format_json(const std::vector<QueuedMessage> &messages) {
    std::string out;
    for (const auto &m : messages) {
        out += "{\"queue_name\": " + json_string(m.queue) + ", \"queue_id\": " + json_string(m.id) +
               ", \"arrival_time\": " + std::to_string(m.envelope.arrival_us / 1000000) +
               ", \"message_size\": " + std::to_string(m.size) + ", \"forced_expire\": false, \"sender\": " +
               json_string(shown_sender(m.envelope.sender)) + ", \"recipients\": [";
        bool first = true;
        for (const auto &[address, reason] : listed_recipients(m)) {
            out += std::string(first ? "" : ", ") + "{\"address\": " + json_string(address);
            if (!reason.empty()) out += ", \"delay_reason\": " + json_string(reason);
            out += "}";
            first = false;
        }
        out += "]}\n";
    }
    return out;
}

std::string config_directory(const std::string &option) {
    if (option.empty()) return Config::default_directory();
    struct stat st {};
    if (::stat(option.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
        auto slash = option.rfind('/');
        return slash == std::string::npos ? "." : slash == 0 ? "/" : option.substr(0, slash);
    }
    return option;
}

} // namespace ferry::cmd
