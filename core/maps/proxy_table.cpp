// proxy_table.cpp - see proxy_table.h.
#include "maps/proxy_table.h"

#include "config/values.h"
#include "log/msg.h"
#include "maps/catalog.h"
#include "master/listen.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <initializer_list>
#include <mutex>
#include <vector>

namespace ferry {
namespace {

constexpr std::string_view proxy_prefix = "proxy:";
// A request or reply longer than this is not one of ours.
constexpr size_t max_message = 1 << 20;

std::string g_proxy_service;

bool send_fields(int fd, std::initializer_list<std::string_view> fields) {
    std::string out;
    for (auto f : fields) {
        out += f;
        out += '\0';
    }
    return master::send_all(fd, out);
}

// NUL-terminated fields from a stream, read as they come.
class FieldReader {
public:
    explicit FieldReader(int fd) : fd_(fd) {}

    // The next `count` fields; false at end of stream, on an error or when
    // a message grows past max_message (`error` says which, "" at EOF).
    bool next(size_t count, std::vector<std::string> &fields, std::string &error) {
        fields.clear();
        while (fields.size() < count) {
            size_t nul = buf_.find('\0', pos_);
            if (nul != std::string::npos) {
                fields.emplace_back(buf_, pos_, nul - pos_);
                pos_ = nul + 1;
                continue;
            }
            if (buf_.size() - pos_ > max_message) {
                error = "request too long";
                return false;
            }
            buf_.erase(0, pos_);
            pos_ = 0;
            char chunk[4096];
            ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                error = std::strerror(errno);
                return false;
            }
            if (n == 0) {
                error = buf_.empty() && fields.empty() ? "" : "unexpected end of stream";
                return false;
            }
            buf_.append(chunk, static_cast<size_t>(n));
        }
        return true;
    }

private:
    int fd_;
    std::string buf_;
    size_t pos_ = 0;
};

// A proxy: table in a chrooted service: every lookup is a request to the
// proxymap service.  Connections are kept for the next lookup; lookups at
// the same time use connections of their own.
class ProxyClientMap : public Map {
public:
    ProxyClientMap(std::string table, std::string socket, int timeout)
        : Map("proxy", std::move(table), map_props::blocking), socket_(std::move(socket)), timeout_(timeout) {}

    ~ProxyClientMap() override {
        for (int fd : idle_) ::close(fd);
    }

    LookupResult lookup(std::string_view key) override {
        if (key.find('\0') != std::string_view::npos) return LookupResult::temp_fail(spec() + ": key contains NUL");
        // A kept connection may have been closed by a proxymap that has
        // since exited: one more try on a fresh one.
        for (int attempt = 0;; ++attempt) {
            bool reused = false;
            std::string why;
            int fd = take(reused, why);
            if (fd < 0) return LookupResult::temp_fail(spec() + ": " + why);
            std::vector<std::string> reply;
            FieldReader in(fd);
            if (send_fields(fd, {"lookup", name(), key}) && in.next(2, reply, why)) {
                give_back(fd);
                return answer(reply[0], reply[1]);
            }
            ::close(fd);
            if (!reused || attempt > 0)
                return LookupResult::temp_fail(spec() + ": lost connection to " + socket_ +
                                               (why.empty() ? "" : ": " + why));
        }
    }

private:
    LookupResult answer(const std::string &status, const std::string &text) const {
        if (status == "found") return LookupResult::found(text);
        if (status == "notfound") return LookupResult::not_found();
        if (status == "retry") return LookupResult::temp_fail(text);
        if (status == "deny")
            return LookupResult::temp_fail("proxymap service is not configured for table \"" + name() + "\"");
        return LookupResult::temp_fail(spec() + ": proxymap answered \"" + status + "\" " + text);
    }

    int take(bool &reused, std::string &why) {
        {
            std::lock_guard lock(mutex_);
            if (!idle_.empty()) {
                int fd = idle_.back();
                idle_.pop_back();
                reused = true;
                return fd;
            }
        }
        int fd = master::connect_unix(socket_, why);
        if (fd >= 0) {
            timeval tv{timeout_, 0};
            ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        }
        return fd;
    }

    void give_back(int fd) {
        std::lock_guard lock(mutex_);
        idle_.push_back(fd);
    }

    std::string socket_;
    int timeout_;
    std::mutex mutex_;
    std::vector<int> idle_;
};

} // namespace

std::string_view strip_proxy(std::string_view spec) {
    while (spec.substr(0, proxy_prefix.size()) == proxy_prefix) spec.remove_prefix(proxy_prefix.size());
    return spec;
}

std::set<std::string, std::less<>> approved_proxy_tables(std::string_view proxy_read_maps) {
    std::set<std::string, std::less<>> out;
    for (std::string_view item : config::list_items(proxy_read_maps)) {
        if (item.substr(0, proxy_prefix.size()) != proxy_prefix) continue;
        std::string_view table = strip_proxy(item);
        if (table.find(':') != std::string_view::npos) out.emplace(table);
    }
    return out;
}

void warn_unapproved_table(std::string_view table) {
    msg::warning("request for unapproved table: \"" + std::string(table) + "\"");
    msg::warning("to approve this table for read-only access, list proxy:" + std::string(table) +
                 " in main.cf:proxy_read_maps");
}

void set_proxy_service(std::string path) { g_proxy_service = std::move(path); }

const std::string &proxy_service() { return g_proxy_service; }

OpenedMap open_proxy_table(std::string_view table, bool approved, const std::string &socket, int timeout,
                           MapCatalog &catalog, unsigned flags) {
    table = strip_proxy(table);
    if (table.find(':') == std::string_view::npos)
        return {nullptr, "open dictionary: expecting \"type:name\" form instead of \"proxy:" + std::string(table) +
                             "\""};
    if (!approved) {
        warn_unapproved_table(table);
        return {nullptr, "proxymap service is not configured for table \"" + std::string(table) + "\""};
    }
    if (socket.empty()) return catalog.open(table, flags);
    return {std::make_unique<ProxyClientMap>(std::string(table), socket, timeout), {}};
}

ProxyServer::ProxyServer(MapCatalog &catalog, std::set<std::string, std::less<>> approved)
    : catalog_(catalog), approved_(std::move(approved)) {}

void ProxyServer::serve(int fd) {
    FieldReader in(fd);
    std::vector<std::string> request;
    std::string error;
    for (;;) {
        if (!in.next(1, request, error)) break;
        if (request[0] != "lookup") {
            msg::warning("unrecognized request: \"" + request[0].substr(0, 100) + "\", ignored");
            send_fields(fd, {"bad", ""});
            break; // the rest of the stream cannot be trusted to be in step
        }
        if (!in.next(2, request, error)) break;
        auto [status, text] = lookup(request[0], request[1]);
        if (!send_fields(fd, {status, text})) break;
    }
    if (!error.empty()) msg::warning("proxymap: client request: " + error);
}

std::pair<std::string, std::string> ProxyServer::lookup(const std::string &raw_table, const std::string &key) {
    std::string table(strip_proxy(raw_table));
    if (table.find(':') == std::string::npos) {
        msg::warning("proxymap: bad table name: \"" + table.substr(0, 100) + "\"");
        return {"bad", ""};
    }
    if (!approved_.count(table)) {
        warn_unapproved_table(table);
        return {"deny", ""};
    }
    auto it = open_.find(table);
    if (it == open_.end()) {
        OpenedMap opened = catalog_.open(table, map_flags::lookup_default);
        if (!opened.map) {
            msg::warning("proxymap: " + opened.error);
            return {"retry", opened.error};
        }
        it = open_.emplace(table, std::move(opened.map)).first;
    }
    LookupResult r = it->second->lookup(key);
    switch (r.status) {
    case LookupStatus::Found: return {"found", r.value};
    case LookupStatus::NotFound: return {"notfound", ""};
    case LookupStatus::TempFail: return {"retry", r.reason};
    }
    return {"retry", "unknown lookup status"};
}

} // namespace ferry
