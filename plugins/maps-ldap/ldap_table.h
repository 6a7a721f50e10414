// ldap_table.h - an ldap: table: ldap_table(5) lookups over a Connection.
//
// A lookup follows Postfix's dict_ldap: the key (folded when asked) must be
// valid UTF-8 and pass the domain restriction; search_base and query_filter
// are expanded with the key quoted for a DN and for a filter; the values of
// the result attributes of every entry found are joined with ','; DN (and
// LDAP URL) values of special_result_attribute are followed up to
// recursion_limit levels; terminal_result_attribute stops the expansion of
// an entry, leaf_result_attribute is used only in entries without special
// attributes.
//
// Three answers, never two: FERRY_FOUND, FERRY_NOTFOUND (the directory
// answered and has nothing), FERRY_TEMPFAIL (it could not answer: server
// down, timeout, bind refused, search error, size/expansion/recursion limit)
// with a reason naming the table and the server.
#pragma once

#include "ldap_config.h"
#include "ldap_connection.h"

#include <memory>
#include <string>
#include <string_view>

namespace ferry::maps_ldap {

class LdapTable {
public:
    // nullptr with err (naming file and line) when the configuration is bad.
    static std::unique_ptr<LdapTable> open(std::string_view name, unsigned flags,
                                           const ferry_host *host, std::string &err);

    // value gets the result on FERRY_FOUND; why the reason on TEMPFAIL.
    int lookup(std::string_view key, std::string &value, std::string &why);

private:
    struct Expansion;

    LdapTable(std::string table, unsigned flags, const ferry_host *host,
              std::unique_ptr<LdapConfig> config);
    int search_once(const std::string &base, const std::string &filter, LDAPMessage **res,
                    std::string &why);
    void collect(LDAPMessage *res, Expansion &x);
    void follow(const std::string &attr, const berval &value, Expansion &x);
    void log(int level, const std::string &text) const;
    int fail(int status, const std::string &why, std::string &out);

    std::string table_;
    unsigned flags_;
    const ferry_host *host_;
    std::unique_ptr<LdapConfig> config_;
    std::unique_ptr<Connection> conn_;
    std::string last_logged_; // last failure logged, "" after a success
};

} // namespace ferry::maps_ldap
