// pattern_table.h - an opened regexp: or pcre: table.
//
// Holds the rules in file order, the real engine, and one set matcher over
// every pattern.  A lookup gives exactly the answer of trying every rule in
// order with the real engine (Postfix's algorithm); the set matcher only
// lets it skip rules that cannot match.  One thread at a time per table.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "exact_matcher.h"
#include "rule_parser.h"
#include "set_matcher.h"

namespace ferry::regexp {

class PatternTable {
public:
    // Builds a table from file text; warnings go to warn (also kept for the
    // warnings a lookup may produce, e.g. a PCRE match limit).
    PatternTable(TableKind kind, const std::string &mapname,
                 std::string_view text, WarnFn warn,
                 SetMatcher::Backend backend = SetMatcher::Backend::automatic);

    // Returns true and sets value when a rule matched.
    bool lookup(std::string_view key, std::string &value);
    // The same answer without the set matcher and without the exact
    // matcher: the real engine only (for tests and fallback).
    bool lookup_linear(std::string_view key, std::string &value);

    size_t pattern_count() const { return patterns_; }
    size_t prefiltered_count() const { return prefiltered_; }
    size_t exact_count() const { return exact_count_; }
    const SetMatcher &set_matcher() const { return set_; }
    const std::vector<Rule> &rules() const { return table_.rules; }

    // For tests: the set matcher's opinion of every rule's first pattern
    // (1: may match, 0: cannot, -1: not in the set).
    std::vector<int> prefilter_view(std::string_view key);

private:
    enum class Cond { yes, no };
    Cond eval(const PatternRef &pat, int lineno, size_t ngroups,
              bool known_absent);
    bool finish(const Rule &rule, std::string &value);
    bool walk(std::string_view key, std::string &value, bool use_set);

    TableKind kind_;
    std::string mapname_;
    WarnFn warn_;
    ParsedTable table_;
    SetMatcher set_;
    ExactMatcher exact_;
    bool set_ok_ = false;
    size_t patterns_ = 0;
    size_t prefiltered_ = 0;
    size_t exact_count_ = 0;

    static constexpr size_t no_rule = static_cast<size_t>(-1);
    // Rules whose pattern is not in the set, in file order: visited always.
    std::vector<size_t> static_stops_;
    // Innermost enclosing IF of each rule, and each IF's set id, kept apart
    // from the (large) rules so the walk up an IF chain stays in cache.
    std::vector<size_t> parent_;
    std::vector<int> if_set_id_;
    std::vector<size_t> rule_of_set_id_; // set id -> rule index

    // Per-lookup scratch, kept to avoid allocations.
    std::string key_;
    bool key_plain_ = false; // the exact matcher may answer for key_
    std::vector<int> ids_;
    std::vector<size_t> dyn_stops_;
    std::vector<unsigned char> hit_; // per set id
};

} // namespace ferry::regexp
