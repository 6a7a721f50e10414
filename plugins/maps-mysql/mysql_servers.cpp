// mysql_servers.cpp - connections to a mysql: table's servers (see
// mysql_servers.h).
#include "mysql_servers.h"

#include <errmsg.h>

#include <chrono>
#include <cstdlib>

namespace ferry::mysql {
namespace {

// Errors that mean the connection is gone, not that the statement is bad.
bool connection_lost(unsigned err) {
    return err == CR_SERVER_GONE_ERROR || err == CR_SERVER_LOST ||
           err == CR_CONNECTION_ERROR || err == CR_CONN_HOST_ERROR;
}

// Client-side errors (2000 and up) concern the connection; server errors
// below 2000 concern the statement, except those that end the session.
bool host_failure(unsigned err) {
    return err >= 2000 || err == 1040 /* too many connections */ ||
           err == 1045 /* access denied */ || err == 1053 /* server shutdown */ ||
           err == 1927 /* connection killed */ || err == 1152 /* aborted */;
}

} // namespace

long ServerSet::now() {
    using namespace std::chrono;
    return static_cast<long>(duration_cast<seconds>(steady_clock::now().time_since_epoch()).count());
}

ServerSet::ServerSet(const MysqlConfig &config, LogFn log)
    : config_(config), log_(std::move(log)),
      rand_state_(static_cast<unsigned>(
          std::chrono::steady_clock::now().time_since_epoch().count())) {
    for (const auto &spec : config_.hosts) {
        Host h;
        h.spec = spec;
        hosts_.push_back(std::move(h));
    }
}

ServerSet::~ServerSet() {
    for (auto &h : hosts_) close(h);
}

std::string ServerSet::label(const Host &h) const {
    return config_.table + ": server " + h.spec.spec;
}

void ServerSet::close(Host &h) {
    if (h.db) mysql_close(h.db);
    h.db = nullptr;
}

void ServerSet::down(Host &h, const std::string &why) {
    close(h);
    h.state = State::Failed;
    h.retry_at = now() + config_.retry_interval;
    if (!h.logged_down) { // once per state change, not per failed attempt
        log_(FERRY_LOG_WARNING, label(h) + ": " + why + "; not retried for " +
                                    std::to_string(config_.retry_interval) + "s");
        h.logged_down = true;
    }
    h.last_error = why;
}

bool ServerSet::connect(Host &h, std::string &why) {
    close(h);
    h.db = mysql_init(nullptr);
    if (!h.db) {
        why = "out of memory";
        return false;
    }
    unsigned ct = static_cast<unsigned>(config_.connect_timeout);
    unsigned qt = static_cast<unsigned>(config_.query_timeout);
    mysql_options(h.db, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
    mysql_options(h.db, MYSQL_OPT_READ_TIMEOUT, &qt);
    mysql_options(h.db, MYSQL_OPT_WRITE_TIMEOUT, &qt);
    if (config_.option_file) mysql_options(h.db, MYSQL_READ_DEFAULT_FILE, config_.option_file->c_str());
    if (!config_.option_group.empty())
        mysql_options(h.db, MYSQL_READ_DEFAULT_GROUP, config_.option_group.c_str());
    if (config_.use_tls) {
        auto opt = [](const std::string &s) { return s.empty() ? nullptr : s.c_str(); };
        mysql_ssl_set(h.db, opt(config_.tls_key_file), opt(config_.tls_cert_file),
                      opt(config_.tls_CAfile), opt(config_.tls_CApath), opt(config_.tls_ciphers));
        my_bool verify = config_.tls_verify_cert ? 1 : 0;
        mysql_options(h.db, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
    }
    const char *host = h.spec.unix_socket ? nullptr : h.spec.name.c_str();
    const char *sock = h.spec.unix_socket && !h.spec.name.empty() ? h.spec.name.c_str() : nullptr;
    if (!mysql_real_connect(h.db, host, config_.user.c_str(), config_.password.c_str(),
                            config_.dbname.c_str(), h.spec.port, sock, CLIENT_MULTI_RESULTS)) {
        why = std::string("connect failed: ") + mysql_error(h.db);
        close(h);
        return false;
    }
    if (h.logged_down)
        log_(FERRY_LOG_INFO, label(h) + ": connection restored");
    h.logged_down = false;
    h.last_error.clear();
    h.state = State::Active;
    h.last_used = now();
    return true;
}

// A random host in `state` over the wanted transport, or null.  Failed
// hosts are eligible again once their retry time has come.
ServerSet::Host *ServerSet::pick(State state, bool unix_socket, long t) {
    std::vector<Host *> eligible;
    for (auto &h : hosts_) {
        if (h.spec.unix_socket != unix_socket) continue;
        bool ok = h.state == state ||
                  (state == State::Untried && h.state == State::Failed && t >= h.retry_at);
        if (ok) eligible.push_back(&h);
    }
    if (eligible.empty()) return nullptr;
    rand_state_ = rand_state_ * 1103515245u + 12345u;
    return eligible[(rand_state_ >> 8) % eligible.size()];
}

ServerSet::Host *ServerSet::next_host(long t) {
    for (State s : {State::Active, State::Untried})
        for (bool unix_socket : {true, false})
            if (Host *h = pick(s, unix_socket, t)) return h;
    return nullptr;
}

ServerSet::Reply ServerSet::query(const std::function<std::string(MYSQL *)> &build) {
    Reply reply;
    std::string reasons;
    // Each host is tried at most twice per lookup (once more after a dropped
    // connection), so the loop is bounded by the number of hosts.
    for (size_t attempt = 0; attempt < 2 * hosts_.size() + 1; ++attempt) {
        long t = now();
        Host *h = next_host(t);
        if (!h) break;
        bool reused = h->state == State::Active;
        if (reused && t - h->last_used >= config_.idle_interval) {
            close(*h); // idle too long: open afresh (not a failure)
            h->state = State::Untried;
            reused = false;
        }
        std::string why;
        if (h->state != State::Active && !connect(*h, why)) {
            down(*h, why);
            reasons += (reasons.empty() ? "" : "; ") + h->spec.spec + ": " + why;
            continue;
        }
        std::string stmt = build(h->db);
        int rc = mysql_real_query(h->db, stmt.data(), static_cast<unsigned long>(stmt.size()));
        MYSQL_RES *res = nullptr;
        if (rc == 0) {
            res = mysql_store_result(h->db);
            if (!res && mysql_field_count(h->db) != 0) rc = 1;
        }
        if (rc == 0) {
            // A stored procedure ends with a status result; more than one
            // result set is an error (mysql_table(5)).
            int next;
            bool extra = false;
            while ((next = mysql_next_result(h->db)) == 0) {
                if (MYSQL_RES *more = mysql_store_result(h->db)) {
                    mysql_free_result(more);
                    extra = true;
                }
            }
            if (next > 0) rc = 1;
            if (rc == 0 && extra) {
                if (res) mysql_free_result(res);
                h->last_used = now();
                reply.why = label(*h) + ": query returned more than one result set";
                if (last_query_error_ != reply.why) log_(FERRY_LOG_WARNING, reply.why);
                last_query_error_ = reply.why;
                return reply;
            }
        }
        if (rc != 0) {
            if (res) mysql_free_result(res);
            unsigned err = mysql_errno(h->db);
            std::string text = mysql_error(h->db);
            if (reused && connection_lost(err)) {
                // Dropped while idle (server restart, wait_timeout): one
                // fresh connection to the same host before calling it down.
                close(*h);
                h->state = State::Untried;
                h->retry_at = 0;
                continue;
            }
            if (host_failure(err)) {
                down(*h, "query failed: " + text);
                reasons += (reasons.empty() ? "" : "; ") + h->spec.spec + ": query failed: " + text;
                continue;
            }
            // The statement itself is bad (syntax, unknown table): every
            // server would say the same; the connection stays.
            h->last_used = now();
            reply.why = label(*h) + ": query failed: " + text;
            if (last_query_error_ != reply.why) log_(FERRY_LOG_WARNING, reply.why);
            last_query_error_ = reply.why;
            return reply;
        }
        h->last_used = now();
        if (!last_query_error_.empty()) {
            log_(FERRY_LOG_INFO, config_.table + ": queries succeed again");
            last_query_error_.clear();
        }
        reply.outcome = res ? Outcome::Rows : Outcome::NoResultSet;
        reply.res = res;
        return reply;
    }
    // No host could answer.  Name the hosts and when they are retried.
    if (reasons.empty()) {
        long t = now();
        for (const auto &h : hosts_) {
            reasons += (reasons.empty() ? "" : "; ") + h.spec.spec + ": " +
                       (h.last_error.empty() ? "unavailable" : h.last_error) +
                       " (retry in " + std::to_string(std::max(0L, h.retry_at - t)) + "s)";
        }
    }
    reply.why = config_.table + ": no server available: " + reasons;
    return reply;
}

} // namespace ferry::mysql
