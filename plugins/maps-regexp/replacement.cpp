// replacement.cpp - result text parsing and $n expansion (see replacement.h).
#include "replacement.h"

#include <cctype>
#include <cstdlib>

namespace ferry::regexp {

namespace {

bool all_digits(const std::string &s) {
    if (s.empty())
        return false;
    for (unsigned char c : s)
        if (!std::isdigit(c))
            return false;
    return true;
}

} // namespace

std::optional<Replacement> Replacement::parse(std::string_view text,
                                              std::string_view map_kind,
                                              const std::string &mapname,
                                              int lineno, const WarnFn &warn) {
    Replacement r;
    bool failed = false;
    std::string lit;
    const std::string where = std::string(map_kind) + " map " + mapname +
                              ", line " + std::to_string(lineno) + ": ";
    const std::string whole(text);
    size_t i = 0;
    while (i < text.size()) {
        if (text[i] != '$') {
            lit += text[i++];
            continue;
        }
        if (i + 1 < text.size() && text[i + 1] == '$') {
            lit += '$';
            i += 2;
            continue;
        }
        if (!lit.empty()) {
            r.pieces_.push_back({lit, 0});
            lit.clear();
        }
        ++i;
        std::string name;
        if (i < text.size() && (text[i] == '{' || text[i] == '(')) {
            char open = text[i];
            char close = open == '{' ? '}' : ')';
            int level = 1;
            size_t start = ++i;
            size_t ep = start;
            bool truncated = false;
            while (level > 0) {
                if (ep >= text.size()) {
                    truncated = true;
                    break;
                }
                if (text[ep] == open)
                    ++level;
                if (text[ep] == close)
                    --level;
                ++ep;
            }
            if (truncated) {
                // mac_parse stops here, with what it has seen so far.
                warn("truncated macro reference: \"" + whole + "\"");
                return std::nullopt;
            }
            name.assign(text.substr(start, ep - start - 1));
            i = ep;
        } else {
            size_t start = i;
            while (i < text.size() &&
                   (std::isalnum(static_cast<unsigned char>(text[i])) ||
                    text[i] == '_'))
                ++i;
            name.assign(text.substr(start, i - start));
        }
        if (name.empty()) {
            warn("empty macro name: \"" + whole + "\"");
            return std::nullopt;
        }
        // Postfix's prescan: every reference must be a positive number.
        // Parsing goes on after a bad one, so each is reported.
        if (!all_digits(name)) {
            warn(where + "non-numeric replacement index \"" + name + "\"");
            failed = true;
            continue;
        }
        // atoi() as Postfix does, including its wrap-around for huge
        // numbers, so the "out of range" warning quotes the same value.
        size_t n = static_cast<size_t>(
            static_cast<int>(std::strtol(name.c_str(), nullptr, 10)));
        if (n < 1) {
            warn(where + (map_kind == "regexp" ? "out-of-range" : "out of range") +
                 " replacement index \"" + name + "\"");
            failed = true;
            continue;
        }
        if (n > r.max_group_)
            r.max_group_ = n;
        r.pieces_.push_back({std::string(), n});
    }
    if (failed)
        return std::nullopt;
    if (!lit.empty())
        r.pieces_.push_back({lit, 0});
    if (r.max_group_ == 0)
        for (const Piece &p : r.pieces_)
            r.literal_ += p.literal;
    return r;
}

void Replacement::expand(
    std::string_view key,
    const std::function<bool(size_t, size_t &, size_t &)> &group,
    std::string &out) const {
    if (max_group_ == 0) {
        out += literal_;
        return;
    }
    for (const Piece &p : pieces_) {
        if (p.group == 0) {
            out += p.literal;
            continue;
        }
        size_t so = 0, eo = 0;
        if (group(p.group, so, eo) && eo > so && eo <= key.size())
            out.append(key.substr(so, eo - so));
    }
}

} // namespace ferry::regexp
