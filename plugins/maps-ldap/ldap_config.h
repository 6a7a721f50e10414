// ldap_config.h - an ldap: table's settings, read from its ldap_table(5)
// file (or main.cf prefix) and checked once at open.
//
// Every parameter Postfix's ldap_table(5) knows is accepted, with Postfix's
// default; obsolete ones (cache*) and ones this build does not use
// (debuglevel, sasl_* without bind = sasl) are accepted with a warning.  A
// parameter Postfix does not know is an error naming file and line, and so
// is a value Postfix would only warn about (version 4, scope "tree",
// dereference 7, a server_host that is not a URL Postfix can parse): Ferry
// refuses to guess what a broken table file meant.  One extension:
// retry_interval (seconds a failed server is left alone, default 60), as in
// mysql_table(5); Postfix ignores names it does not know in these files, so
// a file using it still works with Postfix.
#pragma once

#include "db_common.h"

#include <optional>
#include <string>
#include <vector>

namespace ferry::maps_ldap {

struct LdapConfig {
    std::vector<std::string> servers; // LDAP URLs, in the order to try
    int version = 3;                  // LDAP_VERSION2 or 3 (Postfix 3.x: 3)
    int scope = 2;                    // LDAP_SCOPE_SUBTREE
    std::string search_base;
    bool dynamic_base = false;        // search_base expands the key
    std::string query_filter = "(mailacceptinggeneralid=%s)";
    std::string result_format = "%s";

    // Postfix's order: terminal, leaf, ordinary, then special attributes.
    std::vector<std::string> attributes;
    size_t num_terminal = 0;
    size_t num_leaf = 0;
    size_t num_ordinary_end = 0; // terminal + leaf + ordinary

    bool bind = true;
    std::string bind_dn;
    std::string bind_pw;
    long timeout = 10;
    long recursion_limit = 1000;
    long expansion_limit = 0;
    long size_limit = 0;
    int dereference = 0;
    bool chase_referrals = false;
    long retry_interval = 60;

    bool ldaps = false; // some server is ldaps://
    bool start_tls = false;
    bool tls_require_cert = false;
    std::string tls_ca_cert_file;
    std::string tls_ca_cert_dir;
    std::string tls_cert;
    std::string tls_key;
    std::string tls_random_file;
    std::string tls_cipher_suite;

    db::Templates templates;
    db::DomainFilter domain;
};

// Read and check the settings.  nullopt with err naming the file (and line)
// on a bad value or an unknown parameter.  warnings collects what is
// accepted but ignored, for the caller to log.
std::optional<LdapConfig> load_ldap_config(db::TableConfig &cf, const ferry_host *host,
                                           std::string &err,
                                           std::vector<std::string> &warnings);

} // namespace ferry::maps_ldap
