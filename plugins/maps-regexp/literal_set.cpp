// literal_set.cpp - 3-byte window index over folded literals (see
// literal_set.h).
#include "literal_set.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace ferry::regexp {

namespace {

constexpr size_t filter_bits = size_t{1} << 16;

unsigned char fold(unsigned char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<unsigned char>(c + 32) : c;
}

} // namespace

uint32_t LiteralSet::window(const unsigned char *p) {
    return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16;
}

size_t LiteralSet::filter_bit(uint32_t w) {
    return (w * 2654435761u) >> 16; // 16 well-mixed bits
}

void LiteralSet::add(const std::string &literal, int id) {
    if (literal.size() < min_length)
        return;
    std::string folded(literal);
    for (char &c : folded)
        c = static_cast<char>(fold(static_cast<unsigned char>(c)));
    literals_.push_back({std::move(folded), id});
}

void LiteralSet::build() {
    filter_.assign(filter_bits / 64, 0);
    index_.clear();
    index_.reserve(literals_.size());
    for (uint32_t n = 0; n < literals_.size(); ++n) {
        const auto *p = reinterpret_cast<const unsigned char *>(literals_[n].folded.data());
        size_t windows = literals_[n].folded.size() - min_length + 1;
        // The window shared with the fewest literals so far keeps every
        // bucket short, even when many literals start alike ("@example").
        uint32_t best = 0;
        size_t best_load = SIZE_MAX;
        for (uint32_t o = 0; o < windows && best_load > 0; ++o) {
            auto it = index_.find(window(p + o));
            size_t load = it == index_.end() ? 0 : it->second.size();
            if (load < best_load) {
                best_load = load;
                best = o;
            }
        }
        uint32_t w = window(p + best);
        index_[w].push_back({n, best});
        size_t bit = filter_bit(w);
        filter_[bit / 64] |= uint64_t{1} << (bit % 64);
    }
    seen_.assign(literals_.size(), 0);
}

void LiteralSet::find(std::string_view key, std::vector<int> &ids) const {
    if (literals_.empty() || key.size() < min_length)
        return;
    if (++stamp_ == 0) { // wrapped: forget every old stamp
        std::fill(seen_.begin(), seen_.end(), 0);
        stamp_ = 1;
    }
    folded_key_.resize(key.size());
    for (size_t i = 0; i < key.size(); ++i)
        folded_key_[i] = static_cast<char>(fold(static_cast<unsigned char>(key[i])));
    const auto *k = reinterpret_cast<const unsigned char *>(folded_key_.data());
    size_t n = key.size();
    for (size_t i = 0; i + min_length <= n; ++i) {
        uint32_t w = window(k + i);
        size_t bit = filter_bit(w);
        if (!(filter_[bit / 64] >> (bit % 64) & 1))
            continue;
        auto it = index_.find(w);
        if (it == index_.end())
            continue;
        for (const Entry &e : it->second) {
            const Literal &lit = literals_[e.literal];
            if (seen_[e.literal] == stamp_ || e.offset > i ||
                i - e.offset + lit.folded.size() > n)
                continue;
            if (std::memcmp(k + i - e.offset, lit.folded.data(), lit.folded.size()) == 0) {
                seen_[e.literal] = stamp_;
                ids.push_back(lit.id);
            }
        }
    }
}

} // namespace ferry::regexp
