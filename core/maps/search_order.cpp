// search_order.cpp - see search_order.h.
#include "maps/search_order.h"

#include "maps/table_source.h"

#include <arpa/inet.h>

namespace ferry {
namespace {

void add(std::vector<std::string> &keys, std::string key) {
    for (const auto &k : keys)
        if (k == key) return;
    keys.push_back(std::move(key));
}

bool iequals(std::string_view a, std::string_view b) {
    return fold_case(a) == fold_case(b);
}

} // namespace

size_t extension_start(std::string_view localpart,
                       const SearchOptions &options) {
    const std::string &delims = options.recipient_delimiter;
    if (delims.empty()) return std::string_view::npos;
    if (iequals(localpart, "postmaster") || iequals(localpart, "MAILER-DAEMON") ||
        iequals(localpart, options.double_bounce_sender))
        return std::string_view::npos;
    // Backwards compatibility with owner-list and list-request aliases.
    if (delims.find('-') != std::string::npos) {
        if (localpart.size() >= 6 && iequals(localpart.substr(0, 6), "owner-"))
            return std::string_view::npos;
        if (localpart.size() > 8 &&
            iequals(localpart.substr(localpart.size() - 8), "-request"))
            return std::string_view::npos;
    }
    size_t at = localpart.find_first_of(delims);
    // "+ext" alone would leave an empty user: treat it as unsplittable.
    if (at == 0) return std::string_view::npos;
    return at;
}

std::vector<std::string> domain_keys(std::string_view domain,
                                     const SearchOptions &options) {
    std::vector<std::string> keys;
    if (domain.empty()) return keys;
    add(keys, std::string(domain));
    if (options.pattern_table) return keys;
    // Never try parents of a name that starts with a dot, nor the empty name.
    size_t pos = 0;
    for (;;) {
        size_t dot = domain.find('.', pos + 1);
        if (dot == std::string_view::npos || dot + 1 >= domain.size()) break;
        if (options.parent_domain_matches_subdomains)
            add(keys, std::string(domain.substr(dot + 1)));
        else
            add(keys, std::string(domain.substr(dot)));
        pos = dot + 1;
    }
    return keys;
}

std::vector<std::string> address_keys(std::string_view address,
                                      const SearchOptions &options) {
    std::vector<std::string> keys;
    add(keys, std::string(address));
    if (options.pattern_table) return keys;

    size_t at = address.rfind('@');
    std::string_view local =
        at == std::string_view::npos ? address : address.substr(0, at);
    std::string_view domain =
        at == std::string_view::npos ? std::string_view{} : address.substr(at + 1);
    size_t ext = extension_start(local, options);
    std::string_view user =
        ext == std::string_view::npos ? local : local.substr(0, ext);

    if (at != std::string_view::npos && ext != std::string_view::npos)
        add(keys, std::string(user) + "@" + std::string(domain));

    if (options.style == AddressStyle::Access) {
        for (auto &d : domain_keys(domain, options)) add(keys, std::move(d));
        add(keys, std::string(local) + "@");
        if (ext != std::string_view::npos) add(keys, std::string(user) + "@");
        return keys;
    }

    const bool local_domain =
        at == std::string_view::npos ||
        (options.is_local_domain && options.is_local_domain(domain));
    if (local_domain) {
        add(keys, std::string(local));
        if (ext != std::string_view::npos) add(keys, std::string(user));
    }
    if (at != std::string_view::npos && !domain.empty())
        add(keys, "@" + std::string(domain));
    return keys;
}

std::vector<std::string> client_address_keys(std::string_view address,
                                             const SearchOptions &options) {
    std::vector<std::string> keys;
    std::string addr(address);
    char delim = '.';
    if (addr.find(':') != std::string::npos) {
        delim = ':';
        // smtpd hands tables the inet_ntop form; normalise what we can.
        unsigned char bin[16];
        char text[INET6_ADDRSTRLEN];
        if (::inet_pton(AF_INET6, addr.c_str(), bin) == 1 &&
            ::inet_ntop(AF_INET6, bin, text, sizeof text))
            addr = text;
    }
    add(keys, addr);
    if (options.pattern_table) return keys;
    for (size_t cut; (cut = addr.rfind(delim)) != std::string::npos && cut > 0;) {
        addr.resize(cut);
        add(keys, addr);
    }
    return keys;
}

} // namespace ferry
