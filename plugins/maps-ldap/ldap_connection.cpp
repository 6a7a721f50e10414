// ldap_connection.cpp - see ldap_connection.h.
#include "ldap_connection.h"

#include <ferry/plugin.h>

#include <sys/time.h>

namespace ferry::maps_ldap {
namespace {

using Clock = std::chrono::steady_clock;

int error_number(LDAP *ld) {
    int rc = LDAP_OTHER;
    if (ld == nullptr || ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &rc) != LDAP_OPT_SUCCESS)
        return LDAP_OTHER;
    return rc;
}

// Transport-level failures: the server, not the request, is the problem.
bool server_trouble(int rc) {
    return rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR || rc == LDAP_TIMEOUT ||
           rc == LDAP_UNAVAILABLE || rc == LDAP_BUSY;
}

} // namespace

std::string ldap_reason(int rc) {
    return std::string(ldap_err2string(rc)) + " (" + std::to_string(rc) + ")";
}

Connection::Connection(const LdapConfig &config, std::string table, LogFn log)
    : config_(config), table_(std::move(table)), log_(std::move(log)) {
    for (const auto &url : config_.servers) {
        Server s;
        s.url = url;
        servers_.push_back(std::move(s));
    }
}

Connection::~Connection() { drop(); }

const std::string &Connection::server() const { return servers_[current_].url; }

void Connection::drop() {
    if (ld_ != nullptr) ldap_unbind_ext(ld_, nullptr, nullptr);
    ld_ = nullptr;
}

void Connection::mark_failed(Server &server, const std::string &why) {
    bool changed = !server.failed || server.error != why;
    server.failed = true;
    server.error = why;
    server.retry_at = Clock::now() + std::chrono::seconds(config_.retry_interval);
    if (changed)
        log_(FERRY_LOG_WARNING, table_ + ": server " + server.url + ": " + why +
                                    "; not tried again for " +
                                    std::to_string(config_.retry_interval) + "s");
}

void Connection::mark_ok(Server &server) {
    if (server.failed)
        log_(FERRY_LOG_INFO, table_ + ": server " + server.url + " is answering again");
    server.failed = false;
    server.error.clear();
}

void Connection::server_failed(const std::string &why) {
    if (!servers_.empty()) mark_failed(servers_[current_], why);
    drop();
}

bool Connection::ensure(std::string &why) {
    if (ld_ != nullptr) return true;
    const auto now = Clock::now();
    std::string errors;
    for (size_t i = 0; i < servers_.size(); ++i) {
        Server &s = servers_[i];
        if (s.failed && now < s.retry_at) {
            auto wait = std::chrono::duration_cast<std::chrono::seconds>(s.retry_at - now);
            errors += (errors.empty() ? "" : "; ") + s.url + ": " + s.error +
                      " (next try in " + std::to_string(wait.count() + 1) + "s)";
            continue;
        }
        LDAP *ld = nullptr;
        std::string reason;
        if (open_session(s, ld, reason) == LDAP_SUCCESS) {
            ld_ = ld;
            current_ = i;
            mark_ok(s);
            return true;
        }
        mark_failed(s, reason);
        errors += (errors.empty() ? "" : "; ") + s.url + ": " + reason;
    }
    why = table_ + ": no LDAP server answers: " + errors;
    return false;
}

int Connection::set_tls_options(LDAP *ld, std::string &why) {
    auto set_str = [&](int option, const std::string &value, const char *name) {
        if (value.empty()) return LDAP_SUCCESS;
        int rc = ldap_set_option(ld, option, value.c_str());
        if (rc != LDAP_OPT_SUCCESS) why = std::string("cannot set ") + name + " to " + value;
        return rc;
    };
    int rc;
    if ((rc = set_str(LDAP_OPT_X_TLS_RANDOM_FILE, config_.tls_random_file, "tls_random_file")) ||
        (rc = set_str(LDAP_OPT_X_TLS_CACERTFILE, config_.tls_ca_cert_file, "tls_ca_cert_file")) ||
        (rc = set_str(LDAP_OPT_X_TLS_CACERTDIR, config_.tls_ca_cert_dir, "tls_ca_cert_dir")) ||
        (rc = set_str(LDAP_OPT_X_TLS_CERTFILE, config_.tls_cert, "tls_cert")) ||
        (rc = set_str(LDAP_OPT_X_TLS_KEYFILE, config_.tls_key, "tls_key")) ||
        (rc = set_str(LDAP_OPT_X_TLS_CIPHER_SUITE, config_.tls_cipher_suite, "tls_cipher_suite")))
        return rc;
    int require = config_.tls_require_cert ? LDAP_OPT_X_TLS_DEMAND : LDAP_OPT_X_TLS_NEVER;
    if (ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &require) != LDAP_OPT_SUCCESS) {
        why = "cannot set tls_require_cert";
        return LDAP_OTHER;
    }
    int am_server = 0;
    if ((rc = ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &am_server)) != LDAP_OPT_SUCCESS) {
        why = "cannot create a TLS context: " + ldap_reason(rc) +
              " (check tls_cert, tls_key and the CA files)";
        return rc;
    }
    return LDAP_SUCCESS;
}

int Connection::wait_result(LDAP *ld, int msgid, LDAPMessage **res, bool free_it) {
    timeval tv{static_cast<time_t>(config_.timeout), 0};
    LDAPMessage *msg = nullptr;
    int got = ldap_result(ld, msgid, LDAP_MSG_ALL, config_.timeout > 0 ? &tv : nullptr, &msg);
    if (got == -1) return error_number(ld);
    if (got == 0) {
        ldap_abandon_ext(ld, msgid, nullptr, nullptr);
        if (msg) ldap_msgfree(msg);
        return LDAP_TIMEOUT;
    }
    int err = LDAP_SUCCESS;
    int rc = ldap_parse_result(ld, msg, &err, nullptr, nullptr, nullptr, nullptr, 0);
    if (free_it)
        ldap_msgfree(msg);
    else
        *res = msg;
    return rc != LDAP_SUCCESS ? rc : err;
}

int Connection::bind(LDAP *ld) {
    berval cred;
    cred.bv_val = const_cast<char *>(config_.bind_pw.c_str());
    cred.bv_len = config_.bind_pw.size();
    int msgid = 0;
    int rc = ldap_sasl_bind(ld, config_.bind_dn.c_str(), LDAP_SASL_SIMPLE, &cred, nullptr,
                            nullptr, &msgid);
    if (rc != LDAP_SUCCESS) return rc;
    return wait_result(ld, msgid, nullptr, true);
}

int Connection::open_session(const Server &server, LDAP *&ld, std::string &why) {
    int rc = ldap_initialize(&ld, server.url.c_str());
    if (rc != LDAP_SUCCESS || ld == nullptr) {
        why = "cannot initialize: " + ldap_reason(rc);
        return rc == LDAP_SUCCESS ? LDAP_OTHER : rc;
    }
    auto fail = [&](int code, const std::string &text) {
        why = text;
        ldap_unbind_ext(ld, nullptr, nullptr);
        ld = nullptr;
        return code == LDAP_SUCCESS ? LDAP_OTHER : code;
    };
    timeval tv{static_cast<time_t>(config_.timeout), 0};
    int version = config_.version;
    int deref = config_.dereference;
    if (ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version) != LDAP_OPT_SUCCESS)
        return fail(LDAP_OTHER, "cannot set protocol version " + std::to_string(version));
    if (config_.timeout > 0) {
        ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
        ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv);
    }
    ldap_set_option(ld, LDAP_OPT_DEREF, &deref);
    ldap_set_option(ld, LDAP_OPT_REFERRALS, config_.chase_referrals ? LDAP_OPT_ON : LDAP_OPT_OFF);
    const bool ldaps = server.url.compare(0, 6, "ldaps:") == 0 ||
                       server.url.compare(0, 6, "LDAPS:") == 0;
    if (config_.start_tls || ldaps) {
        std::string tls_why;
        if ((rc = set_tls_options(ld, tls_why)) != LDAP_SUCCESS) return fail(rc, tls_why);
    }
    if (config_.start_tls) {
        rc = ldap_start_tls_s(ld, nullptr, nullptr);
        if (rc != LDAP_SUCCESS) return fail(rc, "STARTTLS failed: " + ldap_reason(rc));
    }
    if (config_.bind) {
        rc = bind(ld);
        if (rc != LDAP_SUCCESS) {
            std::string dn = config_.bind_dn.empty() ? "empty or implicit" : config_.bind_dn;
            return fail(rc, "cannot bind with dn " + dn + ": " + ldap_reason(rc));
        }
    } else {
        rc = ldap_connect(ld);
        if (rc != LDAP_SUCCESS) return fail(rc, "cannot connect: " + ldap_reason(rc));
    }
    return LDAP_SUCCESS;
}

int Connection::search(const std::string &base, int scope, const std::string &filter,
                       char **attrs, LDAPMessage **res) {
    *res = nullptr;
    timeval tv{static_cast<time_t>(config_.timeout), 0};
    int msgid = 0;
    int sizelimit = config_.size_limit > 0 ? static_cast<int>(config_.size_limit) : LDAP_NO_LIMIT;
    int rc = ldap_search_ext(ld_, base.c_str(), scope, filter.c_str(), attrs, 0, nullptr, nullptr,
                             config_.timeout > 0 ? &tv : nullptr, sizelimit, &msgid);
    if (rc != LDAP_SUCCESS) return rc;
    return wait_result(ld_, msgid, res, false);
}

bool is_server_trouble(int rc) { return server_trouble(rc); }

} // namespace ferry::maps_ldap
