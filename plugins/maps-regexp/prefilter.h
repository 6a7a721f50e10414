// prefilter.h - rewrite a rule's pattern for the RE2 set matcher.
//
// The set matcher may report a rule that cannot match (the real engine then
// says no), but it must never miss a rule that can: the rewritten pattern
// has to accept a superset of what the real engine accepts.  So:
//  - every bracket expression and class escape becomes the exact byte set
//    the real engine gives it (we ask the engine, see Engine::probe), written
//    out as a positive RE2 class; RE2's own case folding then only adds;
//  - "." matches every byte, "^" and "$" match at every newline, and the
//    pattern is case-insensitive whenever any part of it may be;
//  - what RE2 lacks is widened: lookaround, \b, \< and friends become an
//    empty match; a back-reference becomes "any text"; possessive, atomic
//    and lazy forms become plain greedy ones;
//  - anything else we do not fully understand (BRE syntax, (?x) inside a
//    pattern, verbs, conditionals, recursion, odd braces, unusual escapes)
//    yields nothing, and the rule is then always run by the real engine.
#pragma once

#include <optional>
#include <string>

#include "engine.h"

namespace ferry::regexp {

// exact (when given) is set true only when the text accepts exactly what
// glibc accepts on keys of plain ASCII without a newline: nothing was
// widened, and the pattern uses only literals, brackets, ".", "|", groups,
// a leading "^", a trailing "$" and quantifiers on single characters (no
// quantified group, no empty branch: the shapes glibc has quirks in).
std::optional<std::string> translate_posix(const std::string &re,
                                           const PatternOptions &opt,
                                           Engine &engine, bool *exact = nullptr);
std::optional<std::string> translate_pcre(const std::string &re,
                                          const PatternOptions &opt,
                                          Engine &engine);

namespace detail {
void emit_byte(std::string &out, unsigned char c);
void emit_set(std::string &out, const std::bitset<256> &set);
} // namespace detail

} // namespace ferry::regexp
