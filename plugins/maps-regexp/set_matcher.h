// set_matcher.h - one set matcher over all rule patterns of a table.
//
// One pass over the key tells which patterns may match; the table then runs
// the real engine only where it must (see pattern_table.cpp).  The patterns
// are the RE2-syntax supersets of prefilter.h, matched on bytes (Latin-1),
// like Postfix in the C locale.
//
// Two matchers, both built up front, scan a key:
//  - most patterns contain a literal that every match must contain (in
//    "^([^@]+)@example\.com$" it is "@example.com").  Those patterns are
//    represented by that literal alone, matched without regard to case by
//    a LiteralSet (literal_set.h), which builds in microseconds where
//    Vectorscan needs about a millisecond per full expression;
//  - the others go to Vectorscan as full expressions (prefilter mode, so
//    what Vectorscan cannot do exactly it widens), at most 256 of them so
//    no table takes seconds to open.  A pattern Vectorscan refuses (an
//    anchor inside the pattern, "{0}", ...) is retried without its anchors;
//    failing that, and past the 256, patterns go to an RE2::Set, whose DFA
//    is built lazily.  A pattern no matcher takes is reported for every key.
// So a table never fails to load because of the set matcher, and no
// pattern that may match is ever missed.  When RE2 cannot answer (its lazy
// DFA ran out of memory on some key), match() says so and the table tries
// every rule instead.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "literal_set.h"

namespace ferry::regexp {

class SetMatcher {
public:
    // Which matchers compile() may use; re2_only is for tests (and the
    // comparison of both paths).
    enum class Backend { automatic, re2_only };

    explicit SetMatcher(Backend backend = Backend::automatic);
    ~SetMatcher();
    SetMatcher(const SetMatcher &) = delete;
    SetMatcher &operator=(const SetMatcher &) = delete;

    // Adds a translated pattern (see prefilter.h); returns its id, or -1
    // when RE2 does not accept its syntax (the rule is then always a
    // candidate).
    int add(const std::string &re2_text);
    // Builds the matcher; false when there is nothing to match with (every
    // rule is then a candidate).
    bool compile();
    size_t size() const { return texts_.size(); }

    // How the patterns were placed by compile(), for tests and logs.
    size_t literal_count() const { return lit_.size(); }
    size_t vectorscan_count() const { return hs_count_; }
    size_t re2_count() const { return re2_ids_.size(); }
    size_t always_count() const { return always_.size(); }

    // Ids of the patterns that may match key, in no particular order, each
    // once.  Returns false when the set cannot answer for this key.
    bool match(std::string_view key, std::vector<int> &ids) const;

    // The longest run of bytes every match of the translated pattern must
    // contain, letters in lower case (it is matched caselessly); empty when
    // there is none.  Exposed for tests.
    static std::string required_literal(const std::string &re2_text);

private:
    bool compile_vectorscan(std::vector<int> &ids, std::vector<std::string> &texts);

    struct Re2Part; // keeps RE2's headers out of the rest of the module
    struct HsPart;  // and Vectorscan's
    Backend backend_;
    std::vector<std::string> texts_;
    std::unique_ptr<Re2Part> re2_;
    std::vector<std::string> literals_;
    LiteralSet lit_;
    std::unique_ptr<HsPart> hs_;
    std::vector<int> re2_ids_; // RE2 set index -> pattern id
    std::vector<int> always_;  // patterns no matcher took
    size_t hs_count_ = 0;
    bool compiled_ = false;
};

} // namespace ferry::regexp
