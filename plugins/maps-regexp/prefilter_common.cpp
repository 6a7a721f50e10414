// prefilter_common.cpp - RE2 text for single bytes and byte sets.
//
// Everything is written as \x{hh} so no byte can be mistaken for RE2
// syntax; the set matcher runs in Latin-1 mode, where \x{hh} is that byte.
#include "prefilter.h"

#include <cstdio>

namespace ferry::regexp::detail {

void emit_byte(std::string &out, unsigned char c) {
    char buf[8];
    std::snprintf(buf, sizeof(buf), "\\x{%02x}", c);
    out += buf;
}

void emit_set(std::string &out, const std::bitset<256> &set) {
    if (set.none()) {
        // Matches nothing; still an atom a quantifier may follow.
        out += "(?:[^\\x{00}-\\x{ff}])";
        return;
    }
    out += '[';
    for (int c = 0; c < 256;) {
        if (!set.test(c)) {
            ++c;
            continue;
        }
        int e = c;
        while (e + 1 < 256 && set.test(e + 1))
            ++e;
        emit_byte(out, static_cast<unsigned char>(c));
        if (e > c) {
            out += '-';
            emit_byte(out, static_cast<unsigned char>(e));
        }
        c = e + 1;
    }
    out += ']';
}

} // namespace ferry::regexp::detail
