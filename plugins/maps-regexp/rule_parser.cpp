// rule_parser.cpp - rule syntax and compile-time checks (see rule_parser.h).
//
// Ferry's one intended difference from Postfix lives in find_close(): when
// looking for the closing delimiter, a bracket expression "[...]" (including
// "[]...]" and "[^]...]") is one unit, so the FAQ's `/[/|]/ REJECT` is the
// pattern "[/|]" as its readers expect.  Postfix 3.7 stops at the "/" inside
// the brackets, warns `unknown regexp option "|"` and skips the rule, which
// lets "|command" addresses through.  When no closing "]" exists, the "["
// is an ordinary character, exactly as in Postfix.
#include "rule_parser.h"

#include <cctype>
#include <cstring>
#include <strings.h>

#include "bracket.h"

namespace ferry::regexp {

namespace {

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

class Parser {
public:
    Parser(TableKind kind, const std::string &mapname, const WarnFn &warn)
        : kind_(kind), mapname_(mapname), warn_(warn) {}

    ParsedTable run(const std::vector<LogicalLine> &lines) {
        table_.engine = kind_ == TableKind::regexp ? make_posix_engine()
                                                   : make_pcre_engine();
        std::vector<size_t> stack; // open if rules
        for (const LogicalLine &line : lines) {
            lineno_ = line.lineno;
            std::optional<Rule> rule = parse_line(line.text, stack.size());
            if (!rule)
                continue;
            if (rule->op == Rule::Op::if_) {
                stack.push_back(table_.rules.size());
            } else if (rule->op == Rule::Op::endif) {
                table_.rules[stack.back()].endif = table_.rules.size();
                stack.pop_back();
            }
            table_.rules.push_back(std::move(*rule));
        }
        // Postfix reports the innermost unclosed IF first.
        while (!stack.empty()) {
            lineno_ = table_.rules[stack.back()].lineno;
            warn_at("IF has no matching ENDIF");
            stack.pop_back();
        }
        return std::move(table_);
    }

private:
    void warn_at(const std::string &what) {
        warn_(std::string(kind_name(kind_)) + " map " + mapname_ + ", line " +
              std::to_string(lineno_) + ": " + what);
    }

    // Index of the closing delimiter in s from `from`, or npos.  Postfix's
    // scan (backslash escapes the next character) plus bracket units.
    size_t find_close(const std::string &s, size_t from, char delim) {
        size_t p = from;
        while (p < s.size()) {
            if (s[p] == '\\') {
                if (p + 1 < s.size())
                    ++p;
                else
                    break;
            } else if (s[p] == delim) {
                return p;
            } else if (s[p] == '[') {
                size_t end = kind_ == TableKind::regexp ? posix_bracket_end(s, p)
                                                        : pcre_bracket_end(s, p);
                if (end != no_bracket_end)
                    p = end;
            }
            ++p;
        }
        return std::string::npos;
    }

    // One /pattern/flags with leading negations, from s[p]; advances p.
    bool get_pattern(const std::string &s, size_t &p, PatternRef &pat) {
        pat.positive = true;
        for (;; ++p) {
            if (p < s.size() && s[p] == '!')
                pat.positive = !pat.positive;
            else if (p >= s.size() || !is_space(s[p]))
                break;
        }
        if (p >= s.size()) {
            warn_at("no regexp: skipping this rule");
            return false;
        }
        char delim = s[p++];
        size_t close = find_close(s, p, delim);
        if (close == std::string::npos) {
            warn_at(std::string("no closing regexp delimiter \"") + delim +
                    (kind_ == TableKind::regexp ? "\": skipping this rule"
                                                : "\": ignoring this rule"));
            return false;
        }
        pat.text = s.substr(p, close - p);
        p = close + 1;
        PatternOptions &o = pat.opt;
        o = PatternOptions{};
        if (kind_ == TableKind::pcre)
            o.extended = false; // meaningless for PCRE; keeps options tidy
        while (p < s.size() && !is_space(s[p]) &&
               !(kind_ == TableKind::regexp && s[p] == '!')) {
            char f = s[p];
            bool known = true;
            if (f == 'i')
                o.caseless = !o.caseless;
            else if (f == 'm')
                o.multiline = !o.multiline;
            else if (kind_ == TableKind::regexp && f == 'x')
                o.extended = !o.extended;
            else if (kind_ == TableKind::pcre && f == 's')
                o.dotall = !o.dotall;
            else if (kind_ == TableKind::pcre && f == 'x')
                o.pcre_extended = !o.pcre_extended;
            else if (kind_ == TableKind::pcre && f == 'A')
                o.anchored = !o.anchored;
            else if (kind_ == TableKind::pcre && f == 'E')
                o.dollar_endonly = !o.dollar_endonly;
            else if (kind_ == TableKind::pcre && f == 'U')
                o.ungreedy = !o.ungreedy;
            else if (kind_ == TableKind::pcre && f == 'X')
                // PCRE2 has no PCRE_EXTRA; Postfix built with PCRE2 says so.
                warn_at(std::string("ignoring obsolete regexp option \"") + f + "\"");
            else
                known = false;
            if (!known) {
                warn_at(std::string("unknown regexp option \"") + f +
                        "\": skipping this rule");
                return false;
            }
            ++p;
        }
        return true;
    }

    bool compile(PatternRef &pat, bool need_groups) {
        std::string why;
        pat.engine_id = table_.engine->compile(pat.text, pat.opt, need_groups, why);
        if (pat.engine_id < 0) {
            warn_at(why);
            return false;
        }
        return true;
    }

    std::optional<Rule> parse_match(const std::string &s) {
        Rule rule;
        rule.op = Rule::Op::match;
        rule.lineno = lineno_;
        size_t p = 0;
        if (!get_pattern(s, p, rule.first))
            return std::nullopt;
        if (kind_ == TableKind::regexp && p < s.size() && s[p] == '!') {
            if (!get_pattern(s, p, rule.second))
                return std::nullopt;
            rule.has_second = true;
        }
        while (p < s.size() && is_space(s[p]))
            ++p;
        if (p >= s.size())
            warn_at("no replacement text: using empty string");
        rule.result = Replacement::parse(std::string_view(s).substr(p),
                                         kind_name(kind_), mapname_, lineno_, warn_);
        if (!rule.result) {
            warn_at("bad replacement syntax: skipping this rule");
            return std::nullopt;
        }
        size_t max_sub = rule.result->max_group();
        if (max_sub > 0 && !rule.first.positive) {
            warn_at("$number found in negative match replacement text: "
                    "skipping this rule");
            return std::nullopt;
        }
        if (!compile(rule.first, max_sub > 0))
            return std::nullopt;
        if (max_sub > table_.engine->group_count(rule.first.engine_id)) {
            warn_at("out of range replacement index \"" +
                    std::to_string(static_cast<int>(max_sub)) +
                    "\": skipping this rule");
            return std::nullopt;
        }
        if (rule.has_second && !compile(rule.second, false))
            return std::nullopt;
        return rule;
    }

    std::optional<Rule> parse_line(const std::string &s, size_t nesting) {
        if (!is_alnum(s[0]))
            return parse_match(s);
        if (strncasecmp(s.c_str(), "IF", 2) == 0 && !is_alnum(s[2])) {
            Rule rule;
            rule.op = Rule::Op::if_;
            rule.lineno = lineno_;
            size_t p = 2;
            while (p < s.size() && is_space(s[p]))
                ++p;
            if (!get_pattern(s, p, rule.first))
                return std::nullopt;
            while (p < s.size() && is_space(s[p]))
                ++p;
            if (p < s.size()) {
                warn_at("ignoring extra text after IF statement: \"" + s.substr(p) + "\"");
                warn_at("do not prepend whitespace to statements between IF and ENDIF");
            }
            // Postfix compiles an IF pattern without REG_NOSUB, and glibc
            // does not always answer the same with it (see
            // prefilter_posix.cpp), so neither do we.
            if (!compile(rule.first, true))
                return std::nullopt;
            return rule;
        }
        if (strncasecmp(s.c_str(), "ENDIF", 5) == 0 && !is_alnum(s[5])) {
            if (nesting == 0) {
                warn_at("ignoring ENDIF without matching IF");
                return std::nullopt;
            }
            size_t p = 5;
            while (p < s.size() && is_space(s[p]))
                ++p;
            if (p < s.size())
                warn_at("ignoring extra text after ENDIF");
            Rule rule;
            rule.op = Rule::Op::endif;
            rule.lineno = lineno_;
            return rule;
        }
        warn_at("ignoring unrecognized request");
        return std::nullopt;
    }

    TableKind kind_;
    const std::string &mapname_;
    const WarnFn &warn_;
    int lineno_ = 0;
    ParsedTable table_;
};

} // namespace

const char *kind_name(TableKind kind) {
    return kind == TableKind::regexp ? "regexp" : "pcre";
}

ParsedTable parse_rules(TableKind kind, const std::string &mapname,
                        const std::vector<LogicalLine> &lines,
                        const WarnFn &warn) {
    return Parser(kind, mapname, warn).run(lines);
}

} // namespace ferry::regexp
