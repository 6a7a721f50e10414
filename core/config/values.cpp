// values.cpp - see values.h.
#include "config/values.h"

#include <cstdlib>
#include <string>

namespace ferry::config {

namespace {
bool is_separator(char c) { return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
} // namespace

std::vector<std::string_view> list_items(std::string_view text) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && is_separator(text[i])) ++i;
        if (i == text.size()) break;
        size_t start = i;
        int depth = 0;
        for (; i < text.size() && (depth > 0 || !is_separator(text[i])); ++i) {
            if (text[i] == '{') ++depth;
            else if (text[i] == '}' && depth > 0) --depth;
        }
        out.push_back(text.substr(start, i - start));
    }
    return out;
}

int time_seconds(std::string_view value, int fallback) {
    std::string v(value);
    if (v.empty()) return fallback;
    char *end = nullptr;
    long n = std::strtol(v.c_str(), &end, 10);
    if (end == v.c_str() || n < 0) return fallback;
    switch (*end) {
    case 'm': n *= 60; break;
    case 'h': n *= 3600; break;
    case 'd': n *= 86400; break;
    case 'w': n *= 604800; break;
    default: break;
    }
    return static_cast<int>(n);
}

} // namespace ferry::config
