// bracket.h - where a bracket expression ends, in each regex dialect.
//
// Used twice: by the rule parser, so that a delimiter inside "[...]" does
// not end the pattern (Ferry's one intended difference from Postfix, see
// rule_parser.cpp), and by the prefilter translators, which hand the whole
// bracket expression to the real engine to learn its exact byte set.
#pragma once

#include <cstddef>
#include <string_view>

namespace ferry::regexp {

constexpr size_t no_bracket_end = static_cast<size_t>(-1);

// s[open] == '['.  Returns the index of the closing ']' or no_bracket_end.
// POSIX: backslash is an ordinary character; "[:name:]", "[.x.]" and
// "[=x=]" are units; a ']' right after "[" or "[^" is a member.
size_t posix_bracket_end(std::string_view s, size_t open);

// PCRE: like POSIX, but backslash escapes the next character and "[:"
// only opens a POSIX class when the next ']' follows a ':'.  Sets
// `quoted` when a \Q...\E appears inside (the translator gives up then).
size_t pcre_bracket_end(std::string_view s, size_t open, bool *quoted = nullptr);

} // namespace ferry::regexp
