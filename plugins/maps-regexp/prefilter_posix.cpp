// prefilter_posix.cpp - POSIX ERE (glibc, C locale) to an RE2 superset.
//
// glibc specifics handled here: backslash is literal inside brackets;
// "\1".."\9" are back-references even in ERE; \w \W \s \S are GNU classes
// and \b \B \< \> \` \' are GNU anchors; any other "\c" is the character c
// ("\n" is the letter n, not a newline); "{,m}" means "{0,m}".  Basic
// syntax (flag x) is not translated.
#include "bracket.h"
#include "prefilter.h"

#include <cctype>
#include <optional>

namespace ferry::regexp {

using detail::emit_byte;
using detail::emit_set;

namespace {

bool is_quant_start(char c) { return c == '*' || c == '+' || c == '?' || c == '{'; }

// Parses "{n}", "{n,}", "{n,m}", "{,m}" at s[i] == '{'; writes RE2 text.
bool parse_interval(const std::string &s, size_t &i, std::string &out) {
    size_t j = i + 1;
    std::string lo, hi;
    bool comma = false;
    while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j])))
        lo += s[j++];
    if (j < s.size() && s[j] == ',') {
        comma = true;
        ++j;
        while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j])))
            hi += s[j++];
    }
    if (j >= s.size() || s[j] != '}' || (lo.empty() && hi.empty()))
        return false;
    if (lo.size() > 5 || hi.size() > 5)
        return false;
    out += '{';
    if (lo.empty())
        out += '0'; // "{,m}" is glibc's "{0,m}"
    else
        out += lo;
    if (comma) {
        out += ',';
        out += hi;
    }
    out += '}';
    i = j + 1;
    return true;
}

} // namespace

std::optional<std::string> translate_posix(const std::string &re,
                                           const PatternOptions &opt,
                                           Engine &engine, bool *exact) {
    if (exact)
        *exact = false;
    if (!opt.extended)
        return std::nullopt;
    bool sure = true;        // see *exact
    bool group_atom = false; // the atom a quantifier would take is a group
    std::string out;
    int depth = 0;
    bool have_atom = false; // a quantifier may follow
    size_t branch_start = 0; // where the current top-level branch starts in out
    size_t i = 0;
    while (i < re.size()) {
        unsigned char c = static_cast<unsigned char>(re[i]);
        bool at_branch_start = depth == 0 && out.size() == branch_start;
        switch (c) {
        case '(':
            out += "(?:";
            ++depth;
            have_atom = false;
            ++i;
            break;
        case ')':
            if (depth == 0)
                return std::nullopt;
            if (out.back() == ':' || out.back() == '|')
                sure = false; // an empty group or branch
            out += ')';
            --depth;
            have_atom = true;
            group_atom = true;
            ++i;
            continue;
        case '|':
            if (out.empty() || out.back() == ':' || out.back() == '|')
                sure = false; // an empty branch
            out += '|';
            if (depth == 0)
                branch_start = out.size();
            have_atom = false;
            ++i;
            break;
        case '^':
            // glibc does not always honour an anchor inside a group or in
            // the middle of a branch (with nmatch 0, "(^[^Q]){1,3}C"
            // matches "X+C"); only a branch's first "^" and last "$" at
            // the top level are kept, the rest only widen.
            out += at_branch_start ? "^" : "(?:)";
            sure = sure && at_branch_start;
            have_atom = false;
            ++i;
            break;
        case '$':
            if (depth == 0 && (i + 1 == re.size() || re[i + 1] == '|')) {
                out += "$";
            } else {
                out += "(?:)";
                sure = false;
            }
            have_atom = false;
            ++i;
            break;
        case '.':
            out += "(?s:.)";
            have_atom = true;
            ++i;
            break;
        case '[': {
            size_t end = posix_bracket_end(re, i);
            if (end == no_bracket_end)
                return std::nullopt;
            auto set = engine.probe(re.substr(i, end + 1 - i), opt);
            if (!set || set->none())
                return std::nullopt;
            emit_set(out, *set);
            have_atom = true;
            i = end + 1;
            break;
        }
        case '\\': {
            if (i + 1 >= re.size())
                return std::nullopt;
            char e = re[i + 1];
            if (e >= '1' && e <= '9') {
                out += "(?s:.*)"; // back-reference: any text
                have_atom = true;
                sure = false;
            } else if (e == 'b' || e == 'B' || e == '<' || e == '>' ||
                       e == '`' || e == '\'') {
                out += "(?:)";
                have_atom = false;
                sure = false;
            } else if (e == '0') {
                return std::nullopt;
            } else {
                // \w \s and every "\c": whatever set glibc gives it.
                // An empty set would mean the escape is not one character
                // in glibc's eyes; do not guess then.
                auto set = engine.probe(re.substr(i, 2), opt);
                if (!set || set->none())
                    return std::nullopt;
                emit_set(out, *set);
                have_atom = true;
            }
            i += 2;
            break;
        }
        case '*':
        case '+':
        case '?':
        case '{':
            if (!have_atom)
                return std::nullopt;
            if (group_atom)
                sure = false;
            if (c == '{') {
                if (!parse_interval(re, i, out))
                    return std::nullopt;
            } else {
                out += static_cast<char>(c);
                ++i;
            }
            // glibc stacks quantifiers ("a**"); RE2 refuses them.
            if (i < re.size() && is_quant_start(re[i]))
                return std::nullopt;
            have_atom = false;
            break;
        default:
            emit_byte(out, c);
            have_atom = true;
            ++i;
            break;
        }
        group_atom = false; // only ")" leaves a group as the last atom
    }
    if (depth != 0)
        return std::nullopt;
    if (!out.empty() && out.back() == '|')
        sure = false;
    if (exact)
        *exact = sure;
    return (opt.caseless ? "(?i:" : "(?:") + out + ")";
}

} // namespace ferry::regexp
