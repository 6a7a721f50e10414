// mysql_config.h - a mysql: table's configuration as mysql_table(5)
// describes it, read and checked once when the table is opened.
//
// Every problem is reported at open time with the file and line it
// concerns; a configuration that loads can only fail later for reasons of
// the server (down, refused, timeout, access denied, query error).
#pragma once

#include "db_common.h"

#include <optional>
#include <string>
#include <vector>

namespace ferry::mysql {

// One entry of "hosts": unix:/socket, inet:host:port, host:port, host.
// "localhost" means the default UNIX socket, as the MySQL client does.
struct HostSpec {
    std::string spec;   // as written, for messages
    bool unix_socket = false;
    std::string name;   // host name/address, or socket path ("" = default)
    unsigned port = 0;  // 0 = the client's default
};

// Parses one hosts entry; false with err on a bad entry.
bool parse_host(const std::string &entry, HostSpec &out, std::string &err);

struct MysqlConfig {
    std::string table; // "mysql:/etc/postfix/x.cf"
    std::vector<HostSpec> hosts;
    std::string user;
    std::string password;
    std::string dbname;
    std::string query;
    std::string result_format = "%s";
    long expansion_limit = 0;
    std::optional<std::string> option_file;
    std::string option_group = "client";
    bool require_result_set = true;
    std::string tls_cert_file;
    std::string tls_key_file;
    std::string tls_CAfile;
    std::string tls_CApath;
    std::string tls_ciphers;
    bool tls_verify_cert = false;
    bool use_tls = false; // any tls_* given
    long idle_interval = 60;
    long retry_interval = 60;
    // Ferry additions with Postfix-compatible defaults (client library
    // timeouts, seconds).
    long connect_timeout = 10;
    long query_timeout = 30;

    db::Templates templates;
    db::DomainFilter domain;
};

// Reads the table's configuration.  nullopt with err on a configuration
// error; warnings (unknown parameters, with file and line) are appended to
// `warnings` for the caller to log.
std::optional<MysqlConfig> load_config(const char *name, const ferry_host *host,
                                       std::string &err, std::vector<std::string> &warnings);

} // namespace ferry::mysql
