// pattern_table.cpp - the lookup walk (see pattern_table.h).
//
// Postfix tries rule after rule.  We visit only "stops": rules whose
// pattern the set matcher says may match, and rules whose pattern is not in
// the set (every negated one, see the constructor), which the real engine
// must try.  An IF the set rules out is not visited either; a stop inside
// its block finds it through parent_ and jumps past its ENDIF, as Postfix
// would have on reaching the IF.  A regexp: rule with an exact translation
// and no $n is answered by RE2 on plain keys (see exact_matcher.h).  A
// pattern the set rules out is never run, so a real-engine error
// Postfix would have logged for it (a PCRE match limit) is not logged; the
// answer is the same, as Postfix treats such an error as "no match".
#include "pattern_table.h"

#include <algorithm>

#include "prefilter.h"

namespace ferry::regexp {

PatternTable::PatternTable(TableKind kind, const std::string &mapname,
                           std::string_view text, WarnFn warn,
                           SetMatcher::Backend backend)
    : kind_(kind), mapname_(mapname), warn_(std::move(warn)), set_(backend) {
    auto lines = read_logical_lines(text, mapname_, warn_);
    table_ = parse_rules(kind_, mapname_, lines, warn_);

    Engine &engine = *table_.engine;
    for (size_t r = 0; r < table_.rules.size(); ++r) {
        Rule &rule = table_.rules[r];
        if (rule.op == Rule::Op::endif)
            continue;
        ++patterns_;
        PatternRef &pat = rule.first;
        // A negated pattern stays out of the set: "cannot match" would make
        // it fire, but the real engine may instead fail on this key (PCRE
        // match limit), and Postfix then treats the condition as false.
        if (!pat.positive)
            continue;
        bool exact = false;
        auto text2 = kind_ == TableKind::regexp
                         ? translate_posix(pat.text, pat.opt, engine, &exact)
                         : translate_pcre(pat.text, pat.opt, engine);
        if (text2 && text2->size() < 64 * 1024)
            pat.set_id = set_.add(*text2);
        if (pat.set_id >= 0 && exact) {
            pat.exact_id = exact_.add(*text2);
            ++exact_count_;
        }
        if (pat.set_id >= 0) {
            if (rule_of_set_id_.size() <= static_cast<size_t>(pat.set_id))
                rule_of_set_id_.resize(pat.set_id + 1);
            rule_of_set_id_[pat.set_id] = r;
        }
    }
    set_ok_ = set_.compile();
    std::vector<size_t> open_ifs;
    parent_.assign(table_.rules.size(), no_rule);
    if_set_id_.assign(table_.rules.size(), -1);
    for (size_t r = 0; r < table_.rules.size(); ++r) {
        Rule &rule = table_.rules[r];
        if (!set_ok_)
            rule.first.set_id = -1;
        if (rule.op == Rule::Op::endif) {
            open_ifs.pop_back();
            continue;
        }
        parent_[r] = open_ifs.empty() ? no_rule : open_ifs.back();
        if (rule.op == Rule::Op::if_) {
            open_ifs.push_back(r);
            if_set_id_[r] = rule.first.set_id;
        }
        if (rule.first.set_id >= 0)
            ++prefiltered_;
        else
            static_stops_.push_back(r);
    }
    hit_.assign(set_.size(), 0);
}

PatternTable::Cond PatternTable::eval(const PatternRef &pat, int lineno,
                                      size_t ngroups, bool known_absent) {
    if (known_absent)
        return pat.positive ? Cond::no : Cond::yes;
    if (ngroups == 0 && pat.exact_id >= 0 && key_plain_) {
        int m = exact_.match(pat.exact_id, key_);
        if (m >= 0)
            return (m == 1) == pat.positive ? Cond::yes : Cond::no;
    }
    std::string why;
    MatchOutcome m = table_.engine->match(pat.engine_id, key_, ngroups, why);
    if (m == MatchOutcome::error) {
        // Postfix warns and treats the condition as false, whatever the
        // negation says.
        warn_(std::string(kind_name(kind_)) + " map " + mapname_ + ", line " +
              std::to_string(lineno) + ": " + why);
        return Cond::no;
    }
    return (m == MatchOutcome::match) == pat.positive ? Cond::yes : Cond::no;
}

bool PatternTable::finish(const Rule &rule, std::string &value) {
    value.clear();
    const Engine &engine = *table_.engine;
    rule.result->expand(
        key_, [&](size_t n, size_t &so, size_t &eo) { return engine.group(n, so, eo); },
        value);
    return true;
}

bool PatternTable::walk(std::string_view key, std::string &value, bool use_set) {
    // Postfix sees the key as a C string.
    size_t nul = key.find('\0');
    key_.assign(key.substr(0, nul));
    key_plain_ = use_set && ExactMatcher::plain_key(key_);

    bool have_set = use_set && set_ok_ && set_.match(key_, ids_);
    dyn_stops_.clear();
    if (have_set) {
        for (int id : ids_) {
            hit_[id] = 1;
            dyn_stops_.push_back(rule_of_set_id_[id]);
        }
        std::sort(dyn_stops_.begin(), dyn_stops_.end());
    }
    auto absent = [&](const PatternRef &pat) {
        return have_set && pat.set_id >= 0 && !hit_[pat.set_id];
    };

    const auto &rules = table_.rules;
    size_t si = 0, di = 0, pos = 0;
    bool found = false;
    for (;;) {
        size_t r;
        if (have_set) {
            while (si < static_stops_.size() && static_stops_[si] < pos)
                ++si;
            while (di < dyn_stops_.size() && dyn_stops_[di] < pos)
                ++di;
            size_t a = si < static_stops_.size() ? static_stops_[si] : rules.size();
            size_t b = di < dyn_stops_.size() ? dyn_stops_[di] : rules.size();
            r = std::min(a, b);
        } else {
            r = pos;
        }
        if (r >= rules.size())
            break;
        const Rule &rule = rules[r];
        pos = r + 1;
        if (rule.op == Rule::Op::endif)
            continue;
        if (have_set) {
            // An enclosing IF the set ruled out was never visited; it hides
            // this rule (and the rest of its block) as Postfix's jump would.
            size_t hidden = no_rule;
            for (size_t a = parent_[r]; a != no_rule; a = parent_[a]) {
                int id = if_set_id_[a];
                if (id >= 0 && !hit_[id])
                    hidden = a;
            }
            if (hidden != no_rule) {
                if (rules[hidden].endif == no_rule)
                    break;
                pos = rules[hidden].endif + 1;
                continue;
            }
        }
        if (rule.op == Rule::Op::if_) {
            if (eval(rule.first, rule.lineno, 0, absent(rule.first)) == Cond::yes)
                continue;
            if (rule.endif == no_rule)
                break; // an IF without ENDIF hides the rest of the file
            pos = rule.endif + 1;
            continue;
        }
        size_t ngroups = rule.result->max_group();
        if (eval(rule.first, rule.lineno, ngroups, absent(rule.first)) == Cond::no)
            continue;
        if (rule.has_second && eval(rule.second, rule.lineno, 0, false) == Cond::no)
            continue;
        found = finish(rule, value);
        break;
    }
    if (have_set)
        for (int id : ids_)
            hit_[id] = 0;
    return found;
}

bool PatternTable::lookup(std::string_view key, std::string &value) {
    return walk(key, value, true);
}

bool PatternTable::lookup_linear(std::string_view key, std::string &value) {
    return walk(key, value, false);
}

std::vector<int> PatternTable::prefilter_view(std::string_view key) {
    std::vector<int> view(table_.rules.size(), -1);
    std::vector<int> ids;
    std::string k(key.substr(0, key.find('\0')));
    bool ok = set_ok_ && set_.match(k, ids);
    for (size_t r = 0; r < table_.rules.size(); ++r)
        if (ok && table_.rules[r].op != Rule::Op::endif && table_.rules[r].first.set_id >= 0)
            view[r] = 0;
    if (ok)
        for (int id : ids)
            view[rule_of_set_id_[id]] = 1;
    return view;
}

} // namespace ferry::regexp
