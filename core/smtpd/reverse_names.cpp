// reverse_names.cpp - see reverse_names.h.
#include "smtpd/reverse_names.h"

namespace ferry::smtpd {

ReverseNameCache::ReverseNameCache(std::chrono::seconds ttl, std::size_t capacity)
    : ttl_(ttl), capacity_(capacity) {}

std::optional<ReverseName> ReverseNameCache::find(const std::string &addr, Clock::time_point now) {
    auto it = entries_.find(addr);
    if (it == entries_.end()) return std::nullopt;
    if (now >= it->second.expires) {
        entries_.erase(it);
        return std::nullopt;
    }
    return it->second.answer;
}

void ReverseNameCache::store(const std::string &addr, const ReverseName &answer, Clock::time_point now) {
    if (answer.kind == ReverseName::Kind::temporary_failure || capacity_ == 0 || ttl_.count() <= 0) return;
    if (entries_.size() >= capacity_ && !entries_.contains(addr)) {
        std::erase_if(entries_, [now](const auto &e) { return now >= e.second.expires; });
        if (entries_.size() >= capacity_) entries_.clear();
    }
    entries_[addr] = Entry{answer, now + ttl_};
}

} // namespace ferry::smtpd
