// set_matcher.h - one RE2::Set over all rule patterns of a table.
//
// One pass over the key tells which patterns may match; the table then runs
// the real engine only where it must (see pattern_table.cpp).  The set works
// on bytes (Latin-1), like Postfix in the C locale.  When RE2 cannot answer
// (its DFA ran out of memory on some key), match() says so and the table
// falls back to trying every rule, so the answer never depends on it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::regexp {

class SetMatcher {
public:
    SetMatcher();
    ~SetMatcher();
    SetMatcher(const SetMatcher &) = delete;
    SetMatcher &operator=(const SetMatcher &) = delete;

    // Adds a translated pattern (see prefilter.h); returns its id, or -1
    // when RE2 does not accept it (the rule is then always a candidate).
    int add(const std::string &re2_text);
    // Builds the matcher; false when RE2 could not (every rule is then a
    // candidate).
    bool compile();
    size_t size() const { return count_; }

    // Ids of the patterns that may match key, in no particular order.
    // Returns false when the set cannot answer for this key.
    bool match(std::string_view key, std::vector<int> &ids) const;

private:
    struct Impl; // keeps RE2's headers out of the rest of the module
    std::unique_ptr<Impl> impl_;
    size_t count_ = 0;
    bool compiled_ = false;
};

} // namespace ferry::regexp
