// inline_table.cpp - inline table text (see inline_table.h).
#include "inline_table.h"

#include <cctype>

namespace ferry::regexp {

namespace {

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_space(s.back()))
        s.remove_suffix(1);
    return s;
}

// Postfix's extpar() with braces: "{ text }" -> "text".
std::optional<std::string_view> strip_braces(std::string_view s, std::string &why) {
    if (s.empty() || s[0] != '{') {
        why = "no '{' at start of text in \"" + std::string(s) + "\"";
        return std::nullopt;
    }
    int level = 0;
    size_t close = std::string_view::npos;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '{')
            ++level;
        else if (s[i] == '}' && --level == 0) {
            close = i;
            break;
        }
    }
    if (close == std::string_view::npos) {
        why = "missing '}' in \"" + std::string(s) + "\"";
        return std::nullopt;
    }
    if (!trim(s.substr(close + 1)).empty()) {
        why = "syntax error after '}' in \"" + std::string(s) + "\"";
        return std::nullopt;
    }
    return trim(s.substr(1, close - 1));
}

bool is_separator(char c) { return c == ',' || is_space(c); }

} // namespace

std::optional<std::string> inline_table_text(std::string_view name,
                                             std::string_view type,
                                             std::string &why) {
    std::string reason;
    auto fail = [&]() -> std::optional<std::string> {
        why = std::string(type) + " map: " + reason;
        return std::nullopt;
    };
    auto body = strip_braces(trim(name), reason);
    if (!body)
        return fail();
    std::string text;
    std::string_view rest = *body;
    while (!rest.empty()) {
        while (!rest.empty() && is_separator(rest.front()))
            rest.remove_prefix(1);
        if (rest.empty())
            break;
        int level = 0;
        size_t end = 0;
        while (end < rest.size() && (level > 0 || !is_separator(rest[end]))) {
            if (rest[end] == '{')
                ++level;
            else if (rest[end] == '}')
                --level;
            ++end;
        }
        auto rule = strip_braces(rest.substr(0, end), reason);
        if (!rule)
            return fail();
        text.append(*rule);
        text += '\n';
        rest.remove_prefix(end);
    }
    return text;
}

} // namespace ferry::regexp
