// match_list.h - Postfix's "match lists": the parameters that list domains
// (mydestination, relay_domains) or clients (mynetworks, debug_peer_list).
//
// A list is the parameter's text after $name expansion: items separated by
// commas and/or whitespace, tried left to right; the first item that matches
// decides, and a "!item" that matches means "not in the list".  An item is
//  - a name: "example.com" matches that name; with the parameter listed in
//    parent_domain_matches_subdomains it also matches its subdomains, and
//    without, ".example.com" matches the subdomains;
//  - (client lists) an address, "10.1.2.3" or "[::1]", or a network,
//    "10.0.0.0/8", "[fd00::]/64" or "[fd00::/64]";
//  - "/path": the items in that file, as if written in their place;
//  - "type:name": a table; a key that is found matches, whatever its value.
//    Names are looked up with their parent domains (domain_keys()), client
//    addresses as a whole.
// Tables are opened once, by parse().  A table that cannot be opened or
// answered, and a malformed network item, make the lookup that reaches it a
// temporary failure, never "not in the list" (Postfix: "Temporary lookup
// failure"); parse() logs one warning per bad item, naming the parameter.
#pragma once

#include "maps/map.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ferry {

class MapCatalog;

enum class MatchStatus { match, no_match, temp_fail };

struct MatchResult {
    MatchStatus status = MatchStatus::no_match;
    // When temp_fail: what to log, naming the parameter and the table or
    // item ("mynetworks: fail:x: table lookup problem").
    std::string reason;

    bool matched() const { return status == MatchStatus::match; }
    bool is_temp_fail() const { return status == MatchStatus::temp_fail; }
};

// What the list holds; decides whether address-like items are checked as
// networks (and warned about when malformed) or are plain names.
enum class MatchListKind {
    domains, // mydestination, relay_domains: names only
    clients, // mynetworks, debug_peer_list: names, addresses, networks
};

class MatchList {
public:
    // `param_name` names the list in warnings and decides the parent-domain
    // rule: it applies when `parent_domain_matches_subdomains` (the
    // parameter's expanded value) lists `param_name`.
    static MatchList parse(std::string param_name, std::string_view value,
                           MapCatalog &catalog,
                           std::string_view parent_domain_matches_subdomains,
                           MatchListKind kind);

    // Is `domain` in the list?  Every item is taken as a name.
    MatchResult match_domain(std::string_view domain) const;
    // Is the client with verified name `name` (may be empty or "unknown")
    // and address `addr` (IPv4 dotted quad or IPv6 text) in the list?
    MatchResult match_client(std::string_view name, std::string_view addr) const;

    const std::string &param_name() const { return param_; }
    bool parent_matches_subdomains() const { return parent_; }
    bool empty() const { return items_.empty(); }

    MatchList(MatchList &&) noexcept;
    MatchList &operator=(MatchList &&) noexcept;
    ~MatchList();

    struct Item; // one parsed item; defined in match_list.cpp

private:
    MatchList(std::string param, bool parent);
    MatchResult match(std::string_view name, std::string_view addr,
                      bool client) const;

    std::string param_;
    bool parent_ = false;
    std::vector<Item> items_;
};

// Does the comma/whitespace list `parent_domain_matches_subdomains` name
// `param_name`?
bool parent_domain_rule_applies(std::string_view parent_domain_matches_subdomains,
                                std::string_view param_name);

} // namespace ferry
