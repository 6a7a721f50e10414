// search_order.h - the keys Postfix tries, in order, when it looks up an
// address, a domain or a client IP address in a table.
//
// One helper, three kinds of key:
//  - address_keys(): mail_addr_find's order for virtual(5)/canonical(5)
//    tables (AddressStyle::Virtual): user+ext@domain, user@domain, then
//    user+ext and user when the domain is local, then @domain; or access(5)
//    order (AddressStyle::Access): user+ext@domain, user@domain, domain and
//    its parents (domain_keys), user+ext@, user@.
//  - domain_keys(): the domain, then its parent domains: "example.com",
//    "com" with parent_domain_matches_subdomains, ".example.com", ".com"
//    without it.
//  - client_address_keys(): 1.2.3.4, 1.2.3, 1.2, 1 for IPv4; for IPv6 the
//    address (in inet_ntop form) and then shorter prefixes cut at each ':'
//    from the right, as smtpd does.
// A pattern table (map_props::pattern: regexp, pcre, cidr) gets only the
// whole key: its patterns decide what matches.  Keys keep their case; tables
// fold it.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry {

enum class AddressStyle {
    Virtual, // virtual_alias_maps, canonical_maps, ... (mail_addr_find)
    Access,  // check_sender_access, check_recipient_access, ...
};

struct SearchOptions {
    // recipient_delimiter: any one of these characters starts an extension.
    std::string recipient_delimiter;
    // Does "example.com" also match its subdomains (true) or must the table
    // say ".example.com" (false)?  Postfix: the table's feature is listed in
    // parent_domain_matches_subdomains.
    bool parent_domain_matches_subdomains = true;
    // Is this domain one of ours ($myorigin, $mydestination, ...)?  Decides
    // whether bare localparts are tried.  An address without a domain is
    // always local.  Unset means "no domain is local".
    std::function<bool(std::string_view)> is_local_domain;
    // Keys for a pattern table: only the whole key.
    bool pattern_table = false;
    AddressStyle style = AddressStyle::Virtual;
    // Localparts that are never split at the delimiter (Postfix: postmaster,
    // MAILER-DAEMON, $double_bounce_sender; and owner-x / x-request when '-'
    // is a delimiter).
    std::string double_bounce_sender = "double-bounce";
};

std::vector<std::string> address_keys(std::string_view address,
                                      const SearchOptions &options);
std::vector<std::string> domain_keys(std::string_view domain,
                                     const SearchOptions &options);
std::vector<std::string> client_address_keys(std::string_view address,
                                             const SearchOptions &options);

// Where the extension starts in `localpart` (the delimiter's index), or npos
// when the localpart has none or must not be split.
size_t extension_start(std::string_view localpart,
                       const SearchOptions &options);

} // namespace ferry
