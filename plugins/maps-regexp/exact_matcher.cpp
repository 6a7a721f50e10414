// exact_matcher.cpp - RE2 per exact rule, compiled on first use (see
// exact_matcher.h).
#include "exact_matcher.h"

#include <re2/re2.h>

namespace ferry::regexp {

struct ExactMatcher::Entry {
    std::string text;
    std::unique_ptr<RE2> re;
    bool refused = false;
};

ExactMatcher::ExactMatcher() = default;

ExactMatcher::~ExactMatcher() = default;

int ExactMatcher::add(const std::string &re2_text) {
    auto e = std::make_unique<Entry>();
    e->text = re2_text;
    entries_.push_back(std::move(e));
    return static_cast<int>(entries_.size() - 1);
}

int ExactMatcher::match(int id, std::string_view key) {
    Entry &e = *entries_[static_cast<size_t>(id)];
    if (e.refused)
        return -1;
    if (!e.re) {
        RE2::Options o;
        o.set_encoding(RE2::Options::EncodingLatin1);
        o.set_log_errors(false);
        e.re = std::make_unique<RE2>(e.text, o);
        if (!e.re->ok()) {
            e.re.reset();
            e.refused = true;
            return -1;
        }
    }
    return RE2::PartialMatch(re2::StringPiece(key.data(), key.size()), *e.re) ? 1 : 0;
}

bool ExactMatcher::plain_key(std::string_view key) {
    for (char c : key) {
        auto b = static_cast<unsigned char>(c);
        if (b == 0 || b == '\n' || b >= 0x80)
            return false;
    }
    return true;
}

} // namespace ferry::regexp
