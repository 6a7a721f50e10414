// replacement.h - the result text of a rule, with $n substitution.
//
// Postfix parses result text with mac_parse(): "$$" is a literal "$",
// "$n", "${n}" and "$(n)" insert capture group n, and anything else after a
// "$" is an error that makes Postfix skip the rule.  The text is parsed once
// when the table is opened; a lookup only concatenates pieces.  A group that
// did not take part in the match, or matched the empty string, inserts
// nothing.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diagnostics.h"

namespace ferry::regexp {

class Replacement {
public:
    struct Piece {
        std::string literal; // used when group == 0
        size_t group = 0;    // capture group number, 0 for literal text
    };

    // Parses `text`.  `map_kind` is "regexp" or "pcre" (the words differ
    // slightly between the two Postfix drivers).  Returns nothing after
    // warning in Postfix's words; the caller then adds "bad replacement
    // syntax: skipping this rule".
    static std::optional<Replacement> parse(std::string_view text,
                                            std::string_view map_kind,
                                            const std::string &mapname,
                                            int lineno, const WarnFn &warn);

    size_t max_group() const { return max_group_; }

    // Appends the expansion to out.  group(n, so, eo) reports the span of
    // group n and returns false when the group did not participate.
    void expand(std::string_view key,
                const std::function<bool(size_t, size_t &, size_t &)> &group,
                std::string &out) const;

    // The value when there is no $n at all.
    const std::string &literal() const { return literal_; }

private:
    std::vector<Piece> pieces_;
    size_t max_group_ = 0;
    std::string literal_;
};

} // namespace ferry::regexp
