// db_common.cpp - %-templates, result joining and small utilities shared by
// the network tables (see db_common.h for the contract).  The rules for
// which keys and values are skipped are Postfix's db_common rules, so a
// query is sent for exactly the keys Postfix would send it for.
#include "db_common.h"

#include <cstring>

namespace ferry::db {
namespace {

// What the templates of one table need, gathered by Templates::parse().
constexpr unsigned kKeyDomain = 1u << 0;   // the lookup key's domain
constexpr unsigned kKeyUser = 1u << 1;     // the lookup key's local part
constexpr unsigned kValueDomain = 1u << 2; // a result value's domain
constexpr unsigned kValueUser = 1u << 3;   // a result value's local part

// The text after the last '@', or npos when there is none.
size_t domain_at(std::string_view s) {
    size_t at = s.rfind('@');
    return at == std::string_view::npos ? std::string_view::npos : at + 1;
}

// Domain labels of `domain` split at '.'.  Empty labels are dropped, as
// Postfix's argv_split() drops them: "a..b.com" has the labels a, b, com.
std::vector<std::string_view> labels(std::string_view domain) {
    std::vector<std::string_view> out;
    size_t pos = 0;
    while (pos <= domain.size()) {
        size_t dot = domain.find('.', pos);
        if (dot == std::string_view::npos) dot = domain.size();
        if (dot > pos) out.push_back(domain.substr(pos, dot - pos));
        pos = dot + 1;
    }
    return out;
}

void put(const Quote &quote, std::string_view v, std::string &out) {
    if (quote)
        quote(v, out);
    else
        out.append(v);
}

} // namespace

bool Templates::parse(std::string_view format, Kind kind, std::string &err, bool *dynamic) {
    bool query = kind == Kind::Query;
    bool dyn = false;
    for (size_t i = 0; i < format.size(); ++i) {
        if (format[i] != '%') continue;
        char c = i + 1 < format.size() ? format[++i] : '\0';
        switch (c) {
        case '%':
            break;
        case 's':
        case 'S':
            dyn = true;
            break;
        case 'u':
            flags_ |= query ? kKeyUser : kValueUser;
            dyn = true;
            break;
        case 'd':
            flags_ |= query ? kKeyDomain : kValueDomain;
            dyn = true;
            break;
        case 'U':
            flags_ |= kKeyUser;
            dyn = true;
            break;
        case 'D':
            flags_ |= kKeyDomain;
            dyn = true;
            break;
        default:
            if (c >= '1' && c <= '9') {
                nparts_ = std::max(nparts_, c - '0');
                flags_ |= kKeyDomain;
                dyn = true;
                break;
            }
            err = std::string("invalid ") + (query ? "query" : "result") + " template \"" +
                  std::string(format) + "\": " +
                  (c ? "unknown sequence %" + std::string(1, c) : "'%' at the end");
            return false;
        }
    }
    if (dynamic) *dynamic = dyn;
    return true;
}

bool Templates::expand_query(std::string_view format, std::string_view key, const Quote &quote,
                             std::string &out) const {
    out.clear();
    return expand(format, key, nullptr, quote, out);
}

bool Templates::expand_result(std::string_view format, std::string_view value,
                              std::string_view key, const Quote &quote,
                              std::string &out) const {
    return expand(format, value, &key, quote, out);
}

// value is the lookup key (query, key == nullptr) or one result (result
// template, *key the lookup key).  Checks everything first, so a skipped
// key or value leaves out untouched.
bool Templates::expand(std::string_view format, std::string_view value,
                       const std::string_view *key, const Quote &quote,
                       std::string &out) const {
    if (value.empty()) return false;
    const size_t npos = std::string_view::npos;
    size_t vdom = npos; // start of the value's domain
    size_t kdom = npos; // start of the key's domain
    if (key) {
        if (flags_ & (kValueDomain | kValueUser)) vdom = domain_at(value);
        if (((vdom == npos || vdom == value.size()) && (flags_ & kValueDomain)) ||
            (vdom == 1 && (flags_ & kValueUser)))
            return false;
        if (flags_ & (kKeyDomain | kKeyUser)) kdom = domain_at(*key);
        if (((kdom == npos || kdom == key->size()) && (flags_ & kKeyDomain)) ||
            (kdom == 1 && (flags_ & kKeyUser)))
            return false;
    } else {
        if (flags_ & (kKeyDomain | kKeyUser)) vdom = domain_at(value);
        if (((vdom == npos || vdom == value.size()) && (flags_ & kKeyDomain)) ||
            (vdom == 1 && (flags_ & kKeyUser)))
            return false;
    }
    std::vector<std::string_view> parts;
    if (nparts_ > 0) {
        std::string_view src = key ? *key : value;
        size_t d = key ? kdom : vdom;
        if (d == npos) return false;
        parts = labels(src.substr(d));
        if (parts.size() < static_cast<size_t>(nparts_)) return false;
    }

    if (key && !out.empty()) out += ',';
    auto user_of = [](std::string_view s, size_t dom) {
        return dom == std::string_view::npos ? s : s.substr(0, dom - 1);
    };
    auto domain_of = [](std::string_view s, size_t dom) { return s.substr(dom); };
    for (size_t i = 0; i < format.size(); ++i) {
        if (format[i] != '%' || i + 1 >= format.size()) {
            out += format[i];
            continue;
        }
        char c = format[++i];
        switch (c) {
        case '%':
            out += '%';
            break;
        case 's':
            put(quote, value, out);
            break;
        case 'u':
            put(quote, user_of(value, vdom), out);
            break;
        case 'd':
            // parse() guarantees the domain was checked above.
            put(quote, vdom == npos ? std::string_view() : domain_of(value, vdom), out);
            break;
        case 'S':
            put(quote, key ? *key : value, out);
            break;
        case 'U':
            put(quote, key ? user_of(*key, kdom) : user_of(value, vdom), out);
            break;
        case 'D': {
            size_t d = key ? kdom : vdom;
            std::string_view s = key ? *key : value;
            put(quote, d == npos ? std::string_view() : domain_of(s, d), out);
            break;
        }
        default:
            if (c >= '1' && c <= '9' && static_cast<size_t>(c - '0') <= parts.size()) {
                put(quote, parts[parts.size() - static_cast<size_t>(c - '0')], out);
                break;
            }
            // Unknown sequences were refused by parse(); keep them literally
            // should a caller expand an unparsed template.
            out += '%';
            out += c;
        }
    }
    return true;
}

ResultJoiner::Add ResultJoiner::add(std::string_view value, std::string_view key,
                                    const Quote &quote) {
    if (!templates_.expand_result(format_, value, key, quote, result_)) return Add::Skipped;
    if (limit_ > 0 && ++count_ > limit_) return Add::ExpansionLimit;
    if (limit_ <= 0) ++count_;
    return Add::Added;
}

std::vector<std::string> split_list(std::string_view s, std::string_view seps) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos < s.size()) {
        size_t b = s.find_first_not_of(seps, pos);
        if (b == std::string_view::npos) break;
        size_t e = s.find_first_of(seps, b);
        if (e == std::string_view::npos) e = s.size();
        out.emplace_back(s.substr(b, e - b));
        pos = e;
    }
    return out;
}

std::string fold_lower(std::string_view s) {
    std::string out(s);
    for (char &c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

bool valid_utf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        size_t n;
        uint32_t cp;
        if ((c & 0xE0) == 0xC0) {
            n = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + n >= s.size()) return false;
        for (size_t k = 1; k <= n; ++k) {
            auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        // Overlong forms, surrogates and values past U+10FFFF are invalid.
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += n + 1;
    }
    return true;
}

void set_error(char *err, size_t errlen, std::string_view text) {
    if (!err || errlen == 0) return;
    size_t n = std::min(errlen - 1, text.size());
    std::memcpy(err, text.data(), n);
    err[n] = '\0';
}

} // namespace ferry::db
