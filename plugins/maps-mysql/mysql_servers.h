// mysql_servers.h - the servers of one mysql: table and the connections to
// them, kept and reused between lookups.
//
// Promises (mysql_table(5) "hosts", plus what Postfix does in dict_mysql):
//  - Active connections are reused: UNIX sockets before TCP, a random one
//    among equals, so lookups spread over the listed hosts.
//  - A host that fails (connect error, lost connection, access denied) is
//    closed and not tried again for retry_interval seconds; the lookup
//    moves on to the next host.  A connection unused for idle_interval
//    seconds is closed and opened again on its next use.
//  - A reused connection that the server dropped in the meantime (restart,
//    wait_timeout) is reopened once at once, so a server restart costs no
//    failed lookup when the server is back.
//  - Each host's state change (down, back up) is logged once, not per
//    lookup; the reason a lookup failed always names the table and host.
//  - Not thread-safe: one ServerSet per table handle.
#pragma once

#include "mysql_config.h"

#include <mysql.h>

#include <ctime>
#include <functional>
#include <string>
#include <vector>

namespace ferry::mysql {

// Log a line through the host (level: FERRY_LOG_*).
using LogFn = std::function<void(int level, const std::string &text)>;

class ServerSet {
public:
    ServerSet(const MysqlConfig &config, LogFn log);
    ~ServerSet();
    ServerSet(const ServerSet &) = delete;
    ServerSet &operator=(const ServerSet &) = delete;

    enum class Outcome {
        Rows,        // res holds the result set; the caller frees it
        NoResultSet, // the statement returned no result set
        Fail         // why says what failed, naming table and host
    };
    struct Reply {
        Outcome outcome = Outcome::Fail;
        MYSQL_RES *res = nullptr;
        std::string why;
    };

    // Runs the statement that build() makes for a connection (the query is
    // built per connection because escaping depends on its character set).
    Reply query(const std::function<std::string(MYSQL *)> &build);

    // Seconds since an arbitrary epoch; replaceable for tests.
    static long now();

private:
    enum class State { Untried, Active, Failed };
    struct Host {
        HostSpec spec;
        MYSQL *db = nullptr;
        State state = State::Untried;
        long retry_at = 0;  // Failed: not before this time
        long last_used = 0; // Active: for idle_interval
        bool logged_down = false;
        std::string last_error;
    };

    Host *pick(State state, bool unix_socket, long t);
    Host *next_host(long t);
    bool connect(Host &h, std::string &why);
    void close(Host &h);
    void down(Host &h, const std::string &why);
    std::string label(const Host &h) const;

    const MysqlConfig &config_;
    LogFn log_;
    std::vector<Host> hosts_;
    std::string last_query_error_;
    unsigned rand_state_;
};

} // namespace ferry::mysql
