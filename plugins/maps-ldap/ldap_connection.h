// ldap_connection.h - one ldap: table's connection to its directory.
//
// Promises:
//  * One LDAP session per table handle, opened on first use and kept for
//    the following lookups; dropped after an error so the next lookup
//    starts clean.
//  * server_host lists several servers: they are tried in order; a server
//    that failed is left alone for retry_interval seconds, then tried again.
//    When every server is resting, the lookup fails at once (a temporary
//    failure naming the servers), without waiting for timeouts.
//  * Every wait is bounded by the table's timeout (connect, STARTTLS, bind,
//    search).
//  * Server state changes are logged once: a warning when a server starts
//    failing, a notice when it answers again; not one line per lookup.
//  * Not thread-safe: the host never calls one handle concurrently.
#pragma once

#include "ldap_config.h"

#include <ldap.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace ferry::maps_ldap {

// Writes one log line (a FERRY_LOG_* level and the text).
using LogFn = std::function<void(int level, const std::string &text)>;

class Connection {
public:
    Connection(const LdapConfig &config, std::string table, LogFn log);
    ~Connection();
    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;

    // Connected (or connect now).  false with why naming table and servers.
    bool ensure(std::string &why);
    // Forget the session (after an error); the next ensure() reconnects.
    void drop();

    LDAP *ld() const { return ld_; }
    // The URL of the server in use, for messages.
    const std::string &server() const;

    // A search bounded by the table's timeout.  Returns the LDAP result code
    // (the server's, or the library's for a local or transport error);
    // *res, when not null, is the caller's to free.
    int search(const std::string &base, int scope, const std::string &filter,
               char **attrs, LDAPMessage **res);

    // A server failed in the middle of a search: mark it, log the change.
    void server_failed(const std::string &why);

private:
    struct Server {
        std::string url;
        bool failed = false;
        std::chrono::steady_clock::time_point retry_at{};
        std::string error; // last failure, for messages
    };

    int open_session(const Server &server, LDAP *&ld, std::string &why);
    int set_tls_options(LDAP *ld, std::string &why);
    int bind(LDAP *ld);
    int wait_result(LDAP *ld, int msgid, LDAPMessage **res, bool free_it);
    void mark_failed(Server &server, const std::string &why);
    void mark_ok(Server &server);

    const LdapConfig &config_;
    std::string table_;
    LogFn log_;
    std::vector<Server> servers_;
    LDAP *ld_ = nullptr;
    size_t current_ = 0;
};

// "Can't contact LDAP server (-1)": a result code for messages.
std::string ldap_reason(int rc);

// A result code that blames the server or the network, not the request.
bool is_server_trouble(int rc);

} // namespace ferry::maps_ldap
