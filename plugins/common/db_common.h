// db_common.h - what the network tables (mysql:, ldap:) share: their
// configuration file, their %-templates and their "domain" restriction.
//
// CONTRACT (stable; later changes only add to it):
//
//  * Built as a static library (ferry_db_common_dep) against the public SDK
//    header ferry/plugin.h only; a module links it in, nothing of the core.
//    C++ types stay inside the module: nothing here crosses the C ABI.
//  * Nothing here throws for bad input: errors come back as values (false /
//    nullopt plus a text in `err`).  Error texts name the file and, when the
//    problem is on a line, the line: "/etc/postfix/x.cf, line 4: ...".
//  * Not thread-safe per object; each table handle owns its own objects.
//    Distinct objects may be used on distinct threads.
//
//  TableConfig - mysql_table(5) / ldap_table(5) configuration, as Postfix's
//    cfg_parser reads it.  From a file (the table name starts with '/' or
//    '.'): "name = value" logical lines in main.cf syntax (leading-whitespace
//    continuation, '#' comment lines, blank lines), whitespace around '='
//    and at the end ignored, no $name expansion; a parameter given twice
//    keeps the last value.  Otherwise the name is a prefix of main.cf
//    parameters ("mysql:foo" reads foo_hosts, foo_query, ...) obtained
//    through ferry_host.param.  Every getter marks the parameter as read;
//    unread() then lists what the module does not know, with its line, so
//    the module can warn "unknown parameter" naming file and line.
//    Typed getters follow cfg_get_str/int/bool: an integer outside
//    [min, max] (max 0 = no upper bound) or a boolean other than yes/no
//    (any case) is an error naming file and line.
//
//  Templates - Postfix's db_common %-expansion for query, search_base,
//    query_filter and result_format.  One Templates object per table: every
//    template of the table is parse()d into it first, because what one
//    template needs (a domain for %d/%D/%1-%9, a non-empty local part for
//    %u/%U) decides for all of them whether a key is looked up at all.
//      query templates (value = the lookup key):
//        %s key  %u local part (whole key when it has no '@')
//        %d domain (key skipped when it has no '@domain')
//        %1..%9 domain labels from the right (%1 = top level; empty labels
//        do not count; key skipped when the domain has fewer labels)
//        %S %U %D as %s %u %d;  %% a literal '%'
//      result templates (value = one result, key = the lookup key):
//        %s %u %d on the result value (a value lacking what %u/%d needs is
//        skipped), %S %U %D %1..%9 on the lookup key.
//    Anything else after '%' is a configuration error at parse time.
//    Every expanded piece goes through the table's Quote callback (SQL
//    escaping for MySQL, RFC 4515 for LDAP filters, RFC 4514 for DNs);
//    literal template text does not.
//    expand_query() returns false when the key must not be looked up (the
//    lookup then answers "not found", as Postfix).  expand_result() appends
//    one value to the joined result, after a ',' when the result is not
//    empty, and returns false when the value is skipped (NULL/empty values
//    are the caller's to skip; an empty one is worth a warning, as Postfix).
//
//  ResultJoiner - joins result values through a result template and
//    enforces expansion_limit (0 = none): more than `limit` values is
//    ExpansionLimit, which the table reports as a temporary failure
//    (Postfix: "Expansion limit exceeded for key", DICT_ERR_RETRY).
//
//  DomainFilter - the "domain" parameter: a list (separated by whitespace
//    or commas) of domain names (matched whole, case-insensitively),
//    "/file" names (whose words are more list entries), and "type:table"
//    names looked up through ferry_host.lookup (found = match); "!entry"
//    negates, the first matching entry decides, no match = not in list.
//    When the list is set, only keys "localpart@domain" with a non-empty
//    local part and a listed domain are looked up; others answer "not
//    found" without a query.  A table lookup that fails temporarily makes
//    check() return Error, which the table reports as a temporary failure.
//
//  Utilities: split_list (Postfix's " ,\t\r\n" separators), fold_lower
//    (ASCII), valid_utf8.
#pragma once

#include <ferry/plugin.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::db {

// ---------------------------------------------------------------------------
// The table's configuration.

class TableConfig {
public:
    struct Param {
        std::string name;
        std::string value;
        int line = 0; // 0 when not from a file
    };

    // Read the configuration of table `name` of `type` ("mysql"): a file
    // when name starts with '/' or '.', else main.cf parameters prefixed
    // "name_" through host->param (host may then not be null).  nullopt
    // with err set ("open /x.cf: Permission denied", "/x.cf, line 3:
    // missing '=' after parameter name") on failure.
    static std::optional<TableConfig> load(std::string_view type, std::string_view name,
                                           const ferry_host *host, std::string &err);

    // Parse configuration text as if read from file `path` (tests, and
    // load() itself).
    static std::optional<TableConfig> parse(std::string_view path, std::string_view text,
                                            std::string &err);

    // "mysql:/etc/postfix/x.cf": the table as the user named it.
    const std::string &table() const { return table_; }
    // The file (or "main.cf" for the prefix form), for messages.
    const std::string &path() const { return path_; }

    bool has(std::string_view name) const;
    // Line of a parameter, 0 when absent or not from a file.
    int line(std::string_view name) const;
    // "/x.cf, line 4" (or "/x.cf" when the line is unknown), for messages.
    std::string where(std::string_view name) const;

    // The value or def; marks the parameter read.  A value shorter than
    // min_len (or longer than max_len when max_len > 0) is an error.
    std::optional<std::string> get_str(std::string_view name, std::string_view def,
                                       std::string &err, size_t min_len = 0,
                                       size_t max_len = 0);
    // Convenience without bounds: never fails.
    std::string get_str(std::string_view name, std::string_view def = "");
    // Present or not (nullopt when absent); marks the parameter read.
    std::optional<std::string> get_opt(std::string_view name);
    // An integer in [min, max] (max 0 = no upper bound), or def when absent.
    std::optional<long> get_int(std::string_view name, long def, long min, long max,
                                std::string &err);
    // "yes" / "no" (any case), or def when absent.
    std::optional<bool> get_bool(std::string_view name, bool def, std::string &err);

    // Parameters present but never read, in file order.
    std::vector<Param> unread() const;
    // Mark a parameter read without using it (accepted, ignored).
    void ignore(std::string_view name);

private:
    Param *find(std::string_view name);
    const Param *find(std::string_view name) const;

    std::string table_;
    std::string path_;
    bool from_file_ = true;
    const ferry_host *host_ = nullptr; // prefix form only
    std::string prefix_;
    std::vector<Param> params_;     // file order; last duplicate wins
    std::vector<bool> read_;        // parallel to params_
};

// ---------------------------------------------------------------------------
// %-templates.

// Appends `in`, quoted for the database, to `out`.
using Quote = std::function<void(std::string_view in, std::string &out)>;

class Templates {
public:
    enum class Kind { Query, Result };

    // Record what `format` needs.  Returns false with err ("invalid query
    // template ...: %x") when it holds an unknown %-sequence.  Returns
    // true; *dynamic (when given) says whether it expands anything.
    bool parse(std::string_view format, Kind kind, std::string &err,
               bool *dynamic = nullptr);

    // Expand a query template for lookup key `key` into out (replacing its
    // contents).  false: the key lacks what the templates need; do not look
    // it up.  quote may be empty (no quoting).
    bool expand_query(std::string_view format, std::string_view key, const Quote &quote,
                      std::string &out) const;

    // Append one result `value` (for lookup key `key`) expanded through a
    // result template to out, after ',' when out is not empty.  false:
    // skipped, out unchanged.
    bool expand_result(std::string_view format, std::string_view value, std::string_view key,
                       const Quote &quote, std::string &out) const;

private:
    bool expand(std::string_view format, std::string_view value, const std::string_view *key,
                const Quote &quote, std::string &out) const;

    unsigned flags_ = 0;
    int nparts_ = 0;
};

class ResultJoiner {
public:
    enum class Add { Added, Skipped, ExpansionLimit };

    ResultJoiner(const Templates &templates, std::string_view result_format, long limit)
        : templates_(templates), format_(result_format), limit_(limit) {}

    Add add(std::string_view value, std::string_view key, const Quote &quote = {});
    const std::string &result() const { return result_; }
    bool empty() const { return result_.empty(); }
    long count() const { return count_; }
    void reset() { result_.clear(); count_ = 0; }

private:
    const Templates &templates_;
    std::string format_;
    long limit_ = 0;
    long count_ = 0;
    std::string result_;
};

// ---------------------------------------------------------------------------
// The "domain" restriction.

class DomainFilter {
public:
    enum class Check { Lookup, Skip, Error };

    // Parse the list (the "domain" parameter's value).  "/file" entries are
    // read now; an unreadable file is an error naming it.  host is kept for
    // "type:table" entries (may be null when the list has none).
    bool parse(std::string_view list, const ferry_host *host, std::string &err);

    bool active() const { return !entries_.empty(); }

    // May key be looked up?  Error: a table in the list failed; why says
    // which table and why.
    Check check(std::string_view key, std::string &why) const;

    // Does `domain` match the list?  (nullopt + why on a table error.)
    std::optional<bool> match(std::string_view domain, std::string &why) const;

private:
    struct Entry {
        std::string pattern; // lower-cased domain, or "type:table"
        bool negate = false;
        bool table = false;
    };
    std::vector<Entry> entries_;
    const ferry_host *host_ = nullptr;
};

// ---------------------------------------------------------------------------
// Utilities.

std::vector<std::string> split_list(std::string_view s, std::string_view seps = " ,\t\r\n");
std::string fold_lower(std::string_view s);
bool valid_utf8(std::string_view s);

// A ferry_sink that appends to a std::string.
struct StringSink {
    StringSink() = default;
    StringSink(const StringSink &) = delete;
    StringSink &operator=(const StringSink &) = delete;
    std::string value;
    ferry_sink sink{this, &StringSink::put};
    static void put(void *ctx, const char *data, size_t len) {
        static_cast<StringSink *>(ctx)->value.append(data, len);
    }
};

// Copy text into a C error buffer, always NUL-terminated.
void set_error(char *err, size_t errlen, std::string_view text);

} // namespace ferry::db
