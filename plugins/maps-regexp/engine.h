// engine.h - the real regular expression engines behind the tables.
//
// The answer of a lookup always comes from the engine Postfix uses for the
// table type: glibc regcomp()/regexec() in the C locale for regexp:, PCRE2
// (no JIT, default character tables) for pcre:.  The set matcher in front of
// them only decides which rules cannot match.  An Engine owns the compiled
// patterns of one table and the match scratch space, so a handle needs no
// locking (one thread at a time per handle, as plugin.h promises).
#pragma once

#include <bitset>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ferry::regexp {

enum class MatchOutcome { match, nomatch, error };

// Options as Postfix parses them from the flags after a pattern.
struct PatternOptions {
    bool caseless = true;
    bool multiline = false; // regexp: REG_NEWLINE; pcre: MULTILINE
    bool extended = true;   // regexp: REG_EXTENDED (x toggles it off)
    // pcre only:
    bool dotall = true;
    bool pcre_extended = false;
    bool anchored = false;
    bool dollar_endonly = false;
    bool ungreedy = false;
};

class Engine {
public:
    virtual ~Engine() = default;

    // Compiles a pattern; returns its id, or -1 with the engine's own error
    // text in why (the caller words the warning).  need_groups is false when
    // Postfix would compile with REG_NOSUB.
    virtual int compile(const std::string &re, const PatternOptions &opt,
                        bool need_groups, std::string &why) = 0;
    virtual size_t group_count(int id) const = 0;

    // Runs pattern id against key (NUL-terminated: key.data()[key.size()]
    // must be 0).  ngroups is how many groups the caller will read.
    virtual MatchOutcome match(int id, std::string_view key, size_t ngroups,
                               std::string &why) = 0;
    // Span of group n of the last successful match(); false when unset.
    virtual bool group(size_t n, size_t &so, size_t &eo) const = 0;

    // The exact set of bytes (1..255) that the one-character construct
    // `atom` (a bracket expression or an escape) matches under opt, found by
    // asking the engine itself; nothing when it does not compile alone.
    virtual std::optional<std::bitset<256>>
    probe(const std::string &atom, const PatternOptions &opt) = 0;
};

// Remembered probe() answers, by a key that names the options and the atom:
// a table repeats the same few classes ("[^@]", "\\d", "\\.") many times
// and each probe is 255 matches.
class ProbeMemo {
public:
    template <class Run>
    std::optional<std::bitset<256>> get(const std::string &key, Run &&run) {
        auto known = known_.find(key);
        if (known != known_.end())
            return known->second;
        return known_[key] = run();
    }

private:
    std::unordered_map<std::string, std::optional<std::bitset<256>>> known_;
};

std::unique_ptr<Engine> make_posix_engine();
std::unique_ptr<Engine> make_pcre_engine();

} // namespace ferry::regexp
