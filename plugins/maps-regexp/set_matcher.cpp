// set_matcher.cpp - RE2::Set wrapper (see set_matcher.h).
#include "set_matcher.h"

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

} // namespace

struct SetMatcher::Impl {
    RE2::Set set{set_options(), RE2::UNANCHORED};
};

SetMatcher::SetMatcher() : impl_(std::make_unique<Impl>()) {}

SetMatcher::~SetMatcher() = default;

int SetMatcher::add(const std::string &re2_text) {
    // Dot matches newline and ^/$ match at every newline: both only widen
    // what the pattern accepts (see prefilter.h).
    std::string error;
    int id = impl_->set.Add("(?sm)" + re2_text, &error);
    if (id >= 0)
        ++count_;
    return id;
}

bool SetMatcher::compile() {
    if (count_ == 0)
        return false;
    compiled_ = impl_->set.Compile();
    return compiled_;
}

bool SetMatcher::match(std::string_view key, std::vector<int> &ids) const {
    ids.clear();
    if (!compiled_)
        return false;
    RE2::Set::ErrorInfo info{};
    if (impl_->set.Match(re2::StringPiece(key.data(), key.size()), &ids, &info))
        return true;
    return info.kind == RE2::Set::kNoError;
}

} // namespace ferry::regexp
