// ldap_config.cpp - see ldap_config.h.
#include "ldap_config.h"

#include <ldap.h>

#include <strings.h>

namespace ferry::maps_ldap {
namespace {

// Parameters accepted and ignored (obsolete in Postfix, or for debugging).
const char *const ignored_params[] = {"cache", "cache_expiry", "cache_size", "debuglevel"};
// SASL settings: meaningful only with bind = sasl, which this build refuses.
const char *const sasl_params[] = {"sasl_mechs", "sasl_realm", "sasl_authz_id",
                                   "sasl_minssf"};

bool bad(const db::TableConfig &cf, std::string_view name, const std::string &what,
         std::string &err) {
    err = cf.where(name) + ": " + what;
    return false;
}

// server_host: URLs as they are, "host" and "host:port" as ldap:// URLs.
bool parse_servers(db::TableConfig &cf, LdapConfig &c, std::string &err,
                   std::vector<std::string> &warnings) {
    std::string hosts = cf.get_str("server_host", "localhost");
    auto port = cf.get_int("server_port", LDAP_PORT, 0, 65535, err);
    if (!port) return false;
    for (const std::string &h : db::split_list(hosts)) {
        if (ldap_is_ldap_url(h.c_str())) {
            LDAPURLDesc *url = nullptr;
            int rc = ldap_url_parse(h.c_str(), &url);
            if (rc != LDAP_URL_SUCCESS || url == nullptr)
                return bad(cf, "server_host", "bad LDAP URL \"" + h + "\" in server_host", err);
            std::string scheme = url->lud_scheme ? url->lud_scheme : "ldap";
            ldap_free_urldesc(url);
            if (strcasecmp(scheme.c_str(), "ldaps") == 0) c.ldaps = true;
            if (strcasecmp(scheme.c_str(), "ldap") != 0 && c.version != LDAP_VERSION3) {
                warnings.push_back(cf.where("server_host") + ": URL scheme " + scheme +
                                   " requires protocol version 3; using version 3");
                c.version = LDAP_VERSION3;
            }
            c.servers.push_back(h);
        } else if (h.find_first_of("/?") != std::string::npos) {
            return bad(cf, "server_host",
                       "bad server \"" + h + "\" in server_host: not host, host:port or an "
                       "ldap://, ldaps:// or ldapi:// URL", err);
        } else if (h.find(':') != std::string::npos) {
            c.servers.push_back("ldap://" + h);
        } else {
            c.servers.push_back("ldap://" + h + ":" + std::to_string(*port));
        }
    }
    if (c.servers.empty()) return bad(cf, "server_host", "server_host names no server", err);
    return true;
}

bool parse_attributes(db::TableConfig &cf, LdapConfig &c) {
    auto add = [&](const char *name, const char *def) {
        for (auto &a : db::split_list(cf.get_str(name, def))) c.attributes.push_back(a);
    };
    add("terminal_result_attribute", "");
    c.num_terminal = c.attributes.size();
    add("leaf_result_attribute", "");
    c.num_leaf = c.attributes.size() - c.num_terminal;
    add("result_attribute", "maildrop");
    c.num_ordinary_end = c.attributes.size();
    add("special_result_attribute", "");
    return true;
}

} // namespace

std::optional<LdapConfig> load_ldap_config(db::TableConfig &cf, const ferry_host *host,
                                           std::string &err,
                                           std::vector<std::string> &warnings) {
    LdapConfig c;
    auto version = cf.get_int("version", 3, 2, 3, err);
    if (!version) return std::nullopt;
    c.version = *version == 3 ? LDAP_VERSION3 : LDAP_VERSION2;
    if (!parse_servers(cf, c, err, warnings)) return std::nullopt;

    std::string scope = cf.get_str("scope", "sub");
    if (strcasecmp(scope.c_str(), "sub") == 0)
        c.scope = LDAP_SCOPE_SUBTREE;
    else if (strcasecmp(scope.c_str(), "one") == 0)
        c.scope = LDAP_SCOPE_ONELEVEL;
    else if (strcasecmp(scope.c_str(), "base") == 0)
        c.scope = LDAP_SCOPE_BASE;
    else {
        bad(cf, "scope", "bad scope \"" + scope + "\": use sub, one or base", err);
        return std::nullopt;
    }

    c.search_base = cf.get_str("search_base", "");
    auto timeout = cf.get_int("timeout", 10, 0, 0, err);
    if (!timeout) return std::nullopt;
    c.timeout = *timeout;
    c.query_filter = cf.get_str("query_filter", "(mailacceptinggeneralid=%s)");
    if (c.query_filter.empty()) {
        bad(cf, "query_filter", "query_filter is empty", err);
        return std::nullopt;
    }
    if (auto f = cf.get_opt("result_format"))
        c.result_format = *f;
    else
        c.result_format = cf.get_str("result_filter", "%s");
    cf.ignore("result_filter");

    std::string why;
    if (!c.templates.parse(c.search_base, db::Templates::Kind::Query, why, &c.dynamic_base)) {
        bad(cf, "search_base", "search_base: " + why, err);
        return std::nullopt;
    }
    bool dynamic_filter = false;
    if (!c.templates.parse(c.query_filter, db::Templates::Kind::Query, why, &dynamic_filter)) {
        bad(cf, "query_filter", "query_filter: " + why, err);
        return std::nullopt;
    }
    if (!dynamic_filter)
        warnings.push_back(cf.where("query_filter") + ": fixed query_filter " +
                           c.query_filter + " is probably useless");
    if (!c.templates.parse(c.result_format, db::Templates::Kind::Result, why)) {
        const char *name = cf.has("result_format") ? "result_format" : "result_filter";
        bad(cf, name, std::string(name) + ": " + why, err);
        return std::nullopt;
    }
    if (auto list = cf.get_opt("domain")) {
        if (!c.domain.parse(*list, host, why)) {
            bad(cf, "domain", "domain: " + why, err);
            return std::nullopt;
        }
    }

    parse_attributes(cf, c);
    if (c.num_ordinary_end == 0) {
        bad(cf, "result_attribute", "no result attribute is configured", err);
        return std::nullopt;
    }

    std::string bindopt = cf.get_str("bind", "yes");
    if (strcasecmp(bindopt.c_str(), "yes") == 0 || strcasecmp(bindopt.c_str(), "simple") == 0)
        c.bind = true;
    else if (strcasecmp(bindopt.c_str(), "no") == 0 || strcasecmp(bindopt.c_str(), "none") == 0)
        c.bind = false;
    else if (strcasecmp(bindopt.c_str(), "sasl") == 0) {
        bad(cf, "bind", "bind = sasl is not supported by Ferry's ldap: tables; use simple "
                        "bind (bind = yes) over TLS or ldapi://", err);
        return std::nullopt;
    } else {
        bad(cf, "bind", "unsupported parameter value: bind = " + bindopt +
                            " (use yes, no, simple, none)", err);
        return std::nullopt;
    }
    c.bind_dn = cf.get_str("bind_dn", "");
    c.bind_pw = cf.get_str("bind_pw", "");

    for (const char *name : ignored_params)
        if (cf.has(name)) {
            cf.ignore(name);
            warnings.push_back(cf.where(name) + ": ignoring " + name);
        }
    for (const char *name : sasl_params)
        if (cf.has(name)) {
            cf.ignore(name);
            warnings.push_back(cf.where(name) + ": ignoring " + name + " (bind is not sasl)");
        }

    auto recursion = cf.get_int("recursion_limit", 1000, 1, 0, err);
    if (!recursion) return std::nullopt;
    c.recursion_limit = *recursion;
    auto expansion = cf.get_int("expansion_limit", 0, 0, 0, err);
    if (!expansion) return std::nullopt;
    c.expansion_limit = *expansion;
    auto size = cf.get_int("size_limit", c.expansion_limit, 0, 0, err);
    if (!size) return std::nullopt;
    c.size_limit = *size;
    auto deref = cf.get_int("dereference", 0, 0, 3, err);
    if (!deref) return std::nullopt;
    c.dereference = static_cast<int>(*deref);
    auto chase = cf.get_bool("chase_referrals", false, err);
    if (!chase) return std::nullopt;
    c.chase_referrals = *chase;
    auto retry = cf.get_int("retry_interval", 60, 0, 0, err);
    if (!retry) return std::nullopt;
    c.retry_interval = *retry;

    auto start_tls = cf.get_bool("start_tls", false, err);
    if (!start_tls) return std::nullopt;
    c.start_tls = *start_tls;
    if (c.start_tls && c.version != LDAP_VERSION3) {
        warnings.push_back(cf.where("start_tls") +
                           ": start_tls requires protocol version 3; using version 3");
        c.version = LDAP_VERSION3;
    }
    auto require = cf.get_bool("tls_require_cert", false, err);
    if (!require) return std::nullopt;
    c.tls_require_cert = *require;
    c.tls_ca_cert_file = cf.get_str("tls_ca_cert_file", "");
    c.tls_ca_cert_dir = cf.get_str("tls_ca_cert_dir", "");
    c.tls_cert = cf.get_str("tls_cert", "");
    c.tls_key = cf.get_str("tls_key", "");
    c.tls_random_file = cf.get_str("tls_random_file", "");
    c.tls_cipher_suite = cf.get_str("tls_cipher_suite", "");

    auto unknown = cf.unread();
    if (!unknown.empty()) {
        const auto &p = unknown.front();
        err = cf.where(p.name) + ": unknown ldap_table(5) parameter \"" + p.name + "\"";
        return std::nullopt;
    }
    return c;
}

} // namespace ferry::maps_ldap
