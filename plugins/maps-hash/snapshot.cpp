// snapshot.cpp - see snapshot.h.
#include "snapshot.h"

#include <cstring>
#include <functional>

namespace ferry::maps_hash {

namespace {

std::uint64_t hash_of(std::string_view key) {
    return std::hash<std::string_view>{}(key);
}

constexpr std::uint64_t offset_bits = 40;
constexpr std::uint64_t offset_mask = (std::uint64_t{1} << offset_bits) - 1;
constexpr std::size_t header_size = 2 * sizeof(std::uint32_t);

std::uint32_t read_u32(const char *at) {
    std::uint32_t value;
    std::memcpy(&value, at, sizeof value);
    return value;
}

} // namespace

Snapshot::Snapshot(std::size_t budget, std::size_t expected) : budget_(budget) {
    arena_.reserve(expected < budget ? expected : budget);
}

bool Snapshot::add(std::string_view key, std::string_view value) {
    // The record, plus four slots at worst (a half-full index just grown).
    std::size_t cost = header_size + key.size() + value.size() +
                       4 * sizeof(std::uint64_t);
    if (key.size() > 0xffffffffU || value.size() > 0xffffffffU ||
        arena_.size() + cost >= offset_mask ||
        bytes() + cost > budget_)
        return false;
    std::uint32_t lengths[2] = {static_cast<std::uint32_t>(key.size()),
                                static_cast<std::uint32_t>(value.size())};
    const char *header = reinterpret_cast<const char *>(lengths);
    arena_.insert(arena_.end(), header, header + header_size);
    arena_.insert(arena_.end(), key.begin(), key.end());
    arena_.insert(arena_.end(), value.begin(), value.end());
    ++records_;
    return true;
}

void Snapshot::finish() {
    std::size_t size = 16;
    while (size < 2 * records_)
        size *= 2;
    slots_.assign(size, 0);
    mask_ = size - 1;
    for (std::size_t at = 0; at < arena_.size();) {
        std::uint32_t key_len = read_u32(arena_.data() + at);
        std::uint32_t value_len = read_u32(arena_.data() + at + 4);
        std::string_view key(arena_.data() + at + header_size, key_len);
        std::uint64_t h = hash_of(key);
        std::uint64_t slot = h & mask_;
        // Berkeley DB holds no duplicate keys here (Postfix opens without
        // DB_DUP); should a file hold one anyway, the first record wins.
        while (slots_[slot] != 0)
            slot = (slot + 1) & mask_;
        slots_[slot] = (h & ~offset_mask) | (at + 1);
        at += header_size + key_len + value_len;
    }
}

std::optional<std::string_view> Snapshot::find(std::string_view key) const {
    if (slots_.empty())
        return std::nullopt;
    std::uint64_t h = hash_of(key);
    std::uint64_t tag = h & ~offset_mask;
    for (std::uint64_t slot = h & mask_;; slot = (slot + 1) & mask_) {
        std::uint64_t s = slots_[slot];
        if (s == 0)
            return std::nullopt;
        if ((s & ~offset_mask) != tag)
            continue;
        const char *at = arena_.data() + (s & offset_mask) - 1;
        std::uint32_t key_len = read_u32(at);
        if (key_len == key.size() &&
            std::memcmp(at + header_size, key.data(), key.size()) == 0)
            return std::string_view(at + header_size + key_len,
                                    read_u32(at + 4));
    }
}

std::size_t Snapshot::bytes() const {
    // What is in use (reserved pages never written stay virtual), and the
    // index: built, or as finish() will build it at worst.
    std::size_t slots = slots_.empty() ? 4 * records_ : slots_.size();
    return arena_.size() + slots * sizeof(std::uint64_t);
}

} // namespace ferry::maps_hash
