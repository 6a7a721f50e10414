// set_matcher.cpp - Vectorscan in front, RE2::Set behind (see set_matcher.h).
#include "set_matcher.h"

#include <hs/hs.h>
#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdlib>
#include <re2/re2.h>
#include <re2/set.h>

namespace ferry::regexp {

namespace {

RE2::Options set_options() {
    RE2::Options o;
    o.set_encoding(RE2::Options::EncodingLatin1);
    o.set_log_errors(false);
    // Room for the DFA of a few thousand patterns; beyond it match() falls
    // back instead of failing.
    o.set_max_mem(int64_t{256} << 20);
    return o;
}

// Dot matches newline and ^/$ match at every newline, as for RE2 below:
// both only widen what a pattern accepts (see prefilter.h).  Prefilter
// mode widens whatever Vectorscan cannot do exactly; single-match reports
// each pattern once per scan.
constexpr unsigned hs_flags = HS_FLAG_PREFILTER | HS_FLAG_SINGLEMATCH |
                              HS_FLAG_ALLOWEMPTY | HS_FLAG_DOTALL |
                              HS_FLAG_MULTILINE;

// Vectorscan spends about a millisecond compiling each full expression
// (several for odd ones); past this many, the rest go to RE2, whose DFA is
// built lazily, so no table takes seconds to open.
constexpr size_t hs_budget = 256;

// Compiling the whole set may still fail on one pattern the per-pattern
// check let through; it is moved to RE2 and the set compiled again, at
// most this many times.
constexpr int hs_retries = 4;

bool hs_accepts(const std::string &text) {
    hs_expr_info_t *info = nullptr;
    hs_compile_error_t *error = nullptr;
    if (hs_expression_info(text.c_str(), hs_flags, &info, &error) != HS_SUCCESS) {
        hs_free_compile_error(error);
        return false;
    }
    free(info); // allocated by Vectorscan's default allocator (malloc)
    return true;
}

// The pattern with every anchor (^ $ \A \z) made an empty match: a superset
// Vectorscan accepts where it refuses an anchor inside a pattern.  The
// translators write every literal byte and class member as \x{hh}, so a
// bare ^ or $ outside brackets is always an anchor.
std::string without_anchors(const std::string &text) {
    std::string out;
    bool in_class = false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '\\' && i + 1 < text.size()) {
            char e = text[i + 1];
            if (!in_class && (e == 'A' || e == 'z')) {
                out += "(?:)";
            } else {
                out += c;
                out += e;
            }
            ++i;
        } else if (in_class) {
            out += c;
            if (c == ']')
                in_class = false;
        } else if (c == '[') {
            out += c;
            in_class = true;
            if (i + 1 < text.size() && text[i + 1] == '^')
                out += text[++i];
        } else if (c == '^' || c == '$') {
            out += "(?:)";
        } else {
            out += c;
        }
    }
    return out;
}

// Reads "\x{hh}" at text[i]; returns the byte and moves i past it, or -1.
int hex_escape(const std::string &text, size_t &i) {
    if (text.compare(i, 3, "\\x{") != 0 || i + 6 > text.size() || text[i + 5] != '}')
        return -1;
    int v = 0;
    for (size_t k = i + 3; k < i + 5; ++k) {
        char c = text[k];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    i += 6;
    return v;
}

char fold(int b) { return static_cast<char>(b >= 'A' && b <= 'Z' ? b + 32 : b); }

int on_hs_match(unsigned id, unsigned long long, unsigned long long, unsigned,
                void *ctx) {
    static_cast<std::vector<int> *>(ctx)->push_back(static_cast<int>(id));
    return 0; // go on: every pattern that may match is wanted
}

} // namespace

// The translators wrap every pattern in "(?i:" or "(?:" and write bytes as
// \x{hh}, classes as [\x{hh}-\x{hh}...], groups as "(?flags:".  Only the
// top level of the wrapper counts: a literal there, not under a quantifier,
// and with no "|" at that level, is part of every match; a group, class,
// anchor or anything unexpected ends the current run.
std::string SetMatcher::required_literal(const std::string &text) {
    if (text.empty() || text[0] != '(')
        return {};
    std::string best, run;
    auto end_run = [&] {
        if (run.size() > best.size())
            best = run;
        run.clear();
    };
    bool last_in_run = false; // the previous top-level atom ends run
    int depth = 0;
    size_t i = 0;
    while (i < text.size()) {
        char c = text[i];
        bool top = depth == 1;
        if (c == '(') {
            if (top)
                end_run();
            last_in_run = false;
            ++depth;
            ++i;
            if (i < text.size() && text[i] == '?') {
                ++i;
                while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i])))
                    ++i;
                if (i >= text.size() || text[i] != ':')
                    return {};
                ++i;
            }
        } else if (c == ')') {
            if (depth == 1 && i + 1 != text.size())
                return {};
            if (depth == 0)
                return {};
            --depth;
            last_in_run = false;
            ++i;
        } else if (c == '|') {
            if (top)
                return {};
            ++i;
        } else if (c == '\\') {
            int b = hex_escape(text, i);
            if (b < 0) {
                if (top)
                    end_run();
                last_in_run = false;
                i += 2;
            } else if (top) {
                run += fold(b);
                last_in_run = true;
            }
        } else if (c == '[') {
            ++i;
            std::vector<int> members;
            bool simple = true;
            while (i < text.size() && text[i] != ']') {
                int b = hex_escape(text, i);
                if (b < 0) {
                    simple = false; // a range or something unexpected
                    ++i;
                    continue;
                }
                members.push_back(b);
            }
            ++i;
            if (!top)
                continue;
            bool one = simple && !members.empty() &&
                       std::all_of(members.begin(), members.end(),
                                   [&](int b) { return fold(b) == fold(members[0]); });
            if (one) {
                run += fold(members[0]);
                last_in_run = true;
            } else {
                end_run();
                last_in_run = false;
            }
        } else if (c == '*' || c == '+' || c == '?' || c == '{') {
            // The quantified atom may be absent or repeated: it leaves the
            // run, and the run stops there.
            if (top) {
                if (last_in_run && !run.empty())
                    run.pop_back();
                end_run();
            }
            last_in_run = false;
            if (c == '{') {
                size_t close = text.find('}', i);
                if (close == std::string::npos)
                    return {};
                i = close + 1;
            } else {
                ++i;
            }
        } else {
            // ^ $ . or anything else: not a literal byte.
            if (top)
                end_run();
            last_in_run = false;
            ++i;
        }
    }
    if (depth != 0)
        return {};
    end_run();
    return best;
}

struct SetMatcher::Re2Part {
    // Parses each pattern as it is added (no compilation): a text RE2 does
    // not accept is no pattern of the set.  Dropped by compile().
    std::unique_ptr<RE2::Set> check =
        std::make_unique<RE2::Set>(set_options(), RE2::UNANCHORED);
    RE2::Set set{set_options(), RE2::UNANCHORED};
    bool ok = false;
    mutable std::vector<int> local; // per-match scratch
};

struct SetMatcher::HsPart {
    hs_database_t *db = nullptr;
    hs_scratch_t *scratch = nullptr;
    ~HsPart() {
        if (scratch)
            hs_free_scratch(scratch);
        if (db)
            hs_free_database(db);
    }
};

SetMatcher::SetMatcher(Backend backend)
    : backend_(backend), re2_(std::make_unique<Re2Part>()) {}

SetMatcher::~SetMatcher() = default;

int SetMatcher::add(const std::string &re2_text) {
    std::string error;
    if (compiled_ || re2_->check->Add("(?sm)" + re2_text, &error) < 0)
        return -1;
    texts_.push_back(re2_text);
    literals_.push_back(backend_ == Backend::automatic ? required_literal(re2_text)
                                                       : std::string());
    return static_cast<int>(texts_.size() - 1);
}

bool SetMatcher::compile_vectorscan(std::vector<int> &ids,
                                    std::vector<std::string> &texts) {
    for (int attempt = 0; attempt <= hs_retries && !ids.empty(); ++attempt) {
        std::vector<const char *> exprs;
        std::vector<unsigned> flags(ids.size(), hs_flags);
        std::vector<unsigned> hs_ids;
        for (size_t k = 0; k < ids.size(); ++k) {
            exprs.push_back(texts[k].c_str());
            hs_ids.push_back(static_cast<unsigned>(ids[k]));
        }
        auto part = std::make_unique<HsPart>();
        hs_compile_error_t *error = nullptr;
        if (hs_compile_multi(exprs.data(), flags.data(), hs_ids.data(),
                             static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK,
                             nullptr, &part->db, &error) != HS_SUCCESS) {
            int bad = error ? error->expression : -1;
            hs_free_compile_error(error);
            if (bad < 0 || static_cast<size_t>(bad) >= ids.size())
                return false;
            re2_ids_.push_back(ids[bad]);
            ids.erase(ids.begin() + bad);
            texts.erase(texts.begin() + bad);
            continue;
        }
        if (hs_alloc_scratch(part->db, &part->scratch) != HS_SUCCESS)
            return false;
        hs_ = std::move(part);
        hs_count_ = ids.size();
        return true;
    }
    return ids.empty();
}

bool SetMatcher::compile() {
    if (compiled_ || texts_.empty())
        return false;
    compiled_ = true;
    re2_->check.reset();

    std::vector<int> lit_ids;
    std::vector<char> by_literal(texts_.size(), 0);
    for (size_t id = 0; id < texts_.size(); ++id)
        if (literals_[id].size() >= LiteralSet::min_length)
            lit_ids.push_back(static_cast<int>(id));
    for (int id : lit_ids) {
        lit_.add(literals_[id], id);
        by_literal[id] = 1;
    }
    lit_.build();

    std::vector<int> hs_ids;
    std::vector<std::string> hs_texts;
    for (size_t id = 0; id < texts_.size(); ++id) {
        if (by_literal[id])
            continue;
        if (backend_ == Backend::automatic && hs_ids.size() < hs_budget) {
            if (hs_accepts(texts_[id])) {
                hs_ids.push_back(static_cast<int>(id));
                hs_texts.push_back(texts_[id]);
                continue;
            }
            std::string wide = without_anchors(texts_[id]);
            if (wide != texts_[id] && hs_accepts(wide)) {
                hs_ids.push_back(static_cast<int>(id));
                hs_texts.push_back(std::move(wide));
                continue;
            }
        }
        re2_ids_.push_back(static_cast<int>(id));
    }
    if (!compile_vectorscan(hs_ids, hs_texts)) {
        // Vectorscan could not build the set at all: RE2 takes every pattern.
        hs_.reset();
        hs_count_ = 0;
        re2_ids_.insert(re2_ids_.end(), hs_ids.begin(), hs_ids.end());
    }

    std::vector<int> placed;
    for (int id : re2_ids_) {
        std::string error;
        if (re2_->set.Add("(?sm)" + texts_[id], &error) >= 0)
            placed.push_back(id);
        else
            always_.push_back(id);
    }
    re2_ids_ = std::move(placed);
    if (!re2_ids_.empty()) {
        re2_->ok = re2_->set.Compile();
        if (!re2_->ok) {
            always_.insert(always_.end(), re2_ids_.begin(), re2_ids_.end());
            re2_ids_.clear();
        }
    }
    return true;
}

bool SetMatcher::match(std::string_view key, std::vector<int> &ids) const {
    ids.clear();
    if (!compiled_)
        return false;
    if (key.size() > UINT_MAX)
        return false;
    // A zero-length block needs a valid pointer all the same.
    const char *data = key.empty() ? "" : key.data();
    lit_.find(key, ids);
    if (hs_ && hs_scan(hs_->db, data, static_cast<unsigned>(key.size()), 0,
                       hs_->scratch, on_hs_match, &ids) != HS_SUCCESS)
        return false;
    if (!re2_ids_.empty()) {
        RE2::Set::ErrorInfo info{};
        std::vector<int> &local = re2_->local;
        local.clear();
        if (!re2_->set.Match(re2::StringPiece(key.data(), key.size()), &local, &info) &&
            info.kind != RE2::Set::kNoError)
            return false;
        for (int k : local)
            ids.push_back(re2_ids_[k]);
    }
    ids.insert(ids.end(), always_.begin(), always_.end());
    return true;
}

} // namespace ferry::regexp
