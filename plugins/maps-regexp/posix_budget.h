// posix_budget.h - a bound on what glibc regcomp() will build.
//
// glibc expands every repetition by copying the repeated subexpression:
// "x+" becomes "xx*" and "x{3,5}" five copies of x, so stacked or nested
// repetitions multiply ("a+++++++++++++++++" is 2^17 copies).  Worse, a
// repetition of something that can match the empty string ("(a*)+") makes
// its epsilon closures quadratic in the copies: "%*++++++++++++)++", 20
// bytes, takes regcomp() minutes and gigabytes, in Postfix as in any
// program that calls it.  Before compiling, Ferry estimates both costs
// from the pattern text and refuses a pattern above the budget with a clear
// reason (real tables stay orders of magnitude below it), and test-compiles
// risky patterns in a child process first (see posix_compile_is_safe).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ferry::regexp {

struct PosixCost {
    size_t nodes = 0;   // parse-tree nodes after expanding repetitions
    size_t closure = 0; // squared size of repeated nullable subexpressions
};

// Largest costs Ferry compiles (about 50 MB and a fraction of a second of
// regcomp() at worst).
inline constexpr size_t posix_node_budget = 50000;
inline constexpr size_t posix_closure_budget = 4000000;

// Upper estimate of regcomp()'s costs for `re`; each figure saturates just
// above its budget.  `extended` selects ERE (REG_EXTENDED) or BRE syntax.
PosixCost posix_compile_cost(std::string_view re, bool extended);

// False, with the reason in why, when `re` is over budget.
bool posix_within_budget(std::string_view re, bool extended, std::string &why);

// The estimate cannot foresee every blowup: glibc's epsilon-closure step is
// exponential for some nests of repetitions over empty matches ("^()*++++"
// takes minutes).  A pattern that repeats anything that can match empty, or
// is large, is first compiled in a child process under a CPU and memory
// limit; only if that finishes is it compiled for real.  Everyday patterns
// never pay for the child.
inline constexpr size_t posix_trial_nodes = 5000;
inline constexpr unsigned posix_trial_cpu_seconds = 1;
inline constexpr size_t posix_trial_memory = size_t{512} << 20;

// Budget check plus, for risky patterns, the trial compile; `cflags` are
// regcomp()'s.  False with the reason in why when `re` must not be compiled.
bool posix_compile_is_safe(const std::string &re, int cflags, std::string &why);

} // namespace ferry::regexp
