// rule_parser.h - Postfix regexp_table(5) / pcre_table(5) rules.
//
// Turns logical lines into rules exactly as Postfix 3.7's dict_regexp.c and
// dict_pcre.c do, with their warnings word for word: a bad rule is skipped
// with a warning naming the map and line, never a fatal error.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "diagnostics.h"
#include "engine.h"
#include "line_reader.h"
#include "replacement.h"

namespace ferry::regexp {

enum class TableKind { regexp, pcre };

struct PatternRef {
    std::string text;    // the pattern between the delimiters
    PatternOptions opt;
    bool positive = true; // false for !/pattern/
    int engine_id = -1;
    int set_id = -1;      // filled in by the table; -1: always a candidate
    int exact_id = -1;    // filled in by the table: see exact_matcher.h
};

struct Rule {
    enum class Op { match, if_, endif };
    Op op = Op::match;
    int lineno = 0;
    PatternRef first;
    bool has_second = false; // regexp: /pattern1/!/pattern2/
    PatternRef second;
    std::optional<Replacement> result; // match rules only
    size_t endif = static_cast<size_t>(-1); // if rules: index of endif
};

struct ParsedTable {
    std::unique_ptr<Engine> engine;
    std::vector<Rule> rules;
};

const char *kind_name(TableKind kind);

ParsedTable parse_rules(TableKind kind, const std::string &mapname,
                        const std::vector<LogicalLine> &lines,
                        const WarnFn &warn);

} // namespace ferry::regexp
