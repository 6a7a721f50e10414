// match_list.cpp - see match_list.h.
//
// Items are parsed once into names, addresses, networks, tables and errors;
// files are expanded in place (their items inherit the "!" of the file
// item, and a "!" inside flips it again).  Matching walks the items in
// order and stops at the first that matches, fails or is broken.
#include "maps/match_list.h"

#include "config/values.h"

#include "log/msg.h"
#include "maps/catalog.h"
#include "maps/search_order.h"
#include "maps/table_source.h"

#include <arpa/inet.h>

#include <cstring>
#include <optional>

namespace ferry {

struct MatchList::Item {
    enum class Kind { name, address, network, table, error };
    Kind kind = Kind::name;
    bool negate = false;
    std::string text; // name: folded; table: the spec; error: the reason
    // address and network
    int family = 0;
    unsigned char bytes[16] = {};
    unsigned prefix = 0;
    // table (null when it could not be opened)
    std::unique_ptr<Map> map;
};

namespace {

constexpr int max_file_depth = 10;


struct Address {
    int family = 0;
    unsigned char bytes[16] = {};
};

std::optional<Address> parse_address(std::string_view text, int family) {
    std::string s(text);
    Address a;
    if (::inet_pton(family, s.c_str(), a.bytes) != 1) return std::nullopt;
    a.family = family;
    return a;
}

std::optional<Address> parse_any_address(std::string_view text) {
    if (text.find(':') != std::string_view::npos) return parse_address(text, AF_INET6);
    return parse_address(text, AF_INET);
}

size_t address_size(int family) { return family == AF_INET6 ? 16 : 4; }

std::string address_text(const unsigned char *bytes, int family) {
    char buf[INET6_ADDRSTRLEN];
    if (!::inet_ntop(family, bytes, buf, sizeof buf)) return {};
    return buf;
}

// Clear the bits past `prefix`; true when any was set.
bool clear_host_bits(unsigned char *bytes, int family, unsigned prefix) {
    bool had = false;
    for (size_t i = 0; i < address_size(family); ++i) {
        unsigned keep = prefix >= 8 * (i + 1) ? 8 : prefix > 8 * i ? prefix - 8 * i : 0;
        unsigned char mask = static_cast<unsigned char>(keep == 0 ? 0 : 0xff << (8 - keep));
        if (bytes[i] & ~mask) had = true;
        bytes[i] &= mask;
    }
    return had;
}

bool in_network(const Address &a, const MatchList::Item &net) {
    if (a.family != net.family) return false;
    unsigned char copy[16];
    std::memcpy(copy, a.bytes, sizeof copy);
    clear_host_bits(copy, a.family, net.prefix);
    return std::memcmp(copy, net.bytes, address_size(a.family)) == 0;
}

bool all_of(std::string_view s, const char *allowed) {
    for (char c : s)
        if (!std::strchr(allowed, c)) return false;
    return true;
}

// "example.com" (exactly, or its subdomains with the parent rule) and
// ".example.com" (subdomains, without it); both already folded.
bool name_matches(std::string_view pattern, std::string_view name, bool parent) {
    if (name.empty()) return false;
    if (name == pattern) return true;
    for (size_t dot = name.find('.', 1); dot != std::string_view::npos;
         dot = name.find('.', dot + 1)) {
        std::string_view suffix = parent ? name.substr(dot + 1) : name.substr(dot);
        if (suffix == pattern) return true;
    }
    return false;
}

class Parser {
public:
    Parser(const std::string &param, MapCatalog &catalog, MatchListKind kind,
           std::vector<MatchList::Item> &items)
        : param_(param), catalog_(catalog), kind_(kind), items_(items) {}

    void parse(std::string_view text, bool negate, int depth) {
        for (std::string_view token : config::list_items(text)) {
            bool neg = negate;
            while (!token.empty() && token.front() == '!') {
                neg = !neg;
                token.remove_prefix(1);
            }
            if (token.empty()) {
                msg::warning(param_ + ": ignoring \"!\" without a pattern");
                continue;
            }
            if (token.front() == '/')
                parse_file(std::string(token), neg, depth);
            else
                parse_item(token, neg);
        }
    }

private:
    MatchList::Item &add(MatchList::Item::Kind kind, bool negate) {
        MatchList::Item &item = items_.emplace_back();
        item.kind = kind;
        item.negate = negate;
        return item;
    }

    void add_error(std::string why, bool negate) {
        msg::warning(why);
        add(MatchList::Item::Kind::error, negate).text = std::move(why);
    }

    void parse_file(const std::string &path, bool negate, int depth) {
        if (depth >= max_file_depth) {
            add_error(param_ + ": " + path + ": files nested too deeply", negate);
            return;
        }
        TableSource src = read_table_source(path);
        if (!src.error.empty()) {
            // Postfix's words: the file becomes an unavailable table.
            msg::warning("non-existent:" + path + " is unavailable. open file " +
                         path + ": " + src.error);
            add(MatchList::Item::Kind::error, negate).text =
                param_ + ": non-existent:" + path + ": table lookup problem";
            return;
        }
        for (const LogicalLine &line : src.lines) parse(line.text, negate, depth + 1);
    }

    void parse_item(std::string_view token, bool negate) {
        const bool bracketed = token.front() == '[';
        if (!bracketed && token.find(':') != std::string_view::npos) {
            // Postfix reads "fd00::/64" as a table of type "fd00"; say what
            // was probably meant instead of naming a table type.
            std::string_view addr = token.substr(0, token.find('/'));
            if (parse_address(addr, AF_INET6)) {
                add_error(param_ + ": IPv6 address \"" + std::string(token) +
                              "\" must be written in brackets: \"[" +
                              std::string(addr) + "]" +
                              std::string(token.substr(addr.size())) + "\"",
                          negate);
                return;
            }
            parse_table(token, negate);
            return;
        }
        if (kind_ == MatchListKind::clients && parse_network(token, negate)) return;
        add(MatchList::Item::Kind::name, negate).text = fold_case(token);
    }

    void parse_table(std::string_view spec, bool negate) {
        MatchList::Item &item = add(MatchList::Item::Kind::table, negate);
        item.text = std::string(spec);
        OpenedMap opened = catalog_.open(spec, map_flags::lookup_default);
        if (!opened.map)
            msg::warning(item.text + " is unavailable. " + opened.error);
        item.map = std::move(opened.map);
    }

    // Addresses "1.2.3.4", "[1.2.3.4]", "[::1]" and networks "10.0.0.0/8",
    // "[10.0.0.0]/8", "[fd00::]/64", "[fd00::/64]".  False when `token` is
    // not shaped like one (it is then a name).
    bool parse_network(std::string_view token, bool negate) {
        std::string_view addr = token, mask;
        bool has_mask = false;
        if (token.front() == '[') {
            size_t close = token.find(']');
            if (close == std::string_view::npos) return false;
            std::string_view inside = token.substr(1, close - 1);
            std::string_view rest = token.substr(close + 1);
            addr = inside;
            if (!rest.empty()) {
                if (rest.front() != '/') return false;
                mask = rest.substr(1);
                has_mask = true;
            } else if (size_t slash = inside.find('/'); slash != std::string_view::npos) {
                addr = inside.substr(0, slash);
                mask = inside.substr(slash + 1);
                has_mask = true;
            }
        } else if (size_t slash = token.find('/'); slash != std::string_view::npos) {
            addr = token.substr(0, slash);
            mask = token.substr(slash + 1);
            has_mask = true;
        }
        if (!has_mask) {
            auto a = parse_any_address(addr);
            if (!a) return false; // "[foo]", "cafe": names that match nothing odd
            MatchList::Item &item = add(MatchList::Item::Kind::address, negate);
            item.family = a->family;
            std::memcpy(item.bytes, a->bytes, sizeof item.bytes);
            return true;
        }
        if (addr.empty() || !all_of(addr, "0123456789abcdefABCDEF.:") ||
            !all_of(mask, "0123456789"))
            return false; // "foo/8", "1.2.3.4/x": names
        const std::string shown =
            "\"" + std::string(addr) + "/" + std::string(mask) + "\"";
        auto a = parse_any_address(addr);
        if (!a) {
            add_error(param_ + ": bad network value in " + shown, negate);
            return true;
        }
        const unsigned max = a->family == AF_INET6 ? 128 : 32;
        if (mask.empty()) {
            add_error(param_ + ": bad mask value in " + shown, negate);
            return true;
        }
        unsigned prefix = 0;
        for (char c : mask) {
            prefix = prefix * 10 + static_cast<unsigned>(c - '0');
            if (prefix > max) break;
        }
        if (prefix > max) {
            add_error(param_ + ": bad mask length in " + shown, negate);
            return true;
        }
        unsigned char net[16];
        std::memcpy(net, a->bytes, sizeof net);
        if (clear_host_bits(net, a->family, prefix)) {
            add_error(param_ + ": non-null host address bits in " + shown +
                          ", perhaps you should use \"" +
                          address_text(net, a->family) + "/" +
                          std::to_string(prefix) + "\" instead",
                      negate);
            return true;
        }
        MatchList::Item &item = add(MatchList::Item::Kind::network, negate);
        item.family = a->family;
        item.prefix = prefix;
        std::memcpy(item.bytes, net, sizeof item.bytes);
        return true;
    }

    const std::string &param_;
    MapCatalog &catalog_;
    MatchListKind kind_;
    std::vector<MatchList::Item> &items_;
};

MatchResult temp_fail(std::string why) {
    return {MatchStatus::temp_fail, std::move(why)};
}

} // namespace

bool parent_domain_rule_applies(std::string_view parent_domain_matches_subdomains,
                                std::string_view param_name) {
    const std::string want = fold_case(param_name);
    for (std::string_view feature : config::list_items(parent_domain_matches_subdomains))
        if (fold_case(feature) == want) return true;
    return false;
}

MatchList::MatchList(std::string param, bool parent)
    : param_(std::move(param)), parent_(parent) {}
MatchList::MatchList(MatchList &&) noexcept = default;
MatchList &MatchList::operator=(MatchList &&) noexcept = default;
MatchList::~MatchList() = default;

MatchList MatchList::parse(std::string param_name, std::string_view value,
                           MapCatalog &catalog,
                           std::string_view parent_domain_matches_subdomains,
                           MatchListKind kind) {
    const bool parent =
        parent_domain_rule_applies(parent_domain_matches_subdomains, param_name);
    MatchList list(std::move(param_name), parent);
    Parser(list.param_, catalog, kind, list.items_).parse(value, false, 0);
    return list;
}

MatchResult MatchList::match_domain(std::string_view domain) const {
    return match(domain, {}, false);
}

MatchResult MatchList::match_client(std::string_view name,
                                    std::string_view addr) const {
    return match(name, addr, true);
}

MatchResult MatchList::match(std::string_view name_in, std::string_view addr_in,
                             bool client) const {
    const std::string name = fold_case(name_in);
    std::optional<Address> addr;
    std::string addr_key;
    if (client && !addr_in.empty()) {
        addr = parse_any_address(addr_in);
        SearchOptions whole;
        whole.pattern_table = true;
        auto keys = client_address_keys(addr_in, whole);
        if (!keys.empty()) addr_key = keys.front();
    }

    for (const Item &item : items_) {
        bool hit = false;
        switch (item.kind) {
        case Item::Kind::name:
            hit = name_matches(item.text, name, parent_);
            break;
        case Item::Kind::address:
            hit = addr && addr->family == item.family &&
                  std::memcmp(addr->bytes, item.bytes, address_size(item.family)) == 0;
            break;
        case Item::Kind::network:
            hit = addr && in_network(*addr, item);
            break;
        case Item::Kind::error:
            return temp_fail(item.text);
        case Item::Kind::table: {
            const std::string problem = param_ + ": " + item.text + ": table lookup problem";
            if (!item.map) return temp_fail(problem);
            std::vector<std::string> keys;
            if (!name.empty()) {
                SearchOptions opts;
                opts.parent_domain_matches_subdomains = parent_;
                opts.pattern_table = item.map->is_pattern();
                keys = domain_keys(name, opts);
            }
            if (client && !addr_key.empty()) keys.push_back(addr_key);
            for (const std::string &key : keys) {
                LookupResult r = item.map->lookup(key);
                if (r.is_temp_fail()) return temp_fail(problem);
                if (r.is_found()) {
                    hit = true;
                    break;
                }
            }
            break;
        }
        }
        if (hit)
            return {item.negate ? MatchStatus::no_match : MatchStatus::match, {}};
    }
    return {MatchStatus::no_match, {}};
}

} // namespace ferry
