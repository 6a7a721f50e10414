// cidr_table.cpp - cidr:/file, client address patterns (cidr_table(5)).
//
// Rules are "network/prefix value" or a bare address, IPv4 or IPv6 (an IPv6
// address may be written in [brackets]); "!" negates a pattern; "if PATTERN"
// ... "endif" (either case) guards a block.  The first matching rule wins.
// A key matches only rules of its own address family.  Bad rules are warned
// about with file and line in Postfix's words and skipped, never fatal.
#include "maps/builtin.h"
#include "maps/table_source.h"

#include "log/msg.h"

#include <arpa/inet.h>

#include <array>
#include <cstring>
#include <optional>
#include <vector>

namespace ferry {
namespace {

struct Address {
    int family = 0; // AF_INET or AF_INET6
    std::array<unsigned char, 16> bytes{};
    int bits() const { return family == AF_INET ? 32 : 128; }
};

std::optional<Address> parse_address(const std::string &text) {
    Address a;
    if (text.find(':') != std::string::npos) {
        a.family = AF_INET6;
        if (::inet_pton(AF_INET6, text.c_str(), a.bytes.data()) != 1)
            return std::nullopt;
    } else {
        a.family = AF_INET;
        if (::inet_pton(AF_INET, text.c_str(), a.bytes.data()) != 1)
            return std::nullopt;
    }
    return a;
}

bool in_network(const Address &key, const Address &net, int prefix) {
    if (key.family != net.family) return false;
    int full = prefix / 8, rest = prefix % 8;
    if (std::memcmp(key.bytes.data(), net.bytes.data(), full) != 0)
        return false;
    if (rest == 0) return true;
    unsigned char mask = static_cast<unsigned char>(0xff00 >> rest);
    return (key.bytes[full] & mask) == (net.bytes[full] & mask);
}

Address masked(Address a, int prefix) {
    for (int i = 0; i < a.bits() / 8; ++i) {
        int keep = prefix - i * 8;
        if (keep >= 8) continue;
        a.bytes[i] &= keep <= 0 ? 0 : static_cast<unsigned char>(0xff00 >> keep);
    }
    return a;
}

std::string to_text(const Address &a) {
    char buf[INET6_ADDRSTRLEN];
    ::inet_ntop(a.family, a.bytes.data(), buf, sizeof buf);
    return buf;
}

struct Pattern {
    Address net;
    int prefix = 0;
    bool negate = false;
    bool matches(const Address &key) const {
        // A key of the other family matches neither the pattern nor its
        // negation (Postfix behaviour).
        if (key.family != net.family) return false;
        return in_network(key, net, prefix) != negate;
    }
};

struct Rule {
    enum Kind { Match, If, Endif } kind = Match;
    Pattern pattern;
    std::string value;
    size_t skip_to = 0; // for If: index after the matching Endif
};

// Parse "!" "[addr]" "/len" into a pattern, or return the warning text.
std::optional<Pattern> parse_pattern(std::string_view text, std::string &why) {
    Pattern p;
    if (!text.empty() && text.front() == '!') {
        p.negate = true;
        text.remove_prefix(1);
    }
    std::string shown(text);
    std::string addr, rest;
    if (!text.empty() && text.front() == '[') {
        size_t close = text.find(']');
        if (close == std::string_view::npos) {
            why = "missing ']' character after \"" + shown + "\"";
            return std::nullopt;
        }
        addr = std::string(text.substr(1, close - 1));
        rest = std::string(text.substr(close + 1));
        if (!rest.empty() && rest.front() != '/') {
            why = "bad address pattern: \"" + shown + "\"";
            return std::nullopt;
        }
    } else {
        size_t slash = text.find('/');
        addr = std::string(text.substr(0, slash));
        if (slash != std::string_view::npos)
            rest = std::string(text.substr(slash));
    }
    auto a = parse_address(addr);
    if (!a) {
        why = "bad address pattern: \"" + shown + "\"";
        return std::nullopt;
    }
    p.net = *a;
    p.prefix = a->bits();
    if (!rest.empty()) {
        std::string_view len = std::string_view(rest).substr(1);
        if (len.empty() || len.size() > 4 ||
            len.find_first_not_of("0123456789") != std::string_view::npos) {
            why = "bad mask value in \"" + shown + "\"";
            return std::nullopt;
        }
        p.prefix = std::stoi(std::string(len));
        if (p.prefix > a->bits()) {
            why = "bad mask length in \"" + shown + "\"";
            return std::nullopt;
        }
        Address net = masked(*a, p.prefix);
        if (net.bytes != a->bytes) {
            why = "non-null host address bits in \"" + shown +
                  "\", perhaps you should use \"" + to_text(net) + "/" +
                  std::to_string(p.prefix) + "\" instead";
            return std::nullopt;
        }
    }
    return p;
}

bool keyword(std::string_view word, std::string_view kw) {
    return fold_case(word) == kw;
}

class CidrTable : public Map {
public:
    CidrTable(std::string path, std::vector<Rule> rules)
        : Map("cidr", std::move(path), map_props::pattern),
          rules_(std::move(rules)) {}

    LookupResult lookup(std::string_view raw) override {
        auto key = parse_address(std::string(raw));
        if (!key) return LookupResult::not_found();
        for (size_t i = 0; i < rules_.size();) {
            const Rule &r = rules_[i];
            if (r.kind == Rule::If && !r.pattern.matches(*key)) {
                i = r.skip_to;
                continue;
            }
            if (r.kind == Rule::Match && r.pattern.matches(*key))
                return LookupResult::found(r.value);
            ++i;
        }
        return LookupResult::not_found();
    }

private:
    std::vector<Rule> rules_;
};

} // namespace

OpenedMap open_cidr_table(std::string_view name, unsigned) {
    const std::string path(name);
    TableSource src = read_table_source(path);
    if (!src.error.empty())
        return {nullptr, "open " + path + ": " + src.error};

    std::vector<Rule> rules;
    std::vector<std::pair<size_t, int>> open_ifs; // rule index, line
    for (const LogicalLine &l : src.lines) {
        auto warn = [&](const std::string &what) {
            msg::warning("cidr map " + path + ", line " +
                         std::to_string(l.line) + ": " + what);
        };
        std::string_view text = trim_blanks(l.text);
        size_t end = 0;
        while (end < text.size() && !is_blank(text[end])) ++end;
        std::string_view first = text.substr(0, end);
        std::string_view rest = trim_blanks(text.substr(end));

        if (keyword(first, "endif")) {
            if (!rest.empty()) {
                warn("garbage after ENDIF: skipping this rule");
                continue;
            }
            if (open_ifs.empty()) {
                warn("ENDIF without IF: skipping this rule");
                continue;
            }
            rules[open_ifs.back().first].skip_to = rules.size() + 1;
            open_ifs.pop_back();
            rules.push_back({Rule::Endif, {}, {}, 0});
            continue;
        }
        const bool is_if = keyword(first, "if");
        std::string_view pattern_text = first, value = rest;
        if (is_if) {
            // The whole rest is the pattern: trailing words make it bad.
            pattern_text = rest;
            value = {};
            if (pattern_text.empty()) {
                warn("no address pattern: skipping this rule");
                continue;
            }
        }
        std::string why;
        auto pattern = parse_pattern(pattern_text, why);
        if (!pattern) {
            warn(why + ": skipping this rule");
            continue;
        }
        if (is_if) {
            open_ifs.emplace_back(rules.size(), l.line);
            rules.push_back({Rule::If, *pattern, {}, 0});
            continue;
        }
        if (value.empty()) {
            warn("no lookup result: skipping this rule");
            continue;
        }
        rules.push_back({Rule::Match, *pattern, std::string(value), 0});
    }
    // An IF left open guards everything to the end of the file.
    for (auto &[index, line] : open_ifs) {
        rules[index].skip_to = rules.size();
        msg::warning("cidr map " + path + ", line " + std::to_string(line) +
                     ": IF has no matching ENDIF");
    }
    return {std::make_unique<CidrTable>(path, std::move(rules)), {}};
}

} // namespace ferry
