// reverse_names.h - client reverse names, remembered for a short while.
//
// Postfix's smtpd asks the resolver for the client's name on every
// connection.  Ferry's one process serves every connection, so it keeps
// each answer for a short time: a busy client (a relay, a load test)
// costs one lookup a minute instead of one per connection, and the event
// loop hands fewer lookups to the worker threads.  Only settled answers
// are kept - a name, or "this address has no name"; a temporary failure
// is asked again next time.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>

namespace ferry::smtpd {

// What a reverse lookup said.
struct ReverseName {
    enum class Kind { name, no_name, temporary_failure };
    Kind kind = Kind::no_name;
    std::string name; // for Kind::name

    // As Postfix logs the client: the name, or "unknown".
    std::string display() const { return kind == Kind::name ? name : "unknown"; }
};

class ReverseNameCache {
public:
    using Clock = std::chrono::steady_clock;

    ReverseNameCache(std::chrono::seconds ttl, std::size_t capacity);

    // The remembered answer for addr, if one is younger than the ttl.
    std::optional<ReverseName> find(const std::string &addr, Clock::time_point now);

    // Remembers a settled answer; a temporary failure is not kept.  When
    // the cache is full, expired entries go first, then all of them.
    void store(const std::string &addr, const ReverseName &answer, Clock::time_point now);

    std::size_t size() const { return entries_.size(); }

private:
    struct Entry {
        ReverseName answer;
        Clock::time_point expires;
    };
    std::chrono::seconds ttl_;
    std::size_t capacity_;
    std::unordered_map<std::string, Entry> entries_;
};

} // namespace ferry::smtpd
