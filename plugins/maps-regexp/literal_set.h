// literal_set.h - which of many literals occur in a key, ignoring case.
//
// The set matcher represents most patterns by a literal every match must
// contain (see set_matcher.h); this finds the ones present in a key.  Each
// literal is indexed by one of its 3-byte windows, chosen so that few
// literals share a window; a scan looks at every 3-byte window of the key,
// passes it through a small bit filter, and compares only the literals
// indexed there.  Building is a few microseconds per literal, so a table of
// thousands of patterns still opens at once.  ASCII letters match either
// case; other bytes match themselves only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ferry::regexp {

class LiteralSet {
public:
    static constexpr size_t min_length = 3;

    // Adds a literal (at least min_length bytes) reported as id.
    void add(const std::string &literal, int id);
    // Indexes the literals added; call once, before find().
    void build();
    size_t size() const { return literals_.size(); }

    // Appends to ids the id of every literal that occurs in key, each once.
    void find(std::string_view key, std::vector<int> &ids) const;

private:
    struct Entry {
        uint32_t literal; // index into literals_
        uint32_t offset;  // where the indexed window starts in it
    };
    struct Literal {
        std::string folded;
        int id;
    };
    static uint32_t window(const unsigned char *p);
    static size_t filter_bit(uint32_t w);

    std::vector<Literal> literals_;
    std::unordered_map<uint32_t, std::vector<Entry>> index_;
    std::vector<uint64_t> filter_;

    // Per-scan scratch (one thread at a time per table).
    mutable std::string folded_key_;
    mutable std::vector<uint32_t> seen_; // per literal: scan stamp
    mutable uint32_t stamp_ = 0;
};

} // namespace ferry::regexp
