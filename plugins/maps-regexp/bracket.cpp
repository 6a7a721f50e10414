// bracket.cpp - bracket expression extents (see bracket.h).
#include "bracket.h"

namespace ferry::regexp {

size_t posix_bracket_end(std::string_view s, size_t open) {
    size_t j = open + 1;
    if (j < s.size() && s[j] == '^')
        ++j;
    if (j < s.size() && s[j] == ']')
        ++j;
    while (j < s.size()) {
        char c = s[j];
        if (c == '[' && j + 1 < s.size() &&
            (s[j + 1] == ':' || s[j + 1] == '.' || s[j + 1] == '=')) {
            char kind = s[j + 1];
            size_t k = j + 2;
            while (k + 1 < s.size() && !(s[k] == kind && s[k + 1] == ']'))
                ++k;
            if (k + 1 >= s.size())
                return no_bracket_end;
            j = k + 2;
            continue;
        }
        if (c == ']')
            return j;
        ++j;
    }
    return no_bracket_end;
}

size_t pcre_bracket_end(std::string_view s, size_t open, bool *quoted) {
    size_t j = open + 1;
    if (j < s.size() && s[j] == '^')
        ++j;
    if (j < s.size() && s[j] == ']')
        ++j;
    while (j < s.size()) {
        char c = s[j];
        if (c == '\\') {
            if (j + 1 < s.size() && (s[j + 1] == 'Q' || s[j + 1] == 'E') && quoted)
                *quoted = true;
            j += 2;
            continue;
        }
        if (c == '[' && j + 1 < s.size() &&
            (s[j + 1] == ':' || s[j + 1] == '.' || s[j + 1] == '=')) {
            size_t close = s.find(']', j + 2);
            if (close != std::string_view::npos && close > j + 2 &&
                s[close - 1] == s[j + 1]) {
                j = close + 1;
                continue;
            }
            ++j;
            continue;
        }
        if (c == ']')
            return j;
        ++j;
    }
    return no_bracket_end;
}

} // namespace ferry::regexp
