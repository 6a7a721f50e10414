// engine_pcre.cpp - PCRE2 for pcre: tables.
//
// Postfix compiles with PCRE2_CASELESS|PCRE2_DOTALL by default, toggled by
// the i and s flags (m, x, A, E, U toggle MULTILINE, EXTENDED, ANCHORED,
// DOLLAR_ENDONLY, UNGREEDY), without UTF and without JIT, and matches the
// whole key from offset 0.  We do the same; JIT is left off on purpose
// because its resource limits differ from the interpreter's, and a limit
// hit is part of the answer (Postfix then treats the rule as not matching).
#include "engine.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <vector>

namespace ferry::regexp {

namespace {

uint32_t options_of(const PatternOptions &opt) {
    uint32_t f = 0;
    if (opt.caseless)
        f |= PCRE2_CASELESS;
    if (opt.multiline)
        f |= PCRE2_MULTILINE;
    if (opt.dotall)
        f |= PCRE2_DOTALL;
    if (opt.pcre_extended)
        f |= PCRE2_EXTENDED;
    if (opt.anchored)
        f |= PCRE2_ANCHORED;
    if (opt.dollar_endonly)
        f |= PCRE2_DOLLAR_ENDONLY;
    if (opt.ungreedy)
        f |= PCRE2_UNGREEDY;
    return f;
}

std::string error_text(int err) {
    PCRE2_UCHAR buf[256];
    int n = pcre2_get_error_message(err, buf, sizeof(buf));
    if (n < 0)
        return "unexpected pcre2 error code " + std::to_string(err);
    return std::string(reinterpret_cast<char *>(buf), static_cast<size_t>(n));
}

class PcreEngine final : public Engine {
public:
    ~PcreEngine() override {
        for (pcre2_code *c : patterns_)
            pcre2_code_free(c);
        if (md_)
            pcre2_match_data_free(md_);
    }

    int compile(const std::string &text, const PatternOptions &opt, bool,
                std::string &why) override {
        int err = 0;
        PCRE2_SIZE off = 0;
        pcre2_code *code =
            pcre2_compile(reinterpret_cast<PCRE2_SPTR>(text.c_str()),
                          PCRE2_ZERO_TERMINATED, options_of(opt), &err, &off,
                          nullptr);
        if (!code) {
            why = "error in regex at offset " + std::to_string(off) + ": " +
                  error_text(err);
            return -1;
        }
        uint32_t count = 0;
        pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &count);
        counts_.push_back(count);
        if (count + 1 > md_pairs_)
            md_pairs_ = count + 1;
        patterns_.push_back(code);
        return static_cast<int>(patterns_.size() - 1);
    }

    size_t group_count(int id) const override { return counts_[id]; }

    MatchOutcome match(int id, std::string_view key, size_t,
                       std::string &why) override {
        if (!md_ || md_size_ < md_pairs_) {
            // One match block per table, big enough for every pattern, so
            // pcre2_match() never reports a too-small vector.
            if (md_)
                pcre2_match_data_free(md_);
            md_ = pcre2_match_data_create(md_pairs_, nullptr);
            md_size_ = md_pairs_;
        }
        int rc = pcre2_match(patterns_[id], reinterpret_cast<PCRE2_SPTR>(key.data()),
                             key.size(), 0, 0, md_, nullptr);
        if (rc > 0)
            return MatchOutcome::match;
        if (rc == PCRE2_ERROR_NOMATCH)
            return MatchOutcome::nomatch;
        why = error_text(rc);
        return MatchOutcome::error;
    }

    bool group(size_t n, size_t &so, size_t &eo) const override {
        if (!md_ || n >= md_size_)
            return false;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md_);
        if (ov[2 * n] == PCRE2_UNSET)
            return false;
        so = ov[2 * n];
        eo = ov[2 * n + 1];
        return true;
    }

    std::optional<std::bitset<256>> probe(const std::string &atom,
                                          const PatternOptions &opt) override {
        std::string memo_key = std::string(opt.caseless ? "i" : "-") +
                               (opt.dotall ? "s" : "-") + ':' + atom;
        return probes_.get(memo_key, [&] { return run_probe(atom, opt); });
    }

private:
    std::optional<std::bitset<256>> run_probe(const std::string &atom,
                                              const PatternOptions &opt) {
        PatternOptions o;
        o.caseless = opt.caseless;
        o.dotall = opt.dotall;
        o.multiline = false;
        o.pcre_extended = false;
        std::string text = "\\A(?:" + atom + ")\\z";
        int err = 0;
        PCRE2_SIZE off = 0;
        pcre2_code *code =
            pcre2_compile(reinterpret_cast<PCRE2_SPTR>(text.c_str()),
                          PCRE2_ZERO_TERMINATED, options_of(o), &err, &off, nullptr);
        if (!code)
            return std::nullopt;
        pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, nullptr);
        std::bitset<256> set;
        for (int c = 1; c < 256; ++c) {
            unsigned char s = static_cast<unsigned char>(c);
            if (pcre2_match(code, &s, 1, 0, 0, md, nullptr) > 0)
                set.set(c);
        }
        pcre2_match_data_free(md);
        pcre2_code_free(code);
        return set;
    }

    std::vector<pcre2_code *> patterns_;
    ProbeMemo probes_;
    std::vector<uint32_t> counts_;
    pcre2_match_data *md_ = nullptr;
    uint32_t md_pairs_ = 1;
    uint32_t md_size_ = 0;
};

} // namespace

std::unique_ptr<Engine> make_pcre_engine() { return std::make_unique<PcreEngine>(); }

} // namespace ferry::regexp
