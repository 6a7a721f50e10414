// prefilter_test.cpp - the set matcher never changes an answer.
//
// Uses the table code directly (not the C ABI) to compare each lookup with
// the set matcher against the plain rule-by-rule walk with the real engine,
// over random patterns and keys, and to pin which constructs are handed to
// RE2 and which make a rule an always-candidate.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "pattern_table.h"
#include "prefilter.h"

namespace {

using ferry::regexp::PatternTable;
using ferry::regexp::SetMatcher;
using ferry::regexp::TableKind;

// Key or pattern with every byte outside printable ASCII as \xHH.
std::string shown(const std::string &s) {
    std::string out;
    for (unsigned char c : s) {
        if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
        } else {
            char buf[8];
            std::snprintf(buf, sizeof(buf), "\\x%02x", c);
            out += buf;
        }
    }
    return out;
}

PatternTable make(TableKind kind, const std::string &text,
                  std::vector<std::string> *warnings = nullptr,
                  SetMatcher::Backend backend = SetMatcher::Backend::automatic) {
    return PatternTable(
        kind, "test", text,
        [warnings](const std::string &w) {
            if (warnings)
                warnings->push_back(w);
        },
        backend);
}

// Whether the first rule's pattern went into the set matcher.
bool in_set(TableKind kind, const std::string &rule) {
    PatternTable t = make(kind, rule + "\n");
    EXPECT_EQ(t.rules().size(), 1u) << rule;
    return t.rules().size() == 1 && t.rules()[0].first.set_id >= 0;
}

TEST(Prefilter, CommonPosixPatternsGoToTheSet) {
    for (const char *rule : {"/^user@example\\.com$/ OK", "/\\.(com|net)$/ X",
                             "/^[[:alpha:]]+[0-9]{1,3}$/ X", "/[^@]+@[^.]+\\./ X",
                             "/\\<bob\\>/ X", "/a{,3}b/ X", "/(ab)\\1/ X", "/\\w+\\s/ X"})
        EXPECT_TRUE(in_set(TableKind::regexp, rule)) << rule;
}

TEST(Prefilter, CommonPcrePatternsGoToTheSet) {
    for (const char *rule : {"/^(?!owner-)(.*)-outgoing@(.*)/ X", "/\\d+\\.\\d+/ X",
                             "/a++b/ X", "/(?i)x(?-i)Y/ X", "/(?<=@)sub\\./ X",
                             "/\\bbob\\b/ X", "/[\\w.-]+@/ X", "/\\Q$.\\E/ X",
                             "/(?<name>x)(?P=name)/ X", "/^ a b $/x X", "/c/A X"})
        EXPECT_TRUE(in_set(TableKind::pcre, rule)) << rule;
}

TEST(Prefilter, UnsureConstructsAreAlwaysCandidates) {
    for (const char *rule : {"/a\\{2\\}/x X", "/a**/ X", "/a\\0/ X"})
        EXPECT_FALSE(in_set(TableKind::regexp, rule)) << rule;
    for (const char *rule : {"/(?x) a b/ X", "/(*UTF)a/ X", "/(a)?(?(1)b|c)/ X",
                             "/(a)\\g1/ X", "/a{,3}/ X", "/\\p{L}/ X", "/(a)\\12/ X",
                             "/(?R)?/ X"})
        EXPECT_FALSE(in_set(TableKind::pcre, rule)) << rule;
}

TEST(Prefilter, NegatedPatternsStayOutOfTheSet) {
    EXPECT_FALSE(in_set(TableKind::regexp, "!/@/ X"));
    PatternTable t = make(TableKind::pcre, "if !/@/\n/x/ X\nendif\n");
    EXPECT_LT(t.rules()[0].first.set_id, 0);
    EXPECT_GE(t.rules()[1].first.set_id, 0);
}

bool exact(const std::string &pattern) {
    auto engine = ferry::regexp::make_posix_engine();
    ferry::regexp::PatternOptions opt;
    bool sure = true;
    auto text = ferry::regexp::translate_posix(pattern, opt, *engine, &sure);
    EXPECT_TRUE(text.has_value()) << pattern;
    return text && sure;
}

TEST(Prefilter, PlainPosixPatternsAreExact) {
    for (const char *p : {"^abc.*def$", "abc[0-9]+def", "a|b", "(ab|cd)e", "x{2,3}y",
                          "^[^@]+@example\\.com$", "\\w+\\s?", "^a|b$"})
        EXPECT_TRUE(exact(p)) << p;
}

TEST(Prefilter, WidenedOrQuirkyPosixPatternsAreNotExact) {
    for (const char *p : {"(ab)*", "(a|b){2}", "a|", "|a", "(|a)", "()", "\\<a", "a\\b",
                          "(a)\\1", "a^b", "a$b", "(^a)", "(a$)"})
        EXPECT_FALSE(exact(p)) << p;
}

// ------------------------------------------------------------ random

class Random {
public:
    explicit Random(unsigned seed) : rng_(seed) {}
    size_t below(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
    template <class T> const T &pick(const std::vector<T> &v) { return v[below(v.size())]; }

    std::string pattern(TableKind kind, int depth = 0) {
        static const std::vector<std::string> common = {
            "a", "b", "x", "@", "\\.", ".", "[a-c]", "[^@]", "[[:digit:]]", "[[:upper:]]",
            "[^a-z]", "[]a]", "[^]a]", "[-a]", "\xe9", "[\xe9]", "[^\xc9]", "Z", "0", " ",
            "[[:space:]]", "[^[:lower:]]", "[+-Z]", "[^+-Z]", "$", "^", "abc", "xa@",
            "B.c", "a@Z", "\\.ab"};
        static const std::vector<std::string> posix = {
            "\\w", "\\W", "\\s", "\\S", "\\<", "\\>", "\\b", "\\n", "\\(", "[\\.]", "[[.a.]]",
            "[[=a=]]", "\\1"};
        static const std::vector<std::string> pcre = {
            "\\d", "\\w", "\\s", "\\W", "\\S", "\\b", "\\x41", "\\n", "\\h", "\\v", "\\N",
            "(?=a)", "(?!b)", "(?<=@)", "(?<!x)", "\\Q.\\E", "[\\d@]", "[^\\w.]", "(?i)",
            "(?-i)", "[\\x41-\\x43]", "\\001", "\\R", "\\Z", "\\z", "\\A", "[[:^alpha:]]", "\\1"};
        static const std::vector<std::string> quant_posix = {"", "", "", "*", "+", "?", "{2}",
                                                             "{1,3}", "{,2}"};
        static const std::vector<std::string> quant_pcre = {"", "", "", "*", "+", "?", "{2}",
                                                            "{1,3}", "*?", "++", "?+"};
        std::string out;
        size_t parts = 1 + below(4);
        for (size_t i = 0; i < parts; ++i) {
            if (depth < 2 && below(5) == 0) {
                std::string inner = pattern(kind, depth + 1);
                if (below(2))
                    inner += "|" + pattern(kind, depth + 1);
                std::string open = kind == TableKind::pcre && below(3) == 0
                                       ? pick(std::vector<std::string>{"(?:", "(?>", "(?i:", "(?|"})
                                       : "(";
                out += open + inner + ")";
            } else {
                bool special = below(3) == 0;
                out += special ? pick(kind == TableKind::pcre ? pcre : posix) : pick(common);
            }
            if (below(3) == 0)
                out += pick(kind == TableKind::pcre ? quant_pcre : quant_posix);
        }
        return out;
    }

    std::string key() {
        static const std::string alphabet = "abcxABCXZ0@. -_]\n\t\xe9\xc9\x85\xa0+";
        // Pieces that spell the multi-byte literals of pattern(), in both
        // cases, so the literal database is tested on hits as well.
        static const std::vector<std::string> pieces = {"abc", "ABC", "xa@", "XA@z",
                                                        "b.c", "a@z", ".AB", "\xc9" "abc"};
        std::string k;
        size_t n = below(9);
        for (size_t i = 0; i < n; ++i)
            k += below(5) == 0 ? pick(pieces) : std::string(1, alphabet[below(alphabet.size())]);
        return k;
    }

private:
    std::mt19937 rng_;
};

void check_random_tables(TableKind kind, unsigned seed,
                         SetMatcher::Backend backend = SetMatcher::Backend::automatic) {
    Random r(seed);
    size_t compared = 0, found = 0;
    size_t prefiltered = 0, patterns = 0;
    for (int round = 0; round < 40; ++round) {
        std::string text;
        int depth = 0;
        for (int i = 0; i < 40; ++i) {
            std::string p = r.pattern(kind);
            if (p.find('/') != std::string::npos)
                continue;
            if (r.below(15) == 0) {
                text += std::string("if ") + (r.below(3) == 0 ? "!" : "") + "/" + p + "/\n";
                ++depth;
                continue;
            }
            if (depth > 0 && r.below(10) == 0) {
                text += "endif\n";
                --depth;
            }
            static const std::vector<std::string> flags_regexp = {"", "", "i", "m"};
            static const std::vector<std::string> flags_pcre = {"", "", "i", "s", "m", "x",
                                                                "A", "E", "U", "is"};
            const std::string &flags = r.pick(kind == TableKind::pcre ? flags_pcre : flags_regexp);
            text += (r.below(20) == 0 ? "!/" : "/") + p + "/" + flags + " R" +
                    std::to_string(i) + "\n";
        }
        PatternTable table = make(kind, text, nullptr, backend);
        patterns += table.pattern_count();
        prefiltered += table.prefiltered_count();
        for (int k = 0; k < 300; ++k) {
            std::string key = r.key();
            std::string a, b;
            bool fa = table.lookup(key, a);
            bool fb = table.lookup_linear(key, b);
            ASSERT_EQ(fa, fb) << "key [" << shown(key) << "] table:\n" << shown(text);
            ASSERT_EQ(a, b) << "key [" << shown(key) << "] table:\n" << shown(text);
            ++compared;
            found += fa;
        }
    }
    EXPECT_GT(found, compared / 10);
    // Most random patterns should be representable, or the test proves little.
    EXPECT_GT(prefiltered * 10, patterns * 5) << prefiltered << " of " << patterns;
}

// The sanitizer build runs with FERRY_TEST_SCALE=small (scripts/test.sh):
// one seed of random tables there, all three in the plain build.
std::vector<unsigned> random_table_seeds() {
    const char *scale = std::getenv("FERRY_TEST_SCALE");
    if (scale && std::string(scale) == "small")
        return {1u};
    return {1u, 2u, 3u};
}

TEST(Prefilter, RandomPosixTablesAnswerAsTheRealEngine) {
    for (unsigned seed : random_table_seeds())
        check_random_tables(TableKind::regexp, seed);
}

TEST(Prefilter, RandomPcreTablesAnswerAsTheRealEngine) {
    for (unsigned seed : random_table_seeds())
        check_random_tables(TableKind::pcre, seed);
}

// Keys of plain ASCII without a newline, rules without $n: the exact
// matcher answers most rules, and must agree with glibc every time.
TEST(Prefilter, ExactRulesAnswerAsGlibcOnPlainKeys) {
    Random r(21);
    size_t compared = 0, found = 0, exact_rules = 0;
    for (int round = 0; round < 40; ++round) {
        std::string text;
        for (int i = 0; i < 30; ++i) {
            std::string p = r.pattern(TableKind::regexp);
            if (p.find('/') != std::string::npos)
                continue;
            text += (r.below(4) == 0 ? "if /" + p + "/\n" : "") + "/" + p + "/" +
                    (r.below(3) == 0 ? "i" : "") + " R" + std::to_string(i) + "\n";
        }
        PatternTable table = make(TableKind::regexp, text);
        exact_rules += table.exact_count();
        for (int k = 0; k < 300; ++k) {
            std::string key = r.key();
            key.erase(std::remove_if(key.begin(), key.end(),
                                     [](char c) {
                                         return c == '\n' || static_cast<unsigned char>(c) >= 0x80;
                                     }),
                      key.end());
            std::string a, b;
            bool fa = table.lookup(key, a);
            bool fb = table.lookup_linear(key, b);
            ASSERT_EQ(fa, fb) << "key [" << shown(key) << "] table:\n" << shown(text);
            ASSERT_EQ(a, b) << "key [" << shown(key) << "] table:\n" << shown(text);
            ++compared;
            found += fa;
        }
    }
    EXPECT_GT(found, compared / 10);
    EXPECT_GT(exact_rules, 40u * 30u / 3) << "too few exact rules to prove anything";
}

TEST(Prefilter, RandomTablesAnswerAsTheRealEngineWithRe2Only) {
    check_random_tables(TableKind::regexp, 4, SetMatcher::Backend::re2_only);
    check_random_tables(TableKind::pcre, 4, SetMatcher::Backend::re2_only);
}

// Per pattern, not per table: a rule the real engine matches must never be
// ruled out by the set (a later rule could otherwise hide the miss).
void check_no_false_negatives(TableKind kind, unsigned seed) {
    Random r(seed);
    size_t checked = 0;
    for (int i = 0; i < 600; ++i) {
        std::string p = r.pattern(kind);
        if (p.find('/') != std::string::npos)
            continue;
        static const std::vector<std::string> flags = {"", "i", "m"};
        std::string table_text = "/" + p + "/" + r.pick(flags) + " HIT\n";
        PatternTable table = make(kind, table_text);
        if (table.rules().empty() || table.rules()[0].first.set_id < 0)
            continue;
        for (int k = 0; k < 100; ++k) {
            std::string key = r.key(), v;
            if (!table.lookup_linear(key, v))
                continue;
            std::vector<int> view = table.prefilter_view(key);
            ASSERT_EQ(view[0], 1) << "rule " << shown(table_text) << " key [" << shown(key) << "]";
            ++checked;
        }
    }
    EXPECT_GT(checked, 1000u);
}

TEST(Prefilter, SetNeverRulesOutAMatchingPosixPattern) {
    check_no_false_negatives(TableKind::regexp, 11);
}

TEST(Prefilter, SetNeverRulesOutAMatchingPcrePattern) {
    check_no_false_negatives(TableKind::pcre, 12);
}

} // namespace
