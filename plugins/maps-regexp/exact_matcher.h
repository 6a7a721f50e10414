// exact_matcher.h - answer a rule without glibc where the answer is sure.
//
// glibc's regexec() builds its automaton lazily, pattern by pattern: the
// first key a pattern meets costs it 50-100 microseconds.  For a regexp:
// rule whose translation is exact (translate_posix says so: no widening,
// only the plain constructs glibc is known to get right) and whose result
// needs no $n, RE2 gives the same yes or no, provided the key is plain
// ASCII without a newline: then newline handling and RE2's Latin-1 case
// folding cannot differ from glibc's C locale.  PatternTable asks this
// matcher only then, and glibc otherwise.  Each RE2 is compiled on first
// use, so opening a table costs nothing more.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::regexp {

class ExactMatcher {
public:
    ExactMatcher();
    ~ExactMatcher();
    ExactMatcher(const ExactMatcher &) = delete;
    ExactMatcher &operator=(const ExactMatcher &) = delete;

    // Keeps an exact translation; returns its id.
    int add(const std::string &re2_text);
    // 1: key matches, 0: it does not, -1: cannot tell (RE2 refused the
    // pattern; ask the real engine).
    int match(int id, std::string_view key);

    // Whether a key is one this matcher may answer for.
    static bool plain_key(std::string_view key);

private:
    struct Entry;
    std::vector<std::unique_ptr<Entry>> entries_;
};

} // namespace ferry::regexp
