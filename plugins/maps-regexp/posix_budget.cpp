// posix_budget.cpp - see posix_budget.h.
//
// A small scanner of the pattern text, not a full parser: it knows atoms
// (a byte, an escape, a bracket expression), groups, alternation and the
// repetition operators.  Anything it does not recognise counts as one
// non-empty atom, which can only over-estimate the expansion.
#include "posix_budget.h"

#include <regex.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#define FERRY_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FERRY_UNDER_ASAN 1
#endif
#endif
#ifndef FERRY_UNDER_ASAN
#define FERRY_UNDER_ASAN 0
#endif

namespace ferry::regexp {

namespace {

constexpr size_t node_cap = posix_node_budget + 1;
constexpr size_t closure_cap = posix_closure_budget + 1;

size_t add(size_t a, size_t b, size_t cap) { return std::min(cap, a + b); }
size_t mul(size_t a, size_t b, size_t cap) {
    if (a != 0 && b > cap / a)
        return cap;
    return std::min(cap, a * b);
}

// The cost of a piece of the pattern.
struct Piece {
    size_t nodes = 0;
    size_t closure = 0;
    bool nullable = true; // may match the empty string

    void append(const Piece &p) {
        nodes = add(nodes, p.nodes, node_cap);
        closure = add(closure, p.closure, closure_cap);
        nullable = nullable && p.nullable;
    }
};

class Estimator {
public:
    Estimator(std::string_view re, bool extended) : re_(re), ere_(extended) {}

    PosixCost run() {
        frames_.push_back({});
        while (p_ < re_.size())
            step();
        while (frames_.size() > 1) // unclosed: regcomp rejects it anyway
            close_group();
        Piece all = finish(frames_.back());
        return {all.nodes, all.closure};
    }

private:
    struct Frame {
        Piece branches;   // finished alternatives, combined
        bool any_branch = false;
        Piece done;       // finished atoms of the current alternative
        Piece last;       // the latest atom, still open to a repetition
        bool has_last = false;
    };

    static Piece finish(Frame f) {
        if (f.has_last)
            f.done.append(f.last);
        if (!f.any_branch)
            return f.done;
        Piece p = f.branches;
        p.nodes = add(p.nodes, add(f.done.nodes, 1, node_cap), node_cap);
        p.closure = add(p.closure, f.done.closure, closure_cap);
        p.nullable = p.nullable || f.done.nullable;
        return p;
    }

    void atom(Piece p) {
        Frame &f = frames_.back();
        if (f.has_last)
            f.done.append(f.last);
        f.last = p;
        f.has_last = true;
    }
    void literal() { atom({1, 0, false}); }

    // `copies` copies of the last atom; min_zero when it may be skipped.
    void repeat(size_t copies, bool min_zero) {
        Frame &f = frames_.back();
        if (!f.has_last) { // a leading operator is a literal or an error
            literal();
            return;
        }
        Piece &a = f.last;
        Piece r;
        r.nodes = add(mul(std::max<size_t>(a.nodes, 1), copies, node_cap), 1, node_cap);
        r.closure = mul(a.closure, copies, closure_cap);
        if (a.nullable) // epsilon loops: closures grow with the square
            r.closure = add(r.closure, mul(r.nodes, r.nodes, closure_cap), closure_cap);
        r.nullable = a.nullable || min_zero;
        a = r;
    }

    // Reads "{m}", "{m,}", "{,n}" or "{m,n}" after "{" or "\{"; false when
    // it is not an interval, so the caller takes the brace literally.
    bool interval(size_t &copies, bool &min_zero) {
        size_t q = p_;
        auto number = [&](size_t &v) {
            size_t start = q;
            v = 0;
            while (q < re_.size() && re_[q] >= '0' && re_[q] <= '9' && q - start < 6)
                v = v * 10 + static_cast<size_t>(re_[q++] - '0');
            return q > start;
        };
        size_t lo = 0, hi = 0;
        bool has_lo = number(lo), comma = false;
        hi = lo;
        if (q < re_.size() && re_[q] == ',') {
            ++q;
            comma = true;
            if (!number(hi))
                hi = lo + 1; // "{m,}": m copies and a star
        }
        if (!has_lo && !comma)
            return false; // "{}" or "{x": a literal brace
        if (ere_) {
            if (q >= re_.size() || re_[q] != '}')
                return false;
            ++q;
        } else {
            if (q + 1 >= re_.size() || re_[q] != '\\' || re_[q + 1] != '}')
                return false;
            q += 2;
        }
        p_ = q;
        copies = std::max<size_t>({lo, hi, 1});
        min_zero = lo == 0;
        return true;
    }

    void brace() {
        size_t copies = 0;
        bool min_zero = false;
        if (interval(copies, min_zero))
            repeat(copies, min_zero);
        else
            literal();
    }

    void bracket() {
        size_t q = p_ + 1; // after '['
        if (q < re_.size() && re_[q] == '^')
            ++q;
        if (q < re_.size() && re_[q] == ']')
            ++q;
        while (q < re_.size() && re_[q] != ']') {
            if (re_[q] == '[' && q + 1 < re_.size() &&
                (re_[q + 1] == ':' || re_[q + 1] == '.' || re_[q + 1] == '=')) {
                const char end[] = {re_[q + 1], ']', '\0'};
                size_t close = re_.find(end, q + 2);
                q = close == std::string_view::npos ? re_.size() : close + 2;
            } else {
                ++q;
            }
        }
        p_ = std::min(re_.size(), q + 1);
        literal();
    }

    void open_group() { frames_.push_back({}); }

    void close_group() {
        if (frames_.size() == 1) { // a stray ")" is a literal in ERE
            literal();
            return;
        }
        Piece inner = finish(frames_.back());
        frames_.pop_back();
        inner.nodes = add(inner.nodes, 1, node_cap);
        atom(inner);
    }

    void alternate() {
        Frame &f = frames_.back();
        if (f.has_last)
            f.done.append(f.last);
        if (f.any_branch) {
            f.branches.nodes = add(f.branches.nodes, add(f.done.nodes, 1, node_cap), node_cap);
            f.branches.closure = add(f.branches.closure, f.done.closure, closure_cap);
            f.branches.nullable = f.branches.nullable || f.done.nullable;
        } else {
            f.branches = f.done;
            f.any_branch = true;
        }
        f.done = {};
        f.last = {};
        f.has_last = false;
    }

    // One operator or atom.  In ERE the operators are bare; in BRE they are
    // escaped (GNU also takes "\+", "\?" and "\|"); "*" is bare in both.
    void step() {
        char c = re_[p_];
        bool escaped = c == '\\' && p_ + 1 < re_.size();
        if (escaped)
            c = re_[p_ + 1];
        p_ += escaped ? 2 : 1;
        if (!escaped && c == '[') {
            --p_;
            bracket();
            return;
        }
        if (!escaped && c == '*') {
            repeat(1, true);
            return;
        }
        // Anchors and GNU's word boundaries match the empty string.
        if ((!escaped && (c == '^' || c == '$')) ||
            (escaped && std::string_view("bB<>`'").find(c) != std::string_view::npos)) {
            atom({1, 0, true});
            return;
        }
        if (escaped == ere_) { // a literal, or an escape that is one byte
            literal();
            return;
        }
        switch (c) {
        case '(': open_group(); break;
        case ')': close_group(); break;
        case '|': alternate(); break;
        case '+': repeat(2, false); break;
        case '?': repeat(1, true); break;
        case '{': brace(); break;
        default: literal(); break;
        }
    }

    std::string_view re_;
    bool ere_;
    size_t p_ = 0;
    std::vector<Frame> frames_;
};

} // namespace

PosixCost posix_compile_cost(std::string_view re, bool extended) {
    return Estimator(re, extended).run();
}

namespace {

// Compiles the pattern in a child process under a CPU limit; true when
// regcomp() finished there (whether or not the pattern is valid).
bool regcomp_finishes(const std::string &re, int cflags) {
    pid_t pid = fork();
    if (pid < 0)
        return true; // cannot check: let the real compile run
    if (pid == 0) {
        struct rlimit cpu = {posix_trial_cpu_seconds, posix_trial_cpu_seconds + 1};
        setrlimit(RLIMIT_CPU, &cpu);
#if !FERRY_UNDER_ASAN // ASan reserves far more address space than it uses
        struct rlimit data = {posix_trial_memory, posix_trial_memory};
        setrlimit(RLIMIT_DATA, &data);
#endif
        regex_t compiled;
        if (regcomp(&compiled, re.c_str(), cflags) == 0)
            regfree(&compiled);
        _exit(0);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

} // namespace

bool posix_compile_is_safe(const std::string &re, int cflags, std::string &why) {
    bool extended = cflags & REG_EXTENDED;
    if (!posix_within_budget(re, extended, why))
        return false;
    PosixCost c = posix_compile_cost(re, extended);
    if (c.closure == 0 && c.nodes <= posix_trial_nodes)
        return true;
    if (regcomp_finishes(re, cflags))
        return true;
    why = "regular expression too complex: it could not be compiled within " +
          std::to_string(posix_trial_cpu_seconds) + " second(s) of CPU time";
    return false;
}

bool posix_within_budget(std::string_view re, bool extended, std::string &why) {
    PosixCost c = posix_compile_cost(re, extended);
    if (c.nodes > posix_node_budget) {
        why = "regular expression too complex: its repetitions expand to more than " +
              std::to_string(posix_node_budget) + " nodes";
        return false;
    }
    if (c.closure > posix_closure_budget) {
        why = "regular expression too complex: it repeats a part that can match "
              "the empty string too often";
        return false;
    }
    return true;
}

} // namespace ferry::regexp
