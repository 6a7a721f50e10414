// engine_posix.cpp - glibc POSIX regex for regexp: tables.
//
// Postfix runs regcomp() with REG_EXTENDED|REG_ICASE by default, toggled by
// the x and i flags, REG_NEWLINE with m, and REG_NOSUB when the result has
// no $n.  Postfix daemons run in the C locale, so bytes are bytes and only
// ASCII letters fold; we pin the C locale around every call so the host's
// locale cannot change an answer.
#include "engine.h"
#include "posix_budget.h"

#include <clocale>
#include <locale.h>
#include <regex.h>
#include <vector>

namespace ferry::regexp {

namespace {

locale_t c_locale() {
    static locale_t loc = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(0));
    return loc;
}

class CLocaleScope {
public:
    CLocaleScope() : old_(uselocale(c_locale())) {}
    ~CLocaleScope() { uselocale(old_); }
    CLocaleScope(const CLocaleScope &) = delete;
    CLocaleScope &operator=(const CLocaleScope &) = delete;

private:
    locale_t old_;
};

int cflags_of(const PatternOptions &opt) {
    int f = 0;
    if (opt.extended)
        f |= REG_EXTENDED;
    if (opt.caseless)
        f |= REG_ICASE;
    if (opt.multiline)
        f |= REG_NEWLINE;
    return f;
}

std::string error_text(int err, const regex_t *re) {
    char buf[256];
    regerror(err, re, buf, sizeof(buf));
    return buf;
}

class PosixEngine final : public Engine {
public:
    ~PosixEngine() override {
        for (auto &re : patterns_)
            regfree(re.get());
    }

    int compile(const std::string &text, const PatternOptions &opt,
                bool need_groups, std::string &why) override {
        if (!posix_compile_is_safe(text, cflags_of(opt) | (need_groups ? 0 : REG_NOSUB), why))
            return -1;
        CLocaleScope scope;
        auto re = std::make_unique<regex_t>();
        int err = regcomp(re.get(), text.c_str(),
                          cflags_of(opt) | (need_groups ? 0 : REG_NOSUB));
        if (err != 0) {
            why = error_text(err, re.get());
            return -1;
        }
        patterns_.push_back(std::move(re));
        return static_cast<int>(patterns_.size() - 1);
    }

    size_t group_count(int id) const override { return patterns_[id]->re_nsub; }

    MatchOutcome match(int id, std::string_view key, size_t ngroups,
                       std::string &why) override {
        CLocaleScope scope;
        size_t n = ngroups > 0 ? ngroups + 1 : 0;
        if (pmatch_.size() < n)
            pmatch_.resize(n);
        nmatch_ = n;
        int err = regexec(patterns_[id].get(), key.data(), n,
                          n ? pmatch_.data() : nullptr, 0);
        if (err == 0)
            return MatchOutcome::match;
        if (err == REG_NOMATCH)
            return MatchOutcome::nomatch;
        why = error_text(err, patterns_[id].get());
        return MatchOutcome::error;
    }

    bool group(size_t n, size_t &so, size_t &eo) const override {
        if (n >= nmatch_ || pmatch_[n].rm_so < 0)
            return false;
        so = static_cast<size_t>(pmatch_[n].rm_so);
        eo = static_cast<size_t>(pmatch_[n].rm_eo);
        return true;
    }

    std::optional<std::bitset<256>> probe(const std::string &atom,
                                          const PatternOptions &opt) override {
        std::string memo_key = std::to_string(cflags_of(opt)) + ':' + atom;
        return probes_.get(memo_key, [&] { return run_probe(atom, opt); });
    }

private:
    std::optional<std::bitset<256>> run_probe(const std::string &atom,
                                              const PatternOptions &opt) {
        CLocaleScope scope;
        regex_t re;
        std::string text = "^(" + atom + ")$";
        if (regcomp(&re, text.c_str(), cflags_of(opt) | REG_NOSUB) != 0)
            return std::nullopt;
        std::bitset<256> set;
        for (int c = 1; c < 256; ++c) {
            char s[2] = {static_cast<char>(c), 0};
            if (regexec(&re, s, 0, nullptr, 0) == 0)
                set.set(c);
        }
        regfree(&re);
        return set;
    }

    std::vector<std::unique_ptr<regex_t>> patterns_;
    ProbeMemo probes_;
    std::vector<regmatch_t> pmatch_;
    size_t nmatch_ = 0;
};

} // namespace

std::unique_ptr<Engine> make_posix_engine() { return std::make_unique<PosixEngine>(); }

} // namespace ferry::regexp
