// mysql_config.cpp - reads and checks a mysql: table's configuration (see
// mysql_config.h).  Parameter names, defaults and bounds are
// mysql_table(5)'s; the checks Postfix leaves to the first query (a bad
// hosts entry, an unreadable option file) are made here, at open.
#include "mysql_config.h"

#include <fcntl.h>
#include <netdb.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <tuple>

namespace ferry::mysql {
namespace {

bool parse_port(const std::string &s, unsigned &port) {
    if (s.empty()) return false;
    if (s.find_first_not_of("0123456789") == std::string::npos) {
        if (s.size() > 5) return false;
        unsigned long n = std::stoul(s);
        if (n == 0 || n > 65535) return false;
        port = static_cast<unsigned>(n);
        return true;
    }
    // A service name, as Postfix's find_inet_port() accepts.
    struct servent *se = getservbyname(s.c_str(), "tcp");
    if (!se) return false;
    port = ntohs(static_cast<uint16_t>(se->s_port));
    return true;
}

// The file must exist and be readable by this process: the client library
// would silently ignore it and connect without the password it holds.
bool check_readable(db::TableConfig &c, const char *param, const std::string &file,
                    std::string &err) {
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    char byte;
    if (fd < 0 || ::read(fd, &byte, 1) < 0) {
        err = c.where(param) + ": cannot read " + param + " " + file + ": " +
              std::strerror(errno);
        if (fd >= 0) ::close(fd);
        return false;
    }
    ::close(fd);
    return true;
}

} // namespace

bool parse_host(const std::string &entry, HostSpec &out, std::string &err) {
    out = HostSpec{};
    out.spec = entry;
    std::string d = entry;
    if (d.rfind("unix:", 0) == 0) {
        out.unix_socket = true;
        out.name = d.substr(5);
        if (out.name.empty() || out.name.front() != '/') {
            err = "bad hosts entry \"" + entry + "\": unix: needs an absolute socket path";
            return false;
        }
        return true;
    }
    if (d.rfind("inet:", 0) == 0) d = d.substr(5);
    std::string host = d, port;
    if (!d.empty() && d.front() == '[') {
        // [address]:port, for IPv6 addresses.
        size_t close = d.find(']');
        if (close == std::string::npos) {
            err = "bad hosts entry \"" + entry + "\": missing ']'";
            return false;
        }
        host = d.substr(1, close - 1);
        std::string rest = d.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') {
                err = "bad hosts entry \"" + entry + "\": text after ']'";
                return false;
            }
            port = rest.substr(1);
            if (port.empty()) {
                err = "bad hosts entry \"" + entry + "\": empty port";
                return false;
            }
        }
    } else if (size_t colon = d.rfind(':'); colon != std::string::npos) {
        host = d.substr(0, colon);
        port = d.substr(colon + 1);
        if (port.empty()) {
            err = "bad hosts entry \"" + entry + "\": empty port";
            return false;
        }
    }
    if (host.empty()) {
        err = "bad hosts entry \"" + entry + "\": empty host name";
        return false;
    }
    if (host.find_first_of(":/") != std::string::npos && entry.front() != '[' &&
        entry.rfind("inet:[", 0) != 0) {
        err = "bad hosts entry \"" + entry + "\": bad host name \"" + host + "\"";
        return false;
    }
    if (!port.empty() && !parse_port(port, out.port)) {
        err = "bad hosts entry \"" + entry + "\": bad port \"" + port + "\"";
        return false;
    }
    if (db::fold_lower(host) == "localhost") {
        // The MySQL way: "localhost" is the default UNIX socket.
        out.unix_socket = true;
        out.name.clear();
        return true;
    }
    out.name = host;
    return true;
}

std::optional<MysqlConfig> load_config(const char *name, const ferry_host *host,
                                       std::string &err, std::vector<std::string> &warnings) {
    std::string why;
    auto loaded = db::TableConfig::load("mysql", name, host, why);
    if (!loaded) {
        err = std::string("mysql:") + name + ": " + why;
        return std::nullopt;
    }
    db::TableConfig &c = *loaded;
    MysqlConfig m;
    m.table = c.table();
    auto fail = [&](const std::string &text) {
        err = m.table + ": " + text;
        return std::nullopt;
    };

    // hosts: several, separated by whitespace or commas; none = localhost.
    std::string hosts = c.get_str("hosts", "");
    for (const auto &h : db::split_list(hosts)) {
        HostSpec spec;
        if (!parse_host(h, spec, why)) return fail(c.where("hosts") + ": " + why);
        m.hosts.push_back(std::move(spec));
    }
    if (m.hosts.empty()) {
        HostSpec spec;
        parse_host("localhost", spec, why);
        m.hosts.push_back(spec);
    }

    m.user = c.get_str("user", "");
    m.password = c.get_str("password", "");
    auto dbname = c.get_str("dbname", "", why, 1);
    if (!dbname) return fail(why);
    m.dbname = *dbname;
    auto result_format = c.get_str("result_format", "%s", why, 1);
    if (!result_format) return fail(why);
    m.result_format = *result_format;
    auto limit = c.get_int("expansion_limit", 0, 0, 0, why);
    if (!limit) return fail(why);
    m.expansion_limit = *limit;

    // query, or the legacy parts it replaces.
    if (auto q = c.get_opt("query")) {
        if (q->empty()) return fail(c.where("query") + ": parameter \"query\" is empty");
        m.query = *q;
        // mysql_table(5): the legacy parameters are ignored when query is set.
        for (const char *legacy : {"select_field", "table", "where_field", "additional_conditions"})
            c.ignore(legacy);
    } else {
        auto table = c.get_opt("table");
        auto select_field = c.get_opt("select_field");
        auto where_field = c.get_opt("where_field");
        std::string extra = c.get_str("additional_conditions", "");
        if (!table && !select_field && !where_field)
            return fail(c.path() + ": missing \"query\" parameter (nor are the legacy "
                                   "select_field, table and where_field given)");
        for (auto [pname, v] : {std::pair{"table", &table}, std::pair{"select_field", &select_field},
                                std::pair{"where_field", &where_field}})
            if (!*v || (*v)->empty())
                return fail(c.where(pname) + ": missing \"" + pname +
                            "\" parameter (needed when \"query\" is not given)");
        m.query = "SELECT " + *select_field + " FROM " + *table + " WHERE " + *where_field +
                  "='%s' " + extra;
    }
    if (!m.templates.parse(m.query, db::Templates::Kind::Query, why))
        return fail(c.where(c.has("query") ? "query" : "where_field") + ": " + why);
    if (!m.templates.parse(m.result_format, db::Templates::Kind::Result, why))
        return fail(c.where("result_format") + ": " + why);

    std::string domain = c.get_str("domain", "");
    if (!domain.empty() && !m.domain.parse(domain, host, why))
        return fail(c.where("domain") + ": " + why);

    if (auto f = c.get_opt("option_file"); f && !f->empty()) {
        if (!check_readable(c, "option_file", *f, why)) return fail(why);
        m.option_file = *f;
    }
    m.option_group = c.get_str("option_group", "client");
    auto rrs = c.get_bool("require_result_set", true, why);
    if (!rrs) return fail(why);
    m.require_result_set = *rrs;

    m.tls_cert_file = c.get_str("tls_cert_file", "");
    m.tls_key_file = c.get_str("tls_key_file", "");
    m.tls_CAfile = c.get_str("tls_CAfile", "");
    m.tls_CApath = c.get_str("tls_CApath", "");
    m.tls_ciphers = c.get_str("tls_ciphers", "");
    auto verify = c.get_bool("tls_verify_cert", false, why);
    if (!verify) return fail(why);
    m.tls_verify_cert = *verify;
    for (auto [pname, v] : {std::pair{"tls_cert_file", &m.tls_cert_file},
                            std::pair{"tls_key_file", &m.tls_key_file},
                            std::pair{"tls_CAfile", &m.tls_CAfile}})
        if (!v->empty() && !check_readable(c, pname, *v, why)) return fail(why);
    m.use_tls = !m.tls_cert_file.empty() || !m.tls_key_file.empty() || !m.tls_CAfile.empty() ||
                !m.tls_CApath.empty() || !m.tls_ciphers.empty() || m.tls_verify_cert;

    for (auto [pname, v, def, max] :
         {std::tuple{"idle_interval", &m.idle_interval, 60L, 0L},
          std::tuple{"retry_interval", &m.retry_interval, 60L, 0L},
          std::tuple{"connect_timeout", &m.connect_timeout, 10L, 3600L},
          std::tuple{"query_timeout", &m.query_timeout, 30L, 3600L}}) {
        auto n = c.get_int(pname, def, 1, max, why);
        if (!n) return fail(why);
        *v = *n;
    }

    for (const auto &p : c.unread())
        warnings.push_back(m.table + ": " + c.path() + ", line " + std::to_string(p.line) +
                           ": unknown parameter \"" + p.name + "\" ignored");
    return m;
}

} // namespace ferry::mysql
