// ldap_table.cpp - see ldap_table.h.
#include "ldap_table.h"

#include "ldap_escape.h"

#include <ferry/plugin.h>

#include <cctype>
#include <vector>

namespace ferry::maps_ldap {
namespace {

const db::Quote filter_quote = [](std::string_view in, std::string &out) {
    quote_filter_value(in, out);
};
const db::Quote dn_quote = [](std::string_view in, std::string &out) {
    quote_dn_value(in, out);
};

// RFC 4512 attribute descriptions compare case-insensitively; "mail;x"
// is a subtype of "mail".  1: a2 equals a1 or is its subtype; -1: a1 is a
// subtype of a2; 0: unrelated.
int attr_subtype(std::string_view a1, std::string_view a2) {
    size_t i = 0;
    while (i < a1.size() && i < a2.size() &&
           std::tolower(static_cast<unsigned char>(a1[i])) ==
               std::tolower(static_cast<unsigned char>(a2[i])))
        ++i;
    if (i == a1.size() && (i == a2.size() || a2[i] == ';')) return 1;
    if (i == a2.size() && a1[i] == ';') return -1;
    return 0;
}

struct MsgFree {
    void operator()(LDAPMessage *m) const {
        if (m) ldap_msgfree(m);
    }
};
using Message = std::unique_ptr<LDAPMessage, MsgFree>;

} // namespace

struct LdapTable::Expansion {
    Expansion(const LdapConfig &c, std::string_view k)
        : joiner(c.templates, c.result_format, c.expansion_limit), key(k) {}
    db::ResultJoiner joiner;
    std::string_view key;
    long depth = 0;
    bool failed = false;
    std::string why;
    int server_rc = LDAP_SUCCESS; // a nested search blamed the server

    void fail(const std::string &text) {
        if (!failed) why = text;
        failed = true;
    }
};

std::unique_ptr<LdapTable> LdapTable::open(std::string_view name, unsigned flags,
                                           const ferry_host *host, std::string &err) {
    auto cf = db::TableConfig::load("ldap", name, host, err);
    if (!cf) return nullptr;
    std::vector<std::string> warnings;
    auto config = load_ldap_config(*cf, host, err, warnings);
    if (!config) return nullptr; // err names the file and line
    std::unique_ptr<LdapTable> table(
        new LdapTable("ldap:" + std::string(name), flags, host,
                      std::make_unique<LdapConfig>(std::move(*config))));
    for (const auto &w : warnings) table->log(FERRY_LOG_WARNING, w);
    return table;
}

LdapTable::LdapTable(std::string table, unsigned flags, const ferry_host *host,
                     std::unique_ptr<LdapConfig> config)
    : table_(std::move(table)), flags_(flags), host_(host), config_(std::move(config)) {
    conn_ = std::make_unique<Connection>(
        *config_, table_, [this](int level, const std::string &text) { log(level, text); });
}

void LdapTable::log(int level, const std::string &text) const {
    if (host_ != nullptr && host_->log != nullptr) host_->log(host_->ctx, level, text.c_str());
}

int LdapTable::fail(int status, const std::string &reason, std::string &out) {
    if (reason != last_logged_) {
        log(FERRY_LOG_WARNING, reason);
        last_logged_ = reason;
    }
    out = reason;
    return status;
}

int LdapTable::search_once(const std::string &base, const std::string &filter,
                           LDAPMessage **res, std::string &why) {
    std::vector<char *> attrs;
    for (auto &a : config_->attributes) attrs.push_back(const_cast<char *>(a.c_str()));
    attrs.push_back(nullptr);
    if (!conn_->ensure(why)) return LDAP_SERVER_DOWN;
    int rc = conn_->search(base, config_->scope, filter, attrs.data(), res);
    if (rc == LDAP_SERVER_DOWN) {
        // The kept session died (server restarted, idle timeout): reconnect
        // once, as Postfix does, before calling it a failure.
        if (*res) ldap_msgfree(*res);
        *res = nullptr;
        conn_->drop();
        if (!conn_->ensure(why)) return LDAP_SERVER_DOWN;
        rc = conn_->search(base, config_->scope, filter, attrs.data(), res);
    }
    return rc;
}

int LdapTable::lookup(std::string_view key_in, std::string &value, std::string &why) {
    std::string key(key_in);
    // As Postfix: a key that is not UTF-8 is not looked up.
    if (!db::valid_utf8(key)) return FERRY_NOTFOUND;
    if (flags_ & FERRY_MAP_FOLD) key = db::fold_lower(key);

    std::string reason;
    switch (config_->domain.check(key, reason)) {
    case db::DomainFilter::Check::Skip: return FERRY_NOTFOUND;
    case db::DomainFilter::Check::Error:
        return fail(FERRY_TEMPFAIL, table_ + ": domain: " + reason, why);
    case db::DomainFilter::Check::Lookup: break;
    }
    std::string base, filter;
    if (!config_->templates.expand_query(config_->search_base, key, dn_quote, base) ||
        !config_->templates.expand_query(config_->query_filter, key, filter_quote, filter))
        return FERRY_NOTFOUND;

    LDAPMessage *raw = nullptr;
    int rc = search_once(base, filter, &raw, reason);
    Message res(raw);
    if (rc == LDAP_SERVER_DOWN && !reason.empty()) {
        // No server could be reached; Connection logged each one's state.
        why = reason;
        return FERRY_TEMPFAIL;
    }
    switch (rc) {
    case LDAP_SUCCESS: {
        Expansion x(*config_, key);
        collect(res.get(), x);
        res.reset();
        if (x.server_rc != LDAP_SUCCESS)
            conn_->server_failed("search failed: " + ldap_reason(x.server_rc));
        if (x.failed) return fail(FERRY_TEMPFAIL, x.why, why);
        last_logged_.clear();
        if (x.joiner.empty()) return FERRY_NOTFOUND;
        value = x.joiner.result();
        return FERRY_FOUND;
    }
    case LDAP_NO_SUCH_OBJECT:
        // A base built from the key that does not exist is a key that does
        // not exist; a fixed base that does not exist is a broken table.
        if (config_->dynamic_base) {
            last_logged_.clear();
            return FERRY_NOTFOUND;
        }
        return fail(FERRY_TEMPFAIL,
                    table_ + ": server " + conn_->server() + ": search base '" + base +
                        "' not found: " + ldap_reason(rc),
                    why);
    default: {
        std::string text = table_ + ": server " + conn_->server() + ": search error: " +
                           ldap_reason(rc) + " (base '" + base + "', filter " + filter + ")";
        if (is_server_trouble(rc))
            conn_->server_failed("search failed: " + ldap_reason(rc));
        else
            conn_->drop(); // start from a clean session next time, as Postfix
        return fail(FERRY_TEMPFAIL, text, why);
    }
    }
}

void LdapTable::collect(LDAPMessage *res, Expansion &x) {
    ++x.depth;
    LDAP *ld = conn_->ld();
    const LdapConfig &c = *config_;
    const size_t nattr = c.attributes.size();
    long entries = 0;
    for (LDAPMessage *entry = ldap_first_entry(ld, res); entry != nullptr && !x.failed;
         entry = ldap_next_entry(ld, entry)) {
        // The server should honour size_limit, but may not.
        if (c.size_limit > 0 && ++entries > c.size_limit) {
            x.fail(table_ + ": query size limit (" + std::to_string(c.size_limit) +
                   ") exceeded for key '" + std::string(x.key) + "'");
            break;
        }
        auto has_values = [&](const std::string &attr) {
            berval **vals = ldap_get_values_len(ld, entry, attr.c_str());
            if (vals == nullptr) return false;
            bool any = ldap_count_values_len(vals) > 0;
            ldap_value_free_len(vals);
            return any;
        };
        // A terminal attribute present: only terminal attributes count.
        bool terminal = false;
        for (size_t i = 0; i < c.num_terminal && !terminal; ++i)
            terminal = has_values(c.attributes[i]);
        // A special attribute present: leaf-only attributes do not count.
        bool leaf = true;
        if (!terminal && c.num_leaf > 0)
            for (size_t i = c.num_ordinary_end; i < nattr && leaf; ++i)
                leaf = !has_values(c.attributes[i]);

        BerElement *ber = nullptr;
        for (char *attr = ldap_first_attribute(ld, entry, &ber); attr != nullptr;
             attr = ldap_next_attribute(ld, entry, ber)) {
            std::string name(attr);
            ldap_memfree(attr);
            if (x.failed) continue;
            berval **vals = ldap_get_values_len(ld, entry, name.c_str());
            if (vals == nullptr) continue;
            const int count = ldap_count_values_len(vals);
            size_t i = 0;
            while (i < nattr && attr_subtype(c.attributes[i], name) <= 0) ++i;
            if (i < c.num_ordinary_end || terminal) {
                bool skip = (terminal && i >= c.num_terminal) ||
                            (!leaf && i < c.num_terminal + c.num_leaf);
                for (int v = 0; !skip && v < count && !x.failed; ++v) {
                    std::string_view value(vals[v]->bv_val, vals[v]->bv_len);
                    if (value.empty()) continue;
                    if (x.joiner.add(value, x.key) == db::ResultJoiner::Add::ExpansionLimit)
                        x.fail(table_ + ": expansion limit (" +
                               std::to_string(c.expansion_limit) +
                               ") exceeded for key '" + std::string(x.key) + "'");
                }
            } else if (i < nattr && count > 0) {
                if (x.depth < c.recursion_limit) {
                    for (int v = 0; v < count && !x.failed; ++v) follow(name, *vals[v], x);
                } else {
                    x.fail(table_ + ": recursion limit (" + std::to_string(c.recursion_limit) +
                           ") exceeded for special attribute " + name + "=" +
                           std::string(vals[0]->bv_val, vals[0]->bv_len) + " (key '" +
                           std::string(x.key) + "')");
                }
            }
            ldap_value_free_len(vals);
        }
        if (ber != nullptr) ber_free(ber, 0);
    }
    --x.depth;
}

// Follow one value of a special result attribute: a DN (read that entry)
// or an LDAP URL (run that search, asking only for our attributes).
void LdapTable::follow(const std::string &attr, const berval &value, Expansion &x) {
    const LdapConfig &c = *config_;
    std::string text(value.bv_val, value.bv_len);
    std::string base = text, filter = "(objectClass=*)";
    int scope = LDAP_SCOPE_BASE;
    std::vector<std::string> wanted = c.attributes;
    if (ldap_is_ldap_url(text.c_str())) {
        LDAPURLDesc *url = nullptr;
        int rc = ldap_url_parse(text.c_str(), &url);
        if (rc != LDAP_URL_SUCCESS || url == nullptr) {
            x.fail(table_ + ": malformed LDAP URL in " + attr + ": " + text);
            return;
        }
        base = url->lud_dn ? url->lud_dn : "";
        if (url->lud_filter && *url->lud_filter) filter = url->lud_filter;
        if (url->lud_scope >= 0) scope = url->lud_scope;
        if (url->lud_attrs != nullptr && *url->lud_attrs != nullptr) {
            // Only the attributes both the URL and the table ask for.
            wanted.clear();
            for (char **a1 = url->lud_attrs; *a1; ++a1)
                for (const auto &a2 : c.attributes) {
                    int rel = attr_subtype(*a1, a2);
                    if (rel > 0) wanted.push_back(a2);
                    else if (rel < 0) wanted.push_back(*a1);
                }
        }
        ldap_free_urldesc(url);
        if (wanted.empty()) return;
    }
    std::vector<char *> attrs;
    for (auto &a : wanted) attrs.push_back(const_cast<char *>(a.c_str()));
    attrs.push_back(nullptr);
    LDAPMessage *raw = nullptr;
    int rc = conn_->search(base, scope, filter, attrs.data(), &raw);
    Message res(raw);
    switch (rc) {
    case LDAP_SUCCESS: collect(res.get(), x); break;
    case LDAP_NO_SUCH_OBJECT: {
        // As Postfix: a member that does not exist is skipped.
        std::string note = table_ + ": DN " + text + " not found, skipping";
        if (note != last_logged_) {
            log(FERRY_LOG_WARNING, note);
            last_logged_ = note;
        }
        break;
    }
    default:
        x.fail(table_ + ": server " + conn_->server() + ": search error following " + attr +
               " " + text + ": " + ldap_reason(rc));
        // The session is still in use by the outer levels: the caller
        // drops it once the expansion is over.
        if (is_server_trouble(rc)) x.server_rc = rc;
        break;
    }
}

} // namespace ferry::maps_ldap
