// prefilter_pcre.cpp - PCRE2 (10.42, no UTF) to an RE2 superset.
//
// Inline option changes are followed only for i (which decides how a
// negated class is built); (?x), (?^), verbs "(*...)", conditionals,
// recursion, callouts, \g, \k, \c, \o, \p, \X and multi-digit
// back-references make the rule an always-candidate.  An unescaped "{" that
// is not a complete {n}, {n,} or {n,m} does too (PCRE treats it as a
// literal, but the rules for that changed between PCRE2 releases).
#include "bracket.h"
#include "prefilter.h"

#include <cctype>
#include <optional>
#include <vector>

namespace ferry::regexp {

using detail::emit_byte;
using detail::emit_set;

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_pcre_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

struct Frame {
    bool caseless;
    bool discard;      // lookaround: contents replaced by an empty match
    size_t out_start;  // where this group's text starts in out
};

class PcreTranslator {
public:
    PcreTranslator(const std::string &re, const PatternOptions &opt, Engine &engine)
        : re_(re), opt_(opt), engine_(engine) {}

    std::optional<std::string> run() {
        any_caseless_ = opt_.caseless;
        frames_.push_back({opt_.caseless, false, 0});
        while (i_ < re_.size()) {
            skip_extended();
            if (i_ >= re_.size())
                break;
            if (!step())
                return std::nullopt;
        }
        if (frames_.size() != 1)
            return std::nullopt;
        std::string text = opt_.anchored ? "\\A(?:" + out_ + ")" : out_;
        return text;
    }

    bool any_caseless() const { return any_caseless_; }

private:
    bool caseless() const { return frames_.back().caseless; }

    void skip_extended() {
        if (!opt_.pcre_extended)
            return;
        for (;;) {
            while (i_ < re_.size() && is_pcre_space(re_[i_]))
                ++i_;
            if (i_ < re_.size() && re_[i_] == '#') {
                while (i_ < re_.size() && re_[i_] != '\n')
                    ++i_;
                continue;
            }
            return;
        }
    }

    bool probe_atom(const std::string &atom) {
        PatternOptions o = opt_;
        o.caseless = caseless();
        auto set = engine_.probe(atom, o);
        if (!set || set->none())
            return false;
        emit_set(out_, *set);
        have_atom_ = true;
        return true;
    }

    void literal(unsigned char c) {
        emit_byte(out_, c);
        have_atom_ = true;
    }

    bool quantifier() {
        if (!have_atom_)
            return false;
        char c = re_[i_];
        if (c == '{') {
            size_t j = i_ + 1;
            std::string lo, hi;
            bool comma = false;
            while (j < re_.size() && is_digit(re_[j]))
                lo += re_[j++];
            if (j < re_.size() && re_[j] == ',') {
                comma = true;
                ++j;
                while (j < re_.size() && is_digit(re_[j]))
                    hi += re_[j++];
            }
            if (lo.empty() || j >= re_.size() || re_[j] != '}' ||
                lo.size() > 5 || hi.size() > 5)
                return false;
            out_ += "{" + lo + (comma ? "," + hi : "") + "}";
            i_ = j + 1;
        } else {
            out_ += c;
            ++i_;
        }
        // Lazy and possessive forms accept no more than the greedy one.
        if (i_ < re_.size() && (re_[i_] == '?' || re_[i_] == '+'))
            ++i_;
        have_atom_ = false;
        skip_extended();
        if (i_ < re_.size() &&
            (re_[i_] == '*' || re_[i_] == '+' || re_[i_] == '?' || re_[i_] == '{'))
            return false;
        return true;
    }

    bool escape() {
        if (i_ + 1 >= re_.size())
            return false;
        char e = re_[i_ + 1];
        if (e == 'Q') {
            size_t end = re_.find("\\E", i_ + 2);
            size_t stop = end == std::string::npos ? re_.size() : end;
            for (size_t k = i_ + 2; k < stop; ++k)
                literal(static_cast<unsigned char>(re_[k]));
            i_ = end == std::string::npos ? re_.size() : end + 2;
            return true;
        }
        if (e == 'E') {
            i_ += 2;
            return true;
        }
        if (e >= '1' && e <= '9') {
            if (i_ + 2 < re_.size() && is_digit(re_[i_ + 2]))
                return false;
            out_ += "(?s:.*)";
            have_atom_ = true;
            i_ += 2;
            return true;
        }
        switch (e) {
        case 'b': case 'B': case 'G': case 'K':
            out_ += "(?:)";
            have_atom_ = false;
            i_ += 2;
            return true;
        case 'A':
            out_ += "\\A";
            have_atom_ = false;
            i_ += 2;
            return true;
        case 'z':
            out_ += "\\z";
            have_atom_ = false;
            i_ += 2;
            return true;
        case 'Z':
            out_ += "$";
            have_atom_ = false;
            i_ += 2;
            return true;
        case 'R':
            out_ += "(?s:.{1,2})";
            have_atom_ = true;
            i_ += 2;
            return true;
        case 'd': case 'D': case 'w': case 'W': case 's': case 'S':
        case 'h': case 'H': case 'v': case 'V': case 'N': case 'n':
        case 't': case 'r': case 'f': case 'e': case 'a':
            if (!probe_atom(re_.substr(i_, 2)))
                return false;
            i_ += 2;
            return true;
        case 'C':
            out_ += "(?s:.)";
            have_atom_ = true;
            i_ += 2;
            return true;
        case '0': {
            size_t j = i_ + 2;
            while (j < re_.size() && j < i_ + 4 && re_[j] >= '0' && re_[j] <= '7')
                ++j;
            if (!probe_atom(re_.substr(i_, j - i_)))
                return false;
            i_ = j;
            return true;
        }
        case 'x': {
            size_t j = i_ + 2;
            if (j < re_.size() && re_[j] == '{') {
                size_t close = re_.find('}', j);
                if (close == std::string::npos)
                    return false;
                j = close + 1;
            } else {
                while (j < re_.size() && j < i_ + 4 &&
                       std::isxdigit(static_cast<unsigned char>(re_[j])))
                    ++j;
            }
            if (!probe_atom(re_.substr(i_, j - i_)))
                return false;
            i_ = j;
            return true;
        }
        default:
            break;
        }
        if (std::isalnum(static_cast<unsigned char>(e)))
            return false;
        literal(static_cast<unsigned char>(e));
        i_ += 2;
        return true;
    }

    bool open_group() {
        // re_[i_] == '('
        if (i_ + 1 < re_.size() && re_[i_ + 1] == '*')
            return false; // verbs and (*pla:...) style assertions
        if (i_ + 1 >= re_.size() || re_[i_ + 1] != '?') {
            push(false, caseless());
            i_ += 1;
            return true;
        }
        size_t j = i_ + 2;
        if (j >= re_.size())
            return false;
        char k = re_[j];
        if (k == '#') {
            size_t close = re_.find(')', j);
            if (close == std::string::npos)
                return false;
            i_ = close + 1;
            return true;
        }
        if (k == ':' || k == '|' || k == '>') {
            push(false, caseless());
            i_ = j + 1;
            return true;
        }
        if (k == '=' || k == '!') {
            push(true, caseless());
            i_ = j + 1;
            return true;
        }
        if (k == '<' && j + 1 < re_.size() && (re_[j + 1] == '=' || re_[j + 1] == '!')) {
            push(true, caseless());
            i_ = j + 2;
            return true;
        }
        if (k == '<' || k == '\'' || (k == 'P' && j + 1 < re_.size() && re_[j + 1] == '<')) {
            char close_ch = k == '\'' ? '\'' : '>';
            size_t close = re_.find(close_ch, k == 'P' ? j + 2 : j + 1);
            if (close == std::string::npos)
                return false;
            push(false, caseless());
            i_ = close + 1;
            return true;
        }
        if (k == 'P' && j + 1 < re_.size() && re_[j + 1] == '=') {
            size_t close = re_.find(')', j);
            if (close == std::string::npos)
                return false;
            out_ += "(?s:.*)";
            have_atom_ = true;
            i_ = close + 1;
            return true;
        }
        // Option setting: (?imsnUJ-imsnUJ) or (?...: ...).
        bool on = true;
        bool ci = caseless();
        size_t m = j;
        for (; m < re_.size(); ++m) {
            char o = re_[m];
            if (o == ')' || o == ':')
                break;
            if (o == '-') {
                if (!on)
                    return false;
                on = false;
            } else if (o == 'i') {
                ci = on;
                if (on)
                    any_caseless_ = true;
            } else if (o == 'm' || o == 's' || o == 'n' || o == 'U' || o == 'J') {
                // no effect on which strings match at all
            } else {
                return false;
            }
        }
        if (m >= re_.size())
            return false;
        if (re_[m] == ')') {
            frames_.back().caseless = ci;
            i_ = m + 1;
            return true;
        }
        push(false, ci);
        i_ = m + 1;
        return true;
    }

    void push(bool discard, bool ci) {
        frames_.push_back({ci, discard, out_.size()});
        out_ += "(?:";
        have_atom_ = false;
    }

    bool close_group() {
        if (frames_.size() <= 1)
            return false;
        Frame f = frames_.back();
        frames_.pop_back();
        if (f.discard) {
            // A lookaround only restricts where a match may be; dropping it
            // accepts more, never less.
            out_.resize(f.out_start);
            out_ += "(?:)";
        } else {
            out_ += ')';
        }
        have_atom_ = true;
        ++i_;
        return true;
    }

    bool step() {
        char c = re_[i_];
        switch (c) {
        case '\\':
            return escape();
        case '[': {
            bool quoted = false;
            size_t end = pcre_bracket_end(re_, i_, &quoted);
            if (end == no_bracket_end || quoted)
                return false;
            std::string cls = re_.substr(i_, end + 1 - i_);
            if (cls == "[[:<:]]" || cls == "[[:>:]]") {
                out_ += "(?:)";
                have_atom_ = false;
            } else if (!probe_atom(cls)) {
                return false;
            }
            i_ = end + 1;
            return true;
        }
        case '(':
            return open_group();
        case ')':
            return close_group();
        case '|':
            out_ += '|';
            have_atom_ = false;
            ++i_;
            return true;
        case '^':
        case '$':
            out_ += c;
            have_atom_ = false;
            ++i_;
            return true;
        case '.':
            out_ += "(?s:.)";
            have_atom_ = true;
            ++i_;
            return true;
        case '*':
        case '+':
        case '?':
        case '{':
            return quantifier();
        default:
            literal(static_cast<unsigned char>(c));
            ++i_;
            return true;
        }
    }

    const std::string &re_;
    const PatternOptions &opt_;
    Engine &engine_;
    std::string out_;
    std::vector<Frame> frames_;
    size_t i_ = 0;
    bool have_atom_ = false;
    bool any_caseless_ = false;
};

} // namespace

std::optional<std::string> translate_pcre(const std::string &re,
                                          const PatternOptions &opt,
                                          Engine &engine) {
    PcreTranslator t(re, opt, engine);
    auto text = t.run();
    if (!text)
        return std::nullopt;
    // The caller compiles the set case-insensitively per pattern; tell it
    // through the text itself.
    return (t.any_caseless() ? "(?i:" : "(?:") + *text + ")";
}

} // namespace ferry::regexp
